"""Run every notebook top to bottom inside JupyterLab, as an auditor would, and report.

Starts JupyterLab exactly as ``make lab`` does (same flags, on 127.0.0.1), on a copy of
``tokki_analytics/notebooks/`` laid out as in the checkout, next to a link to
``data_samples/`` (so the notebooks' default parameters and the Makefile's settings folder
work, and the committed notebooks stay without outputs). Debian's Chromium, driven by
playwright, opens each notebook, chooses Run ▸ Run All Cells, waits for the kernel, saves,
and the saved notebook is checked: every code cell ran, no error output, one chart with
alternative text where the notebook draws one. It also records every request the page makes
and fails on any that leaves 127.0.0.1.

Usage: ``.venv/bin/python scripts/check_lab.py [STEM ...]`` (exit 0 when every notebook
passes). ``tests/test_lab.py`` runs it on the briefing.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

from tokki_analytics.notebooks.nbrun import NOTEBOOKS as DECLARED

ROOT = Path(__file__).resolve().parent.parent
#: The notebooks folder, relative to the checkout (as ``make lab`` opens it).
NOTEBOOK_DIR = Path("tokki_analytics", "notebooks")
#: The notebooks' file stems (declared once, in tokki_analytics.notebooks.nbrun).
NOTEBOOKS = [nb.stem for nb in DECLARED.values()]
#: Notebooks whose chart is drawn from stored runs (``history_dir``): in JupyterLab, with the
#: default parameters, they have none to draw.
CHART_FROM_HISTORY = {nb.stem for nb in DECLARED.values() if "history_dir" in nb.parameters}
CHROMIUM = "/usr/bin/chromium"


def lab_flags() -> list[str]:
    """The ``LAB_FLAGS`` of the Makefile (one source: the Makefile)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("LAB_FLAGS :="))
    return line.split(":=", 1)[1].split()


def free_port() -> int:
    """A TCP port free on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    """Wait until ``url`` answers (the server is up)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def run_all(page, base: str, token: str, stem: str, timeout_s: float = 240) -> None:
    """Open a notebook in JupyterLab, run all cells, wait for the kernel, save."""
    page.goto(f"{base}/lab/tree/{stem}.ipynb?reset&token={token}")  # only this notebook open
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    for _ in range(3):  # a click while the kernel is still connecting can be dropped
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        time.sleep(5)
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        if any(p.strip() not in ("[ ]:", "") for p in prompts):
            break
    end = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < end:
        # Off-screen cells are not rendered (windowed notebook): watch the last cell, which
        # runs last, and the kernel's status; the saved file is checked cell by cell. Run All
        # stops at a failing cell: the prompts then stop changing while the kernel is idle.
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        busy = page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']").count()
        if prompts and not busy and re.fullmatch(r"\[\d+\]:", prompts[-1].strip()):
            break
        if prompts != last:
            last, since = prompts, time.monotonic()
        elif (
            not busy
            and "[*]:" not in [p.strip() for p in prompts]
            and time.monotonic() - since > 15
        ):
            break
        time.sleep(1)
    page.keyboard.press("Control+s")
    time.sleep(2)


def check_saved(path: Path) -> list[str]:
    """Problems in a notebook saved after Run All (empty when it ran cleanly)."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.execution_count is None for c in code):
        problems.append("a code cell did not run (Run All stopped or timed out)")
    for cell in code:
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"error: {out.ename}: {out.evalue}")
    htmls = [o.data.get("text/html", "") for c in code for o in c.outputs if "data" in o]
    charts = [h for h in htmls if "<img" in h]
    if path.stem not in CHART_FROM_HISTORY and not (charts and all('alt="' in h for h in charts)):
        problems.append("no chart with alternative text")
    return problems


def main(stems: list[str] | None = None) -> int:
    """Run the check on ``stems`` (default: all); print one line each; 1 on any problem."""
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="tokki-lab-"))
    (work / "data_samples").symlink_to(ROOT / "data_samples")
    shutil.copytree(ROOT / NOTEBOOK_DIR, work / NOTEBOOK_DIR)  # .lab-settings included
    token, port = secrets.token_hex(16), free_port()
    env = os.environ | {"GX_ANALYTICS_ENABLED": "False", "JUPYTER_RUNTIME_DIR": str(work / "rt")}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/jupyter"), "lab", str(NOTEBOOK_DIR), "--no-browser"]
        + [f"--port={port}"]
        + [f"--IdentityProvider.token={token}", *lab_flags()]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "lab.log", "w"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    failed = 0
    outside: list[str] = []
    try:
        wait_for(f"{base}/api/status?token={token}")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for stem in stems or NOTEBOOKS:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.on("request", lambda r: outside.append(r.url))
                started = time.monotonic()
                run_all(page, base, token, stem)
                page.close()
                problems = check_saved(work / NOTEBOOK_DIR / f"{stem}.ipynb")
                took = time.monotonic() - started
                print(f"{stem}: {'OK' if not problems else 'FAIL'} ({took:.0f} s) {problems or ''}")
                failed += bool(problems)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    outside = sorted({u for u in outside if not u.startswith((base, "data:", "blob:"))})
    if outside:
        print(f"requests outside this machine: {outside}")
        failed += 1
    print(f"log: {work / 'lab.log'}")
    if not failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
