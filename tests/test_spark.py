"""The Spark engine (tokki_analytics.engine.spark) finds what the local engine finds.

`tokki run --engine spark --spark-master local[2]` must write the golden copy's findings.csv,
compliance.csv and findings.xlsx (tests/test_golden.py), with several batches so that each
view's `_key` is numbered across Spark tasks; GX on a Spark DataFrame must give the rule
results it gives on the same pandas view; and the pandas ↔ Arrow ↔ Spark conversions the
engine relies on (pandas 3 strings, nullable integers and booleans, naive datetimes, missing
values) must give every view back as it was built.

One Spark session serves the module (starting one takes about ten seconds); the engine
uses the active session and leaves it running. The tests are marked `spark` (`-m spark`
selects them) and run by default: `make test` installs Java and pyspark; where either is
missing they are skipped, and fail under CI=true.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import require_installed
from test_golden import _compare, _prefecture, snapshot

from tokki_analytics.cli import main
from tokki_analytics.engine import local
from tokki_analytics.engine.shard import combine, read_masters, run_batch, shard_ids
from tokki_analytics.gx.suites import load_suites
from tokki_analytics.gx.validate import batch_definition, quiet_context, validate_view
from tokki_analytics.rules import VIEWS, judge_column
from tokki_analytics.strings import python_strings

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data_samples"


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """One local[2] session for the module, made as the engine makes its own."""
    require_installed(shutil.which("java") or "/usr/bin/java", "a Java runtime")
    spec = importlib.util.find_spec("pyspark")
    require_installed(spec.origin if spec and spec.origin else "pyspark", "pyspark")
    from tokki_analytics.engine.session import new_session

    session = new_session("local[2]")
    yield session
    session.stop()


@pytest.fixture
def several_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut even data_samples into several batches (several Spark tasks) and each batch's
    views into pieces of 50 rows: keys numbered across tasks and pieces."""
    from tokki_analytics.engine import spark

    monkeypatch.setattr(local, "MIN_BATCH_BYTES", 1)
    monkeypatch.setattr(spark, "PIECE_ROWS", 50)


@pytest.fixture(scope="module")
def suites() -> dict:
    return load_suites()


def _views(data: Path) -> dict[str, pd.DataFrame]:
    """Every view of ``data`` with every column, built in one batch."""
    masters = read_masters(data)
    return combine(masters, [run_batch(masters, shard_ids(masters))])[1]


def test_spark_runs_several_tasks(spark, several_batches):
    assert len(local.plan_batches(read_masters(DATA), spark.sparkContext.defaultParallelism)) > 2


@pytest.mark.parametrize("name", ["data_samples", "prefecture23"])
def test_spark_engine_writes_the_golden_findings(spark, several_batches, tmp_path, name):
    data = DATA if name == "data_samples" else _prefecture(tmp_path)
    out = tmp_path / "out"
    options = ["--engine", "spark", "--spark-master", "local[2]", "--no-history"]
    assert main(["run", str(data), "--out", str(out), *options]) == 0
    _compare(snapshot(out), name)
    assert not spark.sparkContext._jsc.sc().isStopped(), "the engine stopped a session it took"


def test_gx_on_spark_gives_the_rule_results_of_pandas(spark, suites):
    from tokki_analytics.engine.spark import spark_batches, spark_schema

    pandas_batches = batch_definition(quiet_context())
    on_spark = spark_batches()
    for name, view in _views(DATA).items():
        suite = suites[name]
        judged = {r.id: int(view[judge_column(r.id)].sum()) for r in VIEWS[name].rules}
        dtypes = {column: str(dtype) for column, dtype in view.dtypes.items()}
        frame = spark.createDataFrame(view, spark_schema(dtypes))
        want, _ = validate_view(pandas_batches, name, suite, view, judged)
        got, _ = validate_view(on_spark, name, suite, frame, judged)
        for rule in got:
            rule.failed_keys.sort()
        assert got == want, name
        assert sum(len(rule.failed_keys) for rule in want), f"{name}: no failure to compare"


def _every_dtype() -> pd.DataFrame:
    """A view-like frame with each dtype the views use, and a missing value in each."""
    with python_strings():  # as the views are built
        return _every_dtype_frame()


def _every_dtype_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_key": np.arange(100, 103, dtype="int64"),  # a batch's keys: numbered again
            "text": pd.Series(["岡山", None, "C001"], dtype="str"),
            "flag": np.array([True, False, True]),
            "maybe": pd.Series([True, None, False], dtype="boolean"),
            "count": pd.Series([1, None, 3], dtype="Int64"),
            "days": [1.5, np.nan, -2.0],
            "at": pd.to_datetime(["2025-04-01 09:30:15", None, "1999-12-31 23:59:59"]),
        }
    )


def _round_trip(spark, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames through the engine's own conversion: pickled pieces, mapInArrow, collected."""
    from pyspark.sql.pandas.types import to_arrow_schema

    from tokki_analytics.engine.spark import (
        PACKED_SCHEMA,
        SparkView,
        failing_rows,
        spark_schema,
        unpacked,
    )

    dtypes = {column: str(dtype) for column, dtype in frames[0].dtypes.items()}
    rows = [(n, "v", 0, len(f), "{}", pickle.dumps(f)) for n, f in enumerate(frames)]
    packed = spark.createDataFrame(rows, PACKED_SCHEMA)
    offsets = {(n, 0): sum(len(f) for f in frames[:n]) for n in range(len(frames))}
    schema = spark_schema(dtypes)
    frame = packed.mapInArrow(partial(unpacked, offsets, to_arrow_schema(schema)), schema)
    view = SparkView(frame, dtypes, sum(len(f) for f in frames))
    return failing_rows(spark, view, list(range(view.rows)))


def test_every_view_dtype_survives_the_spark_round_trip(spark):
    frame = _every_dtype()
    back = _round_trip(spark, [frame, frame])
    want = pd.concat([frame, frame], ignore_index=True).assign(_key=np.arange(6))
    pd.testing.assert_frame_equal(back, want)
    assert back["text"].isna().tolist() == [False, True, False] * 2


def test_every_view_survives_the_spark_round_trip(spark):
    for name, view in _views(DATA).items():
        pd.testing.assert_frame_equal(_round_trip(spark, [view]), view, obj=name)


def _die(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """A Spark task whose Python worker ends abruptly (as out of memory would end it)."""
    os._exit(9)
    yield from batches


def test_a_failed_spark_job_is_a_message_not_a_jvm_trace(spark):
    from tokki_analytics.engine.session import SparkError, told_failures

    with pytest.raises(SparkError) as caught, told_failures("local[2]"):
        spark.range(4, numPartitions=2).mapInPandas(_die, "id long").collect()
    message = str(caught.value)
    assert message.startswith("Spark のジョブが失敗しました（マスター local[2]）")
    assert "the Spark job failed" in message and "\tat " not in message
    assert len(message) < 900
    assert spark.range(3).count() == 3  # the session lives on


def test_no_java_is_a_message_naming_the_package(tmp_path):
    """No JVM is started: the check comes first (in a process of its own, no session)."""
    spec = importlib.util.find_spec("pyspark")
    require_installed(spec.origin if spec and spec.origin else "pyspark", "pyspark")
    env = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java"), "GX_ANALYTICS_ENABLED": "False"}
    args = ["run", str(DATA), "--out", str(tmp_path / "o"), "--no-history", "--engine", "spark"]
    done = subprocess.run(
        [sys.executable, "-m", "tokki_analytics.cli", *args, "--quiet"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Java（17 以上）が必要" in done.stderr and "default-jre-headless" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "o" / "findings.csv").exists()
