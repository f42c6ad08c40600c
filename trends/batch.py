"""Many series x many interventions in one call, on all local cores or on a Dask cluster.

:func:`analyse_many` evaluates every (series, intervention) pair of a batch, for instance every
admin1 region x every ceasefire of a timeline, and returns **one tidy table** with one row per
pair: the before/after counts and exact rate ratio (:func:`trends.models.rates.compare_rates`),
the interrupted time series level and slope changes (:func:`trends.models.its.fit_its`), the
change point nearest the intervention (:func:`trends.models.changepoint.detect_changepoints`) and
the verdicts of published claims (:func:`trends.models.claims.verdict`).

It runs on the same pipeline as :func:`trends.analysis.analyse_ceasefire` (:mod:`trends.pipeline`):
every series becomes a :class:`~trends.series.CountSeries`, the interventions and windows are
resolved once (:mod:`trends.pipeline.plan`), each pair runs through
:func:`trends.pipeline.run.run_pair`, and the executor (this process, local processes, Dask) is
chosen in :func:`trends.pipeline.executors.choose_executor`.

Inputs
------
``data`` can be

- a **long** table with one row per series and period (``series_col``, ``date_col``,
  ``value_col``);
- a **wide** table (index or ``date_col`` = dates, one numeric column per series);
- an **incident table** (:mod:`trends.schema`) with ``by=`` the grouping column(s): daily counts
  of ``measure`` are built per group with :func:`trends.series.count_series` (zero-filled over
  the whole range of the table);
- a mapping ``{series_id: pandas.Series}``;
- a :class:`~trends.series.CountSeries` or a mapping ``{series_id: CountSeries}`` (from any
  source of :mod:`trends.sources`: tallies, plain counts...).

Long and wide series are put on a regular grid (daily or weekly when the spacing says so); a
period that is absent is *not reported* (NaN), never 0.

``interventions`` is a DataFrame (``intervention_id``, ``date``, optional ``name`` and optional
``series_id`` restricting an intervention to some series), a :class:`trends.events.Timeline` or
any iterable of objects with ``.id`` and ``.start`` (applied to every series), or a mapping
``{intervention_id: date}``.

Rows
----
For each pair, ``window`` selects the periods analysed: ``None`` (the whole series), ``n`` or
``(before, after)`` calendar days (``before`` days up to the day before the intervention and
``after`` days from the intervention day on), or absolute ``(start, end)`` dates. The day of the
intervention is the first "after" day, as in :func:`~trends.models.its.fit_its`.

A refusal (too few events, an intervention outside the data, a model that does not converge...)
is written in ``status`` for that row; it never stops the batch. ``status`` is ``"ok"`` when every
requested step ran, otherwise ``"<step>: <reason>"`` for each step that did not.

The ITS counterfactual intervals are computed in closed form by default
(``intervals="analytic"``, see :func:`~trends.models.its.fit_its`), which keeps a pair at a few
tens of milliseconds; ``intervals="simulation"`` uses ``fit_its``'s default simulation instead.

Execution and reproducibility
-----------------------------
``n_jobs=1`` runs in the calling process. Otherwise the series are grouped into chunks that run
in a :class:`concurrent.futures.ProcessPoolExecutor` (``n_jobs`` workers, all cores with ``-1``),
or, given a Dask ``client`` (``pip install "trends[distributed]"``), on that cluster with
``client.map`` over the chunks. Every pair draws its random numbers (the simulation-based
intervals of the ITS) from its own seed, derived from ``(seed, series_id, intervention_id)``
through :class:`numpy.random.SeedSequence` and reported in the ``seed`` column
(``fit_its(..., seed=row.seed)`` reproduces the row), so the table is identical whatever the
backend, the number of workers or the chunk size. The models run with one BLAS thread per
worker (with ``threadpoolctl``, when installed). The series of a long table are put on their
grid and checked (:class:`~trends.series.CountSeries`) in the workers, chunk by chunk, rather
than serially before them (about 8 ms a series); a malformed series raises the same error.

Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which disables glibc's
adaptive mmap threshold: every temporary array above 128 kB is then mapped and page-faulted
afresh, and the change-point search runs about twice as slowly as in a plain process. For
this workload start the cluster with the variable unset, e.g.
``dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})``
before creating it (see ``benchmarks/batch_bench.py``).

Examples
--------
>>> from trends.batch import analyse_many
>>> table = analyse_many(counts, interventions=timeline, series_col="admin1",
...                      value_col="attacks", window=90)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import inspect
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import DataQualityWarning, InputError, MissingColumnsError, SchemaError
from trends.models.changepoint import detect_changepoints
from trends.models.its import fit_its
from trends.models.spec import TWO_PHASE_OF_INFERENCE
from trends.pipeline.executors import choose_executor, run_chunks
from trends.pipeline.plan import (
    Intervention,
    Settings,
    Task,
    is_missing,
    normalise_interventions,
    parse_window,
    steps_of,
    window_bounds,
)
from trends.pipeline.progress import Progress
from trends.pipeline.run import PairResult, run_chunk
from trends.series import MEASURES, CountSeries, count_series
from trends.series._base import NO_FIGURE
from trends.series.aggregate import figure_problem, measure_has_figure

__all__ = ["analyse_many", "task_seed", "STEPS", "RESULT_COLUMNS"]

#: Steps that :func:`analyse_many` can run for each pair (the counts and the rate comparison
#: always run).
STEPS: tuple[str, ...] = ("its", "changepoint", "claims")

#: Columns of the result table, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "series_id",
    "intervention_id",
    "intervention_name",
    "intervention_date",
    "window_start",
    "window_end",
    "n_days",
    "days_before",
    "days_after",
    "events_before",
    "events_after",
    "rate_before",
    "rate_after",
    "rate_ratio",
    "rate_ratio_ci_low",
    "rate_ratio_ci_high",
    "rate_ratio_p",
    "its_level_rr",
    "its_level_ci_low",
    "its_level_ci_high",
    "its_level_p",
    "its_slope_rr",
    "its_slope_ci_low",
    "its_slope_ci_high",
    "its_slope_p",
    "its_se_type",
    "its_family",
    "its_theta",
    "its_cum_effect",
    "its_cum_effect_ci_low",
    "its_cum_effect_ci_high",
    "its_relative_effect",
    "changepoint_n_changes",
    "changepoint_date",
    "changepoint_ci_low",
    "changepoint_ci_high",
    "changepoint_days_off",
    "reference_in_set",
    "changepoint_prob_at_or_before",
    "n_claims",
    "claim_verdict",
    "claim_observed",
    "claim_gap",
    "status",
    "warnings",
    "seed",
    "seconds",
)

_DATE_COLUMNS = (
    "intervention_date",
    "window_start",
    "window_end",
    "changepoint_date",
    "changepoint_ci_low",
    "changepoint_ci_high",
)
_INT_COLUMNS = ("n_days", "days_before", "days_after", "changepoint_n_changes", "n_claims")
#: Counts of events: whole numbers, shown as such when every value is one.
_COUNT_COLUMNS = ("events_before", "events_after")
_DEATH_MEASURES = ("deaths_low", "deaths_best", "deaths_high")


# --------------------------------------------------------------------------------------------
# seeds
# --------------------------------------------------------------------------------------------
def _stable_key(value: Any) -> int:
    """A 64-bit integer from ``str(value)`` that does not depend on the process (unlike hash)."""
    digest = hashlib.blake2b(str(value).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def task_seed(seed: int, series_id: Any, intervention_id: Any) -> int:
    """The seed of the pair ``(series_id, intervention_id)`` in a batch run with ``seed``.

    Parameters
    ----------
    seed : int
        The batch seed.
    series_id, intervention_id : object
        Identifiers (their ``str`` is used, so ``3`` and ``"3"`` give the same seed).

    Returns
    -------
    int
        A 64-bit seed from ``SeedSequence([seed, key(series_id), key(intervention_id)])``.
    """
    ss = np.random.SeedSequence([int(seed), _stable_key(series_id), _stable_key(intervention_id)])
    lo, hi = ss.generate_state(2, dtype=np.uint32)
    return int(lo) | (int(hi) << 32)


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
def _require(frame: pd.DataFrame, columns: Sequence[str], hint: str | None = None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        present = [str(c) for c in frame.columns]
        sugg = {m: difflib.get_close_matches(str(m), present, n=2) for m in missing}
        raise MissingColumnsError(missing, sugg, hint=hint)


def _regular(values: pd.Series, name: Any) -> pd.Series:
    """Sorted float series on a regular daily or weekly grid (absent periods are NaN)."""
    s = values.copy()
    try:
        s.index = pd.DatetimeIndex(s.index)
    except (TypeError, ValueError) as exc:
        raise InputError(f"series {name!r}: cannot read its dates") from exc
    if s.index.tz is not None:  # work in the local calendar, as fit_its does
        s.index = s.index.tz_localize(None)
    s = s.sort_index()
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise InputError(f"series {name!r} has two values for {dup.date()}")
    num = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & num.isna()
    if bad.any():
        raise InputError(
            f"series {name!r} has a non-numeric value {s[bad].iloc[0]!r} on "
            f"{s.index[bad][0].date()} (leave unreported periods empty)"
        )
    s = num.astype(float)
    if len(s) > 1:
        steps = np.diff(s.index.values)
        smallest = steps.min()
        if not np.all(steps == smallest):
            if smallest == np.timedelta64(1, "D"):
                s = s.reindex(pd.date_range(s.index[0], s.index[-1], freq="D"))
            elif smallest == np.timedelta64(7, "D") and np.all(steps % smallest == 0):
                s = s.reindex(pd.date_range(s.index[0], s.index[-1], freq="7D"))
    s.index.name = "date"
    s.name = name
    return s


@dataclass
class _PendingSeries:
    """One series of a long table before :func:`_regular` (dates parsed, grid built, checked)."""

    series_id: Any
    values: np.ndarray
    dates: pd.Series

    def resolve(self) -> pd.Series:
        vals = pd.Series(self.values, index=pd.to_datetime(self.dates))
        return _regular(vals, self.series_id)


def _refuse_figureless(table: pd.DataFrame, measure: str) -> None:
    """Refuse to count a measure the incident table has no figure for (its sums would be 0)."""
    why = figure_problem(table, measure) if measure in MEASURES else None
    if why is None:
        return
    have = [m for m in MEASURES if m != NO_FIGURE and measure_has_figure(table, m)]
    raise SchemaError(
        f"the incident table gives no figure for measure {measure!r} ({why}), so it cannot "
        f"be counted (missing is not 0); measures the table has figures for: {', '.join(have)}"
    )


def _collect_series(
    data: Any,
    *,
    series_col: str,
    date_col: str,
    value_col: str,
    by: str | Sequence[str] | None,
    measure: str,
    need_range: bool,
    defer: bool = False,
) -> tuple[dict[Any, pd.Series], dict[Any, tuple[pd.Series, pd.Series]]]:
    """``({series_id: series}, {series_id: (low, high)})`` from any accepted input.

    With ``defer``, the series of a long table are :class:`_PendingSeries` (put on their grid by
    :meth:`_PendingSeries.resolve`, in the worker).
    """
    ranges: dict[Any, tuple[pd.Series, pd.Series]] = {}
    if by is not None:
        if not isinstance(data, pd.DataFrame):
            raise InputError("with by=, data must be an incident table (a DataFrame)")
        _refuse_figureless(data, measure)
        trio = measure in _DEATH_MEASURES and need_range
        table = data
        if trio:
            # As trends.models.claims.check_claims: per incident, low <= best <= high, a missing
            # low or high figure being the best one, before summing per day.
            table = data.copy()
            best = pd.to_numeric(table.get("civilian_deaths_best"), errors="coerce")
            for col, keep in (("civilian_deaths_low", np.fmin), ("civilian_deaths_high", np.fmax)):
                raw = pd.to_numeric(table[col], errors="coerce") if col in table else best
                table[col] = keep(raw.fillna(best), best)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            counts = count_series(
                table, by=by, measures=_DEATH_MEASURES if trio else (measure,), freq="D"
            )
        top = counts[measure]
        out = {}
        for label in top.columns:
            s = top[label].astype(float).rename(label)
            s.index.name = "date"
            out[label] = s
            if trio:
                ranges[label] = (
                    counts["deaths_low"][label].astype(float),
                    counts["deaths_high"][label].astype(float),
                )
        return out, ranges
    if isinstance(data, Mapping):
        return {k: _regular(pd.Series(v), k) for k, v in data.items()}, ranges
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            "data must be a long or wide DataFrame, an incident table with by=, or a mapping "
            f"of series; got {type(data).__name__}"
        )
    if series_col in data.columns:  # long
        _require(data, [date_col, value_col], hint="a long table needs series, date and value")
        frame = data[[series_col, date_col, value_col]]
        out = {}
        for sid, part in frame.groupby(series_col, sort=False, dropna=False):
            pending = _PendingSeries(sid, part[value_col].to_numpy(), part[date_col])
            out[sid] = pending if defer else pending.resolve()
        return out, ranges
    wide = data
    if not isinstance(wide.index, pd.DatetimeIndex):
        if date_col not in wide.columns:
            raise InputError(
                f"cannot read data: no {series_col!r} column (long table), no DatetimeIndex or "
                f"{date_col!r} column (wide table); for an incident table pass by="
            )
        wide = wide.set_index(date_col)
        wide.index = pd.to_datetime(wide.index)
    non_numeric = [c for c in wide.columns if not pd.api.types.is_numeric_dtype(wide[c].dtype)]
    if non_numeric:
        raise InputError(
            f"wide table has non-numeric columns {non_numeric[:5]!r}; is it an incident table? "
            "then pass by= (the grouping column)"
        )
    return {c: _regular(wide[c], c) for c in wide.columns}, ranges


def _check_options(
    options: Mapping[str, Any] | None, fn: Callable[..., Any], reserved: Sequence[str]
) -> dict[str, Any]:
    """Keyword arguments for a model function, checked against its signature."""
    opts = dict(options or {})
    name = fn.__name__
    params = inspect.signature(fn).parameters
    clash = [k for k in opts if k in reserved]
    if clash:
        raise InputError(
            f"{name} options {clash} are set by analyse_many itself (use its own arguments)"
        )
    unknown = [k for k in opts if k not in params or k == next(iter(params))]
    if unknown:
        raise InputError(f"unknown {name} options {unknown}")
    return opts


def _claims_table(claims: Any, series_col: str) -> list[dict[str, Any]]:
    if claims is None:
        return []
    if isinstance(claims, pd.DataFrame):
        records = claims.to_dict("records")
    else:
        records = [c if isinstance(c, Mapping) else dict(vars(c)) for c in claims]
    out = []
    for j, rec in enumerate(records, start=1):
        rec = dict(rec)
        if series_col != "series_id" and series_col in rec and "series_id" not in rec:
            rec["series_id"] = rec[series_col]
        for key in ("value", "qualifier"):
            if key not in rec or is_missing(rec.get(key)):
                raise InputError(f"claim {j} has no {key}")
        if is_missing(rec.get("claim_id")):
            rec["claim_id"] = f"c{j}"
        out.append(rec)
    return out


# --------------------------------------------------------------------------------------------
# series -> count series
# --------------------------------------------------------------------------------------------
def _count_series(
    series: dict[Any, pd.Series], ranges: dict[Any, tuple[pd.Series, pd.Series]], measure: str
) -> dict[Any, CountSeries]:
    """One :class:`CountSeries` per series (with its low-high range when there is one)."""
    if not series:
        raise InputError("data holds no series")
    out = {}
    for sid, s in series.items():
        frame = pd.DataFrame({measure: s.to_numpy()}, index=s.index)
        trio = None
        if sid in ranges:
            low, high = ranges[sid]
            frame["__low"] = low.to_numpy()
            frame["__high"] = high.to_numpy()
            trio = {measure: ("__low", measure, "__high")}
        key = "W" if len(s) > 1 and (s.index[1] - s.index[0]).days == 7 else "D"
        out[sid] = CountSeries.from_frame(frame, freq=key, ranges=trio, label=None, source=str(sid))
    return out


def _series_of(
    data: Any,
    series_col: str,
    date_col: str,
    value_col: str,
    by: str | Sequence[str] | None,
    measure: str,
    claim_rows: list[dict[str, Any]],
) -> tuple[dict[Any, CountSeries], str]:
    """``({series_id: CountSeries}, measure analysed)`` from any accepted input."""
    if isinstance(data, CountSeries):
        data = {"series": data}
    if (
        isinstance(data, Mapping)
        and data
        and all(isinstance(v, CountSeries) for v in data.values())
    ):
        first = next(iter(data.values()))
        name = measure if measure in first.counts else str(first.counts.columns[0])
        missing = [k for k, v in data.items() if name not in v.counts]
        if missing:
            raise InputError(f"series {missing[:3]!r} have no measure {name!r}")
        return dict(data), name
    raw, ranges = _raw_series_of(
        data, series_col, date_col, value_col, by, measure, claim_rows, defer=False
    )
    name = measure if by is not None else "value"
    return _count_series(raw, ranges, name), name


def _raw_series_of(
    data: Any,
    series_col: str,
    date_col: str,
    value_col: str,
    by: str | Sequence[str] | None,
    measure: str,
    claim_rows: list[dict[str, Any]],
    defer: bool = True,
) -> tuple[dict[Any, Any], dict[Any, tuple[pd.Series, pd.Series]]]:
    """The regular series (and low-high ranges) of any input that is not yet CountSeries.

    With ``defer`` (default) a long table's series are :class:`_PendingSeries`.
    """
    raw, ranges = _collect_series(
        data,
        series_col=series_col,
        date_col=date_col,
        value_col=value_col,
        by=by,
        measure=measure,
        need_range=bool(claim_rows),
        defer=defer,
    )
    if not raw:
        raise InputError("data holds no series")
    return raw, ranges


def _is_count_series_input(data: Any) -> bool:
    return isinstance(data, CountSeries) or (
        isinstance(data, Mapping)
        and bool(data)
        and all(isinstance(v, CountSeries) for v in data.values())
    )


@dataclass
class _RawTask:
    """A series still to be turned into a :class:`CountSeries` and a :class:`Task` (in the worker).

    Reading a long table's series (:func:`_regular`) and building its ``CountSeries`` (checks
    and grid) cost about 30 ms a series (measured, 2 loaded cores), a third of a GLM pair; done
    in the workers they run in parallel instead of serially before them. The result is the same
    task :func:`_tasks` builds in the calling process; a malformed series raises the same error,
    from the worker.
    """

    series_id: Any
    values: pd.Series | _PendingSeries
    range: tuple[pd.Series, pd.Series] | None
    measure: str
    events: list[Intervention]
    claims: list[dict[str, Any]]
    window: tuple[str, Any, Any] | None
    seed: int

    def task(self) -> Task:
        ranges = {} if self.range is None else {self.series_id: self.range}
        values = self.values
        if isinstance(values, _PendingSeries):
            values = values.resolve()
        cs = _count_series({self.series_id: values}, ranges, self.measure)
        events = [(ev, None) for ev in self.events]
        return _tasks(cs, events, self.claims, self.measure, self.window, self.seed)[0]


def _raw_tasks(
    raw: dict[Any, pd.Series],
    ranges: dict[Any, tuple[pd.Series, pd.Series]],
    events: list[tuple[Intervention, frozenset[str] | None]],
    claim_rows: list[dict[str, Any]],
    measure: str,
    window: tuple[str, Any, Any] | None,
    seed: int,
) -> list[_RawTask]:
    """What :func:`_tasks` would build, deferred: one :class:`_RawTask` per series with events."""
    out = []
    for sid, values in raw.items():
        key = str(sid)
        evs = [ev for ev, scope in events if scope is None or key in scope]
        if not evs:  # not analysed, but checked here as every series always was
            resolved = values.resolve() if isinstance(values, _PendingSeries) else values
            rng = {sid: ranges[sid]} if sid in ranges else {}
            _count_series({sid: resolved}, rng, measure)
            continue
        mine = [
            c for c in claim_rows if is_missing(c.get("series_id")) or str(c["series_id"]) == key
        ]
        out.append(_RawTask(sid, values, ranges.get(sid), measure, evs, mine, window, seed))
    return out


def _all_tasks(
    data: Any,
    interventions: Any,
    series_col: str,
    date_col: str,
    value_col: str,
    by: str | Sequence[str] | None,
    measure: str,
    claim_rows: list[dict[str, Any]],
    window: tuple[str, Any, Any] | None,
    seed: int,
) -> list[Task | _RawTask]:
    """The tasks of a batch: built here for CountSeries input, else deferred to the workers."""
    if _is_count_series_input(data):
        series, name = _series_of(data, series_col, date_col, value_col, by, measure, claim_rows)
        events = normalise_interventions(interventions, series_col)
        return list(_tasks(series, events, claim_rows, name, window, seed))
    raw, ranges = _raw_series_of(data, series_col, date_col, value_col, by, measure, claim_rows)
    name = measure if by is not None else "value"
    events = normalise_interventions(interventions, series_col)
    return list(_raw_tasks(raw, ranges, events, claim_rows, name, window, seed))


def _tasks(
    series: dict[Any, CountSeries],
    events: list[tuple[Intervention, frozenset[str] | None]],
    claim_rows: list[dict[str, Any]],
    measure: str,
    window: tuple[str, Any, Any] | None,
    seed: int,
) -> list[Task]:
    """One task per series: its interventions, their windows, claims and seeds."""
    tasks = []
    for sid, cs in series.items():
        key = str(sid)
        evs = [ev for ev, scope in events if scope is None or key in scope]
        if not evs:
            continue
        task = Task(sid, cs, measure, evs)
        for ev in evs:
            task.windows[ev.id] = window_bounds(window, ev.day, cs.start, cs.end)
            task.seeds[ev.id] = task_seed(seed, sid, ev.id)
        for c in claim_rows:
            c_sid = c.get("series_id")
            if not is_missing(c_sid) and str(c_sid) != key:
                continue
            c_iid = c.get("intervention_id")
            for ev in evs:
                if is_missing(c_iid) or str(c_iid) == ev.id:
                    task.claims.setdefault(ev.id, []).append(c)
        tasks.append(task)
    return tasks


# --------------------------------------------------------------------------------------------
# one pair -> one row
# --------------------------------------------------------------------------------------------
def _pair_row(pr: PairResult, has_claims: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The table row of a pair, and its claim records (runs in the worker)."""
    ev = pr.intervention
    row: dict[str, Any] = {
        "series_id": pr.series_id,
        "intervention_id": ev.id,
        "intervention_name": ev.name,
        "intervention_date": ev.day,
        "seed": pr.seed,
        "n_days": 0,
    }
    base = pr.daily if pr.daily is not None else pr.series
    if base is not None and pr.start is not None:
        row["n_days"] = len(base.counts)
        row["window_start"], row["window_end"] = pr.start, pr.end
        b, a = pr.totals["before"], pr.totals["after"]
        row.update(
            days_before=b["days"],
            days_after=a["days"],
            events_before=b["count"],
            events_after=a["count"],
            rate_before=b["count"] / b["days"] if b["days"] else np.nan,
            rate_after=a["count"] / a["days"] if a["days"] else np.nan,
        )
    if pr.rates is not None:
        rr = pr.rates.rate_ratio
        row.update(
            rate_ratio=rr["estimate"],
            rate_ratio_ci_low=rr["ci_low"],
            rate_ratio_ci_high=rr["ci_high"],
            rate_ratio_p=rr["p_value"],
        )
    _its_columns(row, pr.its)
    _changepoint_columns(row, pr)
    if has_claims:
        row["n_claims"] = len(pr.claims)
        _claim_columns(row, pr.claims)
    problems = [f"{step}: {why}" if step else why for step, why in pr.problems]
    row["status"] = "ok" if not problems else "; ".join(problems)
    row["warnings"] = " | ".join(dict.fromkeys(pr.warnings))
    row["seconds"] = pr.seconds
    return row, pr.claims


def _its_columns(row: dict[str, Any], r: Any) -> None:
    if r is None:
        return
    lv, sl = r.level_change, r.slope_change
    row.update(
        its_level_rr=lv.estimate,
        its_level_ci_low=lv.ci_low,
        its_level_ci_high=lv.ci_high,
        its_level_p=lv.p_value,
        its_se_type=r.se_type,
        its_family=r.family,
        its_theta=np.nan if r.fit.theta is None else float(r.fit.theta),
        its_cum_effect=r.cumulative_effect.get("estimate", np.nan),
        its_cum_effect_ci_low=r.cumulative_effect.get("ci_low", np.nan),
        its_cum_effect_ci_high=r.cumulative_effect.get("ci_high", np.nan),
        its_relative_effect=r.relative_effect.get("estimate", np.nan),
    )
    if sl is not None:
        row.update(
            its_slope_rr=sl.estimate,
            its_slope_ci_low=sl.ci_low,
            its_slope_ci_high=sl.ci_high,
            its_slope_p=sl.p_value,
        )


def _changepoint_columns(row: dict[str, Any], pr: PairResult) -> None:
    cp = pr.changepoint
    if cp is None:
        return
    cmp = cp.comparison
    row["changepoint_n_changes"] = cp.n_changes
    if cmp is not None and cmp.break_number is not None:
        row.update(
            changepoint_date=cmp.date,
            changepoint_ci_low=cmp.set_low,
            changepoint_ci_high=cmp.set_high,
            changepoint_days_off=np.nan if cmp.offset_days is None else float(cmp.offset_days),
            reference_in_set=bool(cmp.in_set),
            changepoint_prob_at_or_before=cmp.prob_at_or_before,
        )
    else:
        row["reference_in_set"] = False


def _claim_columns(row: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    if not verdicts:
        return
    if len(verdicts) == 1:
        d = verdicts[0]
        row.update(
            claim_verdict=d["verdict"],
            claim_observed=d.get("observed_best", np.nan),
            claim_gap=d.get("gap", np.nan),
        )
        return
    counts: dict[str, int] = {}
    for d in verdicts:
        counts[d["verdict"]] = counts.get(d["verdict"], 0) + 1
    row["claim_verdict"] = "; ".join(f"{k}: {n}" for k, n in counts.items())


def _run_rows(
    tasks: list[Task | _RawTask], settings: Settings, has_claims: bool
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """What one worker runs: the pairs of its tasks, as table rows (building deferred tasks)."""
    ready = [t.task() if isinstance(t, _RawTask) else t for t in tasks]
    return run_chunk(ready, settings, reduce=functools.partial(_pair_row, has_claims=has_claims))


def _warm() -> None:
    """Import what forked workers would otherwise import each (a no-op when imported).

    fit_its's Ljung-Box test is :mod:`trends.models.diagnostics` (statsmodels is not needed).
    """
    import trends.models.diagnostics  # noqa: F401


def _ts(value: Any) -> Any:
    return pd.NaT if value is None else value


def _n_pairs(chunk: list[Task | _RawTask]) -> int:
    return sum(len(t.events) for t in chunk)


# --------------------------------------------------------------------------------------------
# main entry
# --------------------------------------------------------------------------------------------
def _execute(
    tasks: list[Task | _RawTask],
    settings: Settings,
    executor: Any,
    chunk_size: int | None,
    progress: Any,
    has_claims: bool,
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], dict[str, int]]:
    """Cut the tasks into chunks and run them on the executor, with the progress display."""
    n_pairs = sum(len(t.events) for t in tasks)
    workers = max(executor.workers, 1)
    size = int(chunk_size) if chunk_size else max(1, math.ceil(len(tasks) / (4 * workers)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    with Progress(progress, n_pairs, "series x interventions") as bar:
        results = run_chunks(
            _run_rows,
            chunks,
            executor,
            bar,
            _n_pairs,
            warm=_warm,
            settings=settings,
            has_claims=has_claims,
        )
    info = {
        "chunk_size": size,
        "n_chunks": len(chunks),
        "n_series": len(tasks),
        "n_pairs": n_pairs,
    }
    return [pair for chunk in results for pair in chunk], info


def _batch_settings(
    steps: tuple[str, ...],
    *,
    family: str,
    se: str,
    changepoint_model: str,
    intervals: str,
    tolerance: float,
    its_options: Mapping[str, Any] | None,
    changepoint_options: Mapping[str, Any] | None,
    n_jobs: Any,
    chunk_size: Any,
    seed: Any,
    inference: str = "auto",
) -> Settings:
    """Check the options of :func:`analyse_many` and turn them into pipeline settings."""
    if inference not in TWO_PHASE_OF_INFERENCE:
        raise InputError(f"inference must be 'auto', 'glm' or 'latent_ar', got {inference!r}")
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise InputError("seed must be an integer")
    if chunk_size is not None and int(chunk_size) < 1:
        raise InputError("chunk_size must be at least 1")
    if intervals not in ("analytic", "simulation"):
        raise InputError(f"intervals must be 'analytic' or 'simulation', got {intervals!r}")
    if not isinstance(n_jobs, int | np.integer) or n_jobs == 0 or n_jobs < -1:
        raise InputError("n_jobs must be -1 (all cores) or a positive number")
    return Settings(
        steps=("rates", *steps),
        freq=None,  # every series at its own period
        family=family,
        se=se,
        intervals=intervals,
        changepoint_model=changepoint_model,
        max_changes=None,
        its_options=_check_options(
            its_options, fit_its, ("interventions", "family", "se", "seed", "intervals")
        ),
        changepoint_options=_check_options(
            changepoint_options, detect_changepoints, ("model", "reference")
        ),
        tolerance=float(tolerance),
        seed=int(seed),
        inference=inference,
        two_phase=TWO_PHASE_OF_INFERENCE[inference],
        record_warnings=True,
        isolate=True,
    )


def analyse_many(
    data: Any,
    *,
    interventions: Any,
    series_col: str = "series_id",
    date_col: str = "date",
    value_col: str = "value",
    by: str | Sequence[str] | None = None,
    measure: str = "attacks",
    steps: Sequence[str] = ("its", "changepoint", "claims"),
    window: Any = None,
    family: Literal["negbin", "poisson", "quasipoisson"] = "negbin",
    se: Literal["hac", "model", "robust"] = "hac",
    changepoint_model: Literal["poisson", "negbin", "gaussian"] = "negbin",
    intervals: Literal["analytic", "simulation"] = "analytic",
    inference: str = "auto",
    claims: Any = None,
    tolerance: float = 0.1,
    its_options: Mapping[str, Any] | None = None,
    changepoint_options: Mapping[str, Any] | None = None,
    n_jobs: int = -1,
    client: Any = None,
    chunk_size: int | None = None,
    seed: int = 0,
    progress: bool | Callable[[int, int], None] | None = None,
    mp_context: Any = None,
) -> pd.DataFrame:
    """Analyse every (series, intervention) pair of a batch and return one tidy table.

    Parameters
    ----------
    data : DataFrame, mapping or CountSeries
        Long table (``series_col``, ``date_col``, ``value_col``), wide table (dates x series),
        incident table with ``by=``, ``{series_id: Series}``, or ``{series_id: CountSeries}``
        (``measure`` is analysed when they have it, else their first measure).
    interventions : DataFrame, Timeline, iterable of events or mapping
        ``intervention_id`` (or ``id``), ``date`` (or ``start``), optional ``name`` and optional
        ``series_id`` (the intervention then only concerns those series); or objects with
        ``.id`` and ``.start`` applied to every series; or ``{id: date}``.
    series_col, date_col, value_col : str
        Column names of a long table (``series_col`` also names the series restriction of an
        interventions table and of a claims table).
    by : str or list of str, optional
        ``data`` is an incident table: count ``measure`` per day for each group of ``by``.
    measure : str, default "attacks"
        Measure counted with ``by`` (see :data:`trends.series.MEASURES`). With a deaths measure
        the claims use the low and high figures as the observed range.
    steps : sequence of {"its", "changepoint", "claims"}
        What to run for each pair (the counts and the exact rate ratio are always given).
    window : None, int, (int, int) or (date, date), optional
        Periods analysed for each pair: the whole series, ``n`` days before and after, ``(before,
        after)`` days, or absolute ``(start, end)`` dates (``None`` for an open end).
    family : {"negbin", "poisson", "quasipoisson"}, default "negbin"
        Count family of the ITS.
    se : {"hac", "model", "robust"}, default "hac"
        Standard errors of the ITS.
    changepoint_model : {"negbin", "poisson", "gaussian"}, default "negbin"
        Model of the change-point search.
    intervals : {"analytic", "simulation"}, default "analytic"
        Counterfactual intervals of the ITS (the ``its_cum_effect_*`` columns; the level and
        slope changes do not depend on it): closed form (fast, no Monte Carlo error) or
        :func:`~trends.models.its.fit_its`'s default simulation (``n_sim`` draws, seeded per
        pair; about five times the cost of the whole pair).
    inference : {"auto", "glm", "latent_ar"}, default "auto"
        How the ITS and the two-phase ratio are estimated, as in
        :func:`trends.analysis.analyse_ceasefire`: ``"auto"`` uses the calibrated latent AR(1)
        count model on daily series of at least 120 observed days (negative binomial or
        Poisson) and the count GLM with ``se`` elsewhere; ``"glm"`` the GLM everywhere;
        ``"latent_ar"`` the latent model (and the latent-AR covariance of the observed ratio).
    claims : DataFrame or sequence of mappings, optional
        One row per claim: ``value``, ``qualifier`` (``at_least``, ``more_than``,
        ``almost``, ``fewer_than``, ``at_most``, ``around``, ``exactly`` or a phrase such as
        "more than"),
        optional ``series_id`` and ``intervention_id`` (missing: every series / intervention),
        optional ``claim_id``, and the window: ``window_start`` / ``window_end`` dates, or
        ``window`` = number of days from the intervention day (negative: days before it), or
        neither (from the intervention day to the end of the data). The claim is compared with
        the sum of the series over the window (the low-high range for deaths from an incident
        table) with :func:`trends.models.claims.verdict`; a window outside the data is
        "undetermined".
    tolerance : float, default 0.1
        Relative tolerance of "around" and "fewer than" claims.
    its_options, changepoint_options : mapping, optional
        Extra keyword arguments of :func:`~trends.models.its.fit_its` (``n_sim``, ``hac_lags``,
        ``seasonality``...) and :func:`~trends.models.changepoint.detect_changepoints`.
    n_jobs : int, default -1
        Local worker processes (``-1``: all cores; ``1``: in this process). Ignored with
        ``client``.
    client : dask.distributed.Client or str, optional
        Run the chunks on this Dask cluster (or the scheduler at this address).
    chunk_size : int, optional
        Series per chunk (default: about four chunks per worker).
    seed : int, default 0
        Batch seed; each pair's seed derives from it and the two ids (column ``seed``).
    progress : bool or callable, optional
        ``callable(done, total)`` as pairs complete; ``True`` / ``False``: a rich bar on / off
        (default: on when standard error is a terminal). See :mod:`trends.pipeline.progress`.
    mp_context : str or multiprocessing context, optional
        Start method of the local worker processes.

    Returns
    -------
    pandas.DataFrame
        One row per (series_id, intervention_id), in the order of the series and then of the
        interventions, with the columns of :data:`RESULT_COLUMNS`. ``attrs["batch"]`` holds the
        settings and timings; ``attrs["claims"]`` one record per claim checked.

    Raises
    ------
    trends.errors.InputError
        Unreadable data, interventions, windows, claims or options (problems of single pairs
        are reported in ``status``).
    ImportError
        ``client`` is given but ``distributed`` is not installed.
    """
    t_start = time.perf_counter()
    steps_t = steps_of(steps, STEPS)  # the counts and the rate comparison always run
    settings = _batch_settings(
        steps_t,
        inference=inference,
        family=family,
        se=se,
        changepoint_model=changepoint_model,
        intervals=intervals,
        tolerance=tolerance,
        its_options=its_options,
        changepoint_options=changepoint_options,
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        seed=seed,
    )
    window_t = parse_window(window)
    claim_rows = _claims_table(claims, series_col) if "claims" in steps_t else []
    tasks = _all_tasks(data, interventions, series_col, date_col, value_col, by, measure,
                       claim_rows, window_t, seed)  # fmt: skip
    executor = choose_executor(n_jobs, client, mp_context)
    pairs, info = _execute(tasks, settings, executor, chunk_size, progress, bool(claim_rows))
    table = _assemble([row for row, _ in pairs])
    table.attrs["batch"] = {
        "backend": executor.backend,
        "workers": executor.workers,
        **info,
        "steps": list(steps_t),
        **{k: getattr(settings, k) for k in ("family", "se", "intervals", "changepoint_model")},
        "window": window if window is None or isinstance(window, int) else list(window),
        "seed": int(seed),
        "wall_seconds": time.perf_counter() - t_start,
    }
    table.attrs["claims"] = [d for _, details in pairs for d in details]
    return table


def _assemble(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame.from_records(rows, columns=list(RESULT_COLUMNS))
    for col in _DATE_COLUMNS:
        table[col] = pd.to_datetime(table[col].map(_ts)).astype("datetime64[ns]")
    for col in _INT_COLUMNS:
        table[col] = table[col].astype("Int64")
    for col in _COUNT_COLUMNS:
        values = pd.to_numeric(table[col], errors="coerce")
        if (values.dropna() % 1 == 0).all():
            table[col] = values.astype("Int64")
    table["reference_in_set"] = table["reference_in_set"].astype("boolean")
    table["seed"] = table["seed"].astype("uint64")
    for col in ("intervention_id", "intervention_name", "its_se_type", "its_family"):
        table[col] = table[col].astype("str").where(table[col].notna())
    for col in ("claim_verdict", "status", "warnings"):
        table[col] = table[col].astype("str").where(table[col].notna())
    float_cols = [
        c
        for c in RESULT_COLUMNS
        if c
        not in (
            *_DATE_COLUMNS,
            *_INT_COLUMNS,
            *(c for c in _COUNT_COLUMNS if str(table[c].dtype) == "Int64"),
            "series_id",
            "intervention_id",
            "intervention_name",
            "its_se_type",
            "its_family",
            "reference_in_set",
            "claim_verdict",
            "status",
            "warnings",
            "seed",
        )
    ]
    for col in float_cols:
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    return table
