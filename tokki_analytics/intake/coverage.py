"""Submission status (提出状況): per contractor and form, submitted or not, and the period covered.

For each contractor of 委託契約一覧 and each submission form: 提出 (a file or sheet of it is
in the folder), 未提出 (a started contract needs it and none is there) or 不要 (no started
contract of the contractor needs it); the records' first and last date (the form's
:attr:`~tokki_analytics.forms.Form.period` column) against the period they should cover:
from the earliest start of the contractor's started contracts that need the form, to the
as-of date or the latest end of those contracts if earlier; for a log (a continuous form),
not before the start of the fiscal year (April 1) of as-of, the 年度 its log is collected
for. A form whose records are
expected throughout (:attr:`~tokki_analytics.forms.Form.continuous`, 入退室記録) is flagged
when its records stop more than ``coverage_gap_days`` before that end, start more than that
after its beginning, or hold no dated record at all; records dated after as-of are named
in the flag (they do not count as covering the period: one mistyped year must not hide a log
that stops in April).

Information for the prefecture's intake desk, not a rule: it makes no finding (a missing
form is the Q1 of the load; the rules judge the records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from tokki_analytics.forms import SUBMISSION_FORMS, Form
from tokki_analytics.ingest import Submission
from tokki_analytics.ingest.checks import needed_forms
from tokki_analytics.ingest.periods import MISSING, NOT_NEEDED, SUBMITTED, span_text
from tokki_analytics.rules.staff_years import fiscal_year

#: Columns of :func:`coverage`: form is the Japanese form name; the four dates are
#: midnight timestamps (NaT when there is none); flag is "" when nothing is noteworthy.
COVERAGE_COLUMNS = [
    "contractor_id",
    "form",
    "status",
    "records",
    "first",
    "last",
    "should_from",
    "should_to",
    "flag",
]
#: Headers of the text and HTML tables (Japanese), by column.
COVERAGE_HEADERS = {
    "contractor_id": "受託者",
    "form": "様式",
    "status": "状況",
    "records": "件数",
    "covered": "記録の期間",
    "should": "求められる期間",
    "flag": "注記",
}

Formatter = Callable[[Sequence[str], Sequence[Sequence[object]]], str]


@dataclass(frozen=True)
class Span:
    """A period from one day to another, both included (NaT: unknown)."""

    start: pd.Timestamp
    end: pd.Timestamp


def _day(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def period_to_cover(
    start: pd.Timestamp, end: pd.Timestamp, as_of: dt.date, *, continuous: bool = False
) -> Span | None:
    """The days records must cover for a contract, or a contractor's contracts, by as-of.

    One rule for the template's 記入要領 (per contract) and the submission status (per
    contractor and form): from ``start`` to ``as_of``, or to ``end`` if earlier; for a
    continuous form (a log, collected for the audited fiscal year, 年度) not before April 1
    of as-of's fiscal year.

    Args:
        start: The (earliest) contract start; NaT when unreadable: the span's start is
            unknown (NaT).
        end: The (latest) contract end; NaT when unreadable: up to ``as_of``.
        as_of: The audit reference date.
        continuous: The form's records are expected throughout (:attr:`Form.continuous`).

    Returns:
        The span, or None when ``start`` is after ``as_of`` (nothing to cover yet).
    """
    today = pd.Timestamp(as_of)
    first = pd.Timestamp(start)
    if first > today:  # (NaT compares False: an unreadable start counts as started)
        return None
    last = today if pd.isna(end) else min(today, pd.Timestamp(end))
    if continuous and pd.notna(first):
        year = int(fiscal_year(pd.Series([today])).iloc[0])
        first = max(first, pd.Timestamp(year, 4, 1))
    return Span(first, last)


class Got(NamedTuple):
    """What a contractor sent of one form.

    Its records, their first and last date up to as-of, and how many are dated after as-of
    (:data:`tokki_analytics.ingest.periods.PERIOD_COLUMNS`).
    """

    records: int
    first: pd.Timestamp
    last: pd.Timestamp
    later: int


#: A form nothing was sent of.
NOTHING = Got(0, pd.NaT, pd.NaT, 0)


#: One started contract of a contractor: its start, its end, the form keys it needs.
Term = tuple[pd.Timestamp, pd.Timestamp, frozenset[str]]


def _terms(started: pd.DataFrame) -> list[Term]:
    """The :data:`Term` of each of ``started`` (:func:`needed_forms`, once per contract)."""
    return [
        (pd.Timestamp(c["start_date"]), pd.Timestamp(c["end_date"]),
         frozenset(f.key for f in needed_forms(c)))
        for _, c in started.iterrows()
    ]  # fmt: skip


def _should(terms: list[Term], form: Form, as_of: dt.date) -> Span | None:
    """The period a contractor's started contracts (``terms``) need ``form`` records for.

    From the earliest readable start (unknown when none is readable) to the latest end, an
    unreadable end counting as as-of.
    """
    needing = [(start, end) for start, end, keys in terms if form.key in keys]
    if not needing:
        return None
    starts = [start for start, _ in needing if pd.notna(start)]
    today = pd.Timestamp(as_of)
    end = max(today if pd.isna(last) else last for _, last in needing)
    return period_to_cover(min(starts, default=pd.NaT), end, as_of, continuous=form.continuous)


def _later_note(later: int) -> list[str]:
    return [f"基準日より後の日付の記録が {later} 件あります（日付を確認してください）"] * (
        later > 0
    )


def _flag(
    form: Form, should: Span | None, first: object, last: object, gap_days: int, later: int = 0
) -> str:
    """The note on a submitted continuous form whose records miss part of ``should``.

    ``first`` and ``last`` are the records' dates up to as-of; ``later`` counts those after.
    """
    if not form.continuous or should is None:
        return ""
    if pd.isna(last):
        what = "基準日までの日付の記録" if later else "日付のある記録"
        need = f"{what}がありません（{span_text(should.start, should.end)} の記録が必要）"
        return "。".join([need, *_later_note(later)])
    gap = pd.Timedelta(days=gap_days)
    notes = []
    if pd.notna(should.start) and pd.Timestamp(first) - should.start > gap:
        notes.append(f"{_day(first)} より前の記録がありません（{_day(should.start)} から必要）")
    if should.end - pd.Timestamp(last) > gap:
        notes.append(f"{_day(last)} より後の記録がありません（{_day(should.end)} まで必要）")
    return "。".join(notes + _later_note(later))


def _form_row(
    form: Form,
    terms: list[Term],
    have: dict[str, Got],
    submitted: bool,
    as_of: dt.date,
    gap_days: int,
) -> dict[str, object]:
    """One form of one contractor.

    ``terms`` are its contracts started by as-of.
    """
    should = _should(terms, form, as_of)
    got = have.get(form.key, NOTHING)
    first, last, later = got.first, got.last, got.later
    status = SUBMITTED if submitted else (MISSING if should is not None else NOT_NEEDED)
    return {
        "form": form.name,
        "status": status,
        "records": got.records,
        "first": first,
        "last": last,
        "should_from": should.start if should is not None else pd.NaT,
        "should_to": should.end if should is not None else pd.NaT,
        "flag": _flag(form, should, first, last, gap_days, later) if submitted else "",
    }


def coverage(
    periods: pd.DataFrame,
    submitted: pd.DataFrame,
    contracts: pd.DataFrame,
    as_of: dt.date,
    gap_days: int,
) -> pd.DataFrame:
    """The submission status of every contractor of ``contracts`` and every submission form.

    Args:
        periods: Records and first/last record date per contractor and form key
            (:attr:`tokki_analytics.ingest.Submission.periods`).
        submitted: (contractor_id, form key) of every form present
            (:attr:`tokki_analytics.ingest.Submission.submitted`).
        contracts: The usable contracts (:attr:`tokki_analytics.ingest.Submission.contracts`).
        as_of: The audit reference date; contracts starting after it need nothing yet.
        gap_days: Days a continuous form's records may start after, or stop before, the
            period they should cover without a flag (setting ``coverage_gap_days``).

    Returns:
        One row per contractor (order of 委託契約一覧) and form (order of FORMS.md),
        columns :data:`COVERAGE_COLUMNS`.
    """
    have = set(zip(submitted["contractor_id"], submitted["form"], strict=True))
    today = pd.Timestamp(as_of)
    by_contractor: dict[str, dict[str, Got]] = {}
    for r in periods.itertuples(index=False):
        sent = Got(int(r.records), pd.Timestamp(r.first), pd.Timestamp(r.last), int(r.later))
        by_contractor.setdefault(str(r.contractor_id), {})[str(r.form)] = sent
    rows = []
    for cid, own in contracts.groupby("contractor_id", sort=False):
        started = own[~(own["start_date"] > today)]  # an unreadable start counts as started
        terms = _terms(started)
        got = by_contractor.get(str(cid), {})
        for form in SUBMISSION_FORMS:
            submitted_here = (cid, form.key) in have
            row = _form_row(form, terms, got, submitted_here, as_of, gap_days)
            rows.append({"contractor_id": str(cid), **row})
    table = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    dates = ["first", "last", "should_from", "should_to"]
    return table.astype({"records": "int64", **dict.fromkeys(dates, "datetime64[ns]")})


def submission_coverage(submission: Submission, contractor: str | None = None) -> pd.DataFrame:
    """:func:`coverage` of a loaded data folder, with its settings (as-of, tolerance).

    Args:
        submission: The loaded data folder.
        contractor: Only this contractor's rows (``tokki check``); default every one.
    """
    settings, contracts = submission.settings, submission.contracts
    if contractor is not None:
        contracts = contracts[contracts["contractor_id"] == contractor]
    return coverage(
        submission.periods,
        submission.submitted,
        contracts,
        settings.as_of,
        settings.coverage_gap_days,
    )


def noteworthy(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a coverage table worth a look: forms missing, and flagged periods."""
    return table[(table["status"] == MISSING) | (table["flag"] != "")]


def display_rows(table: pd.DataFrame) -> list[list[str]]:
    """Rows of a coverage table as text cells, in the order of :data:`COVERAGE_HEADERS`."""
    return [
        [
            r.contractor_id,
            r.form,
            r.status,
            f"{r.records:,}" if r.status == SUBMITTED else "",
            span_text(r.first, r.last),
            span_text(r.should_from, r.should_to),
            r.flag,
        ]
        for r in table.itertuples(index=False)
    ]


def coverage_records(submission: Submission) -> list[dict[str, object]]:
    """The whole coverage table as JSON-ready records (dates ``YYYY-MM-DD`` or None)."""
    table = submission_coverage(submission).astype(object)
    for column in ("first", "last", "should_from", "should_to"):
        table[column] = [_day(v) or None for v in table[column]]
    return table.to_dict("records")


def coverage_report(submission: Submission, format_table: Formatter) -> str:
    """The text of ``tokki load``: a count, then the noteworthy rows (missing and flagged).

    Args:
        submission: The loaded data folder.
        format_table: Lays out a header and rows as aligned text (the command's tables).
    """
    table = submission_coverage(submission)
    shown = noteworthy(table)
    missing = int((shown["status"] == MISSING).sum())
    flagged = int((shown["flag"] != "").sum())
    head = (
        f"\n提出状況 / submission status: 受託者 {table['contractor_id'].nunique()} 社 × 様式 "
        f"{len(SUBMISSION_FORMS)}、未提出 {missing} 件、記録の期間に注記 {flagged} 件"
        f" / {missing} missing, {flagged} flagged periods (全体は --json の coverage)"
    )
    if shown.empty:
        return head
    rows = display_rows(shown)
    ids = [row[0] for row in rows]
    for n in range(1, len(rows)):
        if ids[n] == ids[n - 1]:
            rows[n][0] = ""  # the contractor once, on its first line
    return head + "\n" + format_table(list(COVERAGE_HEADERS.values()), rows)
