"""Audit settings (``settings.toml`` in the data folder): declaration, defaults, loading.

Thresholds live only here, as declared defaults that a prefecture overrides in its
``settings.toml``; no rule carries a number of its own (RULES.md, "Thresholds").
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tokki_analytics.errors import InputError

TOKYO = ZoneInfo("Asia/Tokyo")


class SettingsError(InputError, ValueError):
    """An invalid settings file; the message names the key, in Japanese and English."""


def _today() -> dt.date:
    return dt.datetime.now(TOKYO).date()


#: The audit reference dates accepted (dates in the data are read in the same years).
AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
#: The largest value of a threshold, by the ending of its name: ten years of days or hours
#: (no clause gives a contractor longer), and a count larger than any population.
MAXIMA = {
    "_days": 3_660,
    "_hours": 87_840,
    "_threshold": 10**12,
    "_mb": 1_048_576,
    "_seconds": 86_400,
    "_cells": 10**12,
    "_columns": 10**6,
    "_chars": 10**9,
}
#: Reading limits (``max_…``) of 0 would refuse every file: they start at 1.
MINIMA = {"max_": 1}
#: The settings of the on-site verification samples (tokki_analytics.sampling): no rule
#: reads them.
SAMPLING_SETTINGS = ("sample_confidence", "sample_tolerable_rate")
#: The settings of the submission-status overview (tokki_analytics.intake.coverage): no rule
#: reads them either.
OVERVIEW_SETTINGS = ("coverage_gap_days",)
#: The settings of the submission templates (tokki_analytics.intake.template): no rule
#: reads them.
TEMPLATE_SETTINGS = ("submission_contact",)
#: The longest text setting (a few lines printed in a workbook cell each).
TEXT_MAX_CHARS = 1_000
#: The largest settings file read (a real one is a few kB).
SETTINGS_MAX_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Settings:
    """Thresholds and lists the rules read. Defaults are those of RULES.md."""

    as_of: dt.date = field(
        default_factory=_today, metadata={"doc": "監査基準日 (default: today, Asia/Tokyo)"}
    )
    training_grace_days: int = field(
        default=30, metadata={"doc": "C5-1: 従事開始日から研修までの猶予日数"}
    )
    media_check_interval_days: int = field(
        default=92, metadata={"doc": "C7.5-1: 媒体点検の最大間隔"}
    )
    receipt_days: int = field(default=7, metadata={"doc": "C8.2-2: 預り証提出の期限日数"})
    disposal_days: int = field(
        default=30, metadata={"doc": "C11-1: 契約終了から返還・廃棄までの日数"}
    )
    inspection_report_days: int = field(
        default=7, metadata={"doc": "C12-1: 点検依頼から報告までの日数"}
    )
    incident_report_hours: int = field(
        default=24, metadata={"doc": "C14-2: 事故発覚から報告までの時間"}
    )
    return_days: int = field(default=7, metadata={"doc": "C7.2-2: 持出から返却までの日数"})
    ppc_report_threshold: int = field(
        default=100, metadata={"doc": "C14-4: 個人情報保護委員会への報告対象となる件数"}
    )
    storage_methods: tuple[str, ...] = field(
        default=("施錠保管庫", "入退室管理室"), metadata={"doc": "C7.1-1: 認められる保管方法"}
    )
    electronic_media: tuple[str, ...] = field(
        default=("USBメモリ", "外付けHDD", "ノートPC", "CD・DVD", "電子メール"),
        metadata={"doc": "C7.3-1: 暗号化が必要な電子媒体"},
    )
    returnable_media: tuple[str, ...] = field(
        default=("紙", "USBメモリ", "外付けHDD", "ノートPC", "CD・DVD", "その他"),
        metadata={"doc": "C7.2-2: 返却が必要な媒体"},
    )
    allowed_software: tuple[str, ...] | None = field(
        default=None, metadata={"doc": "C7.8-1: 許可ソフトウェア (未設定: 未評価)"}
    )
    coverage_gap_days: int = field(
        default=31,
        metadata={
            "doc": "提出状況: 継続して記録する様式（入退室記録）の記録が、求められる期間の"
            "始めからこの日数より後に始まる、または終わりからこの日数より前に途切れると注記"
            "（指摘ではない）"
        },
    )
    submission_contact: str = field(
        default="",
        metadata={
            "doc": "提出様式: 記入要領の「提出先」に載せる提出先・問い合わせ先（複数行可、"
            "例: 〇〇県総務課 個人情報担当 電話 000-000-0000）。空欄: 各契約の担当課の指示に"
            "従う旨のみ"
        },
    )
    # What one file may cost to read (tokki_analytics.ingest.guard.Limits takes its defaults
    # from here); past a limit, the file is a Q0.
    max_file_mb: int = field(
        default=100,
        metadata={"doc": "読み込み上限: 1ファイルのサイズ (MB)。超えるファイルは読まずに Q0"},
    )
    max_cells: int = field(
        default=2_000_000,
        metadata={
            "doc": "読み込み上限: 1ファイルのセル数"
            "（A1 から最遠のセルまでの行×列。Excel は読むシートの合計）"
        },
    )
    max_columns: int = field(
        default=1_000,
        metadata={"doc": "読み込み上限: 1行の列数（シートは右端の使用列まで）"},
    )
    max_field_chars: int = field(
        default=32_767,
        metadata={"doc": "読み込み上限: CSV の1項目の文字数（Excel の1セルの上限と同じ）"},
    )
    max_unpacked_mb: int = field(
        default=256,
        metadata={"doc": "読み込み上限: Excel ファイル（zip）の XML を展開したサイズ (MB)"},
    )
    reader_memory_mb: int = field(
        default=2_048,
        metadata={"doc": "読み込み上限: Excel を読む別プロセスのメモリ (MB、0: 制限なし)"},
    )
    reader_seconds: int = field(
        default=300,
        metadata={"doc": "読み込み上限: Excel 1ファイルの読み込み時間 (秒、0: 制限なし)"},
    )
    # On-site verification samples (tokki_analytics.sampling): a fraction between 0 and 1.
    sample_confidence: float = field(
        default=0.95,
        metadata={"doc": "現地確認サンプル: 信頼度（0 より大きく 1 より小さい。0.95 は 95%）"},
    )
    sample_tolerable_rate: float = field(
        default=0.05,
        metadata={"doc": "現地確認サンプル: 許容逸脱率（0 より大きく 1 より小さい。0.05 は 5%）"},
    )


def check_as_of(day: dt.date, name: str = "as_of") -> dt.date:
    """Refuse an audit reference date outside :data:`AS_OF_RANGE` (with a message)."""
    lo, hi = AS_OF_RANGE
    if not lo <= day <= hi:
        raise SettingsError(
            f"監査基準日 {name} は {lo} から {hi} までの日付で指定してください（{day}） / "
            f"{name} must be a date from {lo} to {hi} (got {day})"
        )
    return day


def _as_of(name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return check_as_of(value.date(), name)
    if isinstance(value, dt.date):
        return check_as_of(value, name)
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return check_as_of(day, name)
    raise SettingsError(
        f"設定 {name} は YYYY-MM-DD の日付で指定してください / "
        f"setting {name} must be a date YYYY-MM-DD (got {value!r})"
    )


def _count(name: str, value: object) -> int:
    top = next((m for end, m in MAXIMA.items() if name.endswith(end)), MAXIMA["_threshold"])
    low = next((m for start, m in MINIMA.items() if name.startswith(start)), 0)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= top:
        raise SettingsError(
            f"設定 {name} は {low} 以上 {top:,} 以下の整数で指定してください / "
            f"setting {name} must be an integer from {low} to {top:,} (got {value!r})"
        )
    return value


def _fraction(name: str, value: object) -> float:
    """A rate or a confidence level: a number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise SettingsError(
            f"設定 {name} は 0 より大きく 1 より小さい数で指定してください（例: 0.95） / "
            f"setting {name} must be a number between 0 and 1, both excluded (got {value!r})"
        )
    return float(value)


def _text(name: str, value: object) -> str:
    """A text setting: a string of at most :data:`TEXT_MAX_CHARS` characters."""
    if not isinstance(value, str) or len(value) > TEXT_MAX_CHARS:
        raise SettingsError(
            f"設定 {name} は {TEXT_MAX_CHARS:,} 文字以内の文字列で指定してください / "
            f"setting {name} must be a string of at most {TEXT_MAX_CHARS:,} characters "
            f"(got {value!r:.80})"
        )
    return value


def _coerce(name: str, value: object, default: object) -> object:
    """Check one settings value against the type of its default."""
    if name == "as_of":
        return _as_of(name, value)
    if isinstance(default, str):
        return _text(name, value)
    if isinstance(default, float):
        return _fraction(name, value)
    if isinstance(default, int) or name.endswith(tuple(MAXIMA)):
        return _count(name, value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(
            f"設定 {name} は文字列のリストで指定してください / "
            f"setting {name} must be a list of strings (got {value!r})"
        )
    return tuple(value)


def _settings_text(path: Path) -> str:
    """The text of a settings file: a regular file of at most :data:`SETTINGS_MAX_BYTES`.

    A settings file is a few kB; anything else (a link to ``/dev/zero``, a named pipe, a
    sparse file of gigabytes) would hang or exhaust the run before a key is read.

    Raises:
        SettingsError: Not a regular file, or larger than the limit.
        OSError: The file cannot be read.
        UnicodeDecodeError: The file is not UTF-8.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: opening a pipe blocks
        raise SettingsError(
            f"設定ファイル {path} は通常のファイルではありません / "
            f"settings file {path} is not a regular file"
        )
    with open(path, "rb") as fh:
        data = fh.read(SETTINGS_MAX_BYTES + 1)
    if len(data) > SETTINGS_MAX_BYTES:
        raise SettingsError(
            f"設定ファイル {path} が大きすぎます（上限 {SETTINGS_MAX_BYTES // 2**20} MB） / "
            f"settings file {path} is larger than {SETTINGS_MAX_BYTES // 2**20} MB"
        )
    return data.decode("utf-8-sig")


def load_settings(path: Path | None, as_of: dt.date | None = None) -> Settings:
    """Read ``settings.toml``; unknown keys and wrong types raise :class:`SettingsError`.

    Args:
        path: The settings file; None or a missing file gives the defaults.
        as_of: Overrides the file's ``as_of`` (the command line's ``--as-of``).

    Returns:
        The settings.

    Raises:
        SettingsError: The file is not valid TOML, or a key is unknown or of the wrong type.
    """
    values: dict[str, Any] = {}  # checked per key by _coerce
    if path is not None and path.exists():
        try:
            raw = tomllib.loads(_settings_text(path))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc
            if isinstance(exc, RecursionError):
                reason = "nested too deeply"
            raise SettingsError(
                f"設定ファイル {path} を読めません（TOML 形式のファイルではありません） / "
                f"cannot read settings file {path}: {reason}"
            ) from exc
        defaults = {f.name: f for f in fields(Settings)}
        for key, value in raw.items():
            if key not in defaults:
                raise SettingsError(
                    f"設定 {key} は不明なキーです / unknown setting {key!r} in {path.name}; "
                    f"known: {', '.join(defaults)}"
                )
            default = defaults[key].default
            values[key] = _coerce(key, value, None if default is None else default)
    if as_of is not None:
        values["as_of"] = check_as_of(as_of, "--as-of")
    return Settings(**values)


def settings_reference() -> list[tuple[str, str, str]]:
    """Return (key, default, description) for every setting, for the docs."""
    rows = []
    for f in fields(Settings):
        default = "today" if f.name == "as_of" else repr(f.default)
        rows.append((f.name, default, f.metadata.get("doc", "")))
    return rows
