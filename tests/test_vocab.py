"""The vocabulary (severity, status, clauses) is declared once and every part uses it."""

from __future__ import annotations

import pandas as pd
import pytest

from tokki_analytics.cli import build_parser
from tokki_analytics.errors import ParameterError
from tokki_analytics.render.css import SEVERITY_CLASS, STATUS_CLASS
from tokki_analytics.render.excel import SEVERITY_COLOURS
from tokki_analytics.rules import ALL_RULES, RULES
from tokki_analytics.runcmd import failing_exit
from tokki_analytics.vocab import (
    CLAUSE_IDS,
    CLAUSE_TITLES,
    SEVERITIES,
    SEVERITY_ALIASES,
    SEVERITY_GX,
    SEVERITY_RANK,
    STATUSES,
    clause_key,
    clause_label,
    expand_clauses,
    parse_clause,
    rule_clauses,
    severity_grade,
)


def test_every_rule_has_a_vocabulary_severity_and_a_titled_clause():
    assert {rule.severity for rule in ALL_RULES} <= set(SEVERITIES)  # Q0–Q3 too
    # the clauses with rules are exactly the titled ones: a rule on a new clause needs a title
    assert set(rule_clauses()) == {rule.clause for rule in RULES if rule.clause}
    assert set(CLAUSE_TITLES) <= set(CLAUSE_IDS)


def test_grades_are_ordered_most_severe_first():
    ranks = [SEVERITY_RANK[grade] for grade in SEVERITIES]
    assert ranks == sorted(ranks, reverse=True)
    assert [SEVERITY_GX[grade] for grade in SEVERITIES] == ["critical", "warning", "info"]


def test_fail_on_accepts_the_grades_and_their_gx_levels():
    parser = build_parser()
    for name in [*SEVERITIES, *SEVERITY_GX.values()]:
        assert parser.parse_args(["run", "data", "--out", "o", "--fail-on", name]).fail_on == name
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "data", "--out", "o", "--fail-on", "fatal"])
    findings = pd.DataFrame({"severity": [SEVERITIES[1]]})  # one 軽微 finding
    for alias, grade in SEVERITY_ALIASES.items():
        assert severity_grade(alias) == grade
        assert failing_exit(findings, alias) == failing_exit(findings, grade)
    assert [failing_exit(findings, grade) for grade in SEVERITIES] == [0, 1, 1]
    with pytest.raises(ParameterError):
        severity_grade("fatal")


def test_every_grade_and_status_has_its_colours():
    assert set(SEVERITY_COLOURS) == set(SEVERITIES)  # findings.xlsx and the notebooks
    assert set(SEVERITY_CLASS) == set(SEVERITIES)  # the HTML report
    assert set(STATUS_CLASS) == set(STATUSES)


@pytest.mark.parametrize(
    ("typed", "clause"),
    [("3", "第3"), ("第3", "第3"), ("第７三", "第7三"), (" 14 ", "第14"), ("7八", "第7八")],
)
def test_parse_clause_reads_what_an_auditor_types(typed: str, clause: str):
    assert parse_clause(typed) == clause


def test_parse_clause_names_the_parts_of_a_split_clause():
    with pytest.raises(ParameterError, match="第7 は 第7一、第7二"):
        parse_clause("7")
    with pytest.raises(ParameterError, match="条項「第10」の規則はありません"):
        parse_clause("第10")


def test_clause_order_and_labels():
    assert sorted(["第13", "第8", "第7八", "第2", "第7一"], key=clause_key) == [
        "第2",
        "第7一",
        "第7八",
        "第8",
        "第13",
    ]
    assert clause_label("第7三") == "第7三 暗号化"
    assert clause_label("第1") == "第1"
    assert expand_clauses(["第7"]) == frozenset({"第7", *(f"第7{k}" for k in "一二三四五六七八")})
