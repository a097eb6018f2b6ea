"""Masking person names in outputs (the tool obeys the clauses it checks).

Names stand in 氏名, 承認者, 点検者 and 立会者 (columns declared ``personal`` in
:mod:`tokki_analytics.forms`) and may appear in free text. Reports mask them unless the
user asks (``--show-names``); ids such as 従事者ID are not names and stay visible.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from tokki_analytics.forms import SUBMISSION_FORMS

MASK = "＊＊"
_SPACES = re.compile(r"[\s\u3000]+")


def mask_name(name: str) -> str:
    """Mask a name: 岡山 太郎 → 岡山 ＊＊; a name without a space keeps its first character.

    Args:
        name: The name as written.

    Returns:
        The masked name; blank stays blank.
    """
    text = name.strip()
    if not text:
        return text
    parts = _SPACES.split(text, maxsplit=1)
    if len(parts) == 2:
        return f"{parts[0]} {MASK}"
    return text[0] + MASK


def personal_columns() -> dict[str, list[str]]:
    """Form key → keys of its columns that hold person names."""
    return {f.key: [c.key for c in f.columns if c.personal] for f in SUBMISSION_FORMS}


def roster_names(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Every distinct person name in the loaded forms, longest first (for text masking)."""
    names: set[str] = set()
    for key, columns in personal_columns().items():
        frame = frames.get(key)
        if frame is None:
            continue
        for column in columns:
            names.update(v.strip() for v in frame[column].dropna().astype(str) if v.strip())
    return sorted(names, key=len, reverse=True)


@functools.lru_cache(maxsize=16)
def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regular expression matching every name and its space-less form, longest first."""
    masked: dict[str, str] = {}
    for name in names:
        if name:
            masked.setdefault(name, mask_name(name))
        compact = _SPACES.sub("", name)
        if compact != name and len(compact) > 1:
            masked.setdefault(compact, mask_name(compact))
    if not masked:
        return None, masked
    variants = sorted(masked, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, variants))), masked


def mask_text(text: str, names: list[str] | tuple[str, ...]) -> str:
    """Mask every known name (and its space-less form) inside free text.

    One pass of one regular expression (built once per list of names), so that a report of
    hundreds of contractors with thousands of roster names masks each text in microseconds.
    At each place the longest name that matches is masked.
    """
    if not names or not text:
        return text
    pattern, masked = _name_pattern(tuple(names))
    if pattern is None:
        return text
    return pattern.sub(lambda match: masked[match.group(0)], text)


def mask_frame(
    frame: pd.DataFrame, columns: list[str], names: list[str] | None = None
) -> pd.DataFrame:
    """Return ``frame`` with name ``columns`` masked and, given ``names``, text columns too."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(mask_name, na_action="ignore")
    if names:
        for column in out.columns:
            if column not in columns and out[column].dtype == "str":
                out[column] = out[column].map(lambda v: mask_text(v, names), na_action="ignore")
    return out
