"""Data Docs pages rewritten to read well offline and in Japanese (pure string functions).

GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and GX's logo from
CDNs; :mod:`tokki_analytics.outputs.offline` removes those references, and the pages then
need what this module gives them: a compact inline stylesheet (:data:`DATADOCS_CSS`:
layout, tables, cards, success/failure colours, icons), a few lines of plain JavaScript
(:data:`DATADOCS_JS`: collapsible blocks, the "failed only" filter), static tables on the
index page in place of bootstrap-table's script-built ones (:func:`static_index_tables`),
Japanese labels for GX's headings (:func:`translate_labels`), and tokki's title and note
(:func:`page_transform`, which applies all of it and the masking to one page).
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import logging
import re
from collections.abc import Callable

from tokki_analytics.gx.suites import VIEW_TITLES, views_in_order
from tokki_analytics.safetext import escape_controls

log = logging.getLogger(__name__)

#: GX headings and labels → Japanese (exact text of an element).
LABELS_JA = {
    "Expectation Validation Result": "検証結果（Expectation Validation Result）",
    "Evaluates whether a batch of data matches expectations.": (
        "チェック用ビューの全行を、その期待値スイート（条項ごとの規則）で一度に検証した結果です。"
    ),
    "Expectation Suite": "期待値スイート（Expectation Suite）",
    "A collection of Expectations defined for batches of data.": (
        "チェック用ビューに定義した期待値（規則）の一覧です。説明文は規則ID・条項・内容です。"
    ),
    "Overview": "概要",
    "Statistics": "統計",
    "Table of Contents": "目次",
    "Actions": "表示",
    "Validation Filter:": "絞り込み:",
    "Show All": "すべて表示",
    "Failed Only": "失敗のみ",
    "Show more info...": "詳細を表示…",
    "Info": "情報",
    "Expectation Suite:": "期待値スイート:",
    "Expectation Suite Name": "期待値スイート名",
    "Status:": "結果:",
    "Failed": "失敗",
    "Succeeded": "成功",
    "Notes": "注記",
    "Status": "結果",
    "Expectation": "期待値（規則）",
    "Observed Value": "観測値",
    "Home": "トップ",
    "Evaluated Expectations": "評価した期待値",
    "Successful Expectations": "成功した期待値",
    "Unsuccessful Expectations": "失敗した期待値",
    "Success Percent": "成功率",
    "Run Name": "実行名",
    "Run Time": "実行日時",
    "Unexpected Value": "失敗した値",
    "Sampled Unexpected Values": "失敗した値（抜粋）",
    "Count": "件数",
}

#: Columns of the index page's table of validation results.
VALIDATIONS_HEADER = [
    "結果",
    "検証対象（ビュー）",
    "期待値スイート",
    "成功／評価",
    "実行日時",
    "実行名",
]

#: The stylesheet that replaces Bootstrap, bootstrap-table and Font Awesome.
DATADOCS_CSS = """
:root { --fg:#212529; --muted:#6c757d; --line:#dee2e6; --soft:#f3f5f8; --link:#0b5cad;
  --bad:#b00020; --bad-bg:#fde8ec; --good:#1e7b34; --good-bg:#e6f4ea; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:#fff; line-height:1.5; font-size:14px;
  font-family: "Hiragino Sans","Hiragino Kaku Gothic ProN","Yu Gothic UI","Yu Gothic",Meiryo,
  "Noto Sans CJK JP","Noto Sans JP","IPAexGothic",system-ui,sans-serif; }
a { color:var(--link); text-decoration:none; } a:hover { text-decoration:underline; }
h4 { font-size:1.25rem; margin:.2rem 0 .5rem; } h5 { font-size:1.1rem; margin:0; }
h6, .h6 { font-size:.95rem; font-weight:600; margin:0; }
p { margin:0 0 .6rem; } .lead { color:var(--muted); font-size:.95rem; }
.navbar { display:flex; align-items:center; padding:.4rem 1.5rem; height:auto !important;
  background:#fff; border-bottom:1px solid var(--line); position:sticky; top:0; z-index:10; }
.navbar nav { display:flex; align-items:center; flex-wrap:wrap; gap:.6rem; }
.navbar-brand a, .tokki-brand { font-weight:700; font-size:1.05rem; color:var(--fg); }
.offline-img { font-weight:700; }
.breadcrumb { display:flex; flex-wrap:wrap; list-style:none; margin:0; padding:.2rem .6rem;
  background:var(--soft); border-radius:4px; font-size:.9rem; }
.breadcrumb-item + .breadcrumb-item::before { content:"/"; padding:0 .4rem; color:var(--muted); }
.container-fluid { width:100%; padding:1rem 1.5rem; }
.row { display:flex; flex-wrap:wrap; margin:0; }
.col-12, .col-xs-12, .col-sm-12 { flex:0 0 100%; max-width:100%; }
.col-6 { flex:0 0 50%; max-width:50%; }
@media (min-width:768px) {
  .col-md-2 { flex:0 0 18%; max-width:18%; } .col-md-10 { flex:0 0 82%; max-width:82%; }
  .pl-md-4 { padding-left:1.2rem; }
}
.d-none { display:none; }
@media (min-width:576px) { .d-sm-block { display:block; } }
@media (min-width:768px) {
  .d-md-block { display:block; } .d-md-inline-flex { display:inline-flex; }
}
.d-flex { display:flex; } .justify-content-center { justify-content:center; }
.sticky { position:sticky; top:70px; }
.ge-section { margin-bottom:1.2rem; padding:0 !important; }
.alert { padding:.5rem .8rem; border-radius:4px; margin-bottom:.6rem; }
.alert-secondary { background:var(--soft); border-left:4px solid #8a94a6; }
.card { border:1px solid var(--line); border-radius:6px; margin-bottom:1rem; background:#fff; }
.card-header { background:var(--soft); padding:.4rem .7rem; border-bottom:1px solid var(--line); }
.card-body { padding:.6rem .7rem; }
.collapse:not(.show) { display:none; }
.nav { list-style:none; margin:0; padding:0; }
.nav-link { display:block; padding:.15rem .5rem; border-radius:4px; font-size:.88rem; }
.nav-link:hover { background:var(--soft); }
.nav-tabs { display:none; }
.tab-content > .tab-pane { display:block; margin-bottom:1.5rem; }
.table-responsive { overflow-x:auto; }
table { border-collapse:collapse; width:100%; margin:.4rem 0; background:#fff; }
th, td { border:1px solid var(--line); padding:.35rem .5rem; vertical-align:top; text-align:left; }
thead th { background:var(--soft); font-weight:600; }
tbody tr:nth-child(even) td { background:#fafbfc; }
.table-sm th, .table-sm td { padding:.2rem .45rem; }
td .show-scrollbars { max-height:60vh; overflow:auto; }
ul { padding-inline-start:20px; } hr { border:0; border-top:1px solid var(--line); }
.text-danger { color:var(--bad); } .text-success { color:var(--good); }
.btn { display:inline-block; padding:.2rem .6rem; border:1px solid #8a94a6; border-radius:4px;
  background:#fff; cursor:pointer; font-size:.88rem; }
.btn-group { display:inline-flex; } .btn-group .btn { border-radius:0; }
.btn-group .btn input { display:none; }
.btn.active { background:#3d5a80; border-color:#3d5a80; color:#fff; }
.fas, .fa { font-style:normal; font-weight:700; }
.fa-times::before { content:"\\2717"; } .fa-check-circle::before { content:"\\2713"; }
.fa-check::before { content:"\\2713"; } .fa-exclamation-triangle::before { content:"\\26A0"; }
.fa-question-circle::before { content:"?"; } .fa-comment::before { content:"\\1F5E8"; }
.tokki-status { display:inline-block; padding:.05rem .5rem; border-radius:10px; font-weight:600;
  white-space:nowrap; }
.tokki-status.failed { color:var(--bad); background:var(--bad-bg); }
.tokki-status.passed { color:var(--good); background:var(--good-bg); }
.tokki-note { color:var(--muted); font-size:.88rem; }
.cooltip .top { display:none; }
footer { display:none; }
@media (prefers-color-scheme: dark) {
  :root { --fg:#e9ecef; --muted:#adb5bd; --line:#495057; --soft:#2b3035; --link:#8ab4f8;
    --bad:#ff8a9a; --bad-bg:#4a1f27; --good:#8fd19e; --good-bg:#1f3b27; }
  body, .navbar, .card, table, .btn { background:#212529; color:var(--fg); }
  tbody tr:nth-child(even) td { background:#262b30; }
}
"""

#: Plain JavaScript for what Bootstrap and jQuery did: collapses and the result filter.
DATADOCS_JS = """
(function () {
  document.querySelectorAll('a[data-toggle="collapse"]').forEach(function (a) {
    a.addEventListener('click', function (event) {
      event.preventDefault();
      var target = document.getElementById((a.getAttribute('href') || '').replace(/^#/, ''));
      if (target) { target.classList.toggle('show'); }
    });
  });
})();
function tokkiFilter(failedOnly) {
  var shown = failedOnly ? 'none' : '';
  document.querySelectorAll('.hide-succeeded-validation-target-child').forEach(function (e) {
    if (e.parentElement) { e.parentElement.style.display = shown; }
  });
  document.querySelectorAll('.hide-succeeded-validation-target').forEach(function (e) {
    e.style.display = shown;
  });
  document.querySelectorAll('.hide-succeeded-validations-column-section-target-child')
    .forEach(function (e) {
      var section = e.parentElement && e.parentElement.parentElement;
      if (!section) { return; }
      section.style.display = shown;
      if (section.id) {
        document.querySelectorAll('a[href$="#' + section.id + '"]').forEach(function (a) {
          a.style.display = shown;
        });
      }
    });
  document.querySelectorAll('.btn-group-toggle .btn').forEach(function (b, i) {
    b.classList.toggle('active', (i === 1) === failedOnly);
  });
}
function showAllValidations() { tokkiFilter(false); }
function hideSucceededValidations() { tokkiFilter(true); }
"""

_BOOTSTRAP_TABLE = re.compile(
    r'<div id="(?P<id>[\w-]+)-toolbar"[^>]*>.*?</div>\s*<table\s+id="(?P=id)".*?</table>\s*'
    r"<script>.*?</script>\s*<script>\s*\$\('#(?P=id)'\)\.bootstrapTable\((?P<call>.*?)</script>",
    re.S,
)
_COLUMNS = re.compile(r"^\s*columns:\s*(\[.*\]),\s*$", re.M)
_DATA = re.compile(r"^\s*data:\s*(\[.*\]),\s*$", re.M)
_LOGO = re.compile(r"<img\b[^>]*logo[^>]*>", re.I | re.S)
_FOOTER = re.compile(r"<footer\b.*?</footer\s*>", re.I | re.S)
_AUTOGENERATED = re.compile(r"<p>\s*Data Docs autogenerated using.*?</p>", re.S)
_SITE_TITLE = re.compile(r"<strong\s*>Data Docs</strong>\s*\|\s*[^<]*")
_TITLE = re.compile(r"<title>[^<]*</title>\s*(?:<meta[^>]*>\s*)*<title></title>", re.I)
_DATA_ASSET = re.compile(r"(<br>\s*)Data asset:")


def _status(success_text: str) -> str:
    if success_text == "Success":
        return '<span class="tokki-status passed">✓ 指摘なし</span>'
    return '<span class="tokki-status failed">✗ 指摘あり</span>'


def _view_rank(view: str) -> tuple[int, str]:
    order = views_in_order()
    return (order.index(view) if view in order else len(order), view)


def _table(header: list[str], rows: list[list[str]], table_id: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table id="{table_id}" class="table table-sm tokki-static-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _validation_rows(data: list[dict], stats: dict[str, tuple[int, int]]) -> list[list[str]]:
    rows = []
    for item in sorted(data, key=lambda d: _view_rank(str(d.get("_batch_identifier_sort", "")))):
        view = str(item.get("_batch_identifier_sort", ""))
        link = html.escape(str(item.get("_table_row_link_path", "")), quote=True)
        title = html.escape(f"{VIEW_TITLES.get(view, view)}（{view}）")
        passed, evaluated = stats.get(view, (0, 0))
        rows.append(
            [
                _status(str(item.get("_validation_success_text", ""))),
                f'<a class="tokki-validation-link" href="{link}">{title}</a>',
                str(item.get("expectation_suite_name", "")),
                f"{passed} / {evaluated}",
                html.escape(str(item.get("run_time", ""))),
                html.escape(str(item.get("run_name", ""))),
            ]
        )
    return rows


def _suite_rows(data: list[dict], suite_views: dict[str, str]) -> list[list[str]]:
    def rank(item: dict) -> tuple[int, str]:
        return _view_rank(suite_views.get(str(item.get("expectation_suite_name", "")), ""))

    rows = []
    for item in sorted(data, key=rank):
        name = html.escape(str(item.get("expectation_suite_name", "")))
        link = html.escape(str(item.get("_table_row_link_path", "")), quote=True)
        rows.append([f'<a href="{link}">{name}</a>'])
    return rows


def _table_data(call: str) -> tuple[list[str], list[dict[str, object]]] | None:
    """The column fields and data rows of a bootstrap-table call; None if unreadable."""
    columns, data = _COLUMNS.search(call), _DATA.search(call)
    if columns is None or data is None:
        return None
    try:
        fields = [c["field"] for c in ast.literal_eval(columns.group(1))]
        rows = ast.literal_eval(data.group(1))
    except (ValueError, SyntaxError, KeyError, TypeError):
        return None
    return fields, rows


def static_index_tables(
    page: str, stats: dict[str, tuple[int, int]], suite_views: dict[str, str]
) -> str:
    """Replace the index page's script-built tables by static HTML tables with links.

    bootstrap-table builds GX's index tables in the browser from a data array; offline
    there is no bootstrap-table, so the rows are rendered here from that same array.

    Args:
        page: The index page.
        stats: View → (expectations passed, expectations evaluated).
        suite_views: Suite name → view.

    Returns:
        The page; a table whose data cannot be read is left as it was (and logged).
    """

    def replace(match: re.Match[str]) -> str:
        table = _table_data(match["call"])
        if table is None:
            log.warning("Data Docs: index table %s not converted", match["id"])
            return match[0]
        fields, rows = table
        if "validation_success" in fields:
            header = VALIDATIONS_HEADER
            body, title = _validation_rows(rows, stats), "検証結果（Validation Results）"
        else:
            header = ["期待値スイート"]
            body, title = _suite_rows(rows, suite_views), "期待値スイート（Expectation Suites）"
        return f'<h5 class="tokki-table-title">{title}</h5>\n{_table(header, body, match["id"])}'

    return _BOOTSTRAP_TABLE.sub(replace, page)


def _label(japanese: str) -> Callable[[re.Match[str]], str]:
    """Replaces a matched element text by ``japanese``, keeping the spaces around it."""
    return lambda m: f">{m[1]}{japanese}{m[2]}<"


def translate_labels(page: str) -> str:
    """Put Japanese on GX's headings and labels (exact element texts only)."""
    for english, japanese in LABELS_JA.items():
        pattern = re.compile(r">(\s*)" + re.escape(english) + r"(\s*)<")
        page = pattern.sub(_label(japanese), page)
    return _DATA_ASSET.sub(r"\1検証したビュー:", page)


def page_transform(
    stats: dict[str, tuple[int, int]],
    suite_views: dict[str, str],
    as_of: dt.date | None,
    mask: Callable[[str], str] | None,
) -> Callable[[str], str]:
    """The rewrite of one Data Docs page: tokki's title and note, static tables, labels, masking.

    Args:
        stats: View → (expectations passed, expectations evaluated), for the index table.
        suite_views: Suite name → view, to order the index's suites as the catalogue.
        as_of: The audit's reference date, named in the note (none when None).
        mask: Masks person names in a page; None leaves them.

    Returns:
        A function from a page's HTML to the page to write (for
        :func:`tokki_analytics.outputs.offline.make_offline`).
    """
    brand = '<span class="tokki-brand">特記事項監査 検証結果（GX Data Docs）</span>'
    intro = (
        '<p class="tokki-note">Great Expectations が生成した検証結果（Data Docs）です。'
        "ネットワークなしで読めるよう、外部の CSS・JavaScript・画像を取り除いています。"
        + (f"監査基準日: {as_of.isoformat()}" if as_of else "")
        + "</p>"
    )

    def transform(page: str) -> str:
        page = escape_controls(page)  # control characters of the data shown as their code
        page = _LOGO.sub(brand, page, count=1)
        page = _FOOTER.sub("", page)
        page = _AUTOGENERATED.sub(intro, page)
        page = _SITE_TITLE.sub("<strong>検証結果一覧</strong>（Data Docs）", page)
        page = _TITLE.sub("<title>特記事項監査 検証結果（GX Data Docs）</title>", page)
        if "bootstrapTable(" in page:
            page = static_index_tables(page, stats, suite_views)
        page = translate_labels(page)
        return mask(page) if mask is not None else page

    return transform
