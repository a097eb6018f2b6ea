"""The rules of RULES.md: one module per check view, each declaring its view and its rules.

``rules/<view>.py`` holds a view's function, its :class:`Rule` declarations and their detail
lines; :mod:`~tokki_analytics.rules.catalogue` collects them in RULES.md order, Q0–Q3
(:mod:`~tokki_analytics.rules.quality`) too; :mod:`~tokki_analytics.rules.context` holds
what every view is built with; :mod:`~tokki_analytics.rules.blocked` what unusable forms
keep from being assessed. The expectation suites (``python -m tokki_analytics.gx.suites``) and
docs/RULES.md (``python -m tokki_analytics.docs``) are written from the catalogue.
"""

from tokki_analytics.rules.base import Expectation, Rule, RuleInfo, View, judge_column
from tokki_analytics.rules.blocked import (
    blocked_rules,
    blocking,
    clause_reasons,
    note_blocked_rules,
)
from tokki_analytics.rules.catalogue import (
    ALL_RULES,
    FORM_CLAUSES,
    RULE_IDS,
    RULES,
    RULES_BY_ID,
    VIEW_FORMS,
    VIEWS,
    build_views,
    rule_forms,
)
from tokki_analytics.rules.quality import QUALITY_RULES

__all__ = [
    "ALL_RULES",
    "FORM_CLAUSES",
    "QUALITY_RULES",
    "RULES",
    "RULES_BY_ID",
    "RULE_IDS",
    "VIEWS",
    "VIEW_FORMS",
    "Expectation",
    "Rule",
    "RuleInfo",
    "View",
    "blocked_rules",
    "blocking",
    "build_views",
    "clause_reasons",
    "judge_column",
    "note_blocked_rules",
    "rule_forms",
]
