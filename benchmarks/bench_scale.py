"""Scale benchmark: tokki run on prefectures of 30, 300 and 3,000 contractors, every engine.

Prints figures and writes docs/PERFORMANCE.md; asserts nothing; not a test.

Usage:
    .venv/bin/python benchmarks/bench_scale.py [--sizes 30,300,3000]
        [--configs local1,local2,spark2] [--root /tmp/tokki-scale] [--write docs/PERFORMANCE.md]

For each size it generates a prefecture once (``tokki samples``, seed 3, about 6,700
access-log rows per contractor: 2 M at 300, 20 M at 3,000) under ``--root`` and reuses it
afterwards. It measures:

- the parse floor of benchmarks/bench_parse_floor.py: python-calamine and pandas
  ``read_csv`` over every file, one process, no typing (what reading alone costs);
- ``tokki run`` for each configuration (``default``: no option; ``local1``: ``--jobs 1``;
  ``local2``: ``--jobs 2``; ``spark2``: ``--engine spark --spark-master local[2]``): wall
  time, CPU time of the whole
  process tree, and the peak of the tree's summed RSS (sampled every 0.1 s with psutil), and,
  where the run writes them (``--timings``), its stages.

Configurations the installed tokki does not offer (an older checkout, pyspark missing) are
reported as such, not silently dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_parse_floor  # noqa: E402 - the one parse floor, beside this script

ROOT = Path(__file__).resolve().parents[1]
TOKKI = [sys.executable, "-m", "tokki_analytics.cli"]
ROWS_PER_CONTRACTOR = 6_667
CONFIGS = {
    "default": [],
    "local1": ["--jobs", "1"],
    "local2": ["--jobs", "2"],
    "spark2": ["--engine", "spark", "--spark-master", "local[2]"],
}


@dataclass
class Result:
    size: int
    config: str
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0
    exit_code: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    note: str = ""


def prefecture(root: Path, contractors: int) -> Path:
    """The generated prefecture of ``contractors`` (made once, reused)."""
    data = root / f"p{contractors}"
    if (data / ".complete").is_file():
        return data
    if data.exists():
        shutil.rmtree(data)
    rows = contractors * ROWS_PER_CONTRACTOR
    print(f"generating {contractors} contractors, {rows:,} access-log rows → {data}", flush=True)
    subprocess.run(
        [*TOKKI, "samples", str(data), "--contractors", str(contractors), "--seed", "3",
         "--access-rows", str(rows), "--key-dir", str(root / f"p{contractors}_key")],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    (data / ".complete").write_text("")
    return data


def parse_floor(data: Path) -> tuple[float, int]:
    """Seconds to parse every file (benchmarks/bench_parse_floor.py), and the rows read."""
    floor = bench_parse_floor.parse_floor(data)
    return floor.seconds, floor.workbook_rows + floor.csv_rows


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _sample(processes: list[psutil.Process], cpu: dict[int, float]) -> float:
    rss = 0
    for proc in processes:
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                times = proc.cpu_times()
                cpu[proc.pid] = (
                    times.user + times.system + times.children_user + times.children_system
                )
        except psutil.NoSuchProcess:
            continue
    return rss / 2**20


def run_flags() -> str:
    """The help text of ``tokki run`` (which options this tokki offers)."""
    return subprocess.run([*TOKKI, "run", "--help"], capture_output=True, text=True).stdout


def measure(data: Path, config: str, size: int, offered: str) -> Result:
    """Run ``tokki run`` once and watch its process tree."""
    result = Result(size, config)
    missing = [flag for flag in CONFIGS[config] if flag.startswith("--") and flag not in offered]
    if missing:
        result.exit_code, result.note = -1, f"this tokki has no {' '.join(missing)}"
        return result
    with tempfile.TemporaryDirectory() as tmp:
        timings = Path(tmp) / "timings.json"
        extra = ["--timings", str(timings)] if "--timings" in offered else []
        command = [*TOKKI, "run", str(data), "--out", str(Path(tmp) / "out"), "--no-history",
                   *CONFIGS[config], *extra]  # fmt: skip
        cpu: dict[int, float] = {}
        start = time.perf_counter()
        process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while process.poll() is None:
            result.peak_mb = max(result.peak_mb, _sample(_tree(process), cpu))
            time.sleep(0.1)
        result.wall = time.perf_counter() - start
        result.exit_code = process.returncode
        result.cpu = sum(cpu.values())
        if timings.is_file():
            result.stages = json.loads(timings.read_text("utf-8"))["stages"]
        if process.returncode not in (0, 1):
            stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            result.note = stderr.strip().splitlines()[-1][:160] if stderr.strip() else "failed"
    return result


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    java = shutil.which("java")
    java_version = ""
    if java:
        out = subprocess.run([java, "-version"], capture_output=True, text=True)
        java_version = (
            (out.stderr or out.stdout).splitlines()[0] if (out.stderr or out.stdout) else ""
        )
    versions = {}
    for name in ("pandas", "great-expectations", "pyspark", "python-calamine", "openpyxl"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "—"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        **versions,
        "Java": java_version or "—",
    }


def plot(results: list[Result], rows: dict[int, int], path: Path) -> None:
    """Log-log plot of wall time and peak memory against input rows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for config in CONFIGS:
        mine = [r for r in results if r.config == config and r.exit_code in (0, 1)]
        if not mine:
            continue
        xs = [rows[r.size] for r in mine]
        left.plot(xs, [r.wall for r in mine], marker="o", label=config)
        right.plot(xs, [r.peak_mb for r in mine], marker="o", label=config)
    for axis, label in ((left, "wall time (s)"), (right, "peak RSS of the run (MB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("input rows")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write_markdown(path: Path, results: list[Result], floors: dict[int, float],
                   rows: dict[int, int], command: str) -> None:  # fmt: skip
    """docs/PERFORMANCE.md: the machine, the table and the plot."""
    lines = [
        "# 性能 (performance)",
        "",
        f"Measured by `{command}` (benchmarks/bench_scale.py); regenerate with the same command.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine().items()],
        "",
        "## tokki run",
        "",
        "| contractors | input rows | parse floor (s) | engine | wall (s) | wall / floor "
        "| CPU (s) | peak RSS (MB) | stages (s) |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        floor = floors[r.size]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r.stages.items()) or "—"
        if r.exit_code not in (0, 1):
            lines.append(f"| {r.size:,} | {rows[r.size]:,} | {floor:.1f} | {r.config} | — | — | — "
                         f"| — | not run: {r.note} |")  # fmt: skip
            continue
        lines.append(
            f"| {r.size:,} | {rows[r.size]:,} | {floor:.1f} | {r.config} | {r.wall:.1f} "
            f"| {r.wall / floor:.1f} | {r.cpu:.1f} | {r.peak_mb:,.0f} | {stages} |"
        )
    lines += ["", "![wall time and memory against input rows](performance.png)", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300,3000")
    parser.add_argument("--configs", default="local1,local2,spark2")
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "tokki-scale")
    parser.add_argument("--write", type=Path, default=None, help="e.g. docs/PERFORMANCE.md")
    args = parser.parse_args()
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    args.root.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [c for c in args.configs.split(",") if c]
    results: list[Result] = []
    floors: dict[int, float] = {}
    rows: dict[int, int] = {}
    offered = run_flags()
    for size in sizes:
        data = prefecture(args.root, size)
        floors[size], rows[size] = parse_floor(data)
        print(f"{size:>6,} contractors  {rows[size]:>12,} rows  parse floor {floors[size]:7.1f} s")
        for config in configs:
            r = measure(data, config, size, offered)
            results.append(r)
            ratio = r.wall / floors[size]
            print(
                f"    {config:<7} wall {r.wall:7.1f} s ({ratio:4.1f} × floor)  "
                f"CPU {r.cpu:7.1f} s  peak {r.peak_mb:7,.0f} MB  exit {r.exit_code} {r.note}",
                flush=True,
            )
    if args.write:
        command = "python benchmarks/bench_scale.py " + " ".join(sys.argv[1:])
        write_markdown(args.write, results, floors, rows, command.strip())
        plot(results, rows, args.write.parent / "performance.png")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
