r"""findings.xlsx: the run's findings, compliance and submission defects as an Excel workbook.

Sheets: 「指摘一覧」 (every finding), 「適合率」 (compliance), 「提出物の不備」 (defects
Q0–Q3 with the cell at fault) and one sheet per contractor. Each table has two header
rows: Japanese labels, then the column names of the CSV output contract (RULES.md), so a
program can read it with ``pandas.read_excel(path, sheet_name=..., header=1)``.

Text is written as text: a cell that would start with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a leading ``'`` (formula injection: a contractor's cell value must
never become a formula in the prefecture's Excel), and control characters are shown as
their code (``\x1b``); :func:`tokki_analytics.safetext.neutralise` does both, for the CSV
exports too. Person names are masked unless asked.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from tokki_analytics.findings import COMPLIANCE_COLUMNS, FINDING_COLUMNS
from tokki_analytics.ingest import DEFECT_COLUMNS
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import write_bytes
from tokki_analytics.safetext import escape_controls, neutralise
from tokki_analytics.status import contractor_names
from tokki_analytics.vocab import MAJOR, MINOR, OBSERVATION, STATUS_FAIL, STATUS_NOT_ASSESSED

if TYPE_CHECKING:
    from tokki_analytics.pipeline import Audit

SHEET_FINDINGS = "指摘一覧"
SHEET_COMPLIANCE = "適合率"
SHEET_DEFECTS = "提出物の不備"
#: Sheet of findings without a contractor (if any).
SHEET_NO_CONTRACTOR = "受託者不明"

#: Japanese labels of the output-contract columns (first header row).
LABELS = {
    "rule_id": "規則ID",
    "clause": "条項",
    "severity": "重大度",
    "contractor_id": "受託者コード",
    "contract_id": "契約番号",
    "form": "様式",
    "source": "ファイル",
    "sheet": "シート",
    "row": "行",
    "detail": "内容",
    "column": "列",
    "value": "値",
    "units_checked": "確認件数",
    "units_failed": "不適合件数",
    "rate": "適合率",
}

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31

#: Severity → (fill, font colour): red, amber, blue as in Excel's own highlight styles.
SEVERITY_COLOURS = {
    MAJOR: ("FFC7CE", "9C0006"),
    MINOR: ("FFEB9C", "9C5700"),
    OBSERVATION: ("DDEBF7", "1F4E78"),
}
#: Cell colours (fill, font) of severities and clause statuses.
CELL_COLOURS = {
    **SEVERITY_COLOURS,
    STATUS_FAIL: ("FFC7CE", "9C0006"),
    STATUS_NOT_ASSESSED: ("EDEDED", "595959"),
}
BOLD_VALUES = frozenset({MAJOR, STATUS_FAIL})
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_NAME_ROW_FONT = Font(color="808080", size=9, italic=True)
_WIDTH_CAP = {"detail": 80, "value": 40, "source": 50}
_WIDTH_SAMPLE = 2000


def sheet_title(text: str, taken: set[str]) -> str:
    r"""A valid, unique Excel sheet name (≤ 31 characters, none of ``[]:*?/\``).

    Args:
        text: The wanted name.
        taken: Names already used (compared case-insensitively); the result is added.

    Returns:
        The sheet name.
    """
    base = unicodedata.normalize("NFC", escape_controls(text, keep_layout=False))
    base = _SHEET_FORBIDDEN.sub("_", base).strip().strip("'")
    base = base or "Sheet"
    used = {name.casefold() for name in taken}
    name, n = base[:SHEET_NAME_MAX], 1
    while name.casefold() in used or name.casefold() == "history":
        n += 1
        suffix = f"~{n}"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(name)
    return name


def _cell(value: object, mask: Masker | None) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float | dt.date):
        return value
    text = str(value)
    if not text:
        return None  # an empty cell either way; None is not written at all
    if mask is not None:
        text = mask.text(text)
    return neutralise(text)


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@dataclass(frozen=True)
class CellStyle:
    """How one cell looks: font, fill, alignment and number format (None: Excel's default)."""

    font: Font | None = None
    fill: PatternFill | None = None
    alignment: Alignment | None = None
    number_format: str | None = None

    def apply(self, cell: Cell) -> Cell:
        """Give ``cell`` this style; return it."""
        if self.font is not None:
            cell.font = self.font
        if self.fill is not None:
            cell.fill = self.fill
        if self.alignment is not None:
            cell.alignment = self.alignment
        if self.number_format is not None:
            cell.number_format = self.number_format
        return cell


class Styled(NamedTuple):
    """A value written with a :class:`CellStyle` (other values are written plain)."""

    value: object
    style: CellStyle


_HEADER_STYLE = CellStyle(
    Font(bold=True), _HEADER_FILL, Alignment(vertical="center", wrap_text=True)
)
_NAME_ROW_STYLE = CellStyle(_NAME_ROW_FONT, _HEADER_FILL)
#: Value of a severity or clause-status cell → its style.
_VALUE_STYLES = {
    key: CellStyle(Font(color=font, bold=key in BOLD_VALUES), PatternFill("solid", fgColor=fill))
    for key, (fill, font) in CELL_COLOURS.items()
}
_COLOURED = ("severity", "status")


@dataclass
class TablePlan:
    """One table as a worksheet shows it, worked out before any row is written.

    Attributes:
        freeze: The first cell below the frozen header (``A3``).
        filter_ref: The auto filter's range (the last header row and every data row).
        widths: Column letter → width.
        rows: Every row, headers first; a :class:`Styled` value carries its style.
    """

    freeze: str
    filter_ref: str
    widths: dict[str, float]
    rows: Iterator[list[object]]


def _styled_row(
    values: list[object], styles: list[CellStyle | None], coloured: list[bool]
) -> list[object]:
    row: list[object] = []
    for value, style, colour in zip(values, styles, coloured, strict=True):
        if colour and isinstance(value, str) and value in _VALUE_STYLES:
            style = _VALUE_STYLES[value]
        row.append(value if style is None else Styled(value, style))
    return row


def plan_table(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    mask: Masker | None = None,
    number_formats: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    key_row: bool = True,
) -> TablePlan:
    """The cells and styles of ``frame[columns]`` under its header (see :func:`write_table`).

    Rows are converted as they are consumed (text neutralised and masked by ``_cell``),
    only the first rows that decide the column widths are held in memory.
    """
    headers = [(labels or LABELS).get(c, c) for c in columns]
    head: list[list[object]] = [[Styled(h, _HEADER_STYLE) for h in headers]]
    if key_row:
        head.append([Styled(c, _NAME_ROW_STYLE) for c in columns])
    first = len(head) + 1
    records = frame.reindex(columns=columns).itertuples(index=False, name=None)
    converted = ([_cell(v, mask) for v in record] for record in records)
    sample = list(itertools.islice(converted, _WIDTH_SAMPLE))
    widths: dict[str, float] = {}
    for index, column in enumerate(columns):
        widest = max(
            [_display_width(headers[index]), len(column)]
            + [_display_width(row[index]) for row in sample]
        )
        width = min(max(widest + 2, 6), _WIDTH_CAP.get(column, 30))
        widths[get_column_letter(index + 1)] = width
    formats = number_formats or {}
    styles = [CellStyle(number_format=formats[c]) if c in formats else None for c in columns]
    coloured = [c in _COLOURED for c in columns]
    body = (_styled_row(row, styles, coloured) for row in itertools.chain(sample, converted))
    last = get_column_letter(len(columns))
    return TablePlan(
        freeze=f"A{first}",
        filter_ref=f"A{first - 1}:{last}{len(frame) + first - 1}",
        widths=widths,
        rows=itertools.chain(head, body),
    )


def _cell_maker(ws: Worksheet | WriteOnlyWorksheet) -> Callable[[int, Styled], Cell]:
    """Turn a :class:`Styled` value of column ``n`` into a styled cell of ``ws``.

    A write-only sheet writes each row as it is appended, so one cell per column and
    style serves every row (styling a new cell per row costs more than the rest of the
    row); a normal sheet keeps its cells, so each gets its own.
    """
    if not isinstance(ws, WriteOnlyWorksheet):
        return lambda n, item: item.style.apply(WriteOnlyCell(ws, item.value))
    cells: dict[tuple[int, int], Cell] = {}  # (column, id of the style): hashing a Font is slow

    def reused(n: int, item: Styled) -> Cell:
        key = (n, id(item.style))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = item.style.apply(WriteOnlyCell(ws))
        cell.value = item.value
        return cell

    return reused


def write_table(
    ws: Worksheet | WriteOnlyWorksheet,
    frame: pd.DataFrame,
    columns: list[str],
    *,
    mask: Masker | None = None,
    number_formats: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    key_row: bool = True,
) -> None:
    """Write ``frame[columns]`` under its header, with filter, frozen header and widths.

    The header row is bold on blue; severity and clause-status cells are coloured
    (:data:`CELL_COLOURS`). ``ws`` may be a sheet of a write-only workbook
    (``Workbook(write_only=True)``, rows streamed to the file: findings.xlsx, the reply) or
    of a normal one; either way it must be empty.

    Args:
        ws: An empty worksheet.
        frame: The rows.
        columns: Column names, in order.
        mask: Masks person names in text cells (None: no masking).
        number_formats: Column → Excel number format.
        labels: Column → Japanese header (default: the output contract's :data:`LABELS`).
        key_row: Add a second header row holding the column names of the CSV exports.
    """
    plan = plan_table(
        frame, columns, mask=mask, number_formats=number_formats, labels=labels, key_row=key_row
    )
    for letter, width in plan.widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = plan.freeze
    ws.auto_filter.ref = plan.filter_ref
    styled = _cell_maker(ws)
    for row in plan.rows:
        ws.append([styled(n, v) if isinstance(v, Styled) else v for n, v in enumerate(row)])


def _contractor_sheets(wb: Workbook, audit: Audit, mask: Masker, taken: set[str]) -> None:
    findings = audit.findings
    sheet_names = contractor_names(audit, every_contract_row=True, bare_folder_name=False)
    for code, name in sheet_names.items():
        ws = wb.create_sheet(sheet_title(f"{code}_{name}" if name else code, taken))
        write_table(ws, findings[findings["contractor_id"] == code], FINDING_COLUMNS, mask=mask)
    orphans = findings[findings["contractor_id"].fillna("") == ""]
    if len(orphans):
        ws = wb.create_sheet(sheet_title(SHEET_NO_CONTRACTOR, taken))
        write_table(ws, orphans, FINDING_COLUMNS, mask=mask)


def build_workbook(audit: Audit, *, show_names: bool = False) -> Workbook:
    """The findings workbook of ``audit`` (see the module docstring).

    A write-only workbook: its rows are streamed into the file by ``save`` (which can be
    called once); read it back from the saved file.
    """
    mask = Masker.of(audit, show=show_names)
    wb = Workbook(write_only=True)
    wb.properties.creator = "tokki-analytics"
    wb.properties.title = "個人情報取扱特記事項 監査結果"
    taken: set[str] = set()
    ws = wb.create_sheet(sheet_title(SHEET_FINDINGS, taken))
    write_table(ws, audit.findings, FINDING_COLUMNS, mask=mask)
    ws = wb.create_sheet(sheet_title(SHEET_COMPLIANCE, taken))
    write_table(
        ws, audit.compliance, COMPLIANCE_COLUMNS, mask=mask, number_formats={"rate": "0.0%"}
    )
    if len(audit.compliance):
        letter = get_column_letter(COMPLIANCE_COLUMNS.index("rate") + 1)
        ws.conditional_formatting.add(
            f"{letter}3:{letter}{len(audit.compliance) + 2}",
            CellIsRule(operator="lessThan", formula=["1"], fill=PatternFill("solid", "FFEB9C")),
        )
    ws = wb.create_sheet(sheet_title(SHEET_DEFECTS, taken))
    defects = mask.name_cells(audit.submission.defects)
    write_table(ws, defects, list(DEFECT_COLUMNS), mask=mask)
    _contractor_sheets(wb, audit, mask, taken)
    return wb


def write_findings_xlsx(
    audit: Audit, path: Path, *, show_names: bool = False, group_readable: bool = False
) -> Path:
    """Write findings.xlsx for ``audit``.

    The workbook is saved in memory and written with owner-only (or group-readable)
    permissions through :func:`tokki_analytics.outputs.files.write_bytes`, which moves the whole
    file into place: a reader never sees half a file.

    Args:
        audit: A :class:`tokki_analytics.pipeline.Audit`.
        path: The workbook to write (e.g. ``<out>/findings.xlsx``).
        show_names: Leave person names unmasked.
        group_readable: Make the file group-readable instead of owner-only.

    Returns:
        ``path``.
    """
    path = Path(path)
    buffer = io.BytesIO()
    build_workbook(audit, show_names=show_names).save(buffer)
    return write_bytes(path, buffer.getvalue(), group_readable)
