"""The audit trail of a run (監査証跡): ``manifest.json``, and a data folder checked against it.

Every ``tokki run`` writes ``manifest.json`` beside findings.csv: the versions of tokki,
Great Expectations, pandas and Python; the effective settings; the SHA-256 of each
expectation suite; the as-of date; the command line; start and end time; and every file of
the data folder with its size, modification time, SHA-256 and the records typed from it.
``tokki verify OUT`` recomputes the hashes and lists what changed, vanished or appeared.

Files are listed by walking the data folder without following links (a link is recorded
as a link, never read through); sizes and times are taken as the run starts, the hashes as
it ends, and a file whose size or time moved in between is marked ``changed_during_run``.
Paths are written as tokki names files everywhere (``display_name``: decoded, NFKC), with
person names masked unless names are shown (``path``); each entry also holds the SHA-256
of the relative path as the file system has it (``path_sha256``), which is what ``tokki
verify`` matches on. Records are counted per file from the typed frames' ``_source``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.errors import InputError
from tokki_analytics.ingest.folders import display_name

if TYPE_CHECKING:
    from tokki_analytics.settings import Settings

#: The manifest's file name in a run's output folder.
MANIFEST = "manifest.json"
#: Marks a manifest written by tokki, and its layout.
KIND, LAYOUT = "tokki-manifest", 1
#: Bytes read at a time while hashing.
CHUNK = 1 << 20
#: The largest manifest ``tokki verify`` reads (a run of 300 contractors writes a few MB).
MANIFEST_MAX_BYTES = 256 * 1_048_576
#: Distributions whose versions the manifest names.
DISTRIBUTIONS = (
    "tokki-analytics",
    "great-expectations",
    "pandas",
    "numpy",
    "python-calamine",
    "openpyxl",
)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read without following a final link."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def path_key(relative: str) -> str:
    """The SHA-256 of a relative path (POSIX separators): how verify matches files."""
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Seen:
    """A directory entry of the data folder as the run starts."""

    relative: str
    kind: str  # "file", "link" or "other"
    size: int
    mtime_ns: int


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda entry: entry.name)
    except OSError:
        return []


def walk(data_dir: Path) -> Iterator[Seen]:
    """Every entry under ``data_dir`` except folders, in path order, links not followed.

    Iterative (a folder nested thousands deep cannot exhaust the recursion limit); an
    unreadable folder is passed over.
    """
    stack = [iter(_entries(data_dir))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            stack.append(iter(_entries(Path(entry.path))))
            continue
        kind = "link" if stat.S_ISLNK(info.st_mode) else "file"
        kind = kind if kind == "link" or stat.S_ISREG(info.st_mode) else "other"
        relative = Path(entry.path).relative_to(data_dir).as_posix()
        yield Seen(relative, kind, info.st_size, info.st_mtime_ns)


def snapshot(data_dir: Path) -> dict[str, Seen]:
    """The data folder's files as the run starts: relative path → :class:`Seen`."""
    return {seen.relative: seen for seen in walk(Path(data_dir))}


def _iso(mtime_ns: int) -> str:
    return dt.datetime.fromtimestamp(mtime_ns / 1e9, dt.UTC).isoformat(timespec="seconds")


def file_entry(
    data_dir: Path,
    seen: Seen,
    records: int,
    show: Callable[[str], str],
    max_bytes: int | None = None,
) -> dict:
    """One input file of the manifest (hashed now; ``seen`` is how it was at the start).

    A file larger than ``max_bytes`` (the reading limit ``max_file_mb``: tokki did not read
    it either) is listed with its size and time, not hashed: a hostile multi-gigabyte file
    must not hold the run up.
    """
    entry: dict[str, object] = {
        "path": show(display_name(seen.relative)),
        "path_sha256": path_key(seen.relative),
        "kind": seen.kind,
        "size": seen.size,
        "modified": _iso(seen.mtime_ns),
        "records": records,
    }
    if seen.kind != "file":
        return entry
    path = data_dir / seen.relative
    if max_bytes is not None and seen.size > max_bytes:
        entry["not_hashed"] = (
            "読み込み上限より大きいため未計算 / larger than max_file_mb, not hashed"
        )
        return entry
    try:
        now = os.stat(path, follow_symlinks=False)
        entry["sha256"] = sha256_file(path)
    except OSError as exc:
        entry["error"] = f"読めません / unreadable: {exc.strerror or type(exc).__name__}"
        return entry
    if (now.st_size, now.st_mtime_ns) != (seen.size, seen.mtime_ns):
        entry["changed_during_run"] = True
    return entry


def suite_hashes(suites_dir: Path) -> dict[str, str]:
    """Suite file name → SHA-256, every ``*.json`` of the suites folder.

    Only regular files are read (a pipe or a link named ``*.json`` in a folder a tampered
    manifest names is given as ``unreadable``, never opened).
    """
    hashes = {}
    for path in sorted(Path(suites_dir).glob("*.json")):
        try:
            regular = stat.S_ISREG(os.lstat(path).st_mode)
            hashes[path.name] = sha256_file(path) if regular else "unreadable"
        except OSError:
            hashes[path.name] = "unreadable"
    return hashes


def versions() -> dict[str, str]:
    """Python and the distributions of :data:`DISTRIBUTIONS` (``—`` when absent)."""
    found = {"python": platform.python_version()}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "—"
    return found


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def settings_record(settings: Settings) -> dict[str, object]:
    """The effective settings as JSON values (dates as ISO text)."""
    record = _plain(dataclasses.asdict(settings))
    return record if isinstance(record, dict) else {}


@dataclass
class RunTrail:
    """What the command line knows of a run that the audit does not.

    Attributes:
        command: The command line (``tokki run …``), as given.
        started: When the run started (UTC).
        before: The data folder as the run started (:func:`snapshot`).
        suites_dir: The expectation suites the run used.
    """

    command: list[str]
    started: dt.datetime
    before: dict[str, Seen]
    suites_dir: Path


def build_manifest(
    data_dir: Path,
    settings: Settings,
    file_records: Mapping[str, int],
    trail: RunTrail,
    show: Callable[[str], str] = str,
) -> dict[str, object]:
    """The manifest of a run (see the module docstring)."""
    data_dir = Path(data_dir)
    limit = settings.max_file_mb * 1_048_576
    files = [
        file_entry(data_dir, seen, file_records.get(display_name(seen.relative), 0), show, limit)
        for seen in trail.before.values()
    ]
    finished = dt.datetime.now(dt.UTC)  # the manifest is built as the run ends
    return {
        "kind": KIND,
        "layout": LAYOUT,
        "versions": versions(),
        "command": [show(_readable(part)) for part in trail.command],
        "started": trail.started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "data_dir": show(_readable(str(data_dir.resolve()))),
        "as_of": settings.as_of.isoformat(),
        "settings": settings_record(settings),
        "suites": {"dir": str(trail.suites_dir), "sha256": suite_hashes(trail.suites_dir)},
        "files": files,
        "totals": {
            "files": len(files),
            "bytes": sum(int(str(f["size"])) for f in files),
            "records": sum(int(str(f["records"])) for f in files),
        },
    }


def _readable(text: str) -> str:
    """Text with a file name's undecodable bytes escaped (backslash, hex), as JSON can hold."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def manifest_text(manifest: Mapping[str, object]) -> str:
    """The manifest as written (UTF-8 JSON, one key order)."""
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def manifest_sha256(text: str) -> str:
    """The SHA-256 of the manifest as written: the run's fingerprint."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- tokki verify ----------------------------------------------------------------------


class ManifestError(InputError):
    """No manifest, or not one tokki wrote (Japanese and English)."""


def read_manifest(out: Path) -> dict:
    """The manifest of the run in ``out``.

    Raises:
        ManifestError: ``out`` holds no manifest.json, or one tokki did not write.
    """
    path = Path(out) / MANIFEST
    try:
        manifest = json.loads(_manifest_bytes(path))
    except FileNotFoundError:
        raise ManifestError(
            f"{out} に manifest.json がありません（tokki run の出力フォルダを指定してください） / "
            f"{out} holds no manifest.json: give the output folder of a tokki run"
        ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise ManifestError(
            f"manifest.json を読めません: {exc} / cannot read manifest.json: {exc}"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise ManifestError(
            "manifest.json は tokki が書いたものではありません / "
            "manifest.json was not written by tokki"
        )
    if not _well_formed(manifest):
        raise ManifestError(
            "manifest.json の内容が tokki の形式ではありません（書き換えられています） / "
            "manifest.json does not have tokki's layout (it was edited)"
        )
    return manifest


def _manifest_bytes(path: Path) -> bytes:
    """The manifest's bytes: a regular file of at most :data:`MANIFEST_MAX_BYTES`.

    A pipe or a device (a link to /dev/zero) would never end; such a file is refused
    before it is read.
    """
    with open(path, "rb", buffering=0, opener=_open_nonblocking) as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ManifestError(
                "manifest.json が通常のファイルではありません（パイプ・デバイス・フォルダ） / "
                "manifest.json is not a regular file (a pipe, a device or a folder)"
            )
        data = fh.read(MANIFEST_MAX_BYTES + 1)
    if len(data) > MANIFEST_MAX_BYTES:
        megabytes = MANIFEST_MAX_BYTES // 1_048_576
        raise ManifestError(
            f"manifest.json が {megabytes} MB を超えています（tokki の書いたものではありません） / "
            f"manifest.json is larger than {megabytes} MB (not written by tokki)"
        )
    return data


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _well_formed(manifest: Mapping[str, object]) -> bool:
    """Whether the parts verify reads have the types tokki writes."""
    files, suites = manifest.get("files", []), manifest.get("suites", {})
    if not isinstance(files, list) or not isinstance(suites, dict):
        return False
    entries_ok = all(
        isinstance(entry, dict)
        and isinstance(entry.get("path_sha256"), str)
        and isinstance(entry.get("path"), str)
        for entry in files
    )
    suites_ok = isinstance(suites.get("sha256", {}), dict) and isinstance(
        suites.get("dir", ""), str
    )
    return entries_ok and suites_ok and isinstance(manifest.get("data_dir", ""), str)


@dataclass
class Differences:
    """What differs between a run's manifest and the data folder now.

    Attributes:
        changed: Files whose bytes differ (paths as the manifest shows them).
        vanished: Files of the run that are gone.
        appeared: Files that are new (paths as they are now).
        suites: Suite files whose bytes differ, vanished or appeared.
    """

    changed: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    appeared: list[str] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether anything differs."""
        return bool(self.changed or self.vanished or self.appeared or self.suites)


def _unchanged(data_dir: Path, seen: Seen, entry: Mapping) -> bool:
    """Whether a file is as the manifest lists it (size and time where it was not hashed)."""
    if seen.kind != entry.get("kind"):
        return False
    if "not_hashed" in entry:
        return seen.size == entry.get("size") and _iso(seen.mtime_ns) == entry.get("modified")
    return _now_hash(data_dir, seen) == entry.get("sha256")


def _now_hash(data_dir: Path, seen: Seen) -> str | None:
    if seen.kind != "file":
        return None
    try:
        return sha256_file(data_dir / seen.relative)
    except OSError:
        return "unreadable"


def compare(manifest: Mapping, data_dir: Path, suites_dir: Path) -> Differences:
    """Compare a manifest with ``data_dir`` and ``suites_dir`` as they are now."""
    found = Differences()
    then = {entry["path_sha256"]: entry for entry in manifest.get("files", [])}
    now = {path_key(seen.relative): seen for seen in walk(Path(data_dir))}
    for key, entry in then.items():
        seen = now.get(key)
        if seen is None:
            found.vanished.append(entry["path"])
        elif not _unchanged(data_dir, seen, entry):
            found.changed.append(entry["path"])
    found.appeared = [display_name(seen.relative) for key, seen in now.items() if key not in then]
    recorded = dict(manifest.get("suites", {}).get("sha256", {}))
    current = suite_hashes(suites_dir) if Path(suites_dir).is_dir() else {}
    found.suites = sorted(
        name for name in set(recorded) | set(current) if recorded.get(name) != current.get(name)
    )
    return found


def _appeared(paths: list[str], show_names: bool) -> list[str]:
    """New files: their paths with ``show_names``, else their folders and counts.

    A new file's name may hold a person's name, and no roster is read to mask it.
    """
    if show_names:
        return paths
    folders: dict[str, int] = {}
    for path in paths:
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else "./"
        folders[folder] = folders.get(folder, 0) + 1
    return [f"{folder} に {count} 件 ({count} new)" for folder, count in folders.items()]


def report(differences: Differences, show_names: bool = False) -> list[str]:
    """The lines ``tokki verify`` prints (Japanese, then English)."""
    if not differences.any:
        return ["入力ファイルと期待値スイートは実行時から変わっていません / "
                "inputs and suites are unchanged since the run"]  # fmt: skip
    lines = []
    for label, paths in (
        ("変更 (changed)", differences.changed),
        ("消失 (vanished)", differences.vanished),
        ("追加 (appeared)", _appeared(differences.appeared, show_names)),
        ("期待値スイートの相違 (suites differ)", differences.suites),
    ):
        lines += [f"{label}: {path}" for path in paths]
    counts = (
        f"変更 {len(differences.changed)} 件、消失 {len(differences.vanished)} 件、"
        f"追加 {len(differences.appeared)} 件、スイート相違 {len(differences.suites)} 件 / "
        f"{len(differences.changed)} changed, {len(differences.vanished)} vanished, "
        f"{len(differences.appeared)} appeared, {len(differences.suites)} suites differ"
    )
    return [*lines, counts]
