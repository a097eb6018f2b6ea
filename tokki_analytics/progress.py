"""Stage progress of ``tokki run`` and the stage times it writes (``--timings``)."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from tokki_analytics.errors import ParameterError
from tokki_analytics.safetext import terminal_text


def stage_key(label: str) -> str:
    """The English part of a stage label: ``検証 (validation)`` → ``validation``."""
    match = re.search(r"\(([^()]*)\)\s*$", label)
    return match.group(1) if match else label


class Progress:
    """Stage progress: one updating line on a terminal, plain log lines otherwise."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = dt.datetime.now()
        self.count = 0
        self.marks: list[tuple[str, float]] = [("start", time.perf_counter())]
        self.finished: float | None = None

    def __call__(self, label: str) -> None:
        """Report that the stage ``label`` starts."""
        self.marks.append((label, time.perf_counter()))
        if self.quiet:
            return
        self.count += 1
        elapsed = (dt.datetime.now() - self.started).total_seconds()
        if self.tty:
            self.stream.write(f"\r\x1b[K[{self.count}] {label} … {elapsed:5.1f}s")
        else:
            self.stream.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} tokki: {label}\n")
        self.stream.flush()

    def timings(self) -> dict[str, float]:
        """Seconds spent in each stage so far, keyed by the label's English part.

        ``setup`` is the time before the first stage (settings, suites check); the last
        stage runs until now.
        """
        marks = [*self.marks, ("end", self.finished or time.perf_counter())]
        spent: dict[str, float] = {}
        for (label, start), (_, stop) in zip(marks, marks[1:], strict=False):
            key = "setup" if label == "start" else stage_key(label)
            spent[key] = round(spent.get(key, 0.0) + stop - start, 3)
        return spent

    def done(self) -> None:
        """Finish the progress display."""
        self.finished = time.perf_counter()
        if self.quiet:
            return
        elapsed = (dt.datetime.now() - self.started).total_seconds()
        if self.tty:
            self.stream.write(f"\r\x1b[K完了 (done) {elapsed:.1f}s\n")
        else:
            self.stream.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} tokki: 完了 (done)\n")
        self.stream.flush()


#: The marker of a timings file tokki wrote (and may therefore replace).
TIMINGS_KIND = "tokki-timings"


def check_timings_path(path: Path) -> None:
    """Refuse a ``--timings`` path holding anything but a timings file tokki wrote.

    Raises:
        ParameterError: ``path`` is a folder, or a file that is not tokki's timings.
    """
    if not (path.exists() or path.is_symlink()):
        return
    try:
        ours = (
            not path.is_symlink()
            and path.is_file()
            and json.loads(path.read_text("utf-8")).get("kind") == TIMINGS_KIND
        )
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise ParameterError(
            f"--timings の {terminal_text(path)} は tokki が書いたファイルではないため"
            "上書きしません / "
            f"--timings {terminal_text(path)}: not a timings file written by tokki, "
            "left untouched"
        )


def write_timings(path: Path, progress: Progress) -> None:
    """Write the seconds of each stage of the run to ``path`` as JSON."""
    from tokki_analytics.outputs.files import write_text

    record = {"kind": TIMINGS_KIND, "stages": progress.timings()}
    write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
