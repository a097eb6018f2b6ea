"""Red team on the output side: where tokki writes, who else writes there, what it prints.

Attacks that broke ``tokki run`` after the first hardening of issue 9: two runs into one
``--out`` at once (one deleted the other's files: a report without findings.csv, exit 0),
an ``--out`` or ``--history`` that cannot be written or is not tokki's database (exit 3
after the whole audit), SIGTERM during publishing (a temporary copy of the report left
behind), a history store inside the data folder (read back as a contractor folder), escape
sequences in an argument echoed raw, and masking that re-read 20,000 names for every cell.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tokki_analytics import history
from tokki_analytics.cli import main
from tokki_analytics.masking import Masker
from tokki_analytics.outputs import files, folders

ESC = "\x1b[2K\x1b[32mOK\x1b[0m"


def _run(data: Path, out: Path, *extra: str) -> int:
    return main(["run", str(data), "--out", str(out), "--quiet", "--no-datadocs", *extra])


def _names(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def _temporary(folder: Path) -> list[str]:
    """tokki's temporary entries left in ``folder`` (a run being written or replaced)."""
    return [
        n for n in os.listdir(folder) if n.startswith(files.TEMP_PREFIX) and n != folders.MARKER
    ]


# --- two writers, one folder ----------------------------------------------------------------


def test_two_runs_publishing_into_one_folder_at_once_leave_one_whole_report(tmp_path: Path):
    """The second waits for the first; neither removes the other's work in progress."""
    out = tmp_path / "out"
    entries = ("findings.csv", "compliance.csv", "index.html")
    first_writing, second_in = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def publish(tag: str, before: threading.Event | None, after: threading.Event) -> None:
        try:
            if before is not None:
                before.wait(5)
            with folders.staged_folder(out, "run", writes=entries) as work:
                after.set()
                for name in entries:
                    files.write_text(work / name, tag)
                    if tag == "first":
                        second_in.wait(1)  # the second run, unlocked, would start now
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=publish, args=("first", None, first_writing)),
        threading.Thread(target=publish, args=("second", first_writing, second_in)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert _names(out) == {folders.MARKER, *entries}
    assert {(out / n).read_text() for n in entries} == {"second"}


# --- an output folder that cannot be written --------------------------------------------------


def test_an_out_below_a_file_is_refused_before_the_audit(data_dir: Path, tmp_path: Path, capsys):
    (tmp_path / "afile").write_text("x")
    assert _run(data_dir, tmp_path / "afile" / "report") == 2
    err = capsys.readouterr().err
    assert "フォルダではありません" in err and "is not a folder" in err
    assert "出力 (writing reports)" not in err and "internal error" not in err


def test_an_out_without_write_permission_is_refused_before_the_audit(
    data_dir: Path, tmp_path: Path, capsys, monkeypatch
):
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(  # root writes anywhere: deny like a user without permission
        os, "access", lambda p, m, **k: False if Path(p) == locked else real(p, m, **k)
    )
    for out in (locked, locked / "new"):
        assert _run(data_dir, out) == 2
        err = capsys.readouterr().err
        assert "書き込" in err and "no permission" in err
    assert _names(locked) == set()


def test_a_write_that_fails_half_way_is_a_message_and_the_report_stays(
    data_dir: Path, tmp_path: Path, capsys, monkeypatch
):
    out = tmp_path / "out"
    assert _run(data_dir, out) == 0
    before = {n: (out / n).read_bytes() for n in ("findings.csv", "index.html")}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(out / "findings.xlsx"))

    monkeypatch.setattr("tokki_analytics.render.excel.write_findings_xlsx", full_disk)
    assert _run(data_dir, out) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "internal error" not in err
    assert {n: (out / n).read_bytes() for n in before} == before
    assert _temporary(out) == []


# --- the history store ---------------------------------------------------------------------


def _old_schema(folder: Path) -> None:
    folder.mkdir()
    with sqlite3.connect(folder / history.DB_NAME) as con:
        con.execute("CREATE TABLE runs (run_id INTEGER PRIMARY KEY, data_dir TEXT, run_at TEXT)")


def _corrupt(folder: Path) -> None:
    folder.mkdir()
    (folder / history.DB_NAME).write_bytes(os.urandom(8192))


def _a_file(folder: Path) -> None:
    folder.write_text("not a folder")


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_a_file, "is not a folder"),
        (_corrupt, "cannot be read as tokki's history database"),
        (_old_schema, "has another layout"),
    ],
)
def test_a_history_store_tokki_cannot_use_is_refused_before_the_audit(
    data_dir: Path, tmp_path: Path, capsys, make, said
):
    store = tmp_path / "store"
    make(store)
    before = store.read_bytes() if store.is_file() else (store / history.DB_NAME).read_bytes()
    assert _run(data_dir, tmp_path / "out", "--history", str(store)) == 2
    err = capsys.readouterr().err
    assert said in err and "--no-history" in err and "internal error" not in err
    assert not (tmp_path / "out").exists()  # refused before anything was written
    after = store.read_bytes() if store.is_file() else (store / history.DB_NAME).read_bytes()
    assert after == before


def test_a_read_only_history_database_is_a_message_and_the_report_stays(
    data_dir: Path, tmp_path: Path, capsys, monkeypatch
):
    out, store = tmp_path / "out", tmp_path / "store"
    assert _run(data_dir, out, "--history", str(store)) == 0
    report = (out / "index.html").read_bytes()
    connect = sqlite3.connect

    def read_only(path, *args, **kwargs):  # as a database on a read-only mount behaves
        if str(path).endswith(history.DB_NAME):
            return connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        return connect(path, *args, **kwargs)

    monkeypatch.setattr(history.sqlite3, "connect", read_only)
    assert _run(data_dir, out, "--history", str(store)) == 2
    err = capsys.readouterr().err
    assert "readonly" in err and "internal error" not in err
    assert (out / "index.html").read_bytes() == report


def test_a_history_store_inside_the_data_folder_is_refused(data_dir: Path, tmp_path: Path, capsys):
    assert _run(data_dir, tmp_path / "out", "--history", str(data_dir / "history")) == 2
    assert "データフォルダ" in capsys.readouterr().err
    assert not (data_dir / "history").exists()


# --- interrupted ---------------------------------------------------------------------------

_TERMINATED = """
import os, signal, sys, time
from tokki_analytics import cli, publish

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)

publish.write_csv = killed
sys.exit(cli.main(["run", sys.argv[1], "--out", sys.argv[2], "--quiet", "--no-datadocs",
                   "--no-history"]))
"""


def test_sigterm_while_publishing_leaves_no_temporary_report(data_dir: Path, tmp_path: Path):
    out = tmp_path / "out"
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    done = subprocess.run(
        [sys.executable, "-c", _TERMINATED, str(data_dir), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.returncode != -signal.SIGTERM
    assert "中断しました / interrupted" in done.stderr
    assert _temporary(out) == []


# --- what the terminal shows -----------------------------------------------------------------


def test_a_bad_date_argument_is_echoed_without_its_escapes(data_dir: Path, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", str(data_dir), "--out", str(tmp_path / "o"), "--as-of", f"2025{ESC}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[32mOK" in err


def test_the_notebook_paths_printed_hold_no_escape(
    data_dir: Path, tmp_path: Path, monkeypatch, capsys
):
    out = tmp_path / f"nb{ESC}"
    monkeypatch.setattr(
        "tokki_analytics.notebooks.nbrun.run_notebook",
        lambda *a, **k: (out / "01_briefing.ipynb", out / "01_briefing.html"),
    )
    argv = ["notebook", "briefing", "--data", str(data_dir), "--out", str(out)]
    assert main([*argv, "--contractor", "C001"]) == 0
    shown = capsys.readouterr().out
    assert "01_briefing.html" in shown and "\x1b" not in shown


# --- tokki samples -----------------------------------------------------------------------------


def test_samples_into_a_file_or_with_its_key_inside_is_a_message(tmp_path: Path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["samples", str(tmp_path / "afile"), "--contractors", "1"]) == 2
    assert main(["samples", str(tmp_path / "afile"), "--contractors", "1", "--force"]) == 2
    data = tmp_path / "d"
    assert main(["samples", str(data), "--contractors", "1", "--key-dir", str(data / "k")]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "inside the data folder" in err
    assert (tmp_path / "afile").read_text() == "x"


def test_a_link_planted_as_the_answer_key_is_not_followed(tmp_path: Path):
    victim = tmp_path / "victim.csv"
    victim.write_text("not yours")
    key = tmp_path / "d_answer_key"
    key.mkdir()
    (key / "answer_key.csv").symlink_to(victim)
    assert main(["samples", str(tmp_path / "d"), "--contractors", "1"]) == 0
    assert victim.read_text() == "not yours"
    assert not (key / "answer_key.csv").is_symlink()


# --- masking at scale -----------------------------------------------------------------------


class _CountingTuple(tuple):
    """A tuple of names that counts how often its names are read one by one."""

    reads = 0

    def __iter__(self):
        type(self).reads += 1
        return super().__iter__()


def test_masking_cell_by_cell_reads_the_names_once():
    """A report masks each cell with the run's masker: 20,000 names, read once, not per cell."""
    names = _CountingTuple(
        f"山{chr(0x4E00 + i % 2000)}{chr(0x4E00 + i // 2000)} 太郎" for i in range(20000)
    )
    cells = [f"C001 の指摘 {i}（従事者ID P{i:04d}）" for i in range(2000)]
    cells.append(f"承認者 {names[123]} の押印なし")
    _CountingTuple.reads = 0
    mask = Masker(names)
    masked = [mask.text(cell) for cell in cells]
    assert masked[:-1] == cells[:-1] and names[123] not in masked[-1]
    assert _CountingTuple.reads <= 2
