"""Great Expectations Data Docs of a run, readable offline: ``<out>/datadocs/``.

The docs are rendered by GX itself from the results the run already has
(:attr:`tokki_analytics.gx.validate.Validation.gx_results`): the results are put into the
validation-results store of an in-memory GX context whose Data Docs site is a private
temporary folder, and GX builds the index, one page per validated view and one page per
expectation suite. Nothing is validated a second time. The stored copies trade the run's
failing-row lists (by ``_key``) for the commonest failing values with counts
(:func:`docs_result`), which the validation pages show.

GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and GX's logo from
CDNs and link to greatexpectations.io. :mod:`tokki_analytics.outputs.offline` removes all of
that; :mod:`tokki_analytics.gx.datadocs_pages` adds what the pages then need to read well
without the network (stylesheet, a few lines of JavaScript, static index tables, Japanese
labels). Person names are masked unless asked; files are owner-only unless group-readable.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tokki_analytics.gx.datadocs_pages import DATADOCS_CSS, DATADOCS_JS, page_transform
from tokki_analytics.gx.suites import SUITES_DIR, load_suites, suite_json
from tokki_analytics.gx.validate import quiet_context
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import restrict_tree, write_bytes
from tokki_analytics.outputs.offline import is_external, make_offline

if TYPE_CHECKING:
    from great_expectations.core import (
        ExpectationSuite,
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import AbstractDataContext

    from tokki_analytics.gx.validate import Validation
    from tokki_analytics.pipeline import Audit

DOCS_FOLDER = "datadocs"
SITE_NAME = "tokki"
#: Failing values shown per expectation (the commonest, with counts).
SAMPLE_VALUES = 20

_LOCAL_REF = re.compile(r"\s(?:href|src)\s*=\s*\"([^\"#?]+)[^\"]*\"", re.I)


def _site_context(site_dir: Path) -> AbstractDataContext:
    """An in-memory GX context whose only Data Docs site is ``site_dir``."""
    context = quiet_context()
    for name in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(name)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            # GX's DataDocsSiteConfigTypedDict is incomplete (says its own note);
            # SiteBuilder takes show_how_to_buttons.
            "show_how_to_buttons": False,  # type: ignore[typeddict-unknown-key]
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
        },
    )
    return context


def _suite_copy(suite: ExpectationSuite) -> ExpectationSuite:
    """A context-free copy of a suite (registering must not change the run's objects)."""
    import great_expectations as gx

    # GX takes its own JSON back as keyword arguments; its annotations do not say so.
    return gx.ExpectationSuite(**cast("dict[str, Any]", suite_json(suite)))


def _suite_from_results(result: ExpectationSuiteValidationResult) -> ExpectationSuite:
    """A suite rebuilt from a result's expectation configurations (suite not at hand)."""
    import great_expectations as gx

    expectations = []
    for item in result.results:
        if item.expectation_config is None:
            continue
        config = item.expectation_config.to_json_dict()
        config.pop("id", None)
        kwargs = config.get("kwargs")
        if isinstance(kwargs, dict):
            kwargs.pop("batch_id", None)
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


def docs_result(item: ExpectationValidationResult) -> ExpectationValidationResult:
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


def _store_run(
    context: AbstractDataContext, validation: Validation, run_id: RunIdentifier
) -> dict[str, tuple[int, int]]:
    """Register the suites and store the run's results; return view → (passed, evaluated)."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    suites = dict(validation.suites or load_suites(SUITES_DIR))
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
    audit: Audit,
    *,
    show_names: bool = False,
    group_readable: bool = False,
) -> Path:
    """Build the run's GX Data Docs in ``out_dir/datadocs/``, readable offline.

    GX renders the index, a validation page per validated view and a page per suite from
    the run's stored results (no second validation) into a private temporary folder; the
    pages are then made offline (:func:`tokki_analytics.outputs.offline.make_offline`),
    masked, and written to ``out_dir/datadocs`` (replacing an older one) owner-only.

    Args:
        out_dir: The run's output folder.
        audit: The :class:`tokki_analytics.pipeline.Audit` of the run.
        show_names: Leave person names unmasked.
        group_readable: Make the files group-readable instead of owner-only.

    Returns:
        The path of ``datadocs/index.html``.

    Raises:
        ValueError: The audit has no GX results (a run reopened from its output folder),
            or a page still refers to the network (a GX change this does not know).
    """
    import great_expectations as gx

    validation = audit.validation
    if validation is None:
        raise ValueError("a run reopened from its output folder has no GX results to show")
    dest = Path(out_dir) / DOCS_FOLDER
    as_of = audit.settings.as_of
    run_id = gx.RunIdentifier(
        run_name=f"tokki-{as_of.isoformat()}", run_time=dt.datetime.now(dt.UTC)
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
    suite_views = {suite.name: view for view, suite in validation.suites.items()}
    suite_views.update({r.suite_name: view for view, r in validation.gx_results.items()})
    mask = None if show_names else Masker.of(audit).text
    make_offline(
        dest,
        css=DATADOCS_CSS,
        script=DATADOCS_JS,
        transform=page_transform(stats, suite_views, as_of, mask),
        group_readable=group_readable,
    )
    restrict_tree(dest, group_readable)
    return dest / "index.html"
