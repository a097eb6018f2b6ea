"""``index.html``: run summary, links, contractors × clauses table, risk ranking, changes, pages."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from tokki_analytics.followup_report import SUMMARY_COLUMNS, contractor_summary
from tokki_analytics.forms import FOLLOWUP_FILE
from tokki_analytics.render.css import INDEX_CSS
from tokki_analytics.render.html_coverage import coverage_section
from tokki_analytics.render.html_grid import SORT_SCRIPT, clause_grid
from tokki_analytics.render.html_parts import (
    FINDING_HEADER,
    Past,
    ReportRun,
    cards,
    finding_rows,
    num,
    page,
    page_name,
    table,
)
from tokki_analytics.render.html_trend import FOLLOWUP_LINES, followup_chart, trend_table
from tokki_analytics.status import (
    RISK_FORMULA,
    SENSITIVE_FACTOR,
    contractor_ids,
)
from tokki_analytics.vocab import SEVERITIES, SEVERITY_WEIGHTS, STATUSES


def _summary(run: ReportRun) -> str:
    audit = run.audit
    sub = audit.submission
    findings = audit.findings
    rule_findings = findings[~findings["rule_id"].str.startswith("Q")]
    by_sev = rule_findings["severity"].value_counts()
    defects = findings[findings["rule_id"].str.startswith("Q")]["rule_id"].value_counts()
    statuses = run.status["status"].value_counts()
    known = sub.contractors[sub.contractors["known"]]
    kv = [
        ("監査基準日 (as-of)", html.escape(str(audit.settings.as_of))),
        ("データフォルダ (data folder)", run.h.t(str(Path(sub.data_dir).resolve()))),
        ("受託者 (contractors)", f"{len(known)} 社（フォルダ {len(sub.contractors)}）"),
        ("契約 (contracts)", f"{len(sub.contracts)} 件"),
        ("読み込んだ行数 (rows read)", f"{num(sum(sub.rows().values()))} 行"),
        ("判定した単位数 (units checked)", f"{num(audit.compliance['units_checked'].sum())}"),
        (
            "提出物の不備 (defects)",
            " / ".join(f"{q} {int(defects.get(q, 0))}" for q in ("Q0", "Q1", "Q2", "Q3")),
        ),
        (
            "契約×条項 (contract × clause)",
            " / ".join(f"{s} {int(statuses.get(s, 0))}" for s in STATUSES),
        ),
    ]
    figures = [(f"指摘 {s}", num(by_sev.get(s, 0))) for s in SEVERITIES]
    figures.append(("提出物の不備 Q0–Q3", num(defects.sum())))
    figures.append(("指摘の合計 (findings.csv)", num(len(findings))))
    rows = [[k, v] for k, v in kv]
    return (
        '<h2>実行概要 <span class="en">(Run summary)</span></h2>'
        + cards(figures)
        + table(["項目", "値"], rows, cls="kv")
    )


def _links(run: ReportRun, prefix: str = "") -> str:
    if not run.links:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(prefix + href)}">{html.escape(label)}</a> '
        f'<span class="note">({html.escape(href)})</span></li>'
        for href, label in run.links.items()
    )
    return f'<h2>関連資料 <span class="en">(Links)</span></h2><ul>{items}</ul>'


def _formula_box() -> str:
    weights = "、".join(f"{s} {SEVERITY_WEIGHTS[s]:g}" for s in SEVERITIES)
    return (
        '<div class="formula"><code>'
        + html.escape(RISK_FORMULA)
        + "</code><br>W = 重要度で重み付けした指摘件数（"
        + html.escape(weights)
        + "。提出物の不備 Q0–Q3 も各々の重要度で数えます）<br>"
        "V = 取扱件数の合計（委託契約一覧の取扱件数、空欄は 0）: 件数が 10 倍になるごとに"
        "係数が 1 増えます<br>"
        f"S = {SENSITIVE_FACTOR:g}（要配慮個人情報 有 の契約がある）、1.0（ない）</div>"
    )


def _ranking(run: ReportRun) -> str:
    rows = []
    for r in run.ranking.itertuples(index=False):
        link = f'<a href="contractors/{page_name(r.contractor_id)}">{run.h.t(r.contractor_id)}</a>'
        rows.append(
            [
                str(r.rank),
                link,
                run.h.t(r.name),
                f"<b>{r.score:.2f}</b>",
                *[str(getattr(r, s)) for s in SEVERITIES],
                f"{r.weighted_failures:g}",
                num(r.record_volume),
                f"{r.volume_factor:.2f}",
                "有" if r.sensitive else "無",
                f"{r.sensitivity_factor:g}",
                str(r.clauses_failed),
            ]
        )
    header = [
        "順位",
        "受託者",
        "名称",
        "スコア",
        *SEVERITIES,
        "W",
        "取扱件数 V",
        "量の係数",
        "要配慮",
        "S",
        "不適合の条項数",
    ]
    return (
        '<h2>リスク順位 <span class="en">(Risk ranking)</span></h2>'
        '<p class="lead">重要度で重み付けした指摘を、扱う個人情報の量と要配慮個人情報の有無で'
        "補正したスコアの高い順です。受託者名から各受託者のページへ移れます。</p>"
        + _formula_box()
        + table(header, rows, numeric={0, 3, 4, 5, 6, 7, 8, 9, 11, 12})
    )


def _all_findings_table(run: ReportRun, findings: pd.DataFrame) -> str:
    rows = finding_rows(run, findings, True)
    return table(["受託者", *FINDING_HEADER], rows, numeric={8})


def _followup(run: ReportRun) -> str:
    """Follow-up counts per contractor with findings (指摘対応), risk order."""
    if run.followup is None:
        return ""
    summary = contractor_summary(run.followup.open_items)
    head = '<h2>指摘対応の状況 <span class="en">(Follow-up of findings)</span></h2>'
    lead = (
        '<p class="lead">followup.xlsx に状態と日付を記入し、データフォルダに'
        f"「{html.escape(FOLLOWUP_FILE)}」として保存すると、次回の実行で引き継ぎます"
        "（fill in followup.xlsx and save it in the data folder as "
        f"{html.escape(FOLLOWUP_FILE)}）。"
        "対象外（説明受領）の指摘はリスクスコアに数えません。</p>"
    )
    problems = len(run.followup.problems)
    if problems:
        lead += (
            f'<p class="note">記録の問題 {problems} 件（followup.xlsx の「読込結果」シート）'
            f" / {problems} problems in the record</p>"
        )
    rows = [
        [
            f'<a href="contractors/{page_name(cid)}">{run.h.t(cid)}</a>',
            run.h.t(run.names.get(cid, "")),
            *[str(int(summary.at[cid, key])) for key in SUMMARY_COLUMNS],
        ]
        for cid in run.ranking["contractor_id"].astype(str)
        if cid in summary.index
    ]
    if not rows:
        return head + lead + "<p>指摘はありません。</p>"
    header = ["受託者", "名称", *[html.escape(label) for label in SUMMARY_COLUMNS.values()]]
    return (
        head
        + lead
        + table(header, rows, numeric={2, 3, 4, 5, 6}, cls="followup")
        + _followup_trend(run.followup.trend)
    )


def _followup_trend(trend: pd.DataFrame | None) -> str:
    """The open and overdue items of every stored run: a chart and its table."""
    if trend is None or len(trend) < 2:
        return ""
    rows = [
        [html.escape(f"{pd.Timestamp(r['run_at']):%Y-%m-%d %H:%M}"), html.escape(str(r["as_of"])),
         *(str(int(r[state])) for state in FOLLOWUP_LINES)]
        for _, r in trend.iterrows()
    ]  # fmt: skip
    return (
        '<h3>指摘対応の推移 <span class="en">(Open and overdue items per run)</span></h3>'
        + followup_chart(trend)
        + table(["実行日時", "基準日", *FOLLOWUP_LINES], rows, numeric={2, 3, 4, 5})
    )


def _changes(run: ReportRun) -> str:
    head = '<h2>前回からの変化 <span class="en">(Changes since the previous run)</span></h2>'
    if run.history is None:
        return head + "<p>実行履歴を記録していないため、前回との比較はありません。</p>"
    if run.past is None:
        return head + (
            "<p>このデータフォルダの初回の記録です。前回との比較は次回から表示します。</p>"
        )
    hist = run.past.history
    prev = hist.runs.iloc[-2]
    parts = [
        head,
        f"<p>前回: {html.escape(f'{prev.run_at:%Y-%m-%d %H:%M}')}（基準日 "
        f"{html.escape(str(prev.as_of))}）。指摘の同一性は内容（規則・契約・様式と記録の識別値）"
        "で判定し、行番号には依存しません。</p>",
        f'<h3>新たな指摘 <span class="en">(New findings)</span>: {len(hist.new_findings)} 件</h3>',
    ]
    if len(hist.new_findings):
        parts.append(_all_findings_table(run, hist.new_findings))
    parts.append(
        f'<h3>解消した指摘 <span class="en">(Resolved findings)</span>: '
        f"{len(hist.resolved_findings)} 件</h3>"
    )
    if len(hist.resolved_findings):
        parts.append(_all_findings_table(run, hist.resolved_findings))
    parts.append(_trend_index(run, run.past))
    return "".join(parts)


def _trend_index(run: ReportRun, past: Past) -> str:
    runs = [
        [html.escape(f"{r.run_at:%Y-%m-%d %H:%M}"), html.escape(str(r.as_of)), num(r.findings)]
        for r in past.history.runs.itertuples(index=False)
    ]
    return (
        '<h3>受託者別の推移 <span class="en">(Trend per contractor)</span></h3>'
        '<p class="lead">条項平均適合率 = 判定された条項それぞれの適合率の平均（条項を同じ重みで'
        "平均するので、単位数の多い条項に埋もれません）。前回から下がった受託者が先頭です。"
        "線は実行ごとの推移（左が古い実行）で、見出しのボタンで並べ替えられます。</p>"
        + trend_table(run, past)
        + table(["実行日時", "基準日", "指摘件数"], runs, numeric={2})
    )


def _orphans(run: ReportRun) -> str:
    findings = run.audit.findings
    orphans = findings[findings["contractor_id"].fillna("") == ""]
    if orphans.empty:
        return ""
    return (
        '<h2>受託者に属さない指摘 <span class="en">(Findings without a contractor)</span></h2>'
        + table(FINDING_HEADER, finding_rows(run, orphans, False), numeric={7})
    )


def _contractor_list(run: ReportRun) -> str:
    items = "".join(
        f'<li><a href="contractors/{page_name(cid)}">{run.h.t(cid)} '
        f"{run.h.t(run.names.get(cid, ''))}</a></li>"
        for cid in contractor_ids(run.audit)
    )
    return f'<h2>受託者別ページ <span class="en">(Contractor pages)</span></h2><ul>{items}</ul>'


def index_page(run: ReportRun) -> str:
    """The whole ``index.html`` of the report."""
    note = (
        "氏名は表示しています (--show-names)。取扱いに注意してください。"
        if run.h.show_names
        else "氏名はマスクしています（岡山 ＊＊）。"
    )
    body = (
        '<h1>個人情報取扱特記事項 遵守状況監査レポート <span class="en">'
        "(Audit report: compliance with the personal-data annex)</span></h1>"
        f'<p class="lead">監査基準日 {html.escape(str(run.audit.settings.as_of))}。{note}</p>'
        + _summary(run)
        + _links(run)
        + clause_grid(run)
        + coverage_section(run)
        + _ranking(run)
        + _followup(run)
        + _changes(run)
        + _orphans(run)
        + _contractor_list(run)
        + f"<script>{SORT_SCRIPT}</script>"
    )
    return page("遵守状況監査レポート", body, run.generated, INDEX_CSS)
