"""Red-team of the input side: files and settings built to stop or fool the audit.

Each test builds its hostile input at test time (a few kB) and checks what a user sees:
the exit code and message of ``tokki load``, or the Q0 naming the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile
import pytest

from tokki_analytics.cli import main
from tokki_analytics.forms import SUBMISSION_FORMS
from tokki_analytics.ingest import load, read
from tokki_analytics.ingest.guard import Limits

_MAIN, _REL, _PKG = hostile._MAIN, hostile._REL, hostile._PKG


def _q0(data_dir: Path, name: str) -> list[str]:
    """The details of the Q0s of ``load(data_dir)`` whose source ends with ``name``."""
    defects = load(data_dir).defects
    q0 = defects[(defects["rule_id"] == "Q0") & defects["source"].str.endswith(name)]
    return q0["detail"].tolist()


# --- workbooks -------------------------------------------------------------------------


def test_a_workbook_without_its_sheet_list_is_a_q0_not_a_silent_gap(data_dir: Path):
    """No xl/workbook.xml: the reader finds no sheet, and the file vanished without a word."""
    path = data_dir / "C001_株式会社テスト" / "作業従事者名簿.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        archive.writestr("_rels/.rels", hostile.ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", hostile.BOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{_MAIN}"/>')
    details = _q0(data_dir, "作業従事者名簿.xlsx")
    assert len(details) == 1 and "シートが1つもありません" in details[0], details
    assert "no sheets" in details[0]


def _many_sheets(path: Path, sheets: int, rows: int, columns: int) -> Path:
    """A workbook of ``sheets`` sheets named after a form, all one part of rows × columns."""
    names = "".join(
        f'<sheet name="作業従事者名簿_{i}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
        for i in range(sheets)
    )
    links = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/s.xml"/>'
        for i in range(sheets)
    )
    line = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        archive.writestr("_rels/.rels", hostile.ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">{links}</Relationships>'
        )
        archive.writestr(
            "xl/worksheets/s.xml",
            f'<worksheet xmlns="{_MAIN}"><sheetData>{line * rows}</sheetData></worksheet>',
        )
    return path


def test_the_sheets_of_one_workbook_share_the_cell_limit(tmp_path: Path):
    """Each sheet inside max_cells, together far past it: 8 sheets of 1.9 M cells took a
    480 kB workbook to 1 GB and a minute; three such files to 2.2 GB."""
    path = _many_sheets(tmp_path / "作業従事者名簿.xlsx", sheets=50, rows=40, columns=10)
    limits = Limits(max_cells=1_000)  # each sheet 400 cells, the workbook 20,000
    result = read.read_file(path, tmp_path, SUBMISSION_FORMS, limits)
    assert result.error is not None, [p.sheet for p in result.parts]
    assert "max_cells" in result.error.reason_ja and "シートの合計" in result.error.reason_ja
    assert "together" in result.error.reason_en
    fits = read.read_file(path, tmp_path, SUBMISSION_FORMS, Limits(max_cells=20_000))
    assert fits.error is None and len(fits.parts) == 50


# --- settings.toml ---------------------------------------------------------------------


def test_a_settings_file_nested_too_deeply_is_refused_with_a_message(data_dir: Path, capsys):
    (data_dir / "settings.toml").write_text("a = " + "[" * 5_000 + "]" * 5_000 + "\n")
    assert main(["load", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "settings.toml" in err and " / " in err and "内部エラー" not in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_settings_file_that_never_ends_is_refused_not_waited_for(data_dir: Path):
    """A named pipe (or a link to /dev/zero) as settings.toml hung ``tokki load`` for ever."""
    os.mkfifo(data_dir / "settings.toml")
    done = subprocess.run(
        [sys.executable, "-m", "tokki_analytics.cli", "load", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, GX_ANALYTICS_ENABLED="False"),
    )
    assert done.returncode == 2, done.stderr
    assert "settings.toml" in done.stderr and "regular file" in done.stderr


def test_a_settings_file_past_16_mb_is_refused_unread(data_dir: Path, capsys):
    with open(data_dir / "settings.toml", "wb") as fh:  # sparse: no disk used
        fh.write(b"# x\n")
        fh.truncate(64 * 2**20)
    assert main(["load", str(data_dir)]) == 2
    assert "16 MB" in capsys.readouterr().err
