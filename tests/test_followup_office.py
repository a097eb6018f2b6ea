"""The follow-up workbook through LibreOffice Calc, as an auditor without Excel keeps it.

Two ways an auditor's edits reach tokki through Debian's LibreOffice:

- typed in Calc: Calc opens tokki's workbook, the states, dates, memo and reason are typed
  into its cells (through UNO, as keystrokes would leave them: text cells and date cells)
  and Calc saves it as .xlsx;
- edited elsewhere, then opened and saved by Calc (`soffice --convert-to xlsx`, Calc's own
  xlsx filter).

Either way Calc rewrites every part of the file (dates, shared strings, the drop-down list),
so what tokki reads back on the next run is Calc's xlsx, not openpyxl's. `make test`
installs `libreoffice-calc-nogui` and `python3-uno`; under CI=true a missing one fails the
test instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
from conftest import ROOT
from office import calc_convert, calc_edit, require_office

import tokki_analytics
from tokki_analytics.followup import ACCEPTED, INSTRUCTED, LABELS, SHEET_OPEN
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.publish import Options, publish
from tokki_analytics.render.followup_xlsx import FOLLOWUP_XLSX


def _run(data: Path, out: Path, as_of: dt.date) -> Path:
    publish(tokki_analytics.audit(data, as_of=as_of), out, Options(datadocs=False))
    return out / FOLLOWUP_XLSX


def _written_by_calc(path: Path) -> None:
    with zipfile.ZipFile(path) as package:  # written by Calc, not by openpyxl
        assert b"LibreOffice" in package.read("docProps/app.xml")
    assert openpyxl.load_workbook(path)[SHEET_OPEN].data_validations.dataValidation, (
        "Calc kept the drop-down list of 状態"
    )


def _by_id(path: Path) -> dict[str, dict]:
    ws = openpyxl.load_workbook(path)[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]
    return {str(r[LABELS["finding_id"]]): r for r in rows if r[LABELS["finding_id"]]}


def test_a_workbook_saved_by_libreoffice_carries_the_states_over(tmp_path):
    require_office()
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    first = _run(data, tmp_path / "out1", dt.date(2026, 1, 31))
    book = openpyxl.load_workbook(first)
    ws = book[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    instructed, accepted = (
        ws.cell(row=2, column=col["finding_id"]).value,
        ws.cell(row=3, column=col["finding_id"]).value,
    )
    ws.cell(row=2, column=col["state"]).value = INSTRUCTED
    ws.cell(row=2, column=col["instructed_on"]).value = dt.date(2026, 2, 5)
    ws.cell(row=2, column=col["due_on"]).value = dt.date(2026, 4, 30)
    ws.cell(row=2, column=col["memo"]).value = "電話で指示（LibreOffice で保存）"
    ws.cell(row=3, column=col["state"]).value = ACCEPTED
    ws.cell(row=3, column=col["reason"]).value = "説明書を受領"
    edited = tmp_path / "edited" / FOLLOWUP_XLSX
    edited.parent.mkdir()
    book.save(edited)

    saved = calc_convert(edited, tmp_path / "calc", tmp_path / "lo-profile")
    _written_by_calc(saved)
    shutil.copy(saved, data / FOLLOWUP_FILE)  # the one step: save it as DATA/指摘対応記録.xlsx

    second = _by_id(_run(data, tmp_path / "out2", dt.date(2026, 3, 3)))
    row = second[str(instructed)]
    assert row[LABELS["state"]] == INSTRUCTED
    assert row[LABELS["instructed_on"]].date() == dt.date(2026, 2, 5)
    assert row[LABELS["due_on"]].date() == dt.date(2026, 4, 30)
    assert row[LABELS["memo"]] == "電話で指示（LibreOffice で保存）"
    assert second[str(accepted)][LABELS["state"]] == ACCEPTED
    assert second[str(accepted)][LABELS["reason"]] == "説明書を受領"
    assert "読込結果" not in openpyxl.load_workbook(tmp_path / "out2" / FOLLOWUP_XLSX).sheetnames


def test_states_typed_into_calc_carry_over(tmp_path):
    require_office(uno=True)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    first = _run(data, tmp_path / "out1", dt.date(2026, 1, 31))
    ws = openpyxl.load_workbook(first)[SHEET_OPEN]
    header = [cell.value for cell in ws[1]]
    col = {key: header.index(label) + 1 for key, label in LABELS.items() if label in header}
    instructed = ws.cell(row=2, column=col["finding_id"]).value
    accepted = ws.cell(row=3, column=col["finding_id"]).value
    edits = [
        (SHEET_OPEN, 2, col["state"], INSTRUCTED),
        (SHEET_OPEN, 2, col["instructed_on"], dt.date(2026, 2, 6)),
        (SHEET_OPEN, 2, col["due_on"], dt.date(2026, 5, 29)),
        (SHEET_OPEN, 2, col["memo"], "Calc で入力"),
        (SHEET_OPEN, 3, col["state"], ACCEPTED),
        (SHEET_OPEN, 3, col["reason"], "運用説明書を受領"),
    ]
    saved = calc_edit(first, tmp_path / "calc" / FOLLOWUP_XLSX, edits, tmp_path / "lo-profile")
    _written_by_calc(saved)
    shutil.copy(saved, data / FOLLOWUP_FILE)

    second = _by_id(_run(data, tmp_path / "out2", dt.date(2026, 3, 3)))
    row = second[str(instructed)]
    assert row[LABELS["state"]] == INSTRUCTED
    assert row[LABELS["instructed_on"]].date() == dt.date(2026, 2, 6)
    assert row[LABELS["due_on"]].date() == dt.date(2026, 5, 29)
    assert row[LABELS["memo"]] == "Calc で入力"
    assert second[str(accepted)][LABELS["state"]] == ACCEPTED
    assert second[str(accepted)][LABELS["reason"]] == "運用説明書を受領"
    assert "読込結果" not in openpyxl.load_workbook(tmp_path / "out2" / FOLLOWUP_XLSX).sheetnames
