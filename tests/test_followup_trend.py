"""The history store keeps each run's follow-up states: a trend of open and overdue items."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
from conftest import ROOT

from tokki_analytics.cli import main
from tokki_analytics.followup import INSTRUCTED, LABELS, SHEET_OPEN
from tokki_analytics.followup_report import followup_trend
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.pipeline import read_findings
from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX


def test_open_and_overdue_items_per_run(tmp_path):
    data, store = tmp_path / "data", tmp_path / "history"
    shutil.copytree(ROOT / "data_samples", data)

    def run(out: str, as_of: str) -> None:
        args = ["run", str(data), "--out", str(tmp_path / out), "--history", str(store)]
        assert main([*args, "--as-of", as_of, "--quiet"]) in (0, 1)

    run("out1", "2026-01-31")
    found = len(read_findings(tmp_path / "out1" / "findings.csv"))
    book = openpyxl.load_workbook(tmp_path / "out1" / FOLLOWUP_XLSX)
    ws = book[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    ws.cell(row=2, column=col["state"]).value = INSTRUCTED
    ws.cell(row=2, column=col["instructed_on"]).value = dt.date(2026, 2, 1)
    ws.cell(row=2, column=col["due_on"]).value = dt.date(2026, 2, 15)
    book.save(data / FOLLOWUP_FILE)
    run("out2", "2026-03-03")

    trend = followup_trend(store, data)
    assert trend["as_of"].tolist() == ["2026-01-31", "2026-03-03"]
    assert trend["未対応"].tolist()[0] == found
    assert trend["是正指示済"].tolist() == [0, 1]
    assert trend["期限超過"].tolist() == [0, 1]

    first_page = (tmp_path / "out1" / "index.html").read_text(encoding="utf-8")
    assert "指摘対応の推移" not in first_page  # one run: nothing to draw yet
    page = (tmp_path / "out2" / "index.html").read_text(encoding="utf-8")
    section = page[page.index("<h3>指摘対応の推移") :]
    latest = trend.iloc[-1]
    assert (
        f'aria-label="指摘対応の推移（最新: 未対応 {latest["未対応"]} 件、是正指示済 1 件、'
        f'期限超過 1 件、再発 {latest["再発"]} 件）"'
    ) in section
    assert "<td>2026-03-03</td>" in section and "<td>2026-01-31</td>" in section


def test_comparison_ranks_contractors_by_overdue_items(tmp_path):
    import tokki_analytics
    from tokki_analytics.notebooks.analysis import overdue_ranking
    from tokki_analytics.publish import Options, publish

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    first = tokki_analytics.audit(data, as_of=dt.date(2026, 1, 31))
    assert overdue_ranking(first).empty  # no record yet: nobody instructed
    publish(first, tmp_path / "out", Options(datadocs=False))
    book = openpyxl.load_workbook(tmp_path / "out" / FOLLOWUP_XLSX)
    ws = book[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    by_contractor: dict[str, list[int]] = {}
    for row in range(2, ws.max_row + 1):
        code = ws.cell(row=row, column=col["contractor_id"]).value
        by_contractor.setdefault(str(code), []).append(row)
    one, two = sorted(c for c, rows in by_contractor.items() if len(rows) >= 2)[:2]
    plan = [(by_contractor[one][0], dt.date(2026, 6, 30)),  # one: instructed, not overdue
            (by_contractor[two][0], dt.date(2026, 2, 15)),  # two: two overdue
            (by_contractor[two][1], dt.date(2026, 2, 20))]  # fmt: skip
    for row, due in plan:
        ws.cell(row=row, column=col["state"]).value = INSTRUCTED
        ws.cell(row=row, column=col["instructed_on"]).value = dt.date(2026, 2, 1)
        ws.cell(row=row, column=col["due_on"]).value = due
    book.save(data / FOLLOWUP_FILE)
    ranking = overdue_ranking(tokki_analytics.audit(data, as_of=dt.date(2026, 3, 3)))
    assert ranking["contractor_id"].tolist() == [two, one]
    assert ranking["期限超過 (overdue)"].tolist() == [2, 0]
    assert ranking["是正指示済 (instructed)"].tolist() == [2, 1]


def test_a_deleted_row_is_named_and_restored_as_written_last_time(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    args = ["run", str(data), "--no-history"]

    def run(out: str) -> openpyxl.Workbook:
        assert main([*args, "--out", str(tmp_path / out), "--quiet"]) in (0, 1)
        return openpyxl.load_workbook(tmp_path / out / FOLLOWUP_XLSX)

    book = run("out1")
    assert book["指摘ID控え"].sheet_state == "hidden"
    ws = book[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    fid = ws.cell(row=3, column=col["finding_id"]).value
    ws.cell(row=3, column=col["state"]).value = INSTRUCTED
    ws.cell(row=3, column=col["instructed_on"]).value = dt.date(2026, 2, 1)
    ws.cell(row=3, column=col["due_on"]).value = dt.date(2026, 6, 30)
    ws.cell(row=3, column=col["memo"]).value = "電話で指示"
    book.save(data / FOLLOWUP_FILE)
    book = run("out2")
    ws = book[SHEET_OPEN]
    (row,) = [
        r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col["finding_id"]).value == fid
    ]
    ws.delete_rows(row)  # the auditor deletes the row instead of setting a state
    book.save(data / FOLLOWUP_FILE)
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "out3")]) in (0, 1)
    err = capsys.readouterr().err
    assert f"シート「{SHEET_OPEN}」{row}行目: 指摘ID {fid[:12]}… の行が削除されています" in err
    ws = openpyxl.load_workbook(tmp_path / "out3" / FOLLOWUP_XLSX)[SHEET_OPEN]
    (back,) = [
        r for r in ws.iter_rows(min_row=2, values_only=True) if r[col["finding_id"] - 1] == fid
    ]
    assert back[col["state"] - 1] == INSTRUCTED and back[col["memo"] - 1] == "電話で指示"
    assert back[col["due_on"] - 1].date() == dt.date(2026, 6, 30)
