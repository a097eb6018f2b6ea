"""``make test`` on a fresh machine plans the install of every system package it needs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, require_installed

UNO = "/usr/lib/python3/dist-packages/uno.py"


def _plan(
    tmp_path: Path, chromium: str, font: str, office: str = "/usr/bin/soffice", uno: str = UNO
) -> str:
    """What ``make -n test`` would run with the Makefile's default paths set to these.

    The Makefile is copied with its defaults replaced, not given overrides on the command
    line: a variable given there is defined before make reads any rule, which would hide a
    prerequisite that expands to nothing because it is defined below its rule.
    """
    make = shutil.which("make")
    assert make, "make is needed to run the project's own commands"
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "/usr/bin/chromium" in text and "ipaexg.ttf" in text and "/usr/bin/soffice" in text
    assert UNO in text
    text = text.replace("/usr/bin/chromium", chromium).replace("/usr/bin/soffice", office)
    text = text.replace(UNO, uno)
    text = re.sub(r"/usr/share/fonts/\S+/ipaexg\.ttf", font, text)
    makefile = tmp_path / "Makefile"
    makefile.write_text(text, encoding="utf-8")
    overrides = ("CHROMIUM", "JA_FONT", "LIBREOFFICE", "UNO_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in overrides}
    done = subprocess.run(
        [make, "-n", "-f", str(makefile), "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def test_make_test_installs_chromium_and_a_japanese_font_when_missing(tmp_path: Path):
    plan = _plan(
        tmp_path, "/nonexistent/chromium", "/nonexistent/ipaexg.ttf", "/nonexistent/so", "/no/uno"
    )
    lines = [line for line in plan.splitlines() if "apt-get install" in line]
    assert any("--no-install-recommends chromium" in line for line in lines), plan
    assert any("fonts-ipaexfont-gothic" in line for line in lines), plan
    assert any("libreoffice-calc-nogui" in line for line in lines), plan
    assert any("python3-uno" in line for line in lines), plan
    # the packages are installed before the tests run
    assert plan.index("chromium") < plan.index("-m pytest")


def test_make_test_plans_no_install_when_the_packages_are_there(tmp_path):
    present = tmp_path / "chromium"
    font = tmp_path / "font.ttf"
    office = tmp_path / "soffice"
    uno = tmp_path / "uno.py"
    for path in (uno, present, font, office):  # LibreOffice newer than its bridge: still nothing
        path.touch()
    plan = _plan(tmp_path, str(present), str(font), str(office), str(uno))
    assert "apt-get install" not in plan


def test_a_missing_browser_fails_in_ci_rather_than_skipping(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_installed("/nonexistent/chromium", "Debian's chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_installed("/nonexistent/chromium", "Debian's chromium")
