"""Fuzzing the readers: whatever the bytes, a file is read or is a Q0, and no row is lost.

Random bytes named as a workbook or a CSV, real workbooks truncated or with bits flipped,
hand-written sheets with random cell references, and CSVs in random dialects (delimiters,
quoting, line ends, BOM, UTF-8 or CP932). The invariants, for every file:

- reading raises nothing: the file is read, or it is unreadable with a reason in Japanese
  and English (a Q0);
- when read, every non-blank row is accounted for: under a header row it is a record kept,
  and in a sheet without a header row it is counted as unplaced (reported with the sheet's
  Q2s): rows read = rows kept + rows reported.

Deterministic (derandomised, no example database) and quick: a few hundred files in all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

import hostile
import numpy as np
import pandas as pd
from conftest import ROOT, STAFF_HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokki_analytics.forms import FORMS_BY_KEY, SUBMISSION_FORMS
from tokki_analytics.ingest import read, typed
from tokki_analytics.ingest.cells import is_blank
from tokki_analytics.ingest.guard import UnreadableFile, column_name

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SAMPLE_BOOK = next((ROOT / "data_samples").glob("C002_*/作業従事者名簿.xlsx")).read_bytes()
SAMPLE_CSV = next((ROOT / "data_samples").glob("C002_*/入退室記録_2025-04.csv")).read_bytes()
ACCESS_HEADER = [c.name for c in FORMS_BY_KEY["access"].required]

#: Text a cell may hold: ASCII, kana and kanji CP932 can encode, full-width forms, blanks,
#: and the characters that make CSV hard (quotes, delimiters, line ends).
CELL = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 -_/:.")
        + list("入退室記録従事者名簿岡山太郎ａ１　")
        + ['"', ",", ";", "\t", "\n", "\r"]
    ),
    max_size=12,
)


def _non_blank_rows(cells: pd.DataFrame) -> int:
    if cells.empty:
        return 0
    filled = np.zeros(len(cells), dtype=bool)
    for col in cells.columns:
        filled |= ~is_blank(cells[col]).to_numpy(dtype=bool)
    return int(filled.sum())


def _check(path: Path) -> read.FileResult:
    """Read ``path`` and check the invariants (see the module docstring)."""
    result = read.read_file(path, path.parent, SUBMISSION_FORMS)
    if result.error is not None:
        assert isinstance(result.error, UnreadableFile)
        assert result.error.reason_ja and result.error.reason_en
        assert not result.parts
        return result
    for part in result.parts:
        records, _, unplaced = typed.raw_records(part, "C001")
        if records is None:
            assert unplaced == _non_blank_rows(part.grid.cells)
            continue
        header = read.find_header(part.grid, part.form)
        kept, _ = typed.type_records(part.form, [records])
        assert len(kept) == _non_blank_rows(part.grid.cells.iloc[header + 1 :])
    return result


@FUZZ
@given(data=st.binary(max_size=3_000), suffix=st.sampled_from([".xlsx", ".xls", ".csv"]))
def test_random_bytes_are_read_or_a_q0(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"入退室記録{suffix}"
    path.write_bytes(data)
    _check(path)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(SAMPLE_BOOK)))
def test_a_truncated_workbook_is_read_or_a_q0(tmp_path_factory, cut):
    path = tmp_path_factory.mktemp("cut") / "作業従事者名簿.xlsx"
    path.write_bytes(SAMPLE_BOOK[:cut])
    result = _check(path)
    if cut < len(SAMPLE_BOOK):
        assert result.error is not None, "a zip cut short has no central directory"


@FUZZ
@given(
    flips=st.lists(st.integers(min_value=0, max_value=len(SAMPLE_BOOK) * 8 - 1), max_size=8),
    name=st.sampled_from(["作業従事者名簿.xlsx", "作業従事者名簿.xls"]),
)
def test_a_workbook_with_flipped_bits_is_read_or_a_q0(tmp_path_factory, flips, name):
    data = bytearray(SAMPLE_BOOK)
    for bit in flips:
        data[bit // 8] ^= 1 << (bit % 8)
    path = tmp_path_factory.mktemp("flip") / name
    path.write_bytes(bytes(data))
    _check(path)


@FUZZ
@given(flips=st.lists(st.integers(min_value=0, max_value=len(SAMPLE_CSV) * 8 - 1), max_size=8))
def test_a_csv_with_flipped_bits_is_read_or_a_q0(tmp_path_factory, flips):
    data = bytearray(SAMPLE_CSV)
    for bit in flips:
        data[bit // 8] ^= 1 << (bit % 8)
    path = tmp_path_factory.mktemp("flipcsv") / "入退室記録_2025-04.csv"
    path.write_bytes(bytes(data))
    _check(path)


@st.composite
def csv_files(draw) -> bytes:
    """A CSV of the access log in a random dialect, with titles and blank lines at random."""
    width = draw(st.integers(min_value=1, max_value=6))
    body = draw(st.lists(st.lists(CELL, min_size=0, max_size=width), max_size=12))
    header = ACCESS_HEADER + draw(st.lists(CELL, max_size=2))
    rows = draw(st.lists(st.lists(CELL, max_size=2), max_size=2))  # titles above
    rows += [header] if draw(st.booleans()) or not body else []
    rows += body
    delimiter = draw(st.sampled_from([",", ",", "\t", ";"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, None]))
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    if quoting is None:  # no quoting at all: cells written as they are, quotes and all
        text = "".join(delimiter.join(row) + ending for row in rows)
    else:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=ending).writerows(rows)
        text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
    return text.encode(encoding)


@FUZZ
@given(data=csv_files())
def test_csv_in_any_dialect_is_read_or_a_q0_and_no_row_is_lost(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("dialect") / "入退室記録_2025-04.csv"
    path.write_bytes(data)
    _check(path)


@st.composite
def sheets(draw) -> list[str]:
    """Rows of a roster sheet with random cell references (missing, out of order, far)."""
    columns = st.one_of(st.none(), st.integers(min_value=1, max_value=30))
    rows = [hostile.row(1, [hostile.inline(None, h) for h in STAFF_HEADER])]
    for number in draw(st.lists(st.one_of(st.none(), st.integers(2, 60)), max_size=10)):
        cells = []
        for col in draw(st.lists(columns, max_size=8)):
            ref = None if col is None or number is None else f"{column_name(col)}{number}"
            text = escape(draw(CELL).replace("\r", ""))
            cells.append(hostile.inline(ref, text))
        rows.append(hostile.row(number, cells))
    return rows


@FUZZ
@given(rows=sheets(), dimension=st.sampled_from([None, "A1", "A1:XFD1048576", "B2:C3"]))
def test_sheets_with_any_references_are_read_or_a_q0_and_no_row_is_lost(
    tmp_path_factory, rows, dimension
):
    path = tmp_path_factory.mktemp("sheet") / "作業従事者名簿.xlsx"
    hostile.workbook(path, rows, sheet="作業従事者名簿", dimension=dimension)
    result = _check(path)
    assert result.error is None, result.error  # small sheets: inside every limit


def test_a_value_under_an_empty_header_cell_keeps_its_row(tmp_path):
    # Found by the dialect fuzz: such a row was dropped as blank, neither kept nor reported.
    path = tmp_path / "入退室記録_2025-04.csv"
    header = ",".join(ACCESS_HEADER)
    path.write_text(f"{header},\r\n,,,,note\r\n", encoding="utf-8")
    [part] = _check(path).parts
    records, _, _ = typed.raw_records(part, "C001")
    kept, defects = typed.type_records(part.form, [records])
    assert kept["列E"].tolist() == ["note"]
    assert {d["column"] for d in defects} >= set(ACCESS_HEADER), "its blank cells are reported"
