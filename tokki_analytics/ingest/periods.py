"""The period each contractor's records of a form cover: records, first and last date.

Computed where a shard's typed frames are at hand (:func:`record_periods`, in
:func:`~tokki_analytics.ingest.shards.read_batch`), so that it survives a lean audit, which
drops most frames (the access logs) before the shards are put together. The column that
dates a record is declared per form (:attr:`tokki_analytics.forms.Form.period`). The
submission-status overview (提出状況, :mod:`tokki_analytics.intake.coverage`) reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from tokki_analytics.forms import SUBMISSION_FORMS

#: Statuses of a contractor's form in the submission-status overview (提出状況).
SUBMITTED, MISSING, NOT_NEEDED = "提出", "未提出", "不要"
#: Columns of :func:`record_periods`: form is the form key; first and last are dates
#: (midnight timestamps) up to as-of, NaT when no record has a readable date by then or the
#: form has no period; later counts the records dated after as-of.
PERIOD_COLUMNS = ["contractor_id", "form", "records", "first", "last", "later"]


def span_text(start: object, end: object) -> str:
    """``2024-04-01〜2025-03-31`` (a date missing: blank on its side); "" without either."""
    days = ["" if pd.isna(d) else f"{pd.Timestamp(d):%Y-%m-%d}" for d in (start, end)]
    return f"{days[0]}〜{days[1]}" if any(days) else ""


def empty_periods() -> pd.DataFrame:
    """A periods table without rows."""
    return pd.DataFrame(
        {
            "contractor_id": pd.Series(dtype="str"),
            "form": pd.Series(dtype="str"),
            "records": pd.Series(dtype="int64"),
            "first": pd.Series(dtype="datetime64[ns]"),
            "last": pd.Series(dtype="datetime64[ns]"),
            "later": pd.Series(dtype="int64"),
        }
    )


def combine_periods(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The periods of several shards as one table, by contractor, each in form order.

    The order does not depend on how the contractors were batched.
    """
    full = [part for part in parts if len(part)]
    if not full:
        return empty_periods()
    table = pd.concat(full, ignore_index=True)
    return table.sort_values("contractor_id", kind="stable").reset_index(drop=True)


def record_periods(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """Per contractor and submission form: the records and the dates they cover by as-of.

    A record dated after as-of (a typo like 2062 for 2026, or a log sent late) is counted
    in ``later``, not in ``first``/``last``: one such row must not hide that the records
    stop months before as-of.

    Args:
        frames: Form key → typed frame (rows carry ``contractor_id``).
        as_of: The audit reference date.

    Returns:
        One row per (contractor_id, form key) with at least one record, columns
        :data:`PERIOD_COLUMNS`; every record counts, the dates only where readable.
    """
    parts = []
    for form in SUBMISSION_FORMS:
        frame = frames.get(form.key)
        if frame is None or not len(frame):
            continue
        dates = (
            pd.to_datetime(frame[form.period]).dt.normalize().astype("datetime64[ns]")
            if form.period
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        )
        later = dates > pd.Timestamp(as_of)
        grouped = pd.DataFrame(
            {
                "contractor_id": frame["contractor_id"].astype("str"),
                "date": dates.where(~later),
                "later": later.astype("int64"),
            }
        ).groupby("contractor_id", sort=False)
        part = grouped.agg(
            records=("date", "size"),
            first=("date", "min"),
            last=("date", "max"),
            later=("later", "sum"),
        ).reset_index()
        part.insert(1, "form", form.key)
        parts.append(part)
    if not parts:
        return empty_periods()
    table = pd.concat(parts, ignore_index=True)[PERIOD_COLUMNS]
    dates = dict.fromkeys(("first", "last"), "datetime64[ns]")
    return table.astype({"records": "int64", "later": "int64", **dates})
