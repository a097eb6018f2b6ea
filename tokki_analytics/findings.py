"""Findings and compliance: validation results → the output contract of RULES.md.

``findings``: one row per failing unit per rule, pointing at contractor, contract, form,
source, sheet and row, with a Japanese ``detail``; submission defects Q0–Q3 join them.
``compliance``: units checked and failed per contractor × contract × rule. A rule that
judged no unit of a contract has no compliance row: it is "not assessed", which is not
"compliant".

Each finding remembers the unit it failed (:data:`UNIT_COLUMNS`, kept in memory, not
written to findings.csv, compliance.csv or findings.xlsx): the check view, the view row's
``_key``, the unit's identifying values and the person it concerns. The history store, the
report and the notebooks read them instead of finding the unit again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tokki_analytics.gx.validate import Validation
from tokki_analytics.rules import RULES, Rule

FINDING_COLUMNS = [
    "rule_id",
    "clause",
    "severity",
    "contractor_id",
    "contract_id",
    "form",
    "source",
    "sheet",
    "row",
    "detail",
]
COMPLIANCE_COLUMNS = [
    "rule_id",
    "clause",
    "contractor_id",
    "contract_id",
    "units_checked",
    "units_failed",
    "rate",
]
#: The unit each finding failed, carried in memory after FINDING_COLUMNS: the check view
#: (a rule's ``view``), the view row's ``_key`` (``view_key``), the unit's identifying values
#: (``unit``, :func:`unit_text`; '' for contract-level rules, whose unit is the contract, and
#: for Q0–Q3) and the 従事者ID of the unit ('' where it has none). Blank for Q0–Q3.
UNIT_COLUMNS = ["view", "view_key", "unit", "person_id"]
#: View columns that identify a unit's content (in this order), where a view has them.
IDENTITY_COLUMNS = (
    "person_id",
    "ledger_id",
    "incident_id",
    "device_id",
    "subcontractor",
    "fiscal_year",
    "target",
    "kind",
    "direction",
    "start_date",
    "event_at",
    "taken_at",
    "at",
    "on",
    "checked_on",
    "requested_on",
)
#: Rule order in outputs: the order of RULES.md, submission defects last.
RULE_ORDER = [rule.id for rule in RULES] + ["Q0", "Q1", "Q2", "Q3"]


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").where(values.notna(), "")


def value_text(values: pd.Series) -> pd.Series:
    """Values as plain text: NA → '', datetimes in ISO form, whole numbers without ``.0``."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.strftime("%Y-%m-%dT%H:%M:%S")
    elif pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        out = pd.to_numeric(values, errors="coerce").astype("Int64").astype("str")
    else:
        out = values.astype("str")
    return out.where(values.notna(), "").fillna("").astype(object)


def unit_text(rows: pd.DataFrame) -> pd.Series:
    """The identifying values of view rows: ``person_id=P001|start_date=2024-04-01T00:00:00``.

    The columns are those of :data:`IDENTITY_COLUMNS` the view has, in that order; a view
    with none of them gives ''.
    """
    columns = [c for c in IDENTITY_COLUMNS if c in rows.columns]
    out = pd.Series("", index=rows.index, dtype=object)
    for n, column in enumerate(columns):
        out = out + ("|" if n else "") + column + "=" + value_text(rows[column])
    return out


def rule_findings(rule: Rule, view: pd.DataFrame, keys: list[int]) -> pd.DataFrame:
    """Findings of one rule from the failing rows of its view, each with its unit."""
    rows = view.set_index("_key").loc[keys].reset_index()
    blank = pd.Series("", index=rows.index, dtype=object)
    return pd.DataFrame(
        {
            "rule_id": rule.id,
            "clause": rule.clause,
            "severity": rule.severity,
            "contractor_id": _text(rows["contractor_id"]),
            "contract_id": _text(rows["contract_id"]),
            "form": _text(rows["_form"]),
            "source": _text(rows["_source"]),
            "sheet": _text(rows["_sheet"]),
            "row": rows["_row"].astype("Int64"),
            "detail": rule.detail(rows).astype("str").to_numpy(),
            "view": rule.view,
            "view_key": rows["_key"].astype("Int64"),
            "unit": blank if rule.unit == "contract" else unit_text(rows),
            "person_id": value_text(rows["person_id"]) if "person_id" in rows else blank,
        }
    )


def defect_findings(defects: pd.DataFrame) -> pd.DataFrame:
    """Submission defects Q0–Q3 in the findings layout (clause and unit blank)."""
    out = defects.reindex(columns=FINDING_COLUMNS + UNIT_COLUMNS).copy()
    out["clause"] = ""
    out[["view", "unit", "person_id"]] = ""
    return out


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Sort by contractor, contract, rule (RULES.md order), source, sheet, row."""
    order = {rule_id: n for n, rule_id in enumerate(RULE_ORDER)}
    keyed = findings.assign(_order=findings["rule_id"].map(order).fillna(len(order)))
    keyed = keyed.sort_values(
        ["contractor_id", "contract_id", "_order", "source", "sheet", "row"],
        na_position="first",
        kind="stable",
    )
    return keyed.drop(columns="_order").reset_index(drop=True)


def build_findings(
    views: dict[str, pd.DataFrame], validation: Validation, defects: pd.DataFrame
) -> pd.DataFrame:
    """All findings of a run: rule failures and submission defects, sorted.

    Returns:
        :data:`FINDING_COLUMNS` (findings.csv) then :data:`UNIT_COLUMNS` (the unit).
    """
    parts = [defect_findings(defects)]
    for rule in RULES:
        result = validation.results.get(rule.id)
        if result is not None and result.failed_keys:
            parts.append(rule_findings(rule, views[rule.view], result.failed_keys))
    findings = pd.concat([p for p in parts if len(p)] or parts, ignore_index=True)
    for col in FINDING_COLUMNS + UNIT_COLUMNS:
        if col not in ("row", "view_key"):
            findings[col] = _text(findings[col])
    findings["row"] = findings["row"].astype("Int64")
    findings["view_key"] = findings["view_key"].astype("Int64")
    return sort_findings(findings[FINDING_COLUMNS + UNIT_COLUMNS])


def _units(rule: Rule, view: pd.DataFrame, failed_keys: list[int]) -> pd.DataFrame:
    judged = view[view[rule.judge]]
    failed = judged["_key"].isin(failed_keys)
    keys = [_text(judged["contractor_id"]), _text(judged["contract_id"])]
    grouped = pd.DataFrame(
        {"contractor_id": keys[0], "contract_id": keys[1], "failed": failed.astype(int)}
    ).groupby(["contractor_id", "contract_id"], sort=True)
    out = grouped["failed"].agg(units_checked="size", units_failed="sum").reset_index()
    out.insert(0, "clause", rule.clause)
    out.insert(0, "rule_id", rule.id)
    return out


def build_compliance(views: dict[str, pd.DataFrame], validation: Validation) -> pd.DataFrame:
    """Units checked and failed per rule × contractor × contract (assessed units only)."""
    parts = []
    for rule in RULES:
        result = validation.results.get(rule.id)
        view = views.get(rule.view)
        if result is None or view is None or not result.checked:
            continue
        parts.append(_units(rule, view, result.failed_keys))
    return compliance_table(parts)


def compliance_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """compliance.csv from unit counts: each part one rule's counts per contractor × contract.

    Args:
        parts: Frames of ``rule_id``, ``clause``, ``contractor_id``, ``contract_id`` ('' where
            none), ``units_checked`` and ``units_failed`` (rows with units checked only).
            :func:`build_compliance` counts them from the views; the Spark engine where its
            views are.

    Returns:
        :data:`COMPLIANCE_COLUMNS`, with the rate, by contractor, contract and rule.
    """
    if not parts:
        return pd.DataFrame(columns=COMPLIANCE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["rate"] = 1 - out["units_failed"] / out["units_checked"]
    return (
        out[COMPLIANCE_COLUMNS]
        .sort_values(["contractor_id", "contract_id", "rule_id"], kind="stable")
        .reset_index(drop=True)
    )


def rollup(compliance: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Roll compliance up over the other keys: rate = 1 − Σfailed / Σchecked."""
    sums = compliance.groupby(by, dropna=False)[["units_checked", "units_failed"]].sum()
    sums["rate"] = 1 - sums["units_failed"] / sums["units_checked"].replace(0, np.nan)
    return sums.reset_index()
