"""Follow-up in the reports: index.html counts, contractor pages, --fail-on overdue, stderr."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT

import tokki_analytics
from tokki_analytics.cli import main
from tokki_analytics.followup import ACCEPTED, INSTRUCTED, LABELS, OVERDUE, SHEET_OPEN
from tokki_analytics.followup_report import SUMMARY_COLUMNS, run_follow_up
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX
from tokki_analytics.status import risk_ranking

AS_OF_1, AS_OF_2 = dt.date(2026, 1, 31), dt.date(2026, 3, 3)
BAD_STATE = "済み"


def _run(data: Path, out: Path, as_of: dt.date, *extra: str) -> int:
    args = ["run", str(data), "--out", str(out), "--as-of", str(as_of)]
    return main([*args, "--no-history", "--no-datadocs", *extra])


def _col(ws: openpyxl.worksheet.worksheet.Worksheet, key: str) -> int:
    return [c.value for c in ws[1]].index(LABELS[key]) + 1


def _row(ws: openpyxl.worksheet.worksheet.Worksheet, rule: str, contractor: str, text: str) -> int:
    rule_c, cid_c, detail_c = (_col(ws, k) for k in ("rule_id", "contractor_id", "detail"))
    (row,) = [
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, rule_c).value == rule
        and ws.cell(r, cid_c).value == contractor
        and text in str(ws.cell(r, detail_c).value or "")
    ]
    return row


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose follow-up record an auditor edited after run 1."""
    base = tmp_path_factory.mktemp("followup_report")
    data = base / "data"
    shutil.copytree(ROOT / "data_samples", data)
    assert _run(data, base / "out1", AS_OF_1, "--quiet") == 0
    book = openpyxl.load_workbook(base / "out1" / FOLLOWUP_XLSX)
    ws = book[SHEET_OPEN]
    overdue = _row(ws, "Q2", "C001", "嘱託")
    for key, value in (
        ("state", INSTRUCTED),
        ("instructed_on", dt.date(2026, 2, 5)),
        ("due_on", dt.date(2026, 2, 28)),
    ):
        ws.cell(overdue, _col(ws, key)).value = value
    accepted = _row(ws, "Q3", "C008", "C008")
    ws.cell(accepted, _col(ws, "state")).value = ACCEPTED
    ws.cell(accepted, _col(ws, "reason")).value = "説明書受領"
    bad = next(r for r in range(2, ws.max_row + 1) if r not in (overdue, accepted))
    ws.cell(bad, _col(ws, "state")).value = BAD_STATE
    book.save(data / FOLLOWUP_FILE)
    return data


@pytest.fixture(scope="module")
def second(edited: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("second") / "out"
    assert _run(edited, out, AS_OF_2, "--quiet") == 0
    return out


def _followup_counts(index_html: str, contractor: str) -> dict[str, int]:
    section = index_html.split('<table class="followup">', 1)[1].split("</table>", 1)[0]
    (row,) = [r for r in section.split("<tr>") if f"contractors/{contractor}.html" in r]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    return dict(zip(SUMMARY_COLUMNS, map(int, cells[2:]), strict=True))


def test_index_shows_the_follow_up_counts_of_a_contractor(second: Path) -> None:
    page = (second / "index.html").read_text("utf-8")
    assert "指摘対応の状況" in page and FOLLOWUP_FILE in page
    for label in SUMMARY_COLUMNS.values():
        assert label in page
    findings = pd.read_csv(second / "findings.csv", dtype=str)
    c001 = int((findings["contractor_id"] == "C001").sum())
    counts = _followup_counts(page, "C001")
    assert counts == {
        "open": c001 - 1,
        "instructed": 1,
        "overdue": 1,
        "recurring": 0,
        "accepted": 0,
    }
    assert _followup_counts(page, "C008")["accepted"] == 1
    assert "記録の問題 1 件" in page


def test_contractor_page_shows_state_and_dates(second: Path) -> None:
    page = (second / "contractors" / "C001.html").read_text("utf-8")
    follow = page.split("指摘対応 <span", 1)[1]
    assert f"<b>{OVERDUE}</b>" in follow
    assert "2026-02-05" in follow and "2026-02-28" in follow
    for key in ("instructed_on", "due_on"):
        assert LABELS[key] in follow
    accepted = (second / "contractors" / "C008.html").read_text("utf-8")
    assert ACCEPTED in accepted and "スコア対象外" in accepted  # listed, marked


def test_accepted_findings_leave_the_risk_score(edited: Path) -> None:
    audit = tokki_analytics.audit(edited, as_of=AS_OF_2)
    followup = run_follow_up(audit)
    assert len(followup.accepted) == 1
    before = risk_ranking(audit).set_index("contractor_id")
    after = risk_ranking(audit, leave_out=followup.accepted).set_index("contractor_id")
    assert after.at["C008", "weighted_failures"] < before.at["C008", "weighted_failures"]
    others = before.index.drop("C008")
    pd.testing.assert_series_equal(
        after.loc[others, "weighted_failures"], before.loc[others, "weighted_failures"]
    )


def test_fail_on_overdue(edited: Path, tmp_path: Path) -> None:
    assert _run(edited, tmp_path / "late", AS_OF_2, "--quiet", "--fail-on", "overdue") == 1
    early = dt.date(2026, 2, 20)  # before the deadline: nothing overdue
    assert _run(edited, tmp_path / "early", early, "--quiet", "--fail-on", "overdue") == 0


def test_record_problems_reach_stderr(
    edited: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(edited, tmp_path / "o", AS_OF_2) == 0
    captured = capsys.readouterr()
    assert f"シート「{SHEET_OPEN}」" in captured.err and BAD_STATE in captured.err
    assert "problems in the follow-up record" in captured.err
    assert BAD_STATE not in captured.out
    assert "期限超過の指示 (overdue instructions): 1 件" in captured.out
    assert _run(edited, tmp_path / "q", AS_OF_2, "--quiet") == 0
    assert BAD_STATE not in capsys.readouterr().err
