"""Red-team of issue 12's audit cycle: the follow-up record and ``tokki verify``, attacked.

A bad or hostile follow-up record (DATA/指摘対応記録.xlsx) or manifest.json costs only
itself: a message in Japanese and English, the run goes on, nothing the auditors wrote is
lost, no cell of tokki's workbooks becomes a formula, and verify answers exit 2 for a
manifest it cannot use, never an internal error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tokki_analytics import followup, trail
from tokki_analytics.cli import main
from tokki_analytics.followup import (
    DATE_COLUMNS,
    INSTRUCTED,
    LABELS,
    NEW,
    RECORD_COLUMNS,
    SHEET_OPEN,
    SHEET_PROBLEMS,
    SHEET_WRITTEN,
    folder_key,
    follow_up,
)
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.gx.suites import SUITES_DIR
from tokki_analytics.ingest.read import default_limits
from tokki_analytics.render.followup_xlsx import Origin, write_followup_xlsx

AS_OF = dt.date(2026, 3, 3)
FID = "a" * 40


def _findings() -> tuple[pd.DataFrame, pd.Series]:
    findings = pd.DataFrame(
        [
            {
                "rule_id": "R1",
                "contractor_id": "C001",
                "contract_id": "K1",
                "form": "台帳",
                "detail": "内容",
            }
        ]  # fmt: skip
    )
    return findings, pd.Series([FID], index=findings.index)


def _record(data: Path) -> Path:
    """DATA/指摘対応記録.xlsx as tokki writes it, with one finding instructed by an auditor."""
    findings, identities = _findings()
    items, closed, _ = followup.carry_over(followup.empty_record(), findings, identities, AS_OF)
    path = data / FOLLOWUP_FILE
    write_followup_xlsx(path, items, closed, [], Origin(folder_key(data), "data", AS_OF))
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_OPEN]
    column = {cell.value: cell.column for cell in ws[1]}
    ws.cell(2, column[LABELS["state"]]).value = INSTRUCTED
    ws.cell(2, column[LABELS["instructed_on"]]).value = dt.date(2026, 2, 1)
    ws.cell(2, column[LABELS["due_on"]]).value = dt.date(2026, 4, 1)
    wb.save(path)
    return path


def _run(data: Path) -> tuple[pd.DataFrame, list[followup.Problem]]:
    findings, identities = _findings()
    items, _, problems = follow_up(data, findings, identities, AS_OF)
    return items, problems


def test_a_row_number_that_is_no_integer_in_the_hidden_copy_keeps_the_record(
    tmp_path: Path,
) -> None:
    """ "inf" or 1e308 as 控え_行 made the whole record unreadable (OverflowError): every
    state the auditors set was dropped from the run."""
    path = _record(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb[SHEET_WRITTEN].append([SHEET_OPEN, "inf", "b" * 40])
    wb[SHEET_WRITTEN].append([SHEET_OPEN, 1e308, "c" * 40])
    wb.save(path)
    items, problems = _run(tmp_path)
    assert items.loc[0, "state"] == INSTRUCTED
    assert items.loc[0, "instructed_on"] == dt.date(2026, 2, 1)
    assert not any("読めません" in p.ja for p in problems)


def test_sheet_names_from_the_hidden_copy_are_no_formula_in_the_problems_sheet(
    tmp_path: Path,
) -> None:
    """A text cell "=HYPERLINK(…)" as 控え_シート came back as a live formula on 読込結果."""
    path = _record(tmp_path)
    wb = openpyxl.load_workbook(path)
    hidden = wb[SHEET_WRITTEN]
    hidden.append(['=HYPERLINK("http://example.invalid","x")', 3, "b" * 40])
    hidden.cell(hidden.max_row, 1).data_type = "s"  # text, as Excel keeps '=… typed with '
    hidden.append(["未完了\u202e", 4, "c" * 40])
    wb.save(path)
    items, problems = _run(tmp_path)
    assert any(p.sheet.startswith("=HYPERLINK") for p in problems)  # named, not followed
    out = tmp_path / "followup.xlsx"
    write_followup_xlsx(out, items, items.iloc[0:0], problems, Origin("k", "data", AS_OF))
    sheet = openpyxl.load_workbook(out)[SHEET_PROBLEMS]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = [str(cell.value) for cell in sheet["A"]]
    assert '\'=HYPERLINK("http://example.invalid","x")' in names
    assert "未完了\\u202e" in names


@pytest.mark.parametrize("kind", ["fifo", "device link", "folder", "link to a workbook"])
def test_a_record_that_is_no_regular_file_is_named_not_read(tmp_path: Path, kind: str) -> None:
    """A pipe, a link to /dev/zero or a folder named 指摘対応記録.xlsx were passed over
    without a word (is_file() is False); a link is not read through, as elsewhere."""
    path = tmp_path / FOLLOWUP_FILE
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device link":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        (tmp_path / "sub").mkdir()
        path.symlink_to(_record(tmp_path / "sub"))
    items, problems = _run(tmp_path)
    assert items.loc[0, "state"] == NEW
    (problem,) = problems
    assert "通常のファイルではありません" in problem.ja and "not a regular file" in problem.en
    assert problem.sheet == FOLLOWUP_FILE


def test_a_record_past_the_reading_limits_is_refused_with_the_limit_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record was read whole by calamine in tokki's own process (a million rows, a zip
    bomb: unbounded memory); it now goes through the guarded reader like any workbook."""
    _record(tmp_path)
    small = dataclasses.replace(default_limits(), max_cells=50)
    monkeypatch.setattr(followup, "default_limits", lambda: small)
    items, problems = _run(tmp_path)
    assert items.loc[0, "state"] == NEW
    (problem,) = problems
    assert "max_cells" in problem.ja and "max_cells" in problem.en
    assert "前回の記録は反映されていません" in problem.ja


def test_a_csv_renamed_xlsx_is_a_message_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / FOLLOWUP_FILE).write_text("指摘ID,状態\n" + FID + ",是正確認済\n", "utf-8")
    items, problems = _run(tmp_path)
    assert len(items) == 1 and items.loc[0, "state"] == NEW
    (problem,) = problems
    assert "読めません" in problem.ja and "cannot be read" in problem.en


def test_blank_dates_stay_blank(tmp_path: Path) -> None:
    """The dates an auditor left blank are None, never NaT or text."""
    items, _ = _run(tmp_path)
    assert all(items.loc[0, key] is None for key in DATE_COLUMNS)
    assert list(items.columns[: len(RECORD_COLUMNS)]) == RECORD_COLUMNS


# --- tokki verify with a tampered manifest ----------------------------------------------


def _manifest(out: Path, data: Path, **changes: object) -> None:
    manifest: dict[str, object] = {
        "kind": trail.KIND,
        "files": [],
        "suites": {"sha256": {}},
        "data_dir": str(data),
    }
    manifest.update(changes)
    out.mkdir(exist_ok=True)
    (out / trail.MANIFEST).write_text(json.dumps(manifest), "utf-8")


@pytest.mark.parametrize(
    "changes",
    [
        {"files": "abc"},
        {"files": [1, 2]},
        {"files": {"a": 1}},
        {"files": [{"path": "x"}]},
        {"files": [{"path": 1, "path_sha256": "0"}]},
        {"suites": []},
        {"suites": {"sha256": ["a"]}},
        {"suites": {"dir": 3, "sha256": {}}},
        {"data_dir": 5},
    ],
)
def test_verify_refuses_a_manifest_of_the_wrong_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict
) -> None:
    """Wrong types in a tampered manifest were internal errors (TypeError, KeyError)."""
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    _manifest(out, data, **changes)
    assert main(["verify", str(out), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "tokki の形式ではありません" in err and "does not have tokki's layout" in err
    assert "内部エラー" not in err


def test_verify_reads_a_good_manifest_of_an_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    _manifest(out, data, suites={"sha256": trail.suite_hashes(SUITES_DIR)})
    assert main(["verify", str(out), "--data", str(data)]) == 0
    assert "変わっていません" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["fifo", "device link", "deep"])
def test_verify_refuses_a_manifest_that_never_ends_or_nests_too_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A pipe named manifest.json made verify wait forever, a link to /dev/zero read
    until memory ran out; JSON nested 100,000 deep was a RecursionError."""
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    out.mkdir()
    path = out / trail.MANIFEST
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device link":
        path.symlink_to("/dev/zero")
    else:
        path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    assert main(["verify", str(out), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and " / " in err and "内部エラー" not in err


def test_verify_refuses_a_manifest_over_the_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    _manifest(out, data, padding="x" * 2_000)
    monkeypatch.setattr(trail, "MANIFEST_MAX_BYTES", 1_000)
    assert main(["verify", str(out), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "を超えています" in err and "is larger than" in err


def test_verify_does_not_open_pipes_or_links_in_a_suites_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A suites folder named by a tampered manifest (or --suites) with a pipe *.json made
    verify hang; a link *.json was an internal error (O_NOFOLLOW)."""
    data, out, suites = tmp_path / "data", tmp_path / "out", tmp_path / "suites"
    data.mkdir()
    suites.mkdir()
    os.mkfifo(suites / "pipe.json")
    (suites / "link.json").symlink_to("/etc/hostname")
    _manifest(out, data, suites={"dir": str(suites), "sha256": {}})
    assert main(["verify", str(out), "--data", str(data)]) == 1
    shown = capsys.readouterr().out
    assert "pipe.json" in shown and "link.json" in shown
    assert trail.suite_hashes(suites) == {"link.json": "unreadable", "pipe.json": "unreadable"}


# --- tokki evaluate with a damaged briefing workbook --------------------------------------


def test_evaluate_a_workbook_whose_sample_sheet_xml_is_broken_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sheet's XML is parsed only as its rows are read, after the workbook opened: a
    truncated sheet part was an internal error (ParseError), not the user's message."""
    import zipfile

    from tokki_analytics.notebooks.onsite_eval import CONTRACT, POPULATIONS, RESULT

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = POPULATIONS[0].sheet
    for line in (["信頼度", 0.95], ["許容逸脱率", 0.05], [], [CONTRACT, "母集団件数", RESULT]):
        ws.append(line)
    ws.append(["K1", 10, "適"])
    good, broken = tmp_path / "good.xlsx", tmp_path / "briefing_C001.xlsx"
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[: len(data) // 2] if "worksheets/" in info.filename else data)
    assert main(["evaluate", str(good)]) == 1  # the intact one is read
    capsys.readouterr()
    assert main(["evaluate", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "Excel ブックとして読めません" in err and "cannot read" in err
    assert "内部エラー" not in err


# --- a formula saved without its value in the follow-up record ---------------------------


def _with_memo_formula(data: Path) -> tuple[Path, str]:
    """The record with a formula in メモ of its row, saved by openpyxl (no value kept)."""
    path = _record(data)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_OPEN]
    column = {cell.value: cell.column for cell in ws[1]}
    cell = ws.cell(2, column[LABELS["memo"]])
    cell.value = '="電話で"&"確認"'
    wb.save(path)
    return path, cell.coordinate


def test_a_formula_saved_without_its_value_is_named_and_the_row_applies(
    tmp_path: Path,
) -> None:
    """openpyxl (unlike Excel) saves a formula without its value; the reader gives the cell
    as empty, so what the auditor wrote in メモ was dropped without a word."""
    _, where = _with_memo_formula(tmp_path)
    items, problems = _run(tmp_path)
    assert items.loc[0, "state"] == INSTRUCTED  # the rest of the row applies
    assert items.loc[0, "due_on"] == dt.date(2026, 4, 1)
    (problem,) = problems
    assert (problem.sheet, problem.row) == (SHEET_OPEN, 2)
    assert f"セル{where}の数式は値が保存されていない" in problem.ja
    assert f"cell {where}" in problem.en and "without its value" in problem.en
    assert f"シート「{SHEET_OPEN}」2行目" in problem.text
    out = tmp_path / "followup.xlsx"
    write_followup_xlsx(out, items, items.iloc[0:0], problems, Origin("k", "data", AS_OF))
    shown = [
        str(c.value) for r in openpyxl.load_workbook(out)[SHEET_PROBLEMS].iter_rows() for c in r
    ]
    assert any(f"セル{where}" in text for text in shown)


def test_a_formula_saved_with_its_value_is_read_as_that_value(tmp_path: Path) -> None:
    """Excel keeps each formula's last value: that value is used, no problem named."""
    import zipfile

    path, where = _with_memo_formula(tmp_path)
    saved, found = tmp_path / "saved.xlsx", False
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(saved, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            text = data.decode("utf-8", "replace")
            start = text.find(f'<c r="{where}"><f>')  # the memo cell of 未完了 only
            if "worksheets/" in info.filename and start >= 0:
                end = text.index("</c>", start)
                cached = text[start:end].replace('r="', 't="str" r="', 1)
                cached = cached.replace("<v />", "<v>電話で確認</v>")
                data = (text[:start] + cached + text[end:]).encode("utf-8")
                found = True
            dst.writestr(info, data)
    assert found
    saved.replace(path)
    items, problems = _run(tmp_path)
    assert problems == []
    assert items.loc[0, "memo"] == "電話で確認" and items.loc[0, "state"] == INSTRUCTED


# --- tokki evaluate with a huge or hostile workbook ----------------------------------------


def _long_sample(path: Path, rows: int) -> Path:
    """A sample sheet of ``rows`` contract rows (the shape evaluate reads)."""
    from tokki_analytics.notebooks.onsite_eval import CONTRACT, POPULATIONS, RESULT

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(POPULATIONS[0].sheet)
    for line in (["信頼度", 0.95], ["許容逸脱率", 0.05], [], [CONTRACT, "母集団件数", RESULT]):
        ws.append(line)
    for _ in range(rows):
        ws.append(["K1", rows, "適"])
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("limit", "value", "ja", "en"),
    [
        ("MAX_ROWS", 50, "行数が上限 50 行を超えています", "more than 50 rows"),
        ("max_file_mb", 0, "max_file_mb", "max_file_mb"),  # a file larger than the limit
        ("max_unpacked_mb", 0, "max_unpacked_mb", "max_unpacked_mb"),  # a zip bomb
        ("max_cells", 100, "max_cells", "max_cells"),  # a sheet past the cells
    ],
)
def test_evaluate_refuses_a_workbook_past_a_limit_before_reading_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
    ja: str,
    en: str,
) -> None:
    """The workbook was read whole by openpyxl, outside the guarded reader: a sheet of a
    million rows or a zip bomb cost unbounded memory and time."""
    from tokki_analytics.notebooks import onsite_read

    path = _long_sample(tmp_path / "briefing_C001.xlsx", 60)
    assert main(["evaluate", str(path)]) == 0  # within the limits: read and evaluated
    capsys.readouterr()
    if limit == "MAX_ROWS":
        monkeypatch.setattr(onsite_read, "MAX_ROWS", value)
    else:
        small = dataclasses.replace(onsite_read.LIMITS, **{limit: value})
        monkeypatch.setattr(onsite_read, "LIMITS", small)
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path.name} を読みません" in err and f"{path.name} not read" in err
    assert ja in err and en in err
    assert err.index(ja) < err.index(" / ")  # Japanese first
    assert "内部エラー" not in err


def test_evaluate_refuses_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pipe named briefing.xlsx was opened and waited on forever."""
    path = tmp_path / "briefing_C001.xlsx"
    os.mkfifo(path)
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "通常のファイルではありません" in err and "not a regular file" in err
