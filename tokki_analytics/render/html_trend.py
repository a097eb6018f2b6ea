"""Trends across runs as HTML: the per-contractor table of index.html, inline SVG lines.

A picture per contractor drawn by matplotlib took seconds per hundred contractors; here a
run's mean clause rate (:meth:`tokki_analytics.history.History.trend`) is a number in a
table cell and its history a sparkline, an inline ``<svg>`` written as text (no script, no
external file). The table is sortable like the contractors × clauses table
(:mod:`.html_grid`): the largest decline since the previous run comes first.
"""

from __future__ import annotations

import math

import pandas as pd

from tokki_analytics.render.charts import pct
from tokki_analytics.render.html_grid import SORTABLE, scroll_box, sort_header
from tokki_analytics.render.html_parts import Past, ReportRun, page_name

#: Size of a sparkline in CSS pixels.
SPARK_WIDTH, SPARK_HEIGHT = 120, 22
#: Colour of the trend line (the charts' red).
LINE_COLOUR = "#b22222"


def run_order(trend: pd.DataFrame) -> list[int]:
    """The run ids of ``trend``, oldest first."""
    runs = trend[["run_id", "run_at"]].drop_duplicates("run_id")
    return [int(r) for r in runs.sort_values(["run_at", "run_id"])["run_id"]]


def rate_floor(trend: pd.DataFrame) -> float:
    """The lowest percentage on the y axis: 90, or 3 points under the lowest rate."""
    lowest = trend["mean_rate"].min()
    return min(float(lowest) * 100 - 3, 90.0) if pd.notna(lowest) else 90.0


def sparkline(rates: list[float], low: float) -> str:
    """The rates (0-1, NaN for a run without the contractor) as a small inline SVG line.

    Args:
        rates: One rate per run, oldest first.
        low: The percentage at the bottom of the box (:func:`rate_floor`), 100 at the top.

    Returns:
        An ``<svg>`` hidden from screen readers (the table gives the numbers).
    """
    steps = max(1, len(rates) - 1)
    span = max(100.0 - low, 1e-9)
    points = [
        (2 + i * (SPARK_WIDTH - 4) / steps, 2 + (100 - r * 100) / span * (SPARK_HEIGHT - 4))
        for i, r in enumerate(rates)
        if not math.isnan(r)
    ]
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    return (
        f'<svg class="spark" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" aria-hidden="true" '
        f'focusable="false"><polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" '
        f'stroke-width="1.5"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{LINE_COLOUR}"/></svg>'
    )


def _change(now: float, before: float) -> str:
    if math.isnan(now) or math.isnan(before):
        return "—"
    points = math.floor((now - before) * 1000 + 0.5) / 10
    return "±0" if points == 0 else f"{points:+.1f}"


def _count(value: float) -> str:
    return "—" if math.isnan(value) else str(int(value))


def _ordered(rates: pd.DataFrame, change: pd.Series, ranking: pd.DataFrame) -> list[str]:
    """Contractors by decline since the previous run (largest first), then risk order."""
    rank = {str(cid): i for i, cid in enumerate(ranking["contractor_id"])}
    key = change.fillna(math.inf)
    return sorted(
        (str(cid) for cid in rates.index),
        key=lambda cid: (key[cid], rank.get(cid, len(rank)), cid),
    )


def trend_table(run: ReportRun, past: Past) -> str:
    """Per contractor: sparkline of every run, previous and current rate, the change.

    Args:
        run: The report.
        past: The earlier runs (at least one).

    Returns:
        A sortable table in a scrolling box, declines first.
    """
    trend = past.trend
    order = run_order(trend)
    rates = trend.pivot(index="contractor_id", columns="run_id", values="mean_rate")
    rates = rates.reindex(columns=order).astype(float)
    failed = trend.pivot(index="contractor_id", columns="run_id", values="clauses_failed")
    failed = failed.reindex(columns=order).astype(float)
    missing = dict.fromkeys(rates.index, math.nan)
    now = rates[order[-1]].to_dict(), failed[order[-1]].to_dict()
    before = (
        (rates[order[-2]].to_dict(), failed[order[-2]].to_dict())
        if len(order) > 1
        else (missing, missing)
    )
    low = rate_floor(trend)
    h = run.h
    rows = [
        f'<tr><th scope="row"><a href="contractors/{page_name(cid)}">{h.t(cid)} '
        f"{h.t(run.names.get(cid, ''))}</a></th>"
        f"<td>{sparkline(rates.loc[cid].tolist(), low)}</td>"
        f'<td class="num">{pct(before[0][cid])}</td><td class="num">{pct(now[0][cid])}</td>'
        f'<td class="num">{_change(now[0][cid], before[0][cid])}</td>'
        f'<td class="num">{_count(before[1][cid])}</td><td class="num">{_count(now[1][cid])}</td>'
        "</tr>"
        for cid in _ordered(rates, rates[order[-1]] - pd.Series(before[0]), run.ranking)
    ]
    header = "".join(
        [
            sort_header("受託者", "ascending", False),
            f'<th scope="col">推移（{len(order)} 回）</th>',
            sort_header('前回<span class="t">平均適合率</span>', "ascending", True),
            sort_header('今回<span class="t">平均適合率</span>', "ascending", True),
            sort_header('変化<span class="t">ポイント</span>', "ascending", True, "ascending"),
            sort_header('前回<span class="t">不適合条項</span>', "descending", True),
            sort_header('今回<span class="t">不適合条項</span>', "descending", True),
        ]
    )
    table = (
        f'<table class="grid {SORTABLE}" id="trend-grid"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return scroll_box("受託者別の推移（枠の中でスクロール）", table)
