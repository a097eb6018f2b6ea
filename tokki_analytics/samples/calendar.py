"""The sample prefecture's calendar: work days, fiscal years and times of day."""

from __future__ import annotations

import datetime as dt

import numpy as np


def _year_end_days() -> list[dt.date]:
    days = []
    for year in range(2022, 2027):
        days += [dt.date(year, 12, d) for d in (29, 30, 31)]
        days += [dt.date(year + 1, 1, d) for d in (1, 2, 3)]
    return days


_HOLIDAYS_2025 = (
    "2025-04-29", "2025-05-05", "2025-05-06", "2025-07-21", "2025-08-11", "2025-09-15",
    "2025-09-23", "2025-10-13", "2025-11-03", "2025-11-24", "2026-01-12",
)  # fmt: skip

#: Work days: Monday to Friday but the 2025 public holidays and the year-end closures.
CALENDAR = np.busdaycalendar(
    holidays=np.array(
        sorted({*_year_end_days(), *map(dt.date.fromisoformat, _HOLIDAYS_2025)}),
        dtype="datetime64[D]",
    )
)


def ymd(text: str) -> dt.date:
    """The date written ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text)


def as_date(value: np.datetime64) -> dt.date:
    """The calendar day of a ``datetime64[D]`` value."""
    day = value.item()
    if not isinstance(day, dt.date):
        raise ValueError(f"not a day: {value!r}")
    return day


def workday(day: dt.date) -> dt.date:
    """The first work day on or after ``day``."""
    return as_date(np.busday_offset(np.datetime64(day, "D"), 0, roll="forward", busdaycal=CALENDAR))


def workdays(lo: dt.date, hi: dt.date) -> np.ndarray:
    """Work days from ``lo`` to ``hi`` inclusive, as datetime64[D]."""
    if hi < lo:
        return np.array([], dtype="datetime64[D]")
    days = np.arange(np.datetime64(lo, "D"), np.datetime64(hi, "D") + 1)
    return days[np.is_busday(days, busdaycal=CALENDAR)]


def pick_workday(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date | None:
    """A random work day from ``lo`` to ``hi`` (None, drawing nothing, when there is none)."""
    days = workdays(lo, hi)
    return as_date(days[int(rng.integers(len(days)))]) if len(days) else None


def workday_between(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date:
    """A random work day from ``lo`` to ``hi``; :func:`pick_workday` where one must exist.

    Raises:
        ValueError: There is no work day from ``lo`` to ``hi``.
    """
    day = pick_workday(rng, lo, hi)
    if day is None:
        raise ValueError(f"no work day from {lo} to {hi}")
    return day


def fiscal_year(day: dt.date) -> int:
    """The fiscal year (April–March) holding ``day``, named by its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[dt.date, dt.date]:
    """The first and last day of fiscal year ``fy``."""
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute``."""
    return dt.datetime(day.year, day.month, day.day, hour, minute)
