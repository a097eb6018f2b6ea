from conftest import ROOT

from tokki_analytics.docs import render, render_rules
from tokki_analytics.forms import ALL_FORMS
from tokki_analytics.rules import ALL_RULES


def test_committed_forms_reference_is_generated_from_the_declaration():
    committed = (ROOT / "docs" / "FORMS.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m tokki_analytics.docs"


def test_every_declared_column_is_documented():
    text = render()
    for form in ALL_FORMS:
        for column in form.columns:
            assert f"`{column.key}`" in text and column.name in text


def test_committed_rule_catalogue_is_generated_from_the_rules():
    committed = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert committed == render_rules(), "run: python -m tokki_analytics.docs"


def test_every_rule_has_a_row_with_its_clause_severity_and_settings():
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in render_rules().splitlines()}
    for rule in ALL_RULES:
        row = rows[rule.id]
        assert f"| {rule.clause} | {rule.severity} | {rule.unit} |" in row, rule.id
        assert rule.description in row
        assert all(f"`{key}`" in row for key in rule.settings), rule.id


def test_each_submission_form_shows_its_dating_column_and_whether_it_is_continuous():
    from tokki_analytics.forms import SUBMISSION_FORMS

    sections = render().split("\n## ")
    for form in SUBMISSION_FORMS:
        (section,) = [s for s in sections if s.startswith(" / ".join(form.names) + " — ")]
        (line,) = [s for s in section.splitlines() if s.startswith("- 記録の日付")]
        if form.period is None:
            assert "なし" in line, form.name
        else:
            assert f"{form.column(form.period).name} (`{form.period}`)" in line, form.name
        assert ("継続記録" in line) is form.continuous, form.name
    assert any(form.continuous for form in SUBMISSION_FORMS)
