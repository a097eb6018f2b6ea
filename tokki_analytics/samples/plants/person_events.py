"""Plants of the rules of the ``person_events`` check view: C3-3.

Their rules: :mod:`tokki_analytics.rules.person_events`.
"""

from __future__ import annotations

from tokki_analytics.forms import ACCESS, LEDGER, TAKEOUT
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_access, add_takeout
from tokki_analytics.samples.roster import new_worker

# --- C3-3 --------------------------------------------------------------------------------------


def _p1_stranger_in_room(c: Contractor) -> None:
    for row in add_access(c, "G9901", ymd("2025-11-12"), "作業室B"):  # never notified
        mark(row, "C3-3", c.code)


def _p2_worker_who_leaves(c: Contractor) -> None:
    k1 = c.contracts[1]
    person, _ = new_worker(c, k1, k1.start_date, k1.end_date)
    c.people["former"] = person.pid


def _p2_takeout_after_leaving(c: Contractor) -> None:
    k1 = c.contracts[1]
    k1_ledger = next(r for r in c.rows(LEDGER) if r["contract_id"] == k1.contract_id)
    row = add_takeout(c, k1, k1_ledger, c.people["former"], ymd("2025-10-14"))
    mark(row, "C3-3", c.code, k1.contract_id)


def _p1_worker_until_october(c: Contractor) -> None:
    k0 = c.contracts[0]
    person, _ = new_worker(c, k0, k0.start_date, ymd("2025-10-31"))
    c.people["last_day"] = person.pid


def _p1_in_room_on_last_day(c: Contractor) -> None:
    add_access(c, c.people["last_day"], ymd("2025-10-31"))


C3_3 = Entry(
    "C3-3",
    plants=(
        Plant(
            1,
            ACCESS,
            ("entry of G9901, never notified (a subcontractor's staff)", "exit of G9901"),
            logs=(2, _p1_stranger_in_room),
        ),
        Plant(
            2,
            TAKEOUT,
            "taken out 2025-10-14 by a worker who left 2025-09-30",
            roster=(4, _p2_worker_who_leaves),
            logs=(1, _p2_takeout_after_leaving),
        ),
    ),
    passes=(
        Pass(
            1,
            "in the room on the last day of employment, 2025-10-31",
            roster=(2, _p1_worker_until_october),
            logs=(1, _p1_in_room_on_last_day),
        ),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C3_3,)
