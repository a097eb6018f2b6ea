"""Plants of the rules of the ``ledger_refs`` check view: C7.6-3.

Their rules: :mod:`tokki_analytics.rules.ledger_refs`.
"""

from __future__ import annotations

from tokki_analytics.forms import DISPOSALS, HANDOVERS
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Plant
from tokki_analytics.samples.records import add_handover

# --- C7.6-3 ------------------------------------------------------------------------------------


def _p3_handover_of_unknown_dataset(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_handover(c, k0, "L099", ymd("2025-06-10"))
    mark(row, "C7.6-3", c.code, k0.contract_id)


def _p4_disposal_of_unknown_dataset(c: Contractor) -> None:
    k2 = c.contracts[2]
    row = {
        "ledger_id": "L098",
        "contract_id": k2.contract_id,
        "kind": "返還",
        "on": ymd("2025-04-18"),
        "method": "返還",
        "witness_requested": "不要",
        "witness": None,
        "certificate_on": None,
    }
    c.rows(DISPOSALS).append(row)
    mark(row, "C7.6-3", c.code, k2.contract_id)


C7_6_3 = Entry(
    "C7.6-3",
    plants=(
        Plant(
            3,
            HANDOVERS,
            "台帳番号 L099 is not in the ledger",
            logs=(4, _p3_handover_of_unknown_dataset),
        ),
        Plant(
            4,
            DISPOSALS,
            "台帳番号 L098 is not in the ledger",
            logs=(4, _p4_disposal_of_unknown_dataset),
        ),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C7_6_3,)
