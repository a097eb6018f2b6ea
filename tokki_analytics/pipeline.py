"""The audit pipeline: data folder → load → views → validation → findings → compliance.

:func:`audit` is the one code path that the ``tokki run`` command and the notebooks share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.ingest import Submission, load
from tokki_analytics.settings import Settings, load_settings

if TYPE_CHECKING:
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
            from its output folder (:func:`tokki_analytics.briefing.open_run`), whose
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


def audit(
    data_dir: Path | str,
    as_of: dt.date | str | None = None,
    settings_file: Path | str | None = None,
    suites_dir: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Audit:
    """Audit a data folder.

    Args:
        data_dir: The data folder.
        as_of: Audit reference date; overrides ``settings.toml``.
        settings_file: A settings file other than ``DATA/settings.toml``.
        suites_dir: Expectation suites other than the package's own
            (``tokki_analytics/gx/expectations/``); it must hold every rule of the catalogue.
        progress: Called with a short Japanese label as each stage starts.

    Returns:
        The submission, views, findings and compliance.
    """
    from tokki_analytics.findings import build_compliance, build_findings
    from tokki_analytics.gx.suites import SUITES_DIR, load_suites
    from tokki_analytics.gx.validate import validate
    from tokki_analytics.rules import build_views

    step = progress or (lambda label: None)
    suites = load_suites(Path(suites_dir) if suites_dir else SUITES_DIR)  # before the long load
    root = Path(data_dir)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    settings = load_settings(
        Path(settings_file) if settings_file else root / "settings.toml", as_of
    )
    step("読み込み (load)")
    submission = load(root, settings=settings)
    step("点検ビュー (views)")
    views = build_views(submission)
    step("検証 (validation)")
    validation = validate(views, suites)
    step("指摘の集計 (findings)")
    findings = build_findings(views, validation, submission.defects)
    compliance = build_compliance(views, validation)
    return Audit(submission, views, findings, compliance, validation)
