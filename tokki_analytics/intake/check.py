"""The intake check's reply (差し戻し票): a contractor's defects and findings → what to correct.

Pure functions: the findings and defects of one contractor's check
(:mod:`tokki_analytics.intake.checkrun`) become one table, :data:`REPLY_COLUMNS`, in the
order a contractor corrects them:

1. :data:`SECTION_DEFECTS` 提出物の不備: Q0, Q2 and Q3 of the contractor's files, each with
   the column, the value as typed and what would be right
   (:func:`tokki_analytics.intake.check_expected.defect_expected`);
2. :data:`SECTION_FINDINGS` 規則による指摘: the rule findings the records already show
   (rule id, clause, detail, file, sheet, row) and what the rule requires;
3. :data:`SECTION_MISSING` 未提出の様式: the forms still missing (Q1);
4. :data:`SECTION_PERIODS` 記録の期間の不足: the forms whose records stop (or start) well
   inside the period they should cover, as the submission status flags them
   (:mod:`tokki_analytics.intake.coverage`): not a finding, but something to send;
5. :data:`SECTION_MASTERS` 県で確認する事項: what the prefecture itself settles, not the
   contractor: defects of its masters (委託契約一覧, 検査履歴) in this contractor's rows, the
   Q3 of a folder whose code has no contract in 委託契約一覧, and findings of rules that
   read only the masters (:data:`PREFECTURE_RULES`: P-1, the prefecture's on-site
   inspection).

Within a section, rows go by file, sheet and row. Every row of sections 1–3 and 5 is one
finding of ``tokki run`` for the contractor: nothing is added, nothing left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tokki_analytics.forms import FORMS_BY_KEY, MASTERS
from tokki_analytics.ingest.defects import DEFECT_COLUMNS
from tokki_analytics.ingest.periods import span_text
from tokki_analytics.intake.check_expected import defect_expected
from tokki_analytics.rules import RULES, RULES_BY_ID
from tokki_analytics.safetext import escape_controls

SECTION_DEFECTS = "1 提出物の不備"
SECTION_FINDINGS = "2 規則による指摘"
SECTION_MISSING = "3 未提出の様式"
SECTION_PERIODS = "4 記録の期間の不足"
SECTION_MASTERS = "5 県で確認する事項"
#: The sections of the reply, in order.
SECTIONS = (SECTION_DEFECTS, SECTION_FINDINGS, SECTION_MISSING, SECTION_PERIODS, SECTION_MASTERS)

#: Columns of the reply table: a defect's columns (:data:`DEFECT_COLUMNS`) but the
#: contractor's (the reply is one contractor's), with the section first, the clause after
#: the rule and what is expected last.
REPLY_COLUMNS = [
    "section",
    DEFECT_COLUMNS[0],
    "clause",
    *(column for column in DEFECT_COLUMNS[1:] if column != "contractor_id"),
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
#: Files and sheets not read that the cover names (the rest are counted).
IGNORED_SHOWN = 20


def _section(row: pd.Series) -> str:
    if row["form"] in _MASTER_NAMES or (row["rule_id"] == "Q3" and not row["form"]):
        return SECTION_MASTERS  # a master's row, or a folder whose code has no contract
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
    out["expected"] = defects.apply(defect_expected, axis=1, contracts=contracts)
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


def period_rows(coverage: pd.DataFrame) -> pd.DataFrame:
    """The flagged periods of a contractor's submission status as reply rows.

    Args:
        coverage: The contractor's rows of :func:`tokki_analytics.intake.coverage.coverage`.

    Returns:
        One row per flagged form: the form, the records' first and last date as ``value``,
        the flag as ``detail`` and the period the records should cover as ``expected``.
    """
    flagged = coverage[coverage["flag"] != ""]
    out = pd.DataFrame(index=flagged.index, columns=REPLY_COLUMNS).fillna("")
    out["section"] = SECTION_PERIODS
    out["form"] = flagged["form"]
    out["column"] = "記録の期間"
    out["value"] = [span_text(a, b) for a, b in zip(flagged["first"], flagged["last"], strict=True)]
    out["detail"] = flagged["flag"]
    should = zip(flagged["should_from"], flagged["should_to"], strict=True)
    out["expected"] = [f"{span_text(a, b)} の記録" for a, b in should]
    return out.reset_index(drop=True)


def reply_table(
    findings: pd.DataFrame,
    defects: pd.DataFrame,
    contracts: tuple[str, ...] = (),
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The reply: one row per finding of the contractor, by section, file, sheet and row.

    Args:
        findings: The contractor's findings (:data:`~tokki_analytics.findings.FINDING_COLUMNS`),
            rule findings and Q0–Q3.
        defects: The contractor's Q0–Q3 as the load made them (with column and value): the
            same defects as the Q0–Q3 rows of ``findings``.
        contracts: The contractor's contract ids.
        coverage: The contractor's submission status (:mod:`tokki_analytics.intake.coverage`);
            its flagged periods make section 4.

    Returns:
        :data:`REPLY_COLUMNS`; ``row`` as Int64, other columns text ('' where blank).
    """
    periods = period_rows(coverage) if coverage is not None else pd.DataFrame()
    parts = [defect_rows(defects, contracts), finding_rows(findings), periods]
    parts = [p for p in parts if len(p)]
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
        contract_missing: 委託契約一覧 has no contract of the contractor: its files were not
            checked (as in the run).
        ignored: The folder's files and sheets not read (no form is named so): a form
            sent under another name is named here, not only missing in section 3.
    """

    code: str
    name: str
    as_of: dt.date
    checked_at: dt.datetime
    folder: str
    counts: dict[str, int]
    contract_missing: bool = False
    ignored: tuple[str, ...] = ()

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
            f"点検した提出フォルダ: {escape_controls(self.folder, keep_layout=False)}",
        ]
        if self.ignored:
            shown = escape_controls("、".join(self.ignored[:IGNORED_SHOWN]), keep_layout=False)
            more = len(self.ignored) - IGNORED_SHOWN
            shown += f" ほか {more} 件" if more > 0 else ""
            head.append(
                f"様式名ではないため読まなかったファイル・シート（{len(self.ignored)} 件）: "
                f"{shown}。様式の記録であれば、ファイル名またはシート名を様式名にしてください。"
            )
        if not self.total:
            return [*head, "訂正が必要な項目はありません。ご提出ありがとうございました。"]
        counts = "、".join(f"{s.split(' ', 1)[1]} {self.counts.get(s, 0)} 件" for s in SECTIONS)
        total = f"確認が必要な項目: {self.total} 件（{counts}）"
        if self.contract_missing:
            return [
                *head,
                total,
                f"委託契約一覧に受託者コード {self.code} の契約がありません。このため提出物の中身は"
                "点検していません。県で委託契約一覧の登録（またはフォルダ名の受託者コード）を"
                "確認してから、もう一度点検してください。",
            ]
        return [
            *head,
            total,
            "「訂正事項」の各行について、ファイル・シート・行を確認し、訂正または追加のうえ"
            "再提出してください。1 提出物の不備は読み取れない値など、2 規則による指摘は"
            "記録の内容、3 未提出の様式は提出が必要な様式、4 記録の期間の不足は記録が"
            "途切れている期間の分の提出です（5 は県で確認する事項です）。",
        ]


def cover_counts(table: pd.DataFrame) -> dict[str, int]:
    """Section → rows of the reply table in it (every section, 0 where none)."""
    counts = table["section"].value_counts()
    return {section: int(counts.get(section, 0)) for section in SECTIONS}
