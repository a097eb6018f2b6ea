"""index.html's section 提出状況 (submission status): contractors × forms, then the noteworthy.

The table is computed before the report (``intake.coverage.submission_coverage``, handed in
as :attr:`~tokki_analytics.render.html_parts.ReportRun.coverage`); this module lays it out.
It holds contractor codes, form names, counts and dates, no person name; contractor names
are shown as elsewhere on the page (:attr:`ReportRun.names`, through ``run.h``).
"""

from __future__ import annotations

import html

import pandas as pd

from tokki_analytics.ingest.periods import MISSING, NOT_NEEDED, SUBMITTED, span_text
from tokki_analytics.render.css import STATUS_CLASS
from tokki_analytics.render.html_parts import ReportRun, num, page_name, table
from tokki_analytics.vocab import STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS


def _cell(status: str, records: int, flag: str) -> str:
    """The ``<td>`` of one contractor × form."""
    if status == MISSING:
        return f'<td class="{STATUS_CLASS[STATUS_FAIL]}">未提出</td>'
    if status == NOT_NEEDED:
        return f'<td class="{STATUS_CLASS[STATUS_NOT_ASSESSED]}">不要</td>'
    if flag:
        note = html.escape(flag)
        return f'<td class="{STATUS_CLASS[STATUS_FAIL]}" title="{note}">⚠ {num(records)}</td>'
    return f'<td class="{STATUS_CLASS[STATUS_PASS]}">{num(records)}</td>'


def _contractor(run: ReportRun, cid: str) -> str:
    return (
        f'<a href="contractors/{page_name(cid)}">{run.h.t(cid)} '
        f"{run.h.t(run.names.get(cid, ''))}</a>"
    )


def _grid(run: ReportRun, cov: pd.DataFrame) -> str:
    forms = list(dict.fromkeys(cov["form"]))
    cells: dict[str, list[str]] = {}
    for r in cov.itertuples(index=False):
        cells.setdefault(str(r.contractor_id), []).append(_cell(r.status, r.records, r.flag))
    header = ["受託者", *[html.escape(f) for f in forms]]
    rows = [[_contractor(run, cid), *tds] for cid, tds in cells.items()]
    return '<div class="grid-wrap">' + table(header, rows, cls="grid") + "</div>"


def _noteworthy(run: ReportRun, cov: pd.DataFrame) -> str:
    shown = cov[(cov["status"] == MISSING) | (cov["flag"] != "")]
    if shown.empty:
        return "<p>未提出の様式も、記録の期間の注記もありません。</p>"
    rows = [
        [
            _contractor(run, str(r.contractor_id)),
            html.escape(r.form),
            html.escape(r.status),
            num(r.records) if r.status == SUBMITTED else "",
            span_text(r.first, r.last),
            span_text(r.should_from, r.should_to),
            f'<td class="w">{html.escape(r.flag)}</td>',
        ]
        for r in shown.itertuples(index=False)
    ]
    header = ["受託者", "様式", "状況", "件数", "記録の期間", "求められる期間", "注記"]
    return table(header, rows, numeric={3})


def coverage_section(run: ReportRun) -> str:
    """The section 提出状況 of index.html; "" when the run has no coverage table."""
    cov = run.coverage
    if cov is None or cov.empty:
        return ""
    missing = int((cov["status"] == MISSING).sum())
    flagged = int((cov["flag"] != "").sum())
    return (
        '<h2>提出状況 <span class="en">(Submission status)</span></h2>'
        '<p class="lead">受託者ごと・様式ごとの提出の有無と記録件数です（不要: 開始済みの契約の'
        "いずれも必要としない様式）。⚠ は継続して記録する様式（入退室記録）の記録が、求められる"
        "期間（契約開始、ただし監査基準日の年度の 4 月 1 日以降 〜 監査基準日または契約終了）の"
        "途中で途切れている、または途中から始まっているものです。指摘ではなく、提出物の確認用の"
        f"情報です。未提出 {missing} 件、記録の期間の注記 {flagged} 件。</p>"
        + _grid(run, cov)
        + '<h3>確認が必要な様式 <span class="en">(Missing forms and flagged periods)</span></h3>'
        + _noteworthy(run, cov)
    )
