"""Walking the data folder: its places, the contractor folders, and what is not read.

The data folder holds the prefecture masters and one folder per contractor (FORMS.md).
This module lists them without following a link out of the data folder, gives every
file-system name as readable text (:func:`display_name`), groups the contractor folders
by code, and makes the Q0 of each file or folder that cannot be read. Reading a file is
:mod:`tokki_analytics.ingest.read`'s business.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tokki_analytics.forms import CONTRACTS, form_for_name
from tokki_analytics.ingest.defects import defect
from tokki_analytics.ingest.guard import UnreadableFile

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUBMISSION_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv")


def is_ignored_name(name: str) -> bool:
    """Excel lock files (``~$…``) and hidden files are never submissions."""
    return name.startswith(("~$", "."))


@dataclass
class Skipped:
    """A file or folder of the data folder that is not read, and why (a Q0).

    Attributes:
        path: The file or folder.
        error: The reason, in Japanese and English.
        folder: True for a folder (its files were not read), False for a file.
    """

    path: Path
    error: UnreadableFile
    folder: bool = False


def display_name(name: str) -> str:
    """A file-system name as text a person can read and any output can hold.

    Python hands undecodable bytes of a name over as lone surrogates, which no UTF-8
    output accepts. Each path component is decoded from its bytes as UTF-8, else as CP932
    (a contractor's zip unpacked by ``unzip``), else shown with its bad bytes escaped
    (a backslash and the byte in hex); the result is NFKC-normalised.
    """
    parts = []
    for raw in os.fsencode(name).split(b"/"):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _cp932(raw) or raw.decode("utf-8", errors="backslashreplace")
        parts.append(text)
    return unicodedata.normalize("NFKC", "/".join(parts))


def _cp932(raw: bytes) -> str | None:
    """``raw`` decoded as CP932, or None when it is not text in CP932.

    Python's codec also maps single bytes 0x80, 0xA0 and 0xFD–0xFF to control and
    private-use characters, which no real file name holds: those mean "not CP932".
    """
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        return None
    if any("\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff" for ch in text):
        return None
    return text


def relative(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators, readable (display_name)."""
    return display_name(path.relative_to(root).as_posix())


def os_reason(exc: OSError, folder: bool) -> UnreadableFile:
    """The reason an entry cannot be opened: a permission problem is not a corrupt file."""
    what_ja, what_en = ("フォルダ", "folder") if folder else ("ファイル", "file")
    if isinstance(exc, PermissionError):
        return UnreadableFile(
            f"{what_ja}の読み取り権限がありません", f"permission denied: cannot open the {what_en}"
        )
    return UnreadableFile(
        f"{what_ja}を開けません（{exc.strerror or type(exc).__name__}）",
        f"cannot open the {what_en} ({exc.strerror or type(exc).__name__})",
    )


def link_problem(path: Path, root: Path) -> UnreadableFile | None:
    """Why a symbolic link must not be read: its target is missing or outside ``root``.

    A link whose target lies inside the data folder is read like its target; one that
    points outside it (``/etc/passwd``, ``/usr``) is never opened.
    """
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return UnreadableFile(
            "リンク先がありません（壊れたリンク）", "broken symbolic link (no target)"
        )
    if not target.is_relative_to(root.resolve()):
        return UnreadableFile(
            "データフォルダ外へのリンクです（読みません）",
            "symbolic link to a place outside the data folder (not read)",
        )
    return None


def _not_regular(path: Path) -> UnreadableFile:
    return UnreadableFile(
        "通常のファイルではありません（名前付きパイプ・デバイス等）",
        "not a regular file (a pipe, socket or device)",
    )


def _entry_kind(path: Path, root: Path) -> tuple[str, UnreadableFile | None]:
    """Whether ``path`` is a "folder", a "file" or "other", and why it cannot be read.

    A link out of the data folder, a broken link or a system error is a problem; the kind
    is then "other".
    """
    problem = link_problem(path, root)
    if problem is not None:
        return "other", problem
    try:
        if path.is_dir():
            return "folder", None
        if path.is_file():
            return "file", None
    except OSError as exc:
        return "other", os_reason(exc, folder=False)
    return "other", None


def _folder_entries(
    place: Path, seen: set[tuple[int, int]], skipped: list[Skipped]
) -> Iterator[os.DirEntry[str]]:
    """The entries of ``place`` in name order; none when seen or unreadable (a Q0)."""
    try:
        info = os.stat(place)  # a folder is known by device and inode, links followed
        if (info.st_dev, info.st_ino) in seen:
            return iter(())
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(place) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError as exc:
        skipped.append(Skipped(place, os_reason(exc, folder=True), folder=True))
        return iter(())


def list_place(
    folder: Path, root: Path, recursive: bool = True
) -> tuple[list[Path], list[Path], list[Skipped]]:
    """List a place of the data folder without following links out of it.

    Args:
        folder: The data folder itself (``recursive=False``) or a contractor folder.
        root: The data folder.
        recursive: Descend into sub-folders (contractor folders); hidden folders (``.…``)
            are passed over, as are folders already visited through a link.

    Returns:
        (files in a stable order, sub-folders when not recursive, entries that cannot be
        read: unreadable folders, links out of the data folder or broken, pipes and devices
        named like a submission).
    """
    files: list[Path] = []
    folders: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()

    def entries(place: Path) -> Iterator[os.DirEntry[str]]:
        return _folder_entries(place, seen, skipped)

    # Depth-first in name order (the order of sorted paths), with an explicit stack so that
    # a folder nested thousands deep cannot exhaust Python's recursion.
    stack = [entries(folder)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        kind, problem = _entry_kind(path, root)
        if problem is not None:
            skipped.append(Skipped(path, problem, folder=path.is_dir()))
        elif kind == "folder" and not entry.name.startswith("."):
            if recursive:
                stack.append(entries(path))
            else:
                folders.append(path)
        elif kind == "file":
            files.append(path)
        elif kind == "other" and path.suffix.lower() in SUBMISSION_SUFFIXES:
            skipped.append(Skipped(path, _not_regular(path)))
    return files, folders, skipped


# --- contractor folders ------------------------------------------------------------------


def unread_defect(
    path: Path, root: Path, contractor_id: str, error: UnreadableFile, folder: bool = False
) -> dict:
    """The Q0 of a file or folder that is not read, its reason in Japanese and English."""
    what_ja, what_en = ("フォルダ", "folder") if folder else ("ファイル", "file")
    return defect(
        "Q0",
        contractor_id=contractor_id,
        source=relative(path, root),
        detail=f"{what_ja}を読めません: {error.reason_ja} / cannot read the {what_en}: "
        f"{error.reason_en}",
        value=error.reason_en,
    )


def skipped_defect(item: Skipped, root: Path, contractor_id: str) -> dict:
    """The Q0 of a file or folder that is not read (no permission, a link out, a pipe)."""
    return unread_defect(item.path, root, contractor_id, item.error, item.folder)


def is_submission(path: Path) -> bool:
    """True for a file that may hold a form: a workbook or CSV, not a lock or hidden file."""
    return path.suffix.lower() in SUBMISSION_SUFFIXES and not is_ignored_name(path.name)


def is_contract_list(path: Path) -> bool:
    """True for a file named after 委託契約一覧 (what makes a folder a data folder)."""
    stem = display_name(path.stem)
    return is_submission(path) and form_for_name(stem, (CONTRACTS,)) is not None


def contractor_code(folder_name: str) -> str:
    """The contractor code of a folder name: its text before the first ``_``."""
    return display_name(folder_name).split("_", 1)[0]


#: A contractor folder to read, or one that cannot be (a link out of the data folder...).
Place = Path | Skipped


def contractor_dirs(root: Path) -> dict[str, list[Place]]:
    """Contractor code → its folders (several when a code has several), in name order."""
    _, folders, skipped = list_place(root, root, recursive=False)
    places: list[Place] = [*folders, *(item for item in skipped if item.folder)]
    grouped: dict[str, list[Place]] = {}
    for place in sorted(places, key=lambda p: place_path(p).name):
        grouped.setdefault(contractor_code(place_path(place).name), []).append(place)
    return grouped


def place_path(place: Place) -> Path:
    """The path of a contractor folder, read or not."""
    return place.path if isinstance(place, Skipped) else place


def contractor_files(code: str, places: list[Place], root: Path) -> tuple[list[Path], list[dict]]:
    """The files of a contractor's folders, and a Q0 for each entry that cannot be read."""
    files: list[Path] = []
    defects: list[dict] = []
    for place in places:
        if isinstance(place, Skipped):
            defects.append(skipped_defect(place, root, code))
            continue
        found, _, skipped = list_place(place, root)
        files += found
        defects += [skipped_defect(item, root, code) for item in skipped]
    return files, defects
