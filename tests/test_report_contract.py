"""The output contract: results.json and its schema come from one declaration (issue 8 item 5)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from trends.models.families import FAMILIES
from trends.report.contract import (
    SCHEMA_FILE,
    Results,
    results_payload,
    results_schema,
    schema_errors,
    schema_text,
)

#: The founding case's results.json with the calibrated defaults of issue 12 (latent-AR intervals,
#: dependence-aware change points, studentised placebo). It replaced the reference of 177fc35
#: (issue 8: the redesign changed no number), which those method changes retired on purpose; the
#: old methods stay available and are checked by their own tests (``inference="glm"`` against R,
#: ``dependence="none"`` and ``statistic="raw"`` against the old code paths).
REFERENCE = Path(__file__).parent / "data" / "founding_case_results_issue12.json"

#: Fields of results.json renamed by the redesign: none. (New fields are allowed: the reference
#: is compared field by field; `bottom_line`, `series` and the claims' `finding*`,
#: `difference*`, `gap_pct`, `qualifier_used`, `tolerance_used` are new.)
RENAMED: dict[str, str] = {}


@pytest.fixture(scope="module")
def payload(founding_analysis):
    """results.json of the founding case (conftest.py: run_analysis with the report's defaults)."""
    return results_payload(founding_analysis)


def test_the_committed_schema_is_the_generated_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "trends/schemas/results.schema.json is out of date: run "
        "`python -m trends.report.contract` to regenerate it"
    )
    assert results_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert results_schema() == Results.model_json_schema() | {
        "$schema": results_schema()["$schema"]
    }


def _differences(new, old, path=""):
    """Every way ``new`` departs from ``old`` (numbers to 1e-6 relative: the latent-AR fits are
    optimised to about 1e-8, so a machine with other BLAS kernels may differ below that; the
    reports print three significant figures); keys only in ``new`` are fine."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{path}: {type(new).__name__} instead of an object"]
        out = []
        for key, value in old.items():
            key_new = RENAMED.get(f"{path}/{key}".lstrip("/"), key)
            if key_new not in new:
                out.append(f"{path}/{key}: missing")
            else:
                out += _differences(new[key_new], value, f"{path}/{key}")
        return out
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{path}: list of {len(old)} expected"]
        return [
            d
            for i, (a, b) in enumerate(zip(new, old, strict=True))
            for d in _differences(a, b, f"{path}/{i}")
        ]
    if isinstance(old, float | int) and not isinstance(old, bool):
        ok = isinstance(new, float | int) and not isinstance(new, bool)
        if ok and math.isclose(new, old, rel_tol=1e-6, abs_tol=1e-12):
            return []
        return [f"{path}: {new!r} instead of {old!r}"]
    return [] if new == old else [f"{path}: {new!r} instead of {old!r}"]


def test_founding_case_results_equal_the_reference_to_1e_6(payload):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert _differences(payload, reference) == []
    assert schema_errors(payload) == []


def test_a_difference_is_caught(payload):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(payload))
    changed["outcomes"]["attacks"]["rate_ratio"]["estimate"] *= 1 + 1e-5
    changed["claims"][0]["verdict"] = "supported"
    found = _differences(changed, reference)
    assert any("rate_ratio/estimate" in d for d in found) and any(
        "claims/0/verdict" in d for d in found
    )


def test_the_family_enum_follows_the_registry(payload, monkeypatch):
    schema = results_schema()
    assert schema["properties"]["family"]["enum"] == list(FAMILIES)
    bad = json.loads(json.dumps(payload)) | {"family": "toy"}
    assert any("family" in e for e in schema_errors(bad))
    monkeypatch.setitem(FAMILIES, "toy", FAMILIES["poisson"])
    assert "toy" in results_schema()["properties"]["family"]["enum"]
    assert schema_errors(bad) == []
    Results.model_validate(bad)  # the declaration reads the registry too


def test_absent_estimates_are_null_and_undeclared_keys_are_kept(payload):
    raw = json.loads(json.dumps(payload))
    out = raw["outcomes"]["attacks"]
    for key in ("its", "changepoint", "placebo", "rate_ratio"):
        del out[key]
    out["new_diagnostic"] = {"x": 1}
    dumped = Results.model_validate(raw).model_dump(mode="json")
    attacks = dumped["outcomes"]["attacks"]
    assert attacks["its"] is None and attacks["placebo"] is None and attacks["rate_ratio"] is None
    assert attacks["new_diagnostic"] == {"x": 1}
    assert dumped["settings"] == payload["settings"]


def _count_values(obj, path=""):
    """Every value under a count key of :data:`trends.results.COUNT_KEYS`, with its path."""
    from trends.results import COUNT_KEYS

    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in COUNT_KEYS and not isinstance(v, (dict, list)):
                yield f"{path}/{k}", v
            yield from _count_values(v, f"{path}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _count_values(v, f"{path}/{i}")


def test_counts_are_written_as_integers(payload):
    counts = dict(_count_values(payload))
    assert len(counts) > 10  # the phases, the measures' totals, the bottom line's evidence
    floats = {p: v for p, v in counts.items() if isinstance(v, float)}
    assert not floats, floats
    assert '"count": 475,' in json.dumps(payload, indent=1)


def test_a_fractional_count_is_kept_as_it_is():
    from trends.results import to_jsonable

    assert to_jsonable({"count": 2.5, "total": 3.0, "rate": 3.0}) == {
        "count": 2.5,
        "total": 3,
        "rate": 3.0,
    }


def test_the_quoted_rate_ratio_is_the_bottom_lines(payload):
    for name, outcome in payload["outcomes"].items():
        quoted = outcome["rate_ratio_quoted"]
        interval = payload["bottom_line"][name]["interval"]
        assert (quoted["ci_low"], quoted["ci_high"]) == (interval["low"], interval["high"])
        assert quoted["source"] == interval["source"]
        assert quoted["estimate"] == outcome[quoted["key"]]["estimate"]


def test_claim_counts_are_integers_in_the_json(payload):
    claims = [c for c in payload["claims"] if c["observed"]["best"] is not None]
    assert claims
    for c in claims:
        for key in ("low", "best", "high"):
            value = c["observed"][key]
            assert isinstance(value, int) or not float(value).is_integer(), (c["claim_id"], key)
        assert isinstance(c["value"], int) or not float(c["value"]).is_integer()
