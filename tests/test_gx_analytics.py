"""Great Expectations' usage statistics are off in every entry point, set in one place.

The package ``__init__`` sets ``GX_ANALYTICS_ENABLED=False``; Python runs it before any
module of the package. Each entry point runs here in a fresh interpreter whose environment
lacks the variable (the Makefile and conftest set it; a user's shell does not), with an
import hook that records the variable at the moment ``great_expectations`` is first
imported: the ``tokki`` console script auditing a folder, ``python -m
tokki_analytics.gx.suites``, and each notebook's imports as a JupyterLab kernel runs them.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from tokki_analytics.notebooks.nbrun import NOTEBOOK_DIR, NOTEBOOKS

#: Records GX_ANALYTICS_ENABLED when great_expectations is first imported, runs ENTRY, and
#: prints what it saw: the variable then (or after ENTRY when it did not import GX), whether
#: GX was imported, and GX's own analytics setting where its version has one.
PROBE = """
import importlib.abc, importlib.util, json, os, sys

seen = {}


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "great_expectations" and "at_import" not in seen:
            seen["at_import"] = os.environ.get("GX_ANALYTICS_ENABLED")
        return None


sys.meta_path.insert(0, Watch())
ENTRY
seen["gx"] = "great_expectations" in sys.modules
seen.setdefault("at_import", os.environ.get("GX_ANALYTICS_ENABLED"))
seen["config"] = None  # GX 1.24 has no analytics module: nothing to read, nothing sent
if seen["gx"] and importlib.util.find_spec("great_expectations.analytics") is not None:
    from great_expectations.analytics.config import ENV_CONFIG

    seen["config"] = ENV_CONFIG.gx_analytics_enabled
print("\\n" + json.dumps(seen))
"""


def _probe(entry: str, cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GX_ANALYTICS_ENABLED"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("ENTRY", entry)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _off(seen: dict) -> bool:
    return seen["at_import"] == "False" and seen["config"] in (None, False)


def test_the_tokki_command_switches_gx_analytics_off(data_dir: Path, tmp_path: Path):
    out = tmp_path / "out"
    entry = (
        "from importlib.metadata import entry_points\n"
        "main = entry_points(group='console_scripts')['tokki'].load()\n"
        f"code = main(['run', {str(data_dir)!r}, '--out', {str(out)!r}, "
        "'--no-history', '--no-datadocs', '--quiet'])\n"
        "assert code in (0, 1), code\n"
    )
    seen = _probe(entry, tmp_path)
    assert seen["gx"] and _off(seen)  # the run validated with GX
    assert (out / "findings.csv").is_file()


def test_python_m_suites_switches_gx_analytics_off(tmp_path: Path):
    entry = (
        "import runpy\n"
        f"sys.argv = ['suites', {str(tmp_path / 'suites')!r}]\n"
        "try:\n"
        "    runpy.run_module('tokki_analytics.gx.suites', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
    )
    seen = _probe(entry, tmp_path)
    assert seen["gx"] and _off(seen)  # the suites were checked with GX
    assert list((tmp_path / "suites").glob("*.json"))


def _imports(stem: str) -> str:
    """The import statements of a notebook's code cells, in order."""
    notebook = jupytext.read(NOTEBOOK_DIR / f"{stem}.ipynb")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    nodes = [n for n in ast.parse(code).body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert any("tokki_analytics" in ast.unparse(n) for n in nodes)
    return "\n".join(ast.unparse(n) for n in nodes)


@pytest.mark.parametrize("stem", [nb.stem for nb in NOTEBOOKS.values()])
def test_a_notebook_kernel_switches_gx_analytics_off(stem: str, tmp_path: Path):
    """A kernel JupyterLab starts inherits nothing from tokki: the notebook's imports do it."""
    assert _off(_probe(_imports(stem), tmp_path))
