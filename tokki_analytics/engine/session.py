"""The Spark session of the Spark engine, and Spark's failures told in Japanese and English.

The session: the active one if there is one (a notebook's, a test's), else a new one
(:func:`session_config`) stopped at the end. A local master binds to 127.0.0.1; nothing is
served (no UI, no event log). Spark's own errors (no Java, a master that does not answer, a
job that failed) reach the user as :class:`SparkError`: a message, never a JVM stack trace.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Spark's log configuration for a session made here: errors only.
LOG4J = Path(str(resources.files("tokki_analytics.engine") / "log4j2.properties"))
#: The driver JVM's options: the logs, and the JIT's first tier only. GX runs a few hundred
#: small queries; compiling them and Spark's code with the optimising tier cost more JVM CPU
#: than the run itself (300 contractors on local[2]: 73 s of JVM CPU, 38 s with C1 alone).
DRIVER_JAVA_OPTIONS = (f"-Dlog4j2.configurationFile={LOG4J.as_uri()}", "-XX:TieredStopAtLevel=1")


#: The JVM heap of a local master (driver and executors in one JVM). Spark's default, 1g,
#: ran out at 3,000 contractors (20 M access-log rows) while caching the views, and a JVM
#: out of memory ends the whole session.
LOCAL_DRIVER_MEMORY = "2g"
#: Characters of Spark's own reason kept in a message.
REASON_CHARS = 300


class SparkError(InputError):
    """Spark could not run the audit; the message says why, in Japanese and English."""


def java_command() -> str | None:
    """The ``java`` Spark would start: ``$JAVA_HOME/bin/java``, else the one on ``PATH``."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if java.is_file() else None
    return shutil.which("java")


def spark_reason(exc: BaseException) -> str:
    """The first line of a Spark or Py4J error, without the JVM stack trace (shortened)."""
    try:
        java = getattr(exc, "java_exception", None)
        text = str(java) if java is not None else str(exc)
    except Exception:  # noqa: BLE001 - a JVM gone away cannot describe its own error
        text = ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"


def spark_failures() -> tuple[type[BaseException], ...]:
    """The exception types Spark and Py4J raise for a failed start or job.

    ``ConnectionError``: the JVM went away (out of memory) and Py4J cannot reach it.
    """
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError, ConnectionError)


def is_local(master: str) -> bool:
    """Whether ``master`` runs Spark in this process's JVM (``local``, ``local[4]`` …)."""
    return master == "local" or master.startswith("local[")


def session_config(master: str) -> dict[str, str]:
    """The configuration of a session made by the engine.

    No UI, no event log, no progress bar, errors-only logs, a quickly compiling driver JVM
    (:data:`DRIVER_JAVA_OPTIONS`); Arrow for pandas conversions (without the slow fallback,
    whose conversions differ); a local master binds to 127.0.0.1 and shuffles into few
    partitions (GX's metrics are small aggregations).
    """
    config = {
        "spark.app.name": "tokki",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.eventLog.enabled": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": " ".join(DRIVER_JAVA_OPTIONS),
    }
    if is_local(master):
        config |= {
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.shuffle.partitions": str(2 * (os.cpu_count() or 1)),
            "spark.driver.memory": LOCAL_DRIVER_MEMORY,
        }
    return config


def new_session(master: str) -> SparkSession:
    """A session on ``master`` configured by :func:`session_config` (the caller stops it).

    Raises:
        SparkError: No Java to start Spark with, or Spark did not start on ``master``.
    """
    from pyspark.sql import SparkSession

    if java_command() is None:
        raise SparkError(
            "Spark エンジンには Java（17 以上）が必要ですが、見つかりません。"
            "Debian/Ubuntu では sudo apt install default-jre-headless、"
            "または JAVA_HOME を設定してください。--engine local なら Java は不要です / "
            "the Spark engine needs Java 17 or later and none was found: install "
            "default-jre-headless or set JAVA_HOME, or use --engine local"
        )
    if is_local(master):
        # Read as the session starts: the JVM's address, and the Python of the workers (this
        # interpreter, which has the package; a cluster's executors name theirs).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master)
    for key, value in session_config(master).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except spark_failures() as exc:
        reason = spark_reason(exc)
        raise SparkError(
            f"Spark を開始できません（マスター {master}）: {reason} / "
            f"Spark did not start on master {master}: {reason}"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def spark_session(master: str) -> Iterator[SparkSession]:
    """The active session, or a new one on ``master`` that is stopped on leaving."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    session = new_session(master)
    try:
        yield session
    finally:
        with suppress(*spark_failures()):  # a JVM that died cannot be stopped
            session.stop()


@contextmanager
def told_failures(master: str) -> Iterator[None]:
    """Turn a Spark job's failure inside the block into a :class:`SparkError`.

    On Spark, a task whose Python worker dies (a file that exhausts its memory) fails the
    job after Spark's retries: the run stops with Spark's reason, where the local engine
    would give that one contractor a Q0 (docs/DECISIONS.md).
    """
    try:
        yield
    except spark_failures() as exc:
        reason = spark_reason(exc)
        raise SparkError(
            f"Spark のジョブが失敗しました（マスター {master}）: {reason}。"
            "1 つの業者のファイルでワーカーが異常終了した場合、--engine local ではその業者だけが"
            " Q0 になります / "
            f"the Spark job failed on master {master}: {reason}; with --engine local a "
            "worker that dies on one contractor's files costs only that contractor (Q0)"
        ) from exc
