"""Run the malformed-input corpus (tests/malformed/make_corpus.py): every case is clean.

A case is clean when its exit code is the documented one, no traceback is shown, the row
accounting of ``validate --json`` is the expected one (and balanced), and an exit-2 message
says what is wrong and names the file. The corpus runs in-process (typer's CliRunner).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import CATEGORIES, build_cases, classify, run_case, table

KNOWN_UNCLEAR = {
    # The report command's own messages (trends/config.py, owned by the report package): the
    # message does not name the TOML file the bad value comes from.
    "toml/bad_format",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    import matplotlib

    matplotlib.use("Agg")
    cases = build_cases(tmp_path_factory.mktemp("corpus"))
    return [(case, run_case(case)) for case in cases]


def test_corpus_has_at_least_150_cases_over_every_area(corpus):
    assert len(corpus) >= 150
    areas = Counter(case.name.split("/")[0] for case, _ in corpus)
    for area in (
        "incidents",
        "acled",
        "ucdp",
        "tallies",
        "counts",
        "claims",
        "timeline",
        "toml",
        "report",
        "dataframe",
    ):
        assert areas[area] >= 5, area


def test_every_case_is_clean(corpus):
    verdicts = {case.name: classify(case, outcome) for case, outcome in corpus}
    counts = Counter(verdicts.values())
    bad = {
        name: (v, outcome.exit, (outcome.stderr or outcome.stdout).strip()[-200:])
        for (case, outcome), (name, v) in zip(corpus, verdicts.items(), strict=True)
        if v != "clean" and name not in KNOWN_UNCLEAR
    }
    assert not bad, table(counts) + "\n" + "\n".join(f"{k}: {v}" for k, v in bad.items())
    assert set(counts) <= set(CATEGORIES)


def test_no_case_shows_a_traceback(corpus):
    for case, outcome in corpus:
        assert outcome.exception is None, (case.name, outcome.exception)
        assert "Traceback" not in outcome.stdout + outcome.stderr, case.name
