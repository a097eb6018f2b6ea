"""Benchmark the HTML report (index.html and the contractor pages). Prints; asserts nothing.

Usage:
    .venv/bin/python benchmarks/bench_report.py [--data FOLDER] [--contractors 300]
        [--seed 3] [--profile 25]

Audits the data folder once (not timed here: see bench_audit.py), then times what
:func:`tokki_analytics.render.html.write_html` does: preparing the run (status tables, risk
ranking, masker), laying out index.html, laying out the contractor pages, and the whole
``write_html`` call with its file writes. Without ``--data`` a prefecture of
``--contractors`` contractors is generated once under ``benchmarks/out/`` (``tokki samples
OUT --contractors 300 --seed 3`` makes the same folder). ``--profile N`` prints the N most
expensive functions of index.html under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

os.environ["GX_ANALYTICS_ENABLED"] = "False"

T = TypeVar("T")


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(name: str, func: Callable[[], T]) -> T:
    t0 = time.perf_counter()
    out = func()
    print(f"  {name:<34} {time.perf_counter() - t0:8.3f} s   peak RSS {_rss():7.0f} MB")
    return out


def _data(args: argparse.Namespace) -> Path:
    if args.data:
        return Path(args.data)
    from tokki_analytics.samples import generate

    data = Path("benchmarks/out") / f"prefecture_{args.contractors}_seed{args.seed}"
    if not data.exists():
        t0 = time.perf_counter()
        generate(data, contractors=args.contractors, seed=args.seed)
        print(f"generated {data} in {time.perf_counter() - t0:.1f} s")
    return data


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a data folder (default: generate one)")
    parser.add_argument("--contractors", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="top N functions of index.html")
    args = parser.parse_args(argv)

    import tokki_analytics
    from tokki_analytics.render.html import prepare_run, write_html
    from tokki_analytics.render.html_contractor import contractor_page
    from tokki_analytics.render.html_index import index_page
    from tokki_analytics.status import contractor_ids

    data = _data(args)
    print(f"data: {data}")
    audit = _timed("audit (not the report)", lambda: tokki_analytics.audit(data))
    ids = contractor_ids(audit)
    print(f"contractors: {len(ids)}, findings: {len(audit.findings)}")
    run = _timed("prepare run (status, ranking)", lambda: prepare_run(audit, False, None, None))
    index = _timed("index.html laid out", lambda: index_page(run))
    print(f"  index.html: {len(index.encode('utf-8')) / 1e6:.2f} MB")
    _timed(f"{len(ids)} contractor pages laid out", lambda: [contractor_page(run, c) for c in ids])
    with tempfile.TemporaryDirectory() as out:
        _timed("write_html (everything, files)", lambda: write_html(audit, Path(out) / "r"))
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: index_page(prepare_run(audit, False, None, None)))
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
