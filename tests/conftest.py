"""Shared helpers: tiny data folders written the way contractors write them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest

os.environ["GX_ANALYTICS_ENABLED"] = "False"

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CONTRACT_HEADER = [
    "契約番号",
    "受託者コード",
    "受託者名",
    "担当課",
    "業務名",
    "契約開始日",
    "契約終了日",
    "取扱件数",
    "要配慮個人情報",
    "電子データ取扱",
    "持出先指定場所",
    "受渡方法指定",
    "適用除外条項",
]

STAFF_HEADER = [
    "契約番号",
    "従事者ID",
    "氏名",
    "役割",
    "雇用形態",
    "作業場所",
    "従事開始日",
    "従事終了日",
    "届出日",
    "誓約書提出日",
]


def require_installed(path: str | Path, what: str) -> None:
    """Skip a test whose system package is missing, but fail it in CI (``CI=true``).

    ``make test`` installs what the tests need; in CI a missing browser means the install
    step is broken, and a skipped browser test would be a test that cannot fail.
    """
    if Path(path).exists():
        return
    message = f"{what} ({path}) is missing: `make test` installs it"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message)
    pytest.skip(message)


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook: sheet name -> rows (None for an empty cell)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def contract(
    contract_id="K-001",
    contractor="C001",
    start=dt.date(2025, 4, 1),
    end=dt.date(2026, 3, 31),
    excluded=None,
    electronic="有",
    places="県庁",
    means=None,
):
    return [
        contract_id,
        contractor,
        "株式会社テスト",
        "県民生活課",
        "テスト業務",
        start,
        end,
        100,
        "無",
        electronic,
        places,
        means,
        excluded,
    ]


def staff_row(person="P001", contract_id="K-001", role="作業責任者", start="2025-04-01"):
    return [
        contract_id,
        person,
        "岡山 太郎",
        role,
        "正社員",
        "本社",
        start,
        None,
        "2025-03-25",
        "2025-03-25",
    ]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with one contractor C001 (contract K-001) and its staff roster."""
    root = tmp_path / "data"
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, contract()]})
    write_xlsx(
        root / "C001_株式会社テスト" / "提出書類.xlsx",
        {"作業従事者名簿": [STAFF_HEADER, staff_row("P001"), staff_row("P002", role="作業従事者")]},
    )
    return root
