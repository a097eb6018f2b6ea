"""Q0–Q3: the submission defects the load finds (RULES.md), declared like every other rule.

They are not checked by Great Expectations: :mod:`tokki_analytics.ingest` records them while
it reads, with the severities declared here.
"""

from __future__ import annotations

from tokki_analytics.rules.base import RuleInfo

Q0 = RuleInfo(
    id="Q0",
    clause="—",
    severity="軽微",
    unit="file",
    description=(
        "受託者フォルダの提出ファイル（.xlsx .xlsm .xls .csv）が読めること"
        "（壊れている、パスワード付き、形式が違う、読み込み上限を超えるファイルは読めない）"
    ),
    settings=(
        "max_file_mb",
        "max_cells",
        "max_columns",
        "max_field_chars",
        "max_unpacked_mb",
        "reader_memory_mb",
        "reader_seconds",
    ),
)
Q1 = RuleInfo(
    id="Q1",
    clause="—",
    severity="軽微",
    unit="contract × form",
    description="契約に必要な様式が提出されていること（提出なし）",
)
Q2 = RuleInfo(
    id="Q2",
    clause="—",
    severity="軽微",
    unit="cell",
    description="セルの値が読め、列の使える値であること。必須のセル・列があること",
)
Q3 = RuleInfo(
    id="Q3",
    clause="—",
    severity="観察",
    unit="row",
    description=(
        "行の契約番号がその受託者の契約として委託契約一覧にあること"
        "（委託契約一覧に契約のない受託者フォルダは、フォルダで1件）"
    ),
)

#: Q0–Q3 in the order of RULES.md.
QUALITY_RULES: tuple[RuleInfo, ...] = (Q0, Q1, Q2, Q3)
