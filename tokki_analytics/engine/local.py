"""The local engine: shards on every core of this machine, then one validation pass.

:func:`run_local` splits the shards (:func:`~tokki_analytics.engine.shard.shard_ids`) into
a few batches per job, runs them on ``jobs`` worker processes while Great Expectations is
imported and the suites loaded in a thread of this process, puts the batches together
(:func:`~tokki_analytics.engine.shard.combine`) and validates each view once, over all
contractors, as one pass would. ``jobs=1`` runs the batches here, one after another.

Worker processes are started by a *forkserver* (a clean process that has imported the
shard module and nothing else) where the system has one, else spawned: never forked from
this process, whose threads (the GX import) and sheet-reader workers
(:mod:`tokki_analytics.ingest.sheetreader`: pipes to a child process) a fork would copy
half-way. Each worker starts its own sheet reader on its first workbook and stops it when
it exits.

A worker that dies (out of memory, a crash in native code) costs only its shards: the
batches in flight are run again alone, halved until the one contractor that takes its
worker down is found; that contractor gets a Q0 (:func:`~tokki_analytics.engine.shard.lost_shard`),
every other one its findings.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from multiprocessing.util import Finalize
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.engine.memory import release
from tokki_analytics.engine.shard import Masters, Shard, combine, lost_shard, run_batch, shard_ids
from tokki_analytics.ingest.sheetreader import close_readers

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite

    from tokki_analytics.gx.validate import Validation
    from tokki_analytics.ingest.submission import Submission

#: Batches per job: enough to even out contractors of unequal size, few enough that
#: pandas' fixed costs (about 0.4 s of CPU a batch: typing 15 forms, building 15 views)
#: stay small.
BATCHES_PER_JOB = 2
#: Bytes of files a batch is worth a worker from: a smaller data folder is read in this
#: process, whatever ``jobs`` (starting workers would cost more than it saves).
MIN_BATCH_BYTES = 4 * 1024 * 1024
#: A batch holds at most about this many bytes of files, so that memory stays flat: at
#: 300 contractors (31 MB of files) one batch peaks at 770 MB, four at 490 MB (--jobs 1).
BATCH_BYTES = 8 * 1024 * 1024
#: Runs a batch of shards (the engine's own :func:`run_batch`; tests give another).
RunBatch = Callable[[Masters, Sequence[str]], Shard]
#: Called as each batch is done; raises to stop the run.
Check = Callable[[], None]

_WORKER: dict[str, Masters] = {}


def default_jobs() -> int:
    """Worker processes by default: the machine's cores."""
    return os.cpu_count() or 1


def folder_bytes(masters: Masters, shard_id: str) -> int:
    """Bytes of the files in a shard's folders (0 without a folder), without following links."""
    total = 0
    for place in masters.folders.get(shard_id, []):
        if not isinstance(place, Path):
            continue
        for folder, _, names in os.walk(place):
            for name in names:
                try:
                    total += os.lstat(os.path.join(folder, name)).st_size
                except OSError:
                    continue
    return total


def split_batches(ids: Sequence[str], weights: Sequence[int], count: int) -> list[list[str]]:
    """Cut ``ids`` into at most ``count`` runs of consecutive ids of about equal weight."""
    if not ids:
        return []
    total = sum(weights)
    if count <= 1 or total <= 0:
        return [list(ids)] if count <= 1 else split_batches(ids, [1] * len(ids), count)
    batches: list[list[str]] = [[]]
    done = 0
    for shard, weight in zip(ids, weights, strict=True):
        if batches[-1] and done * count >= len(batches) * total and len(batches) < count:
            batches.append([])
        batches[-1].append(shard)
        done += weight
    return batches


def batch_count(total_bytes: int, jobs: int) -> int:
    """How many batches ``total_bytes`` of files make on ``jobs`` processes (at least 1)."""
    spread = min(jobs * BATCHES_PER_JOB, total_bytes // MIN_BATCH_BYTES) if jobs > 1 else 1
    return max(spread, -(-total_bytes // BATCH_BYTES), 1)


def plan_batches(masters: Masters, jobs: int) -> list[list[str]]:
    """The batches of a run: runs of consecutive shards of about equal bytes of files."""
    ids = shard_ids(masters)
    weights = [folder_bytes(masters, shard) for shard in ids]
    return split_batches(ids, weights, min(batch_count(sum(weights), jobs), len(ids)))


# --- worker processes --------------------------------------------------------------------


def _context() -> BaseContext:
    """A forkserver that has imported the shard module, or spawn where there is none."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tokki_analytics.engine.shard"])
        return context
    return multiprocessing.get_context("spawn")


def _start_worker(masters: Masters) -> None:
    """Keep the masters for every batch; stop the sheet reader when the worker exits."""
    _WORKER["masters"] = masters
    Finalize(None, close_readers, exitpriority=10)


def _work(run: RunBatch, batch: Sequence[str]) -> Shard:
    try:
        return run(_WORKER["masters"], batch)
    finally:
        release()


def _pool_round(
    masters: Masters, batches: list[list[str]], jobs: int, run: RunBatch, check: Check
) -> tuple[dict[int, Shard], list[int]]:
    """Run ``batches`` on a pool; return the shards done and the batches its breaking lost."""
    done: dict[int, Shard] = {}
    lost: list[int] = []
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(batches)),
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(masters,),
    )
    try:
        futures: dict[Future[Shard], int] = {
            pool.submit(_work, run, batch): n for n, batch in enumerate(batches)
        }
        for future in as_completed(futures):
            try:
                done[futures[future]] = future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
            check()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done, sorted(lost)


class WorkersFailed(RuntimeError):
    """Worker processes died on every shard: the machine, not a contractor, is at fault."""


#: The reason of the Q0 of a contractor whose worker died on it, alone.
LOST = (
    "検査中に処理プロセスが異常終了しました（メモリ不足など）",
    "the process checking it ended abnormally (out of memory or a crash)",
)


def _settle(
    masters: Masters, batch: list[str], run: RunBatch, check: Check, lost: list[str]
) -> list[Shard]:
    """Run a batch that was in flight when a worker died alone, halving it if it dies again.

    A contractor whose worker dies on it alone gets a Q0 (:data:`LOST`), its id in ``lost``.
    """
    done, broken = _pool_round(masters, [batch], 1, run, check)
    if not broken:
        return [done[0]]
    if len(batch) == 1:
        lost += batch
        return [lost_shard(masters, batch, *LOST)]
    half = len(batch) // 2
    return _settle(masters, batch[:half], run, check, lost) + _settle(
        masters, batch[half:], run, check, lost
    )


def run_pool(
    masters: Masters, batches: list[list[str]], jobs: int, run: RunBatch, check: Check
) -> list[Shard]:
    """Run the batches on ``jobs`` worker processes; the shards in batch order.

    When a worker dies, the batches that may have been in flight (the first ``jobs + 1``
    not done: the pool hands out that many at a time) are settled alone
    (:func:`_settle`), the others run on a new pool.

    Raises:
        WorkersFailed: Every contractor was lost (workers that cannot start or run at
            all, not a contractor's folder).
    """
    done: dict[int, list[Shard]] = {}
    lost: list[str] = []
    todo = list(range(len(batches)))
    while todo:
        finished, broken = _pool_round(masters, [batches[n] for n in todo], jobs, run, check)
        for position, shard in finished.items():
            done[todo[position]] = [shard]
        for position in broken[: jobs + 1]:
            done[todo[position]] = _settle(masters, batches[todo[position]], run, check, lost)
        todo = [todo[position] for position in broken[jobs + 1 :]]
    if lost and len(lost) == sum(len(batch) for batch in batches):
        raise WorkersFailed(
            "処理プロセスがすべての受託者で異常終了しました（--jobs 1 で実行してください） / "
            "worker processes died on every contractor (run with --jobs 1)"
        )
    return [shard for n in range(len(batches)) for shard in done[n]]


def read_shards(
    masters: Masters,
    jobs: int,
    run: RunBatch = run_batch,
    check: Check = lambda: None,
) -> list[Shard]:
    """Read and check every shard of the data folder, on ``jobs`` processes.

    Args:
        masters: The data folder's masters.
        jobs: Worker processes; 1 runs the batches in this process.
        run: The batch function (the engine's :func:`run_batch`).
        check: Called as each batch is done; an exception it raises stops the run.

    Returns:
        The batches read, in shard order.
    """
    batches = plan_batches(masters, jobs)
    if jobs == 1 or len(batches) <= 1:
        shards = []
        for batch in batches:
            shards.append(run(masters, batch))
            release()
            check()
        return shards
    close_readers()  # this process has read the masters; the workers read the rest
    return run_pool(masters, batches, jobs, run, check)


def _suites_check(future: Future[dict[str, ExpectationSuite]]) -> Check:
    """A check that stops the run as soon as the suites failed to load."""

    def check() -> None:
        if future.done() and future.exception() is not None:
            future.result()

    return check


def run_local(
    masters: Masters,
    suites_dir: Path,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Submission, dict[str, pd.DataFrame], Validation]:
    """Audit a data folder's shards on this machine: views on ``jobs`` processes, one validation.

    Args:
        masters: The data folder's masters.
        suites_dir: The expectation suites (loaded in a thread meanwhile).
        jobs: Worker processes (default :func:`default_jobs`); 1: none, all in this process.
        progress: Called with a short Japanese label as validation starts.

    Returns:
        (the submission, the check views, the validation of every view).

    Raises:
        tokki_analytics.gx.suites.SuiteError: The suites are incomplete (as soon as known).
    """
    from tokki_analytics.gx.suites import load_suites

    gx = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokki-gx")
    try:
        suites = gx.submit(load_suites, suites_dir)
        shards = read_shards(masters, jobs or default_jobs(), check=_suites_check(suites))
        submission, views = combine(masters, shards)
        del shards
        release()
        loaded = suites.result()
    finally:
        gx.shutdown(wait=False, cancel_futures=True)
    from tokki_analytics.gx.validate import validate

    if progress is not None:
        progress("検証 (validation)")
    validation = validate(views, loaded)
    release()
    return submission, views, validation
