"""Matching a file's header to a reader's column names: explicit mapping, case, synonyms.

Every reader applies the same three steps, in this order, and notes each renaming in the
ingest report (nothing is matched silently):

1. an explicit mapping ``columns={"Date": "date", "Killed": "civilian_deaths_best"}`` (their
   name -> ours); a name that is not in the header is an error listing the header;
2. header names compared with the reader's names ignoring case, surrounding spaces and the
   difference between spaces, hyphens, dots and underscores (``"Civilian Deaths Best"`` is
   ``civilian_deaths_best``);
3. the reader's documented synonyms (e.g. ``killed`` for ``civilian_deaths_best``), compared the
   same way.

Two header columns that would get the same name are an error (:class:`~trends.errors.SchemaError`)
asking for an explicit mapping: which one is meant is never guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from trends.errors import InputError, SchemaError, TrendsError

__all__ = ["header_test", "map_columns", "normalise_name", "parse_column_mapping"]


def normalise_name(name: object) -> str:
    """Lower-case, strip, and turn runs of spaces, hyphens and dots into one ``_``."""
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower())


def parse_column_mapping(text: str | None) -> dict[str, str]:
    """Read ``"Date=date,Killed=civilian_deaths_best"`` (the CLI's ``--columns``) into a dict.

    Raises
    ------
    InputError
        A pair without ``=`` or with an empty side.
    """
    if text is None or not text.strip():
        return {}
    out: dict[str, str] = {}
    for pair in text.split(","):
        if "=" not in pair:
            raise InputError(f"--columns: {pair.strip()!r} is not THEIRS=OURS (e.g. Date=date)")
        theirs, ours = (p.strip() for p in pair.split("=", 1))
        if not theirs or not ours:
            raise InputError(f"--columns: {pair.strip()!r} has an empty name")
        out[theirs] = ours
    return out


def _check_target(
    ours: str,
    theirs: str,
    names: Iterable[str],
    synonyms: Mapping[str, Iterable[str]] | None,
    path: str | None,
) -> None:
    """Refuse a mapping target that is not one of the reader's columns but looks like one.

    ``Killed=civilian_deaths`` (for ``civilian_deaths_best``) or a typo would otherwise be kept
    as an extra column that nothing reads, and the figures it holds would be lost without a word.
    A target far from every known name is an extra column of the user's and is kept.
    """
    known = list(dict.fromkeys([*names, *(synonyms or {})]))
    if not known or ours in known:
        return
    close = difflib.get_close_matches(ours, known, n=3, cutoff=0.75)
    close += [k for k in known if k.startswith(ours + "_") and k not in close]
    if close:
        raise InputError(
            f"column mapping {theirs}={ours}: {ours!r} is not a column this reader uses; did "
            f"you mean {' or '.join(repr(c) for c in close[:3])}? (the columns it reads: "
            f"{', '.join(known)})",
            path=path,
        )


def map_columns(
    frame: pd.DataFrame,
    names: Iterable[str],
    *,
    columns: Mapping[str, str] | None = None,
    synonyms: Mapping[str, Iterable[str]] | None = None,
    path: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rename ``frame``'s columns to the reader's ``names`` (see the module documentation).

    Parameters
    ----------
    frame : DataFrame
        Raw table (its ``_row`` column is left alone).
    names : iterable of str
        The reader's column names.
    columns : mapping, optional
        Explicit ``{their_name: our_name}``.
    synonyms : mapping, optional
        ``{our_name: (synonym, ...)}``.
    path : str, optional
        Source, for messages.

    Returns
    -------
    (DataFrame, list of str)
        The renamed frame and one note per renaming.
    """
    header = [c for c in frame.columns if c != "_row"]
    rename: dict[str, str] = {}
    notes: list[str] = []
    if columns:
        if not isinstance(columns, Mapping):
            raise InputError("columns must be a mapping {their_name: our_name}", path=path)
        by_norm: dict[str, list[str]] = {}
        for h in header:
            by_norm.setdefault(normalise_name(h), []).append(h)
        for theirs, ours in columns.items():
            if theirs in header:
                found = theirs
            elif len(by_norm.get(normalise_name(theirs), [])) == 1:
                found = by_norm[normalise_name(theirs)][0]
            else:
                raise InputError(
                    f"column mapping names {theirs!r}, which is not in the file (header "
                    f"columns: {', '.join(repr(h) for h in header)})",
                    path=path,
                )
            _check_target(str(ours), theirs, names, synonyms, path)
            rename[found] = str(ours)
            notes.append(f"column {found!r} read as {ours!r} (column mapping)")
    lookup: dict[str, tuple[str, str]] = {}
    for name in names:
        lookup.setdefault(normalise_name(name), (name, "ignoring case"))
    for name, aliases in (synonyms or {}).items():
        for alias in aliases:
            lookup.setdefault(normalise_name(alias), (name, "documented synonym"))
    for h in header:
        if h in rename:
            continue
        hit = lookup.get(normalise_name(h))
        if hit is None or hit[0] == h:
            continue
        rename[h] = hit[0]
        notes.append(f"column {h!r} read as {hit[0]!r} ({hit[1]})")
    targets: dict[str, list[str]] = {}
    for h in header:
        targets.setdefault(rename.get(h, h), []).append(h)
    for target, sources in targets.items():
        if len(sources) > 1:
            raise SchemaError(
                f"columns {', '.join(repr(c) for c in sources)} all mean {target!r}; keep one "
                "of them or say which one to use with a column mapping (--columns "
                "THEIRS=OURS on the command line, columns= in Python)",
                path=path,
            )
    if not rename:
        return frame, []
    return frame.rename(columns=rename), notes


def header_test(
    required: Iterable[str],
    names: Iterable[str] = (),
    *,
    columns: Mapping[str, str] | None = None,
    synonyms: Mapping[str, Iterable[str]] | None = None,
) -> Callable[[list[str]], bool]:
    """A test of a worksheet row: whether, renamed as :func:`map_columns` renames a header, it
    holds every ``required`` column (the ``header`` of :func:`trends.ingest.load_table`).

    Parameters
    ----------
    required : iterable of str
        The reader's required columns (its names).
    names, columns, synonyms
        As for :func:`map_columns`.

    Returns
    -------
    callable
        ``test(cells) -> bool``; a row that the mapping refuses (a mapped name absent, two
        columns meaning one) is not the header.
    """
    required, names = list(required), list(names)

    def test(cells: list[str]) -> bool:
        header = list(dict.fromkeys(c.strip() for c in cells if c.strip()))
        try:
            frame, _ = map_columns(
                pd.DataFrame(columns=header), names, columns=columns, synonyms=synonyms
            )
        except TrendsError:
            return False
        return set(required) <= set(frame.columns)

    return test
