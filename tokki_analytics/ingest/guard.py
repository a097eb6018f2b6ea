"""Reading inside limits: what one file may cost, checked before it is read.

A contractor's file can claim or hold far more than any real submission: a workbook whose
single cell sits at XFD1048576 (the reader pads every sheet from A1, so that is a grid of
17 billion cells), a 4 MB zip that unpacks to gigabytes, a CSV line of a million commas.
The checks here run before anything is allocated in proportion to such a file; each
refusal is an :class:`UnreadableFile` (a Q0) naming the limit, its setting in
``settings.toml`` and what the file had, in Japanese and English.

The workbook's own checks (its zip and XML) are in :mod:`tokki_analytics.ingest.xlsx`; they
run in the sheet reader process (:mod:`tokki_analytics.ingest.sheetreader`), which imports
both modules: they use the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from tokki_analytics.settings import Settings

MB = 1024 * 1024

#: The largest sheet Excel can hold; a reference beyond it is refused as it is.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384

#: Excel's error values, as a cell shows them and a CSV saved from Excel writes them. The
#: reader turns an error cell of a workbook into an empty string;
#: :meth:`tokki_analytics.ingest.xlsx.Package.error_cells` finds them again (the first seven
#: are those an .xlsx may hold for the reader), and :mod:`tokki_analytics.ingest.values`
#: reads any of them as unreadable, never as a value or a blank.
EXCEL_ERRORS = frozenset(
    {
        *("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"),
        *("#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!"),
        *("#BUSY!", "#UNKNOWN!", "#PYTHON!", "#EXTERNAL!"),
    }
)


class UnreadableFile(Exception):
    """A file that looks like a submission but cannot be read at all (rule Q0)."""

    def __init__(self, reason_ja: str, reason_en: str) -> None:
        super().__init__(f"{reason_ja} / {reason_en}")
        self.reason_ja = reason_ja
        self.reason_en = reason_en

    def __reduce__(self) -> tuple[type[UnreadableFile], tuple[str, str]]:
        # Pickled with both reasons: a shard's masters (its unreadable folders) cross processes.
        return type(self), (self.reason_ja, self.reason_en)


@dataclass(frozen=True)
class Limits:
    """What one file may cost; the defaults are those of the settings (``settings.toml``).

    Attributes:
        max_file_mb: Bytes per file, in MB (checked on the file system before reading).
        max_cells: Cells per file: rows × columns of the grid read, counted from A1 (a
            workbook is padded from A1, so a single far cell counts its whole rectangle);
            the sheets read from one workbook count together.
        max_columns: Columns per row (per sheet: the right-most column used).
        max_field_chars: Characters per CSV field.
        max_unpacked_mb: Bytes a workbook's XML parts unpack to, in MB (zip bombs).
        reader_memory_mb: Memory of the process that reads workbooks, in MB (0: no limit).
        reader_seconds: Time the process that reads workbooks may spend on one workbook,
            in seconds (0: no limit); past it the reader is stopped and the file is a Q0.
    """

    max_file_mb: int = Settings.max_file_mb
    max_cells: int = Settings.max_cells
    max_columns: int = Settings.max_columns
    max_field_chars: int = Settings.max_field_chars
    max_unpacked_mb: int = Settings.max_unpacked_mb
    reader_memory_mb: int = Settings.reader_memory_mb
    reader_seconds: int = Settings.reader_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits of a :class:`~tokki_analytics.settings.Settings` (same field names)."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


# --- messages ------------------------------------------------------------------------


def _over(
    what_ja: str, what_en: str, key: str, limit: str, had_ja: str, had_en: str
) -> UnreadableFile:
    return UnreadableFile(
        f"{what_ja}が上限 {limit}（設定 {key}）を超えています（{had_ja}）",
        f"{what_en} over the limit of {limit} (setting {key}): {had_en}",
    )


def _sheet_ja(sheet: str | None) -> str:
    return f"シート「{sheet}」の" if sheet is not None else ""


def _sheet_en(sheet: str | None) -> str:
    return f"sheet {sheet!r}: " if sheet is not None else ""


def file_too_large(size: int, limits: Limits) -> UnreadableFile:
    """The refusal of a file larger than ``max_file_mb``."""
    had = f"{size / MB:,.1f} MB"
    return _over(
        "ファイルサイズ", "file size", "max_file_mb", f"{limits.max_file_mb:,} MB", had, had
    )


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file of ``size`` bytes larger than ``max_file_mb``."""
    if size > limits.max_file_mb * MB:
        raise file_too_large(size, limits)


def column_name(number: int) -> str:
    """The Excel name of 1-based column ``number`` (1 → A, 16384 → XFD)."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def extent_problem(
    rows: int, columns: int, limits: Limits, sheet: str | None = None, at_least: bool = False
) -> UnreadableFile | None:
    """Why a grid of ``rows`` × ``columns`` (counted from A1) is not read, or None.

    Args:
        rows: Rows of the grid, from the first.
        columns: Columns of the grid, from the first.
        limits: The limits.
        sheet: The sheet's name; None for a CSV file.
        at_least: The grid is at least this large (its scan stopped at the limit).
    """
    more_ja, more_en = ("以上", "at least ") if at_least else ("", "")
    if columns > limits.max_columns:
        return _over(
            f"{_sheet_ja(sheet)}列数",
            f"{_sheet_en(sheet)}columns",
            "max_columns",
            f"{limits.max_columns:,}",
            f"{columns:,}列{more_ja}",
            f"{more_en}{columns:,}",
        )
    if rows * columns > limits.max_cells:
        where = f"A1:{column_name(columns)}{rows}、" if sheet is not None else ""
        where_en = f"A1:{column_name(columns)}{rows}, " if sheet is not None else ""
        return _over(
            f"{_sheet_ja(sheet)}セル数",
            f"{_sheet_en(sheet)}cells",
            "max_cells",
            f"{limits.max_cells:,}",
            f"{where}{rows:,}行×{columns:,}列{more_ja}",
            f"{more_en}{where_en}{rows:,} rows × {columns:,} columns",
        )
    return None


def extent_error(
    rows: int, columns: int, limits: Limits, sheet: str | None = None
) -> UnreadableFile:
    """The error of a grid whose scan stopped at a limit (so it is at least this large).

    Args:
        rows: Rows scanned so far, from the first.
        columns: The widest row so far.
        limits: The limits.
        sheet: The sheet's name; None for a CSV file.

    Returns:
        The error naming the limit passed.

    Raises:
        ValueError: The grid is within the limits (a caller's mistake).
    """
    problem = extent_problem(rows, columns, limits, sheet=sheet, at_least=True)
    if problem is None:
        raise ValueError(f"{rows} x {columns} is within the limits")
    return problem


def workbook_cells_over(cells: int, limits: Limits, sheet: str) -> UnreadableFile:
    """The refusal of a workbook whose form sheets hold more than ``max_cells`` together.

    Each sheet is within the limit, but a workbook of many such sheets (thousands of
    sheets named after forms, or a few sheets of tiny compressed XML) would cost as much
    as that many files; the cells of a file are counted across its sheets.
    """
    return _over(
        "ファイル全体（読むシートの合計）のセル数",
        "cells of the workbook's sheets together",
        "max_cells",
        f"{limits.max_cells:,}",
        f"シート「{sheet}」までで{cells:,}セル",
        f"{cells:,} by sheet {sheet!r}",
    )


def field_too_long(line: int, limits: Limits, length: int | None = None) -> UnreadableFile:
    """The refusal of a CSV field longer than ``max_field_chars`` (``line``: 1-based)."""
    had_ja = f"{line:,}行目" + (f"、{length:,}文字" if length is not None else "")
    had_en = f"line {line:,}" + (f", {length:,} characters" if length is not None else "")
    return _over(
        "項目の文字数",
        "characters in a field",
        "max_field_chars",
        f"{limits.max_field_chars:,}",
        had_ja,
        had_en,
    )


def unpacked_too_large(member: str, limits: Limits) -> UnreadableFile:
    """The refusal of a workbook whose XML unpacks to more than ``max_unpacked_mb``."""
    return _over(
        "展開後のサイズ",
        "unpacked size",
        "max_unpacked_mb",
        f"{limits.max_unpacked_mb:,} MB",
        f"{member} で超過、zip 爆弾の疑い",
        f"passed at {member}, possibly a zip bomb",
    )


def reader_timed_out(limits: Limits) -> UnreadableFile:
    """The Q0 of a workbook whose reader was stopped after ``reader_seconds``."""
    return UnreadableFile(
        f"読み込みが制限時間 {limits.reader_seconds:,} 秒（設定 reader_seconds）を"
        "超えたため中止しました",
        f"reading took longer than {limits.reader_seconds:,} s (setting reader_seconds); stopped",
    )


def reader_crashed(limits: Limits) -> UnreadableFile:
    """The Q0 of a file whose reader died (a crash, or past ``reader_memory_mb``)."""
    memory = f"{limits.reader_memory_mb:,} MB" if limits.reader_memory_mb else "なし"
    memory_en = f"{limits.reader_memory_mb:,} MB" if limits.reader_memory_mb else "none"
    return UnreadableFile(
        f"読み込み中に読み取り処理が異常終了しました（メモリ上限 {memory}、設定 reader_memory_mb）",
        f"the reader crashed or exceeded the memory limit ({memory_en}, setting reader_memory_mb)",
    )
