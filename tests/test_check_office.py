"""The intake check's reply through LibreOffice Calc, as a contractor without Excel opens it.

差し戻し票.xlsx goes back to the contractor, who may open it in Calc: opened and saved by Calc
(``soffice --convert-to xlsx``) without error, it keeps its cover and every row of 訂正事項,
cell for cell, when read back.

``make test`` installs LibreOffice; under CI=true a missing one fails.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from office import calc_convert, require_office

from tokki_analytics.cli import main
from tokki_analytics.ingest.folders import contractor_code
from tokki_analytics.intake.check import SECTIONS
from tokki_analytics.intake.reply import REPLY_XLSX, SHEET_COVER, SHEET_ITEMS

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, dtype=str, engine="openpyxl").fillna("")


def test_calc_opens_a_reply_and_keeps_its_rows(tmp_path: Path) -> None:
    require_office()
    # C004: rule findings and a defect of 委託契約一覧 (two sections, texts, row numbers)
    folder = next(p for p in SAMPLES.iterdir() if contractor_code(p.name) == "C004")
    out = tmp_path / "reply"
    assert main(["check", str(folder), "--data", str(SAMPLES), "--out", str(out)]) == 1
    reply = out / REPLY_XLSX
    converted = calc_convert(reply, tmp_path / "calc", tmp_path / "lo-profile")
    with zipfile.ZipFile(converted) as package:
        assert b"LibreOffice" in package.read("docProps/app.xml")
    assert openpyxl.load_workbook(converted).sheetnames == [SHEET_COVER, SHEET_ITEMS]
    before, after = _sheet(reply, SHEET_ITEMS), _sheet(converted, SHEET_ITEMS)
    assert len(before) > 1 and set(before.iloc[:, 0]) <= set(SECTIONS)
    pd.testing.assert_frame_equal(after, before)
    cover = [_sheet(p, SHEET_COVER) for p in (reply, converted)]  # title line as header
    pd.testing.assert_frame_equal(cover[1], cover[0])
    assert cover[0].columns[0].startswith("個人情報取扱特記事項") and len(cover[0]) > 3
