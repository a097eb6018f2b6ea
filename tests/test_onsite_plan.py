"""``tokki evaluate`` refuses a sample that is not the one drawn (issue 12).

The briefing workbook records what was drawn as data: 抽出番号 (1..n within each contract)
and サンプル件数 on every sample row, and a hidden sheet listing each sheet and contract.
An auditor who deletes a 否 row, copies a 適 row or renames a sample sheet in Excel
(here through openpyxl) gets exit 2 and a message naming sheet, contract and row.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tokki_analytics.cli import main
from tokki_analytics.notebooks.briefing import briefing, write_briefing_xlsx
from tokki_analytics.notebooks.onsite_eval import (
    CONFORMS,
    CONTRACT,
    DEVIATES,
    DRAW_NUMBER,
    PLAN_SHEET,
    POPULATION_SIZE,
    POPULATIONS,
    RESULT,
    SAMPLE_COUNT,
    evaluate_workbook,
)
from tokki_analytics.pipeline import Audit, open_run

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data_samples"
CONTRACTOR = "C001"
LEDGER = POPULATIONS[0].sheet


@pytest.fixture(scope="module")
def loose(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["run", str(DATA), "--out", str(out), "--no-history", "--quiet"]) == 0
    audit = open_run(DATA, out, contractor=CONTRACTOR)
    # 50 % / 30 %: 2 items per contract, fewer than the contracts' rows
    settings = dataclasses.replace(audit.settings, sample_confidence=0.5, sample_tolerable_rate=0.3)
    return dataclasses.replace(
        audit, submission=dataclasses.replace(audit.submission, settings=settings)
    )


def _table(ws: Worksheet) -> tuple[int, list[str]]:
    for row in ws.iter_rows():
        if row[0].value == CONTRACT:
            return row[0].row, [str(c.value) for c in row]
    raise AssertionError(f"no header in {ws.title}")


@pytest.fixture
def filled(loose: Audit, tmp_path: Path) -> Path:
    """The briefing workbook filled on site: the ledger's first row 否, every other 適."""
    path = write_briefing_xlsx(briefing(loose, CONTRACTOR), tmp_path / "briefing_C001.xlsx")
    wb = load_workbook(path)
    for population in POPULATIONS:
        ws = wb[population.sheet]
        header, columns = _table(ws)
        for line in range(header + 1, ws.max_row + 1):
            verdict = DEVIATES if (population.sheet, line) == (LEDGER, header + 1) else CONFORMS
            ws.cell(line, columns.index(RESULT) + 1, verdict)
    wb.save(path)
    return path


def _first_rows(ws: Worksheet) -> tuple[int, list[str], str]:
    """The header row, the columns and the first contract of a sample sheet."""
    header, columns = _table(ws)
    return header, columns, str(ws.cell(header + 1, 1).value)


def _evaluate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["evaluate", str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_rows_carry_their_draw_number_and_the_plan_lists_every_sample(filled: Path) -> None:
    wb = load_workbook(filled)
    plan = [row for row in wb[PLAN_SHEET].iter_rows(values_only=True)][1:]
    assert {row[0] for row in plan} == {p.sheet for p in POPULATIONS}
    for sheet, contract, population, count, *_ in plan:
        ws = wb[str(sheet)]
        header, columns = _table(ws)
        rows = [r for r in ws.iter_rows(min_row=header + 1, values_only=True) if r[0] == contract]
        assert [r[columns.index(DRAW_NUMBER)] for r in rows] == list(range(1, len(rows) + 1))
        assert {r[columns.index(SAMPLE_COUNT)] for r in rows} <= {count}
        assert {r[columns.index(POPULATION_SIZE)] for r in rows} <= {population}
        assert len(rows) == count


def test_the_untouched_filled_workbook_evaluates_as_before(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evaluations = evaluate_workbook(filled)
    assert all(e.planned for e in evaluations)
    code, out, _ = _evaluate(filled, capsys)
    assert code == 1  # a deviation in a sample of 2 at 50 % cannot show a rate within 30 %
    assert "注意" not in out
    assert out.splitlines()[:-1] == [line for e in evaluations for line in e.lines()]


def test_a_deleted_deviation_row_exits_2_naming_the_missing_number(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    ws = wb[LEDGER]
    header, columns, contract = _first_rows(ws)
    assert ws.cell(header + 1, columns.index(RESULT) + 1).value == DEVIATES
    ws.delete_rows(header + 1)
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2
    assert f"シート「{LEDGER}」の契約 {contract}: {DRAW_NUMBER} 1 の行がありません" in err
    assert "draw number 1 is missing" in err


def test_a_copied_row_exits_2_naming_the_number_twice(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    ws = wb[LEDGER]
    header, _, contract = _first_rows(ws)
    copy = ws.max_row + 1
    for cell in ws[header + 2]:  # a 適 row, pasted below the table
        ws.cell(copy, cell.column, cell.value)
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2
    assert f"シート「{LEDGER}」の {copy} 行目（契約 {contract}）: {DRAW_NUMBER} 2 が 2 回" in err
    assert f"row {copy} (contract {contract}): draw number 2 appears twice" in err


def test_an_added_row_without_a_number_exits_2_naming_it(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    ws = wb[LEDGER]
    header, columns, contract = _first_rows(ws)
    extra = ws.max_row + 1
    for cell in ws[header + 2]:
        ws.cell(extra, cell.column, cell.value)
    ws.cell(extra, columns.index(DRAW_NUMBER) + 1).value = None
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2
    assert f"シート「{LEDGER}」の {extra} 行目（契約 {contract}）" in err and "not one of" in err


def test_a_renamed_sample_sheet_exits_2_naming_it(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    wb[POPULATIONS[1].sheet].title = "持出確認"
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2
    assert f"シート「{POPULATIONS[1].sheet}」" in err and "renamed or deleted" in err


def test_a_changed_population_or_rate_exits_2(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    ws = wb[LEDGER]
    header, columns, _ = _first_rows(ws)
    cell = ws.cell(header + 1, columns.index(POPULATION_SIZE) + 1)
    population, cell.value = cell.value, 2  # a census of 2 would need no sampling risk
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2 and f"{header + 1} 行目" in err and POPULATION_SIZE in err
    cell.value = population
    ws["B3"] = 0.9  # 許容逸脱率
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2 and "許容逸脱率" in err


def test_a_deleted_plan_exits_2_and_a_workbook_without_numbers_is_evaluated_with_a_note(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = load_workbook(filled)
    del wb[PLAN_SHEET]
    wb.save(filled)
    code, _, err = _evaluate(filled, capsys)
    assert code == 2 and PLAN_SHEET in err
    # a workbook written before the plan: no hidden sheet, no numbered rows
    for population in POPULATIONS:
        ws = wb[population.sheet]
        _, columns = _table(ws)
        ws.delete_cols(columns.index(DRAW_NUMBER) + 1, 2)
    wb.save(filled)
    assert not any(e.planned for e in evaluate_workbook(filled))
    code, out, _ = _evaluate(filled, capsys)
    assert code == 1
    assert out.startswith("注意:") and "could not be checked" in out
