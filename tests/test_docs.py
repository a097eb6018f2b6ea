from conftest import ROOT

from tokki_analytics.docs import render
from tokki_analytics.forms import ALL_FORMS


def test_committed_forms_reference_is_generated_from_the_declaration():
    committed = (ROOT / "docs" / "FORMS.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m tokki_analytics.docs"


def test_every_declared_column_is_documented():
    text = render()
    for form in ALL_FORMS:
        for column in form.columns:
            assert f"`{column.key}`" in text and column.name in text
