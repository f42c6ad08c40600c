"""The timeline chart: written, two panels, title, labelled events that do not overlap, and the
numbers drawn equal to the series it was given."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from trends.plots.style import PhaseMark, plotted_data, save
from trends.plots.timeline import plot_timeline
from trends.series import count_series, rolling_rate

EVENTS = [
    ("2019-04-30", "Offensive launched", "offensive"),
    ("2019-05-06", "Ground offensive", "offensive"),
    ("2019-08-30", "Ceasefire announced", "ceasefire"),
    ("2019-08-31", "Ceasefire in force", "ceasefire"),
    ("2019-09-10", "First strikes after the ceasefire", "escalation"),
]


def _frame():
    rng = np.random.default_rng(4)
    idx = pd.date_range("2019-04-26", "2019-12-15", freq="D", name="date")
    after = idx >= "2019-08-31"
    return pd.DataFrame(
        {
            "deaths_best": rng.poisson(np.where(after, 2, 7)).astype(float),
            "attacks": rng.poisson(np.where(after, 1, 4)).astype(float),
        },
        index=idx,
    )


def test_timeline_chart(tmp_path):
    frame = _frame()
    rolling = frame.rolling(7, min_periods=4).mean()
    phases = [
        PhaseMark(pd.Timestamp("2019-04-30"), pd.Timestamp("2019-08-30"), "offensive"),
        PhaseMark(pd.Timestamp("2019-08-31"), pd.Timestamp("2019-12-15"), "after"),
    ]
    fig, axes = plot_timeline(
        frame,
        rolling=rolling,
        events=EVENTS,
        phases=phases,
        title="Deaths and attacks",
        source="test data",
    )
    assert len(axes) == 2
    path = tmp_path / "timeline.png"
    save(fig, path)
    assert path.stat().st_size > 10_000
    texts = [t.get_text() for t in fig.texts]
    assert "Deaths and attacks" in texts
    assert any("Source: test data" in t for t in texts)
    assert (
        axes[0].get_ylabel() == "civilian deaths per day"
        and axes[1].get_ylabel() == "incidents per day"
    )
    labels = [t for t in axes[0].texts if t.get_text().replace("\n", " ") in {e[1] for e in EVENTS}]
    assert len(labels) == len(EVENTS)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    for col in ("deaths_best", "attacks"):
        drawn = plotted_data(fig, col)
        pd.testing.assert_series_equal(drawn["value"], frame[col], check_names=False)
        pd.testing.assert_series_equal(drawn["rolling_mean"], rolling[col], check_names=False)


def test_missing_periods_are_blank_not_zero():
    frame = _frame()
    frame.iloc[10:20] = np.nan
    fig, axes = plot_timeline(frame)
    assert plotted_data(fig, "attacks")["value"].iloc[10:20].isna().all()


def test_analysis_plot_returns_figure_and_axes():
    from trends.analysis import analyse_ceasefire
    from trends.simulate import simulate_conflict

    sim = simulate_conflict(
        n_days=200, base_rate=4, changes=[{"day": 120, "level": 0.3}], seed=2
    ).frame
    rows = []
    for day, n in sim["attacks"].items():
        rows += [
            {"incident_id": f"{day:%Y%m%d}-{k}", "date": day, "civilian_deaths_best": 1}
            for k in range(int(n))
        ]
    inc = pd.DataFrame(rows)
    for col in ("civilian_deaths_low", "civilian_deaths_high"):
        inc[col] = inc["civilian_deaths_best"]
    a = analyse_ceasefire(inc, sim.index[120], placebo=False, robustness=False)
    fig, axes = a.plot()
    assert len(axes) == 2
    counts = count_series(inc, start=a.start, end=a.end, measures=("attacks",))
    pd.testing.assert_series_equal(
        plotted_data(fig, "attacks")["value"], counts["attacks"], check_names=False
    )
    # the line is the centred 7-day mean the analysis carries (the documented choice, the same
    # as the report's timeline; it pinned a trailing mean before)
    pd.testing.assert_series_equal(
        plotted_data(fig, "attacks")["rolling_mean"],
        rolling_rate(a.counts[["attacks", "deaths_best"]], 7, center=True)["attacks"],
        check_names=False,
    )
    pd.testing.assert_series_equal(
        plotted_data(fig, "attacks")["rolling_mean"], a.rolling["attacks"], check_names=False
    )
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "centred 7-day rolling mean" in legend


def test_window_named_events_numbered_axis_scaled_and_legend_off_the_data():
    import matplotlib.dates as mdates

    frame = _frame()
    rolling = frame.rolling(7, min_periods=4).mean()
    many = [
        (f"2019-{m:02d}-{d:02d}", f"Event {m}-{d}", "truce") for m in (5, 6, 7, 9) for d in (3, 20)
    ]
    fig, axes = plot_timeline(frame, rolling=rolling, rolling_window=7, events=many, source="t")
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "7-day rolling mean" in legend
    # eight events: numbered on the chart, named in a key in the footer
    numbers = [t.get_text() for t in axes[0].texts if t.get_text().isdigit()]
    assert numbers == [str(k) for k in range(1, 9)]
    footer = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Events: 1 Event 5-3 (3 May 2019); 2 Event 5-20" in footer
    # axes scaled to the data, the legend above it
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax, col in zip(axes, ("deaths_best", "attacks"), strict=True):
        top = max(frame[col].max(), rolling[col].max())
        assert ax.get_ylim()[1] == pytest.approx(top * 1.3)
        box = ax.get_legend().get_window_extent(renderer)
        pts = ax.transData.transform(np.c_[mdates.date2num(frame.index), frame[col].to_numpy()])
        under = (pts[:, 0] >= box.x0 - 3) & (pts[:, 0] <= box.x1 + 3)
        assert (pts[under, 1] < box.y0).all()
    # the window can also come with the frame
    rolling.attrs.update(window=7, center=True)
    fig, axes = plot_timeline(frame, rolling=rolling)
    assert "centred 7-day rolling mean" in [t.get_text() for t in axes[0].get_legend().get_texts()]


def _footer(fig) -> str:
    return " ".join(t.get_text().replace("\n", " ") for t in fig.texts)


def test_footer_dates_are_days_of_data_not_period_labels_and_cut_periods_are_hatched():
    import matplotlib.pyplot as plt

    from trends.plots.style import footer_span

    months = pd.date_range("2023-08-01", periods=8, freq="MS")
    frame = pd.DataFrame({"attacks": [60, 40, 62, 69, 84, 82, 70, 25]}, index=months)
    assert footer_span(frame.index) == (pd.Timestamp("2023-08-01"), pd.Timestamp("2024-03-31"))
    partial = pd.Series([False] * 7 + [True], index=months)
    fig, axes = plot_timeline(frame, measures=["attacks"], source="X",
                              data_span=(months[0], pd.Timestamp("2024-03-11")), partial=partial)  # fmt: skip
    text = _footer(fig)
    assert "Data 1 Aug 2023 to 11 Mar 2024" in text and "Hatched" in text
    hatched = [c for c in axes[0].collections if c.get_hatch()]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 1
    plt.close(fig)
