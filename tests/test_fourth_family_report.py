"""A family registered by a user runs through the whole report (issue 8: one file plus its test)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import pytest

from trends.config import ReportConfig
from trends.models.families import FAMILIES, NegativeBinomialFamily, register_family
from trends.report.run import run_report
from trends.reporting import schema_errors


@dataclass(frozen=True)
class NegBinThetaThree(NegativeBinomialFamily):
    """A fourth family: negative binomial with theta fixed at 3, defined here alone."""

    name: str = "nb_theta3_user"
    label: str = "negative binomial (theta fixed at 3)"
    theta: float | None = 3.0


@pytest.fixture
def user_family():
    family = register_family(NegBinThetaThree())
    yield family
    FAMILIES.pop(family.name)


@pytest.mark.slow
def test_report_runs_on_a_registered_family(user_family, tmp_path):
    out = tmp_path / "out"
    config = ReportConfig(family=user_family.name, out=out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis, files = run_report(config, jobs=1)
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["family"] == user_family.name
    assert schema_errors(payload) == []
    its = analysis.outcomes["attacks"].its
    assert its.family == user_family.name
    assert "theta fixed at 3" in (out / "report.md").read_text(encoding="utf-8") or (
        user_family.label in its.report()
    )
    assert analysis.outcomes["attacks"].placebo is not None
