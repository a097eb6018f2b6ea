"""Reading cell values: blanks, dates (和暦 included), datetimes, marks, lists, ids, integers.

Also the inverse for dates, :func:`format_date`, which the sample generator and the
property tests use to write a date in every style FORMS.md accepts.
"""

from __future__ import annotations

import datetime as dt

#: Japanese eras: (kanji name, Latin initial, first day).
ERAS: tuple[tuple[str, str, dt.date], ...] = (
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
)

_FULLWIDTH = str.maketrans("0123456789/-:", "０１２３４５６７８９／－：")

#: Every style :func:`format_date` writes; each is one FORMS.md accepts.
DATE_STYLES: tuple[str, ...] = (
    "iso",  # 2025-04-01
    "slash",  # 2025/4/1
    "slash_padded",  # 2025/04/01
    "kanji",  # 2025年4月1日
    "wareki",  # 令和7年4月1日, 令和元年5月1日
    "wareki_number",  # 令和1年5月1日
    "wareki_dot",  # R7.4.1
    "wareki_slash",  # R7/4/1
    "fullwidth_slash",  # ２０２５/４/１ (full-width digits)
    "fullwidth_wareki",  # 令和７年４月１日
)


def era_of(day: dt.date) -> tuple[str, str, int]:
    """Return (kanji era, initial, era year) of ``day``; raises ValueError before 平成."""
    for kanji, initial, first in ERAS:
        if day >= first:
            return kanji, initial, day.year - first.year + 1
    raise ValueError(f"{day} is before 平成")


def format_date(day: dt.date, style: str) -> str:
    """Write ``day`` in one of :data:`DATE_STYLES`.

    Args:
        day: The date.
        style: A name from :data:`DATE_STYLES`.

    Returns:
        The text, as a contractor's file might hold it.
    """
    y, m, d = day.year, day.month, day.day
    if style == "iso":
        return day.isoformat()
    if style == "slash":
        return f"{y}/{m}/{d}"
    if style == "slash_padded":
        return f"{y}/{m:02d}/{d:02d}"
    if style == "kanji":
        return f"{y}年{m}月{d}日"
    if style == "fullwidth_slash":
        return f"{y}/{m}/{d}".translate(_FULLWIDTH)
    kanji, initial, ey = era_of(day)
    if style == "wareki":
        return f"{kanji}{'元' if ey == 1 else ey}年{m}月{d}日"
    if style == "wareki_number":
        return f"{kanji}{ey}年{m}月{d}日"
    if style == "wareki_dot":
        return f"{initial}{ey}.{m}.{d}"
    if style == "wareki_slash":
        return f"{initial}{ey}/{m}/{d}"
    if style == "fullwidth_wareki":
        return f"{kanji}{ey}年{m}月{d}日".translate(_FULLWIDTH)
    raise ValueError(f"unknown date style {style!r}")
