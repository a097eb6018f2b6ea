"""Checks of an .xlsx/.xlsm workbook (a zip of XML parts) before the reader opens it.

:class:`Package` unpacks and counts the workbook's XML parts against ``max_unpacked_mb``,
bounds each sheet's extent from its XML before the reader pads it from A1, and finds the
error cells (``#REF!``…) the reader gives as empty strings. Each refusal is an
:class:`~tokki_analytics.ingest.guard.UnreadableFile` (a Q0) made by
:mod:`tokki_analytics.ingest.guard`.

The checks run in the sheet reader process (:mod:`tokki_analytics.ingest.sheetreader`),
which imports this module: it uses the standard library only.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO
from xml.parsers import expat

from tokki_analytics.ingest.guard import (
    EXCEL_ERRORS,
    MB,
    Limits,
    UnreadableFile,
    extent_problem,
    unpacked_too_large,
)

CHUNK = 1 << 20
#: The most deflate can pack: 1,032 bytes out of one.
DEFLATE_RATIO = 1_032

BOOK = "xl/workbook.xml"
_SHEET_DIRS = ("worksheets/", "chartsheets/", "dialogsheets/", "macrosheets/")
# The quick scan reads attributes as Excel and common libraries write them (` r="A1"`);
# other spellings escape it, not the reader's own extent check (sheetreader.py, its sheet()).
_CELL_LETTERS = re.compile(rb' r="([A-Za-z]{1,4})[0-9]')
_ROW_NUMBERS = re.compile(rb' r="([0-9]{1,10})"')
_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*):worksheet\b")
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref="([^"]{1,40})"')
_REF = re.compile(r"([A-Za-z]{1,4})([0-9]{1,10})?$")
# A cell of type error (<c r="B5" t="e"><v>#REF!</v></c>), matched loosely: a false match
# only costs a parse of the sheet (see Package.error_cells).
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_ERROR_TEXTS = {text: text for text in EXCEL_ERRORS}


def _letters_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def parse_ref(ref: str) -> tuple[int, int] | None:
    """(1-based row or 0 when absent, 1-based column) of a cell reference such as ``XFD1``."""
    match = _REF.match(ref.strip().replace("$", ""))
    if match is None:
        return None
    return int(match.group(2) or 0), _letters_number(match.group(1))


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def is_zip(head: bytes) -> bool:
    """True when a file starting with ``head`` is a zip (an .xlsx/.xlsm, not a BIFF .xls)."""
    return head.startswith(b"PK\x03\x04")


class Package:
    """An .xlsx/.xlsm opened for checking: its XML parts are unpacked and counted here.

    Opening counts every XML part but the sheets (what the reader unpacks when it opens
    the workbook: shared strings, styles…) against ``max_unpacked_mb``; each sheet is
    counted when :meth:`check_sheet` scans it.

    Raises:
        UnreadableFile: Not a zip, or its XML unpacks past the limit.
    """

    def __init__(self, source: str | Path | IO[bytes], limits: Limits) -> None:
        self.limits = limits
        self.unpacked = 0
        self._counted: set[str] = set()
        self._with_errors: set[str] = set()  # sheet parts that may hold error cells
        try:
            self.zip = zipfile.ZipFile(source)
            self.sheets = self._sheet_parts()
            self._count_common()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            expat.ExpatError,
        ) as exc:
            raise UnreadableFile(
                "Excelファイルとして読めません（破損または形式違い）",
                f"not a readable workbook ({type(exc).__name__}: {exc})",
            ) from exc

    @property
    def _budget(self) -> int:
        return self.limits.max_unpacked_mb * MB

    def _stream(self, member: str) -> Iterator[bytes]:
        """Yield ``member`` unpacked in chunks, counting each against the limit."""
        self._counted.add(member)
        info = self.zip.getinfo(member)
        if self.unpacked + info.file_size > self._budget:
            raise unpacked_too_large(member, self.limits)
        with self.zip.open(info) as fh:
            while chunk := fh.read(CHUNK):
                self.unpacked += len(chunk)
                if self.unpacked > self._budget:
                    raise unpacked_too_large(member, self.limits)
                yield chunk

    def _parse(self, member: str, start: Callable[[str, dict[str, str]], None]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        for chunk in self._stream(member):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → its part, found as the reader finds them.

        The reader (calamine) reads ``xl/workbook.xml`` and its relationships at these fixed
        places, and resolves a sheet's target against ``xl/``; so does this.
        """
        links: dict[str, str] = {}
        sheets: dict[str, str] = {}

        def relationship(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship" and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                if target.startswith("/xl/"):
                    target = target[1:]
                elif not target.startswith("xl/"):
                    target = "xl/" + target
                links[attrs["Id"]] = target

        def sheet(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) != "sheet" or "name" not in attrs:
                return
            rid = next((v for k, v in attrs.items() if _local(k) == "id" and " " in k), None)
            if rid in links:
                sheets[attrs["name"]] = links[rid]

        for member, start in (("xl/_rels/workbook.xml.rels", relationship), (BOOK, sheet)):
            if member in self.zip.NameToInfo:
                self._parse(member, start)
        return sheets

    def _count_common(self) -> None:
        """Count the XML parts but the sheets, unpacking them only when they could be large.

        Deflate packs at most :data:`DEFLATE_RATIO` to 1, so parts whose packed sizes
        cannot unpack past the limit together (a few kB in a real workbook) are counted by
        their declared sizes; otherwise each is unpacked and counted as it really is.
        """
        parts = set(self.sheets.values())
        common = [
            info
            for info in self.zip.infolist()
            if info.filename not in parts
            and info.filename not in self._counted
            and not any(d in info.filename for d in _SHEET_DIRS)
            and info.filename.lower().endswith((".xml", ".rels"))
        ]
        packed = all(i.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in common)
        bound = sum(i.compress_size for i in common) * DEFLATE_RATIO
        if packed and self.unpacked + bound <= self._budget:
            self.unpacked += sum(i.file_size for i in common)
            return
        for info in common:
            for _ in self._stream(info.filename):
                pass

    def check_sheet(self, name: str) -> None:
        """Refuse sheet ``name`` when it unpacks or reaches past the limits.

        The cell references and row numbers of the sheet's XML give, cheaply, a rectangle
        that holds every cell; only when that rectangle (or the sheet's declared
        ``<dimension>``) is past the limits is the sheet parsed cell by cell to find the
        cells that really hold something. A sheet the workbook does not list is looked for
        among all sheet parts.

        Raises:
            UnreadableFile: The sheet is past a limit.
        """
        members = [self.sheets[name]] if name in self.sheets else self._all_sheet_parts()
        for member in members:
            if member not in self.zip.NameToInfo:
                continue
            limits = self.limits
            bounds = self._bounds(member)  # notes the parts that may hold error cells too
            if extent_problem(*bounds, limits) is None:
                continue
            try:
                rows, columns, stopped = _used_extent(self.zip, member, limits)
            except expat.ExpatError:
                (rows, columns), stopped = bounds, False  # not well-formed: bounds are all
            problem = extent_problem(rows, columns, limits, sheet=name, at_least=stopped)
            if problem is not None:
                raise problem

    def error_cells(self, name: str) -> Iterator[tuple[int, int, str]]:
        """Yield (1-based row, 1-based column, error text) of the error cells of sheet ``name``.

        The reader gives an error cell (``#REF!``, ``#DIV/0!``…) as an empty string; they are
        found here in the sheet's XML, placed as the reader places cells. Only a sheet that
        :meth:`check_sheet` has checked and seen an error type in is parsed (so a sheet is
        parsed only when it may hold one, and only within the limits); a sheet the workbook
        does not list gives none.

        Raises:
            UnreadableFile: The sheet holds error cells but its XML is not well-formed.
        """
        member = self.sheets.get(name)
        if member is None or member not in self._with_errors:
            return
        scan = _ErrorScan(self.limits)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        parser.CharacterDataHandler = scan.data
        try:
            with self.zip.open(member) as fh:
                while chunk := fh.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield from scan.found
                    scan.found.clear()
            parser.Parse(b"", True)
        except (expat.ExpatError, _Past) as exc:
            raise UnreadableFile(
                f"シート「{name}」のエラー値（#REF! など）のセルを読めません（XMLが壊れています）",
                f"cannot read the error cells (#REF!…) of sheet {name!r}: {exc}",
            ) from exc
        yield from scan.found

    def uncached_formulas(self, name: str) -> list[tuple[int, int]]:
        """(1-based row, 1-based column) of sheet ``name``'s formulas saved without a value.

        The reader gives such a cell (``<c r="E5"><f>…</f><v/></c>``, as a program such as
        openpyxl writes it) as an empty string. A formula whose value is an empty text
        (``t="str"``) has its value saved: it is not one of them. Cells are placed as the
        reader places them; the sheet's XML is streamed and counted against
        ``max_unpacked_mb``; a sheet the workbook does not list gives none.

        Raises:
            UnreadableFile: The sheet's XML is not well-formed or is past the limits.
        """
        member = self.sheets.get(name)
        if member is None or member not in self.zip.NameToInfo:
            return []
        scan = _FormulaScan(self.limits)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = scan.start
        parser.EndElementHandler = scan.end
        parser.CharacterDataHandler = scan.data
        try:
            for chunk in self._stream(member):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, _Past) as exc:
            raise UnreadableFile(
                "数式のセルを確認できません（XMLが壊れています）",
                f"cannot check the formula cells ({type(exc).__name__})",
            ) from exc
        return scan.found

    def _all_sheet_parts(self) -> list[str]:
        return [n for n in self.zip.NameToInfo if "worksheets/" in n and n.endswith(".xml")]

    def _bounds(self, member: str) -> tuple[int, int]:
        """(rows, columns) from A1 holding every cell of sheet part ``member``, or more."""
        bounds = _Bounds()
        tail = b""
        for chunk in self._stream(member):
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
            bounds.add(data)
        bounds.add(tail)
        if bounds.errors:
            self._with_errors.add(member)
        return bounds.extent()


class _Bounds:
    """Bounds of a sheet's extent read from its XML text, chunk by chunk, without parsing.

    Rows: the largest row number, plus one for each row written without a number (it
    follows the previous row). Columns: the right-most cell reference, plus one for each
    cell written without a reference (it follows the previous cell). The declared
    ``<dimension>`` counts too.
    """

    def __init__(self) -> None:
        self.rows = self.columns = self.unnumbered_rows = self.unplaced_cells = 0
        self.errors = False  # an error cell type seen (t="e")
        self.declared: tuple[int, int] | None = None
        self.row_tag, self.cell_tag = b"<row", b"<c"

    def add(self, data: bytes) -> None:
        if self.declared is None:  # the first chunk: <dimension> comes before the cells
            cells_at = data.find(b"sheetData")
            self.declared = _declared(data if cells_at < 0 else data[:cells_at])
            if prefix := _PREFIX.search(data):  # <x:worksheet>, <x:row>, <x:c>
                self.row_tag, self.cell_tag = (b"<" + prefix.group(1) + t for t in (b":row", b":c"))
        # Tags are counted loosely (<cols, <rowBreaks count too): a bound may only be larger.
        numbers = _ROW_NUMBERS.findall(data)
        if numbers:
            self.rows = max(self.rows, max(map(int, numbers)))
        self.unnumbered_rows += max(0, data.count(self.row_tag) - len(numbers))
        refs = _CELL_LETTERS.findall(data)
        if refs:
            self.columns = max(self.columns, max(_letters_number(s.decode()) for s in set(refs)))
        self.unplaced_cells += max(0, data.count(self.cell_tag) - len(refs))
        if not self.errors and (b'"e"' in data or b"'e'" in data):  # the regex only then
            self.errors = _ERROR_TYPE.search(data) is not None

    def extent(self) -> tuple[int, int]:
        declared = self.declared or (0, 0)
        return (
            max(self.rows + self.unnumbered_rows, declared[0]),
            max(self.columns + self.unplaced_cells, declared[1]),
        )


def _declared(head: bytes) -> tuple[int, int]:
    """(rows, columns) a sheet's ``<dimension ref="A1:J100"/>`` declares, from A1."""
    found = _DIMENSION.search(head) if b"dimension" in head else None
    if found is None:
        return 0, 0
    return parse_ref(found.group(1).decode("ascii", "replace").rpartition(":")[2]) or (0, 0)


class _Past(Exception):
    """Stops the cell-by-cell scan as soon as a cell is past the limits."""


class _CellScan:
    """Expat handlers finding the farthest cell of a sheet that holds something.

    A cell's position is its reference, or the next one in its row when it has none (as
    the reader places it); a row without a number follows the previous one. Empty cells
    (``<c r="Z9" s="1"/>``, formatting only) are not counted: the reader skips them.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.row = self.col = 0
        self.rows = self.columns = 0
        self.cell: tuple[int, int] | None = None
        self.in_data = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif local == "row":
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 11 else self.row + 1
            self.col = 0
        elif local == "c":
            ref = parse_ref(attrs["r"]) if "r" in attrs else None
            row, self.col = ref if ref is not None else (0, self.col + 1)
            self.cell = (row or self.row, self.col)
        elif self.cell is not None:  # the first child of a cell: its value, text or formula
            row, col = self.cell
            self.cell = None
            self.rows, self.columns = max(self.rows, row), max(self.columns, col)
            if extent_problem(self.rows, self.columns, self.limits) is not None:
                raise _Past

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "c":
            self.cell = None
        elif local == "sheetData":
            self.in_data = False


class _ErrorScan(_CellScan):
    """Expat handlers collecting the error cells of a sheet: ``found`` (row, column, text).

    Cells are placed as :class:`_CellScan` places them; an error cell's text is its ``<v>``
    (after a formula's ``<f>``, if any), kept when it is one of :data:`EXCEL_ERRORS`.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.found: list[tuple[int, int, str]] = []
        self.error_at: tuple[int, int] | None = None
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        super().start(tag, attrs)
        local = _local(tag)
        if local == "c" and self.in_data:
            self.error_at = self.cell if attrs.get("t") == "e" else None
        elif local == "v" and self.error_at is not None:
            self.text = []

    def data(self, text: str) -> None:
        if self.text is not None and len(self.text) < 16:
            self.text.append(text)

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "v" and self.text is not None and self.error_at is not None:
            text = _ERROR_TEXTS.get("".join(self.text))  # one string per error value
            if text is not None:
                self.found.append((*self.error_at, text))
            self.text = self.error_at = None
        elif local == "c":
            self.text = self.error_at = None
        super().end(tag)


class _FormulaScan(_CellScan):
    """Expat handlers collecting (row, column) of formula cells without a saved value.

    Cells are placed as :class:`_CellScan` places them; a cell counts when it has an
    ``<f>``, no text in its ``<v>`` and is not of type ``str``.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.found: list[tuple[int, int]] = []
        self.at: tuple[int, int] | None = None
        self.formula = self.value = self.in_value = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        super().start(tag, attrs)
        local = _local(tag)
        if local == "c" and self.in_data:
            self.at = None if attrs.get("t") == "str" else self.cell
            self.formula = self.value = False
        elif local == "f" and self.at is not None:
            self.formula = True
        elif local == "v":
            self.in_value = True

    def data(self, text: str) -> None:
        if self.in_value and text.strip():
            self.value = True

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "v":
            self.in_value = False
        elif local == "c":
            if self.at is not None and self.formula and not self.value:
                self.found.append(self.at)
            self.at = None
        super().end(tag)


def _used_extent(archive: zipfile.ZipFile, member: str, limits: Limits) -> tuple[int, int, bool]:
    """(rows, columns) from A1 to the farthest cell that holds something (a value or formula).

    Stops at the first cell past the limits (the third value says so): the sheet is at
    least that large.
    """
    scan = _CellScan(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Past:
        return scan.rows, scan.columns, True
    return scan.rows, scan.columns, False
