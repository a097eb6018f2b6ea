"""Writing a file: whole or not at all, with owner-only permissions, never through a link.

* **Whole files only.** Every file is written to a temporary file in its own folder and
  renamed over the old one (:func:`write_bytes`, :func:`write_csv`): a reader sees the old
  file or the new one. Files are created owner-only (0600), or group-readable (0640), with
  the permissions set on the open file, never through a path that could be a link.
* **Text is neutralised** in CSV files (:func:`safe_frame`): no cell becomes a formula.
* **Links are never followed** when writing or setting permissions: a link where tokki
  writes a file is replaced by the file; permissions are set only on files and folders
  (:func:`chmod_nofollow`, :func:`restrict_tree`).

Where these files go (folders tokki owns, a run replaced at once) is
:mod:`tokki_analytics.outputs.folders`.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from tokki_analytics.safetext import neutralise

FILE_MODE = 0o600
GROUP_FILE_MODE = 0o640
DIR_MODE = 0o700
GROUP_DIR_MODE = 0o750
#: Prefix of tokki's temporary entries (a file being written, a run being written or replaced).
TEMP_PREFIX = ".tokki-"
#: Prefix of a file being written (:func:`write_bytes`), renamed over its target when whole.
TEMP_FILE_PREFIX = f"{TEMP_PREFIX}tmp-"
#: ``os.open`` flags where the OS has them (0 where it does not, e.g. Windows).
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def file_mode(group_readable: bool = False) -> int:
    """Permission bits for an output file."""
    return GROUP_FILE_MODE if group_readable else FILE_MODE


def dir_mode(group_readable: bool = False) -> int:
    """Permission bits for an output folder."""
    return GROUP_DIR_MODE if group_readable else DIR_MODE


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
    temp = path.with_name(f"{TEMP_FILE_PREFIX}{secrets.token_hex(4)}-{path.name}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, mode)
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


def chmod_nofollow(path: Path, mode: int) -> None:
    """Set ``mode`` on a regular file or folder; a link (or anything else) is left alone."""
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode):
        flags = os.O_RDONLY | DIRECTORY | NOFOLLOW
    elif stat.S_ISREG(info.st_mode):
        flags = os.O_RDONLY | NOFOLLOW | NONBLOCK
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


def restrict_tree(folder: Path, group_readable: bool = False) -> None:
    """Apply output permissions to the files and folders of a tree tokki just wrote.

    Links are neither followed nor changed.
    """
    folder = Path(folder)
    chmod_nofollow(folder, dir_mode(group_readable))
    for top, dirs, files in os.walk(folder):
        for name in dirs:
            chmod_nofollow(Path(top) / name, dir_mode(group_readable))
        for name in files:
            chmod_nofollow(Path(top) / name, file_mode(group_readable))


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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, mode)
    try:
        _set_mode(fd, mode)
    finally:
        os.close(fd)
    return path


def nearest_existing(path: Path) -> Path:
    """``path`` made absolute, or its nearest ancestor that exists (a link counts as there).

    What a command can check before it creates ``path``: is it a folder, may we write in it.
    """
    here = Path(os.path.abspath(path))
    while not os.path.lexists(here) and here != here.parent:
        here = here.parent
    return here
