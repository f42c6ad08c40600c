"""Robustness tables: every level change in one ratio format (the sweep's c1/c3 read
"1.0999 | 0.8229 to 1.4702" and "1.0605 | 0.1195 to 9.4100" among three-figure rows)."""

from __future__ import annotations

from types import SimpleNamespace

from trends.report.context import Section, _level_cells, _model_variants
from trends.verdicts.words import fmt_ratio


def _v(label, est, lo, hi):
    return SimpleNamespace(label=label, estimate=est, ci_low=lo, ci_high=hi, problem=None)


def test_model_variant_rows_share_the_ratio_format():
    main = _v("main fit", 0.2484, 0.04462, 1.3801)
    variants = [
        _v("whole window, without the slope term", 1.0605, 0.1195, 9.41),
        _v("pre-period: last 50%", 1.0999, 0.8229, 1.4702),
        _v("curved pre-period trend", 0.9999, 0.4002, 2.4981),
    ]
    span = SimpleNamespace(main=main, variants=variants, what="over shorter windows",
                           min=0.2484, max=1.0999)  # fmt: skip
    sec = Section("People killed")
    _model_variants(sec, SimpleNamespace(level_change_range=span))
    rows = sec.tables[0].rows
    assert rows[0][1:] == ["0.25", "0.045 to 1.38"]
    assert rows[1][1:] == ["1.06", "0.12 to 9.41"]
    assert rows[2][1:] == ["1.10", "0.82 to 1.47"]
    assert rows[3][1:] == ["1.00", "0.40 to 2.50"]
    assert "from 0.25 to 1.10" in sec.paragraphs[-1].plain()
    for r in rows:  # no four-decimal figure anywhere
        assert all(len(x.partition(".")[2]) <= 3 for x in " ".join(r[1:]).split() if x[0].isdigit())


def test_level_cells_are_fmt_ratio():
    assert _level_cells(0.489, 0.229, 1.04) == [fmt_ratio(0.489), "0.23 to 1.04"]
