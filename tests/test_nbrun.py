"""The notebooks are declared once (nbrun.NOTEBOOKS); everything else follows from it."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import pytest

from tokki_analytics.cli import build_parser
from tokki_analytics.notebooks.briefing import workbook_name
from tokki_analytics.notebooks.nbrun import (
    COMMON_PARAMETERS,
    NOTEBOOK_DIR,
    NOTEBOOKS,
    notebook_parameters,
)

DECLARED = list(NOTEBOOKS.values())


def _cells(stem: str) -> list:
    return jupytext.read(NOTEBOOK_DIR / f"{stem}.ipynb").cells


def _parameters_cell(stem: str) -> set[str]:
    """The names the notebook's ``parameters`` cell assigns."""
    cell = next(c for c in _cells(stem) if "parameters" in c.metadata.get("tags", []))
    body = ast.parse(cell.source).body
    return {
        t.id
        for n in body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


@pytest.mark.parametrize("notebook", DECLARED, ids=[nb.name for nb in DECLARED])
def test_each_declared_notebook_exists_with_its_title_and_parameters(notebook):
    assert (NOTEBOOK_DIR / f"{notebook.stem}.ipynb").is_file()
    assert (NOTEBOOK_DIR / f"{notebook.stem}.py").is_file()
    heading = next(c.source for c in _cells(notebook.stem) if c.cell_type == "markdown")
    assert heading.splitlines()[0] == f"# {notebook.title}"
    given = set(notebook_parameters(notebook.name, "data", Path("out"), contractor="C001"))
    assert given == {*COMMON_PARAMETERS, *notebook.parameters}
    assert given <= _parameters_cell(notebook.stem)  # papermill sets only what the cell has


def test_every_notebook_in_the_folder_is_declared():
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(
        nb.stem for nb in DECLARED
    )


def test_the_command_offers_the_declared_notebooks():
    parser = build_parser()
    for notebook in DECLARED:
        args = parser.parse_args(["notebook", notebook.name, "--data", "d", "--out", "o"])
        assert args.name == notebook.name
    with pytest.raises(SystemExit):
        parser.parse_args(["notebook", "nope", "--data", "d", "--out", "o"])


def test_a_notebook_claims_the_files_it_writes():
    assert NOTEBOOKS["briefing"].outputs("C001") == [
        "01_briefing.ipynb",
        "01_briefing.html",
        workbook_name("C001"),
    ]
    assert NOTEBOOKS["comparison"].outputs() == ["02_comparison.ipynb", "02_comparison.html"]
