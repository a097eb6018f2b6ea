"""On-site verification samples in the briefing and ``tokki evaluate`` (issue 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tokki_analytics.cli import main
from tokki_analytics.notebooks.briefing import briefing, write_briefing_xlsx
from tokki_analytics.notebooks.onsite import (
    FINDING_COUNT,
    finding_counts,
    onsite_samples,
    seed_lines,
)
from tokki_analytics.notebooks.onsite_eval import (
    CONFORMS,
    CONTRACT,
    DEVIATES,
    FILL_COLUMNS,
    FLAGGED_SHEET,
    PLAN_SHEET,
    POPULATIONS,
    RESULT,
    evaluate_workbook,
)
from tokki_analytics.pipeline import Audit, open_run
from tokki_analytics.sampling import conclusion, sample_size, upper_deviation_limit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data_samples"
CONTRACTOR = "C001"  # its contracts have up to 10 rows of a form: small rates sample them


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["run", str(DATA), "--out", str(out), "--no-history", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def audit(run_dir) -> Audit:
    return open_run(DATA, run_dir, contractor=CONTRACTOR)


def with_settings(audit: Audit, **changes: object) -> Audit:
    """The same run under other settings (rates, as-of date)."""
    settings = dataclasses.replace(audit.settings, **changes)
    return dataclasses.replace(
        audit, submission=dataclasses.replace(audit.submission, settings=settings)
    )


@pytest.fixture(scope="module")
def loose(audit) -> Audit:
    # 50 % / 30 %: 2 items (0.7 ** 2 <= 0.5), fewer than the contracts' rows
    return with_settings(audit, sample_confidence=0.5, sample_tolerable_rate=0.3)


def _key(frame: pd.DataFrame) -> list[tuple]:
    return list(frame[["ファイル", "シート", "行"]].itertuples(index=False, name=None))


def test_the_sample_is_the_same_on_every_run_and_changes_with_the_as_of_date(loose):
    first, again = onsite_samples(loose, CONTRACTOR), onsite_samples(loose, CONTRACTOR)
    assert [s.seed for s in first] == [s.seed for s in again]
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a.sample, b.sample)
    later = onsite_samples(with_settings(loose, as_of=dt.date(2026, 3, 31)), CONTRACTOR)
    assert all(a.seed != b.seed for a, b in zip(first, later, strict=True))
    assert all("2026-03-31" in s.seed_text for s in later)
    drawn = [s for s in first if s.size > len(s.sample)]
    assert drawn, "the loose rates must leave rows out"
    assert any(
        _key(a.sample) != _key(b.sample) for a, b in zip(first, later, strict=True) if a in drawn
    )


@pytest.mark.parametrize(("confidence", "rate"), [(0.5, 0.3), (0.95, 0.05), (0.9, 0.1)])
def test_the_sample_size_is_the_planned_one_capped_at_the_population(audit, confidence, rate):
    planned = with_settings(audit, sample_confidence=confidence, sample_tolerable_rate=rate)
    samples = onsite_samples(planned, CONTRACTOR)
    assert {s.population for s in samples} == set(POPULATIONS)
    for s in samples:
        assert len(s.sample) == min(sample_size(confidence, rate), s.size)
        assert len(s.sample) == sample_size(confidence, rate, 0, population=s.size)


def test_rows_with_findings_are_listed_apart_not_sampled(audit):
    samples = onsite_samples(audit, CONTRACTOR)
    flagged = [s for s in samples if len(s.flagged)]
    assert flagged, "C001 has findings on these forms"
    for s in samples:
        assert not set(_key(s.sample)) & set(_key(s.flagged))
        assert (s.flagged[FINDING_COUNT] > 0).all()
    # every row of a population is either flagged or in the rest the sample comes from
    for population in POPULATIONS:
        frame = audit.submission.frames[population.form_key]
        own = frame[frame["contractor_id"] == CONTRACTOR]
        counts = finding_counts(own, audit.findings, population.form_key)
        mine = [s for s in samples if s.population == population]
        assert sum(len(s.flagged) for s in mine) == int((counts > 0).sum())
        assert sum(s.size for s in mine) == int((counts == 0).sum())
    table = seed_lines(samples)
    assert list(table["シード"]) == [s.seed for s in samples]


@pytest.fixture
def workbook(loose, tmp_path) -> Path:
    return write_briefing_xlsx(
        briefing(loose, CONTRACTOR), tmp_path / f"briefing_{CONTRACTOR}.xlsx"
    )


def _table(ws) -> tuple[int, list[str]]:
    for row in ws.iter_rows():
        if row[0].value == CONTRACT:
            return row[0].row, [c.value for c in row]
    raise AssertionError(f"no header in {ws.title}")


def test_the_workbook_has_a_sheet_per_population_with_a_drop_down(workbook, loose):
    wb = load_workbook(workbook)
    sheets = [p.sheet for p in POPULATIONS] + [FLAGGED_SHEET, PLAN_SHEET]
    assert sheets == wb.sheetnames[-6:] and wb[PLAN_SHEET].sheet_state == "hidden"
    samples = onsite_samples(loose, CONTRACTOR)
    for population in POPULATIONS:
        ws = wb[population.sheet]
        header, columns = _table(ws)
        assert columns[-3:] == list(FILL_COLUMNS)
        assert columns[2:5] == ["ファイル", "シート", "行"]
        rows = ws.max_row - header
        assert rows == sum(len(s.sample) for s in samples if s.population == population)
        notes = " ".join(str(c.value) for r in ws.iter_rows(max_row=header - 1) for c in r)
        for s in samples:
            if s.population == population:
                assert str(s.seed) in notes and s.seed_text in notes
        assert ws["B2"].value == 0.5 and ws["B3"].value == 0.3
        (validation,) = ws.data_validations.dataValidation
        assert validation.type == "list" and validation.formula1 == f'"{CONFORMS},{DEVIATES}"'
        letter = ws.cell(header, columns.index(RESULT) + 1).column_letter
        assert str(validation.sqref) == f"{letter}{header + 1}:{letter}{ws.max_row}"
    flagged = wb[FLAGGED_SHEET]
    assert flagged.max_row - 3 == sum(len(s.flagged) for s in samples)
    # names are masked as elsewhere in the briefing
    staff = wb[POPULATIONS[2].sheet]
    _, columns = _table(staff)
    names = [r[columns.index("氏名")] for r in staff.iter_rows(values_only=True)][-1]
    assert "＊＊" in str(names)


def _fill(path: Path, verdicts: dict[str, list[str | None]]) -> None:
    """Fill 確認結果 as an auditor does in Excel (openpyxl, saved in place)."""
    wb = load_workbook(path)
    for sheet, values in verdicts.items():
        ws = wb[sheet]
        header, columns = _table(ws)
        column = columns.index(RESULT) + 1
        for offset, value in enumerate(values, start=1):
            ws.cell(header + offset, column, value)
            ws.cell(header + offset, column + 1, "監査 太郎")
    wb.save(path)


def test_evaluating_the_filled_workbook_gives_the_counts_and_the_exact_bound(workbook, capsys):
    wb = load_workbook(workbook)
    sizes = {p.sheet: wb[p.sheet].max_row - _table(wb[p.sheet])[0] for p in POPULATIONS}
    ledger, takeout = POPULATIONS[0].sheet, POPULATIONS[1].sheet
    assert sizes[ledger] >= 2 and sizes[takeout] >= 2
    verdicts: dict[str, list[str | None]] = {
        p.sheet: [CONFORMS] * sizes[p.sheet] for p in POPULATIONS
    }
    verdicts[ledger] = [DEVIATES] + [CONFORMS] * (sizes[ledger] - 1)
    verdicts[takeout] = [None] + [CONFORMS] * (sizes[takeout] - 1)
    _fill(workbook, verdicts)
    evaluations = evaluate_workbook(workbook)
    first = next(e for e in evaluations if e.sheet == ledger)
    assert (first.drawn, first.checked, first.deviations) == (first.drawn, first.drawn, 1)
    if not first.census:
        assert first.upper_limit == upper_deviation_limit(first.checked, 1, 0.5)
    blank = next(e for e in evaluations if e.sheet == takeout)
    assert blank.unchecked == 1 and blank.deviations == 0
    sampled = [e for e in evaluations if not e.census and e.checked]
    assert sampled, "the loose rates leave some population sampled"
    for e in sampled:
        assert e.upper_limit == upper_deviation_limit(e.checked, e.deviations, 0.5)
    code = main(["evaluate", str(workbook)])
    out = capsys.readouterr().out
    assert code == 1  # a deviation in a sample of 2 at 50 % cannot show a rate within 30 %
    assert "未確認 1 件" in out and "not yet checked" in out
    for e in sampled:
        assert conclusion(e.checked, e.deviations, 0.5, 0.3) in out


def test_every_population_within_exits_0_and_a_deviation_in_a_sample_exits_1(workbook, capsys):
    wb = load_workbook(workbook)
    sizes = {p.sheet: wb[p.sheet].max_row - _table(wb[p.sheet])[0] for p in POPULATIONS}
    _fill(workbook, {sheet: [CONFORMS] * n for sheet, n in sizes.items()})
    assert main(["evaluate", str(workbook)]) == 0
    assert "every population is within" in capsys.readouterr().out
    sampled = next(e for e in evaluate_workbook(workbook) if not e.census)
    _fill(workbook, {sampled.sheet: [DEVIATES]})
    assert main(["evaluate", str(workbook)]) == 1


def test_a_bad_value_is_reported_with_sheet_and_row(workbook, capsys):
    _fill(workbook, {POPULATIONS[2].sheet: [CONFORMS, "OK"]})
    header = _table(load_workbook(workbook)[POPULATIONS[2].sheet])[0]
    assert main(["evaluate", str(workbook)]) == 2
    err = capsys.readouterr().err
    assert f"シート「{POPULATIONS[2].sheet}」の {header + 2} 行目" in err
    assert f"row {header + 2}" in err and "'OK'" in err


def test_a_file_that_is_not_a_workbook_exits_2(tmp_path, capsys):
    path = tmp_path / "briefing.xlsx"
    path.write_text("not a workbook")
    assert main(["evaluate", str(path)]) == 2
    assert "briefing.xlsx" in capsys.readouterr().err
