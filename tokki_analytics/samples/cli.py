"""Command line of the generator: ``python -m tokki_analytics.samples OUT`` (``tokki samples``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tokki_analytics.samples.build import generate


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tokki_analytics.samples OUT --contractors N --seed S``."""
    parser = argparse.ArgumentParser(
        prog="python -m tokki_analytics.samples",
        description="Write a synthetic sample prefecture and its answer key.",
    )
    parser.add_argument("out", type=Path, help="data folder to create")
    parser.add_argument("--contractors", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--access-rows", type=int, default=None)
    parser.add_argument("--key-dir", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    args = parser.parse_args(argv)
    key = generate(
        args.out,
        args.contractors,
        args.seed,
        access_rows=args.access_rows,
        key_dir=args.key_dir,
        overwrite=args.force,
    )
    print(f"{args.out}: {args.contractors} contractors, {len(key)} findings in the answer key")
    return 0
