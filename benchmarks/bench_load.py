"""Benchmark: loading a generated prefecture. Prints figures; asserts nothing.

Usage:
    .venv/bin/python benchmarks/bench_load.py [--contractors 300] [--access-rows 2000000]
        [--workdir benchmarks/out] [--data data_samples]

With --data it times loading an existing folder (e.g. data_samples); otherwise it
generates a prefecture into --workdir first (not committed: benchmarks/out is ignored).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contractors", type=int, default=300)
    parser.add_argument("--access-rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--workdir", default="benchmarks/out")
    parser.add_argument("--data", help="time loading this folder instead of generating one")
    args = parser.parse_args()

    from tokki_analytics.ingest import load

    if args.data:
        data = Path(args.data)
    else:
        from tokki_analytics.samples import generate

        data = Path(args.workdir) / f"prefecture_{args.contractors}"
        shutil.rmtree(data, ignore_errors=True)
        t0 = time.perf_counter()
        generate(data, contractors=args.contractors, seed=args.seed, access_rows=args.access_rows)
        print(f"generate: {time.perf_counter() - t0:.1f} s")
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    t0 = time.perf_counter()
    submission = load(data)
    elapsed = time.perf_counter() - t0
    rows = submission.rows()
    print(f"data: {data} ({size / 1e6:.1f} MB)")
    print(f"load: {elapsed:.2f} s, peak RSS {_peak_mb():.0f} MB")
    print(f"rows: {sum(rows.values()):,} (access log {rows['access']:,})")
    print(f"defects: {len(submission.defects):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
