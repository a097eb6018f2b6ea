"""``contractors/<id>.html``: one contractor's contracts, clause status, findings and trend."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import NamedTuple

import pandas as pd

from tokki_analytics.findings import RULE_ORDER
from tokki_analytics.followup import ACCEPTED, LABELS, OVERDUE
from tokki_analytics.followup_report import shown_state
from tokki_analytics.forms import CONTRACTS
from tokki_analytics.ingest.dates import LAST_DAY
from tokki_analytics.render.charts import pct
from tokki_analytics.render.css import STATUS_CLASS
from tokki_analytics.render.html_parts import (
    FINDING_HEADER,
    RULE_TEXT,
    ReportRun,
    cards,
    contract_cell,
    finding_rows,
    num,
    page,
    severity_badge,
    status_badge,
    table,
    unit_rows,
    value_rows,
)
from tokki_analytics.render.html_trend import rate_floor, run_label, runs_of, trend_chart
from tokki_analytics.rules import clause_reasons
from tokki_analytics.status import RISK_FORMULA
from tokki_analytics.vocab import (
    SEVERITIES,
    STATUS_NOT_ASSESSED,
    STATUSES,
    clause_key,
    clause_label,
    rule_clauses,
)


def _end_text(end: object) -> str | None:
    """A contract's end date; an open end (9999-12-31 in 委託契約一覧) reads 定めなし."""
    if pd.isna(end) or not isinstance(end, dt.datetime):
        return None
    return "定めなし (9999-12-31)" if end.date() == LAST_DAY else f"{end:%Y-%m-%d}"


def _number_text(value: object, text: Callable[[int], str] = str) -> str:
    """A row number or a count as text; blank where there is none."""
    if isinstance(value, (int, float)) and not pd.isna(value):
        return text(int(value))
    return ""


class _Contract(NamedTuple):
    """The columns of a contract shown on its contractor's page."""

    contract_id: object
    department: object
    title: object
    start_date: dt.datetime | None
    end_date: dt.datetime | None
    record_volume: object
    sensitive: object
    handles_electronic: object
    excluded_clauses: object


def _contract_table(run: ReportRun, contracts: pd.DataFrame) -> str:
    h = run.h
    rows = [
        [
            h.t(c.contract_id),
            h.t(c.department),
            h.t(c.title),
            h.t(None if pd.isna(c.start_date) else f"{c.start_date:%Y-%m-%d}"),
            h.t(_end_text(c.end_date)),
            _number_text(c.record_volume, num),
            h.t(c.sensitive),
            h.t(c.handles_electronic),
            h.t(c.excluded_clauses),
        ]
        for c in map(_Contract._make, value_rows(contracts, _Contract._fields))
    ]
    header = [CONTRACTS.column(key).name for key in _Contract._fields]
    return '<h2>契約 <span class="en">(Contracts)</span></h2>' + table(header, rows, {5})


class _Cell(NamedTuple):
    """One contract × clause of :func:`tokki_analytics.status.clause_status`."""

    contract_id: str
    clause: str
    status: str
    excluded: bool
    units_failed: int
    units_checked: int


def _status_cell(cell: _Cell, reason: str = "") -> str:
    status = cell.status
    if status == STATUS_NOT_ASSESSED:
        small = "適用除外" if cell.excluded else html.escape(reason or "判定なし")
    else:
        small = f"不合格 {cell.units_failed} / 判定 {cell.units_checked}"
    return f'<td class="st {STATUS_CLASS[status]}">{html.escape(status)}<small>{small}</small></td>'


def _status_table(run: ReportRun, cid: str, contracts: pd.DataFrame) -> str:
    mine = run.rows_of("status", cid, lambda: run.status)
    status = {
        (c.contract_id, c.clause): c for c in map(_Cell._make, value_rows(mine, _Cell._fields))
    }
    ids = list(contracts["contract_id"])
    reasons = clause_reasons(run.form_states(), cid)
    rows = []
    for clause in rule_clauses():
        cells = [_status_cell(status[(k, clause)], reasons.get(clause, "")) for k in ids]
        rows.append([html.escape(clause_label(clause)), *cells])
    legend = " ".join(status_badge(s) for s in STATUSES)
    return (
        '<h2>契約ごとの条項の状況 <span class="en">(Clause status per contract)</span></h2>'
        f"<p>{legend}</p>"
        '<p class="note">不適合: その条項の規則が不合格を出した。未評価: その条項の規則が判定した'
        "記録がない（様式の提出なし・適用除外・対象の記録なし）— 適合ではありません。その下の小さな"
        "字が理由です（様式が読めない・見出し行がない・提出なし / why: a form unreadable, "
        "without a header row, or not sent）。適合: 判定し"
        "すべて合格。入退室記録など契約番号のない受託者全体の記録は、その条項を適用除外していない"
        "すべての契約に数えます。</p>" + table(["条項", *[run.h.t(k) for k in ids]], rows)
    )


#: Columns of a clause's findings table.
_CLAUSE_FINDINGS_HEADER = [
    "規則",
    "重要度",
    "契約",
    "様式",
    "ファイル",
    "シート",
    "行",
    "氏名",
    "内容",
]


class _Finding(NamedTuple):
    """The columns of a finding shown on its contractor's page."""

    rule_id: str
    severity: str
    contract_id: object
    form: object
    source: object
    sheet: object
    row: object
    contractor_id: str
    detail: object


def _finding_cells(run: ReportRun, findings: pd.DataFrame) -> list[list[str]]:
    """The cells of each finding under :data:`_CLAUSE_FINDINGS_HEADER`, in frame order."""
    h, past = run.h, run.past
    persons = unit_rows(run, findings)["person_id"]
    rows = []
    rows_of = map(_Finding._make, value_rows(findings, _Finding._fields))
    for idx, f in zip(findings.index, rows_of, strict=True):
        rule = RULE_TEXT.get(f.rule_id, "")
        is_new = past is not None and past.identities[idx] in past.new_ids
        new = '<span class="new">新規</span>' if is_new else ""
        rows.append(
            [
                f'<span title="{html.escape(rule)}">{h.t(f.rule_id)}</span>{new}',
                severity_badge(f.severity),
                contract_cell(h, f.contract_id),
                h.t(f.form),
                h.t(f.source),
                h.t(f.sheet),
                _number_text(f.row),
                h.person(f.contractor_id, persons[idx]),
                h.t(f.detail),
            ]
        )
    return rows


def _findings_by_clause(run: ReportRun, cid: str) -> str:
    findings = run.rows_of("findings", cid, lambda: run.audit.findings)
    mine = findings[~findings["rule_id"].str.startswith("Q")]
    head = '<h2>条項別の指摘 <span class="en">(Findings by clause)</span></h2>'
    if mine.empty:
        return head + "<p>条項の規則による指摘はありません。</p>"
    cells = _finding_cells(run, mine)
    by_clause: dict[str, list[int]] = {}
    for pos, clause in enumerate(mine["clause"]):
        by_clause.setdefault(clause, []).append(pos)
    rule_ids = mine["rule_id"].tolist()
    parts = [head]
    for clause in sorted(by_clause, key=clause_key):
        positions = by_clause[clause]
        rules = "<br>".join(
            html.escape(f"{r}: {RULE_TEXT.get(r, '')}")
            for r in sorted({rule_ids[p] for p in positions}, key=RULE_ORDER.index)
        )
        parts.append(
            f"<h3>{html.escape(clause_label(clause))}（{len(positions)} 件）</h3>"
            f'<p class="note">{rules}</p>'
        )
        parts.append(table(_CLAUSE_FINDINGS_HEADER, [cells[p] for p in positions], numeric={6}))
    return "".join(parts)


class _Defect(NamedTuple):
    """The columns of a submission defect shown on its contractor's page."""

    rule_id: object
    severity: str
    contract_id: object
    form: object
    source: object
    sheet: object
    row: object
    column: object
    value: object
    detail: object


def _defects(run: ReportRun, cid: str) -> str:
    h = run.h
    # a name cell's raw value masked, even one too short to search for (once for all pages)
    mine = run.rows_of("defects", cid, lambda: h.mask.name_cells(run.audit.submission.defects))
    head = '<h2>提出物の不備 <span class="en">(Submission defects Q0–Q3)</span></h2>'
    if mine.empty:
        return head + "<p>提出物の不備はありません。</p>"
    rows = [
        [
            h.t(d.rule_id),
            severity_badge(d.severity),
            contract_cell(h, d.contract_id),
            h.t(d.form),
            h.t(d.source),
            h.t(d.sheet),
            _number_text(d.row),
            h.t(d.column),
            h.t(d.value),
            h.t(d.detail),
        ]
        for d in map(_Defect._make, value_rows(mine, _Defect._fields))
    ]
    header = ["規則", "重要度", "契約", "様式", "ファイル", "シート", "行", "列", "値", "内容"]
    return head + table(header, rows, numeric={6})


#: Columns of a contractor's trend table.
_TREND_HEADER = [
    "実行日時",
    "基準日",
    "条項平均適合率",
    "不適合の条項数",
    "判定した条項数",
    "不合格の単位数",
]


class _TrendPoint(NamedTuple):
    """One run of a contractor (:meth:`tokki_analytics.history.History.trend`)."""

    run_id: int
    run_at: dt.datetime
    as_of: object
    mean_rate: float
    clauses_failed: int
    clauses_assessed: int
    units_failed: int


def _contractor_trend(run: ReportRun, cid: str) -> str:
    head = '<h2>推移 <span class="en">(Trend)</span></h2>'
    past = run.past
    if past is None:
        return head + "<p>比較できる過去の実行記録がありません。</p>"
    trend = run.rows_of("trend", cid, lambda: past.trend)
    if trend.empty:
        return head + "<p>この受託者の適合率の記録はありません。</p>"
    points = list(map(_TrendPoint._make, value_rows(trend, _TrendPoint._fields)))
    rows = [
        [
            html.escape(f"{r.run_at:%Y-%m-%d %H:%M}"),
            html.escape(str(r.as_of)),
            pct(r.mean_rate),
            str(r.clauses_failed),
            str(r.clauses_assessed),
            num(r.units_failed),
        ]
        for r in points
    ]
    hist = past.history
    new = run.rows_of("new", cid, lambda: hist.new_findings)
    resolved = run.rows_of("resolved", cid, lambda: hist.resolved_findings)
    rate_of = {r.run_id: r.mean_rate for r in points}
    runs = runs_of(trend)
    rates = [float(rate_of[run_id]) for run_id, _ in runs]
    return (
        head
        + trend_chart(rates, [run_label(at) for _, at in runs], rate_floor(trend))
        + table(_TREND_HEADER, rows, numeric={2, 3, 4, 5})
        + f"<p>前回から: 新たな指摘 {len(new)} 件、解消した指摘 {len(resolved)} 件。</p>"
        + (
            table(FINDING_HEADER, finding_rows(run, resolved, False), numeric={7})
            if len(resolved)
            else ""
        )
    )


#: Record columns shown per finding in the follow-up table of a contractor's page.
_FOLLOWUP_SHOWN = ("state", "derived", "instructed_on", "due_on", "reported_on", "confirmed_on")


def _state_cell(state: str, item_state: str) -> str:
    """The state a reader sees, 期限超過 in bold, 対象外 marked as out of the score."""
    text = html.escape(state)
    if state == OVERDUE:
        return f"<b>{text}</b>"
    if item_state == ACCEPTED:
        return f'{text} <span class="note">（スコア対象外 / not scored）</span>'
    return text


def _followup(run: ReportRun, cid: str) -> str:
    """Each finding of the contractor with its follow-up state and dates."""
    followup = run.followup
    if followup is None:
        return ""
    head = '<h2>指摘対応 <span class="en">(Follow-up)</span></h2>'
    items = run.rows_of("followup", cid, lambda: followup.open_items)
    if items.empty:
        return head + "<p>指摘はありません。</p>"
    h, columns = run.h, ["rule_id", "contract_id", "detail", *_FOLLOWUP_SHOWN, "reason"]
    rows = [
        [
            h.t(rule),
            contract_cell(h, contract or None),
            h.t(detail),
            _state_cell(shown, str(values[0])),
            *[h.t(value) for value in values],
            h.t(reason),
        ]
        for shown, (rule, contract, detail, *values, reason) in zip(
            shown_state(items).tolist(), value_rows(items, columns), strict=True
        )
    ]
    header = ["規則", "契約", "内容", "対応状況", *[LABELS[k] for k in _FOLLOWUP_SHOWN], "理由"]
    return head + table(header, rows)


def _contractor_summary(run: ReportRun, cid: str) -> str:
    rank = run.rows_of("ranking", cid, lambda: run.ranking).iloc[0]
    figures = [
        ("リスクスコア", f"{rank['score']:.2f}"),
        ("順位", f"{int(rank['rank'])} / {len(run.ranking)}"),
        *[(f"指摘 {s}", str(int(rank[s]))) for s in SEVERITIES],
        ("不適合の条項数", str(int(rank["clauses_failed"]))),
    ]
    return (
        '<h2>概要 <span class="en">(Summary)</span></h2>'
        + cards(figures)
        + f'<p class="note">{html.escape(RISK_FORMULA)}。内訳 (breakdown): '
        + f"{run.h.t(rank['components'])}</p>"
    )


def contractor_page(run: ReportRun, cid: str) -> str:
    """The whole page of contractor ``cid``."""
    contracts = run.rows_of("contracts", cid, lambda: run.audit.submission.contracts)
    name = run.names.get(cid, "")
    nav = '<nav><a href="../index.html">← レポートの目次へ (back to the report)</a>'
    nav += (
        "".join(
            f' ｜ <a href="../{html.escape(href)}">{html.escape(label)}</a>'
            for href, label in run.links.items()
        )
        + "</nav>"
    )
    body = nav + f"<h1>{run.h.t(cid)} {run.h.t(name)}</h1>"
    body += (
        f'<p class="lead">監査基準日 {html.escape(str(run.audit.settings.as_of))}'
        f"。契約 {len(contracts)} 件。</p>"
    )
    body += _contractor_summary(run, cid)
    if contracts.empty:
        body += "<p>委託契約一覧にこの受託者の契約がありません。</p>"
    else:
        body += _contract_table(run, contracts) + _status_table(run, cid, contracts)
    body += _findings_by_clause(run, cid) + _followup(run, cid) + _defects(run, cid)
    body += _contractor_trend(run, cid)
    return page(f"{cid} {name} — 遵守状況", body, run.generated)
