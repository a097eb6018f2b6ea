"""Notebooks stay readable and bounded whatever the data (issue 9).

A contractor whose roster repeats one person 5,000 times (5,000 C3-1 findings) made the
briefing take minutes and 1.7 GB, and write a 104 MB notebook: every finding and every roster
row was drawn. The notebook now shows the first rows per clause and the most relevant
timeline rows, says how many it left out and where they are; the workbook keeps them all.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tokki_analytics.notebooks.briefing import FINDINGS_PER_CLAUSE, briefing, findings_table
from tokki_analytics.notebooks.timeline import TIMELINE_ROWS, timeline_rows
from tokki_analytics.pipeline import open_run, read_findings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data_samples"
ROWS = 5_000
#: What the run may use and write (before the fix: 1.7 GB, a 104 MB .ipynb, 36 MB HTML).
MAX_RSS_MB = 900
MAX_IPYNB_MB = 4
MAX_HTML_MB = 4

#: Runs a command and prints the peak memory (kB) of its process tree's largest process.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


ROSTER_ROW = [
    "R7-0011",
    "M9999",
    "山田 花子",
    "作業従事者",
    "正社員",
    "本社",
    dt.datetime(2025, 4, 1),
    None,
    None,  # 届出日 blank: C3-1
    dt.datetime(2025, 3, 20),
]
INCIDENT_ROW = [
    "INC-X",
    "R7-0011",
    dt.datetime(2025, 8, 26, 2, 0),
    dt.datetime(2025, 8, 26, 15, 0),
    dt.datetime(2025, 9, 30, 2, 0),  # reported a month late
    "電子メールの誤送信",
    1,
    "本社",
    "宛先の誤り",
    "無",
]


def flooded_folder(root: Path, rows: int, sheet: str = "作業従事者名簿", row=ROSTER_ROW) -> Path:
    """data_samples with ``rows`` more rows of ``sheet`` in C001 (by default one person)."""
    shutil.copytree(DATA, root)
    book = next(root.glob("C001_*")) / "提出書類一式.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    for n in range(rows):
        ws.append([f"{row[0]}-{n}" if sheet == "事故報告" else row[0], *row[1:]])
    wb.save(book)
    return root


def _run_measured(args: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Run a tokki command in a fresh process; its result and its peak memory (kB)."""
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(Path(sys.executable).with_name("tokki")), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    peak = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "0"
    return done, int(peak)


def _notebook_text(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for mime in ("text/html", "text/markdown", "text/plain"):
                value = output.get("data", {}).get(mime)
                if value:
                    parts.append(html.unescape("".join(value)))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def flooded_briefing(tmp_path_factory) -> tuple[Path, Path, int]:
    base = tmp_path_factory.mktemp("flood")
    data = flooded_folder(base / "data", ROWS)
    run = base / "run"
    done, _ = _run_measured(["run", str(data), "--out", str(run), "--no-history", "--quiet"])
    assert done.returncode == 0, done.stderr[-2000:]
    out = base / "nb"
    args = ["notebook", "briefing", "--data", str(data), "--contractor", "C001"]
    done, peak_kb = _run_measured([*args, "--run", str(run), "--out", str(out)])
    assert done.returncode == 0, done.stderr[-2000:]
    return run, out, peak_kb


def test_flooded_briefing_is_bounded(flooded_briefing):
    run, out, peak_kb = flooded_briefing
    ipynb, page = out / "01_briefing.ipynb", out / "01_briefing.html"
    assert ipynb.stat().st_size < MAX_IPYNB_MB * 1_000_000
    assert page.stat().st_size < MAX_HTML_MB * 1_000_000
    assert peak_kb < MAX_RSS_MB * 1024, f"peak memory {peak_kb // 1024} MB"


def test_flooded_briefing_says_what_it_left_out(flooded_briefing):
    run, out, _ = flooded_briefing
    findings = read_findings(run / "findings.csv")
    own = findings[findings["contractor_id"] == "C001"]
    per_clause = own["clause"].value_counts()
    c3 = int(per_clause["第3"])
    assert c3 > ROWS
    left = int((per_clause - 200).clip(lower=0).sum())
    text = _notebook_text(out / "01_briefing.ipynb")
    page = html.unescape((out / "01_briefing.html").read_text(encoding="utf-8"))
    for shown in (text, page):
        # the findings table: the first 200 per clause, the rest counted and pointed to
        assert f"ほか {left:,} 件（全件は briefing_C001.xlsx と findings.csv）" in shown
        assert f"{left:,} more rows are in briefing_C001.xlsx and findings.csv" in shown
        assert f"第3 ほか {c3 - 200:,} 件" in shown
        # the timeline: roster rows left out are counted
        assert "従事者" in shown and "表示していません" in shown


def test_flooded_briefing_workbook_keeps_every_finding(flooded_briefing):
    run, out, _ = flooded_briefing
    findings = read_findings(run / "findings.csv")
    own = findings[findings["contractor_id"] == "C001"]
    sheets = pd.read_excel(
        out / "briefing_C001.xlsx", sheet_name=None, dtype=str, engine="openpyxl"
    )
    assert len(sheets["指摘"]) == len(own)
    assert len(sheets["従事者"]) > ROWS
    # every finding's source row is filled in, not only those shown
    sheet = sheets["指摘"]
    c3 = sheet[sheet["条項"] == "第3"]
    assert len(c3) > ROWS
    assert (c3["元の行（記録の内容）"].fillna("") != "").all()


def test_the_package_caps_what_a_briefing_shows(flooded_briefing):
    run, _, _ = flooded_briefing
    data = run.parent / "data"
    brief = briefing(open_run(data, run, contractor="C001"), "C001")
    assert len(brief.staff) > ROWS
    shown = findings_table(brief)
    assert shown.shown["clause"].value_counts().max() == FINDINGS_PER_CLAUSE
    assert shown.omitted == len(brief.findings) - len(shown.shown) > 0
    parts = timeline_rows(brief)
    assert len(parts.staff) == TIMELINE_ROWS
    # the rows drawn are the first roster rows with findings, in roster order
    flagged = brief.staff[brief.staff_findings.to_numpy() > 0]
    assert len(flagged) > ROWS
    assert list(parts.staff["person_id"]) == list(flagged["person_id"].head(TIMELINE_ROWS))
    assert (brief.staff_findings > 0).sum() < len(brief.staff)  # some rows are clean
    assert f"従事者 {len(brief.staff):,} 件のうち {len(brief.staff) - TIMELINE_ROWS:,} 件" in (
        parts.note
    )


def test_thousands_of_incidents_give_a_bounded_incident_notebook(tmp_path):
    data = flooded_folder(tmp_path / "data", 2_000, "事故報告", INCIDENT_ROW)
    out = tmp_path / "nb"
    done, peak_kb = _run_measured(["notebook", "incidents", "--data", str(data), "--out", str(out)])
    assert done.returncode == 0, done.stderr[-2000:]
    page = html.unescape((out / "04_incidents.html").read_text(encoding="utf-8"))
    assert "報告の遅れが大きい 40 件を描いています" in page
    assert "ほか 1,8" in page  # the incident table: the first 200 rows and a count of the rest
    assert (out / "04_incidents.html").stat().st_size < MAX_HTML_MB * 1_000_000
    assert (out / "04_incidents.ipynb").stat().st_size < MAX_IPYNB_MB * 1_000_000
    assert peak_kb < MAX_RSS_MB * 1024, f"peak memory {peak_kb // 1024} MB"
