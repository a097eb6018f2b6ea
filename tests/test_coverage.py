"""The submission-status overview (提出状況, issue 13): tokki load and index.html."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tokki_analytics.cli import main
from tokki_analytics.forms import ACCESS, DEVICES, MEDIA_CHECKS, STAFF, SUBCONTRACTS
from tokki_analytics.ingest import load
from tokki_analytics.ingest.periods import MISSING, NOT_NEEDED, SUBMITTED
from tokki_analytics.intake.coverage import coverage, noteworthy, submission_coverage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data_samples"


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data_samples with C002's access log ending in April (its May–January files gone)."""
    data = tmp_path_factory.mktemp("coverage") / "data"
    shutil.copytree(DATA, data)
    folder = next(data.glob("C002*"))
    later = [p for p in folder.glob(f"{ACCESS.name}_*.csv") if p.stem[-7:] >= "2025-05"]
    assert len(later) == 9  # 2025-05 … 2026-01
    for path in later:
        path.unlink()
    return data


@pytest.fixture(scope="module")
def stopped_table(stopped: Path) -> pd.DataFrame:
    return submission_coverage(load(stopped))


def test_the_stopped_access_log_is_the_only_flag(stopped_table):
    flagged = stopped_table[stopped_table["flag"] != ""]
    assert flagged[["contractor_id", "form"]].values.tolist() == [["C002", ACCESS.name]]
    row = flagged.iloc[0]
    assert row["status"] == SUBMITTED
    assert row["last"].year == 2025 and row["last"].month == 4
    assert row["should_to"] == pd.Timestamp("2026-01-31")  # as-of of data_samples
    assert "より後の記録がありません" in row["flag"]
    assert "2026-01-31 まで必要" in row["flag"]


def test_a_contractor_with_everything_is_not_noteworthy(stopped_table):
    c001 = stopped_table[stopped_table["contractor_id"] == "C001"]
    assert len(c001) == 13 and noteworthy(c001).empty
    access = c001[c001["form"] == ACCESS.name].iloc[0]
    assert access["records"] > 0 and access["last"] >= pd.Timestamp("2026-01-01")


def test_data_samples_overview_lists_its_missing_form_only():
    table = submission_coverage(load(DATA))
    shown = noteworthy(table)
    assert shown[["contractor_id", "form", "status"]].values.tolist() == [
        ["C005", DEVICES.name, MISSING]
    ]
    # a form only needed when there is something to record, not sent
    c002 = table[table["contractor_id"] == "C002"].set_index("form")
    assert c002.at[SUBCONTRACTS.name, "status"] == NOT_NEEDED


def test_a_form_no_contract_needs_is_not_needed():
    sub = load(DATA)
    # C004 keeping only its contract without electronic data (電子データ取扱 無)
    contracts = sub.contracts[sub.contracts["contract_id"] == "R7-0038"]
    assert contracts["handles_electronic"].tolist() == ["無"]
    sent = sub.submitted[sub.submitted["form"] != MEDIA_CHECKS.key]
    table = coverage(sub.periods, sent, contracts, sub.settings.as_of, 31).set_index("form")
    assert table.at[MEDIA_CHECKS.name, "status"] == NOT_NEEDED
    assert table.at[ACCESS.name, "status"] == SUBMITTED


def test_tokki_load_prints_the_flag(stopped, capsys):
    assert main(["load", str(stopped)]) == 0
    out = capsys.readouterr().out
    assert "提出状況" in out
    line = next(li for li in out.splitlines() if "より後の記録がありません" in li)
    assert line.startswith("C002") and ACCESS.name in line
    assert "2025-04-" in line


def test_tokki_load_json_holds_the_whole_table(stopped, capsys):
    assert main(["load", str(stopped), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["coverage"]
    assert len(rows) == 7 * 13  # contractors with contracts × submission forms
    access = next(r for r in rows if r["contractor_id"] == "C002" and r["form"] == ACCESS.name)
    assert access["last"].startswith("2025-04-") and access["should_to"] == "2026-01-31"
    assert access["flag"]
    assert sum(1 for r in rows if r["flag"]) == 1


def test_index_html_shows_the_section(stopped, tmp_path):
    out = tmp_path / "out"
    args = ["run", str(stopped), "--out", str(out), "--no-history", "--no-datadocs", "--quiet"]
    assert main(args) == 0
    page = (out / "index.html").read_text("utf-8")
    assert "<h2>提出状況" in page
    section = page[page.index("<h2>提出状況") :]
    assert "より後の記録がありません" in section  # the run's lean load kept the periods
    assert 'href="contractors/C002.html"' in section


# --- the period records must cover: one rule for 記入要領 and the overview -----------------


def test_the_period_to_cover_runs_from_the_start_to_as_of_or_the_end_if_earlier():
    from tokki_analytics.intake.coverage import period_to_cover

    day = pd.Timestamp
    as_of = dt.date(2025, 9, 30)
    ended = period_to_cover(day("2024-10-01"), day("2025-03-31"), as_of)
    assert ended is not None and (ended.start, ended.end) == (day("2024-10-01"), day("2025-03-31"))
    running = period_to_cover(day("2024-10-01"), pd.NaT, as_of)
    assert running is not None and running.end == day("2025-09-30"), "no readable end: as-of"
    assert period_to_cover(day("2025-10-01"), day("2026-03-31"), as_of) is None
    log = period_to_cover(day("2024-10-01"), day("2026-03-31"), as_of, continuous=True)
    assert log is not None and (log.start, log.end) == (day("2025-04-01"), day("2025-09-30"))
    unknown = period_to_cover(pd.NaT, day("2026-03-31"), as_of, continuous=True)
    assert unknown is not None and pd.isna(unknown.start) and unknown.end == day("2025-09-30")


def test_the_template_guide_and_the_overview_give_a_contract_the_same_period():
    from tokki_analytics.ingest.periods import empty_periods
    from tokki_analytics.intake.template import GUIDE_SHEET, build_template

    sub = load(DATA)
    as_of, none_sent = sub.settings.as_of, pd.DataFrame({"contractor_id": [], "form": []})
    compared = 0
    for code, own in sub.contracts.groupby("contractor_id"):
        guide = build_template(sub.contracts, str(code), as_of)[GUIDE_SHEET]
        cells = {str(c.value) for row in guide.iter_rows() for c in row if c.value}
        for n in range(len(own)):
            alone = own.iloc[[n]]  # the overview spans a contractor's contracts, the guide each
            table = coverage(empty_periods(), none_sent, alone, as_of, 31)
            should = table[table["form"] == STAFF.name].iloc[0]
            if should["status"] == NOT_NEEDED:
                assert alone.iloc[0]["start_date"] > pd.Timestamp(as_of)
                assert "基準日より後に開始（記録の提出は不要）" in cells
                continue
            text = f"{should['should_from']:%Y/%m/%d}～{should['should_to']:%Y/%m/%d}"
            assert text in cells, (code, text)
            compared += 1
    assert compared >= len(sub.contracts) - 2


def test_the_guide_says_so_when_a_contracts_start_cannot_be_read():
    from tokki_analytics.intake.template import GUIDE_SHEET, build_template

    sub = load(DATA)
    code = str(sub.contracts["contractor_id"].iloc[0])
    contracts = sub.contracts.copy()
    contracts["start_date"] = contracts["start_date"].where(contracts["contractor_id"] != code)
    guide = build_template(contracts, code, sub.settings.as_of)[GUIDE_SHEET]
    cells = [str(c.value) for row in guide.iter_rows() for c in row if c.value]
    assert "契約開始日が読めないため未定（担当課に確認してください）" in cells
    assert not any(cell.startswith("基準日より後に開始") for cell in cells)


def test_the_guide_shows_an_open_ended_contract_as_without_end():
    """委託契約一覧's 9999-12-31 (no end date) is read as the last day tokki reads."""
    from tokki_analytics.ingest.dates import LAST_DAY
    from tokki_analytics.intake.template import GUIDE_SHEET, build_template

    sub = load(DATA)
    code = str(sub.contracts["contractor_id"].iloc[0])
    contracts = sub.contracts.copy()
    own = contracts["contractor_id"] == code
    contracts.loc[own, "end_date"] = pd.Timestamp(LAST_DAY)
    guide = build_template(contracts, code, sub.settings.as_of)[GUIDE_SHEET]
    rows = [[c.value for c in row] for row in guide.iter_rows()]
    ids = set(contracts.loc[own, "contract_id"])
    contract_rows = [row for row in rows if row[0] in ids]
    assert contract_rows and all(row[4] == "定めなし" for row in contract_rows)
    assert not any(str(LAST_DAY.year) in str(v) for row in rows for v in row if v)
