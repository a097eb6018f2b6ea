"""Contractors' submission workbooks (``tokki template``), read back as Excel would see them.

A template is generated for every contractor of data_samples; its sheets, headers, tables and
validations are read back with openpyxl; filled with valid synthetic rows it loads with zero
defects and every row counted; an invalid value pasted over a validation is still reported
(Q2); the command refuses an unknown contractor and writes one file per contractor.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from templatefill import (
    AS_OF,
    CONTRACTORS,
    CONTRACTS,
    DATA,
    FORM_NAMES,
    as_only_submission,
    contractor_defects,
    fill,
    list_values,
    own,
    own_ids,
    saved,
    valid_value,
    validation_at,
)

from tokki_analytics.cli import main
from tokki_analytics.forms import (
    ACCESS,
    FORMS_BY_KEY,
    HAS,
    STAFF,
    SUBCONTRACTS,
    SUBMISSION_FORMS,
    TEMPLATE_SHEETS,
    Column,
    Kind,
)
from tokki_analytics.ingest import load
from tokki_analytics.ingest.checks import needed_forms
from tokki_analytics.intake.template import (
    GUIDE_SHEET,
    LISTS_SHEET,
    build_template,
    template_forms,
)
from tokki_analytics.intake.templatecmd import template_name
from tokki_analytics.rules import FORM_CLAUSES

# --- the workbook as generated --------------------------------------------------------------


@pytest.mark.parametrize("code", CONTRACTORS)
def test_a_template_has_the_guide_then_every_needed_form_with_its_header(tmp_path, code):
    wb = openpyxl.load_workbook(saved(tmp_path, code))
    assert wb.sheetnames[0] == GUIDE_SHEET
    forms = [FORM_NAMES[name] for name in wb.sheetnames[1:] if name != LISTS_SHEET]
    assert forms == [f for f in SUBMISSION_FORMS if f in forms], "in the order of FORMS.md"
    for _, contract in own(code).iterrows():
        assert set(needed_forms(contract)) <= set(forms), contract["contract_id"]
    for form in forms:
        ws = wb[form.name]
        assert [c.value for c in ws[1]] == [col.name for col in form.columns]
        assert ws.freeze_panes == "A2"
        (table,) = ws.tables.values()
        assert table.ref.startswith("A1:") and table.ref.endswith(str(ws.max_row))
        assert ws.max_row > 1, "the table has empty rows to type into"


@pytest.mark.parametrize("code", CONTRACTORS)
def test_validations_read_back_offer_allowed_values_and_own_contracts_only(tmp_path, code):
    wb = openpyxl.load_workbook(saved(tmp_path, code))
    for name in wb.sheetnames[1:]:
        if name == LISTS_SHEET:
            continue
        form, ws = FORM_NAMES[name], wb[name]
        for index, col in enumerate(form.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            head, cells = validation_at(ws, f"{letter}1"), validation_at(ws, f"{letter}2")
            for dv in (head, cells):
                assert dv.showInputMessage and dv.promptTitle == col.name
                assert 0 < len(dv.prompt) <= 255
                assert all(clause in dv.prompt for clause in FORM_CLAUSES[form.key])
            assert f"{letter}5000" in cells.sqref, "the whole column below the header"
            check_kind(wb, ws, col, cells, own_ids(code), f"{letter}2")


def check_kind(
    wb: Workbook, ws: Worksheet, col: Column, dv: DataValidation, ids: list[str], ref: str
) -> None:
    if col.key == "contract_id":
        assert list_values(wb, dv) == ids
    elif col.kind is Kind.ENUM:
        assert list_values(wb, dv) == list(col.allowed)
    elif col.kind is Kind.MARK:
        assert list_values(wb, dv) == list(HAS)
    elif col.kind is Kind.DATE:
        assert dv.type == "date" and ws[ref].number_format == "yyyy/mm/dd"
        low, high = (openpyxl.utils.datetime.from_excel(int(f)) for f in (dv.formula1, dv.formula2))
        assert low.date() <= dt.date(2000, 1, 1) and high.date() >= dt.date(2099, 12, 31)
    elif col.kind is Kind.DATETIME:
        assert dv.type == "decimal" and "hh:mm" in ws[ref].number_format
    elif col.kind is Kind.INT:
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    elif col.kind is Kind.ID:
        assert ws[ref].number_format == "@", "leading zeros survive"
    if dv.type is not None:
        assert dv.showErrorMessage and dv.errorStyle == "stop"


def all_text(wb: Workbook) -> str:
    """Every cell, validation formula and message of the workbook, as one string."""
    parts = []
    for ws in wb.worksheets:
        parts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for dv in ws.data_validations.dataValidation:
            parts += [str(v) for v in (dv.formula1, dv.prompt, dv.error) if v]
    return "\n".join(parts)


@pytest.mark.parametrize("code", CONTRACTORS)
def test_nothing_of_another_contractor_is_in_a_template(tmp_path, code):
    text = all_text(openpyxl.load_workbook(saved(tmp_path, code)))
    mine = own(code).iloc[0]
    assert mine["contractor_name"] in text and all(cid in text for cid in own_ids(code))
    others = CONTRACTS[CONTRACTS["contractor_id"] != code]
    for _, other in others.iterrows():
        for value in (other["contract_id"], other["contractor_name"], other["contractor_id"]):
            assert value not in text, f"{code}'s template names {value}"


def test_a_list_too_long_for_excel_goes_to_the_hidden_sheet(tmp_path):
    base = own("C001").iloc[[0]]
    many = pd.concat([base] * 40, ignore_index=True)
    many["contract_id"] = [f"令和7年度-第{n:04d}号" for n in range(40)]
    path = tmp_path / "many.xlsx"
    build_template(many, "C001", AS_OF).save(path)
    wb = openpyxl.load_workbook(path)
    assert wb[LISTS_SHEET].sheet_state == "hidden" and wb.sheetnames[-1] == LISTS_SHEET
    dv = validation_at(wb["作業従事者名簿"], "A2")
    assert not dv.formula1.startswith('"')
    assert list_values(wb, dv) == list(many["contract_id"])


def test_when_every_contract_excludes_a_forms_clauses_the_form_is_left_out():
    contracts = own("C006").copy()
    assert "再委託" in [n.form.name for n in template_forms(contracts)]
    contracts["excluded_clauses"] = [FORM_CLAUSES[SUBCONTRACTS.key]] * len(contracts)
    assert "再委託" not in [n.form.name for n in template_forms(contracts)]
    # 事故報告 and the other forms kept only when there is something to record stay
    assert "事故報告" in [n.form.name for n in template_forms(contracts)]


# --- filled, then loaded ------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[object, dict[str, dict[str, int]]]:
    """data_samples with each contractor's folder replaced by its filled template, loaded."""
    root = tmp_path_factory.mktemp("filled")
    data = root / "data"
    shutil.copytree(DATA, data)
    counts = {}
    for code in CONTRACTORS:
        path = saved(root, code)
        counts[code] = fill(path, code)
        as_only_submission(data, code, path)
    return load(data), counts


@pytest.mark.parametrize("code", CONTRACTORS)
def test_a_template_filled_with_valid_rows_loads_with_zero_defects(filled, code):
    sub, counts = filled
    found = contractor_defects(sub.defects, code)
    assert found.empty, found[["rule_id", "form", "sheet", "row", "column", "detail"]]
    for key, n in counts[code].items():
        frame = sub.frames[key]
        rows = frame[frame["contractor_id"] == code]
        assert len(rows) == n, FORMS_BY_KEY[key].name
        (source,) = set(rows["_source"])
        assert source.endswith(f"/{template_name(code)}"), source
        if "person_id" in rows:
            assert set(rows["person_id"]) == {"0001", "0002", "0003"}, "leading zeros kept"


def test_a_filled_template_keeping_its_guide_and_lists_loads_without_an_ignored_line(
    tmp_path, capsys
):
    code = "C001"
    base = own(code).iloc[[0]]
    extra = pd.concat([base] * 40, ignore_index=True)
    extra["contract_id"] = [f"令和7年度-第{n:04d}号" for n in range(40)]
    path = tmp_path / template_name(code)
    build_template(pd.concat([own(code), extra]), code, AS_OF).save(path)
    counts = fill(path, code)  # rows of the contractor's real contracts
    wb = openpyxl.load_workbook(path)
    assert set(TEMPLATE_SHEETS) <= set(wb.sheetnames), "the guide and the hidden lists kept"
    wb.create_sheet("メモ")["A1"] = "社内用のメモ"  # a sheet of the contractor's own
    wb.save(path)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    source = as_only_submission(data, code, path).relative_to(data).as_posix()
    assert main(["load", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    mine = [item for item in out["ignored"] if item.startswith(source)]
    assert mine == [f"{source} [メモ]"], "tokki's own sheets are not listed, others are"
    assert not [d for d in out["defects"] if d["source"] == source]
    assert sum(out["rows"][FORMS_BY_KEY[key].name] for key in counts) >= sum(counts.values())


def test_a_guide_sheet_first_is_not_taken_for_the_form_a_file_is_named_after(tmp_path):
    code = "C001"
    wb = build_template(CONTRACTS, code, AS_OF)
    for name in wb.sheetnames:
        if name not in TEMPLATE_SHEETS and name != STAFF.name:
            del wb[name]
    wb[STAFF.name].title = "Sheet1"  # the file's name says what it is, not the sheet's
    path = tmp_path / f"{STAFF.name}.xlsx"
    wb.save(path)
    fill_staff = openpyxl.load_workbook(path)
    for index, col in enumerate(STAFF.columns, start=1):
        fill_staff["Sheet1"].cell(row=2, column=index, value=valid_value(col, 0, own_ids(code)))
    fill_staff.save(path)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    as_only_submission(data, code, path)
    sub = load(data, contractors=[code])
    staff = sub.frames[STAFF.key]
    assert len(staff[staff["contractor_id"] == code]) == 1
    assert set(staff["_sheet"]) == {"Sheet1"}
    assert not [item for item in sub.ignored if "記入要領" in item]


def test_an_invalid_value_pasted_over_the_validation_is_still_a_q2(tmp_path):
    code = "C001"
    path = saved(tmp_path, code)
    fill(path, code)
    wb = openpyxl.load_workbook(path)
    ws = wb[ACCESS.name]
    col = ACCESS.column("direction")
    letter = openpyxl.utils.get_column_letter(ACCESS.columns.index(col) + 1)
    dv = validation_at(ws, f"{letter}3")
    assert "退出" not in list_values(wb, dv) and dv.errorStyle == "stop", "Excel refuses it"
    ws[f"{letter}3"] = "退出"  # pasted: validation does not stop a paste
    wb.save(path)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    source = as_only_submission(data, code, path)
    sub = load(data, contractors=[code])
    found = contractor_defects(sub.defects, code)
    assert found[["rule_id", "form", "sheet", "row", "column", "value"]].to_dict("records") == [
        {
            "rule_id": "Q2",
            "form": ACCESS.name,
            "sheet": ACCESS.name,
            "row": 3,
            "column": col.name,
            "value": "退出",
        }
    ]
    assert set(found["source"]) == {source.relative_to(data).as_posix()}


# --- the command ----------------------------------------------------------------------------


def test_an_unknown_contractor_exits_2_with_a_japanese_message(tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["template", str(DATA), "--contractor", "C999", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "受託者 C999 の契約は委託契約一覧にありません" in err and "Traceback" not in err
    assert not out.exists()


def test_all_writes_one_workbook_per_contractor_and_never_replaces_one(tmp_path, capsys):
    out = tmp_path / "templates"
    assert main(["template", str(DATA), "--all", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(template_name(code) for code in CONTRACTORS)
    assert all(code in name for code, name in zip(CONTRACTORS, sorted(files), strict=True))
    first = out / template_name(CONTRACTORS[0])
    first.write_bytes(b"a filled workbook received back")
    assert main(["template", str(DATA), "--all", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert first.read_bytes() == b"a filled workbook received back"
    assert main(["template", str(DATA), "--all", "--out", str(out), "--force"]) == 0
    assert openpyxl.load_workbook(first).sheetnames[0] == GUIDE_SHEET


def test_a_full_width_code_names_the_same_contractor(tmp_path):
    out = tmp_path / "c006.xlsx"
    assert main(["template", str(DATA), "--contractor", "Ｃ００６", "--out", str(out)]) == 0
    assert "C006" in openpyxl.load_workbook(out)[GUIDE_SHEET]["B3"].value


def guide_text(path) -> list[str]:
    return [
        str(c.value)
        for row in openpyxl.load_workbook(path)[GUIDE_SHEET].iter_rows()
        for c in row
        if c.value
    ]


def masters_only(tmp_path, settings: str):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "委託契約一覧.xlsx", data)
    (data / "settings.toml").write_text(settings, encoding="utf-8")
    return data


def test_the_submission_contact_of_settings_is_printed_under_the_guides_send_to(tmp_path):
    contact = "岡山県総務課 個人情報担当\n電話 086-000-0000　teishutsu@example.jp"
    settings = f'as_of = 2026-01-31\nsubmission_contact = """\n{contact}"""\n'
    data = masters_only(tmp_path, settings)
    out = tmp_path / "c001.xlsx"
    assert main(["template", str(data), "--contractor", "C001", "--out", str(out)]) == 0
    text = guide_text(out)
    send_to = text[text.index("■ 提出先") + 1 :]
    assert send_to[0].startswith("・記入したブックは、次の提出先に提出してください。")
    assert [line.strip("　") for line in send_to[1:3]] == contact.splitlines()
    assert "指示に従って提出" not in "\n".join(text)


def test_without_a_submission_contact_the_guide_points_to_the_departments(tmp_path):
    data = masters_only(tmp_path, "as_of = 2026-01-31\n")
    out = tmp_path / "c001.xlsx"
    assert main(["template", str(data), "--contractor", "C001", "--out", str(out)]) == 0
    text = guide_text(out)
    (send_to,) = text[text.index("■ 提出先") + 1 :]
    departments = dict.fromkeys(own("C001")["department"].astype(str))
    assert send_to.startswith(f"・記入したブックは、各契約の担当課（{'、'.join(departments)}）")
    assert "指示に従って提出" in send_to


def test_a_submission_contact_that_is_not_text_is_refused_by_name(tmp_path, capsys):
    data = masters_only(tmp_path, "submission_contact = 86\n")
    out = tmp_path / "c001.xlsx"
    assert main(["template", str(data), "--contractor", "C001", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "submission_contact" in err and "Traceback" not in err
    assert not out.exists()


def test_a_hostile_contractor_code_names_a_file_inside_the_out_folder(tmp_path):
    """A code in 委託契約一覧 like ``../../x`` or ``/tmp/x`` never writes outside --out."""
    import openpyxl as xl

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    book = xl.load_workbook(data / "委託契約一覧.xlsx")
    ws = book.active
    header_row = next(r for r in range(1, 6) if "受託者コード" in [c.value for c in ws[r]])
    col = [c.value for c in ws[header_row]].index("受託者コード") + 1
    hostile = {"C002": "../../escaped", "C003": str(tmp_path / "absolute")}
    for row in range(header_row + 1, ws.max_row + 1):
        code = ws.cell(row=row, column=col).value
        if code in hostile:
            ws.cell(row=row, column=col).value = hostile[code]
    book.save(data / "委託契約一覧.xlsx")
    out = tmp_path / "deep" / "out"
    assert main(["template", str(data), "--all", "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert "______escaped_提出様式.xlsx" in written
    assert not list(tmp_path.glob("*escaped*")) and not list(tmp_path.glob("absolute*"))
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*_提出様式.xlsx")) == [
        Path("deep/out") / name for name in written
    ]
