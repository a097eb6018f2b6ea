"""The audit end to end, through GX: findings and compliance as the output contract says."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, ROOT, STAFF_HEADER, contract, staff_row, write_xlsx

import tokki_analytics
from tokki_analytics.findings import COMPLIANCE_COLUMNS, FINDING_COLUMNS, UNIT_COLUMNS
from tokki_analytics.samples import generate

KEY_COLUMNS = ["rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row"]


def _keyset(frame: pd.DataFrame) -> set[tuple]:
    frame = frame.astype(object).where(frame.notna(), "")
    return {tuple(str(v) for v in row) for row in frame[KEY_COLUMNS].values.tolist()}


def _answer_key(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "answer_key.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sample_audit():
    return tokki_analytics.audit(ROOT / "data_samples")


def test_the_answer_key_of_data_samples_is_found_exactly(sample_audit):
    key = _answer_key(ROOT / "tests" / "answer_keys" / "data_samples")
    found = _keyset(sample_audit.findings)
    planted = _keyset(key)
    assert found - planted == set(), "findings not in the key (precision < 1)"
    assert planted - found == set(), "planted failures not found (recall < 1)"


def test_the_answer_key_of_a_larger_prefecture_is_found_exactly(tmp_path: Path):
    data = tmp_path / "pref"
    key = generate(data, contractors=23, seed=5)
    result = tokki_analytics.audit(data)
    assert _keyset(result.findings) == _keyset(key.astype(str))


def test_every_rule_id_is_produced_when_its_failure_is_present(sample_audit):
    from tokki_analytics.rules import RULE_IDS

    assert set(sample_audit.findings["rule_id"]) == set(RULE_IDS)


def test_findings_follow_the_output_contract(sample_audit):
    findings = sample_audit.findings
    assert list(findings.columns) == FINDING_COLUMNS + UNIT_COLUMNS  # the unit: in memory
    assert set(findings["severity"]) <= {"重大", "軽微", "観察"}
    assert not findings["source"].str.contains("\\\\", regex=False).any()
    contract_level = findings["rule_id"].isin(["C2-1", "C7.5-1", "P-1", "Q1"])
    assert findings.loc[contract_level, "row"].isna().all()
    assert (findings["detail"] != "").all()
    dates = findings["detail"].str.findall(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}").explode().dropna()
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), "dates in detail are YYYY-MM-DD"


def test_findings_are_sorted_as_the_contract_says(sample_audit):
    findings = sample_audit.findings
    pairs = list(zip(findings["contractor_id"], findings["contract_id"], strict=True))
    assert pairs == sorted(pairs)


def test_compliance_counts_units_and_leaves_out_q_rules(sample_audit):
    compliance = sample_audit.compliance
    assert list(compliance.columns) == COMPLIANCE_COLUMNS
    assert not compliance["rule_id"].str.startswith("Q").any()
    assert (compliance["units_checked"] > 0).all()
    assert (
        compliance["rate"] == 1 - compliance["units_failed"] / compliance["units_checked"]
    ).all()
    failures = sample_audit.findings[~sample_audit.findings["rule_id"].str.startswith("Q")]
    assert compliance["units_failed"].sum() == len(failures)


def _one_contract_folder(tmp_path: Path, excluded=None) -> Path:
    root = tmp_path / "data"
    write_xlsx(
        root / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(excluded=excluded)]},
    )
    late = staff_row("P002", role="作業従事者", start="2025-04-01")
    late[8] = "2025-04-10"  # 届出日 after 従事開始日: C3-2
    unreadable = staff_row("P003", role="作業従事者", start="2025-04-01")
    unreadable[8] = "令和7年13月1日"  # 届出日 unreadable: Q2 only
    write_xlsx(
        root / "C001_株式会社テスト" / "提出書類.xlsx",
        {"作業従事者名簿": [STAFF_HEADER, staff_row("P001"), late, unreadable]},
    )
    return root


def test_an_excluded_clause_yields_no_finding_and_is_not_assessed(tmp_path: Path):
    root = _one_contract_folder(tmp_path, excluded="第3")
    result = tokki_analytics.audit(root, as_of=dt.date(2025, 6, 30))
    assert not result.findings["rule_id"].str.startswith("C3").any()
    assert not result.compliance["rule_id"].str.startswith("C3").any()
    included = tokki_analytics.audit(_one_contract_folder(tmp_path / "b"), as_of="2025-06-30")
    assert "C3-2" in set(included.findings["rule_id"])


def test_an_unreadable_cell_yields_its_q2_and_no_second_finding(tmp_path: Path):
    result = tokki_analytics.audit(_one_contract_folder(tmp_path), as_of="2025-06-30")
    row4 = result.findings[result.findings["row"] == 4]
    assert row4["rule_id"].tolist() == ["Q2"]
    c3 = result.compliance[result.compliance["rule_id"] == "C3-2"]
    assert c3["units_checked"].tolist() == [2]


def test_tokki_run_writes_both_csvs_excel_can_open(tmp_path: Path):
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tokki_analytics.cli",
            "run",
            "data_samples",
            "--out",
            str(out),
            "--history",
            str(tmp_path / "history"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Calculating Metrics" not in done.stderr, "GX progress bars spill into the output"
    for name, columns in (
        ("findings.csv", FINDING_COLUMNS),
        ("compliance.csv", COMPLIANCE_COLUMNS),
    ):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has a BOM"
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
        assert rows[0] == columns
        assert oct((out / name).stat().st_mode & 0o777) == "0o600"
    from tokki_analytics.outputs.offline import external_urls

    pages = list(out.rglob("*.html"))
    assert (out / "index.html") in pages and (out / "datadocs" / "index.html") in pages
    for page in pages:
        assert external_urls(page.read_text(encoding="utf-8")) == [], page
    assert (out / "findings.xlsx").stat().st_size > 0
    findings = pd.read_csv(
        out / "findings.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    key = _answer_key(ROOT / "tests" / "answer_keys" / "data_samples")
    assert _keyset(findings) == _keyset(key)


def test_as_of_on_the_command_line_overrides_the_settings_file(tmp_path: Path):
    result = tokki_analytics.audit(ROOT / "data_samples", as_of="2026-03-31")
    assert result.settings.as_of == dt.date(2026, 3, 31)
