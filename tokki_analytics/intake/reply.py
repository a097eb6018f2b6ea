"""Writing the intake check's reply: OUT/差し戻し票.xlsx and OUT/差し戻し票.html.

The reply goes back to the contractor: its own staff's names are shown as its files have
them (nothing is masked), and it holds nothing of any other contractor (the check reads
that contractor's folder alone). Both files are written into a folder of tokki's
(:func:`tokki_analytics.outputs.folders.staged_folder`, kind ``check``): OUT is created when
missing, refused when it holds files tokki did not write, and the previous reply is
replaced at once. The HTML page is self-contained (inline style, no link, no script); every
value is escaped. The workbook's cells are text, never formulas
(:func:`tokki_analytics.render.excel.write_table`).
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from tokki_analytics.intake.check import REPLY_COLUMNS, REPLY_LABELS, SECTIONS, Cover
from tokki_analytics.outputs.files import write_bytes, write_text
from tokki_analytics.outputs.folders import check_out, staged_folder
from tokki_analytics.render.excel import CellStyle, sheet_title, write_table
from tokki_analytics.render.html_parts import page, severity_badge, table
from tokki_analytics.safetext import escape_controls, neutralise

REPLY_XLSX = "差し戻し票.xlsx"
REPLY_HTML = "差し戻し票.html"
#: Rows per section on the HTML page (a browser page with 100,000 rows is unusable; the
#: workbook holds every row).
HTML_ROWS = 2000
#: The entries ``tokki check`` writes into OUT (and replaces on the next check).
CHECK_ENTRIES = (REPLY_XLSX, REPLY_HTML)
#: Sheets of the workbook.
SHEET_COVER, SHEET_ITEMS = "表紙", "訂正事項"
_WRAP = Alignment(wrap_text=True, vertical="top")


def build_reply_workbook(cover: Cover, items: pd.DataFrame) -> Workbook:
    """The reply workbook: 表紙 (the cover text) and 訂正事項 (the reply table).

    A write-only workbook (rows streamed into the file by ``save``, which can be called
    once: 200,000 rows took 60 s and 2 GB held as cells); read it back from the saved file.
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = "tokki-analytics"
    wb.properties.title = "受付時点検結果（差し戻し票）"
    taken: set[str] = set()
    ws = wb.create_sheet(sheet_title(SHEET_COVER, taken))
    ws.column_dimensions["A"].width = 110
    title, wrapped = CellStyle(font=Font(bold=True, size=14)), CellStyle(alignment=_WRAP)
    for number, line in enumerate(cover.lines()):
        style = title if number == 0 else wrapped
        ws.append([style.apply(WriteOnlyCell(ws, neutralise(escape_controls(line))))])
    ws = wb.create_sheet(sheet_title(SHEET_ITEMS, taken))
    write_table(ws, items, REPLY_COLUMNS, labels=REPLY_LABELS, key_row=False)
    return wb


def _cells(items: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    rows = []
    for record in items[columns].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text = "" if value is None or value is pd.NA else str(value)
            if column == "severity" and text:
                cells.append(severity_badge(text))
            else:
                cells.append(html.escape(escape_controls(text)))
        rows.append(cells)
    return rows


def reply_html(cover: Cover, items: pd.DataFrame, generated: str) -> str:
    """The reply as one self-contained HTML page (inline style, escaped text)."""
    lines = [html.escape(escape_controls(line)) for line in cover.lines()]
    body = [f"<h1>{lines[0]}</h1>", *(f"<p>{line}</p>" for line in lines[1:])]
    columns = REPLY_COLUMNS[1:]  # the section is the heading
    header = [html.escape(REPLY_LABELS[c]) for c in columns]
    row_column = {columns.index("row")}
    for section in SECTIONS:
        part = items[items["section"] == section]
        body.append(f"<h2>{html.escape(section)}（{len(part)} 件）</h2>")
        if part.empty:
            body.append('<p class="note">ありません。</p>')
            continue
        if len(part) > HTML_ROWS:
            body.append(
                f'<p class="note">先頭の {HTML_ROWS:,} 件を表示しています。全 {len(part):,} 件は'
                f" {html.escape(REPLY_XLSX)} の「訂正事項」にあります / the first {HTML_ROWS:,}"
                f" of {len(part):,} rows; every row is in {html.escape(REPLY_XLSX)}</p>"
            )
        body.append(table(header, _cells(part.head(HTML_ROWS), columns), numeric=row_column))
    return page(f"差し戻し票 {cover.code} {cover.name}", "\n".join(body), generated)


def check_reply_out(out: Path, data_dir: Path | None = None) -> None:
    """Refuse an output folder ``tokki check`` must not write, before the check runs.

    Raises:
        tokki_analytics.outputs.folders.OutputFolderError: See
            :func:`tokki_analytics.outputs.folders.check_out`.
    """
    check_out(Path(out), "check", data_dir=data_dir, writes=CHECK_ENTRIES)


def write_reply(
    out: Path,
    cover: Cover,
    items: pd.DataFrame,
    *,
    data_dir: Path | None = None,
    group_readable: bool = False,
) -> list[Path]:
    """Write 差し戻し票.xlsx and 差し戻し票.html into ``out``; return their paths.

    Args:
        out: The output folder (created when missing; see the module docstring).
        cover: The cover.
        items: The reply table (:func:`tokki_analytics.intake.check.reply_table`).
        data_dir: The data folder, which ``out`` must not lie in.
        group_readable: Folders 0750 and files 0640 instead of 0700 / 0600.

    Raises:
        tokki_analytics.outputs.folders.OutputFolderError: ``out`` is not tokki's to write.
    """
    out = Path(out)
    buffer = io.BytesIO()
    build_reply_workbook(cover, items).save(buffer)
    generated = f"{cover.checked_at:%Y-%m-%d %H:%M}"
    text = reply_html(cover, items, generated)
    with staged_folder(
        out, "check", data_dir=data_dir, writes=CHECK_ENTRIES, group_readable=group_readable
    ) as work:
        write_bytes(work / REPLY_XLSX, buffer.getvalue(), group_readable)
        write_text(work / REPLY_HTML, text, group_readable)
    return [out / REPLY_XLSX, out / REPLY_HTML]
