"""Plants of the rules of the ``staff`` check view: C3-1, C3-2, C4-1, C5-1.

Their rules: :mod:`tokki_analytics.rules.staff`.
"""

from __future__ import annotations

from tokki_analytics.forms import STAFF
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_access
from tokki_analytics.samples.roster import add_staff, new_worker

# --- C3-1 --------------------------------------------------------------------------------------


def _p0_unnotified_second_contract(c: Contractor) -> None:
    k0, k1 = c.contracts[0], c.contracts[1]
    person, _ = new_worker(c, k0, k0.start_date)
    row = add_staff(
        c, k1, person, "作業従事者", ymd("2025-10-01"), notified=None, pledge=ymd("2025-09-26")
    )
    mark(row, "C3-1", c.code, k1.contract_id)


def _p3_unnotified_dispatched(c: Contractor) -> None:
    _, row = new_worker(
        c,
        c.contracts[0],
        ymd("2025-07-01"),
        employment="派遣労働者",
        notified=None,
        pledge=ymd("2025-06-27"),
        quiet=True,
    )
    mark(row, "C3-1", c.code, c.contracts[0].contract_id)


C3_1 = Entry(
    "C3-1",
    plants=(
        Plant(
            0,
            STAFF,
            "a worker also listed on the multi-year contract, 届出日 blank",
            roster=(2, _p0_unnotified_second_contract),
        ),
        Plant(
            3,
            STAFF,
            "dispatched worker never notified (and never in a log)",
            roster=(1, _p3_unnotified_dispatched),
        ),
    ),
)


# --- C3-2 --------------------------------------------------------------------------------------


def _p2_notified_late(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(
        c, k0, ymd("2025-06-02"), notified=ymd("2025-06-16"), pledge=ymd("2025-05-30")
    )
    mark(row, "C3-2", c.code, k0.contract_id)


def _p6_notified_late(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, row = new_worker(
        c, k1, ymd("2025-04-07"), notified=ymd("2025-04-10"), pledge=ymd("2025-04-03")
    )
    mark(row, "C3-2", c.code, k1.contract_id)


def _p0_notified_on_first_day(c: Contractor) -> None:
    person, _ = new_worker(
        c, c.contracts[0], ymd("2025-06-02"), notified=ymd("2025-06-02"), pledge=ymd("2025-06-02")
    )
    c.people["same_day"] = person.pid


def _p0_in_room_on_first_day(c: Contractor) -> None:
    add_access(c, c.people["same_day"], ymd("2025-06-02"))


C3_2 = Entry(
    "C3-2",
    plants=(
        Plant(
            2,
            STAFF,
            "届出日 2025-06-16 after 従事開始日 2025-06-02",
            roster=(1, _p2_notified_late),
        ),
        Plant(6, STAFF, "届出日 3 days after 従事開始日", roster=(1, _p6_notified_late)),
    ),
    passes=(
        Pass(
            0,
            "届出日 = 従事開始日 2025-06-02, in the room that day",
            roster=(6, _p0_notified_on_first_day),
            logs=(1, _p0_in_room_on_first_day),
            also=("C3-3",),
        ),
    ),
)


# --- C4-1 --------------------------------------------------------------------------------------


def _p1_no_pledge(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(c, k0, ymd("2025-05-07"), notified=ymd("2025-04-30"), pledge=None)
    mark(row, "C4-1", c.code, k0.contract_id)


def _p6_pledge_late(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(
        c, k0, ymd("2025-05-12"), notified=ymd("2025-05-01"), pledge=ymd("2025-05-16")
    )
    mark(row, "C4-1", c.code, k0.contract_id)


C4_1 = Entry(
    "C4-1",
    plants=(
        Plant(1, STAFF, "誓約書提出日 blank", roster=(1, _p1_no_pledge)),
        Plant(6, STAFF, "誓約書 4 days after 従事開始日", roster=(2, _p6_pledge_late)),
    ),
)


# --- C5-1 --------------------------------------------------------------------------------------


def _p2_trained_late(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(c, k0, ymd("2025-09-01"), first_delay=45)
    mark(row, "C5-1", c.code, k0.contract_id)


def _p4_trained_late(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(c, k0, ymd("2025-08-04"), first_delay=50)
    mark(row, "C5-1", c.code, k0.contract_id)


C5_1 = Entry(
    "C5-1",
    plants=(
        Plant(
            2,
            STAFF,
            "started 2025-09-01, first training 45 days later",
            roster=(2, _p2_trained_late),
        ),
        Plant(
            4,
            STAFF,
            "started 2025-08-04, first training 50 days later",
            roster=(1, _p4_trained_late),
        ),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C3_1,
    C3_2,
    C4_1,
    C5_1,
)
