"""The shortcuts of the large-file read path give the same results as the general code.

Issue 12: each shortcut skips work only when it can prove the result unchanged; these tests
check each proof against the general computation.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from trends.ingest import _coerce, _io, _table
from trends.ingest._coerce import (
    TRIMMED_CODEPOINTS,
    RowErrors,
    parse_count,
    parse_float,
    parse_text,
)
from trends.ingest._table import _repeated


def _code_points() -> list[int]:
    bmp = [c for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    return bmp + list(range(0x10000, 0x110000, 97))


def test_trimmed_code_points_are_those_pyarrow_and_python_strip():
    cps = _code_points()
    before = pa.array([chr(c) + "x" for c in cps], type=pa.large_string())
    after = pa.array(["x" + chr(c) for c in cps], type=pa.large_string())
    for values in (before, after):
        trimmed = pc.binary_length(pc.utf8_trim_whitespace(values)).to_numpy()
        changed = [cps[i] for i in np.flatnonzero(trimmed != pc.binary_length(values).to_numpy())]
        assert changed == list(TRIMMED_CODEPOINTS)
    assert [c for c in cps if chr(c).strip() == ""] == list(TRIMMED_CODEPOINTS)


def test_float_cast_refuses_numbers_with_surrounding_space():
    # _plain_numbers relies on it: a cast that succeeds proves that stripping changes nothing.
    for c in TRIMMED_CODEPOINTS:
        for text in (chr(c) + "1", "1" + chr(c), chr(c) + "2.5", "2.5" + chr(c)):
            with pytest.raises(pa.ArrowInvalid):
                pc.cast(pa.array([text], type=pa.large_string()), pa.float64())


def _chunked(values: list, rng: random.Random) -> pd.Series:
    size = rng.randint(1, 6)
    chunks = [
        pa.array(values[i : i + size], type=pa.large_string()) for i in range(0, len(values), size)
    ]
    arr = pa.chunked_array(chunks or [pa.array([], type=pa.large_string())], type=pa.large_string())
    if len(values) > 3 and rng.random() < 0.3:  # chunks that are slices of their buffers
        arr = arr.slice(1, len(values) - 2)
    return pd.Series(pd.array(arr, dtype="str"), index=pd.RangeIndex(len(arr)) * 3)


PIECES = ["a", "b", " ", "\t", "\u00a0", "\u3000", "\u3001", "م", "ن", "\u2029", "\u0085", "é", "", "x\u0085", "\u1680", "\u205f", "日"]  # fmt: skip


def test_parse_text_equals_strip_and_blank_to_missing():
    rng = random.Random(12)
    for _ in range(600):
        n = rng.randint(0, 30)
        values = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4))) for _ in range(n)]
        if rng.random() < 0.4:  # often no value needs stripping: the shortcut is taken
            values = [v for v in values if v == v.strip()]
        if rng.random() < 0.2:
            values = [None if rng.random() < 0.2 else v for v in values]
        s = _chunked(values, rng)
        got = parse_text(s)
        texts = [None if pd.isna(v) else v for v in s.tolist()]
        expected = [None if v is None or v.strip() == "" else v.strip() for v in texts]
        assert [None if pd.isna(v) else v for v in got.tolist()] == expected
        assert got.dtype == "str" and (got.index == s.index).all()


def test_repeated_equals_duplicated_keep_false():
    rng = random.Random(5)
    pool = ["", "a", "ab", "abcdefgh", "abcdefghi", "SYR123", "SYR1234567", "x" * 20, "x" * 19 + "y",
            "é", "日本", "abcdefgh" + "Z" * 9 + "abcdefgh", "abcdefgh" + "Q" * 9 + "abcdefgh",
            "abcdefgh" + "Z" * 9 + "abcdefgh" + "Z" * 9 + "abcdefgh"]  # fmt: skip
    for _ in range(600):
        n = rng.randint(0, 30)
        values = [
            None if rng.random() < 0.1 else rng.choice(pool) + rng.choice(["", "1", "2"])
            for _ in range(n)
        ]
        s = _chunked(values, rng)
        assert _repeated(s).tolist() == s.duplicated(keep=False).tolist()


def test_repeated_keys_collide_only_for_long_strings(monkeypatch):
    # Strings equal in length, first, middle and last 8 bytes share a key: the exact comparison
    # must still tell them apart.
    a = "abcdefgh" + "1" * 4 + "MIDDLE00" + "2" * 4 + "abcdefgh"
    b = "abcdefgh" + "3" * 4 + "MIDDLE00" + "4" * 4 + "abcdefgh"
    s = pd.Series([a, b, "other"], dtype="str")
    keys = _table._string_keys(s)
    assert keys[0] == keys[1]
    assert _repeated(s).tolist() == [False, False, False]


def _general_numbers(monkeypatch) -> None:
    monkeypatch.setattr(_coerce, "_plain_numbers", lambda raw: None)


@pytest.mark.parametrize(
    "values",
    [
        ["1", "2", "30", "0"],
        ["1.5", "-2", "1e3", "7"],
        ["1", "nan", "2"],
        ["1", " 2", "3"],
        ["12.000", "5.0", "1,089", "-1", "inf", "0x10", "+4", "007", "20000000"],
        ["1", "", "NA", "unknown"],
    ],
)
def test_plain_numbers_give_the_general_results(values, monkeypatch):
    s = pd.Series(values * 3, dtype="str")
    results = []
    for general in (False, True):
        if general:
            _general_numbers(monkeypatch)
        errors = RowErrors(pd.Series(np.arange(1, len(s) + 1)), "f")
        count = parse_count(s, "n", errors)
        floats = parse_float(s, "x", errors, -100.0, 100.0)
        results.append(
            (count, floats, [(i.row, i.column, i.reason, i.value) for i in errors.issues])
        )
    pd.testing.assert_series_equal(results[0][0], results[1][0])
    pd.testing.assert_series_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


def _longest_line(data: bytes) -> int:
    return max(len(line) for line in data.split(b"\n"))


@pytest.mark.parametrize("seed", range(6))
def test_line_counter_finds_every_long_line(seed):
    rng = random.Random(seed)
    limit = _io.MAX_FIELD_CHARS
    lines = [b"x" * rng.randint(0, 2000) for _ in range(rng.randint(1, 400))]
    for _ in range(rng.randint(0, 2)):
        lines.insert(rng.randrange(len(lines) + 1), b"y" * (limit + rng.choice([-1, 0, 1, 5000])))
    data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
    buf_size = rng.choice([1 << 16, 1 << 20, 1 << 22])
    counter = _io._LineCounter()
    buf = bytearray(buf_size)
    for start in range(0, len(data), buf_size):
        piece = data[start : start + buf_size]
        buf[: len(piece)] = piece
        counter.feed(buf, len(piece))
    assert counter.lines == data.count(b"\n")
    assert counter.long_line == (_longest_line(data) > limit)
