"""Reading cell values: blanks, dates (和暦 included), datetimes, marks, lists, ids, integers.

Also the inverse for dates, :func:`format_date`, which the sample generator and the
property tests use to write a date in every style FORMS.md accepts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tokki_analytics.forms import (
    BLANK_WORDS,
    LIST_SEPARATORS,
    NO_MARKS,
    YES_MARKS,
    Column,
    Kind,
    header_key,
    nfkc,
)
from tokki_analytics.guard import EXCEL_ERRORS

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
_MIN_YEAR, _MAX_YEAR = 1900, 2199
#: The last day a date is read in: what an open end (``9999-12-31``) of a required end date
#: stands for, so that the period runs past any as-of.
LAST_DAY = dt.date(_MAX_YEAR, 12, 31)
_OPEN_END_TEXT = re.compile(r"9999\s*[-/.年]\s*12\s*[-/.月]\s*31\s*日?(\s*0?0:00(:00)?)?")
_OPEN_END_SERIAL = 2_958_465  # 9999-12-31 in Excel's 1900 date system
_LO = pd.Timestamp(_MIN_YEAR, 1, 1)
_HI = pd.Timestamp(_MAX_YEAR, 12, 31, 23, 59, 59, 999999)
_NAT = np.iinfo(np.int64).min
_DAY_NS = 86_400 * 10**9

#: Day 0 of Excel's 1900 date system (serial 1 is 1899-12-31; serial 61 is 1900-03-01).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_MAX_SERIAL = (dt.datetime(_MAX_YEAR + 1, 1, 1) - _EXCEL_EPOCH).days
_EXCEL_EPOCH_UNIX_S = (dt.datetime(1970, 1, 1) - _EXCEL_EPOCH).days * 86_400

#: Below this many cells, dates are read by the scalar parser alone (no format sniffing).
_VECTOR_MIN = 2_000
_LEAP = r":6\d(?:\.\d*)?\s*$"

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

_NFKC = functools.partial(unicodedata.normalize, "NFKC")
_BLANK_TEXTS = frozenset({""} | {nfkc(w) for w in BLANK_WORDS})
#: No text longer than this once trimmed is blank (a margin over the longest blank word).
_BLANK_MAX_LEN = 4 * max(len(w) for w in BLANK_WORDS)
#: Excel's error values (``#REF!``…), upper case: a cell holding one alone (after NFKC and
#: trimming, in any case) is unreadable in every kind of column, text included.
_ERROR_TEXTS = frozenset(EXCEL_ERRORS)
_YES = frozenset(header_key(m) for m in YES_MARKS)
_NO = frozenset(header_key(m) for m in NO_MARKS)
_LIST_SPLIT = re.compile(
    "|".join(["\r\n", "\r", *(re.escape(nfkc(s) or s) for s in LIST_SEPARATORS)])
)
_INT_RE = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?", re.ASCII)

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

# Cell states while parsing.
_OK, _BLANK, _BAD = 0, 1, 2


def is_open_end(value: object) -> bool:
    """True for a cell meaning "no end date": 9999-12-31 as a date, text or Excel serial."""
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.year, value.month, value.day) == (9999, 12, 31)
    if isinstance(value, str):
        return _OPEN_END_TEXT.fullmatch(unicodedata.normalize("NFKC", value).strip()) is not None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == _OPEN_END_SERIAL
    return False


def _blank_text(text: str) -> bool:
    return nfkc(text) in _BLANK_TEXTS


def _blank_mask(texts: np.ndarray) -> np.ndarray:
    """:func:`_blank_text` of many strings; only short ones (once trimmed) are normalised."""
    out = np.zeros(len(texts), dtype=bool)
    trimmed = np.fromiter(map(len, map(str.strip, texts)), dtype=np.intp, count=len(texts))
    short = np.flatnonzero(trimmed <= _BLANK_MAX_LEN)
    out[short] = [_blank_text(t) for t in texts[short]]
    return out


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
    if not _MIN_YEAR <= year <= _MAX_YEAR:
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
        if not 1 <= serial < _EXCEL_MAX_SERIAL:
            return None
        instant = _EXCEL_EPOCH + dt.timedelta(seconds=round(serial * 86_400))
    else:
        return None
    return instant if _MIN_YEAR <= instant.year <= _MAX_YEAR else None


def _render(value: object) -> str:
    """Write a non-text cell as text (for id, text, enum and list columns)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return nfkc(str(value))


@dataclass
class _Encoded:
    """A column as codes into entries: distinct strings, then other cells, then NA.

    Attributes:
        codes: For every cell, the index of its entry.
        texts: The distinct string cells (entries ``0 .. len(texts) - 1``).
        others: The non-string, non-missing cells, one entry each.
    """

    codes: np.ndarray
    texts: np.ndarray
    others: np.ndarray

    @property
    def na_entry(self) -> int:
        return len(self.texts) + len(self.others)


def _sample(values: np.ndarray, size: int) -> np.ndarray:
    """A reproducible random sample (a stride could alias with a pattern in the data)."""
    if len(values) <= size:
        return values
    picks = np.random.default_rng(0).choice(len(values), size, replace=False)
    return values[np.sort(picks)]


def _distinct(texts: np.ndarray, factorize: bool) -> tuple[np.ndarray | None, np.ndarray]:
    """Factorize strings unless told not to be sure and a sample shows them mostly distinct.

    Factorizing many distinct strings costs more than normalising each (codes None then).
    """
    if not factorize and len(texts) > 20_000:
        sample = _sample(texts, 2_000)
        if len(set(sample)) > len(sample) // 2:
            return None, texts
    codes, uniques = pd.factorize(texts)
    return codes, np.asarray(uniques, dtype=object)


def _string_mask(values: np.ndarray, na: np.ndarray) -> np.ndarray:
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return ~na
    if kind == "empty":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))


def _encode(values: np.ndarray, factorize: bool = False) -> _Encoded:
    n = len(values)
    na = pd.isna(values)
    is_str = _string_mask(values, na)
    all_str = bool(is_str.all())
    codes = np.empty(n, dtype=np.intp)
    str_codes, texts = _distinct(values if all_str else values[is_str], factorize)
    if str_codes is None:
        str_codes = np.arange(len(texts), dtype=np.intp)
    if all_str:
        codes = str_codes.astype(np.intp, copy=False)
        others = np.empty(0, dtype=object)
    else:
        codes[is_str] = str_codes
        other = ~(na | is_str)
        others = values[other]
        codes[other] = len(texts) + np.arange(len(others))
        codes[na] = len(texts) + len(others)
    return _Encoded(codes, texts, others)


def _values(raw: pd.Series) -> np.ndarray:
    return raw.to_numpy(dtype=object)


def is_blank(raw: pd.Series) -> pd.Series:
    """Tell which cells are blank (RULES.md, "Blank").

    Blank: missing (None, NaN, NA), empty or whitespace-only text (full-width spaces too), a
    lone dash (``-`` ``－`` ``―`` ``‐``) or ``なし``, after NFKC normalisation and trimming.
    Numbers, booleans and dates are never blank.

    Args:
        raw: Cells as read.

    Returns:
        A bool Series with the index of ``raw``.
    """
    enc = _encode(_values(raw))
    entries = np.zeros(enc.na_entry + 1, dtype=bool)
    entries[: len(enc.texts)] = _blank_mask(enc.texts)
    entries[enc.na_entry] = True
    return pd.Series(entries[enc.codes], index=raw.index, name=raw.name)


# --- per-kind readers of one entry: (value, state) ---------------------------------------------


def _is_error_text(text: str) -> bool:
    """True for one of Excel's error values (``text`` NFKC-normalised and trimmed)."""
    return text[:1] == "#" and text.upper() in _ERROR_TEXTS


def _read_text(value: object) -> tuple[object, int]:
    if isinstance(value, str):
        text = nfkc(value)
        if text in _BLANK_TEXTS:
            return None, _BLANK
        return (None, _BAD) if _is_error_text(text) else (text, _OK)
    return _render(value), _OK


def _canonical(allowed: tuple[str, ...]) -> dict[str, str]:
    return {header_key(a): a for a in allowed}


def _read_mark(value: object) -> tuple[object, int]:
    if isinstance(value, (bool, np.bool_)):
        return bool(value), _OK
    if not isinstance(value, str):
        return None, _BAD
    if _blank_text(value):
        return None, _BLANK
    key = header_key(value)
    if key in _YES:
        return True, _OK
    if key in _NO:
        return False, _OK
    return None, _BAD


def _read_int(value: object) -> tuple[object, int]:
    if isinstance(value, (bool, np.bool_)):
        return None, _BAD
    if isinstance(value, str):
        text = nfkc(value)
        if text in _BLANK_TEXTS:
            return None, _BLANK
        m = _INT_RE.fullmatch(text)
        if m is None:
            return None, _BAD
        number = int(m.group(1).replace(",", ""))
    elif isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            return None, _BAD
        number = int(value)
    else:
        return None, _BAD
    return (number, _OK) if 0 <= number < 2**63 else (None, _BAD)


def _enum_reader(allowed: tuple[str, ...]) -> Callable[[object], tuple[object, int]]:
    canonical = _canonical(allowed)

    def read(value: object) -> tuple[object, int]:
        text, state = _read_text(value)
        if state != _OK or not canonical:
            return text, state
        found = canonical.get(header_key(str(text)))
        return (found, _OK) if found is not None else (None, _BAD)

    return read


def _list_reader(allowed: tuple[str, ...]) -> Callable[[object], tuple[object, int]]:
    canonical = _canonical(allowed)

    def read(value: object) -> tuple[object, int]:
        text, state = _read_text(value)
        if state != _OK:
            return None, state
        items = [nfkc(i) for i in _LIST_SPLIT.split(str(text))]
        items = [i for i in items if i not in _BLANK_TEXTS]
        if not items:
            return None, _BLANK
        if canonical:
            found = [canonical.get(header_key(i)) for i in items]
            known = [f for f in found if f is not None]
            if len(known) < len(found):
                return None, _BAD
            items = known
        return tuple(items), _OK

    return read


def _read_text_entries(enc: _Encoded) -> tuple[list[object], np.ndarray]:
    """:func:`_read_text` of every entry, batched (id and text columns may be all distinct)."""
    texts = list(map(str.strip, map(_NFKC, enc.texts)))
    blank = np.fromiter(map(_BLANK_TEXTS.__contains__, texts), dtype=bool, count=len(texts))
    values: list[object] = [*texts, *map(_render, enc.others), None]
    states = np.zeros(len(values), dtype=np.int8)
    states[: len(texts)][blank] = _BLANK
    states[[i for i, text in enumerate(texts) if _is_error_text(text)]] = _BAD
    states[-1] = _BLANK
    return values, states


def _read_entries(
    enc: _Encoded, reader: Callable[[object], tuple[object, int]]
) -> tuple[list[object], np.ndarray]:
    if reader is _read_text:
        return _read_text_entries(enc)
    results = [reader(v) for v in enc.texts]
    results += [reader(v) for v in enc.others]
    results.append((None, _BLANK))
    values = [r[0] for r in results]
    states = np.fromiter((r[1] for r in results), dtype=np.int8, count=len(results))
    return values, states


def _typed_entries(
    values: list[object], states: np.ndarray, kind: Kind
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    ok = states == _OK
    if kind in (Kind.ID, Kind.TEXT, Kind.ENUM):
        return pd.array([v if o else None for v, o in zip(values, ok, strict=True)], dtype="str")
    if kind == Kind.MARK:
        data = np.array(
            [bool(v) if o else False for v, o in zip(values, ok, strict=True)], dtype=bool
        )
        return pd.arrays.BooleanArray(data, ~ok)
    if kind == Kind.INT:
        data = np.array([v if o else 0 for v, o in zip(values, ok, strict=True)], dtype=np.int64)
        return pd.arrays.IntegerArray(data, ~ok)
    # LIST: object array, None where missing (np.array would unpack the tuples)
    out = np.empty(len(values), dtype=object)
    out[:] = [v if o else None for v, o in zip(values, ok, strict=True)]
    return out


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
    states = np.where(ok, _OK, _BAD).astype(np.int8)
    failed = np.flatnonzero(~ok)
    states[failed[_blank_mask(texts[failed])]] = _BLANK
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
        valid = (serial >= 1) & (serial < _EXCEL_MAX_SERIAL)
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
    states = np.where(ns != _NAT, _OK, _BAD).astype(np.int8)
    return ns, states


def _instants(values: np.ndarray, date_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Read date or datetime cells as int64 nanoseconds (NaT where missing) and a bad mask."""
    n = len(values)
    out = np.full(n, _NAT, dtype=np.int64)
    pending = np.ones(n, dtype=bool)
    if n >= _VECTOR_MIN:
        rest = np.flatnonzero(_string_mask(values, pd.isna(values)))
        for fmt in _sniff_formats(values[rest]):
            if not len(rest):
                break
            ns, ok = _ns_in_range(pd.to_datetime(values[rest], format=fmt, errors="coerce"))
            # strptime takes a leap second (":60") that the scalar parser rightly refuses
            ok &= ~pd.Series(values[rest], dtype=object).str.contains(_LEAP, na=False).to_numpy()
            out[rest[ok]] = ns[ok]
            pending[rest[ok]] = False
            rest = rest[~ok]
    bad = np.zeros(n, dtype=bool)
    if pending.any():
        where = np.flatnonzero(pending)
        # Leftover strings are factorized whatever their number: a scalar parse costs more.
        enc = _encode(values[where], factorize=True)
        text_ns, text_states = _texts_ns(enc.texts)
        cell_ns, cell_states = _cells_ns(enc.others)
        ns = np.concatenate([text_ns, cell_ns, [_NAT]])
        states = np.concatenate([text_states, cell_states, np.array([_BLANK], dtype=np.int8)])
        out[where] = ns[enc.codes]
        bad[where] = states[enc.codes] == _BAD
    if date_only:
        valid = out != _NAT
        out[valid] = out[valid] // _DAY_NS * _DAY_NS
    return out, bad


def _sniff_formats(texts: np.ndarray) -> list[str]:
    """The vectorisable formats a sample of ``texts`` uses, most frequent first."""
    if not len(texts):
        return []
    sample = _sample(texts, _SNIFF_SAMPLE)
    hits = []
    for fmt in _VECTOR_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        count = int(np.count_nonzero(np.asarray((parsed >= _LO) & (parsed <= _HI))))
        if count:
            hits.append((-count, fmt))
    return [fmt for _, fmt in sorted(hits)]


def parse_column(raw: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Read a column's cells into typed values, telling blank and unreadable cells apart.

    Typed dtypes by :attr:`Column.kind`:

    - ID, TEXT: ``str``; NFKC-normalised and trimmed (inner spaces and line breaks kept).
      Excel numbers are written without a useless ``.0`` (``12000.0`` -> ``"12000"``).
    - DATE: ``datetime64[ns]`` at midnight; DATETIME: ``datetime64[ns]``. Excel dates and
      datetimes, Excel serial numbers (number cells only, 1900 date system) and the text
      forms of :func:`parse_datetime_text`; a DATE column drops a time of day. A bare time
      (``datetime.time``) or a boolean is unreadable.
    - MARK: ``boolean``; yes and no marks of FORMS.md (compared after NFKC with spaces
      removed) and Excel booleans.
    - INT: ``Int64``; non-negative whole numbers, ``1,200``, ``12.0`` and full-width digits
      included; negative or fractional numbers are unreadable.
    - ENUM: ``str`` holding the canonical value of ``column.allowed`` (matched after NFKC
      with all spaces removed; an ENUM without allowed values reads like TEXT).
    - LIST: ``object``; a tuple of items per cell (split on ``;`` ``；`` ``、`` ``,`` or a
      line break, NFKC-normalised and trimmed; empty items and blank words such as a lone
      dash dropped), ``None`` where blank.
      With ``column.allowed``, items are canonical values and one unknown item makes the
      cell unreadable. A cell of separators only is blank.

    Args:
        raw: Cells as read: ``str`` from CSV; from Excel also ``float``, ``bool``,
            ``datetime.date``, ``datetime.datetime``, ``datetime.time``; None or NaN.
        column: The column declaration.

    Returns:
        ``(typed, bad)``, both with the index of ``raw``. Blank cells are missing in
        ``typed`` and False in ``bad``; unreadable cells are missing in ``typed`` and True in
        ``bad``.
    """
    values = _values(raw)
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME):
        ns, bad = _instants(values, date_only=kind == Kind.DATE)
        typed = pd.Series(ns.view("datetime64[ns]"), index=raw.index, name=raw.name)
        return typed, pd.Series(bad, index=raw.index, name=raw.name)
    reader: Callable[[object], tuple[object, int]]
    if kind == Kind.MARK:
        reader = _read_mark
    elif kind == Kind.INT:
        reader = _read_int
    elif kind == Kind.ENUM:
        reader = _enum_reader(column.allowed)
    elif kind == Kind.LIST:
        reader = _list_reader(column.allowed)
    else:
        reader = _read_text
    enc = _encode(values)
    entries, states = _read_entries(enc, reader)
    typed_entries = _typed_entries(entries, states, kind)
    typed_values = (
        typed_entries[enc.codes]
        if isinstance(typed_entries, np.ndarray)
        else typed_entries.take(enc.codes)
    )
    typed = pd.Series(typed_values, index=raw.index, name=raw.name, dtype=None)
    bad = pd.Series(states[enc.codes] == _BAD, index=raw.index, name=raw.name)
    return typed, bad
