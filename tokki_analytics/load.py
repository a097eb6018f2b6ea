"""Load a prefecture's data folder into typed frames with origins, and submission defects.

``load(data_dir)`` is the first step of every audit. It returns a :class:`Submission`:
one typed frame per form across all contractors, each record carrying its origin
(``contractor_id``, ``_source``, ``_sheet``, ``_row``), and the submission defects
Q0 (unreadable file), Q1 (form not submitted), Q2 (unreadable or missing value) and
Q3 (row of an unknown contract).

Nothing is lost: every non-blank row under a header is a record of its form's frame,
whatever its defects; flags tell the rules which records or cells to leave alone:

- ``_invalid``: the form columns of the row that got a Q2 (comma-separated keys), which
  the rules that need them must not judge;
- ``_unknown_contract``: the row's 契約番号 is not one of its contractor's contracts (Q3).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tokki_analytics import read
from tokki_analytics.errors import InputError
from tokki_analytics.forms import (
    CONTRACTS,
    FORMS_BY_KEY,
    INSPECTIONS,
    LEDGER,
    MASTERS,
    SUBMISSION_FORMS,
    Column,
    Form,
    Kind,
    Need,
)
from tokki_analytics.masking import names_in
from tokki_analytics.rules import FORM_CLAUSES, QUALITY_RULES, note_blocked_rules
from tokki_analytics.settings import Settings, load_settings
from tokki_analytics.values import LAST_DAY, is_blank, is_open_end, parse_column
from tokki_analytics.vocab import expand_clauses

log = logging.getLogger(__name__)

DEFECT_COLUMNS = (
    "rule_id",
    "severity",
    "contractor_id",
    "contract_id",
    "form",
    "source",
    "sheet",
    "row",
    "column",
    "value",
    "detail",
)
SEVERITY = {rule.id: rule.severity for rule in QUALITY_RULES}

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


class DataFolderError(InputError):
    """The path is not a data folder; the message is in Japanese and English."""


@dataclass
class Submission:
    """A loaded data folder.

    Attributes:
        data_dir: The data folder.
        settings: The audit settings in force.
        frames: Form key → typed frame of every record of that form, all contractors.
        defects: Submission defects Q0–Q3, columns :data:`DEFECT_COLUMNS`.
        contractors: One row per contractor folder: contractor_id, folder, known.
        submitted: One row per (contractor_id, form key) present in the folder; the
            prefecture masters present have a blank contractor_id. ``usable`` is True
            when at least one sheet or file of the form has its header row (a form sent
            but never usable counts as submitted for Q1, but its rules are not assessed:
            :mod:`tokki_analytics.assess`).
        ignored: Files and sheets that are not forms (relative paths).
        unplaced_rows: Form key → non-blank rows of sheets whose header was not found
            (each such sheet has its Q2s).
    """

    data_dir: Path
    settings: Settings
    frames: dict[str, pd.DataFrame]
    defects: pd.DataFrame
    contractors: pd.DataFrame
    submitted: pd.DataFrame
    ignored: list[str] = field(default_factory=list)
    unplaced_rows: dict[str, int] = field(default_factory=dict)

    @property
    def contracts(self) -> pd.DataFrame:
        """Usable contracts: first row of each 契約番号, with its id and contractor readable."""
        frame = self.frames[CONTRACTS.key]
        return frame[frame["_usable"]].reset_index(drop=True)

    def rows(self) -> dict[str, int]:
        """Records kept per form key."""
        return {key: len(frame) for key, frame in self.frames.items()}


# --- defects ----------------------------------------------------------------------------


def defects_frame(records: list[dict] | None = None) -> pd.DataFrame:
    """Build a defects frame with the standard columns from ``records``."""
    frame = pd.DataFrame.from_records(records or [], columns=list(DEFECT_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for col in DEFECT_COLUMNS:
        if col != "row":
            frame[col] = frame[col].astype("str").where(frame[col].notna(), "")
    return frame


def _defect(rule_id: str, **values: object) -> dict:
    record = dict.fromkeys(DEFECT_COLUMNS, "")
    record["row"] = None
    record.update(rule_id=rule_id, severity=SEVERITY[rule_id], **values)
    return record


def _raw_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# --- one part: grid -> typed frame ----------------------------------------------------


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
    """True for rows whose cells are all blank."""
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        blank &= is_blank(frame[col]).to_numpy(dtype=bool)
    return blank


def _missing_column(part: read.Part, column: Column, why: str, contractor_id: str) -> dict:
    return _defect(
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


def raw_records(part: read.Part, contractor_id: str) -> tuple[RawRecords | None, list[dict], int]:
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
    header = read.find_header(grid, form)
    if header is None:
        unplaced = int((~_blank_rows(grid.cells)).sum())
        why = (
            f"見出し行が見つかりません（先頭{read.HEADER_SEARCH_ROWS}行に必須列名がありません。"
            f"{unplaced}行を読めません）"
        )
        return None, [_missing_column(part, c, why, contractor_id) for c in form.required], unplaced
    columns, extras = read.map_columns(grid.cells.iloc[header].tolist(), form)
    body = grid.cells.iloc[header + 1 :]
    extras.update(read.unheaded_columns(body, columns | extras))
    size = len(body)
    missing = [c for c in form.required if c.key not in columns]
    for column in form.columns:
        if column.key not in columns and not column.required:
            log.info("%s [%s]: 任意列 %s なし (blank)", part.source, part.sheet, column.name)
    data = {k: body[p].to_numpy(dtype=object) for k, p in (columns | extras).items()}
    data.setdefault("contractor_id", np.full(size, contractor_id, dtype=object))
    data["_source"] = np.full(size, part.source, dtype=object)
    data["_sheet"] = np.full(size, part.sheet, dtype=object)
    data["_row"] = grid.rows.to_numpy()[header + 1 :]
    data["_missing"] = np.full(size, ",".join(c.key for c in missing), dtype=object)
    why = "必須列「{}」がありません"
    return data, [_missing_column(part, c, why.format(c.name), contractor_id) for c in missing], 0


_META = ("_source", "_sheet", "_row", "_missing")


def _absent(missing: pd.Series, key: str) -> np.ndarray:
    """Rows whose part lacks the column ``key``."""
    lacking = [m for m in missing.unique() if key in m.split(",")]
    return missing.isin(lacking).to_numpy(dtype=bool) if lacking else np.zeros(len(missing), bool)


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
                _defect(
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
    return pd.DataFrame(data, dtype=object)


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
    raw = raw[~_blank_rows(raw[data_columns])].reset_index(drop=True)
    typed: dict[str, pd.Series] = {}
    invalid = np.full(len(raw), "", dtype=object)
    faults: list[Fault] = []
    for column in form.columns:
        cells = raw[column.key] if column.key in raw else pd.Series(None, index=raw.index)
        if column.open_end:
            cells = _open_ends(cells, column)
        values, bad = parse_column(cells.astype(object), column)
        typed[column.key] = values.astype(_DTYPES[column.kind])
        bad = bad.to_numpy(dtype=bool)
        absent = _absent(raw["_missing"], column.key)
        faults.append((column, bad, False))
        if column.required:
            blank = values.isna().to_numpy(dtype=bool) & ~bad & ~absent
            faults.append((column, blank, True))
            bad = bad | blank | absent
        if bad.any():
            invalid[bad] += column.key + ","
    frame = pd.DataFrame(typed)
    for key in origin:
        frame[key] = raw[key].astype("str")
    frame["_source"] = raw["_source"].astype("str")
    frame["_sheet"] = raw["_sheet"].astype("str")
    frame["_row"] = raw["_row"].astype("int64")
    frame["_invalid"] = pd.Series(invalid, dtype="str").str.rstrip(",")
    frame["_unknown_contract"] = False
    if "contract_id" in base and "contract_id" not in frame:
        frame["contract_id"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    extras = [c for c in data_columns if c not in base.columns]
    for label in extras:
        frame[label] = raw[label].map(_raw_text, na_action="ignore").fillna("").astype("str")
    defects = _cell_defects(form, raw, frame, [f for f in faults if f[1].any()])
    return frame[[*base.columns, *extras]], defects


# --- folders -----------------------------------------------------------------------------


def _contractor_code(folder_name: str) -> str:
    return read.display_name(folder_name).split("_", 1)[0]


def _unread_defect(
    path: Path, root: Path, contractor_id: str, error: read.UnreadableFile, folder: bool = False
) -> dict:
    """The Q0 of a file or folder that is not read, its reason in Japanese and English."""
    what_ja, what_en = ("フォルダ", "folder") if folder else ("ファイル", "file")
    return _defect(
        "Q0",
        contractor_id=contractor_id,
        source=read.relative(path, root),
        detail=f"{what_ja}を読めません: {error.reason_ja} / cannot read the {what_en}: "
        f"{error.reason_en}",
        value=error.reason_en,
    )


def _skipped_defect(item: read.Skipped, root: Path, contractor_id: str) -> dict:
    """The Q0 of a file or folder that is not read (no permission, a link out, a pipe)."""
    return _unread_defect(item.path, root, contractor_id, item.error, item.folder)


def _read_place(
    files: list[Path], root: Path, forms: tuple[Form, ...], contractor_id: str, limits: read.Limits
) -> tuple[list[read.Part], list[str], list[dict]]:
    """Read the files of one place (the top of the data folder, or a contractor folder)."""
    parts: list[read.Part] = []
    ignored: list[str] = []
    defects: list[dict] = []
    for path in files:
        if read.is_ignored_name(path.name):
            ignored.append(read.relative(path, root))
            continue
        result = read.read_file(path, root, forms, limits)
        if result.error is not None:
            defects.append(_unread_defect(path, root, contractor_id, result.error))
            continue
        parts.extend(result.parts)
        ignored.extend(result.ignored)
    return parts, ignored, defects


def _cut(
    parts: list[read.Part], contractor_id: str
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


# --- masters ---------------------------------------------------------------------------


def _reversed_periods(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Q2 for a contract whose 契約終了日 precedes its 契約開始日; its end is then unreadable.

    Such a period holds no day, so no rule that needs the period judges the contract
    (as with an unreadable end date); the auditor sees the raw dates in the Q2.
    """
    reversed_ = _arr_bool(frame["end_date"] < frame["start_date"])
    if not reversed_.any():
        return frame, []
    frame = frame.copy()
    column = CONTRACTS.column("end_date")
    defects = []
    for row in frame[reversed_].to_dict("records"):
        start, end = f"{row['start_date']:%Y-%m-%d}", f"{row['end_date']:%Y-%m-%d}"
        defects.append(
            _defect(
                "Q2",
                contractor_id=row["contractor_id"] if pd.notna(row["contractor_id"]) else "",
                contract_id=row["contract_id"] if pd.notna(row["contract_id"]) else "",
                form=CONTRACTS.name,
                source=row["_source"],
                sheet=row["_sheet"],
                row=row["_row"],
                column=column.name,
                value=end,
                detail=f"{column.name}「{end}」が契約開始日「{start}」より前です",
            )
        )
    frame.loc[reversed_, "end_date"] = pd.NaT
    invalid = frame.loc[reversed_, "_invalid"]
    frame.loc[reversed_, "_invalid"] = (invalid + ",end_date").str.lstrip(",")
    return frame, defects


def _arr_bool(values: pd.Series) -> np.ndarray:
    return values.fillna(False).to_numpy(dtype=bool)


def _mark_contracts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Flag usable contract rows; a repeated 契約番号 keeps its first row, later ones are Q2."""
    frame, reversed_defects = _reversed_periods(frame)
    frame = frame.copy()
    readable = frame["contract_id"].notna() & frame["contractor_id"].notna()
    repeated = readable & frame["contract_id"].duplicated(keep="first")
    frame["_usable"] = readable & ~repeated
    defects = [
        _contract_defect("Q2", CONTRACTS, row, "が重複しています（先の行を採用）")
        for row in frame[repeated].to_dict("records")
    ]
    return frame, reversed_defects + defects


def _contract_defect(rule_id: str, form: Form, row: dict, problem: str) -> dict:
    """A defect about the 契約番号 cell of a record (``row``: the record as a dict)."""
    return _defect(
        rule_id,
        contractor_id=row["contractor_id"],
        contract_id=row["contract_id"],
        form=form.name,
        source=row["_source"],
        sheet=row["_sheet"],
        row=row["_row"],
        column="契約番号",
        value=row["contract_id"],
        detail=f"契約番号「{row['contract_id']}」{problem}",
    )


def _master_frames(
    root: Path, limits: read.Limits
) -> tuple[dict[str, pd.DataFrame], list[dict], list[str], dict[str, int], list[tuple]]:
    """Read the prefecture masters; also return which are present and usable (contractor "")."""
    files, _, skipped = read.list_place(root, root, recursive=False)
    if not any(_is_contract_list(p) for p in [*files, *(s.path for s in skipped)]):
        raise DataFolderError(
            f"{root} はデータフォルダではありません（委託契約一覧がありません） / "
            f"{root} is not a data folder: no 委託契約一覧 (contract list) found"
        )
    candidates = [p for p in files if _is_submission(p)]
    parts, ignored, defects = _read_place(candidates, root, MASTERS, "", limits)
    defects += [_skipped_defect(item, root, "") for item in skipped if not item.folder]
    grouped, part_defects, unplaced = _cut(parts, "")
    defects += part_defects
    frames = {}
    for form in MASTERS:
        frames[form.key], cell_defects = type_records(form, grouped.get(form.key, []))
        defects += cell_defects
    if CONTRACTS.key not in grouped:
        _no_contract_list(defects)
    contracts, dup_defects = _mark_contracts(frames[CONTRACTS.key])
    frames[CONTRACTS.key] = contracts
    present = sorted({("", part.form.key, part.form.key in grouped) for part in parts})
    return frames, defects + dup_defects, ignored, unplaced, present


def _no_contract_list(defects: list[dict]) -> None:
    """Stop: 委託契約一覧 is there but none of it could be read (no header row, or a Q0).

    Every contractor would otherwise be "unknown" (Q3) and the report would say nothing
    true; the audit cannot start without the contracts.

    Raises:
        DataFolderError: Always, quoting why the contract list could not be read.
    """
    why = [
        f"{d['source']}: {d['detail']}"
        for d in defects
        if d["rule_id"] in ("Q0", "Q2") and (d["form"] == CONTRACTS.name or not d["form"])
    ]
    raise DataFolderError(
        "委託契約一覧を読めないため監査できません / cannot audit: the contract list "
        "委託契約一覧 cannot be read\n" + "\n".join(why[:5])
    )


def _is_submission(path: Path) -> bool:
    return path.suffix.lower() in read.SUBMISSION_SUFFIXES and not read.is_ignored_name(path.name)


def _is_contract_list(path: Path) -> bool:
    stem = read.display_name(path.stem)
    return _is_submission(path) and read.form_for_name(stem, (CONTRACTS,)) is not None


# --- cross-checks: Q3, contract of ledger rows, Q1 -------------------------------------


def flag_unknown_contracts(
    frame: pd.DataFrame, form: Form, contracts: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict]]:
    """Flag rows whose 契約番号 is not a contract of their contractor (Q3)."""
    frame = frame.copy()
    if "contract_id" not in frame or form.owner == "ledger" or not len(frame):
        frame["_unknown_contract"] = False
        return frame, []
    known = pd.MultiIndex.from_frame(contracts[["contractor_id", "contract_id"]])
    pairs = pd.MultiIndex.from_frame(frame[["contractor_id", "contract_id"]].astype(object))
    unknown = frame["contract_id"].notna().to_numpy() & ~pairs.isin(known)
    frame["_unknown_contract"] = unknown
    defects = [
        _contract_defect(
            "Q3", form, row, f"は受託者 {row['contractor_id']} の契約として委託契約一覧にありません"
        )
        for row in frame[unknown].to_dict("records")
    ]
    return frame, defects


def attach_ledger_contracts(frame: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Give take-out and copy rows the 契約番号 of their 台帳番号 (unique per contractor)."""
    usable = ledger[~ledger["_unknown_contract"] & ledger["ledger_id"].notna()]
    lookup = usable.drop_duplicates(["contractor_id", "ledger_id"])[
        ["contractor_id", "ledger_id", "contract_id"]
    ]
    merged = frame.drop(columns="contract_id").merge(
        lookup, on=["contractor_id", "ledger_id"], how="left", sort=False
    )
    return merged[frame.columns]


def inspection_contractors(inspections: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """Give each 検査履歴 row the contractor of its contract (blank when unknown)."""
    owner = contracts.set_index("contract_id")["contractor_id"]
    out = inspections.copy()
    out["contractor_id"] = out["contract_id"].map(owner).astype("str")
    return out


def needed_forms(contract: pd.Series) -> list[Form]:
    """The submission forms ``contract`` needs (FORMS.md, "Which forms a contract needs")."""
    excluded = expand_clauses(contract["excluded_clauses"] or ())
    forms = []
    for form in SUBMISSION_FORMS:
        if form.need is Need.WHEN_ANY:
            continue
        if form.need is Need.ELECTRONIC and contract["handles_electronic"] == "無":
            continue
        if (clauses := FORM_CLAUSES.get(form.key)) and set(clauses) <= excluded:
            continue
        forms.append(form)
    return forms


def missing_forms(contracts: pd.DataFrame, submitted: pd.DataFrame, as_of: dt.date) -> list[dict]:
    """Q1 for every form a started contract needs that its contractor did not submit."""
    have = set(zip(submitted["contractor_id"], submitted["form"], strict=True))
    records = []
    for _, contract in contracts.iterrows():
        start = contract["start_date"]
        if pd.notna(start) and start.date() > as_of:
            continue
        for form in needed_forms(contract):
            if (contract["contractor_id"], form.key) not in have:
                records.append(
                    _defect(
                        "Q1",
                        contractor_id=contract["contractor_id"],
                        contract_id=contract["contract_id"],
                        form=form.name,
                        detail=f"{form.name}が提出されていません（提出なし）",
                    )
                )
    return records


# --- the entry point -------------------------------------------------------------------


def _limits(root: Path, settings: Settings | None) -> read.Limits:
    """The reading limits of ``settings``; default: the data folder's ``settings.toml``."""
    return read.Limits.from_settings(settings or load_settings(root / "settings.toml"))


def read_contracts(data_dir: Path | str, settings: Settings | None = None) -> pd.DataFrame:
    """Read only the usable contracts of 委託契約一覧 (no contractor folder is opened).

    A quick pre-flight for commands that need to know the contractors before a full load.
    ``settings`` gives the reading limits (default: the folder's ``settings.toml``).

    Raises:
        DataFolderError: ``data_dir`` does not exist or holds no 委託契約一覧.
    """
    root = _existing_folder(data_dir)
    frames = _master_frames(root, _limits(root, settings))[0]
    contracts = frames[CONTRACTS.key]
    return contracts[contracts["_usable"]].reset_index(drop=True)


def read_person_names(data_dir: Path | str, settings: Settings | None = None) -> list[str]:
    """Every person name written in the data folder, longest first, for masking outputs.

    Only the forms with a name column (氏名, 承認者, 点検者, 立会者) are read, so the access
    logs (the bulk of a prefecture) are skipped; every contractor folder is read, known or
    not. Names that could not be typed (a Q2 value in a name column) are included as written.
    ``settings`` gives the reading limits (default: the folder's ``settings.toml``).

    Raises:
        DataFolderError: ``data_dir`` does not exist.
    """
    root = _existing_folder(data_dir)
    forms = tuple(f for f in SUBMISSION_FORMS if any(c.personal for c in f.columns))
    limits = _limits(root, settings)
    grouped: dict[str, list[RawRecords]] = {}
    for code, folders in _contractor_dirs(root).items():
        files = _contractor_files(code, folders, root)[0]
        parts = _read_place(files, root, forms, code, limits)[0]
        for key, items in _cut(parts, code)[0].items():
            grouped.setdefault(key, []).extend(items)
    frames: dict[str, pd.DataFrame] = {}
    defects: list[dict] = []
    for form in forms:
        frames[form.key], found = type_records(form, grouped.get(form.key, []))
        defects += found
    return list(names_in(frames, pd.DataFrame.from_records(defects, columns=list(DEFECT_COLUMNS))))


def _existing_folder(data_dir: Path | str) -> Path:
    root = Path(data_dir)
    if not root.is_dir():
        raise DataFolderError(
            f"データフォルダ {root} がありません / data folder {root} does not exist"
        )
    return root


#: A contractor folder to read, or one that cannot be (a link out of the data folder...).
Place = Path | read.Skipped


def _contractor_dirs(root: Path) -> dict[str, list[Place]]:
    """Contractor code → its folders (several when a code has several), in name order."""
    _, folders, skipped = read.list_place(root, root, recursive=False)
    places: list[Place] = [*folders, *(item for item in skipped if item.folder)]
    grouped: dict[str, list[Place]] = {}
    for place in sorted(places, key=lambda p: _place_path(p).name):
        grouped.setdefault(_contractor_code(_place_path(place).name), []).append(place)
    return grouped


def _place_path(place: Place) -> Path:
    return place.path if isinstance(place, read.Skipped) else place


def _contractor_files(code: str, places: list[Place], root: Path) -> tuple[list[Path], list[dict]]:
    """The files of a contractor's folders, and a Q0 for each entry that cannot be read."""
    files: list[Path] = []
    defects: list[dict] = []
    for place in places:
        if isinstance(place, read.Skipped):
            defects.append(_skipped_defect(place, root, code))
            continue
        found, _, skipped = read.list_place(place, root)
        files += found
        defects += [_skipped_defect(item, root, code) for item in skipped]
    return files, defects


def load(
    data_dir: Path | str,
    settings: Settings | None = None,
    contractors: Collection[str] | None = None,
) -> Submission:
    """Load a data folder.

    Args:
        data_dir: The folder holding 委託契約一覧 and one folder per contractor.
        settings: Audit settings; default: ``settings.toml`` of the folder, if any.
        contractors: Read only these contractors' folders (the briefing of one contractor
            in a large prefecture); the masters are always read, and Q1 is checked for these
            contractors only. None reads every folder.

    Returns:
        The submission: typed frames, defects and the accounting of what was read.

    Raises:
        DataFolderError: ``data_dir`` does not exist or holds no 委託契約一覧.
        tokki_analytics.settings.SettingsError: ``settings.toml`` is invalid.
    """
    root = _existing_folder(data_dir)
    if settings is None:
        settings = load_settings(root / "settings.toml")
    limits = read.Limits.from_settings(settings)
    frames, defects, ignored, unplaced, submitted = _master_frames(root, limits)
    contracts = frames[CONTRACTS.key]
    contracts = contracts[contracts["_usable"]]
    known_codes = set(contracts["contractor_id"])

    grouped: dict[str, list[RawRecords]] = {}
    contractor_rows = []
    for code, folders in _contractor_dirs(root).items():
        known = code in known_codes
        contractor_rows.append(
            {
                "contractor_id": code,
                "folder": read.relative(_place_path(folders[0]), root),
                "known": known,
            }
        )
        if not known:
            defects.append(
                _defect(
                    "Q3",
                    contractor_id=code,
                    source=read.relative(_place_path(folders[0]), root),
                    detail=f"受託者コード {code} の契約が委託契約一覧にありません"
                    "（フォルダの中は確認していません）",
                )
            )
            continue
        if contractors is not None and code not in contractors:
            continue
        files, unread = _contractor_files(code, folders, root)
        parts, place_ignored, place_defects = _read_place(
            files, root, SUBMISSION_FORMS, code, limits
        )
        ignored += place_ignored
        defects += unread + place_defects
        part_frames, part_defects, part_unplaced = _cut(parts, code)
        submitted += sorted({(code, p.form.key, p.form.key in part_frames) for p in parts})
        defects += part_defects
        for key, items in part_frames.items():
            grouped.setdefault(key, []).extend(items)
        for key, count in part_unplaced.items():
            unplaced[key] = unplaced.get(key, 0) + count

    for form in SUBMISSION_FORMS:
        frame, cell_defects = type_records(form, grouped.pop(form.key, []))
        frames[form.key], q3 = flag_unknown_contracts(frame, form, contracts)
        defects += cell_defects + q3
    for form in SUBMISSION_FORMS:
        if form.owner == "ledger":
            frames[form.key] = attach_ledger_contracts(frames[form.key], frames[LEDGER.key])
    frames[INSPECTIONS.key], q3 = flag_unknown_contracts(
        inspection_contractors(frames[INSPECTIONS.key], contracts), INSPECTIONS, contracts
    )
    defects += q3
    submitted_frame = pd.DataFrame(submitted, columns=["contractor_id", "form", "usable"])
    submitted_frame = submitted_frame.astype(
        {"contractor_id": "str", "form": "str", "usable": bool}
    )
    if contractors is not None:
        contracts = contracts[contracts["contractor_id"].isin(list(contractors))]
    defects += missing_forms(contracts, submitted_frame, settings.as_of)
    for item in ignored:
        log.info("フォームではないため無視 (ignored, not a form): %s", item)
    return Submission(
        data_dir=root,
        settings=settings,
        frames={key: frames[key] for key in FORMS_BY_KEY},
        defects=sort_defects(
            note_blocked_rules(defects_frame(defects), submitted_frame, contracts)
        ),
        contractors=pd.DataFrame(contractor_rows, columns=["contractor_id", "folder", "known"]),
        submitted=submitted_frame,
        ignored=ignored,
        unplaced_rows=unplaced,
    )


def sort_defects(defects: pd.DataFrame) -> pd.DataFrame:
    """Sort defects as findings are sorted (RULES.md, output contract)."""
    order = ["contractor_id", "contract_id", "rule_id", "source", "sheet", "row", "column"]
    return defects.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)
