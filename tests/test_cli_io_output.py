"""The output folder: an ``--out`` that is a symbolic link is written through (the link stays,
the report lands in its target, atomically), and the folder keeps its permissions (a new one
gets ``0o777 & ~umask``, never the temporary folder's 0o700)."""

from __future__ import annotations

import importlib
import os
import stat
import sys
from pathlib import Path

import pytest
from report_fixtures import INTERVENTION, write_inputs
from typer.testing import CliRunner

from trends.analysis import analyse_ceasefire
from trends.cli import app
from trends.events import Timeline
from trends.ingest.incidents import read_incidents
from trends.report import write_folder, write_report

PLOT_MODULES = ("timeline", "its", "changepoint", "placebo", "claims", "small_multiples")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX links and permissions")


def _fill(text: str):
    def fill(tmp: Path, earlier: list[str], kept: list[str]) -> dict[str, str]:
        (tmp / "report.md").write_text(text, encoding="utf-8")
        return {"report": "report.md"}

    return fill


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_symlinked_out_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "realout"
    real.mkdir()
    (real / "report.md").write_text("old", encoding="utf-8")
    (real / "mine.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / "linkout"
    link.symlink_to("realout")
    files = write_folder(link, _fill("new"))
    assert link.is_symlink() and os.readlink(link) == "realout"
    assert (real / "report.md").read_text(encoding="utf-8") == "new"
    assert (real / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert files["report"] == link / "report.md"
    assert _leftovers(tmp_path) == []


def test_a_dangling_symlinked_out_creates_its_target(tmp_path):
    link = tmp_path / "linkout"
    link.symlink_to(tmp_path / "sub" / "real")
    write_folder(link, _fill("new"))
    assert link.is_symlink()
    assert (tmp_path / "sub" / "real" / "report.md").read_text(encoding="utf-8") == "new"


def test_a_symlink_loop_is_an_input_error(tmp_path):
    from trends.errors import InputError

    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError, match="symbolic link"):
        write_folder(tmp_path / "a", _fill("x"))


def test_compare_out_through_a_symlink(tmp_path):
    real = tmp_path / "realout"
    real.mkdir()
    (real / "report.md").write_text("old", encoding="utf-8")
    link = tmp_path / "linkout"
    link.symlink_to("realout")
    result = CliRunner().invoke(app, ["compare", "213/31", "95/30", "--out", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert "old" != (real / "report.md").read_text(encoding="utf-8")
    assert (real / "results.json").is_file() and _leftovers(tmp_path) == []


def test_an_existing_folder_keeps_its_permissions(tmp_path, umask_022):
    out = tmp_path / "perm"
    out.mkdir()
    out.chmod(0o775)
    write_folder(out, _fill("x"))
    assert _mode(out) == 0o775
    out.chmod(0o750)
    result = CliRunner().invoke(app, ["compare", "213/31", "95/30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o750


def test_a_new_folder_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_folder(tmp_path / "new", _fill("x"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new") == 0o750


def test_write_report_keeps_permissions_and_writes_through_a_link(tmp_path, monkeypatch):
    importlib.import_module("trends.plots")
    for module in PLOT_MODULES:
        monkeypatch.setitem(sys.modules, f"trends.plots.{module}", None)
    (tmp_path / "in").mkdir()
    paths = write_inputs(tmp_path / "in")
    incidents, report = read_incidents(paths["incidents"])
    timeline = Timeline.from_csv(paths["events"])
    analysis = analyse_ceasefire(incidents, INTERVENTION, timeline=timeline, ingest=report,
                                 placebo=False, robustness=False)  # fmt: skip
    real = tmp_path / "real"
    real.mkdir()
    real.chmod(0o755)
    link = tmp_path / "link"
    link.symlink_to(real)
    write_report(analysis, link, timeline=timeline, jobs=1)
    assert link.is_symlink() and (real / "report.md").is_file()
    assert _mode(real) == 0o755
    assert _leftovers(tmp_path) == []
