"""Dates: the Japanese eras, the forms FORMS.md accepts, reading them and writing them.

One text is read by :func:`parse_datetime_text` or :func:`parse_date_text`, a date column
(text, Excel dates and serial numbers; vectorised when large) by :func:`read_instants`, which
:func:`tokki_analytics.ingest.values.parse_column` calls. :func:`format_date` writes a date
in every style FORMS.md accepts (the sample generator and the property tests use it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from tokki_analytics.forms import nfkc
from tokki_analytics.ingest.cells import (
    BAD,
    BLANK,
    OK,
    blank_mask,
    encode,
    random_sample,
    string_mask,
)

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
    western = {
        "iso": day.isoformat(),
        "slash": f"{y}/{m}/{d}",
        "slash_padded": f"{y}/{m:02d}/{d:02d}",
        "kanji": f"{y}年{m}月{d}日",
        "fullwidth_slash": f"{y}/{m}/{d}".translate(_FULLWIDTH),
    }
    if style in western:
        return western[style]
    if style not in DATE_STYLES:
        raise ValueError(f"unknown date style {style!r}")
    kanji, initial, ey = era_of(day)  # only now: before 平成 has no era here
    return {
        "wareki": f"{kanji}{'元' if ey == 1 else ey}年{m}月{d}日",
        "wareki_number": f"{kanji}{ey}年{m}月{d}日",
        "wareki_dot": f"{initial}{ey}.{m}.{d}",
        "wareki_slash": f"{initial}{ey}/{m}/{d}",
        "fullwidth_wareki": f"{kanji}{ey}年{m}月{d}日".translate(_FULLWIDTH),
    }[style]


# --- reading --------------------------------------------------------------------------------

#: Earliest and latest year a date is read in: 1900–2199, well inside ``datetime64[ns]``
#: (1677–2262), so that a date plus or minus any threshold settings allow (ten years at the
#: most) stays representable; a year outside is unreadable (Q2).
MIN_YEAR, MAX_YEAR = 1900, 2199
#: The last day a date is read in: what an open end (``9999-12-31``) of a required end date
#: stands for, so that the period runs past any as-of.
LAST_DAY = dt.date(MAX_YEAR, 12, 31)
_OPEN_END_TEXT = re.compile(r"9999\s*[-/.年]\s*12\s*[-/.月]\s*31\s*日?(\s*0?0:00(:00)?)?")
_OPEN_END_SERIAL = 2_958_465  # 9999-12-31 in Excel's 1900 date system

#: Day 0 of Excel's 1900 date system (serial 1 is 1899-12-31; serial 61 is 1900-03-01).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: The first Excel serial number past :data:`MAX_YEAR`.
EXCEL_MAX_SERIAL = (dt.datetime(MAX_YEAR + 1, 1, 1) - EXCEL_EPOCH).days

#: Era name or initial (upper case) -> the Gregorian year before the era's year 1.
_ERA_BASE: dict[str, int] = {}
for _kanji, _initial, _first in ERAS:
    _ERA_BASE[_kanji] = _ERA_BASE[_initial.upper()] = _first.year - 1
_ERA_ALT = "|".join(re.escape(e) for e in sorted(_ERA_BASE, key=len, reverse=True))

_DATE_PATTERN = rf"""
(?:
    (?P<y>[0-9]{{4}}) \s* (?P<s>[-/.]) \s* (?P<m>[0-9]{{1,2}}) \s* (?P=s) \s* (?P<d>[0-9]{{1,2}})
  | (?P<ky>[0-9]{{4}}) \s* 年 \s* (?P<km>[0-9]{{1,2}}) \s* 月 \s* (?P<kd>[0-9]{{1,2}}) \s* 日
  | (?P<era>{_ERA_ALT}) \s* (?P<ey>元|[0-9]{{1,2}}) \s*
    (?:
        年 \s* (?P<wm>[0-9]{{1,2}}) \s* 月 \s* (?P<wd>[0-9]{{1,2}}) \s* 日
      | (?P<ws>[-/.]) \s* (?P<wm2>[0-9]{{1,2}}) \s* (?P=ws) \s* (?P<wd2>[0-9]{{1,2}})
    )
)
"""
_TIME_PATTERN = r"""
(?:
    (?P<H>[0-9]{1,2}) \s* : \s* (?P<M>[0-9]{1,2})
    (?: \s* : \s* (?P<S>[0-9]{1,2}) (?: \. (?P<F>[0-9]{1,6}) )? )?
  | (?P<jH>[0-9]{1,2}) \s* 時
    (?: \s* (?P<jM>[0-9]{1,2}) \s* 分 (?: \s* (?P<jS>[0-9]{1,2}) \s* 秒 )? )?
)
"""
_INSTANT_RE = re.compile(
    rf"{_DATE_PATTERN} (?: (?: \s* T \s* | \s+ | (?<=日) \s* ) {_TIME_PATTERN} )?",
    re.ASCII | re.IGNORECASE | re.VERBOSE,
)
# Positions of the groups in ``Match.groups()`` (faster than ``groupdict``).
_GROUP = {name: i - 1 for name, i in _INSTANT_RE.groupindex.items()}
_Y, _M, _D, _KY, _KM, _KD = (_GROUP[k] for k in ("y", "m", "d", "ky", "km", "kd"))
_ERA, _EY, _WM, _WD, _WM2, _WD2 = (_GROUP[k] for k in ("era", "ey", "wm", "wd", "wm2", "wd2"))
_H, _MI, _S, _F, _JH, _JM, _JS = (_GROUP[k] for k in ("H", "M", "S", "F", "jH", "jM", "jS"))


def is_open_end(value: object) -> bool:
    """True for a cell meaning "no end date": 9999-12-31 as a date, text or Excel serial."""
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.year, value.month, value.day) == (9999, 12, 31)
    if isinstance(value, str):
        return _OPEN_END_TEXT.fullmatch(unicodedata.normalize("NFKC", value).strip()) is not None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == _OPEN_END_SERIAL
    return False


def _parse_instant(text: str) -> dt.datetime | None:
    """Read a date with an optional time of day from text; None when unreadable."""
    m = _INSTANT_RE.fullmatch(nfkc(text))
    if m is None:
        return None
    g = m.groups()
    if g[_Y]:
        year, month, day = int(g[_Y]), int(g[_M]), int(g[_D])
    elif g[_KY]:
        year, month, day = int(g[_KY]), int(g[_KM]), int(g[_KD])
    else:
        era_year = 1 if g[_EY] == "元" else int(g[_EY])
        if era_year < 1:
            return None
        year = _ERA_BASE[g[_ERA].upper()] + era_year
        month, day = int(g[_WM] or g[_WM2]), int(g[_WD] or g[_WD2])
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    hour = int(g[_H] or g[_JH] or 0)
    minute = int(g[_MI] or g[_JM] or 0)
    second = int(g[_S] or g[_JS] or 0)
    micro = int(g[_F].ljust(6, "0")) if g[_F] else 0
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None


def parse_datetime_text(text: str) -> dt.datetime | None:
    """Read a date and optional time of day, in any form FORMS.md accepts.

    The text is NFKC-normalised first (full-width digits and letters), and spaces around
    separators are allowed. The date is one of ``2025-04-01``, ``2025/4/1``, ``2025.4.1``,
    ``2025年4月1日``, ``令和7年4月1日`` (``元年`` too), ``R7.4.1``, ``R7/4/1``, ``R7-4-1``
    (``r`` and ``h`` in lower case too), 平成 likewise; an era year past the era's end is read
    by year arithmetic (``平成31年5月1日`` is 2019-05-01). The time, after a space or ``T``,
    is ``9:05``, ``09:05:00`` (optionally with a fraction) or ``9時5分``; none means 00:00.

    Args:
        text: The cell text.

    Returns:
        The naive datetime, or None when the text is not such a value (bare 8-digit strings,
        impossible calendar dates, 令和0年, years outside 1678..2261).
    """
    return _parse_instant(text)


def parse_date_text(text: str) -> dt.date | None:
    """Read a date in any form FORMS.md accepts; a time of day, if any, is dropped.

    See :func:`parse_datetime_text` for the forms.

    Args:
        text: The cell text.

    Returns:
        The date, or None when the text is not a date.
    """
    instant = _parse_instant(text)
    return None if instant is None else instant.date()


def _instant_of_cell(value: object) -> dt.datetime | None:
    """Read a non-text Excel cell as an instant: a date, a datetime or a serial number."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        instant = value.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        instant = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        serial = float(value)
        if not 1 <= serial < EXCEL_MAX_SERIAL:
            return None
        instant = EXCEL_EPOCH + dt.timedelta(seconds=round(serial * 86_400))
    else:
        return None
    return instant if MIN_YEAR <= instant.year <= MAX_YEAR else None


# --- reading a column -----------------------------------------------------------------------

#: The instants a date is read in, as timestamps.
_LO = pd.Timestamp(MIN_YEAR, 1, 1)
_HI = pd.Timestamp(MAX_YEAR, 12, 31, 23, 59, 59, 999999)
_NAT = np.iinfo(np.int64).min
_DAY_NS = 86_400 * 10**9

_EXCEL_EPOCH_UNIX_S = (dt.datetime(1970, 1, 1) - EXCEL_EPOCH).days * 86_400

#: Below this many cells, dates are read by the scalar parser alone (no format sniffing).
_VECTOR_MIN = 2_000
_LEAP = re.compile(r":6\d(?:\.\d*)?\s*$")

#: How many cells of a large column are tried with each vectorised format.
_SNIFF_SAMPLE = 500

#: Formats tried with :func:`pandas.to_datetime` before the scalar parser (large columns).
_VECTOR_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def _ns_in_range(parsed: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds of ``parsed`` (NaT outside the years read) and which ones are valid."""
    ok = np.asarray((parsed >= _LO) & (parsed <= _HI))
    ns = np.full(len(parsed), _NAT, dtype=np.int64)
    ns[ok] = parsed[ok].as_unit("ns").asi8
    return ns, ok


def _texts_ns(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds and states of distinct strings, read by the scalar parser."""
    instants = np.empty(len(texts), dtype=object)
    instants[:] = [_parse_instant(t) for t in texts]
    ns, ok = _ns_in_range(pd.to_datetime(instants))
    states = np.where(ok, OK, BAD).astype(np.int8)
    failed = np.flatnonzero(~ok)
    states[failed[blank_mask(texts[failed])]] = BLANK
    return ns, states


def _cells_ns(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds and states of non-text cells: Excel dates, datetimes, serial numbers."""
    ns = np.full(len(cells), _NAT, dtype=np.int64)
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in cells), bool, len(cells))
    is_number = ~is_bool & np.fromiter(
        (isinstance(v, (int, float, np.integer, np.floating)) for v in cells), bool, len(cells)
    )
    is_moment = np.fromiter(
        (isinstance(v, (dt.date, np.datetime64)) for v in cells), bool, len(cells)
    )
    if is_number.any():
        serial = cells[is_number].astype(np.float64)
        valid = (serial >= 1) & (serial < EXCEL_MAX_SERIAL)
        seconds = np.round(np.where(valid, serial, 0) * 86_400).astype(np.int64)
        ns[is_number] = np.where(valid, (seconds - _EXCEL_EPOCH_UNIX_S) * 10**9, _NAT)
    if is_moment.any():
        moments = cells[is_moment]
        try:
            ns[is_moment] = _ns_in_range(pd.to_datetime(moments, errors="coerce"))[0]
        except (TypeError, ValueError):  # time zones mixed with naive values: one by one
            scalar = np.empty(len(moments), dtype=object)
            scalar[:] = [_instant_of_cell(v) for v in moments]
            ns[is_moment] = _ns_in_range(pd.to_datetime(scalar))[0]
    states = np.where(ns != _NAT, OK, BAD).astype(np.int8)
    return ns, states


def _leap_seconds(texts: np.ndarray) -> np.ndarray:
    """Which texts end in a leap second (``:60``), which strptime takes and we refuse.

    The scalar parser rightly refuses a leap second; only texts holding ``:6`` are searched.
    """
    out = np.zeros(len(texts), dtype=bool)
    maybe = np.fromiter((":6" in text for text in texts), dtype=bool, count=len(texts))
    out[maybe] = [_LEAP.search(text) is not None for text in texts[maybe]]
    return out


def _separators(text: str) -> int:
    """The counts of ``:``, ``/`` and ``-`` in ``text`` as one number.

    Counts past 15 spill into the next one: the texts of a format all have its number, and
    a text of another shape that has it too is only tried in vain.
    """
    return text.count(":") + 16 * text.count("/") + 256 * text.count("-")


#: The separators of each vectorised format: a text holding others cannot match it (its
#: fields take digits and spaces only), so it is not tried.
_FORMAT_SEPARATORS = {fmt: _separators(re.sub("%[A-Za-z]", "", fmt)) for fmt in _VECTOR_FORMATS}


def _read_formats(values: np.ndarray, out: np.ndarray, pending: np.ndarray) -> None:
    """Read the strings of a large column in the formats a sample of them uses.

    Each format, most frequent first, is tried with :func:`pandas.to_datetime` on the
    strings not read yet that have its separators (every one when there is one format).
    ``out`` gets their nanoseconds and ``pending`` is cleared where read.
    """
    rest = np.flatnonzero(string_mask(values, pd.isna(values)))
    formats = _sniff_formats(values[rest])
    shapes = None  # one format: every string is tried
    if len(formats) > 1:
        shapes = np.fromiter(map(_separators, values[rest]), dtype=np.int64, count=len(rest))
    for fmt in formats:
        if shapes is None:
            tried = np.arange(len(rest))
        else:
            tried = np.flatnonzero(shapes == _FORMAT_SEPARATORS[fmt])
        where = rest[tried]
        ns, ok = _ns_in_range(pd.to_datetime(values[where], format=fmt, errors="coerce"))
        ok[ok] = ~_leap_seconds(values[where[ok]])
        out[where[ok]] = ns[ok]
        pending[where[ok]] = False
        keep = np.ones(len(rest), dtype=bool)
        keep[tried[ok]] = False
        rest = rest[keep]
        if shapes is not None:
            shapes = shapes[keep]


def read_instants(values: np.ndarray, date_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Read date or datetime cells as int64 nanoseconds (NaT where missing) and a bad mask.

    Large columns (:data:`_VECTOR_MIN` cells or more) try the formats a sample of them uses
    with :func:`pandas.to_datetime` first; what is left is read entry by entry
    (:func:`parse_datetime_text` for text, Excel dates and serial numbers otherwise).
    """
    n = len(values)
    out = np.full(n, _NAT, dtype=np.int64)
    pending = np.ones(n, dtype=bool)
    if n >= _VECTOR_MIN:
        _read_formats(values, out, pending)
    bad = np.zeros(n, dtype=bool)
    if pending.any():
        where = np.flatnonzero(pending)
        # Leftover strings are factorized whatever their number: a scalar parse costs more.
        enc = encode(values[where], factorize=True)
        text_ns, text_states = _texts_ns(enc.texts)
        cell_ns, cell_states = _cells_ns(enc.others)
        ns = np.concatenate([text_ns, cell_ns, [_NAT]])
        states = np.concatenate([text_states, cell_states, np.array([BLANK], dtype=np.int8)])
        out[where] = ns[enc.codes]
        bad[where] = states[enc.codes] == BAD
    if date_only:
        valid = out != _NAT
        out[valid] = out[valid] // _DAY_NS * _DAY_NS
    return out, bad


def _sniff_formats(texts: np.ndarray) -> list[str]:
    """The vectorisable formats a sample of ``texts`` uses, most frequent first."""
    if not len(texts):
        return []
    sample = random_sample(texts, _SNIFF_SAMPLE)
    hits = []
    for fmt in _VECTOR_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        count = int(np.count_nonzero(np.asarray((parsed >= _LO) & (parsed <= _HI))))
        if count:
            hits.append((-count, fmt))
    return [fmt for _, fmt in sorted(hits)]
