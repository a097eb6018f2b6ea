"""Formula cells saved without their value, which the reader gives as empty cells.

Excel saves each formula with its last value; a workbook written by a program (openpyxl,
a script) often holds the formula alone (``<c r="E5"><f>…</f><v/></c>``). The reader
(python-calamine) gives such a cell as an empty string, so what it shows in Excel is lost
without a word. :func:`uncached_formulas` finds these cells in a sheet's XML, so that a
caller can name them. A formula whose value is an empty text (``t="str"`` and an empty
``<v>``) has its value saved: it is not one of them.

Only small workbooks that the guarded reader has already accepted are meant to be scanned
here (the follow-up record): the XML is streamed, never held, and counted against
``max_unpacked_mb`` again. Standard library only, as :mod:`~tokki_analytics.ingest.xlsx`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.parsers import expat

from tokki_analytics.ingest.guard import MB, Limits, UnreadableFile, column_name
from tokki_analytics.ingest.xlsx import CHUNK, Package, is_zip, parse_ref


class _FormulaScan:
    """Expat handlers collecting (row, column) of formula cells without a saved value."""

    def __init__(self) -> None:
        self.row = self.col = 0
        self.found: list[tuple[int, int]] = []
        self.formula = self.value = self.text_type = False
        self.in_cell = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "row":
            number = attrs.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 11 else self.row + 1
            self.col = 0
        elif local == "c":
            ref = parse_ref(attrs["r"]) if "r" in attrs else None
            row, self.col = ref if ref is not None else (0, self.col + 1)
            self.row = row or self.row
            self.in_cell, self.formula, self.value = True, False, False
            self.text_type = attrs.get("t") == "str"
        elif self.in_cell and local == "f":
            self.formula = True

    def data(self, text: str) -> None:
        if self.in_cell and self.formula and text.strip():
            self.value = True  # text inside <f> or <v>: only <v> matters, see end()

    def end(self, tag: str) -> None:
        local = tag.rpartition(" ")[2]
        if local == "f":
            self.value = False  # the formula's own text is no value
        elif local == "c" and self.in_cell:
            if self.formula and not self.value and not self.text_type:
                self.found.append((self.row, self.col))
            self.in_cell = False


def _scan(package: Package, member: str, budget: int) -> list[tuple[int, int]]:
    scan = _FormulaScan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.data
    read = 0
    with package.zip.open(member) as fh:
        while chunk := fh.read(CHUNK):
            read += len(chunk)
            if read > budget:
                raise UnreadableFile("XMLが大きすぎます", "the sheet's XML is too large")
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return scan.found


def uncached_formulas(
    path: Path, sheets: Sequence[str], limits: Limits
) -> Iterator[tuple[str, int, str]]:
    """Yield (sheet, 1-based row, reference such as ``E5``) of formulas saved without value.

    Only the sheets named that the workbook has are scanned.

    A file that is not an .xlsx/.xlsm (a zip) yields nothing: the other formats save
    formulas with their values.

    Raises:
        UnreadableFile: The workbook or a sheet's XML cannot be read, or is past
            ``max_unpacked_mb``.
    """
    with open(path, "rb") as fh:
        if not is_zip(fh.read(4)):
            return
    package = Package(path, limits)
    try:
        for name in sheets:
            member = package.sheets.get(name)
            if member is None or member not in package.zip.NameToInfo:
                continue
            for row, col in _scan(package, member, limits.max_unpacked_mb * MB):
                yield name, row, f"{column_name(col)}{row}"
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableFile(
            "数式のセルを確認できません（XMLが壊れています）",
            f"cannot check the formula cells ({type(exc).__name__})",
        ) from exc


def formula_problems(
    path: Path, sheets: Sequence[str], limits: Limits
) -> list[tuple[str, int, str, str]]:
    """(sheet, row, Japanese, English) for each formula cell saved without its value.

    Never raises for the workbook's content: a scan that fails is one item (row 0) saying
    the formulas could not be checked, so the caller still uses what the reader read.
    """
    try:
        return [
            (
                sheet,
                row,
                f"セル{ref}の数式は値が保存されていないため読めません（空のセルとして読みました。"
                "Excelで開いて保存し直すか、値を入力してください）",
                f"cell {ref}: its formula was saved without its value and cannot be read "
                "(read as empty; open and save the workbook in Excel, or type the value)",
            )
            for sheet, row, ref in uncached_formulas(path, sheets, limits)
        ]
    except UnreadableFile as error:
        return [
            (
                Path(path).name,
                0,
                f"数式のセルを確認できません（{error.reason_ja}）",
                f"the formula cells cannot be checked ({error.reason_en})",
            )
        ]
