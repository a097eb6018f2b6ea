"""Plants of the rules of the ``devices`` check view: C7.7-1, C7.8-1.

Their rules: :mod:`tokki_analytics.rules.devices`.
"""

from __future__ import annotations

from tokki_analytics.forms import DEVICES
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.records import add_device

# --- C7.7-1 ------------------------------------------------------------------------------------


def _p6_private_device(c: Contractor) -> None:
    k0 = c.contracts[0]
    mark(add_device(c, k0, ownership="私物"), "C7.7-1", c.code, k0.contract_id)


def _p5_private_device_excluded(c: Contractor) -> None:
    add_device(c, c.contracts[1], ownership="私物")


C7_7_1 = Entry(
    "C7.7-1",
    plants=(Plant(6, DEVICES, "所有区分 私物", logs=(2, _p6_private_device)),),
    passes=(
        Pass(
            5,
            "contract excluding 第9・第7七: 私物 device",
            logs=(2, _p5_private_device_excluded),
        ),
    ),
)


# --- C7.8-1 ------------------------------------------------------------------------------------


def _p1_unallowed_software(c: Contractor) -> None:
    k0 = c.contracts[0]
    row = add_device(c, k0, extra_software=("LINE", "Dropbox"))
    mark(row, "C7.8-1", c.code, k0.contract_id)


def _p6_unallowed_software(c: Contractor) -> None:
    k1 = c.contracts[1]
    mark(add_device(c, k1, extra_software=("Steam",)), "C7.8-1", c.code, k1.contract_id)


C7_8_1 = Entry(
    "C7.8-1",
    plants=(
        Plant(1, DEVICES, "LINE and Dropbox installed", logs=(11, _p1_unallowed_software)),
        Plant(6, DEVICES, "Steam installed", logs=(3, _p6_unallowed_software)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C7_7_1,
    C7_8_1,
)
