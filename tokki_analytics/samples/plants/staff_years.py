"""Plants of the rules of the ``staff_years`` check view: C5-2.

Their rules: :mod:`tokki_analytics.rules.staff_years`.
"""

from __future__ import annotations

from tokki_analytics.forms import STAFF
from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contractor, mark
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.roster import new_worker

# --- C5-2 --------------------------------------------------------------------------------------


def _p0_untrained_year(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, row = new_worker(c, k1, k1.start_date, employment="契約社員", skip_fy=frozenset({2024}))
    mark(row, "C5-2", c.code, k1.contract_id)


def _p6_untrained_year(c: Contractor) -> None:
    k1 = c.contracts[1]
    _, row = new_worker(c, k1, ymd("2023-06-01"), ymd("2024-12-27"), skip_fy=frozenset({2024}))
    mark(row, "C5-2", c.code, k1.contract_id)


def _p6_trained_in_next_year(c: Contractor) -> None:
    # started 2025-03-24, first trained 2025-04-08: counts for fiscal year 2024 too
    new_worker(c, c.contracts[1], ymd("2025-03-24"), first_delay=15, no_fill_fy=frozenset({2024}))


C5_2 = Entry(
    "C5-2",
    plants=(
        Plant(
            0,
            STAFF,
            "multi-year worker since 2023-04, no training in fiscal 2024",
            roster=(3, _p0_untrained_year),
        ),
        Plant(
            6,
            STAFF,
            "worked 2023-06 to 2024-12, no training in fiscal 2024",
            roster=(3, _p6_untrained_year),
        ),
    ),
    passes=(
        Pass(
            6,
            "started 2025-03-24, first training 2025-04-08: it counts for fiscal 2024",
            roster=(6, _p6_trained_in_next_year),
        ),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (C5_2,)
