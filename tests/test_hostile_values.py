"""Values that are valid but extreme: refused with a message naming the key, or handled."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import CONTRACT_HEADER, STAFF_HEADER, contract, staff_row, write_xlsx

from tokki_analytics.cli import main

I64_MAX = 2**63 - 1


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("return_days = 3000000", "return_days"),
        (f"disposal_days = {I64_MAX}", "disposal_days"),
        (f"incident_report_hours = {I64_MAX}", "incident_report_hours"),
        (f"ppc_report_threshold = {I64_MAX}", "ppc_report_threshold"),
        ("as_of = 9999-12-31", "as_of"),
        ("as_of = 0001-01-01", "as_of"),
        ("max_cells = 0", "max_cells"),
        ("reader_seconds = 100000000", "reader_seconds"),
    ],
)
def test_extreme_settings_are_refused_with_the_key_named(data_dir: Path, capsys, toml, key):
    (data_dir / "settings.toml").write_text(toml + "\n", encoding="utf-8")
    assert main(["load", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert key in err and " / " in err, err
    assert "Traceback" not in err


def test_an_as_of_far_in_the_future_is_refused(data_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(data_dir), "--out", str(out), "--as-of", "9999-12-31"]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert not out.exists()


def test_a_settings_file_that_is_a_folder_is_refused(data_dir: Path, capsys):
    (data_dir / "settings.toml").mkdir()
    assert main(["load", str(data_dir)]) == 2
    assert "settings.toml" in capsys.readouterr().err


def test_the_largest_allowed_settings_audit_to_the_end(data_dir: Path, tmp_path: Path):
    from tokki_analytics.settings import AS_OF_RANGE, MAXIMA, Settings

    lines = [f"as_of = {AS_OF_RANGE[1]}"]
    for name in Settings.__dataclass_fields__:
        for ending, top in MAXIMA.items():
            if name.endswith(ending):
                lines.append(f"{name} = {top}")
    (data_dir / "settings.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(data_dir), "--out", str(out), "--quiet", "--no-history", "--no-datadocs"]
    assert main(args) == 0
    assert (out / "findings.csv").exists()


def _contracts(root: Path, *rows: list) -> None:
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, *rows]})


def _load(data: Path, capsys) -> dict:
    assert main(["load", str(data), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_contract_ending_before_it_starts_is_a_defect(data_dir: Path, capsys):
    _contracts(data_dir, contract(start=dt.date(2025, 4, 1), end=dt.date(2024, 3, 31)))
    summary = _load(data_dir, capsys)
    q2 = [d for d in summary["defects"] if d["rule_id"] == "Q2" and d["column"] == "契約終了日"]
    assert len(q2) == 1
    assert q2[0]["value"] == "2024-03-31" and "契約開始日「2025-04-01」より前" in q2[0]["detail"]
    assert q2[0]["contract_id"] == "K-001" and q2[0]["row"] == 2


def test_9999_12_31_is_an_open_end_not_a_defect(data_dir: Path, tmp_path: Path, capsys):
    _contracts(data_dir, contract(end="9999/12/31"), contract("K-002", end=dt.date(9999, 12, 31)))
    staff = staff_row("P003", role="作業従事者")
    staff[7] = "9999-12-31"  # 従事終了日: still working
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx",
        {
            "作業従事者名簿": [
                STAFF_HEADER,
                staff_row("P001"),
                staff_row("P002", "K-002"),
                staff,
            ]
        },
    )
    summary = _load(data_dir, capsys)
    q2 = [d for d in summary["defects"] if d["rule_id"] == "Q2"]
    assert q2 == []

    out = tmp_path / "out"
    args = ["run", str(data_dir), "--out", str(out), "--quiet", "--no-history", "--no-datadocs"]
    args += ["--as-of", "2026-06-30"]
    assert main(args) == 0
    with open(out / "compliance.csv", encoding="utf-8-sig") as fh:
        judged = {(r["rule_id"], r["contract_id"]) for r in csv.DictReader(fh)}
    # the period runs on: 作業責任者 coverage is judged for both contracts up to as-of
    assert {("C2-1", "K-001"), ("C2-1", "K-002")} <= judged
    page = next((out / "contractors").glob("C001*.html")).read_text(encoding="utf-8")
    assert "定めなし" in page
