"""Which forms a contractor holds in usable form.

A form is *usable* for a contractor when at least one sheet or CSV file of it was read with
its header row. Otherwise it is

- ``unreadable``: no part of it was read, and a file named after it got a Q0 (corrupt,
  password-protected, no permission …);
- ``no_header``: it was sent, but none of its sheets has a header row (its Q2s say
  見出し行が見つかりません);
- ``missing``: nothing of it was sent.

A rule whose reference form is not usable is *not assessed* for that contractor: no failures
and no passes (RULES.md). What that blocks is the rule catalogue's business
(:mod:`tokki_analytics.rules.blocked`): the views mask their judge columns, the load appends
the blocked rules to the Q0 and Q1 details, the report gives the reason of 未評価.
Prefecture masters (委託契約一覧, 検査履歴) are held under the blank contractor.
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

MISSING, UNREADABLE, NO_HEADER = "missing", "unreadable", "no_header"
#: States in which a form was sent but nothing of it could be used.
SENT_UNUSABLE = (UNREADABLE, NO_HEADER)
#: Files that may hold a form (folders.SUBMISSION_SUFFIXES; repeated to keep this module pure:
#: the rules import it, and folders imports the rule catalogue through defects).
_FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


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


def reason_text(state: str, form_key: str) -> str:
    """``作業従事者名簿が読めないため`` and the like, for one unusable form."""
    name = FORMS_BY_KEY[form_key].name
    return {
        UNREADABLE: f"{name}が読めないため",
        NO_HEADER: f"{name}の見出し行が見つからないため",
        MISSING: f"{name}の提出なし",
    }[state]
