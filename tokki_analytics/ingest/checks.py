"""Cross-checks of the typed frames: contracts, Q3 and Q1.

- 委託契約一覧: a contract whose end precedes its start has its end unreadable (Q2); a
  repeated 契約番号 keeps its first row, later ones are Q2s; ``_usable`` marks the rows
  the audit takes as contracts (:func:`mark_contracts`);
- a row whose 契約番号 is not one of its contractor's contracts is flagged
  ``_unknown_contract`` (Q3, :func:`flag_unknown_contracts`);
- take-out and copy rows get the 契約番号 of their 台帳番号 (:func:`link_ledger_forms`),
  検査履歴 rows the contractor of their contract (:func:`link_inspections`);
- a form a started contract needs and its contractor did not submit is a Q1
  (:func:`missing_forms`; which forms a contract needs: :func:`needed_forms`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tokki_analytics.forms import CONTRACTS, INSPECTIONS, LEDGER, SUBMISSION_FORMS, Form, Need
from tokki_analytics.ingest.defects import defect
from tokki_analytics.rules import FORM_CLAUSES
from tokki_analytics.vocab import expand_clauses


def _reversed_periods(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Q2 for a contract whose 契約終了日 precedes its 契約開始日; its end is then unreadable.

    Such a period holds no day, so no rule that needs the period judges the contract
    (as with an unreadable end date); the auditor sees the raw dates in the Q2.
    """
    reversed_ = _arr_bool(frame["end_date"] < frame["start_date"])
    if not reversed_.any():
        return frame, []
    frame = frame.copy()
    column = CONTRACTS.column("end_date")
    defects = []
    for row in frame[reversed_].to_dict("records"):
        start, end = f"{row['start_date']:%Y-%m-%d}", f"{row['end_date']:%Y-%m-%d}"
        defects.append(
            defect(
                "Q2",
                contractor_id=row["contractor_id"] if pd.notna(row["contractor_id"]) else "",
                contract_id=row["contract_id"] if pd.notna(row["contract_id"]) else "",
                form=CONTRACTS.name,
                source=row["_source"],
                sheet=row["_sheet"],
                row=row["_row"],
                column=column.name,
                value=end,
                detail=f"{column.name}「{end}」が契約開始日「{start}」より前です",
            )
        )
    frame.loc[reversed_, "end_date"] = pd.NaT
    invalid = frame.loc[reversed_, "_invalid"]
    frame.loc[reversed_, "_invalid"] = (invalid + ",end_date").str.lstrip(",")
    return frame, defects


def _arr_bool(values: pd.Series) -> np.ndarray:
    return values.fillna(False).to_numpy(dtype=bool)


def mark_contracts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Flag usable contract rows; a repeated 契約番号 keeps its first row, later ones are Q2."""
    frame, reversed_defects = _reversed_periods(frame)
    frame = frame.copy()
    readable = frame["contract_id"].notna() & frame["contractor_id"].notna()
    repeated = readable & frame["contract_id"].duplicated(keep="first")
    frame["_usable"] = readable & ~repeated
    defects = [
        _contract_defect("Q2", CONTRACTS, row, "が重複しています（先の行を採用）")
        for row in frame[repeated].to_dict("records")
    ]
    return frame, reversed_defects + defects


def _contract_defect(rule_id: str, form: Form, row: dict, problem: str) -> dict:
    """A defect about the 契約番号 cell of a record (``row``: the record as a dict)."""
    return defect(
        rule_id,
        contractor_id=row["contractor_id"],
        contract_id=row["contract_id"],
        form=form.name,
        source=row["_source"],
        sheet=row["_sheet"],
        row=row["_row"],
        column="契約番号",
        value=row["contract_id"],
        detail=f"契約番号「{row['contract_id']}」{problem}",
    )


# --- Q3, contract of ledger rows, Q1 ------------------------------------------------


def flag_unknown_contracts(
    frame: pd.DataFrame, form: Form, contracts: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict]]:
    """Flag rows whose 契約番号 is not a contract of their contractor (Q3)."""
    frame = frame.copy()
    if "contract_id" not in frame or form.owner == "ledger" or not len(frame):
        frame["_unknown_contract"] = False
        return frame, []
    known = pd.MultiIndex.from_frame(contracts[["contractor_id", "contract_id"]])
    pairs = pd.MultiIndex.from_frame(frame[["contractor_id", "contract_id"]].astype(object))
    unknown = frame["contract_id"].notna().to_numpy() & ~pairs.isin(known)
    frame["_unknown_contract"] = unknown
    defects = [
        _contract_defect(
            "Q3", form, row, f"は受託者 {row['contractor_id']} の契約として委託契約一覧にありません"
        )
        for row in frame[unknown].to_dict("records")
    ]
    return frame, defects


def attach_ledger_contracts(frame: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Give take-out and copy rows the 契約番号 of their 台帳番号 (unique per contractor)."""
    usable = ledger[~ledger["_unknown_contract"] & ledger["ledger_id"].notna()]
    lookup = usable.drop_duplicates(["contractor_id", "ledger_id"])[
        ["contractor_id", "ledger_id", "contract_id"]
    ]
    merged = frame.drop(columns="contract_id").merge(
        lookup, on=["contractor_id", "ledger_id"], how="left", sort=False
    )
    return merged[frame.columns]


def inspection_contractors(inspections: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """Give each 検査履歴 row the contractor of its contract (blank when unknown)."""
    owner = contracts.set_index("contract_id")["contractor_id"]
    out = inspections.copy()
    out["contractor_id"] = out["contract_id"].map(owner).astype("str")
    return out


def link_ledger_forms(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Give take-out and copy rows the 契約番号 of their 台帳番号 (a contractor's own ledger).

    Args:
        frames: Submission form key → typed frame, the forms' ``_unknown_contract`` flags set.

    Returns:
        The frames, the forms kept with the ledger's contracts (:func:`attach_ledger_contracts`).
    """
    frames = dict(frames)
    for form in SUBMISSION_FORMS:
        if form.owner == "ledger":
            frames[form.key] = attach_ledger_contracts(frames[form.key], frames[LEDGER.key])
    return frames


def link_inspections(
    inspections: pd.DataFrame, contracts: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict]]:
    """Give 検査履歴 rows the contractor of their contract, and flag unknown contracts (Q3).

    Args:
        inspections: The typed 検査履歴.
        contracts: The usable contracts.

    Returns:
        (検査履歴 with contractor_id and ``_unknown_contract``, the Q3s of its rows).
    """
    return flag_unknown_contracts(
        inspection_contractors(inspections, contracts), INSPECTIONS, contracts
    )


def excludes_form(contract: pd.Series, form: Form) -> bool:
    """True when ``contract``'s 適用除外条項 switch off every rule that reads ``form``."""
    excluded = expand_clauses(contract["excluded_clauses"] or ())
    clauses = FORM_CLAUSES.get(form.key)
    return bool(clauses) and set(clauses or ()) <= excluded


def needed_forms(contract: pd.Series) -> list[Form]:
    """The submission forms ``contract`` needs (FORMS.md, "Which forms a contract needs")."""
    forms = []
    for form in SUBMISSION_FORMS:
        if form.need is Need.WHEN_ANY:
            continue
        if form.need is Need.ELECTRONIC and contract["handles_electronic"] == "無":
            continue
        if excludes_form(contract, form):
            continue
        forms.append(form)
    return forms


def missing_forms(contracts: pd.DataFrame, submitted: pd.DataFrame, as_of: dt.date) -> list[dict]:
    """Q1 for every form a started contract needs that its contractor did not submit."""
    have = set(zip(submitted["contractor_id"], submitted["form"], strict=True))
    records = []
    for _, contract in contracts.iterrows():
        start = contract["start_date"]
        if pd.notna(start) and start.date() > as_of:
            continue
        for form in needed_forms(contract):
            if (contract["contractor_id"], form.key) not in have:
                records.append(
                    defect(
                        "Q1",
                        contractor_id=contract["contractor_id"],
                        contract_id=contract["contract_id"],
                        form=form.name,
                        detail=f"{form.name}が提出されていません（提出なし）",
                    )
                )
    return records
