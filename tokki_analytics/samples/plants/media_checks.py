"""Plants of the rules of the ``media_checks`` check view: C7.5-2.

Their rules: :mod:`tokki_analytics.rules.media_checks`.
"""

from __future__ import annotations

from tokki_analytics.forms import MEDIA_CHECKS
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Plant
from tokki_analytics.samples.records import add_check

# --- C7.5-2 ------------------------------------------------------------------------------------


def _p0_fault_no_action(c: Contractor) -> None:
    k0 = c.contracts[0]
    first = next(r for r in c.rows(MEDIA_CHECKS) if r["contract_id"] == k0.contract_id)
    row = add_check(c, k0, first["checked_on"], "異常あり", None)
    mark(row, "C7.5-2", c.code, k0.contract_id)


def _p4_fault_dash_action(c: Contractor) -> None:
    k0 = c.contracts[0]
    last = [r for r in c.rows(MEDIA_CHECKS) if r["contract_id"] == k0.contract_id][-1]
    row = add_check(c, k0, last["checked_on"], "異常あり", "-")
    mark(row, "C7.5-2", c.code, k0.contract_id)


C7_5_2 = Entry(
    "C7.5-2",
    plants=(
        Plant(0, MEDIA_CHECKS, "異常あり, 措置 blank", logs=(4, _p0_fault_no_action)),
        Plant(4, MEDIA_CHECKS, "異常あり, 措置 '-'", logs=(2, _p4_fault_dash_action)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C7_5_2,)
