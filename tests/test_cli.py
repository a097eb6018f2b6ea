"""The `tokki` command as an operator uses it: exit codes, messages, JSON."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from tokki_analytics.cli import main

TOKKI = [sys.executable, "-m", "tokki_analytics.cli"]


def tokki(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*TOKKI, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_load_prints_rows_per_form_and_contractor_in_japanese(data_dir: Path):
    done = tokki("load", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "作業従事者名簿" in done.stdout and "C001" in done.stdout
    assert "提出物の不備" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_load_json_has_rows_and_defects(data_dir: Path):
    done = tokki("load", str(data_dir), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["rows"]["作業従事者名簿"] == 2
    assert out["rows"]["委託契約一覧"] == 1
    q1 = [d for d in out["defects"] if d["rule_id"] == "Q1"]
    assert {d["form"] for d in q1} >= {"研修記録", "端末一覧"}
    for defect in out["defects"]:
        expected = {"rule_id", "contractor_id", "source", "sheet", "row", "column", "value"}
        assert expected <= set(defect)


def test_load_on_a_missing_or_wrong_folder_exits_2_with_a_plain_message(tmp_path: Path):
    for path in (tmp_path / "nowhere", tmp_path):
        done = tokki("load", str(path))
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert "データフォルダ" in done.stderr and "data folder" in done.stderr


def test_an_invalid_settings_file_names_the_key(data_dir: Path):
    (data_dir / "settings.toml").write_text("receipt_days = 'seven'\n", encoding="utf-8")
    done = tokki("load", str(data_dir))
    assert done.returncode == 2
    assert "receipt_days" in done.stderr and "Traceback" not in done.stderr


def test_an_internal_error_exits_3_and_names_a_log_file(
    data_dir: Path, tmp_path: Path, monkeypatch, capsys
):
    # a bug inside tokki (simulated): the user gets a message and a log, not a traceback
    import tokki_analytics.ingest

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setenv("TOKKI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(tokki_analytics.ingest, "load", broken)
    assert main(["load", str(data_dir)]) == 3
    err = capsys.readouterr().err
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and str(logs[0]) in err and "Traceback" not in err
    assert "Traceback" in logs[0].read_text(encoding="utf-8")
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"


def test_load_does_not_import_great_expectations(data_dir: Path):
    code = (
        "import sys; from tokki_analytics.cli import main; main(['load', sys.argv[1]]);"
        "assert 'great_expectations' not in sys.modules, 'GX imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_load_on_data_samples_accounts_for_every_row_and_planted_defect():
    done = tokki("load", "data_samples", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    answer = ROOT / "tests" / "answer_keys" / "data_samples"
    manifest = json.loads((answer / "manifest.json").read_text(encoding="utf-8"))
    assert out["rows"] == manifest["forms"]
    key = csv.DictReader((answer / "answer_key.csv").open(encoding="utf-8-sig"))
    columns = ("rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row")
    planted = {tuple(r[c] for c in columns) for r in key if r["rule_id"].startswith("Q")}
    found = {tuple("" if d[c] is None else str(d[c]) for c in columns) for d in out["defects"]}
    assert found == planted


def test_run_exit_code_follows_fail_on_and_logs_plain_lines(data_dir: Path, tmp_path: Path):
    # this folder's only findings are Q1 (提出なし, 軽微)
    done = tokki(
        "run", str(data_dir), "--out", str(tmp_path / "a"), "--fail-on", "重大", "--no-history"
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "tokki:" in line]
    assert any("読み込み" in line for line in lines) and lines[-1].endswith("完了 (done)")
    done = tokki(
        "run", str(data_dir), "--out", str(tmp_path / "b"), "--fail-on", "warning", "--quiet"
    )
    assert done.returncode == 1
    assert done.stdout == "" and "tokki:" not in done.stderr


def test_timings_name_every_stage_and_never_replace_a_foreign_file(
    data_dir: Path, tmp_path: Path, capsys
):
    timings = tmp_path / "t.json"
    args = ["run", str(data_dir), "--out", str(tmp_path / "o"), "--no-history", "--quiet"]
    assert main([*args, "--timings", str(timings)]) == 0
    stages = json.loads(timings.read_text("utf-8"))["stages"]
    assert list(stages) == ["setup", "load and views", "validation", "findings",
                            "writing reports"]  # fmt: skip
    assert all(seconds >= 0 for seconds in stages.values())
    assert main([*args, "--timings", str(timings)]) == 0  # its own file: replaced
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"mine": 1}', "utf-8")
    assert main([*args, "--timings", str(foreign)]) == 2
    assert foreign.read_text("utf-8") == '{"mine": 1}'
    assert "上書きしません" in capsys.readouterr().err


def test_notebook_without_the_notebooks_extra_says_what_to_install(
    data_dir: Path, tmp_path: Path, monkeypatch, capsys
):
    # `pip install tokki-analytics` without [notebooks]: a message and exit 2, no traceback
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "papermill" else real(name)
    )
    out = tmp_path / "nb"
    args = ["notebook", "briefing", "--data", str(data_dir), "--contractor", "C001"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "papermill" in err and "tokki-analytics[notebooks]" in err
    assert not out.exists()


def test_a_notebook_missing_from_the_install_is_a_message(
    data_dir: Path, tmp_path: Path, monkeypatch, capsys
):
    import tokki_analytics.notebooks.nbrun

    monkeypatch.setattr(tokki_analytics.notebooks.nbrun, "NOTEBOOK_DIR", tmp_path / "no-notebooks")
    args = ["notebook", "briefing", "--data", str(data_dir), "--contractor", "C001"]
    assert main([*args, "--out", str(tmp_path / "nb")]) == 2
    assert "01_briefing.ipynb" in capsys.readouterr().err
