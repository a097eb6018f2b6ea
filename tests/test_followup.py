"""Follow-up of findings: two runs a month apart, the workbook edited in between as in Excel."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT

import tokki_analytics
from tokki_analytics.followup import (
    ACCEPTED,
    CONFIRMED,
    INSTRUCTED,
    LABELS,
    NEW,
    OVERDUE,
    RECURRED,
    REPORTED,
    RESOLVED,
    SHEET_CLOSED,
    SHEET_GUIDE,
    SHEET_OPEN,
    STATES,
    UNPLACED,
    carry_over,
    read_record,
)
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.history import finding_identities
from tokki_analytics.masking import roster
from tokki_analytics.publish import RUN_ENTRIES, Options, publish
from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX, Origin, write_followup_xlsx

AS_OF_1, AS_OF_2 = dt.date(2026, 1, 31), dt.date(2026, 3, 3)
#: The finding that vanishes: the unreadable file of C002 (Q0), deleted before run 2.
GONE_FILE = "C002_有限会社玉野ソリューションズ/バックアップ.xlsx"


def _run(data: Path, out: Path, as_of: dt.date) -> Path:
    audit = tokki_analytics.audit(data, as_of=as_of)
    publish(audit, out, Options(datadocs=False))
    return out / FOLLOWUP_XLSX


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict]:
    """Each data row as {label: value, "_row": its row number}."""
    header = [cell.value for cell in ws[1]]
    return [
        {**dict(zip(header, (cell.value for cell in row), strict=True)), "_row": row[0].row}
        for row in ws.iter_rows(min_row=2)
        if any(cell.value is not None for cell in row)
    ]


def _find(rows: list[dict], rule: str, contractor: str, text: str) -> dict:
    (row,) = [
        r
        for r in rows
        if r[LABELS["rule_id"]] == rule
        and r[LABELS["contractor_id"]] == contractor
        and text in (r[LABELS["detail"]] or "")
    ]
    return row


def _day(value: object) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else None


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run 1, the auditor's edits, a changed data folder, run 2."""
    base = tmp_path_factory.mktemp("followup")
    data = base / "data"
    shutil.copytree(ROOT / "data_samples", data)
    first = _run(data, base / "out1", AS_OF_1)
    book = openpyxl.load_workbook(first)
    ws = book[SHEET_OPEN]
    rows = _rows(ws)
    col = {key: [c.value for c in ws[1]].index(label) + 1 for key, label in LABELS.items()}

    def edit(row: dict, **values: object) -> str:
        for key, value in values.items():
            ws.cell(row=row["_row"], column=col[key]).value = value
        return str(row[LABELS["finding_id"]])

    picks = {
        "overdue": edit(
            _find(rows, "Q2", "C001", "嘱託"),
            state=INSTRUCTED,
            instructed_on=dt.date(2026, 2, 5),
            due_on=dt.date(2026, 2, 28),
            memo="電話で指示",
        ),
        "instructed": edit(
            _find(rows, "Q2", "C002", "入場"),
            state=INSTRUCTED,
            instructed_on=dt.date(2026, 2, 5),
            due_on=dt.date(2026, 4, 30),
        ),
        "accepted": edit(
            _find(rows, "Q3", "C008", "C008"),
            state=ACCEPTED,
            reason="契約は別部署の一覧で管理（説明書受領）",
        ),
        "recurred": edit(
            _find(rows, "Q2", "C004", "重複"),
            state=CONFIRMED,
            confirmed_on=dt.date(2026, 2, 20),
        ),
        "gone": edit(
            _find(rows, "Q0", "C002", "破損"),
            state=REPORTED,
            reported_on=dt.date(2026, 2, 10),
            memo="ファイル差し替え済みとの報告",
        ),
    }
    book.save(data / FOLLOWUP_FILE)  # the one step: save it as DATA/指摘対応記録.xlsx
    written = {str(r[LABELS["finding_id"]]) for r in rows}
    (data / GONE_FILE).unlink()
    second = _run(data, base / "out2", AS_OF_2)
    return {
        "data": data,
        "base": base,
        "first": first,
        "second": second,
        "picks": picks,
        "written": written,
    }


def _by_id(path: Path, sheet: str) -> dict[str, dict]:
    return {str(r[LABELS["finding_id"]]): r for r in _rows(openpyxl.load_workbook(path)[sheet])}


def test_every_run_writes_the_workbook(cycle: dict) -> None:
    assert FOLLOWUP_XLSX in RUN_ENTRIES
    book = openpyxl.load_workbook(cycle["first"])
    assert book.sheetnames[:3] == [SHEET_GUIDE, SHEET_OPEN, SHEET_CLOSED]
    guide = " ".join(str(c.value) for row in book[SHEET_GUIDE].iter_rows() for c in row)
    assert FOLLOWUP_FILE in guide and "2026-01-31" in guide
    ws = book[SHEET_OPEN]
    assert [c.value for c in ws[1]] == list(LABELS.values())
    findings = pd.read_csv(cycle["first"].parent / "findings.csv")
    assert len(_rows(ws)) == len(findings)  # every finding of the run, one row each
    (check,) = ws.data_validations.dataValidation
    assert check.type == "list"
    assert check.formula1 == '"' + ",".join(state.name for state in STATES) + '"'
    assert "G2" in str(check.sqref)  # 状態 is the 7th column
    assert {r[LABELS["state"]] for r in _rows(ws)} == {NEW}


def test_states_are_carried_over_and_derived(cycle: dict) -> None:
    picks = cycle["picks"]
    open_items = _by_id(cycle["second"], SHEET_OPEN)
    closed = _by_id(cycle["second"], SHEET_CLOSED)
    state, derived = LABELS["state"], LABELS["derived"]
    overdue = open_items[picks["overdue"]]
    assert (overdue[state], overdue[derived]) == (INSTRUCTED, OVERDUE)
    assert _day(overdue[LABELS["due_on"]]) == dt.date(2026, 2, 28)  # a date, not text
    assert _day(overdue[LABELS["instructed_on"]]) == dt.date(2026, 2, 5)
    assert overdue[LABELS["memo"]] == "電話で指示"
    instructed = open_items[picks["instructed"]]
    assert (instructed[state], instructed[derived]) == (INSTRUCTED, None)
    accepted = open_items[picks["accepted"]]
    assert (accepted[state], accepted[derived]) == (ACCEPTED, None)
    assert accepted[LABELS["reason"]] == "契約は別部署の一覧で管理（説明書受領）"
    recurred = open_items[picks["recurred"]]
    assert (recurred[state], recurred[derived]) == (CONFIRMED, RECURRED)
    gone = closed[picks["gone"]]
    assert (gone[state], gone[derived]) == (REPORTED, RESOLVED)
    assert _day(gone[LABELS["reported_on"]]) == dt.date(2026, 2, 10)
    assert gone[LABELS["memo"]] == "ファイル差し替え済みとの報告"
    assert picks["gone"] not in open_items


def test_no_row_the_auditors_wrote_is_lost(cycle: dict) -> None:
    open_items = _by_id(cycle["second"], SHEET_OPEN)
    closed = _by_id(cycle["second"], SHEET_CLOSED)
    assert cycle["written"] <= set(open_items) | set(closed)
    assert not set(open_items) & set(closed)


def test_resolved_then_found_again_is_recurring(cycle: dict) -> None:
    data, base = cycle["data"], cycle["base"]
    shutil.copy(cycle["second"], data / FOLLOWUP_FILE)  # saved back unedited
    shutil.copy(ROOT / "data_samples" / GONE_FILE, data / GONE_FILE)
    third = _run(data, base / "out3", AS_OF_2)
    gone = cycle["picks"]["gone"]
    row = _by_id(third, SHEET_OPEN)[gone]
    assert (row[LABELS["state"]], row[LABELS["derived"]]) == (REPORTED, RECURRED)
    assert gone not in _by_id(third, SHEET_CLOSED)


def test_names_are_masked(cycle: dict) -> None:
    audit = tokki_analytics.audit(cycle["data"], as_of=AS_OF_2)
    names = [name for name in roster(audit) if len(name) > 1]
    book = openpyxl.load_workbook(cycle["second"])
    text = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    assert names and not [name for name in names if name in text]


@pytest.fixture(scope="module")
def run_findings(cycle: dict) -> tuple[pd.DataFrame, pd.Series]:
    audit = tokki_analytics.audit(cycle["data"], as_of=AS_OF_2)
    return audit.findings, finding_identities(audit.findings)


def test_bad_edits_name_sheet_and_row_and_the_rest_applies(
    cycle: dict, run_findings: tuple[pd.DataFrame, pd.Series], tmp_path: Path
) -> None:
    findings, identities = run_findings
    book = openpyxl.load_workbook(cycle["second"])
    ws = book[SHEET_OPEN]
    col = {key: [c.value for c in ws[1]].index(label) + 1 for key, label in LABELS.items()}
    ids = [ws.cell(row=r, column=col["finding_id"]).value for r in (2, 3, 4, 5, 6)]
    assert not set(ids) & set(cycle["picks"].values())
    ws.cell(row=2, column=col["finding_id"]).value = "abc"
    ws.cell(row=3, column=col["state"]).value = "済み"
    ws.cell(row=4, column=col["due_on"]).value = "来週"
    ws.cell(row=5, column=col["state"]).value = ACCEPTED
    ws.cell(row=5, column=col["reason"]).value = None
    ws.cell(row=6, column=col["state"]).value = REPORTED
    ws.cell(row=6, column=col["reported_on"]).value = "2026/02/15"  # a date typed as text
    path = tmp_path / FOLLOWUP_FILE
    book.save(path)
    record = read_record(path)
    open_items, closed, problems = carry_over(record.rows, findings, identities, AS_OF_2)
    texts = [problem.text for problem in problems]
    for row, word in ((2, "abc"), (3, "済み"), (4, "来週"), (5, ACCEPTED)):
        assert any(f"シート「{SHEET_OPEN}」{row}行目" in t and word in t for t in texts), row
    assert len(texts) == 4
    by_id = open_items.set_index("finding_id")
    assert by_id.loc[ids[1], "state"] == NEW and "済み" in by_id.loc[ids[1], "memo"]
    assert "来週" in by_id.loc[ids[2], "memo"] and by_id.loc[ids[2], "due_on"] is None
    assert by_id.loc[ids[3], "state"] == NEW and ACCEPTED in by_id.loc[ids[3], "memo"]
    assert by_id.loc[ids[4], "state"] == REPORTED
    assert by_id.loc[ids[4], "reported_on"] == dt.date(2026, 2, 15)
    kept = closed[closed["finding_id"] == "abc"]
    assert list(kept["derived"]) == [UNPLACED]  # kept for the auditors, not dropped
    assert by_id.loc[cycle["picks"]["overdue"], "derived"] == OVERDUE  # the rest applies


def test_a_workbook_of_another_folder_is_merged_with_a_warning(cycle: dict, tmp_path: Path) -> None:
    data = tmp_path / "other"
    shutil.copytree(cycle["data"], data)
    out = _run(data, tmp_path / "out", AS_OF_2)
    book = openpyxl.load_workbook(out)
    problems = " ".join(str(c.value) for row in book["読込結果"].iter_rows() for c in row)
    assert "別のデータフォルダ" in problems
    row = _by_id(out, SHEET_OPEN)[cycle["picks"]["overdue"]]
    assert row[LABELS["state"]] == INSTRUCTED


def test_formula_like_text_round_trips_as_text(
    cycle: dict, run_findings: tuple[pd.DataFrame, pd.Series], tmp_path: Path
) -> None:
    findings, identities = run_findings
    record = read_record(cycle["second"]).rows.copy()
    record.loc[record.index[0], "memo"] = '=HYPERLINK("http://x")'
    open_items, closed, _ = carry_over(record, findings, identities, AS_OF_2)
    origin = Origin("0" * 16, "data", AS_OF_2)
    path = write_followup_xlsx(tmp_path / FOLLOWUP_XLSX, open_items, closed, [], origin)
    ws = openpyxl.load_workbook(path)[SHEET_OPEN]
    memos = [row[LABELS["memo"]] for row in _rows(ws)]
    assert all(not (m or "").startswith("=") for m in memos)  # never a formula in Excel
    again = read_record(path).rows
    assert '=HYPERLINK("http://x")' in set(again["memo"])  # read back as written
