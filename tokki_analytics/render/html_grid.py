"""The contractors × clauses table of ``index.html``: one row per contractor, sortable.

Each cell is a contractor's clause status
(:func:`tokki_analytics.status.contractor_clause_status`) as text and colour: the rate for
適合 (always 100%) and 不適合 (red, darker as more units failed, marked ✕), the word
未評価 on grey stripes. Rows come in risk order (:func:`tokki_analytics.status.risk_ranking`),
each contractor links to its page. The table scrolls inside its box with its header row and
first column in view (CSS ``position: sticky``, :data:`~.css.GRID_CSS`). The header cells
hold real buttons: a small inline script (:data:`SORT_SCRIPT`, no network, no library)
sorts by the risk score, the contractor or any clause and sets ``aria-sort``; without
JavaScript the table is complete, in risk order. Laid out as strings from whole columns,
so 3,000 contractors take a fraction of a second.
"""

from __future__ import annotations

import html

import pandas as pd

from tokki_analytics.render.charts import pct
from tokki_analytics.render.css import FAIL_SHADES, STATUS_CLASS, fail_shade
from tokki_analytics.render.html_parts import ReportRun, page_name
from tokki_analytics.status import contractor_clause_status
from tokki_analytics.vocab import (
    CLAUSE_TITLES,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    rule_clauses,
)

#: The ``id`` of the table.
GRID_ID = "clause-grid"
#: The class of a table that :data:`SORT_SCRIPT` makes sortable.
SORTABLE = "sortable"

#: Sorts every ``table.sortable`` of the page by its header buttons: numbers parsed from
#: the cells' text (a ``data-num`` button), cells without a number (未評価, —) last in
#: either direction, ties in the page's order. No ``//`` anywhere (the offline checks
#: would read it as an address).
SORT_SCRIPT = """
(function () {
  function sortable(table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, i) { row.tokkiOrder = i; });
    function value(row, col, numeric) {
      var text = row.cells[col].textContent.trim();
      if (!numeric) { return text; }
      var v = parseFloat(text.replace(/[^0-9.+-]/g, ""));
      return isNaN(v) ? null : v;
    }
    function sortBy(col, dir, numeric) {
      var keyed = rows.map(function (row) { return [value(row, col, numeric), row]; });
      var sign = dir === "ascending" ? 1 : -1;
      keyed.sort(function (a, b) {
        if (a[0] === null || b[0] === null) {
          if (a[0] !== b[0]) { return a[0] === null ? 1 : -1; }
        } else {
          var c = numeric ? a[0] - b[0] : a[0].localeCompare(b[0], "ja");
          if (c) { return sign * c; }
        }
        return a[1].tokkiOrder - b[1].tokkiOrder;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k[1]); });
      body.appendChild(frag);
      rows = keyed.map(function (k) { return k[1]; });
      for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
      heads[col].setAttribute("aria-sort", dir);
    }
    table.tHead.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var th = button.closest("th");
      var first = button.getAttribute("data-first");
      var other = first === "ascending" ? "descending" : "ascending";
      var dir = th.getAttribute("aria-sort") === first ? other : first;
      sortBy(th.cellIndex, dir, button.hasAttribute("data-num"));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
})();
"""


def sort_header(label: str, first: str, numeric: bool, aria_sort: str = "") -> str:
    """A ``<th>`` holding a sort button (:data:`SORT_SCRIPT`).

    Args:
        label: The heading, escaped HTML.
        first: The order of the first press: ``ascending`` or ``descending``.
        numeric: Sort by the number in the cells' text (else by the text).
        aria_sort: The order the table is in already by this column, if any.

    Returns:
        The header cell.
    """
    sort = f' aria-sort="{aria_sort}"' if aria_sort else ""
    num = " data-num" if numeric else ""
    return (
        f'<th scope="col"{sort}><button type="button" data-first="{first}"{num}>'
        f"{label}</button></th>"
    )


def scroll_box(label: str, table_html: str) -> str:
    """A table in a box that scrolls, its header row and first column in view (GRID_CSS)."""
    return (
        f'<div class="grid-wrap" role="region" tabindex="0" aria-label="{html.escape(label)}">'
        f"{table_html}</div>"
    )


_LEAD = (
    '<p class="lead">各セルは適合率 = 1 − 不合格の単位数 ÷ 判定した単位数（受託者の全契約と'
    "受託者全体の記録を合わせて）。表はリスクスコアの高い順です。見出しのボタン（クリック、"
    "または Tab で移り Enter / Space）で、リスクスコアや各条項の適合率の順に並べ替えられます"
    "（条項は適合率の低い順から。未評価は常に最後）。受託者名から各受託者のページへ移れます。"
    "表は枠の中でスクロールし、見出しの行と受託者の列は常に見えます。</p>"
)


def _shade_label(n: int) -> str:
    """``90%以上`` … ``50%未満``: the rates of a shade of :data:`FAIL_SHADES`."""
    low = FAIL_SHADES[n][0]
    return f"{pct(low)}以上" if low > 0 else f"{pct(FAIL_SHADES[n - 1][0])}未満"


def _legend() -> str:
    shades = " ".join(
        f'<span class="key st-fail lv{n}">{_shade_label(n)}</span>' for n in range(len(FAIL_SHADES))
    )
    return (
        '<ul class="legend" aria-label="凡例 (legend)">'
        f'<li><span class="key {STATUS_CLASS[STATUS_PASS]}">100%</span> 適合</li>'
        f"<li>{shades} 不適合（✕、赤が濃いほど不合格の割合が高い）</li>"
        f'<li><span class="key {STATUS_CLASS[STATUS_NOT_ASSESSED]}">未評価</span> '
        "未評価（判定できる記録がない、または適用除外。適合ではありません）</li></ul>"
    )


def _header(clauses: list[str]) -> str:
    cells = [
        sort_header("受託者", "ascending", False),
        sort_header('リスク<span class="t">スコア</span>', "descending", True, "descending"),
    ]
    cells += [
        sort_header(
            f'{html.escape(c)}<span class="t">{html.escape(CLAUSE_TITLES.get(c, ""))}</span>',
            "ascending",
            True,
        )
        for c in clauses
    ]
    return f"<thead><tr>{''.join(cells)}</tr></thead>"


def _cells(status: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(contractor, clause) → the ``<td>`` of its cell, for every row of ``status``."""
    out = {}
    columns = [status[c].tolist() for c in ("contractor_id", "clause", "status", "rate")]
    for cid, clause, state, rate in zip(*columns, strict=True):
        if state == STATUS_NOT_ASSESSED:
            td = f'<td class="{STATUS_CLASS[state]}">未評価</td>'
        elif state == STATUS_FAIL:
            td = f'<td class="{STATUS_CLASS[state]} lv{fail_shade(rate)}">{pct(rate)}</td>'
        else:
            td = f'<td class="{STATUS_CLASS[state]}">{pct(rate)}</td>'
        out[(str(cid), str(clause))] = td
    return out


def _rows(run: ReportRun, status: pd.DataFrame, ids: list[str], clauses: list[str]) -> str:
    cells = _cells(status)
    scores = dict(zip(run.ranking["contractor_id"], run.ranking["score"], strict=True))
    h = run.h
    return "".join(
        f'<tr><th scope="row"><a href="contractors/{page_name(cid)}">{h.t(cid)} '
        f"{h.t(run.names.get(cid, ''))}</a></th>"
        f'<td class="num">{scores[cid]:.2f}</td>'
        + "".join(cells[(cid, clause)] for clause in clauses)
        + "</tr>"
        for cid in ids
    )


def _without_contracts(run: ReportRun, ids: list[str]) -> str:
    if not ids:
        return ""
    links = "、".join(
        f'<a href="contractors/{page_name(cid)}">{run.h.t(cid)} '
        f"{run.h.t(run.names.get(cid, ''))}</a>"
        for cid in ids
    )
    return f'<p class="note">委託契約一覧に契約のない受託者（表にはありません）: {links}</p>'


def clause_grid(run: ReportRun) -> str:
    """The section of index.html: heading, legend and the sortable table.

    The page adds :data:`SORT_SCRIPT` once, after its last sortable table.
    """
    head = (
        '<h2>受託者×条項の適合状況 <span class="en">'
        "(Compliance by contractor and clause)</span></h2>"
    )
    status = contractor_clause_status(run.audit)
    if status.empty:
        return head + "<p>契約がありません。</p>"
    clauses = rule_clauses()
    present = set(status["contractor_id"])
    ranked = [str(cid) for cid in run.ranking["contractor_id"]]
    ids = [cid for cid in ranked if cid in present]
    table = (
        f'<table class="grid {SORTABLE}" id="{GRID_ID}">{_header(clauses)}'
        f"<tbody>{_rows(run, status, ids, clauses)}</tbody></table>"
    )
    others = [cid for cid in ranked if cid not in present]
    return (
        head
        + _LEAD
        + _legend()
        + scroll_box("受託者×条項の適合状況（枠の中でスクロール）", table)
        + _without_contracts(run, others)
    )
