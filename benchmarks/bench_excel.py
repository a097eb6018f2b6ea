"""Benchmark the Excel writers: findings.xlsx and tokki check's reply. Prints; asserts nothing.

Usage:
    .venv/bin/python benchmarks/bench_excel.py [--data FOLDER] [--reply-rows 200000]
        [--part findings|reply]

Without ``--part`` each part runs in a process of its own (so that one's peak RSS is not
the other's):

- ``findings``: audits ``--data`` (default ``/tmp/tokki-scale/p300``, made by
  ``benchmarks/bench_scale.py``; ``tokki samples OUT --contractors 300 --seed 3`` makes an
  equal one), then times building and saving findings.xlsx
  (:func:`tokki_analytics.render.excel.build_workbook` and ``save`` into memory, as
  :func:`~tokki_analytics.render.excel.write_findings_xlsx` does). Peak RSS of the process
  (``resource.getrusage``) includes the audit, so the RSS the write adds above what the
  process held before it is printed too (sampled every 10 ms).
- ``reply``: a synthetic reply table of ``--reply-rows`` rows (a Q2 defect per row, as a
  contractor's file of that many unreadable rows gives) written as 差し戻し票.xlsx
  (:func:`tokki_analytics.intake.reply.build_reply_workbook` and ``save``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

os.environ["GX_ANALYTICS_ENABLED"] = "False"

DEFAULT_DATA = Path("/tmp/tokki-scale/p300")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Sampler:
    """The highest RSS seen while a block runs (a thread reads /proc every 10 ms)."""

    def __init__(self) -> None:
        self.high = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.high = max(self.high, _rss_mb())

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.high = max(self.high, _rss_mb())


def _timed_write(name: str, build: Callable[[], object]) -> None:
    before = _rss_mb()
    with _Sampler() as sampler:
        t0 = time.perf_counter()
        buffer = io.BytesIO()
        build().save(buffer)  # type: ignore[attr-defined]  # an openpyxl Workbook
        took = time.perf_counter() - t0
    print(
        f"  {name:<34} {took:7.2f} s  {len(buffer.getvalue()) / 2**20:6.1f} MB file  "
        f"RSS before {before:6.0f} MB, high {sampler.high:6.0f} MB "
        f"(+{sampler.high - before:.0f}), process peak {_peak_mb():6.0f} MB"
    )


def bench_findings(data: Path) -> None:
    """Audit ``data`` and time findings.xlsx."""
    import tokki_analytics
    from tokki_analytics.render.excel import build_workbook

    t0 = time.perf_counter()
    audit = tokki_analytics.audit(data)
    print(
        f"findings.xlsx of {data}: {len(audit.submission.contractors)} contractors, "
        f"{len(audit.findings):,} findings, {len(audit.submission.defects):,} defects "
        f"(audit {time.perf_counter() - t0:.1f} s)"
    )
    _timed_write("build + save findings.xlsx", lambda: build_workbook(audit))


def reply_items(rows: int) -> pd.DataFrame:
    """A reply table of ``rows`` unreadable-date defects in one file."""
    from tokki_analytics.intake.check import REPLY_COLUMNS, SECTION_DEFECTS

    number = pd.Series(range(rows))
    items = pd.DataFrame(
        {
            "section": SECTION_DEFECTS,
            "rule_id": "Q2",
            "clause": "",
            "severity": "軽微",
            "contract_id": "R7-001",
            "form": "アクセスログ",
            "source": "C001_テスト/アクセスログ.csv",
            "sheet": "",
            "row": (number + 2).astype("Int64"),
            "column": "日時",
            "value": "令和X年" + number.astype(str),
            "detail": "日時「令和X年" + number.astype(str) + "」を日付として読めません",
            "expected": "日付（例: 2026-04-01、令和8年4月1日）",
        }
    )
    return items[REPLY_COLUMNS]


def bench_reply(rows: int) -> None:
    """Time the reply workbook of ``rows`` rows."""
    from tokki_analytics.intake.check import SECTION_DEFECTS, Cover
    from tokki_analytics.intake.reply import build_reply_workbook

    items = reply_items(rows)
    cover = Cover(
        "C001",
        "テスト",
        dt.date(2026, 1, 31),
        dt.datetime(2026, 2, 1, 9),
        "C001_テスト",
        {SECTION_DEFECTS: rows},
    )
    print(f"差し戻し票.xlsx of {rows:,} rows")
    _timed_write("build + save reply", lambda: build_reply_workbook(cover, items))


def main() -> None:
    """Run the parts asked for, each in its own process unless ``--part`` names one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--reply-rows", type=int, default=200_000)
    parser.add_argument("--part", choices=("findings", "reply"))
    args = parser.parse_args()
    if args.part == "findings":
        bench_findings(args.data)
    elif args.part == "reply":
        bench_reply(args.reply_rows)
    else:
        for part in ("findings", "reply"):
            command = [sys.executable, __file__, "--part", part, "--data", str(args.data)]
            subprocess.run([*command, "--reply-rows", str(args.reply_rows)], check=True)


if __name__ == "__main__":
    main()
