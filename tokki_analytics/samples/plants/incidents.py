"""Plants of the rules of the ``incidents`` check view: C14-1, C14-2, C14-3, C14-4.

Their rules: :mod:`tokki_analytics.rules.incidents`.
"""

from __future__ import annotations

from tokki_analytics.forms import INCIDENTS
from tokki_analytics.samples.calendar import at, ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_incident

# --- C14-1 -------------------------------------------------------------------------------------


def _p3_no_place(c: Contractor) -> None:
    k0 = c.contracts[0]
    # the baseline incident's 発生状況 gets a line break, so the plant follows a quoted one
    c.rows(INCIDENTS)[0]["circumstances"] = "宛先の確認漏れにより誤送信。\n受信者からの連絡で判明。"
    row = add_incident(c, k0, at(ymd("2025-12-02"), 11), place=None)
    mark(row, "C14-1", c.code, k0.contract_id)


def _p6_not_reported(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_incident(c, k0, at(ymd("2025-12-03"), 9, 30), report_hours=None)
    mark(row, "C14-1", c.code, k0.contract_id)
    c.planted["unreported incident"] = row


C14_1 = Entry(
    "C14-1",
    plants=(
        Plant(
            3,
            INCIDENTS,
            "発生場所 blank (the record after a quoted line break)",
            logs=(9, _p3_no_place),
        ),
        Plant(6, INCIDENTS, "報告日時 blank", logs=(6, _p6_not_reported)),
    ),
)


# --- C14-2 -------------------------------------------------------------------------------------


def _p1_reported_after_50_hours(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_incident(c, k0, at(ymd("2025-08-04"), 10), report_hours=50)
    mark(row, "C14-2", c.code, k0.contract_id)


def _p6_not_reported_late(c: Contractor) -> None:
    mark(c.planted["unreported incident"], "C14-2", c.code, c.contracts[0].contract_id)


def _p0_reported_after_24_hours(c: Contractor) -> None:
    add_incident(c, c.contracts[0], at(ymd("2025-07-09"), 16, 20), report_hours=24)


C14_2 = Entry(
    "C14-2",
    plants=(
        Plant(
            1,
            INCIDENTS,
            "reported 50 hours after discovery",
            logs=(10, _p1_reported_after_50_hours),
        ),
        Plant(
            6,
            INCIDENTS,
            "報告日時 blank: counts as as-of 24:00",
            logs=(7, _p6_not_reported_late),  # the C14-1 plant's incident
        ),
    ),
    passes=(
        Pass(
            0,
            "incident reported exactly 24 hours after discovery",
            logs=(6, _p0_reported_after_24_hours),
        ),
    ),
)


# --- C14-3 -------------------------------------------------------------------------------------


def _p3_occurred_after_discovery(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_incident(c, k0, at(ymd("2025-09-02"), 11), report_hours=5)
    row["occurred_at"] = at(ymd("2025-09-03"), 15)
    mark(row, "C14-3", c.code, k0.contract_id)


C14_3 = Entry(
    "C14-3",
    plants=(
        Plant(3, INCIDENTS, "発生日時 after 発覚日時", logs=(10, _p3_occurred_after_discovery)),
    ),
)


# --- C14-4 -------------------------------------------------------------------------------------


def _p0_many_records(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_incident(
        c,
        k0,
        at(ymd("2025-10-15"), 14),
        report_hours=5,
        records_affected=250,
        description="委託データの一部が外部から閲覧可能な状態になっていた",
    )
    mark(row, "C14-4", c.code, k0.contract_id)


def _p4_sensitive_records(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_incident(
        c,
        k0,
        at(ymd("2025-11-20"), 9, 30),
        report_hours=4,
        sensitive="有",
        records_affected=3,
        description="診断書の写しを別の申請者に送付",
    )
    mark(row, "C14-4", c.code, k0.contract_id)


C14_4 = Entry(
    "C14-4",
    plants=(
        Plant(0, INCIDENTS, "250 records affected", logs=(5, _p0_many_records)),
        Plant(4, INCIDENTS, "要配慮個人情報 有 (3 records)", logs=(7, _p4_sensitive_records)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C14_1,
    C14_2,
    C14_3,
    C14_4,
)
