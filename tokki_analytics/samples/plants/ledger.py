"""Plants of the rules of the ``ledger`` check view: C7.1-1, C7.6-1, C7.6-2, C11-1.

Their rules: :mod:`tokki_analytics.rules.ledger`.
"""

from __future__ import annotations

from tokki_analytics.forms import LEDGER
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Plant
from tokki_analytics.samples.records import add_dataset
from tokki_analytics.samples.roster import known_rows

# --- C7.1-1 ------------------------------------------------------------------------------------


def _p0_unlocked_shelf(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, _ = add_dataset(c, k0, "作業用出力帳票", "紙", storage_method="書棚（施錠なし）")
    mark(ledger, "C7.1-1", c.code, k0.contract_id)


def _p3_no_storage_method(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, _ = add_dataset(c, k0, "相談票・相談データ", "紙・電子", storage_method=None)
    mark(ledger, "C7.1-1", c.code, k0.contract_id)


C7_1_1 = Entry(
    "C7.1-1",
    plants=(
        Plant(0, LEDGER, "paper kept in 書棚（施錠なし）", logs=(2, _p0_unlocked_shelf)),
        Plant(3, LEDGER, "紙・電子 with 保管方法 blank", logs=(1, _p3_no_storage_method)),
    ),
)


# --- C7.6-1 ------------------------------------------------------------------------------------


def _p1_no_received_date(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, _ = add_dataset(c, k0, "電話受付メモ", "紙", received=None)
    mark(ledger, "C7.6-1", c.code, k0.contract_id)


def _p4_no_record_count(c: Contractor) -> None:
    k0 = c.contracts[0]
    ledger, _ = add_dataset(c, k0, "電話対応記録", "紙")
    ledger["records"] = None
    mark(ledger, "C7.6-1", c.code, k0.contract_id)


C7_6_1 = Entry(
    "C7.6-1",
    plants=(
        Plant(1, LEDGER, "受領日 blank", logs=(5, _p1_no_received_date)),
        Plant(4, LEDGER, "件数 blank", logs=(3, _p4_no_record_count)),
    ),
)


# --- C7.6-2 ------------------------------------------------------------------------------------


def _p2_user_of_other_contract(c: Contractor) -> None:
    k0, k1 = c.contracts[0], c.contracts[1]
    outsider = next(
        r["person_id"]
        for r in known_rows(c)
        if r["contract_id"] == k1.contract_id
        and r["role"] == "作業従事者"
        and not any(
            s["person_id"] == r["person_id"] and s["contract_id"] == k0.contract_id
            for s in known_rows(c)
        )
    )
    ledger, _ = add_dataset(c, k0, "窓口受付簿", "紙")
    ledger["users"] = ledger["users"][:2] + [outsider]
    mark(ledger, "C7.6-2", c.code, k0.contract_id)


C7_6_2 = Entry(
    "C7.6-2",
    plants=(
        Plant(
            2,
            LEDGER,
            "利用者 includes a worker of the other contract only",
            logs=(4, _p2_user_of_other_contract),
        ),
    ),
)


# --- C11-1 -------------------------------------------------------------------------------------


def _p1_kept_after_end(c: Contractor) -> None:
    k1 = c.contracts[1]
    ledger, _ = add_dataset(c, k1, "返送封筒（宛名面）", "紙", dispose_on=None)
    mark(ledger, "C11-1", c.code, k1.contract_id)


def _p4_disposed_without_record(c: Contractor) -> None:
    k2 = c.contracts[2]
    ledger, _ = add_dataset(c, k2, "調査票（回収分）", "紙", dispose_on=None)
    ledger["status"] = "廃棄済"
    mark(ledger, "C11-1", c.code, k2.contract_id)


C11_1 = Entry(
    "C11-1",
    plants=(
        Plant(
            1,
            LEDGER,
            "ended contract: dataset still 保管中, no 廃棄消去記録",
            logs=(6, _p1_kept_after_end),
        ),
        Plant(4, LEDGER, "状態 廃棄済 but no 廃棄消去記録", logs=(5, _p4_disposed_without_record)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C7_1_1,
    C7_6_1,
    C7_6_2,
    C11_1,
)
