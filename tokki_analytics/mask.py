"""Masking person names in outputs (the tool obeys the clauses it checks).

Names stand in 氏名, 承認者, 点検者 and 立会者 (columns declared ``personal`` in
:mod:`tokki_analytics.forms`) and may appear anywhere else: in free text, in a file or
sheet name, in a value that could not be read. Reports mask them unless the user asks
(``--show-names``); ids such as 従事者ID are not names and stay visible.

Matching
    A name is found however it is written: with no space, one or several half- or
    full-width spaces between its parts (or between any of its characters), in another
    case (``Taro YAMADA`` / ``taro yamada``) or width (``ＴＡＲＯ``, half-width kana). Text
    and names are compared in a *folded* form: each character NFKD-normalised and
    case-folded, white space and invisible format characters (zero-width space, soft
    hyphen...) dropped. One regular expression per list of names runs over the folded
    copy of a text; a hit is mapped back to the original characters, and only that span is
    replaced (:func:`mask_name` of the span as written). A name that begins or ends with a
    Latin letter or digit matches only as a whole word (``Mark`` does not mask
    ``markdown``).

Free-text patterns
    A very short or common "name" would mask ordinary words everywhere (承認者 ``の`` in
    every sentence). A name is searched for in free text only when :func:`searchable`
    says so: at least two characters folded, at least one letter, three characters or
    more unless it holds a kanji, and not a word of :data:`STOP_WORDS` (placeholders such
    as なし・不明・同上, role words such as 課長・担当, and the forms' own column and form
    names). Other names are masked only in their own name cells (:func:`mask_name_cells`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from tokki_analytics.forms import ALL_FORMS, SUBMISSION_FORMS

MASK = "＊＊"
_SPACES = re.compile(r"[\s\u3000]+")
#: Placeholders and common words that are never searched for as names in free text.
STOP_WORDS_TEXT = (
    "なし 無し 不明 未定 未記入 未入力 未記載 該当なし 空欄 省略 不在 "
    "本人 同上 同左 上記 確認 確認済 承認 承認済 代理 代行 "
    "担当 担当者 全員 各自 自分 関係者 責任者 作業責任者 作業従事者 従事者 管理者 "
    "委託者 受託者 事務局 総務 総務課 係長 課長 部長 社長 所長 主任 室長 店長 "
    "n/a na none null nan nil unknown tbd same self all staff admin test"
)
_LATIN_EDGE = re.compile(r"[0-9a-z\u00df-\u024f]")


class _FoldTable(dict):
    """``str.translate`` table: code point → folded text, filled on first use."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", chr(code)).casefold())
        out = "".join(
            c for c in folded if not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc")
        )
        self[code] = out
        return out


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """The form in which names are compared: NFKD, case-folded, no spaces or format codes.

    ``"木村　和也"``, ``"木村和也"`` and ``"木村  和也"`` fold alike; so do ``"Taro YAMADA"``,
    ``"taro yamada"`` and ``"ＴＡＲＯ　ＹＡＭＡＤＡ"``.
    """
    return text.translate(_FOLD)


def _has_kanji(text: str) -> bool:
    return any("CJK UNIFIED IDEOGRAPH" in unicodedata.name(c, "") or c == "々" for c in text)


def _stop_words() -> frozenset[str]:
    words = set(STOP_WORDS_TEXT.split())
    for form in ALL_FORMS:
        words.update(form.names)
        for column in form.columns:
            words.add(column.name)
            words.update(column.aliases)
    return frozenset(fold(w) for w in words)


#: Folded words never used as free-text name patterns (see the module docstring).
STOP_WORDS: frozenset[str] = _stop_words()
#: The same words in one text: a "name" that is part of one of them (``従事`` of
#: ``従事開始日``) would garble tokki's own form and column names wherever they stand.
_VOCABULARY = "\n".join(sorted(STOP_WORDS))


def searchable(name: str) -> bool:
    """Whether ``name`` is searched for in free text (see the module docstring).

    Args:
        name: A name as written in a name cell.

    Returns:
        False for one character, no letter, one or two kana or Latin letters, or a word of
        :data:`STOP_WORDS` or part of one (``従事`` of ``従事開始日``); such a name is masked
        only in its own cell.
    """
    key = fold(name)
    if len(key) < 2 or key in _VOCABULARY:
        return False
    if not any(unicodedata.category(c).startswith("L") for c in key):
        return False
    return len(key) >= 3 or _has_kanji(key)


def mask_name(name: str) -> str:
    """Mask a name: 岡山 太郎 → 岡山 ＊＊; a name without a space keeps its first character.

    Args:
        name: The name as written.

    Returns:
        The masked name (a one-character name becomes ``＊＊``); blank stays blank.
    """
    text = name.strip()
    if not text:
        return text
    parts = _SPACES.split(text, maxsplit=1)
    if len(parts) == 2:
        return f"{parts[0]} {MASK}"
    return text[0] + MASK if len(text) > 1 else MASK


def personal_columns() -> dict[str, list[str]]:
    """Form key → keys of its columns that hold person names."""
    return {f.key: [c.key for c in f.columns if c.personal] for f in SUBMISSION_FORMS}


def personal_column_names() -> frozenset[str]:
    """The Japanese headers of the name columns (氏名, 承認者, 点検者, 立会者)."""
    return frozenset(c.name for f in SUBMISSION_FORMS for c in f.columns if c.personal)


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


def submission_names(submission) -> tuple[str, ...]:
    """Person names of a loaded submission to mask in outputs, longest first.

    A tuple: :func:`mask_text` called cell by cell with the same tuple finds its pattern
    at once, without reading the names again (20,000 names, 60,000 cells).

    The roster names of every loaded form (:func:`roster_names`), and the raw values of Q2
    defects in a name column, which the typed frames do not hold.

    Args:
        submission: A :class:`tokki_analytics.load.Submission`.
    """
    names = set(roster_names(submission.frames))
    defects = submission.defects
    if len(defects):
        personal = defects["column"].isin(personal_column_names())
        values = defects.loc[personal, "value"].dropna().astype(str)
        names.update(v.strip() for v in values if v.strip())
    return tuple(sorted(names, key=len, reverse=True))


class NameMask:
    """Mask the names of one list in texts: one regular expression, built once.

    Calling it on a text holding no name costs one ``str.translate`` and one regular
    expression search (microseconds), so it can run over every cell of a report.

    Args:
        names: Person names as written (only :func:`searchable` ones are looked for).
        whole: Replace a whole name by ``＊＊`` instead of :func:`mask_name` (``岡山 ＊＊``).
    """

    def __init__(self, names: Iterable[str] | None, whole: bool = False):
        keys = {fold(n) for n in names or () if n and searchable(n)}
        ordered = sorted(keys, key=lambda k: (-len(k), k))
        self.whole = whole
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        """``text`` with every name masked; the rest of it as written."""
        if self.pattern is None or not text:
            return text
        folded = text.translate(_FOLD)
        match = self.pattern.search(folded)
        if match is None:
            return text
        starts = list(itertools.accumulate((len(_FOLD[ord(c)]) for c in text), initial=0))
        spans = []
        while match is not None:
            span = self._span(text, starts, match)
            if span is None:
                match = self.pattern.search(folded, match.start() + 1)
                continue
            spans.append(span)
            match = self.pattern.search(folded, match.end())
        if not spans:
            return text
        pieces, last = [], 0
        for begin, end in spans:
            pieces += [text[last:begin], MASK if self.whole else mask_name(text[begin:end])]
            last = end
        return "".join(pieces) + text[last:]

    @staticmethod
    def _span(text: str, starts: list[int], match: re.Match) -> tuple[int, int] | None:
        """The original characters of a folded hit; None when it cuts a Latin word."""
        begin = bisect.bisect_right(starts, match.start()) - 1
        end = bisect.bisect_right(starts, match.end() - 1)
        key = match.group(0)
        if _LATIN_EDGE.match(key[0]) and begin > 0 and _latin(text[begin - 1], last=True):
            return None
        if _LATIN_EDGE.match(key[-1]) and end < len(text) and _latin(text[end], last=False):
            return None
        return begin, end


def _latin(char: str, last: bool) -> bool:
    """Whether ``char`` folds to a Latin letter or digit (its last or first folded one)."""
    folded = _FOLD[ord(char)]
    return bool(folded) and bool(_LATIN_EDGE.match(folded[-1] if last else folded[0]))


@functools.lru_cache(maxsize=16)
def _cached_mask(names: tuple[str, ...], whole: bool) -> NameMask:
    return NameMask(names, whole)


#: The last masks asked for by tuple: (id, whole) → (that tuple, its mask).
_BY_IDENTITY: dict[tuple[int, bool], tuple[tuple[str, ...], NameMask]] = {}


def _mask_for(names: list[str] | tuple[str, ...], whole: bool) -> NameMask:
    """The mask of ``names``: the same tuple again costs a lookup, not a pass over it.

    Building the cache key (a tuple of every name, hashed) reads all the names; for 20,000
    names and one call per report cell that cost more than the masking. A tuple cannot
    change, so the one seen last is recognised by identity (kept alive by the entry).
    """
    if isinstance(names, tuple):
        hit = _BY_IDENTITY.get((id(names), whole))
        if hit is not None and hit[0] is names:
            return hit[1]
    mask = _cached_mask(tuple(names), whole)
    if isinstance(names, tuple):
        if len(_BY_IDENTITY) >= 16:
            _BY_IDENTITY.clear()
        _BY_IDENTITY[(id(names), whole)] = (names, mask)
    return mask


def mask_text(text: str, names: list[str] | tuple[str, ...], whole: bool = False) -> str:
    """Mask every known name inside free text, however it is spaced, cased or wide.

    The pattern is built once per list of names (cached), so that a report of hundreds of
    contractors with thousands of roster names masks each text in microseconds. At each
    place the longest name that matches is masked.

    Args:
        text: Any text (a detail, a file or sheet name, an HTML page).
        names: Person names as written (see :class:`NameMask`).
        whole: Replace a whole name by ``＊＊``.

    Returns:
        ``text`` with each name replaced by :func:`mask_name` of it as written there.
    """
    if not names or not text:
        return text
    return _mask_for(names, whole)(text)


def mask_columns(
    frame: pd.DataFrame,
    names: list[str] | tuple[str, ...],
    columns: Iterable[str] | None = None,
    whole: bool = False,
) -> pd.DataFrame:
    """``frame`` with names masked in its text columns (each distinct value masked once).

    Args:
        frame: Findings, compliance or any table.
        names: Person names (see :class:`NameMask`).
        columns: The columns to mask (default: every text column, so file and sheet names,
            contract numbers and details alike).
        whole: Replace a whole name by ``＊＊``.

    Returns:
        A copy; ``frame`` itself is left as it is.
    """
    if not names or frame.empty:
        return frame
    mask = _mask_for(names, whole)
    if mask.pattern is None:
        return frame
    if columns is None:
        columns = [
            c
            for c in frame.columns
            if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
        ]
    out = frame.copy()
    for column in columns:
        if column not in out:
            continue
        values = out[column]
        texts = {v: mask(v) for v in values.dropna().unique() if isinstance(v, str)}
        changed = {k: v for k, v in texts.items() if k != v}
        if changed:
            out[column] = values.map(lambda v, c=changed: c.get(v, v) if isinstance(v, str) else v)
    return out


def mask_name_cells(defects: pd.DataFrame) -> pd.DataFrame:
    """Mask the raw ``value`` of defects in a name column, even when it is not searchable."""
    out = defects.copy()
    rows = out["column"].isin(personal_column_names())
    rows &= out["value"].fillna("").astype(str).str.strip().ne("")
    out.loc[rows, "value"] = out.loc[rows, "value"].astype(str).map(mask_name)
    return out


def mask_frame(
    frame: pd.DataFrame, columns: list[str], names: list[str] | None = None
) -> pd.DataFrame:
    """Return ``frame`` with name ``columns`` masked and, given ``names``, text columns too."""
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(mask_name, na_action="ignore")
    if names:
        others = [c for c in out.columns if c not in columns and out[c].dtype == "str"]
        out = mask_columns(out, names, others)
    return out
