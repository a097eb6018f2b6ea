"""Benchmark the HTML report (index.html and the contractor pages). Prints; asserts nothing.

Usage:
    .venv/bin/python benchmarks/bench_report.py [--data FOLDER] [--contractors 300]
        [--seed 3] [--profile 25]

Audits the data folder once (timed, but not the report), builds the masker as ``tokki
run`` does before its report (the roster's regular expression, cached), then times what
:func:`tokki_analytics.render.html.write_html` does, without history and with a history of
three runs (as ``tokki run`` writes from its second run on): preparing the run (status
tables, risk ranking, masker, finding identities), laying out index.html, index.html as
written (both and the file), the contractor pages, and the whole ``write_html`` call.
Without ``--data`` a prefecture of ``--contractors`` contractors is generated once under
``benchmarks/out/`` (``tokki samples OUT --contractors 300 --seed 3`` makes the same
folder). ``--profile N`` prints the N most expensive functions of index.html with history.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

os.environ["GX_ANALYTICS_ENABLED"] = "False"

if TYPE_CHECKING:
    from tokki_analytics.history import History
    from tokki_analytics.pipeline import Audit

T = TypeVar("T")


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(name: str, func: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = func()
    took = time.perf_counter() - t0
    print(f"  {name:<40} {took:8.3f} s   peak RSS {_rss():7.0f} MB")
    return out, took


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


def _history(audit: Audit, store: Path) -> History:
    """Three runs recorded: all findings, a tenth fewer, all again (new and resolved ones)."""
    from tokki_analytics.history import record_run

    findings = audit.findings
    fewer = dataclasses.replace(
        audit, findings=findings.iloc[len(findings) // 10 :].reset_index(drop=True)
    )
    record_run(store, audit, run_at=dt.datetime(2026, 1, 1, 9, 0))
    record_run(store, fewer, run_at=dt.datetime(2026, 1, 2, 9, 0))
    return record_run(store, audit, run_at=dt.datetime(2026, 1, 3, 9, 0))


def _report(audit: Audit, history: History | None, out: Path) -> None:
    from tokki_analytics.outputs.files import write_text
    from tokki_analytics.render.html import prepare_run, write_html
    from tokki_analytics.render.html_contractor import contractor_page
    from tokki_analytics.render.html_index import index_page
    from tokki_analytics.status import contractor_ids

    ids = contractor_ids(audit)
    run, prepared = _timed("prepare run", lambda: prepare_run(audit, False, history, None))
    index, laid_out = _timed("index.html laid out", lambda: index_page(run))
    out.mkdir(parents=True, exist_ok=True)
    _, written = _timed("index.html file written", lambda: write_text(out / "i.html", index))
    print(
        f"  {'= index.html (prepare + layout + write)':<40} {prepared + laid_out + written:8.3f} s"
    )
    print(f"  index.html: {len(index.encode('utf-8')) / 1e6:.2f} MB")
    _, pages = _timed(
        f"{len(ids)} contractor pages laid out", lambda: [contractor_page(run, c) for c in ids]
    )
    print(f"  {'  per page':<40} {pages / max(1, len(ids)) * 1000:8.1f} ms")
    _timed(
        "write_html (all pages and files)", lambda: write_html(audit, out / "r", history=history)
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a data folder (default: generate one)")
    parser.add_argument("--contractors", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="top N functions of index.html")
    args = parser.parse_args(argv)

    import tokki_analytics
    from tokki_analytics.masking import Masker
    from tokki_analytics.render.html import prepare_run
    from tokki_analytics.render.html_index import index_page
    from tokki_analytics.status import contractor_ids

    data = _data(args)
    print(f"data: {data}")
    audit, _ = _timed("audit (not the report)", lambda: tokki_analytics.audit(data))
    print(f"contractors: {len(contractor_ids(audit))}, findings: {len(audit.findings)}")
    # tokki run builds the masker (its roster regex, cached per roster) before the report
    _timed("masker built (before the report)", lambda: Masker.of(audit))
    with tempfile.TemporaryDirectory() as tmp:
        print("without history:")
        _report(audit, None, Path(tmp) / "plain")
        history, _ = _timed(
            "history: 3 runs recorded (not the report)",
            lambda: _history(audit, Path(tmp) / "store"),
        )
        print("with history (3 runs):")
        _report(audit, history, Path(tmp) / "history")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(lambda: index_page(prepare_run(audit, False, history, None)))
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
