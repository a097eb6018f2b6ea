"""Reading cell values by kind: ids, text, enums, marks, integers, lists, dates (和暦 included).

:func:`parse_column` reads a whole column by its :class:`~tokki_analytics.forms.Kind`,
telling blank and unreadable cells apart. The column is encoded once
(:func:`tokki_analytics.ingest.cells.encode`) and each distinct entry read once; dates are
:mod:`tokki_analytics.ingest.dates`' business.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from tokki_analytics.forms import (
    LIST_SEPARATORS,
    NO_MARKS,
    YES_MARKS,
    Column,
    Kind,
    header_key,
    nfkc,
)
from tokki_analytics.ingest.cells import BAD, BLANK, BLANK_TEXTS, OK, Encoded, blank_text, encode
from tokki_analytics.ingest.dates import read_instants
from tokki_analytics.ingest.guard import EXCEL_ERRORS

_NFKC = functools.partial(unicodedata.normalize, "NFKC")
#: Excel's error values (``#REF!``…), upper case: a cell holding one alone (after NFKC and
#: trimming, in any case) is unreadable in every kind of column, text included.
_ERROR_TEXTS = frozenset(EXCEL_ERRORS)
_YES = frozenset(header_key(m) for m in YES_MARKS)
_NO = frozenset(header_key(m) for m in NO_MARKS)
_LIST_SPLIT = re.compile(
    "|".join(["\r\n", "\r", *(re.escape(nfkc(s) or s) for s in LIST_SEPARATORS)])
)
_INT_RE = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?", re.ASCII)


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


# --- per-kind readers of one entry: (value, state) ---------------------------------------------


def _is_error_text(text: str) -> bool:
    """True for one of Excel's error values (``text`` NFKC-normalised and trimmed)."""
    return text[:1] == "#" and text.upper() in _ERROR_TEXTS


def _read_text(value: object) -> tuple[object, int]:
    if isinstance(value, str):
        text = nfkc(value)
        if text in BLANK_TEXTS:
            return None, BLANK
        return (None, BAD) if _is_error_text(text) else (text, OK)
    return _render(value), OK


def _canonical(allowed: tuple[str, ...]) -> dict[str, str]:
    return {header_key(a): a for a in allowed}


def _read_mark(value: object) -> tuple[object, int]:
    if isinstance(value, (bool, np.bool_)):
        return bool(value), OK
    if not isinstance(value, str):
        return None, BAD
    if blank_text(value):
        return None, BLANK
    key = header_key(value)
    if key in _YES:
        return True, OK
    if key in _NO:
        return False, OK
    return None, BAD


def _read_int(value: object) -> tuple[object, int]:
    if isinstance(value, (bool, np.bool_)):
        return None, BAD
    if isinstance(value, str):
        text = nfkc(value)
        if text in BLANK_TEXTS:
            return None, BLANK
        m = _INT_RE.fullmatch(text)
        if m is None:
            return None, BAD
        number = int(m.group(1).replace(",", ""))
    elif isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            return None, BAD
        number = int(value)
    else:
        return None, BAD
    return (number, OK) if 0 <= number < 2**63 else (None, BAD)


def _enum_reader(allowed: tuple[str, ...]) -> Callable[[object], tuple[object, int]]:
    canonical = _canonical(allowed)

    def read(value: object) -> tuple[object, int]:
        text, state = _read_text(value)
        if state != OK or not canonical:
            return text, state
        found = canonical.get(header_key(str(text)))
        return (found, OK) if found is not None else (None, BAD)

    return read


def _list_reader(allowed: tuple[str, ...]) -> Callable[[object], tuple[object, int]]:
    canonical = _canonical(allowed)

    def read(value: object) -> tuple[object, int]:
        text, state = _read_text(value)
        if state != OK:
            return None, state
        items = [nfkc(i) for i in _LIST_SPLIT.split(str(text))]
        items = [i for i in items if i not in BLANK_TEXTS]
        if not items:
            return None, BLANK
        if canonical:
            found = [canonical.get(header_key(i)) for i in items]
            known = [f for f in found if f is not None]
            if len(known) < len(found):
                return None, BAD
            items = known
        return tuple(items), OK

    return read


def _read_text_entries(enc: Encoded) -> tuple[list[object], np.ndarray]:
    """:func:`_read_text` of every entry, batched (id and text columns may be all distinct)."""
    texts = list(map(str.strip, map(_NFKC, enc.texts)))
    blank = np.fromiter(map(BLANK_TEXTS.__contains__, texts), dtype=bool, count=len(texts))
    values: list[object] = [*texts, *map(_render, enc.others), None]
    states = np.zeros(len(values), dtype=np.int8)
    states[: len(texts)][blank] = BLANK
    states[[i for i, text in enumerate(texts) if _is_error_text(text)]] = BAD
    states[-1] = BLANK
    return values, states


def _read_entries(
    enc: Encoded, reader: Callable[[object], tuple[object, int]]
) -> tuple[list[object], np.ndarray]:
    if reader is _read_text:
        return _read_text_entries(enc)
    results = [reader(v) for v in enc.texts]
    results += [reader(v) for v in enc.others]
    results.append((None, BLANK))
    values = [r[0] for r in results]
    states = np.fromiter((r[1] for r in results), dtype=np.int8, count=len(results))
    return values, states


def _typed_entries(
    values: list[object], states: np.ndarray, kind: Kind
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    ok = states == OK
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
    values = raw.to_numpy(dtype=object)
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME):
        ns, bad = read_instants(values, date_only=kind == Kind.DATE)
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
    enc = encode(values)
    entries, states = _read_entries(enc, reader)
    typed_entries = _typed_entries(entries, states, kind)
    typed_values = (
        typed_entries[enc.codes]
        if isinstance(typed_entries, np.ndarray)
        else typed_entries.take(enc.codes)
    )
    typed = pd.Series(typed_values, index=raw.index, name=raw.name, dtype=None)
    bad = pd.Series(states[enc.codes] == BAD, index=raw.index, name=raw.name)
    return typed, bad
