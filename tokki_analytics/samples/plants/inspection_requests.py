"""Plants of the rules of the ``inspection_requests`` check view: C12-1.

Their rules: :mod:`tokki_analytics.rules.inspection_requests`.
"""

from __future__ import annotations

import datetime as dt

from tokki_analytics.forms import INSPECTION_REQUESTS
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import AS_OF, Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_request

# --- C12-1 -------------------------------------------------------------------------------------


def _p1_reported_day_14(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_request(c, k0, ymd("2025-10-06"), 14)
    mark(row, "C12-1", c.code, k0.contract_id)


def _p3_never_reported(c: Contractor) -> None:
    k0 = c.contracts[0]
    mark(add_request(c, k0, ymd("2025-11-10"), None), "C12-1", c.code, k0.contract_id)


def _p1_reported_day_7(c: Contractor) -> None:
    add_request(c, c.contracts[0], ymd("2025-06-09"), 7)


def _p2_not_yet_due(c: Contractor) -> None:
    add_request(c, c.contracts[0], AS_OF - dt.timedelta(days=3), None)


C12_1 = Entry(
    "C12-1",
    plants=(
        Plant(
            1,
            INSPECTION_REQUESTS,
            "reported 14 days after the request",
            logs=(8, _p1_reported_day_14),
        ),
        Plant(
            3,
            INSPECTION_REQUESTS,
            "request of 2025-11-10 never reported",
            logs=(8, _p3_never_reported),
        ),
    ),
    passes=(
        Pass(1, "reported exactly 7 days after the request", logs=(9, _p1_reported_day_7)),
        Pass(2, "requested 3 days before as-of, not yet reported", logs=(10, _p2_not_yet_due)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C12_1,)
