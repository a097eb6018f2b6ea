"""A deadline per request, kept by one thread: what stops a workbook reader that hangs.

:class:`~tokki_analytics.ingest.sheetreader.SheetReader` arms it before each request to its
worker process and disarms it when the answer is in; past the deadline the worker is killed
(that file is a Q0). Standard library only: the worker imports this module too.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import weakref
from collections.abc import Callable


class Watchdog:
    """One thread that kills a worker whose request runs past its deadline.

    Armed once per request: a timer thread per request cost a thread start each, a share
    of the reading time of a small workbook. The thread ends when idle and starts again
    when needed (after a fork too: a child has no thread of its parent).
    """

    IDLE_SECONDS = 30.0

    def __init__(self, expire: Callable[[subprocess.Popen], None]) -> None:
        self._expire = expire
        self.reset()
        _WATCHDOGS.add(self)

    def reset(self) -> None:
        """Forget the deadline and the thread (a fork's child starts from here)."""
        self._cond = threading.Condition()
        self._armed: tuple[float, subprocess.Popen] | None = None
        self._thread: threading.Thread | None = None

    def arm(self, process: subprocess.Popen, seconds: float) -> None:
        """Kill ``process`` in ``seconds`` unless disarmed before."""
        with self._cond:
            self._armed = (time.monotonic() + seconds, process)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
            self._cond.notify()

    def disarm(self) -> None:
        """Cancel the deadline armed last."""
        with self._cond:
            self._armed = None

    def _watch(self) -> None:
        with self._cond:
            while True:
                if self._armed is None:
                    if not self._cond.wait(self.IDLE_SECONDS) and self._armed is None:
                        self._thread = None  # idle: the next arm starts a thread again
                        return
                    continue
                deadline, process = self._armed
                if deadline > time.monotonic():
                    self._cond.wait(deadline - time.monotonic())
                    continue
                self._armed = None
                self._expire(process)


_WATCHDOGS: weakref.WeakSet[Watchdog] = weakref.WeakSet()


def _after_fork() -> None:
    for watchdog in list(_WATCHDOGS):  # a child has no thread of its parent
        watchdog.reset()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork)
