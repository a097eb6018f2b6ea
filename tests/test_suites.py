"""The expectation suites as a prefecture reviews them: GX JSON, built-in types, one rule each."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import tokki_analytics
from tokki_analytics.cli import main
from tokki_analytics.errors import InputError
from tokki_analytics.gx.suites import (
    SUITES_DIR,
    SuiteError,
    build_suite_json,
    load_suites,
    views_in_order,
)
from tokki_analytics.rules import RULE_IDS, RULES
from tokki_analytics.vocab import SEVERITY_GX

#: The ids of the rules Great Expectations checks (Q0–Q3 are the load's).
GX_RULE_IDS = [rule.id for rule in RULES]


def test_every_rule_of_the_catalogue_but_q0_to_q3_is_checked_by_gx_once():
    assert len(GX_RULE_IDS) == len(set(GX_RULE_IDS))
    assert [i for i in RULE_IDS if not i.startswith("Q")] == GX_RULE_IDS


def test_gx_alone_loads_every_suite_with_exactly_the_expected_rule_ids():
    # A separate interpreter that imports GX and nothing of ours: what another runtime sees.
    code = r"""
import json, os, sys, pathlib
os.environ["GX_ANALYTICS_ENABLED"] = "False"
import great_expectations as gx
found = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    suite = gx.ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))
    found += [e.meta["rule_id"] for e in suite.expectations]
assert not [m for m in sys.modules if m.startswith("tokki")]
print(json.dumps(found))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, str(SUITES_DIR)], capture_output=True, text=True, cwd="/"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert sorted(found) == sorted(GX_RULE_IDS)


def test_committed_suites_are_written_from_the_catalogue():
    for view in views_in_order():
        data = build_suite_json(view)
        path = SUITES_DIR / f"{data['name']}.json"
        assert json.loads(path.read_text(encoding="utf-8")) == data, (
            f"{path.name} is stale: run python -m tokki_analytics.gx.suites"
        )


def test_every_expectation_is_built_in_with_meta_severity_and_a_structured_condition():
    for path in SUITES_DIR.glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert re.search(r"第\d+", suite["name"]), suite["name"]
        for item in suite["expectations"]:
            meta = item["meta"]
            assert {"rule_id", "clause", "severity"} <= set(meta)
            assert item["severity"] == SEVERITY_GX[meta["severity"]]
            assert item["description"].startswith(meta["rule_id"])
            condition = item["kwargs"]["row_condition"]
            assert condition["type"] == "comparison" and condition["parameter"] is True
            assert "condition_parser" not in item["kwargs"]


def test_no_threshold_is_written_into_a_suite():
    # thresholds (7, 24, 30, 92, 100 …) live in settings.toml; suites compare with 0 or sets
    for path in SUITES_DIR.glob("*.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            for key in ("min_value", "max_value"):
                value = item["kwargs"].get(key)
                assert value in (None, 0, 0.0), (item["meta"]["rule_id"], key, value)


def test_suite_files_name_their_clauses():
    names = [p.stem for p in SUITES_DIR.glob("*.json")]
    assert any(n.startswith("第3") for n in names)
    assert SUITES_DIR == ROOT / "tokki_analytics" / "gx" / "expectations"


# --- an incomplete suites folder stops the run ---------------------------------------------

STAFF_SUITE = "第3_第4_第5_作業従事者名簿.json"


@pytest.fixture
def suites(tmp_path: Path) -> Path:
    """A copy of the shipped suites that a test may break."""
    folder = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, folder)
    return folder


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _run_with(suites: Path, data_dir: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    out = tmp_path / "out"
    args = ["run", str(data_dir), "--out", str(out), "--suites", str(suites), "--no-history"]
    code = main([*args, "--quiet"])
    err = capsys.readouterr().err
    assert not (out / "findings.csv").exists()
    assert "Traceback" not in err
    return code, err


def test_the_shipped_suites_hold_every_rule_of_the_catalogue():
    loaded = load_suites()
    assert set(loaded) == set(views_in_order())
    found = [e.meta["rule_id"] for suite in loaded.values() for e in suite.expectations]
    assert sorted(found) == sorted(GX_RULE_IDS)


def test_a_suite_error_is_an_input_error():
    assert issubclass(SuiteError, InputError)


def test_a_folder_missing_a_suite_stops_the_run_with_exit_2(suites, data_dir, tmp_path, capsys):
    (suites / STAFF_SUITE).unlink()
    code, err = _run_with(suites, data_dir, tmp_path, capsys)
    assert code == 2
    assert STAFF_SUITE in err and "C3-1" in err and "ありません" in err


def _rule_id(suites: Path, n: int) -> str:
    data = json.loads((suites / STAFF_SUITE).read_text(encoding="utf-8"))
    return data["expectations"][n]["meta"]["rule_id"]


def test_a_suite_that_lost_one_expectation_stops_the_run(suites, data_dir, tmp_path, capsys):
    lost = _rule_id(suites, 0)
    _edit(suites / STAFF_SUITE, lambda d: d["expectations"].pop(0))
    code, err = _run_with(suites, data_dir, tmp_path, capsys)
    assert code == 2
    assert f"{STAFF_SUITE}: 規則 {lost} の期待値がありません" in err


def test_an_expectation_gx_does_not_know_stops_the_run(suites, data_dir, tmp_path, capsys):
    def unknown_type(data):
        data["expectations"][1]["type"] = "expect_column_values_to_be_magic"

    lost = _rule_id(suites, 1)
    _edit(suites / STAFF_SUITE, unknown_type)
    code, err = _run_with(suites, data_dir, tmp_path, capsys)
    assert code == 2
    assert f"{STAFF_SUITE}: GX が読めない期待値 {lost}（expect_column_values_to_be_magic）" in err


def test_an_empty_suites_folder_stops_the_run(tmp_path, data_dir, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = _run_with(empty, data_dir, tmp_path, capsys)
    assert code == 2
    assert all(f"{build_suite_json(view)['name']}.json" in err for view in views_in_order())


def test_a_missing_suites_folder_stops_the_run(tmp_path, data_dir, capsys):
    code, err = _run_with(tmp_path / "nowhere", data_dir, tmp_path, capsys)
    assert code == 2
    assert str(tmp_path / "nowhere") in err


@pytest.mark.parametrize("text", ["{not json", "[]", '{"name": "x"}', "\udcff"])
def test_a_suite_file_that_is_not_a_suite_stops_the_run(text, suites, data_dir, tmp_path, capsys):
    (suites / STAFF_SUITE).write_bytes(text.encode("utf-8", "surrogateescape"))
    code, err = _run_with(suites, data_dir, tmp_path, capsys)
    assert code == 2
    assert STAFF_SUITE in err


def test_a_suite_of_a_view_or_rule_outside_the_catalogue_stops_the_run(suites, capsys):
    def extra_rule(data):
        data["expectations"].append({**data["expectations"][0], "meta": {"rule_id": "X-1"}})

    _edit(suites / STAFF_SUITE, extra_rule)
    _edit(suites / "第9_再委託.json", lambda d: d["meta"].update(view="invented"))
    with pytest.raises(SuiteError) as caught:
        load_suites(suites)
    assert "X-1" in str(caught.value) and "invented" in str(caught.value)


def test_the_audit_api_checks_the_suites_before_reading_the_data(suites, tmp_path):
    (suites / STAFF_SUITE).unlink()
    with pytest.raises(SuiteError):  # the data folder does not even exist
        tokki_analytics.audit(tmp_path / "no-data", suites_dir=suites)
