"""Trends across runs as HTML: the per-contractor table of index.html, inline SVG lines.

A picture per contractor drawn by matplotlib took seconds per hundred contractors; here a
run's mean clause rate (:meth:`tokki_analytics.history.History.trend`) is a number in a
table cell and its history an inline ``<svg>`` written as text (no script, no external
file): a sparkline per row of index.html's table (:func:`trend_table`, sortable like the
contractors × clauses table of :mod:`.html_grid`, the largest decline since the previous
run first) and a small line chart on each contractor's page (:func:`trend_chart`).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from tokki_analytics.render.charts import pct
from tokki_analytics.render.html_grid import SORTABLE, scroll_box, sort_header
from tokki_analytics.render.html_parts import Past, ReportRun, page_name

#: Size of a sparkline in CSS pixels.
SPARK_WIDTH, SPARK_HEIGHT = 120, 22
#: Colour of the trend line (the charts' red).
LINE_COLOUR = "#b22222"


def runs_of(trend: pd.DataFrame) -> list[tuple[int, pd.Timestamp]]:
    """(run id, run time) of each run in ``trend``, oldest first.

    Plain Python: on a contractor's page, with a few rows, pandas' sorting cost more.
    """
    first: dict[int, pd.Timestamp] = {}
    for run_id, run_at in zip(trend["run_id"].tolist(), trend["run_at"].tolist(), strict=True):
        first.setdefault(int(run_id), pd.Timestamp(run_at))
    return sorted(first.items(), key=lambda item: (item[1], item[0]))


def run_label(run_at: pd.Timestamp) -> str:
    """A run's label on a chart's x axis: ``01/31 09:00``."""
    return f"{run_at:%m/%d %H:%M}"


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
    order = [run_id for run_id, _ in runs_of(trend)]
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


#: Size of a contractor's trend chart in CSS pixels, and its margins (left, right, top, bottom).
CHART_WIDTH, CHART_HEIGHT = 560, 180
CHART_MARGINS = (44, 36, 12, 34)
#: Run labels under the x axis, at most.
CHART_LABELS = 8


def _ticks(low: float) -> list[int]:
    span = 100 - low
    step = 10 if span > 40 else 5 if span > 15 else 2
    return list(range(100, int(math.ceil(low)) - 1, -step))


def trend_chart(rates: list[float], labels: list[str], low: float) -> str:
    """One contractor's mean clause rate per run as an inline SVG line chart.

    Args:
        rates: One rate (0-1, NaN for a run without the contractor) per run, oldest first.
        labels: The runs' labels (``01/31 09:00``), as many as ``rates``.
        low: The percentage at the bottom of the y axis (:func:`rate_floor`).

    Returns:
        An ``<svg role="img">`` named by its first and latest rate; each point's title
        gives the run and its rate. The page's table lists the same numbers.
    """
    left, right, top, bottom = CHART_MARGINS
    inner_w, inner_h = CHART_WIDTH - left - right, CHART_HEIGHT - top - bottom
    steps = max(1, len(rates) - 1)
    span = max(100.0 - low, 1e-9)

    def x(i: int) -> float:
        return left + (i * inner_w / steps if len(rates) > 1 else inner_w / 2)

    def y(percent: float) -> float:
        return top + (100 - percent) / span * inner_h

    grid = "".join(
        f'<line x1="{left}" x2="{CHART_WIDTH - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
        f'stroke="#dddddd"/><text x="{left - 6}" y="{y(t) + 3.5:.1f}" text-anchor="end">{t}%</text>'
        for t in _ticks(low)
    )
    every = max(1, math.ceil(len(labels) / CHART_LABELS))
    shown = {i for i in range(0, len(labels), every)} | {len(labels) - 1}
    xlabels = "".join(
        f'<text x="{x(i):.1f}" y="{CHART_HEIGHT - bottom + 16}" text-anchor="middle">'
        f"{html.escape(label)}</text>"
        for i, label in enumerate(labels)
        if i in shown
    )
    points = [(i, r * 100) for i, r in enumerate(rates) if not math.isnan(r)]
    line = " ".join(f"{x(i):.1f},{y(p):.1f}" for i, p in points)
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(p):.1f}" r="3.5" fill="{LINE_COLOUR}">'
        f"<title>{html.escape(labels[i])}: {pct(p / 100)}</title></circle>"
        for i, p in points
    )
    name = "条項平均適合率の推移"
    if points:
        name += (
            f"（{len(points)} 回: 最初 {pct(points[0][1] / 100)}、最新 {pct(points[-1][1] / 100)}）"
        )
    return (
        f'<svg class="trend" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        f'aria-label="{html.escape(name)}" font-size="11" fill="#4a5560">{grid}{xlabels}'
        f'<polyline points="{line}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>'
        f"{dots}</svg>"
    )


#: Lines of the follow-up chart: column of the trend table → colour.
FOLLOWUP_LINES: dict[str, str] = {
    "未対応": "#4a5560",
    "是正指示済": "#1f5fa8",
    "期限超過": LINE_COLOUR,
    "再発": "#c77700",
}


def _count_ticks(top: int) -> list[int]:
    """0 up to ``top`` or just past it, in 3 to 6 round steps (1, 2, 5 × 10ⁿ)."""
    step = 1
    while top / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def followup_chart(trend: pd.DataFrame) -> str:
    """Open, instructed, overdue and recurring items per stored run as an inline SVG chart.

    Args:
        trend: :func:`tokki_analytics.followup_report.followup_trend`, oldest run first.

    Returns:
        An ``<svg role="img">`` with one line per state over the runs' as-of dates, named
        by the latest counts, and its legend; each point's title gives the as-of date and
        the count. Empty for no runs.
    """
    if trend.empty:
        return ""
    labels = [str(as_of) for as_of in trend["as_of"]]
    left, right, top, bottom = CHART_MARGINS
    inner_w, inner_h = CHART_WIDTH - left - right, CHART_HEIGHT - top - bottom
    ticks = _count_ticks(max(1, int(trend[list(FOLLOWUP_LINES)].to_numpy().max())))
    steps = max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (i * inner_w / steps if len(labels) > 1 else inner_w / 2)

    def y(count: float) -> float:
        return top + (1 - count / ticks[-1]) * inner_h

    grid = "".join(
        f'<line x1="{left}" x2="{CHART_WIDTH - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
        f'stroke="#dddddd"/><text x="{left - 6}" y="{y(t) + 3.5:.1f}" text-anchor="end">{t}</text>'
        for t in ticks
    )
    every = max(1, math.ceil(len(labels) / CHART_LABELS))
    xlabels = "".join(
        f'<text x="{x(i):.1f}" y="{CHART_HEIGHT - bottom + 16}" text-anchor="middle">'
        f"{html.escape(label)}</text>"
        for i, label in enumerate(labels)
        if i % every == 0 or i == len(labels) - 1
    )
    lines, legend = [], []
    for state, colour in FOLLOWUP_LINES.items():
        counts = [int(c) for c in trend[state]]
        points = " ".join(f"{x(i):.1f},{y(c):.1f}" for i, c in enumerate(counts))
        lines.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            + "".join(
                f'<circle cx="{x(i):.1f}" cy="{y(c):.1f}" r="3" fill="{colour}">'
                f"<title>{html.escape(labels[i])} {state}: {c} 件</title></circle>"
                for i, c in enumerate(counts)
            )
        )
        legend.append(f'<span style="color:{colour}">■</span> {state}')
    latest = trend.iloc[-1]
    name = (
        "指摘対応の推移（最新: "
        + "、".join(f"{state} {int(latest[state])} 件" for state in FOLLOWUP_LINES)
        + "）"
    )
    return (
        f'<svg class="trend" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        f'aria-label="{html.escape(name)}" font-size="11" fill="#4a5560">{grid}{xlabels}'
        f"{''.join(lines)}</svg>"
        f'<p class="legend" aria-hidden="true">{"　".join(legend)}</p>'
    )
