"""``tokki check``: the intake check of one contractor's folder (issue 13, item 3).

The check must list exactly the contractor's Q0–Q3 and rule findings of a full ``tokki run``
(same ids, rows and details), for a folder in the data folder or outside it, write the reply
workbook and page, say nothing of other contractors, and answer 0/1/2 without a traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tokki_analytics
from tokki_analytics.cli import main
from tokki_analytics.findings import FINDING_COLUMNS
from tokki_analytics.history import finding_identities
from tokki_analytics.ingest.folders import contractor_code
from tokki_analytics.intake.check import (
    REPLY_LABELS,
    SECTION_MASTERS,
    SECTION_MISSING,
    SECTION_PERIODS,
    defect_rows,
)
from tokki_analytics.intake.check_expected import DUPLICATE_EXPECTED
from tokki_analytics.intake.checkrun import run_check
from tokki_analytics.intake.reply import REPLY_HTML, REPLY_XLSX, SHEET_ITEMS
from tokki_analytics.outputs.offline import external_urls

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"
FOLDERS = sorted(p for p in SAMPLES.iterdir() if p.is_dir())
#: What identifies an item of the reply, compared with the run's findings.
ITEM = ["rule_id", "contract_id", "form", "source", "sheet", "row", "detail"]


@pytest.fixture(scope="module")
def full_run() -> tokki_analytics.pipeline.Audit:
    """``tokki run``'s audit of data_samples, once for the module."""
    return tokki_analytics.audit(SAMPLES, jobs=1)


def _run_of(audit: tokki_analytics.pipeline.Audit, code: str) -> pd.DataFrame:
    findings = audit.findings
    return findings[findings["contractor_id"] == code].reset_index(drop=True)


def _reply_items(out: Path) -> pd.DataFrame:
    """The 訂正事項 sheet of the reply workbook, with the reply's column names."""
    frame = pd.read_excel(
        out / REPLY_XLSX, sheet_name=SHEET_ITEMS, dtype=str, engine="openpyxl"
    ).fillna("")
    frame.columns = [dict((v, k) for k, v in REPLY_LABELS.items())[c] for c in frame.columns]
    return frame


def _keys(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    rows = frame[ITEM].astype(object).where(frame[ITEM].notna(), "").astype(str)
    rows["row"] = rows["row"].replace("<NA>", "")
    return sorted(map(tuple, rows.to_numpy().tolist()))


def _output_text(out: Path) -> str:
    book = openpyxl.load_workbook(out / REPLY_XLSX)
    cells = [
        str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c
    ]
    return "\n".join(cells) + (out / REPLY_HTML).read_text(encoding="utf-8")


def _check(*args: str | Path) -> int:
    return main(["check", *map(str, args)])


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        sha.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            sha.update(path.read_bytes())
    return sha.hexdigest()


@pytest.mark.parametrize("folder", FOLDERS, ids=[contractor_code(p.name) for p in FOLDERS])
def test_each_folder_lists_the_runs_findings_of_its_contractor(
    folder: Path,
    full_run: tokki_analytics.pipeline.Audit,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = contractor_code(folder.name)
    contracts = full_run.submission.contracts
    known = set(contracts["contractor_id"])
    out = tmp_path / "reply"
    before = _digest(SAMPLES)
    status = _check(folder, "--data", SAMPLES, "--out", out)
    assert _digest(SAMPLES) == before  # neither DATA nor FOLDER changed
    run = _run_of(full_run, code)
    assert status == (1 if len(run) else 0)
    items = _reply_items(out)
    assert (items["section"] != SECTION_PERIODS).all()  # data_samples: no period flagged
    assert _keys(items) == _keys(run)
    if code not in known:  # C008: no contract, the run's one Q3 for its folder
        assert list(items["rule_id"]) == ["Q3"] and list(items["section"]) == [SECTION_MASTERS]
        cover = f"委託契約一覧に受託者コード {code} の契約がありません"
        assert cover in _output_text(out) and cover in capsys.readouterr().out
    q1 = run[run["rule_id"] == "Q1"]
    assert (items.loc[items["rule_id"] == "Q1", "section"] == SECTION_MISSING).all()
    assert len(items[items["section"] == SECTION_MISSING]) == len(q1)
    # nothing of any other contractor: code, name or contract id
    text = _output_text(out)
    assert code in text
    others = contracts[contracts["contractor_id"] != code]
    for value in {*others["contractor_id"], *others["contractor_name"], *others["contract_id"]}:
        assert value not in text, value
    assert not [c for c in known - {code} if c in text]
    assert external_urls((out / REPLY_HTML).read_text(encoding="utf-8")) == []


def test_check_has_the_runs_finding_ids(full_run: tokki_analytics.pipeline.Audit) -> None:
    unknown = next(p for p in FOLDERS if contractor_code(p.name) == "C008")
    for folder in [*FOLDERS[:3], unknown]:
        check = run_check(folder, SAMPLES)
        run = _run_of(full_run, check.code)
        mine = check.audit.findings
        assert mine[FINDING_COLUMNS].astype(str).equals(run[FINDING_COLUMNS].astype(str))
        assert list(finding_identities(mine)) == list(finding_identities(run))
    # C008, last: as in the run, nothing of its folder was read
    assert check.code not in set(check.audit.submission.submitted["contractor_id"])
    assert check.code not in set(check.audit.submission.periods["contractor_id"])


def test_a_folder_outside_data_named_with_a_code_without_contract(tmp_path: Path) -> None:
    source = next(p for p in FOLDERS if contractor_code(p.name) == "C008")
    copy = tmp_path / "mail" / "C008_受付分"
    shutil.copytree(source, copy)
    out = tmp_path / "out"
    assert _check(copy, "--data", SAMPLES, "--out", out) == 1
    items = _reply_items(out)
    assert items[["rule_id", "section", "source"]].values.tolist() == [
        ["Q3", SECTION_MASTERS, "C008_受付分"]
    ]
    other = tmp_path / "mail" / "受付_C008"  # the name gives no code shaped like C001
    shutil.copytree(source, other)
    assert _check(other, "--data", SAMPLES, "--out", tmp_path / "o2") == 2


def test_expected_says_what_each_defect_needs(full_run: tokki_analytics.pipeline.Audit) -> None:
    defects = full_run.submission.defects
    rows = defect_rows(defects).assign(contractor_id=defects["contractor_id"])
    by = {(r.rule_id, r.contractor_id, r.column): r.expected for r in rows.itertuples()}
    assert by[("Q2", "C004", "契約番号")] == DUPLICATE_EXPECTED  # 委託契約一覧, repeated
    assert by[("Q2", "C001", "雇用形態")].startswith("次のいずれか: 正社員・")  # not allowed
    assert "見出し行に列「結果」" in by[("Q2", "C007", "結果")]  # column missing
    assert "委託契約一覧に受託者コード C008 の契約" in by[("Q3", "C008", "")]  # no contract
    assert rows["expected"].str.len().gt(0).all()


def _without_logs_after_april(tmp_path: Path) -> Path:
    """C002's folder copied outside the data folder, its access logs after April removed."""
    source = next(p for p in FOLDERS if p.name.startswith("C002"))
    copy = tmp_path / "mail" / "C002_受付分"
    shutil.copytree(source, copy)
    logs = sorted(copy.glob("入退室記録_*.csv"))
    assert logs[0].name == "入退室記録_2025-04.csv" and len(logs) > 1
    for log in logs[1:]:
        log.unlink()
    return copy


def test_a_log_stopping_in_april_is_in_the_reply(tmp_path: Path) -> None:
    copy = _without_logs_after_april(tmp_path)
    out = tmp_path / "out"
    assert _check(copy, "--data", SAMPLES, "--out", out) == 1
    items = _reply_items(out)
    periods = items[items["section"] == SECTION_PERIODS]
    flagged = run_check(copy, SAMPLES).coverage.query("flag != ''")
    assert list(periods["form"]) == list(flagged["form"]) == ["入退室記録"]
    assert list(periods["detail"]) == list(flagged["flag"])
    assert periods["value"].iloc[0].startswith("2025-04-01〜2025-04-")
    assert periods["expected"].iloc[0] == "2025-04-01〜2026-01-31 の記録"
    assert SECTION_PERIODS in (out / REPLY_HTML).read_text(encoding="utf-8")
    original = next(p for p in FOLDERS if p.name.startswith("C002"))
    assert (run_check(original, SAMPLES).coverage["flag"] == "").all()


def _copy_c002(tmp_path: Path, name: str) -> Path:
    """C002's folder copied outside the data folder, its one Q2 (区分「入場」) corrected."""
    source = next(p for p in FOLDERS if p.name.startswith("C002"))
    copy = tmp_path / "mail" / name
    shutil.copytree(source, copy)
    log = copy / "入退室記録_2026-01.csv"
    data = log.read_bytes()
    assert data.count("入場".encode("cp932")) == 1
    log.write_bytes(data.replace("入場".encode("cp932"), "入室".encode("cp932")))
    return copy


def test_a_folder_outside_data_with_one_defect_fixed_shows_one_item_fewer(
    full_run: tokki_analytics.pipeline.Audit, tmp_path: Path
) -> None:
    copy = _copy_c002(tmp_path, "添付ファイル")
    before = _digest(copy)
    out = tmp_path / "out"
    assert _check(copy, "--data", SAMPLES, "--out", out, "--contractor", "C002") == 1
    assert _digest(copy) == before
    items = _reply_items(out)
    run = _run_of(full_run, "C002")
    fixed = (run["rule_id"] == "Q2") & run["detail"].str.contains("入場")
    assert fixed.sum() == 1
    expected = run[~fixed].copy()
    expected["source"] = expected["source"].str.replace(r"^C002_[^/]*/", "", regex=True)
    assert len(items) == len(run) - 1
    assert _keys(items) == _keys(expected)
    assert "C002" in _output_text(out)


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = next(p for p in FOLDERS if contractor_code(p.name) == "C006")
    clean = tmp_path / "clean"  # before any contract started: nothing to correct
    assert _check(folder, "--data", SAMPLES, "--out", clean, "--as-of", "2023-03-01") == 0
    assert "訂正が必要な項目はありません" in (clean / REPLY_HTML).read_text(encoding="utf-8")
    usage = [
        (tmp_path / "nowhere", "--data", SAMPLES),  # no such folder
        (folder, "--data", tmp_path),  # not a data folder
        (folder, "--data", SAMPLES, "--contractor", "C001"),  # the name says C006
        (tmp_path, "--data", SAMPLES),  # the name tells no contractor
        (tmp_path, "--data", SAMPLES, "--contractor", "C999"),  # unknown contractor
        (SAMPLES, "--data", SAMPLES, "--contractor", "C001"),  # the data folder itself
        (SAMPLES / "settings.toml", "--data", SAMPLES, "--contractor", "C006"),  # a file
    ]
    for args in usage:
        capsys.readouterr()
        assert _check(*args, "--out", tmp_path / "o") == 2, args
        err = capsys.readouterr().err
        assert err.strip() and " / " in err and "Traceback" not in err, args
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "memo.txt").write_text("x")
    assert _check(folder, "--data", SAMPLES, "--out", foreign) == 2
    assert os.listdir(foreign) == ["memo.txt"]
    assert _check(folder, "--data", SAMPLES, "--out", SAMPLES / "out") == 2


def test_hostile_folders_give_a_reply_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out-empty"
    assert _check(empty, "--data", SAMPLES, "--out", out, "--contractor", "C001") == 1
    items = _reply_items(out)
    q1 = items[items["rule_id"] == "Q1"]
    assert len(q1) > 0 and (q1["section"] == SECTION_MISSING).all()
    assert q1["expected"].str.startswith("様式「").all()
    fake = tmp_path / "C001_受付"
    fake.mkdir()
    (fake / "作業従事者名簿.xlsx").write_text("これは Excel ではありません\n", encoding="utf-8")
    out = tmp_path / "out-fake"
    assert _check(fake, "--data", SAMPLES, "--out", out) == 1
    items = _reply_items(out)
    q0 = items[items["rule_id"] == "Q0"]
    assert list(q0["source"]) == ["作業従事者名簿.xlsx"]
    assert "Excel" in q0["expected"].iloc[0]
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    inside = fake / "reply"  # the next check would read the reply as a submission
    assert _check(fake, "--data", SAMPLES, "--out", inside) == 2
    assert not inside.exists()
