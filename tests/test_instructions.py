"""前回の指示事項: the briefing opens with the contractor's open instructions, overdue first."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
from conftest import ROOT

import tokki_analytics
from tokki_analytics.followup import INSTRUCTED, LABELS, OVERDUE, SHEET_OPEN
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.notebooks.briefing import briefing
from tokki_analytics.publish import Options, publish
from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX


def test_briefing_opens_with_overdue_then_open_instructions(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    first = tokki_analytics.audit(data, as_of=dt.date(2026, 1, 31))
    assert briefing(first, "C001").instructions.empty  # no record yet
    publish(first, tmp_path / "out", Options(datadocs=False))
    book = openpyxl.load_workbook(tmp_path / "out" / FOLLOWUP_XLSX)
    ws = book[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    mine = [r for r in range(2, ws.max_row + 1)
            if ws.cell(row=r, column=col["contractor_id"]).value == "C001"]  # fmt: skip
    assert len(mine) >= 2
    later, overdue = mine[0], mine[1]
    for row, due in ((later, dt.date(2026, 6, 30)), (overdue, dt.date(2026, 2, 15))):
        ws.cell(row=row, column=col["state"]).value = INSTRUCTED
        ws.cell(row=row, column=col["instructed_on"]).value = dt.date(2026, 2, 1)
        ws.cell(row=row, column=col["due_on"]).value = due
    other = next(r for r in range(2, ws.max_row + 1)
                 if ws.cell(row=r, column=col["contractor_id"]).value != "C001")  # fmt: skip
    ws.cell(row=other, column=col["state"]).value = INSTRUCTED
    ws.cell(row=other, column=col["instructed_on"]).value = dt.date(2026, 2, 1)
    ws.cell(row=other, column=col["due_on"]).value = dt.date(2026, 2, 15)
    book.save(data / FOLLOWUP_FILE)

    second = tokki_analytics.audit(data, as_of=dt.date(2026, 3, 3))
    shown = briefing(second, "C001").instructions
    assert len(shown) == 2  # this contractor's only, not the other's
    assert shown[LABELS["derived"]].tolist() == [OVERDUE, ""]
    assert shown[LABELS["due_on"]].tolist() == [dt.date(2026, 2, 15), dt.date(2026, 6, 30)]
    assert set(shown[LABELS["state"]]) == {INSTRUCTED}


def test_the_record_is_not_read_as_a_form_nor_listed_as_ignored(tmp_path):
    from tokki_analytics.ingest import load

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    before = load(data)
    audit = tokki_analytics.audit(data)
    publish(audit, tmp_path / "out", Options(datadocs=False))
    shutil.copy(tmp_path / "out" / FOLLOWUP_XLSX, data / FOLLOWUP_FILE)
    after = load(data)
    assert not [item for item in after.ignored if FOLLOWUP_FILE in item]
    assert after.ignored == before.ignored and after.rows() == before.rows()
    assert len(after.defects) == len(before.defects)
