"""followup.xlsx: the follow-up workbook every run writes (:mod:`tokki_analytics.followup`).

Sheets: 「使い方」 (the one step, the data folder and as-of it was written for),
「未完了」 (every finding of the run with its state), 「完了履歴」 (rows whose finding is gone,
never dropped) and, when the record read had bad edits, 「読込結果」. One header row of
Japanese labels (:data:`tokki_analytics.forms.FOLLOWUP_RECORD`), a drop-down list on 状態,
dates as dates. Text is neutralised as in findings.xlsx (no cell becomes a formula); tokki's
own columns (内容, ファイル names in it) are masked unless asked, the auditors' 理由 and メモ are
written back as they wrote them.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tokki_analytics.followup import (
    DATE_COLUMNS,
    DERIVED,
    LABELS,
    ORIGIN_AS_OF,
    ORIGIN_FOLDER,
    RECORD_COLUMNS,
    SHEET_CLOSED,
    SHEET_GUIDE,
    SHEET_OPEN,
    SHEET_PROBLEMS,
    SHEET_WRITTEN,
    STATES,
    Problem,
)
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import write_bytes
from tokki_analytics.safetext import neutralise

#: The workbook's file name in a run's output folder.
FOLLOWUP_XLSX = "followup.xlsx"
#: Columns tokki writes from the findings (masked unless asked).
_TOKKI_TEXT = ("detail", "form", "contract_id", "contractor_id")
_WIDTHS = {"finding_id": 14, "detail": 50, "state": 18, "reason": 30, "memo": 30}
_HEAD = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Origin:
    """Where and when the workbook was written.

    Attributes:
        folder: :func:`tokki_analytics.followup.folder_key` of the data folder.
        folder_label: The data folder as shown (names masked unless asked).
        as_of: The run's as-of date.
    """

    folder: str
    folder_label: str
    as_of: dt.date


def _guide(ws: Worksheet, origin: Origin, problems: list[Problem]) -> None:
    states = "、".join(state.name for state in STATES)
    derived = "、".join(f"{name}（{en}）" for name, en in DERIVED.items())
    lines: list[tuple[str, object]] = [
        ("指摘対応記録 / follow-up of findings", ""),
        ("", ""),
        (
            "手順 (the one step)",
            f"「{SHEET_OPEN}」「{SHEET_CLOSED}」の状態・日付・理由・メモを記入し、このブックを "
            f"データフォルダの直下に「{FOLLOWUP_FILE}」という名前で保存してください。次回の "
            f"tokki run が読み込みます。 / Fill in states, dates, reasons and memos, then save "
            f"this workbook as DATA/{FOLLOWUP_FILE}; the next tokki run reads it.",
        ),
        ("状態 (set by you)", states),
        (
            "必要な記入",
            "是正指示済: 指示日・是正期限 / 是正報告受領: 報告日 / 是正確認済: 確認日 / "
            "対象外（説明受領）: 理由",
        ),
        ("判定 (set by tokki)", derived),
        (
            "注意",
            "指摘ID・判定は tokki が書く列です。行を削除しないでください（解消した指摘も "
            f"「{SHEET_CLOSED}」に残ります）。 / Do not edit 指摘ID or 判定; do not delete rows.",
        ),
        ("", ""),
        (ORIGIN_FOLDER, origin.folder),
        ("データフォルダ", origin.folder_label),
        (ORIGIN_AS_OF, origin.as_of),
        (
            "前回の記録の問題",
            f"{len(problems)} 件" + (f"（「{SHEET_PROBLEMS}」参照）" if problems else ""),
        ),
    ]
    for label, value in lines:
        ws.append([label, neutralise(value) if isinstance(value, str) else value])
    ws["A1"].font = Font(bold=True, size=14)
    for row in ws.iter_rows(min_row=3, max_col=2):
        row[0].font = Font(bold=True)
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    as_of_row = [label for label, _ in lines].index(ORIGIN_AS_OF) + 1
    ws.cell(row=as_of_row, column=2).number_format = "yyyy-mm-dd"


def _value(key: str, value: object, mask: Masker | None) -> object:
    if key in DATE_COLUMNS:
        return value if isinstance(value, dt.date) else None
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value)
    if mask is not None and key in _TOKKI_TEXT:
        text = mask.text(text)
    return neutralise(text) if text else None


def _table(ws: Worksheet, frame: pd.DataFrame, mask: Masker | None) -> None:
    ws.append([LABELS[key] for key in RECORD_COLUMNS])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), _HEAD
    for row in frame[RECORD_COLUMNS].itertuples(index=False):
        ws.append(
            [_value(key, value, mask) for key, value in zip(RECORD_COLUMNS, row, strict=True)]
        )
    last = max(ws.max_row, 2)
    for i, key in enumerate(RECORD_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(key, 12)
        if key in DATE_COLUMNS:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last + 200, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    state_col = get_column_letter(RECORD_COLUMNS.index("state") + 1)
    listed = ",".join(state.name for state in STATES)
    check = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    check.error = "一覧から選んでください / choose from the list"
    check.errorTitle = "状態"
    check.add(f"{state_col}2:{state_col}{last + 200}")
    ws.add_data_validation(check)
    ws.freeze_panes = "B2"


def build_followup_workbook(
    open_items: pd.DataFrame,
    closed: pd.DataFrame,
    problems: list[Problem],
    origin: Origin,
    mask: Masker | None = None,
) -> Workbook:
    """The follow-up workbook of a run (see the module docstring).

    Args:
        open_items: :func:`tokki_analytics.followup.carry_over`'s open items.
        closed: Its closed history.
        problems: The problems of the record read (listed on 「読込結果」).
        origin: The data folder and as-of date the workbook is written for.
        mask: Masks names in tokki's own text columns; None shows them.

    Returns:
        The workbook.
    """
    wb = Workbook()
    guide = wb.active
    assert guide is not None  # a new Workbook always has one sheet
    guide.title = SHEET_GUIDE
    _guide(guide, origin, problems)
    _table(wb.create_sheet(SHEET_OPEN), open_items, mask)
    _table(wb.create_sheet(SHEET_CLOSED), closed, mask)
    written = wb.create_sheet(SHEET_WRITTEN)  # a copy: a deleted row can be restored
    written.append(["控え_シート", "控え_行", *(LABELS[key] for key in RECORD_COLUMNS)])
    for sheet, frame in ((SHEET_OPEN, open_items), (SHEET_CLOSED, closed)):
        rows = frame[RECORD_COLUMNS].itertuples(index=False)
        for number, row in enumerate(rows, start=2):
            values = [
                _value(key, value, mask) for key, value in zip(RECORD_COLUMNS, row, strict=True)
            ]
            written.append([sheet, number, *values])
    written.sheet_state = "hidden"
    if problems:
        ws = wb.create_sheet(SHEET_PROBLEMS)
        ws.append(["シート", "行", "内容", "detail"])
        for problem in problems:
            ws.append(
                [
                    neutralise(problem.sheet),  # a sheet name from the hidden copy may be anything
                    problem.row or None,
                    neutralise(problem.ja),
                    neutralise(problem.en),
                ]
            )
        ws.column_dimensions["C"].width = ws.column_dimensions["D"].width = 70
    return wb


def write_followup_xlsx(
    path: Path,
    open_items: pd.DataFrame,
    closed: pd.DataFrame,
    problems: list[Problem],
    origin: Origin,
    *,
    mask: Masker | None = None,
    group_readable: bool = False,
) -> Path:
    """Write the follow-up workbook to ``path`` (owner-only unless ``group_readable``)."""
    buffer = io.BytesIO()
    build_followup_workbook(open_items, closed, problems, origin, mask).save(buffer)
    return write_bytes(Path(path), buffer.getvalue(), group_readable)
