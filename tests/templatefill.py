"""A generated submission template filled with valid rows, as the template tests fill it.

Shared by tests/test_template.py (typed through openpyxl) and tests/test_template_office.py
(typed in LibreOffice Calc): both fill the same cells, from the forms' declarations, and put
the filled workbook in place of a contractor's folder of data_samples.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import ROOT
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tokki_analytics.forms import HAS, MASTERS, SUBMISSION_FORMS, Column, Kind
from tokki_analytics.ingest import read_contracts
from tokki_analytics.intake.template import build_template
from tokki_analytics.intake.templatecmd import template_name
from tokki_analytics.settings import load_settings

DATA = ROOT / "data_samples"
AS_OF = load_settings(DATA / "settings.toml").as_of
CONTRACTS = read_contracts(DATA)
CONTRACTORS = sorted(CONTRACTS["contractor_id"].unique())
FILLED_ROWS = 3
FORM_NAMES = {form.name: form for form in SUBMISSION_FORMS}

Cell = tuple[str, int, int, object]  # sheet, 1-based row, 1-based column, value


def own(code: str) -> pd.DataFrame:
    return CONTRACTS[CONTRACTS["contractor_id"] == code]


def own_ids(code: str) -> list[str]:
    return list(own(code)["contract_id"])


def saved(folder: Path, code: str) -> Path:
    """The contractor's template, generated from data_samples and saved in ``folder``."""
    path = folder / template_name(code)
    build_template(CONTRACTS, code, AS_OF).save(path)
    return path


def validation_at(ws: Worksheet, ref: str) -> DataValidation:
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{ref}: {len(found)} validations"
    return found[0]


def list_values(wb: Workbook, dv: DataValidation) -> list[str]:
    """The values a list validation offers: its literal, or the range it names."""
    assert dv.type == "list"
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, ref = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [row[0].value for row in ws[ref.replace("$", "")]]


def valid_value(col: Column, n: int, ids: list[str]) -> object:
    """A valid value of a column for row ``n``, from its declaration in forms.py."""
    if col.key == "contract_id":
        return ids[n % len(ids)]
    day = dt.date(2025, 4, 1) + dt.timedelta(days=n)
    values: dict[Kind, object] = {
        Kind.ID: f"{n + 1:04d}",  # leading zeros
        Kind.TEXT: f"{col.name}{n + 1}",
        Kind.DATE: day,
        Kind.DATETIME: dt.datetime.combine(day, dt.time(9, 5)),
        Kind.MARK: HAS[n % len(HAS)],
        Kind.INT: n + 1,
        Kind.ENUM: col.allowed[n % len(col.allowed)] if col.allowed else "",
        Kind.LIST: "0001;0002",
    }
    return values[col.kind]


def filled_cells(
    path: Path, code: str, typed: Callable[[Kind, object], object] = lambda _, v: v
) -> tuple[list[Cell], dict[str, int]]:
    """Every form sheet's valid rows as cells; form key → rows.

    ``typed`` turns a value into what the office suite's user leaves in the cell.
    """
    cells: list[Cell] = []
    counts: dict[str, int] = {}
    for name in openpyxl.load_workbook(path).sheetnames:
        form = FORM_NAMES.get(name)
        if form is None:
            continue
        for n in range(FILLED_ROWS):
            for index, col in enumerate(form.columns, start=1):
                cells.append(
                    (name, n + 2, index, typed(col.kind, valid_value(col, n, own_ids(code))))
                )
        counts[form.key] = FILLED_ROWS
    return cells, counts


def fill(path: Path, code: str) -> dict[str, int]:
    """Fill every form sheet with valid rows through openpyxl; return form key → rows."""
    cells, counts = filled_cells(path, code)
    wb = openpyxl.load_workbook(path)
    for sheet, row, column, value in cells:
        wb[sheet].cell(row=row, column=column, value=value)
    wb.save(path)
    return counts


def folder_of(data: Path, code: str) -> Path:
    (folder,) = [
        p
        for p in data.iterdir()
        if p.is_dir() and unicodedata.normalize("NFKC", p.name).split("_")[0] == code
    ]
    return folder


def as_only_submission(data: Path, code: str, workbook: Path) -> Path:
    """Replace the contractor's folder content with ``workbook``."""
    folder = folder_of(data, code)
    shutil.rmtree(folder)
    folder.mkdir()
    return Path(shutil.copy(workbook, folder / workbook.name))


def contractor_defects(defects: pd.DataFrame, code: str) -> pd.DataFrame:
    masters = {form.name for form in MASTERS}  # the prefecture's rows, not the contractor's
    return defects[(defects["contractor_id"] == code) & ~defects["form"].isin(masters)]
