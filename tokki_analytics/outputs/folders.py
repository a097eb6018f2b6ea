"""Output folders: only where the user says, only what tokki owns, a run replaced at once.

* **Owned folders.** A folder tokki writes into holds a marker, :data:`MARKER`, naming the
  command that created it and the entries it wrote. An existing folder that is not empty
  and has no marker is not tokki's: it is refused (:class:`OutputFolderError`, exit 2) and
  nothing in it is touched. In a folder of tokki's, only the entries the marker lists are
  replaced or removed; whatever else is there (a history store, a briefing folder, a note)
  stays as it is.
* **A run is replaced at the end.** :func:`staged_folder` writes a run into a temporary
  folder inside the output folder (same file system), then moves the new entries in and
  the old ones out, one rename each: a run that fails leaves the previous report as it
  was, and no page of an earlier run stays behind. Two runs into one folder take turns
  (an exclusive lock on the folder).
* **Links are never followed**: a link to a folder is moved out like any old entry;
  permissions are set only on folders tokki created.
* **Never inside the data folder** (the next audit would read the output as a
  contractor's folder), never over a file, never through a link given as the folder.

Each file in these folders is written whole, owner-only, by
:mod:`tokki_analytics.outputs.files`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from tokki_analytics.errors import InputError
from tokki_analytics.outputs.files import (
    DIRECTORY,
    NOFOLLOW,
    NONBLOCK,
    TEMP_FILE_PREFIX,
    TEMP_PREFIX,
    chmod_nofollow,
    dir_mode,
    nearest_existing,
    write_text,
)

#: The marker of a folder tokki created; it lists the entries tokki wrote there.
MARKER = ".tokki-owned"
#: Prefixes of a run being written and of the run it replaces (see :func:`staged_folder`).
_NEW, _OLD = f"{TEMP_PREFIX}new-", f"{TEMP_PREFIX}old-"
_MARKER_NOTE = (
    "このフォルダは tokki が作成しました。entries の項目は次の実行で置き換えられます。 / "
    "Created by tokki; the entries listed are replaced by its next run."
)


class OutputFolderError(InputError):
    """An output folder tokki must not write into (someone else's, a file, a link...)."""


def make_folder(path: Path, group_readable: bool = False, mode: int | None = None) -> bool:
    """Create the folder ``path`` (and its parents); True when it was created now.

    Only a folder created now gets the output permissions (0700, or 0750 when
    ``group_readable``; ``mode`` overrides them): an existing folder is left as it is.

    Raises:
        OutputFolderError: ``path`` is a file or a link.
    """
    path = Path(path)
    _refuse_link_or_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        _refuse_link_or_file(path)
        return False
    chmod_nofollow(path, dir_mode(group_readable) if mode is None else mode)
    return True


def prepare_out(out: Path, group_readable: bool = False) -> Path:
    """Create the output folder ``out`` if needed (see :func:`make_folder`); return it."""
    make_folder(Path(out), group_readable)
    return Path(out)


# --- owned folders ---------------------------------------------------------------------------


def _refuse_link_or_file(out: Path) -> None:
    if out.is_symlink():
        raise OutputFolderError(
            f"出力先 {out} はシンボリックリンクです。リンク先のフォルダ（{out.resolve()}）を"
            f"直接指定してください / the output folder {out} is a symbolic link; "
            f"give the folder it points to ({out.resolve()})"
        )
    if out.exists() and not out.is_dir():
        raise OutputFolderError(
            f"出力先 {out} はフォルダではありません（ファイルがあります） / "
            f"the output folder {out} is not a folder (a file is there)"
        )


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder tokki created, or None (no marker, a link, unreadable)."""
    try:
        fd = os.open(Path(folder) / MARKER, os.O_RDONLY | NOFOLLOW | NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            marker = json.loads(fh.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    if not isinstance(marker, dict) or not isinstance(marker.get("kind"), str):
        return None
    entries = marker.get("entries")
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    return marker


def _write_marker(folder: Path, kind: str, entries: Collection[str], created: bool) -> dict:
    marker = {
        "tool": "tokki-analytics",
        "kind": kind,
        "folder_created_by_tokki": created,
        "entries": sorted(set(entries)),
        "note": _MARKER_NOTE,
    }
    text = json.dumps(marker, ensure_ascii=False, indent=1) + "\n"
    write_text(folder / MARKER, text)
    return marker


def _contents(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n != MARKER and not n.startswith(TEMP_PREFIX))


def _check_writable(out: Path) -> None:
    """Refuse ``out`` when its nearest existing folder is a file or cannot be written."""
    here = nearest_existing(out)
    if not here.is_dir():
        raise OutputFolderError(
            f"出力先 {out} を作成できません。{here} はフォルダではありません / cannot create "
            f"the output folder {out}: {here} is not a folder"
        )
    if not os.access(here, os.W_OK | os.X_OK):
        raise OutputFolderError(
            f"出力先 {out} に書き込めません（{here} に書き込む権限がありません） / cannot "
            f"write the output folder {out}: no permission to write into {here}"
        )


def _check_place(out: Path, data_dir: Path | None) -> None:
    _refuse_link_or_file(out)
    _check_writable(out)
    if data_dir is not None:
        data = Path(data_dir).resolve()
        if out.resolve() == data or out.resolve().is_relative_to(data):
            raise OutputFolderError(
                f"出力先 {out} はデータフォルダ {data_dir} の中です。次の監査で受託者の"
                "フォルダとして読まれてしまうため、データフォルダの外を指定してください / "
                f"the output folder {out} is inside the data folder {data_dir}: the next "
                "audit would read it as a contractor's folder; give a folder outside it"
            )
    parent = read_marker(out.resolve().parent)
    if parent is not None and out.name in parent["entries"]:
        raise OutputFolderError(
            f"出力先 {out} は tokki の出力（{out.parent}）の一部で、次の実行で置き換えられます。"
            f"別のフォルダを指定してください / the output folder {out} is part of tokki's "
            f"output in {out.parent} and is replaced by its next run; give another folder"
        )


def check_out(
    out: Path,
    kind: str,
    *,
    data_dir: Path | None = None,
    writes: Collection[str] = (),
    exclusive: bool = False,
) -> dict | None:
    """Check that tokki may write into the folder ``out``, before anything is written.

    Args:
        out: The output folder (it may not exist yet).
        kind: What writes it: ``run``, ``notebook`` or ``samples``.
        data_dir: The data folder; ``out`` must not lie inside it.
        writes: Names of the entries tokki will write into ``out``; one that is there
            already must be tokki's (listed in the marker).
        exclusive: Everything in ``out`` must be tokki's (a sample data folder).

    Returns:
        The folder's marker; None when ``out`` does not exist or is empty.

    Raises:
        OutputFolderError: ``out`` is a file, a link, inside the data folder, part of
            another tokki output, or a folder tokki did not create (not empty, no marker).
    """
    out = Path(out)
    _check_place(out, data_dir)
    if not out.exists():
        return None
    marker = read_marker(out)
    present = _contents(out)
    if marker is None:
        if not present:
            return None
        raise OutputFolderError(
            f"出力先 {out} は tokki が作成したフォルダではありません（空ではなく、{MARKER} が"
            "ありません）。中のファイルを上書き・変更しないよう、新しいフォルダか空のフォルダを"
            f"指定してください / the output folder {out} was not created by tokki (it is not "
            f"empty and has no {MARKER}); to leave its files alone, give a new or empty folder"
        )
    if marker["kind"] != kind:
        raise OutputFolderError(
            f"出力先 {out} は tokki {marker['kind']} の出力フォルダです。別のフォルダを指定して"
            f"ください / the output folder {out} holds the output of tokki {marker['kind']}; "
            "give another folder"
        )
    owned = set(marker["entries"])
    foreign = [n for n in present if n not in owned and (exclusive or n in writes)]
    if foreign:
        shown = "、".join(foreign[:10])
        raise OutputFolderError(
            f"出力先 {out} の {shown} は tokki が作成したものではありません。移動するか、別の"
            f"フォルダを指定してください / {', '.join(foreign[:10])} in the output folder "
            f"{out} were not written by tokki; move them or give another folder"
        )
    return marker


def claim_folder(
    out: Path,
    kind: str,
    names: Collection[str],
    *,
    data_dir: Path | None = None,
    group_readable: bool = False,
) -> Path:
    """Make ``out`` a folder of tokki's that owns ``names``, for files written in place.

    For outputs that accumulate in one folder (``tokki notebook``): each file is written
    whole (:func:`write_bytes`); the folder is checked as by :func:`check_out`.
    """
    out = Path(out)
    marker = check_out(out, kind, data_dir=data_dir, writes=names)
    created = make_folder(out, group_readable)
    owned = marker is not None and bool(marker.get("folder_created_by_tokki"))
    if owned:
        chmod_nofollow(out, dir_mode(group_readable))
    entries = set(marker["entries"]) if marker else set()
    _write_marker(out, kind, entries | set(names), created or owned)
    return out


def add_entries(out: Path, names: Collection[str]) -> None:
    """Record more entries tokki wrote into its folder ``out``."""
    names = {n for n in names if n != MARKER and not n.startswith(TEMP_PREFIX)}
    marker = read_marker(out)
    if marker is not None and not set(names) <= set(marker["entries"]):
        entries = set(marker["entries"]) | set(names)
        _write_marker(out, marker["kind"], entries, bool(marker.get("folder_created_by_tokki")))


def _remove_leftovers(out: Path) -> None:
    """Remove what an interrupted run of tokki left in its folder (temporary entries)."""
    for name in os.listdir(out):
        if name.startswith((_NEW, _OLD, TEMP_FILE_PREFIX)):
            path = out / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


@contextlib.contextmanager
def staged_folder(
    out: Path,
    kind: str,
    *,
    data_dir: Path | None = None,
    writes: Collection[str] = (),
    group_readable: bool = False,
    exclusive: bool = False,
    mode: int | None = None,
) -> Iterator[Path]:
    """Yield a temporary folder inside ``out``; on success its entries replace tokki's.

    The previous entries tokki wrote (those its marker lists) are moved out and removed;
    the new ones are moved in, one rename each; anything else in ``out`` is left as it
    is. When the block fails, the temporary folder is removed and ``out`` is as it was.

    Args:
        out: The output folder (created when missing).
        kind: ``run`` or ``samples`` (see :func:`check_out`).
        data_dir: The data folder; ``out`` must not lie inside it.
        writes: Names the block will write (checked before anything is written).
        group_readable: Folders 0750 and files 0640 instead of 0700 / 0600.
        exclusive: Refuse an ``out`` holding anything tokki did not write.
        mode: Permission bits of ``out`` when tokki creates it (default by
            ``group_readable``).

    Raises:
        OutputFolderError: See :func:`check_out`.
    """
    out = Path(out)
    check_out(out, kind, data_dir=data_dir, writes=writes, exclusive=exclusive)
    try:
        created = make_folder(out, group_readable, mode)
        with _locked(out):  # another tokki writing here waits: one whole report, never a mix
            marker = check_out(out, kind, data_dir=data_dir, writes=writes, exclusive=exclusive)
            owned = created or bool(marker and marker.get("folder_created_by_tokki"))
            if marker is None:
                marker = _write_marker(out, kind, (), created)
            elif owned and mode is None:
                chmod_nofollow(out, dir_mode(group_readable))
            _remove_leftovers(out)
            work = Path(tempfile.mkdtemp(prefix=_NEW, dir=out))
            try:
                chmod_nofollow(work, dir_mode(group_readable))
                yield work
                _commit(out, work, kind, set(marker["entries"]), owned)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:  # a full disk, a read-only or immutable folder...
        raise OutputFolderError(
            f"出力先 {out} に書き込めませんでした（{_reason(exc)}）。前回の出力はそのままです / "
            f"could not write the output folder {out} ({_reason(exc)}); the previous output "
            "is left as it was"
        ) from exc


def _reason(exc: OSError) -> str:
    """What went wrong, with the file it concerns (``strerror: filename``)."""
    reason = exc.strerror or type(exc).__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (its own descriptor, no lock file) while writing.

    Where the OS or file system has no such lock (Windows, some network file systems) the
    block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY | DIRECTORY | NOFOLLOW)
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _commit(out: Path, work: Path, kind: str, old: set[str], owned: bool) -> None:
    """Move the entries of ``work`` into ``out``; move tokki's old entries out and remove them."""
    new = set(os.listdir(work))
    foreign = sorted(n for n in new if n not in old and os.path.lexists(out / n))
    if foreign:
        raise OutputFolderError(
            f"出力先 {out} の {'、'.join(foreign)} は tokki が作成したものではありません / "
            f"{', '.join(foreign)} in the output folder {out} were not written by tokki"
        )
    _write_marker(out, kind, old | new, owned)  # an interruption leaves nothing unclaimed
    trash = Path(tempfile.mkdtemp(prefix=_OLD, dir=out))
    try:
        for name in sorted(old | new):
            if os.path.lexists(out / name):
                os.rename(out / name, trash / name)
            if name in new:
                os.rename(work / name, out / name)
        _write_marker(out, kind, new, owned)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
