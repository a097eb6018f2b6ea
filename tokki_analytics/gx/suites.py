"""Expectation suites: written from the rule catalogue, stored as GX JSON, loaded with GX alone.

``python -m tokki_analytics.gx.suites [DIR]`` (``make generate``) writes one suite per check
view into ``tokki_analytics/gx/expectations/`` (the default: package data, shipped in the
wheel). The run
reads the JSON back (:func:`load_suites`), so the suites are the artefact a prefecture
reviews and any GX runtime can execute: they use built-in expectation types only, and
structured row conditions that compare a column with a literal. A suites folder that lacks
a suite of the catalogue, or an expectation of a rule, stops the run (:class:`SuiteError`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tokki_analytics.errors import InputError
from tokki_analytics.rules import RULES, VIEWS, Rule
from tokki_analytics.vocab import SEVERITY_GX

if TYPE_CHECKING:
    from great_expectations.alias_types import JSONValues
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations import Expectation

#: Where the suites live: package data (``tokki_analytics/gx/expectations/``), found through
#: importlib.resources so that an installed copy reads the suites of its wheel. pip installs
#: a package unpacked, so the resource is a real folder.
SUITES_DIR = Path(str(resources.files("tokki_analytics.gx") / "expectations"))
#: The command that writes the suites, recorded in each suite's ``meta.generated_by``.
COMMAND = "python -m tokki_analytics.gx.suites"

#: Japanese titles of the check views (their declarations), used in suite names and reports.
VIEW_TITLES = {name: view.title for name, view in VIEWS.items()}


def views_in_order() -> list[str]:
    """The views that rules read, in the order of their first rule."""
    return list(dict.fromkeys(rule.view for rule in RULES))


def suite_name(view: str) -> str:
    """A suite name a person can find the clauses by, e.g. ``第3_第4_第5_作業従事者名簿``."""
    clauses = list(dict.fromkeys(r.clause for r in RULES if r.view == view))
    return "_".join([*clauses, VIEW_TITLES.get(view, view)])


def _expectation(rule: Rule) -> Expectation:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    cls = getattr(gxe, rule.expectation.type)
    return cls(
        **rule.expectation.kwargs,
        row_condition=Column(rule.judge) == True,  # noqa: E712 - a GX condition, not a test
        meta={
            "rule_id": rule.id,
            "clause": rule.clause,
            "severity": rule.severity,
            "view": rule.view,
            "unit": rule.unit,
        },
        description=f"{rule.id}（{rule.clause}）{rule.description}",
        severity=SEVERITY_GX[rule.severity],
    )


def suite_json(suite: ExpectationSuite) -> dict[str, JSONValues]:
    """The JSON of ``suite`` without GX's random ids (stable in git, bound to no context)."""
    data = suite.to_json_dict()
    data.pop("id", None)
    expectations = data.get("expectations")
    for item in expectations if isinstance(expectations, list) else []:
        if isinstance(item, dict):
            item.pop("id", None)
    return data


def build_suite_json(view: str) -> dict[str, JSONValues]:
    """The JSON of the suite of ``view``, as :func:`write_suites` stores it."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=suite_name(view),
        expectations=[_expectation(rule) for rule in RULES if rule.view == view],
        meta={"view": view, "generated_by": COMMAND},
    )
    return suite_json(suite)


def write_suites(folder: Path = SUITES_DIR) -> list[Path]:
    """Write every suite as JSON into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for view in views_in_order():
        data = build_suite_json(view)
        path = folder / f"{data['name']}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


class SuiteError(InputError):
    """The suites folder lacks a suite or an expectation of the catalogue, or a file is unreadable.

    An incomplete folder would check less than the catalogue and report the rest as clean, so
    the run stops before it reads any data (exit 2 in the command line).
    """


class _Dropped(logging.Handler):
    """Collects what GX logs when it drops an expectation it cannot build."""

    def __init__(self) -> None:
        super().__init__()
        self.reasons: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.reasons.append(str(exc or record.getMessage()).splitlines()[0])


@contextmanager
def _gx_drops() -> Iterator[_Dropped]:
    """Catch GX's log of dropped expectations (reported by us, not as GX's traceback)."""
    log = logging.getLogger("great_expectations.core.expectation_suite")
    handler, propagate = _Dropped(), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _rule_ids(expectations: Sequence[Expectation | dict[str, object]]) -> list[str | None]:
    """The ``meta.rule_id`` of each expectation (GX objects or JSON dicts); None if none."""
    metas = [e.get("meta") if isinstance(e, dict) else e.meta for e in expectations]
    ids = [m.get("rule_id") if isinstance(m, dict) else None for m in metas]
    return [rule_id if isinstance(rule_id, str) else None for rule_id in ids]


def _read_suite(path: Path) -> tuple[str, dict]:
    """Read one suite file's JSON, without GX: (view, the suite as JSON).

    Raises:
        SuiteError: The file is unreadable or not a suite.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
        raise SuiteError(f"{path.name}: 読めません / cannot be read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SuiteError(f"{path.name}: GX の期待値スイートではありません / not a GX suite")
    meta = data.get("meta")
    declared = meta.get("view") if isinstance(meta, dict) else None
    by_name = {suite_name(view): view for view in views_in_order()}
    return str(declared or by_name.get(str(data.get("name")), path.stem)), data


def _load_suite(path: Path) -> tuple[str, ExpectationSuite]:
    """Load one suite file with GX: (view, suite).

    Raises:
        SuiteError: The file is unreadable, not a suite, or GX dropped an expectation.
    """
    import great_expectations as gx

    view, data = _read_suite(path)
    try:
        with _gx_drops() as dropped:
            suite = gx.ExpectationSuite(**data)
    except Exception as exc:  # noqa: BLE001 - any GX refusal is a bad file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SuiteError(f"{path.name}: GX で読めません / GX cannot load it ({reason})") from None
    kept = set(_rule_ids(suite.expectations))
    lost = [
        f"{rule_id}（{item.get('type')}）"
        for rule_id, item in zip(_rule_ids(data["expectations"]), data["expectations"], strict=True)
        if rule_id not in kept
    ]
    if lost or dropped.reasons:
        raise SuiteError(
            f"{path.name}: GX が読めない期待値 {'、'.join(lost)} / GX dropped "
            f"{len(data['expectations']) - len(suite.expectations)} expectation(s): "
            + "; ".join(dropped.reasons)
        )
    return view, suite


def _catalogue_problems(
    suites: Mapping[str, Sequence[Expectation | dict[str, object]]],
    files: dict[str, Path],
    unreadable: set[str],
) -> list[str]:
    """What the loaded suites lack, or hold beyond, the rule catalogue (empty when complete).

    A suite whose file is in ``unreadable`` (already reported) is not reported missing.
    """
    problems = []
    for view in views_in_order():
        need = [rule.id for rule in RULES if rule.view == view]
        if view not in suites and f"{suite_name(view)}.json" in unreadable:
            continue
        if view not in suites:
            problems.append(
                f"{suite_name(view)}.json がありません（点検ビュー {view}、規則 {'、'.join(need)}）"
                f" / missing: the suite of view {view} (rules {', '.join(need)})"
            )
            continue
        name, found = files[view].name, _rule_ids(suites[view])
        missing = [rule_id for rule_id in need if rule_id not in found]
        if missing:
            problems.append(
                f"{name}: 規則 {'、'.join(missing)} の期待値がありません / lacks the expectations"
                f" of rules {', '.join(missing)}"
            )
        extra = sorted({str(r) for r in found if r not in need or found.count(r) > 1})
        if extra:
            problems.append(
                f"{name}: 点検ビュー {view} の目録にない、または重複した規則 {'、'.join(extra)} / "
                f"rules not in the catalogue of view {view}, or repeated: {', '.join(extra)}"
            )
    for view in sorted(set(suites) - set(views_in_order())):
        problems.append(
            f"{files[view].name}: 点検ビュー {view} は規則の目録にありません / view {view} is "
            "not in the rule catalogue"
        )
    return problems


#: A suite as read: GX's object, or its JSON.
T = TypeVar("T")


def _suites_in(
    folder: Path,
    read: Callable[[Path], tuple[str, T]],
    expectations_of: Callable[[T], Sequence[Expectation | dict[str, object]]],
) -> dict[str, T]:
    """Every suite of ``folder`` read with ``read``, keyed by view, checked complete.

    Raises:
        SuiteError: The folder is missing, or its suites are (all problems are listed).
    """
    if not folder.is_dir():
        raise SuiteError(
            f"期待値スイートのフォルダ {folder} がありません / "
            f"no expectation suites folder {folder}"
        )
    suites: dict[str, T] = {}
    expectations: dict[str, Sequence[Expectation | dict[str, object]]] = {}
    files: dict[str, Path] = {}
    problems, unreadable = [], set()
    for path in sorted(folder.glob("*.json")):
        try:
            view, suite = read(path)
        except SuiteError as exc:
            problems.append(str(exc))
            unreadable.add(path.name)
            continue
        if view in suites:
            problems.append(
                f"{path.name}: 点検ビュー {view} のスイートが {files[view].name} と重複しています"
                f" / a second suite of view {view} (also {files[view].name})"
            )
            continue
        suites[view], files[view] = suite, path
        expectations[view] = expectations_of(suite)
    problems += _catalogue_problems(expectations, files, unreadable)
    if problems:
        raise SuiteError(
            f"期待値スイート {folder} が不完全なため監査を中止しました / the expectation suites in "
            f"{folder} are incomplete; the audit was stopped:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return suites


def check_suites(folder: Path | str = SUITES_DIR) -> None:
    """Check a suites folder without GX: every suite file readable, complete for the catalogue.

    What :func:`load_suites` checks except what only GX can tell (an expectation type it
    does not know): cheap enough to run before a run reads the data, while GX is imported
    and the suites loaded meanwhile.

    Raises:
        SuiteError: As :func:`load_suites`.
    """
    _suites_in(Path(folder), _read_suite, lambda data: data["expectations"])


def load_suites(folder: Path | str = SUITES_DIR) -> dict[str, ExpectationSuite]:
    """Load every suite JSON with GX alone, keyed by view, and check it is complete.

    GX drops an expectation whose type it does not know with only a log line; this checks
    that every expectation in each file survived, and that the folder holds one suite for
    every view of the rule catalogue with exactly the catalogue's rules (by ``meta.rule_id``).

    Raises:
        SuiteError: The folder is missing, a file is unreadable or not a suite, GX dropped
            an expectation, or a suite or rule of the catalogue is missing (all problems
            are listed in the message).
    """
    return _suites_in(Path(folder), _load_suite, lambda suite: suite.expectations)


def main() -> int:
    """Write the suites (default folder: the package's ``gx/expectations/``)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SUITES_DIR
    for path in write_suites(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
