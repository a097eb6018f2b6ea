"""Formula cells saved without their value, which the reader gives as empty cells.

Excel saves each formula with its last value; a workbook written by a program (openpyxl,
a script) often holds the formula alone (``<c r="E5"><f>…</f><v/></c>``). The reader
(python-calamine) gives such a cell as an empty string, so what it shows in Excel is lost
without a word. :func:`uncached_formulas` finds these cells in a sheet's XML, so that a
caller can name them. A formula whose value is an empty text (``t="str"`` and an empty
``<v>``) has its value saved: it is not one of them.

Only small workbooks that the guarded reader has already accepted are meant to be scanned
here (the follow-up record). The scan itself is
:meth:`tokki_analytics.ingest.xlsx.Package.uncached_formulas`, which places cells as the
reader does and streams the XML within ``max_unpacked_mb``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from tokki_analytics.ingest.guard import Limits, UnreadableFile, column_name
from tokki_analytics.ingest.xlsx import Package, is_zip


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
            for row, col in package.uncached_formulas(name):
                yield name, row, f"{column_name(col)}{row}"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
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
