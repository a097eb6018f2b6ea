"""tokki-analytics: audit analytics for the annex 個人情報取扱特記事項.

Loads contractors' submissions, checks them against the clauses with Great Expectations
suites, and reports findings and compliance. Nothing is sent anywhere: Great Expectations'
usage statistics are switched off here, the one place for it. Python runs a package's
``__init__`` before any of its modules, so every entry point passes through this line
before GX can be imported: the ``tokki`` command (``tokki_analytics.cli``), ``python -m
tokki_analytics.…``, the notebooks and their papermill kernels (which import the package,
and inherit the variable from ``tokki notebook``). tests/test_gx_analytics.py checks it.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

os.environ["GX_ANALYTICS_ENABLED"] = "False"
# GX imports pyspark whenever it is installed (the optional Spark engine), and pyspark warns
# on import that pandas >= 3 is not fully supported; the conversions the Spark engine relies
# on are tested (tests/test_spark.py), so a run does not repeat the warning to its user.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from tokki_analytics.pipeline import Audit

__version__ = "0.1.0"


def audit(
    data_dir: Path | str,
    as_of: dt.date | str | None = None,
    settings_file: Path | str | None = None,
    suites_dir: Path | str | None = None,
    engine: str = "local",
    jobs: int | None = None,
    spark_master: str = "local[*]",
) -> Audit:
    """Audit a data folder: see :func:`tokki_analytics.pipeline.audit`.

    ``engine="local"`` runs on ``jobs`` processes (default: the machine's cores);
    ``engine="spark"`` on the Spark master ``spark_master`` (the ``spark`` extra).
    """
    from tokki_analytics.pipeline import audit as run

    return run(
        data_dir,
        as_of=as_of,
        settings_file=settings_file,
        suites_dir=suites_dir,
        engine=engine,
        jobs=jobs,
        spark_master=spark_master,
    )
