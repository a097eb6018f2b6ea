"""Reading files into raw grids: discovery, workbooks, CSV encodings, header rows.

This is the I/O edge of loading. It knows nothing of value types: it turns a file into
grids of raw cells, each row tagged with the number a person sees in Excel or a text
editor, and finds which grid is which form and where its header row is.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tokki_analytics.forms import Form, form_for_name, header_key, nfkc

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUBMISSION_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")
HEADER_SEARCH_ROWS = 30


class UnreadableFile(Exception):
    """A file that looks like a submission but cannot be read at all (rule Q0)."""

    def __init__(self, reason_ja: str, reason_en: str) -> None:
        super().__init__(f"{reason_ja} / {reason_en}")
        self.reason_ja = reason_ja
        self.reason_en = reason_en


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


def is_ignored_name(name: str) -> bool:
    """Excel lock files (``~$…``) and hidden files are never submissions."""
    return name.startswith(("~$", "."))


@dataclass
class Skipped:
    """A file or folder of the data folder that is not read, and why (a Q0).

    Attributes:
        path: The file or folder.
        error: The reason, in Japanese and English.
        folder: True for a folder (its files were not read), False for a file.
    """

    path: Path
    error: UnreadableFile
    folder: bool = False


def display_name(name: str) -> str:
    """A file-system name as text a person can read and any output can hold.

    Python hands undecodable bytes of a name over as lone surrogates, which no UTF-8
    output accepts. Each path component is decoded from its bytes as UTF-8, else as CP932
    (a contractor's zip unpacked by ``unzip``), else shown with its bad bytes escaped
    (a backslash and the byte in hex); the result is NFKC-normalised.
    """
    parts = []
    for raw in os.fsencode(name).split(b"/"):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _cp932(raw) or raw.decode("utf-8", errors="backslashreplace")
        parts.append(text)
    return unicodedata.normalize("NFKC", "/".join(parts))


def _cp932(raw: bytes) -> str | None:
    """``raw`` decoded as CP932, or None when it is not text in CP932.

    Python's codec also maps single bytes 0x80, 0xA0 and 0xFD–0xFF to control and
    private-use characters, which no real file name holds: those mean "not CP932".
    """
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        return None
    if any("\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff" for ch in text):
        return None
    return text


def relative(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators, readable (display_name)."""
    return display_name(path.relative_to(root).as_posix())


def _os_reason(exc: OSError, folder: bool) -> UnreadableFile:
    """The reason an entry cannot be opened: a permission problem is not a corrupt file."""
    what_ja, what_en = ("フォルダ", "folder") if folder else ("ファイル", "file")
    if isinstance(exc, PermissionError):
        return UnreadableFile(
            f"{what_ja}の読み取り権限がありません", f"permission denied: cannot open the {what_en}"
        )
    return UnreadableFile(
        f"{what_ja}を開けません（{exc.strerror or type(exc).__name__}）",
        f"cannot open the {what_en} ({exc.strerror or type(exc).__name__})",
    )


def link_problem(path: Path, root: Path) -> UnreadableFile | None:
    """Why a symbolic link must not be read: its target is missing or outside ``root``.

    A link whose target lies inside the data folder is read like its target; one that
    points outside it (``/etc/passwd``, ``/usr``) is never opened.
    """
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return UnreadableFile(
            "リンク先がありません（壊れたリンク）", "broken symbolic link (no target)"
        )
    if not target.is_relative_to(root.resolve()):
        return UnreadableFile(
            "データフォルダ外へのリンクです（読みません）",
            "symbolic link to a place outside the data folder (not read)",
        )
    return None


def _not_regular(path: Path) -> UnreadableFile:
    return UnreadableFile(
        "通常のファイルではありません（名前付きパイプ・デバイス等）",
        "not a regular file (a pipe, socket or device)",
    )


def list_place(
    folder: Path, root: Path, recursive: bool = True
) -> tuple[list[Path], list[Path], list[Skipped]]:
    """List a place of the data folder without following links out of it.

    Args:
        folder: The data folder itself (``recursive=False``) or a contractor folder.
        root: The data folder.
        recursive: Descend into sub-folders (contractor folders); hidden folders (``.…``)
            are passed over, as are folders already visited through a link.

    Returns:
        (files in a stable order, sub-folders when not recursive, entries that cannot be
        read: unreadable folders, links out of the data folder or broken, pipes and devices
        named like a submission).
    """
    files: list[Path] = []
    folders: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()

    def visit(place: Path) -> None:
        try:
            real = place.resolve()
            if real in seen:
                return
            seen.add(real)
            with os.scandir(place) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(place, _os_reason(exc, folder=True), folder=True))
            return
        for entry in entries:
            _sort_entry(Path(entry.path), entry.name)

    def _sort_entry(path: Path, name: str) -> None:
        problem = link_problem(path, root)
        try:
            is_dir = problem is None and path.is_dir()
            is_file = problem is None and not is_dir and path.is_file()
        except OSError as exc:
            problem = _os_reason(exc, folder=False)
            is_dir = is_file = False
        if problem is not None:
            skipped.append(Skipped(path, problem, folder=path.is_dir()))
        elif is_dir and not name.startswith("."):
            if recursive:
                visit(path)
            else:
                folders.append(path)
        elif is_file:
            files.append(path)
        elif not is_dir and path.suffix.lower() in SUBMISSION_SUFFIXES:
            skipped.append(Skipped(path, _not_regular(path)))

    visit(folder)
    return files, folders, skipped


# --- workbooks ------------------------------------------------------------------------


def _open_workbook(path: Path):
    """Open a workbook with python-calamine, turning every failure into UnreadableFile."""
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        name = str(path)
        if name != name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
            # a name that is not UTF-8 (CP932 from unzip): calamine takes text paths only
            with open(path, "rb") as fh:
                return CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
        return CalamineWorkbook.from_path(name)
    except PasswordError as exc:
        raise UnreadableFile("パスワードで保護されています", "password-protected") from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises many kinds; all mean "unreadable"
        raise UnreadableFile(
            "Excelファイルとして読めません（破損または形式違い）",
            f"not a readable workbook ({type(exc).__name__}: {exc})",
        ) from exc


def _sheet_grid(workbook, sheet_name: str) -> Grid:
    """Read one sheet from A1, keeping empty leading rows so row numbers match Excel."""
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
        values = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFile(
            f"シート「{sheet_name}」を読めません", f"cannot read sheet {sheet_name!r}: {exc}"
        ) from exc
    cells = pd.DataFrame(values, dtype=object) if values else pd.DataFrame(dtype=object)
    # calamine returns rows from A1; should a reader ever start at the first used row
    # instead, its rows are offset by the used range's first row.
    first = 0
    if sheet.start is not None and sheet.end is not None and len(values) < sheet.end[0] + 1:
        first = sheet.start[0]
    rows = pd.Series(range(first + 1, first + len(cells) + 1), dtype="int64")
    return Grid(cells=cells, rows=rows)


def read_workbook(path: Path, root: Path, forms: tuple[Form, ...]) -> FileResult:
    """Read every form sheet of a workbook.

    A sheet named after a form (or ``<form>_<part>``) is that form. When no sheet is, and
    the file itself is named after a form, its first sheet holds that form.

    Args:
        path: The workbook.
        root: The data folder (for relative sources).
        forms: The forms that may appear here.

    Returns:
        The parts found and the sheets ignored; ``error`` set when the file is unreadable.
    """
    result = FileResult()
    source = relative(path, root)
    try:
        workbook = _open_workbook(path)
        names = [m.name for m in workbook.sheets_metadata]
        by_sheet = {name: form_for_name(name, forms) for name in names}
        if not any(by_sheet.values()) and names:
            file_form = form_for_name(display_name(path.stem), forms)
            if file_form is not None:
                by_sheet[names[0]] = file_form
        for name in names:
            form = by_sheet[name]
            if form is None:
                result.ignored.append(f"{source} [{name}]")
                continue
            result.parts.append(Part(form, source, nfkc(name), _sheet_grid(workbook, name)))
    except UnreadableFile as exc:
        result.parts.clear()
        result.error = exc
    return result


# --- CSV ------------------------------------------------------------------------------


def decode_csv_bytes(data: bytes) -> str:
    """Decode CSV bytes as UTF-8 (with or without BOM) or CP932, whichever is valid.

    UTF-8 is tried first: Japanese text in CP932 is almost never valid UTF-8, while the
    reverse is common, so the order decides correctly.

    Raises:
        UnreadableFile: Neither encoding decodes the bytes, or they hold NUL bytes.
    """
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


def _csv_grid_fast(text: str) -> Grid | None:
    """Parse with pandas' C parser when every line is one record (no quotes)."""
    if '"' in text:
        return None
    width = max(len(line.split(",")) for line in text[:65536].split("\n"))
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    return Grid(cells=cells, rows=pd.Series(range(1, len(cells) + 1), dtype="int64"))


def _csv_grid_exact(text: str) -> Grid:
    """Parse with the csv module, numbering each record by the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    starts: list[int] = []
    line = 0
    for record in reader:
        starts.append(line + 1)
        records.append(record)
        line = reader.line_num
    width = max((len(r) for r in records), default=0)
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype=object)
    return Grid(cells=cells, rows=pd.Series(starts, dtype="int64"))


def read_csv(path: Path, root: Path, form: Form) -> FileResult:
    """Read one CSV file that holds (part of) ``form``."""
    source = relative(path, root)
    try:
        text = decode_csv_bytes(path.read_bytes())
    except UnreadableFile as exc:
        return FileResult(error=exc)
    except OSError as exc:
        return FileResult(error=UnreadableFile("ファイルを開けません", f"cannot open: {exc}"))
    grid = _csv_grid_fast(text) or _csv_grid_exact(text)
    return FileResult(parts=[Part(form, source, "", grid)])


def read_file(path: Path, root: Path, forms: tuple[Form, ...]) -> FileResult:
    """Read a file of a data folder: a workbook, a CSV named after a form, or nothing.

    Args:
        path: The file.
        root: The data folder.
        forms: The forms that may appear in this place of the folder.

    Returns:
        The file's parts; ``ignored`` names the file when it is not a form.
    """
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path, root, forms)
    if suffix == ".csv":
        form = form_for_name(display_name(path.stem), forms)
        if form is None:
            return FileResult(ignored=[relative(path, root)])
        return read_csv(path, root, form)
    return FileResult(ignored=[relative(path, root)])


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
