"""What unusable forms keep from being assessed: the Q0/Q1 notes and the report's reasons.

A rule is blocked for a contractor by its reference forms (``Rule.needs``,
``Rule.needs_if_sent``) when they are not usable, and by its unit forms (its view's
``units``) when none of them is: then it has nothing to judge.
"""

from __future__ import annotations

import pandas as pd

from tokki_analytics.forms import ALL_FORMS
from tokki_analytics.rules.assess import (
    MISSING,
    FormStates,
    form_states,
    named_form,
    reason_text,
)
from tokki_analytics.rules.base import Rule
from tokki_analytics.rules.catalogue import RULES, VIEWS
from tokki_analytics.rules.context import unusable_refs
from tokki_analytics.vocab import expand_clauses

_FORMS_BY_NAME = {form.name: form for form in ALL_FORMS}


def blocking(states: FormStates, rule: Rule, contractor_id: str) -> tuple[str, ...]:
    """Every form that keeps ``rule`` from being assessed for the contractor.

    Its reference forms, and its unit forms when none of them is usable (then the rule
    has nothing to judge).
    """
    units = VIEWS[rule.view].units
    own = units if all(states.state(contractor_id, k) for k in units) else ()
    return tuple(dict.fromkeys(own + unusable_refs(states, rule, contractor_id)))


def blocked_rules(states: FormStates, contractor_id: str, form_key: str) -> list[Rule]:
    """The rules that ``form_key`` keeps from being assessed for the contractor."""
    return [r for r in RULES if form_key in blocking(states, r, contractor_id)]


def _note(rule_id: str, state: str | None, rules: list[str]) -> str:
    """The text a Q0 or Q1 detail gets (``state``: of its form for its contractor)."""
    if state is None:
        return "（この様式は読めた他のファイルだけで評価 / assessed on its other files only）"
    if not rules:
        return ""
    why = "この様式が読めないため" if rule_id == "Q0" else "この様式がないため"
    return f"（{why}未評価 / not assessed: {', '.join(rules)}）"


def note_blocked_rules(
    defects: pd.DataFrame, submitted: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Append to each Q0 and Q1 detail the rules its form's absence leaves not assessed.

    A Q0 names a form only through its file name (the file could not be read); a Q0 of a
    file whose form was still read from other files says the form is assessed on those.
    A Q1 leaves out the rules of clauses its contract excludes.

    Args:
        defects: Q0–Q3 records (:data:`tokki_analytics.ingest.defects.DEFECT_COLUMNS`).
        submitted: ``Submission.submitted``.
        contracts: Usable contracts (for the clauses a Q1's contract excludes).

    Returns:
        ``defects`` with the notes appended (a copy).
    """
    states = form_states(submitted, defects)
    excluded = {
        k: expand_clauses(list(v or ()))
        for k, v in zip(contracts["contract_id"], contracts["excluded_clauses"], strict=True)
    }
    out = defects.copy()
    for i, d in out[out["rule_id"].isin(["Q0", "Q1"])].iterrows():
        if d["rule_id"] == "Q0":
            key = named_form(d["source"], d["contractor_id"])
        else:
            key = getattr(_FORMS_BY_NAME.get(d["form"]), "key", None)
        if key is None:
            continue
        who, off = d["contractor_id"], excluded.get(d["contract_id"], frozenset())
        rules = [r.id for r in blocked_rules(states, who, key) if r.clause not in off]
        out.at[i, "detail"] = d["detail"] + _note(d["rule_id"], states.state(who, key), rules)
    return out


def clause_reasons(states: FormStates, contractor_id: str) -> dict[str, str]:
    """Clause → why none of its rules can be assessed for the contractor.

    Only clauses every rule of which is blocked by some form are listed; a clause 未評価
    for another reason (nothing to judge yet, no allowed software set) is not.
    """
    blocks: dict[str, list[tuple[str, ...]]] = {}
    for rule in RULES:
        blocks.setdefault(rule.clause, []).append(blocking(states, rule, contractor_id))
    reasons = {}
    for clause, forms in blocks.items():
        if all(forms):
            keys = dict.fromkeys(k for f in forms for k in f)
            reasons[clause] = "、".join(
                reason_text(states.state(contractor_id, k) or MISSING, k) for k in keys
            )
    return reasons
