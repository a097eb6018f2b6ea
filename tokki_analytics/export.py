"""Writing outputs: only where the user says, only what tokki owns, never half a file.

* **Whole files only.** Every file is written to a temporary file in its own folder and
  renamed over the old one (:func:`write_bytes`, :func:`write_csv`): a reader sees the old
  file or the new one. Files are created owner-only (0600), or group-readable (0640), with
  the permissions set on the open file, never through a path that could be a link.
* **Owned folders.** A folder tokki writes into holds a marker, :data:`MARKER`, naming the
  command that created it and the entries it wrote. An existing folder that is not empty
  and has no marker is not tokki's: it is refused (:class:`OutputFolderError`, exit 2) and
  nothing in it is touched. In a folder of tokki's, only the entries the marker lists are
  replaced or removed; whatever else is there (a history store, a briefing folder, a note)
  stays as it is.
* **A run is replaced at the end.** :func:`staged_folder` writes a run into a temporary
  folder inside the output folder (same file system), then moves the new entries in and
  the old ones out, one rename each: a run that fails leaves the previous report as it
  was, and no page of an earlier run stays behind.
* **Links are never followed** when writing or setting permissions: a link where tokki
  writes a file is replaced by the file; a link to a folder is moved out like any old
  entry; permissions are set only on files and folders tokki created.
* **Never inside the data folder** (the next audit would read the output as a
  contractor's folder), never over a file, never through a link given as the folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from tokki_analytics.errors import InputError
from tokki_analytics.safetext import neutralise

FILE_MODE = 0o600
GROUP_FILE_MODE = 0o640
DIR_MODE = 0o700
GROUP_DIR_MODE = 0o750
#: The marker of a folder tokki created; it lists the entries tokki wrote there.
MARKER = ".tokki-owned"
#: Prefix of tokki's temporary entries (a run being written, a run being replaced).
TEMP_PREFIX = ".tokki-"
_NEW, _OLD, _TMP = ".tokki-new-", ".tokki-old-", ".tokki-tmp-"
_MARKER_NOTE = (
    "このフォルダは tokki が作成しました。entries の項目は次の実行で置き換えられます。 / "
    "Created by tokki; the entries listed are replaced by its next run."
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class OutputFolderError(InputError):
    """An output folder tokki must not write into (someone else's, a file, a link...)."""


def file_mode(group_readable: bool = False) -> int:
    """Permission bits for an output file."""
    return GROUP_FILE_MODE if group_readable else FILE_MODE


def dir_mode(group_readable: bool = False) -> int:
    """Permission bits for an output folder."""
    return GROUP_DIR_MODE if group_readable else DIR_MODE


# --- files ---------------------------------------------------------------------------------


def _set_mode(fd: int, mode: int) -> None:
    """Set the permission bits of an open file (where the OS has them: not on Windows)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


@contextlib.contextmanager
def _replacing(path: Path, mode: int) -> Iterator[BinaryIO]:
    """Yield a new binary file that replaces ``path`` when the block succeeds.

    The temporary file lies next to ``path`` (same folder, so the rename is atomic), is
    created exclusively and without following links, and gets ``mode`` on the open file.
    On failure it is removed and ``path`` is untouched.
    """
    temp = path.with_name(f"{_TMP}{secrets.token_hex(4)}-{path.name}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            _set_mode(fh.fileno(), mode)
            yield fh
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_bytes(path: Path, data: bytes, group_readable: bool = False) -> Path:
    """Write ``data`` to ``path`` as a whole file (owner-only, or group-readable).

    A file already at ``path``, or a link, is replaced only once the new file is complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _replacing(path, file_mode(group_readable)) as fh:
        fh.write(data)
    return path


def write_text(path: Path, text: str, group_readable: bool = False) -> Path:
    """Write UTF-8 text to ``path`` (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"), group_readable)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell :func:`tokki_analytics.safetext.neutralise`-d.

    Numbers, dates and blanks are left as they are: only text can be a formula.
    """
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype):
            columns[name] = column.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return frame.assign(**columns) if columns else frame


def write_csv(frame: pd.DataFrame, path: Path, group_readable: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM (Excel opens it as UTF-8), as a whole file.

    Text cells are neutralised first (no formula, control characters escaped); tokki's
    own readers undo the ``'`` with :func:`tokki_analytics.safetext.restore_cell`.
    """
    path = Path(path)
    safe = safe_frame(frame)
    with _replacing(path, file_mode(group_readable)) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        safe.to_csv(text, index=False, lineterminator="\r\n")
        text.flush()
        text.detach()
    return path


# --- permissions without following links -----------------------------------------------------


def _chmod_nofollow(path: Path, mode: int) -> None:
    """Set ``mode`` on a regular file or folder; a link (or anything else) is left alone."""
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode):
        flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
    elif stat.S_ISREG(info.st_mode):
        flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK
    else:
        return
    if not hasattr(os, "fchmod"):  # Windows: no descriptor chmod; links were ruled out above
        os.chmod(path, mode)
        return
    fd = os.open(path, flags)
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


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
    _chmod_nofollow(path, dir_mode(group_readable) if mode is None else mode)
    return True


def prepare_out(out: Path, group_readable: bool = False) -> Path:
    """Create the output folder ``out`` if needed (see :func:`make_folder`); return it."""
    make_folder(Path(out), group_readable)
    return Path(out)


def restrict_tree(folder: Path, group_readable: bool = False) -> None:
    """Apply output permissions to the files and folders of a tree tokki just wrote.

    Links are neither followed nor changed.
    """
    folder = Path(folder)
    _chmod_nofollow(folder, dir_mode(group_readable))
    for top, dirs, files in os.walk(folder):
        for name in dirs:
            _chmod_nofollow(Path(top) / name, dir_mode(group_readable))
        for name in files:
            _chmod_nofollow(Path(top) / name, file_mode(group_readable))


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
        fd = os.open(Path(folder) / MARKER, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
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
    here = Path(os.path.abspath(out))
    while not os.path.lexists(here) and here != here.parent:
        here = here.parent
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
        _chmod_nofollow(out, dir_mode(group_readable))
    entries = set(marker["entries"]) if marker else set()
    _write_marker(out, kind, entries | set(names), created or owned)
    return out


def new_private_file(path: Path, group_readable: bool = False) -> Path:
    """Create ``path`` empty, owner-only (or group-readable), for a writer that opens it.

    For a library that writes to a path itself (papermill): what was at ``path`` (tokki's
    earlier file, or a link planted there) is removed, never followed, and the new file
    already has its permissions when the writer opens it.
    """
    path = Path(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    mode = file_mode(group_readable)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
    try:
        _set_mode(fd, mode)
    finally:
        os.close(fd)
    return path


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
        if name.startswith((_NEW, _OLD, _TMP)):
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
                _chmod_nofollow(out, dir_mode(group_readable))
            _remove_leftovers(out)
            work = Path(tempfile.mkdtemp(prefix=_NEW, dir=out))
            try:
                _chmod_nofollow(work, dir_mode(group_readable))
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
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
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
