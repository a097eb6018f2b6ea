"""Great Expectations Data Docs of a run, readable offline: ``<out>/datadocs/``.

The docs are rendered by GX itself from the results the run already has
(:attr:`tokki_analytics.validate.Validation.gx_results`): the results are put into the
validation-results store of an in-memory GX context whose Data Docs site is a private
temporary folder, and GX builds the index, one page per validated view and one page per
expectation suite. Nothing is validated a second time. The stored copies trade the run's
failing-row lists (by ``_key``) for the commonest failing values with counts
(:func:`docs_result`), which the validation pages show.

GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and GX's logo from
CDNs and link to greatexpectations.io. :mod:`tokki_analytics.offline` removes all of that;
this module adds what the pages then need to read well without the network: a compact
inline stylesheet (layout, tables, cards, success/failure colours, icons), a few lines of
plain JavaScript (collapsible blocks, the "failed only" filter), static tables on the index
page in place of bootstrap-table's script-built ones, and Japanese labels for GX's headings.
Person names are masked unless asked; files are owner-only unless group-readable.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import logging
import math
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tokki_analytics.export import restrict_tree, write_bytes
from tokki_analytics.masking import Masker
from tokki_analytics.offline import is_external, make_offline
from tokki_analytics.safetext import escape_controls

log = logging.getLogger(__name__)

DOCS_FOLDER = "datadocs"
SITE_NAME = "tokki"
#: Failing values shown per expectation (the commonest, with counts).
SAMPLE_VALUES = 20

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
_LOCAL_REF = re.compile(r"\s(?:href|src)\s*=\s*\"([^\"#?]+)[^\"]*\"", re.I)


def _site_context(site_dir: Path):
    from tokki_analytics.validate import quiet_context

    context = quiet_context()
    for name in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
        },
    )
    return context


def _suite_copy(suite):
    """A context-free copy of a suite (registering must not change the run's objects)."""
    import great_expectations as gx

    data = suite.to_json_dict()
    data.pop("id", None)
    for item in data.get("expectations", []):
        item.pop("id", None)
    return gx.ExpectationSuite(**data)


def _suite_from_results(result):
    """A suite rebuilt from a result's expectation configurations (suite not at hand)."""
    import great_expectations as gx

    expectations = []
    for item in result.results:
        config = item.expectation_config.to_json_dict()
        config.pop("id", None)
        config.get("kwargs", {}).pop("batch_id", None)
        expectations.append(config)
    return gx.ExpectationSuite(name=result.suite_name, expectations=expectations)


def _plain(value: object) -> object:
    """A failing value as Data Docs shows it: None for missing, plain Python otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return None if str(value) == "NaT" else value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return value if isinstance(value, bool | int | float | str) else str(value)


def docs_result(item):
    """A copy of one expectation's result for Data Docs: value counts instead of row lists.

    The run keeps every failing row (result format COMPLETE, by ``_key``) but no sample;
    Data Docs show a sample of failing values with counts. The copy drops the row lists
    (large, and meaningless outside the run) and holds the 20 commonest failing values.
    """
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

    result = dict(item.result or {})
    values = [_plain(v) for v in result.pop("unexpected_list", None) or []]
    result.pop("unexpected_index_list", None)
    result.pop("unexpected_index_query", None)
    result.pop("unexpected_index_column_names", None)
    if values and not result.get("partial_unexpected_counts"):
        counts = Counter(values).most_common(SAMPLE_VALUES)
        result["partial_unexpected_counts"] = [{"value": v, "count": n} for v, n in counts]
        result["partial_unexpected_list"] = values[:SAMPLE_VALUES]
    return ExpectationValidationResult(
        success=item.success,
        expectation_config=item.expectation_config,
        result=result,
        meta=item.meta,
        exception_info=item.exception_info,
    )


def _store_run(context, validation, run_id) -> dict[str, tuple[int, int]]:
    """Register the suites and store the run's results; return view → (passed, evaluated)."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from tokki_analytics.suites import SUITES_DIR, load_suites

    suites = dict(getattr(validation, "suites", None) or load_suites(SUITES_DIR))
    registered = set()
    for suite in suites.values():
        context.suites.add(_suite_copy(suite))
        registered.add(suite.name)
    stats = {}
    for view, result in validation.gx_results.items():
        if result.suite_name not in registered:
            context.suites.add(_suite_from_results(result))
            registered.add(result.suite_name)
        meta = {
            **result.meta,
            "run_id": run_id,
            "validation_time": run_id.run_time,
            "batch_spec": {**result.meta.get("batch_spec", {}), "data_asset_name": view},
        }
        stored = ExpectationSuiteValidationResult(
            success=result.success,
            results=[docs_result(item) for item in result.results],
            suite_name=result.suite_name,
            suite_parameters=result.suite_parameters,
            statistics=result.statistics,
            meta=meta,
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run_id,
            batch_identifier=view,
        )
        context.validation_results_store.set(key, stored)
        statistics = result.statistics or {}
        stats[view] = (
            int(statistics.get("successful_expectations", 0)),
            int(statistics.get("evaluated_expectations", 0)),
        )
    return stats


# --- page rewriting ----------------------------------------------------------------------


def _status(success_text: str) -> str:
    if success_text == "Success":
        return '<span class="tokki-status passed">✓ 指摘なし</span>'
    return '<span class="tokki-status failed">✗ 指摘あり</span>'


def _view_rank(view: str) -> tuple[int, str]:
    from tokki_analytics.suites import views_in_order

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
    from tokki_analytics.suites import VIEW_TITLES

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

    def replace(match: re.Match) -> str:
        columns, data = _COLUMNS.search(match["call"]), _DATA.search(match["call"])
        try:
            fields = [c["field"] for c in ast.literal_eval(columns.group(1))]
            rows = ast.literal_eval(data.group(1))
        except (AttributeError, ValueError, SyntaxError, KeyError, TypeError):
            log.warning("Data Docs: index table %s not converted", match["id"])
            return match[0]
        if "validation_success" in fields:
            header = VALIDATIONS_HEADER
            body, title = _validation_rows(rows, stats), "検証結果（Validation Results）"
        else:
            header = ["期待値スイート"]
            body, title = _suite_rows(rows, suite_views), "期待値スイート（Expectation Suites）"
        return f'<h5 class="tokki-table-title">{title}</h5>\n{_table(header, body, match["id"])}'

    return _BOOTSTRAP_TABLE.sub(replace, page)


def translate_labels(page: str) -> str:
    """Put Japanese on GX's headings and labels (exact element texts only)."""
    for english, japanese in LABELS_JA.items():
        pattern = re.compile(r">(\s*)" + re.escape(english) + r"(\s*)<")
        page = pattern.sub(lambda m, ja=japanese: f">{m[1]}{ja}{m[2]}<", page)
    return _DATA_ASSET.sub(r"\1検証したビュー:", page)


def _page_transform(
    stats: dict[str, tuple[int, int]],
    suite_views: dict[str, str],
    as_of: dt.date | None,
    mask: Callable[[str], str] | None,
) -> Callable[[str], str]:
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


# --- the site ------------------------------------------------------------------------------


def _copy_site(site: Path, dest: Path, group_readable: bool) -> list[Path]:
    """Copy the pages and the static files they refer to; leave GX's unused assets behind."""
    pages = sorted(site.rglob("*.html"))
    needed: set[Path] = set()
    for page in pages:
        for ref in _LOCAL_REF.findall(page.read_text(encoding="utf-8")):
            if is_external(ref) or ":" in ref:
                continue
            target = (page.parent / ref).resolve()
            if target.is_file() and site.resolve() in target.parents:
                needed.add(target)
    for path in [*pages, *sorted(needed)]:
        relative = path.resolve().relative_to(site.resolve())
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes(target, path.read_bytes(), group_readable)
    return [dest / p.relative_to(site) for p in pages]


def build_datadocs(
    out_dir: Path,
    audit,
    *,
    show_names: bool = False,
    group_readable: bool = False,
) -> Path:
    """Build the run's GX Data Docs in ``out_dir/datadocs/``, readable offline.

    GX renders the index, a validation page per validated view and a page per suite from
    the run's stored results (no second validation) into a private temporary folder; the
    pages are then made offline (:func:`tokki_analytics.offline.make_offline`), masked,
    and written to ``out_dir/datadocs`` (replacing an older one) owner-only.

    Args:
        out_dir: The run's output folder. (``build_datadocs(audit, out_dir)`` is accepted
            too: the two are told apart by type.)
        audit: The :class:`tokki_analytics.pipeline.Audit` of the run.
        show_names: Leave person names unmasked.
        group_readable: Make the files group-readable instead of owner-only.

    Returns:
        The path of ``datadocs/index.html``.

    Raises:
        ValueError: A page still refers to the network (a GX change this does not know).
    """
    import great_expectations as gx

    if hasattr(out_dir, "validation") and isinstance(audit, str | Path):
        out_dir, audit = audit, out_dir
    dest = Path(out_dir) / DOCS_FOLDER
    validation = audit.validation
    as_of = getattr(getattr(audit, "settings", None), "as_of", None)
    run_id = gx.RunIdentifier(
        run_name=f"tokki-{as_of.isoformat()}" if as_of else "tokki",
        run_time=dt.datetime.now(dt.UTC),
    )
    with tempfile.TemporaryDirectory(prefix="tokki-datadocs-") as tmp:
        site = Path(tmp) / "site"
        context = _site_context(site)
        stats = _store_run(context, validation, run_id)
        context.build_data_docs(site_names=[SITE_NAME])
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True, mode=0o750 if group_readable else 0o700)
        _copy_site(site, dest, group_readable)
    suites = getattr(validation, "suites", None) or {}
    suite_views = {suite.name: view for view, suite in suites.items()}
    suite_views.update({r.suite_name: view for view, r in validation.gx_results.items()})
    mask = None if show_names else Masker.of(audit).text
    make_offline(
        dest,
        css=DATADOCS_CSS,
        script=DATADOCS_JS,
        transform=_page_transform(stats, suite_views, as_of, mask),
        group_readable=group_readable,
    )
    restrict_tree(dest, group_readable)
    return dest / "index.html"
