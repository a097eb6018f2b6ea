"""Reading workbooks in a separate process, so that no workbook can take the audit down.

The spreadsheet reader (python-calamine, native code) trusts what a workbook declares: a
shared-string count of four billion in a 1 KB file makes it ask for 96 GB and abort the
whole process, and a far cell makes it pad a sheet to billions of cells. The limits of
:mod:`~tokki_analytics.ingest.guard` and the checks of :mod:`~tokki_analytics.ingest.xlsx`
refuse the known shapes before the reader sees them; this module is the second wall for
the ones nobody has thought of yet. Workbooks are read by
one long-lived worker process (:func:`serve`, in a new interpreter) with a memory
limit (``RLIMIT_AS``, where the system has it); when it dies or runs out of memory, that
one file is a Q0 and the next file gets a fresh worker.

The worker answers two requests over its standard input and output (length-prefixed
pickles): the sheet names of a workbook, then the cells of the sheets wanted, one message
per sheet, each sheet checked against the limits first. Where no worker can be started,
the same code runs in this process (the limits still apply).

This module imports the standard library, :mod:`~tokki_analytics.ingest.guard`,
:mod:`~tokki_analytics.ingest.xlsx` and :mod:`~tokki_analytics.ingest.watchdog` only (and the
package ``__init__`` modules, which import nothing at run time), so the worker starts in a
fraction of a second.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

from tokki_analytics.ingest.guard import (
    Limits,
    UnreadableFile,
    extent_problem,
    reader_crashed,
    reader_timed_out,
    workbook_cells_over,
)
from tokki_analytics.ingest.watchdog import Watchdog
from tokki_analytics.ingest.xlsx import Package, is_zip

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<Q")

#: One sheet read: (name, cells from A1 as rows of values, 0-based row of the first row).
Sheet = tuple[str, list[list], int]


class ReaderDied(Exception):
    """The worker process ended (a crash, or past its memory limit) while reading a file."""


# --- the worker's side -----------------------------------------------------------------


#: What a reader failure must never be turned into a Q0 for.
_FATAL = (KeyboardInterrupt, SystemExit, MemoryError)


@contextlib.contextmanager
def _reader_errors(error: Callable[[BaseException], UnreadableFile]) -> Iterator[None]:
    """Turn any failure of the reader (its panics are BaseException) into ``error(exc)``."""
    try:
        yield
    except (UnreadableFile, *_FATAL):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises many kinds, panics too
        raise error(exc) from exc


def _not_a_workbook(exc: BaseException) -> UnreadableFile:
    return UnreadableFile(
        "Excelファイルとして読めません（破損または形式違い）",
        f"not a readable workbook ({type(exc).__name__}: {exc})",
    )


class _Workbook:
    """One workbook open in the worker: its checks and the reader's handle."""

    def __init__(self, path: str, limits: Limits) -> None:
        with open(path, "rb") as fh:
            self.package = Package(path, limits) if is_zip(fh.read(4)) else None
        self.path = path
        self.limits = limits
        self.book = _calamine_open(path)
        self.names = [m.name for m in self.book.sheets_metadata]
        self.cells = 0  # of the sheets read so far, counted against max_cells together

    def sheet(self, name: str) -> Sheet:
        """Check, then read sheet ``name`` from A1 (empty leading rows kept).

        The sheet's XML is checked first (:meth:`Package.check_sheet`); then the extent
        the reader found, before it pads the sheet from A1.
        """
        if self.package is not None:
            self.package.check_sheet(name)

        def error(exc: BaseException) -> UnreadableFile:
            return UnreadableFile(
                f"シート「{name}」を読めません",
                f"cannot read sheet {name!r}: {type(exc).__name__}: {exc}",
            )

        with _reader_errors(error):
            sheet = self.book.get_sheet_by_name(name)
            end = sheet.end
            if end is not None:
                problem = extent_problem(end[0] + 1, end[1] + 1, self.limits, sheet=name)
                if problem is not None:
                    raise problem
                self.cells += (end[0] + 1) * (end[1] + 1)
                if self.cells > self.limits.max_cells:
                    raise workbook_cells_over(self.cells, self.limits, name)
            values = sheet.to_python(skip_empty_area=False)
        # calamine returns rows from A1; should a reader ever start at the first used row
        # instead, its rows are offset by the used range's first row.
        first = 0
        if sheet.start is not None and end is not None and len(values) < end[0] + 1:
            first = sheet.start[0]
        if self.package is not None:
            _put_errors(values, self.package.error_cells(name), first)
        return name, values, first


def _put_errors(
    values: list[list[Any]], errors: Iterable[tuple[int, int, str]], first: int
) -> None:
    """Write each error cell's text (``#REF!``…) where the reader left an empty string.

    Args:
        values: The sheet's rows as read (changed in place).
        errors: (1-based row, 1-based column, error text) of the sheet's error cells.
        first: The 0-based row of ``values[0]``.
    """
    for row, col, text in errors:
        r, c = row - 1 - first, col - 1
        if 0 <= r < len(values) and 0 <= c < len(values[r]) and values[r][c] == "":
            values[r][c] = text


def _calamine_open(path: str) -> CalamineWorkbook:
    """Open a workbook with python-calamine, turning every failure into UnreadableFile."""
    from python_calamine import CalamineWorkbook, PasswordError

    with _reader_errors(_not_a_workbook):
        try:
            if path != path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
                # a name that is not UTF-8 (CP932 from unzip): calamine takes text paths only
                with open(path, "rb") as fh:
                    return CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
            return CalamineWorkbook.from_path(path)
        except PasswordError as exc:
            raise UnreadableFile("パスワードで保護されています", "password-protected") from exc


class Handler:
    """Answers requests; keeps the last workbook open between its two requests."""

    def __init__(self) -> None:
        self._open: _Workbook | None = None

    def _workbook(self, path: str, limits: Limits) -> _Workbook:
        if self._open is None or self._open.path != path or self._open.limits != limits:
            self._open = None
            self._open = _Workbook(path, limits)
        return self._open

    def answer(self, request: tuple) -> Iterator[tuple]:
        """Yield the replies to one request; the last one is ``("done",)`` or an error.

        Requests: ``("names", path, limits)`` → ``("names", [sheet names])``;
        ``("sheets", path, [names], limits)`` → one ``("sheet", name, cells, first)`` per
        sheet. An error is ``("refused", reason_ja, reason_en)``.
        """
        try:
            if request[0] == "names":
                yield ("names", self._workbook(request[1], request[2]).names)
            else:
                _, path, names, limits = request
                book = self._workbook(path, limits)
                self._open = None  # the last request for this workbook
                for name in names:
                    yield ("sheet", *book.sheet(name))
        except UnreadableFile as exc:
            self._open = None
            yield ("refused", exc.reason_ja, exc.reason_en)
            return
        except OSError as exc:
            self._open = None
            yield ("refused", f"ファイルを開けません（{exc.strerror}）", f"cannot open: {exc}")
            return
        except MemoryError:
            raise  # the worker ends: its memory is no longer to be trusted
        except Exception as exc:  # noqa: BLE001 - whatever a file does, it is that file's Q0
            self._open = None  # (a bad zip stream, an encrypted part, a malformed sheet…)
            problem = _not_a_workbook(exc)
            yield ("refused", problem.reason_ja, problem.reason_en)
            return
        yield ("done",)


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space; a no-op where the system has no such limit."""
    if megabytes <= 0:
        return
    try:
        import resource

        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass  # Windows has no resource module; some systems refuse RLIMIT_AS


def _send(stream: IO[bytes], message: tuple[object, ...], flush: bool = True) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    if flush:
        stream.flush()


def _receive(stream: IO[bytes]) -> tuple[object, ...] | None:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def serve(memory_mb: int) -> int:
    """The worker's loop: answer requests from standard input until it closes."""
    _limit_memory(memory_mb)
    # Replies go to a private copy of standard output; anything printed by a library
    # (to file descriptor 1) goes to standard error instead of corrupting them.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    handler = Handler()
    while (request := _receive(requests)) is not None:
        try:
            for reply in handler.answer(request):
                _send(replies, reply, flush=reply[0] in ("done", "refused"))
        except MemoryError:
            return 3  # the parent sees the worker gone: a Q0, and a fresh worker
    return 0


# --- the audit's side ------------------------------------------------------------------


class SheetReader:
    """A worker process reading workbooks under a memory limit, restarted when it dies.

    A request that takes longer than ``seconds`` (0: no limit) gets its worker killed, so
    a workbook that sends the reader into an endless loop costs only itself.
    """

    def __init__(self, memory_mb: int, seconds: int = 0) -> None:
        self.memory_mb = memory_mb
        self.seconds = seconds
        self.timed_out = False
        self._process: subprocess.Popen | None = None
        self._local: Handler | None = None
        self._watchdog = Watchdog(self._stop)

    def _start(self) -> subprocess.Popen | None:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._process = None
        if self._local is not None:
            return None
        env = dict(os.environ, RUST_BACKTRACE="0")
        # An isolated interpreter (-I: no current folder, no PYTHON* variables on its path,
        # so no file of the data folder can stand in for a module), given this process's
        # module path after its own, so that nothing shadows the standard library.
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        paths.append(str(Path(__file__).resolve().parents[2]))
        code = (
            f"import sys; sys.path.extend({paths!r}); "
            "from tokki_analytics.ingest.sheetreader import serve; "
            f"sys.exit(serve({int(self.memory_mb)}))"
        )
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:
            log.warning(
                "読み取り用の別プロセスを起動できません。このプロセスで読みます "
                "/ cannot start the reader process, reading in this process: %s",
                exc,
            )
            self._local = Handler()
            return None
        return self._process

    def ask(self, request: tuple) -> Iterator[tuple]:
        """Send ``request``; yield its replies, the last one ``("done",)`` or an error.

        Raises:
            ReaderDied: The worker ended before answering in full (it is restarted on the
                next request).
        """
        process = self._start()
        if process is None:
            if self._local is None:
                self._local = Handler()
            yield from self._local.answer(request)
            return
        self.timed_out = False
        if self.seconds > 0:
            self._watchdog.arm(process, self.seconds)
        try:
            if process.stdin is None or process.stdout is None:
                raise ReaderDied
            _send(process.stdin, request)
            while True:
                reply = _receive(process.stdout)
                if reply is None:
                    raise ReaderDied
                yield reply
                if reply[0] in ("done", "refused"):
                    return
        except (OSError, EOFError, pickle.UnpicklingError, ReaderDied) as exc:
            self.close()
            raise ReaderDied from exc
        finally:
            self._watchdog.disarm()

    def _stop(self, process: subprocess.Popen) -> None:
        """Kill ``process``, whose request ran past ``seconds`` (the watchdog's call)."""
        self.timed_out = True
        with contextlib.suppress(OSError):
            process.kill()

    def close(self) -> None:
        """Stop the worker (it also stops by itself when this process ends)."""
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_readers: dict[int, SheetReader] = {}


def reader(limits: Limits) -> SheetReader:
    """The worker for ``limits.reader_memory_mb``, started on first use."""
    if limits.reader_memory_mb not in _readers:
        _readers[limits.reader_memory_mb] = SheetReader(limits.reader_memory_mb)
    worker = _readers[limits.reader_memory_mb]
    worker.seconds = limits.reader_seconds
    return worker


@atexit.register
def close_readers() -> None:
    """Stop every worker."""
    for item in _readers.values():
        item.close()


def read_sheets(
    path: Path, pick: Callable[[list[str]], list[str]], limits: Limits
) -> tuple[list[str], list[Sheet]]:
    """Read a workbook's sheet names, then the sheets ``pick(names)`` chooses.

    Args:
        path: The workbook.
        pick: Called with the sheet names; returns the names to read, in order.
        limits: The limits.

    Returns:
        (every sheet name, the sheets read).

    Raises:
        UnreadableFile: The workbook or a sheet cannot be read, is past a limit, or its
            reader died.
    """
    worker = reader(limits)
    name = os.fspath(path)
    try:
        names = _one(worker.ask(("names", name, limits)))[1]
        wanted = pick(names)
        sheets = []
        if wanted:
            for reply in worker.ask(("sheets", name, wanted, limits)):
                if reply[0] == "refused":
                    raise UnreadableFile(reply[1], reply[2])
                if reply[0] == "sheet":
                    sheets.append((reply[1], reply[2], reply[3]))
    except ReaderDied:
        raise (reader_timed_out if worker.timed_out else reader_crashed)(limits) from None
    return names, sheets


def _one(replies: Iterator[tuple]) -> tuple:
    """The single answer of a request (its replies read to the end)."""
    answers = []
    for reply in replies:
        if reply[0] == "refused":
            raise UnreadableFile(reply[1], reply[2])
        if reply[0] != "done":
            answers.append(reply)
    if len(answers) != 1:
        raise ReaderDied
    return answers[0]
