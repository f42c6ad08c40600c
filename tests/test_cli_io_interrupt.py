"""Ctrl-C while the charts are drawn in worker processes: the workers ignore it (no
"Process ForkPoolWorker" traceback), the parent stops them and is the only one to report it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="charts are drawn in forked workers on Linux"
)

_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import trends.report.drawing as drawing
    from trends.report.charts import Chart

    ready = Path(sys.argv[1])

    def slow_draw(chart, out_dir):
        (ready / f"{chart.file}.started").write_text("x")
        time.sleep(60)

    drawing.draw = slow_draw
    drawing._warm_up = lambda charts: None
    charts = [Chart(f"c{i}.png", "", "timeline", "plot_timeline") for i in range(4)]
    try:
        list(drawing.draw_all(charts, ready, 2, lambda what, i: None))
    except KeyboardInterrupt:
        print("parent interrupted", file=sys.stderr)
        sys.exit(130)
    """
)


def test_ctrl_c_reaches_only_the_parent(tmp_path):
    script = tmp_path / "draw.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("*.started"))) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, "workers did not start"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "parent interrupted" in err
    assert "ForkPoolWorker" not in err and "Traceback" not in err, err


def test_a_reader_that_goes_away_ends_the_command_silently():
    # `trends ... | head`: the pipe closes while a command still prints. The top-level handler
    # exits 141 (128 + SIGPIPE) with no message and no trace.
    import typer
    from typer.testing import CliRunner

    from trends.cli import EXIT_BROKEN_PIPE, GuardedGroup

    app = typer.Typer(cls=GuardedGroup)

    @app.command()
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    @app.command()
    def other() -> None:  # a group needs two commands to dispatch by name
        pass

    result = CliRunner().invoke(app, ["talk"])
    assert result.exit_code == EXIT_BROKEN_PIPE == 141
    assert result.output == ""
