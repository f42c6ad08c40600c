"""Reader for the UCDP Georeferenced Event Dataset (GED) in its CSV form.

One GED row is one event of organised violence with at least one death, with death figures split
by side (``deaths_a``, ``deaths_b``), civilians (``deaths_civilians``) and unknown
(``deaths_unknown``), and ``best`` / ``low`` / ``high`` estimates of *all* deaths. The reader maps
it onto the canonical incident table (:mod:`trends.schema`) with these documented rules.

Columns
-------
Required: ``id``, ``date_start``, ``date_end``, ``best``, ``low``, ``high`` and, with
``deaths="civilians"`` (the default), ``deaths_civilians`` and ``deaths_unknown``. A missing one
raises :class:`~trends.errors.MissingColumnsError` naming the closest columns present.

==========================  =====================================================================
canonical column            from GED
==========================  =====================================================================
incident_id                 ``id``
date, date_end              ``date_start``, ``date_end`` (see *multi-day events*)
place                       ``where_coordinates`` (as given)
admin1, admin2              ``adm_1``, ``adm_2`` (as given, e.g. "Idlib governorate")
latitude, longitude         ``latitude``, ``longitude``
civilian_deaths_*           see *death figures*
perpetrator                 ``side_a`` for one-sided violence (``type_of_violence`` 3), else
                            ``side_a + " / " + side_b`` (both sides of a battle are listed:
                            GED does not say which side killed whom)
weapon                      empty (GED does not record it)
source                      ``source_office``
url                         empty
dataset                     ``"ucdp"``
==========================  =====================================================================

Extra columns, after the canonical ones: ``type_of_violence``, ``conflict_name``, ``side_a``,
``side_b``, ``relid``, ``country``, ``date_prec``, ``where_prec``, ``deaths_civilians``,
``deaths_unknown``, ``deaths_all_low``, ``deaths_all_best``, ``deaths_all_high`` (GED's
``low`` / ``best`` / ``high``, all deaths) and ``source_row``.

Death figures
-------------
GED's ``low`` / ``best`` / ``high`` count **all** deaths of the event (both sides, civilians and
unknown). ``deaths="civilians"`` (default):

- best = ``deaths_civilians`` (GED's best estimate of civilian deaths);
- low = ``deaths_civilians``: GED gives no separate civilian low estimate;
- high = ``deaths_civilians + deaths_unknown``: the civilian share of the deaths of unknown
  status cannot exceed them. Missing when either is empty.

Events with no civilian deaths are kept (with 0): they are still events of the conflict.
``deaths="best"`` uses GED's ``low`` / ``best`` / ``high`` of all deaths instead: these
**include combatants** and are not civilian counts.

Whatever the choice, ``low <= best <= high`` is checked on GED's own columns and a row breaking it
is rejected with the GED column at fault (``low`` or ``high``). Counts must be non-negative whole
numbers. When ``deaths_a``, ``deaths_b``, ``deaths_civilians`` and ``deaths_unknown`` do not add
up to ``best`` the row is kept and the number of such rows is noted.

Dates and multi-day events
--------------------------
``date_start`` / ``date_end`` are read as ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS.fff`` (GED
exports carry a time part, always midnight; it is dropped). An event with
``date_end > date_start`` spans several days (GED's ``date_prec`` > 1 says how uncertain the date
is). ``multi_day="start"`` (default) dates the whole event on ``date_start`` and keeps
``date_end`` in the ``date_end`` column (the series module can spread it over the days);
``multi_day="drop"`` rejects these events with a reason. Spreading is not done here. The number of
multi-day events and of events dated only to the month or more vaguely (``date_prec`` >= 4) is
noted, as is the number located only at country level (``where_prec`` >= 6). A date window applies
to ``date_start``. Rows sharing an ``id`` are merged, keeping the first in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from trends.errors import InputError
from trends.ingest._coerce import (
    MISSING_TOKENS,
    RowErrors,
    check_thousands,
    parse_count,
    parse_date,
    parse_float,
    parse_text,
    require_columns,
)
from trends.ingest._columns import header_test, map_columns
from trends.ingest._io import load_table
from trends.ingest._table import finalize
from trends.ingest.incidents import start_errors
from trends.ingest.report import IngestReport

__all__ = ["UCDP_COLUMNS", "UCDP_DATE_FORMATS", "DEATH_CHOICES", "read_ucdp"]

#: Columns of a GED CSV export, in order.
UCDP_COLUMNS: tuple[str, ...] = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
)

#: Accepted date formats, most common first (GED CSV exports carry a midnight time part).
UCDP_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_DATE_EXPECTED = "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.fff"

#: The death-figure choices and what they mean (the text recorded in ``report.choices``).
DEATH_CHOICES: dict[str, str] = {
    "civilians": (
        "UCDP deaths_civilians (best estimate of civilian deaths); low = deaths_civilians "
        "(UCDP gives no separate civilian low), high = deaths_civilians + deaths_unknown (the "
        "civilian share of deaths of unknown status cannot exceed them)"
    ),
    "best": (
        "UCDP low/best/high estimates of ALL deaths of the event, INCLUDING COMBATANTS of both "
        "sides and deaths of unknown status: not a civilian count"
    ),
}
MULTI_DAY_CHOICES: dict[str, str] = {
    "start": (
        "events spanning several days (date_end after date_start) are dated on date_start; "
        "date_end is kept in the date_end column (the series module can spread them)"
    ),
    "drop": "events spanning several days (date_end after date_start) are rejected",
}
_PERPETRATOR_RULE = (
    "side_a for one-sided violence (type_of_violence 3), else 'side_a / side_b' (GED does not "
    "say which side of a battle caused the deaths)"
)
_TEXT_COLUMNS: dict[str, str] = {
    "where_coordinates": "place",
    "adm_1": "admin1",
    "adm_2": "admin2",
    "source_office": "source",
}
_EXTRA_TEXT_COLUMNS: tuple[str, ...] = ("conflict_name", "side_a", "side_b", "relid", "country")
_CODES: dict[str, tuple[range, str]] = {
    "type_of_violence": (range(1, 4), "1 state-based, 2 non-state, 3 one-sided"),
    "date_prec": (range(1, 6), "1 exact day to 5 within the year"),
    "where_prec": (range(1, 8), "1 exact place to 7 international waters or airspace"),
}


def read_ucdp(
    path: str | Path | pd.DataFrame,
    *,
    multi_day: str = "start",
    deaths: str = "civilians",
    window=None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | None = None,
    thousands: str | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read a UCDP GED CSV export into the canonical incident table.

    See the module documentation (:mod:`trends.ingest.ucdp`) for the column mapping and the
    documented rules.

    Parameters
    ----------
    path : str, Path or DataFrame
        GED CSV export (delimiter detected from the header; gzip, zip, xlsx read too), or a
        DataFrame of it.
    multi_day : {"start", "drop"}
        ``"start"`` dates an event spanning several days on ``date_start`` (keeping ``date_end``);
        ``"drop"`` rejects such events. Spreading over the days is done by the series module.
    deaths : {"civilians", "best"}
        ``"civilians"``: civilian figures from ``deaths_civilians`` (high adds
        ``deaths_unknown``). ``"best"``: GED's low/best/high of all deaths, including combatants.
    window : (start, end), optional
        Keep events whose ``date_start`` is inside this inclusive window; the others are rejected
        with a reason.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first bad row instead of
        rejecting it.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    columns : mapping, optional
        Renames ``{their_name: GED name}``; header names are otherwise matched to the GED
        names ignoring case (noted).
    thousands : str, optional
        Thousands separator of the death figures (see :func:`trends.ingest.read_incidents`).
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file.

    Returns
    -------
    (DataFrame, IngestReport)
        The incident table (canonical columns, then the extra GED columns) and the account of
        every input row, with the choices in ``report.choices``.

    Raises
    ------
    InputError
        ``multi_day`` or ``deaths`` is not one of the documented choices.
    FileReadError
        The file cannot be read at all.
    MissingColumnsError
        A required column is absent (close matches are suggested).

    Examples
    --------
    >>> table, report = read_ucdp("GEDEvent_v25_1.csv", window=("2019-01-01", "2019-12-31"))
    ... # doctest: +SKIP
    """
    if multi_day == "spread":
        raise InputError(
            "multi_day='spread' is not done by the reader: read with multi_day='start' (date_end "
            "is kept) and let the series module spread multi-day events over their days"
        )
    if multi_day not in MULTI_DAY_CHOICES:
        raise InputError(f"multi_day must be 'start' or 'drop', not {multi_day!r}")
    if deaths not in DEATH_CHOICES:
        raise InputError(f"deaths must be 'civilians' or 'best', not {deaths!r}")

    check_thousands(thousands)
    required = ["id", "date_start", "date_end", "best", "low", "high"]
    if deaths == "civilians":
        required += ["deaths_civilians", "deaths_unknown"]
    raw = load_table(
        path, delimiter=delimiter, encoding=encoding, sheet=sheet,
        header=header_test(required, UCDP_COLUMNS, columns=columns),
    )  # fmt: skip
    raw.frame, column_notes = map_columns(raw.frame, UCDP_COLUMNS, columns=columns, path=raw.path)
    raw.notes.extend(column_notes)
    present = [c for c in raw.frame.columns if c != "_row"]
    require_columns(present, required, raw.path, hint=raw.header_hint)
    errors = start_errors(raw, strict)
    index = raw.frame.index

    def take(name: str) -> pd.Series | None:
        # Each raw column is removed once parsed (bounds the peak memory of large files).
        return raw.frame.pop(name) if name in raw.frame.columns else None

    cols = _parse_events(take, errors)

    counts: dict[str, pd.Series] = {}
    words: dict[str, int] = {}  # cells with a missing-value word ("n/a"): read as missing
    for name in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best"):
        if (values := take(name)) is not None:
            words[name] = _missing_words(values)
            counts[name] = parse_count(values, name, errors, thousands)
    words["high"] = _missing_words(high := take("high"))
    counts["high"] = parse_count(high, "high", errors, thousands)
    _check_all_deaths(counts, errors)

    if deaths == "civilians":
        civ = counts["deaths_civilians"]
        cols["civilian_deaths_low"] = civ
        cols["civilian_deaths_best"] = civ
        cols["civilian_deaths_high"] = civ + counts["deaths_unknown"]
    else:
        # Rows breaking GED's own order are already rejected above: not reported twice.
        for name in ("low", "best", "high"):
            cols[f"civilian_deaths_{name}"] = counts[name].where(~errors.bad)

    codes = {name: _parse_code(take(name), name, errors) for name in _CODES if name in raw.frame}
    texts = {name: parse_text(v) for name in _EXTRA_TEXT_COLUMNS if (v := take(name)) is not None}
    cols["perpetrator"] = _perpetrator(texts, codes.get("type_of_violence"), index)
    cols["dataset"] = pd.Series("ucdp", index=index, dtype="str")

    dropped = _drop_multi_day(cols, errors) if multi_day == "drop" else 0

    if "type_of_violence" in codes:
        cols["type_of_violence"] = codes["type_of_violence"]
    cols.update(texts)
    for name in ("date_prec", "where_prec"):
        if name in codes:
            cols[name] = codes[name]
    for name in ("deaths_civilians", "deaths_unknown"):
        if name in counts:
            cols[name] = counts[name]
    for name in ("low", "best", "high"):
        cols[f"deaths_all_{name}"] = counts[name]
    cols["_row"] = raw.frame["_row"]
    raw.frame = raw.frame.iloc[:0]  # the raw strings are no longer needed
    table = pd.DataFrame(cols, index=index)
    unbalanced = _unbalanced(counts)
    del cols, counts, codes, texts

    choices = {
        "deaths": deaths,
        "civilian_deaths": DEATH_CHOICES[deaths],
        "multi_day": f"{multi_day}: {MULTI_DAY_CHOICES[multi_day]}",
        "perpetrator": _PERPETRATOR_RULE,
    }
    out, report = finalize(table, raw, errors, format="ucdp", window=window, choices=choices)
    report.notes.extend(_notes(out, dropped, multi_day, unbalanced, table["_row"]))
    report.notes.extend(_word_notes(words))
    return out, report


def _missing_words(values: pd.Series) -> int:
    """Non-empty cells that are a missing-value word (``n/a``, ``unknown``...: MISSING_TOKENS)."""
    text = values.astype("str").str.strip().str.lower()
    return int((text.isin(MISSING_TOKENS) & (text != "")).sum())


def _word_notes(words: dict[str, int]) -> list[str]:
    """One note per death column with missing-value words, read as missing (never 0)."""
    return [
        f"{n} {'cell' if n == 1 else 'cells'} of {name} read as missing (a missing-value word "
        f"such as 'n/a' or 'unknown'; missing, not 0)"
        for name, n in words.items()
        if n
    ]


def _parse_events(
    take: Callable[[str], pd.Series | None], errors: RowErrors
) -> dict[str, pd.Series]:
    """The canonical id, date, text and coordinate columns of the GED events."""
    cols: dict[str, pd.Series] = {}
    cols["incident_id"] = parse_text(take("id"))
    errors.add(cols["incident_id"].isna(), "id", "is empty; every GED event has an id")
    for ged, name in (("date_start", "date"), ("date_end", "date_end")):
        parsed = parse_date(
            take(ged), ged, errors, UCDP_DATE_FORMATS, required=True, expected=_DATE_EXPECTED
        )
        cols[name] = parsed.dt.normalize()
    for ged, name in _TEXT_COLUMNS.items():
        if (values := take(ged)) is not None:
            cols[name] = parse_text(values)
    for axis, limit in (("latitude", 90.0), ("longitude", 180.0)):
        if (values := take(axis)) is not None:
            cols[axis] = parse_float(values, axis, errors, -limit, limit)
    return cols


def _drop_multi_day(cols: dict[str, pd.Series], errors: RowErrors) -> int:
    """Reject the events spanning several days (``multi_day="drop"``); return how many."""
    multi = (cols["date_end"] > cols["date"]).fillna(False).astype(bool)
    dropped = int((multi & ~errors.bad).sum())
    errors.add(
        multi & ~errors.bad,
        "date_end",
        "event spans several days and multi_day='drop' was asked",
        cols["date_end"].dt.strftime("%Y-%m-%d"),
    )
    return dropped


def _parse_code(raw: pd.Series, column: str, errors: RowErrors) -> pd.Series:
    """Parse one of GED's small integer codes, rejecting values outside the documented set."""
    valid, meaning = _CODES[column]
    values = parse_count(raw, column, errors)
    outside = values.notna() & ~values.isin(list(valid))
    errors.add(
        outside.fillna(False),
        column,
        f"is not a UCDP {column} code ({meaning})",
        raw,
    )
    return values.where(~outside.fillna(False))


def _check_all_deaths(counts: dict[str, pd.Series], errors: RowErrors) -> None:
    """GED's own ``low <= best <= high`` (all deaths), reported with the GED column at fault."""
    low, best, high = counts["low"], counts["best"], counts["high"]
    rules = (
        ((low > best), "low", low, "best", best, "UCDP's low is above its best estimate"),
        ((high < best), "high", high, "best", best, "UCDP's high is below its best estimate"),
        (
            (high < low) & best.isna(),
            "high",
            high,
            "low",
            low,
            "UCDP's high is below its low estimate",
        ),
    )
    for broken, column, values, other_name, other, reason in rules:
        broken = broken.fillna(False).astype(bool)
        if broken.any():
            shown = values[broken].astype("str") + f" ({other_name} " + other[broken].astype("str")
            errors.add(broken, column, f"{reason} (all deaths)", shown + ")")


def _unbalanced(counts: dict[str, pd.Series]) -> pd.Series | None:
    """Rows whose deaths by side, civilians and unknown do not add up to ``best`` (or None)."""
    parts = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
    if not all(p in counts for p in parts):
        return None
    total = counts["deaths_a"] + counts["deaths_b"] + counts["deaths_civilians"]
    total = total + counts["deaths_unknown"]
    return (total != counts["best"]).fillna(False).astype(bool)


def _perpetrator(
    texts: dict[str, pd.Series], violence: pd.Series | None, index: pd.Index
) -> pd.Series:
    """``side_a`` for one-sided violence, else ``side_a / side_b`` (documented rule)."""
    side_a = texts.get("side_a")
    if side_a is None:
        return pd.Series(pd.NA, index=index, dtype="str")
    side_b = texts.get("side_b")
    if side_b is None:
        return side_a
    one_sided = (
        pd.Series(False, index=index)
        if violence is None
        else (violence == 3).fillna(False).astype(bool)
    )
    both = side_a + " / " + side_b
    alone = one_sided | side_b.isna()
    return both.where(~alone, side_a).astype("str")


def _notes(
    out: pd.DataFrame,
    dropped: int,
    multi_day: str,
    unbalanced: pd.Series | None,
    rows: pd.Series,
) -> list[str]:
    """Counts the user should know about, over the accepted rows."""
    notes: list[str] = []
    accepted_rows = out["source_row"]
    if multi_day == "start":
        n = int((out["date_end"] > out["date"]).fillna(False).sum())
        if n:
            notes.append(
                f"{_events(n)} accepted span several days (date_end after date_start): each is "
                "dated on its date_start and keeps its date_end"
            )
    elif dropped:
        notes.append(f"{_events(dropped)} spanning several days rejected (multi_day='drop')")
    if "date_prec" in out.columns:
        n = int((out["date_prec"] >= 4).fillna(False).sum())
        if n:
            notes.append(
                f"{_events(n)} accepted dated only to the month or more vaguely (date_prec >= 4)"
            )
    if "where_prec" in out.columns:
        n = int((out["where_prec"] >= 6).fillna(False).sum())
        if n:
            notes.append(
                f"{_events(n)} accepted located only at country level or vaguer "
                "(where_prec >= 6): their coordinates are not the place of the event"
            )
    if unbalanced is not None:
        n = int(rows[unbalanced].isin(accepted_rows).sum())
        if n:
            notes.append(
                f"{_events(n)} accepted with deaths_a + deaths_b + deaths_civilians + "
                "deaths_unknown different from best (kept as given)"
            )
    return notes


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"
