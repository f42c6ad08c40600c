"""Review "words": bars span their periods, charts and text share number words, rates never
print as 0.00, "announced" only when the input says so, natural period phrases, window reasons
that hold for any data, and a claims axis that names the claims' measure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from types import SimpleNamespace

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from trends.models.changepoint import detect_changepoints
from trends.models.its import fit_its
from trends.models.totals import compare_totals
from trends.plots.changepoint import plot_changepoints
from trends.plots.claims import plot_claims
from trends.plots.timeline import plot_timeline
from trends.verdicts.words import fmt_ratio, timing_of_change


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bars(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if getattr(c, "_trends_bars", False)]


def _spans(coll: PolyCollection) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out = []
    for path in coll.get_paths():
        xs = path.vertices[:, 0]
        out.append(
            (
                pd.Timestamp(mdates.num2date(xs.min())).tz_localize(None),
                pd.Timestamp(mdates.num2date(xs.max())).tz_localize(None),
            )
        )
    return out


# 1. bars span their periods; partial periods hatched, in the timeline and change-point chart


def test_monthly_timeline_bars_span_their_months():
    months = pd.date_range("2021-01-01", periods=6, freq="MS")
    frame = pd.DataFrame({"attacks": [5.0, 7, 6, 9, 4, 8]}, index=months)
    fig, axes = plot_timeline(frame, measures=["attacks"])
    spans = _spans(_bars(axes[0])[0])
    assert spans[0] == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-01"))
    assert spans[1] == (pd.Timestamp("2021-02-01"), pd.Timestamp("2021-03-01"))  # 28 days


def test_weekly_timeline_marks_partial_weeks_hatched_with_a_note():
    weeks = pd.date_range("2023-01-02", periods=8, freq="7D")
    frame = pd.DataFrame({"attacks": np.arange(8.0) + 3}, index=weeks)
    partial = pd.Series([True] + [False] * 6 + [True], index=weeks)
    fig, axes = plot_timeline(frame, measures=["attacks"], partial=partial)
    whole, part = _bars(axes[0])
    assert _spans(whole)[0] == (weeks[1], weeks[1] + pd.Timedelta(days=7))
    assert part.get_hatch() == "///" and len(part.get_paths()) == 2
    labels = axes[0].get_legend_handles_labels()[1]
    assert "part of a week" in labels
    footer = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
    assert "Hatched: weeks only partly inside" in footer


def test_changepoint_chart_draws_cut_weeks_hatched_not_as_zero():
    weeks = pd.date_range("2023-01-02", periods=40, freq="7D")
    rng = np.random.default_rng(3)
    y = pd.Series(rng.poisson(np.where(np.arange(40) < 20, 30, 8)).astype(float), index=weeks)
    y.name = "attacks"
    cut = y.iloc[[0, -1]]
    y.iloc[[0, -1]] = np.nan  # what the pipeline gives the search
    res = detect_changepoints(y, reference=weeks[20])
    fig, (top, _) = plot_changepoints(res, partial=cut)
    whole, part = _bars(top)[:2]
    assert _spans(whole)[0] == (weeks[1], weeks[2])
    assert part.get_hatch() == "///" and len(part.get_paths()) == 2
    footer = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
    assert "Left out of the change-point search" in footer and "Hatched: weeks" in footer


# 2. the change-point chart uses the text's number words; its labels do not overlap


def test_changepoint_label_and_text_say_times_as_high_alike():
    from trends.verdicts.words import level_change_words

    assert level_change_words(13.04) == "about 13 times as high"
    assert level_change_words(0.04) == "-96%"
    days = pd.date_range("2019-05-01", periods=120, freq="D")
    rng = np.random.default_rng(7)
    rate = np.where(np.arange(120) < 60, 0.3, 4.0)
    y = pd.Series(rng.poisson(rate).astype(float), index=days, name="attacks")
    res = detect_changepoints(y, reference=days[60])
    fig, (top, _) = plot_changepoints(res)
    labels = [t.get_text() for t in top.texts if t.get_text().startswith("Change")]
    assert labels and not any("+" in t and "%" in t for t in labels)
    assert any("times as high" in t for t in labels)
    assert "times as high" in res.report()


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_date_weight_panel_labels_do_not_overlap():
    """The founding case: the most likely day right after the reference, whose label has two
    lines; the mode's value and the reference's label stay apart."""
    days = pd.date_range("2019-05-01", periods=240, freq="D")
    rng = np.random.default_rng(11)
    y = pd.Series(
        rng.poisson(np.where(np.arange(240) < 120, 4.0, 0.2)).astype(float), index=days
    ).rename("attacks")
    res = detect_changepoints(y, reference=days[120] - pd.Timedelta(hours=18))
    fig, (_, bottom) = plot_changepoints(res)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in bottom.texts if t.get_text().strip()]
    assert len(boxes) >= 2
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


# 3. compare: no 0.00 for a non-zero rate, no spurious trailing zeros


def test_compare_small_rate_is_not_zero_and_ratio_has_no_trailing_zeros():
    from trends.verdicts.words import fmt_sig

    small = compare_totals("1/365", "1000/365").report()
    assert "0.00 per day" not in small and "0.00274 per day" in small
    big = compare_totals("5/30", "80/30").report()
    assert "16.000" not in big and "rate ratio after/before 16.0 " in big
    assert "16.0-fold" in big
    assert fmt_sig(0.0000694) == "0.0000694" and fmt_sig(2.6667) == "2.67"
    assert fmt_ratio(16) == "16.0" and fmt_ratio(0.000025) == "0.000025"
    # a value rounded up into the next decade keeps its two significant figures
    assert fmt_ratio(0.0998) == "0.10" and fmt_ratio(0.00999) == "0.010"
    assert fmt_ratio(0.001) == "0.001" and fmt_ratio(0.058) == "0.058"
    assert "0.065 to 0.10;" in compare_totals("1213/31", "95/30").report()


def test_compare_table_rates_keep_significant_digits(tmp_path):
    from trends.report.totals import write_totals_report

    write_totals_report(compare_totals("1000/365", "1/365"), tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "0.000 " not in md and "0.0000694 to" in md
    assert "16.000" not in md


# 4. "announced" only when the input says so


def test_plain_date_is_not_called_announced():
    from trends.verdicts.words import says_announced

    late = timing_of_change(
        "2024-08-04", "2024-07-30", "2024-08-10", "2024-07-01", reference_name="the intervention"
    )
    assert "announced" not in late.text and "later than the date given" in late.text
    told = timing_of_change(
        "2024-08-04",
        "2024-07-30",
        "2024-08-10",
        "2024-07-01",
        reference_name="the announced truce",
    )
    assert "later than announced" in told.text
    assert says_announced("Russian-announced ceasefire in force")
    assert not says_announced("the intervention", None)
    assert "announced" not in timing_of_change(None, None, None, None).text


# 5. monthly and weekly phrases read naturally; no "3/4"


def test_monthly_its_phrase_and_sensitivity_labels():
    from trends.analysis.sensitivity import _windows

    months = pd.date_range("2020-01-01", periods=36, freq="MS")
    rng = np.random.default_rng(1)
    y = pd.Series(rng.poisson(80, 36).astype(float), index=months, name="killed")
    text = fit_its(y, months[17]).report()
    assert "(the month of" not in text and ") on," not in text
    assert "Starting with June 2021, the month of" in text
    labels = [w[0] for w in _windows(months, 17, False, "month")]
    assert not any("/" in label for label in labels)
    assert "pre-period: last 75% (from May 2020)" in labels


# 6. the default window's reason holds for any data


def test_offensive_start_reason_is_measured_not_quieter():
    from trends.report.choices import _offensive_start_why

    a = SimpleNamespace(start=pd.Timestamp("2019-04-30"))
    ev = SimpleNamespace(name="Offensive", id="off")
    why = str(_offensive_start_why(a, ev, (pd.Timestamp("2019-01-04"), None)))
    assert "quieter" not in why and "busier" not in why
    assert "116 days of data before it" in why
    alone = str(_offensive_start_why(a, ev, (pd.Timestamp("2019-04-30"), None)))
    assert "mixed" not in alone


# 7. the claims chart's axis names the claims' measure


def _check(quantities: list[str]) -> SimpleNamespace:
    n = len(quantities)
    checked = pd.DataFrame(
        {
            "claim_id": [f"c{i}" for i in range(n)],
            "window_start_date": pd.Timestamp("2023-01-01"),
            "window_end_date": pd.Timestamp("2023-02-01"),
            "quantity": quantities,
            "value": [40.0] * n,
            "qualifier": "at_least",
            "observed_low": [30.0] * n,
            "observed_best": [35.0] * n,
            "observed_high": [45.0] * n,
            "verdict": "consistent",
        }
    )
    return SimpleNamespace(checked=checked, frame=checked)


@pytest.mark.parametrize(
    ("quantities", "word"),
    [(["attacks"], "attacks"), (["civilian_deaths"], "civilian deaths"),
     (["attacks", "civilian_deaths"], "number")],
)  # fmt: skip
def test_claims_axis_names_the_measure(quantities, word):
    ax = plot_claims(_check(quantities))
    label = ax.get_xlabel()
    assert label.startswith(f"{word} in the claim's window")
    if word == "attacks":
        assert "deaths" not in label
