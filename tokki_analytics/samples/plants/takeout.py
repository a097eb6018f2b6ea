"""Plants of the rules of the ``takeout`` check view: C7.2-1, C7.2-2, C7.3-1.

Their rules: :mod:`tokki_analytics.rules.takeout`.
"""

from __future__ import annotations

import datetime as dt

from tokki_analytics.forms import TAKEOUT
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import AS_OF, Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_dataset, add_takeout, log_at
from tokki_analytics.samples.roster import active_worker

# --- C7.2-1 ------------------------------------------------------------------------------------


def _p1_taken_home(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0)
    row = add_takeout(c, k0, ledger, pid, day)
    row["destination"] = "自宅"
    mark(row, "C7.2-1", c.code, k0.contract_id)


def _p3_no_place_designated(c: Contractor) -> None:
    k1 = c.contracts[1]
    ledger, _ = add_dataset(c, k1, "臨時受付票", "紙")
    pid, day = active_worker(c, ledger["users"], ymd("2025-09-01"), ymd("2025-12-19"))
    mark(add_takeout(c, k1, ledger, pid, day, "紙"), "C7.2-1", c.code, k1.contract_id)


C7_2_1 = Entry(
    "C7.2-1",
    plants=(
        Plant(1, TAKEOUT, "taken to 自宅", logs=(4, _p1_taken_home)),
        Plant(
            3,
            TAKEOUT,
            "take-out under the contract that designates no place",
            logs=(2, _p3_no_place_designated),
        ),
    ),
)


# --- C7.2-2 ------------------------------------------------------------------------------------


def _p2_not_returned(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0, "electronic", ymd("2025-12-08"), ymd("2025-12-19"))
    row = add_takeout(c, k0, ledger, pid, day, "USBメモリ")
    row["returned_at"] = None
    mark(row, "C7.2-2", c.code, k0.contract_id)
    ledger, pid, day = log_at(c, k0, "paper", ymd("2025-11-04"), ymd("2025-11-14"))
    row = add_takeout(c, k0, ledger, pid, day, "紙")
    row["returned_at"] = row["taken_at"] - dt.timedelta(hours=20)
    mark(row, "C7.2-2", c.code, k0.contract_id)


def _p2_out_four_days(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0, "electronic", AS_OF - dt.timedelta(days=4), AS_OF)
    add_takeout(c, k0, ledger, pid, day, "ノートPC")["returned_at"] = None


C7_2_2 = Entry(
    "C7.2-2",
    plants=(
        Plant(
            2,
            TAKEOUT,
            ("USBメモリ out since mid-December, not returned", "返却日時 before 持出日時"),
            logs=(2, _p2_not_returned),
        ),
    ),
    passes=(
        Pass(
            2,
            "ノートPC out since 4 days before as-of, not yet returned",
            logs=(3, _p2_out_four_days),
        ),
    ),
)


# --- C7.3-1 ------------------------------------------------------------------------------------


def _p0_usb_unencrypted(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0, "electronic", hi=AS_OF - dt.timedelta(days=10))
    row = add_takeout(c, k0, ledger, pid, day, "USBメモリ")
    row["encrypted"] = "未"
    mark(row, "C7.3-1", c.code, k0.contract_id)


def _p4_laptop_unencrypted(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, pid, day = log_at(c, k0, "electronic", hi=AS_OF - dt.timedelta(days=10))
    row = add_takeout(c, k0, ledger, pid, day, "ノートPC")
    row["encrypted"] = None
    mark(row, "C7.3-1", c.code, k0.contract_id)


C7_3_1 = Entry(
    "C7.3-1",
    plants=(
        Plant(0, TAKEOUT, "USBメモリ taken out, 暗号化 未", logs=(3, _p0_usb_unencrypted)),
        Plant(4, TAKEOUT, "ノートPC, 暗号化 blank", logs=(1, _p4_laptop_unencrypted)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C7_2_1,
    C7_2_2,
    C7_3_1,
)
