"""Plants of the rules of the ``contracts`` check view: C2-1, C7.5-1, P-1.

Their rules: :mod:`tokki_analytics.rules.contracts`.
"""

from __future__ import annotations

from tokki_analytics.samples.calendar import ymd
from tokki_analytics.samples.model import Contract, Contractor, contract_finding
from tokki_analytics.samples.plants.entry import Entry, Pass, Plant
from tokki_analytics.samples.roster import new_worker, supervisors

# --- C2-1 --------------------------------------------------------------------------------------


def _supervisor_gap(
    c: Contractor, contract: Contract, old_end: str, new_start: str, notified: str
) -> None:
    sups = supervisors(c, contract)
    sups[0]["end_date"] = ymd(old_end)
    if len(sups) > 1:
        sups[1].update(
            start_date=ymd(new_start), notified_on=ymd(notified), pledge_on=ymd(notified)
        )
    else:
        new_worker(
            c,
            contract,
            ymd(new_start),
            contract.open_end,
            employment="正社員",
            role="作業責任者",
            notified=ymd(notified),
            pledge=ymd(notified),
        )
    contract_finding(c, "C2-1", contract)


def _p0_supervisor_gap(c: Contractor) -> None:
    _supervisor_gap(c, c.contracts[0], "2025-08-29", "2025-09-08", "2025-09-01")


def _p5_supervisor_gap(c: Contractor) -> None:
    _supervisor_gap(c, c.contracts[1], "2024-06-28", "2024-07-16", "2024-07-08")


C2_1 = Entry(
    "C2-1",
    plants=(
        Plant(
            0,
            None,
            "current contract: 作業責任者 leaves 2025-08-29, successor from 2025-09-08",
            roster=(1, _p0_supervisor_gap),
        ),
        Plant(
            5,
            None,
            "multi-year contract: no 作業責任者 2024-06-29 to 2024-07-15",
            roster=(1, _p5_supervisor_gap),
        ),
    ),
    # the baseline hands a long contract from one supervisor to the next, day after day
    passes=(Pass(0, "multi-year contract: supervisor change on consecutive days"),),
)


# --- C7.5-1 ------------------------------------------------------------------------------------


def _p2_check_gap(c: Contractor) -> None:
    k0 = c.contracts[0]
    k0.gap_after = ymd("2025-06-01")
    contract_finding(c, "C7.5-1", k0)


def _p5_checks_stop(c: Contractor) -> None:
    k0 = c.contracts[0]
    k0.stop_after = ymd("2025-10-01")
    contract_finding(c, "C7.5-1", k0)


def _p4_checks_92_days_apart(c: Contractor) -> None:
    c.contracts[0].exact92 = True


C7_5_1 = Entry(
    "C7.5-1",
    plants=(
        Plant(
            2,
            None,
            "current contract: a 120-day gap between media checks",
            roster=(3, _p2_check_gap),
        ),
        Plant(
            5,
            None,
            "current contract: no media check after 2025-10-01",
            roster=(2, _p5_checks_stop),
        ),
    ),
    passes=(
        Pass(4, "two media checks exactly 92 days apart", roster=(3, _p4_checks_92_days_apart)),
    ),
)


# --- P-1 ---------------------------------------------------------------------------------------


def _p0_not_inspected_this_year(c: Contractor) -> None:
    k1 = c.contracts[1]
    k1.inspect_skip.add(2025)
    contract_finding(c, "P-1", k1)


def _p5_never_inspected(c: Contractor) -> None:
    k0 = c.contracts[0]
    k0.inspect_skip.update(range(2020, 2030))
    contract_finding(c, "P-1", k0)


P_1 = Entry(
    "P-1",
    plants=(
        Plant(
            0,
            None,
            "multi-year contract last inspected in autumn 2024",
            roster=(4, _p0_not_inspected_this_year),
        ),
        Plant(5, None, "current contract: never inspected", roster=(3, _p5_never_inspected)),
    ),
)


#: The entries of this module, in RULES.md order.
ENTRIES = (
    C2_1,
    C7_5_1,
    P_1,
)
