"""The intake check's reply (差し戻し票): a contractor's defects and findings → what to correct.

Pure functions: the findings and defects of one contractor's check
(:mod:`tokki_analytics.intake.checkrun`) become one table, :data:`REPLY_COLUMNS`, in the
order a contractor corrects them:

1. :data:`SECTION_DEFECTS` 提出物の不備: Q0, Q2 and Q3 of the contractor's files, each with
   the column, the value as typed and what is expected (from :mod:`tokki_analytics.forms`);
2. :data:`SECTION_FINDINGS` 規則による指摘: the rule findings the records already show
   (rule id, clause, detail, file, sheet, row) and what the rule requires;
3. :data:`SECTION_MISSING` 未提出の様式: the forms still missing (Q1);
4. :data:`SECTION_MASTERS` 県で確認する事項: what the prefecture itself settles, not the
   contractor: defects of its masters (委託契約一覧, 検査履歴) in this contractor's rows, and
   findings of rules that read only the masters (:data:`PREFECTURE_RULES`: P-1, the
   prefecture's on-site inspection).

Within a section, rows go by file, sheet and row. Every row of the table is one finding of
``tokki run`` for the contractor: nothing is added, nothing left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tokki_analytics.forms import ALL_FORMS, FORMS_BY_KEY, MASTERS, Column, Form, Kind, header_key
from tokki_analytics.rules import RULES, RULES_BY_ID

SECTION_DEFECTS = "1 提出物の不備"
SECTION_FINDINGS = "2 規則による指摘"
SECTION_MISSING = "3 未提出の様式"
SECTION_MASTERS = "4 県で確認する事項"
#: The sections of the reply, in order.
SECTIONS = (SECTION_DEFECTS, SECTION_FINDINGS, SECTION_MISSING, SECTION_MASTERS)

#: Columns of the reply table.
REPLY_COLUMNS = [
    "section",
    "rule_id",
    "clause",
    "severity",
    "contract_id",
    "form",
    "source",
    "sheet",
    "row",
    "column",
    "value",
    "detail",
    "expected",
]
#: Japanese headers of :data:`REPLY_COLUMNS`.
REPLY_LABELS = {
    "section": "区分",
    "rule_id": "規則ID",
    "clause": "条項",
    "severity": "重大度",
    "contract_id": "契約番号",
    "form": "様式",
    "source": "ファイル",
    "sheet": "シート",
    "row": "行",
    "column": "列",
    "value": "記入値",
    "detail": "内容",
    "expected": "期待される内容",
}

#: Rules whose needed forms are all prefecture masters: their findings are the prefecture's.
PREFECTURE_RULES = frozenset(
    rule.id for rule in RULES if rule.needs and all(FORMS_BY_KEY[k].is_master for k in rule.needs)
)
_MASTER_NAMES = frozenset(form.name for form in MASTERS)
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
_Q0_EXPECTED = (
    "Excel（.xlsx .xlsm .xls）または CSV（UTF-8 か CP932）として開けるファイル"
    "（パスワードなし、読み込み上限以内）"
)


def _column(form: Form | None, name: str) -> Column | None:
    """The column of ``form`` whose header or alias is ``name``."""
    if form is None or not name:
        return None
    key = header_key(name)
    return next((c for c in form.columns if key in c.headers), None)


def column_expected(form_name: str, column_name: str) -> str:
    """What a column of a form expects, in Japanese (from the form's declaration).

    Args:
        form_name: The form's Japanese name (``作業従事者名簿``).
        column_name: The column's header (``雇用形態``) or one of its aliases.

    Returns:
        Its kind and allowed values, and 必須 when required; "" for an unknown column.
    """
    column = _column(_FORMS_BY_NAME.get(form_name), column_name)
    if column is None:
        return ""
    text = _KIND_TEXT[column.kind]
    if column.allowed and column.kind in (Kind.ENUM, Kind.LIST):
        text = f"次のいずれか: {'・'.join(column.allowed)}"
    return f"{text}（必須）" if column.required else text


def _defect_expected(row: pd.Series, contracts: tuple[str, ...]) -> str:
    rule_id = row["rule_id"]
    if rule_id == "Q0":
        return _Q0_EXPECTED
    if rule_id == "Q1":
        return f"様式「{row['form']}」を提出してください" if row["form"] else ""
    if rule_id == "Q3":
        own = "、".join(contracts)
        return f"この受託者の契約番号（{own}）" if own else "この受託者の契約番号"
    return column_expected(str(row["form"]), str(row["column"]))


def _section(row: pd.Series) -> str:
    if row["form"] in _MASTER_NAMES:
        return SECTION_MASTERS
    if row["rule_id"] == "Q1":
        return SECTION_MISSING
    return SECTION_DEFECTS


def defect_rows(defects: pd.DataFrame, contracts: tuple[str, ...] = ()) -> pd.DataFrame:
    """Q0–Q3 of one contractor as reply rows (section, column, value, expected).

    Args:
        defects: The contractor's defects (:data:`tokki_analytics.ingest.DEFECT_COLUMNS`).
        contracts: The contractor's contract ids (what a Q3 row should name).
    """
    if defects.empty:
        return pd.DataFrame(columns=REPLY_COLUMNS)
    out = defects.reindex(columns=REPLY_COLUMNS).copy()
    out["section"] = defects.apply(_section, axis=1)
    out["clause"] = ""
    out["expected"] = defects.apply(_defect_expected, axis=1, contracts=contracts)
    return out


def finding_rows(findings: pd.DataFrame) -> pd.DataFrame:
    """Rule findings (not Q0–Q3) as reply rows; ``expected`` is what the rule requires."""
    rules = findings[findings["rule_id"].isin(RULES_BY_ID)]
    out = rules.reindex(columns=REPLY_COLUMNS).copy()
    prefecture = rules["rule_id"].isin(PREFECTURE_RULES)
    out["section"] = prefecture.map({True: SECTION_MASTERS, False: SECTION_FINDINGS})
    out[["column", "value"]] = ""
    out["expected"] = [RULES_BY_ID[r].description for r in rules["rule_id"]]
    return out


def reply_table(
    findings: pd.DataFrame, defects: pd.DataFrame, contracts: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The reply: one row per finding of the contractor, by section, file, sheet and row.

    Args:
        findings: The contractor's findings (:data:`~tokki_analytics.findings.FINDING_COLUMNS`),
            rule findings and Q0–Q3.
        defects: The contractor's Q0–Q3 as the load made them (with column and value): the
            same defects as the Q0–Q3 rows of ``findings``.
        contracts: The contractor's contract ids.

    Returns:
        :data:`REPLY_COLUMNS`; ``row`` as Int64, other columns text ('' where blank).
    """
    parts = [p for p in (defect_rows(defects, contracts), finding_rows(findings)) if len(p)]
    if not parts:
        return pd.DataFrame(columns=REPLY_COLUMNS).astype({"row": "Int64"})
    table = pd.concat(parts, ignore_index=True)
    table["row"] = pd.to_numeric(table["row"], errors="coerce").astype("Int64")
    for column in REPLY_COLUMNS:
        if column != "row":
            table[column] = table[column].astype(object).where(table[column].notna(), "")
            table[column] = table[column].astype(str)
    table["_order"] = table["section"].map({s: n for n, s in enumerate(SECTIONS)})
    table = table.sort_values(
        ["_order", "source", "sheet", "row", "column"], na_position="first", kind="stable"
    )
    return table.drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class Cover:
    """What the cover of a reply says.

    Attributes:
        code: The contractor code.
        name: The contractor's name.
        as_of: The as-of date of the check.
        checked_at: When the check ran.
        folder: The folder checked, as shown.
        counts: Section → rows of the reply in it.
    """

    code: str
    name: str
    as_of: dt.date
    checked_at: dt.datetime
    folder: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Rows of the reply: what the contractor (or the intake desk) has to correct."""
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """The cover text, in Japanese, one paragraph a line."""
        head = [
            "個人情報取扱特記事項 提出物の受付時点検結果（差し戻し票）",
            f"受託者: {self.code} {self.name}".rstrip(),
            f"監査基準日: {self.as_of:%Y-%m-%d}",
            f"点検日時: {self.checked_at:%Y-%m-%d %H:%M}",
            f"点検した提出フォルダ: {self.folder}",
        ]
        if not self.total:
            return [*head, "訂正が必要な項目はありません。ご提出ありがとうございました。"]
        counts = "、".join(f"{s.split(' ', 1)[1]} {self.counts.get(s, 0)} 件" for s in SECTIONS)
        return [
            *head,
            f"確認が必要な項目: {self.total} 件（{counts}）",
            "「訂正事項」の各行について、ファイル・シート・行を確認し、訂正または追加のうえ"
            "再提出してください。1 提出物の不備は読み取れない値など、2 規則による指摘は"
            "記録の内容、3 未提出の様式は提出が必要な様式です（4 は県で確認する事項です）。",
        ]


def cover_counts(table: pd.DataFrame) -> dict[str, int]:
    """Section → rows of the reply table in it (every section, 0 where none)."""
    counts = table["section"].value_counts()
    return {section: int(counts.get(section, 0)) for section in SECTIONS}
