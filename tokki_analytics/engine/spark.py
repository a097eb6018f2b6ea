"""The Spark engine: shards in Spark tasks, views as Spark DataFrames, GX's Spark datasource.

``tokki run DATA --engine spark [--spark-master MASTER]``. Spark does the distribution:

1. **Shards.** The shards are cut into batches as the local engine cuts them
   (:func:`~tokki_analytics.engine.local.plan_batches`, a few per core); a DataFrame of batch
   numbers, one per partition, is mapped with ``mapInPandas``: each Spark task runs the one
   shard function (:func:`~tokki_analytics.engine.shard.run_batch`) with the masters, which
   travel with the task function. A task yields its batch *packed*: each view in pickled
   pieces of at most :data:`PIECE_ROWS` rows with its pandas dtypes, and the rest of the
   shard as one more piece. The packed frame is cached: the shards are read once.
2. **Views.** Each view becomes a cached Spark DataFrame (``mapInArrow`` over its pieces),
   its schema derived from the pandas dtypes (:func:`spark_schema`), its ``_key`` numbered
   0…n−1 across batches and pieces in shard order: the keys a local run gives.
3. **Validation.** GX validates each view through its Spark datasource with the same suites
   and result format as the local engine (:func:`tokki_analytics.gx.validate.validate_view`),
   giving the same :class:`~tokki_analytics.gx.validate.RuleResult` objects.
4. **Back to the driver** come only the shards' lean rests (put together with
   :func:`~tokki_analytics.ingest.submission.assemble`), each view's failing rows (dtypes
   restored) and units checked per rule × contractor × contract, counted in Spark.

The session and Spark's failures: :mod:`tokki_analytics.engine.session`.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from tokki_analytics.engine.local import plan_batches
from tokki_analytics.engine.session import spark_session, told_failures
from tokki_analytics.engine.shard import Masters, Shard, run_batch
from tokki_analytics.findings import compliance_table
from tokki_analytics.gx.validate import RuleResult, Validation, quiet_context, validate_view
from tokki_analytics.ingest.shards import ShardLoad
from tokki_analytics.ingest.submission import Submission, assemble
from tokki_analytics.rules import RULES, VIEWS, judge_column
from tokki_analytics.strings import python_strings

if TYPE_CHECKING:
    import pyarrow as pa
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult
    from great_expectations.core.batch_definition import BatchDefinition
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

#: Rows per pickled piece of a view: one Spark row of the packed frame.
PIECE_ROWS = 50_000
#: Rows per partition of a cached view, at most (a small view is one partition: GX runs
#: several Spark jobs per expectation, and each costs a task per partition).
PARTITION_ROWS = 500_000
#: The packed frame's rows: a piece of a view (``view`` its name) or of the shard's rest
#: (``view`` :data:`REST`), with the pandas dtypes of a view piece as JSON.
PACKED_SCHEMA = "batch long, view string, piece int, rows long, dtypes string, payload binary"
#: ``view`` of the piece that holds a batch's shard without its views.
REST = ""


@dataclass
class SparkAudit:
    """What the Spark engine gives the driver.

    Attributes:
        submission: The data folder as a local run loads it (lean forms).
        views: View name → its failing rows only (every column of the view, ``_key`` as
            in a local run): what the findings read. Other rows stay in Spark.
        validation: GX's results, per rule and per view (Spark batches).
        compliance: compliance.csv (:func:`~tokki_analytics.findings.compliance_table`),
            units checked counted in Spark.
    """

    submission: Submission
    views: dict[str, pd.DataFrame]
    validation: Validation
    compliance: pd.DataFrame


# --- pandas dtypes ↔ Spark types ------------------------------------------------------------


def spark_type(dtype: str) -> DataType:
    """The Spark type of a view column's pandas dtype (its ``str()``).

    Raises:
        TypeError: A dtype views do not use (object, timezone-aware datetimes …).
    """
    from pyspark.sql import types

    simple: dict[str, DataType] = {
        "str": types.StringType(),
        "string": types.StringType(),
        "bool": types.BooleanType(),
        "boolean": types.BooleanType(),
        "int64": types.LongType(),
        "Int64": types.LongType(),
        "float64": types.DoubleType(),
        "Float64": types.DoubleType(),
    }
    if dtype in simple:
        return simple[dtype]
    if dtype.startswith("datetime64[") and "," not in dtype:
        return types.TimestampNTZType()  # naive: no time zone shifts either way
    raise TypeError(f"a view column of dtype {dtype} has no Spark type here")


def merged_dtypes(pieces: Sequence[tuple[int, str]]) -> dict[str, str]:
    """One view's pandas dtypes from its pieces' (rows, dtypes JSON), column order kept.

    A piece with rows decides a column's dtype over an empty one (whose columns pandas may
    type otherwise); pieces with rows must agree on the Spark type.

    Raises:
        TypeError: Two pieces with rows give a column different Spark types.
    """
    ordered = sorted(pieces, key=lambda piece: piece[0] == 0)
    merged: dict[str, str] = {}
    for rows, text in ordered:
        for column, dtype in json.loads(text).items():
            if column not in merged:
                merged[column] = dtype
            elif rows and spark_type(merged[column]) != spark_type(dtype):
                raise TypeError(f"column {column}: dtypes {merged[column]} and {dtype}")
    return merged


def spark_schema(dtypes: Mapping[str, str]) -> StructType:
    """The Spark schema of a view whose columns have ``dtypes`` (all nullable)."""
    from pyspark.sql import types

    return types.StructType(
        [types.StructField(column, spark_type(dtype), True) for column, dtype in dtypes.items()]
    )


@python_strings()
def restore_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Rows collected from Spark, with the pandas dtypes the shard built them with.

    Arrow gives nullable integers back as float and strings as objects; the findings'
    detail lines format values by dtype, so each column gets its own back, and text
    (column names included) is Python strings (:mod:`tokki_analytics.strings`).
    """
    out = frame[list(dtypes)].copy()
    out.columns = pd.Index(list(dtypes))  # names as Python strings, as the views have them
    for column, dtype in dtypes.items():
        values = out[column]
        if dtype in ("str", "string"):
            out[column] = values.astype(object).where(values.notna(), None).astype(dtype)
        elif str(values.dtype) != dtype:
            out[column] = values.astype(dtype)
    return out


# --- in the Spark tasks ---------------------------------------------------------------------


def packed_rows(batch: int, shard: Shard, piece_rows: int) -> pd.DataFrame:
    """A shard's packed rows: its views in pickled pieces, then the rest of the shard."""
    rows = []
    for name, view in shard.views.items():
        dtypes = json.dumps({column: str(dtype) for column, dtype in view.dtypes.items()})
        starts = range(0, max(len(view), 1), piece_rows)
        for piece, start in enumerate(starts):
            part = view.iloc[start : start + piece_rows]
            payload = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
            rows.append((batch, name, piece, len(part), dtypes, payload))
    rest = ShardLoad(**{f.name: getattr(shard, f.name) for f in fields(ShardLoad)})
    rows.append((batch, REST, 0, 0, "{}", pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL)))
    columns = ["batch", "view", "piece", "rows", "dtypes", "payload"]
    return pd.DataFrame(rows, columns=columns).astype({"batch": "int64", "piece": "int32"})


def run_packed(
    masters: Masters,
    batches: Sequence[Sequence[str]],
    piece_rows: int,
    frames: Iterator[pd.DataFrame],
) -> Iterator[pd.DataFrame]:
    """The task of step 1: each batch number of the input run and packed."""
    for frame in frames:
        for batch in frame["batch"].tolist():
            yield packed_rows(batch, run_batch(masters, batches[batch]), piece_rows)


def unpacked(
    offsets: Mapping[tuple[int, int], int], schema: pa.Schema, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """The task of step 2: a view's pieces as Arrow batches, ``_key`` from each offset on.

    Arrow batches made here (``mapInArrow``) take pandas 3's Arrow-backed strings without a
    copy; pyspark's own pandas conversion goes through Python objects.
    """
    import pyarrow

    for batch in batches:
        columns = [batch.column(name).to_pylist() for name in ("batch", "piece", "payload")]
        for number, piece, payload in zip(*columns, strict=True):
            part = pickle.loads(payload)
            if len(part):
                start = offsets[(number, piece)]
                part["_key"] = np.arange(start, start + len(part), dtype="int64")
                yield pyarrow.RecordBatch.from_pandas(part, schema=schema, preserve_index=False)


# --- on the driver --------------------------------------------------------------------------


@dataclass
class Piece:
    """What the driver knows of a packed view piece (no payload)."""

    batch: int
    view: str
    piece: int
    rows: int
    dtypes: str


def key_offsets(pieces: Sequence[Piece]) -> dict[tuple[int, int], int]:
    """The ``_key`` offset of each piece of one view: rows of the pieces before it."""
    offsets: dict[tuple[int, int], int] = {}
    total = 0
    for item in sorted(pieces, key=lambda p: (p.batch, p.piece)):
        offsets[(item.batch, item.piece)] = total
        total += item.rows
    return offsets


@dataclass
class SparkView:
    """A view in Spark: its cached DataFrame, its pandas dtypes and row count."""

    frame: DataFrame
    dtypes: dict[str, str]
    rows: int


def build_views(packed: DataFrame, pieces: Sequence[Piece]) -> dict[str, SparkView]:
    """Every check view as a Spark DataFrame made from its packed pieces, cached on first use."""
    from pyspark.sql import functions
    from pyspark.sql.pandas.types import to_arrow_schema

    views = {}
    for name in VIEWS:
        own = [p for p in pieces if p.view == name]
        dtypes = merged_dtypes([(p.rows, p.dtypes) for p in own])
        rows = packed.where(functions.col("view") == name).select("batch", "piece", "payload")
        schema = spark_schema(dtypes)
        task = partial(unpacked, key_offsets(own), to_arrow_schema(schema))
        frame = rows.mapInArrow(task, schema)
        count = sum(p.rows for p in own)
        frame = frame.coalesce(
            max(1, min(-(-count // PARTITION_ROWS), len({p.batch for p in own})))
        )
        views[name] = SparkView(frame.cache(), dtypes, count)
    return views


def unit_counts(view: SparkView, rule_ids: Sequence[str]) -> pd.DataFrame:
    """Units each rule judges per contractor × contract ('' for none), counted in Spark."""
    from pyspark.sql import functions

    keys = [
        functions.coalesce(functions.col(column), functions.lit("")).alias(column)
        for column in ("contractor_id", "contract_id")
    ]
    sums = [
        functions.sum(functions.col(judge_column(rule)).cast("long")).alias(rule)
        for rule in rule_ids
    ]
    if not sums or not view.rows:
        return pd.DataFrame(columns=["contractor_id", "contract_id", *rule_ids])
    return cast(pd.DataFrame, view.frame.groupBy(*keys).agg(*sums).toPandas())


def failing_rows(session: SparkSession, view: SparkView, keys: Sequence[int]) -> pd.DataFrame:
    """The view's rows of ``keys`` collected to the driver, dtypes as the shard built them."""
    from pyspark.sql import functions

    if not keys:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in view.dtypes.items()})
    wanted = session.createDataFrame(pd.DataFrame({"_key": sorted(set(keys))}), "_key long")
    rows = cast(
        pd.DataFrame, view.frame.join(functions.broadcast(wanted), "_key", "left_semi").toPandas()
    )
    return restore_dtypes(rows.sort_values("_key", kind="stable"), view.dtypes).reset_index(
        drop=True
    )


def spark_batches() -> BatchDefinition:
    """The whole-dataframe batch definition of GX's Spark datasource (the active session)."""
    source = quiet_context().data_sources.add_spark(name="tokki_spark", persist=False)
    return source.add_dataframe_asset(name="views").add_batch_definition_whole_dataframe("whole")


def validate_spark(
    views: Mapping[str, SparkView],
    counts: Mapping[str, pd.DataFrame],
    suites: Mapping[str, ExpectationSuite],
) -> Validation:
    """Validate every Spark view against its suite (one pass over all contractors each)."""
    batches = spark_batches()
    results: dict[str, RuleResult] = {}
    gx_results: dict[str, ExpectationSuiteValidationResult] = {}
    for name, suite in suites.items():
        view = views[name]
        judged = {rule: int(counts[name][rule].sum()) for rule in counts[name].columns[2:]}
        data = view.frame if view.rows else None
        rules, outcome = validate_view(batches, name, suite, data, judged)
        for rule in rules:
            rule.failed_keys.sort()  # Spark returns them in no particular order
            results[rule.rule_id] = rule
        if outcome is not None:
            gx_results[name] = outcome
    return Validation(results=results, gx_results=gx_results, suites=dict(suites))


def spark_compliance(
    counts: Mapping[str, pd.DataFrame],
    failing: Mapping[str, pd.DataFrame],
    validation: Validation,
) -> pd.DataFrame:
    """compliance.csv from the units counted in Spark and the failing rows collected."""
    parts = []
    for rule in RULES:
        result = validation.results.get(rule.id)
        if result is None or not result.checked:
            continue
        checked = counts[rule.view][["contractor_id", "contract_id", rule.id]]
        checked = checked[checked[rule.id] > 0].rename(columns={rule.id: "units_checked"})
        rows = failing[rule.view]
        rows = rows[rows["_key"].isin(result.failed_keys)]
        keys = [rows[c].astype("str").where(rows[c].notna(), "") for c in checked.columns[:2]]
        failed = rows.groupby(keys).size().rename("units_failed").reset_index()
        part = checked.merge(failed, how="left", on=["contractor_id", "contract_id"])
        part = part.fillna({"units_failed": 0}).astype(
            {"units_checked": "int64", "units_failed": "int64"}
        )
        part.insert(0, "clause", rule.clause)
        part.insert(0, "rule_id", rule.id)
        parts.append(part)
    return compliance_table(parts)


def read_packed(
    session: SparkSession, masters: Masters, batches: list[list[str]]
) -> tuple[DataFrame, list[Piece], list[ShardLoad]]:
    """Step 1: every batch run in a Spark task; the cached packed frame, its pieces, the rests."""
    from pyspark import StorageLevel
    from pyspark.sql import functions

    numbers = session.range(0, len(batches), 1, numPartitions=len(batches))
    task = partial(run_packed, masters, batches, PIECE_ROWS)
    packed = numbers.withColumnRenamed("id", "batch").mapInPandas(task, PACKED_SCHEMA)
    packed = packed.persist(StorageLevel.DISK_ONLY)  # pickled blobs: no use on the heap
    listing = packed.select("batch", "view", "piece", "rows", "dtypes").collect()
    pieces = [Piece(**row.asDict()) for row in listing if row["view"] != REST]
    rests = packed.where(functions.col("view") == REST).select("batch", "payload").collect()
    loads = [pickle.loads(row["payload"]) for row in sorted(rests, key=lambda r: r["batch"])]
    return packed, pieces, loads


def audit_spark(
    session: SparkSession,
    masters: Masters,
    suites: Callable[[], dict[str, ExpectationSuite]],
) -> SparkAudit:
    """Steps 1–4 on ``session`` (see the module docstring)."""
    batches = plan_batches(masters, session.sparkContext.defaultParallelism) or [[]]
    packed, pieces, loads = read_packed(session, masters, batches)
    views = build_views(packed, pieces)
    counts = {}
    for name, view in views.items():  # the first job on each view caches it
        counts[name] = unit_counts(view, [rule.id for rule in VIEWS[name].rules])
    packed.unpersist()
    validation = validate_spark(views, counts, suites())
    failing = {}
    for name, view in views.items():
        keys = [k for r in validation.results.values() if r.view == name for k in r.failed_keys]
        failing[name] = failing_rows(session, view, keys)
        view.frame.unpersist()
    submission = assemble(masters, loads if any(batches) else [])
    compliance = spark_compliance(counts, failing, validation)
    return SparkAudit(submission, failing, validation, compliance)


def run_spark(masters: Masters, suites_dir: Path, master: str = "local[*]") -> SparkAudit:
    """Audit a data folder's shards on Spark.

    Great Expectations is imported and the suites loaded in a thread while the session
    starts and the shards are read.

    Args:
        masters: The data folder's masters (:func:`~tokki_analytics.engine.shard.read_masters`).
        suites_dir: The expectation suites.
        master: The Spark master (``local[*]``, ``local[2]``, ``spark://host:7077``,
            ``yarn``); ignored when a session is already active.

    Returns:
        The submission, the failing rows of each view, the validation and compliance.

    Raises:
        tokki_analytics.gx.suites.SuiteError: The suites are incomplete.
    """
    from tokki_analytics.gx.suites import load_suites

    gx = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokki-gx")
    try:
        suites = gx.submit(load_suites, suites_dir)
        with told_failures(master), spark_session(master) as session:
            return audit_spark(session, masters, suites.result)
    finally:
        gx.shutdown(wait=False, cancel_futures=True)
