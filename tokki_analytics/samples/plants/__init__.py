"""The planted failures: one :class:`~.entry.Entry` per rule id, and the tables made from them.

Each plant breaks exactly one thing of a contractor built clean by
:mod:`tokki_analytics.samples.baseline` and records the failing unit for the answer key.
Plants add their own records (or reshape a record of their own) so that they never cascade
into other rules. The plants of a rule live in the module named as the rule's module in
:mod:`tokki_analytics.rules` (``rules/takeout.py`` ↔ ``samples/plants/takeout.py``, Q0–Q3 in
:mod:`.quality`); to plant a new rule, add its entry there (see docs/CONTRIBUTING.md).
"""

from __future__ import annotations

from tokki_analytics.samples.model import Contractor
from tokki_analytics.samples.plants import (
    contracts,
    copies,
    devices,
    disposals,
    handovers,
    incidents,
    inspection_requests,
    ledger,
    ledger_refs,
    media_checks,
    person_events,
    quality,
    staff,
    staff_years,
    subcontracts,
    takeout,
)
from tokki_analytics.samples.plants.entry import Entry, Pass, Phase, Plant, PlantFn
from tokki_analytics.samples.profiles import PROFILES, UNKNOWN


def _registry(entries: tuple[Entry, ...]) -> dict[str, Entry]:
    registry: dict[str, Entry] = {}
    for entry in entries:
        if entry.rule_id in registry:
            raise ValueError(f"two plant entries for {entry.rule_id}")
        registry[entry.rule_id] = entry
    return registry


#: Rule id → what the generator plants for it.
PLANTS: dict[str, Entry] = _registry(
    contracts.ENTRIES
    + staff.ENTRIES
    + staff_years.ENTRIES
    + person_events.ENTRIES
    + ledger.ENTRIES
    + takeout.ENTRIES
    + copies.ENTRIES
    + media_checks.ENTRIES
    + ledger_refs.ENTRIES
    + devices.ENTRIES
    + handovers.ENTRIES
    + subcontracts.ENTRIES
    + disposals.ENTRIES
    + inspection_requests.ENTRIES
    + incidents.ENTRIES
    + quality.ENTRIES
)


def _schedule(entries: tuple[Entry, ...]) -> dict[tuple[int, Phase], tuple[PlantFn, ...]]:
    """(profile, phase) → the functions to run, by step; two pieces on one step are an error."""
    steps: dict[tuple[int, Phase], dict[int, PlantFn]] = {}
    for entry in entries:
        items: tuple[Plant | Pass, ...] = (*entry.plants, *entry.passes)
        for item in items:
            for phase, step, do in item.steps:
                at = steps.setdefault((item.profile, phase), {})
                if step in at:
                    raise ValueError(
                        f"profile {item.profile}, {phase} step {step} is taken twice "
                        f"(steps used: {sorted(at)})"
                    )
                at[step] = do
    return {key: tuple(at[s] for s in sorted(at)) for key, at in steps.items()}


_SCHEDULE = _schedule(tuple(PLANTS.values()))


def run_plants(c: Contractor, phase: Phase) -> None:
    """Run the plants of ``c``'s profile for ``phase``, in step order."""
    profile = c.index % len(PROFILES) if c.known else UNKNOWN
    for do in _SCHEDULE.get((profile, phase), ()):
        do(c)


def _order(item: Plant | Pass) -> tuple[int, int, int]:
    """Sort key: profile, then the first piece's phase and step (pieceless cases last)."""
    steps = item.steps
    if not steps:
        return item.profile, 2, 0
    phase, step, _ = steps[0]
    return item.profile, 0 if phase == "roster" else 1, step


def _plant_table() -> tuple[tuple[int, str, str, str], ...]:
    plants = sorted(
        ((plant, entry.rule_id) for entry in PLANTS.values() for plant in entry.plants),
        key=lambda pair: _order(pair[0]),
    )
    return tuple(
        (plant.profile, rule_id, plant.form.name if plant.form else "", line)
        for plant, rule_id in plants
        for line in plant.lines
    )


def _pass_table() -> tuple[tuple[int, str, str], ...]:
    passes = sorted(
        ((case, entry.rule_id) for entry in PLANTS.values() for case in entry.passes),
        key=lambda pair: _order(pair[0]),
    )
    return tuple(
        (case.profile, " ".join((rule_id, *case.also)), case.what) for case, rule_id in passes
    )


#: Every planted failure, one line per key row: (profile, rule_id, form, what is planted), in
#: the order they are planted. ``form`` is blank for contract-level rows and files. Profile 7
#: stands for the last folder (eight or more contractors), whose code has no contract. A test
#: checks this table against the key.
PLANT_TABLE = _plant_table()

#: Boundary cases that must pass (no key row): (profile, rules, what).
PASS_TABLE = _pass_table()

__all__ = ["PASS_TABLE", "PLANTS", "PLANT_TABLE", "Entry", "Pass", "Plant", "run_plants"]
