"""The HTML report: ``index.html`` (the page a person opens first) and one page per contractor.

Pages are in Japanese (English in parentheses) and self-contained: inline CSS, charts as
base64 PNG, no script, no web font, no external URL, so they open offline and can be mailed
or archived as they are. Every data value is escaped; person names are masked
(``岡山 ＊＊``) unless ``show_names`` is set.

Charts are drawn with matplotlib on an explicit Agg canvas (``Figure`` + ``FigureCanvasAgg``,
never pyplot), so the report needs no display, does not set ``MPLBACKEND`` and does not switch
the backend of a notebook that calls it; ``matplotlib_fontja`` supplies the Japanese font.

Clause status (:func:`clause_status`)
    Per contract × clause that has rules (RULES.md): 不適合 when a rule of the clause failed
    a unit of the contract, 未評価 when no rule of the clause judged any unit of it (no form,
    clause excluded, nothing to judge), 適合 otherwise. 未評価 is not 適合.

    *Contractor-wide units* (contract_id blank: 入退室記録 rows judged by C3-3, take-outs
    and copies whose 台帳番号 is unknown) belong to the contractor, not to one contract,
    and are judged against all of its contracts. They count for **every contract of that
    contractor**, except a contract that excludes the clause (適用除外条項). A contractor-wide
    failure therefore makes the clause 不適合 for each of its contracts. The contractor ×
    clause heatmap counts them once.

Risk score (:func:`risk_ranking`)
    ``score = W × (1 + log10(1 + V / 1000)) × S`` where

    - ``W = 3 × 重大 + 1 × 軽微 + 0.2 × 観察``: the contractor's findings weighted by severity
      (rule failures and its submission defects Q0–Q3, which carry a severity too);
    - ``V`` = 取扱件数: the sum of ``record_volume`` over its contracts in 委託契約一覧
      (blank counts 0). The volume factor grows by 1 for every tenfold of data: 1.0 for no
      records, about 2.0 for 9,000 records, about 3.0 for 99,000;
    - ``S = 1.5`` when any of its contracts handles 要配慮個人情報 (sensitive 有), else 1.0.

    A contractor without findings scores 0 whatever its volume: the score ranks where
    failures meet a lot of (sensitive) data.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.assess import form_states
from tokki_analytics.export import prepare_out, write_text
from tokki_analytics.findings import RULE_ORDER
from tokki_analytics.forms import CONTRACTS
from tokki_analytics.masking import Masker
from tokki_analytics.rules import RULES, clause_reasons
from tokki_analytics.safetext import escape_controls
from tokki_analytics.status import (
    RISK_FORMULA,
    SENSITIVE_FACTOR,
    clause_status,
    contractor_clause_status,
    contractor_ids,
    contractor_names,
    risk_ranking,
)
from tokki_analytics.values import LAST_DAY
from tokki_analytics.vocab import (
    CLAUSE_TITLES,
    MAJOR,
    MINOR,
    OBSERVATION,
    SEVERITIES,
    SEVERITY_WEIGHTS,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    clause_key,
    clause_label,
    rule_clauses,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from tokki_analytics.history import History
    from tokki_analytics.pipeline import Audit

STATUS_CLASS = {STATUS_FAIL: "st-fail", STATUS_NOT_ASSESSED: "st-na", STATUS_PASS: "st-ok"}
SEVERITY_CLASS = {MAJOR: "sev-major", MINOR: "sev-minor", OBSERVATION: "sev-obs"}
FONT_STACK = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "YuGothic", Meiryo, '
    '"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", sans-serif'
)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)")
_UNSAFE_FILE = re.compile(r"[^\w\-]")


# --- charts -----------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg canvas, whatever pyplot's backend (notebooks keep theirs)."""
    import matplotlib_fontja  # noqa: F401 - registers IPAexGothic for Japanese labels
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, tight: bool = False) -> str:
    """The figure as base64 PNG (no metadata); ``tight`` crops to the drawn content."""
    buf = io.BytesIO()
    extra = {"bbox_inches": "tight", "pad_inches": 0.1} if tight else {}
    fig.savefig(buf, format="png", metadata={"Software": None}, **extra)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def pct(rate: float) -> str:
    """A rate as a percentage rounded down to 0.1 (a failing rate never shows 100%)."""
    if rate is None or pd.isna(rate):
        return "—"
    value = math.floor(float(rate) * 1000 + 1e-9) / 10
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def _cell_style(status: str, rate: float) -> tuple[object, str, str | None]:
    """Face colour, text colour and hatch of a heatmap cell."""
    from matplotlib import colormaps

    if status == STATUS_NOT_ASSESSED:
        return "#ececec", "#666666", "///"
    if status == STATUS_PASS:
        return "#d7efdc", "#1d5e2c", None
    level = 0.3 + 0.7 * min(1.0, (1.0 - float(rate)) / 0.5)
    return colormaps["Reds"](level), ("white" if level > 0.6 else "#5a0000"), None


def heatmap_png(status: pd.DataFrame, names: dict[str, str]) -> str:
    """Contractors × clauses heatmap of :func:`contractor_clause_status` as base64 PNG."""
    from matplotlib.patches import Patch, Rectangle

    clauses = rule_clauses()
    ids = list(dict.fromkeys(status["contractor_id"]))
    fig = _figure(2.6 + 0.68 * len(clauses), 1.6 + 0.46 * max(1, len(ids)))
    ax = fig.add_subplot()
    cells = status.set_index(["contractor_id", "clause"])
    for i, cid in enumerate(ids):
        for j, clause in enumerate(clauses):
            cell = cells.loc[(cid, clause)]
            face, ink, hatch = _cell_style(cell["status"], cell["rate"])
            ax.add_patch(
                Rectangle(
                    (j, i), 1, 1, facecolor=face, edgecolor="#b5b5b5", hatch=hatch, linewidth=0
                )
            )
            ax.text(
                j + 0.5,
                i + 0.5,
                pct(cell["rate"]),
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
    legend = [
        Patch(facecolor="#d7efdc", label="適合 (compliant, 100%)"),
        Patch(facecolor=_cell_style(STATUS_FAIL, 0.9)[0], label="不適合: 赤が濃いほど不合格が多い"),
        Patch(
            facecolor="#ececec", hatch="///", edgecolor="#b5b5b5", label="未評価 (not assessed) —"
        ),
    ]
    ax.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    return _png(fig, tight=True)


def _run_labels(trend: pd.DataFrame) -> tuple[list[int], list[str]]:
    runs = trend[["run_id", "run_at", "as_of"]].drop_duplicates("run_id")
    runs = runs.sort_values(["run_at", "run_id"])
    labels = [f"{pd.Timestamp(t):%m/%d %H:%M}" for t in runs["run_at"]]
    return list(runs["run_id"]), labels


def _plot_trend(
    ax, trend: pd.DataFrame, order: list[int], labels: list[str], title: str, low: float
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
    fig = _figure(width * cols, (2.3 if len(ids) > 1 else 2.6) * rows)
    for n, cid in enumerate(ids):
        ax = fig.add_subplot(rows, cols, n + 1)
        part = trend[trend["contractor_id"] == cid]
        _plot_trend(ax, part, order, labels, titles[cid], low)
        if n % cols == 0:
            ax.set_ylabel("条項平均適合率 (%)", fontsize=7.5)
    fig.tight_layout()
    return _png(fig)


# --- HTML -------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font-family: FONTS; margin: 0; color: #1f2328; background: #f6f7f9;
  line-height: 1.55; font-size: 14px; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 28px 48px; background: #fff; }
h1 { font-size: 1.55em; margin: 0.2em 0 0.1em; border-bottom: 3px solid #1f4e79;
  padding-bottom: 0.25em; }
h1 .en, h2 .en, h3 .en { font-weight: normal; color: #5b6570; font-size: 0.72em; }
h2 { font-size: 1.22em; margin-top: 1.8em; border-left: 6px solid #1f4e79;
  padding-left: 0.5em; }
h3 { font-size: 1.05em; margin-top: 1.3em; }
p.lead { color: #4a5560; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left;
  white-space: nowrap; }
td.w { white-space: normal; min-width: 12em; }
table.kv td { white-space: normal; }
th { background: #eef2f6; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #fafbfc; }
table.kv th { width: 15em; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.8em 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 8.5em;
  background: #fbfcfd; }
.card .v { font-size: 1.5em; font-weight: 700; }
.card .k { font-size: 0.85em; color: #4a5560; }
.formula { background: #f3f6fa; border: 1px solid #c9d6e3; border-radius: 6px;
  padding: 10px 14px; margin: 0.6em 0 1em; }
.formula code { font-size: 1.05em; font-weight: 600; }
code { font-family: "SFMono-Regular", Consolas, "Noto Sans Mono CJK JP", monospace; }
.st { font-weight: 700; text-align: center; white-space: nowrap; }
.st small { display: block; font-weight: normal; font-size: 0.8em; }
table tr td.st-fail, span.st-fail { background: #fbd3d0; color: #8a1010; }
table tr td.st-ok, span.st-ok { background: #dcf1e1; color: #1d5e2c; }
table tr td.st-na, span.st-na { color: #555; background-color: #efefef;
  background-image: repeating-linear-gradient(45deg, transparent 0 5px, #d6d6d6 5px 7px); }
span.st { padding: 1px 8px; border-radius: 4px; }
.sev { padding: 0 6px; border-radius: 4px; font-weight: 700; white-space: nowrap; }
.sev-major { background: #b42318; color: #fff; }
.sev-minor { background: #f5c451; color: #3d2b00; }
.sev-obs { background: #d0d7de; color: #24292f; }
.new { background: #1f6feb; color: #fff; border-radius: 4px; padding: 0 5px;
  font-size: 0.8em; margin-left: 4px; }
img.chart { max-width: 100%; height: auto; border: 1px solid #e1e4e8; }
nav a, a { color: #0b5cad; }
nav { margin: 0.3em 0 0.8em; font-size: 0.95em; }
.note { color: #4a5560; font-size: 0.9em; }
footer { margin-top: 3em; color: #5b6570; font-size: 0.85em; border-top: 1px solid #d0d7de;
  padding-top: 0.8em; }
""".replace("FONTS", FONT_STACK)


@dataclass
class _Html:
    """Escaping and masking of data values for one report."""

    mask: Masker
    show_names: bool
    person_names: dict[tuple[str, str], str] = field(default_factory=dict)

    def t(self, value: object) -> str:
        """A data value as escaped HTML text, names masked unless shown."""
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
            return ""
        if isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        return html.escape(self.mask.text(str(value)))

    def person(self, contractor_id: str, person_id: str) -> str:
        """The roster name of a person (masked unless shown), escaped; "" if unknown."""
        name = self.person_names.get((str(contractor_id), str(person_id)), "")
        if not name:
            return ""
        return html.escape(self.mask.name(name))


def _staff_names(audit: Audit) -> dict[tuple[str, str], str]:
    staff = audit.submission.frames.get("staff")
    if staff is None or staff.empty:
        return {}
    frame = staff[["contractor_id", "person_id", "name"]].dropna()
    return {
        (str(c), str(p)): str(n).strip()
        for c, p, n in frame.itertuples(index=False)
        if str(n).strip()
    }


#: Columns whose cells wrap (long text); other cells stay on one line.
WRAP_HEADERS = frozenset({"ファイル", "内容", "値", "業務名", "担当課", "適用除外条項"})


def _table(
    header: list[str], rows: list[list[str]], numeric: set[int] | None = None, cls: str = ""
) -> str:
    """An HTML table from escaped cell HTML.

    Args:
        header: Column headings (escaped HTML).
        rows: Cells as escaped HTML, or whole ``<td …>`` elements.
        numeric: Positions of columns to align right.
        cls: CSS class of the table.

    Returns:
        The table; cells of :data:`WRAP_HEADERS` columns wrap, others stay on one line.
    """
    numeric = numeric or set()
    kinds = [
        "num" if i in numeric else ("w" if h in WRAP_HEADERS else "") for i, h in enumerate(header)
    ]
    head = "".join(
        f'<th class="{k}">{h}</th>' if k else f"<th>{h}</th>"
        for k, h in zip(kinds, header, strict=True)
    )
    body = []
    for row in rows:
        cells = "".join(
            c if c.startswith("<td") else (f'<td class="{k}">{c}</td>' if k else f"<td>{c}</td>")
            for k, c in zip(kinds, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _page(title: str, body: str, generated: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n<footer>tokki-analytics が {html.escape(generated)} に作成。"
        "このページは外部への通信なしで閲覧できます (self-contained, works offline)。"
        "</footer>\n</main>\n</body>\n</html>\n"
    )


def _contract(h: _Html, contract_id: object) -> str:
    """A contract id, or a grey 受託者全体 where the unit belongs to the contractor."""
    text = h.t(contract_id)
    return text or '<span class="note">受託者全体</span>'


def _sev(severity: str) -> str:
    cls = SEVERITY_CLASS.get(severity, "sev-obs")
    return f'<span class="sev {cls}">{html.escape(str(severity))}</span>'


def _badge(status: str) -> str:
    return f'<span class="st {STATUS_CLASS[status]}">{html.escape(status)}</span>'


def _img(b64: str, alt: str) -> str:
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def _num(value: float | int) -> str:
    return f"{int(value):,}"


def _page_name(contractor_id: str) -> str:
    return _UNSAFE_FILE.sub("_", str(contractor_id)) + ".html"


def _safe_links(links: dict[str, str] | None) -> dict[str, str]:
    for href in links or {}:
        if _SCHEME.match(href):
            raise ValueError(
                f"リンクは出力フォルダ内の相対パスに限ります / links must be relative: {href}"
            )
    return dict(links or {})


# --- index.html sections ---------------------------------------------------------------


@dataclass
class _Run:
    """What every page of one report shares."""

    audit: Audit
    h: _Html
    names: dict[str, str]
    ranking: pd.DataFrame
    status: pd.DataFrame
    history: History | None
    links: dict[str, str]
    generated: str
    new_ids: set[str] = field(default_factory=set)
    identities: pd.Series | None = None
    units: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None

    @property
    def earlier(self) -> bool:
        return self.history is not None and self.history.has_earlier_runs


def _cards(items: list[tuple[str, str]]) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="v">{v}</div><div class="k">{k}</div></div>'
            for k, v in items
        )
        + "</div>"
    )


def _summary(run: _Run) -> str:
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
        ("読み込んだ行数 (rows read)", f"{_num(sum(sub.rows().values()))} 行"),
        ("判定した単位数 (units checked)", f"{_num(audit.compliance['units_checked'].sum())}"),
        (
            "提出物の不備 (defects)",
            " / ".join(f"{q} {int(defects.get(q, 0))}" for q in ("Q0", "Q1", "Q2", "Q3")),
        ),
        (
            "契約×条項 (contract × clause)",
            " / ".join(
                f"{s} {int(statuses.get(s, 0))}"
                for s in (STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS)
            ),
        ),
    ]
    cards = [(f"指摘 {s}", _num(by_sev.get(s, 0))) for s in SEVERITIES]
    cards.append(("提出物の不備 Q0–Q3", _num(defects.sum())))
    cards.append(("指摘の合計 (findings.csv)", _num(len(findings))))
    rows = [[k, v] for k, v in kv]
    return (
        '<h2>実行概要 <span class="en">(Run summary)</span></h2>'
        + _cards(cards)
        + _table(["項目", "値"], rows, cls="kv")
    )


def _links(run: _Run, prefix: str = "") -> str:
    if not run.links:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(prefix + href)}">{html.escape(label)}</a> '
        f'<span class="note">({html.escape(href)})</span></li>'
        for href, label in run.links.items()
    )
    return f'<h2>関連資料 <span class="en">(Links)</span></h2><ul>{items}</ul>'


def _heatmap(run: _Run) -> str:
    status = contractor_clause_status(run.audit)
    if status.empty:
        return "<h2>受託者×条項の適合状況</h2><p>契約がありません。</p>"
    b64 = heatmap_png(status, run.names)
    return (
        '<h2>受託者×条項の適合状況 <span class="en">(Compliance heatmap)</span></h2>'
        '<p class="lead">各セルは適合率 = 1 − 不合格の単位数 ÷ 判定した単位数（受託者の全契約と'
        "受託者全体の記録を合わせて）。<b>適合</b> は緑、<b>不適合</b> は赤（濃いほど不合格の割合が"
        "高い）、<b>未評価</b>（判定できる記録がない、または適用除外）は灰色の斜線と「—」で"
        "示します。未評価は適合ではありません。</p>" + _img(b64, "受託者×条項の適合率ヒートマップ")
    )


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


def _ranking(run: _Run) -> str:
    rows = []
    for r in run.ranking.itertuples(index=False):
        link = f'<a href="contractors/{_page_name(r.contractor_id)}">{run.h.t(r.contractor_id)}</a>'
        rows.append(
            [
                str(r.rank),
                link,
                run.h.t(r.name),
                f"<b>{r.score:.2f}</b>",
                *[str(getattr(r, s)) for s in SEVERITIES],
                f"{r.weighted_failures:g}",
                _num(r.record_volume),
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
        "重大",
        "軽微",
        "観察",
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
        + _table(header, rows, numeric={0, 3, 4, 5, 6, 7, 8, 9, 11, 12})
    )


def _finding_rows(run: _Run, findings: pd.DataFrame, with_contractor: bool) -> list[list[str]]:
    h = run.h
    rows = []
    for f in findings.itertuples(index=False):
        row = [h.t(f.contractor_id)] if with_contractor else []
        row += [
            h.t(f.rule_id),
            _sev(f.severity),
            h.t(f.clause),
            _contract(h, f.contract_id),
            h.t(f.form),
            h.t(f.source),
            h.t(f.sheet),
            "" if pd.isna(f.row) else str(int(f.row)),
            h.t(f.detail),
        ]
        rows.append(row)
    return rows


_FINDING_HEADER = ["規則", "重要度", "条項", "契約", "様式", "ファイル", "シート", "行", "内容"]


def _all_findings_table(run: _Run, findings: pd.DataFrame) -> str:
    rows = _finding_rows(run, findings, True)
    return _table(["受託者", *_FINDING_HEADER], rows, numeric={8})


def _changes(run: _Run) -> str:
    head = '<h2>前回からの変化 <span class="en">(Changes since the previous run)</span></h2>'
    if run.history is None:
        return head + "<p>実行履歴を記録していないため、前回との比較はありません。</p>"
    if not run.earlier:
        return head + (
            "<p>このデータフォルダの初回の記録です。前回との比較は次回から表示します。</p>"
        )
    hist = run.history
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
    parts.append(_trend_index(run))
    return "".join(parts)


def _trend_index(run: _Run) -> str:
    trend = run.trend
    ids = sorted(trend["contractor_id"].unique())
    titles = {cid: f"{cid} {run.names.get(cid, '')}" for cid in ids}
    runs = [
        [html.escape(f"{r.run_at:%Y-%m-%d %H:%M}"), html.escape(str(r.as_of)), _num(r.findings)]
        for r in run.history.runs.itertuples(index=False)
    ]
    return (
        '<h3>受託者別の推移 <span class="en">(Trend per contractor)</span></h3>'
        '<p class="lead">条項平均適合率 = 判定された条項それぞれの適合率の平均（条項を同じ重みで'
        "平均するので、単位数の多い条項に埋もれません）。横軸は実行日時です。</p>"
        + _img(trend_png(trend, titles), "受託者別の条項平均適合率の推移")
        + _table(["実行日時", "基準日", "指摘件数"], runs, numeric={2})
    )


def _orphans(run: _Run) -> str:
    findings = run.audit.findings
    orphans = findings[findings["contractor_id"].fillna("") == ""]
    if orphans.empty:
        return ""
    return (
        '<h2>受託者に属さない指摘 <span class="en">(Findings without a contractor)</span></h2>'
        + _table(_FINDING_HEADER, _finding_rows(run, orphans, False), numeric={7})
    )


def _contractor_list(run: _Run) -> str:
    items = "".join(
        f'<li><a href="contractors/{_page_name(cid)}">{run.h.t(cid)} '
        f"{run.h.t(run.names.get(cid, ''))}</a></li>"
        for cid in contractor_ids(run.audit)
    )
    return f'<h2>受託者別ページ <span class="en">(Contractor pages)</span></h2><ul>{items}</ul>'


def _index_page(run: _Run) -> str:
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
        + _heatmap(run)
        + _ranking(run)
        + _changes(run)
        + _orphans(run)
        + _contractor_list(run)
    )
    return _page("遵守状況監査レポート", body, run.generated)


# --- contractor pages -----------------------------------------------------------------


def _end_text(end: object) -> str | None:
    """A contract's end date; an open end (9999-12-31 in 委託契約一覧) reads 定めなし."""
    if pd.isna(end):
        return None
    return "定めなし (9999-12-31)" if end.date() == LAST_DAY else f"{end:%Y-%m-%d}"


def _contract_table(run: _Run, contracts: pd.DataFrame) -> str:
    h = run.h
    rows = [
        [
            h.t(c.contract_id),
            h.t(c.department),
            h.t(c.title),
            h.t(None if pd.isna(c.start_date) else f"{c.start_date:%Y-%m-%d}"),
            h.t(_end_text(c.end_date)),
            "" if pd.isna(c.record_volume) else _num(c.record_volume),
            h.t(c.sensitive),
            h.t(c.handles_electronic),
            h.t(c.excluded_clauses),
        ]
        for c in contracts.itertuples(index=False)
    ]
    keys = ["contract_id", "department", "title", "start_date", "end_date", "record_volume"]
    keys += ["sensitive", "handles_electronic", "excluded_clauses"]
    header = [CONTRACTS.column(key).name for key in keys]
    return '<h2>契約 <span class="en">(Contracts)</span></h2>' + _table(header, rows, {5})


def _status_cell(row: pd.Series, reason: str = "") -> str:
    status = row["status"]
    if status == STATUS_NOT_ASSESSED:
        small = "適用除外" if row["excluded"] else html.escape(reason or "判定なし")
    else:
        small = f"不合格 {int(row['units_failed'])} / 判定 {int(row['units_checked'])}"
    return f'<td class="st {STATUS_CLASS[status]}">{html.escape(status)}<small>{small}</small></td>'


def _status_table(run: _Run, cid: str, contracts: pd.DataFrame) -> str:
    status = run.status[run.status["contractor_id"] == cid].set_index(["contract_id", "clause"])
    ids = list(contracts["contract_id"])
    sub = run.audit.submission
    reasons = clause_reasons(form_states(sub.submitted, sub.defects), cid)
    rows = []
    for clause in rule_clauses():
        cells = [_status_cell(status.loc[(k, clause)], reasons.get(clause, "")) for k in ids]
        rows.append([html.escape(clause_label(clause)), *cells])
    legend = " ".join(_badge(s) for s in (STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS))
    return (
        '<h2>契約ごとの条項の状況 <span class="en">(Clause status per contract)</span></h2>'
        f"<p>{legend}</p>"
        '<p class="note">不適合: その条項の規則が不合格を出した。未評価: その条項の規則が判定した'
        "記録がない（様式の提出なし・適用除外・対象の記録なし）— 適合ではありません。その下の小さな"
        "字が理由です（様式が読めない・見出し行がない・提出なし / why: a form unreadable, "
        "without a header row, or not sent）。適合: 判定し"
        "すべて合格。入退室記録など契約番号のない受託者全体の記録は、その条項を適用除外していない"
        "すべての契約に数えます。</p>" + _table(["条項", *[run.h.t(k) for k in ids]], rows)
    )


def _clause_findings(run: _Run, findings: pd.DataFrame, ids: pd.Series | None) -> str:
    h = run.h
    units = _units(run, findings)
    header = ["規則", "重要度", "契約", "様式", "ファイル", "シート", "行", "氏名", "内容"]
    rows = []
    for idx, f in findings.iterrows():
        rule = _RULE_TEXT.get(f["rule_id"], "")
        new = '<span class="new">新規</span>' if ids is not None and ids[idx] in run.new_ids else ""
        rows.append(
            [
                f'<span title="{html.escape(rule)}">{h.t(f["rule_id"])}</span>{new}',
                _sev(f["severity"]),
                _contract(h, f["contract_id"]),
                h.t(f["form"]),
                h.t(f["source"]),
                h.t(f["sheet"]),
                "" if pd.isna(f["row"]) else str(int(f["row"])),
                h.person(f["contractor_id"], units.at[idx, "person_id"]),
                h.t(f["detail"]),
            ]
        )
    return _table(header, rows, numeric={6})


_RULE_TEXT = {rule.id: rule.description for rule in RULES}


def _units(run: _Run, findings: pd.DataFrame) -> pd.DataFrame:
    if run.units is None:
        from tokki_analytics.history import finding_units

        run.units = finding_units(run.audit.findings)
    return run.units.loc[findings.index]


def _findings_by_clause(run: _Run, cid: str) -> str:
    findings = run.audit.findings
    mine = findings[(findings["contractor_id"] == cid) & ~findings["rule_id"].str.startswith("Q")]
    head = '<h2>条項別の指摘 <span class="en">(Findings by clause)</span></h2>'
    if mine.empty:
        return head + "<p>条項の規則による指摘はありません。</p>"
    ids = run.identities if run.earlier else None
    parts = [head]
    for clause in sorted(mine["clause"].unique(), key=clause_key):
        part = mine[mine["clause"] == clause]
        rules = "<br>".join(
            html.escape(f"{r}: {_RULE_TEXT.get(r, '')}")
            for r in sorted(part["rule_id"].unique(), key=RULE_ORDER.index)
        )
        parts.append(
            f"<h3>{html.escape(clause_label(clause))}（{len(part)} 件）</h3>"
            f'<p class="note">{rules}</p>'
        )
        parts.append(_clause_findings(run, part, ids))
    return "".join(parts)


def _defects(run: _Run, cid: str) -> str:
    defects = run.audit.submission.defects
    mine = defects[defects["contractor_id"] == cid]
    head = '<h2>提出物の不備 <span class="en">(Submission defects Q0–Q3)</span></h2>'
    if mine.empty:
        return head + "<p>提出物の不備はありません。</p>"
    h = run.h
    mine = h.mask.name_cells(mine)  # a name cell's raw value, even one too short to search for
    rows = [
        [
            h.t(d.rule_id),
            _sev(d.severity),
            _contract(h, d.contract_id),
            h.t(d.form),
            h.t(d.source),
            h.t(d.sheet),
            "" if pd.isna(d.row) else str(int(d.row)),
            h.t(d.column),
            h.t(d.value),
            h.t(d.detail),
        ]
        for d in mine.itertuples(index=False)
    ]
    header = ["規則", "重要度", "契約", "様式", "ファイル", "シート", "行", "列", "値", "内容"]
    return head + _table(header, rows, numeric={6})


_TREND_HEADER = [
    "実行日時",
    "基準日",
    "条項平均適合率",
    "不適合の条項数",
    "判定した条項数",
    "不合格の単位数",
]


def _contractor_trend(run: _Run, cid: str) -> str:
    head = '<h2>推移 <span class="en">(Trend)</span></h2>'
    if not run.earlier:
        return head + "<p>比較できる過去の実行記録がありません。</p>"
    trend = run.trend[run.trend["contractor_id"] == cid]
    if trend.empty:
        return head + "<p>この受託者の適合率の記録はありません。</p>"
    rows = [
        [
            html.escape(f"{r.run_at:%Y-%m-%d %H:%M}"),
            html.escape(str(r.as_of)),
            pct(r.mean_rate),
            str(int(r.clauses_failed)),
            str(int(r.clauses_assessed)),
            _num(r.units_failed),
        ]
        for r in trend.itertuples(index=False)
    ]
    hist = run.history
    new = hist.new_findings[hist.new_findings["contractor_id"] == cid]
    resolved = hist.resolved_findings[hist.resolved_findings["contractor_id"] == cid]
    title = {cid: f"{cid} {run.names.get(cid, '')}"}
    return (
        head
        + _img(trend_png(trend, title, columns=1), "条項平均適合率の推移")
        + _table(_TREND_HEADER, rows, numeric={2, 3, 4, 5})
        + f"<p>前回から: 新たな指摘 {len(new)} 件、解消した指摘 {len(resolved)} 件。</p>"
        + (
            _table(_FINDING_HEADER, _finding_rows(run, resolved, False), numeric={7})
            if len(resolved)
            else ""
        )
    )


def _contractor_summary(run: _Run, cid: str) -> str:
    rank = run.ranking[run.ranking["contractor_id"] == cid].iloc[0]
    cards = [
        ("リスクスコア", f"{rank['score']:.2f}"),
        ("順位", f"{int(rank['rank'])} / {len(run.ranking)}"),
        *[(f"指摘 {s}", str(int(rank[s]))) for s in SEVERITIES],
        ("不適合の条項数", str(int(rank["clauses_failed"]))),
    ]
    return (
        '<h2>概要 <span class="en">(Summary)</span></h2>'
        + _cards(cards)
        + f'<p class="note">{html.escape(RISK_FORMULA)}。内訳 (breakdown): '
        + f"{run.h.t(rank['components'])}</p>"
    )


def _contractor_page(run: _Run, cid: str) -> str:
    contracts = run.audit.submission.contracts
    contracts = contracts[contracts["contractor_id"] == cid]
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
    body += _findings_by_clause(run, cid) + _defects(run, cid) + _contractor_trend(run, cid)
    return _page(f"{cid} {name} — 遵守状況", body, run.generated)


# --- entry point ------------------------------------------------------------------------


def _prepare_run(
    audit: Audit, show_names: bool, history: History | None, links: dict[str, str] | None
) -> _Run:
    h = _Html(Masker.of(audit, show=show_names), show_names, _staff_names(audit))
    run = _Run(
        audit=audit,
        h=h,
        names=contractor_names(audit),
        ranking=risk_ranking(audit),
        status=clause_status(audit),
        history=history,
        links=_safe_links(links),
        generated=f"{dt.datetime.now():%Y-%m-%d %H:%M}",
    )
    if run.earlier:
        from tokki_analytics.history import finding_identities, finding_units

        run.units = finding_units(audit.findings)
        run.identities = finding_identities(audit.findings, units=run.units)
        run.trend = history.trend()
        run.new_ids = set(history.new_findings["identity"])
    return run


def write_html(
    audit: Audit,
    out: Path,
    *,
    show_names: bool = False,
    group_readable: bool = False,
    history: History | None = None,
    links: dict[str, str] | None = None,
) -> list[Path]:
    """Write the HTML report: ``out/index.html`` and ``out/contractors/<id>.html``.

    Args:
        audit: The run to report.
        out: The output folder (created owner-only, or group-readable).
        show_names: Show person names in full (default: masked, 岡山 ＊＊).
        group_readable: Files 0640 and folders 0750 instead of 0600 / 0700.
        history: The run's history (:func:`tokki_analytics.history.record_run`) for new
            and resolved findings and trends; None leaves them out.
        links: Relative paths inside ``out`` → label, listed on every page (e.g.
            ``{"findings.xlsx": "Excel"}``); an absolute URL raises ValueError.

    Returns:
        The pages written, index.html first.
    """
    run = _prepare_run(audit, show_names, history, links)
    out = prepare_out(Path(out), group_readable)
    pages = prepare_out(out / "contractors", group_readable)
    # control characters of the data are shown as their code (safetext.escape_controls)
    written = [write_text(out / "index.html", escape_controls(_index_page(run)), group_readable)]
    for cid in contractor_ids(audit):
        text = escape_controls(_contractor_page(run, cid))
        written.append(write_text(pages / _page_name(cid), text, group_readable))
    return written
