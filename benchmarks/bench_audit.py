"""Benchmark the audit pipeline per stage. Prints figures; asserts nothing; not a test.

Usage:
    .venv/bin/python benchmarks/bench_audit.py [--contractors 300] [--access-rows 2000000]
        [--data FOLDER] [--per-contractor N]

Reports wall time and peak RSS after each stage (load, views, validation, findings), then
the same rules validated one contractor at a time (the design the one-pass run replaces),
then what GX's COMPLETE result format costs against SUMMARY when 5 % of the access-log
view fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

os.environ["GX_ANALYTICS_ENABLED"] = "False"


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def __call__(self, name, func, *args, **kwargs):
        t0 = time.perf_counter()
        out = func(*args, **kwargs)
        self.rows.append((name, time.perf_counter() - t0, _rss()))
        print(f"  {name:<28} {self.rows[-1][1]:8.2f} s   peak RSS {self.rows[-1][2]:7.0f} MB")
        return out


def _data(args) -> Path:
    if args.data:
        return Path(args.data)
    from tokki_analytics.samples import generate

    data = Path("benchmarks/out") / f"prefecture_{args.contractors}"
    if not data.exists():
        t0 = time.perf_counter()
        generate(data, contractors=args.contractors, seed=2, access_rows=args.access_rows)
        print(f"generated {data} in {time.perf_counter() - t0:.1f} s")
    return data


def _per_contractor(views, suites, validate, limit):
    codes = sorted(set(views["staff"]["contractor_id"]))[:limit]
    t0 = time.perf_counter()
    for code in codes:
        subset = {k: v[v["contractor_id"] == code] for k, v in views.items()}
        validate(subset, suites)
    return len(codes), time.perf_counter() - t0


def _complete_vs_summary(views, suites):
    from tokki_analytics.gx.validate import RESULT_FORMAT, batch_definition, quiet_context

    view = views["person_events"].copy()
    judge = [c for c in view.columns if c.startswith("judge__")][0]
    rule = judge.removeprefix("judge__")
    suite = suites["person_events"]
    column = next(e.column for e in suite.expectations if e.meta["rule_id"] == rule)
    if view[column].dtype != bool:
        print(f"  skipped: {column} is not a boolean column")
        return
    fail = np.random.default_rng(0).random(len(view)) < 0.05
    view[judge] = True
    view[column] = ~fail
    batches = batch_definition(quiet_context())
    batch = batches.get_batch(batch_parameters={"dataframe": view})
    for name, fmt in (("SUMMARY", "SUMMARY"), ("COMPLETE + _key", RESULT_FORMAT)):
        t0 = time.perf_counter()
        batch.validate(suite, result_format=fmt)
        print(
            f"  {name:<16} {time.perf_counter() - t0:7.2f} s  ({len(view):,} rows, "
            f"{int(fail.sum()):,} failing)"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contractors", type=int, default=300)
    parser.add_argument("--access-rows", type=int, default=2_000_000)
    parser.add_argument("--data")
    parser.add_argument(
        "--per-contractor",
        type=int,
        default=None,
        help="validate only the first N contractors one at a time",
    )
    args = parser.parse_args()
    data = _data(args)

    from tokki_analytics.findings import build_compliance, build_findings
    from tokki_analytics.gx.suites import load_suites
    from tokki_analytics.gx.validate import validate
    from tokki_analytics.ingest import load
    from tokki_analytics.rules import build_views

    watch = Stopwatch()
    print(f"data: {data}")
    suites = watch("import GX + load suites", load_suites)
    sub = watch("load", load, data)
    views = watch("views", build_views, sub)
    validation = watch("validation (one pass)", validate, views, suites)
    findings = watch("findings", build_findings, views, validation, sub.defects)
    watch("compliance", build_compliance, views, validation)
    rows = sum(len(v) for v in views.values())
    print(f"view rows: {rows:,}; findings: {len(findings):,}")

    n, seconds = _per_contractor(views, suites, validate, args.per_contractor)
    one_pass = watch.rows[3][1]
    everyone = len(set(views["staff"]["contractor_id"]))
    print(
        f"per-contractor validation: {n} contractors in {seconds:.1f} s ({seconds / n:.2f} s each);"
        f" one pass over all {everyone}: {one_pass:.1f} s"
    )
    print("COMPLETE vs SUMMARY, 5 % of the access-log view failing:")
    _complete_vs_summary(views, suites)
    shutil.rmtree(Path("benchmarks/out/tmp"), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
