"""Words that never over-claim: every sentence the package writes about a change uses these.

Rules (each one is a function below, and the tests hold every sentence to them):

- **No direction without evidence.** A change is called a fall or a rise only when its interval
  excludes no change (a rate ratio of 1, a difference of 0). Otherwise the sentence says "not
  distinguishable from no change; could be chance" and uses no direction word
  (:func:`classify_change`, :func:`change_sentence`, :func:`headline`).
- **Percentages come from rate ratios**: a ratio ``r`` is a change of ``(r - 1) * 100`` percent
  (:func:`percent_change`); "fell by 74%" means a ratio of 0.26.
- **Counts are integers** with thousands separators (:func:`fmt_count`), and **units pluralise**:
  "1 month", "13 events", "2 days" (:func:`plural`).
- **Measures are named in words**, never by their column key (:func:`measure_words`:
  ``deaths_best`` -> "civilian deaths (best figures)").
- **The headline interval** allows for overdispersion and dependence between periods, but is never
  narrower than the exact Poisson interval (:func:`headline_interval`): the dependence-aware
  interval leads when it is at least as wide (log scale) as the exact conditional Poisson
  interval; otherwise the exact one leads and the reason is given. The exact interval is
  described as holding "if every day were an independent Poisson draw".
- **Placebo tests are ranks**: "larger than all 96 placebo estimates; the smallest attainable p is
  1/97" (:func:`placebo_phrase`).
- **Timing against an event with a time of day**: an event at 06:00 makes its day a mixed day
  (partly before, partly after), so a change dated that day or the next is "within a day of" it,
  not "outside the set" (:func:`timing_of_change`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from trends.events import says_announced
from trends.series.measured import people_words

__all__ = [
    "DIRECTION_WORDS",
    "as_sentence",
    "NO_CHANGE",
    "HeadlineInterval",
    "Timing",
    "plural",
    "singular",
    "count_of",
    "length_words",
    "plural_measure",
    "fmt_count",
    "fmt_number",
    "fmt_rate",
    "fmt_ratio",
    "fmt_estimate",
    "fmt_p",
    "fmt_date",
    "fmt_interval",
    "fmt_span",
    "measure_words",
    "with_article",
    "percent_change",
    "fmt_percent",
    "fmt_times",
    "fmt_sig",
    "level_change_words",
    "says_announced",
    "change_words",
    "classify_change",
    "change_sentence",
    "headline",
    "headline_interval",
    "EMPTY_EXACT_WORDS",
    "empty_phase",
    "empty_phase_kind",
    "empty_ratio_words",
    "empty_phase_sentence",
    "empty_phase_headline",
    "placebo_rank",
    "placebo_phrase",
    "timing_of_change",
]

#: What every sentence about an indistinguishable change says.
NO_CHANGE = "not distinguishable from no change; could be chance"

#: Words that give a change a direction; never used for an indistinguishable change.
DIRECTION_WORDS: tuple[str, ...] = (
    "fell", "fall", "falls", "fallen", "rose", "rise", "rises", "risen", "drop", "dropped",
    "drops", "increase", "increased", "increases", "decrease", "decreased", "decreases",
    "lower", "higher", "up by", "down by", "more than before", "fewer than before",
)  # fmt: skip

#: Column keys and outcome names in words.
MEASURE_WORDS: dict[str, str] = {
    "deaths_best": "civilian deaths",
    "deaths_low": "civilian deaths (low figures)",
    "deaths_high": "civilian deaths (high figures)",
    "civilian_deaths": "civilian deaths",
    "civilian_deaths_best": "civilian deaths",
    "civilian_deaths_low": "civilian deaths (low figures)",
    "civilian_deaths_high": "civilian deaths (high figures)",
    "child_deaths": "child deaths",
    "child_deaths_low": "child deaths (low figures)",
    "child_deaths_high": "child deaths (high figures)",
    "attacks": "attacks",
    "events": "events",
    "incidents": "incidents",
    "injured": "people injured",
    "injured_high": "people injured (high figures)",
    "fatalities": "deaths",
    "displaced": "people displaced",
}

_IRREGULAR = {"casualty": "casualties", "person": "people", "child": "children", "this": "these"}


def plural(n: float | int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and the unit, pluralised: "1 month", "13 events", "2 days", "1,200 people".

    Parameters
    ----------
    n : number
        A count (printed as an integer when it is whole, see :func:`fmt_count`).
    singular : str
        The unit in the singular ("day", "event", "civilian death").
    plural_form : str, optional
        The plural when it is not regular.

    Returns
    -------
    str
    """
    word = singular if _is_one(n) else (plural_form or _pluralise(singular))
    return f"{fmt_count(n)} {word}"


#: Plural nouns that head a measure named "<noun> <participle>" ("people killed").
_HEAD_PLURALS = {"people": "person", "children": "child", "civilians": "civilian",
                 "men": "man", "women": "woman"}  # fmt: skip


def singular(measure: str) -> str:
    """The singular of a plural measure in words: "civilian deaths" -> "civilian death",
    "people killed" -> "person killed"."""
    first, _, rest = measure.partition(" ")
    if rest and first in _HEAD_PLURALS and rest.split()[-1].endswith(("ed", "en")):
        return f"{_HEAD_PLURALS[first]} {rest}"
    head, _, last = measure.rpartition(" ")
    prefix = f"{head} " if head else ""
    reverse = {v: k for k, v in _IRREGULAR.items()}
    if last in reverse:
        return prefix + reverse[last]
    if last.endswith("ies"):
        return prefix + last[:-3] + "y"
    if last.endswith("s") and not last.endswith("ss"):
        return prefix + last[:-1]
    return measure


def plural_measure(measure: str) -> str:
    """A measure in the plural, as counts print it: "death" -> "deaths"; "people killed",
    "civilian deaths" and "casualties" stay as they are.

    Parameters
    ----------
    measure : str
        The measure in words, singular or plural.

    Returns
    -------
    str
    """
    first = measure.partition(" ")[0]
    if first in _HEAD_PLURALS or singular(measure) != measure:
        return measure
    if measure.rsplit(" ", 1)[-1].endswith(("ed", "en", "ing")):
        return measure  # "people killed", "shelling"
    return _pluralise(measure)


def count_of(n: float | int, measure: str) -> str:
    """A count of a plural measure: "1 civilian death", "203 civilian deaths", "13 events".

    Parameters
    ----------
    n : number
        The count.
    measure : str
        The measure in the plural.

    Returns
    -------
    str
    """
    return plural(n, singular(measure), measure)


def length_words(n: float, unit: str) -> str:
    """A length in periods: "11 weeks", "1 month", "46.1 weeks" (whole numbers stay whole).

    Parameters
    ----------
    n : number
        The number of periods (observed periods may be fractional with partial exposure).
    unit : str
        The period in the singular ("day").

    Returns
    -------
    str
    """
    whole = round(n)
    if abs(n - whole) < 0.05:
        return plural(whole, unit)
    return f"{n:,.1f} {unit}s"


def _is_one(n: float | int) -> bool:
    try:
        return float(n) == 1.0
    except (TypeError, ValueError):
        return False


def _pluralise(word: str) -> str:
    head, _, last = word.rpartition(" ")
    prefix = f"{head} " if head else ""
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if last.endswith("s"):
        return word
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        return prefix + last[:-1] + "ies"
    if last.endswith(("ch", "sh", "x", "z")):
        return prefix + last + "es"
    return prefix + last + "s"


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def fmt_count(x: Any) -> str:
    """A count as an integer with thousands separators ("1,097"); "not available" when absent.

    A count that is not whole (a mean, a model's expected count) is rounded to the nearest
    integer: counts are never printed as decimals.

    Parameters
    ----------
    x : number or None

    Returns
    -------
    str
    """
    if not _finite(x):
        return "not available"
    return f"{round(float(x)):,d}"


def fmt_number(x: Any, digits: int = 1) -> str:
    """A rate or other non-count number: ``digits`` decimals, but integers stay integers.

    Parameters
    ----------
    x : number or None
    digits : int
        Decimals of a number that is not whole.

    Returns
    -------
    str
    """
    if not _finite(x):
        return "not available"
    v = float(x)
    if v == round(v) and abs(v) >= 1:
        return f"{round(v):,d}"
    return f"{v:,.{digits}f}"


def fmt_rate(x: Any) -> str:
    """A rate per period, always with the same precision: "5.0" (not "5" beside "2.1"), two
    significant digits below 1 ("0.21", "0.15", "0.05": never "0.2" beside "0.2" for two
    different rates), "1,250" from 1,000; "0" when nothing happened.

    Parameters
    ----------
    x : number or None

    Returns
    -------
    str
    """
    if not _finite(x):
        return "not available"
    v = float(x)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) < 0.1:
        return fmt_ratio(v)  # two significant digits: "0.05", "0.10" (not "0.1")
    if abs(v) < 0.995:  # two significant digits: 0.21 and 0.15 a day, not 0.2 and 0.2
        return fmt_sig(v, 2)
    return f"{v:,.1f}"


def fmt_ratio(x: Any) -> str:
    """A rate ratio with two significant decimals ("0.26", "0.058", "1.03"); from 10 three
    significant figures ("16.0", "50.6", "145": no trailing zeros that claim precision, as
    "16.00" would); from 1,000 a whole number with thousands separators ("145,540")."""
    if not _finite(x):
        return "not available"
    v = float(x)
    if v == 0:
        return "0"
    if abs(v) >= 10:
        return fmt_sig(v, 3)
    if abs(v) < 0.1:
        text = f"{v:.2g}"  # "0.058", "0.001"
        if "e" in text:  # "0.000025", not "2.5e-05"; never 0
            text = fmt_sig(v, 2).rstrip("0")
        elif math.floor(math.log10(abs(float(text)))) > math.floor(math.log10(abs(v))):
            text = fmt_sig(v, 2)  # rounded up into the next decade: "0.10", not "0.1"
        return text
    text = f"{v:.2f}"
    if text == "1.00" and v != 1.0:  # a bound just short of (or past) no change says so
        text = f"{v:.3f}"
        if text == "1.000":
            text = f"{v:.4f}"
    return text


def fmt_estimate(estimate: Any, low: Any, high: Any) -> str:
    """A ratio printed beside its interval: :func:`fmt_ratio`, but with no more decimals than
    the interval's limits ("1.00 (95% CI 0.91 to 1.10)", not "1.002 (95% CI 0.91 to 1.10)").

    The extra decimals :func:`fmt_ratio` gives a value just short of 1 tell whether a *limit*
    excludes no change; an estimate inside its interval needs no more than its limits show.

    Parameters
    ----------
    estimate : number
        The ratio.
    low, high : number
        Its interval.

    Returns
    -------
    str
    """
    text = fmt_ratio(estimate)
    limits = [fmt_ratio(x) for x in (low, high) if _finite(x)]
    if not limits or "." not in text or "e" in text or any("e" in t for t in limits):
        return text
    most = max(len(t.partition(".")[2]) for t in limits)
    if len(text.partition(".")[2]) > most:
        return f"{float(estimate):,.{most}f}"
    return text


def fmt_sig(x: Any, digits: int = 3) -> str:
    """A rate or ratio with ``digits`` significant figures, never 0 when it is not 0.

    "0.167", "2.67", "16.0", "0.00274", "0.0000694" (not "0.000"), from 1,000 a whole number
    with thousands separators ("145,540"); "0" only for 0. The figures a reader needs to tell a
    small rate from none, and no more.

    Parameters
    ----------
    x : number or None
    digits : int
        Significant figures below 1,000.

    Returns
    -------
    str
    """
    if not _finite(x):
        return "not available"
    v = float(x)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    r = float(f"{v:.{digits}g}")  # rounded first: 0.9996 is "1.00", not "1.000"
    if abs(r) >= 1000:
        return f"{r:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(r))))
    return f"{r:,.{decimals}f}"


def fmt_p(p: Any) -> str:
    """A p-value: "p = 0.041", "p = 0.0004", "p < 0.0001"."""
    if not _finite(p):
        return "p not available"
    v = float(p)
    if v < 0.0001:
        return "p < 0.0001"
    if v < 0.001 or (v < 0.05 and f"{v:.3f}" == "0.050"):  # 0.0498 is not "0.050"
        return f"p = {v:.4f}"
    return f"p = {v:.3f}"


def fmt_date(when: Any, with_time: bool = False) -> str:
    """A date as "31 Aug 2019" (with "06:00 on " before it when ``with_time``).

    Parameters
    ----------
    when : date-like
    with_time : bool
        Write the time of day when it is not midnight.

    Returns
    -------
    str
    """
    ts = pd.Timestamp(when)
    if with_time and ts != ts.normalize():
        return f"{ts:%H:%M} on {ts.day} {ts:%b %Y}"
    return f"{ts.day} {ts:%b %Y}"


def fmt_span(low: Any, high: Any) -> str:
    """Two dates as a span: "1 to 2 Sep 2019", "30 Aug to 2 Sep 2019", "31 Aug 2019".

    Parameters
    ----------
    low, high : date-like
        First and last day.

    Returns
    -------
    str
    """
    a, b = pd.Timestamp(low), pd.Timestamp(high)
    if a.normalize() == b.normalize():
        return fmt_date(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day} to {fmt_date(b)}"
    if a.year == b.year:
        return f"{a.day} {a:%b} to {fmt_date(b)}"
    return f"{fmt_date(a)} to {fmt_date(b)}"


def fmt_interval(
    low: Any, high: Any, level: float = 0.95, kind: str = "ratio", name: str = "CI"
) -> str:
    """An interval: "95% CI 0.14 to 0.50" (ratios) or "95% CI -1,809 to -260" (counts).

    Parameters
    ----------
    low, high : number
        Interval limits.
    level : float
        Confidence level.
    kind : {"ratio", "count"}
        How the limits are printed.
    name : str
        What the interval is ("CI", "prediction interval").

    Returns
    -------
    str
    """
    fmt = fmt_ratio if kind == "ratio" else fmt_count
    return f"{round(100 * level):d}% {name} {fmt(low)} to {fmt(high)}"


def measure_words(key: str | None, label: str | None = None) -> str:
    """The measure in words: a label passed in wins; known keys are translated; else ``_`` -> " ".

    Parameters
    ----------
    key : str or None
        Column key or outcome name ("deaths_best", "civilian_deaths").
    label : str, optional
        A label in words already chosen by the caller (used as is when it has no underscore;
        a bare participle such as "killed" reads "people killed", :func:`people_words`).

    Returns
    -------
    str
    """
    if label and "_" not in str(label):
        return people_words(str(label))
    k = str(key or label or "events")
    return people_words(MEASURE_WORDS.get(k, k.replace("_", " ")))


def word_list(items: Any) -> str:
    """Words as an English list: "a", "a and b", "a, b and c".

    Parameters
    ----------
    items : iterable of str

    Returns
    -------
    str
    """
    words = [str(w) for w in items]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def as_sentence(text: str) -> str:
    """``text`` as a sentence of its own: its first letter upper case, a full stop at its end.

    For joining messages written as clauses ("the projected counterfactual is ...") after other
    sentences, so that no sentence begins in lower case after a full stop.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    t = text.strip()
    if not t:
        return t
    t = t[0].upper() + t[1:]
    return t if t.endswith((".", "!", "?")) else f"{t}."


def with_article(name: str) -> str:
    """An event's name with an article: "the Russian-announced ceasefire in force"."""
    if not name or name.lower().startswith(("the ", "a ", "an ")):
        return name
    return f"the {name}"


def percent_change(ratio: Any) -> float:
    """Percentage change implied by a rate ratio: ``(ratio - 1) * 100`` (0.26 -> -74.0)."""
    if not _finite(ratio):
        return math.nan
    return (float(ratio) - 1.0) * 100.0


def classify_change(low: Any, high: Any, null: float = 1.0) -> str:
    """ "fall", "rise", "unclear" (the interval includes ``null``) or "unknown" (no interval).

    Parameters
    ----------
    low, high : number
        Interval limits (rate ratios; ``null=0`` for differences).
    null : float
        The value meaning "no change".

    Returns
    -------
    str
    """
    lo = float(low) if low is not None and not _nan(low) else math.nan
    hi = float(high) if high is not None and not _nan(high) else math.nan
    if math.isnan(lo) or math.isnan(hi):
        return "unknown"
    if hi < null:
        return "fall"
    if lo > null:
        return "rise"
    return "unclear"


def _nan(x: Any) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def fmt_percent(x: Any, digits: int | None = None, signed: bool = False) -> str:
    """A percentage that never rounds to 100% or to 0% when it is not exactly that.

    ``99.6`` reads "99.6%" (not "100%", which only a fall to nothing is), ``0.004`` reads
    "0.004%" (not "0%"); thousands are separated ("14,553,891%").

    Parameters
    ----------
    x : number
        The percentage (``62.0`` for 62%); its sign is kept.
    digits : int, optional
        Decimals; by default 0 from 10%, 1 from 1%, else 2.
    signed : bool
        Write "+" before a rise ("+12%").

    Returns
    -------
    str
    """
    if not _finite(x):
        return "not available"
    v = float(x)
    a = abs(v)
    sign = "-" if v < 0 else "+" if signed else ""
    if digits is None:
        digits = 0 if a >= 10 else 1 if a >= 1 else 2
    text = f"{a:,.{digits}f}"
    while digits < 3 and _rounds_to_bound(text, a):
        digits += 1
        text = f"{a:,.{digits}f}"
    if _rounds_to_bound(text, a):
        return f"{sign}more than 99.9%" if a > 50 else f"{sign}less than 0.001%"
    return f"{sign}{text}%"


def _rounds_to_bound(text: str, a: float) -> bool:
    """Whether ``text`` shows 100 or 0 for a percentage ``a`` that is neither."""
    shown = float(text.replace(",", ""))
    return (shown == 100 and a < 100) or (shown == 0 and a > 0)


#: From this rate ratio a rise reads "rose 14.6-fold", not "rose by 1,355%".
FOLD_FROM = 10.0


def fmt_times(ratio: Any) -> str:
    """A large ratio as a multiple, three significant figures: "14.6", "about 146,000".

    Parameters
    ----------
    ratio : number
        The ratio (above 1).

    Returns
    -------
    str
        "about" comes first when whole digits are rounded away or the figure moves by more
        than 0.5%.
    """
    if not _finite(ratio):
        return "not available"
    v = float(ratio)
    digits = 3 - len(str(int(abs(v)))) if abs(v) >= 1 else 3
    shown = round(v, digits)
    text = f"{shown:,.{max(digits, 0)}f}"
    rounded = (digits < 0 and shown != v) or abs(shown - v) > 0.005 * abs(v)
    return f"about {text}" if rounded else text


def change_words(ratio: Any, kind: str) -> str:
    """ "fell by 99.6%", "rose by 61%" or, from a ratio of 10, "rose 14.6-fold".

    Parameters
    ----------
    ratio : number
        The rate ratio.
    kind : {"fall", "rise"}
        The direction, from :func:`classify_change` (never for an indistinguishable change).

    Returns
    -------
    str
    """
    if kind == "fall":
        return f"fell by {_pct_words(ratio)}"
    if _finite(ratio) and float(ratio) >= FOLD_FROM:
        return f"rose {fmt_times(ratio)}-fold"
    return f"rose by {_pct_words(ratio)}"


#: Above this ratio of a new rate to the old one a rise reads "about 13 times as high", not
#: "+1,204%" (the change-point text and chart).
TIMES_ABOVE = 3.0


def level_change_words(ratio: Any) -> str:
    """A change between two levels, as the change-point text and chart both print it.

    "-96%", "+61%"; above :data:`TIMES_ABOVE` "about 13 times as high" (not "+1,204%").

    Parameters
    ----------
    ratio : number
        The new level over the old one.

    Returns
    -------
    str
        Empty when the ratio is not finite (a change from 0).
    """
    if not _finite(ratio):
        return ""
    v = float(ratio)
    if v > TIMES_ABOVE:
        return f"about {v:,.0f} times as high"
    return fmt_percent(percent_change(v), 0, signed=True)


def _pct_words(ratio: float) -> str:
    pct = abs(percent_change(ratio))
    return fmt_percent(pct, 0 if pct >= 1 else 1)


def change_sentence(
    subject: str,
    estimate: Any,
    low: Any,
    high: Any,
    *,
    level: float = 0.95,
    what: str = "rate ratio after/before",
    interval_words: str = "",
) -> str:
    """One sentence about a rate ratio that never calls an indistinguishable change a fall or rise.

    Parameters
    ----------
    subject : str
        What changed, in words ("the daily rate of civilian deaths").
    estimate, low, high : number
        The rate ratio and its interval.
    level : float
        Confidence level.
    what : str
        Name of the ratio.
    interval_words : str
        Said after the interval ("allowing for overdispersion and dependence").

    Returns
    -------
    str
    """
    ci = fmt_interval(low, high, level)
    if interval_words:
        ci = f"{ci}, {interval_words}"
    kind = classify_change(low, high)
    if kind == "unknown" or not _finite(estimate):
        return f"The {what} of {subject} could not be estimated."
    body = f"{what} {fmt_estimate(estimate, low, high)} ({ci})"
    if kind in ("fall", "rise"):
        return f"{_cap(subject)} {change_words(estimate, kind)}: {body}."
    return f"For {subject} the {body} is {NO_CHANGE}."


def headline(subject: str, estimate: Any, low: Any, high: Any) -> str:
    """A short headline: "Civilian deaths fell by 74%" or "No clear change in attacks".

    Parameters
    ----------
    subject : str
        What changed, in words.
    estimate, low, high : number
        The rate ratio and its interval; a direction only when the interval excludes 1.

    Returns
    -------
    str
    """
    kind = classify_change(low, high)
    if kind in ("fall", "rise") and _finite(estimate):
        return f"{_cap(subject)} {change_words(estimate, kind)}"
    return f"No clear change in {subject} ({NO_CHANGE})"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


#: What a comparison with an empty period says about its interval: the dependence-aware model
#: cannot be fitted when one period has no events.
EMPTY_EXACT_WORDS = "only the exact interval, which treats {unit}s as independent, can be computed"


def empty_phase(count_before: Any, count_after: Any) -> str:
    """Which period of a before/after comparison has no events.

    Parameters
    ----------
    count_before, count_after : number or None
        The counts of the two periods.

    Returns
    -------
    str
        ``"before"``, ``"after"``, ``"both"``, or ``""`` when both periods have events (or a
        count is unknown).
    """
    if not (_finite(count_before) and _finite(count_after)):
        return ""
    zero_before, zero_after = float(count_before) == 0, float(count_after) == 0
    if zero_before and zero_after:
        return "both"
    return "before" if zero_before else "after" if zero_after else ""


def empty_phase_kind(empty: str, low: Any, high: Any) -> str:
    """ "rise", "fall", "unclear" or "unknown" for a comparison with an empty period.

    The exact (Clopper-Pearson) interval of a ratio with no events before has no upper bound,
    and that of a ratio with none after reaches 0; its one finite bound still tells whether the
    change is clear: a lower bound above 1 is a rise, an upper bound below 1 a fall.

    Parameters
    ----------
    empty : str
        :func:`empty_phase`.
    low, high : number
        The exact interval of the ratio after/before.

    Returns
    -------
    str
    """
    if empty == "before" and _finite(low):
        return "rise" if float(low) > 1.0 else "unclear"
    if empty == "after" and _finite(high):
        return "fall" if float(high) < 1.0 else "unclear"
    return "unknown"


def empty_ratio_words(measure: str, empty: str, low: Any, high: Any, level: float = 0.95) -> str:
    """The ratio of a comparison with an empty period, in the one wording the package uses.

    "no people killed before: the ratio is undefined; exact 95% interval from 0.021 upward
    (unbounded)", "no people killed after: the ratio is 0; exact 95% interval 0 to 0.008",
    "no people killed in either period: nothing to compare".

    Parameters
    ----------
    measure : str
        The measure in words, plural.
    empty : str
        :func:`empty_phase` (not ``""``).
    low, high : number
        The exact interval.
    level : float
        Confidence level.

    Returns
    -------
    str
    """
    lvl = f"{round(100 * level):d}%"
    if empty == "before":
        return (
            f"no {measure} before: the ratio is undefined; exact {lvl} interval from "
            f"{fmt_ratio(low)} upward (unbounded)"
        )
    if empty == "after":
        return f"no {measure} after: the ratio is 0; exact {lvl} interval 0 to {fmt_ratio(high)}"
    return f"no {measure} in either period: nothing to compare"


def empty_phase_sentence(
    measure: str,
    counts: tuple[Any, Any],
    lengths: tuple[str, str],
    interval: tuple[Any, Any],
    *,
    level: float = 0.95,
    unit: str = "day",
    event: str = "",
    only_exact: bool = True,
) -> str:
    """The finding of a before/after comparison in which a period has no events.

    "People killed rose from none in the 90 days before to 329 in the 110 days after; the rate
    ratio cannot be computed (none before), but its exact 95% lower bound is 72.6: a clear rise;
    only the exact interval, which treats days as independent, can be computed". A direction
    only when the finite bound excludes 1 (:func:`empty_phase_kind`); otherwise "No clear change
    in ..." with :func:`empty_ratio_words`.

    Parameters
    ----------
    measure : str
        The measure in words, plural ("people killed").
    counts : (number, number)
        The counts before and after (at least one is zero).
    lengths : (str, str)
        The periods' lengths in words ("90 days").
    interval : (number, number)
        The exact interval of the ratio after/before.
    level : float
        Confidence level.
    unit : str
        The period unit of the comparison.
    event : str
        The event in words, said after "before" ("the ceasefire (15 Jun 2023)"); optional.
    only_exact : bool
        Say that only the exact interval can be computed (:data:`EMPTY_EXACT_WORDS`): where a
        dependence-aware interval would otherwise be given.

    Returns
    -------
    str
        The sentence, without its full stop.
    """
    (nb, na), (lb, la), (low, high) = counts, lengths, interval
    empty = empty_phase(nb, na)
    kind = empty_phase_kind(empty, low, high)
    lvl = f"{round(100 * level):d}%"
    before = f"before {event}" if event else "before"
    only = f"; {EMPTY_EXACT_WORDS.format(unit=unit)}" if only_exact else ""
    if empty == "both":
        return f"No {measure} in either period (the {lb} {before} and the {la} after): nothing to compare"
    if kind == "rise":
        return (
            f"{_cap(measure)} rose from none in the {lb} {before} to {fmt_count(na)} in the {la} "
            f"after; the rate ratio cannot be computed (none before), but its exact {lvl} lower "
            f"bound is {fmt_ratio(low)}: a clear rise{only}"
        )
    if kind == "fall":
        return (
            f"{_cap(measure)} fell from {fmt_count(nb)} in the {lb} {before} to zero (none in "
            f"the {la} after); the rate ratio is 0 and its exact {lvl} upper bound is "
            f"{fmt_ratio(high)}: a clear fall{only}"
        )
    shown = [("none" if float(n) == 0 else fmt_count(n)) for n in (nb, na)]
    return (
        f"No clear change in {measure} ({NO_CHANGE}): {shown[0]} in the {lb} {before}, "
        f"{shown[1]} in the {la} after; {empty_ratio_words(measure, empty, low, high, level)}"
        f"{only}"
    )


def empty_phase_headline(subject: str, kind: str) -> str:
    """A short headline for a comparison with an empty period (:func:`empty_phase_kind`).

    Parameters
    ----------
    subject : str
        What changed ("the rate of people killed").
    kind : str
        "rise", "fall", "unclear" or "unknown".

    Returns
    -------
    str
    """
    if kind == "rise":
        return f"{_cap(subject)} rose from none"
    if kind == "fall":
        return f"{_cap(subject)} fell to zero"
    if kind == "unclear":
        return f"No clear change in {subject} ({NO_CHANGE})"
    return f"Nothing to compare for {subject}: no events in either period"


@dataclass(frozen=True)
class HeadlineInterval:
    """The interval a finding leads with, and which one it is.

    Attributes
    ----------
    low, high : float
        The interval.
    source : str
        ``"dependence-aware"`` (the overdispersion- and dependence-aware model interval) or
        ``"exact"`` (the exact conditional Poisson interval).
    words : str
        How the report describes it.
    reason : str
        Why this one leads.
    """

    low: float
    high: float
    source: str
    words: str
    reason: str


#: How the two intervals are described.
DEPENDENCE_WORDS = "allowing for overdispersion and dependence between {unit}s"
EXACT_WORDS = "if every {unit} were an independent Poisson draw"


def _log_width(low: Any, high: Any) -> float:
    if not (_finite(low) and _finite(high)) or float(low) <= 0 or float(high) <= 0:
        return math.inf if _finite(low) or _finite(high) else math.nan
    return math.log(float(high)) - math.log(float(low))


def headline_interval(
    exact: tuple[Any, Any], model: tuple[Any, Any] | None, unit: str = "day"
) -> HeadlineInterval:
    """Choose the interval a rate ratio leads with.

    Rule: the dependence-aware (overdispersion and autocorrelation) interval leads when it exists
    and is at least as wide, on the log scale, as the exact conditional Poisson interval.
    Otherwise the exact interval leads: with few events a model's standard errors can be too
    small, and no headline interval may be narrower than the one that assumes independent
    Poisson periods.

    Parameters
    ----------
    exact : (low, high)
        Exact conditional Poisson interval.
    model : (low, high) or None
        The dependence-aware interval (negative binomial with Newey-West errors).
    unit : str
        The period unit, for the words.

    Returns
    -------
    HeadlineInterval
    """
    dep = DEPENDENCE_WORDS.format(unit=unit)
    ex = EXACT_WORDS.format(unit=unit)
    w_exact = _log_width(*exact)
    if model is not None and _finite(model[0]) and _finite(model[1]):
        w_model = _log_width(*model)
        if math.isnan(w_exact) or w_model >= w_exact:
            return HeadlineInterval(
                float(model[0]),
                float(model[1]),
                "dependence-aware",
                dep,
                "it allows for overdispersion and dependence and is at least as wide as the "
                "exact Poisson interval",
            )
        return HeadlineInterval(
            float(exact[0]),
            float(exact[1]),
            "exact",
            ex,
            "the model interval was narrower than the exact Poisson one, and no headline "
            "interval may be narrower than the one that assumes independent Poisson periods, "
            "so the exact interval leads",
        )
    return HeadlineInterval(
        float(exact[0]) if _finite(exact[0]) else math.nan,
        float(exact[1]) if _finite(exact[1]) else math.nan,
        "exact",
        ex,
        "no dependence-aware interval could be estimated",
    )


def placebo_rank(p_value: float, n_placebos: int) -> int:
    """How many placebo estimates were at least as large, from ``p = (1 + k) / (1 + n)``.

    Parameters
    ----------
    p_value : float
        Two-sided empirical placebo p-value.
    n_placebos : int
        Placebo dates.

    Returns
    -------
    int
    """
    return max(0, int(round(float(p_value) * (n_placebos + 1) - 1)))


def placebo_phrase(n_as_large: int, n_placebos: int, what: str = "the real estimate") -> str:
    """The placebo test as a rank: "larger than all 96 placebo estimates; the smallest attainable
    p is 1/97".

    Parameters
    ----------
    n_as_large : int
        Placebo estimates at least as large (in absolute value) as the real one.
    n_placebos : int
        Placebo dates.
    what : str
        Subject of the sentence.

    Returns
    -------
    str
    """
    n, k = int(n_placebos), int(n_as_large)
    floor = f"the smallest attainable p is 1/{n + 1}"
    if n == 0:
        return "no placebo date was admissible (the period before the event is too short)"
    p = f"p = {k + 1}/{n + 1} = {(k + 1) / (n + 1):.3f}"
    if k == 0:
        if n == 1:
            return f"{what} is larger than the only placebo estimate; {floor}"
        who = "both" if n == 2 else f"all {n}"
        return f"{what} is larger than {who} placebo estimates; {floor}"
    if k >= n:
        which = "the only placebo estimate" if n == 1 else f"any of the {n} placebo estimates"
        return (
            f"{what} is no larger than {which} ({p}; {floor}): the data do not single out the event"
        )
    return f"{what} is larger than {n - k} of {plural(n, 'placebo estimate')} ({p}; {floor})"


#: A date set longer than this many days does not pin a change to an event: a dated change
#: that falls on the event's day (or period) is then "consistent with it but not pinned to it",
#: not "matches" (a 19-week set of a weekly series read "matches").
PINNED_SET_DAYS = 31


@dataclass(frozen=True)
class Timing:
    """When the change happened against the announced date.

    Attributes
    ----------
    status : str
        ``"matches"`` (the announced period is in the change's set), ``"within a day"`` (an event
        with a time of day: its day is mixed, and the change is dated that day or the next),
        ``"first whole period"`` (weekly or monthly counts: the set starts with the first week or
        month that begins after the event, the one before it being mixed),
        ``"earlier"``, ``"later"``, ``"no change found"`` or ``"unknown"``.
    agrees : bool or None
        Whether the timing supports the event as the moment of change.
    text : str
        The sentence.
    offset_days : int or None
        Change date minus the announced day.
    """

    status: str
    agrees: bool | None
    text: str
    offset_days: int | None = None


def _local(value: Any) -> pd.Timestamp:
    """A timestamp in its local calendar (a time-zone-aware one loses its zone, keeping its
    wall-clock time), so dates of a zoned series compare with plain dates."""
    ts = pd.Timestamp(value)
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def timing_of_change(
    change_date: Any,
    set_low: Any,
    set_high: Any,
    reference: Any,
    *,
    reference_name: str = "the event",
    has_time_of_day: bool | None = None,
    unit: str = "day",
    level: float = 0.95,
    in_set: bool | None = None,
    announced: bool | None = None,
    subject: str = "The change",
) -> Timing:
    """Compare a change point's date (and set) with the event's date.

    Parameters
    ----------
    change_date : date-like or None
        First period at the new level (``None``: no change found).
    set_low, set_high : date-like or None
        The change's confidence set.
    reference : date-like
        The announced date, with its time of day when known.
    reference_name : str
        The event in words.
    has_time_of_day : bool, optional
        Whether the event had a time of day (default: the reference is not at midnight).
    unit : str
        Period unit of the series.
    level : float
        Level of the set.
    in_set : bool, optional
        Whether the announced period is in the set, when the caller knows better than the
        bounds (a set date that follows unreported periods also covers them). Default: the
        event's day falls between the first and the end of the last period of the set.
    announced : bool, optional
        Whether the event's own words say it was announced (default:
        :func:`says_announced` of ``reference_name``): only then does a change off the date
        come "later than announced"; otherwise "later than the date given".
    subject : str
        The change in words, starting the sentence: "The change nearest the ceasefire" when
        there are several (default "The change").

    Returns
    -------
    Timing
    """
    if reference is None or (isinstance(reference, float) and math.isnan(reference)):
        return Timing("unknown", None, "The change was not compared with the event's date.")
    ref = _local(reference)
    if announced is None:
        announced = says_announced(reference_name)
    if has_time_of_day is None:
        has_time_of_day = ref != ref.normalize()
    ref_day = ref.normalize()
    if change_date is None or pd.isna(change_date):
        ref_txt = f"{reference_name} ({fmt_date(ref, with_time=has_time_of_day)})"
        return Timing(
            "no change found",
            False,
            f"The change-point search found no change in the window, so none near {ref_txt}.",
        )
    date = _local(change_date).normalize()
    lo = _local(set_low).normalize() if set_low is not None else date
    hi = _local(set_high).normalize() if set_high is not None else date
    off = int((date - ref_day).days)
    holding = _period_holding(ref_day, date, unit)
    ref_txt = f"{reference_name} ({fmt_date(ref, with_time=has_time_of_day)})"
    if unit in ("week", "month") and holding != ref_day:
        ref_txt = (
            f"{reference_name} ({fmt_date(ref, with_time=has_time_of_day)}, in "
            f"{period_words(holding, unit)})"
        )
    elif unit in ("week", "month"):
        ref_txt = f"{reference_name} ({period_words(holding, unit)})"
    dated = f"{subject} is dated {'to ' if unit in ('week', 'month') else ''}"
    dated += period_words(date, unit)
    # the sets of count models hold ``level`` of a (tempered) likelihood weight: not calibrated
    # confidence sets (their measured coverage is stated where the report explains them)
    set_txt = f"its date set is {period_span(lo, hi, unit)}"
    if in_set is None:
        in_set = bool(lo <= ref_day < period_end(hi, unit))
    near = off == 0 or (in_set and _periods_apart(date, holding, off, unit) <= 1)
    pinned = (period_end(hi, unit) - lo).days <= PINNED_SET_DAYS
    if near and pinned:
        return Timing("matches", True, f"{dated} ({set_txt}), which matches {ref_txt}.", off)
    if near and (off == 0 or _periods_apart(date, holding, off, unit) == 0):
        return Timing(
            "matches",
            True,
            f"{dated} ({set_txt}), the {'day' if unit == 'day' else unit} of {ref_txt}, but "
            f"the set is longer than {PINNED_SET_DAYS} days, so the timing is consistent with it "
            "but not pinned to it.",
            off,
        )
    away = f"{_distance(date, holding, off, unit)} {'after' if off > 0 else 'before'} {ref_txt}"
    if in_set or near:  # the set reaches the event but does not pin the date to it
        return Timing(
            "matches",
            True,
            f"{dated} ({set_txt}), {away}; the "
            f"set also holds the {'day' if unit == 'day' else unit} of {reference_name}, so the "
            "timing is consistent with it but not pinned to it.",
            off,
        )
    next_day = ref_day + pd.Timedelta(days=1)
    if unit == "day" and has_time_of_day and (off in (0, 1) or lo <= next_day <= hi):
        return Timing(
            "within a day",
            True,
            f"{dated} ({set_txt}), within a day of {ref_txt}: "
            f"{fmt_date(ref_day)} was a mixed day, partly before and partly after it.",
            off,
        )
    # the event's period is mixed when the event falls after its first moment
    if unit in ("week", "month") and ref > holding and _first_whole_period_after(lo, ref_day, unit):
        return Timing(
            "first whole period",
            True,
            f"{dated} ({set_txt}), the first whole {unit} after {reference_name} "
            f"({fmt_date(ref, with_time=has_time_of_day)}): the {unit} it fell in "
            f"({period_words(holding, unit)}) mixes days before and after it.",
            off,
        )
    return Timing(
        "later" if off > 0 else "earlier",
        False,
        f"{dated} ({set_txt}), {away}, "
        f"whose {'day' if unit == 'day' else unit} is not in the set: the change came "
        f"{'later' if off > 0 else 'earlier'} than "
        f"{'announced' if announced else 'the date given'}.",
        off,
    )


def _period_holding(day: pd.Timestamp, label: pd.Timestamp, unit: str) -> pd.Timestamp:
    """The start of the period that holds ``day``, periods anchored like ``label``."""
    if unit == "week":
        return day - pd.Timedelta(days=(day.day_of_week - label.day_of_week) % 7)
    if unit == "month":
        return day.to_period("M").start_time.normalize()
    return day


def _periods_apart(date: pd.Timestamp, holding: pd.Timestamp, off: int, unit: str) -> int:
    """How many periods of the series' unit lie between a change's period and the event's."""
    if unit == "week":
        return abs(int((date - holding).days)) // 7
    if unit == "month":
        return abs((date.year - holding.year) * 12 + date.month - holding.month)
    return abs(off)


def _distance(date: pd.Timestamp, holding: pd.Timestamp, off: int, unit: str) -> str:
    """How far a change's period is from the event's, in the series' unit."""
    return plural(
        _periods_apart(date, holding, off, unit), unit if unit in ("week", "month") else "day"
    )


def period_words(label: Any, unit: str) -> str:
    """A period in words: "1 Sep 2019" (a day), "the week of 2 Sep 2019", "Sep 2019".

    Parameters
    ----------
    label : date-like
        The period's first day.
    unit : str
        ``"day"``, ``"week"`` or ``"month"`` (any other unit: the date).

    Returns
    -------
    str
    """
    ts = pd.Timestamp(label)
    if unit == "week":
        return f"the week of {fmt_date(ts)}"
    if unit == "month":
        return f"{ts:%b %Y}"
    return fmt_date(ts)


def period_span(low: Any, high: Any, unit: str) -> str:
    """Two periods as a span: "1 to 2 Sep 2019", "the weeks of 2 to 16 Sep 2019", "Jun to Aug
    2021"; one period as :func:`period_words`.

    Parameters
    ----------
    low, high : date-like
        First days of the first and the last period.
    unit : str
        ``"day"``, ``"week"`` or ``"month"``.

    Returns
    -------
    str
    """
    a, b = pd.Timestamp(low).normalize(), pd.Timestamp(high).normalize()
    if a == b or unit not in ("week", "month"):
        return period_words(a, unit) if a == b else fmt_span(a, b)
    if unit == "week":
        return f"the weeks of {fmt_span(a, b)}"
    return f"{a:%b} to {b:%b %Y}" if a.year == b.year else f"{a:%b %Y} to {b:%b %Y}"


def _first_whole_period_after(label: pd.Timestamp, day: pd.Timestamp, unit: str) -> bool:
    """Whether the period labelled ``label`` is the first to start after ``day`` (a day inside
    the period before: that period mixes days before and after it)."""
    if label <= day:
        return False
    if unit == "week":
        return (label - day).days < 7
    return label == period_end(day.to_period("M").start_time.normalize(), "month")


def period_end(label: pd.Timestamp, unit: str) -> pd.Timestamp:
    """Exclusive end of the period labelled ``label`` (period-start labels; calendar months).

    Parameters
    ----------
    label : pandas.Timestamp
        First day of the period.
    unit : str
        ``"day"``, ``"week"`` or ``"month"`` (any other unit: one day).

    Returns
    -------
    pandas.Timestamp
        The first day after the period.
    """
    if unit == "week":
        return label + pd.Timedelta(days=7)
    if unit == "month":
        return label.to_period("M").end_time.normalize() + pd.Timedelta(days=1)
    return label + pd.Timedelta(days=1)
