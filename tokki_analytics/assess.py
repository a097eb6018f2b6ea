"""What can be assessed: which forms a contractor holds in usable form, and what that blocks.

A rule judges the rows of its check view (:data:`tokki_analytics.rules.VIEW_FORMS`) and
compares them with reference forms (``Rule.needs``, ``Rule.needs_if_sent``). A form is
*usable* for a contractor when at least one sheet or CSV file of it was read with its header
row. Otherwise it is

- ``unreadable``: no part of it was read, and a file named after it got a Q0 (corrupt,
  password-protected, no permission …);
- ``no_header``: it was sent, but none of its sheets has a header row (its Q2s say
  見出し行が見つかりません);
- ``missing``: nothing of it was sent.

A rule whose reference form is not usable is *not assessed* for that contractor: no failures
and no passes (RULES.md). The views mask their judge columns with :meth:`FormStates.refs`;
the load appends the blocked rules to the Q0 and Q1 details (:func:`note_blocked_rules`); the
report gives the reason of 未評価 (:func:`clause_reasons`). Prefecture masters (委託契約一覧,
検査履歴) are held under the blank contractor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from tokki_analytics.forms import (
    FORMS_BY_KEY,
    MASTERS,
    SUBMISSION_FORMS,
    form_for_name,
)
from tokki_analytics.rules import RULES, VIEW_FORMS, Rule
from tokki_analytics.vocab import expand_clauses

MISSING, UNREADABLE, NO_HEADER = "missing", "unreadable", "no_header"
#: States in which a form was sent but nothing of it could be used.
SENT_UNUSABLE = (UNREADABLE, NO_HEADER)
#: Files that may hold a form (read.SUBMISSION_SUFFIXES; repeated to keep this module pure).
_FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_FORMS_BY_NAME = {form.name: form for form in FORMS_BY_KEY.values()}


@dataclass(frozen=True)
class FormStates:
    """Which forms each contractor sent, could use, or sent unreadable.

    Attributes:
        present: (contractor_id, form key) with at least one sheet or file read.
        usable: (contractor_id, form key) with at least one part whose header was found.
        unreadable: (contractor_id, form key) named by a file that got a Q0.
    """

    present: frozenset[tuple[str, str]]
    usable: frozenset[tuple[str, str]]
    unreadable: frozenset[tuple[str, str]]

    def state(self, contractor_id: str, form_key: str) -> str | None:
        """None when the form is usable, else ``unreadable``, ``no_header`` or ``missing``."""
        key = ("" if FORMS_BY_KEY[form_key].is_master else contractor_id, form_key)
        if key in self.usable:
            return None
        if key in self.present:
            return NO_HEADER
        return UNREADABLE if key in self.unreadable else MISSING

    def refs(self, rule: Rule, contractor_id: str) -> tuple[str, ...]:
        """The reference forms that keep ``rule`` from being assessed for the contractor."""
        needed = [k for k in rule.needs if self.state(contractor_id, k)]
        needed += [k for k in rule.needs_if_sent if self.state(contractor_id, k) in SENT_UNUSABLE]
        return tuple(needed)

    def blocking(self, rule: Rule, contractor_id: str) -> tuple[str, ...]:
        """Every form that keeps ``rule`` from being assessed for the contractor.

        Its reference forms, and its unit forms when none of them is usable (then the rule
        has nothing to judge).
        """
        units = VIEW_FORMS[rule.view]
        own = units if all(self.state(contractor_id, k) for k in units) else ()
        return tuple(dict.fromkeys(own + self.refs(rule, contractor_id)))


def named_form(source: str, contractor_id: str) -> str | None:
    """The form key a file's name gives (``作業従事者名簿_2025.xlsx`` → staff), or None."""
    path = PurePosixPath(source)
    if path.suffix.lower() not in _FORM_SUFFIXES:
        return None
    form = form_for_name(path.stem, MASTERS if contractor_id == "" else SUBMISSION_FORMS)
    return None if form is None else form.key


def form_states(submitted: pd.DataFrame, defects: pd.DataFrame) -> FormStates:
    """The form states of a load (``Submission.submitted`` and ``Submission.defects``)."""
    pairs = list(zip(submitted["contractor_id"], submitted["form"], strict=True))
    usable = submitted["usable"] if "usable" in submitted else pd.Series(True, submitted.index)
    q0 = defects[defects["rule_id"] == "Q0"]
    unreadable = {
        (who, key)
        for who, source in zip(q0["contractor_id"], q0["source"], strict=True)
        if (key := named_form(source, who)) is not None
    }
    return FormStates(
        present=frozenset(pairs),
        usable=frozenset(p for p, ok in zip(pairs, usable.to_numpy(dtype=bool), strict=True) if ok),
        unreadable=frozenset(unreadable),
    )


def blocked_rules(states: FormStates, contractor_id: str, form_key: str) -> list[Rule]:
    """The rules that ``form_key`` keeps from being assessed for the contractor."""
    return [r for r in RULES if form_key in states.blocking(r, contractor_id)]


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
        defects: Q0–Q3 records (:data:`tokki_analytics.load.DEFECT_COLUMNS`).
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


def reason_text(state: str, form_key: str) -> str:
    """``作業従事者名簿が読めないため`` and the like, for one unusable form."""
    name = FORMS_BY_KEY[form_key].name
    return {
        UNREADABLE: f"{name}が読めないため",
        NO_HEADER: f"{name}の見出し行が見つからないため",
        MISSING: f"{name}の提出なし",
    }[state]


def clause_reasons(states: FormStates, contractor_id: str) -> dict[str, str]:
    """Clause → why none of its rules can be assessed for the contractor.

    Only clauses every rule of which is blocked by some form are listed; a clause 未評価
    for another reason (nothing to judge yet, no allowed software set) is not.
    """
    blocks: dict[str, list[tuple[str, ...]]] = {}
    for rule in RULES:
        blocks.setdefault(rule.clause, []).append(states.blocking(rule, contractor_id))
    reasons = {}
    for clause, forms in blocks.items():
        if all(forms):
            keys = dict.fromkeys(k for f in forms for k in f)
            state = states.state
            reasons[clause] = "、".join(reason_text(state(contractor_id, k), k) for k in keys)
    return reasons
