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


def _messy_csv(rng: random.Random) -> bytes:
    """A small CSV with the shapes that matter where pyarrow splits its blocks.

    Every file has quoted fields, doubled quotes, delimiters inside quotes and rows with too
    many or too few fields; some also have one or two of: quoted line breaks (LF, CRLF, CR),
    blank lines, a quote inside an unquoted field, an unclosed quote, a header whose quote
    spans lines.
    """
    eol = rng.choice([b"\n", b"\r\n"])
    traps = set(rng.sample(["break", "blank", "inner", "open", "header"], rng.choice([0, 0, 1, 2])))

    def field() -> bytes:
        kind = rng.random()
        word = rng.choice([b"", b"a", b"bb", b"c c", b"12", b"d,e"])
        if "break" in traps and kind < 0.02:
            return b'"x' + rng.choice([b"\n", b"\r\n", b"\r", b"\n\n"]) + b'y"'
        if "inner" in traps and kind < 0.04:
            return b'a"b'
        if kind < 0.08:
            return b'"q""' + word + b'"'
        if kind < 0.4 or b"," in word:
            return b'"' + word + b'"'
        return word

    headers = [b'"id","v","w"', b"id,v,w", b'id,"v",w']
    header = b'"id","v' + eol + b'x","w"' if "header" in traps else rng.choice(headers)
    lines = [header]
    for _ in range(rng.randint(20, 120)):
        r = rng.random()
        if "blank" in traps and r < 0.03:
            lines.append(b"")
        elif r < 0.06:
            lines.append(b",".join(field() for _ in range(rng.choice([2, 4]))))
        else:
            lines.append(b",".join(field() for _ in range(3)))
    if "open" in traps:
        lines.insert(rng.randrange(1, len(lines) + 1), b'"open,1,2')
    return eol.join(lines) + (eol if rng.random() < 0.7 else b"")


def _fast_read(path, monkeypatch, by_line: bool, block_size: int):
    """``_read_fast`` with small pyarrow blocks; ``by_line`` False forbids the by-line split."""
    import pyarrow.csv as pacsv

    options = pacsv.ReadOptions
    with monkeypatch.context() as m:
        m.setattr(pacsv, "ReadOptions", lambda **kw: options(block_size=block_size, **kw))
        if not by_line:
            m.setattr(_io._LineCounter, "breaks_outside_quotes", lambda self: False)
        try:
            raw = _io._read_fast(lambda: path.open("rb"), str(path), 0, None, [], None)
        except _io._FallBack:
            return None
    return raw


@pytest.mark.parametrize("seed", range(80))
def test_by_line_split_reads_the_same_records(seed, tmp_path, monkeypatch):
    rng = random.Random(seed)
    path = tmp_path / "t.csv"
    path.write_bytes(_messy_csv(rng))
    block = rng.choice([64, 96, 160, 256])
    fast = _fast_read(path, monkeypatch, True, block)
    slow = _fast_read(path, monkeypatch, False, block)
    assert (fast is None) == (slow is None)
    if fast is not None:
        pd.testing.assert_frame_equal(fast.frame, slow.frame)
        assert (fast.rows_read, fast.issues, fast.notes) == (
            slow.rows_read,
            slow.issues,
            slow.notes,
        )
        assert [fast.line_of(r) for r in range(1, fast.rows_read + 2)] == [
            slow.line_of(r) for r in range(1, slow.rows_read + 2)
        ]


def _quoted_break(data: bytes, delim: bytes = b",") -> bool:
    """pyarrow's quoting, one byte at a time: does a line break lie inside quotes (or does the
    data end inside quotes)?"""
    state, i = 0, 0  # 0: a field's start, 1: in an unquoted field, 2: in a quoted field
    while i < len(data):
        c = data[i : i + 1]
        if state == 2:
            if c == b'"':
                if data[i + 1 : i + 2] == b'"':
                    i += 2
                    continue
                state = 1
            elif c in (b"\n", b"\r"):
                return True
        elif state == 0 and c == b'"':
            state = 2
        elif c == delim or c in (b"\n", b"\r"):
            state = 0
        else:
            state = 1
        i += 1
    return state == 2


@pytest.mark.parametrize("seed", range(300))
def test_quote_check_never_misses_a_quoted_line_break(seed):
    rng = random.Random(seed)
    if seed % 3:
        data = _messy_csv(rng)
    else:  # short random strings of the bytes that matter
        data = bytes(rng.choice(b'"",,\n\rab') for _ in range(rng.randint(1, 40)))
    step = rng.choice([1, 2, 3, 7, 64, 1 << 16])
    counter = _io._LineCounter(",")
    for start in range(0, len(data), step):
        piece = bytearray(data[start : start + step])
        counter.feed(piece, len(piece))
    if counter.breaks_outside_quotes():
        assert not _quoted_break(data)


def test_quote_check_proves_usual_quoted_files():
    data = b'"id","a b","c"\r\n"1","x, ""y""",""\r\n2,,"z"\r\n"3","",\n'
    for step in (1, 2, 5, 100):
        counter = _io._LineCounter(",")
        for start in range(0, len(data), step):
            piece = bytearray(data[start : start + step])
            counter.feed(piece, len(piece))
        assert counter.breaks_outside_quotes()
    for bad in (b'a,"b\nc"\n', b'a,b"c\n', b'"a"b,c\n', b'a,"b'):
        counter = _io._LineCounter(",")
        counter.feed(bytearray(bad), len(bad))
        assert not counter.breaks_outside_quotes()


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_whole_numbers_equal_writing_through_a_mask(share):
    rng = np.random.default_rng(3)
    num = pd.Series(rng.integers(0, 10**9, 500).astype("float64"), index=np.arange(500) * 2)
    num[rng.random(500) < 0.1] = np.nan
    ok = num.notna() & pd.Series(rng.random(500) < share, index=num.index)
    expected = pd.Series(pd.NA, index=num.index, dtype="Int64")
    if ok.any():
        expected[ok] = num[ok].astype("int64")
    pd.testing.assert_series_equal(_coerce.whole_numbers(num, ok), expected)


def test_has_repeats_equals_any_duplicated():
    rng = random.Random(9)
    pool = ["", "a", "SYR1", "SYR2", "x" * 20, "é"]
    for _ in range(300):
        n = rng.randint(0, 12)
        values = [None if rng.random() < 0.1 else rng.choice(pool) for _ in range(n)]
        s = _chunked(values, rng)
        assert _table.has_repeats(s) == bool(s.duplicated(keep=False).any())


@pytest.mark.parametrize("values", [["1", "2", "30"], ["1", "nan", "2"], ["1", " 2", "x", ""]])
def test_numbers_read_ahead_give_the_same_parse(values):
    # read_acled computes plain_numbers in a worker thread and passes it as plain=.
    s = pd.Series(values * 3, dtype="str")
    results = []
    for plain in (_coerce.NOT_READ, _coerce.plain_numbers(s)):
        errors = RowErrors(pd.Series(np.arange(1, len(s) + 1)), "f")
        count = parse_count(s, "n", errors, plain=plain)
        floats = parse_float(s, "x", errors, -100.0, 100.0, plain=plain)
        results.append((count, floats, [(i.row, i.reason, i.value) for i in errors.issues]))
    pd.testing.assert_series_equal(results[0][0], results[1][0])
    pd.testing.assert_series_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


def test_acled_duplicate_check_after_the_id_check_in_a_thread(tmp_path):
    # The worker finds that some id repeats in the whole file; finalize then checks the rows
    # it keeps. A repeat whose other row is rejected is no duplicate; a kept one is.
    from trends.ingest.acled import read_acled

    header = "event_id_cnty,event_date,event_type,civilian_targeting,fatalities,timestamp"
    rows = [
        "A1,16 May 2020,Battles,,1,100",
        "A2,16 May 2020,Battles,,1,100",
        "A1,31 February 2020,Battles,,1,200",  # rejected: the repeat is no duplicate
        "A3,16 May 2020,Battles,,1,100",
        "A3,17 May 2020,Battles,,2,300",  # kept (latest timestamp); row 4 is the duplicate
    ]
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    table, report = read_acled(path)
    assert report.rejected == 1 and report.duplicates == 1
    assert [(d.row, d.kept_row) for d in report.duplicate_rows] == [(4, 5)]
    assert table["incident_id"].tolist() == ["A1", "A2", "A3"]
