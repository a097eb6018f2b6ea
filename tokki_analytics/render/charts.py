"""Charts of the report and the notebooks, drawn off-screen and given as base64 PNG.

Charts are drawn with matplotlib on an explicit Agg canvas (:func:`figure`: ``Figure`` +
``FigureCanvasAgg``, never pyplot), so the report needs no display, does not set
``MPLBACKEND`` and does not switch the backend of a notebook that calls it;
``matplotlib_fontja`` supplies the Japanese font. The notebooks (briefing, analysis) draw
their own figures on :func:`figure` too.
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
    from matplotlib.axes import Axes
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


def _run_labels(trend: pd.DataFrame) -> tuple[list[int], list[str]]:
    runs = trend[["run_id", "run_at", "as_of"]].drop_duplicates("run_id")
    runs = runs.sort_values(["run_at", "run_id"])
    labels = [f"{pd.Timestamp(t):%m/%d %H:%M}" for t in runs["run_at"]]
    return list(runs["run_id"]), labels


def _plot_trend(
    ax: Axes, trend: pd.DataFrame, order: list[int], labels: list[str], title: str, low: float
) -> None:
    part = trend.set_index("run_id").reindex(order)
    x = list(range(len(order)))
    y = (part["mean_rate"] * 100).to_list()
    ax.plot(x, y, marker="o", color="#b22222", linewidth=1.6, markersize=4)
    ax.set_ylim(low, 101)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=6.5, rotation=30, ha="right")
    ax.set_title(title, fontsize=8.5)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def trend_png(trend: pd.DataFrame, titles: dict[str, str], columns: int = 4) -> str:
    """Small multiples: each contractor's mean clause rate (%) per run, as base64 PNG.

    Args:
        trend: :meth:`History.trend` rows (one or more contractors).
        titles: Contractor id → subplot title.
        columns: Subplots per row.

    Returns:
        The PNG, base64-encoded.
    """
    order, labels = _run_labels(trend)
    lowest = trend["mean_rate"].min() * 100
    low = min(float(lowest) - 3, 90.0) if pd.notna(lowest) else 90.0  # one y range for all
    ids = [cid for cid in titles if cid in set(trend["contractor_id"])]
    cols = max(1, min(columns, len(ids)))
    rows = max(1, math.ceil(len(ids) / cols))
    width = 3.1 if len(ids) > 1 else 5.6
    fig = figure(width * cols, (2.3 if len(ids) > 1 else 2.6) * rows)
    for n, cid in enumerate(ids):
        ax = fig.add_subplot(rows, cols, n + 1)
        part = trend[trend["contractor_id"] == cid]
        _plot_trend(ax, part, order, labels, titles[cid], low)
        if n % cols == 0:
            ax.set_ylabel("条項平均適合率 (%)", fontsize=7.5)
    fig.tight_layout()
    return png(fig)
