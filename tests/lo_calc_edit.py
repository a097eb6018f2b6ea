"""Type cells into a workbook with LibreOffice Calc through UNO, then save it as .xlsx.

Run by Debian's own Python (``/usr/bin/python3`` with ``python3-uno``), never by the
project's venv: pyuno is built for the system interpreter. Usage::

    python3 lo_calc_edit.py SOFFICE PROFILE_DIR SRC DST EDITS_JSON

EDITS_JSON is a list of ``[sheet, row, col, {"s": text} | {"n": number} | {"d": "YYYY-MM-DD"}]``
with 1-based rows and columns. Text is set as a string cell, numbers as numbers and dates as
date serials with Calc's default date format, as an auditor's typing would leave them.
"""

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid

import uno  # noqa: F401 - installs the UNO import hook
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.util import Date as UnoDate  # noqa: F401 - checks the type library loads

DATE_FORMAT = 2  # com.sun.star.util.NumberFormat.DATE
EPOCH = dt.date(1899, 12, 30)  # Calc's default null date


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe, process):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(240):
        if process.poll() is not None:
            raise SystemExit(f"soffice ended early with {process.returncode}")
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.25)
    raise SystemExit("soffice did not accept a connection within 60 s")


def set_cell(doc, sheet, row, col, value):
    cell = doc.Sheets.getByName(sheet).getCellByPosition(col - 1, row - 1)
    if "s" in value:
        cell.setString(value["s"])
    elif "n" in value:
        cell.setValue(value["n"])
    else:
        day = dt.date.fromisoformat(value["d"])
        cell.setValue((day - EPOCH).days)
        locale = uno.createUnoStruct("com.sun.star.lang.Locale")
        cell.NumberFormat = doc.NumberFormats.getStandardFormat(DATE_FORMAT, locale)


def main(soffice, profile, src, dst, edits_json):
    edits = json.loads(edits_json)
    pipe = f"tokki-{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation={uno.systemPathToFileUrl(os.path.abspath(profile))}",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        context = connect(pipe, process)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (prop("Hidden", True),)
        )
        if doc is None:
            raise SystemExit(f"Calc could not open {src}")
        for sheet, row, col, value in edits:
            set_cell(doc, sheet, row, col, value)
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(dst)),
            (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)),
        )
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge goes away as soffice quits
            desktop.terminate()
    finally:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main(*sys.argv[1:6])
