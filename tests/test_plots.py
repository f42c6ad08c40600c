"""Charts: files written, panels, titles, labels, non-overlapping event labels, plotted numbers."""

from __future__ import annotations

import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from pandas.testing import assert_frame_equal, assert_series_equal

from trends.errors import InputError
from trends.events import ReferenceEvent
from trends.models.changepoint import detect_changepoints
from trends.models.claims import check_claims
from trends.models.its import fit_its
from trends.models.placebo import placebo_test
from trends.plots import (
    plot_changepoints,
    plot_claims,
    plot_cumulative,
    plot_its,
    plot_placebo,
    plot_small_multiples,
    plotted_data,
    save,
)
from trends.plots.claims import FINDING_SHORT
from trends.plots.style import EventMark, draw_events, new_figure, place_title
from trends.series import count_series, cumulative_since, rolling_rate
from trends.simulate import Change, simulate_conflict

CEASEFIRE = pd.Timestamp("2019-08-31 06:00")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _overlap(a, b) -> bool:
    """Strict overlap of two display boxes (touching is not overlapping)."""
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def event_labels(fig) -> list:
    """The event-label text artists of every axes (as registered by draw_events)."""
    return [t for ax in fig.axes for t, _ in getattr(ax, "_trends_event_labels", [])]


def assert_no_overlap(fig, texts) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), f"labels overlap: {ta!r} and {tb!r}"


def assert_saved(fig, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    save(fig, path)
    assert path.exists() and path.stat().st_size > 5_000
    with open(path, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def figure_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def assert_titled(fig, title: str | None = None) -> None:
    texts = figure_texts(fig)
    bold = [t for t in fig.texts if t.get_fontweight() in ("bold", 700)]
    assert bold, "no figure title"
    if title is not None:
        assert title in texts
    assert any(t.startswith("Source:") for t in texts), "no footer with the source"


# --------------------------------------------------------------------------------------------
# result objects from small seeded simulations (fast and self-contained)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim():
    return simulate_conflict(
        200,
        start="2019-05-01",
        base_rate=4.0,
        ar_sd=0.15,
        changes=[Change(day="2019-08-31", level=0.2, label="ceasefire")],
        seed=3,
    )


@pytest.fixture(scope="module")
def deaths(sim):
    return sim.frame["civilian_deaths"].astype(float).rename("civilian_deaths")


@pytest.fixture(scope="module")
def attacks(sim):
    return sim.frame["attacks"].astype(float).rename("attacks")


@pytest.fixture(scope="module")
def ceasefire():
    return ReferenceEvent(
        id="ceasefire", name="Ceasefire in force", kind="ceasefire", start=CEASEFIRE
    )


@pytest.fixture(scope="module")
def events(ceasefire):
    return [
        ReferenceEvent(
            id="truce", name="Conditional truce in force", kind="truce", start="2019-08-02"
        ),
        ReferenceEvent(
            id="announced", name="Ceasefire announced", kind="ceasefire", start="2019-08-30"
        ),
        ceasefire,
        ReferenceEvent(
            id="strikes",
            name="First strikes after the ceasefire",
            kind="escalation",
            start="2019-09-10",
        ),
        ReferenceEvent(id="far", name="Outside the data", kind="other", start="2021-01-01"),
    ]


@pytest.fixture(scope="module")
def its_result(deaths, ceasefire):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_its(deaths, ceasefire, n_sim=300, seed=1)


@pytest.fixture(scope="module")
def cp_result(attacks, ceasefire):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return detect_changepoints(attacks, reference=ceasefire)


@pytest.fixture(scope="module")
def placebo_result(deaths, its_result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return placebo_test(deaths, its_result)


@pytest.fixture(scope="module")
def incidents():
    """A small incident table: one row per day and region with deaths."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2019-05-01", "2019-10-31", freq="D")
    rows = []
    for i, day in enumerate(days):
        for region, rate in (("Idlib", 2.0), ("Hama", 0.8), ("Aleppo", 0.4), ("Latakia", 0.1)):
            k = rng.poisson(rate * (0.25 if day >= CEASEFIRE.normalize() else 1.0))
            for j in range(k):
                best = int(rng.integers(0, 6))
                rows.append(
                    {
                        "incident_id": f"I{i}-{region}-{j}",
                        "date": day,
                        "admin1": region,
                        "civilian_deaths_low": max(best - 1, 0),
                        "civilian_deaths_best": best,
                        "civilian_deaths_high": best + int(rng.integers(0, 3)),
                        "child_deaths": 0,
                        "injured": best,
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def claims_check(incidents):
    claims = pd.DataFrame(
        {
            "claim_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "as_of": pd.to_datetime(
                ["2019-06-01", "2019-07-15", "2019-08-30", "2019-09-30", "2019-10-31", "2019-10-31"]
            ),
            "window_start": pd.to_datetime(
                ["2019-05-01", "2019-05-01", "2019-05-01", "2019-08-31", "2019-08-31", "2019-08-31"]
            ),
            "window_end": pd.to_datetime(
                ["2019-06-01", "2019-07-15", "2019-08-30", "2019-09-30", "2019-10-31", "2019-10-31"]
            ),
            "quantity": ["civilian_deaths"] * 6,
            "value": [20, 700, 400, 10, 5000, 30],
            "qualifier": ["at_least", "more_than", "around", "at_least", "fewer_than", "exactly"],
            "source": ["SOHR (via AFP)", "SNHR", "UN OHCHR report", "SOHR", "Someone", "SNHR"],
        }
    )
    return check_claims(claims, incidents)


@pytest.fixture(scope="module")
def daily(incidents):
    return count_series(incidents, start="2019-05-01", end="2019-10-31")


# --------------------------------------------------------------------------------------------
# 1. interrupted time series
# --------------------------------------------------------------------------------------------
def test_its_chart(its_result, events, tmp_path):
    fig, axes = plot_its(its_result, events=events, source="simulated", title="ITS test")
    assert len(axes) == 3 and all(isinstance(a, Axes) for a in axes)
    assert_saved(fig, tmp_path, "its")
    assert_titled(fig, "ITS test")
    for ax in axes:
        assert ax.get_ylabel()
    assert "per day" in axes[0].get_ylabel()
    labels = event_labels(fig)
    texts = [t.get_text().replace("\n", " ") for t in labels]
    # the intervention (taking the matching event's kind), the other events, not the far one
    assert "Ceasefire in force" in texts
    assert "Conditional truce in force" in texts
    assert "First strikes after the ceasefire" in texts
    assert "Outside the data" not in texts
    assert texts.count("Ceasefire in force") == 1
    assert_no_overlap(fig, labels)
    # labels only on the top panel, lines on all
    assert all(not getattr(ax, "_trends_event_labels", []) for ax in axes[1:])
    frame = its_result.frame
    assert_frame_equal(
        plotted_data(fig, "observed"),
        frame[["observed", "used", "transition", "fitted", "counterfactual", "cf_ci_low",
               "cf_ci_high", "cf_pi_low", "cf_pi_high"]],
    )  # fmt: skip
    assert_frame_equal(plotted_data(fig, "effect"), frame[["effect", "effect_low", "effect_high"]])
    assert_frame_equal(
        plotted_data(axes[2], "cumulative"),
        frame[["cum_effect", "cum_effect_low", "cum_effect_high"]],
    )


def test_its_subtitle_holds_result_numbers(its_result):
    fig, _ = plot_its(its_result)
    lc = its_result.level_change
    joined = " ".join(figure_texts(fig))
    assert f"{lc.estimate:.2f}" in joined
    assert "cumulative difference" in joined


def test_its_result_plot_and_single_axes(its_result):
    out = its_result.plot()
    assert isinstance(out, tuple) and len(out[1]) == 3
    fig, ax = plt.subplots()
    got = its_result.plot(ax=ax)
    assert got is ax
    assert_frame_equal(plotted_data(ax, "observed")[["observed", "fitted"]],
                       its_result.frame[["observed", "fitted"]])  # fmt: skip
    fig3, axes3 = new_figure(3)
    fig_out, axes_out = plot_its(its_result, axes=axes3)
    assert fig_out is fig3 and axes_out == axes3
    with pytest.raises(InputError):
        plot_its(its_result, axes=axes3[:2])


# --------------------------------------------------------------------------------------------
# 2. change points
# --------------------------------------------------------------------------------------------
def test_changepoint_chart(cp_result, tmp_path):
    assert cp_result.n_changes >= 1
    fig, axes = plot_changepoints(cp_result, source="simulated")
    assert len(axes) == 2
    assert_saved(fig, tmp_path, "changepoints")
    assert_titled(fig, "When did the rate of attacks change?")
    assert axes[0].get_ylabel() == "attacks per day"
    assert axes[1].get_ylabel() in ("likelihood weight", "posterior probability")
    assert axes[1].get_title(loc="left").startswith("Date of change")
    labels = event_labels(fig)
    texts = [t.get_text().replace("\n", " ") for t in labels]
    assert any(t.startswith("Change 1:") for t in texts)
    assert "Ceasefire in force" in texts
    assert_no_overlap(fig, labels)
    # the reference label in the bottom panel shows the comparison's probability
    bottom = " ".join(t.get_text() for t in axes[1].texts)
    assert f"{cp_result.comparison.prob_at_or_before:.2f}" in bottom
    series = plotted_data(fig, "series")
    assert_series_equal(series["observed"], cp_result.series, check_names=False)
    assert_series_equal(series["fitted"], cp_result.fitted, check_names=False)
    assert_frame_equal(plotted_data(fig, "segments"), cp_result.segments)
    assert_frame_equal(plotted_data(fig, "breaks"), cp_result.breaks)
    post = plotted_data(fig, "posterior")
    assert_series_equal(post["weight"], cp_result.posterior, check_names=False)
    assert post.loc[post["in_set"]].index.equals(cp_result.confidence_sets[cp_result.primary])


def test_changepoint_result_plot(cp_result):
    out = cp_result.plot()
    assert isinstance(out, tuple) and len(out[1]) == 2
    fig, ax = plt.subplots()
    assert cp_result.plot(ax=ax) is ax
    assert len(fig.axes) == 1
    assert_no_overlap(fig, event_labels(fig))


def test_changepoint_explicit_reference_and_no_change():
    idx = pd.date_range("2020-01-01", periods=120, freq="D")
    flat = pd.Series(np.random.default_rng(2).poisson(3.0, 120).astype(float), index=idx,
                     name="attacks")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = detect_changepoints(flat)
    fig, axes = plot_changepoints(res, reference=("2020-02-15", "Truce", "truce"))
    assert "Truce" in [t.get_text() for t in event_labels(fig)]
    if res.n_changes == 0:
        assert len(plotted_data(fig, "posterior")) == 0


# --------------------------------------------------------------------------------------------
# 3. placebo
# --------------------------------------------------------------------------------------------
def test_placebo_chart(placebo_result, tmp_path):
    ax = plot_placebo(placebo_result, source="simulated")
    fig = ax.figure
    assert isinstance(ax, Axes) and len(fig.axes) == 1
    assert_saved(fig, tmp_path, "placebo")
    assert_titled(fig)
    assert ax.get_xscale() == "log"
    assert "rate ratio" in ax.get_xlabel() and ax.get_ylabel() == "number of fake dates"
    label = " ".join(t.get_text() for t in ax.texts)
    assert f"{placebo_result.real_rate_ratio:.2f}" in label
    assert f"p = {placebo_result.p_value:.3f}" in label or "p < 0.001" in label
    data = plotted_data(fig, "placebo")
    assert_series_equal(data["log_rr"], placebo_result.placebo_log_rr, check_names=False)
    np.testing.assert_allclose(data["rate_ratio"], np.exp(placebo_result.placebo_log_rr))
    real = plotted_data(fig, "real").iloc[0]
    assert real["real_log_rr"] == placebo_result.real_log_rr
    assert real["p_value"] == placebo_result.p_value
    assert real["n_placebos"] == placebo_result.n_placebos
    # the drawn histogram holds every placebo estimate
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == placebo_result.n_placebos


def test_placebo_result_plot(placebo_result):
    ax = placebo_result.plot()
    assert isinstance(ax, Axes)
    fig, own = plt.subplots()
    assert placebo_result.plot(ax=own) is own


# --------------------------------------------------------------------------------------------
# 4. cumulative with claims, and the claims check
# --------------------------------------------------------------------------------------------
def test_cumulative_chart(daily, claims_check, ceasefire, tmp_path):
    cum = cumulative_since(daily, ceasefire)
    post = claims_check.frame[claims_check.frame["window_start_date"] == "2019-08-31"]
    ax = plot_cumulative(cum, claims=post, event=ceasefire, source="simulated")
    fig = ax.figure
    assert len(fig.axes) == 1
    assert_saved(fig, tmp_path, "cumulative")
    assert_titled(fig, "Civilian deaths recorded since Ceasefire in force")
    assert "cumulative" in ax.get_ylabel()
    labels = event_labels(fig)
    assert [t.get_text().replace("\n", " ") for t in labels] == ["Ceasefire in force"]
    expected = cum[["deaths_low", "deaths_best", "deaths_high"]].set_axis(
        ["low", "best", "high"], axis=1
    )
    assert_frame_equal(plotted_data(fig, "cumulative"), expected)
    drawn = plotted_data(fig, "claims")
    assert list(drawn["value"]) == list(post["value"].astype(float))
    assert list(drawn["date"]) == list(post["as_of"])
    # claim labels: present, short, and not overlapping each other or the event label
    claim_texts = [t for t in ax.texts if t not in labels]
    assert "at least 10 (SOHR, 30 Sep 2019)" in [t.get_text() for t in claim_texts]
    assert "fewer than 5,000 (Someone, 31 Oct 2019)" in [t.get_text() for t in claim_texts]
    assert_no_overlap(fig, claim_texts + labels)


def test_cumulative_plain_columns_and_labels(ceasefire):
    idx = pd.date_range("2019-08-31", periods=30, freq="D")
    best = np.arange(30.0) * 2
    cum = pd.DataFrame({"low": best * 0.8, "best": best, "high": best * 1.5}, index=idx)
    claims = pd.DataFrame(
        {
            "window_end": pd.to_datetime(["2019-09-10", "2019-09-11", "2019-09-12"]),
            "value": [20, 21, 22],
            "qualifier": ["more_than", "around", "exactly"],
            "label": ["first", "second", "third"],
        }
    )
    ax = plot_cumulative(cum, claims=claims)
    assert_frame_equal(plotted_data(ax, "cumulative"), cum)
    texts = [t for t in ax.texts if t.get_text() in ("first", "second", "third")]
    assert len(texts) == 3
    assert_no_overlap(ax.figure, texts)
    with pytest.raises(InputError):
        plot_cumulative(cum.rename(columns={"low": "lo"}))


def test_claims_chart(claims_check, tmp_path):
    ax = plot_claims(claims_check, source="simulated")
    fig = ax.figure
    assert len(fig.axes) == 1
    assert_saved(fig, tmp_path, "claims")
    assert_titled(fig, "Published claims against the incident data")
    assert "claim's window" in ax.get_xlabel()
    checked = claims_check.checked
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == len(checked)
    assert ticks[0].startswith(str(checked["claim_id"].iloc[0]))
    data = plotted_data(fig, "claims")
    cols = ["claim_id", "value", "qualifier", "observed_low", "observed_best", "observed_high",
            "verdict"]  # fmt: skip
    assert_frame_equal(data[cols], checked[cols])
    # the finding (issue 10: the bare three-valued verdict hid what the data show) is written at
    # the end of each row and colour-coded in a legend
    verdicts = [t.get_text() for t in ax.texts]
    assert verdicts == [FINDING_SHORT[f] for f in checked["finding"]]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("supported" in t for t in legend) and any("claim:" in t for t in legend)
    fig.canvas.draw()
    assert_no_overlap(fig, ax.get_yticklabels())


def test_claims_result_plot(claims_check):
    ax = claims_check.plot()
    assert isinstance(ax, Axes)
    fig, own = plt.subplots()
    assert claims_check.plot(ax=own) is own


# --------------------------------------------------------------------------------------------
# 5. small multiples
# --------------------------------------------------------------------------------------------
def test_small_multiples(incidents, events, tmp_path):
    wide = count_series(incidents, freq="W", by="admin1", start="2019-04-29", end="2019-11-03")
    fig, axes = plot_small_multiples(wide, events=events, source="simulated")
    groups = ["Aleppo", "Hama", "Idlib", "Latakia"]
    assert len(axes) == 4 and len(fig.axes) == 4
    assert_saved(fig, tmp_path, "small_multiples")
    # the area word from the column, never its raw key (issue 10)
    assert_titled(fig, "Civilian deaths per week, by first-level area")
    assert axes[0].get_ylabel()
    # numbered labels on the first panel only, named in a key
    labels = event_labels(fig)
    assert [t.get_text() for t in labels] == ["1", "2", "3", "4"]
    assert all(not getattr(ax, "_trends_event_labels", []) for ax in axes[1:])
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert key[2].startswith("3  Ceasefire in force")
    assert_no_overlap(fig, labels)
    for ax, group in zip(axes, groups, strict=True):
        assert group in [t.get_text() for t in ax.texts]
        assert_series_equal(
            plotted_data(fig, group)["value"], wide[("deaths_best", group)], check_names=False
        )


def test_small_multiples_rolling_one_column(daily, incidents, events):
    wide = count_series(incidents, by="admin1", start="2019-05-01", end="2019-10-31")
    roll = rolling_rate(wide, 7)
    fig, axes = plot_small_multiples(
        wide, measure="attacks", events=events, ncols=1, rolling=roll, sharey=False
    )
    assert len(axes) == 4
    labels = event_labels(fig)
    assert "Ceasefire in force" in [t.get_text().replace("\n", " ") for t in labels]
    assert_no_overlap(fig, labels)
    data = plotted_data(fig, "Idlib")
    assert_series_equal(data["rolling_mean"], roll[("attacks", "Idlib")], check_names=False)
    with pytest.raises(InputError):
        plot_small_multiples(daily)
    with pytest.raises(InputError):
        plot_small_multiples(wide, measure="nothing")


# --------------------------------------------------------------------------------------------
# house style: event labels never overlap, even when close, mixed in height, near the edge
# --------------------------------------------------------------------------------------------
def test_draw_events_never_overlap_and_survive_layout():
    fig, ax = new_figure(1)
    idx = pd.date_range("2019-01-01", periods=60, freq="D")
    ax.plot(idx, np.arange(60))
    ax.set_xlim(idx[0], idx[-1])
    marks = [
        EventMark(idx[5], "A long label that wraps onto two lines", "ceasefire"),
        EventMark(idx[6], "Short", "truce"),
        EventMark(idx[7], "Another rather long event label here", "offensive"),
        EventMark(idx[8], "X", "other"),
        EventMark(idx[30], "Middle", "agreement"),
        EventMark(idx[58], "An event right at the edge of the chart", "escalation"),
    ]
    texts = draw_events(ax, marks)
    assert len(texts) == len(marks)
    fig.set_size_inches(5, 3)  # a layout change after drawing: place_title re-stacks
    fig.tight_layout()
    place_title(fig, "Title")
    assert_no_overlap(fig, texts)
    renderer = fig.canvas.get_renderer()
    right = ax.get_window_extent(renderer).x1
    assert texts[-1].get_window_extent(renderer).x1 <= right + 1


# --------------------------------------------------------------------------------------------
# the bundled Idlib 2019 case end to end (a few seconds)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def idlib(founding_analysis):
    """The bundled case and its analysis (conftest.py: the founding case, computed once per run)."""
    from trends.datasets import load_idlib_2019

    return load_idlib_2019(), founding_analysis


def test_idlib_charts(idlib, tmp_path):
    case, a = idlib
    tl = case.timeline
    events = [tl[i] for i in ("truce_aug1_effective", "ceasefire_aug31_announced",
                              "ceasefire_aug31_effective", "first_strikes_after_truce")]  # fmt: skip
    its = a.outcomes["civilian_deaths"].its
    fig, _ = plot_its(its, events=events, source="bundled")
    assert_no_overlap(fig, event_labels(fig))
    assert_saved(fig, tmp_path, "idlib_its")
    fig, _ = a.outcomes["attacks"].changepoint.plot()
    assert_no_overlap(fig, event_labels(fig))
    assert_saved(fig, tmp_path, "idlib_cp")
    ax = a.outcomes["attacks"].placebo.plot()
    assert_saved(ax.figure, tmp_path, "idlib_placebo")
    ax = a.claims.plot()
    assert_no_overlap(ax.figure, ax.get_yticklabels())
    assert_saved(ax.figure, tmp_path, "idlib_claims")


# --------------------------------------------------------------------------------------------
# issue 10, item 5: absent figures, axes, legends, area words, words that never over-claim
# --------------------------------------------------------------------------------------------
def _legend_clear_of(ax, xs, ys) -> None:
    """Every point drawn below the legend where the legend spans it (the legend is off the data)."""
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    pts = ax.transData.transform(np.c_[matplotlib.dates.date2num(xs), np.asarray(ys, float)])
    under = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & np.isfinite(pts[:, 1])
    assert (pts[under, 1] < box.y0).all(), "the legend covers data"


def test_cumulative_without_low_high_draws_no_band(ceasefire):
    idx = pd.date_range("2019-08-31", periods=40, freq="D")
    best = np.arange(40.0) * 5
    for low, high in ((best, best), (best * 0, best * 0)):  # equal to best, or absent as zeros
        cum = pd.DataFrame({"low": low, "best": best, "high": high}, index=idx)
        ax = plot_cumulative(cum, event=ceasefire)
        assert not ax.collections, "a band was drawn for absent low/high figures"
        legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
        assert "no low or high figures" in legend and "Low" not in legend
        top = ax.get_ylim()[1]
        assert best.max() < top <= best.max() * 1.25  # scaled to the line, not to the zeros
    cum = pd.DataFrame({"low": best * 0.8, "best": best, "high": best * 1.5}, index=idx)
    ax = plot_cumulative(cum)
    assert len(ax.collections) == 1 and ax.get_ylim()[1] >= best.max() * 1.5


def test_claims_chart_of_a_tally_draws_no_zero_range():
    days = pd.date_range("2025-03-18", periods=10, freq="D")
    inc = pd.DataFrame({"date": days, "civilian_deaths_best": pd.array([571] * 10, dtype="Int64")})
    claims = pd.DataFrame(
        {
            "claim_id": ["G1", "G2"],
            "window_start": ["2025-03-18"] * 2,
            "window_end": ["2025-03-27"] * 2,
            "quantity": ["civilian_deaths"] * 2,
            "value": [5759, 5000],
            "qualifier": ["exactly", "more_than"],
            "source": ["Ministry", "Agency"],
        }
    )
    ax = plot_claims(check_claims(claims, inc))
    bars = [ln for ln in ax.get_lines() if ln.get_linewidth() == 5]
    assert bars == []  # no low-high bar for a tally
    words = [t.get_text() for t in ax.texts]
    assert words == ["consistent", "confirmed"]
    every = " ".join(t.get_text() for t in ax.figure.texts + ax.texts)
    assert "0-0" not in every and "0\u20130" not in every and "exactly" not in every


def test_small_multiples_need_two_areas_and_name_them_in_words(incidents):
    one = incidents[incidents["admin1"] == "Idlib"]
    wide = count_series(one, freq="W", by="admin1", start="2019-04-29", end="2019-11-03")
    with pytest.raises(InputError, match="two or more"):
        plot_small_multiples(wide)
    wide = count_series(incidents, freq="W", by="admin1", start="2019-04-29", end="2019-11-03")
    fig, _ = plot_small_multiples(wide, area_label="province", source="simulated")
    assert_titled(fig, "Civilian deaths per week, by province")
    assert not any("governorate" in t for t in figure_texts(fig))


def test_its_axis_scaled_to_the_data_and_legend_off_it(its_result):
    fig, axes = plot_its(its_result)
    frame = its_result.frame
    data_top = np.nanmax(frame[["observed", "fitted", "counterfactual"]].to_numpy(float))
    assert axes[0].get_ylim()[1] <= data_top * 1.6
    left = frame.index  # daily series: the dots sit at mid-day
    _legend_clear_of(axes[0], left + pd.Timedelta(hours=12), frame["observed"])


def test_its_subtitle_never_over_claims():
    from trends.verdicts import NO_CHANGE

    sim = simulate_conflict(n_days=160, base_rate=3, seed=11).frame["attacks"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_its(sim, [sim.index[100]])
    fig, _ = plot_its(res)
    joined = " ".join(figure_texts(fig)).replace("\n", " ")
    lc = res.level_change
    assert (NO_CHANGE in joined) == (lc.ci_low <= 1 <= lc.ci_high)
    post = res.diagnostics["events_by_segment"]
    assert ("small counts" in joined) == (list(post.values())[-1] < 30)


def test_placebo_label_is_a_rank(placebo_result):
    ax = plot_placebo(placebo_result)
    label = " ".join(t.get_text() for t in ax.texts)
    assert "placebo estimates" in label and f"1/{placebo_result.n_placebos + 1}" in label


def test_idlib_change_point_within_a_day_of_the_06_00_ceasefire(idlib):
    _, a = idlib
    fig, _ = a.outcomes["attacks"].changepoint.plot()
    joined = " ".join(figure_texts(fig)).replace("\n", " ")
    # the dependence-aware date set (29 Aug to 5 Sep 2019) holds the ceasefire's day
    assert "matches" in joined and "outside" not in joined


# --------------------------------------------------------------------------------------------
# the chart registry: results draw through trends.results.draw, never importing the plots
# --------------------------------------------------------------------------------------------
def _result_classes() -> dict[str, type]:
    """Every subclass of Result defined in the package (the modules that define them imported)."""
    import importlib

    from trends.results import Result

    for module in (
        "trends.models.its",
        "trends.models.placebo",
        "trends.models.changepoint",
        "trends.models.claims",
        "trends.models.rates",
        "trends.models.totals",
        "trends.models.placebo_space",
        "trends.models.pretrend",
        "trends.models.latent_ar",
        "trends.analysis",
        "trends.verdicts",
    ):
        importlib.import_module(module)
    found: dict[str, type] = {}
    todo = [Result]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("trends.") and sub.__name__ not in found:
                found[sub.__name__] = sub
                todo.append(sub)
    return found


def test_every_registered_chart_is_for_a_result_type_that_exists():
    import trends.plots
    from trends.results import CHARTS

    classes = _result_classes()
    assert set(trends.plots.RESULT_CHARTS) <= set(CHARTS)
    for name, chart in trends.plots.RESULT_CHARTS.items():
        assert name in classes, f"chart registered for {name}, which is no Result class"
        assert CHARTS[name] is chart
    # the model results and the analysis all have a chart (tests/test_plots_results.py: all)
    assert {"ITSResult", "PlaceboResult", "ChangePointResult", "ClaimsCheck"} <= set(CHARTS)
    assert {"RateComparison", "TotalsComparison", "SpacePlaceboResult", "PreTrendCheck",
            "LatentARResult"} <= set(CHARTS)  # fmt: skip
    assert "CeasefireAnalysis" in CHARTS


def test_draw_on_a_result_without_a_chart_raises_and_subclasses_inherit_charts(monkeypatch):
    from trends import results
    from trends.results import Result, draw, register_chart

    class Unplottable(Result):
        def summary(self):
            return pd.DataFrame()

        def report(self):
            return "nothing"

        def to_dict(self):
            return {}

    with pytest.raises(NotImplementedError, match="Unplottable"):
        draw(Unplottable())
    with pytest.raises(NotImplementedError, match="Unplottable"):
        Unplottable().plot()

    class Child(Unplottable):
        pass

    monkeypatch.setattr(results, "CHARTS", dict(results.CHARTS))
    calls = []

    @register_chart("Unplottable")
    def chart(result, ax=None, **kwargs):
        calls.append((type(result).__name__, ax, kwargs))
        return "drawn"

    assert Child().plot(ax="AX", title="t") == "drawn"  # found along the MRO
    assert calls == [("Child", "AX", {"title": "t"})]


def test_models_do_not_import_the_plots():
    import subprocess
    import sys

    code = (
        "import sys, trends.models.its, trends.models.placebo, trends.models.changepoint, "
        "trends.models.claims, trends.models.rates, trends.analysis; "
        "print(any(m.startswith('trends.plots') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_its_huge_bands_are_cut_by_the_axis_and_said_so(its_result):
    """A latent-AR-like fit with enormous bands: the axes follow the lines, a note says so."""
    import copy

    res = copy.copy(its_result)
    frame = its_result.frame.copy()
    post = frame["counterfactual"].notna()
    for col in ("cf_ci_high", "cf_pi_high"):
        frame.loc[post, col] = frame.loc[post, col] * 1_000
    frame.loc[post, "effect_low"] = -55_160.0
    frame.loc[post, "cum_effect_low"] = np.linspace(-100, -121_832, int(post.sum()))
    res.frame = frame
    res.settings = {**its_result.settings, "inference": "latent_ar"}
    fig, axes = plot_its(res)
    joined = " ".join(figure_texts(fig) + [t.get_text() for a in axes for t in a.texts]).replace(
        "\n", " "
    )
    top = np.nanmax(frame[["observed", "fitted", "counterfactual"]].to_numpy(float))
    assert axes[0].get_ylim()[1] <= top * 1.6
    for ax, col in zip(axes[1:], ("effect", "cum_effect"), strict=True):
        line = frame[col].dropna().to_numpy(float)
        span = max(line.max(), 0) - min(line.min(), 0)
        lo, hi = ax.get_ylim()
        assert hi - lo <= 4 * span and lo >= min(line.min(), 0) - 2 * span
    assert "band extends beyond the axis" in joined
    assert "\u2212121,832" in joined and "\u221255,160" in joined
    assert "bands extend beyond the axis" in joined  # the top panel's
    assert "latent AR(1) log intensity" in joined
    # moderate bands (the fixture's GLM fit): no note, the band inside the axis
    fig, axes = plot_its(its_result)
    joined = " ".join(figure_texts(fig) + [t.get_text() for a in axes for t in a.texts]).replace(
        "\n", " "
    )
    assert "beyond the axis" not in joined and "latent AR" not in joined
    assert axes[2].get_ylim()[0] <= np.nanmin(its_result.frame["cum_effect_low"])


def test_its_flagged_projection_does_not_set_the_axis_and_is_said_not_shown(its_result):
    """A projection the result flags as uninformative (a counterfactual climbing to 1e19): the
    top panel's axis follows the observed data, the chart says the counterfactual runs off it,
    and no number of the counterfactual or of the differences from it is printed."""
    import copy

    res = copy.copy(its_result)
    frame = its_result.frame.copy()
    post = frame["counterfactual"].notna()
    huge = np.geomspace(10.0, 2.5e19, int(post.sum()))
    for col in ("counterfactual", "cf_ci_low", "cf_ci_high", "cf_pi_low", "cf_pi_high"):
        frame.loc[post, col] = huge
    for col in ("effect", "effect_low", "effect_high"):
        frame.loc[post, col] = -huge
    for col in ("cum_effect", "cum_effect_low", "cum_effect_high"):
        frame.loc[post, col] = -np.cumsum(huge)
    res.frame = frame
    res.cumulative_effect = {**its_result.cumulative_effect, "projection_uninformative": True}
    fig, axes = plot_its(res)
    joined = " ".join(figure_texts(fig) + [t.get_text() for a in axes for t in a.texts]).replace(
        "\n", " "
    )
    obs_top = np.nanmax(frame["observed"].to_numpy(float))
    assert axes[0].get_ylim()[1] <= obs_top * 1.6
    assert "counterfactual runs off the chart" in joined and "barely known" in joined
    assert "cumulative difference is not shown" in joined.lower()
    assert "beyond the axis" not in joined  # no band extreme quoted
    assert not any(len(t.replace(",", "")) > 12 and t.replace(",", "").isdigit()
                   for t in joined.split())  # fmt: skip
    for ax in axes[1:]:
        assert max(abs(v) for v in ax.get_ylim()) <= 1.0


def test_its_panel_titles_are_clear_of_their_legends():
    # a short pre-period puts the effect panels' legends on their title lines; the long
    # "Cumulative difference since 15 Jun 2023" ran under the legend (the sweep's c2/c3 charts)
    rng = np.random.default_rng(0)
    n, c = 111, 30
    y = rng.poisson(np.where(np.arange(n) < c, 12.0, 6.0)).astype(float)
    s = pd.Series(y, index=pd.date_range("2023-05-16", periods=n), name="killed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_its(s, s.index[c], inference="glm", se="hac")
    assert not res.cumulative_effect["projection_uninformative"]
    fig, axes = plot_its(res)
    renderer = fig.canvas.get_renderer()
    for ax in axes[1:]:
        title, legend = ax._left_title, ax.get_legend()
        t, leg = title.get_window_extent(renderer), legend.get_window_extent(renderer)
        assert t.x1 + 6 <= leg.x0 or t.y1 < leg.y0 or leg.y1 < t.y0, title.get_text()
    assert "Cumulative difference" in axes[2]._left_title.get_text()
    assert "15 Jun 2023" in axes[2]._left_title.get_text()


def test_its_flagged_projection_inside_the_axis_is_not_said_to_run_off_it(its_result):
    """Flagged as uninformative (its bands are wide) but with a counterfactual line that stays
    under the observed data's top: the chart does not say the line runs off it."""
    import copy

    res = copy.copy(its_result)
    frame = its_result.frame.copy()
    post = frame["counterfactual"].notna()
    frame.loc[post, "counterfactual"] = 0.5 * np.nanmax(frame["observed"].to_numpy(float))
    res.frame = frame
    res.cumulative_effect = {**its_result.cumulative_effect, "projection_uninformative": True}
    fig, axes = plot_its(res)
    joined = " ".join(figure_texts(fig) + [t.get_text() for a in axes for t in a.texts]).replace(
        "\n", " "
    )
    assert "runs off the chart" not in joined
    assert "counterfactual's bands are not shown" in joined and "barely known" in joined


def test_the_reference_label_of_the_date_panel_stays_off_the_y_axis_title():
    """A reference near the left edge with the most likely date to its right: its label (with
    P(on or before it)) used to be right-aligned at its line, across the axis onto the
    y-axis title "likelihood weight" (sweep item 3); it now goes right of the line."""
    rng = np.random.default_rng(2)
    index = pd.date_range("2021-03-03", "2021-09-15")
    counts = pd.Series(
        rng.poisson(np.where(index < "2021-06-10", 8.0, 5.0)).astype(float),
        index=index,
        name="deaths",
    )
    res = detect_changepoints(counts, reference=pd.Timestamp("2021-03-12"))
    fig, axes = plot_changepoints(res, source="simulated")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bottom = axes[1]
    label = next(t for t in bottom.texts if "P(new rate began" in t.get_text())
    box = label.get_window_extent(renderer)
    assert box.x0 >= bottom.get_window_extent(renderer).x0
    assert not box.overlaps(bottom.yaxis.label.get_window_extent(renderer))
    plt.close(fig)


def test_the_timeline_names_a_plain_counts_measure_not_incidents():
    """A counts series whose measure is "attacks" holds no incidents: with the measure's words
    its y label is "attacks per week", not the incident table's "incidents per week"."""
    from trends.plots.timeline import plot_timeline

    index = pd.date_range("2021-01-04", periods=20, freq="7D")
    frame = pd.DataFrame({"attacks": np.arange(20.0)}, index=index)
    fig, axes = plot_timeline(frame, measures=["attacks"], measure_words={"attacks": "attacks"})
    assert axes[0].get_ylabel() == "attacks per week"
    plt.close(fig)
    fig, axes = plot_timeline(frame, measures=["attacks"])  # an incident table's attacks
    assert axes[0].get_ylabel() == "incidents per week"
    plt.close(fig)
