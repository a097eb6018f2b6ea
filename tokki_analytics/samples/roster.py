"""Contracts and the roster: who works on what, when, and who is an active notified worker.

Every function draws from the contractor's random stream in a fixed order; the generated data
depends on that order (see :mod:`tokki_analytics.samples`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import numpy as np

from tokki_analytics.forms import EMPLOYMENT, STAFF
from tokki_analytics.samples.calendar import fiscal_year, workdays
from tokki_analytics.samples.model import (
    AS_OF,
    FAR,
    Contract,
    Contractor,
    Person,
    Record,
    pick,
    rint,
)
from tokki_analytics.samples.profiles import SHAPES, ContractSpec
from tokki_analytics.samples.vocabulary import (
    BUSINESSES,
    CORPORATE,
    DISTRICT_OFFICES,
    GIVEN_NAMES,
    HANDOVER_MEANS,
    PLACES,
    SURNAMES,
    TRADES,
)

#: A date argument left to the generator: a clean value (drawn at random where it varies).
Auto = Literal["auto"]


def company_name(rng: np.random.Generator) -> str:
    """A company name such as 株式会社吉備データ."""
    return pick(rng, CORPORATE).format(pick(rng, PLACES) + pick(rng, TRADES))


def make_contract(c: Contractor, spec: ContractSpec, serial: int, business: int) -> Contract:
    """Contract ``serial`` of ``c`` for business number ``business`` of :data:`BUSINESSES`."""
    start, end = SHAPES[spec.shape]
    department, title, datasets = BUSINESSES[business]
    fy = fiscal_year(start)
    if department.startswith("教育委員会"):
        contract_id = f"K{fy}-{serial:03d}"
    else:
        contract_id = f"R{fy - 2018}-{serial:04d}"
    places = [f"岡山県庁 {department}", pick(c.rng, DISTRICT_OFFICES)] if spec.places else []
    means: list[str] = []
    if spec.means:
        means = sorted(c.rng.choice(HANDOVER_MEANS, size=2, replace=False).tolist())
    return Contract(
        contract_id=contract_id,
        contractor_id=c.code,
        contractor_name=c.name,
        department=department,
        title=title,
        start_date=start,
        end_date=end,
        record_volume=rint(c.rng, 3, 400) * 100,
        sensitive=spec.sensitive,
        handles_electronic=spec.electronic,
        designated_places=places,
        designated_handover_means=means,
        excluded_clauses=list(spec.excluded),
        datasets=datasets,
    )


def person_name(c: Contractor) -> str:
    """A random 姓 名, spaced as the contractor writes names."""
    return pick(c.rng, SURNAMES) + c.profile.name_space + pick(c.rng, GIVEN_NAMES)


def new_person(
    c: Contractor,
    employment: str | None = None,
    *,
    quiet: bool = False,
    first_delay: int | None = None,
    skip_fy: frozenset[int] = frozenset(),
    no_fill_fy: frozenset[int] = frozenset(),
) -> Person:
    """A new worker with an unused 従事者ID and name (see :class:`Person` for the flags)."""
    while True:
        pid = f"{c.pid_prefix}{rint(c.rng, 1000, 9899)}"
        name = person_name(c)
        if pid not in c.persons and name not in c.names:
            break
    if employment is None:
        cycle = c.employment_cycle
        employment = cycle.pop() if cycle else pick(c.rng, EMPLOYMENT[:4])
    person = Person(pid, name, employment, quiet, first_delay, skip_fy, no_fill_fy)
    c.persons[pid] = person
    c.names.add(name)
    return person


def add_staff(
    c: Contractor,
    contract: Contract,
    person: Person,
    role: str,
    start: dt.date,
    end: dt.date | None = None,
    *,
    notified: dt.date | None | Auto = "auto",
    pledge: dt.date | None | Auto = "auto",
) -> Record:
    """Add a roster row; ``auto`` dates fall 0–14 days before the start (clean)."""
    if isinstance(notified, str):
        notified = start - dt.timedelta(days=rint(c.rng, 0, 14))
    if isinstance(pledge, str):
        pledge = (notified or start) - dt.timedelta(days=rint(c.rng, 0, 3))
    record = {
        "contract_id": contract.contract_id,
        "person_id": person.pid,
        "name": person.name,
        "role": role,
        "employment": person.employment,
        "work_place": c.work_place,
        "start_date": start,
        "end_date": end,
        "notified_on": notified,
        "pledge_on": pledge,
    }
    c.rows(STAFF).append(record)
    return record


def new_worker(
    c: Contractor,
    contract: Contract,
    start: dt.date,
    end: dt.date | None = None,
    *,
    employment: str | None = None,
    role: str = "作業従事者",
    notified: dt.date | None | Auto = "auto",
    pledge: dt.date | None | Auto = "auto",
    quiet: bool = False,
    first_delay: int | None = None,
    skip_fy: frozenset[int] = frozenset(),
    no_fill_fy: frozenset[int] = frozenset(),
) -> tuple[Person, Record]:
    """A new person and their roster row (clean unless told otherwise)."""
    person = new_person(
        c,
        employment,
        quiet=quiet,
        first_delay=first_delay,
        skip_fy=skip_fy,
        no_fill_fy=no_fill_fy,
    )
    record = add_staff(c, contract, person, role, start, end, notified=notified, pledge=pledge)
    return person, record


def supervisors(c: Contractor, contract: Contract) -> list[Record]:
    """The 作業責任者 rows of ``contract``, by 従事開始日."""
    rows = [
        r
        for r in c.rows(STAFF)
        if r["contract_id"] == contract.contract_id and r["role"] == "作業責任者"
    ]
    return sorted(rows, key=lambda r: r["start_date"])


def supervisor_name(c: Contractor, contract: Contract) -> str:
    """The name of the latest 作業責任者 of ``contract`` (approver, checker)."""
    return str(supervisors(c, contract)[-1]["name"])


def known_rows(c: Contractor) -> list[Record]:
    """Roster rows under a contract of the contractor (not the Q3 plant's)."""
    return [r for r in c.rows(STAFF) if not r.get("_q3")]


def active_intervals(c: Contractor) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """Per person: the spans in which they are an active notified worker, up to as-of."""
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for row in known_rows(c):
        notified = row["notified_on"]
        if not isinstance(notified, dt.date) or c.persons[row["person_id"]].quiet:
            continue
        lo = max(row["start_date"], notified)
        hi = min(row["end_date"] or FAR, AS_OF)
        if lo <= hi:
            spans.setdefault(row["person_id"], []).append((lo, hi))
    return spans


def pick_active(
    c: Contractor, pids: Iterable[str], lo: dt.date, hi: dt.date
) -> tuple[str, dt.date] | None:
    """A person of ``pids`` and a work day in ``lo..hi`` on which they are active and notified."""
    order = list(dict.fromkeys(pids))
    c.rng.shuffle(order)
    for pid in order:
        days = [
            d for a, b in c.active.get(pid, ()) for d in workdays(max(a, lo), min(b, hi)).tolist()
        ]
        if days:
            return pid, days[int(c.rng.integers(len(days)))]
    return None


def active_worker(
    c: Contractor, pids: Iterable[str], lo: dt.date, hi: dt.date
) -> tuple[str, dt.date]:
    """:func:`pick_active` where such a person must exist.

    Raises:
        RuntimeError: Nobody of ``pids`` is active on a work day in ``lo..hi``.
    """
    picked = pick_active(c, pids, lo, hi)
    if picked is None:
        raise RuntimeError(f"{c.code}: nobody active from {lo} to {hi}")
    return picked


def active_on(rows: list[Record], day: dt.date) -> bool:
    """Whether one of the roster ``rows`` covers ``day``."""
    return any(r["start_date"] <= day <= (r["end_date"] or FAR) for r in rows)
