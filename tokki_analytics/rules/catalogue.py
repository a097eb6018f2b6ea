"""The rule catalogue: every check view and every rule of RULES.md, collected in one place.

Each view module (``contracts``, ``staff`` … ``incidents``) declares its view and its rules;
this module lists the modules (in the order the views are built) and derives everything
else: the rules in RULES.md order, the ids, the forms each rule reads and the clauses each
form serves.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.forms import ALL_FORMS, CONTRACTS
from tokki_analytics.rules import (
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
    staff,
    staff_years,
    subcontracts,
    takeout,
)
from tokki_analytics.rules.base import Rule, RuleInfo, View
from tokki_analytics.rules.quality import QUALITY_RULES
from tokki_analytics.strings import python_strings
from tokki_analytics.vocab import clause_key

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

#: View name → view, in the order the views are built.
VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        contracts.VIEW,
        staff.VIEW,
        staff_years.VIEW,
        person_events.VIEW,
        ledger.VIEW,
        takeout.VIEW,
        copies.VIEW,
        media_checks.VIEW,
        ledger_refs.VIEW,
        devices.VIEW,
        handovers.VIEW,
        subcontracts.VIEW,
        disposals.VIEW,
        inspection_requests.VIEW,
        incidents.VIEW,
    )
}


def rule_order(rule_id: str) -> tuple[str, tuple[int, ...]]:
    """Sort key of a rule id in RULES.md order: C2-1 < C7.1-1 < C7.6-3 < C11-1 < P-1 < Q0."""
    return rule_id[0], tuple(int(n) for n in re.findall(r"\d+", rule_id))


#: Every rule checked by Great Expectations, in RULES.md order.
RULES: tuple[Rule, ...] = tuple(
    sorted((rule for view in VIEWS.values() for rule in view.rules), key=lambda r: rule_order(r.id))
)
#: Rule id → rule (Great Expectations rules).
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
#: Every rule of RULES.md, Q0–Q3 last (their order there).
ALL_RULES: tuple[RuleInfo, ...] = RULES + QUALITY_RULES
#: Every rule id of RULES.md, in its order: the one list outputs and tests use.
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in ALL_RULES)
#: The forms (keys) whose rows are the units of each check view.
VIEW_FORMS: dict[str, tuple[str, ...]] = {name: view.units for name, view in VIEWS.items()}


def rule_forms(rule: Rule) -> tuple[str, ...]:
    """The forms a rule reads: its view's unit forms, then its reference forms.

    委託契約一覧 is read by every rule (it names the contracts and their excluded clauses)
    and is not listed unless its rows are the rule's units.
    """
    return tuple(dict.fromkeys(VIEWS[rule.view].units + rule.needs + rule.needs_if_sent))


def _form_clauses() -> dict[str, tuple[str, ...]]:
    clauses: dict[str, set[str]] = {}
    for rule in RULES:
        for key in rule_forms(rule):
            clauses.setdefault(key, set()).add(rule.clause)
    return {
        form.key: tuple(sorted(clauses[form.key], key=clause_key))
        for form in ALL_FORMS
        if form.key in clauses and form is not CONTRACTS
    }


#: Form key → the clauses whose rules read it, in clause order (委託契約一覧 aside). A
#: contract that excludes all of them does not need the form (FORMS.md, "Which forms a
#: contract needs").
FORM_CLAUSES: dict[str, tuple[str, ...]] = _form_clauses()


@python_strings()
def build_views(sub: Submission) -> dict[str, pd.DataFrame]:
    """Build every check view of ``sub``.

    Args:
        sub: A loaded data folder.

    Returns:
        View name → view frame (the conventions of :mod:`tokki_analytics.rules.context`).
    """
    return {name: view.build(sub) for name, view in VIEWS.items()}
