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
import math
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
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
    if mask is not None:
        text = mask.text(text)
    return neutralise(text)


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _style_header(ws: Worksheet, columns: list[str], key_row: bool = True) -> None:
    for index in range(1, len(columns) + 1):
        top = ws.cell(row=1, column=index)
        top.font = Font(bold=True)
        top.fill = _HEADER_FILL
        top.alignment = Alignment(vertical="center", wrap_text=True)
        if key_row:
            names = ws.cell(row=2, column=index)
            names.font = _NAME_ROW_FONT
            names.fill = _HEADER_FILL


def _set_widths(
    ws: Worksheet, columns: list[str], rows: list[list[object]], headers: list[str]
) -> None:
    for index, column in enumerate(columns, start=1):
        sample = [row[index - 1] for row in rows[:_WIDTH_SAMPLE]]
        widest = max(
            [_display_width(headers[index - 1]), len(column)] + [_display_width(v) for v in sample]
        )
        width = min(max(widest + 2, 6), _WIDTH_CAP.get(column, 30))
        ws.column_dimensions[get_column_letter(index)].width = width


def _colour_cells(ws: Worksheet, columns: list[str], count: int, first: int = 3) -> None:
    """Colour the severity and clause-status cells of the ``count`` rows from row ``first``."""
    styles = {
        key: (PatternFill("solid", fgColor=fill), Font(color=font, bold=key in BOLD_VALUES))
        for key, (fill, font) in CELL_COLOURS.items()
    }
    for name in ("severity", "status"):
        if name not in columns:
            continue
        index = columns.index(name) + 1
        for row in range(first, count + first):
            cell = ws.cell(row=row, column=index)
            style = styles.get(cell.value)
            if style:
                cell.fill, cell.font = style


def write_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    columns: list[str],
    *,
    mask: Masker | None = None,
    number_formats: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    key_row: bool = True,
) -> None:
    """Write ``frame[columns]`` under its header, with filter, frozen header and widths.

    Args:
        ws: An empty worksheet.
        frame: The rows.
        columns: Column names, in order.
        mask: Masks person names in text cells (None: no masking).
        number_formats: Column → Excel number format.
        labels: Column → Japanese header (default: the output contract's :data:`LABELS`).
        key_row: Add a second header row holding the column names of the CSV exports.
    """
    headers = [(labels or LABELS).get(c, c) for c in columns]
    ws.append(headers)
    if key_row:
        ws.append(list(columns))
    first = 3 if key_row else 2
    rows = [
        [_cell(v, mask) for v in record]
        for record in frame.reindex(columns=columns).itertuples(index=False, name=None)
    ]
    for row in rows:
        ws.append(row)
    _style_header(ws, columns, key_row)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{first - 1}:{last}{len(rows) + first - 1}"
    ws.freeze_panes = f"A{first}"
    _set_widths(ws, columns, rows, headers)
    _colour_cells(ws, columns, len(rows), first)
    for column, fmt in (number_formats or {}).items():
        if column in columns:
            index = columns.index(column) + 1
            for number in range(first, len(rows) + first):
                ws.cell(row=number, column=index).number_format = fmt


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
    """The findings workbook of ``audit`` (see the module docstring)."""
    mask = Masker.of(audit, show=show_names)
    wb = Workbook()
    wb.properties.creator = "tokki-analytics"
    wb.properties.title = "個人情報取扱特記事項 監査結果"
    taken: set[str] = set()
    ws = wb.active
    ws.title = sheet_title(SHEET_FINDINGS, taken)
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
