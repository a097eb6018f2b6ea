"""Cells as read: blank cells, and a column encoded as its distinct entries.

A column of a large form holds few distinct strings (dates, names, marks), so every reader
encodes it once (:func:`encode`: its distinct strings, then its other cells, then NA) and
reads each entry once; :func:`is_blank` tells the blank cells (RULES.md, "Blank"). The cell
states :data:`OK`, :data:`BLANK` and :data:`BAD` are what a reader makes of one entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tokki_analytics.forms import BLANK_WORDS, nfkc

#: The blank texts, NFKC-normalised and trimmed (the empty text and the blank words).
BLANK_TEXTS = frozenset({""} | {nfkc(w) for w in BLANK_WORDS})
#: No text longer than this once trimmed is blank (a margin over the longest blank word).
_BLANK_MAX_LEN = 4 * max(len(w) for w in BLANK_WORDS)
#: The blank texts that are ASCII (an ASCII text is blank when, trimmed, it is one of them).
_ASCII_BLANKS = frozenset(t for t in BLANK_TEXTS if t.isascii())

#: Cell states while parsing: read, blank, unreadable.
OK, BLANK, BAD = 0, 1, 2


def blank_text(text: str) -> bool:
    """True for a blank text (RULES.md, "Blank"): empty, spaces, a lone dash or ``なし``."""
    return nfkc(text) in BLANK_TEXTS


def _short_blank(text: str) -> bool:
    """:func:`blank_text`; ASCII text is its own NFKC form, so it is only trimmed."""
    if text.isascii():
        return text.strip() in _ASCII_BLANKS
    return blank_text(text)


def blank_mask(texts: np.ndarray) -> np.ndarray:
    """:func:`blank_text` of many strings; only short ones (once trimmed) are normalised."""
    out = np.zeros(len(texts), dtype=bool)
    trimmed = np.fromiter(map(len, map(str.strip, texts)), dtype=np.intp, count=len(texts))
    short = np.flatnonzero(trimmed <= _BLANK_MAX_LEN)
    out[short] = list(map(_short_blank, texts[short]))
    return out


@dataclass
class Encoded:
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
        """The entry of the missing cells (after every text and other cell)."""
        return len(self.texts) + len(self.others)


def random_sample(values: np.ndarray, size: int) -> np.ndarray:
    """A reproducible random sample (a stride could alias with a pattern in the data)."""
    if len(values) <= size:
        return values
    picks = np.random.default_rng(0).choice(len(values), size, replace=False)
    return values[np.sort(picks)]


def _distinct(texts: np.ndarray, factorize: bool) -> tuple[np.ndarray | None, np.ndarray]:
    """Factorize strings unless told not to be sure and a sample shows them nearly all distinct.

    Factorizing strings that hardly repeat costs more than reading each (codes None then);
    a column of a few thousand values (person ids) still repeats them across many rows,
    though a sample of 2,000 of its cells holds mostly distinct ones.
    """
    if not factorize and len(texts) > 20_000:
        sample = random_sample(texts, 2_000)
        if len(set(sample)) > 0.9 * len(sample):
            return None, texts
    codes, uniques = pd.factorize(texts)
    return codes, np.asarray(uniques, dtype=object)


def string_mask(values: np.ndarray, na: np.ndarray) -> np.ndarray:
    """Which of ``values`` are strings (``na``: which are missing)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return ~na
    if kind == "empty":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))


def encode(values: np.ndarray, factorize: bool = False) -> Encoded:
    """Encode cells as :class:`Encoded` entries (``factorize``: always find distinct strings)."""
    n = len(values)
    na = pd.isna(values)
    is_str = string_mask(values, na)
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
    return Encoded(codes, texts, others)


def blank_cells(values: np.ndarray) -> np.ndarray:
    """:func:`is_blank` of an object array of cells, as a bool array."""
    enc = encode(values)
    entries = np.zeros(enc.na_entry + 1, dtype=bool)
    entries[: len(enc.texts)] = blank_mask(enc.texts)
    entries[enc.na_entry] = True
    return entries[enc.codes]


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
    return pd.Series(blank_cells(raw.to_numpy(dtype=object)), index=raw.index, name=raw.name)
