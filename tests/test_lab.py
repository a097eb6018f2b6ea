"""The briefing runs top to bottom inside JupyterLab started as ``make lab`` starts it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_lab.py"


@pytest.fixture(scope="module")
def check_lab():
    spec = importlib.util.spec_from_file_location("check_lab", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not Path(module.CHROMIUM).exists():
        pytest.fail(f"{module.CHROMIUM} is missing: `make test` installs it")
    return module


def test_make_lab_flags_keep_lab_on_this_machine(check_lab):
    flags = check_lab.lab_flags()
    assert "--ServerApp.ip=127.0.0.1" in flags
    assert "--LabApp.news_url=None" in flags
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in flags
    assert "--LabApp.extension_manager=readonly" in flags


def test_briefing_runs_all_cells_in_jupyterlab(check_lab, capsys):
    assert check_lab.main(["01_briefing"]) == 0, capsys.readouterr().out
    assert "01_briefing: OK" in capsys.readouterr().out
