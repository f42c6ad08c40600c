"""Counts agree with their noun, whatever the measure: "1 person killed", "1 event", "434 attacks
and 622 people killed" (not "1 people killed", "1 events", "434 attacks; 622 people killed")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from trends.cli import app
from trends.models.rates import compare_rates

runner = CliRunner()


def _report(tmp_path: Path, frame: pd.DataFrame) -> str:
    frame.to_csv(tmp_path / "daily.csv", index=False)
    args = ["report", "--data", str(tmp_path / "daily.csv"), "--format", "counts"]
    args += ["--intervention", "2023-04-01", "--out", str(tmp_path / "out"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + str(result.exception)
    return (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def _dates(n: int) -> list[str]:
    return list(pd.date_range("2023-01-01", periods=n).strftime("%Y-%m-%d"))


def test_one_person_killed_reads_singular_everywhere(tmp_path):
    killed = [0] * 140 + [1] + [0] * 59
    md = _report(tmp_path, pd.DataFrame({"date": _dates(200), "killed": killed}))
    assert "The data record 1 person killed in it." in md
    assert "1 person killed in 110 observed days" in md
    assert "only 1 event in the fitted periods" in md
    assert "1 people" not in md and "1 events" not in md


def test_two_measures_are_listed_with_and(tmp_path):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {"date": _dates(200), "attacks": rng.poisson(3, 200), "killed": rng.poisson(2, 200)}
    )
    md = _report(tmp_path, frame)
    a, k = int(frame["attacks"].sum()), int(frame["killed"].sum())
    assert f"The data record {a:,d} attacks and {k:,d} people killed in it." in md
    assert "attacks; " not in md.split("## Data", 1)[1].split("## Findings", 1)[0]


def test_the_rate_comparison_detail_uses_the_singular_for_one():
    index = pd.date_range("2023-01-01", periods=60)
    s = pd.Series(np.r_[np.zeros(30), [1.0], np.zeros(29)], index=index, name="killed")
    text = compare_rates(s, ("2023-01-01", "2023-01-30"), ("2023-01-31", "2023-03-01")).report()
    assert "1 person killed in 30 observed days" in text and "1 people killed" not in text


def test_one_incident_falls_in_the_window(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("incident_id,date,place,admin1,civilian_deaths_best\nA,2023-02-10,X,R,2\n")
    args = ["report", "--data", str(path), "--format", "incidents", "--intervention", "2023-03-01"]
    args += ["--start", "2023-01-01", "--end", "2023-05-31", "--out", str(tmp_path / "out"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + str(result.exception)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "1 incident falls in the window 1 Jan 2023 to 31 May 2023 (151 days)." in md
