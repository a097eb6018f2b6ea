"""Submission defects Q0–Q3: their columns, one record, the frame and its order.

The defects are the load's findings (RULES.md, Q0 unreadable file, Q1 form not submitted,
Q2 unreadable or missing value, Q3 row of an unknown contract); their rules are declared in
:mod:`tokki_analytics.rules.quality`, their severities taken from there. Every step of the
load makes its records with :func:`defect`; :func:`defects_frame` and :func:`sort_defects`
make the frame the audit reports.
"""

from __future__ import annotations

import pandas as pd

from tokki_analytics.rules import QUALITY_RULES

DEFECT_COLUMNS = (
    "rule_id",
    "severity",
    "contractor_id",
    "contract_id",
    "form",
    "source",
    "sheet",
    "row",
    "column",
    "value",
    "detail",
)
SEVERITY = {rule.id: rule.severity for rule in QUALITY_RULES}


def defect(rule_id: str, **values: object) -> dict:
    """One defect record: ``rule_id``, its severity and ``values`` (other columns blank)."""
    record: dict[str, object] = dict.fromkeys(DEFECT_COLUMNS, "")
    record["row"] = None
    record.update(rule_id=rule_id, severity=SEVERITY[rule_id], **values)
    return record


def defects_frame(records: list[dict] | None = None) -> pd.DataFrame:
    """Build a defects frame with the standard columns from ``records``."""
    frame = pd.DataFrame.from_records(records or [], columns=list(DEFECT_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for col in DEFECT_COLUMNS:
        if col != "row":
            frame[col] = frame[col].astype("str").where(frame[col].notna(), "")
    return frame


def sort_defects(defects: pd.DataFrame) -> pd.DataFrame:
    """Sort defects as findings are sorted (RULES.md, output contract)."""
    order = ["contractor_id", "contract_id", "rule_id", "source", "sheet", "row", "column"]
    return defects.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)
