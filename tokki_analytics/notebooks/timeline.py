"""The briefing's timeline: roster periods, take-outs and media checks of one contractor.

:func:`timeline_rows` chooses what the timeline draws, at most :data:`TIMELINE_ROWS` rows of
each part (the most relevant first) with a note of what it leaves out;
:func:`timeline_figure` draws them as one figure for the ``01_briefing`` notebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from tokki_analytics.notebooks.briefing import (
    BACKWARDS,
    NOT_RETURNABLE,
    OUT,
    OVERDUE,
    OVERDUE_NOT_ASSESSED,
    RETURNED,
    UNRETURNED,
    Briefing,
    workbook_name,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _date_axis(ax: Axes, as_of: dt.date) -> None:
    ax.axvline(pd.Timestamp(as_of), color="#444444", linestyle="--", linewidth=1)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


#: Rows each part of the timeline draws at most (roster rows, take-outs, contracts).
TIMELINE_ROWS = 40


def _first(frame: pd.DataFrame, relevant: npt.ArrayLike, limit: int) -> pd.DataFrame:
    """At most ``limit`` rows of ``frame``, the ``relevant`` ones first, in their own order."""
    if len(frame) <= limit:
        return frame.reset_index(drop=True)
    relevant = np.asarray(relevant, dtype=bool)
    chosen = np.sort(np.argsort(~relevant, kind="stable")[:limit])
    return frame.iloc[chosen].reset_index(drop=True)


@dataclass
class Timeline:
    """What the timeline draws: at most ``limit`` rows of each part.

    Attributes:
        staff: Roster rows; those with findings first, then in roster order.
        takeouts: Take-outs with a dated 持出日時; unreturned and wrong ones first.
        contracts: Contracts whose media checks are drawn; those with a check gap first.
        note: What is left out (Japanese / English), '' when nothing is.
    """

    staff: pd.DataFrame
    takeouts: pd.DataFrame
    contracts: list[str]
    note: str


def timeline_rows(brief: Briefing, limit: int | None = None) -> Timeline:
    """The rows the timeline draws, at most ``limit`` per part (default :data:`TIMELINE_ROWS`).

    The most relevant rows are kept (roster rows with findings, take-outs not returned or
    returned before they were taken, contracts with a media-check gap), in their own order.
    """
    limit = TIMELINE_ROWS if limit is None else limit
    staff = brief.staff
    flagged = brief.staff_findings if brief.staff_findings is not None else [False] * len(staff)
    takeouts = brief.takeouts.dropna(subset=["taken_at"]).reset_index(drop=True)
    contracts = pd.Series(list(dict.fromkeys(brief.summary["契約番号"])), dtype=object)
    gaps = brief.check_gaps
    gapped = set()
    if "check_gaps" in gaps:
        gapped = set(gaps.loc[gaps["check_gaps"].fillna("").astype(str) != "", "contract_id"])
    parts = (
        ("従事者", "roster rows", staff, np.asarray(flagged) > 0),
        ("持出し", "take-outs", takeouts, takeouts["state"].isin(UNRETURNED)),
        ("契約", "contracts", contracts.to_frame("c"), contracts.isin(gapped)),
    )
    kept, ja, en = [], [], []
    for name, english, frame, relevant in parts:
        shown = _first(frame, relevant, limit)
        kept.append(shown)
        if len(shown) < len(frame):
            ja.append(f"{name} {len(frame):,} 件のうち {len(frame) - len(shown):,} 件")
            en.append(f"{len(frame) - len(shown):,} of {len(frame):,} {english}")
    note = ""
    if ja:
        note = (
            f"時系列には {'、'.join(ja)}を表示していません（各 {limit:,} 件まで、指摘・未返却・"
            f"点検の空白のあるものを優先）。全件は {workbook_name(brief.contractor_id)} にあります"
            f" / The timeline leaves out {', '.join(en)} (at most {limit:,} each, those with "
            f"findings, unreturned or with a check gap first); all are in "
            f"{workbook_name(brief.contractor_id)}"
        )
    return Timeline(kept[0], kept[1], list(kept[2]["c"]), note)


def _plot_staff(ax: Axes, staff: pd.DataFrame, as_of: dt.date) -> None:
    for i, row in enumerate(staff.itertuples(index=False)):
        start = row.start_date if pd.notna(row.start_date) else None
        end = row.end_date if pd.notna(row.end_date) else pd.Timestamp(as_of)
        if start is not None:
            ax.plot([start, end], [i, i], color="#4a7ab5", linewidth=6, solid_capstyle="butt")
        if pd.notna(row.notified_on):
            ax.plot([row.notified_on], [i], marker="v", color="#d08000", markersize=9, zorder=3)
        trainings = list(row.trainings)
        if trainings:
            ax.plot(
                trainings,
                [i] * len(trainings),
                linestyle="none",
                marker="o",
                color="#1e8c3e",
                markeredgecolor="white",
                markersize=8,
                zorder=3,
            )
    labels = [
        f"{row.person_id} {row.role or ''} {row.contract_id or ''}"
        for row in staff.itertuples(index=False)
    ]
    ax.set_yticks(range(len(staff)))
    ax.set_yticklabels(labels)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylim(len(staff) - 0.5, -0.5)
    ax.set_title("従事者: 従事期間（青）・届出日（▼）・研修（●）", fontsize=11)


#: Colour of each take-out state on the timeline.
TAKEOUT_COLOURS = {
    RETURNED: "#4a7ab5",
    NOT_RETURNABLE: "#999999",
    OUT: "#e69500",
    OVERDUE: "#c0392b",
    BACKWARDS: "#c0392b",
    OVERDUE_NOT_ASSESSED: "#8c6d46",
}


def _plot_takeouts(ax: Axes, takeouts: pd.DataFrame, as_of: dt.date) -> None:
    end = pd.Timestamp(as_of)
    for i, row in enumerate(takeouts.itertuples(index=False)):
        colour = TAKEOUT_COLOURS[row.state]
        if row.state in (NOT_RETURNABLE, BACKWARDS):
            ax.plot([row.taken_at], [i], marker="o", color=colour, markersize=7)
            continue
        back = row.returned_at if row.state == RETURNED else end
        ax.plot([row.taken_at, back], [i, i], color=colour, linewidth=5, marker="|", markersize=10)
    labels = [
        f"{row.ledger_id} {row.person_id} {row.medium or ''}"
        for row in takeouts.itertuples(index=False)
    ]
    ax.set_yticks(range(len(takeouts)))
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_ylim(len(takeouts) - 0.5, -0.5)
    ax.set_title(
        "持出し: 青 返却済み／橙 未返却（期限内）／赤 未返却（期限超過）・返却日時の誤り（点）"
        "／茶 期限超過・未評価／灰 返却不要の媒体",
        fontsize=11,
    )


def _plot_checks(ax: Axes, checks: pd.DataFrame, contracts: list[str]) -> None:
    checks = checks.dropna(subset=["checked_on"])
    for i, contract in enumerate(contracts):
        dates = sorted(checks.loc[checks["contract_id"] == contract, "checked_on"])
        ax.plot(dates, [i] * len(dates), marker="o", color="#6a4ab5", linewidth=1, markersize=7)
    ax.set_yticks(range(len(contracts)))
    ax.set_yticklabels(contracts, fontsize=9)
    ax.set_ylim(len(contracts) - 0.5, -0.5)
    ax.set_title("媒体点検: 契約ごとの点検日（点の間隔が点検の空白期間）", fontsize=11)


def timeline_figure(brief: Briefing, limit: int | None = None) -> Figure:
    """Staff periods, take-outs and media checks of the briefing as one figure (Agg canvas).

    Each part draws at most ``limit`` rows (:func:`timeline_rows`, default
    :data:`TIMELINE_ROWS`), so the figure's size is bounded whatever the data; the rows left
    out are counted in :func:`timeline_rows`'s note.

    Args:
        brief: The briefing.
        limit: Rows per part.

    Returns:
        A :class:`matplotlib.figure.Figure` (pyplot is not used; the backend is untouched).
    """
    from tokki_analytics.render.charts import figure

    parts = timeline_rows(brief, limit)
    rows = max(3, len(parts.staff))
    takeouts = max(2, len(parts.takeouts))
    contracts = max(3, len(parts.contracts))
    fig = figure(11, 2.5 + 0.3 * (rows + takeouts + contracts))
    grid = fig.add_gridspec(3, 1, height_ratios=[rows, takeouts, contracts])
    first = fig.add_subplot(grid[0])
    axes = [first, fig.add_subplot(grid[1], sharex=first), fig.add_subplot(grid[2], sharex=first)]
    _plot_staff(axes[0], parts.staff, brief.as_of)
    _plot_takeouts(axes[1], parts.takeouts, brief.as_of)
    _plot_checks(axes[2], brief.media_checks, parts.contracts)
    for ax in axes:
        _date_axis(ax, brief.as_of)
    fig.suptitle(f"{brief.contractor_id} {brief.name} 時系列（破線は基準日 {brief.as_of}）")
    fig.tight_layout()
    return fig
