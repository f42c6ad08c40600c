"""Every result draws itself: ``plot()`` returns a chart or raises the typed NoChartError.

The contract test walks every concrete :class:`trends.results.Result` subclass of the package
and builds a small real instance of each through the public functions; a new result type fails
it until it has a factory here (and a chart, or a reason to have none). The other tests check
that the numbers the new charts draw (:func:`trends.plots.plotted_data`) are the result's.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import trends
from trends.errors import NoChartError, TrendsError
from trends.results import Result, draw

INTERVENTION = "2019-07-15"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------
# small real results
# --------------------------------------------------------------------------------------------
def _simulated(seed: int, level: float, name: str = "attacks") -> pd.Series:
    from trends.simulate import Change, simulate_conflict

    sim = simulate_conflict(
        120,
        start="2019-05-01",
        base_rate=4.0,
        ar_sd=0.1,
        changes=[Change(day=INTERVENTION, level=level, label="change")],
        seed=seed,
    )
    return sim.frame["attacks"].astype(float).rename(name)


@pytest.fixture(scope="module")
def series() -> pd.Series:
    return _simulated(2, 0.4)


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for i, day in enumerate(pd.date_range("2019-05-01", "2019-08-31", freq="D")):
        for region, rate in (("Idlib", 2.0), ("Hama", 0.8)):
            after = day >= pd.Timestamp(INTERVENTION)
            for j in range(rng.poisson(rate * (0.3 if after else 1.0))):
                best = int(rng.integers(0, 6))
                rows.append(
                    {
                        "incident_id": f"I{i}-{region}-{j}",
                        "date": day,
                        "admin1": region,
                        "civilian_deaths_low": max(best - 1, 0),
                        "civilian_deaths_best": best,
                        "civilian_deaths_high": best + 1,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def its(series):
    from trends.models.its import fit_its

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_its(series, INTERVENTION, n_sim=100, seed=1, inference="glm")


@pytest.fixture(scope="module")
def rates(series):
    from trends.models.rates import compare_rates

    return compare_rates(series, ("2019-05-01", "2019-07-14"), ("2019-07-15", "2019-08-28"))


@pytest.fixture(scope="module")
def rates_nb_missing():
    """No events before: the negative binomial ratio is not estimated (estimate None)."""
    from trends.models.rates import compare_rates

    idx = pd.date_range("2019-05-01", periods=60)
    y = pd.Series(np.r_[np.zeros(30), np.ones(30)], index=idx, name="civilian_deaths")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_rates(y, ("2019-05-01", "2019-05-30"), ("2019-05-31", "2019-06-29"))


@pytest.fixture(scope="module")
def totals():
    from trends.models.totals import compare_totals

    return compare_totals(
        "213 in the 31 days before", "95 in the 30 days after", measure="civilians killed"
    )


@pytest.fixture(scope="module")
def space_placebo(series, its):
    from trends.models.placebo_space import placebo_in_space

    others = {f"Area {k}": _simulated(10 + k, 1.0) for k in range(5)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return placebo_in_space(series, others, its, target="Idlib")


@pytest.fixture(scope="module")
def pretrend(series):
    from trends.models.pretrend import check_pre_trend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check_pre_trend(series, INTERVENTION)


@pytest.fixture(scope="module")
def pretrend_untested(series):
    from trends.models.pretrend import check_pre_trend

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check_pre_trend(series.iloc[:20], "2019-05-15")


@pytest.fixture(scope="module")
def latent(series):
    from trends.models.latent_ar import fit_latent_ar

    y = series.copy()
    y.iloc[5:8] = np.nan
    x = pd.DataFrame(
        {"intercept": 1.0, "after": (y.index >= pd.Timestamp(INTERVENTION)).astype(float)},
        index=y.index,
    )
    return fit_latent_ar(y, x)


@pytest.fixture(scope="module")
def analysis(incidents):
    from trends.analysis import analyse_ceasefire

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_ceasefire(
            incidents, INTERVENTION, placebo=False, change_dates=False, robustness=False
        )


def _factories(request) -> dict:
    """Result class name -> a function building a small real instance."""
    get = request.getfixturevalue

    def placebo():
        from trends.models.placebo import placebo_test

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return placebo_test(get("series"), get("its"))

    def changepoints():
        from trends.models.changepoint import detect_changepoints

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return detect_changepoints(get("series"), reference=INTERVENTION)

    def date_set():
        from trends.models.changepoint_dateset import change_date_set

        return change_date_set(get("series"), n_sim=200)

    def claims():
        from trends.models.claims import check_claims

        table = pd.DataFrame(
            {
                "claim_id": ["C1"],
                "as_of": pd.to_datetime(["2019-07-01"]),
                "window_start": pd.to_datetime(["2019-05-01"]),
                "window_end": pd.to_datetime(["2019-07-01"]),
                "quantity": ["civilian_deaths"],
                "value": [100],
                "qualifier": ["at_least"],
                "source": ["A monitor"],
            }
        )
        return check_claims(table, get("incidents"))

    def bottom_lines():
        from trends.verdicts.bottom_line import Evidence, bottom_lines

        return bottom_lines([Evidence(outcome="deaths", measure="deaths", unit="day")])

    return {
        "ITSResult": lambda: get("its"),
        "PlaceboResult": placebo,
        "ChangePointResult": changepoints,
        "ReferenceComparison": lambda: changepoints().compare(INTERVENTION),
        "ChangeDateSet": date_set,
        "ClaimsCheck": claims,
        "CeasefireAnalysis": lambda: get("analysis"),
        "RateComparison": lambda: get("rates"),
        "TotalsComparison": lambda: get("totals"),
        "SpacePlaceboResult": lambda: get("space_placebo"),
        "PreTrendCheck": lambda: get("pretrend"),
        "LatentARResult": lambda: get("latent"),
        "BottomLine": lambda: bottom_lines()["deaths"],
        "BottomLines": bottom_lines,
    }


#: Results that hold text, not numbers to chart: ``plot()`` raises NoChartError.
TEXT_ONLY = {"BottomLine", "BottomLines", "ReferenceComparison"}


def _concrete_result_classes() -> dict[str, type]:
    """Every concrete Result subclass defined in the package (all modules imported)."""
    for info in pkgutil.walk_packages(trends.__path__, "trends."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional dependency (batch backends...) is not installed
            continue
    found: dict[str, type] = {}
    todo = [Result]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("trends.") and not inspect.isabstract(sub):
                found[sub.__name__] = sub
    return found


def _is_chart(drawn) -> bool:
    """Axes, or (Figure, Axes or a list of Axes)."""
    if isinstance(drawn, Axes):
        return True
    if isinstance(drawn, tuple) and len(drawn) == 2 and isinstance(drawn[0], Figure):
        axes = drawn[1] if isinstance(drawn[1], list | tuple) else [drawn[1]]
        return all(isinstance(a, Axes) for a in axes)
    return False


# --------------------------------------------------------------------------------------------
# the contract
# --------------------------------------------------------------------------------------------
def test_every_result_type_draws_a_chart_or_raises_the_typed_error(request):
    classes = _concrete_result_classes()
    factories = _factories(request)
    missing = sorted(set(classes) - set(factories))
    assert not missing, f"result types without a factory in this test: {missing}"
    for name, cls in sorted(classes.items()):
        result = factories[name]()
        assert isinstance(result, cls), name
        if name in TEXT_ONLY:
            with pytest.raises(NoChartError, match=name) as caught:
                result.plot()
            assert isinstance(caught.value, NotImplementedError)  # what plot() raised before
            assert isinstance(caught.value, TrendsError)
            assert caught.value.result_type == name
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            drawn = result.plot()
        assert _is_chart(drawn), f"{name}.plot() returned {type(drawn).__name__}"
        plt.close("all")


def test_every_chartable_result_type_is_registered():
    import trends.plots

    classes = _concrete_result_classes()
    assert set(classes) - TEXT_ONLY <= set(trends.plots.RESULT_CHARTS)
    assert not TEXT_ONLY & set(trends.plots.RESULT_CHARTS)


def test_no_chart_error_from_draw_names_the_type_and_what_to_read():
    from trends.verdicts.bottom_line import Evidence, bottom_line

    line = bottom_line(Evidence(outcome="deaths", measure="deaths"))
    with pytest.raises(NoChartError, match=r"BottomLine: read it with report\(\)"):
        draw(line)


# --------------------------------------------------------------------------------------------
# the numbers drawn are the result's
# --------------------------------------------------------------------------------------------
def _nan(x) -> float:
    return math.nan if x is None else float(x)


def test_rate_comparison_chart_draws_the_results_numbers(rates):
    from trends.plots import plotted_data

    fig, axes = rates.plot(source="simulated")
    assert len(axes) == 2
    drawn = plotted_data(fig)
    table = rates.summary()
    for phase in ("before", "after"):
        for col in ("count", "n_periods", "n_missing", "rate"):
            assert drawn["rates"].loc[phase, col] == pytest.approx(float(table.loc[phase, col]))
        assert drawn["rates"].loc[phase, "start"] == table.loc[phase, "start"]
    for key, held in (("exact", rates.rate_ratio), ("model", rates.rate_ratio_nb)):
        for col in ("estimate", "ci_low", "ci_high", "p_value"):
            assert drawn["ratios"].loc[key, col] == pytest.approx(_nan(held[col]))
        assert drawn["ratios"].loc[key, "drawn"]
    # counts are printed as integers, the measure in words
    texts = [t.get_text() for t in axes[0].texts]
    assert any(t.startswith(f"{int(rates.before.count):,} attacks in ") for t in texts)
    assert axes[0].get_xlabel().startswith("attacks per day")


def test_rate_comparison_says_a_missing_model_ratio_and_does_not_draw_it(rates_nb_missing):
    from trends.plots import plotted_data

    r = rates_nb_missing
    assert r.rate_ratio_nb["estimate"] is None
    fig, axes = r.plot()
    ratios = plotted_data(fig, "ratios")
    assert not ratios.loc["model", "drawn"] and math.isnan(ratios.loc["model", "estimate"])
    assert ratios.loc["exact", "estimate"] == math.inf  # none before: infinite, not drawn
    words = " ".join(t.get_text().replace("\n", " ") for t in axes[1].texts)
    assert "not estimated" in words and "no events in the before window" in words
    assert "no upper limit" in words


def test_rate_comparison_on_a_given_axes_draws_the_ratios_there(rates):
    from trends.plots import plotted_data

    fig, ax = plt.subplots()
    assert rates.plot(ax=ax) is ax
    assert set(plotted_data(fig)) == {"ratios"}


def test_totals_comparison_chart_draws_the_results_numbers(totals):
    from trends.plots import plotted_data

    ax = totals.plot(source="a newspaper")
    assert isinstance(ax, Axes)
    drawn = plotted_data(ax)
    for name, total in (("before", totals.before), ("after", totals.after)):
        assert drawn["rates"].loc[name, "count"] == total.count
        assert drawn["rates"].loc[name, "days"] == total.days
        assert drawn["rates"].loc[name, "rate"] == pytest.approx(total.rate)
        low, high = total.rate_interval(totals.alpha)
        assert drawn["rates"].loc[name, ["ci_low", "ci_high"]].tolist() == pytest.approx(
            [low, high]
        )
    ratio = drawn["ratio"].iloc[0]
    assert [ratio["estimate"], ratio["ci_low"], ratio["ci_high"], ratio["p_value"]] == (
        pytest.approx([totals.estimate, totals.ci_low, totals.ci_high, totals.p_value])
    )
    assert "213 in 31 days" in " ".join(t.get_text() for t in ax.texts)
    assert ax.get_xlabel().startswith("civilians killed per day (95% interval")


def test_totals_chart_words_an_unbounded_ratio_at_the_results_level():
    from trends.models.totals import compare_totals

    ax = compare_totals("0/31", "5/30", alpha=0.1).plot()
    texts = " ".join(t.get_text() for t in ax.figure.texts)
    assert "unbounded above" in texts and "90% lower limit" in texts and "inf" not in texts
    assert "90% interval" in ax.get_xlabel()


def test_space_placebo_chart_draws_the_results_numbers(space_placebo):
    from trends.plots import plotted_data

    r = space_placebo
    ax = r.plot()
    drawn = plotted_data(ax)
    units = drawn["units"]
    for col in ("log_rr", "se", "t", "rate_ratio", "events"):
        assert units[col].to_numpy() == pytest.approx(r.units[col].to_numpy())
    assert units["drawn"].to_numpy() == pytest.approx(r.units["t"].to_numpy())
    assert int(units["as_large"].sum()) == r.n_as_large
    target = drawn["target"].loc["Idlib"]
    assert target["t"] == pytest.approx(r.real_t)
    assert target["p_value"] == pytest.approx(r.p_value)
    assert [t.get_text() for t in ax.get_yticklabels()].count("Idlib") == 1
    assert ax.get_xlabel() == "level change over its standard error (t)"


def test_pretrend_chart_draws_both_level_changes(pretrend):
    from trends.plots import plotted_data

    assert pretrend.tested
    ax = pretrend.plot()
    drawn = plotted_data(ax)
    for key, rr in (
        ("linear", pretrend.level_change_linear),
        ("curved", pretrend.level_change_curved),
    ):
        row = drawn["level_changes"].loc[key]
        assert [row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]] == pytest.approx(
            [rr.estimate, rr.ci_low, rr.ci_high, rr.p_value]
        )
    assert drawn["test"].iloc[0]["p_value"] == pytest.approx(pretrend.p_value)
    assert pretrend.headline() in " ".join(t.get_text().replace("\n", " ") for t in ax.figure.texts)


def test_pretrend_not_run_raises_no_chart_error_with_its_reason(pretrend_untested):
    assert not pretrend_untested.tested
    with pytest.raises(NoChartError, match="not run"):
        pretrend_untested.plot()


def test_latent_ar_chart_draws_the_counts_and_the_latent_intensity(latent):
    from trends.plots import plotted_data

    fig, axes = latent.plot(measure="attacks")
    assert len(axes) == 2
    drawn = plotted_data(fig)
    np.testing.assert_array_equal(drawn["observed"]["observed"].to_numpy(), latent.y)
    np.testing.assert_allclose(drawn["latent"]["latent"].to_numpy(), latent.latent.to_numpy())
    assert axes[0].get_ylabel() == "attacks per day"
    assert "3 periods not reported" in " ".join(t.get_text() for t in fig.texts)
    fig2, ax = plt.subplots()
    assert latent.plot(ax=ax) is ax
    assert set(plotted_data(fig2)) == {"observed"}


def test_a_ratio_without_limits_is_drawn_without_an_interval(rates):
    from dataclasses import replace

    from trends.plots import plotted_data

    held = dict(rates.rate_ratio_nb, ci_low=None, ci_high=float("nan"))
    fig, axes = replace(rates, rate_ratio_nb=held).plot()
    ratios = plotted_data(fig, "ratios")
    assert ratios.loc["model", "drawn"] and math.isnan(ratios.loc["model", "ci_low"])
    assert any("(no interval)" in t.get_text() for t in axes[1].texts)
