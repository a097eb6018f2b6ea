"""What ``tokki run`` says at the end and its exit code (``--fail-on``).

Kept apart from :mod:`tokki_analytics.cli` (the parser and the commands): the summary on
stdout, the follow-up record's problems on stderr, and the exit code from the findings'
severity or the overdue instructions (``--fail-on overdue``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.safetext import terminal_text
from tokki_analytics.vocab import SEVERITIES, SEVERITY_ALIASES, SEVERITY_RANK, severity_grade

if TYPE_CHECKING:
    import pandas as pd

    from tokki_analytics.followup_report import RunFollowUp
    from tokki_analytics.pipeline import Audit

#: ``--fail-on`` value that fails a run on an overdue instruction (期限超過), and its alias.
FAIL_ON_OVERDUE = ("overdue", "期限超過")
#: Every value ``--fail-on`` accepts.
FAIL_ON_CHOICES = [*SEVERITIES, *SEVERITY_ALIASES, *FAIL_ON_OVERDUE]


def failing_exit(findings: pd.DataFrame, fail_on: str | None, overdue: int = 0) -> int:
    """Exit code 1 when the run fails ``fail_on``, else 0.

    Args:
        findings: The run's findings.
        fail_on: A severity (重大/軽微/観察 or an alias): fail on a finding at or above it;
            ``overdue`` (期限超過): fail when an instruction is overdue; None: never fail.
        overdue: How many instructions are overdue (:attr:`RunFollowUp.overdue`).
    """
    if not fail_on:
        return 0
    if fail_on in FAIL_ON_OVERDUE:
        return 1 if overdue else 0
    threshold = SEVERITY_RANK[severity_grade(fail_on)]
    ranks = findings["severity"].map(SEVERITY_RANK)
    return 1 if (ranks >= threshold).any() else 0


def print_run(result: Audit, out: Path, followup: RunFollowUp) -> None:
    """The run's summary on stdout; the follow-up record's problems on stderr."""
    from tokki_analytics.followup_report import problem_lines

    findings = result.findings
    counts = findings["severity"].value_counts()
    print(f"監査基準日 (as-of): {result.settings.as_of}")
    print(f"データフォルダ: {terminal_text(result.submission.data_dir)}")
    print(
        f"指摘 (findings): {len(findings)} 件 "
        + " / ".join(f"{grade} {counts.get(grade, 0)}" for grade in SEVERITIES)
    )
    if followup.overdue:
        print(f"期限超過の指示 (overdue instructions): {followup.overdue} 件")
    print(f"報告書 (report): {terminal_text(out / 'index.html')}")
    for line in problem_lines(followup.problems):
        print(terminal_text(line), file=sys.stderr)
