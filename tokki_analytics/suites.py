"""Expectation suites: written from the rule catalogue, stored as GX JSON, loaded with GX alone.

``python -m tokki_analytics.suites [DIR]`` writes one suite per check view into
``tokki_analytics/expectations/`` (the default: package data, shipped in the wheel). The run
reads the JSON back (:func:`load_suites`), so the suites are the artefact a prefecture
reviews and any GX runtime can execute: they use built-in expectation types only, and
structured row conditions that compare a column with a literal. A suites folder that lacks
a suite of the catalogue, or an expectation of a rule, stops the run (:class:`SuiteError`).
"""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path

from tokki_analytics.rules import RULES, SEVERITY_GX, Rule

os.environ["GX_ANALYTICS_ENABLED"] = "False"

#: Where the suites live: package data (``tokki_analytics/expectations/``), found through
#: importlib.resources so that an installed copy reads the suites of its wheel. pip installs
#: a package unpacked, so the resource is a real folder.
SUITES_DIR = Path(str(resources.files("tokki_analytics") / "expectations"))

#: Japanese titles of the check views, used in suite names and reports.
VIEW_TITLES = {
    "contracts": "契約単位",
    "staff": "作業従事者名簿",
    "staff_years": "作業従事者名簿_年度別研修",
    "person_events": "記録上の従事者",
    "ledger": "個人情報管理台帳",
    "takeout": "持出記録",
    "copies": "複製記録",
    "media_checks": "媒体点検記録",
    "ledger_refs": "台帳番号の参照",
    "devices": "端末一覧",
    "handovers": "受渡記録",
    "subcontracts": "再委託",
    "disposals": "廃棄消去記録",
    "inspection_requests": "点検報告",
    "incidents": "事故報告",
}


def views_in_order() -> list[str]:
    """The views that rules read, in the order of their first rule."""
    return list(dict.fromkeys(rule.view for rule in RULES))


def suite_name(view: str) -> str:
    """A suite name a person can find the clauses by, e.g. ``第3_第4_第5_作業従事者名簿``."""
    clauses = list(dict.fromkeys(r.clause for r in RULES if r.view == view))
    return "_".join([*clauses, VIEW_TITLES.get(view, view)])


def _expectation(rule: Rule):
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    cls = getattr(gxe, rule.expectation)
    return cls(
        **rule.kwargs,
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


def build_suite_json(view: str) -> dict:
    """The JSON of the suite of ``view``, without GX's random ids (stable in git)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=suite_name(view),
        expectations=[_expectation(rule) for rule in RULES if rule.view == view],
        meta={"view": view, "generated_by": "python -m tokki_analytics.suites"},
    )
    data = suite.to_json_dict()
    data.pop("id", None)
    for item in data["expectations"]:
        item.pop("id", None)
    return data


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


class SuiteError(RuntimeError):
    """A suite file is missing, unreadable, or lost expectations when GX loaded it."""


def load_suites(folder: Path = SUITES_DIR) -> dict[str, object]:
    """Load every suite JSON with GX alone, keyed by view.

    GX drops an expectation whose type it does not know with only a log line; this
    checks that every expectation in the file survived.

    Raises:
        SuiteError: A suite file is invalid or lost expectations.
    """
    import great_expectations as gx

    suites = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(**data)
        if len(suite.expectations) != len(data.get("expectations", [])):
            raise SuiteError(
                f"{path.name}: GX で読めない期待値があります / GX dropped "
                f"{len(data['expectations']) - len(suite.expectations)} expectation(s)"
            )
        suites[data.get("meta", {}).get("view", path.stem)] = suite
    return suites


def main() -> int:
    """Write the suites (default folder: the package's expectations/)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SUITES_DIR
    for path in write_suites(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
