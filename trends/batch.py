"""Many series x many interventions in one call, on all local cores or on a Dask cluster.

:func:`analyse_many` evaluates every (series, intervention) pair of a batch, for instance every
admin1 region x every ceasefire of a timeline, and returns **one tidy table** with one row per
pair: the before/after counts and exact rate ratio, the interrupted time series level and slope
changes (:func:`trends.models.its.fit_its`), the change point nearest the intervention
(:func:`trends.models.changepoint.detect_changepoints`) and the verdicts of published claims
(:func:`trends.models.claims.verdict`).

Inputs
------
``data`` can be

- a **long** table with one row per series and period (``series_col``, ``date_col``,
  ``value_col``);
- a **wide** table (index or ``date_col`` = dates, one numeric column per series);
- an **incident table** (:mod:`trends.schema`) with ``by=`` the grouping column(s): daily counts
  of ``measure`` are built per group with :func:`trends.series.count_series` (zero-filled over
  the whole range of the table);
- a mapping ``{series_id: pandas.Series}``.

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
worker (with ``threadpoolctl``, when installed).

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

import dataclasses
import hashlib
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import (
    DataQualityWarning,
    InputError,
    MissingColumnsError,
    ModelWarning,
    TrendsError,
)

__all__ = ["analyse_many", "STEPS", "RESULT_COLUMNS"]

#: Steps that :func:`analyse_many` can run for each pair.
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
_ID_ALIASES = ("intervention_id", "id", "event_id")
_DATE_ALIASES = ("date", "start", "intervention_date")
_DEATH_MEASURES = ("deaths_low", "deaths_best", "deaths_high")


# --------------------------------------------------------------------------------------------
# value objects shipped to the workers (module level: picklable)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Event:
    """An intervention as :func:`fit_its` and :func:`detect_changepoints` read it."""

    id: str
    name: str
    start: pd.Timestamp

    @property
    def day(self) -> pd.Timestamp:
        return self.start.normalize()


@dataclass(frozen=True)
class _Config:
    steps: tuple[str, ...]
    window: tuple[str, Any, Any] | None
    family: str
    se: str
    intervals: str
    changepoint_model: str
    its_options: Mapping[str, Any]
    changepoint_options: Mapping[str, Any]
    tolerance: float
    seed: int
    has_claims: bool = False


@dataclass
class _Unit:
    """One series with the interventions (and claims) to evaluate on it."""

    series_id: Any
    series: pd.Series
    events: list[_Event]
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    low: pd.Series | None = None
    high: pd.Series | None = None


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
        import difflib

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


def _collect_series(
    data: Any,
    *,
    series_col: str,
    date_col: str,
    value_col: str,
    by: str | Sequence[str] | None,
    measure: str,
    need_range: bool,
) -> tuple[dict[Any, pd.Series], dict[Any, tuple[pd.Series, pd.Series]]]:
    """``({series_id: series}, {series_id: (low, high)})`` from any accepted input."""
    ranges: dict[Any, tuple[pd.Series, pd.Series]] = {}
    if by is not None:
        from trends.series import count_series

        if not isinstance(data, pd.DataFrame):
            raise InputError("with by=, data must be an incident table (a DataFrame)")
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
            vals = pd.Series(part[value_col].to_numpy(), index=pd.to_datetime(part[date_col]))
            out[sid] = _regular(vals, sid)
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


def _normalise_interventions(
    interventions: Any, series_col: str
) -> list[tuple[_Event, frozenset[str] | None]]:
    """``[(event, series restriction or None)]`` in the given order."""
    if interventions is None:
        raise InputError("interventions are needed")
    items: list[tuple[_Event, frozenset[str] | None]] = []
    if isinstance(interventions, pd.DataFrame):
        frame = interventions
        id_col = next((c for c in _ID_ALIASES if c in frame.columns), None)
        date_c = next((c for c in _DATE_ALIASES if c in frame.columns), None)
        if id_col is None or date_c is None:
            _require(frame, ["intervention_id", "date"], hint="interventions need an id and a date")
        assert id_col is not None and date_c is not None
        restrict_col = next((c for c in (series_col, "series_id") if c in frame.columns), None)
        order: dict[str, tuple[_Event, set[str] | None]] = {}
        for rec in frame.to_dict("records"):
            iid = str(rec[id_col])
            start = _timestamp(rec[date_c], f"date of intervention {iid!r}")
            name = rec.get("name")
            name = str(name) if isinstance(name, str) and name else iid
            scope = None
            if restrict_col is not None and not _missing(rec.get(restrict_col)):
                scope = {str(rec[restrict_col])}
            if iid in order:
                ev, old = order[iid]
                if ev.start != start:
                    raise InputError(f"intervention {iid!r} has two dates")
                if old is None or scope is None:
                    order[iid] = (ev, None)
                else:
                    old |= scope
                continue
            order[iid] = (_Event(iid, name, start), scope)
        return [(ev, None if sc is None else frozenset(sc)) for ev, sc in order.values()]
    if isinstance(interventions, Mapping):
        pairs = [(str(k), v) for k, v in interventions.items()]
        return [(_Event(k, k, _timestamp(v, f"date of {k!r}")), None) for k, v in pairs]
    seq: Iterable[Any]
    if hasattr(interventions, "start") and not isinstance(interventions, Iterable):
        seq = [interventions]
    else:
        seq = interventions
    seen: set[str] = set()
    for j, obj in enumerate(seq, start=1):
        if hasattr(obj, "start"):
            iid = str(getattr(obj, "id", None) or f"i{j}")
            name = getattr(obj, "name", None) or iid
            ev = _Event(iid, str(name), _timestamp(obj.start, f"start of {iid!r}"))
        else:
            ts = _timestamp(obj, "intervention date")
            iid = f"i{j}"
            ev = _Event(iid, f"{ts.date()}", ts)
        if iid in seen:
            raise InputError(f"intervention id {iid!r} appears twice")
        seen.add(iid)
        items.append((ev, None))
    if not items:
        raise InputError("interventions are empty")
    return items


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _timestamp(value: Any, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read the {what} {value!r} as a date") from exc
    if pd.isna(ts):
        raise InputError(f"the {what} is missing")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


def _parse_window(window: Any) -> tuple[str, Any, Any] | None:
    """``None``, ``("days", before, after)`` or ``("dates", start, end)``."""
    if window is None:
        return None
    if isinstance(window, (int, np.integer)) and not isinstance(window, bool):
        if window < 1:
            raise InputError("window must be at least 1 day")
        return ("days", int(window), int(window))
    if isinstance(window, (tuple, list)) and len(window) == 2:
        a, b = window
        ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (a, b))
        if ints:
            if a < 1 or b < 1:
                raise InputError("window days before and after must be at least 1")
            return ("days", int(a), int(b))
        start = None if _missing(a) else _timestamp(a, "window start")
        end = None if _missing(b) else _timestamp(b, "window end")
        if start is not None and end is not None and end < start:
            raise InputError("the window ends before it starts")
        return ("dates", start, end)
    raise InputError(
        "window must be None, a number of days, (days before, days after) or (start, end) dates"
    )


def _check_options(
    options: Mapping[str, Any] | None, fn_path: str, reserved: Sequence[str]
) -> dict[str, Any]:
    """Keyword arguments for a model function, checked against its signature."""
    import importlib
    import inspect

    opts = dict(options or {})
    module, name = fn_path.rsplit(".", 1)
    fn = getattr(importlib.import_module(module), name)
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
            if key not in rec or _missing(rec.get(key)):
                raise InputError(f"claim {j} has no {key}")
        if _missing(rec.get("claim_id")):
            rec["claim_id"] = f"c{j}"
        out.append(rec)
    return out


# --------------------------------------------------------------------------------------------
# one pair
# --------------------------------------------------------------------------------------------
def _window_slice(series: pd.Series, ev: _Event, window: tuple[str, Any, Any] | None) -> pd.Series:
    if window is None:
        return series
    kind, a, b = window
    if kind == "days":
        lo = ev.day - pd.Timedelta(days=a)
        hi = ev.day + pd.Timedelta(days=b - 1)
    else:
        lo, hi = a, b
    idx = series.index
    mask = np.ones(len(idx), dtype=bool)
    if lo is not None:
        mask &= idx >= lo
    if hi is not None:
        mask &= idx < hi.normalize() + pd.Timedelta(days=1)
    return series[mask]


def _ts(value: Any) -> Any:
    return pd.NaT if value is None else value


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TrendsError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _its_step(row: dict[str, Any], s: pd.Series, ev: _Event, cfg: _Config, seed: int) -> None:
    from trends.models.its import fit_its

    opts = dict(cfg.its_options)
    r = fit_its(
        s,
        [ev],
        family=cfg.family,  # type: ignore[arg-type]
        se=cfg.se,  # type: ignore[arg-type]
        seed=seed,
        intervals=cfg.intervals,  # type: ignore[arg-type]
        **opts,
    )
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


def _changepoint_step(row: dict[str, Any], s: pd.Series, ev: _Event, cfg: _Config) -> None:
    from trends.models.changepoint import detect_changepoints

    opts = dict(cfg.changepoint_options)
    cp = detect_changepoints(s, model=cfg.changepoint_model, reference=ev, **opts)
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


def _claim_window(
    claim: Mapping[str, Any], ev: _Event, series: pd.Series
) -> tuple[pd.Timestamp, pd.Timestamp]:
    ws, we = claim.get("window_start"), claim.get("window_end")
    if not _missing(ws) or not _missing(we):
        start = ev.day if _missing(ws) else _timestamp(ws, "claim window start").normalize()
        end = series.index[-1] if _missing(we) else _timestamp(we, "claim window end").normalize()
        return start, end
    days = claim.get("window")
    if _missing(days):
        return ev.day, series.index[-1].normalize()
    try:
        k = int(days)
    except (TypeError, ValueError) as exc:
        raise InputError(f"claim window {days!r} is not a number of days") from exc
    if k >= 1:
        return ev.day, ev.day + pd.Timedelta(days=k - 1)
    if k <= -1:
        return ev.day + pd.Timedelta(days=k), ev.day - pd.Timedelta(days=1)
    raise InputError("a claim window of 0 days is empty")


def _claims_step(
    row: dict[str, Any], unit: _Unit, ev: _Event, cfg: _Config, details: list[dict[str, Any]]
) -> None:
    from trends.events import normalise_qualifier
    from trends.models.claims import verdict

    claims = unit.claims.get(ev.id, [])
    series = unit.series
    idx = series.index
    first, last = idx[0].normalize(), idx[-1].normalize()
    verdicts = []
    for c in claims:
        detail = {
            "series_id": unit.series_id,
            "intervention_id": ev.id,
            "claim_id": c.get("claim_id"),
            "value": c.get("value"),
            "qualifier": c.get("qualifier"),
        }
        try:
            start, end = _claim_window(c, ev, series)
            qual = str(c["qualifier"]).strip().lower().replace(" ", "_")
            if qual not in ("at_least", "more_than", "fewer_than", "at_most", "around", "exactly"):
                qual = normalise_qualifier(str(c["qualifier"]))
            mask = (idx >= start) & (idx < end + pd.Timedelta(days=1))
            vals = series.to_numpy()[mask]
            best = float(np.nansum(vals))
            low = high = best
            if unit.low is not None and unit.high is not None:
                low = float(np.nansum(unit.low.to_numpy()[mask]))
                high = float(np.nansum(unit.high.to_numpy()[mask]))
            v, gap, _ = verdict(low, best, high, float(c["value"]), qual, cfg.tolerance)
            reason = ""
            if start < first or end > last:
                v = "undetermined"
                reason = (
                    f"the window reaches outside the data ({first:%d %b %Y} to {last:%d %b %Y})"
                )
            elif np.isnan(vals).any():
                reason = f"{int(np.isnan(vals).sum())} unreported days in the window"
            detail.update(
                window_start=start,
                window_end=end,
                observed_low=low,
                observed_best=best,
                observed_high=high,
                verdict=v,
                gap=gap,
                reason=reason,
            )
        except (TrendsError, KeyError, ValueError) as exc:
            detail.update(verdict="not checkable", reason=_reason(exc))
        verdicts.append(detail)
        details.append(detail)
    if len(verdicts) == 1:
        d = verdicts[0]
        row.update(
            claim_verdict=d["verdict"],
            claim_observed=d.get("observed_best", np.nan),
            claim_gap=d.get("gap", np.nan),
        )
    else:
        counts: dict[str, int] = {}
        for d in verdicts:
            counts[d["verdict"]] = counts.get(d["verdict"], 0) + 1
        row["claim_verdict"] = "; ".join(f"{k}: {n}" for k, n in counts.items())


def _analyse_pair(
    unit: _Unit, ev: _Event, cfg: _Config, details: list[dict[str, Any]]
) -> dict[str, Any]:
    from trends.models.rates import exact_poisson_ratio

    t0 = time.perf_counter()
    seed = task_seed(cfg.seed, unit.series_id, ev.id)
    row: dict[str, Any] = {
        "series_id": unit.series_id,
        "intervention_id": ev.id,
        "intervention_name": ev.name,
        "intervention_date": ev.day,
        "seed": seed,
    }
    problems: list[str] = []
    caught: list[str] = []
    s = _window_slice(unit.series, ev, cfg.window)
    row["n_days"] = len(s)
    inside = len(s) > 0 and s.index[0] < ev.day <= s.index[-1]
    if len(s):
        row["window_start"], row["window_end"] = s.index[0], s.index[-1]
        vals = s.to_numpy(dtype=float)
        after = np.asarray(s.index >= ev.day)
        ok = ~np.isnan(vals)
        nb, na = int((ok & ~after).sum()), int((ok & after).sum())
        cb, ca = float(vals[ok & ~after].sum()), float(vals[ok & after].sum())
        row.update(days_before=nb, days_after=na, events_before=cb, events_after=ca)
        row["rate_before"] = cb / nb if nb else np.nan
        row["rate_after"] = ca / na if na else np.nan
        if nb and na:
            rr = exact_poisson_ratio(ca, na, cb, nb)
            row.update(
                rate_ratio=rr["estimate"],
                rate_ratio_ci_low=rr["ci_low"],
                rate_ratio_ci_high=rr["ci_high"],
                rate_ratio_p=rr["p_value"],
            )
    if not inside:
        problems.append(
            f"the intervention ({ev.day:%Y-%m-%d}) is not inside the data "
            + (f"({s.index[0]:%Y-%m-%d} to {s.index[-1]:%Y-%m-%d})" if len(s) else "(no periods)")
        )
    steps: list[tuple[str, Callable[[], None]]] = []
    if inside and "its" in cfg.steps:
        steps.append(("its", lambda: _its_step(row, s, ev, cfg, seed)))
    if inside and "changepoint" in cfg.steps:
        steps.append(("changepoint", lambda: _changepoint_step(row, s, ev, cfg)))
    if cfg.has_claims:
        row["n_claims"] = len(unit.claims.get(ev.id, ()))
        if row["n_claims"]:
            steps.append(("claims", lambda: _claims_step(row, unit, ev, cfg, details)))
    for name, fn in steps:
        with warnings.catch_warnings(record=True) as wl:
            warnings.simplefilter("always", ModelWarning)
            try:
                fn()
            except Exception as exc:  # one pair never stops the batch
                problems.append(f"{name}: {_reason(exc)}")
        caught.extend(f"{name}: {w.message}" for w in wl if issubclass(w.category, ModelWarning))
    row["status"] = "ok" if not problems else "; ".join(problems)
    row["warnings"] = " | ".join(dict.fromkeys(caught))
    row["seconds"] = time.perf_counter() - t0
    return row


def _run_chunk(
    units: list[_Unit], cfg: _Config
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Evaluate every pair of a chunk (runs in a worker). Returns ``(rows, claim details)``."""
    rows: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    with _one_blas_thread():
        for unit in units:
            for ev in unit.events:
                rows.append(_analyse_pair(unit, ev, cfg, details))
    return rows, details


def _one_blas_thread() -> Any:
    """Run the models with a single BLAS thread (when threadpoolctl is installed).

    The matrices are small: a second OpenBLAS thread gains nothing but keeps spinning after each
    product, which takes a core from the other workers (it doubled the cost of the simulated ITS
    intervals with two workers on two cores). It also gives every backend the same BLAS setting
    (Dask workers already start with ``OPENBLAS_NUM_THREADS=1``).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# --------------------------------------------------------------------------------------------
# execution backends
# --------------------------------------------------------------------------------------------
def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _chunks(units: list[_Unit], size: int) -> list[list[_Unit]]:
    return [units[i : i + size] for i in range(0, len(units), size)]


class _Progress:
    """Calls a callback and/or drives a rich progress bar with ``(done, total)`` pairs."""

    def __init__(self, progress: Any, total: int) -> None:
        self.total = total
        self.done = 0
        self.callback: Callable[[int, int], None] | None = None
        self.bar: Any = None
        self.task: Any = None
        if callable(progress):
            self.callback = progress
            return
        use_bar = bool(progress) if progress is not None else _interactive()
        if use_bar and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("series x interventions", total=total)

    def advance(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _interactive() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # pragma: no cover - closed or replaced stream
        return False


def _n_pairs(chunk: list[_Unit]) -> int:
    return sum(len(u.events) for u in chunk)


def _run_local(
    chunks: list[list[_Unit]], cfg: _Config, n_workers: int, bar: _Progress, mp_context: Any
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    results: list[Any] = [None] * len(chunks)
    if n_workers <= 1 or len(chunks) <= 1:
        for i, chunk in enumerate(chunks):
            results[i] = _run_chunk(chunk, cfg)
            bar.advance(_n_pairs(chunk))
        return results
    import multiprocessing

    _warm_imports(cfg)  # forked workers then start with the models already imported
    ctx = multiprocessing.get_context(mp_context) if isinstance(mp_context, str) else mp_context
    with ProcessPoolExecutor(max_workers=min(n_workers, len(chunks)), mp_context=ctx) as pool:
        futures = {pool.submit(_run_chunk, chunk, cfg): i for i, chunk in enumerate(chunks)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = futures[fut]
                results[i] = fut.result()
                bar.advance(_n_pairs(chunks[i]))
    return results


def _warm_imports(cfg: _Config) -> None:
    """Import what the steps use (a no-op when already imported)."""
    import trends.models.rates

    if "its" in cfg.steps:
        import statsmodels.stats.diagnostic  # noqa: F401  (Ljung-Box test of fit_its)

        import trends.models.its
    if "changepoint" in cfg.steps:
        import trends.models.changepoint
    if cfg.has_claims:
        import trends.events
        import trends.models.claims  # noqa: F401


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "running analyse_many on a Dask cluster needs the optional 'distributed' extra: "
            'pip install "trends[distributed]"'
        ) from exc
    return distributed


def _run_dask(
    chunks: list[list[_Unit]], cfg: _Config, client: Any, bar: _Progress
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    distributed = _distributed()
    if isinstance(client, str):
        client = distributed.Client(client)
    futures = client.map(_run_chunk, chunks, cfg=cfg, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(chunks)
    for fut in distributed.as_completed(futures):
        i = index[fut.key]
        results[i] = fut.result()
        bar.advance(_n_pairs(chunks[i]))
    return results


def _dask_workers(client: Any) -> int:
    try:
        info = client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))
    except Exception:  # only used to size the chunks
        return 1


# --------------------------------------------------------------------------------------------
# main entry
# --------------------------------------------------------------------------------------------
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
    data : DataFrame or mapping
        Long table (``series_col``, ``date_col``, ``value_col``), wide table (dates x series),
        incident table with ``by=``, or ``{series_id: Series}``. See the module notes.
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
    claims : DataFrame or sequence of mappings, optional
        One row per claim: ``value``, ``qualifier`` (``at_least``, ``more_than``,
        ``fewer_than``, ``at_most``, ``around``, ``exactly`` or a phrase such as "more than"),
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
        Extra keyword arguments of :func:`~trends.models.its.fit_its` (e.g. ``n_sim``,
        ``hac_lags``, ``seasonality``, ``slope_change``) and
        :func:`~trends.models.changepoint.detect_changepoints` (e.g. ``max_changes``,
        ``min_size``).
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
        ``callable(done, total)`` called as pairs complete; ``True`` / ``False`` force a rich
        progress bar on / off; default on when standard error is a terminal.
    mp_context : str or multiprocessing context, optional
        Start method of the local worker processes (default: the platform's).

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
        are reported in ``status`` instead).
    ImportError
        ``client`` is given but ``distributed`` is not installed.
    """
    t_start = time.perf_counter()
    steps_t = tuple(dict.fromkeys(steps))
    unknown = [s for s in steps_t if s not in STEPS]
    if unknown:
        raise InputError(f"unknown steps {unknown}; choose from {list(STEPS)}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError("seed must be an integer")
    if chunk_size is not None and int(chunk_size) < 1:
        raise InputError("chunk_size must be at least 1")
    if intervals not in ("analytic", "simulation"):
        raise InputError(f"intervals must be 'analytic' or 'simulation', got {intervals!r}")
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        raise InputError("n_jobs must be -1 (all cores) or a positive number")
    cfg = _Config(
        steps=steps_t,
        window=_parse_window(window),
        family=family,
        se=se,
        intervals=intervals,
        changepoint_model=changepoint_model,
        its_options=_check_options(
            its_options,
            "trends.models.its.fit_its",
            ("interventions", "family", "se", "seed", "intervals"),
        ),
        changepoint_options=_check_options(
            changepoint_options,
            "trends.models.changepoint.detect_changepoints",
            ("model", "reference"),
        ),
        tolerance=float(tolerance),
        seed=int(seed),
    )
    claim_rows = _claims_table(claims, series_col) if "claims" in steps_t else []
    if claim_rows:
        cfg = dataclasses.replace(cfg, has_claims=True)
    series, ranges = _collect_series(
        data,
        series_col=series_col,
        date_col=date_col,
        value_col=value_col,
        by=by,
        measure=measure,
        need_range=bool(claim_rows),
    )
    if not series:
        raise InputError("data holds no series")
    events = _normalise_interventions(interventions, series_col)

    units: list[_Unit] = []
    for sid, s in series.items():
        key = str(sid)
        evs = [ev for ev, scope in events if scope is None or key in scope]
        if not evs:
            continue
        unit = _Unit(sid, s, evs)
        if sid in ranges:
            unit.low, unit.high = ranges[sid]
        for c in claim_rows:
            c_sid = c.get("series_id")
            if not _missing(c_sid) and str(c_sid) != key:
                continue
            c_iid = c.get("intervention_id")
            for ev in evs:
                if _missing(c_iid) or str(c_iid) == ev.id:
                    unit.claims.setdefault(ev.id, []).append(c)
        units.append(unit)
    n_pairs = sum(len(u.events) for u in units)

    if client is not None:
        backend = "dask"
        workers = _dask_workers(client) if not isinstance(client, str) else 1
    else:
        workers = _cpu_count() if n_jobs == -1 else int(n_jobs)
        backend = "local" if workers <= 1 else "processes"
    size = int(chunk_size) if chunk_size else max(1, math.ceil(len(units) / (4 * max(workers, 1))))
    chunks = _chunks(units, size)
    bar = _Progress(progress, n_pairs)
    try:
        if client is not None:
            results = _run_dask(chunks, cfg, client, bar)
        else:
            results = _run_local(chunks, cfg, workers, bar, mp_context)
    finally:
        bar.close()

    rows = [r for chunk_rows, _ in results for r in chunk_rows]
    details = [d for _, chunk_details in results for d in chunk_details]
    table = _assemble(rows)
    table.attrs["batch"] = {
        "backend": backend,
        "workers": workers,
        "chunk_size": size,
        "n_chunks": len(chunks),
        "n_series": len(units),
        "n_pairs": n_pairs,
        "steps": list(steps_t),
        "family": family,
        "se": se,
        "intervals": intervals,
        "changepoint_model": changepoint_model,
        "window": window if window is None or isinstance(window, int) else list(window),
        "seed": int(seed),
        "wall_seconds": time.perf_counter() - t_start,
    }
    table.attrs["claims"] = details
    return table


def _assemble(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame.from_records(rows, columns=list(RESULT_COLUMNS))
    for col in _DATE_COLUMNS:
        table[col] = pd.to_datetime(table[col].map(_ts)).astype("datetime64[ns]")
    for col in _INT_COLUMNS:
        table[col] = table[col].astype("Int64")
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
