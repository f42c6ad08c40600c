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

Relative paths in a file (``data``, ``events``, ``claims``, ``out``) are read relative to the
file's folder. Options given on the command line override the file; whatever neither gives takes
the defaults below (:meth:`ReportConfig.with_defaults`).

Defaults
--------
With the bundled data (no ``data``), the defaults reproduce the founding analysis of the Idlib
2019 case (:data:`BUNDLED_DEFAULTS`):

- ``theatre = "north-west"``: the Russian-announced ceasefire of 31 August 2019 concerned the
  Idlib de-escalation zone; strikes elsewhere in Syria are other conflicts.
- ``intervention = "ceasefire_aug31_effective"``: the ceasefire in force from 06:00 on 31 August
  2019.
- ``start = "offensive_launch"`` (30 April 2019): the pre-ceasefire period is the government
  offensive alone, one regime, not mixed with the quieter months before it.
- ``end = "2019-12-15"``, the day before the December air escalation (``dec_escalation_air``,
  16 December 2019): the post-ceasefire period is the ceasefire regime, not the escalation that
  ended it.
- ``family = "negbin"``, ``freq = "D"``, ``outcome = ["attacks", "civilian_deaths"]``, and the
  bundled claims checked with :data:`trends.datasets.IDLIB_CLAIM_SCOPES`.

With your own data (``data`` given), the window defaults to the data's first and last day, the
theatre to ``"all"`` and ``intervention`` must be given; no claims are checked unless ``claims``
is given (then every claim is checked against every incident: there is no scope mapping).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from trends.errors import InputError

__all__ = [
    "ReportConfig",
    "BUNDLED_DEFAULTS",
    "COMMON_DEFAULTS",
    "FAMILIES",
    "FREQS",
]

#: Count families of the interrupted time series.
FAMILIES: tuple[str, ...] = ("negbin", "poisson", "quasipoisson")
#: Aggregation periods.
FREQS: tuple[str, ...] = ("D", "W", "M")

#: Defaults whatever the data.
COMMON_DEFAULTS: dict[str, Any] = {
    "format": "incidents",
    "freq": "D",
    "family": "negbin",
    "outcome": ["attacks", "civilian_deaths"],
    "out": Path("out"),
}

#: Defaults of the bundled Idlib 2019 case (no ``data``): see the module docstring for why.
BUNDLED_DEFAULTS: dict[str, Any] = {
    "theatre": "north-west",
    "intervention": "ceasefire_aug31_effective",
    "start": "offensive_launch",
    "end": "2019-12-15",
}

_PATH_KEYS = ("data", "events", "claims", "out")


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
        Event id of the timeline, or a date (``YYYY-MM-DD``).
    start, end : str, optional
        Window bounds: event ids or dates (both days included).
    freq : str, optional
        ``D``, ``W`` or ``M``.
    family : str, optional
        ``negbin``, ``poisson`` or ``quasipoisson``.
    outcome : list of str, optional
        Outcomes analysed (keys of :data:`trends.analysis.OUTCOMES`).
    out : Path, optional
        Output folder.
    theatre : str, optional
        ``north-west`` or ``all`` (the bundled data's ``north_west`` column).
    title : str, optional
        Title of the report and the charts.
    source : str, optional
        Source credit printed under every chart and in the report.
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
    outcome: list[str] | None = None
    out: Path | None = None
    theatre: str | None = None
    title: str | None = None
    source: str | None = None
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
            if isinstance(value, dict):
                raise InputError(
                    f"{path}: [{key}] tables are not used; give the options at the top level"
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
        changes = {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in defaults.items()
            if getattr(self, k) is None
        }
        return replace(self, **changes)

    def is_default(self, key: str) -> bool:
        """Whether option ``key`` was left to its default."""
        return key not in self.explicit

    def to_dict(self) -> dict[str, Any]:
        """The options as plain values (paths as strings)."""
        out: dict[str, Any] = {}
        for key in self.keys():
            value = getattr(self, key)
            out[key] = str(value) if isinstance(value, Path) else value
        return out


def _coerce(key: str, value: Any, base: Path | None, prefix: str) -> Any:
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
