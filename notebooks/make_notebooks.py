"""Write the notebooks of this folder (without outputs) from the cell texts below.

Run ``python notebooks/make_notebooks.py`` after editing a cell here; the ``.ipynb`` files are
generated, so edit this script rather than the notebooks. The notebooks are committed without
outputs (``tests/test_notebooks.py`` checks it, and runs them).

Prose cells hold no result numbers: every figure the notebooks state is printed by code from
the result objects, so that the text cannot drift from the data.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# Shared by both notebooks: print long plain-language reports as wrapped paragraphs.
SAY = '''
def say(text: str, width: int = 100) -> None:
    """Print a plain-language report, one wrapped paragraph per line of text."""
    for paragraph in str(text).split("\\n"):
        indent = "  " if paragraph.startswith("- ") else ""
        print(textwrap.fill(paragraph, width, subsequent_indent=indent))
'''

# --------------------------------------------------------------------------------------------
# 01: the founding case
# --------------------------------------------------------------------------------------------
NB01 = [
    md(r"""
# The Idlib ceasefire of 31 August 2019: did it change the rate of attacks and civilian deaths?

In late April 2019 the Syrian government and Russia began an offensive on north-western Syria
(Idlib and the adjoining countryside of Hama, Aleppo and Latakia). Russia announced a ceasefire in
force from **06:00 on 31 August 2019**. On **7 December 2019** the Syrian Observatory for Human
Rights (SOHR) said that **more than 200 civilians** had been killed in the region since the deal.

This notebook goes from the raw incident table to a conclusion, and answers three questions:

1. **Did the ceasefire change the rate** of attacks and of civilian deaths, by how much, and how
   sure are we?
2. **When did the rate change**, judged from the data alone, and is that the announced day?
3. **Does SOHR's claim hold up** against the incident records?

The data are the bundled incident table (`data/idlib_2019/`): Airwars' records of its "Russian
Military in Syria" archive, with figures from SOHR, SNHR, the White Helmets, the UN and others,
credited row by row (see `data/idlib_2019/SOURCES.md`). A count from this table is a **floor** on
what happened, not an estimate of the total: incidents nobody recorded are missing.

Every number stated below is printed by code from the result objects; the prose only explains
the choices. The notebook runs top to bottom in well under a minute.
"""),
    code(
        r"""
import textwrap
import warnings

import matplotlib.pyplot as plt
import pandas as pd

from trends.analysis import analyse_ceasefire
from trends.datasets import IDLIB_CLAIM_SCOPES, load_idlib_2019
from trends.errors import ModelWarning
from trends.models.its import fit_its
from trends.plots.claims import plot_cumulative
from trends.plots.small_multiples import plot_small_multiples
from trends.plots.timeline import plot_timeline
from trends.series import count_series, cumulative_since, rolling_rate

%matplotlib inline
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 14)
pd.set_option("display.max_colwidth", 50)
"""
        + SAY
    ),
    md(r"""
## 1. The data: every row accounted for

`load_idlib_2019()` reads the incident table with the package's own reader, which accounts for
every row: accepted, rejected with a reason, or merged as a duplicate. The table covers every
theatre recorded by the source; the analysis uses the **north-west theatre** (strikes in Idlib
and the adjoining countryside, whether attributed to Russia and the government or to non-state
groups), which is the default filter and is noted in the report.
"""),
    code(r"""
case = load_idlib_2019()
report = case.report
print(report)
print()
assert report.balanced, "rows read must equal accepted + rejected + merged"
print(
    f"All {report.rows_read:,} rows accounted for: {report.accepted:,} accepted, "
    f"{report.rejected} rejected, {report.duplicates} merged as duplicates; "
    f"{len(case.incidents):,} incidents in the north-west theatre."
)
"""),
    code(r"""
# What the theatre filter keeps and leaves out (the 'all' table holds every row).
everything = load_idlib_2019(theatre="all").incidents
everything.groupby(["theatre", "north_west"]).size().rename("incidents").to_frame()
"""),
    code(r"""
columns = ["incident_id", "date", "place", "admin1", "civilian_deaths_low", "civilian_deaths_best",
           "civilian_deaths_high", "perpetrator", "source"]
case.incidents[columns].head()
"""),
    md(r"""
## 2. The reference events

The timeline holds the dated events of the period, each with its source. Times of day are kept:
the ceasefire took effect at 06:00, so its **first full day** under the ceasefire is 1 September.
"""),
    code(r"""
tl = case.timeline
tl.to_frame()[["id", "name", "kind", "start", "first_full_day"]]
"""),
    md(r"""
## 3. The window

We analyse from the **start of the air escalation** (the offensive's opening, the event
`escalation_start_air`) to the **day before the December air escalation** (`dec_escalation_air`).
Before the offensive the war was in a quieter regime, and from mid-December a new offensive began:
either would be mixed up with the ceasefire's effect if it were inside the window. The short
truces of May, June and early August fall inside the offensive phase and are part of it. The
dates are taken from the timeline, not typed in.
"""),
    code(r"""
ceasefire = tl["ceasefire_aug31_effective"]
start = tl["escalation_start_air"].day
end = tl["dec_escalation_air"].day - pd.Timedelta(days=1)
before_days = (ceasefire.day - start).days
after_days = (end - ceasefire.day).days + 1
print(f"Window: {start:%d %b %Y} to {end:%d %b %Y} ({before_days + after_days} days)")
print(f"Ceasefire: {ceasefire.name}, {ceasefire.start:%H:%M on %d %b %Y}")
print(f"Offensive phase: {before_days} days; after the ceasefire: {after_days} days")
"""),
    md(r"""
## 4. Daily and weekly series

`count_series` turns the incidents into zero-filled counts: every day of the window appears, a
day without a recorded incident is 0, and a missing death figure adds nothing to the sums (never
a silent 0). "Attacks" counts incidents; "civilian deaths" sums the best figures, with the low and
high figures alongside.
"""),
    code(r"""
measures = ("attacks", "deaths_low", "deaths_best", "deaths_high")
daily = count_series(case.incidents, freq="D", start=start, end=end, measures=measures)
weekly = count_series(case.incidents, freq="W", start=start, end=end, measures=measures)
print(f"{len(daily)} days, {len(weekly)} weeks (weeks start on Monday; the first and last "
      "are partial, see days_covered)")
print(f"Incidents in the window: {daily['attacks'].sum():.0f}; without a death figure: "
      f"{daily['incidents_no_death_figure'].sum():.0f}")
weekly.head()
"""),
    code(r"""
shown = ["deaths_best", "attacks"]
kinds = ("offensive", "truce", "ceasefire", "escalation")
# Announcements are left out, for legibility: the chart marks when things took effect.
marked = [ev for ev in tl.between(start, end).of_kind(*kinds) if not ev.id.endswith("_announced")]
fig, axes = plot_timeline(
    daily,
    measures=shown,
    rolling=rolling_rate(daily[shown], 7),
    events=marked,
    title="North-western Syria, daily civilian deaths and attacks (7-day mean)",
    source="Airwars and the monitors it cites (bundled table)",
)
plt.show()
"""),
    code(r"""
fig, axes = plot_timeline(
    weekly,
    measures=shown,
    events=[ceasefire],
    title="The same series per week",
    source="Airwars and the monitors it cites (bundled table)",
)
plt.show()
"""),
    md(r"""
Where the deaths were: the same weekly counts by governorate (`admin1`), on a shared scale.
"""),
    code(r"""
by_governorate = count_series(case.incidents, freq="W", start=start, end=end, by="admin1",
                              measures=("deaths_best",))
plot_small_multiples(by_governorate, measure="deaths_best", by="admin1", ncols=2,
                     events=[ceasefire], title="Civilian deaths per week, by governorate",
                     source="Airwars and the monitors it cites (bundled table)")
plt.show()
"""),
    md(r"""
## 5. One call, every answer

`analyse_ceasefire` runs the whole chain on the daily series: the two-phase rate comparison, the
interrupted time series, the change-point search compared with the announced day, the placebo
test, the robustness checks and the claims check. The sections below go through its parts.
"""),
    code(r"""
result = analyse_ceasefire(
    case.incidents,
    ceasefire,
    start=start,
    end=end,
    timeline=tl,
    claims=case.claims,
    claim_scopes=IDLIB_CLAIM_SCOPES,
    ingest=case.report,
)
attacks = result.outcomes["attacks"]
deaths = result.outcomes["civilian_deaths"]
result.summary()
"""),
    md(r"""
## 6. Two phases: the average rate before and after

The simplest answer compares the average daily rate in the offensive phase with the rate after
the ceasefire. The exact Poisson interval treats days as independent draws with the same rate.
The default interval keeps the same ratio of the observed rates but takes its uncertainty from a
fitted count model with a latent AR(1) log intensity: days vary far more than Poisson and
resemble their neighbours, and on a persistent series the two periods' averages carry much less
information than their number of days suggests. In the package's calibration study this interval
held its 95% level far better than Newey-West errors (`benchmarks/README.md`, section 4b; the
report quotes the figures). Here it may be wide enough to include no change: that is what the
averages alone can say, and the sections below look at the timing of the change.
"""),
    code(r"""
say(attacks.rates.report())
print()
say(deaths.rates.report())
deaths.rates.summary()
"""),
    md(r"""
## 7. Interrupted time series

The two-phase average mixes two things: the drop at the ceasefire and whatever trend there was
before and after it. The interrupted time series (segmented regression) separates them. On the log
scale, the daily rate follows a straight trend through the offensive; at the ceasefire it may
jump (the **level change**, a rate ratio at the intervention) and its trend may bend (the **slope
change**, a rate ratio per day).

Choices, each checked in the cells below:

- **Family: negative binomial.** Counts of attacks and deaths are *overdispersed*: their variance
  is many times their mean (a single strike can kill dozens), which Poisson regression would
  ignore, giving intervals that are far too narrow.
- **Dependence: a latent AR(1) log intensity.** Consecutive days are *autocorrelated* (a bad
  week is made of bad days), so the days are not independent pieces of evidence. The default
  (`inference="auto"` on a daily series of 120 days or more) models that as an unobserved AR(1)
  process on the log scale and propagates its uncertainty; Newey-West (HAC) errors, which match
  R, are available with `inference="glm"` but held their level less well in the calibration
  study.
- **Intervention day.** The ceasefire took effect at 06:00 on 31 August: 31 August is counted as
  the first day *after* it (most of the day was under the ceasefire, and the records do not give
  the hour of each strike). Counting from the first full day (1 September) instead is checked
  below.
"""),
    code(r"""
offensive = daily.loc[start : ceasefire.day - pd.Timedelta(days=1)]
for column, label in (("attacks", "attacks"), ("deaths_best", "civilian deaths")):
    s = offensive[column]
    print(
        f"Offensive phase, {label}: mean {s.mean():.2f} per day, variance {s.var():.1f} "
        f"({s.var() / s.mean():.1f} times the mean; Poisson means 1); "
        f"correlation of a day with the day before: {s.autocorr(1):.2f}"
    )
"""),
    code(r"""
say(deaths.its.report())
deaths.its.plot()
plt.show()
"""),
    code(r"""
say(attacks.its.report())
attacks.its.plot()
plt.show()
"""),
    code(r"""
result.models_table()
"""),
    code(r"""
# The intervention-day convention: the day of the 06:00 ceasefire is "after" (default), or the
# first full day is.
print(f"First day counted as after the ceasefire: {deaths.its.primary.first_period:%d %b %Y}")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ModelWarning)
    alt = fit_its(deaths.series, [ceasefire.first_full_day], family="negbin",
                  inference=deaths.its.settings["inference"])  # the same method as the analysis
for label, rr in (("31 Aug counted as after", deaths.its.level_change),
                  ("1 Sep first day after", alt.level_change)):
    print(f"{label:>24}: level change rate ratio {rr.estimate:.3f} "
          f"(95% CI {rr.ci_low:.3f} to {rr.ci_high:.3f})")
"""),
    md(r"""
## 8. When did the rate change? Change points against the announced day

The change-point search is told nothing about the ceasefire: it finds the days on which the
daily rate changed most clearly (an exact search over segments of constant rate, with the number
of changes chosen by an information criterion on a likelihood tempered by the series' estimated
dependence factor, so that runs of busy or quiet days are not taken for changes), and gives each
change a set of likely dates (95% of the tempered likelihood weight: not a calibrated confidence
set). We then ask whether the announced day lies inside the set of the change nearest to it. The
tempering keeps false detections rare on persistent series without a change, at the price of
missing real changes more often (`benchmarks/README.md`, section 4c).
"""),
    code(r"""
for oa in (attacks, deaths):
    cmp = oa.changepoint.comparison
    factor = f"dependence factor {oa.changepoint.dependence:.2f}"
    if cmp is None or cmp.date is None or pd.isna(cmp.date):
        print(f"{oa.label.capitalize()}: no change found ({factor})")
        continue
    print(
        f"{oa.label.capitalize()}: change nearest the ceasefire on "
        f"{pd.Timestamp(cmp.date):%d %b %Y} "
        f"({cmp.relation()} the ceasefire of {ceasefire.start:%H:%M on %d %b}); date set "
        f"{pd.Timestamp(cmp.set_low):%d %b} to {pd.Timestamp(cmp.set_high):%d %b %Y}; "
        f"ceasefire day {'inside' if cmp.in_set else 'outside'} the set; {factor}."
    )
print()
say(attacks.changepoint.report())
attacks.changepoint.breaks[
    ["date", "ci_low", "ci_high", "level_before", "level_after", "percent_change"]
]
"""),
    code(r"""
attacks.changepoint.plot()
plt.show()
"""),
    md(r"""
## 9. Placebo: could a drop this large happen on an ordinary day?

The in-time placebo test refits the same model with fake intervention dates inside the offensive
phase, where nothing of the kind happened. Each fake change is compared with the real one in units
of its own standard error (a studentised statistic: a fake fit on a short stretch of the offensive
has a far noisier estimate than the real fit), and each fake fit uses a window of the real
design's lengths as far as the pre-period allows. If fake dates often produced changes as large,
relative to their standard errors, as the real one, the interrupted time series would be finding
noise. The test is two-sided: large fake *rises* count as much as large fake falls.
"""),
    code(r"""
say(attacks.placebo.report())
say(deaths.placebo.report())
deaths.placebo.plot()
plt.show()
"""),
    md(r"""
## 10. Robustness

Two questions: does the answer depend on which death figure we use (the low and high ends of the
monitors' ranges instead of the best figure), and is it driven by a few mass-casualty strikes
during the offensive? Each variant refits the interrupted time series.
"""),
    code(r"""
say(f"Main estimate (best figures): {deaths.its.level_change.estimate:.3f} "
    f"({deaths.its.level_change.ci_low:.3f}-{deaths.its.level_change.ci_high:.3f}).")
deaths.robustness
"""),
    md(r"""
## 11. The claim: "more than 200 civilians killed since the deal"

SOHR's claim of 7 December 2019 is checked against the sums of the low, best and high figures of
the incidents from the ceasefire's day to 7 December inclusive. The old three-valued `verdict` is
*supported* when every value in the low-high range agrees with it, *not supported* when none does,
and *undetermined* when the range straddles its threshold.

Because the records are a floor (an unrecorded incident can only add deaths), the `finding`
column grades a claim on an asymmetric scale that says what a reader can do with it: for "at
least / more than" claims, *confirmed* (even the low figures reach it), *supported by the best
count*, *possible* (only the high figures reach it) or *not reached by these data*; for "at most /
almost" claims, *contradicted*, *doubtful* or *consistent, cannot be confirmed*; for "around" and
plain published numbers (read as *reported*, within 5%, never as "exactly"), *contradicted*,
*doubtful*, *consistent*, *below the claim in the best count* or *not reached*
(`trends.models.claims` documents the rules).
"""),
    code(r"""
claims = result.claims.frame
sohr = claims[
    (claims["window_start_event"] == ceasefire.id)
    & (claims["as_of"] == pd.Timestamp("2019-12-07"))
    & (claims["quantity"] == "civilian_deaths")
].iloc[0]
print(
    f"Claim {sohr['claim_id']} ({sohr['source']}): {sohr['qualifier_raw'] or sohr['qualifier']} "
    f"{sohr['value']:,.0f} civilian deaths from {sohr['window_start_date']:%d %b %Y} to "
    f"{sohr['window_end_date']:%d %b %Y}."
)
print(
    f"The records give {sohr['observed_best']:,.0f} (best), {sohr['observed_low']:,.0f} to "
    f"{sohr['observed_high']:,.0f} (low to high): {sohr['verdict']}."
)
threshold = sohr["value"]
print(f"Finding: {sohr['finding_label']}. {sohr['finding_sentence']}")
"""),
    code(r"""
figures = ["deaths_low", "deaths_best", "deaths_high", "days_in_period", "days_covered",
           "days_reported"]
since = cumulative_since(daily[figures], ceasefire)
since_claims = claims[(claims["window_start_event"] == ceasefire.id)
                      & (claims["quantity"] == "civilian_deaths")]
plot_cumulative(since, claims=since_claims, event=ceasefire,
                source="Airwars and the monitors it cites (bundled table); claims as published")
plt.show()
"""),
    code(r"""
# Every claim that concerns these data, on one chart.
result.claims.plot()
plt.show()
"""),
    md(r"""
## 12. Conclusion: the bottom line

The paragraphs below are derived from the result objects by the documented rules of
`trends.verdicts.bottom_line`: direction and size of the two-phase rate ratio (the primary
answer, which does not extrapolate) with the interval that allows for overdispersion and
dependence, whether it could be chance, when the change happened against the announced time,
whether the placebo test and the robustness checks agree, each disagreement between the estimates
in one sentence, and a confidence grade (strong / moderate / weak / inconclusive). No sentence
calls a change a fall or a rise when its interval includes no change. Read them with the caveats
that follow: these are records, not a census, and a change in how much was reported could look
like a change in violence.
"""),
    code(r"""
from trends.verdicts import bottom_lines_from_analysis

lines = bottom_lines_from_analysis(result)
say(lines.report())
print()
print(f"SOHR's claim of 7 Dec 2019 ({sohr['claim_id']}): {sohr['finding_sentence']}")
print()
print("Caveats:")
for caveat in result.caveats:
    say(f"- {caveat}")
"""),
    code(r"""
# The same, as a table: one row per outcome, with the grade and the interval it leads with.
lines.summary()
"""),
    md(r"""
The full plain-language report is `result.report()`, and `result.to_dict()` gives every number in
a JSON-safe form (the `results.json` of `make analysis`).
"""),
]

# --------------------------------------------------------------------------------------------
# 02: your own data
# --------------------------------------------------------------------------------------------
NB02 = [
    md(r"""
# Your own data: the same analysis on an ACLED or UCDP GED export

This notebook answers: **how do I run the ceasefire analysis on my own export**, from ACLED or
from the UCDP Georeferenced Event Dataset (GED), and what choices do I have to make on the way?

It uses two example files in the export formats, in `data/examples/`:
`acled_idlib_2019_example.csv` and `ucdp_ged_idlib_2019_example.csv`. **They are not ACLED or UCDP
data.** They are the bundled north-western Syria incidents (Airwars' records and the monitors they
cite, see `data/idlib_2019/SOURCES.md`) rewritten in the two column layouts by
`data/examples/build_examples.py`, with a few deliberate imperfections (a duplicated event, some
empty cells) so that the ingest report has something to show; `data/examples/README.md` says
exactly how. Replace them with your own download and the same cells work.

The steps: read the export (every row accounted for) and choose what counts as a civilian death;
write down the reference events; run `analyse_ceasefire`; swap in a GED export; point it at your
own file. Then other shapes of data (a monitor's cumulative tallies, a plain daily count, a
spreadsheet with its own column names, two published totals) and how to publish a report and
charts from a notebook.
"""),
    code(
        r"""
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from trends.analysis import analyse_ceasefire
from trends.datasets import bundled_path, load_idlib_2019
from trends.events import Timeline
from trends.ingest.acled import CIVILIAN_PROXIES
from trends.ingest.formats import read
from trends.plots.small_multiples import plot_small_multiples
from trends.series import count_series

%matplotlib inline
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 14)
pd.set_option("display.max_colwidth", 60)

EXAMPLES = bundled_path("examples")   # data/examples in a checkout, wherever the notebook runs
ACLED_FILE = EXAMPLES / "acled_idlib_2019_example.csv"
UCDP_FILE = EXAMPLES / "ucdp_ged_idlib_2019_example.csv"
EVENTS_FILE = EXAMPLES / "example_events.csv"
"""
        + SAY
    ),
    md(r"""
## 1. Read the ACLED export

`read(path, format="acled")` maps ACLED's columns onto the package's incident table and accounts
for every row: accepted, rejected (with the row, the column and the reason) or merged as a
duplicate (ACLED re-issues revised events under the same `event_id_cnty`; the row with the latest
`timestamp` is kept). The same account is printed by `trends validate FILE --format acled` on the
command line.
"""),
    code(r"""
acled, acled_report = read(ACLED_FILE, format="acled")
print(acled_report)
assert acled_report.balanced
"""),
    code(r"""
acled_report.errors_frame()
"""),
    md(r"""
## 2. What counts as a civilian death? The civilian proxy

ACLED gives one `fatalities` figure per event and **does not separate civilians from
combatants**. The reader therefore needs an explicit proxy, recorded in `report.choices`:

- `"civilian_targeting"` (default): the fatalities of events ACLED codes as *Civilian targeting*
  (civilians were the primary target). This is the closest ACLED comes to a civilian count.
- `"violence_against_civilians"`: events whose `event_type` is *Violence against civilians*, for
  older exports without the `civilian_targeting` column. Air and artillery strikes are coded as
  *Explosions/Remote violence* even when they hit civilians, so for an air war this proxy misses
  most of the deaths, as the cell below shows.
- `"all_events"`: every event's fatalities, **including combatants**: an upper bound, not a
  civilian count.

Whichever proxy is chosen, every event stays in the table (it still counts as an attack); events
outside the proxy have a missing civilian figure, never 0.
"""),
    code(r"""
for key, meaning in acled_report.choices.items():
    say(f"{key}: {meaning}")
print()
rows = []
for proxy in CIVILIAN_PROXIES:
    table, rep = read(ACLED_FILE, format="acled", civilian_proxy=proxy)
    rows.append({
        "civilian_proxy": proxy,
        "events": len(table),
        "events with a civilian figure": int(table["civilian_deaths_best"].notna().sum()),
        "civilian deaths (sum)": table["civilian_deaths_best"].sum(),
    })
pd.DataFrame(rows)
"""),
    md(r"""
In this example every event is coded *Civilian targeting* (they are all records of civilian
harm), so the default proxy and `"all_events"` agree. In a real ACLED export they differ a lot:
battles and shelling of front lines carry combatant deaths.

## 3. The reference events

The analysis needs at least the intervention (the ceasefire) and, to choose the window, the
events around it. A timeline is a small table: an `event_id`, a `date`, optionally a
`time_local` (the ceasefire took effect at 06:00), a name and a kind. It can be written in code...
"""),
    code(r"""
my_events = pd.DataFrame(
    [
        {"event_id": "escalation_start_air", "date": "2019-04-26", "time_local": "",
         "event": "Air escalation begins", "kind": "offensive"},
        {"event_id": "ceasefire_aug31_effective", "date": "2019-08-31", "time_local": "06:00",
         "event": "Russian-announced ceasefire in force", "kind": "ceasefire"},
        {"event_id": "dec_escalation_air", "date": "2019-12-16", "time_local": "",
         "event": "December air escalation", "kind": "escalation"},
    ]
)
timeline_in_code = Timeline.from_frame(my_events)
timeline_in_code.to_frame()[["id", "name", "kind", "start", "first_full_day"]]
"""),
    md(r"""
...or, better, kept as a CSV file beside the data, with a source for each date
(`data/examples/example_events.csv` holds four events copied from the bundled timeline):
"""),
    code(r"""
timeline = Timeline.from_csv(EVENTS_FILE)
assert set(timeline_in_code.ids) <= set(timeline.ids)
timeline.to_frame()[["id", "name", "kind", "start", "first_full_day", "source"]]
"""),
    md(r"""
## 4. Run the analysis

The window runs from the start of the offensive to the day before the December escalation, so
that neither a quieter period before nor a new offensive after is mixed into the ceasefire's
effect (the choice is explained in `01_idlib_2019_ceasefire.ipynb`). A claim to check can be a
one-row table: here SOHR's "more than 200 civilians killed since the deal" of 7 December 2019.
"""),
    code(r"""
ceasefire = timeline["ceasefire_aug31_effective"]
start = timeline["escalation_start_air"].day
end = timeline["dec_escalation_air"].day - pd.Timedelta(days=1)
sohr_claim = pd.DataFrame([{
    "claim_id": "SOHR 7 Dec 2019", "window_start": ceasefire.id, "window_end": "2019-12-07",
    "quantity": "civilian_deaths", "qualifier": "more_than", "value": 200, "source": "SOHR",
}])
acled_result = analyse_ceasefire(
    acled, ceasefire, start=start, end=end, timeline=timeline, claims=sohr_claim,
    ingest=acled_report,
)
acled_result.summary()
"""),
    code(r"""
say(acled_result.report())
"""),
    code(r"""
acled_result.plot()
plt.show()
acled_result.outcomes["civilian_deaths"].its.plot()
plt.show()
"""),
    md(r"""
Note the claim's verdict. ACLED gives a single figure per event, so the low, best and high
counts are the same number, and a claim close to it gets a clear verdict. The bundled table keeps
the monitors' low-high range, which is the more honest account of the uncertainty:
"""),
    code(r"""
from trends.models.claims import check_claims

bundled = load_idlib_2019()
for label, table, tl in (("ACLED-format example", acled, timeline),
                         ("bundled table (low-high ranges)", bundled.incidents, bundled.timeline)):
    row = check_claims(sohr_claim, table, timeline=tl).frame.iloc[0]
    print(f"{label:>32}: {row['observed_best']:.0f} (low {row['observed_low']:.0f}, "
          f"high {row['observed_high']:.0f}): {row['verdict']}; {row['finding_label']}")
"""),
    md(r"""
## 5. Swap in a UCDP GED export

The GED reader takes `deaths_civilians` as the civilian figure (its `low`/`best`/`high` count all
deaths, combatants included; `deaths="best"` uses them instead, and says so in the report).
Two differences from ACLED matter for the analysis:

- GED holds only events with **at least one death**, so "attacks" becomes "deadly attacks" and
  its rate is lower;
- GED dates some events over several days (`date_start` to `date_end`); the reader dates them on
  the first day and keeps the end.

Everything after reading is the same call. The comparison below is of the rates, the interrupted
time series and the change points, so the GED analysis runs without the placebo test and the
robustness checks (`placebo=False, robustness=False`), which take most of the time; leave both at
their default (`True`) for a real analysis, as for the ACLED file above.
"""),
    code(r"""
ged, ged_report = read(UCDP_FILE, format="ucdp")
print(ged_report)
"""),
    code(r"""
ged_result = analyse_ceasefire(
    ged, ceasefire, start=start, end=end, timeline=timeline, claims=sohr_claim, ingest=ged_report,
    placebo=False, robustness=False,
)
comparison = pd.concat(
    {"ACLED format": acled_result.summary().set_index("outcome"),
     "UCDP GED format": ged_result.summary().set_index("outcome")},
    names=["file"],
)
comparison[["rate_before", "rate_after", "rate_ratio", "its_level_rr", "its_level_ci",
            "change_date"]]
"""),
    code(r"""
# The two files side by side: stack the tables with a column naming the file and count by it.
both = pd.concat([acled.assign(file="ACLED format"), ged.assign(file="UCDP GED format")],
                 ignore_index=True)
weekly_by_file = count_series(both, freq="W", start=start, end=end, by="file",
                              measures=("attacks", "deaths_best"))
plot_small_multiples(weekly_by_file, measure="attacks", by="file", ncols=2, events=[ceasefire],
                     title="Attacks per week in the two example files (GED: deadly attacks only)",
                     source="Example files derived from the bundled Airwars-based table")
plt.show()
"""),
    code(r"""
for label, res in (("ACLED format", acled_result), ("UCDP GED format", ged_result)):
    for caveat in res.caveats:
        if "no death figure" in caveat or "Small counts" in caveat:
            say(f"{label}: {caveat}")
"""),
    md(r"""
## 6. Point it at your own file

1. Download an export (ACLED: the Data Export Tool or the API, CSV; UCDP: the GED CSV) and set
   `MY_FILE` and `MY_FORMAT` below (`"acled"`, `"ucdp"`, or `"incidents"` for a table already in
   the package's schema, see `trends/schema.py`).
2. Check it first on the command line: `trends validate MY_FILE --format acled` prints the same
   account of every row (exit code 1 when some rows were rejected).
3. Keep the region you study: `filter_incidents(table, where={"admin1": [...]})` from
   `trends.series`, or any pandas selection. Pass `window=(start, end)` to `read` to reject events
   outside your period with a reason.
4. Write your reference events as a CSV like `data/examples/example_events.csv` (with the source
   of each date), and the claims you want to check as a table like the one above.
5. Choose the window (an offensive's start to the next escalation is a good default) and run the
   same `analyse_ceasefire` call.

With `MY_FILE = None` the cell below does nothing.
"""),
    code(r"""
MY_FILE = None          # e.g. "~/Downloads/acled_syria_2019.csv"
MY_FORMAT = "acled"     # "acled", "ucdp" or "incidents"
MY_EVENTS = EVENTS_FILE  # your reference events (CSV)
MY_INTERVENTION = "ceasefire_aug31_effective"
MY_START, MY_END = "escalation_start_air", "2019-12-15"   # event ids or dates

if MY_FILE is None:
    print("Set MY_FILE to the path of your export to run the analysis on it.")
else:
    from pathlib import Path

    my_table, my_report = read(Path(MY_FILE).expanduser(), format=MY_FORMAT)
    print(my_report)
    my_timeline = Timeline.from_csv(MY_EVENTS)
    my_result = analyse_ceasefire(
        my_table, MY_INTERVENTION, timeline=my_timeline,
        start=my_timeline.resolve(MY_START), end=my_timeline.resolve(MY_END), ingest=my_report,
    )
    say(my_result.report())
"""),
    md(r"""
## 7. Other shapes of data: tallies, daily counts, a spreadsheet, two totals

Not every source is an incident table. The sections below read four other shapes, each from a
small example file in `data/examples/`. **These files are derived examples, not anyone's
publication:** `data/examples/build_examples.py` computes them from the bundled incident table
(civilian deaths, best figures, north-western Syria, 2019) and puts in a few imperfections by fixed
rules. They are not a monitor's, a ministry's, ACLED's or UCDP's data.

To keep the notebook quick, the analyses below run with `placebo=False, robustness=False`: the
point here is how each file is read and what the bottom line says, not the full inference (which
`01_idlib_2019_ceasefire.ipynb` shows). Leave both at their default (`True`) for a real analysis.

### 7a. A monitor's cumulative tallies

`tallies_example.csv` is a running total ("killed since 1 April"), one row per published report,
with a 48-hour report (no report on 20 June), a four-day gap (8 to 11 July) and a total frozen
for eight days (5 to 12 October, caught up on 13 October). The reader turns it into new deaths
per day and writes every choice and flag into the ingest report.
"""),
    code(r"""
from trends.errors import TrendsError
from trends.ingest.tallies import read_tallies
from trends.series import CountSeries
from trends.sources import load_series

TALLIES_FILE = EXAMPLES / "tallies_example.csv"
tallies, tallies_report = read_tallies(TALLIES_FILE)
assert tallies_report.balanced
print(f"{tallies_report.rows_read} reports read, {tallies_report.accepted} accepted; "
      f"{tallies_report.days_not_reported} days not reported (never counted as zero)")
pd.DataFrame(tallies_report.flags).groupby("kind").agg(days=("date", "size"),
                                                       first=("date", "min"), last=("date", "max"))
"""),
    md(r"""
Read the flags with care. The 48-hour report and the gap are spread over the days they cover.
The frozen total of October is marked not reported. But the same rule also catches **genuine
quiet spells**: after the ceasefire many days had no recorded death, so the running total stayed
the same for days on end, and a file of totals alone cannot tell that apart from a monitor that
stopped updating. The reader marks those days not reported rather than guessing zero, so the
series after the ceasefire holds fewer days than the calendar, and the bottom line below speaks
only for the reported days. Two July days are flagged as likely late registrations: in this
derived file they are real mass-casualty days of the bundled table, so a flag is a prompt to check
the source, not a verdict. `load_series(path, format="tallies")` gives the same series in one
call.
"""),
    code(r"""
tally_series = CountSeries.from_tallies(tallies, tallies_report)
same = load_series(TALLIES_FILE, format="tallies")
assert same.counts.equals(tally_series.counts)
reported = tally_series.reported
print(f"Reported days: {int(reported.loc[:'2019-08-30'].sum())} of "
      f"{len(reported.loc[:'2019-08-30'])} before 31 Aug, {int(reported.loc['2019-08-31':].sum())} "
      f"of {len(reported.loc['2019-08-31':])} from 31 Aug on")
tally_analysis = analyse_ceasefire(tally_series, "2019-08-31", placebo=False, robustness=False)
say(tally_analysis.bottom_line.report())
"""),
    md(r"""
### 7b. A plain daily count (`date,killed`)

`daily_counts_example.csv` holds the same deaths as one number per day, zeros included (26 April
to 15 December 2019). Here a zero is a zero, so every day counts, and the answer is on the whole
period after the ceasefire.
"""),
    code(r"""
from trends.ingest import read_counts

COUNTS_FILE = EXAMPLES / "daily_counts_example.csv"
counts, counts_report = read_counts(COUNTS_FILE)
print(counts_report)
count_series_ = load_series(COUNTS_FILE, format="counts")
counts_analysis = analyse_ceasefire(count_series_, "2019-08-31", placebo=False, robustness=False)
say(counts_analysis.bottom_line.report())
"""),
    code(r"""
counts_analysis.plot()
plt.show()
"""),
    md(r"""
### 7c. A spreadsheet with its own column names

`spreadsheet_example.xlsx` is what a hand-kept log might look like: one row per incident of
August and September 2019, with columns `Date, Village, Killed, Children killed, Injured,
Source` and dates written day first (`01/08/2019`). `columns=` maps its names onto the package's;
incident ids are generated from the row numbers (the report says so). Dates such as `03/08/2019`
could be 3 August or 8 March: without `dayfirst` (or `date_format`) the reader refuses them rather
than guessing.
"""),
    code(r"""
SHEET_FILE = EXAMPLES / "spreadsheet_example.xlsx"
SHEET_COLUMNS = {"Date": "date", "Village": "place", "Killed": "civilian_deaths_best",
                 "Children killed": "child_deaths", "Injured": "injured", "Source": "source"}
try:
    read(SHEET_FILE, format="incidents", columns=SHEET_COLUMNS, strict=True)
except TrendsError as error:
    print(f"Refused ({type(error).__name__}):")
    say(str(error))
_, refused = read(SHEET_FILE, format="incidents", columns=SHEET_COLUMNS)
print(f"\nWithout dayfirst: {refused.rejected} of {refused.rows_read} rows rejected. The first reason:")
say(refused.errors_frame()["reason"].iloc[0])
"""),
    code(r"""
sheet, sheet_report = read(SHEET_FILE, format="incidents", columns=SHEET_COLUMNS, dayfirst=True)
print(sheet_report)
sheet_analysis = analyse_ceasefire(sheet, "2019-08-31", start="2019-08-01", end="2019-09-30",
                                   ingest=sheet_report, placebo=False, robustness=False)
say(sheet_analysis.bottom_line.report())
"""),
    md(r"""
On the command line the same file is read with
`trends report --data data/examples/spreadsheet_example.xlsx --format incidents --columns "Date=date,Killed=civilian_deaths_best" --dayfirst --intervention 2019-08-31 --out out/mine`
(see `trends report --help`).

### 7d. Two published totals

Sometimes all there is: "213 casualties in the 31 days before, 95 in the 30 days after".
`compare_totals` gives the exact conditional Poisson rate ratio, which allows for the two periods
having different lengths. Its interval assumes independent days, so it is a floor on the real
uncertainty, and the report says so. The command line equivalent is `trends compare 213/31 95/30`
(add `--json` for a machine-readable answer).
"""),
    code(r"""
from trends.models.totals import compare_totals

say(compare_totals("213/31", "95/30", measure="casualties").report())
"""),
    md(r"""
## 8. Publish from a notebook: a report and charts

`write_report(analysis, folder, ...)` from `trends.reporting` writes what `trends report` writes:
`report.md`, `report.html`, `results.json`, the charts as PNG files and the series as CSV, into a
folder it creates (or replaces as a whole). `source_label` names the data in the report. Here it
goes into a temporary folder; give a real path to keep it. The charts can also be drawn inline,
from the analysis (`analysis.plot()`) or from one outcome's model (`outcome.its.plot()`).
"""),
    code(r"""
import tempfile
from pathlib import Path

from trends.reporting import write_report

out_dir = Path(tempfile.mkdtemp()) / "mine"
files = write_report(sheet_analysis, out_dir, source_label="spreadsheet example (derived)")
for kind, path in sorted(files.items()):
    print(f"{kind:>28}: {path.relative_to(out_dir.parent)}")
print()
print((out_dir / "report.md").read_text(encoding="utf-8")[:600])
"""),
    code(r"""
sheet_analysis.outcomes["civilian_deaths"].its.plot()
plt.show()
"""),
]


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
    # Stable cell ids, so that regenerating the notebooks gives the same files.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def main() -> None:
    for name, cells in (
        ("01_idlib_2019_ceasefire.ipynb", NB01),
        ("02_your_own_data.ipynb", NB02),
    ):
        nb = build(cells)
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print(f"wrote {name} ({len(nb.cells)} cells)")


if __name__ == "__main__":
    main()
