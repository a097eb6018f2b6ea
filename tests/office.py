"""LibreOffice Calc for tests: open and save (headless conversion), and type cells (UNO).

An auditor or a contractor without Excel keeps tokki's workbooks in Calc. These helpers let a
test do what they do: :func:`calc_convert` has Calc open a workbook and write it back with its
own xlsx filter; :func:`calc_edit` has Calc type values into cells and save, through UNO,
driven by Debian's Python (``python3-uno``). ``make test`` installs both
(``libreoffice-calc-nogui``, ``python3-uno``); under ``CI=true`` a missing one fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from conftest import require_installed

SOFFICE = os.environ.get("LIBREOFFICE", "/usr/bin/soffice")
UNO_PYTHON = os.environ.get("UNO_PYTHON", "/usr/bin/python3")
UNO_MODULE = os.environ.get("UNO_MODULE", "/usr/lib/python3/dist-packages/uno.py")
EDIT_SCRIPT = Path(__file__).with_name("lo_calc_edit.py")

Edit = tuple[str, int, int, object]


def require_office(uno: bool = False) -> None:
    """Skip without LibreOffice (and pyuno when ``uno``), but fail under ``CI=true``."""
    require_installed(SOFFICE, "LibreOffice Calc (libreoffice-calc-nogui)")
    if uno:
        require_installed(UNO_MODULE, "LibreOffice's Python bridge (python3-uno)")


def calc_convert(src: Path, outdir: Path, profile: Path) -> Path:
    """Open ``src`` in Calc and save it as .xlsx in ``outdir``; return the saved file."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    saved = outdir / (src.stem + ".xlsx")
    assert saved.is_file(), f"LibreOffice wrote no {saved.name}"
    return saved


def _cell(value: object) -> dict[str, object]:
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {"s": str(value)}
    return {"n": value}


def calc_edit(src: Path, dst: Path, edits: list[Edit], profile: Path) -> Path:
    """Type ``edits`` (sheet, 1-based row, 1-based column, value) into ``src`` in Calc.

    Text becomes a text cell, numbers numbers and dates date cells with Calc's date format;
    the document is then saved by Calc as .xlsx at ``dst``.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps([[s, r, c, _cell(v)] for s, r, c, v in edits], ensure_ascii=False)
    subprocess.run(
        [UNO_PYTHON, str(EDIT_SCRIPT), SOFFICE, str(profile), str(src), str(dst), payload],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert dst.is_file(), f"LibreOffice wrote no {dst.name}"
    return dst
