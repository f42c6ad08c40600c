"""The measured count series: the unit of analysis of every model, check, chart and report.

A :class:`CountSeries` holds counts per period for one or more named measures, the period rule,
the exposure of each period (days it covers), which periods were not reported (NaN, never 0) and
where the numbers come from (:class:`Provenance`). Every source produces one: an incident table
through aggregation (:meth:`CountSeries.from_incidents`), a monitor's cumulative tallies
(:meth:`CountSeries.from_tallies`), a plain count table (:meth:`CountSeries.from_counts`) or any
DataFrame or Series of counts (:meth:`CountSeries.from_frame`).

A weekly or monthly series built from days keeps its daily series (:meth:`CountSeries.daily`), so
that totals over any dates (:meth:`CountSeries.total`) are the daily figures whatever the period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from trends.errors import InputError
from trends.results import to_jsonable
from trends.series._base import DEFAULT_MEASURES, DateLike, to_day
from trends.series.aggregate import count_series
from trends.series.periods import PeriodRule, aggregate_days, infer_freq, period_rule, start_labels

__all__ = [
    "Measure",
    "Provenance",
    "CountSeries",
    "INCIDENT_MEASURES",
    "TALLY_MEASURES",
    "column_words",
    "people_words",
]


@dataclass(frozen=True)
class Measure:
    """What one column of a :class:`CountSeries` counts.

    Attributes
    ----------
    name : str
        Column name.
    label : str
        In words, as a report names it ("civilian deaths (high)", "killed", "new cases").
    quantity : str
        The quantity measured; the low, best and high figures of one quantity share it.
    role : {"best", "low", "high"}
        Which figure of the quantity the column holds (``"best"`` for a single figure).
    """

    name: str
    label: str
    quantity: str
    role: Literal["best", "low", "high"] = "best"


#: The measures of :func:`trends.series.count_series`, in words.
INCIDENT_MEASURES: dict[str, Measure] = {
    "attacks": Measure("attacks", "attacks", "attacks"),
    "deaths_best": Measure("deaths_best", "civilian deaths", "civilian_deaths"),
    "deaths_low": Measure("deaths_low", "civilian deaths (low)", "civilian_deaths", "low"),
    "deaths_high": Measure("deaths_high", "civilian deaths (high)", "civilian_deaths", "high"),
    "child_deaths": Measure("child_deaths", "child deaths", "child_deaths"),
    "injured": Measure("injured", "injured", "injured"),
    "incidents_no_death_figure": Measure(
        "incidents_no_death_figure", "incidents without a death figure", "no_death_figure"
    ),
}

#: The daily measures of :func:`trends.ingest.tallies.read_tallies`, in words.
TALLY_MEASURES: dict[str, tuple[str, str]] = {
    "new_killed": ("people killed", "killed"),
    "new_injured": ("people injured", "injured"),
    "new_children": ("children killed", "children_killed"),
}


def series_words(series: pd.Series) -> str | None:
    """The name a model's sentences give a pandas Series of counts.

    Parameters
    ----------
    series : pandas.Series
        Counts, e.g. from :meth:`CountSeries.measure`.

    Returns
    -------
    str or None
        Its words (``attrs["label"]``, "people killed") when it carries them, else its name;
        ``None`` when it has neither.
    """
    label = series.attrs.get("label")
    if isinstance(label, str) and label:
        return label
    return None if series.name is None else str(series.name)


def column_words(name: str) -> str:
    """A count column's name as words for sentences.

    Parameters
    ----------
    name : str
        The column name.

    Returns
    -------
    str
        ``"new_cases"`` -> ``"new cases"``, ``"Fatalities"`` -> ``"fatalities"`` (a capitalised
        word is lower-cased; ``"IDPs"`` is kept); a bare participle counts people
        (``"killed"`` -> ``"people killed"``); a first word that only says "number of" is left
        out (``"num_dead"`` -> ``"deaths"``, ``"n_killed"`` -> ``"people killed"``).
    """
    words = " ".join(str(name).replace("_", " ").split()) or str(name)
    head, rest = words[:1], words[1:]
    if head.isupper() and rest == rest.lower():
        words = head.lower() + rest
    first, _, after = words.partition(" ")
    if after and first.lower() in _COUNT_PREFIXES:  # "num_dead", "n_killed": the count of ...
        words = after
    words = _BARE_NOUNS.get(words.strip().lower(), words)
    return people_words(words)


def people_words(words: str) -> str:
    """``"killed"`` -> ``"people killed"``: a bare participle as a measure counts people ("the rate
    of killed" is not English); any other words unchanged.

    Parameters
    ----------
    words : str
        A measure's name in words.

    Returns
    -------
    str
    """
    bare = words.strip().lower()
    return f"people {bare}" if bare in _PEOPLE_PARTICIPLES else words


#: A first word that only says "the number of" ("num_dead"): left out of the words.
_COUNT_PREFIXES = frozenset({"num", "nb", "nr", "n", "no.", "count", "cnt"})

#: Bare adjectives used as a count's name, in words.
_BARE_NOUNS = {"dead": "deaths"}

#: Column names that are a bare participle ("killed"): in words they count people.
_PEOPLE_PARTICIPLES = frozenset(
    {"killed", "injured", "wounded", "hurt", "displaced", "detained", "abducted", "arrested",
     "disappeared", "missing"}
)  # fmt: skip


@dataclass(frozen=True)
class Provenance:
    """Where a series comes from and what was chosen on the way.

    Attributes
    ----------
    source : str
        Label of the source ("incidents", "ministry tallies", a file name...).
    kind : str
        The kind of table it was built from ("incidents", "tallies", "counts", "frame").
    file : str or None
        The file read, when known.
    report : IngestReport or None
        The reader's account of the rows.
    choices : tuple of str
        Every choice made between the file and the series, in words.
    first_day, last_day : pandas.Timestamp or None
        The data's first and last day as read (before any window): for an incident table its
        earliest and latest incident date, otherwise the first and last day of the series
        built. Set when the series is built and kept by :meth:`CountSeries.window`.
    region : str or None
        The one area the whole series counts, when the data name it (a tallies file's
        ``region``): claims about that area are checked against it.
    """

    source: str = ""
    kind: str = "frame"
    file: str | None = None
    report: Any = None
    choices: tuple[str, ...] = ()
    first_day: pd.Timestamp | None = None
    last_day: pd.Timestamp | None = None
    region: str | None = None

    def with_choice(self, *text: str) -> Provenance:
        """A copy with more choices recorded.

        Parameters
        ----------
        *text : str
            Sentences to add (empty ones are skipped).

        Returns
        -------
        Provenance
        """
        return replace(self, choices=self.choices + tuple(t for t in text if t))


@dataclass(frozen=True, eq=False)
class CountSeries:
    """Counts per period for named measures, with exposure, gaps and provenance.

    Attributes
    ----------
    counts : pandas.DataFrame
        Index ``date`` (first day of each period), one ``float64`` column per measure; NaN means
        *not reported*, never zero.
    rule : PeriodRule
        The periods (day; week with its first weekday; month with its first day).
    exposure : pandas.Series
        Days of each period covered by the series (a cut first or last period covers fewer).
    period_days : pandas.Series
        Days of each whole period (7 for a week, 28 to 31 for a month).
    reported : pandas.Series
        False for periods not reported (missing, never zero).
    measures : dict of str to Measure
        What each column counts, in words.
    provenance : Provenance
        Source, file, ingest report and choices.
    days : CountSeries or None
        The daily series this one was summed from (None for a daily series, or when the source
        has no days).
    incidents : pandas.DataFrame or None
        The incident table aggregated, when there is one (robustness checks that leave out single
        incidents, claims checks).
    aggregation : dict
        The options of the aggregation from incidents (``not_reported``, ``multi_day``).
    flags : pandas.DataFrame or None
        Daily data-quality flags of the source (boolean columns; for tallies ``likely_late``: an
        increment far above the local median, likely a late registration), or None.
    """

    counts: pd.DataFrame
    rule: PeriodRule
    exposure: pd.Series
    period_days: pd.Series
    reported: pd.Series
    measures: dict[str, Measure]
    provenance: Provenance = field(default_factory=Provenance)
    days: CountSeries | None = None
    incidents: pd.DataFrame | None = None
    aggregation: dict[str, Any] = field(default_factory=dict)
    flags: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        """Record the data's first and last day in the provenance when it has none yet."""
        prov = self.provenance
        if (prov.first_day is None or prov.last_day is None) and len(self.counts):
            object.__setattr__(
                self,
                "provenance",
                replace(
                    prov,
                    first_day=prov.first_day if prov.first_day is not None else self.start,
                    last_day=prov.last_day if prov.last_day is not None else self.end,
                ),
            )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_incidents(
        cls,
        incidents: pd.DataFrame,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        freq: str = "D",
        anchor: Any = None,
        not_reported: Any = None,
        multi_day: Literal["start", "spread"] = "start",
        measures: Sequence[str] = DEFAULT_MEASURES,
        report: Any = None,
        source: str = "incidents",
        file: str | None = None,
    ) -> CountSeries:
        """Aggregate an incident table into a count series (daily, then into periods).

        Parameters
        ----------
        incidents : pandas.DataFrame
            The canonical incident table (:mod:`trends.schema`).
        start, end : date-like, optional
            The range (both days included); default the table's first and last day.
        freq : str, default "D"
            Period (see :func:`trends.series.periods.period_rule`).
        anchor : None, str, int or date-like
            First day of the periods (see :func:`~trends.series.periods.period_rule`).
        not_reported : periods, optional
            Days the source did not report: NaN, never 0.
        multi_day : {"start", "spread"}
            Where a multi-day incident counts (see :func:`trends.series.count_series`).
        measures : sequence of str
            Measures of :data:`trends.series.MEASURES`.
        report : IngestReport, optional
            The reader's report of the table.
        source, file : str, optional
            Provenance.

        Returns
        -------
        CountSeries
        """
        rule = period_rule(freq, anchor)
        frame = count_series(
            incidents,
            freq="D",
            start=start,
            end=end,
            not_reported=not_reported,
            multi_day=multi_day,
            measures=tuple(measures),
        )
        names = [m for m in frame.attrs["measures"]]
        daily = frame[names].astype(np.float64)
        daily.index.name = "date"
        prov = Provenance(
            source=source, kind="incidents", file=file, report=report, **_data_days(incidents)
        )
        if multi_day == "spread":
            prov = prov.with_choice("multi-day incidents are spread over their days")
        one = cls._from_days(
            daily,
            {m: INCIDENT_MEASURES[m] for m in names},
            prov,
            reported=frame["days_reported"] == 1,
        )
        one = replace(
            one,
            incidents=incidents,
            aggregation={"not_reported": not_reported, "multi_day": multi_day},
        )
        return one if rule.key == "D" else one.resample(rule.freq)

    @classmethod
    def from_tallies(
        cls, table: pd.DataFrame, report: Any = None, *, source: str = "tallies"
    ) -> CountSeries:
        """The daily series of a monitor's tallies (:func:`trends.ingest.tallies.read_tallies`).

        Parameters
        ----------
        table : pandas.DataFrame
            The daily table read from cumulative tallies (``new_killed``, ``new_injured``,
            ``new_children``; NA where unknown). Its ``covers_days`` (the days a report after a
            gap accounts for) become the series' exposure on those days.
        report : IngestReport, optional
            Its ingest report.
        source : str, default "tallies"
            Label of the source, credited in the series' provenance; the measures are named in
            words ("people killed", "people injured", "children killed"), without the source.

        Returns
        -------
        CountSeries

        Raises
        ------
        InputError
            The table is not a tallies table.
        """
        if not isinstance(table, pd.DataFrame) or "new_killed" not in table.columns:
            raise InputError(
                "from_tallies needs the daily table of trends.ingest.tallies.read_tallies "
                "(with a 'new_killed' column)"
            )
        frame = table.copy()
        if not isinstance(frame.index, pd.DatetimeIndex):
            frame.index = pd.DatetimeIndex(pd.to_datetime(frame["date"]))
        frame.index = frame.index.normalize().rename("date")
        cols = [c for c in TALLY_MEASURES if c in frame and frame[c].notna().any()]
        cols = cols or ["new_killed"]
        daily = frame[cols].apply(pd.to_numeric, errors="coerce").astype(np.float64)
        daily = daily.reindex(pd.date_range(daily.index[0], daily.index[-1], name="date"))
        meas = {c: Measure(c, TALLY_MEASURES[c][0], TALLY_MEASURES[c][1]) for c in cols}
        prov = Provenance(source=source, kind="tallies", report=report)
        prov = prov.with_choice(
            "daily counts are the differences of the published cumulative totals"
        )
        series = cls._from_days(daily, meas, prov, reported=daily["new_killed"].notna())
        if "covers_days" in frame:  # a report after a gap accounts for the days it covers
            covers = pd.to_numeric(frame["covers_days"], errors="coerce").reindex(daily.index)
            exposure = covers.where(covers > 1, 1).fillna(1).astype(np.int64).rename("exposure")
            if (exposure > 1).any():
                series = replace(series, exposure=exposure)
                series = replace(series, provenance=series.provenance.with_choice(
                    f"{int((exposure > 1).sum())} report(s) after a gap cover several days: "
                    "each counts for the days it covers in the rates and the models"
                ))  # fmt: skip
        if "likely_late" in frame:
            late = frame["likely_late"].reindex(daily.index).fillna(False).astype(bool)
            series = replace(series, flags=pd.DataFrame({"likely_late": late}))
        return series

    @classmethod
    def from_counts(
        cls, table: pd.DataFrame | pd.Series, report: Any = None, *, source: str = "counts"
    ) -> CountSeries:
        """A plain count table (:func:`trends.ingest.counts.read_counts`) as a series.

        Parameters
        ----------
        table : pandas.DataFrame or pandas.Series
            Indexed by the first day of each period, one column per measure, and ``days``,
            ``period_end``, ``reported``, ``source_row`` columns (all optional). A Series is one
            measure, named by its name (``"count"`` when it has none).
        report : IngestReport, optional
            Its ingest report.
        source : str, default "counts"
            Label of the source, credited in the series' provenance; each measure is named by
            its column in words (``new_cases`` -> "new cases"), without the source.

        Returns
        -------
        CountSeries
        """
        if isinstance(table, pd.Series):
            table = table.to_frame("count" if table.name is None else str(table.name))
        if not isinstance(table, pd.DataFrame):
            raise InputError(
                f"from_counts needs a pandas DataFrame or Series, got {type(table).__name__}"
            )
        extra = {"days", "period_end", "reported", "source_row", "date"}
        cols = [c for c in table.columns if c not in extra]
        exposure = table["days"] if "days" in table else None
        return cls.from_frame(
            table[cols],
            labels={c: column_words(c) for c in cols},
            label="start",
            exposure=exposure,
            source=source,
            report=report,
            kind="counts",
        )

    @classmethod
    def from_frame(
        cls,
        data: pd.DataFrame | pd.Series,
        *,
        measures: Sequence[str] | None = None,
        labels: Mapping[str, str] | None = None,
        ranges: Mapping[str, tuple[str, str, str]] | None = None,
        freq: str | None = None,
        label: Literal["start", "end"] | None = None,
        exposure: pd.Series | None = None,
        source: str = "frame",
        report: Any = None,
        kind: str = "frame",
    ) -> CountSeries:
        """A count series from a plain DataFrame (dates x measures) or a Series.

        Parameters
        ----------
        data : pandas.DataFrame or pandas.Series
            Dates as the index (or a ``date`` column); one numeric column per measure. NaN (or
            a date absent from a regular grid) means not reported, never 0.
        measures : sequence of str, optional
            Columns to keep (default: every numeric column).
        labels : mapping, optional
            Measure -> words (default: the column name).
        ranges : mapping, optional
            Quantity -> ``(low, best, high)`` column names of one quantity.
        freq : {"D", "W", "M"}, optional
            The period (default: inferred from the dates).
        label : {"start", "end"}, optional
            Whether a weekly or monthly date is its period's first or last day (see
            :func:`trends.series.periods.start_labels`).
        exposure : pandas.Series, optional
            Days each period covers (default: the whole period).
        source, report, kind
            Provenance.

        Returns
        -------
        CountSeries

        Raises
        ------
        InputError
            No dates, a non-numeric or negative count, repeated dates, an irregular or ambiguous
            index.
        """
        frame = _as_frame(data)
        cols = list(measures) if measures is not None else _numeric_columns(frame)
        if not cols:
            raise InputError("the table has no numeric column to count")
        if absent := [c for c in cols if c not in frame.columns]:
            raise InputError(
                f"measures {absent} are not columns of the table (its columns: "
                f"{[str(c) for c in frame.columns]})"
            )
        frame = frame[cols]
        key = (freq and period_rule(freq).key) or infer_freq(frame.index)
        if key is None:
            raise InputError(
                "cannot tell the period of the dates (neither daily, weekly nor monthly): give "
                "freq='D', 'W' or 'M' and put the series on a regular grid"
            )
        index, note = start_labels(frame.index, key, label)
        frame.index = index.rename("date")
        values = _check_counts(frame)
        rule = _rule_of(values.index, key)
        grid = _grid(values.index, rule)
        values = values.reindex(grid)
        meas = _measures_of(cols, labels, ranges)
        prov = Provenance(source=source, kind=kind, report=report).with_choice(note or "")
        if rule.key == "D":
            days = cls._from_days(values, meas, prov, reported=values.notna().any(axis=1))
            if exposure is None:
                return days
            covers = pd.Series(exposure).reindex(values.index).fillna(1).astype(np.int64)
            return replace(days, exposure=covers.rename("exposure"))
        full = pd.Series(
            _period_lengths(values.index, rule), index=values.index, name="days", dtype=np.int64
        )
        exp = full if exposure is None else pd.Series(exposure).reindex(values.index)
        exp = exp.fillna(full).astype(np.int64).rename("exposure")
        return cls(
            values,
            rule,
            exp,
            full,
            values.notna().any(axis=1).rename("reported"),
            meas,
            prov,
        )

    @classmethod
    def _from_days(
        cls,
        daily: pd.DataFrame,
        measures: dict[str, Measure],
        provenance: Provenance,
        *,
        reported: pd.Series,
    ) -> CountSeries:
        ones = pd.Series(np.ones(len(daily), dtype=np.int64), index=daily.index)
        return cls(
            daily,
            PeriodRule("D"),
            ones.rename("exposure"),
            ones.rename("days"),
            pd.Series(np.asarray(reported, dtype=bool), index=daily.index, name="reported"),
            measures,
            provenance,
        )

    # ------------------------------------------------------------------ accessors
    @property
    def freq(self) -> str:
        """``"D"``, ``"W-MON"`` ... ``"W-SUN"``, ``"MS"`` or ``"MS-<day>"``."""
        return self.rule.freq

    @property
    def unit(self) -> str:
        """``"day"``, ``"week"`` or ``"month"``."""
        return self.rule.unit

    @property
    def start(self) -> pd.Timestamp:
        """First day covered."""
        if not len(self.counts):
            return pd.NaT
        if self.days is not None and len(self.days.counts):
            return self.days.counts.index[0]
        return self.counts.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """Last day covered."""
        if not len(self.counts):
            return pd.NaT
        if self.rule.key == "D":
            return self.counts.index[-1]
        if self.days is not None and len(self.days.counts):
            return self.days.counts.index[-1]
        return self.counts.index[-1] + pd.Timedelta(days=int(self.exposure.iloc[-1]) - 1)

    @property
    def partial(self) -> pd.Series:
        """True for periods the series covers only in part (cut by its first or last day)."""
        return (self.exposure < self.period_days).rename("partial")

    def measure(self, name: str) -> pd.Series:
        """The counts of one measure.

        Parameters
        ----------
        name : str
            A measure name (a column of ``counts``).

        Returns
        -------
        pandas.Series
            ``float64``, NaN where not reported, named ``name``; its words, when the series
            has them, in ``attrs["label"]`` (the models' sentences use them).

        Raises
        ------
        InputError
            Unknown measure (the message lists the measures).
        """
        if name not in self.counts.columns:
            raise InputError(
                f"the series has no measure {name!r}; it has {', '.join(self.counts.columns)}"
            )
        out = self.counts[name].astype(np.float64).copy()
        out.name = name
        if self.label(name) != name:  # its words travel with it ("people killed")
            out.attrs["label"] = self.label(name)
        return out

    def label(self, name: str) -> str:
        """The words for a measure (its name when none was given).

        Parameters
        ----------
        name : str
            A measure name.

        Returns
        -------
        str
        """
        meas = self.measures.get(name)
        return meas.label if meas is not None else name

    def range_of(self, name: str) -> tuple[str | None, str | None]:
        """The low and high measures of the quantity that ``name`` measures (None if absent).

        Parameters
        ----------
        name : str
            A measure name.

        Returns
        -------
        (str or None, str or None)
        """
        meas = self.measures.get(name)
        if meas is None:
            return None, None
        found: dict[str, str] = {}
        for other in self.measures.values():
            if other.quantity == meas.quantity and other.name in self.counts:
                found[other.role] = other.name
        return found.get("low"), found.get("high")

    def daily(self) -> CountSeries:
        """The daily series (itself when daily).

        Returns
        -------
        CountSeries

        Raises
        ------
        InputError
            The series was given per week or month: its days are not known.
        """
        if self.rule.key == "D":
            return self
        if self.days is None:
            raise InputError(
                f"this series was given per {self.unit}: its daily counts are not known"
            )
        return self.days

    def resample(self, freq: str, anchor: Any = None) -> CountSeries:
        """The same counts per week or month, summed from the daily series.

        Parameters
        ----------
        freq : str
            ``"D"``, ``"W"``, ``"M"`` (or ``"W-SAT"``, ``"MS-10"``).
        anchor : None, str, int or date-like
            First day of the periods: ``None`` (Monday weeks, calendar months), a weekday, a day
            of the month, or a date (the intervention) that then starts a period.

        Returns
        -------
        CountSeries
            Exposure = days of each period inside the series; a period is not reported (NaN)
            when any of its days is not.
        """
        rule = period_rule(freq, anchor)
        if self.rule.key != "D" and self.days is None and rule.key != self.rule.key:
            raise InputError(
                f"this series was given per {self.unit}: its daily counts are not known, so it "
                f"cannot be counted per {rule.unit}; analyse it per {self.unit} (--freq "
                f"{self.rule.key[0]} on the command line, or leave --freq out)"
            )
        days = self.daily()
        if rule.key == "D":
            return days
        counts, exposure, period_days, reported = aggregate_days(days.counts, rule)
        prov = days.provenance.with_choice(
            f"counts summed per {rule.unit} ({rule.describe()}), labelled by the first day"
        )
        return CountSeries(
            counts,
            rule,
            exposure,
            period_days,
            reported & days.reported.groupby(_period_of(days.counts.index, counts.index)).all(),
            dict(days.measures),
            prov,
            days=days,
            incidents=days.incidents,
            aggregation=dict(days.aggregation),
        )

    def window(self, start: DateLike | None = None, end: DateLike | None = None) -> CountSeries:
        """The series restricted to the days ``start`` to ``end`` (both included).

        Parameters
        ----------
        start, end : date-like, optional
            Default: the series' own first and last day.

        Returns
        -------
        CountSeries
            Periods cut by the window keep the counts of their days inside it (their exposure
            says how many).
        """
        if self.rule.key != "D":
            if self.days is None:
                keep = _label_mask(self.counts.index, start, end)
                return replace(
                    self,
                    counts=self.counts[keep],
                    exposure=self.exposure[keep],
                    period_days=self.period_days[keep],
                    reported=self.reported[keep],
                )
            return self.days.window(start, end).resample(self.freq)
        keep = _label_mask(self.counts.index, start, end)
        return replace(
            self,
            counts=self.counts[keep],
            exposure=self.exposure[keep],
            period_days=self.period_days[keep],
            reported=self.reported[keep],
        )

    def flagged_days(self, flag: str, start: DateLike | None = None, end: DateLike | None = None):
        """The days carrying a data-quality flag (e.g. ``"likely_late"``), within a window.

        Parameters
        ----------
        flag : str
            A column of :attr:`flags`.
        start, end : date-like, optional
            Window (both days included).

        Returns
        -------
        pandas.DatetimeIndex
            Empty when the series has no such flag.
        """
        if self.flags is None or flag not in self.flags:
            return pd.DatetimeIndex([], name="date")
        marked = self.flags[flag]
        days = marked.index[marked.to_numpy(dtype=bool)]
        return days[_label_mask(days, start, end)]

    def without_days(self, days: Any, why: str) -> CountSeries:
        """A daily series with ``days`` made *not reported* (missing, never zero).

        Parameters
        ----------
        days : sequence of date-like
            The days to set missing.
        why : str
            Recorded in the provenance's choices.

        Returns
        -------
        CountSeries

        Raises
        ------
        InputError
            The series is not daily.
        """
        if self.rule.key != "D":
            raise InputError("without_days needs a daily series")
        drop = self.counts.index.isin(pd.DatetimeIndex(days))
        counts = self.counts.copy()
        counts.loc[drop, :] = np.nan
        reported = self.reported.copy()
        reported[drop] = False
        return replace(
            self, counts=counts, reported=reported, provenance=self.provenance.with_choice(why)
        )

    def total(self, name: str, start: DateLike | None = None, end: DateLike | None = None) -> float:
        """The total of a measure over the days ``start`` to ``end``, from the daily counts.

        Parameters
        ----------
        name : str
            A measure name.
        start, end : date-like, optional
            Both days included; default the whole series.

        Returns
        -------
        float
            The sum of the reported days (not-reported days add nothing). For a series given
            per week or month (no days known), the sum of the periods whose first day is in the
            window.
        """
        src = self.days if self.rule.key != "D" and self.days is not None else self
        values = src.measure(name)
        keep = _label_mask(values.index, start, end)
        return float(np.nansum(values.to_numpy()[keep]))

    def to_frame(self) -> pd.DataFrame:
        """The wide table: measures, then ``days_in_period``, ``days_covered``, ``days_reported``.

        The layout of :func:`trends.series.count_series`, for charts and CSV files.

        Returns
        -------
        pandas.DataFrame
        """
        out = self.counts.copy()
        out["days_in_period"] = self.period_days.to_numpy()
        out["days_covered"] = self.exposure.to_numpy()
        if self.rule.key == "D" or self.days is None:
            days_reported = np.where(self.reported.to_numpy(), self.exposure.to_numpy(), 0)
        else:
            per_day = self.days.reported.astype(np.int64)
            labels = _period_of(per_day.index, self.counts.index)
            days_reported = per_day.groupby(labels).sum().reindex(self.counts.index).to_numpy()
        out["days_reported"] = np.asarray(days_reported, dtype=np.int64)
        out.attrs = {"freq": self.rule.key, "series_freq": self.freq}
        return out

    def summary(self) -> pd.DataFrame:
        """One row per measure: label, total, periods, not-reported periods, first and last day.

        Returns
        -------
        pandas.DataFrame
        """
        rows = []
        for name in self.counts.columns:
            values = self.counts[name]
            rows.append(
                {
                    "measure": name,
                    "label": self.label(name),
                    "total": float(np.nansum(values.to_numpy())),
                    "periods": len(values),
                    "not_reported": int(values.isna().sum()),
                    "partial_periods": int(self.partial.sum()),
                    "freq": self.freq,
                    "start": self.start,
                    "end": self.end,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable description (not the counts themselves).

        Returns
        -------
        dict
            ``freq``, ``unit``, ``periods``, ``start``, ``end``, ``measures`` (name -> label,
            quantity, role, total, not-reported periods), ``partial_periods`` and
            ``provenance`` (source, kind, file, choices).
        """
        return to_jsonable(
            {
                "freq": self.freq,
                "unit": self.unit,
                "periods": len(self.counts),
                "start": self.start,
                "end": self.end,
                "partial_periods": int(self.partial.sum()),
                "measures": {
                    name: {
                        "label": self.label(name),
                        "quantity": getattr(self.measures.get(name), "quantity", name),
                        "role": getattr(self.measures.get(name), "role", "best"),
                        "total": float(np.nansum(self.counts[name].to_numpy())),
                        "not_reported": int(self.counts[name].isna().sum()),
                    }
                    for name in self.counts.columns
                },
                "provenance": {
                    "source": self.provenance.source,
                    "kind": self.provenance.kind,
                    "file": self.provenance.file,
                    "choices": list(self.provenance.choices),
                    "first_day": self.provenance.first_day,
                    "last_day": self.provenance.last_day,
                },
            }
        )

    def __repr__(self) -> str:
        names = ", ".join(self.counts.columns)
        return (
            f"<CountSeries {self.freq} {len(self.counts)} periods "
            f"{_fmt(self.start)} to {_fmt(self.end)}: {names}>"
        )


# ---------------------------------------------------------------------------------- helpers
def _data_days(incidents: pd.DataFrame) -> dict[str, pd.Timestamp | None]:
    """``first_day`` / ``last_day`` of an incident table (its earliest and latest day)."""
    if "date" not in incidents or not len(incidents):
        return {}
    first = pd.to_datetime(incidents["date"], errors="coerce").min()
    last = pd.to_datetime(incidents["date"], errors="coerce").max()
    if "date_end" in incidents:
        ends = pd.to_datetime(incidents["date_end"], errors="coerce").max()
        last = ends if pd.notna(ends) and (pd.isna(last) or ends > last) else last
    if pd.isna(first) or pd.isna(last):
        return {}
    return {"first_day": first.normalize(), "last_day": last.normalize()}


def _fmt(ts: Any) -> str:
    return "?" if ts is pd.NaT or ts is None else f"{pd.Timestamp(ts):%Y-%m-%d}"


def _as_frame(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        frame = data.to_frame(data.name if data.name is not None else "count")
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        raise InputError(f"from_frame needs a DataFrame or a Series, not {type(data).__name__}")
    if not isinstance(frame.index, pd.DatetimeIndex):
        if "date" not in frame.columns:
            raise InputError("the table needs dates: a DatetimeIndex or a 'date' column")
        frame = frame.set_index(pd.DatetimeIndex(pd.to_datetime(frame.pop("date"))))
    if frame.index.tz is not None:
        frame.index = frame.index.tz_localize(None)
    freq_attr = frame.index.freq
    frame = frame.sort_index()
    if freq_attr is not None and frame.index.freq is None:
        frame.index.freq = freq_attr
    if frame.index.hasnans:
        raise InputError("a date of the table is missing")
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise InputError(f"the table has two rows for {dup:%Y-%m-%d}")
    return frame


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]


def _check_counts(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.apply(pd.to_numeric, errors="coerce").astype(np.float64)
    bad = out.isna() & frame.notna()
    if bad.any().any():
        col = bad.any().idxmax()
        raise InputError(f"column {col!r} has a value that is not a number")
    values = out.to_numpy()
    known = ~np.isnan(values)
    if (values[known] < 0).any():
        raise InputError("counts cannot be negative")
    if (values[known] % 1 != 0).any():
        raise InputError("counts must be whole numbers")
    return out


def _rule_of(index: pd.DatetimeIndex, key: str) -> PeriodRule:
    if key == "W" and len(index):
        return PeriodRule("W", int(index[0].day_of_week))
    if key == "M" and len(index):
        return PeriodRule("M", 0, int(index[0].day))
    return PeriodRule(key)


def _grid(index: pd.DatetimeIndex, rule: PeriodRule) -> pd.DatetimeIndex:
    """Every period label from the first to the last (absent ones become not reported)."""
    if len(index) == 0:
        return index
    if rule.key == "D":
        grid = pd.date_range(index[0], index[-1], freq="D", name="date")
    elif rule.key == "W":
        grid = pd.date_range(index[0], index[-1], freq="7D", name="date")
    else:
        months = pd.period_range(index[0], index[-1], freq="M")
        days = _month_label_days(months, rule.month_day)
        grid = pd.DatetimeIndex(days, name="date")
    if not index.isin(grid).all():
        odd = index[~index.isin(grid)][0]
        raise InputError(
            f"{odd:%Y-%m-%d} is not on the {rule.unit}ly grid of the series ({rule.describe()})"
        )
    return grid


def _month_label_days(months: pd.PeriodIndex, month_day: int) -> list[pd.Timestamp]:
    out = []
    for p in months:
        out.append(p.start_time + pd.Timedelta(days=min(month_day, p.days_in_month) - 1))
    return out


def _period_lengths(index: pd.DatetimeIndex, rule: PeriodRule) -> np.ndarray:
    if rule.key == "W":
        return np.full(len(index), 7, dtype=np.int64)
    nxt = [
        (p + 1).start_time + pd.Timedelta(days=min(rule.month_day, (p + 1).days_in_month) - 1)
        for p in index.to_period("M")
    ]
    return np.asarray((pd.DatetimeIndex(nxt) - index).days, dtype=np.int64)


def _measures_of(
    cols: Sequence[str],
    labels: Mapping[str, str] | None,
    ranges: Mapping[str, tuple[str, str, str]] | None,
) -> dict[str, Measure]:
    role_of: dict[str, tuple[str, str]] = {}
    for quantity, trio in (ranges or {}).items():
        if len(trio) != 3:
            raise InputError(f"ranges[{quantity!r}] must be (low, best, high) column names")
        for role, col in zip(("low", "best", "high"), trio, strict=True):
            if col not in cols:
                raise InputError(f"ranges[{quantity!r}] names {col!r}, which is not a measure")
            role_of[col] = (quantity, role)
    out = {}
    for c in cols:
        quantity, role = role_of.get(c, (str(c), "best"))
        out[str(c)] = Measure(str(c), (labels or {}).get(c, str(c)), quantity, role)  # type: ignore[arg-type]
    return out


def _label_mask(index: pd.DatetimeIndex, start: DateLike | None, end: DateLike | None) -> Any:
    days = (index.values.astype("datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(
        np.int64
    )
    keep = np.ones(len(index), dtype=bool)
    if start is not None:
        keep &= days >= to_day(start, "start")
    if end is not None:
        keep &= days <= to_day(end, "end")
    return keep


def _period_of(days: pd.DatetimeIndex, starts: pd.DatetimeIndex) -> np.ndarray:
    """The period label of every day (``starts`` sorted)."""
    pos = np.searchsorted(starts.values, days.values, side="right") - 1
    return starts.values[pos]
