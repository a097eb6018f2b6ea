"""A contractor's submission workbook (提出様式), built from the forms and 委託契約一覧.

:func:`build_template` makes an openpyxl workbook for one contractor:

- a first sheet 記入要領: the contractor, its contracts (periods, designated places, means
  and media), the forms to send and why (the clauses whose rules read them), how to write
  dates and what a blank means, where to send it and the period the records must cover;
- one sheet per form the contractor's contracts need (:func:`template_forms`: the forms of
  :func:`~tokki_analytics.ingest.checks.needed_forms`, and the forms written only when there
  is something to record, unless every contract excludes their clauses), named as FORMS.md
  names it, with the canonical header row, frozen, as an Excel table;
- data validation on every column (:func:`column_validation`): drop-down lists of allowed
  values and of the contractor's own 契約番号, dates in a range, whole numbers ≥ 0, id
  columns formatted as text, and an input message saying what the column is for and which
  clauses it evidences. A list longer than Excel's 255 characters goes to the hidden sheet
  選択肢.

Nothing of another contractor enters the workbook. Pure: no file is read or written here
(:mod:`tokki_analytics.intake.templatecmd` writes it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from tokki_analytics.errors import unknown_contractor
from tokki_analytics.forms import (
    BLANK_WORDS,
    CONTRACTS,
    HAS,
    LEDGER,
    STAFF,
    SUBMISSION_FORMS,
    TEMPLATE_SHEETS,
    Column,
    Form,
    Kind,
    Need,
)
from tokki_analytics.ingest.checks import excludes_form, needed_forms
from tokki_analytics.ingest.dates import LAST_DAY as LAST_READ_DAY
from tokki_analytics.intake.coverage import period_to_cover
from tokki_analytics.rules import FORM_CLAUSES
from tokki_analytics.safetext import escape_controls, neutralise
from tokki_analytics.vocab import clause_label

#: The first sheet (how to fill in the workbook) and the hidden sheet holding drop-down
#: lists too long for a validation formula; declared in forms.py, which the loader reads.
GUIDE_SHEET, LISTS_SHEET = TEMPLATE_SHEETS
#: Dates the validation accepts (records of contracts of this century).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
#: Empty rows of each form's Excel table below its header.
TABLE_ROWS = 30
#: The last row of a sheet (validations cover the whole column below the header).
LAST_ROW = 1_048_576
#: Excel's limits: a list validation's literal, an input message and its title.
LIST_LITERAL_MAX, PROMPT_MAX, PROMPT_TITLE_MAX = 255, 255, 32
#: The workbook's author property.
CREATOR = "tokki"

DATE_FORMAT, DATETIME_FORMAT, TEXT_FORMAT = "yyyy/mm/dd", "yyyy/mm/dd hh:mm", "@"
_NUMBER_FORMATS = {
    Kind.ID: TEXT_FORMAT,
    Kind.DATE: DATE_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
    Kind.INT: "0",
}
_HINTS = {
    Kind.ID: "文字として入力（先頭の0も残ります）",
    Kind.TEXT: "文字で入力",
    Kind.DATE: "日付（例 2025/4/1）",
    Kind.DATETIME: "日時（例 2025/4/1 9:05）",
    Kind.MARK: "「有」または「無」を選択",
    Kind.INT: "0以上の整数",
    Kind.ENUM: "一覧から選択",
    Kind.LIST: "複数のときは「;」か「、」で区切る",
}
#: What a form must be sent for, by its need.
NEED_TEXT = {
    Need.ALWAYS: "必須（全契約）",
    Need.ELECTRONIC: "必須（電子データを取り扱う契約）",
    Need.WHEN_ANY: "該当があるとき（なければ見出し行のみで提出）",
}
_REQUIRED_FILL = PatternFill("solid", fgColor="F4B183")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FBE5D6")
_SECTION_FONT = Font(bold=True, size=12)


@dataclass(frozen=True)
class FormNeed:
    """A form of a contractor's template.

    Attributes:
        form: The form.
        contracts: The contractor's contracts that need it (or, for a form written only when
            there is something to record, those whose excluded clauses leave it in force).
        required: A contract needs it (its absence is a Q1); False for a form written only
            when there is something to record.
    """

    form: Form
    contracts: tuple[str, ...]
    required: bool

    @property
    def clauses(self) -> tuple[str, ...]:
        """The clauses whose rules read the form (the rule catalogue's)."""
        return FORM_CLAUSES.get(self.form.key, ())


def contractor_contracts(contracts: pd.DataFrame, contractor_id: str) -> pd.DataFrame:
    """The usable contracts of one contractor, in 委託契約一覧 order.

    Raises:
        tokki_analytics.errors.ParameterError: The contractor has no contract.
    """
    own = contracts[contracts["contractor_id"] == contractor_id]
    if own.empty:
        raise unknown_contractor(contractor_id, sorted(contracts["contractor_id"].unique()))
    return own.reset_index(drop=True)


def template_forms(contracts: pd.DataFrame) -> list[FormNeed]:
    """The forms of a contractor's template, in the order of FORMS.md.

    A form one of ``contracts`` needs (:func:`~tokki_analytics.ingest.checks.needed_forms`)
    is required; a form written only when there is something to record (再委託, 事故報告 …)
    is included too, so that the contractor can record what happens, unless every contract
    excludes its clauses.

    Args:
        contracts: One contractor's usable contracts.
    """
    rows = [row for _, row in contracts.iterrows()]
    needs = [(row["contract_id"], needed_forms(row)) for row in rows]
    out = []
    for form in SUBMISSION_FORMS:
        needing = tuple(cid for cid, forms in needs if form in forms)
        if needing:
            out.append(FormNeed(form, needing, required=True))
        elif form.need is Need.WHEN_ANY:
            open_ = tuple(r["contract_id"] for r in rows if not excludes_form(r, form))
            if open_:
                out.append(FormNeed(form, open_, required=False))
    return out


# --- validation ---------------------------------------------------------------------------


class ListSheet:
    """The hidden sheet 選択肢: one column per drop-down list too long for a formula."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.ws: Worksheet | None = None
        self.used = 0

    def formula(self, values: tuple[str, ...]) -> str:
        """A list validation's formula for ``values``: a literal, or a range of this sheet."""
        literal = '"' + ",".join(values) + '"'
        plain = not any("," in v or '"' in v or escape_controls(v) != v for v in values)
        if len(literal) <= LIST_LITERAL_MAX and plain:
            return literal
        if self.ws is None:
            self.ws = self.wb.create_sheet(LISTS_SHEET)
            self.ws.sheet_state = "hidden"
        self.used += 1
        for row, value in enumerate(values, start=1):
            cell = self.ws.cell(row=row, column=self.used, value=escape_controls(value))
            cell.data_type = "s"  # a value is text, never a formula
        letter = get_column_letter(self.used)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_prompt(need: FormNeed, col: Column) -> tuple[str, str]:
    """The input message of a column: (title, text), within Excel's limits."""
    parts = ["必須" if col.required else "任意（空欄可）", _HINTS[col.kind]]
    if col.kind is Kind.ENUM:
        parts.append("／".join(col.allowed))
    if (source := _references().get(col.key)) is not None and need.form.key != source[0]:
        parts.append(f"{source[1]}を記入")
    if col.open_end:
        parts.append("空欄は終了日なし")
    if col.personal:
        parts.append("氏名は報告書では伏字になります")
    clauses = "、".join(clause_label(c) for c in need.clauses) or "記録の確認"
    text = "。".join(parts) + f"。この様式は {clauses} の確認に使います。"
    return _clip(col.name, PROMPT_TITLE_MAX), _clip(text, PROMPT_MAX)


def _references() -> dict[str, tuple[str, str]]:
    """Column key → (form key, what to write) for ids that point into another form."""
    return {
        "person_id": (STAFF.key, f"{STAFF.name}の{STAFF.column('person_id').name}"),
        "ledger_id": (LEDGER.key, f"{LEDGER.name}の{LEDGER.column('ledger_id').name}"),
        "contract_id": (CONTRACTS.key, f"{CONTRACTS.name}の{CONTRACTS.column('contract_id').name}"),
    }


def _allowed(col: Column, contract_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The values a column's drop-down list offers; empty when it has none."""
    if col.key == "contract_id":
        return contract_ids
    if col.kind is Kind.ENUM:
        return col.allowed
    if col.kind is Kind.MARK:
        return HAS
    return ()


def _typed(col: Column, values: tuple[str, ...], lists: ListSheet) -> DataValidation:
    """A column's validation without its messages."""
    first, last = (str(int(to_excel(day))) for day in (FIRST_DAY, LAST_DAY))
    if values:
        return DataValidation(type="list", formula1=lists.formula(values))
    if col.kind is Kind.DATE:
        return DataValidation(type="date", operator="between", formula1=first, formula2=last)
    if col.kind is Kind.DATETIME:  # a date and time is a day number with a fraction
        return DataValidation(
            type="decimal", operator="between", formula1=first, formula2=str(int(last) + 1)
        )
    if col.kind is Kind.INT:
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    return DataValidation()


def column_validation(
    need: FormNeed, col: Column, contract_ids: tuple[str, ...], lists: ListSheet
) -> DataValidation:
    """The data validation of a column's cells below the header, with its input message.

    Args:
        need: The form of the sheet.
        col: The column.
        contract_ids: The contractor's 契約番号 (the list 契約番号 allows).
        lists: Where lists too long for a formula go.
    """
    values = _allowed(col, contract_ids)
    dv = _typed(col, values, lists)
    dv.allow_blank = True
    dv.promptTitle, dv.prompt = column_prompt(need, col)
    dv.showInputMessage = True
    if dv.type is not None:
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.errorTitle = "入力できない値です"
        expected = escape_controls("／".join(values)) if values else _HINTS[col.kind]
        dv.error = _clip(f"{col.name}: {expected}", PROMPT_MAX)
    return dv


# --- sheets -------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _form_sheet(
    wb: Workbook, need: FormNeed, contract_ids: tuple[str, ...], lists: ListSheet
) -> None:
    """One form's sheet: header, table, frozen header, validations and formats."""
    form = need.form
    ws = wb.create_sheet(form.name)
    last = get_column_letter(len(form.columns))
    for index, col in enumerate(form.columns, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=col.name)
        header.font = Font(bold=True)
        header.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        header.alignment = Alignment(vertical="center")
        fmt = _NUMBER_FORMATS.get(col.kind)
        if fmt is not None:
            ws.column_dimensions[letter].number_format = fmt
            for row in range(2, TABLE_ROWS + 2):
                ws.cell(row=row, column=index).number_format = fmt
        ws.column_dimensions[letter].width = max(12, _display_width(col.name) + 4)
        title, prompt = column_prompt(need, col)
        head = DataValidation(promptTitle=title, prompt=prompt, showInputMessage=True)
        head.add(f"{letter}1")
        ws.add_data_validation(head)
        dv = column_validation(need, col, contract_ids, lists)
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    table = Table(displayName=f"T_{form.key}", ref=f"A1:{last}{TABLE_ROWS + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _date_text(day: object) -> str:
    if day is None or pd.isna(day):
        return ""
    if pd.Timestamp(day) >= pd.Timestamp(LAST_READ_DAY):  # 9999-12-31 read as the last day
        return "定めなし"
    return f"{pd.Timestamp(day):%Y/%m/%d}"


def _items(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value)
    return "" if value is None or pd.isna(value) else str(value)


_CONTRACT_KEYS = (
    "contract_id",
    "title",
    "department",
    "start_date",
    "end_date",
    "sensitive",
    "handles_electronic",
    "designated_places",
    "designated_handover_means",
    "excluded_clauses",
)


def _covered_text(start: pd.Timestamp, end: pd.Timestamp, as_of: dt.date) -> str:
    """The guide's 記録の対象期間 of one contract."""
    if pd.isna(start):
        return "契約開始日が読めないため未定（担当課に確認してください）"
    span = period_to_cover(start, end, as_of)
    if span is None:
        return "基準日より後に開始（記録の提出は不要）"
    return f"{_date_text(span.start)}～{_date_text(span.end)}"


def _contract_rows(contracts: pd.DataFrame, as_of: dt.date) -> list[list[str]]:
    """The guide's table of contracts: 委託契約一覧's columns and the period to cover."""
    header = [CONTRACTS.column(k).name for k in _CONTRACT_KEYS[:5]] + ["記録の対象期間"]
    header += [CONTRACTS.column(k).name for k in _CONTRACT_KEYS[5:]]
    rows = [header]
    for _, c in contracts.iterrows():
        covered = _covered_text(c["start_date"], c["end_date"], as_of)
        cells = [_items(c[k]) for k in _CONTRACT_KEYS[:3]]
        cells += [_date_text(c["start_date"]), _date_text(c["end_date"]), covered]
        rows.append(cells + [_items(c[k]) for k in _CONTRACT_KEYS[5:]])
    return rows


def _form_rows(needs: list[FormNeed]) -> list[list[str]]:
    """The guide's table of forms: sheet, when to send, contracts, clauses."""
    rows = [["様式（シート名）", "提出", "対象の契約", "根拠条項"]]
    for need in needs:
        when = NEED_TEXT[need.form.need] if need.required else NEED_TEXT[Need.WHEN_ANY]
        clauses = "、".join(clause_label(c) for c in need.clauses)
        rows.append([need.form.name, when, "、".join(need.contracts), clauses])
    return rows


def _how_to(needs: list[FormNeed]) -> list[str]:
    """The guide's instructions (dates, blanks, lists, rows, where to send)."""
    blanks = "".join(f"「{w}」" for w in BLANK_WORDS)
    open_ends = "、".join(
        f"{n.form.name}の{c.name}" for n in needs for c in n.form.columns if c.open_end
    )
    lines = [
        "1行目の見出し（列名）とシート名は変えないでください。列の並べ替えや列の追加はできます"
        "（追加した列は確認の対象外です）。",
        "濃い色の見出しは必須の列です。見出しやセルを選ぶと、列の用途と根拠条項が表示されます。",
        "日付は 2025/4/1、日時は 2025/4/1 9:05 のように入力してください"
        "（2025-04-01、令和7年4月1日、R7.4.1 も読み取れます）。",
        f"空欄は「記録なし・該当なし」を表します。{blanks}も空欄として扱います。",
        "有・無や区分の列は一覧から選んでください。契約番号は上の「契約」の契約番号から選びます。",
        "複数の値は「;」または「、」で区切ってください。",
        "従事者ID・台帳番号などの番号は文字として入力されます（先頭の0も残ります）。",
        "行はテーブルの下に続けて入力すると、テーブルが広がります。記録の多い様式は、"
        "シートを「入退室記録_4月」のように分けても、CSV ファイル（入退室記録_2025-04.csv"
        " など）で提出してもかまいません。",
        "「該当があるとき」の様式は、該当がなければ見出し行だけのまま提出してください。",
        "各契約の「記録の対象期間」の記録をすべて記入してください。",
        "このシート（記入要領）は残したまま提出してかまいません（読み取りの対象外です）。",
    ]
    if open_ends:
        lines.insert(4, f"{open_ends}の空欄は「終了日なし（従事中）」を表します。")
    return lines


def _send_to(departments: str, contact: str) -> list[list[str]]:
    """The guide's 提出先: the prefecture's contact (setting ``submission_contact``) if set."""
    encrypt = "氏名を含むため、電子メールで送るときは暗号化してください。"
    lines = [line.strip() for line in contact.splitlines() if line.strip()]
    if not lines:
        return [
            [
                f"・記入したブックは、各契約の担当課（{departments}）の指示に従って提出して"
                f"ください。{encrypt}"
            ]
        ]
    return [[f"・記入したブックは、次の提出先に提出してください。{encrypt}"]] + [
        [f"　{line}"] for line in lines
    ]


def _guide_sheet(
    ws: Worksheet,
    contracts: pd.DataFrame,
    needs: list[FormNeed],
    as_of: dt.date,
    contact: str,
) -> None:
    """The first sheet 記入要領 (``contact``: the setting ``submission_contact``)."""
    first = contracts.iloc[0]
    departments = "、".join(dict.fromkeys(contracts["department"].dropna().astype(str)))
    blocks: list[tuple[str, list[list[str]]]] = [
        ("個人情報取扱特記事項　提出書類の記入要領", []),
        (
            "",
            [
                [CONTRACTS.column("contractor_id").name, str(first["contractor_id"])],
                [CONTRACTS.column("contractor_name").name, str(first["contractor_name"])],
                ["基準日", f"{as_of:%Y/%m/%d}（この日までの記録を提出してください）"],
            ],
        ),
        ("■ 契約", _contract_rows(contracts, as_of)),
        ("■ 提出する様式（シート）", _form_rows(needs)),
        ("■ 記入方法", [[f"・{line}"] for line in _how_to(needs)]),
        ("■ 提出先", _send_to(departments, contact)),
    ]
    for title, rows in blocks:
        if title:
            ws.append([title])
            ws.cell(row=ws.max_row, column=1).font = _SECTION_FONT
        for row in rows:
            ws.append([neutralise(cell) for cell in row])
        ws.append([])
    ws.column_dimensions["A"].width = 24
    for letter in "BCDEFGHIJK":
        ws.column_dimensions[letter].width = 22


def build_template(
    contracts: pd.DataFrame, contractor_id: str, as_of: dt.date, contact: str = ""
) -> Workbook:
    """The submission workbook of one contractor.

    Args:
        contracts: The usable contracts of 委託契約一覧 (every contractor's: only
            ``contractor_id``'s rows are used).
        contractor_id: The contractor's code.
        as_of: The audit reference date: records up to it are to be sent.
        contact: Where to send it (setting ``submission_contact``; lines of text), shown
            under 提出先; empty: the contracts' departments' instructions.

    Returns:
        The workbook: 記入要領, then one sheet per form (:func:`template_forms`).

    Raises:
        tokki_analytics.errors.ParameterError: The contractor has no contract.
    """
    own = contractor_contracts(contracts, contractor_id)
    needs = template_forms(own)
    contract_ids = tuple(str(c) for c in own["contract_id"])
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    _guide_sheet(guide, own, needs, as_of, contact)
    lists = ListSheet(wb)
    for need in needs:
        _form_sheet(wb, need, contract_ids, lists)
    if lists.ws is not None:  # last, after the forms
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames) - 1 - wb.index(lists.ws))
    wb.properties.creator = CREATOR
    wb.properties.title = f"提出様式 {contractor_id}"
    wb.active = 0
    return wb
