"""The report folder: escaping of data (issue 11 item 4), nothing of the bundled case with a
user's data (issue 8 item 7), atomic output with a manifest (issue 11 item 3)."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from report_fixtures import INJECTIONS, INTERVENTION, SOURCE, TITLE, write_inputs
from typer.testing import CliRunner

import trends.report.writer as writer
from trends.analysis import analyse_ceasefire
from trends.cases import idlib_2019
from trends.cli import app
from trends.events import Timeline
from trends.ingest.incidents import read_incidents
from trends.report import MANIFEST, write_report
from trends.report.escape import html, md, prose, safe_url

PLOT_MODULES = ("timeline", "its", "changepoint", "placebo", "claims", "small_multiples")
CASE_WORDS = ("Idlib", "Syria", "governorate", "Airwars", "SOHR")


def _own_data_run(folder: Path) -> Path:
    paths = write_inputs(folder)
    out = folder / "out"
    result = CliRunner().invoke(app, [
        "report", "--data", str(paths["incidents"]), "--events", str(paths["events"]),
        "--claims", str(paths["claims"]), "--intervention", INTERVENTION, "--title", TITLE,
        "--source", SOURCE, "--out", str(out), "-q",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output + repr(result.exception)
    return out


@pytest.fixture(scope="module")
def own_data_run(run_once) -> Path:
    """`trends report` on made-up data whose names carry injection attempts.

    Run once per test run (conftest.py), its folder shared by the xdist workers: only read it.
    """
    return run_once("own_data_run", _own_data_run)


def _text_of_html(page: str) -> str:
    return re.sub(r'src="data:image/png;base64,[^"]*"', 'src=""', page)


# ------------------------------------------------------------------------------ escaping
def test_escape_functions():
    for bad in INJECTIONS:
        assert not re.search(r"(?<!\\)<", md(bad)) and "\n" not in md(bad)
        assert "<" not in str(html(bad))
    assert md("# heading").startswith("\\#")
    assert md("[a](javascript:x)") == "\\[a\\](javascript:x)"
    assert md("idlib_2019 and _em_") == "idlib_2019 and \\_em\\_"
    assert (
        safe_url("javascript:alert(1)") is None and safe_url("https://a.org/x") == "https://a.org/x"
    )
    p = prose("**{name}** took effect *after* {id!c}", name="<b>x</b>", id="a`b")
    assert p.render("md") == "**\\<b\\>x\\</b\\>** took effect *after* `a'b`"
    assert p.render("html") == (
        "<strong>&lt;b&gt;x&lt;/b&gt;</strong> took effect <em>after</em> <code>a&#39;b</code>"
    )


def test_markdown_report_escapes_every_name_from_the_data(own_data_run):
    md_text = (own_data_run / "report.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<", md_text)  # no raw HTML at all: every < is escaped
    assert not re.search(r"(?<!\\)\]\(javascript:", md_text)
    headings = [line for line in md_text.splitlines() if line.startswith("#")]
    assert headings[0].startswith("# \\<script\\>")  # --title: escaped, on one line
    assert not any("Injected" in h for h in headings[1:]), headings
    assert "\\<script\\>alert('x')\\</script\\>" in md_text  # shown, not dropped
    assert "\\<img src=x onerror=" in md_text and "\\[click me\\](javascript:alert(1))" in md_text
    assert "Truce # Injected heading" in md_text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_report_escapes_every_name_from_the_data(own_data_run):
    page = (own_data_run / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    names = {t for t, _ in parser.tags}
    assert "script" not in names and "a" not in names, names
    assert names <= {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3",
                     "p", "section", "ul", "li", "div", "table", "thead", "tbody", "tr", "th",
                     "td", "details", "summary", "figure", "img", "figcaption", "strong", "em",
                     "code"}, names  # fmt: skip
    for tag, attrs in parser.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")
    text = _text_of_html(page)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=" in text and "[click me](javascript:alert(1))" in text
    assert "javascript:" not in re.sub(
        r"\[click me\]\(javascript:alert\(1\)\)|\[the source\]\(javascript:alert\(&#39;source&#39;\)\)",
        "",
        text,
    )


def test_nothing_of_the_bundled_case_reaches_a_report_on_your_own_data(own_data_run):
    for name in ("report.md", "report.html", "results.json", "manifest.json"):
        text = _text_of_html((own_data_run / name).read_text(encoding="utf-8"))
        found = [w for w in CASE_WORDS if w.lower() in text.lower()]
        assert not found, (name, found)
    md_text = (own_data_run / "report.md").read_text(encoding="utf-8")
    assert "Theatre (default) | all" in md_text and "first-level administrative area" in md_text


# ------------------------------------------------------------------------------ atomic output
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A quick analysis of the made-up data (no placebo, no robustness)."""
    paths = write_inputs(tmp_path_factory.mktemp("small"))
    incidents, report = read_incidents(paths["incidents"])
    timeline = Timeline.from_csv(paths["events"])
    analysis = analyse_ceasefire(incidents, INTERVENTION, timeline=timeline, ingest=report,
                                 placebo=False, robustness=False)  # fmt: skip
    return analysis, timeline


@pytest.fixture
def no_charts(monkeypatch):
    importlib.import_module("trends.plots")
    for module in PLOT_MODULES:
        monkeypatch.setitem(sys.modules, f"trends.plots.{module}", None)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers(parent: Path, name: str) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")]


def test_manifest_lists_every_file_with_its_checksum(small, tmp_path, no_charts):
    analysis, timeline = small
    files = write_report(analysis, tmp_path / "out", timeline=timeline, jobs=1)
    manifest = json.loads(files["manifest"].read_text(encoding="utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    on_disk = {p.name for p in (tmp_path / "out").iterdir()} - {MANIFEST}
    assert set(listed) == on_disk == {p.name for k, p in files.items() if k != "manifest"}
    for name, entry in listed.items():
        data = (tmp_path / "out" / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    assert manifest["removed_from_earlier_run"] == [] == manifest["kept_not_written_by_trends"]
    assert _leftovers(tmp_path, "out") == []


def test_a_reused_folder_loses_the_stale_files_keeps_foreign_ones_and_says_so(
    small, tmp_path, no_charts
):
    analysis, timeline = small
    out = tmp_path / "out"
    out.mkdir()
    (out / "changepoints_child_deaths.png").write_bytes(b"\x89PNG old run")
    (out / "old_table.csv").write_text("a\n1\n", encoding="utf-8")
    (out / MANIFEST).write_text(
        json.dumps({"files": [{"name": "old_table.csv"}]}), encoding="utf-8"
    )
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    files = write_report(analysis, out, timeline=timeline, jobs=1)
    names = {p.name for p in out.iterdir()}
    assert "changepoints_child_deaths.png" not in names and "old_table.csv" not in names
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "mine"
    manifest = json.loads(files["manifest"].read_text(encoding="utf-8"))
    assert manifest["removed_from_earlier_run"] == [
        "changepoints_child_deaths.png",
        "old_table.csv",
    ]
    assert manifest["kept_not_written_by_trends"] == ["my notes.txt"]
    md_text = files["report"].read_text(encoding="utf-8")
    assert "were removed: changepoints_child_deaths.png, old_table.csv." in md_text
    assert "left as they were: my notes.txt" in md_text
    assert _leftovers(tmp_path, "out") == []


@pytest.mark.parametrize("where", ["report.html", "charts"])
def test_an_interruption_leaves_the_previous_folder_intact(
    small, tmp_path, no_charts, monkeypatch, where
):
    analysis, timeline = small
    out = tmp_path / "out"
    write_report(analysis, out, timeline=timeline, jobs=1)
    (out / "my notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    def half_drawn(charts, folder, jobs, report):
        (Path(folder) / "timeline.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
        raise KeyboardInterrupt
        yield  # pragma: no cover

    if where == "report.html":
        monkeypatch.setattr(writer, "render_html", interrupted)
    else:
        monkeypatch.setattr(writer, "draw_all", half_drawn)
    with pytest.raises(KeyboardInterrupt):
        write_report(analysis, out, timeline=timeline, jobs=1)
    assert _snapshot(out) == before
    assert _leftovers(tmp_path, "out") == []


def test_ctrl_c_is_deferred_while_the_folder_is_swapped():
    with pytest.raises(KeyboardInterrupt):
        with writer.deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
            reached = True  # the signal did not stop the block
    assert reached


def test_out_must_be_a_folder(small, tmp_path):
    analysis, timeline = small
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(Exception, match="is a file, not a folder"):
        write_report(analysis, tmp_path / "f", timeline=timeline, jobs=1)


def test_series_csvs_come_from_the_analysis_days(small, tmp_path, no_charts):
    analysis, timeline = small
    files = write_report(analysis, tmp_path / "out", timeline=timeline, jobs=1)
    daily = pd.read_csv(files["series_daily"], index_col="date", parse_dates=True)
    assert daily["attacks"].sum() == analysis.total("attacks")
    assert daily["deaths_best"].sum() == analysis.total("civilian_deaths")


def _default_sigint() -> None:
    """In the child, before exec: SIGINT's default disposition, whatever the runner's.

    A process started with SIGINT ignored (a non-interactive shell ignores it in background
    jobs, and some CI runners do) passes that on, and Python then installs no KeyboardInterrupt
    handler; with the default disposition it does, as in a terminal where Ctrl-C is pressed.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_a_real_ctrl_c_during_trends_report_leaves_the_previous_folder_intact(tmp_path):
    """SIGINT to a running `trends report` (as Ctrl-C does), while it fits and draws."""
    paths = write_inputs(tmp_path)
    out = tmp_path / "out"
    args = [sys.executable, "-c", "from trends.cli import main; main()", "report",
            "--data", str(paths["incidents"]), "--events", str(paths["events"]),
            "--intervention", INTERVENTION, "--out", str(out), "-q"]  # fmt: skip
    run = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run["preexec_fn"] = _default_sigint
    # The whole run, timed: it writes the folder the interrupted runs must leave as it is. (This
    # process has imported trends already, so the interpreter's caches are warm.)
    started = time.monotonic()
    first = subprocess.run(args, timeout=300, check=False, **run)
    took = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    # Interrupt at fractions of a whole run's duration (machines differ in speed): early (while
    # reading and fitting) and late (while drawing and writing).
    exits = []
    # on a loaded machine the timed run may have been slower than the later ones, which then
    # finish first: earlier fractions are tried until two runs were interrupted
    for k, fraction in enumerate((0.3, 0.6, 0.85, 0.15, 0.4, 0.08)):
        if k >= 3 and len(exits) >= 2:
            break
        delay = fraction * took
        proc = subprocess.Popen(args, **run)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
        assert _leftovers(tmp_path, "out") == []
        if proc.returncode == 0:  # it finished first: the folder is a whole run, as before
            assert _snapshot(out) == before, "a finished run wrote different files"
            continue
        exits.append(proc.returncode)
        # 130 from the CLI's handler; -SIGINT if the signal came while Python was still importing
        assert proc.returncode in (130, -signal.SIGINT), (
            f"exit {proc.returncode} after {delay:.1f} s"
        )
        assert _snapshot(out) == before, f"changed by an interruption after {delay:.1f} s"
    assert len(exits) >= 2, f"only {len(exits)} runs were interrupted (a run takes {took:.1f} s)"
    assert 130 in exits, f"no run was stopped by the CLI's handler (exit codes {exits})"


def test_markdown_and_html_have_the_same_sections(own_data_run):
    md_text = (own_data_run / "report.md").read_text(encoding="utf-8")
    page = (own_data_run / "report.html").read_text(encoding="utf-8")
    md_sections = [line[3:] for line in md_text.splitlines() if line.startswith("## ")]
    html_sections = re.findall(r"<h2>(.*?)</h2>", page)
    assert md_sections == html_sections and md_sections[0] == "Bottom line"
    assert md_sections[1:4] == ["Question", "Data", "Findings"]
    assert md_sections.index("Claims") < md_sections.index("Choices and why")
    assert md_sections.index("Choices and why") < md_sections.index("Caveats")
    assert md_sections.index("Caveats") < md_sections.index("Figures")


def test_the_ingest_report_is_never_changed(small, tmp_path, no_charts):
    analysis, timeline = small
    before = (list(analysis.ingest.notes), dict(analysis.ingest.choices))
    write_report(analysis, tmp_path / "out", timeline=timeline, jobs=1)
    assert (list(analysis.ingest.notes), dict(analysis.ingest.choices)) == before
    incidents = pd.DataFrame({"date": ["2021-01-01", "2021-01-02"], "north_west": ["true", "no"]})
    kept, report = idlib_2019.filter_theatre(incidents, analysis.ingest, "north-west")
    assert (
        len(kept) == 1 and report is not analysis.ingest and report.notes[-1].startswith("theatre")
    )
    assert (list(analysis.ingest.notes), dict(analysis.ingest.choices)) == before
