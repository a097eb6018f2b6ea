"""Plants of the data-quality rules Q0, Q1, Q2, Q3.

Their rules: :mod:`tokki_analytics.rules.quality`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tokki_analytics.forms import ACCESS, CONTRACTS, DEVICES, MEDIA_CHECKS, STAFF
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import AS_OF, Contractor, Finding, Raw, contract_finding, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.profiles import UNKNOWN
from tokki_analytics.samples.records import add_access, add_check
from tokki_analytics.samples.roster import active_worker, new_worker

# --- Q0 ----------------------------------------------------------------------------------------


def _p1_not_a_workbook(c: Contractor) -> None:
    c.extra_files["バックアップ.xlsx"] = b"PK\x03\x04" + c.rng.bytes(600)
    c.findings.append(Finding("Q0", file="バックアップ.xlsx"))


def _p4_utf16_csv(c: Contractor) -> None:
    text = (
        "日時,従事者ID,台帳番号,複製内容,部数,承諾番号\r\n"
        "2025-06-02 10:00,E1001,L001,申請書の写し,1,岡県第1号\r\n"
    )
    c.extra_files["複製記録.csv"] = text.encode("utf-16")
    c.findings.append(Finding("Q0", file="複製記録.csv"))


Q0 = Entry(
    "Q0",
    plants=(
        Plant(1, None, "バックアップ.xlsx is not a workbook", logs=(12, _p1_not_a_workbook)),
        Plant(4, None, "複製記録.csv saved as UTF-16", logs=(8, _p4_utf16_csv)),
    ),
)


# --- Q1 ----------------------------------------------------------------------------------------


def _p4_no_devices(c: Contractor) -> None:
    c.omit.add(DEVICES.key)
    for contract in (c.contracts[0], c.contracts[2]):  # contracts[1] excludes 第7七・第7八
        contract_finding(c, "Q1", contract, DEVICES.name)


Q1 = Entry(
    "Q1",
    plants=(
        Plant(
            4,
            DEVICES,
            ("no 端末一覧: the current contract", "no 端末一覧: the ended contract"),
            roster=(2, _p4_no_devices),
        ),
    ),
    # made by the plant itself: no Q1 for the contract that excludes 第7七・第7八
    passes=(Pass(4, "no 端末一覧, but the contract excluding 第7七・第7八 does not need it"),),
)


# --- Q2 ----------------------------------------------------------------------------------------


def _p0_unknown_employment(c: Contractor) -> None:
    k0 = c.contracts[0]
    _, row = new_worker(c, k0, ymd("2025-05-12"), quiet=True)
    row["employment"] = Raw("嘱託")
    mark(row, "Q2", c.code, k0.contract_id)


def _p1_unknown_direction(c: Contractor) -> None:
    pid, day = active_worker(c, c.active, ymd("2025-07-01"), AS_OF - dt.timedelta(days=5))
    mark(add_access(c, pid, day, direction_in=Raw("入場"))[0], "Q2", c.code)


def _p3_contract_listed_again(c: Contractor) -> None:
    k0 = c.contracts[0]
    amended = replace(
        k0, title=k0.title + "（変更契約）", end_date=k0.end_date + dt.timedelta(days=183)
    )
    c.master_rows.append(mark(amended.record(), "Q2", c.code, k0.contract_id))


def _p6_missing_column(c: Contractor) -> None:
    c.drop_columns.setdefault(MEDIA_CHECKS.key, set()).add("result")
    c.findings.append(Finding("Q2", part_of=MEDIA_CHECKS.key))


Q2 = Entry(
    "Q2",
    plants=(
        Plant(0, STAFF, "雇用形態 嘱託 (not an allowed value)", roster=(5, _p0_unknown_employment)),
        Plant(1, ACCESS, "区分 入場 (not an allowed value)", logs=(3, _p1_unknown_direction)),
        Plant(
            3,
            CONTRACTS,
            "the long contract listed again (変更契約): the later row",
            logs=(11, _p3_contract_listed_again),
        ),
        Plant(
            6,
            MEDIA_CHECKS,
            "required column 結果 missing (one per sheet, row blank)",
            roster=(5, _p6_missing_column),
        ),
    ),
)


# --- Q3 ----------------------------------------------------------------------------------------


def _p2_check_of_unknown_contract(c: Contractor) -> None:
    unknown = f"R6-{9000 + c.index:04d}"
    row = add_check(c, c.contracts[0], ymd("2025-08-20"))
    row["contract_id"] = unknown
    mark(row, "Q3", c.code, unknown)


def _p6_staff_of_unknown_contract(c: Contractor) -> None:
    unknown = f"R7-{9000 + c.index:04d}"
    _, row = new_worker(c, c.contracts[0], ymd("2025-06-16"), quiet=True)
    row.update(contract_id=unknown, _q3=True)
    mark(row, "Q3", c.code, unknown)


def _code_without_contract(c: Contractor) -> None:
    c.rows(STAFF)[-1]["notified_on"] = None  # a fault nobody may report (the folder is Q3)
    c.findings.append(Finding("Q3", folder=True))


Q3 = Entry(
    "Q3",
    plants=(
        Plant(
            2,
            MEDIA_CHECKS,
            "契約番号 R6-9xxx is no contract of this contractor",
            logs=(9, _p2_check_of_unknown_contract),
        ),
        Plant(
            6,
            STAFF,
            "契約番号 R7-9xxx is no contract of this contractor",
            roster=(4, _p6_staff_of_unknown_contract),
        ),
        Plant(
            UNKNOWN,
            None,
            "contractor folder whose code has no contract (its faults are not findings)",
            roster=(1, _code_without_contract),
        ),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    Q0,
    Q1,
    Q2,
    Q3,
)
