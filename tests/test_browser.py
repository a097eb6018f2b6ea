"""The report in a real browser (Debian's Chromium, headless, driven by playwright).

The page must render with no network: every request it makes is recorded, and any
request that is not a local file or inline data fails the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, require_installed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.usefixtures("chromium_present")


@pytest.fixture(scope="module")
def chromium_present() -> None:
    require_installed(CHROMIUM, "Debian's chromium")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    from tokki_analytics.cli import main

    out = tmp_path_factory.mktemp("report")
    args = ["run", str(ROOT / "data_samples"), "--out", str(out), "--quiet"]
    assert main([*args, "--history", str(out.parent / "history")]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _open(browser, path: Path, shot: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=True)
    return page, [u for u in requests if not u.startswith(("file://", "data:"))]


def test_index_shows_the_heatmap_and_japanese_text_offline(browser, report_dir: Path):
    page, remote = _open(browser, report_dir / "index.html", report_dir / "index.png")
    assert remote == []
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert widths and all(w > 100 for w in widths), "the heatmap image shows"
    text = page.inner_text("body")
    assert "監査基準日" in text and "受託者" in text
    page.close()


def test_a_contractor_page_renders_offline(browser, report_dir: Path):
    pages = sorted((report_dir / "contractors").glob("*.html"))
    assert pages
    page, remote = _open(browser, pages[0], report_dir / "contractor.png")
    assert remote == []
    text = page.inner_text("body")
    assert "不適合" in text or "適合" in text
    page.close()
