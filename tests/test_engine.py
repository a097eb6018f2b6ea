"""The audit engine: shards give the answers one pass gives, on one process or several.

A shard is one contractor's folder read with the masters (tokki_analytics.engine.shard);
the local engine runs batches of shards on worker processes (tokki_analytics.engine.local).
Every engine must find exactly what the golden copy holds (tests/test_golden.py), and a
contractor whose folder is hostile, or takes its worker down, must cost only itself.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import hostile
import pandas as pd
import pytest
from test_golden import GOLDEN, _compare, _prefecture, snapshot

from tokki_analytics.cli import main
from tokki_analytics.engine import local
from tokki_analytics.engine.shard import (
    NAME_FORMS,
    Shard,
    combine,
    read_masters,
    run_batch,
    run_shard,
    shard_ids,
)
from tokki_analytics.errors import ParameterError
from tokki_analytics.gx.suites import SUITES_DIR, check_suites
from tokki_analytics.ingest import load
from tokki_analytics.pipeline import audit
from tokki_analytics.rules import VIEWS, build_views

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data_samples"
#: The contractor whose folder the hostile tests spoil (one of data_samples).
VICTIM = "C003"


@pytest.fixture(scope="module")
def prefecture23(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prefecture(tmp_path_factory.mktemp("engine"))


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every data folder several batches, so that --jobs 2 uses worker processes."""
    monkeypatch.setattr(local, "MIN_BATCH_BYTES", 1)


def _run(data: Path, out: Path, *options: str) -> dict[str, object]:
    assert main(["run", str(data), "--out", str(out), "--no-history", *options]) == 0
    return snapshot(out)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_data_samples_on_every_job_count(tmp_path, small_batches, jobs):
    _compare(_run(DATA, tmp_path / "out", "--jobs", jobs), "data_samples")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_prefecture_on_every_job_count(tmp_path, small_batches, prefecture23, jobs):
    _compare(_run(prefecture23, tmp_path / "out", "--jobs", jobs), "prefecture23")


def test_jobs_2_uses_several_batches(small_batches):
    assert len(local.plan_batches(read_masters(DATA), 2)) > 2


def test_small_folder_stays_in_this_process():
    # data_samples is far below MIN_BATCH_BYTES: starting workers would cost more than it saves.
    assert len(local.plan_batches(read_masters(DATA), 2)) == 1


# --- the shard function ---------------------------------------------------------------------


def _by_contractor(frame: pd.DataFrame) -> pd.DataFrame:
    """A view without its keys, each contractor's rows together, in their order."""
    rows = frame.drop(columns="_key").sort_values("contractor_id", kind="stable")
    return rows.reset_index(drop=True)


def test_load_is_its_shards_put_together():
    whole = load(DATA)
    masters = read_masters(DATA)
    submission, views = combine(masters, [run_shard(masters, i) for i in shard_ids(masters)])
    assert list(submission.frames) == list(whole.frames)
    for key, frame in whole.frames.items():
        pd.testing.assert_frame_equal(submission.frames[key], frame, obj=key)
    for name in ("defects", "submitted", "contractors", "periods"):
        pd.testing.assert_frame_equal(getattr(submission, name), getattr(whole, name), obj=name)
    assert submission.ignored == whole.ignored
    assert submission.unplaced_rows == whole.unplaced_rows
    built = build_views(whole)
    for name, view in built.items():
        pd.testing.assert_frame_equal(_by_contractor(views[name]), _by_contractor(view), obj=name)
        assert views[name]["_key"].tolist() == list(range(len(view)))


def test_one_batch_of_every_shard_is_the_whole_folder():
    masters = read_masters(DATA)
    _, views = combine(masters, [run_batch(masters, shard_ids(masters))])
    for name, view in build_views(load(DATA)).items():
        pd.testing.assert_frame_equal(views[name], view, obj=name)


def test_every_contractor_with_a_contract_is_a_shard():
    masters = read_masters(DATA)
    ids = shard_ids(masters)
    assert ids == list(dict.fromkeys(ids))
    assert set(ids) == set(masters.contracts["contractor_id"])
    folders = masters.contractors
    assert set(folders.loc[~folders["known"], "contractor_id"]).isdisjoint(ids)


def test_a_shard_crosses_processes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "C099_外部").symlink_to("/tmp")  # an unreadable folder: held as Skipped by masters
    masters = pickle.loads(pickle.dumps(read_masters(data)))
    assert shard_ids(masters) == shard_ids(read_masters(data))
    shard = run_shard(masters, VICTIM)
    back = pickle.loads(pickle.dumps(shard))
    assert isinstance(back, Shard) and back.ids == (VICTIM,)
    for key, frame in shard.frames.items():
        pd.testing.assert_frame_equal(back.frames[key], frame, obj=key)
    for name, view in shard.views.items():
        pd.testing.assert_frame_equal(back.views[name], view, obj=name)
    pd.testing.assert_frame_equal(back.defects, shard.defects)


def test_lean_shard_keeps_what_reports_read():
    masters = read_masters(DATA, lean=True)
    lean = run_shard(masters, VICTIM)
    full = run_shard(read_masters(DATA), VICTIM)
    assert set(lean.frames) == NAME_FORMS
    for name, view in VIEWS.items():
        kept = set(lean.views[name].columns)
        assert {"_key", "contractor_id", "_source", "_row"} <= kept
        assert {rule.judge for rule in view.rules} <= kept
        assert kept <= set(full.views[name].columns)


# --- a contractor that costs only itself ------------------------------------------------------


def _folder(data: Path, code: str) -> Path:
    return next(p for p in data.iterdir() if p.name.startswith(code + "_"))


def _without(rows: list[list[str]], code: str) -> list[list[str]]:
    return [row for row in rows if row[3] != code]


def test_hostile_folder_costs_only_its_shard(tmp_path, small_batches):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    folder = _folder(data, VICTIM)
    hostile.shared_string_bomb(folder / "作業従事者名簿_追加.xlsx")
    hostile.comma_line_csv(folder / "入退室記録_追加.csv")
    (folder / "個人情報管理台帳_壊れ.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(4096))
    (folder / "持出記録_外部.csv").symlink_to("/etc/passwd")
    findings = _run(data, tmp_path / "out", "--jobs", "2")["findings.csv"]
    clean = json.loads((GOLDEN / "data_samples.json").read_text("utf-8"))["findings.csv"]
    assert _without(findings, VICTIM) == _without(clean, VICTIM)
    q0 = {row[6] for row in findings if row[0] == "Q0" and row[3] == VICTIM}
    spoiled = ("作業従事者名簿_追加.xlsx", "入退室記録_追加.csv", "個人情報管理台帳_壊れ.xlsx")
    assert all(any(source.endswith(name) for source in q0) for name in spoiled), q0
    assert any(source.endswith("持出記録_外部.csv") for source in q0), q0


def dies_on_victim(masters, ids):  # run in worker processes: a module-level function
    """A batch function whose worker dies whenever its batch holds the victim."""
    if VICTIM in ids:
        os._exit(3)
    return run_batch(masters, ids)


def test_dead_worker_costs_only_its_contractor():
    masters = read_masters(DATA)
    ids = shard_ids(masters)
    batches = [ids[:2], ids[2:5], ids[5:]]
    assert VICTIM in batches[1]
    shards = local.run_pool(masters, batches, 2, dies_on_victim, lambda: None)
    submission, views = combine(masters, shards)
    _, want = combine(masters, [run_batch(masters, ids)])
    for name, view in want.items():
        others = view[view["contractor_id"] != VICTIM]
        got = views[name][views[name]["contractor_id"] != VICTIM]
        pd.testing.assert_frame_equal(_by_contractor(got), _by_contractor(others), obj=name)
        if name != "contracts":
            assert VICTIM not in set(views[name]["contractor_id"])
    mine = submission.defects[submission.defects["contractor_id"] == VICTIM]
    assert mine["rule_id"].tolist() == ["Q0"]
    assert "異常終了" in mine["detail"].iloc[0] and "ended abnormally" in mine["detail"].iloc[0]


def always_dies(masters, ids):  # run in worker processes: a module-level function
    """A batch function whose worker never finishes a batch."""
    os._exit(3)


def test_workers_dying_everywhere_stop_the_run():
    # Not every contractor's fault: the run stops instead of reporting a Q0 for each.
    masters = read_masters(DATA)
    ids = shard_ids(masters)
    with pytest.raises(local.WorkersFailed, match="--jobs 1"):
        local.run_pool(masters, [ids[:4], ids[4:]], 2, always_dies, lambda: None)


def test_suite_gx_cannot_load_stops_the_run(tmp_path, capsys, small_batches):
    # The JSON is complete (checked before the data is read); only GX, imported while the
    # shards are read, can tell that an expectation type does not exist.
    suites = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, suites)
    path = next(suites.glob("*.json"))
    data = json.loads(path.read_text("utf-8"))
    data["expectations"][0]["type"] = "expect_nothing_at_all"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    check_suites(suites)
    out = tmp_path / "out"
    assert main(["run", str(DATA), "--out", str(out), "--suites", str(suites), "--jobs", "2"]) == 2
    assert "GX" in capsys.readouterr().err
    assert not (out / "findings.csv").exists()


# --- parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_below_one_is_refused(tmp_path, capsys, jobs):
    with pytest.raises(SystemExit) as stop:
        main(["run", str(DATA), "--out", str(tmp_path / "out"), "--jobs", jobs])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "1 以上の整数" in err and "1 or more" in err
    assert not (tmp_path / "out").exists()


def test_audit_refuses_bad_engine_and_jobs():
    with pytest.raises(ParameterError, match="1 or more"):
        audit(DATA, jobs=0)
    with pytest.raises(ParameterError, match="unknown engine"):
        audit(DATA, engine="hadoop")


def test_spark_without_pyspark_names_the_extra(tmp_path, capsys, monkeypatch):
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else found(name, *a)
    )
    code = main(["run", str(DATA), "--out", str(tmp_path / "out"), "--engine", "spark"])
    assert code == 2
    err = capsys.readouterr().err
    assert 'pip install "tokki-analytics[spark]"' in err and "pyspark" in err
