"""Hostile files, built at test time: workbooks written by hand as zips, CSVs as bytes.

Each is small on disk (a few kB to a few MB) and claims or holds far more than a real
submission: a cell at XFD1048576, a sheet that unpacks to hundreds of MB, a shared-string
table declaring four billion strings, a line of a million commas.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
BOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def inline(ref: str | None, text: str) -> str:
    """One cell holding ``text`` (an inline string); ``ref`` None writes no reference."""
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int | None, cells: Iterable[str]) -> str:
    where = f' r="{number}"' if number else ""
    return f"<row{where}>{''.join(cells)}</row>"


def workbook(
    path: Path,
    rows: Iterable[str],
    sheet: str = "Sheet1",
    dimension: str | None = None,
    shared_strings: str | None = None,
) -> Path:
    """Write an .xlsx of one sheet whose ``<sheetData>`` is ``rows`` (XML text, streamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + "<sheetData>"
    )
    sst = shared_strings or f'<sst xmlns="{_MAIN}" count="0" uniqueCount="0"></sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", sst)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            for text in rows:
                fh.write(text.encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def far_cell_workbook(path: Path, ref: str, sheet: str = "作業従事者名簿") -> Path:
    """A workbook whose single cell sits at ``ref`` (``XFD1048576``): a few kB."""
    number = int("".join(ch for ch in ref if ch.isdigit()))
    return workbook(path, [row(number, [inline(ref, "x")])], sheet=sheet)


def corner_cells_workbook(path: Path, far: str, sheet: str = "作業従事者名簿") -> Path:
    """A workbook with a cell at A1 and one at ``far``: its used range is the whole rectangle."""
    number = int("".join(ch for ch in far if ch.isdigit()))
    rows = [row(1, [inline("A1", "x")]), row(number, [inline(far, "y")])]
    return workbook(path, rows, sheet=sheet)


def expanding_workbook(path: Path, unpacked: int, sheet: str = "作業従事者名簿") -> Path:
    """A workbook whose sheet XML unpacks to more than ``unpacked`` bytes (from ~1/1000)."""
    line = row(None, [inline(None, "a")] * 50)
    return workbook(path, [line] * (unpacked // len(line) + 1), sheet=sheet)


def shared_string_bomb(path: Path, sheet: str = "作業従事者名簿") -> Path:
    """About 1 kB: a shared-string table declaring four billion strings (the reader aborts)."""
    sst = (
        f'<sst xmlns="{_MAIN}" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>'
    )
    return workbook(
        path, [row(1, ['<c r="A1" t="s"><v>0</v></c>'])], sheet=sheet, shared_strings=sst
    )


def comma_line_csv(path: Path, commas: int = 1_000_000) -> Path:
    """A CSV of a header line and one line of ``commas`` commas (1 MB by default)."""
    path.write_bytes(b"a\r\n" + b"," * commas + b"\r\n")
    return path


def long_field_csv(path: Path, length: int = 200_000, quoted: bool = True) -> Path:
    """A CSV whose second line holds a field of ``length`` characters."""
    field = b'"' + b"x" * length + b'"' if quoted else b"x" * length
    path.write_bytes(b"h1,h2\r\n" + field + b",y\r\n")
    return path


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk space (a hole after one CSV line)."""
    with open(path, "wb") as fh:
        fh.write(b"a,b\r\n")
        fh.truncate(size)
    return path
