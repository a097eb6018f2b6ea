"""findings.xlsx: sheets, headers, filters, formula injection, masking, permissions."""

from __future__ import annotations

import dataclasses
import re
import stat
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tokki_analytics
from tokki_analytics.findings import COMPLIANCE_COLUMNS, FINDING_COLUMNS
from tokki_analytics.ingest import DEFECT_COLUMNS
from tokki_analytics.masking import mask_name, roster
from tokki_analytics.render.excel import (
    SEVERITY_COLOURS,
    SHEET_COMPLIANCE,
    SHEET_DEFECTS,
    SHEET_FINDINGS,
    neutralise,
    sheet_title,
    write_findings_xlsx,
)
from tokki_analytics.vocab import MAJOR, MINOR, OBSERVATION

ROOT = Path(__file__).resolve().parents[1]
FORMULAS = ['=HYPERLINK("http://example.invalid/x","開く")', "-1+2", "+81 3", "@SUM(A1)", "\tx"]


@pytest.fixture(scope="module")
def sample():
    return tokki_analytics.audit(ROOT / "data_samples")


@pytest.fixture(scope="module")
def book(sample, tmp_path_factory):
    path = write_findings_xlsx(sample, tmp_path_factory.mktemp("xlsx") / "findings.xlsx")
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def planted(sample):
    """The sample run plus defects holding formulas and a finding naming a person."""
    name = roster(sample)[0]
    defects = sample.submission.defects
    extra = pd.DataFrame(
        [
            {
                **dict.fromkeys(DEFECT_COLUMNS, ""),
                "rule_id": "Q2",
                "severity": "軽微",
                "contractor_id": "C001",
                "form": "持出記録",
                "source": "C001_x/持出記録.xlsx",
                "sheet": "持出記録",
                "row": 5 + n,
                "column": "持出先",
                "value": value,
                "detail": f"持出先「{value}」を読めません",
            }
            for n, value in enumerate(FORMULAS)
        ]
        + [
            {
                **dict.fromkeys(DEFECT_COLUMNS, ""),
                "rule_id": "Q2",
                "severity": "軽微",
                "contractor_id": "C001",
                "column": "立会者",
                "value": "未登録 花子",
                "detail": "立会者「未登録 花子」を読めません",
                "row": 9,
            }
        ]
    ).astype({"row": "Int64"})
    findings = sample.findings.copy()
    row = findings.iloc[0].copy()
    row["detail"] = f"利用者 {name} は届出済みでない"
    row2 = findings.iloc[0].copy()
    row2["detail"] = "=1+1"
    findings = pd.concat([findings, pd.DataFrame([row, row2])], ignore_index=True)
    submission = dataclasses.replace(
        sample.submission, defects=pd.concat([defects, extra], ignore_index=True)
    )
    return dataclasses.replace(sample, submission=submission, findings=findings), name


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_sheets_findings_compliance_defects_and_one_per_contractor(sample, book):
    _, wb = book
    assert wb.sheetnames[:3] == [SHEET_FINDINGS, SHEET_COMPLIANCE, SHEET_DEFECTS]
    contractors = sorted(sample.submission.contractors["contractor_id"])
    per_contractor = wb.sheetnames[3:]
    assert [name.split("_")[0] for name in per_contractor] == contractors
    assert "C001_有限会社高梁計算センター" in per_contractor
    assert len(set(wb.sheetnames)) == len(wb.sheetnames)
    for name in wb.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
    for code, name in zip(contractors, per_contractor, strict=True):
        rows = _rows(wb[name])[2:]
        assert len(rows) == int((sample.findings["contractor_id"] == code).sum())
        assert all(r[FINDING_COLUMNS.index("contractor_id")] == code for r in rows)


def test_findings_sheet_headers_filter_freeze_and_japanese(sample, book):
    path, wb = book
    ws = wb[SHEET_FINDINGS]
    rows = _rows(ws)
    assert rows[0][:3] == ("規則ID", "条項", "重大度")
    assert list(rows[1]) == FINDING_COLUMNS
    assert ws.auto_filter.ref == f"A2:J{len(sample.findings) + 2}"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["J"].width > 30
    back = pd.read_excel(path, sheet_name=SHEET_FINDINGS, header=1, dtype=str, engine="openpyxl")
    assert list(back.columns) == FINDING_COLUMNS
    assert back["detail"].tolist() == sample.findings["detail"].tolist()
    assert back["rule_id"].tolist() == sample.findings["rule_id"].tolist()
    severe = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value == "重大")
    assert ws.cell(severe, 3).fill.fgColor.rgb.endswith("FFC7CE")


def test_compliance_sheet_rates_as_percent(sample, book):
    _, wb = book
    ws = wb[SHEET_COMPLIANCE]
    assert list(_rows(ws)[1]) == COMPLIANCE_COLUMNS
    rate = COMPLIANCE_COLUMNS.index("rate") + 1
    assert ws.cell(3, rate).number_format == "0.0%"
    values = [ws.cell(r, rate).value for r in range(3, ws.max_row + 1)]
    assert values == pytest.approx(sample.compliance["rate"].tolist())
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")


def test_defects_sheet(sample, book):
    _, wb = book
    rows = _rows(wb[SHEET_DEFECTS])
    assert list(rows[1]) == list(DEFECT_COLUMNS)
    assert rows[0][DEFECT_COLUMNS.index("value")] == "値"
    assert len(rows) - 2 == len(sample.submission.defects)
    assert {r[0] for r in rows[2:]} <= {"Q0", "Q1", "Q2", "Q3"}


def test_formula_injection_neutralised(planted, tmp_path):
    audit, _ = planted
    wb = openpyxl.load_workbook(write_findings_xlsx(audit, tmp_path / "f.xlsx"))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    values = [r[DEFECT_COLUMNS.index("value")] for r in _rows(wb[SHEET_DEFECTS])]
    for formula in FORMULAS:
        assert "'" + formula in values
    details = [r[-1] for r in _rows(wb[SHEET_FINDINGS])]
    assert "'=1+1" in details
    assert "'=1+1" in [r[-1] for r in _rows(wb[wb.sheetnames[3]])]


def test_neutralise_and_sheet_title():
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("-1+2") == "'-1+2"
    assert neutralise("\r=1") == "\\x0d=1"  # a control character is shown as its code
    assert neutralise("\t=1") == "'\t=1" and neutralise("＝1") == "'＝1"
    assert neutralise(" @SUM(1)") == "' @SUM(1)" and neutralise("'x") == "''x"
    assert neutralise("届出日が空欄") == "届出日が空欄"
    assert neutralise("a\x01b") == "a\\x01b"
    taken: set[str] = set()
    long = "C001_" + "株式会社" * 10
    first = sheet_title(long, taken)
    second = sheet_title(long, taken)
    assert len(first) == 31 and len(second) <= 31 and first != second
    assert sheet_title("a/b:c*d?[e]\\", taken) == "a_b_c_d__e__"
    assert sheet_title("HISTORY", taken) != "HISTORY"


def test_names_masked_by_default_and_shown_on_request(planted, tmp_path):
    audit, name = planted
    masked = openpyxl.load_workbook(write_findings_xlsx(audit, tmp_path / "m.xlsx"))
    text = "\n".join(
        str(v) for ws in masked.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )
    assert name not in text and name.replace(" ", "") not in text
    assert mask_name(name) in text
    assert "未登録 花子" not in text and "未登録 ＊＊" in text
    shown = openpyxl.load_workbook(write_findings_xlsx(audit, tmp_path / "s.xlsx", show_names=True))
    details = [r[-1] for r in _rows(shown[SHEET_FINDINGS])]
    assert f"利用者 {name} は届出済みでない" in details


def test_owner_only_and_no_temp_file(sample, book, tmp_path):
    path, _ = book
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["findings.xlsx"]
    shared = write_findings_xlsx(sample, tmp_path / "g.xlsx", group_readable=True)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640


def _looks(ws, columns: list[str], first: int, rows: int) -> None:
    """What a user sees of a table that findings.xlsx and the reply stream into a sheet."""
    last = openpyxl.utils.get_column_letter(len(columns))
    assert ws.freeze_panes == f"A{first}"
    assert ws.auto_filter.ref == f"A{first - 1}:{last}{rows + first - 1}"
    header = ws.cell(1, 1)
    assert header.font.bold and header.fill.fgColor.rgb.endswith("D9E1F2")
    assert all(ws.column_dimensions[c].width >= 6 for c in ("A", last))
    severity = columns.index("severity") + 1
    values = [ws.cell(r, severity) for r in range(first, rows + first)]
    assert values, "no row to see the colours of"
    for cell in values:
        fill, font = SEVERITY_COLOURS[cell.value]
        assert cell.fill.fgColor.rgb.endswith(fill) and cell.font.color.rgb.endswith(font)
        assert cell.font.bold == (cell.value == MAJOR)


def test_streamed_sheets_keep_filter_frozen_header_widths_and_colours(sample, book):
    """findings.xlsx is written row by row (write-only): each sheet still looks as before."""
    _, wb = book
    findings = sample.findings
    _looks(wb[SHEET_FINDINGS], FINDING_COLUMNS, 3, len(findings))
    assert wb[SHEET_FINDINGS].cell(2, 1).font.italic  # the key row
    code = findings["contractor_id"].value_counts().index[0]
    sheet = next(name for name in wb.sheetnames[3:] if name.startswith(f"{code}_"))
    _looks(wb[sheet], FINDING_COLUMNS, 3, int((findings["contractor_id"] == code).sum()))
    assert wb[sheet].column_dimensions["J"].width == 80  # detail: capped
    rates = wb[SHEET_COMPLIANCE].conditional_formatting
    rate = openpyxl.utils.get_column_letter(COMPLIANCE_COLUMNS.index("rate") + 1)
    assert [str(r.sqref) for r in rates] == [f"{rate}3:{rate}{len(sample.compliance) + 2}"]
    assert all(ws.auto_filter.ref for ws in wb.worksheets)


def test_reply_workbook_read_back(tmp_path):
    """The reply of tokki check: cover styles, one header row, filter, colours, every row."""
    import datetime as dt

    from tokki_analytics.intake import reply
    from tokki_analytics.intake.check import REPLY_COLUMNS, SECTION_DEFECTS, Cover

    items = pd.DataFrame([dict.fromkeys(REPLY_COLUMNS, "") for _ in range(4)])
    items["section"] = SECTION_DEFECTS
    items["severity"] = [MAJOR, MINOR, OBSERVATION, MINOR]
    items["value"] = ["=1+1", "値", "-2", "x\x01"]
    items["row"] = pd.array([5, 6, None, 8], dtype="Int64")
    cover = Cover("C001", "テスト", dt.date(2026, 1, 31), dt.datetime(2026, 2, 1, 9), "x", {})
    path = tmp_path / reply.REPLY_XLSX
    reply.build_reply_workbook(cover, items).save(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [reply.SHEET_COVER, reply.SHEET_ITEMS]
    front = wb[reply.SHEET_COVER]
    assert front["A1"].font.bold and front["A1"].font.size == 14
    assert front["A2"].alignment.wrap_text and front.column_dimensions["A"].width == 110
    assert [r[0] for r in front.iter_rows(values_only=True)] == cover.lines()
    ws = wb[reply.SHEET_ITEMS]
    _looks(ws, REPLY_COLUMNS, 2, 4)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[REPLY_COLUMNS.index("value")] for r in rows] == ["'=1+1", "値", "'-2", "x\\x01"]
    assert [r[REPLY_COLUMNS.index("row")] for r in rows] == [5, 6, None, 8]
