"""The audit pipeline: data folder → load → views → validation → findings → compliance.

:func:`audit` is the one code path that the ``tokki run`` command and the notebooks share.
:func:`open_run` gives the notebooks an :class:`Audit` either by auditing the data folder,
or, given a finished run's folder, by loading the data folder (fast, no Great Expectations)
for contracts, roster and timelines and reading ``findings.csv`` and ``compliance.csv`` from
the run instead of validating again. The run must have been made from the same data folder
and as-of date; its ``validation`` is then None and its findings carry no units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.errors import ParameterError
from tokki_analytics.ingest import Submission
from tokki_analytics.masking import Masker
from tokki_analytics.safetext import restore_cell
from tokki_analytics.settings import Settings, load_settings

if TYPE_CHECKING:
    from tokki_analytics.engine.shard import Masters
    from tokki_analytics.gx.validate import Validation


@dataclass
class Audit:
    """Everything a run produced.

    Attributes:
        submission: The loaded data folder (typed frames, defects).
        views: The check views that were validated.
        findings: One row per failure: the columns of findings.csv
            (:data:`~tokki_analytics.findings.FINDING_COLUMNS`), then the unit each failed
            (:data:`~tokki_analytics.findings.UNIT_COLUMNS`).
        compliance: Units checked and failed per rule × contractor × contract.
        validation: GX results per rule and per view; None for a finished run reopened
            from its output folder (:func:`open_run`), whose
            findings are read from findings.csv and carry no units.
    """

    submission: Submission
    views: dict[str, pd.DataFrame]
    findings: pd.DataFrame
    compliance: pd.DataFrame
    validation: Validation | None

    @property
    def settings(self) -> Settings:
        """The settings the run used."""
        return self.submission.settings


#: The engines :func:`audit` runs on.
ENGINES = ("local", "spark")
#: The Spark master by default: every core of this machine.
SPARK_MASTER = "local[*]"


def check_engine(engine: str, jobs: int | None) -> None:
    """Refuse an unknown engine or a number of jobs below 1 (Japanese and English).

    Raises:
        ParameterError: ``engine`` is not one of :data:`ENGINES`, or ``jobs`` < 1.
    """
    if engine not in ENGINES:
        raise ParameterError(
            f"エンジン {engine!r} はありません（{', '.join(ENGINES)}） / "
            f"unknown engine {engine!r}: choose {' or '.join(ENGINES)}"
        )
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ParameterError(
            f"並列数 jobs は 1 以上の整数で指定してください（{jobs!r}） / "
            f"jobs must be a whole number of 1 or more, not {jobs!r}"
        )


def audit(
    data_dir: Path | str,
    as_of: dt.date | str | None = None,
    settings_file: Path | str | None = None,
    suites_dir: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
    engine: str = "local",
    jobs: int | None = None,
    spark_master: str = SPARK_MASTER,
    lean: bool = False,
) -> Audit:
    """Audit a data folder.

    Args:
        data_dir: The data folder.
        as_of: Audit reference date; overrides ``settings.toml``.
        settings_file: A settings file other than ``DATA/settings.toml``.
        suites_dir: Expectation suites other than the package's own
            (``tokki_analytics/gx/expectations/``); it must hold every rule of the catalogue.
        progress: Called with a short Japanese label as each stage starts.
        engine: ``local`` (this machine's cores, :mod:`tokki_analytics.engine.local`) or
            ``spark`` (:mod:`tokki_analytics.engine.spark`, the ``spark`` extra).
        jobs: Worker processes of the local engine (default: the machine's cores; 1: none).
        spark_master: The Spark master of the Spark engine (``local[2]``,
            ``spark://host:7077``, ``yarn``).
        lean: Keep only what the reports read (``tokki run``): the typed frames of the
            forms with a name column, and the view columns the rules read
            (:mod:`tokki_analytics.engine.shard`); the notebooks need everything.

    Returns:
        The submission, views, findings and compliance.

    Raises:
        ParameterError: An unknown engine, jobs below 1, or pyspark missing for Spark.
    """
    from tokki_analytics.engine.shard import read_masters
    from tokki_analytics.findings import build_compliance, build_findings
    from tokki_analytics.gx.suites import SUITES_DIR, check_suites

    check_engine(engine, jobs)
    step = progress or (lambda label: None)
    suites = Path(suites_dir) if suites_dir else SUITES_DIR
    check_suites(suites)  # before the long read; GX loads them meanwhile
    root = Path(data_dir)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    settings = load_settings(
        Path(settings_file) if settings_file else root / "settings.toml", as_of
    )
    step("読み込みと点検ビュー (load and views)")
    masters = read_masters(root, settings=settings, lean=lean)
    if engine == "spark":
        submission, views, validation, compliance = _run_spark(masters, suites, spark_master)
    else:
        from tokki_analytics.engine.local import run_local

        submission, views, validation = run_local(masters, suites, jobs, step)
        compliance = build_compliance(views, validation)
    step("指摘の集計 (findings)")
    findings = build_findings(views, validation, submission.defects)
    return Audit(submission, views, findings, compliance, validation)


def _run_spark(
    masters: Masters, suites_dir: Path, spark_master: str
) -> tuple[Submission, dict[str, pd.DataFrame], Validation, pd.DataFrame]:
    """Run the Spark engine (imported only here: pyspark is an optional extra).

    Returns:
        (the submission, each view's failing rows, the validation, compliance counted in
        Spark): :class:`tokki_analytics.engine.spark.SparkAudit`.

    Raises:
        ParameterError: pyspark is not installed.
    """
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        raise ParameterError(
            'Spark エンジンには pyspark が必要です: pip install "tokki-analytics[spark]" / '
            'the Spark engine needs pyspark: pip install "tokki-analytics[spark]"'
        )
    from tokki_analytics.engine.spark import run_spark

    result = run_spark(masters, suites_dir, spark_master)
    return result.submission, result.views, result.validation, result.compliance


# --- reopening a finished run -------------------------------------------------------------


def read_findings(path: Path) -> pd.DataFrame:
    """Read a run's ``findings.csv`` (blank cells stay ``''``, ``row`` as Int64).

    Text the export neutralised (a leading ``'``) is read back as it was.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.apply(lambda column: column.map(restore_cell))
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    return frame


def read_compliance(path: Path) -> pd.DataFrame:
    """Read a run's ``compliance.csv`` (units as int64, rate as float)."""
    frame = pd.read_csv(
        path,
        dtype={"rule_id": str, "clause": str, "contractor_id": str, "contract_id": str},
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    for column in ("rule_id", "clause", "contractor_id", "contract_id"):
        frame[column] = frame[column].map(restore_cell)
    frame["units_checked"] = frame["units_checked"].astype("int64")
    frame["units_failed"] = frame["units_failed"].astype("int64")
    frame["rate"] = pd.to_numeric(frame["rate"], errors="coerce")
    return frame


def open_run(
    data_dir: Path | str,
    run_dir: Path | str | None = None,
    as_of: dt.date | str | None = None,
    contractor: str | None = None,
) -> Audit:
    """Audit ``data_dir``, or reuse the findings and compliance of a finished run.

    Args:
        data_dir: The data folder (always loaded: contracts, roster, timelines).
        run_dir: A ``tokki run`` output folder of the same data folder and as-of date;
            its findings.csv and compliance.csv are used instead of validating again.
        as_of: Audit reference date; overrides ``settings.toml``.
        contractor: With ``run_dir``, load only this contractor's folder (and the masters):
            a briefing in a prefecture of hundreds of contractors then opens in seconds.
            The run's findings and compliance still cover everyone.

    Returns:
        The audit. Read from ``run_dir``, its ``validation`` is None and its findings are
        the rows of findings.csv only (:data:`~tokki_analytics.findings.FINDING_COLUMNS`):
        they carry no unit, so they cannot be recorded in the history store.

    Raises:
        ParameterError: ``run_dir`` lacks findings.csv or compliance.csv.
    """
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of) if as_of else None
    if run_dir is None or str(run_dir) == "":
        return audit(data_dir, as_of=as_of)
    from tokki_analytics.engine.shard import combine, read_masters, run_batch, shard_ids

    run = Path(run_dir)
    for name in ("findings.csv", "compliance.csv"):
        if not (run / name).is_file():
            raise ParameterError(
                f"{run / name} がありません（tokki run の出力先を指定してください） / "
                f"missing {run / name}: run_dir must be a tokki run output folder"
            )
    root = Path(data_dir)
    masters = read_masters(root, settings=load_settings(root / "settings.toml", as_of))
    ids = [shard for shard in shard_ids(masters) if not contractor or shard == contractor]
    submission, views = combine(masters, [run_batch(masters, ids)])
    findings = restore_origins(read_findings(run / "findings.csv"), submission)
    compliance = read_compliance(run / "compliance.csv")
    return Audit(submission, views, findings, compliance, None)


def restore_origins(findings: pd.DataFrame, submission: Submission) -> pd.DataFrame:
    """Give masked file and sheet names of a run's findings back as the data folder has them.

    findings.csv masks names in ``source`` and ``sheet`` too (``名簿_佐藤 ＊＊作成.xlsx``); a
    finding is matched to its loaded row by those, so each masked value that is the masked
    form of a loaded file or sheet name is replaced by it. Outputs mask them again.

    Args:
        findings: Rows of findings.csv.
        submission: The loaded data folder (or the part of it loaded).

    Returns:
        ``findings`` with ``source`` and ``sheet`` as loaded where they were masked.
    """
    mask = Masker.of(submission)
    if not mask.active or findings.empty:
        return findings
    frames = [*submission.frames.values(), submission.defects]
    out = findings.copy()
    for column, origin in (("source", "_source"), ("sheet", "_sheet")):
        loaded = set()
        for frame in frames:
            key = origin if origin in frame else column
            if key in frame:
                loaded.update(frame[key].dropna().astype(str).unique())
        back = {mask.text(v): v for v in loaded}
        back = {k: v for k, v in back.items() if k != v}
        if back:
            out[column] = out[column].map(lambda v, b=back: b.get(v, v))
    return out
