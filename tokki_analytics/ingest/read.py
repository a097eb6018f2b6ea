"""Reading one file into raw grids: workbooks, CSV encodings, header rows.

This is the I/O edge of loading. It knows nothing of value types: it turns a file into
grids of raw cells, each row tagged with the number a person sees in Excel or a text
editor, and finds which grid is which form and where its header row is. Which files there
are is :mod:`tokki_analytics.ingest.folders`' business; workbooks are read by
:mod:`tokki_analytics.ingest.sheetreader`.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from tokki_analytics.forms import TEMPLATE_SHEETS, Form, form_for_name, header_key, nfkc
from tokki_analytics.ingest import guard
from tokki_analytics.ingest.cells import blank_cells
from tokki_analytics.ingest.folders import (
    WORKBOOK_SUFFIXES,
    display_name,
    is_ignored_name,
    os_reason,
    relative,
    unread_defect,
)
from tokki_analytics.ingest.guard import Limits, UnreadableFile

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30


@dataclass
class Grid:
    """The cells of one sheet or CSV file, as read.

    Attributes:
        cells: Object-dtype frame with positional columns; one row per line or Excel row.
        rows: The 1-based row number of each row of ``cells``, as Excel or an editor shows.
    """

    cells: pd.DataFrame
    rows: pd.Series


@dataclass
class Part:
    """One sheet or CSV file holding (part of) a form.

    Attributes:
        form: The form.
        source: Path relative to the data folder, with ``/``.
        sheet: Sheet name; empty for CSV.
        grid: The raw cells.
    """

    form: Form
    source: str
    sheet: str
    grid: Grid


@dataclass
class FileResult:
    """What one file yielded: form parts, ignored sheets, or the reason it is unreadable."""

    parts: list[Part] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    error: UnreadableFile | None = None


# --- limits and opening ---------------------------------------------------------------


def default_limits() -> Limits:
    """The limits of the default settings."""
    from tokki_analytics.settings import Settings

    return Limits.from_settings(Settings())


def _open_checked(path: Path, limits: Limits) -> BinaryIO:
    """Open ``path`` for reading after checking its size; the caller closes it.

    A file that cannot be opened says why: no permission is not a corrupt file.

    Raises:
        UnreadableFile: No permission, another system error, or larger than the limit.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - returned open
    except OSError as exc:
        raise os_reason(exc, folder=False) from exc
    try:
        guard.check_size(os.fstat(fh.fileno()).st_size, limits)
    except UnreadableFile:
        fh.close()
        raise
    return fh


# --- workbooks ------------------------------------------------------------------------


def _sheet_grid(values: list[list], first: int) -> Grid:
    """The grid of one sheet's cells from A1; ``first``: 0-based row of the first row."""
    cells = _object_frame(values, max(map(len, values), default=0), None)
    rows = pd.Series(range(first + 1, first + len(cells) + 1), dtype="int64")
    return Grid(cells=cells, rows=rows)


def read_workbook(
    path: Path, root: Path, forms: tuple[Form, ...], limits: Limits | None = None
) -> FileResult:
    """Read every form sheet of a workbook, inside the limits.

    A sheet named after a form (or ``<form>_<part>``) is that form. When no sheet is, and
    the file itself is named after a form, its first sheet holds that form. The sheets of
    tokki's own template (:data:`~tokki_analytics.forms.TEMPLATE_SHEETS`: 記入要領, 選択肢)
    hold no records: never a form, and not listed as ignored either. Workbooks are
    read by a separate process (:mod:`tokki_analytics.ingest.sheetreader`): a workbook past a
    limit, or one that crashes the reader, is unreadable and costs only itself.

    Args:
        path: The workbook.
        root: The data folder (for relative sources).
        forms: The forms that may appear here.
        limits: What one file may cost (default: those of the default settings).

    Returns:
        The parts found and the sheets ignored; ``error`` set when the file is unreadable.
    """
    from tokki_analytics.ingest.sheetreader import read_sheets

    limits = limits or default_limits()
    result = FileResult()
    source = relative(path, root)
    by_sheet: dict[str, Form | None] = {}

    def pick(names: list[str]) -> list[str]:
        by_sheet.update((name, form_for_name(name, forms)) for name in names)
        kept = [name for name in names if nfkc(name) not in TEMPLATE_SHEETS]
        if not any(by_sheet.values()) and kept:
            file_form = form_for_name(display_name(path.stem), forms)
            if file_form is not None:
                by_sheet[kept[0]] = file_form
        return [name for name in names if by_sheet[name] is not None]

    try:
        _open_checked(path, limits).close()
        names, sheets = read_sheets(path, pick, limits)
    except UnreadableFile as exc:
        return FileResult(error=exc)
    if not names:  # Excel cannot save one: a missing xl/workbook.xml, or a broken file
        return FileResult(
            error=UnreadableFile(
                "シートが1つもありません（破損または形式違い）",
                "the workbook has no sheets (corrupt or not a workbook)",
            )
        )
    result.ignored = [  # a template's own sheets hold no records: not worth a line
        f"{source} [{name}]"
        for name in names
        if by_sheet[name] is None and nfkc(name) not in TEMPLATE_SHEETS
    ]
    for name, values, first in sheets:
        form = by_sheet[name]
        if form is not None:  # read_sheets returns only the sheets pick chose
            result.parts.append(Part(form, source, nfkc(name), _sheet_grid(values, first)))
    return result


# --- CSV ------------------------------------------------------------------------------


def decode_csv_bytes(data: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM) or CP932, whichever is valid.

    UTF-8 is tried first: Japanese text in CP932 is almost never valid UTF-8, while the
    reverse is common, so the order decides correctly.

    The specification allows these two only (FORMS.md); a file with a UTF-16 byte order
    mark (some tools, and Excel's "Unicode text") is refused with a message that says so.

    Raises:
        UnreadableFile: Neither encoding decodes the bytes, or they hold NUL bytes.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            "文字コードが UTF-16 です（UTF-8 または CP932 で保存してください）",
            "encoded in UTF-16: save it as UTF-8 or CP932",
        )
    if b"\x00" in data:
        raise UnreadableFile("テキスト（CSV）ではありません", "not a text (CSV) file")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        "文字コードが UTF-8 でも CP932 (Shift_JIS) でもありません",
        "encoding is neither UTF-8 nor CP932",
    )


def _csv_lines(text: str) -> list[str]:
    """The lines of ``text`` (CR only in CRLF), split at LF only, line breaks dropped."""
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
    if lines[-1] == "":
        lines.pop()  # the text ends with a line break: no line after it
    return lines


def _csv_shape(lines: list[str], limits: Limits) -> np.ndarray:
    """The fields of each line that is one record (no quotes), refused past the limits.

    Before any field is split: the widest line so far sets the width of every row of the
    grid, so each line is checked against the columns and cells limits at that width; a
    line longer than the field limit has its fields measured. The first line past a limit
    is the one reported, the extent before the field length on the same line.
    """
    count = len(lines)
    # Counted on the UTF-8 bytes: a comma or a line feed is one byte there, and a line has
    # no more characters than bytes, so its length in bytes says when to measure its fields.
    data = np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)
    ends = np.append(np.flatnonzero(data == 10), len(data))
    fields = np.diff(np.searchsorted(np.flatnonzero(data == 44), ends), prepend=0) + 1
    lengths = np.diff(ends, prepend=-1) - 1
    widths = np.maximum.accumulate(fields)
    numbers = np.arange(1, count + 1, dtype=np.int64)
    over = (widths > limits.max_columns) | (numbers * widths > limits.max_cells)
    first_over = int(np.argmax(over)) if over.any() else count
    for pos in np.flatnonzero(lengths[:first_over] > limits.max_field_chars).tolist():
        longest = max(map(len, lines[pos].split(",")))
        if longest > limits.max_field_chars:
            raise guard.field_too_long(pos + 1, limits, longest)
    if first_over < count:
        raise guard.extent_error(first_over + 1, int(widths[first_over]), limits)
    return fields


def _csv_cells(lines: list[str], fields: np.ndarray, width: int) -> np.ndarray:
    """The cells of quote-free lines (``fields`` each), padded with empty strings to ``width``.

    The lines of the full width (nearly all) are split at once. One string object is kept
    per distinct text, as pandas' parser did: a column of few values (codes, marks, names)
    then costs a pointer per cell, not a string.
    """
    cells = np.empty((len(lines), width), dtype=object)
    seen: dict[str, str] = {}
    same = seen.setdefault
    full = fields == width
    if full.any():
        flat = ",".join(lines if full.all() else compress(lines, full)).split(",")
        cells[full] = np.array(list(map(same, flat, flat)), dtype=object).reshape(-1, width)
    for pos in np.flatnonzero(~full).tolist():
        row = lines[pos].split(",")
        cells[pos, : len(row)] = list(map(same, row, row))
        cells[pos, len(row) :] = ""
    return cells


def _object_frame(records: list[list], width: int, fill: str | None) -> pd.DataFrame:
    """An object frame of ``records`` (rows of cells), rows shorter than ``width`` padded.

    One two-dimensional object array under the frame, which cutting into columns later
    only views. Cells keep their Python objects; short rows are padded with ``fill``.
    """
    cells = np.empty((len(records), width), dtype=object)
    if not width or not records:
        pass
    elif min(map(len, records)) == width:
        cells[:] = records
    else:
        for pos, record in enumerate(records):
            cells[pos, : len(record)] = record
            cells[pos, len(record) :] = fill
    return pd.DataFrame(cells, dtype=object, copy=False)


def _csv_grid_fast(text: str, limits: Limits) -> Grid | None:
    """Split ``text`` when every line is one record (no quotes, CR only in CRLF).

    Gives the cells pandas' C parser gives such text (a leading byte order mark dropped,
    blank lines kept as rows of empty cells), without its cost per file. None: the text
    needs the csv module (quotes, a lone CR, or no line at all).
    """
    if not text or '"' in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = _csv_lines(text)
    fields = _csv_shape(lines, limits)
    width = int(fields.max())
    if text.startswith("\ufeff"):  # a second byte order mark: dropped, as pandas does
        lines = _csv_lines(text[1:])  # the same lines, or none when it was all the text
        fields = fields[: len(lines)]
    cells = pd.DataFrame(_csv_cells(lines, fields, width), dtype=object, copy=False)
    return Grid(cells=cells, rows=pd.Series(range(1, len(cells) + 1), dtype="int64"))


def _csv_records(text: str, limits: Limits) -> tuple[list[list[str]], list[int]]:
    """Records of ``text`` and the line each starts on, refused past the limits."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    starts: list[int] = []
    line = width = 0
    old = csv.field_size_limit(limits.max_field_chars)
    try:
        for record in reader:
            width = max(width, len(record))
            if width > limits.max_columns or (len(records) + 1) * width > limits.max_cells:
                raise guard.extent_error(len(records) + 1, width, limits)
            starts.append(line + 1)
            records.append(record)
            line = reader.line_num
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise guard.field_too_long(line + 1, limits) from exc
        raise UnreadableFile(
            f"CSV として読めません（{line + 1}行目）",
            f"not a readable CSV (line {line + 1}: {exc})",
        ) from exc
    finally:
        csv.field_size_limit(old)
    return records, starts


def _csv_grid_exact(text: str, limits: Limits) -> Grid:
    """Parse with the csv module, numbering each record by the line it starts on."""
    records, starts = _csv_records(text, limits)
    width = max((len(r) for r in records), default=0)
    return Grid(cells=_object_frame(records, width, ""), rows=pd.Series(starts, dtype="int64"))


def read_csv(path: Path, root: Path, form: Form, limits: Limits | None = None) -> FileResult:
    """Read one CSV file that holds (part of) ``form``, inside the limits."""
    limits = limits or default_limits()
    source = relative(path, root)
    try:
        with _open_checked(path, limits) as fh:
            data = fh.read(limits.max_file_mb * guard.MB + 1)
        guard.check_size(len(data), limits)  # a file that grew since it was opened
        text = decode_csv_bytes(data)
        del data
        grid = _csv_grid_fast(text, limits) or _csv_grid_exact(text, limits)
    except UnreadableFile as exc:
        return FileResult(error=exc)
    except OSError as exc:
        return FileResult(error=os_reason(exc, folder=False))
    return FileResult(parts=[Part(form, source, "", grid)])


def read_file(
    path: Path, root: Path, forms: tuple[Form, ...], limits: Limits | None = None
) -> FileResult:
    """Read a file of a data folder: a workbook, a CSV named after a form, or nothing.

    Args:
        path: The file.
        root: The data folder.
        forms: The forms that may appear in this place of the folder.
        limits: What one file may cost (default: those of the default settings).

    Returns:
        The file's parts; ``ignored`` names the file when it is not a form; ``error`` the
        reason it is unreadable (past a limit, no permission, corrupt…).
    """
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path, root, forms, limits)
    if suffix == ".csv":
        form = form_for_name(display_name(path.stem), forms)
        if form is None:
            return FileResult(ignored=[relative(path, root)])
        return read_csv(path, root, form, limits)
    return FileResult(ignored=[relative(path, root)])


def read_place(
    files: list[Path], root: Path, forms: tuple[Form, ...], contractor_id: str, limits: Limits
) -> tuple[list[Part], list[str], list[dict]]:
    """Read the files of one place (the top of the data folder, or a contractor folder).

    Returns:
        (the form parts read, the files and sheets that are not forms, a Q0 for each file
        that cannot be read).
    """
    parts: list[Part] = []
    ignored: list[str] = []
    defects: list[dict] = []
    for path in files:
        if is_ignored_name(path.name):
            ignored.append(relative(path, root))
            continue
        result = read_file(path, root, forms, limits)
        if result.error is not None:
            defects.append(unread_defect(path, root, contractor_id, result.error))
            continue
        parts.extend(result.parts)
        ignored.extend(result.ignored)
    return parts, ignored, defects


# --- header rows ----------------------------------------------------------------------


def header_map(form: Form) -> dict[str, str]:
    """Map every accepted normalised header of ``form`` to its column key."""
    mapping: dict[str, str] = {}
    for column in form.columns:
        for header in column.headers:
            mapping.setdefault(header, column.key)
    return mapping


def _cell_key(value: object) -> str:
    return header_key(value) if isinstance(value, str) else ""


def find_header(grid: Grid, form: Form) -> int | None:
    """Return the position (0-based, in ``grid.cells``) of the header row, or None.

    The header is the first row, within the first 30, holding at least half of the form's
    required column names (after NFKC normalisation, spaces removed, aliases accepted).
    """
    required = {h: c.key for c in form.required for h in c.headers}
    need = len(form.required)
    top = grid.cells.head(HEADER_SEARCH_ROWS).to_numpy(dtype=object).tolist()
    for pos, row in enumerate(top):
        found = {required[k] for k in map(_cell_key, row) if k in required}
        if need and 2 * len(found) >= need:
            return pos
    return None


def map_columns(header_cells: list[object], form: Form) -> tuple[dict[str, int], dict[str, int]]:
    """Match header cells to the form's columns.

    Returns:
        (form column key → grid position, extra header text → grid position). A header
        repeated keeps its first position; later copies are extras.
    """
    known = header_map(form)
    columns: dict[str, int] = {}
    extras: dict[str, int] = {}
    for pos, cell in enumerate(header_cells):
        key = _cell_key(cell)
        if not key:
            continue
        column = known.get(key)
        if column is not None and column not in columns:
            columns[column] = pos
        else:
            label = nfkc(str(cell))
            while label in extras or label in columns:
                label += "_"
            extras[label] = pos
    return columns, extras


def unheaded_columns(body: np.ndarray, taken: dict[str, int]) -> dict[str, int]:
    """Columns under an empty header cell that hold a value, by label (``列D``…).

    A value in such a column still belongs to its row: the column becomes an extra column,
    named after its Excel letter, so that the row is kept (and its cells reported), never
    dropped as blank.

    Args:
        body: The cells of the rows below the header row (a two-dimensional object array).
        taken: Label → position of the columns the header row names.
    """
    used = set(taken.values())
    found: dict[str, int] = {}
    for pos in range(body.shape[1]):
        if pos in used or blank_cells(body[:, pos]).all():
            continue
        label = f"列{guard.column_name(pos + 1)}"
        while label in taken or label in found:
            label += "_"
        found[label] = pos
    return found
