"""Tests of the batch runner (trends.batch.analyse_many): inputs, backends, refusals, claims."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from trends.batch import RESULT_COLUMNS, analyse_many, task_seed
from trends.errors import InputError, MissingColumnsError, ModelWarning, SchemaError
from trends.events import ReferenceEvent
from trends.models.changepoint import detect_changepoints
from trends.models.claims import verdict
from trends.models.its import fit_its
from trends.models.rates import exact_poisson_ratio
from trends.simulate import preset, simulate_many

N_SERIES = 6
N_DAYS = 200
START = "2019-06-01"
CEASEFIRE = pd.Timestamp("2019-08-31")
ESCALATION = pd.Timestamp("2019-10-15")

# Small and fast: a short ITS simulation (seeded per pair, so that the backends are compared on
# random numbers too) and a smaller change-point search.
FAST = {
    "intervals": "simulation",
    "its_options": {"n_sim": 200},
    "changepoint_options": {"max_changes": 2},
}


def _quiet_fit(*args, **kwargs):
    # analyse_many's default (inference="auto") on these 200-day daily series is the latent AR
    kwargs.setdefault("inference", "latent_ar")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return fit_its(*args, **kwargs)


@pytest.fixture(scope="module")
def long_frame() -> pd.DataFrame:
    kw = preset("drop_50", n_days=N_DAYS, start=START)
    kw.pop("seed", None)
    sim = simulate_many(N_SERIES, **kw, seed=11)
    sim["series_id"] = "r" + sim["series_id"].astype(str)
    # every series has events on the first and last day, so that counting incidents per group
    # gives exactly the same date range
    first, last = sim["date"].min(), sim["date"].max()
    edge = sim["date"].isin([first, last])
    sim.loc[edge, "attacks"] = sim.loc[edge, "attacks"].clip(lower=1)
    return sim.rename(columns={"attacks": "value"})[["series_id", "date", "value"]]


@pytest.fixture(scope="module")
def interventions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "intervention_id": ["ceasefire", "escalation"],
            "date": [CEASEFIRE, ESCALATION],
            "name": ["ceasefire 31 Aug 2019", "escalation"],
        }
    )


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": ["r0", "r1", "r1", None],
            "intervention_id": ["ceasefire", "ceasefire", "ceasefire", "escalation"],
            "window": [30, 30, None, 14],
            "value": [10, 10_000, 5, 1],
            "qualifier": ["more_than", "at_least", "more than", "at_least"],
        }
    )


@pytest.fixture(scope="module")
def reference(long_frame, interventions, claims) -> pd.DataFrame:
    """The in-process (n_jobs=1) table every other backend must reproduce."""
    return analyse_many(
        long_frame, interventions=interventions, claims=claims, n_jobs=1, seed=5, **FAST
    )


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.drop(columns="seconds"), b.drop(columns="seconds"), check_exact=True
    )


def _series_of(long_frame: pd.DataFrame, sid: str) -> pd.Series:
    part = long_frame[long_frame["series_id"] == sid]
    s = pd.Series(part["value"].to_numpy(dtype=float), index=pd.DatetimeIndex(part["date"]))
    s.index.name = "date"
    return s


# ----------------------------------------------------------------------------- the table
def test_one_row_per_pair_with_documented_columns(reference, long_frame, interventions):
    assert list(reference.columns) == list(RESULT_COLUMNS)
    assert len(reference) == N_SERIES * len(interventions)
    pairs = list(zip(reference["series_id"], reference["intervention_id"], strict=True))
    assert pairs == [(f"r{i}", iid) for i in range(N_SERIES) for iid in ("ceasefire", "escalation")]
    assert (reference["status"] == "ok").all()
    assert (reference["n_days"] == N_DAYS).all()
    assert (reference["its_se_type"] == "latent_ar").all()
    assert reference["intervention_date"].dtype == "datetime64[ns]"
    assert reference["reference_in_set"].dtype == "boolean"
    assert (reference["seconds"] > 0).all()
    info = reference.attrs["batch"]
    assert info["backend"] == "local" and info["n_pairs"] == len(reference)


def test_counts_and_exact_rate_ratio(reference, long_frame):
    row = reference.iloc[0]
    s = _series_of(long_frame, "r0")
    before, after = s[s.index < CEASEFIRE], s[s.index >= CEASEFIRE]
    assert row["events_before"] == before.sum() and row["events_after"] == after.sum()
    assert str(reference["events_before"].dtype) == "Int64"  # counts print as whole numbers
    assert row["days_before"] == len(before) and row["days_after"] == len(after)
    exact = exact_poisson_ratio(after.sum(), len(after), before.sum(), len(before))
    assert row["rate_ratio"] == exact["estimate"]
    assert row["rate_ratio_ci_low"] == exact["ci_low"]
    assert row["rate_ratio_ci_high"] == exact["ci_high"]


def test_every_its_row_equals_a_direct_fit(reference, long_frame):
    for row in reference.itertuples():
        s = _series_of(long_frame, row.series_id)
        when = CEASEFIRE if row.intervention_id == "ceasefire" else ESCALATION
        direct = _quiet_fit(s, [when], n_sim=200, seed=int(row.seed))
        assert row.its_level_rr == direct.level_change.estimate
        assert row.its_level_ci_low == direct.level_change.ci_low
        assert row.its_level_ci_high == direct.level_change.ci_high
        assert row.its_slope_rr == direct.slope_change.estimate
        assert row.its_theta == direct.fit.theta
        # the seed column reproduces the simulation-based intervals too
        assert row.its_cum_effect == direct.cumulative_effect["estimate"]
        assert row.its_cum_effect_ci_low == direct.cumulative_effect["ci_low"]
        assert row.its_cum_effect_ci_high == direct.cumulative_effect["ci_high"]


def test_changepoint_columns_match_a_direct_search(reference, long_frame):
    row = reference.iloc[0]
    cp = detect_changepoints(
        _series_of(long_frame, "r0"), model="negbin", reference=CEASEFIRE, max_changes=2
    )
    cmp = cp.comparison
    assert row["changepoint_n_changes"] == cp.n_changes
    assert row["changepoint_date"] == cmp.date
    assert row["changepoint_ci_low"] == cmp.set_low
    assert row["changepoint_ci_high"] == cmp.set_high
    assert row["changepoint_days_off"] == cmp.offset_days
    assert bool(row["reference_in_set"]) == cmp.in_set


def test_seeds_derive_from_batch_seed_and_ids(reference):
    row = reference.iloc[3]
    assert int(row["seed"]) == task_seed(5, row["series_id"], row["intervention_id"])
    assert task_seed(5, 3, "x") == task_seed(5, "3", "x")  # str(id) is what counts
    assert task_seed(5, "a", "x") != task_seed(6, "a", "x")
    assert task_seed(5, "a", "x") != task_seed(5, "x", "a")


# ----------------------------------------------------------------------------- inputs
def test_long_wide_and_incident_inputs_give_the_same_table(
    reference, long_frame, interventions, claims
):
    wide = long_frame.pivot(index="date", columns="series_id", values="value")
    wide.columns.name = None
    from_wide = analyse_many(
        wide, interventions=interventions, claims=claims, n_jobs=1, seed=5, **FAST
    )
    _same(reference, from_wide)

    counts = long_frame["value"].to_numpy().astype(int)
    incidents = pd.DataFrame(
        {
            "date": np.repeat(long_frame["date"].to_numpy(), counts),
            "admin1": np.repeat(long_frame["series_id"].to_numpy(), counts),
        }
    )
    from_incidents = analyse_many(
        incidents,
        by="admin1",
        measure="attacks",
        interventions=interventions,
        claims=claims,
        n_jobs=1,
        seed=5,
        **FAST,
    )
    _same(reference, from_incidents)

    mapping = {sid: _series_of(long_frame, sid) for sid in wide.columns}
    _same(
        reference,
        analyse_many(mapping, interventions=interventions, claims=claims, n_jobs=1, seed=5, **FAST),
    )


def test_long_table_with_gaps_is_put_on_a_daily_grid(long_frame):
    part = long_frame[long_frame["series_id"] == "r0"].drop(index=long_frame.index[[5, 6]])
    out = analyse_many(
        part, interventions={"cf": CEASEFIRE}, steps=("its",), n_jobs=1, its_options={"n_sim": 200}
    )
    row = out.iloc[0]
    assert row["status"] == "ok"
    assert row["n_days"] == N_DAYS  # the two absent days are not reported, not dropped
    assert row["days_before"] == (CEASEFIRE - pd.Timestamp(START)).days - 2


def test_timeline_events_apply_to_every_series_and_restrictions(long_frame):
    events = [
        ReferenceEvent(id="cf", name="ceasefire", kind="ceasefire", start="2019-08-31 06:00"),
        ReferenceEvent(id="esc", name="escalation", kind="offensive", start=ESCALATION),
    ]
    out = analyse_many(long_frame, interventions=events, steps=(), n_jobs=1)
    assert len(out) == 2 * N_SERIES
    assert (out.loc[out["intervention_id"] == "cf", "intervention_date"] == CEASEFIRE).all()

    restricted = pd.DataFrame(
        {
            "intervention_id": ["cf", "local", "local"],
            "date": [CEASEFIRE, ESCALATION, ESCALATION],
            "series_id": [None, "r1", "r4"],
        }
    )
    out = analyse_many(long_frame, interventions=restricted, steps=(), n_jobs=1)
    assert len(out) == N_SERIES + 2
    assert set(out.loc[out["intervention_id"] == "local", "series_id"]) == {"r1", "r4"}


def test_windows_in_days_and_dates(long_frame):
    out = analyse_many(
        long_frame[long_frame["series_id"] == "r2"],
        interventions={"cf": CEASEFIRE},
        steps=("its",),
        window=(30, 45),
        n_jobs=1,
        its_options={"n_sim": 200},
    )
    row = out.iloc[0]
    assert row["n_days"] == 75 and row["days_before"] == 30 and row["days_after"] == 45
    assert row["window_start"] == CEASEFIRE - pd.Timedelta(days=30)
    assert row["window_end"] == CEASEFIRE + pd.Timedelta(days=44)
    s = _series_of(long_frame, "r2").loc[row["window_start"] : row["window_end"]]
    # 75 days: shorter than the latent-AR default's 120, so "auto" is the count GLM
    direct = _quiet_fit(s, [CEASEFIRE], n_sim=200, seed=int(row["seed"]), inference="glm")
    assert row["its_se_type"] == "hac"
    assert row["its_level_rr"] == direct.level_change.estimate

    out = analyse_many(
        long_frame[long_frame["series_id"] == "r2"],
        interventions={"cf": CEASEFIRE},
        steps=(),
        window=("2019-08-01", None),
        n_jobs=1,
    )
    assert out.iloc[0]["window_start"] == pd.Timestamp("2019-08-01")
    assert (
        out.iloc[0]["n_days"]
        == (pd.Timestamp(START) + pd.Timedelta(days=N_DAYS - 1) - pd.Timestamp("2019-08-01")).days
        + 1
    )


# ----------------------------------------------------------------------------- refusals
def test_failing_series_are_reported_and_do_not_stop_the_batch(long_frame):
    idx = pd.date_range(START, periods=N_DAYS, freq="D")
    few = np.zeros(N_DAYS)
    few[[10, 150]] = 1.0
    data = {
        "good": _series_of(long_frame, "r0"),
        "zeros": pd.Series(0.0, index=idx),
        "few": pd.Series(few, index=idx),
        "short": pd.Series([3.0, 4.0, 2.0], index=pd.date_range("2019-08-30", periods=3)),
    }
    ivs = pd.DataFrame(
        {
            "intervention_id": ["cf", "late"],
            "date": [CEASEFIRE, "2021-01-01"],
            "series_id": [None, "good"],
        }
    )
    out = analyse_many(data, interventions=ivs, n_jobs=1, **FAST).set_index(
        ["series_id", "intervention_id"]
    )
    assert out.loc[("good", "cf"), "status"] == "ok"
    assert np.isfinite(out.loc[("good", "cf"), "its_level_rr"])
    zeros = out.loc[("zeros", "cf"), "status"]
    assert "its:" in zeros and "no events" in zeros and "changepoint:" in zeros
    assert np.isnan(out.loc[("zeros", "cf"), "its_level_rr"])
    assert out.loc[("zeros", "cf"), "events_before"] == 0
    assert "at least 10 are needed" in out.loc[("few", "cf"), "status"]
    assert "changepoint:" in out.loc[("short", "cf"), "status"]
    late = out.loc[("good", "late"), "status"]
    assert "not inside the data" in late
    assert np.isnan(out.loc[("good", "late"), "rate_ratio"])


def test_model_warnings_are_collected(long_frame):
    idx = pd.date_range(START, periods=120, freq="D")
    y = np.r_[np.full(60, 1.0), np.full(60, 0.0)]
    y[[70, 90]] = 1.0
    y[[5, 9]] = 0.0
    out = analyse_many(
        {"thin": pd.Series(y, index=idx)},
        interventions={"cf": idx[60]},
        steps=("its",),
        n_jobs=1,
        its_options={"n_sim": 200},
    )
    assert out.iloc[0]["status"] == "ok"
    assert "its: Small counts" in out.iloc[0]["warnings"]


# ----------------------------------------------------------------------------- claims
def test_claim_verdicts(reference, long_frame):
    ref = reference.set_index(["series_id", "intervention_id"])
    s0 = _series_of(long_frame, "r0")
    first30 = float(
        s0[(s0.index >= CEASEFIRE) & (s0.index < CEASEFIRE + pd.Timedelta(days=30))].sum()
    )
    row = ref.loc[("r0", "ceasefire")]
    assert row["n_claims"] == 1
    assert row["claim_observed"] == first30
    expected, gap, _ = verdict(first30, first30, first30, 10, "more_than")
    assert row["claim_verdict"] == expected and row["claim_gap"] == gap
    # two claims on one pair: counts of verdicts
    assert ref.loc[("r1", "ceasefire"), "n_claims"] == 2
    assert ref.loc[("r1", "ceasefire"), "claim_verdict"] == "not supported: 1; supported: 1"
    # a claim without series applies to every series; pairs without a claim have 0 claims
    assert (ref.xs("escalation", level="intervention_id")["n_claims"] == 1).all()
    assert ref.loc[("r2", "ceasefire"), "n_claims"] == 0
    details = pd.DataFrame(reference.attrs["claims"])
    assert len(details) == 1 + 2 + N_SERIES
    assert set(details.columns) >= {"claim_id", "verdict", "observed_best", "window_start"}


def test_claim_window_outside_the_data_is_undetermined(long_frame):
    """A window reaching outside the data is undetermined, unless the counts inside already
    prove it: days the data miss can only add (a floor)."""
    claims = pd.DataFrame(
        {
            "claim_id": ["reached", "unreached", "exceeded"],
            "window_start": ["2019-05-01"] * 3,
            "window_end": ["2019-09-30"] * 3,
            "value": [1, 10**9, 1],
            "qualifier": ["at_least", "at_least", "at_most"],
        }
    )
    out = analyse_many(
        long_frame[long_frame["series_id"] == "r3"],
        interventions={"cf": CEASEFIRE},
        steps=("claims",),
        claims=claims,
        n_jobs=1,
    )
    details = {d["claim_id"]: d for d in out.attrs["claims"]}
    assert details["unreached"]["verdict"] == "undetermined"
    assert details["reached"]["verdict"] == "supported"
    assert details["exceeded"]["verdict"] == "not supported"
    assert all("outside the data" in d["reason"] for d in details.values())


def test_death_claims_use_the_low_high_range_of_incidents():
    incidents = pd.DataFrame(
        {
            "date": pd.to_datetime(["2019-08-01", "2019-08-20", "2019-09-01", "2019-09-05"] * 5),
            "admin1": ["A"] * 20,
            "civilian_deaths_low": [1, 2, 3, np.nan] * 5,
            "civilian_deaths_best": [2, 2, 4, 5] * 5,
            "civilian_deaths_high": [3, 4, 6, 5] * 5,
        }
    )
    claims = pd.DataFrame({"window": [6], "value": [40], "qualifier": ["at_least"]})
    out = analyse_many(
        incidents,
        by="admin1",
        measure="deaths_best",
        interventions={"cf": "2019-08-31"},
        steps=("claims",),
        claims=claims,
        n_jobs=1,
    )
    d = out.attrs["claims"][0]
    # after 31 Aug: best 5 x (4 + 5) = 45, low 5 x (3 + 5) = 40 (missing low -> best), high 55
    assert (d["observed_low"], d["observed_best"], d["observed_high"]) == (40.0, 45.0, 55.0)
    assert out.iloc[0]["claim_verdict"] == "supported"


# ----------------------------------------------------------------------------- backends
def test_process_pool_gives_the_same_table(reference, long_frame, interventions, claims):
    out = analyse_many(
        long_frame,
        interventions=interventions,
        claims=claims,
        n_jobs=2,
        chunk_size=2,
        seed=5,
        **FAST,
    )
    assert out.attrs["batch"]["backend"] == "processes"
    assert out.attrs["batch"]["n_chunks"] == 3
    _same(reference, out)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.slow
def test_dask_cluster_gives_the_same_table(
    dask_client, reference, long_frame, interventions, claims
):
    seen: list[tuple[int, int]] = []
    out = analyse_many(
        long_frame,
        interventions=interventions,
        claims=claims,
        client=dask_client,
        chunk_size=1,
        seed=5,
        progress=lambda done, total: seen.append((done, total)),
        **FAST,
    )
    assert out.attrs["batch"]["backend"] == "dask"
    assert out.attrs["batch"]["n_chunks"] == N_SERIES
    _same(reference, out)
    assert seen[-1] == (len(reference), len(reference))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_progress_callback_and_default_analytic_intervals(long_frame):
    seen: list[tuple[int, int]] = []
    out = analyse_many(
        long_frame,
        interventions={"cf": CEASEFIRE},
        steps=("its",),
        n_jobs=1,
        chunk_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, N_SERIES), (4, N_SERIES), (6, N_SERIES)]
    assert out.attrs["batch"]["intervals"] == "analytic"
    direct = _quiet_fit(_series_of(long_frame, "r0"), [CEASEFIRE], intervals="analytic")
    assert out.iloc[0]["its_level_rr"] == direct.level_change.estimate
    assert out.iloc[0]["its_cum_effect_ci_low"] == direct.cumulative_effect["ci_low"]
    assert out.iloc[0]["its_cum_effect_ci_high"] == direct.cumulative_effect["ci_high"]


def test_missing_distributed_extra_names_the_install_command(monkeypatch, long_frame):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "trends\[distributed\]"'):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, steps=(), client="tcp://x:1")


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_raise_clear_errors(long_frame):
    with pytest.raises(InputError, match="unknown steps"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, steps=("placebo",))
    with pytest.raises(MissingColumnsError, match="value"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, value_col="attacks")
    with pytest.raises(InputError, match="window"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, window="90 days")
    with pytest.raises(InputError, match="by="):
        analyse_many(
            pd.DataFrame({"date": ["2019-01-01"], "admin1": ["A"]}),
            interventions={"cf": "2019-01-01"},
        )
    with pytest.raises(InputError, match="n_jobs"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, n_jobs=0)
    with pytest.raises(InputError, match="two values"):
        analyse_many(pd.concat([long_frame, long_frame.iloc[:1]]), interventions={"cf": CEASEFIRE})
    with pytest.raises(InputError, match="unknown fit_its options"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, its_options={"nsim": 100})
    with pytest.raises(InputError, match="set by analyse_many"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, its_options={"seed": 1})
    with pytest.raises(InputError, match="set by analyse_many"):
        analyse_many(
            long_frame, interventions={"cf": CEASEFIRE}, its_options={"intervals": "analytic"}
        )
    with pytest.raises(InputError, match="intervals"):
        analyse_many(long_frame, interventions={"cf": CEASEFIRE}, intervals="bootstrap")
    bad = long_frame.astype({"value": object})
    bad.loc[bad.index[3], "value"] = "n/a"
    with pytest.raises(InputError, match="non-numeric"):
        analyse_many(bad, interventions={"cf": CEASEFIRE})
    with pytest.raises(InputError, match="no qualifier"):
        analyse_many(
            long_frame,
            interventions={"cf": CEASEFIRE},
            claims=pd.DataFrame({"value": [1]}),
            steps=("claims",),
        )


def test_inference_glm_gives_newey_west_everywhere(long_frame):
    one = long_frame[long_frame["series_id"] == "r0"]
    out = analyse_many(one, interventions={"cf": CEASEFIRE}, steps=("its",), n_jobs=1,
                       inference="glm")  # fmt: skip
    assert (out["its_se_type"] == "hac").all()
    direct = _quiet_fit(_series_of(long_frame, "r0"), [CEASEFIRE], intervals="analytic",
                        inference="glm")  # fmt: skip
    assert out.iloc[0]["its_level_rr"] == direct.level_change.estimate
    with pytest.raises(InputError, match="inference"):
        analyse_many(one, interventions={"cf": CEASEFIRE}, inference="bayes", n_jobs=1)


# ------------------------------------------------------------- series built in the workers
def test_deferred_tasks_are_the_tasks_built_in_the_caller(long_frame, interventions, claims):
    from trends import batch
    from trends.pipeline.plan import normalise_interventions, parse_window

    rows = batch._claims_table(claims, "series_id")
    args = (long_frame, "series_id", "date", "value", None, "x", rows)
    raw, ranges = batch._raw_series_of(*args, defer=False)
    pending, _ = batch._raw_series_of(*args)
    assert all(isinstance(v, batch._PendingSeries) for v in pending.values())
    events = normalise_interventions(interventions, "series_id")
    window = parse_window((60, 40))
    eager = batch._tasks(batch._count_series(raw, ranges, "value"), events, rows, "value",
                         window, 3)  # fmt: skip
    deferred = batch._raw_tasks(pending, ranges, events, rows, "value", window, 3)
    deferred = [t.task() for t in deferred]
    assert len(deferred) == len(eager) == N_SERIES
    for a, b in zip(eager, deferred, strict=True):
        assert a.series_id == b.series_id and a.measure == b.measure
        assert [e.id for e in a.events] == [e.id for e in b.events]
        assert a.windows == b.windows and a.seeds == b.seeds and a.claims == b.claims
        pd.testing.assert_frame_equal(a.series.counts, b.series.counts)


def test_count_series_input_and_long_table_give_the_same_rows(long_frame):
    from trends import batch

    two = long_frame[long_frame["series_id"].isin(["r0", "r1"])]
    raw, ranges = batch._raw_series_of(
        two, "series_id", "date", "value", None, "x", [], defer=False
    )
    mapping = batch._count_series(raw, ranges, "value")
    kw = {"interventions": {"cf": CEASEFIRE}, "steps": ("its",), "n_jobs": 1, "inference": "glm"}
    _same(analyse_many(two, **kw), analyse_many(mapping, **kw))


def test_bad_counts_are_refused_from_the_workers(long_frame):
    bad = long_frame.copy()
    bad.loc[bad.index[5], "value"] = -3.0
    for jobs in (1, 2):
        with pytest.raises(InputError, match="negative"):
            analyse_many(bad, interventions={"cf": CEASEFIRE}, steps=(), n_jobs=jobs,
                         chunk_size=2)  # fmt: skip


def test_series_outside_every_intervention_are_still_checked(long_frame):
    bad = long_frame.copy()
    bad.loc[bad["series_id"] == "r1", "value"] = -1.0
    only_r0 = pd.DataFrame({"intervention_id": ["cf"], "date": [CEASEFIRE], "series_id": ["r0"]})
    with pytest.raises(InputError, match="negative"):
        analyse_many(bad, interventions=only_r0, steps=(), n_jobs=1)


@pytest.mark.parametrize("drop_column", [False, True])
def test_a_measure_the_incident_table_has_no_figure_for_is_refused_not_counted_as_zero(
    drop_column,
):
    # Incidents in two regions of an invented conflict, with no death figure anywhere: counting
    # deaths per region would report zeros that no source gave.
    days = pd.date_range("2022-03-01", periods=120)
    rng = np.random.default_rng(5)
    rows = [
        {"date": day, "province": region, "civilian_deaths_best": np.nan}
        for region in ("Kivu", "Ituri")
        for day in days
        for _ in range(int(rng.poisson(1.5)))
    ]
    table = pd.DataFrame(rows)
    if drop_column:
        table = table.drop(columns="civilian_deaths_best")
    why = "no 'civilian_deaths_best' column" if drop_column else "none of its .* rows has"
    with pytest.raises(SchemaError, match=f"no figure for measure 'deaths_best' \\({why}"):
        analyse_many(
            table,
            interventions={"truce": "2022-05-01"},
            by="province",
            measure="deaths_best",
            steps=("its",),
            n_jobs=1,
        )
    # Attacks are counted from the rows themselves and are analysed.
    out = analyse_many(
        table,
        interventions={"truce": "2022-05-01"},
        by="province",
        measure="attacks",
        steps=("its",),
        n_jobs=1,
        **{k: v for k, v in FAST.items() if k != "changepoint_options"},
    )
    assert sorted(out["series_id"]) == ["Ituri", "Kivu"]
    assert out["events_before"].sum() + out["events_after"].sum() == len(table)
