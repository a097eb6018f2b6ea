"""The clean baseline of a contractor: roster, training and logs that pass every rule.

With the :class:`~tokki_analytics.settings.Settings` defaults and
:data:`~tokki_analytics.samples.model.AS_OF`, staff are notified before they start, trained in
every fiscal year, logs only name active notified workers, and so on. The plants
(:mod:`tokki_analytics.samples.plants`) then break one thing each.
"""

from __future__ import annotations

import datetime as dt

from tokki_analytics.forms import DISPOSALS, LEDGER, TRAINING
from tokki_analytics.samples.calendar import (
    at,
    fiscal_year,
    fiscal_year_bounds,
    pick_workday,
    workday,
    workday_between,
    ymd,
)
from tokki_analytics.samples.model import (
    AS_OF,
    DAY,
    FAR,
    Contract,
    Contractor,
    Person,
    Record,
    pick,
    rint,
)
from tokki_analytics.samples.records import (
    add_check,
    add_copy,
    add_dataset,
    add_device,
    add_handover,
    add_incident,
    add_request,
    add_subcontract,
    add_takeout,
    log_at,
)
from tokki_analytics.samples.roster import active_on, add_staff, known_rows, new_person, new_worker
from tokki_analytics.samples.vocabulary import (
    ANNUAL_TOPIC,
    FIRST_TOPIC,
    GENERIC_DATASETS,
    TOPUP_TOPIC,
)

# --- roster and training --------------------------------------------------------------------


def baseline_staff(c: Contractor, contract: Contract) -> None:
    """A supervisor (two in turn on a long contract) and 3–6 workers, some joining or leaving."""
    start, end = contract.start_date, contract.open_end
    limit = contract.limit
    if (limit - start).days > 400:
        # a change of supervisor, day after day (C2-1 passes)
        handover = dt.date(start.year + 1, 9, 30)
        new_worker(c, contract, start, handover, employment="正社員", role="作業責任者")
        new_worker(c, contract, handover + DAY, end, employment="正社員", role="作業責任者")
    else:
        new_worker(c, contract, start, end, employment="正社員", role="作業責任者")
    for _ in range(rint(c.rng, 3, 6)):
        w_start = start
        if c.rng.random() < 0.4 and (limit - start).days > 120:
            w_start = workday_between(
                c.rng, start + dt.timedelta(days=14), limit - dt.timedelta(75)
            )
        w_end = end
        leave_lo, leave_hi = w_start + dt.timedelta(days=90), limit - dt.timedelta(days=30)
        if c.rng.random() < 0.2 and (leave_hi - leave_lo).days > 7:
            w_end = workday_between(c.rng, leave_lo, leave_hi)
        new_worker(c, contract, w_start, w_end)


def shared_worker(c: Contractor) -> None:
    """One person works on the first two contracts (兼務)."""
    if len(c.contracts) < 2:
        return
    person = new_person(c, "正社員")
    for contract in c.contracts[:2]:
        add_staff(c, contract, person, "作業従事者", contract.start_date, contract.open_end)


def trainings(c: Contractor) -> None:
    """Training rows: a first training within 20 days of starting, then one every fiscal year."""
    by_person: dict[str, list[Record]] = {}
    for row in known_rows(c):
        by_person.setdefault(row["person_id"], []).append(row)
    records = []
    for pid, rows in by_person.items():
        held = person_trainings(c, c.persons[pid], rows)
        contract_id = rows[0]["contract_id"]
        for day, topic in sorted(held.items()):
            records.append(
                {"held_on": day, "person_id": pid, "topic": topic, "contract_id": contract_id}
            )
    records.sort(key=lambda r: (r["held_on"], r["person_id"]))
    c.rows(TRAINING).extend(records)


def person_trainings(c: Contractor, person: Person, rows: list[Record]) -> dict[dt.date, str]:
    """The trainings of ``person`` (roster ``rows``): day → topic."""
    first_start = min(r["start_date"] for r in rows)
    delay = person.first_delay if person.first_delay is not None else rint(c.rng, 0, 20)
    held = {workday(first_start + dt.timedelta(days=delay)): FIRST_TOPIC}
    years = range(fiscal_year(first_start), fiscal_year(AS_OF) + 1)
    for fy in years:
        annual = c.annual[fy]
        if fy not in person.skip_fy and annual <= AS_OF and active_on(rows, annual):
            held.setdefault(annual, ANNUAL_TOPIC)
    for fy in years:
        if fy in person.skip_fy or fy in person.no_fill_fy:
            continue
        fy_lo, fy_hi = fiscal_year_bounds(fy)
        if any(fy_lo <= d <= fy_hi for d in held):
            continue
        _top_up(c, rows, held, fy_lo, fy_hi)
    return held


def _top_up(
    c: Contractor, rows: list[Record], held: dict[dt.date, str], fy_lo: dt.date, fy_hi: dt.date
) -> None:
    """An individual training in the first roster span that overlaps the fiscal year."""
    for r in sorted(rows, key=lambda r: r["start_date"]):
        lo, hi = max(r["start_date"], fy_lo), min(r["end_date"] or FAR, fy_hi, AS_OF)
        day = pick_workday(c.rng, lo, hi) if lo <= hi else None
        if day is not None:
            held[day] = TOPUP_TOPIC
            break


# --- logs -----------------------------------------------------------------------------------


def baseline_ledger(c: Contractor, contract: Contract) -> None:
    """2–3 datasets on fitting media; last-but-one year's data on a long contract."""
    names = list(contract.datasets) + [pick(c.rng, GENERIC_DATASETS)]
    paper_only = contract.handles_electronic == "無"
    # an electronic contract holds paper (or mixed) and electronic data
    media = [pick(c.rng, ("紙", "紙・電子")), "電子", pick(c.rng, ("紙", "電子", "紙・電子"))]
    for name, medium in zip(names[: rint(c.rng, 2, 3)], media, strict=False):
        add_dataset(c, contract, name, "紙" if paper_only else medium)
    if contract.start_date < ymd("2024-01-01") and not contract.ended:
        # last-but-one year's data, disposed of within the contract (C11-1 assessed, passes)
        medium = "紙" if paper_only else "紙・電子"
        add_dataset(
            c,
            contract,
            f"令和5年度{contract.datasets[0]}",
            medium,
            received=ymd("2023-04-17"),
            due=ymd("2024-05-31"),
            dispose_on=ymd("2024-05-13"),
        )


def baseline_takeouts(c: Contractor, contract: Contract) -> None:
    """3–8 take-outs where the contract designates places."""
    if not contract.designated_places:
        return
    for _ in range(rint(c.rng, 3, 8)):
        try:
            ledger, pid, day = log_at(c, contract)
        except RuntimeError:
            return
        add_takeout(c, contract, ledger, pid, day)


def baseline_copies(c: Contractor, contract: Contract) -> None:
    """1–4 approved copies."""
    for _ in range(rint(c.rng, 1, 4)):
        try:
            ledger, pid, day = log_at(c, contract)
        except RuntimeError:
            return
        add_copy(c, contract, ledger, pid, day)


def check_days(c: Contractor, contract: Contract) -> list[dt.date]:
    """Check dates, every 25–70 days; contract flags force one gap, a stop or exactly 92 days."""
    limit = contract.limit
    gap_after = contract.gap_after
    stop_after = contract.stop_after
    exact92 = contract.exact92
    day = workday(contract.start_date + dt.timedelta(days=rint(c.rng, 5, 35)))
    days = []
    while day <= min(limit, stop_after):
        days.append(day)
        if gap_after and day >= gap_after:
            nxt, gap_after = workday(day + dt.timedelta(days=120)), None
        elif exact92 and day >= ymd("2025-05-01") and day.weekday() <= 3:
            nxt, exact92 = day + dt.timedelta(days=92), False
        else:
            nxt = workday(day + dt.timedelta(days=rint(c.rng, 25, 66)))
        day = nxt
    return days


def baseline_checks(c: Contractor, contract: Contract) -> None:
    """Media checks of an electronic contract; about one in 16 finds a fault and acts on it."""
    if contract.handles_electronic == "無":
        return
    for day in check_days(c, contract):
        if c.rng.random() < 0.06:
            add_check(c, contract, day, "異常あり", "バックアップを再取得し、復元できることを確認")
        else:
            add_check(c, contract, day)


def baseline_handovers(c: Contractor, contract: Contract) -> None:
    """A handover for every dataset received, and one back for every dataset returned."""
    for ledger in c.rows(LEDGER):
        if ledger["contract_id"] != contract.contract_id or ledger["received_on"] is None:
            continue
        add_handover(c, contract, ledger["ledger_id"], ledger["received_on"])
        for disposal in c.rows(DISPOSALS):
            if disposal["ledger_id"] == ledger["ledger_id"] and disposal["kind"] == "返還":
                add_handover(c, contract, ledger["ledger_id"], disposal["on"], "乙→甲")


def baseline_logs(c: Contractor) -> None:
    """Every log of the contractor, clean (the access log aside: :mod:`.access_log`)."""
    p = c.profile
    for contract in c.contracts:
        baseline_ledger(c, contract)
    for contract in c.contracts:
        baseline_takeouts(c, contract)
        baseline_checks(c, contract)
        for _ in range(rint(c.rng, 2, 4)):
            add_device(c, contract)
        if p.copies:
            baseline_copies(c, contract)
        if p.handovers:
            baseline_handovers(c, contract)
    first = c.contracts[0]
    if p.subcontracts:
        add_subcontract(c, first)
    if p.requests:
        requested = workday_between(c.rng, ymd("2025-05-07"), ymd("2025-12-19"))
        add_request(c, first, requested, rint(c.rng, 1, 6))
    if p.incidents:
        day = workday_between(c.rng, ymd("2025-05-01"), ymd("2025-11-28"))
        add_incident(c, first, at(day, rint(c.rng, 9, 16)), report_hours=rint(c.rng, 2, 20))
