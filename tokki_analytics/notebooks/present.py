"""Presenting frames and charts to auditors: Japanese headers, readable tables, alt text.

The notebooks show the package's frames through :func:`table` so that every table an
auditor reads has Japanese column headers, no row numbers, text aligned left, numbers right,
blank cells blank (not ``<NA>``), and 不適合 / 重大 set apart by colour. Charts are shown as
:class:`Chart`, an ``<img>`` with a Japanese alternative text.

Column headers come from one place: the output contract's labels (``excel.LABELS``), the
forms' own Japanese headers (``forms.py``) and the few columns the analyses add.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, SupportsFloat

import numpy as np
import pandas as pd

from tokki_analytics.forms import ALL_FORMS, FORMS_BY_KEY
from tokki_analytics.render.excel import CELL_COLOURS as EXCEL_COLOURS
from tokki_analytics.render.excel import LABELS as CONTRACT_LABELS
from tokki_analytics.safetext import escape_controls
from tokki_analytics.vocab import STATUS_PASS

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

#: Headers of columns the briefing and the analyses add to the output contract's.
EXTRA_LABELS = {
    "source_row": "元の行（記録の内容）",
    "question": "確認する質問",
    "name": "名称",
    "status": "状況",
    "state": "返却の状況",
    "trainings": "研修日",
    "check_gaps": "媒体点検の間隔",
    "check_gap_excess_days": "超過日数",
    "score": "リスクスコア",
    "rank": "順位",
    "components": "内訳",
    "clauses_failed": "不適合の条項",
    "contracts": "契約数",
    "clauses_failed_per_contract": "契約あたりの不適合条項",
    "staff": "従事者数",
    "staff_with_findings": "指摘のある従事者",
    "findings": "指摘件数",
    "share": "指摘のある従事者の割合",
    "size": "契約規模（取扱件数）",
    "reasons": "候補とした理由",
    "report_hours": "報告までの時間",
    "report_excess_hours": "期限との差（時間、＋は超過）",
    "late": "報告の遅れ",
    "ppc_reportable": "PPC 報告対象",
    "incidents": "事故件数",
    "late_reports": "報告の遅れ（件）",
    "other_findings": "第14 以外の指摘件数",
    "run_id": "実行ID",
    "run_at": "実行日時",
    "as_of": "監査基準日",
}
#: Colours (background, text) of status and severity cells, as in the Excel exports.
CELL_COLOURS = {
    **{key: (f"#{fill}", f"#{font}") for key, (fill, font) in EXCEL_COLOURS.items()},
    STATUS_PASS: ("", "#1E6B34"),
}
#: Columns holding a share (0–1): shown as percentages.
PERCENT_COLUMNS = frozenset({"rate", "share"})
#: Columns of long text: given room to wrap.
WIDE_COLUMNS = frozenset(
    {"detail", "source_row", "question", "source", "title", "components", "reasons"}
)


#: Any form's header, overridden by the output contract's labels and the extras.
_LABELS = {column.key: column.name for form in ALL_FORMS for column in form.columns}
_LABELS |= CONTRACT_LABELS | EXTRA_LABELS


def form_labels(form_key: str) -> dict[str, str]:
    """Column key → the form's Japanese header (e.g. ``taken_at`` → ``持出日時``)."""
    return {column.key: column.name for column in FORMS_BY_KEY[form_key].columns}


def labels(columns: Iterable[str], form_key: str | None = None) -> dict[str, str]:
    """Japanese headers of ``columns``.

    The form's own headers first, then the output contract's and the extras, then any form's.

    Columns without a label, or whose label another column already has, keep their name.
    """
    known = _LABELS | form_labels(form_key) if form_key else _LABELS
    out: dict[str, str] = {}
    for column in columns:
        label = known.get(column)
        if label and label not in out.values() and label not in columns:
            out[column] = label
    return out


def _cell_style(value: object) -> str:
    fill, font = CELL_COLOURS.get(value, ("", "")) if isinstance(value, str) else ("", "")
    css = f"color: {font};" if font else ""
    if fill:
        css += f" background-color: {fill}; font-weight: bold;"
    return css


def cell_text(value: object) -> str:
    """A cell as an auditor reads it.

    Blank for missing values, ``YYYY-MM-DD`` (with ``HH:MM`` when there is a time), 有 / 無
    for marks, list items joined with 、.
    """
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "有" if value else "無"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        has_time = (value.hour, value.minute, value.second) != (0, 0, 0)
        return value.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def number_text(value: SupportsFloat | str | None, decimals: int = 0) -> str:
    """A number with thousands separators and ``decimals`` decimals (blank when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return f"{float(value):,.{decimals}f}"


def decimals_of(values: pd.Series) -> int:
    """0 when every value of the column is whole, else 2 (one format per column)."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return 0 if np.all(np.mod(numbers, 1) == 0) else 2


def percent_text(value: SupportsFloat | str | None) -> str:
    """A share as a percentage, rounded down to 0.1 % so that anything short of 100 % shows so."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return f"{math.floor(float(value) * 1000 + 1e-9) / 10:.1f}%"


def _unique(names: list) -> list:
    seen: dict[object, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _td(props: str) -> list[dict[str, str]]:
    return [{"selector": "td", "props": props}]


def table(frame: pd.DataFrame, form_key: str | None = None, *, index: bool = False) -> Styler:
    """``frame`` as an auditor reads it (a pandas ``Styler``).

    Args:
        frame: Any frame the package returns.
        form_key: The form whose Japanese headers name the columns first.
        index: Keep the index (for tables indexed by clause or contractor).

    Returns:
        The styled table: Japanese headers, no row numbers, text left and numbers right,
        rates as percentages, blank instead of ``<NA>``, dates as ``YYYY-MM-DD``, 不適合 /
        未評価 / 重大 / 軽微 / 観察 coloured, cells on one line except long text, which is
        given room to wrap. Every value is HTML-escaped.
    """
    if not frame.columns.is_unique:
        frame = frame.set_axis(_unique(list(frame.columns)), axis=1)
    numeric = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]
    names = labels(frame.columns, form_key)
    shown = frame.rename(columns=names)
    shown.index.names = [labels([n]).get(n, n) if n else n for n in frame.index.names]
    shown.columns.name = labels([frame.columns.name]).get(frame.columns.name, frame.columns.name)
    column = dict(zip(frame.columns, shown.columns, strict=True))
    styler = shown.style
    for key in frame.columns:
        if key in PERCENT_COLUMNS:
            styler = styler.format(percent_text, subset=[column[key]])
        elif key in numeric:
            places = decimals_of(frame[key])
            styler = styler.format(partial(number_text, decimals=places), subset=[column[key]])
        else:
            styler = styler.format(
                lambda v: html.escape(escape_controls(cell_text(v))), subset=[column[key]]
            )
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    styler = styler.map(_cell_style)
    if not index:
        styler = styler.hide(axis="index")
    styler = styler.set_table_styles(
        [
            {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
            {
                "selector": "td",
                "props": "text-align: left; vertical-align: top; white-space: nowrap;",
            },
        ]
    )
    per_column = {
        column[c]: _td("white-space: normal; min-width: 18em;")
        for c in frame.columns
        if c in WIDE_COLUMNS
    }
    per_column |= {column[c]: _td("text-align: right;") for c in numeric}
    return styler.set_table_styles(per_column, overwrite=False)


def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes (no metadata)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _note_html(note: str) -> str:
    return f'<p class="tokki-omitted"><strong>{html.escape(note)}</strong></p>' if note else ""


@dataclass(frozen=True)
class Chart:
    """A chart as PNG with its alternative text, shown in a notebook as an ``<img>``.

    ``IPython.display.Image`` has no alternative text, so nbconvert fills in an English
    placeholder; a Chart carries a Japanese description for screen readers instead.

    Attributes:
        png: The image.
        alt: What the chart shows, in words.
        note: A line shown under the chart ('' for none), e.g. what it leaves out.
    """

    png: bytes
    alt: str
    note: str = ""

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        img = f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'
        return img + _note_html(self.note)


def chart(figure_or_png: Figure | bytes, alt: str, note: str = "") -> Chart:
    """A :class:`Chart` of a matplotlib figure or of PNG bytes (``note``: a line under it)."""
    png = figure_or_png if isinstance(figure_or_png, bytes) else figure_png(figure_or_png)
    return Chart(png, alt, note)


# --- bounded tables ----------------------------------------------------------------------

#: Rows a notebook table shows at most (per group when grouped); the note counts the rest.
TABLE_ROWS = 200


@dataclass(frozen=True)
class Capped:
    """A table cut to its first rows, with a line saying how many it leaves out and where.

    Attributes:
        shown: The rows shown.
        total: How many rows the whole table has.
        note: The Japanese / English line shown under the table ('' when nothing is left out).
        styled: ``shown`` as :func:`table` styles it.
    """

    shown: pd.DataFrame
    total: int
    note: str
    styled: Styler

    @property
    def omitted(self) -> int:
        """How many rows are not shown."""
        return self.total - len(self.shown)

    def _repr_html_(self) -> str:
        return self.styled.to_html() + _note_html(self.note)

    def __repr__(self) -> str:
        return self.note or f"{len(self.shown):,} rows"


def omitted_note(
    omitted: int,
    limit: int,
    where: tuple[str, ...] = (),
    groups: dict[str, int] | None = None,
    by: str = "",
) -> str:
    """The line under a cut table: ``ほか N 件（全件は A と B） / N more in A and B``.

    Args:
        omitted: Rows left out (0: no note).
        limit: Rows shown at most (per group when ``groups`` is given).
        where: Files holding every row, e.g. ``("briefing_C001.xlsx", "findings.csv")``.
        groups: Rows left out per group (e.g. per clause), when the cut is per group.
        by: The grouping column (its Japanese header names the groups), e.g. ``clause``.

    Returns:
        The note, '' when nothing is left out.
    """
    if omitted <= 0:
        return ""
    ja_where = f"（全件は {' と '.join(where)}）" if where else ""
    en_where = f" are in {' and '.join(where)}" if where else " are not shown"
    per = "、".join(f"{g or '—'} ほか {n:,} 件" for g, n in (groups or {}).items() if n)
    per_en = ", ".join(f"{g or '—'} {n:,}" for g, n in (groups or {}).items() if n)
    if groups:
        shown_ja = f"{labels([by]).get(by, by)}ごとに先頭 {limit:,} 件を表示（{per}）"
        shown_en = f"the first {limit:,} per {by} are shown ({per_en})"
    else:
        shown_ja, shown_en = f"先頭 {limit:,} 件を表示", f"the first {limit:,} are shown"
    return (
        f"ほか {omitted:,} 件{ja_where}。{shown_ja} / {omitted:,} more rows{en_where}; {shown_en}"
    )


def capped_table(
    frame: pd.DataFrame,
    limit: int | None = None,
    *,
    by: str | None = None,
    where: tuple[str, ...] = (),
    form_key: str | None = None,
    index: bool = False,
) -> Capped:
    """:func:`table` of at most ``limit`` rows (per value of ``by``), with a note of the rest.

    Rows keep their order; the first ``limit`` of each group are shown.

    Args:
        frame: Any frame the package returns.
        limit: Rows shown at most (default :data:`TABLE_ROWS`).
        by: A column: cut per value of it (e.g. ``clause``) rather than overall.
        where: Files that hold every row, named in the note.
        form_key: As for :func:`table`.
        index: As for :func:`table`.

    Returns:
        The :class:`Capped` table.
    """
    limit = TABLE_ROWS if limit is None else limit
    groups = None
    if by is None:
        shown = frame.head(limit)
    else:
        shown = frame.groupby(by, sort=False, dropna=False).head(limit)
        counts = frame[by].value_counts(sort=False, dropna=False)
        left = counts.sub(shown[by].value_counts(dropna=False), fill_value=0)[counts.index]
        groups = {str(k): int(v) for k, v in left.items() if v > 0}
    note = omitted_note(len(frame) - len(shown), limit, where, groups, by or "")
    return Capped(shown, len(frame), note, table(shown, form_key, index=index))
