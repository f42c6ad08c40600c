"""Simulated conflict-harm series with known effects.

The simulator produces daily counts of attacks (incidents) and of civilian deaths that look like
real conflict-monitoring series: counts that cluster in time, vary more than a Poisson process,
follow an optional weekly rhythm, and change level or trend at known dates (a ceasefire, an
escalation). Because the true effects are known, the series are used to test and calibrate the
models of :mod:`trends.models` and to benchmark them.

The generative model, for day :math:`t = 0, \\dots, n-1`:

1. **Latent intensity.** A stationary Gaussian AR(1) process on the log scale,
   ``x[t] = ar_coef * x[t-1] + ar_sd * z[t]``, started from its stationary distribution and shifted
   by ``-s2 / 2`` with ``s2 = ar_sd**2 / (1 - ar_coef**2)`` so that ``E[exp(x[t])] = 1``. The
   intensity (true expected attacks on the day) is::

       intensity[t] = base_rate * weekly[dow(t)] * exp(x[t])
                      * prod_k  [t >= day_k] * level_k * exp(slope_k * (t - day_k))

   so ``base_rate`` is the *mean* daily attack rate before any change, ``level_k`` a rate ratio
   that applies from ``day_k`` on and ``slope_k`` an additional daily change of the log rate that
   starts at ``day_k`` (zero on the day itself).
2. **Attacks.** Given the intensity, attacks are Poisson (``dispersion=None``) or negative binomial
   with mean ``intensity`` and size ``dispersion`` (variance ``mu + mu**2 / dispersion``).
3. **Deaths.** Each attack kills a number of civilians drawn independently from a heavy-tailed
   distribution (zero-inflated negative binomial by default; see ``deaths_per_attack`` in
   :func:`simulate_conflict`), so that most strikes kill nobody and a few kill many. The daily
   death count is the sum over the day's attacks.

Everything random comes from a :class:`numpy.random.Generator`; no global state is used. With
:func:`simulate_many` each series has its own generator seeded from the master seed through
:class:`numpy.random.SeedSequence` spawning, so series ``i`` does not depend on how many series are
simulated, and :func:`series_seed` recreates it on its own (with its latent intensity) through
:func:`simulate_conflict`.

Reproducibility: the same parameters and seed give identical output with the same numpy version.
(numpy does not promise identical non-uniform draws across numpy releases.)

Examples
--------
>>> from trends.simulate import Change, simulate_conflict
>>> sim = simulate_conflict(200, changes=[Change(day=100, level=0.5, label="ceasefire")], seed=1)
>>> list(sim.frame.columns)
['attacks', 'civilian_deaths', 'intensity', 'log_intensity']
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from trends import __version__
from trends.errors import SimulationError

__all__ = [
    "Change",
    "ResolvedChange",
    "SimulatedSeries",
    "SimulatedBatch",
    "DEATHS_MODELS",
    "PRESETS",
    "preset",
    "series_seed",
    "simulate_conflict",
    "simulate_many",
]

#: Largest expected attack rate per day that the simulator accepts (deterministic part).
_MAX_EXPECTED_RATE = 1e7
#: Largest stationary sd of the latent log intensity (exp(5) is a 150-fold swing).
_MAX_LATENT_SD = 5.0
#: Largest realised mean of a Poisson draw (after the latent process and NB mixing).
_MAX_DRAW_MEAN = 1e13

_DEFAULT_START = "2019-01-01"

#: Named models of civilian deaths per attack and their default parameters.
#:
#: ``mean`` is the mean number of deaths per attack (zeros included); ``theta`` the negative
#: binomial size of the deaths of a lethal attack (``None``: Poisson); ``zero_inflation`` the
#: probability that an attack kills nobody whatever the other parameters (a "structural" zero:
#: missed target, empty building). With ``pi = zero_inflation`` and ``mu_c = mean / (1 - pi)``, an
#: attack kills 0 with probability ``pi`` and otherwise ``NB(mean=mu_c, size=theta)`` people.
#:
#: - ``"zinb"`` (default): mean 1.5, theta 0.5, zero_inflation 0.3. About 60% of attacks kill
#:   nobody, 3% kill 10 or more and 0.35% kill 19 or more (per attack).
#: - ``"nb"``: mean 1.5, theta 0.3, no zero inflation (about 65% zeros, 0.5% kill 19 or more).
#: - ``"poisson"``: mean 1.5, Poisson (light-tailed; a contrast case, not realistic).
DEATHS_MODELS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "zinb": MappingProxyType({"mean": 1.5, "theta": 0.5, "zero_inflation": 0.3}),
        "nb": MappingProxyType({"mean": 1.5, "theta": 0.3, "zero_inflation": 0.0}),
        "poisson": MappingProxyType({"mean": 1.5, "theta": None, "zero_inflation": 0.0}),
    }
)

SeedLike = int | np.random.Generator | np.random.SeedSequence | Mapping[str, Any] | None
DateLike = str | _dt.date | pd.Timestamp | np.datetime64


# --------------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A known change of the attack rate: the truth that an analysis should recover.

    Parameters
    ----------
    day : int or date-like
        When the change starts: a 0-based day index into the series, or a date (string such as
        ``"2019-08-31"``, :class:`datetime.date`, :class:`pandas.Timestamp`). A time of day is
        dropped: the change starts on the day that contains it.
    level : float, default 1.0
        Rate ratio applied from ``day`` on (``0.25`` is a 75% drop, ``2.0`` a doubling, ``0`` a
        complete stop). Must be finite and ``>= 0``.
    slope : float, default 0.0
        Change of the daily slope of the log rate from ``day`` on: the rate is multiplied by
        ``exp(slope * (t - day))`` on day ``t >= day`` (``0.01`` is about +1% a day).
    label : str, default ""
        A name for the change, e.g. ``"ceasefire"``.

    Raises
    ------
    SimulationError
        If ``level`` or ``slope`` is not a finite number, ``level < 0``, or ``day`` is neither an
        integer nor a date.
    """

    day: int | DateLike
    level: float = 1.0
    slope: float = 0.0
    label: str = ""

    def __post_init__(self) -> None:
        day = self.day
        if isinstance(day, bool) or not isinstance(
            day, (numbers.Integral, str, _dt.date, pd.Timestamp, np.datetime64)
        ):
            raise SimulationError(f"Change.day must be an integer day index or a date, got {day!r}")
        if isinstance(day, numbers.Integral):
            object.__setattr__(self, "day", int(day))
        object.__setattr__(self, "level", _real("Change.level", self.level, lo=0.0))
        object.__setattr__(self, "slope", _real("Change.slope", self.slope))
        if not isinstance(self.label, str):
            raise SimulationError(f"Change.label must be a string, got {self.label!r}")

    @classmethod
    def from_mapping(cls, spec: Mapping[str, Any]) -> Change:
        """Build a change from a mapping such as an entry of ``SimulatedSeries.params["changes"]``.

        Parameters
        ----------
        spec : mapping
            Keys ``day`` and/or ``date`` (at least one; ``day`` wins, ``date`` is then
            informational), and optionally ``level``, ``slope``, ``label``.

        Returns
        -------
        Change
        """
        unknown = set(spec) - {"day", "date", "level", "slope", "label"}
        if unknown:
            raise SimulationError(f"unknown keys in a change: {sorted(unknown)}")
        if spec.get("day") is None and spec.get("date") is None:
            raise SimulationError("a change needs a 'day' or a 'date'")
        day = spec["day"] if spec.get("day") is not None else spec["date"]
        return cls(
            day=day,
            level=spec.get("level", 1.0),
            slope=spec.get("slope", 0.0),
            label=spec.get("label", ""),
        )


@dataclass(frozen=True)
class ResolvedChange:
    """A :class:`Change` placed on the simulated calendar: the true effect in a simulation.

    Attributes
    ----------
    label : str
        Name of the change.
    date : pandas.Timestamp
        First day on which the change applies.
    day : int
        0-based index of ``date`` in the series.
    level : float
        True rate ratio (after / before) at ``date``.
    slope : float
        True change of the daily log-rate slope from ``date`` on.
    """

    label: str
    date: pd.Timestamp
    day: int
    level: float
    slope: float

    @property
    def log_level(self) -> float:
        """The level change on the log scale (``-inf`` for a complete stop)."""
        return math.log(self.level) if self.level > 0 else -math.inf

    @property
    def percent_change(self) -> float:
        """The level change as a percentage (``-75.0`` for ``level=0.25``)."""
        return 100.0 * (self.level - 1.0)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dictionary (``day``, ``date`` ISO string, ``level``, ...)."""
        return {
            "day": self.day,
            "date": self.date.date().isoformat(),
            "level": self.level,
            "slope": self.slope,
            "label": self.label,
        }


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SimulatedSeries:
    """One simulated series and the truth behind it.

    Attributes
    ----------
    frame : pandas.DataFrame
        Indexed by a daily :class:`~pandas.DatetimeIndex` named ``"date"``, with columns
        ``attacks`` (int64), ``civilian_deaths`` (int64), ``intensity`` (float64: true expected
        attacks on the day given the latent process, including weekly pattern and changes) and
        ``log_intensity`` (its natural log; ``-inf`` where the intensity is 0).
    changes : tuple of ResolvedChange
        The true effects, resolved to dates, in date order.
    params : dict
        Every parameter of the simulation, JSON-safe: ``simulate_conflict(**params)`` reproduces
        the series exactly (``seed`` is ``None`` when a Generator was passed, as its state is not
        recorded).
    expected_rate : pandas.Series
        Mean attacks per day implied by the parameters, ``base_rate * weekly * changes``, i.e. the
        intensity averaged over the latent AR(1) process.
    """

    frame: pd.DataFrame
    changes: tuple[ResolvedChange, ...]
    params: dict[str, Any]
    expected_rate: pd.Series = field(repr=False)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The simulated days."""
        return self.frame.index  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe description: parameters, true changes and software versions."""
        return {
            "params": copy.deepcopy(self.params),
            "changes": [c.to_dict() for c in self.changes],
            "software": {"trends": __version__, "numpy": np.__version__},
        }


@dataclass(frozen=True, eq=False)
class SimulatedBatch:
    """Many simulated series with the same parameters, as 2-D arrays (series x days).

    Attributes
    ----------
    dates : pandas.DatetimeIndex
        The simulated days (named ``"date"``).
    attacks, civilian_deaths : numpy.ndarray
        int64 arrays of shape ``(n_series, n_days)``.
    intensity : numpy.ndarray
        float64 array of shape ``(n_series, n_days)``: the true expected attacks per day.
    changes : tuple of ResolvedChange
        The true effects (shared by all series).
    params : dict
        Every parameter, JSON-safe, including ``n_series`` and the master ``seed``:
        ``simulate_many(**params, output="batch")`` reproduces the batch.
    expected_rate : pandas.Series
        Mean attacks per day implied by the parameters (see :class:`SimulatedSeries`).
    """

    dates: pd.DatetimeIndex
    attacks: np.ndarray
    civilian_deaths: np.ndarray
    intensity: np.ndarray
    changes: tuple[ResolvedChange, ...]
    params: dict[str, Any]
    expected_rate: pd.Series = field(repr=False)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.attacks.shape[0])

    def to_frame(self, *, intensity: bool = False) -> pd.DataFrame:
        """Return the batch as a long DataFrame.

        Parameters
        ----------
        intensity : bool, default False
            Also include the ``intensity`` column.

        Returns
        -------
        pandas.DataFrame
            Columns ``series_id`` (int64, 0-based), ``date``, ``attacks``, ``civilian_deaths``
            (int64) and optionally ``intensity``; one row per series and day, sorted by series
            then date.
        """
        n_series, n_days = self.attacks.shape
        data: dict[str, Any] = {
            "series_id": np.repeat(np.arange(n_series, dtype=np.int64), n_days),
            "date": np.tile(self.dates.values, n_series),
            "attacks": self.attacks.reshape(-1),
            "civilian_deaths": self.civilian_deaths.reshape(-1),
        }
        if intensity:
            data["intensity"] = self.intensity.reshape(-1)
        return pd.DataFrame(data, copy=False)


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _real(
    name: str,
    value: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Validate a finite real number within optional bounds and return it as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SimulationError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise SimulationError(f"{name} must be finite, got {value!r}")
    if lo is not None and (x <= lo if lo_open else x < lo):
        raise SimulationError(f"{name} must be {'>' if lo_open else '>='} {lo}, got {x!r}")
    if hi is not None and (x >= hi if hi_open else x > hi):
        raise SimulationError(f"{name} must be {'<' if hi_open else '<='} {hi}, got {x!r}")
    return x


def _count(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SimulationError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise SimulationError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _timestamp(name: str, value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise SimulationError(f"{name}: cannot read {value!r} as a date") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise SimulationError(f"{name}: {value!r} is not a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize().as_unit("ns")


def _resolve_deaths(spec: Any) -> dict[str, Any]:
    """Resolve ``deaths_per_attack`` to a full dict ``{model, mean, theta, zero_inflation}``."""
    if isinstance(spec, str):
        spec = {"model": spec}
    if not isinstance(spec, Mapping):
        raise SimulationError(
            "deaths_per_attack must be one of "
            f"{sorted(DEATHS_MODELS)} or a dict of parameters, got {spec!r}"
        )
    unknown = set(spec) - {"model", "mean", "theta", "zero_inflation"}
    if unknown:
        raise SimulationError(
            f"unknown keys in deaths_per_attack: {sorted(unknown)} "
            "(expected model, mean, theta, zero_inflation)"
        )
    model = spec.get("model", "zinb")
    if model not in DEATHS_MODELS:
        raise SimulationError(
            f"unknown deaths_per_attack model {model!r}; choose from {sorted(DEATHS_MODELS)}"
        )
    out: dict[str, Any] = {"model": model, **DEATHS_MODELS[model]}
    out.update({k: v for k, v in spec.items() if k != "model"})
    out["mean"] = _real("deaths_per_attack['mean']", out["mean"], lo=0.0)
    out["zero_inflation"] = _real(
        "deaths_per_attack['zero_inflation']", out["zero_inflation"], lo=0.0, hi=1.0, hi_open=True
    )
    if model == "poisson":
        if out["theta"] is not None:
            raise SimulationError("deaths_per_attack: the 'poisson' model takes no theta")
    else:
        out["theta"] = _real("deaths_per_attack['theta']", out["theta"], lo=0.0, lo_open=True)
    return out


def _seed_to_json(ss: np.random.SeedSequence) -> int | dict[str, Any]:
    """Record a SeedSequence as a plain int (no spawn key) or a JSON-safe dict."""
    entropy = ss.entropy
    if not ss.spawn_key and isinstance(entropy, int):
        return entropy
    if not isinstance(entropy, int):
        entropy = [int(e) for e in entropy]  # type: ignore[union-attr]
    return {"entropy": entropy, "spawn_key": [int(k) for k in ss.spawn_key]}


def _seed_sequence(seed: Any, *, for_many: bool) -> np.random.SeedSequence | np.random.Generator:
    """Turn ``seed`` into a SeedSequence (or pass a Generator through for a single series)."""
    if isinstance(seed, np.random.Generator):
        if for_many:
            # Derive a recorded master seed from the generator (advances its state once).
            return np.random.SeedSequence(int(seed.integers(0, 2**63 - 1)))
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()  # fresh entropy, recorded in params
    if isinstance(seed, Mapping):
        try:
            entropy = seed["entropy"]
            spawn_key = tuple(int(k) for k in seed.get("spawn_key", ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise SimulationError(
                f"a seed mapping needs 'entropy' and optionally 'spawn_key', got {seed!r}"
            ) from exc
        return np.random.SeedSequence(entropy, spawn_key=spawn_key)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise SimulationError(
            "seed must be a non-negative int, a numpy Generator or SeedSequence, or None; "
            f"got {seed!r}"
        )
    return np.random.SeedSequence(int(seed))


def series_seed(
    seed: int | np.random.SeedSequence | Mapping[str, Any], i: int
) -> np.random.SeedSequence:
    """Return the seed of series ``i`` of :func:`simulate_many` run with master ``seed``.

    ``simulate_conflict(seed=series_seed(seed, i), **kwargs)`` reproduces series ``i`` of
    ``simulate_many(n, seed=seed, **kwargs)`` for any ``n > i``, with its latent intensity.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or mapping
        The master seed given to :func:`simulate_many` (or ``batch.params["seed"]``).
    i : int
        0-based series number.

    Returns
    -------
    numpy.random.SeedSequence
        The child seed sequence (the ``i``-th child of ``SeedSequence(seed).spawn``).
    """
    i = _count("i", i, minimum=0)
    if seed is None or isinstance(seed, np.random.Generator):
        raise SimulationError(
            "series_seed needs the master seed recorded in params['seed'], not a Generator or None"
        )
    master = _seed_sequence(seed, for_many=True)
    assert isinstance(master, np.random.SeedSequence)
    return _child(master, i)


def _child(master: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of ``master``, as ``master.spawn`` would create it on a fresh sequence."""
    return np.random.SeedSequence(
        master.entropy, spawn_key=(*master.spawn_key, i), pool_size=master.pool_size
    )


# --------------------------------------------------------------------------------------------
# Configuration shared by simulate_conflict and simulate_many
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Config:
    dates: pd.DatetimeIndex
    log_mean: np.ndarray  # log of expected_rate (deterministic part), shape (n_days,)
    ar_coef: float
    ar_sd: float
    dispersion: float | None
    deaths: dict[str, Any]
    changes: tuple[ResolvedChange, ...]
    params: dict[str, Any]

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def expected_rate(self) -> pd.Series:
        return pd.Series(np.exp(self.log_mean), index=self.dates, name="expected_rate")


def _resolve(
    n_days: Any,
    start: Any,
    base_rate: Any,
    ar_coef: Any,
    ar_sd: Any,
    dispersion: Any,
    weekly: Any,
    changes: Any,
    deaths_per_attack: Any,
) -> _Config:
    n_days = _count("n_days", n_days, minimum=1)
    start_ts = _timestamp("start", start)
    dates = pd.date_range(start_ts, periods=n_days, freq="D", name="date", unit="ns")
    base = _real("base_rate", base_rate, lo=0.0)
    phi = _real("ar_coef", ar_coef, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    sd = _real("ar_sd", ar_sd, lo=0.0)
    stationary_sd = sd / math.sqrt(1.0 - phi * phi)
    if stationary_sd > _MAX_LATENT_SD:
        raise SimulationError(
            f"the latent log intensity would have a stationary sd of {stationary_sd:.3g} "
            f"(ar_sd / sqrt(1 - ar_coef**2); limit {_MAX_LATENT_SD:g}): the rate would be near 0 "
            "almost always with rare enormous bursts; lower ar_sd or move ar_coef away from +-1"
        )
    if dispersion is not None:
        dispersion = _real("dispersion", dispersion, lo=0.0, lo_open=True)

    with np.errstate(divide="ignore"):
        log_mean = np.full(n_days, np.log(base))

    weekly_raw: list[float] | None = None
    if weekly is not None:
        if isinstance(weekly, (str, bytes, Mapping)) or not isinstance(
            weekly, (Sequence, np.ndarray)
        ):
            raise SimulationError(f"weekly must be a sequence of 7 multipliers, got {weekly!r}")
        if len(weekly) != 7:
            raise SimulationError(
                f"weekly must have 7 multipliers (Monday..Sunday), got {len(weekly)}"
            )
        weekly_raw = [_real(f"weekly[{k}]", w, lo=0.0) for k, w in enumerate(weekly)]
        w = np.asarray(weekly_raw)
        if w.mean() <= 0:
            raise SimulationError("weekly multipliers must not all be zero")
        with np.errstate(divide="ignore"):
            log_w = np.log(w / w.mean())
        log_mean = log_mean + log_w[dates.day_of_week.to_numpy()]

    if changes is None:
        changes = ()
    if isinstance(changes, (Change, Mapping)):
        changes = (changes,)
    if isinstance(changes, (str, bytes)) or not isinstance(changes, (Sequence, np.ndarray)):
        raise SimulationError(f"changes must be a sequence of Change, got {changes!r}")
    resolved: list[ResolvedChange] = []
    t = np.arange(n_days, dtype=np.float64)
    for k, ch in enumerate(changes):
        if isinstance(ch, Mapping):
            ch = Change.from_mapping(ch)
        elif not isinstance(ch, Change):
            raise SimulationError(f"changes[{k}] must be a Change or a mapping, got {ch!r}")
        if isinstance(ch.day, int):
            day = ch.day
            where = f"day {day}"
        else:
            when = _timestamp(f"changes[{k}].day", ch.day)
            day = int((when - start_ts) // pd.Timedelta(days=1))
            where = f"{when.date().isoformat()} (day {day})"
        if not 0 <= day < n_days:
            raise SimulationError(
                f"change {ch.label or k!r} at {where} is outside the simulated range "
                f"{dates[0].date().isoformat()}..{dates[-1].date().isoformat()} "
                f"(days 0..{n_days - 1})"
            )
        resolved.append(ResolvedChange(ch.label, dates[day], day, ch.level, ch.slope))
        after = t >= day
        with np.errstate(divide="ignore"):
            log_mean = log_mean + np.where(after, np.log(ch.level) + ch.slope * (t - day), 0.0)
    resolved.sort(key=lambda c: c.day)

    top = float(np.exp(log_mean.max()))
    if not top <= _MAX_EXPECTED_RATE:
        raise SimulationError(
            f"the expected attack rate reaches {top:.3g} per day (limit {_MAX_EXPECTED_RATE:.0g}); "
            "check base_rate, the levels and especially the slopes of the changes"
        )

    deaths = _resolve_deaths(deaths_per_attack)
    params: dict[str, Any] = {
        "n_days": n_days,
        "start": start_ts.date().isoformat(),
        "base_rate": base,
        "ar_coef": phi,
        "ar_sd": sd,
        "dispersion": dispersion,
        "weekly": weekly_raw,
        "changes": [c.to_dict() for c in sorted(resolved, key=lambda c: c.day)],
        "deaths_per_attack": dict(deaths),
    }
    return _Config(
        dates=dates,
        log_mean=log_mean,
        ar_coef=phi,
        ar_sd=sd,
        dispersion=dispersion,
        deaths=deaths,
        changes=tuple(resolved),
        params=params,
    )


# --------------------------------------------------------------------------------------------
# The sampler
# --------------------------------------------------------------------------------------------


def _simulate_block(
    cfg: _Config, rngs: Sequence[np.random.Generator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate ``len(rngs)`` series, series ``i`` using only ``rngs[i]``.

    The deterministic parts and the AR(1) filter are vectorised over series x days; the draws
    are made per series (one call per distribution) so that each series depends on its own
    generator only. The order of draws within a series is fixed: AR innovations, NB mixing
    gammas (if ``dispersion``), lethal attacks, other attacks (if zero inflation), death gammas
    (NB deaths), deaths.
    """
    k, n = len(rngs), cfg.n_days
    z = np.empty((k, n))
    mix = np.empty((k, n)) if cfg.dispersion is not None else None
    for i, rng in enumerate(rngs):
        z[i] = rng.standard_normal(n)
        if mix is not None:
            mix[i] = rng.standard_gamma(cfg.dispersion, n)

    # Stationary AR(1) on the log scale, centred so that E[exp(x)] = 1.
    phi, sd = cfg.ar_coef, cfg.ar_sd
    if sd > 0:
        e = z * sd
        e[:, 0] /= math.sqrt(1.0 - phi * phi)
        latent = lfilter([1.0], [1.0, -phi], e, axis=1)
        latent -= 0.5 * sd * sd / (1.0 - phi * phi)
    else:
        latent = np.zeros((k, n))
    log_intensity = cfg.log_mean[None, :] + latent
    intensity = np.exp(log_intensity)

    mu = intensity if mix is None else intensity * (mix / cfg.dispersion)
    top = float(mu.max()) if mu.size else 0.0
    if not top <= _MAX_DRAW_MEAN:
        raise SimulationError(
            f"the latent intensity reached {top:.3g} attacks per day; the AR(1) process is too "
            "volatile (lower ar_sd, move ar_coef away from +-1) or the dispersion too small"
        )

    # Thinning: attacks = lethal-capable + structurally harmless, independent Poisson draws.
    d = cfg.deaths
    pi = d["zero_inflation"]
    mu_c = d["mean"] / (1.0 - pi)
    theta = d["theta"]
    lethal_mu = mu * (1.0 - pi) if pi > 0 else mu
    other_mu = mu * pi if pi > 0 else None

    attacks = np.empty((k, n), dtype=np.int64)
    deaths = np.empty((k, n), dtype=np.int64)
    for i, rng in enumerate(rngs):
        m = rng.poisson(lethal_mu[i])
        attacks[i] = m if other_mu is None else m + rng.poisson(other_mu[i])
        if theta is None:
            deaths[i] = rng.poisson(m * mu_c)
        else:
            # Sum of m iid NB(mu_c, theta) is NB(m * mu_c, m * theta): a gamma-Poisson mixture.
            deaths[i] = rng.poisson(rng.standard_gamma(m * theta) * (mu_c / theta))
    return attacks, deaths, log_intensity


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def simulate_conflict(
    n_days: int = 365,
    *,
    start: DateLike = _DEFAULT_START,
    base_rate: float = 2.0,
    ar_coef: float = 0.6,
    ar_sd: float = 0.3,
    dispersion: float | None = None,
    weekly: Sequence[float] | None = None,
    changes: Sequence[Change | Mapping[str, Any]] = (),
    deaths_per_attack: str | Mapping[str, Any] = "zinb",
    seed: SeedLike = 0,
) -> SimulatedSeries:
    """Simulate one daily series of attacks and civilian deaths with known changes.

    See the module docstring for the generative model.

    Parameters
    ----------
    n_days : int, default 365
        Length of the series in days (``>= 1``).
    start : date-like, default "2019-01-01"
        First day.
    base_rate : float, default 2.0
        Mean attacks per day before any change (averaged over the latent process and the week).
        ``>= 0``.
    ar_coef : float, default 0.6
        Lag-1 autocorrelation of the AR(1) latent log intensity; strictly between -1 and 1.
    ar_sd : float, default 0.3
        Innovation standard deviation of the latent AR(1) (``>= 0``; 0 removes the latent
        process). The stationary sd of the log intensity, ``ar_sd / sqrt(1 - ar_coef**2)``, must
        not exceed 5.
    dispersion : float or None, default None
        Negative binomial size ``theta > 0`` of attacks given the intensity (extra-Poisson
        variation: variance ``mu + mu**2 / theta``). ``None``: Poisson given the intensity.
    weekly : sequence of 7 floats, optional
        Day-of-week multipliers, Monday to Sunday, ``>= 0``; normalised to mean 1 so that
        ``base_rate`` stays the mean rate.
    changes : sequence of Change (or mappings), default ()
        Known changes of level and/or slope; every change day must fall inside the series.
    deaths_per_attack : str or dict, default "zinb"
        Distribution of civilian deaths per attack: ``"zinb"``, ``"nb"``, ``"poisson"`` (see
        :data:`DEATHS_MODELS` for their defaults), or a dict with any of ``model`` (default
        ``"zinb"``), ``mean`` (deaths per attack, ``>= 0``), ``theta`` (NB size of a lethal
        attack's deaths, ``> 0``; smaller is heavier-tailed) and ``zero_inflation`` (probability
        in ``[0, 1)`` that an attack kills nobody), overriding that model's defaults.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default 0
        Randomness. An int or SeedSequence makes the output reproducible (and is recorded in
        ``params``); a Generator is used (and advanced) as is and recorded as ``None``; ``None``
        draws fresh entropy, which is recorded.

    Returns
    -------
    SimulatedSeries
        ``frame`` (attacks, civilian_deaths, intensity, log_intensity by date), ``changes`` (true
        effects with dates), ``params`` and ``expected_rate``.

    Raises
    ------
    SimulationError
        For invalid parameters: negative rates, ``ar_coef`` outside (-1, 1), a change outside the
        simulated days, a malformed ``weekly`` or ``deaths_per_attack``, an exploding rate...

    Examples
    --------
    >>> sim = simulate_conflict(**preset("idlib_2019"))
    >>> sim.changes[0].date.date().isoformat(), sim.changes[0].level
    ('2019-08-31', 0.25)
    """
    cfg = _resolve(
        n_days, start, base_rate, ar_coef, ar_sd, dispersion, weekly, changes, deaths_per_attack
    )
    source = _seed_sequence(seed, for_many=False)
    if isinstance(source, np.random.Generator):
        rng, recorded = source, None
    else:
        rng, recorded = np.random.Generator(np.random.PCG64(source)), _seed_to_json(source)
    attacks, deaths, log_intensity = _simulate_block(cfg, [rng])
    frame = pd.DataFrame(
        {
            "attacks": attacks[0],
            "civilian_deaths": deaths[0],
            "intensity": np.exp(log_intensity[0]),
            "log_intensity": log_intensity[0],
        },
        index=cfg.dates,
    )
    params = {**cfg.params, "seed": recorded}
    return SimulatedSeries(frame, cfg.changes, params, cfg.expected_rate())


def simulate_many(
    n_series: int,
    n_days: int = 365,
    *,
    start: DateLike = _DEFAULT_START,
    base_rate: float = 2.0,
    ar_coef: float = 0.6,
    ar_sd: float = 0.3,
    dispersion: float | None = None,
    weekly: Sequence[float] | None = None,
    changes: Sequence[Change | Mapping[str, Any]] = (),
    deaths_per_attack: str | Mapping[str, Any] = "zinb",
    seed: SeedLike = 0,
    output: Literal["frame", "batch"] = "frame",
) -> pd.DataFrame | SimulatedBatch:
    """Simulate many independent series with the same parameters.

    Series ``i`` uses its own generator seeded with ``series_seed(seed, i)`` (the ``i``-th child
    of ``SeedSequence(seed)``), so it is the same whatever ``n_series`` is, and
    ``simulate_conflict(seed=series_seed(seed, i), ...)`` recreates it with its latent intensity.

    Parameters
    ----------
    n_series : int
        Number of series (``>= 1``).
    n_days, start, base_rate, ar_coef, ar_sd, dispersion, weekly, changes, deaths_per_attack
        As in :func:`simulate_conflict`.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None, default 0
        Master seed. A Generator (or ``None``) is turned into a recorded master seed, so the
        batch can still be reproduced from ``params``.
    output : {"frame", "batch"}, default "frame"
        ``"frame"``: a long DataFrame with columns ``series_id``, ``date``, ``attacks``,
        ``civilian_deaths``. ``"batch"``: a :class:`SimulatedBatch` of 2-D arrays
        (series x days) with the intensities, the true changes and the parameters.

    Returns
    -------
    pandas.DataFrame or SimulatedBatch

    Raises
    ------
    SimulationError
        For invalid parameters (see :func:`simulate_conflict`) or ``output``.
    """
    n_series = _count("n_series", n_series, minimum=1)
    if output not in ("frame", "batch"):
        raise SimulationError(f"output must be 'frame' or 'batch', got {output!r}")
    cfg = _resolve(
        n_days, start, base_rate, ar_coef, ar_sd, dispersion, weekly, changes, deaths_per_attack
    )
    master = _seed_sequence(seed, for_many=True)
    assert isinstance(master, np.random.SeedSequence)
    rngs = [np.random.Generator(np.random.PCG64(_child(master, i))) for i in range(n_series)]
    attacks, deaths, log_intensity = _simulate_block(cfg, rngs)
    params = {"n_series": n_series, **cfg.params, "seed": _seed_to_json(master)}
    batch = SimulatedBatch(
        dates=cfg.dates,
        attacks=attacks,
        civilian_deaths=deaths,
        intensity=np.exp(log_intensity),
        changes=cfg.changes,
        params=params,
        expected_rate=cfg.expected_rate(),
    )
    return batch if output == "batch" else batch.to_frame()


# --------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(d)


_IDLIB_2019: dict[str, Any] = {
    "n_days": 245,
    "start": "2019-04-26",
    "base_rate": 4.0,
    "ar_coef": 0.7,
    "ar_sd": 0.35,
    "dispersion": 4.0,
    "weekly": None,
    "changes": (Change(day="2019-08-31", level=0.25, label="ceasefire 31 Aug 2019"),),
    "deaths_per_attack": "zinb",
}


def _calibration(level: float, label: str) -> Mapping[str, Any]:
    spec = dict(_IDLIB_2019)
    spec["changes"] = (Change(day="2019-08-31", level=level, label=label),)
    return _frozen(spec)


#: Named parameter sets for :func:`simulate_conflict` / :func:`simulate_many`.
#:
#: ``"idlib_2019"`` is a *simulation preset, not data*: it is loosely shaped on the north-western
#: Syria series of 2019, with rounded, approximate figures. 245 days from 2019-04-26 (the air
#: escalation) to 2019-12-26; about 4 attacks a day during the offensive; a ceasefire on
#: 2019-08-31 with a stylised 75% drop (``level=0.25``; the recorded incident rate fell by roughly
#: 60-65%); deaths per attack from the ``"zinb"`` model (mean 1.5, heavy tail: a few strikes kill
#: 19 or more); strong overdispersion (``dispersion=4`` on top of the latent process: daily
#: variance/mean of attacks about 3 before the ceasefire) and autocorrelation (latent AR(1) with
#: ``ar_coef=0.7``, ``ar_sd=0.35``). The December 2019 escalation is not modelled.
#:
#: ``"no_effect"``, ``"drop_50"`` and ``"drop_75"`` are for calibration studies: the same design
#: and dynamics as ``"idlib_2019"`` with a change on 2019-08-31 of level 1.0 (no effect: the date
#: is a placebo), 0.5 and 0.25.
PRESETS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "idlib_2019": _frozen(_IDLIB_2019),
        "no_effect": _calibration(1.0, "no change (level 1.0)"),
        "drop_50": _calibration(0.5, "50% drop"),
        "drop_75": _calibration(0.25, "75% drop"),
    }
)

_SIM_KEYS = frozenset(
    {
        "n_days",
        "start",
        "base_rate",
        "ar_coef",
        "ar_sd",
        "dispersion",
        "weekly",
        "changes",
        "deaths_per_attack",
        "seed",
    }
)


def preset(name: str, **overrides: Any) -> dict[str, Any]:
    """Return the keyword arguments of a named preset, with overrides.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`: ``"idlib_2019"``, ``"no_effect"``, ``"drop_50"``,
        ``"drop_75"``.
    **overrides
        Any parameter of :func:`simulate_conflict` (e.g. ``seed=3``, ``dispersion=None``).

    Returns
    -------
    dict
        A fresh dict, to pass as ``simulate_conflict(**kwargs)`` or
        ``simulate_many(n, **kwargs)``.

    Raises
    ------
    SimulationError
        If the name or an override key is unknown.

    Examples
    --------
    >>> kwargs = preset("drop_50", seed=7)
    >>> kwargs["changes"][0].level
    0.5
    """
    if name not in PRESETS:
        raise SimulationError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    unknown = set(overrides) - _SIM_KEYS
    if unknown:
        raise SimulationError(
            f"unknown parameters for preset {name!r}: {sorted(unknown)}; valid: {sorted(_SIM_KEYS)}"
        )
    out = copy.deepcopy(dict(PRESETS[name]))
    out.update(overrides)
    return out
