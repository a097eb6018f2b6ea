"""Writing records as a contractor writes them: cells, sheets, workbooks, CSV files, folders.

Every written record gets ``_origin`` (source, sheet, row) so that the answer key can name the
row a finding points at. Files depend only on their content: workbooks carry fixed dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from tokki_analytics.forms import (
    ACCESS,
    COPIES,
    DISPOSALS,
    HANDOVERS,
    MEDIA_CHECKS,
    STAFF,
    SUBMISSION_FORMS,
    TAKEOUT,
    TRAINING,
    Column,
    Form,
    Kind,
    Need,
    nfkc,
)
from tokki_analytics.ingest.dates import format_date
from tokki_analytics.samples.model import (
    ACCESS_SHEET_MAX,
    AS_OF,
    Contractor,
    Part,
    Raw,
    Record,
    pick,
)
from tokki_analytics.samples.profiles import GROUPS, Profile
from tokki_analytics.samples.vocabulary import fullwidth

if TYPE_CHECKING:  # the types zipfile.ZipFile's methods are declared with
    from _typeshed import SizedBuffer, StrPath

#: Rows of a sheet or CSV file, cells as written (None: an empty cell).
Grid = list[list[object]]
#: Where a record was written: (source, sheet, row or line).
Origin = tuple[str, str, int]

# --- cells and grids --------------------------------------------------------------------------


@dataclass
class Style:
    """What a writer needs: the profile, a random stream for cell styles, dropped columns."""

    profile: Profile
    rng: np.random.Generator
    drop: dict[str, set[str]] = field(default_factory=dict)


def _date_style(style: Style) -> str:
    p = style.profile
    if p.alt_date_style and style.rng.random() < 0.2:
        return p.alt_date_style
    return p.date_style


def _date_cell(value: dt.date, kind: Kind, style: Style, csv_mode: bool) -> object:
    name = _date_style(style)
    if name == "excel" and not csv_mode:
        return value
    day = value.date() if isinstance(value, dt.datetime) else value
    text = format_date(day, "iso" if name == "excel" else name)
    if kind is Kind.DATETIME and isinstance(value, dt.datetime):
        text += f" {value.hour}:{value.minute:02d}"
    return text


def cell(value: object, column: Column, style: Style, csv_mode: bool) -> object:
    """The cell for ``value`` as this contractor writes it (None is an empty cell)."""
    if value is None or isinstance(value, Raw):
        return None if value is None else str(value)
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME) and isinstance(value, dt.date):
        return _date_cell(value, kind, style, csv_mode)
    if kind is Kind.LIST and isinstance(value, list | tuple):
        return style.profile.list_sep.join(value) or None
    if kind is Kind.INT:
        return str(value) if csv_mode else value
    if kind is Kind.ID and style.profile.fullwidth_ids:
        return fullwidth(str(value))
    return value


def _header(form: Form, style: Style) -> list[tuple[Column | None, str]]:
    """The columns written, in order: (form column or None for 備考, header text)."""
    p = style.profile
    dropped = set(style.drop.get(form.key, set()))
    if form is TRAINING and not p.training_contract:
        dropped.add("contract_id")
    cols: list[tuple[Column | None, str]] = [
        (col, col.aliases[0] if p.aliases and col.aliases else col.name)
        for col in form.columns
        if col.key not in dropped
    ]
    if p.shuffle:
        order = np.random.default_rng(sum(map(ord, form.key))).permutation(len(cols))
        cols = [cols[i] for i in order]
    if p.extra:
        cols.insert(len(cols) - 1, (None, "備考"))
    return cols


def _title(form: Form, style: Style, owner: str) -> Grid:
    text = f"{form.name}（令和7年度）　{owner}"
    titles: dict[int, Grid] = {0: [], 1: [[text]], 2: [[text], []], 3: [[], [text], []]}
    return titles[style.profile.title]


_NOTES = ("", "", "", "", "", "確認済", "異動あり", "要確認")


def grid(part: Part, style: Style, owner: str, csv_mode: bool) -> tuple[Grid, list[int]]:
    """Rows to write for ``part`` and, for each record, the index of its row."""
    header = _header(part.form, style)
    rows = _title(part.form, style, owner) + [[text for _, text in header]]
    at = []
    every = style.profile.blank_every
    for i, record in enumerate(part.records):
        at.append(len(rows))
        rows.append(
            [
                cell(record.get(col.key), col, style, csv_mode)
                if col is not None
                else pick(style.rng, _NOTES) or None
                for col, _ in header
            ]
        )
        if every and (i + 1) % every == 0 and i + 1 < len(part.records):
            rows.append([])
    return rows, at


def csv_bytes(rows: Grid, encoding: str) -> tuple[bytes, list[int]]:
    """CSV text of ``rows`` and the line each row starts on (quoted line breaks counted)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    lines, line = [], 1
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        writer.writerow(cells)
        lines.append(line)
        line += 1 + sum(v.count("\n") for v in cells)
    return buf.getvalue().encode(encoding), lines


class _StampedZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one date, so equal content gives equal bytes."""

    stamp = (AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: SizedBuffer | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Add ``data``, dated :attr:`stamp`."""
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            zinfo_or_arcname.compress_type = self.compression
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: StrPath,
        arcname: StrPath | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Add a file's content (openpyxl's write-only sheets), dated :attr:`stamp`."""
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def write_workbook(path: Path, sheets: list[tuple[str, Grid]]) -> None:
    """Write a workbook whose bytes depend only on its content (fixed save time and zip dates)."""
    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.properties.created = wb.properties.modified = dt.datetime.combine(AS_OF, dt.time())
    with _StampedZip(path, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()


def emit(
    parts: list[Part],
    style: Style,
    folder: Path,
    source_prefix: str,
    owner: str,
    memo: Grid | None = None,
) -> None:
    """Write ``parts`` (grouped by file) and set each record's ``_origin``."""
    by_file: dict[str, list[Part]] = {}
    for part in parts:
        by_file.setdefault(part.file, []).append(part)
    folder.mkdir(parents=True, exist_ok=True)
    for file, file_parts in by_file.items():
        source = nfkc(f"{source_prefix}{file}")
        for part in file_parts:
            part.source = source
        if file.endswith(".csv"):
            rows, at = grid(file_parts[0], style, owner, csv_mode=True)
            data, lines = csv_bytes(rows, "utf-8-sig")
            (folder / file).write_bytes(data)
            for record, pos in zip(file_parts[0].records, at, strict=True):
                record["_origin"] = (source, "", lines[pos])
            continue
        sheets = []
        for part in file_parts:
            sheet = part.sheet or ""
            rows, at = grid(part, style, owner, csv_mode=False)
            sheets.append((sheet, rows))
            for record, pos in zip(part.records, at, strict=True):
                record["_origin"] = (source, nfkc(sheet), pos + 1)
        if memo is not None:
            sheets.append(("メモ", memo))
            memo = None
        write_workbook(folder / file, sheets)


# --- a contractor folder ------------------------------------------------------------------------


def form_file(c: Contractor, form: Form) -> tuple[str, str | None]:
    """(file, sheet) a form goes to under this contractor's layout."""
    p = c.profile
    name = STAFF.aliases[0] if form is STAFF and p.aliases else form.name
    if form.key in p.csv_forms:
        return f"{name}.csv", None
    if p.workbook == "single":
        return "提出書類一式.xlsx", name
    if p.workbook == "sheet1":
        return f"{name}.xlsx", "Sheet1"
    if p.workbook == "grouped":
        file = next(f for f, keys in GROUPS.items() if form.key in keys)
        return file, name
    return f"{name}.xlsx", name


def _submitted_forms(c: Contractor) -> list[Form]:
    """Forms this contractor writes: the always-needed ones, and the others with records."""
    forms = []
    for form in SUBMISSION_FORMS:
        if form is ACCESS or form.key in c.omit:
            continue
        if form.need in (Need.ALWAYS,) or c.records.get(form.key):
            forms.append(form)
    return forms


def _takeout_halves(records: list[Record]) -> list[tuple[str, list[Record]]]:
    first = [r for r in records if 4 <= r["taken_at"].month <= 9]
    second = [r for r in records if not 4 <= r["taken_at"].month <= 9]
    return [("持出記録_上期", first), ("持出記録_下期", second)]


def _sorted_records(form: Form, records: list[Record]) -> list[Record]:
    """Logs in time order (plants land among the baseline); other forms as created."""
    date_key = {
        TAKEOUT.key: "taken_at",
        COPIES.key: "at",
        MEDIA_CHECKS.key: "checked_on",
        HANDOVERS.key: "on",
        DISPOSALS.key: "on",
    }.get(form.key)
    if date_key is None:
        return records
    return sorted(records, key=lambda r: (r[date_key], r.get("contract_id") or ""))


def access_in_sheet(c: Contractor) -> bool:
    """Whether the access log goes into a sheet (else CSV files)."""
    return c.profile.access == "sheet" and len(c.access) <= ACCESS_SHEET_MAX


def _parts(c: Contractor) -> list[Part]:
    parts = []
    for form in _submitted_forms(c):
        records = _sorted_records(form, c.records.get(form.key, []))
        file, sheet = form_file(c, form)
        if form is TAKEOUT and c.profile.split_takeout:
            parts += [Part(form, file, s, rs) for s, rs in _takeout_halves(records)]
        else:
            parts.append(Part(form, file, sheet, records))
    if access_in_sheet(c):
        records = c.access.drop(columns="_plant").to_dict("records")
        for record, plant in zip(records, c.access["_plant"].tolist(), strict=True):
            record["at"] = record["at"].to_pydatetime()
            record["_plant"] = plant
        parts.append(Part(ACCESS, *form_file(c, ACCESS), records))
    return parts


_ENCODINGS = {
    "cp932_monthly": ("cp932", "\r\n"),
    "utf8bom_monthly": ("utf-8-sig", "\r\n"),
    "utf8_monthly": ("utf-8", "\n"),
    "utf8_single": ("utf-8", "\n"),
    "sheet": ("utf-8-sig", "\r\n"),
}


def _access_groups(c: Contractor) -> list[tuple[str, np.ndarray]]:
    """(file name, row positions) of each access-log CSV file: monthly, or one file."""
    frame = c.access
    if c.profile.access == "utf8_single":
        return [("入退室記録.csv", np.arange(len(frame)))]
    months = frame["at"].to_numpy().astype("datetime64[M]")
    return [(f"入退室記録_{m}.csv", np.flatnonzero(months == m)) for m in np.unique(months)]


def write_access_csv(c: Contractor, folder: Path, prefix: str) -> dict[int, Origin]:
    """Write the access log as CSV (monthly splits or one file); origins of planted rows.

    Lines are joined as plain text (no cell needs quoting), which is several times faster
    than one ``to_csv`` per month.
    """
    p = c.profile
    encoding, eol = _ENCODINGS[p.access]
    frame = c.access
    pids = frame["person_id"].astype(str)
    if p.fullwidth_ids:
        pids = pids.map({v: fullwidth(v) for v in pids.unique()})
    lines = (
        frame["at"].dt.strftime(p.access_format).to_numpy(dtype=object)
        + ","
        + pids.to_numpy(dtype=object)
        + ","
        + frame["direction"].astype(str).to_numpy(dtype=object)
        + ","
        + frame["room"].astype(str).to_numpy(dtype=object)
    )
    header = ",".join(col.name for col in ACCESS.columns)
    origins: dict[int, Origin] = {}
    plants = frame["_plant"].to_numpy()
    for name, idx in _access_groups(c):
        head = [f"入退室記録（{name[6:-4]}）", header] if p.access_title else [header]
        text = eol.join([*head, *lines[idx].tolist()]) + eol
        (folder / name).write_bytes(text.encode(encoding))
        for pos in np.flatnonzero(plants[idx] >= 0):
            line = len(head) + 1 + int(pos)
            origins[int(plants[idx][pos])] = (nfkc(prefix + name), "", line)
    return origins


_README = (
    "提出書類について\r\n\r\n"
    "・本フォルダは{name}が提出した個人情報取扱特記事項に係る記録です。\r\n"
    "・入退室記録は入退室管理システムから月ごとに出力しています。\r\n"
)
_MEMO: Grid = [
    ["提出時メモ"],
    ["様式は県指定のものを使用しています。"],
    ["不明点は作業責任者まで。"],
]


def _set_access_origins(c: Contractor, parts: list[Part], folder: Path, prefix: str) -> None:
    """Write the access log where it is not in a sheet; give its planted rows their origin."""
    if not access_in_sheet(c):
        origins = write_access_csv(c, folder, prefix)
        for plant, origin in origins.items():
            c.access_extra[plant]["_origin"] = origin
    else:
        sheet_part = parts[-1]
        for record in sheet_part.records:
            if record["_plant"] >= 0:
                c.access_extra[record["_plant"]]["_origin"] = record["_origin"]


def _write_extras(c: Contractor, folder: Path, prefix: str) -> None:
    """Files that are no form: unreadable plants, an Excel lock file, a README."""
    for name, data in c.extra_files.items():
        (folder / name).write_bytes(data)
    if c.profile.workbook == "single":
        lock = f"~${form_file(c, STAFF)[0]}"
        (folder / lock).write_bytes(b"\x0b" + "tanaka".encode("utf-16-le").ljust(160, b"\x20"))
        c.ignored.append(nfkc(prefix + lock))
        c.ignored.append(nfkc(f"{prefix}{form_file(c, STAFF)[0]} [メモ]"))
    if c.profile.readme:
        (folder / "README.txt").write_text(_README.format(name=c.name), encoding="utf-8")
        c.ignored.append(nfkc(prefix + "README.txt"))


def write_contractor(c: Contractor, out: Path) -> None:
    """Write ``c``'s folder under ``out``; set its parts, counts and ignored files."""
    folder = out / c.folder
    prefix = f"{c.folder}/"
    style = Style(c.profile, np.random.default_rng([c.index, 7]), c.drop_columns)
    parts = _parts(c)
    memo = _MEMO if c.profile.workbook == "single" else None
    emit(parts, style, folder, prefix, c.name, memo)
    _set_access_origins(c, parts, folder, prefix)
    _write_extras(c, folder, prefix)
    c.counts = {form.name: 0 for form in SUBMISSION_FORMS}
    for part in parts:
        c.counts[part.form.name] += len(part.records)
    if not access_in_sheet(c):
        c.counts[ACCESS.name] = len(c.access)
    c.parts = parts
