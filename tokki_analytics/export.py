"""Writing outputs: only where the user says, readable by the owner only unless asked."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FILE_MODE = 0o600
GROUP_FILE_MODE = 0o640


def prepare_out(out: Path, group_readable: bool = False) -> Path:
    """Create the output folder (owner-only, or group-readable)."""
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o750 if group_readable else 0o700)
    return out


def write_csv(frame: pd.DataFrame, path: Path, group_readable: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM (Excel opens it as UTF-8)."""
    mode = GROUP_FILE_MODE if group_readable else FILE_MODE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.chmod(path, mode)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        frame.to_csv(fh, index=False, lineterminator="\r\n")
    return path


def file_mode(group_readable: bool = False) -> int:
    """Permission bits for an output file."""
    return GROUP_FILE_MODE if group_readable else FILE_MODE


def write_bytes(path: Path, data: bytes, group_readable: bool = False) -> Path:
    """Write ``data`` to ``path`` with owner-only (or group-readable) permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = file_mode(group_readable)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.chmod(path, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def write_text(path: Path, text: str, group_readable: bool = False) -> Path:
    """Write UTF-8 text to ``path`` with owner-only (or group-readable) permissions."""
    return write_bytes(path, text.encode("utf-8"), group_readable)


def restrict_tree(folder: Path, group_readable: bool = False) -> None:
    """Apply output permissions to every file and folder below ``folder``."""
    os.chmod(folder, 0o750 if group_readable else 0o700)
    for path in folder.rglob("*"):
        os.chmod(
            path,
            (0o750 if group_readable else 0o700) if path.is_dir() else file_mode(group_readable),
        )
