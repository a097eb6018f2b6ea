"""Plants of the rules of the ``copies`` check view: C7.4-1.

Their rules: :mod:`tokki_analytics.rules.copies`.
"""

from __future__ import annotations

from tokki_analytics.forms import COPIES
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Plant
from tokki_analytics.samples.records import add_copy, log_at

# --- C7.4-1 ------------------------------------------------------------------------------------


def _p3_copy_unapproved(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0)
    row = add_copy(c, k0, ledger, pid, day)
    row["approval_ref"] = None
    mark(row, "C7.4-1", c.code, k0.contract_id)


def _p6_copy_dash(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0)
    row = add_copy(c, k0, ledger, pid, day)
    row["approval_ref"] = "－"
    mark(row, "C7.4-1", c.code, k0.contract_id)


C7_4_1 = Entry(
    "C7.4-1",
    plants=(
        Plant(3, COPIES, "承諾番号 blank", logs=(3, _p3_copy_unapproved)),
        Plant(6, COPIES, "承諾番号 '－'", logs=(1, _p6_copy_dash)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C7_4_1,)
