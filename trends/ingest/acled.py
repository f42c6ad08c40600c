"""Reader for ACLED event exports (Armed Conflict Location & Event Data).

One ACLED row is one event (a battle, an air strike, an attack on civilians...) with one
``fatalities`` figure. The reader maps it onto the canonical incident table
(:mod:`trends.schema`) with these documented rules.

Columns
-------
Only ``event_id_cnty``, ``event_date`` and ``fatalities`` are required, plus the column the chosen
civilian proxy needs (``civilian_targeting`` or ``event_type``); older exports (with
``event_id_no_cnty`` and without ``civilian_targeting`` / ``disorder_type``) are read as well. A
missing required column raises :class:`~trends.errors.MissingColumnsError` naming the closest
columns present.

==========================  =====================================================================
canonical column            from ACLED
==========================  =====================================================================
incident_id                 ``event_id_cnty``
date                        ``event_date``
place                       ``location`` (kept exactly as written, in any script)
admin1, admin2              ``admin1``, ``admin2`` (``admin3`` is kept as an extra column)
latitude, longitude         ``latitude``, ``longitude``
civilian_deaths_low/best/   ``fatalities`` of the events selected by the civilian proxy, missing
high                        (NA, never 0) for the other events. ACLED gives one figure per event,
                            so low = best = high.
perpetrator                 ``actor1`` (``assoc_actor_1`` kept as an extra column)
weapon                      ``sub_event_type`` (e.g. "Air/drone strike")
source                      ``source``
url                         empty (ACLED has no link per event)
dataset                     ``"acled"``
==========================  =====================================================================

Extra columns, after the canonical ones: ``admin3``, ``assoc_actor_1``, ``actor2``,
``interaction``, ``notes``, ``country``, ``iso``, ``event_type``, ``sub_event_type``,
``civilian_targeting``, ``fatalities`` (all fatalities of the event, ``Int64``),
``civilian_proxy`` (bool: the row carries a civilian figure), ``counts_as_attack`` (bool: the
event type is one of ``event_types``, by default battles, explosions/remote violence and
violence against civilians; protests, riots and strategic developments are not attacks),
``timestamp`` (``Int64``) and ``source_row``. The other ACLED columns are not carried over.

Civilian deaths: an explicit, reported proxy
--------------------------------------------
ACLED does not separate civilian from other fatalities. ``civilian_proxy`` chooses which events
carry their ``fatalities`` as a civilian figure:

- ``"civilian_targeting"`` (default): events whose ``civilian_targeting`` column is
  ``"Civilian targeting"`` (civilians were the primary target; compared ignoring case and
  surrounding spaces);
- ``"violence_against_civilians"``: events whose ``event_type`` is
  ``"Violence against civilians"`` (for older exports without ``civilian_targeting``);
- ``"all_events"``: every event's fatalities. These include combatants: it is an upper bound,
  not a civilian count.

Every event stays in the table as an incident whichever proxy is used; events outside the proxy
have a missing civilian figure. The choice and its meaning are recorded in ``report.choices`` and
the number of events carrying a civilian figure in ``report.notes``.

Other rules
-----------
- ``event_date`` is accepted as ``16 May 2025`` (ACLED's current format, ``%d %B %Y``),
  ``16 May 2025`` with an abbreviated month (``%d %b %Y``), ``16-May-2025`` (``%d-%b-%Y``, older
  exports and spreadsheets) and ISO ``2025-05-16``. Month names are English, any case.
- ``fatalities`` must be a non-negative whole number; an empty cell is rejected (ACLED records
  0 when no one was reported killed).
- ``timestamp`` (Unix time of the last edit) must be a non-negative whole number when present.
  Rows sharing an ``event_id_cnty`` are merged: the row with the latest ``timestamp`` is kept
  (the first in the file on a tie, or when the file has no ``timestamp`` column).
- Files delimited by ``;`` are detected from the header; in such files, latitudes and longitudes
  written with a decimal comma (``36,0123``) are read as decimals and the number is noted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trends.errors import InputError, MissingColumnsError, SchemaError
from trends.ingest._coerce import (
    NOT_READ,
    RowErrors,
    check_thousands,
    is_missing,
    numbers_and_missing,
    parse_count,
    parse_date,
    parse_float,
    parse_text,
    plain_numbers,
    require_columns,
    suggest_columns,
    whole_numbers,
)
from trends.ingest._columns import header_test, map_columns
from trends.ingest._io import RawTable, load_table
from trends.ingest._table import finalize, has_repeats
from trends.ingest.incidents import start_errors
from trends.ingest.report import IngestReport
from trends.schema import INCIDENT_COLUMNS

__all__ = [
    "ACLED_EVENT_TYPES",
    "ATTACK_EVENT_TYPES",
    "ACLED_COLUMNS",
    "ACLED_DATE_FORMATS",
    "CIVILIAN_PROXIES",
    "read_acled",
]

#: Columns of a current ACLED export, in order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: ACLED's event types.
ACLED_EVENT_TYPES: tuple[str, ...] = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)

#: Event types counted as attacks by default: ACLED's political-violence types. Protests, riots
#: and strategic developments stay in the table with ``counts_as_attack`` False.
ATTACK_EVENT_TYPES: tuple[str, ...] = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
)

#: Accepted ``event_date`` formats, most common first (each is tried only on what is left).
ACLED_DATE_FORMATS: tuple[str, ...] = ("%d %B %Y", "%d-%b-%Y", "%Y-%m-%d", "%d %b %Y")
_DATE_EXPECTED = "'16 May 2025', '16-May-2025' or '2025-05-16'"

#: The civilian proxies and what they mean (the text recorded in ``report.choices``).
CIVILIAN_PROXIES: dict[str, str] = {
    "civilian_targeting": (
        "ACLED fatalities of events coded 'Civilian targeting' (civilian_targeting column: "
        "civilians were the primary target); ACLED does not separate civilian from other "
        "fatalities, so this is a proxy; other events have no civilian figure (missing, not 0)"
    ),
    "violence_against_civilians": (
        "ACLED fatalities of events with event_type 'Violence against civilians'; ACLED does not "
        "separate civilian from other fatalities, so this is a proxy; other events have no "
        "civilian figure (missing, not 0)"
    ),
    "all_events": (
        "ACLED fatalities of every event, INCLUDING COMBATANTS: ACLED does not separate civilian "
        "from other fatalities, so this is an upper bound, not a civilian count"
    ),
}
_PROXY_COLUMN = {
    "civilian_targeting": ("civilian_targeting", "civilian targeting"),
    "violence_against_civilians": ("event_type", "violence against civilians"),
}

# Text columns carried over: ACLED name -> output name.
_TEXT_COLUMNS: dict[str, str] = {
    "location": "place",
    "admin1": "admin1",
    "admin2": "admin2",
    "actor1": "perpetrator",
    "sub_event_type": "weapon",
    "source": "source",
}
_EXTRA_TEXT_COLUMNS: tuple[str, ...] = (
    "admin3",
    "assoc_actor_1",
    "actor2",
    "interaction",
    "notes",
    "country",
    "iso",
    "event_type",
    "sub_event_type",
    "civilian_targeting",
)
# Extra columns compared (with the canonical ones) to list how duplicates differ.
_COMPARED_EXTRAS: tuple[str, ...] = (
    "event_type",
    "civilian_targeting",
    "fatalities",
    "actor2",
    "notes",
    "timestamp",
)
_DECIMAL_COMMA = r"^\s*[-+]?\d+,\d+\s*$"
#: Columns every ACLED export has (the proxy's column is checked on its own).
_REQUIRED: tuple[str, ...] = ("event_id_cnty", "event_date", "fatalities")
# The names the header is matched to, and the columns this reader parses.
_ACLED_NAMES: tuple[str, ...] = (*ACLED_COLUMNS, "event_id_no_cnty")
_USED: frozenset[str] = frozenset(
    {"_row", "event_id_cnty", "event_date", "latitude", "longitude", "fatalities", "timestamp"}
    | {*_TEXT_COLUMNS, *_EXTRA_TEXT_COLUMNS}
)


def read_acled(
    path: str | Path | pd.DataFrame,
    *,
    civilian_proxy: str = "civilian_targeting",
    window=None,
    strict: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | None = None,
    thousands: str | None = None,
    sheet: str | int | None = None,
    event_types: Sequence[str] | str | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Read an ACLED export into the canonical incident table.

    See the module documentation (:mod:`trends.ingest.acled`) for the column mapping and the
    documented rules.

    Parameters
    ----------
    path : str, Path or DataFrame
        ACLED CSV export (comma- or semicolon-delimited, detected from the header; gzip, zip and
        xlsx are read too), or a DataFrame of it.
    civilian_proxy : {"civilian_targeting", "violence_against_civilians", "all_events"}
        Which events carry their ``fatalities`` as civilian deaths. ACLED does not separate
        civilian from other fatalities, so every choice is a proxy; ``"all_events"`` includes
        combatants. Events outside the proxy are kept, with a missing civilian figure.
    window : (start, end), optional
        Keep events dated inside this inclusive window; the others are rejected with a reason.
    strict : bool
        Raise :class:`~trends.errors.RowValidationError` at the first bad row instead of
        rejecting it.
    delimiter, encoding : str, optional
        See :func:`trends.ingest.read_delimited`.
    columns : mapping, optional
        Renames ``{their_name: ACLED name}``; header names are otherwise matched to the ACLED
        names ignoring case (noted).
    thousands : str, optional
        Thousands separator of ``fatalities`` (see :func:`trends.ingest.read_incidents`).
    sheet : str or int, optional
        Worksheet of an ``.xlsx`` file.
    event_types : sequence of str or "all", optional
        The ACLED event types that count as attacks (column ``counts_as_attack``); default
        :data:`ATTACK_EVENT_TYPES` (political violence). ``"all"`` counts every event. Names are
        compared ignoring case. Other events stay in the table; the rule is in
        ``report.choices["attacks"]``.

    Returns
    -------
    (DataFrame, IngestReport)
        The incident table (canonical columns, then the extra ACLED columns) and the account of
        every input row, with the proxy in ``report.choices``.

    Raises
    ------
    InputError
        ``civilian_proxy`` is not one of the documented choices.
    FileReadError
        The file cannot be read at all.
    MissingColumnsError
        A required column is absent (close matches are suggested).

    Examples
    --------
    >>> table, report = read_acled("acled_syria_2019.csv")  # doctest: +SKIP
    >>> report.choices["civilian_deaths"]  # doctest: +SKIP
    "ACLED fatalities of events coded 'Civilian targeting' ..."
    """
    if civilian_proxy not in CIVILIAN_PROXIES:
        raise InputError(
            f"civilian_proxy must be one of {', '.join(repr(p) for p in CIVILIAN_PROXIES)}, "
            f"not {civilian_proxy!r}"
        )
    check_thousands(thousands)
    attack_types = _attack_types(event_types)

    def usecols(header: list[str]) -> list[str] | None:
        return _used_header(header, columns)

    raw = load_table(
        path, delimiter=delimiter, encoding=encoding, sheet=sheet, usecols=usecols,
        header=header_test(_REQUIRED, _ACLED_NAMES, columns=columns),
    )  # fmt: skip
    present, column_notes = _map_header(raw, columns)
    raw.notes.extend(column_notes)
    _check_columns(present, civilian_proxy, raw.path, raw.header_hint)
    # Columns this reader does not use are let go at once (less memory for large files).
    raw.frame = raw.frame[[c for c in raw.frame.columns if c in _USED]]
    errors = start_errors(raw, strict)
    notes: list[str] = []
    pending, ids_repeat = _start_texts(raw)
    numbers = _start_numbers(raw, thousands)
    try:
        cols, fatalities, texts = _parse_events(raw, pending, numbers, errors, notes, thousands)
        table, prefer, attack_rule = _event_table(
            raw, cols, fatalities, texts, civilian_proxy, attack_types, errors, numbers
        )
    except BaseException:
        for future in (*pending.values(), *numbers.values(), ids_repeat):  # stop what is queued
            future.cancel()
        raise
    del pending, numbers
    del cols, texts

    choices = {
        "civilian_proxy": civilian_proxy,
        "civilian_deaths": CIVILIAN_PROXIES[civilian_proxy],
    }
    choices["death_range"] = "ACLED gives one fatality figure per event: low = best = high"
    choices["attacks"] = attack_rule
    out, report = finalize(
        table,
        raw,
        errors,
        format="acled",
        window=window,
        prefer=prefer,
        compare_columns=[c for c in (*INCIDENT_COLUMNS, *_COMPARED_EXTRAS) if c in table.columns],
        notes=notes,
        choices=choices,
        unique_ids=not ids_repeat.result(),
    )
    carrying = int(out["civilian_proxy"].sum())
    report.notes.append(
        f"{carrying} of {len(out)} accepted events carry a civilian figure under "
        f"civilian_proxy={civilian_proxy!r}"
        + ("" if civilian_proxy == "all_events" else "; the others have none (missing, not 0)")
    )
    if prefer is None:
        report.notes.append(
            "no timestamp column: among rows sharing an event_id_cnty the first one was kept"
        )
    return out, report


def _event_table(
    raw: Any,
    cols: dict[str, pd.Series],
    fatalities: pd.Series,
    texts: dict[str, pd.Series],
    civilian_proxy: str,
    attack_types: Any,
    errors: Any,
    numbers: dict[str, Future],
) -> tuple[pd.DataFrame, str | None, str]:
    """The parsed columns as one table, with the civilian proxy, the attack rule and the
    timestamp applied: ``(table, preferred ordering column or None, attack rule in words)``.

    ``numbers``: see :func:`_start_numbers` (the timestamp's).
    """
    index = raw.frame.index
    extras: dict[str, pd.Series] = {}
    for name in _EXTRA_TEXT_COLUMNS:
        if name == "sub_event_type" and "weapon" in cols:
            extras[name] = cols["weapon"]
        elif name in texts:
            extras[name] = texts[name]
    selected = _proxy_mask(extras, civilian_proxy, index)
    civilian = fatalities.where(selected)
    for column in ("civilian_deaths_low", "civilian_deaths_best", "civilian_deaths_high"):
        cols[column] = civilian
    cols["dataset"] = pd.Series("acled", index=index, dtype="str")
    cols.update(_empty_columns(index))
    cols.update(extras)
    cols["fatalities"] = fatalities
    cols["civilian_proxy"] = selected
    cols["counts_as_attack"], attack_rule = _attack_mask(extras, attack_types, index)
    prefer = None
    if (values := _take(raw, "timestamp")) is not None:
        cols["timestamp"] = _parse_timestamp(values, errors, _plain(numbers, "timestamp"))
        prefer = "timestamp"
    cols["_row"] = raw.frame["_row"]
    raw.frame = raw.frame.iloc[:0]  # every raw column has been parsed
    table = pd.DataFrame(cols, index=index, copy=False)  # the parsed columns are not copied
    return table, prefer, attack_rule


def _used_header(header: list[str], columns: Mapping[str, str] | None) -> list[str] | None:
    """The header names this reader uses (after mapping), or None to read every column.

    A mapping that is not valid keeps every column: :func:`_map_header` then raises the error
    at the same point as for any other input.
    """
    try:
        mapped, _ = map_columns(
            pd.DataFrame(columns=header), _ACLED_NAMES, columns=columns, path=None
        )
    except (InputError, SchemaError):
        return None
    return [h for h, name in zip(header, mapped.columns, strict=True) if name in _USED]


def _map_header(raw: RawTable, columns: Mapping[str, str] | None) -> tuple[list[str], list[str]]:
    """Rename ``raw.frame``'s columns to ACLED's names; the whole header's names and the notes.

    The mapping and its notes are those of the file's whole header, also when the fast path
    converted only the columns used (``raw.header``).
    """
    if raw.header is None:
        raw.frame, notes = map_columns(raw.frame, _ACLED_NAMES, columns=columns, path=raw.path)
        return [c for c in raw.frame.columns if c != "_row"], notes
    mapped, notes = map_columns(
        pd.DataFrame(columns=raw.header), _ACLED_NAMES, columns=columns, path=raw.path
    )
    rename = dict(zip(raw.header, mapped.columns, strict=True))
    raw.frame = raw.frame.rename(columns={c: rename[c] for c in raw.frame.columns if c in rename})
    return list(mapped.columns), notes


def _take(raw: RawTable, name: str) -> pd.Series | None:
    """Remove and return one raw column (None when absent).

    Each raw column is removed once parsed, so the raw strings and their parsed copies are not
    all held at once (this bounds the peak memory of large files).
    """
    return raw.frame.pop(name) if name in raw.frame.columns else None


def _start_texts(raw: RawTable) -> tuple[dict[str, Future], Future]:
    """Parse every text column (taken from ``raw``) with :func:`parse_text`, in a thread.

    Returns ACLED name -> the future of its parsed values, in the order they are parsed
    (``event_id_cnty`` first), and the future of :func:`has_repeats` on the parsed ids,
    computed last. The thread does this while the caller parses the dates and numbers (numpy
    and pyarrow release the GIL for most of both). The raw columns are taken from ``raw``
    here, in the caller's thread, and each is let go once parsed.
    """
    names = dict.fromkeys(("event_id_cnty", *_TEXT_COLUMNS, *_EXTRA_TEXT_COLUMNS))
    taken = {n: v for n in names if (v := _take(raw, n)) is not None}
    pool = ThreadPoolExecutor(max_workers=1)
    futures = {name: pool.submit(parse_text, taken.pop(name)) for name in list(taken)}
    ids = futures["event_id_cnty"]  # done before the next job starts (one worker)
    repeats = pool.submit(lambda: has_repeats(ids.result()))
    pool.shutdown(wait=False)
    return futures, repeats


def _start_numbers(raw: RawTable, thousands: str | None) -> dict[str, Future]:
    """Read the number columns with :func:`plain_numbers` in a second thread, at once.

    Returns ACLED name -> the future of ``plain_numbers`` of the raw column, for the columns
    whose parser would compute it from those values: the coordinates (not in ``;``-delimited
    files, where decimal commas may be rewritten first), ``fatalities`` (not with
    ``thousands``) and ``timestamp``. pyarrow's cast releases the GIL, so this runs beside
    the dates and the text columns; the parsers then start from the same values (the result
    is the same). The raw columns stay in ``raw`` (the caller takes them in turn).
    """
    names = ["timestamp"]
    if thousands is None:
        names.insert(0, "fatalities")
    if raw.delimiter != ";":
        names[:0] = ["latitude", "longitude"]
    present = [n for n in names if n in raw.frame.columns]
    if not present:
        return {}
    pool = ThreadPoolExecutor(max_workers=1)
    futures = {n: pool.submit(plain_numbers, raw.frame[n]) for n in present}
    pool.shutdown(wait=False)
    return futures


def _plain(numbers: dict[str, Future], name: str) -> Any:
    """The ``plain_numbers`` of column ``name`` from :func:`_start_numbers`, or ``NOT_READ``."""
    future = numbers.pop(name, None)
    return NOT_READ if future is None else future.result()


def _parse_events(
    raw: RawTable,
    pending: dict[str, Future],
    numbers: dict[str, Future],
    errors: RowErrors,
    notes: list[str],
    thousands: str | None,
) -> tuple[dict[str, pd.Series], pd.Series, dict[str, pd.Series]]:
    """The canonical columns of the events (id, date, text, coordinates), ``fatalities``, and
    the parsed text columns (ACLED name -> values; ``pending``: see :func:`_start_texts`,
    ``numbers``: see :func:`_start_numbers`).

    The problems are recorded in the same order as when every column was parsed in turn (the
    id, the date, the coordinates, the fatalities), so strict mode stops at the same one.
    """

    def take(name: str) -> pd.Series | None:
        return _take(raw, name)

    cols: dict[str, pd.Series] = {}
    cols["incident_id"] = pending["event_id_cnty"].result()
    errors.add(
        cols["incident_id"].isna(),
        "event_id_cnty",
        "is empty; every ACLED event has an event_id_cnty",
    )
    cols["date"] = parse_date(
        take("event_date"),
        "event_date",
        errors,
        ACLED_DATE_FORMATS,
        required=True,
        expected=_DATE_EXPECTED,
        notes=notes,
    )
    for axis, limit in (("latitude", 90.0), ("longitude", 180.0)):
        if (values := take(axis)) is not None:
            values, fixed = _decimal_comma(values, raw)
            plain = _plain(numbers, axis)  # read from the values before any rewrite
            if fixed:
                notes.append(
                    f"{fixed} {axis} values written with a decimal comma (e.g. '36,01') were "
                    "read as decimals"
                )
                plain = NOT_READ
            cols[axis] = parse_float(values, axis, errors, -limit, limit, plain=plain)
    raw_fatalities = take("fatalities")
    fatalities = parse_count(
        raw_fatalities, "fatalities", errors, thousands, plain=_plain(numbers, "fatalities")
    )
    if fatalities.isna().any():  # an empty cell gives a missing count: only then look for one
        errors.add(
            is_missing(raw_fatalities),
            "fatalities",
            "is empty; ACLED records a number for every event (0 when none are reported)",
            raw_fatalities,
        )
    del raw_fatalities
    texts = {name: future.result() for name, future in pending.items()}
    # The columns in their usual order: id, date, the text columns, the coordinates.
    ordered = {"incident_id": cols.pop("incident_id"), "date": cols.pop("date")}
    for acled_name, name in _TEXT_COLUMNS.items():
        if acled_name in texts:
            ordered[name] = texts[acled_name]
    ordered.update(cols)
    return ordered, fatalities, texts


def _attack_types(event_types: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """The event types counted as attacks (None: every event), checked against ACLED's."""
    if event_types is None:
        return ATTACK_EVENT_TYPES
    if isinstance(event_types, str):
        if event_types.strip().lower() == "all":
            return None
        event_types = [t for t in event_types.split(",") if t.strip()]
    known = {t.lower(): t for t in ACLED_EVENT_TYPES}
    out = []
    for name in event_types:
        hit = known.get(str(name).strip().lower())
        if hit is None:
            raise InputError(
                f"event type {name!r} is not an ACLED event type; choose among "
                f"{', '.join(repr(t) for t in ACLED_EVENT_TYPES)} (or 'all')"
            )
        out.append(hit)
    if not out:
        raise InputError("event_types is empty: name at least one ACLED event type, or 'all'")
    return tuple(out)


def _attack_mask(
    extras: dict[str, pd.Series], types: tuple[str, ...] | None, index: pd.Index
) -> tuple[pd.Series, str]:
    """Which events count as attacks, and the rule in words (for ``report.choices``)."""
    if types is None:
        return pd.Series(
            True, index=index
        ), "every ACLED event counts as an attack (event_types='all')"
    if "event_type" not in extras:
        return pd.Series(True, index=index), (
            "every event counts as an attack: the file has no event_type column to tell "
            "political violence from protests, riots and strategic developments"
        )
    wanted = {t.lower() for t in types}
    codes, uniques = pd.factorize(extras["event_type"])  # few distinct types: test each once
    hit = np.array([str(u).strip().lower() in wanted for u in uniques] + [False], dtype=bool)
    mask = pd.Series(hit[codes], index=index)
    others = [t for t in ACLED_EVENT_TYPES if t not in types]
    rule = f"ACLED events of type {', '.join(types)} count as attacks" + (
        f"; {', '.join(others)} events are kept but not counted (counts_as_attack=False)"
        if others
        else ""
    )
    return mask, rule


def _check_columns(
    columns: Sequence[str], proxy: str, path: str, header_hint: str | None = None
) -> None:
    """Raise :class:`MissingColumnsError` for absent required columns, with suggestions."""
    present = [c for c in columns if c != "_row"]
    require_columns(present, _REQUIRED, path, hint=header_hint)
    if proxy in _PROXY_COLUMN:
        needed = _PROXY_COLUMN[proxy][0]
        if needed not in present:
            hint = None
            if needed == "civilian_targeting":
                hint = (
                    "Older ACLED exports have no civilian_targeting column: use event_type "
                    "instead with --civilian-proxy violence_against_civilians on the command "
                    "line (civilian_proxy='violence_against_civilians' in Python or in a "
                    "config file)"
                )
            else:
                hint = (
                    f"--civilian-proxy {proxy} (civilian_proxy={proxy!r} in Python) needs the "
                    f"{needed} column; --civilian-proxy all_events needs none"
                )
            raise MissingColumnsError(
                [needed], suggest_columns([needed], present), path=path, hint=hint
            )


def _empty_columns(index: pd.Index) -> dict[str, pd.Series]:
    """The canonical columns ACLED has no data for, as missing values of the right dtype."""
    n = len(index)
    no_count = pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    return {
        "date_end": pd.Series(np.full(n, np.datetime64("NaT", "ns")), index=index),
        "child_deaths": pd.Series(no_count, index=index),
        "injured": pd.Series(no_count.copy(), index=index),
        "url": pd.Series(_no_text(n), index=index),
    }


def _no_text(n: int) -> pd.api.extensions.ExtensionArray:
    """``n`` missing strings (``str`` dtype), made by pyarrow without a Python object each."""
    import pyarrow as pa

    return pd.array(pa.nulls(n, pa.large_string()), dtype="str")


def _proxy_mask(extras: dict[str, pd.Series], proxy: str, index: pd.Index) -> pd.Series:
    """True for the events whose fatalities are taken as civilian deaths."""
    if proxy == "all_events":
        return pd.Series(True, index=index)
    column, value = _PROXY_COLUMN[proxy]
    text = extras[column]
    return (text.str.lower() == value).fillna(False).astype(bool)


def _decimal_comma(raw: pd.Series, table: RawTable) -> tuple[pd.Series, int]:
    """In ';'-delimited files, turn decimal commas into points; return the values and a count."""
    if table.delimiter != ";":
        return raw, 0
    has_comma = raw.str.contains(",", regex=False).fillna(False)
    if not has_comma.any():
        return raw, 0
    fix = has_comma & raw.str.match(_DECIMAL_COMMA).fillna(False)
    if not fix.any():
        return raw, 0
    out = raw.copy()
    out[fix] = raw[fix].str.replace(",", ".", regex=False)
    return out, int(fix.sum())


#: Latest ACLED ``timestamp`` accepted: 2100-12-31 (Unix seconds); later ones are rejected.
TIMESTAMP_MAX: int = 4_133_980_799


def _parse_timestamp(raw: pd.Series, errors: RowErrors, plain: Any = NOT_READ) -> pd.Series:
    """Parse ACLED's ``timestamp`` (Unix seconds) into ``Int64``; empty stays missing.

    Accepted: whole numbers from 0 (1970-01-01) to :data:`TIMESTAMP_MAX` (2100-12-31).
    ``plain``: ``plain_numbers(raw)`` if computed already (see :func:`_start_numbers`).
    """
    _, missing, num = numbers_and_missing(raw, plain)
    bad = ~missing & (
        num.isna() | (num < 0) | (num != np.floor(num.fillna(0))) | ~np.isfinite(num.fillna(0))
    )
    errors.add(
        bad,
        "timestamp",
        "is not a Unix timestamp (whole seconds since 1970-01-01)",
        raw,
    )
    late = ~missing & ~bad & (num > TIMESTAMP_MAX)
    errors.add(
        late,
        "timestamp",
        "is a Unix timestamp after 2100-12-31 (not a plausible edit time)",
        raw,
    )
    ok = num.notna() & ~bad & ~late
    return whole_numbers(num, ok)
