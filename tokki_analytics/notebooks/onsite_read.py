"""Reading a filled briefing workbook back for ``tokki evaluate``, within bounds.

The workbook comes back from site: it may be anything (a huge file, a zip bomb, a sheet
of a million rows). Before openpyxl opens it, the checks of the guarded sheet reader
(:class:`~tokki_analytics.ingest.xlsx.Package`) run with the default reading limits
(:class:`~tokki_analytics.ingest.guard.Limits`): the file size, the bytes its XML parts
unpack to (shared strings and styles, which openpyxl loads whole, and each sheet read) and
each sheet's extent. Rows are then read lazily (openpyxl's read-only mode) and a sheet
longer than :data:`MAX_ROWS` is refused after that many rows. Every refusal is an
:class:`~tokki_analytics.errors.InputError` (exit 2), Japanese then English.

Imports nothing heavy at start (the ``tokki`` command imports it through ``onsite_eval``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokki_analytics.errors import InputError
from tokki_analytics.ingest.guard import Limits, UnreadableFile, check_size

#: Rows a sheet of the workbook may have. A sample sheet has a few header rows and, per
#: contract, its sample (59 rows at 95 % / 5 %): 100,000 rows hold 1,600 contracts of one
#: contractor, far more than any prefecture has; the plan sheet has a row per contract.
MAX_ROWS = 100_000
#: The reading limits (the defaults of settings.toml: evaluate reads no data folder).
LIMITS = Limits()

Rows = list[tuple[object, ...]]


def _refused(path: Path, ja: str, en: str) -> InputError:
    return InputError(f"{path.name} を読みません（{ja}） / {path.name} not read ({en})")


def check_workbook(path: Path, names: Sequence[str]) -> None:
    """Refuse a workbook past the reading limits, before it is opened to be read.

    Args:
        path: The workbook.
        names: The sheets that will be read (those the workbook does not have are skipped).

    Raises:
        InputError: Not a regular file, larger than ``max_file_mb``, not an .xlsx (zip),
            XML unpacking past ``max_unpacked_mb`` or a sheet past ``max_cells`` /
            ``max_columns``.
    """
    from tokki_analytics.ingest.xlsx import Package

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                "通常のファイルではありません（フォルダ・パイプなど）",
                "not a regular file (a folder, a pipe…)",
            )
        check_size(info.st_size, LIMITS)
        package = Package(path, LIMITS)
        with package.zip:
            for name in names:
                if name in package.sheets:
                    package.check_sheet(name)
    except UnreadableFile as exc:
        raise _refused(path, exc.reason_ja, exc.reason_en) from exc
    except OSError as exc:
        raise _refused(path, "ファイルを開けません", f"cannot open: {exc.strerror}") from exc


def sheet_rows(path: Path, sheet: str, rows: Iterable[Iterable[object]]) -> Rows:
    """The rows of an openpyxl ``iter_rows(values_only=True)``, at most :data:`MAX_ROWS`.

    Raises:
        InputError: The sheet has more rows (reading stops there).
    """
    out: Rows = []
    for row in rows:
        if len(out) >= MAX_ROWS:
            raise _refused(
                path,
                f"シート「{sheet}」の行数が上限 {MAX_ROWS:,} 行を超えています",
                f"sheet {sheet} has more than {MAX_ROWS:,} rows",
            )
        out.append(tuple(row))
    return out


def read_workbook(path: Path, names: Sequence[str]) -> dict[str, Rows]:
    """The rows of each sheet of ``names`` that the workbook has, checked and bounded first.

    Raises:
        InputError: Past a limit (:func:`check_workbook`, :data:`MAX_ROWS`), or not
            readable as a workbook.
    """
    from openpyxl import load_workbook

    check_workbook(path, names)
    try:  # a sheet's XML is parsed as its rows are read: a broken one fails there
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            found = [name for name in names if name in wb.sheetnames]
            return {
                name: sheet_rows(path, name, wb[name].iter_rows(values_only=True)) for name in found
            }
        finally:
            wb.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise InputError(
            f"{path.name} を Excel ブックとして読めません / cannot read {path.name} as a "
            f"workbook ({type(exc).__name__})"
        ) from exc
