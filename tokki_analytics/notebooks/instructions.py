"""前回の指示事項: what the briefing opens with, from the follow-up record of the data folder.

The auditors' record (``DATA/指摘対応記録.xlsx``, :mod:`tokki_analytics.followup`) carried
over to this run's findings, for one contractor: instructions still open, overdue first,
then findings that came back (再発). A run reopened from its output folder carries no
finding units, so no identities: the table is empty and says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.followup import INSTRUCTED, LABELS, OVERDUE, RECURRED, REPORTED, follow_up
from tokki_analytics.history import finding_identities
from tokki_analytics.masking import Masker

if TYPE_CHECKING:
    from tokki_analytics.pipeline import Audit

#: The columns shown, in order (keys of the record; headers from forms.py).
SHOWN = ("derived", "state", "instructed_on", "due_on", "reported_on", "rule_id",
         "contract_id", "detail", "memo")  # fmt: skip
#: Order of the rows: overdue first, then open instructions, then recurring findings.
RANK = {OVERDUE: 0, INSTRUCTED: 1, REPORTED: 1, RECURRED: 2}


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[LABELS[key] for key in SHOWN])


def previous_instructions(
    audit: Audit, contractor_id: str, show_names: bool = False
) -> pd.DataFrame:
    """The contractor's open instructions and recurring findings, overdue first.

    Args:
        audit: A run with its finding units (:func:`tokki_analytics.audit`).
        contractor_id: The contractor.
        show_names: Leave person names unmasked in 内容 and メモ.

    Returns:
        One row per item, Japanese headers (:data:`SHOWN`); empty without a record, or
        for a run reopened from its output folder.
    """
    findings = audit.findings
    try:
        identities = finding_identities(findings)
    except ValueError:  # reopened from findings.csv: no units, no identities
        return _empty()
    open_items, _, _ = follow_up(
        audit.submission.data_dir, findings, identities, audit.settings.as_of
    )
    own = open_items[open_items["contractor_id"] == contractor_id]
    rank = own["derived"].map(RANK).fillna(own["state"].map(RANK))
    own = own.assign(_rank=rank).dropna(subset=["_rank"])
    own = own.sort_values(["_rank", "due_on"], kind="stable", na_position="last")
    shown = own[list(SHOWN)].reset_index(drop=True)
    if not show_names:
        mask = Masker.of(audit)
        shown = shown.assign(
            detail=shown["detail"].map(mask.text), memo=shown["memo"].map(mask.text)
        )
    return shown.rename(columns=LABELS)
