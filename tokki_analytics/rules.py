"""The rule catalogue: every rule of RULES.md as a Great Expectations expectation on a view.

A rule is declared once here: its id, clause, severity, the check view it reads, and the
built-in GX expectation (type and keyword arguments) that checks a column of that view.
The suites in ``expectations/`` are written from this catalogue
(``python -m tokki_analytics.suites``); the run loads them from JSON, so any GX runtime
can use them as they are.

Conventions every view follows (see :mod:`tokki_analytics.views`):

- ``_key``: a unique integer per view row (the index GX reports failures by);
- origin columns ``contractor_id``, ``contract_id``, ``_form``, ``_source``, ``_sheet``,
  ``_row`` (blank where the unit is a contract);
- for every rule on the view a boolean column ``judge__<rule id>``: True where the rule
  judges the unit (not excluded, not after as-of, needed cells readable, not Q3). The
  expectation carries the structured row condition ``judge__<id> == True``, so the number
  of units checked is the number of True values;
- the checked columns hold values, day counts or threshold excesses computed from the
  settings; expectations compare them with literals only (no threshold in a suite).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

SEVERITY_GX = {"重大": "critical", "軽微": "warning", "観察": "info"}


def judge_column(rule_id: str) -> str:
    """The view column telling where ``rule_id`` judges a unit."""
    return f"judge__{rule_id}"


@dataclass(frozen=True)
class Rule:
    """One rule of RULES.md.

    Attributes:
        id: Stable rule id, e.g. ``C3-2``.
        clause: The clause it serves, e.g. ``第3``.
        severity: 重大, 軽微 or 観察.
        unit: What one pass or failure counts (for the docs).
        view: The check view it reads (a key of :data:`tokki_analytics.views.VIEWS`).
        expectation: A built-in GX expectation class name, e.g. ``ExpectColumnValuesToBeBetween``.
        kwargs: The expectation's arguments, ``column`` included; literals only.
        description: What the rule checks, in Japanese (shown by GX's Data Docs).
        detail: Failing view rows → one Japanese line per row naming the values at fault.
    """

    id: str
    clause: str
    severity: str
    unit: str
    view: str
    expectation: str
    kwargs: dict
    description: str
    detail: Callable[[pd.DataFrame], pd.Series] = field(compare=False, repr=False)

    @property
    def judge(self) -> str:
        """The view column telling where this rule judges a unit."""
        return judge_column(self.id)


def fmt_date(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD, blank for NA (dates in ``detail`` use this form)."""
    return values.dt.strftime("%Y-%m-%d").fillna("（空欄）")


RULES: tuple[Rule, ...] = ()
