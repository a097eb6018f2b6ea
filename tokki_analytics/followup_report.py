"""A run's follow-up (指摘対応), computed once and shown in the report and by ``tokki run``.

:func:`run_follow_up` reads the auditors' record and carries it over to the run's findings
(:func:`tokki_analytics.followup.follow_up`); ``OUT/followup.xlsx``, ``index.html`` and the
contractor pages all show this one result (:mod:`tokki_analytics.publish` passes it on), and
``tokki run --fail-on overdue`` looks at it.

Counts per contractor (:func:`contractor_summary`)
    未対応 (open): state 未対応; 是正指示済 (instructed): state 是正指示済, overdue ones
    included; 期限超過 (overdue); 再発 (recurring); 対象外 (accepted): state
    対象外（説明受領）. A finding can count twice (a recurring finding still 未対応).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.followup import ACCEPTED, INSTRUCTED, NEW, OVERDUE, RECURRED, Problem
from tokki_analytics.history import connect_store
from tokki_analytics.safetext import escape_controls

if TYPE_CHECKING:
    from tokki_analytics.pipeline import Audit

#: Columns of :func:`contractor_summary`: key → Japanese label (English).
SUMMARY_COLUMNS: dict[str, str] = {
    "open": "未対応 (open)",
    "instructed": "是正指示済 (instructed)",
    "overdue": "期限超過 (overdue)",
    "recurring": "再発 (recurring)",
    "accepted": "対象外 (accepted)",
}


@dataclass(frozen=True)
class RunFollowUp:
    """The follow-up of one run.

    Attributes:
        open_items: Every finding of the run with its state, dates and 判定 (``derived``),
            on the findings' index (:func:`tokki_analytics.followup.carry_over`).
        closed: Record rows of findings no longer found, and rows that cannot be placed.
        problems: Bad edits of the record (and a workbook of another origin).
        trend: Counts per stored run (:func:`followup_trend`), when the history store has
            earlier runs of the folder; None otherwise.
    """

    open_items: pd.DataFrame
    closed: pd.DataFrame
    problems: tuple[Problem, ...]
    trend: pd.DataFrame | None = None

    @property
    def overdue(self) -> int:
        """How many instructions are overdue (判定 期限超過)."""
        return int((self.open_items["derived"] == OVERDUE).sum())

    @property
    def accepted(self) -> pd.Index:
        """The findings (index labels) marked 対象外（説明受領）: left out of the risk score."""
        return self.open_items.index[self.open_items["state"] == ACCEPTED]


def run_follow_up(audit: Audit) -> RunFollowUp:
    """Read ``DATA/指摘対応記録.xlsx`` (if any) and carry it over to the run's findings."""
    from tokki_analytics.followup import follow_up
    from tokki_analytics.history import finding_identities

    identities = finding_identities(audit.findings)
    data_dir, as_of = audit.submission.data_dir, audit.settings.as_of
    open_items, closed, problems = follow_up(data_dir, audit.findings, identities, as_of)
    open_items.index = identities.index
    return RunFollowUp(open_items, closed, tuple(problems))


def shown_state(open_items: pd.DataFrame) -> pd.Series:
    """The state a reader sees: the derived 判定 when there is one, else the state."""
    derived = open_items["derived"].astype(str)
    return derived.where(derived != "", open_items["state"].astype(str))


def contractor_summary(open_items: pd.DataFrame) -> pd.DataFrame:
    """Follow-up counts per contractor (columns :data:`SUMMARY_COLUMNS`), by contractor id."""
    state, derived = open_items["state"], open_items["derived"]
    flags = pd.DataFrame(
        {
            "open": state == NEW,
            "instructed": state == INSTRUCTED,
            "overdue": derived == OVERDUE,
            "recurring": derived == RECURRED,
            "accepted": state == ACCEPTED,
        },
        index=open_items.index,
    ).astype(int)
    return flags.groupby(open_items["contractor_id"].astype(str)).sum()


def problem_lines(problems: tuple[Problem, ...]) -> list[str]:
    """The record's problems as plain lines, Japanese first, for the terminal."""
    if not problems:
        return []
    head = (
        f"指摘対応記録の問題 {len(problems)} 件 / {len(problems)} problems in the follow-up record:"
    )
    return [head, *(f"  {problem.text}" for problem in problems)]


def followup_trend(store_dir: Path, data_dir: Path) -> pd.DataFrame:
    """Open, instructed, overdue and recurring follow-up items per stored run of a folder.

    Returns:
        One row per run (run_id, run_at, as_of) with counts 未対応, 是正指示済, 期限超過,
        再発, 対象外; runs recorded before states were kept count nothing.
    """
    folder = escape_controls(str(Path(data_dir).resolve()))
    query = """
        SELECT r.run_id, r.run_at, r.as_of, s.state, s.derived
        FROM runs r LEFT JOIN followup_states s ON s.run_id = r.run_id
        WHERE r.data_dir = ? ORDER BY r.run_at, r.run_id"""
    with contextlib.closing(connect_store(Path(store_dir))) as con:
        rows = pd.read_sql_query(query, con, params=(folder,))
    counts = {"未対応": ("state", "未対応"), "是正指示済": ("state", "是正指示済"),
              "期限超過": ("derived", "期限超過"), "再発": ("derived", "再発"),
              "対象外": ("state", "対象外（説明受領）")}  # fmt: skip
    table = rows[["run_id", "run_at", "as_of"]].drop_duplicates("run_id").set_index("run_id")
    for label, (column, value) in counts.items():
        table[label] = (rows[column] == value).groupby(rows["run_id"]).sum().astype(int)
    return table.reset_index()
