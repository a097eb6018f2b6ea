"""Masking person names in outputs (the tool obeys the clauses it checks): the one home.

Names stand in 氏名, 承認者, 点検者 and 立会者 (columns declared ``personal`` in
:mod:`tokki_analytics.forms`) and may appear anywhere else: in free text, in a file or
sheet name, in a value that could not be read. Outputs mask them unless the user asks
(``--show-names``); ids such as 従事者ID are not names and stay visible.

One roster, one masker
    :func:`roster` gives the names of a loaded run (a ``Submission`` or an ``Audit``): every
    name in a name column of the loaded forms and the raw value of a Q2 defect in such a
    column (:func:`names_in`, which ``load.read_person_names`` uses for a whole data folder).
    A :class:`Masker` built from a roster masks every output: CSV and Excel
    (:meth:`Masker.frame`, :meth:`Masker.text`), HTML pages and Data Docs
    (:meth:`Masker.text`), name cells (:meth:`Masker.name`, :meth:`Masker.name_cells`),
    notebooks (:meth:`Masker.json`), the history store (``whole=True``: ``＊＊``) and the
    CLI. ``Masker(..., show=True)`` masks nothing (``--show-names``).

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
    names). Other names are masked only in their own name cells (:meth:`Masker.name`,
    :meth:`Masker.name_cells`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

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


class _FoldTable(dict[int, str]):
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


#: A roster: the person names to mask, longest first.
Roster = tuple[str, ...]


class LoadedForms(Protocol):
    """What :func:`roster` reads of a loaded data folder (``load.Submission``)."""

    @property
    def frames(self) -> Mapping[str, pd.DataFrame]:
        """Form key → typed frame."""
        ...

    @property
    def defects(self) -> pd.DataFrame:
        """Submission defects Q0–Q3 (``column``, ``value``)."""
        ...


@runtime_checkable
class AuditedRun(Protocol):
    """What :func:`roster` reads of a run (``pipeline.Audit``)."""

    @property
    def submission(self) -> LoadedForms:
        """The loaded data folder."""
        ...


def names_in(frames: Mapping[str, pd.DataFrame], defects: pd.DataFrame) -> Roster:
    """Every distinct person name of loaded forms, longest first.

    The names in the name columns of ``frames`` and the raw values of Q2 defects in a name
    column, which the typed frames do not hold.

    Args:
        frames: Form key → typed frame (forms without a name column are ignored).
        defects: Defects with ``column`` (Japanese header) and ``value`` (raw text).

    Returns:
        The names, stripped, longest first (then in code point order).
    """
    names: set[str] = set()
    for key, columns in personal_columns().items():
        frame = frames.get(key)
        if frame is None:
            continue
        for column in columns:
            names.update(v.strip() for v in frame[column].dropna().astype(str) if v.strip())
    if len(defects):
        personal = defects["column"].isin(personal_column_names())
        values = defects.loc[personal, "value"].dropna().astype(str)
        names.update(v.strip() for v in values if v.strip())
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def roster(run: LoadedForms | AuditedRun) -> Roster:
    """The person names of a loaded run to mask in its outputs, longest first.

    Args:
        run: A ``load.Submission`` or a ``pipeline.Audit`` (its submission).

    Returns:
        :func:`names_in` of its loaded forms and defects.
    """
    forms = run.submission if isinstance(run, AuditedRun) else run
    return names_in(forms.frames, forms.defects)


@functools.lru_cache(maxsize=16)
def _pattern(names: Roster) -> re.Pattern[str] | None:
    """One regular expression for the searchable names, longest first; None without any."""
    keys = {fold(n) for n in names if n and searchable(n)}
    ordered = sorted(keys, key=lambda k: (-len(k), k))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


#: Keys of a notebook's outputs whose values are base64 images, never text.
BINARY_KEYS = frozenset({"image/png", "image/jpeg", "image/gif"})


class Masker:
    """Masks the person names of one run, in every output; built once per output.

    Its regular expression is built once (and cached per roster), so a text holding no
    name costs one ``str.translate`` and one search (microseconds): it runs over every cell
    of a report.

    Args:
        names: The roster (:func:`roster`); only :func:`searchable` names are looked for
            in free text.
        show: Mask nothing (``--show-names``).
        whole: Replace a whole name found in text by ``＊＊`` (the history store) instead
            of :func:`mask_name` of it (``岡山 ＊＊``).
    """

    def __init__(self, names: Iterable[str] = (), *, show: bool = False, whole: bool = False):
        self.names: Roster = () if show else tuple(names)
        self.show = show
        self.whole = whole
        self.pattern = _pattern(self.names)

    @classmethod
    def of(
        cls, run: LoadedForms | AuditedRun, *, show: bool = False, whole: bool = False
    ) -> Masker:
        """The masker of a loaded run: its :func:`roster` (not read when ``show``)."""
        return cls(() if show else roster(run), show=show, whole=whole)

    @property
    def active(self) -> bool:
        """Whether there is anything to mask (names, and not ``show``)."""
        return not self.show and bool(self.names)

    def text(self, text: str) -> str:
        """``text`` with every name masked, however spaced, cased or wide; the rest as written.

        At each place the longest name that matches is masked.
        """
        if self.pattern is None or not text:
            return text
        folded = text.translate(_FOLD)
        match = self.pattern.search(folded)
        if match is None:
            return text
        starts = list(itertools.accumulate((len(_FOLD[ord(c)]) for c in text), initial=0))
        spans = []
        while match is not None:
            span = _span(text, starts, match)
            if span is None:
                match = self.pattern.search(folded, match.start() + 1)
                continue
            spans.append(span)
            match = self.pattern.search(folded, match.end())
        pieces, last = [], 0
        for begin, end in spans:
            pieces += [text[last:begin], MASK if self.whole else mask_name(text[begin:end])]
            last = end
        return "".join(pieces) + text[last:]

    def name(self, name: str) -> str:
        """A name cell's value masked (:func:`mask_name`), even one not searched for in text."""
        return name if self.show else mask_name(name)

    def frame(self, frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """``frame`` with names masked in its text columns (each distinct value masked once).

        Args:
            frame: Findings, compliance, defects or any table.
            columns: The columns to mask (default: every text column, so file and sheet
                names, contract numbers and details alike).

        Returns:
            A copy when anything is masked; ``frame`` itself is left as it is.
        """
        if self.pattern is None or frame.empty:
            return frame
        if columns is None:
            columns = [c for c in frame.columns if _is_text(frame[c])]
        out = frame.copy()
        for column in columns:
            if column not in out:
                continue
            values = out[column]
            texts = {v: self.text(v) for v in values.dropna().unique() if isinstance(v, str)}
            changed = {k: v for k, v in texts.items() if k != v}
            if changed:
                out[column] = values.map(
                    lambda v, c=changed: c.get(v, v) if isinstance(v, str) else v
                )
        return out

    def name_cells(self, defects: pd.DataFrame) -> pd.DataFrame:
        """Defects with the raw ``value`` of those in a name column masked (:meth:`name`)."""
        if self.show or defects.empty:
            return defects
        out = defects.copy()
        rows = out["column"].isin(personal_column_names())
        rows &= out["value"].fillna("").astype(str).str.strip().ne("")
        out.loc[rows, "value"] = out.loc[rows, "value"].astype(str).map(mask_name)
        return out

    def json(self, node: object) -> object:
        """A JSON document (a notebook's outputs) with every string masked.

        The values under :data:`BINARY_KEYS` (base64 images) are left as they are.
        """
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, list):
            return [self.json(item) for item in node]
        if isinstance(node, dict):
            return type(node)({k: v if k in BINARY_KEYS else self.json(v) for k, v in node.items()})
        return node


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)


def _span(text: str, starts: list[int], match: re.Match[str]) -> tuple[int, int] | None:
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
