"""An installed tokki is the same tool: a wheel, pip-installed, gives the checkout's findings.

The wheel is built from the working tree (pyproject.toml, README.md and the package, copied
to a temporary folder so that setuptools' build folders never land in the checkout) and
installed with pip into a fresh venv outside the checkout. Nothing is downloaded: the venv's
dependencies are the test environment's site-packages, reached through a ``.pth`` line (a
plain path: the editable install's import hook in that folder is not activated), so the
package itself can only come from the wheel (nbconvert's templates, data files of a
dependency, are found the same way through JUPYTER_PATH). Both copies then audit
data_samples from a folder outside the checkout.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DATA = ROOT / "data_samples"
CHECKOUT_ENV = os.environ | {
    "GX_ANALYTICS_ENABLED": "False",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "JUPYTER_PATH": str(Path(sys.prefix, "share", "jupyter")),
}
#: The installed copy runs without PYTHONPATH: only its venv may provide tokki_analytics.
ENV = {key: value for key, value in CHECKOUT_ENV.items() if key != "PYTHONPATH"}


def _run(args: list, cwd: Path, env: dict = ENV) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv holding tokki installed from a wheel of the working tree."""
    work = tmp_path_factory.mktemp("installed")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "tokki_analytics",
        src / "tokki_analytics",
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
    )
    pip = [sys.executable, "-m", "pip"]
    offline = ["--no-deps", "--no-index"]
    _run([*pip, "wheel", *offline, "--no-build-isolation", "-w", "dist", src], work)
    (wheel,) = (work / "dist").glob("tokki_analytics-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", "venv"], work)
    venv = work / "venv"
    python = venv / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], work)
    deps = "\n".join(site.getsitepackages()) + "\n"
    (Path(purelib.stdout.strip()) / "test_dependencies.pth").write_text(deps, encoding="utf-8")
    _run([*pip, "--python", python, "install", *offline, wheel], work)
    return venv


def _findings(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_installed_package_is_imported_from_the_venv_not_the_checkout(venv):
    code = "import tokki_analytics; print(tokki_analytics.__file__)"
    done = _run([venv / "bin" / "python", "-c", code], venv.parent)
    imported = Path(done.stdout.strip()).resolve()
    assert imported.is_relative_to(venv.resolve())
    assert not imported.is_relative_to(ROOT)


def test_the_installed_copy_reads_the_expectation_suites_of_its_wheel(venv):
    # package data: tokki_analytics/gx/expectations/*.json, found through importlib.resources
    code = "from tokki_analytics.gx.suites import SUITES_DIR; print(SUITES_DIR)"
    done = _run([venv / "bin" / "python", "-c", code], venv.parent)
    folder = Path(done.stdout.strip()).resolve()
    assert folder.is_relative_to(venv.resolve()) and folder.parts[-2:] == ("gx", "expectations")
    checkout = ROOT / "tokki_analytics" / "gx" / "expectations"
    shipped = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    assert shipped and shipped == {p.name: p.read_bytes() for p in checkout.glob("*.json")}


def test_an_installed_copy_gives_the_checkouts_findings(venv, tmp_path):
    # the same command, the same data, run from a folder outside the checkout
    args = ["run", DATA, "--no-history", "--no-datadocs", "--quiet", "--out"]
    _run([venv / "bin" / "tokki", *args, tmp_path / "installed"], tmp_path)
    command = [sys.executable, "-m", "tokki_analytics.cli", *args, tmp_path / "checkout"]
    _run(command, tmp_path, env=CHECKOUT_ENV)
    installed = _findings(tmp_path / "installed" / "findings.csv")
    checkout = _findings(tmp_path / "checkout" / "findings.csv")
    assert len(checkout) == 72
    assert {row["rule_id"] for row in installed} == {row["rule_id"] for row in checkout}
    assert installed == checkout
    compliance = [(tmp_path / x / "compliance.csv").read_bytes() for x in ("installed", "checkout")]
    assert compliance[0] == compliance[1]


def test_an_installed_copy_runs_the_briefing_notebook_it_ships(venv, tmp_path):
    tokki = venv / "bin" / "tokki"
    run = tmp_path / "run"
    _run([tokki, "run", DATA, "--out", run, "--no-history", "--no-datadocs", "--quiet"], tmp_path)
    out = tmp_path / "briefing"
    args = ["--data", DATA, "--contractor", "C001", "--run", run, "--out", out]
    _run([tokki, "notebook", "briefing", *args], tmp_path)
    executed = json.loads((out / "01_briefing.ipynb").read_text(encoding="utf-8"))
    source = Path(executed["metadata"]["papermill"]["input_path"]).resolve()
    assert source.is_relative_to(venv.resolve()) and source.name == "01_briefing.ipynb"
    errors = [
        o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert not errors
    assert "C001" in (out / "01_briefing.html").read_text(encoding="utf-8")
