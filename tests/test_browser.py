"""The report in a real browser (Debian's Chromium, headless, driven by playwright).

The page must render with no network: every request it makes is recorded, and any
request that is not a local file or inline data fails the test. The contractors × clauses
table of index.html sorts by keyboard and keeps its header in view; screenshots are left
in the temporary folder (``tokki_index*.png``) to look at.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, require_installed

from tokki_analytics.render.html_grid import GRID_ID
from tokki_analytics.vocab import rule_clauses

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

#: Screenshots of the pages, to look at (they stay after the test).
SHOTS = Path(tempfile.gettempdir())

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


def test_index_shows_the_clause_table_and_japanese_text_offline(browser, report_dir: Path):
    page, remote = _open(browser, report_dir / "index.html", SHOTS / "tokki_index.png")
    assert remote == []
    rows = page.locator(f"#{GRID_ID} tbody tr")
    assert rows.count() > 3 and rows.first.locator("th a").is_visible()
    text = page.inner_text("body")
    assert "監査基準日" in text and "受託者" in text and "未評価" in text
    page.close()


def _column(page, col: int) -> list[str]:
    """The text of column ``col`` (0 = the contractor) of the clause table, top to bottom."""
    return page.eval_on_selector_all(
        f"#{GRID_ID} tbody tr",
        f"rows => rows.map(r => r.children[{col}].textContent.trim())",
    )


def _number(text: str) -> float | None:
    digits = re.sub(r"[^0-9.]", "", text)
    return float(digits) if digits else None


def _aria_sort(page) -> list[str | None]:
    return page.eval_on_selector_all(
        f"#{GRID_ID} thead th", "ths => ths.map(t => t.getAttribute('aria-sort'))"
    )


def test_sorting_by_a_clause_and_by_risk_works_by_keyboard(browser, report_dir: Path):
    page, _ = _open(browser, report_dir / "index.html", SHOTS / "tokki_index_load.png")
    risk_order = _column(page, 0)
    clauses = rule_clauses()
    col = 2 + clauses.index("第3")  # contractor, risk score, then the clauses
    button = page.locator(f"#{GRID_ID} thead th").nth(col).locator("button")
    button.focus()
    page.keyboard.press("Enter")
    texts = _column(page, col)
    rates = [_number(t) for t in texts]
    known = [r for r in rates if r is not None]
    assert known == sorted(known) and len(set(known)) > 1  # lowest rate first
    assert rates[len(known) :] == [None] * (len(rates) - len(known))  # 未評価 last
    assert _aria_sort(page)[col] == "ascending" and _aria_sort(page)[1] is None
    assert _column(page, 0) != risk_order
    page.locator(f"#{GRID_ID}").screenshot(path=str(SHOTS / "tokki_index_sorted.png"))
    page.keyboard.press("Space")  # the same button again: the other way round
    known = [r for r in map(_number, _column(page, col)) if r is not None]
    assert known == sorted(known, reverse=True)
    assert _aria_sort(page)[col] == "descending"

    risk = page.locator(f"#{GRID_ID} thead th").nth(1).locator("button")
    risk.focus()
    page.keyboard.press("Enter")
    scores = [float(t) for t in _column(page, 1)]
    assert scores == sorted(scores, reverse=True) and _column(page, 0) == risk_order
    assert _aria_sort(page)[1] == "descending" and _aria_sort(page)[col] is None
    page.close()


def test_the_table_header_and_first_column_stay_in_view(browser, report_dir: Path):
    page = browser.new_page(viewport={"width": 700, "height": 260})
    page.goto((report_dir / "index.html").as_uri())
    box = page.locator(f"#{GRID_ID}").locator("xpath=..")
    box.scroll_into_view_if_needed()
    scrolled = box.evaluate("b => { b.scrollTop = 120; b.scrollLeft = 200; return b.scrollTop; }")
    assert scrolled > 0, "the table scrolls inside its box"
    frame = box.bounding_box()
    head = page.locator(f"#{GRID_ID} thead th").nth(3).bounding_box()
    first = page.locator(f"#{GRID_ID} tbody th").nth(4).bounding_box()
    assert abs(head["y"] - frame["y"]) <= 2, (head, frame)  # the border of the box
    assert abs(first["x"] - frame["x"]) <= 2, (first, frame)
    page.screenshot(path=str(SHOTS / "tokki_index_scrolled.png"))
    page.close()


def test_a_contractor_page_renders_offline(browser, report_dir: Path):
    pages = sorted((report_dir / "contractors").glob("*.html"))
    assert pages
    page, remote = _open(browser, pages[0], SHOTS / "tokki_contractor.png")
    assert remote == []
    text = page.inner_text("body")
    assert "不適合" in text or "適合" in text
    page.close()
