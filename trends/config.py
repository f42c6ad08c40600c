"""Settings of ``trends report``: one dataclass, read from a TOML file and/or the command line.

A :class:`ReportConfig` holds the options of ``trends report`` under the same names as the
command-line options (``--data`` is ``data``, ``--outcome`` is ``outcome``...). A TOML file gives
any of them at the top level::

    # idlib.toml
    intervention = "ceasefire_aug31_effective"
    start = "offensive_launch"          # an event id or a date
    end = "2019-12-15"
    family = "negbin"
    outcome = ["attacks", "civilian_deaths"]
    out = "out/idlib"

    # your own file, with its own column names and day-first dates
    data = "killings.xlsx"
    format = "incidents"
    dayfirst = true                     # or date_format = "%d/%m/%Y"
    [columns]                           # their name = ours (the --columns of the command line)
    Date = "date"
    Killed = "civilian_deaths_best"

The only table a file may hold is ``[columns]`` (it must come after the top-level keys, as TOML
requires). Relative paths in a file (``data``, ``events``, ``claims``, ``out``) are read relative to the
file's folder. Options given on the command line override the file; whatever neither gives takes
the defaults below (:meth:`ReportConfig.with_defaults`).

Defaults
--------
Whatever the data: :data:`COMMON_DEFAULTS` (daily counts, the negative binomial, the outcomes
attacks and civilian deaths, ``out/``).

With the bundled data (no ``data``), the defaults of the bundled case complete them
(:data:`BUNDLED_DEFAULTS`, the same object as :data:`trends.cases.idlib_2019.DEFAULTS`, whose
docstring says why each was chosen): its theatre, intervention and window, and its claims
checked with its claim scopes.

With your own data (``data`` given), the theatre defaults to ``"all"`` and ``intervention`` must
be given; no claims are checked unless ``claims`` is given (then every claim is checked against
every incident, or against the daily series of a tallies or counts file: there is no scope
mapping). The window defaults to the data's first and last day, or, with your own timeline
(``events``), to the one regime around the intervention that
:func:`trends.regimes.default_window` chooses (the report says which events bound it and which
were passed over). The outcomes default to attacks and civilian deaths for incident tables
(``incidents``, ``acled``, ``ucdp``) and to every measure of the file for ``tallies`` and
``counts`` (no "attacks" are invented where the data have none).

Reading options (:data:`READ_OPTIONS`: ``columns``, ``dayfirst``, ``date_format``, ``label``,
``thousands``, ``delimiter``, ``encoding``, ``sheet``, ``event_types``, ``region``,
``civilian_proxy``, the options of ``trends validate`` under the same names) go to the reader of ``format``; one that the reader does
not take is an error naming it::

    thousands = ","                     # 1,089 is 1089
    sheet = "Daily"                     # or 0, the first worksheet
    event_types = ["Battles", "Violence against civilians"]   # ACLED; or "all"
    region = "Kharkiv"                  # tallies of several regions: read one
    civilian_proxy = "violence_against_civilians"   # ACLED exports without civilian_targeting

``encoding`` is also the encoding of the ``events`` and ``claims`` files, unless
``events_encoding`` or ``claims_encoding`` gives theirs::

    encoding = "cp1252"                 # data, events and claims saved by Excel on Windows
    claims_encoding = "utf-8"           # ... except the claims
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from trends.cases import idlib_2019
from trends.errors import InputError
from trends.ingest import parse_column_mapping
from trends.ingest.acled import CIVILIAN_PROXIES
from trends.models.families import family_names
from trends.sources import SOURCES

__all__ = [
    "ReportConfig",
    "BUNDLED_DEFAULTS",
    "COMMON_DEFAULTS",
    "FAMILIES",
    "FREQS",
    "INCIDENT_FORMATS",
    "READ_OPTIONS",
]

#: Count families of the interrupted time series when this module was imported (the live list
#: is :func:`trends.models.families.family_names`: a family registered later is accepted too).
FAMILIES: tuple[str, ...] = family_names()
#: Aggregation periods.
FREQS: tuple[str, ...] = ("D", "W", "M")

#: Defaults whatever the data.
COMMON_DEFAULTS: dict[str, Any] = {
    "format": "incidents",
    "freq": "D",
    "family": "negbin",
    "inference": "auto",
    "outcome": ["attacks", "civilian_deaths"],
    "out": Path("out"),
}

#: Defaults with the bundled data (no ``data``): those of the bundled case.
BUNDLED_DEFAULTS: dict[str, Any] = idlib_2019.DEFAULTS

_PATH_KEYS = ("data", "events", "claims", "out")

#: Formats whose reader gives an incident table (their default outcomes are attacks and deaths).
INCIDENT_FORMATS: tuple[str, ...] = ("incidents", "acled", "ucdp")

#: The only TOML table a config file may hold.
_TABLES = ("columns",)

#: Options passed to the reader of ``format`` (those of ``trends validate``, same names); one
#: that this format's reader does not take is an error naming it.
READ_OPTIONS: tuple[str, ...] = (
    "columns",
    "dayfirst",
    "date_format",
    "label",
    "thousands",
    "delimiter",
    "encoding",
    "sheet",
    "event_types",
    "region",
    "civilian_proxy",
)


@dataclass
class ReportConfig:
    """Options of ``trends report`` (``None``: not set, the default applies).

    Attributes
    ----------
    data : Path, optional
        Incident file; ``None`` for the bundled Idlib 2019 incidents.
    format : str, optional
        Reader of ``data``: ``incidents``, ``acled``, ``ucdp`` or ``tallies``.
    events : Path, optional
        Reference-events file (:meth:`trends.events.Timeline.from_csv`); default the bundled
        Idlib 2019 timeline.
    claims : Path, optional
        Claims table (:func:`trends.events.load_claims`); default the bundled claims with the
        bundled data, none with your own data.
    intervention : str, optional
        Event id of the timeline, or a date (``YYYY-MM-DD``, optionally with a time; a day/month
        date such as ``03/02/2018`` only in the order ``dayfirst`` gives or a field above 12
        settles: :func:`trends.events.parse_date_text`, never guessed).
    start, end : str, optional
        Window bounds: event ids or dates, read as ``intervention`` (both days included).
    freq : str, optional
        ``D``, ``W`` or ``M``.
    family : str, optional
        ``negbin``, ``poisson`` or ``quasipoisson``.
    inference : str, optional
        How intervals are computed: ``auto`` (default: the latent AR(1) count model for the
        interrupted time series and its serial covariance for the two-phase ratio, on daily
        series of at least 120 days; the count GLM with Newey-West errors elsewhere), ``glm``
        (Newey-West everywhere; matches R's ``sandwich::NeweyWest``) or ``latent_ar``; see
        :func:`trends.models.spec.choose_inference`.
    outcome : list of str, optional
        Outcomes analysed (keys of :data:`trends.analysis.OUTCOMES`).
    out : Path, optional
        Output folder.
    theatre : str, optional
        ``north-west`` or ``all`` (the bundled data's ``north_west`` column).
    title : str, optional
        Title of the report and the charts.
    source : str, optional
        Source credit printed under every chart and in the report (the measures are named in
        words, "killed", "new cases", and the source is credited once).
    columns : dict of str to str, optional
        Column mapping of the reader, their name -> ours (``--columns Date=date,Killed=...`` or
        a ``[columns]`` table).
    dayfirst : bool, optional
        Numeric day/month dates are day first (True, ``--dayfirst``) or month first (False,
        ``--monthfirst``); without it (or ``date_format``) such dates are rejected as ambiguous.
    date_format : str, optional
        ``strptime`` format of the dates (``%d/%m/%Y``).
    label : str, optional
        ``start`` or ``end``: whether a weekly or monthly date of a counts file is its period's
        first or last day.
    thousands : str, optional
        Thousands separator of the counts (``","`` reads ``1,089`` as 1089), in the data and in
        the claims table's values.
    delimiter : str, optional
        Field separator, one character or ``"\\t"`` (default: detected).
    encoding : str, optional
        Text encoding of the file (default UTF-8).
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file, by name or 0-based position.
    event_types : str or list of str, optional
        ACLED: the event types counted as attacks (comma-separated or a list), or ``"all"``.
    region : str, optional
        Tallies: the region whose tallies are read, when the file holds several.
    civilian_proxy : str, optional
        ACLED: which events' fatalities stand for civilian deaths (a key of
        :data:`trends.ingest.acled.CIVILIAN_PROXIES`; ``violence_against_civilians`` for older
        exports without a ``civilian_targeting`` column).
    events_encoding, claims_encoding : str, optional
        Text encoding of the ``events`` and ``claims`` files (default: ``encoding``, else
        UTF-8).
    explicit : frozenset of str
        Keys set by a file or the command line (as opposed to defaults); the report says which
        choices are defaults.
    """

    data: Path | None = None
    format: str | None = None
    events: Path | None = None
    claims: Path | None = None
    intervention: str | None = None
    start: str | None = None
    end: str | None = None
    freq: str | None = None
    family: str | None = None
    inference: str | None = None
    outcome: list[str] | None = None
    out: Path | None = None
    theatre: str | None = None
    title: str | None = None
    source: str | None = None
    columns: dict[str, str] | None = None
    dayfirst: bool | None = None
    date_format: str | None = None
    label: str | None = None
    thousands: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    event_types: str | list[str] | None = None
    region: str | None = None
    civilian_proxy: str | None = None
    events_encoding: str | None = None
    claims_encoding: str | None = None
    explicit: frozenset[str] = field(default_factory=frozenset, compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def keys(cls) -> list[str]:
        """The option names a file or the command line may set."""
        return [f.name for f in fields(cls) if f.name != "explicit"]

    @classmethod
    def from_mapping(
        cls, values: dict[str, Any], *, base: Path | None = None, where: str = ""
    ) -> ReportConfig:
        """Build a config from a mapping of option names, checking keys and types.

        Parameters
        ----------
        values : dict
            Option name -> value (``None`` values are ignored).
        base : Path, optional
            Folder against which relative paths are resolved.
        where : str
            Prefix of error messages (the file name).

        Raises
        ------
        InputError
            An unknown key (the message names it and the closest valid keys) or a value of the
            wrong type.
        """
        prefix = f"{where}: " if where else ""
        known = cls.keys()
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=2, cutoff=0.7)
                hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
                raise InputError(
                    f"{prefix}unknown key {key!r}{hint}; valid keys are {', '.join(known)}"
                )
            if value is None:
                continue
            kwargs[key] = _coerce(key, value, base, prefix)
        return cls(**kwargs, explicit=frozenset(kwargs))

    @classmethod
    def from_toml(cls, path: str | Path) -> ReportConfig:
        """Read a TOML file of options (top-level keys; see the module docstring).

        Raises
        ------
        InputError
            The file cannot be read or parsed, has an unknown key (named, with close matches) or
            a value of the wrong type.
        """
        path = Path(path)
        try:
            with path.open("rb") as fh:
                values = tomllib.load(fh)
        except FileNotFoundError:
            raise InputError(f"config file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the config file ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: not valid TOML ({exc})") from None
        for key, value in values.items():
            if isinstance(value, dict) and key not in _TABLES:
                raise InputError(
                    f"{path}: [{key}] tables are not used; give the options at the top level "
                    "(the only table is [columns])"
                )
        return cls.from_mapping(values, base=path.resolve().parent, where=str(path))

    def override(self, other: ReportConfig) -> ReportConfig:
        """A copy in which every option set in ``other`` replaces this one's."""
        changes = {k: getattr(other, k) for k in other.explicit}
        return replace(self, **changes, explicit=self.explicit | other.explicit)

    # ------------------------------------------------------------------ defaults
    @property
    def bundled(self) -> bool:
        """Whether the bundled Idlib 2019 data are analysed (no ``data``)."""
        return self.data is None

    def with_defaults(self) -> ReportConfig:
        """A copy with every unset option given its default (see the module docstring)."""
        defaults: dict[str, Any] = dict(COMMON_DEFAULTS)
        if self.bundled:
            defaults.update(BUNDLED_DEFAULTS)
        else:
            defaults["theatre"] = "all"
            if self.format is not None and self.format not in INCIDENT_FORMATS:
                defaults["outcome"] = None  # every measure of the file
        changes = {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in defaults.items()
            if getattr(self, k) is None
        }
        return replace(self, **changes)

    def is_default(self, key: str) -> bool:
        """Whether option ``key`` was left to its default."""
        return key not in self.explicit

    @property
    def incident_data(self) -> bool:
        """Whether the data are an incident table (bundled, ``incidents``, ``acled``, ``ucdp``)."""
        return self.bundled or (self.format or "incidents") in INCIDENT_FORMATS

    def read_options(self) -> dict[str, Any]:
        """The reading options that are set (those of :data:`READ_OPTIONS`).

        Returns
        -------
        dict
            Keyword arguments of the reader, as their names.
        """
        return {k: getattr(self, k) for k in READ_OPTIONS if getattr(self, k) is not None}

    def to_dict(self) -> dict[str, Any]:
        """The options as plain values (paths as strings)."""
        out: dict[str, Any] = {}
        for key in self.keys():
            value = getattr(self, key)
            out[key] = str(value) if isinstance(value, Path) else value
        return out


def _coerce_columns(value: Any, prefix: str) -> dict[str, str]:
    if isinstance(value, str):
        mapping = parse_column_mapping(value)
    elif isinstance(value, dict):
        mapping = {}
        for theirs, ours in value.items():
            if not isinstance(ours, str) or not ours.strip() or not str(theirs).strip():
                raise InputError(
                    f'{prefix}[columns] maps a column name to one of ours: {theirs} = "date", '
                    f"not {theirs} = {ours!r}"
                )
            mapping[str(theirs).strip()] = ours.strip()
    else:
        raise InputError(
            f"{prefix}'columns' must be THEIRS=OURS,... or a [columns] table, not {value!r}"
        )
    if not mapping:
        raise InputError(f"{prefix}'columns' is empty")
    return mapping


def sheet_option(value: Any) -> str | int:
    """A worksheet as given on the command line or in a file: a position (``0``, ``"2"``) or a
    name."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _coerce(key: str, value: Any, base: Path | None, prefix: str) -> Any:
    if key == "columns":
        return _coerce_columns(value, prefix)
    if key in ("thousands", "delimiter"):  # kept as given: a space or a tab is a separator
        if not isinstance(value, str) or value == "":
            raise InputError(f"{prefix}{key!r} must be a character such as ',', not {value!r}")
        return value
    if key == "sheet":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip():
            return sheet_option(value)
        raise InputError(
            f"{prefix}'sheet' must be a worksheet name or a position (0 is the first), "
            f"not {value!r}"
        )
    if key == "event_types":
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return list(value)
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"{prefix}'event_types' must be event types (comma-separated, or a list) or "
                f"'all', not {value!r}"
            )
        return value.strip()
    if key == "dayfirst":
        if not isinstance(value, bool):
            raise InputError(f"{prefix}'dayfirst' must be true or false, not {value!r}")
        return value
    if key == "civilian_proxy" and value not in CIVILIAN_PROXIES:
        raise InputError(
            f"{prefix}'civilian_proxy' must be one of {', '.join(CIVILIAN_PROXIES)}, not {value!r}"
        )
    if key == "label" and value not in ("start", "end"):
        raise InputError(f"{prefix}'label' must be 'start' or 'end', not {value!r}")
    if key == "format" and prefix and value not in SOURCES:
        close = difflib.get_close_matches(str(value), list(SOURCES), n=2, cutoff=0.5)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise InputError(
            f"{prefix}unknown format {value!r}{hint}; choose one of {', '.join(SOURCES)}"
        )
    if key == "outcome":
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return list(value)
        raise InputError(
            f"{prefix}{key!r} must be an outcome name or a list of them, not {value!r}"
        )
    if key in _PATH_KEYS:
        if not isinstance(value, (str, Path)) or not str(value):
            raise InputError(f"{prefix}{key!r} must be a path (a string), not {value!r}")
        path = Path(value).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        return path
    if key in ("start", "end", "intervention"):
        # TOML reads a bare 2019-08-31 as a date: accept it.
        if hasattr(value, "isoformat") and not isinstance(value, str):
            return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{prefix}{key!r} must be a non-empty string, not {value!r}")
    return value.strip()
