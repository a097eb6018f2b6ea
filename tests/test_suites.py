"""The expectation suites as a prefecture reviews them: GX JSON, built-in types, one rule each."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import ROOT

from tokki_analytics.rules import RULES, SEVERITY_GX
from tokki_analytics.suites import SUITES_DIR, build_suite_json, views_in_order

SPEC_RULE_IDS = {
    "C2-1", "C3-1", "C3-2", "C3-3", "C4-1", "C5-1", "C5-2", "C7.1-1", "C7.2-1", "C7.2-2",
    "C7.3-1", "C7.4-1", "C7.5-1", "C7.5-2", "C7.6-1", "C7.6-2", "C7.6-3", "C7.7-1", "C7.8-1",
    "C8.2-1", "C8.2-2", "C9-1", "C9-2", "C11-1", "C11-2", "C11-3", "C11-4", "C12-1", "C14-1",
    "C14-2", "C14-3", "C14-4", "P-1",
}  # fmt: skip


def test_the_catalogue_covers_every_rule_of_the_spec_once():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == SPEC_RULE_IDS


def test_gx_alone_loads_every_suite_with_exactly_the_expected_rule_ids():
    # A separate interpreter that imports GX and nothing of ours: what another runtime sees.
    code = r"""
import json, os, sys, pathlib
os.environ["GX_ANALYTICS_ENABLED"] = "False"
import great_expectations as gx
found = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    suite = gx.ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))
    found += [e.meta["rule_id"] for e in suite.expectations]
assert not [m for m in sys.modules if m.startswith("tokki")]
print(json.dumps(found))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, str(SUITES_DIR)], capture_output=True, text=True, cwd="/"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert sorted(found) == sorted(SPEC_RULE_IDS)


def test_committed_suites_are_written_from_the_catalogue():
    for view in views_in_order():
        data = build_suite_json(view)
        path = SUITES_DIR / f"{data['name']}.json"
        assert json.loads(path.read_text(encoding="utf-8")) == data, (
            f"{path.name} is stale: run python -m tokki_analytics.suites"
        )


def test_every_expectation_is_built_in_with_meta_severity_and_a_structured_condition():
    for path in SUITES_DIR.glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert re.search(r"第\d+", suite["name"]), suite["name"]
        for item in suite["expectations"]:
            meta = item["meta"]
            assert {"rule_id", "clause", "severity"} <= set(meta)
            assert item["severity"] == SEVERITY_GX[meta["severity"]]
            assert item["description"].startswith(meta["rule_id"])
            condition = item["kwargs"]["row_condition"]
            assert condition["type"] == "comparison" and condition["parameter"] is True
            assert "condition_parser" not in item["kwargs"]


def test_no_threshold_is_written_into_a_suite():
    # thresholds (7, 24, 30, 92, 100 …) live in settings.toml; suites compare with 0 or sets
    for path in SUITES_DIR.glob("*.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            for key in ("min_value", "max_value"):
                value = item["kwargs"].get(key)
                assert value in (None, 0, 0.0), (item["meta"]["rule_id"], key, value)


def test_suite_files_name_their_clauses():
    names = [p.stem for p in SUITES_DIR.glob("*.json")]
    assert any(n.startswith("第3") for n in names)
    assert SUITES_DIR == ROOT / "tokki_analytics" / "expectations"
