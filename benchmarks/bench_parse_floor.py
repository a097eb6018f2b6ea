"""The parse floor of a data folder: what reading its files costs, before any typing.

Prints figures; asserts nothing; not a test.

Usage:
    .venv/bin/python benchmarks/bench_parse_floor.py DATA [--repeat 3]

The floor (issue 11): every workbook read with python-calamine (every sheet, as Python
values) and every CSV file decoded and read with pandas ``read_csv`` (C parser, every cell
as text), one process, nothing typed, checked or kept. Files that neither reader can open
(the sample generator plants some, for Q0) are counted, not timed apart. ``tokki load`` and ``tokki
run`` are measured against it: their ratio to the floor says how much of their time goes
into something other than parsing.

The best of ``--repeat`` passes is printed (the first pass also warms the file cache).
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WORKBOOKS = (".xlsx", ".xlsm", ".xls")


@dataclass
class Floor:
    """One pass over a data folder: seconds, files and rows per kind of file."""

    workbook_s: float = 0.0
    workbooks: int = 0
    workbook_rows: int = 0
    csv_s: float = 0.0
    csvs: int = 0
    csv_rows: int = 0
    unreadable: int = 0

    @property
    def seconds(self) -> float:
        """The whole floor."""
        return self.workbook_s + self.csv_s


def _workbook_rows(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def _csv_rows(path: Path) -> int:
    """Rows of a CSV file read by pandas' C parser (UTF-8 with or without BOM, or CP932).

    A file whose first line is narrower than the rest (a title above the header) is read
    again with the width of its widest line, as pandas needs to be told.
    """
    import pandas as pd

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=str)
    except pd.errors.ParserError:
        width = max(line.count(",") for line in text.splitlines()) + 1
        frame = pd.read_csv(io.StringIO(text), header=None, names=range(width), dtype=str)
    return len(frame)


def parse_floor(data: Path) -> Floor:
    """Parse every workbook and CSV file of ``data`` once; time each kind."""
    floor = Floor()
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix not in (*WORKBOOKS, ".csv"):
            continue
        start = time.perf_counter()
        try:
            rows = _workbook_rows(path) if suffix in WORKBOOKS else _csv_rows(path)
        except Exception:  # noqa: BLE001 - a planted unreadable file (Q0) costs its attempt
            floor.unreadable += 1
            rows = 0
        elapsed = time.perf_counter() - start
        if suffix in WORKBOOKS:
            floor.workbook_s += elapsed
            floor.workbooks += 1
            floor.workbook_rows += rows
        else:
            floor.csv_s += elapsed
            floor.csvs += 1
            floor.csv_rows += rows
    return floor


def main() -> int:
    """Measure and print the parse floor of a data folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the data folder")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the best is printed")
    args = parser.parse_args()
    from importlib.metadata import version

    import pandas as pd  # imported before timing: the floor is parsing, not importing
    import python_calamine  # noqa: F401 - likewise

    best: Floor | None = None
    for _ in range(max(1, args.repeat)):
        floor = parse_floor(args.data)
        if best is None or floor.seconds < best.seconds:
            best = floor
    assert best is not None  # noqa: S101 - at least one pass ran
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"data folder: {args.data}  (pandas {pd.__version__}, python-calamine "
          f"{version('python-calamine')})")  # fmt: skip
    for label, seconds, files, rows in (
        ("workbooks (calamine)", best.workbook_s, best.workbooks, best.workbook_rows),
        ("CSV (pandas read_csv)", best.csv_s, best.csvs, best.csv_rows),
    ):
        each = 1000 * seconds / files if files else 0.0
        print(f"  {label:<22} {files:>6,} files {rows:>11,} rows {seconds:7.2f} s"
              f"  ({each:.2f} ms per file)")  # fmt: skip
    print(f"  unreadable files: {best.unreadable}")
    print(f"parse floor: {best.seconds:.2f} s (best of {args.repeat}); peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
