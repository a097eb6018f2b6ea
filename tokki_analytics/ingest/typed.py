"""Typing: raw grids cut to records under their header, then typed by form.

A part (one sheet or CSV file, :class:`~tokki_analytics.ingest.read.Part`) is cut to its
raw records by :func:`raw_records`; the records of one form, all parts and contractors,
are typed at once by :func:`type_records`, which makes the Q2s of cells that cannot be read
and of required cells left blank. Every record carries its origin (``contractor_id``,
``_source``, ``_sheet``, ``_row``) and ``_invalid``, the form columns of the row that got
a Q2, which the rules that need them must not judge.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from tokki_analytics.forms import Column, Form, Kind
from tokki_analytics.ingest.cells import blank_cells
from tokki_analytics.ingest.dates import LAST_DAY, is_open_end
from tokki_analytics.ingest.defects import defect
from tokki_analytics.ingest.read import (
    HEADER_SEARCH_ROWS,
    Part,
    find_header,
    map_columns,
    unheaded_columns,
)
from tokki_analytics.ingest.values import parse_column

log = logging.getLogger(__name__)

_DTYPES = {
    Kind.ID: "str",
    Kind.TEXT: "str",
    Kind.ENUM: "str",
    Kind.DATE: "datetime64[ns]",
    Kind.DATETIME: "datetime64[ns]",
    Kind.MARK: "boolean",
    Kind.INT: "Int64",
    Kind.LIST: "object",
}


def _raw_text(value: object) -> str:
    """A raw cell as the text a Q2 quotes (and an extra column keeps)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def empty_frame(form: Form) -> pd.DataFrame:
    """A frame with ``form``'s typed columns, origins and flags, and no rows."""
    columns = {
        "contractor_id": pd.Series(dtype="str"),
        "_source": pd.Series(dtype="str"),
        "_sheet": pd.Series(dtype="str"),
        "_row": pd.Series(dtype="int64"),
    }
    for column in form.columns:
        columns[column.key] = pd.Series(dtype=_DTYPES[column.kind])
    if form.owner == "ledger":
        columns["contract_id"] = pd.Series(dtype="str")
    columns["_invalid"] = pd.Series(dtype="str")
    columns["_unknown_contract"] = pd.Series(dtype="bool")
    return pd.DataFrame(columns)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for rows whose cells are all blank.

    Each column is looked at only in the rows still blank in the columns before it (most
    rows have a value in the first).
    """
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = blank_cells(frame[col].to_numpy(dtype=object)[rows])
    return blank


def _missing_column(part: Part, column: Column, why: str, contractor_id: str) -> dict:
    return defect(
        "Q2",
        contractor_id=contractor_id,
        form=part.form.name,
        source=part.source,
        sheet=part.sheet,
        column=column.name,
        detail=why,
    )


#: Raw records of one part: column → object array, every array of the part's length.
RawRecords = dict[str, np.ndarray]


def _repeat(text: str, size: int) -> np.ndarray:
    """An object array of ``size`` references to ``text`` (``np.full`` would copy it in each)."""
    out = np.empty(size, dtype=object)
    out.fill(text)
    return out


def raw_records(part: Part, contractor_id: str) -> tuple[RawRecords | None, list[dict], int]:
    """Cut one sheet or CSV file down to its records, cells still raw.

    The header row is found and matched; the cells below it are returned under the
    form's column keys (extra columns under their header text), with the origin columns
    and ``_missing``, the required columns the part lacks. Typing happens later, once per
    form across all parts (:func:`type_records`), which is what keeps millions of log
    rows in hundreds of monthly files fast; a part stays plain arrays until then (a
    DataFrame per part would cost more than reading the file).

    Args:
        part: The raw grid and where it came from.
        contractor_id: The contractor folder's code ("" for the prefecture masters).

    Returns:
        (raw records or None when no header row was found, Q2 records for missing
        required columns, non-blank rows left unplaced for want of a header row).
    """
    form, grid = part.form, part.grid
    header = find_header(grid, form)
    if header is None:
        unplaced = int((~_blank_rows(grid.cells)).sum())
        why = (
            f"見出し行が見つかりません（先頭{HEADER_SEARCH_ROWS}行に必須列名がありません。"
            f"{unplaced}行を読めません）"
        )
        return None, [_missing_column(part, c, why, contractor_id) for c in form.required], unplaced
    cells = grid.cells.to_numpy(dtype=object)  # a grid read here is one array: no copy
    columns, extras = map_columns(cells[header].tolist(), form)
    body = cells[header + 1 :]
    extras.update(unheaded_columns(body, columns | extras))
    size = len(body)
    missing = [c for c in form.required if c.key not in columns]
    for column in form.columns:
        if column.key not in columns and not column.required:
            log.info("%s [%s]: 任意列 %s なし (blank)", part.source, part.sheet, column.name)
    data = {k: body[:, p] for k, p in (columns | extras).items()}
    data.setdefault("contractor_id", _repeat(contractor_id, size))
    data["_source"] = _repeat(part.source, size)
    data["_sheet"] = _repeat(part.sheet, size)
    data["_row"] = grid.rows.to_numpy()[header + 1 :]
    data["_missing"] = _repeat(",".join(c.key for c in missing), size)
    why = "必須列「{}」がありません"
    return data, [_missing_column(part, c, why.format(c.name), contractor_id) for c in missing], 0


_META = ("_source", "_sheet", "_row", "_missing")


def _absent(missing: tuple[np.ndarray, np.ndarray], key: str) -> np.ndarray:
    """Rows whose part lacks the column ``key`` (``missing``: ``_missing`` factorized)."""
    codes, uniques = missing
    lacking = [key in m.split(",") for m in uniques]
    return np.array([*lacking, False], dtype=bool)[codes]  # code -1 (no value): not lacking


def _q2_detail(column: Column, text: str, blank: bool) -> str:
    if blank:
        return f"必須項目「{column.name}」が空欄です"
    if column.allowed:
        allowed = "・".join(column.allowed)
        return f"{column.name}「{text}」は使える値ではありません（使える値: {allowed}）"
    return f"{column.name}「{text}」を読めません"


Fault = tuple[Column, np.ndarray, bool]


def _open_ends(cells: pd.Series, column: Column) -> pd.Series:
    """Cells of an end date with ``9999-12-31`` ("no end") read as open (Column.open_end)."""
    open_end = cells.map(is_open_end).to_numpy(dtype=bool)
    if not open_end.any():
        return cells
    cells = cells.astype(object).copy()
    cells[open_end] = LAST_DAY if column.required else None
    return cells


def _cell_defects(
    form: Form, raw: pd.DataFrame, typed: pd.DataFrame, faults: list[Fault]
) -> list[dict]:
    """Q2 records for the faulty cells: (column, row mask, blank-not-unreadable)."""
    contracts = typed.get("contract_id")
    records = []
    for column, mask, blank in faults:
        rows = raw[mask]
        contract = contracts[mask].tolist() if contracts is not None else [None] * len(rows)
        for cell, who, source, sheet, row, k in zip(
            rows[column.key].tolist() if column.key in rows else [None] * len(rows),
            typed["contractor_id"][mask].tolist(),
            rows["_source"].tolist(),
            rows["_sheet"].tolist(),
            rows["_row"].tolist(),
            contract,
            strict=True,
        ):
            text = _raw_text(cell)
            records.append(
                defect(
                    "Q2",
                    contractor_id="" if pd.isna(who) else who,
                    contract_id="" if k is None or pd.isna(k) else k,
                    form=form.name,
                    source=source,
                    sheet=sheet,
                    row=row,
                    column=column.name,
                    value=text,
                    detail=_q2_detail(column, text, blank),
                )
            )
    return records


def _few_texts(
    values: np.ndarray, change: Callable[[str], str] | None = None
) -> pd.api.extensions.ExtensionArray:
    """Strings of few distinct values (and None) as a ``str`` array, optionally changed.

    What ``.astype("str")`` gives, converting each distinct string once: the rows then
    share their string objects (python storage) or are taken from an array of the
    distinct strings (pyarrow storage) instead of being converted one by one.
    """
    codes, uniques = pd.factorize(values)
    distinct = [change(u) for u in uniques] if change is not None else uniques
    return pd.array(distinct, dtype="str").take(codes, allow_fill=True)


def _stack(parts: list[RawRecords]) -> pd.DataFrame:
    """One object-dtype frame of the parts' records (a column a part lacks is None there)."""
    columns = list(dict.fromkeys(key for part in parts for key in part))
    data = {}
    for key in columns:
        pieces = [
            part[key] if key in part else np.full(len(part["_row"]), None, dtype=object)
            for part in parts
        ]
        data[key] = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    return pd.DataFrame(data, dtype=object, copy=False)


def type_records(form: Form, parts: list[RawRecords]) -> tuple[pd.DataFrame, list[dict]]:
    """Type the raw records of one form, all parts and contractors at once.

    Blank rows are dropped; every other row is kept. A cell that cannot be read, or a
    required cell left blank, becomes NA, is listed in the row's ``_invalid`` and yields
    a Q2. A required column a part lacks was reported once for that part; its rows list
    the column in ``_invalid`` too.

    Args:
        form: The form.
        parts: Raw records from :func:`raw_records`.

    Returns:
        (typed frame with origin columns and flags, Q2 records).
    """
    base = empty_frame(form)
    parts = [p for p in parts if len(p["_row"])]
    if not parts:
        return base, []
    raw = _stack(parts)
    origin = {"contractor_id"} - {c.key for c in form.columns}
    data_columns = [c for c in raw.columns if c not in _META and c not in origin]
    blank = _blank_rows(raw[data_columns])
    if blank.any():
        raw = raw[~blank].reset_index(drop=True)
    typed: dict[str, pd.Series] = {}
    invalid = np.full(len(raw), "", dtype=object)
    missing = pd.factorize(raw["_missing"].to_numpy(dtype=object))
    faults: list[Fault] = []
    for column in form.columns:
        cells = raw[column.key] if column.key in raw else pd.Series(None, index=raw.index)
        if column.open_end:
            cells = _open_ends(cells, column)
        values, bad = parse_column(cells.astype(object), column)
        typed[column.key] = values.astype(_DTYPES[column.kind])
        bad = bad.to_numpy(dtype=bool)
        absent = _absent(missing, column.key)
        faults.append((column, bad, False))
        if column.required:
            blank = values.isna().to_numpy(dtype=bool) & ~bad & ~absent
            faults.append((column, blank, True))
            bad = bad | blank | absent
        if bad.any():
            invalid[bad] += column.key + ","
    frame = pd.DataFrame(typed)
    for key in (*origin, "_source", "_sheet"):
        frame[key] = _few_texts(raw[key].to_numpy(dtype=object))
    frame["_row"] = raw["_row"].astype("int64")
    frame["_invalid"] = _few_texts(invalid, lambda text: text.rstrip(","))
    frame["_unknown_contract"] = False
    if "contract_id" in base and "contract_id" not in frame:
        frame["contract_id"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    extras = [c for c in data_columns if c not in base.columns]
    for label in extras:
        frame[label] = raw[label].map(_raw_text, na_action="ignore").fillna("").astype("str")
    defects = _cell_defects(form, raw, frame, [f for f in faults if f[1].any()])
    return frame[[*base.columns, *extras]], defects


def cut_parts(
    parts: list[Part], contractor_id: str
) -> tuple[dict[str, list[RawRecords]], list[dict], dict[str, int]]:
    """Cut every part to its raw records; group them by form key."""
    grouped: dict[str, list[RawRecords]] = {}
    defects: list[dict] = []
    unplaced: dict[str, int] = {}
    for part in parts:
        frame, part_defects, lost = raw_records(part, contractor_id)
        if frame is not None:
            grouped.setdefault(part.form.key, []).append(frame)
        defects.extend(part_defects)
        if lost:
            unplaced[part.form.key] = unplaced.get(part.form.key, 0) + lost
    return grouped, defects, unplaced
