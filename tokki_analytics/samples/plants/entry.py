"""How a rule's planted failures and boundary passes are declared (one :class:`Entry` per rule).

A plant runs in one or both phases of a contractor's build: ``roster`` (after the baseline
roster, before training and logs are derived from it) and ``logs`` (after the baseline logs,
before the access log). Within a profile and phase the plants run by their step number, so
that the random draws, and with them every generated file, keep their order. Steps are only
an order (gaps are fine): a new plant takes a step above every step used in its profile and
phase, so that the plants before it draw as they did; a step used twice stops the import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tokki_analytics.forms import Form
from tokki_analytics.samples.model import Contractor

#: The two phases of a build in which plants run.
Phase = Literal["roster", "logs"]
#: What a plant does to a contractor.
PlantFn = Callable[[Contractor], None]
#: (step, function): where in its profile and phase a piece of a plant runs.
Step = tuple[int, PlantFn]


@dataclass(frozen=True)
class Plant:
    """One planted failure of a rule in one profile, and the key rows it yields.

    Attributes:
        profile: The profile (0–6), or :data:`~tokki_analytics.samples.profiles.UNKNOWN` for
            the last folder, whose code has no contract.
        form: The form its key rows name; None for contract-level rows and files.
        what: What is planted, one line per key row it yields.
        roster: Its piece in the roster phase.
        logs: Its piece in the logs phase.
    """

    profile: int
    form: Form | None
    what: str | tuple[str, ...]
    roster: Step | None = None
    logs: Step | None = None

    @property
    def lines(self) -> tuple[str, ...]:
        """One description per key row."""
        return (self.what,) if isinstance(self.what, str) else self.what

    @property
    def steps(self) -> tuple[tuple[Phase, int, PlantFn], ...]:
        """(phase, step, function) of each piece, roster first."""
        pieces: list[tuple[Phase, int, PlantFn]] = []
        if self.roster is not None:
            pieces.append(("roster", *self.roster))
        if self.logs is not None:
            pieces.append(("logs", *self.logs))
        return tuple(pieces)


@dataclass(frozen=True)
class Pass:
    """A boundary case that must pass (no key row).

    Attributes:
        profile: The profile.
        what: The case.
        roster: Its piece in the roster phase; no piece at all when the baseline or a plant
            makes the case already.
        logs: Its piece in the logs phase.
        also: Other rules the case passes.
    """

    profile: int
    what: str
    roster: Step | None = None
    logs: Step | None = None
    also: tuple[str, ...] = ()

    @property
    def steps(self) -> tuple[tuple[Phase, int, PlantFn], ...]:
        """(phase, step, function) of each piece, roster first."""
        return Plant(self.profile, None, self.what, self.roster, self.logs).steps


@dataclass(frozen=True)
class Entry:
    """Everything the sample generator plants for one rule.

    Attributes:
        rule_id: The rule id.
        plants: Its planted failures (at least one: a test checks every rule has one).
        passes: Its boundary cases that must pass.
    """

    rule_id: str
    plants: tuple[Plant, ...]
    passes: tuple[Pass, ...] = ()
