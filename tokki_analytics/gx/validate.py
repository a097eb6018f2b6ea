"""Validation: run each view's suite once, across all contractors, with Great Expectations.

One batch per view holds every contractor's rows; GX reports the failing rows by the
view's ``_key``, which :mod:`tokki_analytics.findings` turns back into contractors,
contracts and source rows. Nothing leaves the machine: GX's usage statistics are off and
its context is ephemeral (in memory), unless Data Docs are asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import judge_column

if TYPE_CHECKING:
    from great_expectations.core import (
        ExpectationSuite,
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger(__name__)

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_key"],
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
}


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation, or its counts disagree with the view."""


@dataclass
class RuleResult:
    """What one expectation found.

    Attributes:
        rule_id: The rule.
        view: The view it read.
        checked: Units judged (GX element count minus missing values).
        failed_keys: ``_key`` values of the failing view rows.
    """

    rule_id: str
    view: str
    checked: int
    failed_keys: list[int] = field(default_factory=list)


@dataclass
class Validation:
    """All rule results of a run, and GX's own result objects (for Data Docs).

    Attributes:
        results: Rule id → what the rule found.
        gx_results: View name → GX ``ExpectationSuiteValidationResult`` (views with rows).
        suites: View name → the GX ``ExpectationSuite`` validated (all views), so that
            Data Docs can be rendered from this run's results without validating again.
    """

    results: dict[str, RuleResult]
    gx_results: dict[str, ExpectationSuiteValidationResult] = field(default_factory=dict)
    suites: dict[str, ExpectationSuite] = field(default_factory=dict)


def quiet_context() -> AbstractDataContext:
    """An in-memory GX context: progress bars off, and no temporary Data Docs folder.

    ``gx.get_context(mode="ephemeral")`` creates a Data Docs site in a fresh temporary
    folder (and says so on stdout); outputs go only where the user says, so the context
    is built without one.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    for name in ("great_expectations", "great_expectations.core"):
        logging.getLogger(name).setLevel(logging.ERROR)
    defaults = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    config = DataContextConfig(store_backend_defaults=defaults)
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def batch_definition(context: AbstractDataContext) -> BatchDefinition:
    """The whole-dataframe batch definition every view is validated through (one per context)."""
    source = context.data_sources.add_pandas(name="tokki")
    asset = source.add_dataframe_asset(name="views")
    return asset.add_batch_definition_whole_dataframe(name="whole")


def rule_result(view: str, result: ExpectationValidationResult) -> RuleResult:
    """What GX's result of one expectation says: the rule, its units checked, its failing keys.

    Raises:
        ValidationError: GX returned no expectation, or could not evaluate it.
    """
    config = result.expectation_config
    if config is None or not config.meta:
        raise ValidationError(f"GX returned a result without its expectation on view {view}")
    rule_id = config.meta["rule_id"]
    info = result.exception_info or {}
    raised = info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )
    if raised or not result.result:
        raise ValidationError(f"GX could not evaluate {rule_id} on view {view}: {info}")
    counts = result.result
    checked = int(counts.get("element_count", 0)) - int(counts.get("missing_count") or 0)
    keys = [int(item["_key"]) for item in counts.get("unexpected_index_list") or []]
    return RuleResult(rule_id=rule_id, view=view, checked=checked, failed_keys=keys)


def validate_view(
    batches: BatchDefinition,
    view: str,
    suite: ExpectationSuite,
    data: object | None,
    judged: Mapping[str, int],
) -> tuple[list[RuleResult], ExpectationSuiteValidationResult | None]:
    """Validate one view against its suite, on whichever engine ``batches`` belongs to.

    Args:
        batches: A whole-dataframe batch definition (pandas: :func:`batch_definition`; Spark:
            :mod:`tokki_analytics.engine.spark`).
        view: The view's name.
        suite: Its suite.
        data: The view as the engine's dataframe; None for a view without rows (every rule
            then checks no unit, and GX is not asked).
        judged: Rule id → the view's rows whose judge column is True; GX must count as many.

    Returns:
        Each rule's result, and GX's result object (None without rows).

    Raises:
        ValidationError: An expectation errored, or its unit count differs from ``judged``.
    """
    if data is None:
        rules = [(e.meta or {})["rule_id"] for e in suite.expectations]
        return [RuleResult(rule_id=rule_id, view=view, checked=0) for rule_id in rules], None
    outcome = batches.get_batch(batch_parameters={"dataframe": data}).validate(
        suite, result_format=RESULT_FORMAT
    )
    rules = [rule_result(view, item) for item in outcome.results]
    for rule in rules:
        if judged[rule.rule_id] != rule.checked:
            raise ValidationError(
                f"{rule.rule_id}: GX checked {rule.checked} units, "
                f"view judges {judged[rule.rule_id]}"
            )
    return rules, outcome


def _strings(value: object) -> Iterator[str]:
    """Every text inside ``value`` (nested dicts, lists and GX's row-condition objects)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings(item)
    elif hasattr(value, "model_dump"):
        yield from _strings(value.model_dump())


def suite_columns(suite: ExpectationSuite, columns: Sequence[str]) -> list[str]:
    """The columns of ``columns`` that ``suite`` names (row conditions too), and ``_key``.

    GX is handed only these: it copies the rows a row condition selects, every column
    included, and a view's text columns (``_source``, ids) are most of its memory.
    """
    named = {"_key"}
    for expectation in suite.expectations:
        named.update(_strings(expectation.configuration.kwargs))
    return [column for column in columns if column in named]


def validate(views: dict[str, pd.DataFrame], suites: dict[str, ExpectationSuite]) -> Validation:
    """Validate every view against its suite, once, all contractors together.

    Args:
        views: View name → view frame (see :mod:`tokki_analytics.rules.context`).
        suites: View name → GX ExpectationSuite (see :func:`tokki_analytics.gx.suites.load_suites`).

    Returns:
        The results of every rule.

    Raises:
        ValidationError: An expectation errored, or its unit count differs from the
            view's judge column (a view that does not follow the conventions).
    """
    batches = batch_definition(quiet_context())
    results: dict[str, RuleResult] = {}
    gx_results: dict[str, ExpectationSuiteValidationResult] = {}
    for view, suite in suites.items():
        frame = views.get(view)
        if frame is None:
            raise ValidationError(f"no view {view!r} for suite {suite.name}")
        judged = {
            rule_id: int(frame[judge_column(rule_id)].sum())
            for rule_id in ((e.meta or {})["rule_id"] for e in suite.expectations)
        }
        data = None if frame.empty else frame[suite_columns(suite, list(frame.columns))]
        rules, outcome = validate_view(batches, view, suite, data, judged)
        results.update((rule.rule_id, rule) for rule in rules)
        if outcome is not None:
            gx_results[view] = outcome
    return Validation(results=results, gx_results=gx_results, suites=dict(suites))
