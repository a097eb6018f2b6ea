"""Submission workbooks through LibreOffice Calc, as a contractor without Excel handles them.

- opened and saved by Calc (``soffice --convert-to xlsx``): every contractor's template opens
  without error, and its sheets, tables' headers and validations (the drop-down lists, the
  date and number rules, the input messages) are still there when read back with openpyxl;
- typed in Calc (through UNO, as keystrokes leave cells: text, numbers and date cells) and
  saved by Calc: the filled template loads with zero defects, every row counted.

``make test`` installs LibreOffice and python3-uno; under CI=true a missing one fails.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from office import calc_convert, calc_edit, require_office
from openpyxl.utils.datetime import to_excel
from templatefill import (
    CONTRACTORS,
    DATA,
    FORM_NAMES,
    as_only_submission,
    contractor_defects,
    filled_cells,
    list_values,
    own_ids,
    saved,
    validation_at,
)

from tokki_analytics.forms import Kind
from tokki_analytics.ingest import load
from tokki_analytics.intake.template import GUIDE_SHEET, LISTS_SHEET


def written_by_calc(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        assert b"LibreOffice" in package.read("docProps/app.xml")


@pytest.mark.parametrize("code", CONTRACTORS)
def test_calc_opens_every_template_and_keeps_its_validations(tmp_path, code):
    require_office()
    template = saved(tmp_path, code)
    converted = calc_convert(template, tmp_path / "calc", tmp_path / "lo-profile")
    written_by_calc(converted)
    before, after = openpyxl.load_workbook(template), openpyxl.load_workbook(converted)
    assert after.sheetnames[: len(before.sheetnames)] == before.sheetnames
    assert after.sheetnames[0] == GUIDE_SHEET
    for name in before.sheetnames[1:]:
        if name == LISTS_SHEET:
            continue
        form, ws = FORM_NAMES[name], after[name]
        assert [c.value for c in ws[1]] == [col.name for col in form.columns]
        # (a headless conversion has no view: Calc writes no frozen pane, a window would)
        for index, col in enumerate(form.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            dv = validation_at(ws, f"{letter}2")
            assert dv.promptTitle == col.name and dv.prompt, f"{name}!{letter}: input message"
            if col.key == "contract_id":
                assert list_values(after, dv) == own_ids(code)
            elif col.kind is Kind.ENUM:
                assert list_values(after, dv) == list(col.allowed)
            elif col.kind in (Kind.DATE, Kind.INT, Kind.DATETIME):
                assert dv.type in ("date", "whole", "decimal"), f"{name}!{letter}"


def calc_value(kind: Kind, value: object) -> object:
    """What a contractor types in Calc: a date cell for a date, a number for a datetime."""
    if kind is Kind.DATETIME and isinstance(value, dt.datetime):
        return to_excel(value)  # 2025/4/1 9:05 typed into a date-time formatted cell
    return value


def test_a_template_typed_in_calc_loads_with_zero_defects(tmp_path):
    require_office(uno=True)
    code = CONTRACTORS[0]
    template = saved(tmp_path, code)
    edits, counts = filled_cells(template, code, calc_value)
    typed = calc_edit(template, tmp_path / "calc" / template.name, edits, tmp_path / "lo-profile")
    written_by_calc(typed)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    as_only_submission(data, code, typed)
    sub = load(data, contractors=[code])
    found = contractor_defects(sub.defects, code)
    assert found.empty, found[["rule_id", "form", "sheet", "row", "column", "value", "detail"]]
    for key, n in counts.items():
        frame = sub.frames[key]
        rows = frame[frame["contractor_id"] == code]
        assert len(rows) == n, key
        if "person_id" in rows:
            assert set(rows["person_id"]) == {"0001", "0002", "0003"}, "typed as text in Calc"
    staff = sub.frames["staff"]
    assert staff["start_date"].dt.date.min() == dt.date(2025, 4, 1), "date cells read as dates"
