"""Plants of the rules of the ``disposals`` check view: C11-2, C11-3, C11-4.

Their rules: :mod:`tokki_analytics.rules.disposals`.
"""

from __future__ import annotations

from tokki_analytics.forms import DISPOSALS
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Plant
from tokki_analytics.samples.records import add_dataset

# --- C11-2 -------------------------------------------------------------------------------------


def _p1_paper_erased(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, disposals = add_dataset(c, k1, "申請書原本", "紙", plan=[("消去", "消去ソフト")])
    mark(disposals[0], "C11-2", c.code, k1.contract_id)


def _p6_mixed_shredded_only(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, disposals = add_dataset(
        c,
        k1,
        "令和5年度 相談記録票",
        "紙・電子",
        received=ymd("2023-05-08"),
        due=ymd("2024-05-31"),
        dispose_on=ymd("2024-05-10"),
        plan=[("廃棄", "裁断"), ("廃棄", "溶解")],
    )
    mark(disposals[-1], "C11-2", c.code, k1.contract_id)


C11_2 = Entry(
    "C11-2",
    plants=(
        Plant(1, DISPOSALS, "paper 消去 by 消去ソフト", logs=(7, _p1_paper_erased)),
        Plant(
            6,
            DISPOSALS,
            "紙・電子 disposed of by 裁断 and 溶解 only: the later record",
            logs=(5, _p6_mixed_shredded_only),
        ),
    ),
)


# --- C11-3 -------------------------------------------------------------------------------------


def _p2_no_witness(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, disposals = add_dataset(c, k1, "発送記録", "紙", plan=[("廃棄", "裁断")])
    disposals[0].update(witness_requested="要", witness=None)
    mark(disposals[0], "C11-3", c.code, k1.contract_id)


C11_3 = Entry(
    "C11-3",
    plants=(Plant(2, DISPOSALS, "立会い要否 要, 立会者 blank", logs=(7, _p2_no_witness)),),
)


# --- C11-4 -------------------------------------------------------------------------------------


def _p2_destroyed_no_certificate(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, disposals = add_dataset(c, k1, "入力用データ", "電子", plan=[("廃棄", "物理破壊")])
    disposals[0]["certificate_on"] = None
    mark(disposals[0], "C11-4", c.code, k1.contract_id)


def _p4_erased_no_certificate(c: Contractor) -> None:
    k2 = c.contracts[2]
    _, disposals = add_dataset(c, k2, "集計用データ", "電子", plan=[("消去", "消去ソフト")])
    disposals[0]["certificate_on"] = None
    mark(disposals[0], "C11-4", c.code, k2.contract_id)


C11_4 = Entry(
    "C11-4",
    plants=(
        Plant(2, DISPOSALS, "廃棄 without 証明書提出日", logs=(8, _p2_destroyed_no_certificate)),
        Plant(4, DISPOSALS, "消去 without 証明書提出日", logs=(6, _p4_erased_no_certificate)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C11_2,
    C11_3,
    C11_4,
)
