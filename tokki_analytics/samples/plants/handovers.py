"""Plants of the rules of the ``handovers`` check view: C8.2-1, C8.2-2.

Their rules: :mod:`tokki_analytics.rules.handovers`.
"""

from __future__ import annotations

from tokki_analytics.forms import HANDOVERS
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_handover, live_datasets

# --- C8.2-1 ------------------------------------------------------------------------------------


def _p2_parcel_delivery(c: Contractor) -> None:
    k0 = c.contracts[0]
    live = live_datasets(c, k0)[0]
    row = add_handover(c, k0, live["ledger_id"], ymd("2025-07-14"), means="宅配便")
    mark(row, "C8.2-1", c.code, k0.contract_id)


C8_2_1 = Entry(
    "C8.2-1",
    plants=(
        Plant(
            2,
            HANDOVERS,
            "handed over by 宅配便, not a designated means",
            logs=(5, _p2_parcel_delivery),
        ),
    ),
)


# --- C8.2-2 ------------------------------------------------------------------------------------


def _p3_late_receipts(c: Contractor) -> None:
    k0 = c.contracts[0]
    kid = k0.contract_id
    live = live_datasets(c, k0)[0]["ledger_id"]
    mark(add_handover(c, k0, live, ymd("2025-08-18"), receipt_days=10), "C8.2-2", c.code, kid)
    mark(add_handover(c, k0, live, ymd("2025-12-01"), receipt_days=None), "C8.2-2", c.code, kid)


def _p3_receipt_on_day_seven(c: Contractor) -> None:
    k0 = c.contracts[0]
    live = live_datasets(c, k0)[0]["ledger_id"]
    add_handover(c, k0, live, ymd("2025-09-01"), receipt_days=7)


C8_2_2 = Entry(
    "C8.2-2",
    plants=(
        Plant(
            3,
            HANDOVERS,
            ("預り証 10 days after the handover", "no 預り証 for a handover of 2025-12-01"),
            logs=(5, _p3_late_receipts),
        ),
    ),
    passes=(
        Pass(3, "預り証 exactly 7 days after the handover", logs=(6, _p3_receipt_on_day_seven)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C8_2_1,
    C8_2_2,
)
