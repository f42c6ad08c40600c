"""Published claims against the data: a cumulative count with claims, and a claims-check chart.

- :func:`plot_cumulative`: civilian deaths counted since an event (best estimate as a line, the
  low-high range as a band) with published claims as markers at their as-of date and value, one
  marker shape per qualifier ("more than", "around"...), labelled without overlaps.
- :func:`plot_claims`: one row per checked claim of a :class:`~trends.models.claims.ClaimsCheck`:
  the observed low-best-high range of the data in the claim's window next to the claimed value,
  coloured by finding (:func:`trends.models.claims.assess_claim`: supported, cannot be settled,
  not reached, exceeded; colour-blind-safe; the finding is also written at the end of each row).
  A tally without low and high figures is drawn as a dot, never as a 0-0 range.

The cumulative counts come from :func:`trends.series.cumulative_since` and the verdicts from
:func:`trends.models.claims.check_claims`; nothing is computed here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from trends.errors import InputError
from trends.plots.style import (
    COLORS,
    PALETTE,
    EventMark,
    add_footer,
    attach_data,
    draw_events,
    event_marks,
    format_date_axis,
    house_legend,
    new_figure,
    place_title,
)
from trends.verdicts.words import measure_words

__all__ = [
    "plot_cumulative",
    "plot_claims",
    "QUALIFIER_TEXT",
    "VERDICT_COLORS",
    "qualifier_marker",
    "has_range",
    "FINDING_COLORS",
]

#: Short words for each claim qualifier (as in "more than 200").
QUALIFIER_TEXT = {
    "at_least": "at least",
    "more_than": "more than",
    "fewer_than": "fewer than",
    "almost": "almost",
    "at_most": "at most",
    "around": "around",
    "exactly": "",
}
#: Verdict colours (Okabe-Ito): distinguishable with the common colour-vision deficiencies.
VERDICT_COLORS = {
    "supported": PALETTE["green"],
    "not supported": PALETTE["vermillion"],
    "undetermined": PALETTE["grey"],
}
#: Short words for each finding of :func:`trends.models.claims.assess_claim`, written at the end
#: of each row of the claims chart.
FINDING_SHORT = {
    "confirmed": "confirmed",
    "supported_by_best": "supported by best count",
    "consistent": "consistent",
    "possible": "possible",
    "below_in_best": "below in best count",
    "consistent_unconfirmed": "consistent, unconfirmed",
    "outside_coverage": "outside coverage",
    "window_gaps": "days not reported",
    "not_reached": "not reached",
    "doubtful": "doubtful",
    "contradicted": "contradicted",
}
#: Groups of findings and their colours (Okabe-Ito), in legend order.
FINDING_GROUPS = {
    "supported / consistent": (
        ("confirmed", "supported_by_best", "consistent"),
        PALETTE["green"],
    ),
    "cannot be settled": (
        (
            "possible",
            "below_in_best",
            "consistent_unconfirmed",
            "outside_coverage",
            "window_gaps",
        ),
        PALETTE["grey"],
    ),
    "not reached by these data": (("not_reached",), PALETTE["orange"]),
    "exceeded: doubtful / contradicted": (("doubtful", "contradicted"), PALETTE["vermillion"]),
}
#: Finding -> colour.
FINDING_COLORS = {f: color for keys, color in FINDING_GROUPS.values() for f in keys}
# marker of the claimed value: triangles point to where the values consistent with the claim lie
_MARKERS_VERTICAL = {
    "at_least": "^",
    "more_than": "^",
    "fewer_than": "v",
    "almost": "v",
    "at_most": "v",
    "around": "D",
    "exactly": "o",
}
_MARKERS_HORIZONTAL = {
    "at_least": ">",
    "more_than": ">",
    "fewer_than": "<",
    "almost": "<",
    "at_most": "<",
    "around": "D",
    "exactly": "o",
}
_QUALIFIER_LEGEND = {
    ("at_least", "more_than"): "at least / more than",
    ("almost", "fewer_than", "at_most"): "almost / fewer than / at most",
    ("around",): "around",
    ("exactly",): "reported / exactly",
}


def qualifier_marker(qualifier: str, orientation: str = "vertical") -> str:
    """Marker for a claim qualifier: a triangle points to the values the claim allows.

    Parameters
    ----------
    qualifier : str
        ``at_least``, ``more_than``, ``almost``, ``fewer_than``, ``at_most``, ``around`` or
        ``exactly``.
    orientation : {"vertical", "horizontal"}
        Direction of the value axis.
    """
    table = _MARKERS_VERTICAL if orientation == "vertical" else _MARKERS_HORIZONTAL
    return table.get(str(qualifier), "s")


def _short_source(source: Any, width: int = 28) -> str:
    """``"SOHR (via AFP; ...)"`` -> ``"SOHR"``."""
    if not isinstance(source, str) or not source.strip():
        return ""
    text = re.split(
        r"\s*[(;,/]|\s+(?:citing|cited|via|quoted|as reported|report|figure|estimate|statement)\b",
        source.strip(),
    )[0].strip()
    text = text or source.strip()
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _fmt_day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def _fmt_window(a: Any, b: Any) -> str:
    a, b = pd.Timestamp(a), pd.Timestamp(b)
    if a == b:
        return _fmt_day(a)
    if a.year == b.year:
        left = f"{a.day} {a:%b}" if a.month != b.month else f"{a.day}"
        return f"{left}\u2013{b.day} {b:%b %Y}"
    return f"{_fmt_day(a)}\u2013{_fmt_day(b)}"


def _claim_text(row: pd.Series, when: pd.Timestamp) -> str:
    if isinstance(row.get("label"), str) and row.get("label"):
        return str(row["label"])
    words = QUALIFIER_TEXT.get(str(row.get("qualifier")), str(row.get("qualifier", "")))
    value = f"{float(row['value']):,.0f}"
    src = _short_source(row.get("source"))
    inside = ", ".join(p for p in (src, _fmt_day(when)) if p)
    return f"{words + ' ' if words else ''}{value} ({inside})"


def _triple(cumulative: pd.DataFrame) -> list[str]:
    """The low / best / high columns of a cumulative frame."""
    cols = [str(c) for c in cumulative.columns]
    if {"low", "best", "high"} <= set(cols):
        return ["low", "best", "high"]
    for prefix in ("deaths", "civilian_deaths", "child_deaths"):
        trio = [f"{prefix}_low", f"{prefix}_best", f"{prefix}_high"]
        if set(trio) <= set(cols):
            return trio
    raise InputError(
        "the cumulative frame needs columns low, best and high (or deaths_low, deaths_best and "
        f"deaths_high, as from trends.series.cumulative_since); it has {cols}"
    )


def _claim_dates(claims: pd.DataFrame) -> pd.Series:
    for col in ("as_of", "window_end_date", "window_end"):
        if col in claims.columns:
            dates = pd.to_datetime(claims[col], errors="coerce")
            if col == "as_of":
                for alt in ("window_end_date", "window_end"):
                    if alt in claims.columns:
                        dates = dates.fillna(pd.to_datetime(claims[alt], errors="coerce"))
            return dates
    raise InputError("claims need an as_of (or window_end) column")


def _overlaps(a, b, pad: float = 2.0) -> bool:
    return not (a.x1 + pad < b.x0 or b.x1 + pad < a.x0 or a.y1 + pad < b.y0 or b.y1 + pad < a.y0)


def _text_box(ann, renderer):
    """Extent of an annotation's text alone (its leader line left out)."""
    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def _place_labels(
    ax: Axes,
    anchors: list[tuple[Any, float]],
    texts: list[str],
    colors: list[str],
    avoid: list | None = None,
) -> list:
    """Annotate each anchor with its text, trying positions around it until none overlap.

    Candidates: left, right, above, below, then further up and down, then further sideways; a
    label must stay inside the axes and clear of the other labels and of every marker. Collisions
    use the rendered extents. When no candidate is free the label goes where it overlaps least.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    placed = list(avoid or [])
    for x, y in anchors:  # the markers themselves
        px, py = ax.transData.transform((ax.convert_xunits(x), y))
        placed.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
    steps = [
        (-7, 0, "right", "center"),
        (7, 0, "left", "center"),
        (0, 7, "center", "bottom"),
        (0, -7, "center", "top"),
    ]
    for k in range(1, 10):
        dy = 11 * k
        steps += [
            (-7, dy, "right", "center"),
            (-7, -dy, "right", "center"),
            (7, dy, "left", "center"),
            (7, -dy, "left", "center"),
        ]
    for dx in (40, 80, 120):
        for dy in (0, 15, -15, 30, -30, 45, -45):
            steps += [(-dx, dy, "right", "center"), (dx, dy, "left", "center")]
    out = []
    for (x, y), text, color in zip(anchors, texts, colors, strict=True):
        ann = ax.annotate(
            text,
            (ax.convert_xunits(x), y),
            xytext=steps[0][:2],
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color=color,
            zorder=6,
            bbox={
                "boxstyle": "square,pad=0.1",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
            arrowprops={
                "arrowstyle": "-",
                "color": "#777777",
                "lw": 0.6,
                "shrinkA": 0,
                "shrinkB": 4,
            },
        )
        best, best_cost = None, None
        for dx, dy, ha, va in steps:
            ann.set_position((dx, dy))
            ann.set_ha(ha)
            ann.set_va(va)
            box = _text_box(ann, renderer)
            outside = (
                max(0.0, axbox.x0 - box.x0)
                + max(0.0, box.x1 - axbox.x1)
                + max(0.0, axbox.y0 - box.y0)
                + max(0.0, box.y1 - axbox.y1)
            )
            hits = sum(_overlaps(box, p) for p in placed)
            cost = outside * 10 + hits * 1000
            if best_cost is None or cost < best_cost:
                best, best_cost = (dx, dy, ha, va), cost
            if cost == 0:
                break
        dx, dy, ha, va = best
        ann.set_position((dx, dy))
        ann.set_ha(ha)
        ann.set_va(va)
        placed.append(_text_box(ann, renderer))
        out.append(ann)
    return out


def has_range(low: pd.Series, best: pd.Series, high: pd.Series) -> bool:
    """Whether the data carry low and high figures that differ from the best ones.

    Tallies often have only one figure: their low and high columns are then missing, zero while
    the best count is not, or equal to the best count. Such a range is absent, and is never drawn
    or printed (no "low-high 0-0").

    Parameters
    ----------
    low, best, high : Series
        The three figures.

    Returns
    -------
    bool
    """
    lo = pd.to_numeric(low, errors="coerce")
    hi = pd.to_numeric(high, errors="coerce")
    b = pd.to_numeric(best, errors="coerce")
    if lo.isna().all() and hi.isna().all():
        return False
    if (lo.fillna(0) == 0).all() and (hi.fillna(0) == 0).all() and (b.fillna(0) > 0).any():
        return False
    return bool(((lo != b) & lo.notna()).any() or ((hi != b) & hi.notna()).any())


def _count_marks(event: Any, cumulative: pd.DataFrame) -> list[EventMark]:
    """The event line that starts the count."""
    if event is not None:
        if isinstance(event, (tuple, EventMark)) or hasattr(event, "start"):
            return event_marks([event])
        return [EventMark(pd.Timestamp(event), "Start of the count", "other")]
    if "event_date" in cumulative.attrs:
        return [EventMark(pd.Timestamp(cumulative.attrs["event_date"]), "Start of the count")]
    return []


def _draw_claim_markers(ax: Axes, claims: pd.DataFrame) -> tuple[pd.DataFrame, list, list[str]]:
    """Claims as markers at their as-of date and value; returns (drawn, anchors, texts)."""
    dates = _claim_dates(claims)
    values = pd.to_numeric(claims["value"], errors="coerce")
    ok = dates.notna() & values.notna()
    rows, anchors, texts = [], [], []
    for i in claims.index[ok]:
        row = claims.loc[i]
        when = pd.Timestamp(dates[i])
        text = _claim_text(row, when)
        verdict = row.get("verdict") if "verdict" in claims.columns else None
        ax.scatter(
            [when],
            [float(values[i])],
            marker=qualifier_marker(row["qualifier"]),
            s=46,
            color=COLORS["claim"],
            edgecolors="white",
            linewidths=0.6,
            zorder=5,
        )
        rows.append(
            {"date": when, "value": float(values[i]), "qualifier": row["qualifier"], "label": text}
            | ({"verdict": verdict} if verdict is not None else {})
        )
        anchors.append((when, float(values[i])))
        texts.append(text)
    return pd.DataFrame(rows, index=claims.index[ok]), anchors, texts


def _cumulative_legend(ax: Axes, drawn: pd.DataFrame) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if len(drawn):
        present = set(drawn["qualifier"].astype(str))
        for keys, words in _QUALIFIER_LEGEND.items():
            if present & set(keys):
                handles.append(
                    Line2D(
                        [],
                        [],
                        ls="",
                        marker=qualifier_marker(keys[0]),
                        color=COLORS["claim"],
                        markersize=6.5,
                    )
                )
                labels.append(f"Claim: {words}")
    house_legend(ax, handles=handles, labels=labels, loc="upper left", fontsize=8)


def plot_cumulative(
    cumulative: pd.DataFrame,
    *,
    claims: pd.DataFrame | None = None,
    event: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Cumulative civilian deaths since an event, with published claims as labelled markers.

    The y axis is scaled to what is drawn: the best count, the claims and, only when the data
    have them (:func:`has_range`), the high figures. Without low and high figures no band is
    drawn and the legend says so.

    Parameters
    ----------
    cumulative : DataFrame
        DatetimeIndex and cumulative counts in columns ``low``, ``best`` and ``high`` (or
        ``deaths_low``, ``deaths_best``, ``deaths_high``, as returned by
        :func:`trends.series.cumulative_since` on a :func:`~trends.series.count_series` frame).
    claims : DataFrame, optional
        One row per claim: ``as_of`` (or ``window_end``), ``value``, ``qualifier``; optional
        ``source``, ``label`` (used as is) and ``verdict``. Rows without a date or value are
        skipped.
    event : event, date or (date, label[, kind]), optional
        Day 0 of the count, marked as a labelled line. Default: ``cumulative.attrs["event_date"]``
        when present.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title, source : str, optional
        Title (default "Civilian deaths recorded since <event>") and footer source.

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"cumulative"`` (``low``,
    ``best``, ``high`` as given) and ``"claims"`` (``date``, ``value``, ``qualifier``, ``label``
    and ``verdict`` when given, one row per drawn claim).
    """
    if not isinstance(cumulative, pd.DataFrame) or not isinstance(
        cumulative.index, pd.DatetimeIndex
    ):
        raise InputError("cumulative must be a DataFrame with a DatetimeIndex")
    low_c, best_c, high_c = _triple(cumulative)
    data = pd.DataFrame(
        {"low": cumulative[low_c], "best": cumulative[best_c], "high": cumulative[high_c]}
    ).astype(float)
    own = ax is None
    fig, ax = new_figure(1, height=4.6) if own else (ax.figure, ax)
    attach_data(fig, "cumulative", data.copy())
    idx = data.index
    color = COLORS["deaths"]
    ranged = has_range(data["low"], data["best"], data["high"])
    if ranged:
        ax.fill_between(
            idx,
            data["low"],
            data["high"],
            step="post",
            color=color,
            alpha=0.18,
            lw=0,
            zorder=1,
            label="Low\u2013high range of the incident figures",
        )
    best_label = "Best estimate" if ranged else "Recorded (the data have no low or high figures)"
    ax.step(idx, data["best"], where="post", color=color, lw=2.0, zorder=3, label=best_label)
    marks = _count_marks(event, cumulative)
    drawn = pd.DataFrame(columns=["date", "value", "qualifier", "label"])
    anchors: list[tuple[pd.Timestamp, float]] = []
    texts: list[str] = []
    if claims is not None and len(claims):
        drawn, anchors, texts = _draw_claim_markers(ax, claims)
    # axis limits scaled to what is drawn (nothing is estimated)
    shown = data["high"] if ranged else data["best"]
    top = np.nanmax(np.r_[shown.to_numpy(), data["best"].to_numpy(), [v for _, v in anchors]])
    ax.set_ylim(0, max(float(top), 1.0) * 1.18)
    x_lo = min([idx[0], *(w for w, _ in anchors)]) - pd.Timedelta(days=2)
    x_hi = max([idx[-1] + pd.Timedelta(days=1), *(w + pd.Timedelta(days=2) for w, _ in anchors)])
    ax.set_xlim(x_lo, x_hi)
    attach_data(fig, "claims", drawn)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"civilian deaths since {_fmt_day(idx[0])}\n(cumulative)")
    format_date_axis(ax)
    _cumulative_legend(ax, drawn)
    if own:
        fig.tight_layout()
    legend_box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    _place_labels(ax, anchors, texts, ["#333333"] * len(texts), avoid=[legend_box])
    draw_events(ax, marks)
    name = marks[0].label if marks else "the event"
    note = None
    if texts:
        note = (
            "Claims are drawn at their as-of date and claimed value; triangles point to the values "
            "a claim allows. Incident data are a floor on what happened."
        )
    if own or source:
        add_footer(fig, source, idx.min(), idx.max(), note=note)
    if own or title:
        place_title(fig, title or f"Civilian deaths recorded since {name}")
    return ax


def plot_claims(
    check,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Axes:
    """Dot-and-range chart of a claims check: each claim's value against the data's range.

    One row per checked claim (``check.checked``, in the table's order, first at the top): the
    observed low-high range in the claim's window and scope as a bar with the best estimate as a
    dot, coloured by finding (the old three-valued verdict when the check has no ``finding``
    column), and the claimed value as a black marker whose shape gives the qualifier (triangles
    point to the values the claim allows). The finding is also written at the end of each row,
    so colour is not the only cue. Without a low-high range (a tally) only the dot is drawn.

    Parameters
    ----------
    check : ClaimsCheck
        From :func:`trends.models.claims.check_claims`.
    ax : Axes, optional
        Draw on it (no figure title or footer unless ``title`` / ``source`` are given).
    title, source : str, optional
        Title (default "Published claims against the incident data") and footer source.

    Returns
    -------
    Axes

    Notes
    -----
    Recorded numbers (:func:`~trends.plots.style.plotted_data`): ``"claims"``, the rows of
    ``check.checked`` with ``claim_id``, ``window_start_date``, ``window_end_date``, ``quantity``,
    ``value``, ``qualifier``, ``observed_low``, ``observed_best``, ``observed_high``, ``verdict``.
    """
    frame = check.checked
    cols = [
        "claim_id", "window_start_date", "window_end_date", "quantity", "value", "qualifier",
        "observed_low", "observed_best", "observed_high", "verdict", "finding", "source",
    ]  # fmt: skip
    data = frame[[c for c in cols if c in frame.columns]].copy()
    n = len(data)
    own = ax is None
    if own:
        fig, ax = new_figure(1, height=1.9 + 0.25 * max(n, 3))
    else:
        fig = ax.figure
    attach_data(fig, "claims", data.copy())
    if n == 0:
        ax.text(
            0.5,
            0.5,
            "No claim could be checked against these data.",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#555555",
        )
        ax.set_yticks([])
        ax.set_xlabel(f"{_claims_measure(data)} in the claim's window and region")
    else:
        _draw_claim_rows(ax, data)
    quantities = sorted({str(q).replace("_", " ") for q in data.get("quantity", [])})
    if own:
        fig.tight_layout()
    if n:
        _place_claims_legend(ax)
    note = (
        f"{n} of {len(check.frame)} claims could be checked (the others concern other regions, "
        "quantities or periods). Observed: sums of the incidents' low, best and high figures in "
        "the claim's window and region. Incident data are a floor on what happened: a count "
        "below a claim shows that these data do not reach it, not that it is false."
    )
    if own or source:
        add_footer(
            fig,
            source,
            getattr(check, "data_start", None),
            getattr(check, "data_end", None),
            note=note,
        )
    if own or title:
        what = " and ".join(quantities) if quantities else "claims"
        sub = _claims_subtitle(data) if n else None
        place_title(
            fig,
            title or "Published claims against the incident data",
            f"{what.capitalize()}: {sub}." if sub else None,
        )
    return ax


def _claims_measure(data: pd.DataFrame) -> str:
    """What the claims' numbers count, in words, for the axis: "attacks", "civilian deaths",
    "people injured"; "number" when the claims count different things (each row then names
    its own) or something without a name ("other").

    Parameters
    ----------
    data : DataFrame
        Claims with a ``quantity`` column (one of :data:`trends.events.QUANTITIES`).

    Returns
    -------
    str
    """
    quantities = {str(q) for q in data.get("quantity", pd.Series(dtype=object)).dropna()}
    if len(quantities) != 1 or quantities == {"other"}:
        return "number"
    return measure_words(quantities.pop())


def _row_style(r: pd.Series) -> tuple[str, str]:
    """Words written at the end of a row, and its colour: the finding, else the old verdict."""
    finding = r.get("finding")
    if isinstance(finding, str) and finding in FINDING_COLORS:
        return FINDING_SHORT[finding], FINDING_COLORS[finding]
    v = str(r.get("verdict"))
    return v, VERDICT_COLORS.get(v, PALETTE["grey"])


def _claims_subtitle(data: pd.DataFrame) -> str:
    if "finding" in data and data["finding"].isin(list(FINDING_COLORS)).all():
        counts = data["finding"].value_counts()
        parts = [
            f"{int(sum(counts.get(k, 0) for k in keys))} {words}"
            for words, (keys, _) in FINDING_GROUPS.items()
        ]
        return ", ".join(p for p in parts if not p.startswith("0 "))
    counts = data["verdict"].value_counts()
    return ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICT_COLORS)


def _draw_claim_rows(ax: Axes, data: pd.DataFrame) -> None:
    n = len(data)
    y = np.arange(n)[::-1].astype(float)  # first claim at the top
    many_quantities = data["quantity"].nunique() > 1 if "quantity" in data else False
    labels = []
    for yi, (_, r) in zip(y, data.iterrows(), strict=True):
        words, color = _row_style(r)
        if r["observed_low"] != r["observed_high"]:  # a tally has no range: no bar
            ax.plot(
                [r["observed_low"], r["observed_high"]],
                [yi, yi],
                color=color,
                lw=5,
                alpha=0.45,
                solid_capstyle="butt",
                zorder=2,
            )
        ax.scatter([r["observed_best"]], [yi], s=28, color=color, zorder=3, lw=0)
        ax.scatter(
            [r["value"]],
            [yi],
            marker=qualifier_marker(r["qualifier"], "horizontal"),
            s=38,
            color="black",
            zorder=4,
            lw=0,
        )
        what = ""
        if many_quantities and str(r.get("quantity")) != "civilian_deaths":
            what = f" \u00b7 {str(r['quantity']).replace('_', ' ')}"
        window = _fmt_window(r["window_start_date"], r["window_end_date"])
        src = _short_source(r.get("source"), 20) if "source" in r else ""
        labels.append(" \u00b7 ".join(p for p in (str(r["claim_id"]), src, window) if p) + what)
        ax.text(
            1.01,
            yi,
            words,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=7.8,
            color=color,
            clip_on=False,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=7.8)
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", color="#E6E6E6", lw=0.6)
    ax.grid(axis="y", visible=False)
    lo = np.nanmin(data[["observed_low", "value"]].to_numpy(dtype=float))
    hi = np.nanmax(data[["observed_high", "value"]].to_numpy(dtype=float))
    if lo > 0 and hi / lo > 20:
        ax.set_xscale("log")
        decades = np.log10(hi / lo)
        subs = (1.0, 2.0, 5.0) if decades <= 1.6 else (1.0, 3.0) if decades <= 3 else (1.0,)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlim(lo / 1.4, hi * 1.4)
        scale = ", log scale"
    else:
        ax.set_xlim(0, hi * 1.08)
        scale = ""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel(f"{_claims_measure(data)} in the claim's window and region{scale}")
    if "finding" in data and data["finding"].isin(list(FINDING_COLORS)).all():
        present_f = set(data["finding"])
        groups = [(w, c) for w, (keys, c) in FINDING_GROUPS.items() if present_f & set(keys)]
    else:
        groups = list(VERDICT_COLORS.items())
    verdicts = [
        Line2D(
            [],
            [],
            color=c,
            lw=5,
            alpha=0.45,
            marker="o",
            markersize=5,
            markerfacecolor=c,
            markeredgewidth=0,
            label=f"data: {v} (bar low\u2013high, dot best)" if i == 0 else f"data: {v}",
        )
        for i, (v, c) in enumerate(groups)
    ]
    present = set(data["qualifier"].astype(str))
    quals = [
        Line2D(
            [],
            [],
            ls="",
            marker=qualifier_marker(keys[0], "horizontal"),
            color="black",
            markersize=6,
            label=f"claim: {words}",
        )
        for keys, words in _QUALIFIER_LEGEND.items()
        if present & set(keys)
    ]
    # legend columns fill top to bottom: the data's findings in the first column, the claim
    # markers in the second (padded to the same height), so that it fits the figure's width
    blank = Line2D([], [], ls="", label=" ")
    rows = max(len(verdicts), len(quals))
    handles = verdicts + [blank] * (rows - len(verdicts))
    if quals:
        handles += quals + [blank] * (rows - len(quals))
    ncols = 2 if quals else 1
    leg = house_legend(
        ax,
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=ncols,
        fontsize=7.8,
        borderaxespad=0.0,
        columnspacing=1.0,
        handletextpad=0.4,
    )
    leg.set_in_layout(False)  # placed over the whole width once the layout is done


def _place_claims_legend(ax: Axes) -> None:
    """Put the legend above the axes, from the figure's left edge (over the row labels)."""
    leg = ax.get_legend()
    if leg is None:
        return
    fig = ax.figure
    fig.draw_without_rendering()  # layout and text extents, no pixels
    inv = fig.transFigure.inverted()
    renderer = fig.canvas.get_renderer()
    y = inv.transform((0, ax.get_window_extent(renderer).y1))[1]
    leg.set_bbox_to_anchor((0.01, y + 0.004), transform=fig.transFigure)
