"""Charts of the notebooks, drawn off-screen and given as base64 PNG; rates as text.

Charts are drawn with matplotlib on an explicit Agg canvas (:func:`figure`: ``Figure`` +
``FigureCanvasAgg``, never pyplot), so nothing needs a display, sets ``MPLBACKEND`` or
switches the backend of a notebook that calls it; ``matplotlib_fontja`` supplies the
Japanese font. The notebooks (briefing, analysis) draw their figures on :func:`figure`;
:func:`heatmap_png` is the comparison notebook's contractors × clauses heatmap. The HTML
report draws no picture: tables and inline SVG (:mod:`.html_grid`, :mod:`.html_trend`) in
the same colours (:mod:`.css`), rates written by :func:`pct`.
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.render.css import FAIL_SHADES, STATUS_COLOURS, fail_shade
from tokki_analytics.vocab import (
    CLAUSE_TITLES,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    rule_clauses,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import ColorType


def figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg canvas, whatever pyplot's backend (notebooks keep theirs)."""
    import matplotlib_fontja  # noqa: F401 - registers IPAexGothic for Japanese labels
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure, tight: bool = False) -> str:
    """The figure as base64 PNG (no metadata); ``tight`` crops to the drawn content."""
    buf = io.BytesIO()
    if tight:
        fig.savefig(
            buf, format="png", metadata={"Software": None}, bbox_inches="tight", pad_inches=0.1
        )
    else:
        fig.savefig(buf, format="png", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def pct(rate: float) -> str:
    """A rate as a percentage rounded down to 0.1 (a failing rate never shows 100%)."""
    if rate is None or pd.isna(rate):
        return "—"
    value = math.floor(float(rate) * 1000 + 1e-9) / 10
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def _cell_style(status: str, rate: float) -> tuple[ColorType, str, str | None]:
    """Face colour, text colour and hatch of a heatmap cell (the HTML table's colours)."""
    if status == STATUS_FAIL:
        _, face, ink = FAIL_SHADES[fail_shade(float(rate))]
        return face, ink, None
    face, ink = STATUS_COLOURS[status]
    return face, ink, ("///" if status == STATUS_NOT_ASSESSED else None)


def heatmap_png(status: pd.DataFrame, names: dict[str, str]) -> str:
    """Contractors × clauses heatmap of :func:`contractor_clause_status` as base64 PNG.

    Drawn for the notebooks (``02_comparison``); index.html shows the same cells as a
    sortable HTML table (:mod:`.html_grid`) in the same colours.
    """
    from matplotlib.patches import Patch, Rectangle

    clauses = rule_clauses()
    ids = list(dict.fromkeys(status["contractor_id"]))
    fig = figure(2.6 + 0.68 * len(clauses), 1.6 + 0.46 * max(1, len(ids)))
    ax = fig.add_subplot()
    columns = ["contractor_id", "clause", "status", "rate"]
    cells = {(c, k): (s, r) for c, k, s, r in status[columns].itertuples(index=False)}
    for i, cid in enumerate(ids):
        for j, clause in enumerate(clauses):
            state, rate = cells[(cid, clause)]
            face, ink, hatch = _cell_style(state, rate)
            ax.add_patch(
                Rectangle(
                    (j, i), 1, 1, facecolor=face, edgecolor="#b5b5b5", hatch=hatch, linewidth=0
                )
            )
            ax.text(
                j + 0.5,
                i + 0.5,
                pct(rate),
                ha="center",
                va="center",
                fontsize=7.5,
                color=ink,
            )
    for j in range(len(clauses) + 1):
        ax.axvline(j, color="white", linewidth=1.5)
    for i in range(len(ids) + 1):
        ax.axhline(i, color="white", linewidth=1.5)
    ax.set_xlim(0, len(clauses))
    ax.set_ylim(len(ids), 0)
    ax.set_xticks([j + 0.5 for j in range(len(clauses))])
    ax.set_xticklabels([c + "\n" + CLAUSE_TITLES.get(c, "") for c in clauses], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(ids))])
    ax.set_yticklabels([f"{cid} {names.get(cid, '')}" for cid in ids], fontsize=9)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    na_face, _ = STATUS_COLOURS[STATUS_NOT_ASSESSED]
    legend = [
        Patch(facecolor=STATUS_COLOURS[STATUS_PASS][0], label="適合 (compliant, 100%)"),
        Patch(facecolor=FAIL_SHADES[2][1], label="不適合: 赤が濃いほど不合格が多い"),
        Patch(facecolor=na_face, hatch="///", edgecolor="#b5b5b5", label="未評価 (not assessed) —"),
    ]
    ax.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    return png(fig, tight=True)
