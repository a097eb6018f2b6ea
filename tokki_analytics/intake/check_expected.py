"""What the intake check's reply says is expected (期待される内容) for each Q0–Q3.

One text per kind of defect the load makes, saying what would be right rather than what the
column is in general (a repeated 契約番号 needs a number not used before, not "an id"):

- Q0, a file the load could not open: a file Excel or CSV readers open; a folder: a folder
  that can be read;
- Q1, a form not submitted: that form;
- Q2 without a row, a missing header row or required column: that column in the header row
  within the rows the loader searches;
- Q2 of a repeated 契約番号 in 委託契約一覧: a number used once;
- Q2 of a 契約終了日 before 契約開始日: a date on or after the start;
- Q2 of a blank required cell: the column's value to be written;
- Q2 of a value outside the allowed list: one of the allowed values;
- Q2 of an unreadable value: the column's kind (with examples of dates);
- Q3 of a folder whose code has no contract: the contract in 委託契約一覧 (or the right code);
- Q3 of a row's contract: one of the contractor's contracts.

The kinds are told apart by the defect's columns (rule, form, row, value) and, where only
the wording differs, by the wording the load gives the detail
(:mod:`tokki_analytics.ingest.checks`).
"""

from __future__ import annotations

import re

import pandas as pd

from tokki_analytics.forms import ALL_FORMS, CONTRACTS, Column, Form, Kind, header_key
from tokki_analytics.ingest.read import HEADER_SEARCH_ROWS

_FORMS_BY_NAME = {form.name: form for form in ALL_FORMS}
_KIND_TEXT = {
    Kind.ID: "番号・記号（文字列として。先頭の 0 もそのまま）",
    Kind.TEXT: "文字列",
    Kind.DATE: "日付（例: 2025-04-01、2025/4/1、令和7年4月1日）",
    Kind.DATETIME: "日時（例: 2025-04-01 09:30、令和7年4月1日 9時30分）",
    Kind.MARK: "有・無（済・未、○・× も可）",
    Kind.INT: "0 以上の整数",
    Kind.ENUM: "決められた値",
    Kind.LIST: "値の並び（、または ; で区切る）",
}
Q0_FILE_EXPECTED = (
    "Excel（.xlsx .xlsm .xls）または CSV（UTF-8 か CP932）として開けるファイル"
    "（パスワードなし、読み込み上限以内）"
)
Q0_FOLDER_EXPECTED = (
    "読み取れるフォルダ（読み取り権限があり、提出フォルダの外を指すリンクでないこと）"
)
DUPLICATE_EXPECTED = "委託契約一覧の中で重複しない契約番号（同じ契約番号の行は 1 行だけ）"
#: The wordings of the load's details that tell two Q2 kinds apart (ingest.checks).
_DUPLICATE = "が重複しています"
_BEFORE_START = re.compile(r"が契約開始日「(?P<start>[^」]*)」より前です")


def form_column(form_name: str, column_name: str) -> Column | None:
    """The column of the form named ``form_name`` whose header or alias is ``column_name``."""
    form: Form | None = _FORMS_BY_NAME.get(form_name)
    if form is None or not column_name:
        return None
    key = header_key(column_name)
    return next((c for c in form.columns if key in c.headers), None)


def _header_expected(row: pd.Series) -> str:
    column = form_column(str(row["form"]), str(row["column"]))
    aliases = f"（{'・'.join(column.aliases)} も可）" if column and column.aliases else ""
    return (
        f"先頭 {HEADER_SEARCH_ROWS} 行以内の見出し行に列「{row['column']}」{aliases}があり、"
        "その下の行に記録があること"
    )


def _q2_expected(row: pd.Series) -> str:
    form, name, detail = str(row["form"]), str(row["column"]), str(row["detail"])
    if pd.isna(row["row"]):
        return _header_expected(row)
    if form == CONTRACTS.name and _DUPLICATE in detail:
        return DUPLICATE_EXPECTED
    before = _BEFORE_START.search(detail)
    if before:
        return f"契約開始日（{before['start']}）以後の日付"
    column = form_column(form, name)
    if column is None:
        return ""
    if not str(row["value"]):
        return f"「{name}」の記入（{_KIND_TEXT[column.kind]}）"
    if column.allowed:
        return f"次のいずれか: {'・'.join(column.allowed)}"
    return _KIND_TEXT[column.kind]


def _q3_expected(row: pd.Series, contracts: tuple[str, ...]) -> str:
    if not row["form"]:  # the folder's code: the run reads nothing in it
        return (
            f"委託契約一覧に受託者コード {row['contractor_id']} の契約が登録されていること"
            "（県が確認します。フォルダ名の受託者コードの誤りであれば正しいコード）"
        )
    own = "、".join(contracts)
    return f"この受託者の契約番号（{own}）" if own else "この受託者の契約番号"


def defect_expected(row: pd.Series, contracts: tuple[str, ...] = ()) -> str:
    """What would be right in place of one Q0–Q3 (a row of the defects frame), in Japanese.

    Args:
        row: The defect (:data:`tokki_analytics.ingest.defects.DEFECT_COLUMNS`).
        contracts: The contractor's contract ids (what a Q3 row should name).
    """
    rule_id = row["rule_id"]
    if rule_id == "Q0":
        return Q0_FOLDER_EXPECTED if str(row["detail"]).startswith("フォルダ") else Q0_FILE_EXPECTED
    if rule_id == "Q1":
        return f"様式「{row['form']}」を提出してください" if row["form"] else ""
    if rule_id == "Q3":
        return _q3_expected(row, contracts)
    return _q2_expected(row)
