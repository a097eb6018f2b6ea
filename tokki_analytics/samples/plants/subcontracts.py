"""Plants of the rules of the ``subcontracts`` check view: C9-1, C9-2.

Their rules: :mod:`tokki_analytics.rules.subcontracts`.
"""

from __future__ import annotations

import datetime as dt

from tokki_analytics.forms import SUBCONTRACTS
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_subcontract

# --- C9-1 --------------------------------------------------------------------------------------


def _p2_approved_after_start(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_subcontract(c, k0)
    row["approved_on"] = row["start_date"] + dt.timedelta(days=5)
    mark(row, "C9-1", c.code, k0.contract_id)


def _p6_never_approved(c: Contractor) -> None:
    k1 = c.contracts[1]
    row = add_subcontract(c, k1)
    row["approved_on"] = None
    mark(row, "C9-1", c.code, k1.contract_id)


def _p5_unapproved_excluded(c: Contractor) -> None:
    add_subcontract(c, c.contracts[1]).update(approved_on=None, safeguards=None)


C9_1 = Entry(
    "C9-1",
    plants=(
        Plant(
            2,
            SUBCONTRACTS,
            "approved 5 days after the subcontract started",
            logs=(6, _p2_approved_after_start),
        ),
        Plant(6, SUBCONTRACTS, "承認日 blank", logs=(4, _p6_never_approved)),
    ),
    passes=(
        Pass(
            5,
            "contract excluding 第9・第7七: unapproved subcontract without 安全対策",
            logs=(1, _p5_unapproved_excluded),
            also=("C9-2",),
        ),
    ),
)


# --- C9-2 --------------------------------------------------------------------------------------


def _p3_no_safeguards(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_subcontract(c, k0)
    row["safeguards"] = None
    mark(row, "C9-2", c.code, k0.contract_id)


C9_2 = Entry(
    "C9-2", plants=(Plant(3, SUBCONTRACTS, "安全対策 blank", logs=(7, _p3_no_safeguards)),)
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C9_1,
    C9_2,
)
