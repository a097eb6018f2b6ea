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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tokki_analytics import read
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
    expand_clauses,
    nfkc,
)
from tokki_analytics.settings import Settings, load_settings
from tokki_analytics.values import is_blank, parse_column

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
SEVERITY = {"Q0": "軽微", "Q1": "軽微", "Q2": "軽微", "Q3": "観察"}

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


class DataFolderError(Exception):
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
        submitted: One row per (contractor_id, form key) present in the folder.
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


def _blank_body(body: pd.DataFrame) -> np.ndarray:
    """True for rows whose cells are all blank."""
    blank = np.ones(len(body), dtype=bool)
    for col in body.columns:
        blank &= is_blank(body[col]).to_numpy(dtype=bool)
    return blank


def _cell_defects(
    part: read.Part, column: Column, raw: pd.Series, rows: pd.Series, mask: np.ndarray, kind: str
) -> list[dict]:
    """Q2 records for the cells of ``column`` selected by ``mask``."""
    records = []
    for value, row in zip(raw[mask].tolist(), rows[mask].tolist(), strict=True):
        text = _raw_text(value)
        if kind == "blank":
            detail = f"必須項目「{column.name}」が空欄です"
        elif column.allowed:
            detail = (
                f"{column.name}「{text}」は使える値ではありません"
                f"（使える値: {'・'.join(column.allowed)}）"
            )
        else:
            detail = f"{column.name}「{text}」を読めません"
        records.append(
            _defect(
                "Q2",
                form=part.form.name,
                source=part.source,
                sheet=part.sheet,
                row=row,
                column=column.name,
                value=text,
                detail=detail,
            )
        )
    return records


def _missing_column(part: read.Part, column: Column, why: str) -> dict:
    return _defect(
        "Q2",
        form=part.form.name,
        source=part.source,
        sheet=part.sheet,
        column=column.name,
        detail=why,
    )


def table_from_part(part: read.Part) -> tuple[pd.DataFrame, list[dict], int]:
    """Turn one sheet or CSV file into typed records.

    Args:
        part: The raw grid and where it came from.

    Returns:
        (typed frame with origin columns, Q2 records, non-blank rows that could not be
        placed because no header row was found).
    """
    form, grid = part.form, part.grid
    header = read.find_header(grid, form)
    if header is None:
        body_blank = _blank_body(grid.cells) if len(grid.cells) else np.array([], dtype=bool)
        unplaced = int((~body_blank).sum())
        why = (
            f"見出し行が見つかりません（先頭{read.HEADER_SEARCH_ROWS}行に必須列名がありません。"
            f"{unplaced}行を読めません）"
        )
        return empty_frame(form), [_missing_column(part, c, why) for c in form.required], unplaced
    columns, extras = read.map_columns(grid.cells.iloc[header].tolist(), form)
    body = grid.cells.iloc[header + 1 :]
    keep = ~_blank_body(body)
    body = body[keep].reset_index(drop=True)
    rows = grid.rows.iloc[header + 1 :][keep].reset_index(drop=True)

    data: dict[str, pd.Series] = {}
    invalid = np.full(len(body), "", dtype=object)
    defects: list[dict] = []
    for column in form.columns:
        if column.key not in columns:
            data[column.key] = pd.Series(pd.NA, index=body.index, dtype=_DTYPES[column.kind])
            if column.required:
                defects.append(
                    _missing_column(part, column, f"必須列「{column.name}」がありません")
                )
                invalid += column.key + ","
            else:
                log.info("%s [%s]: 任意列 %s なし (blank)", part.source, part.sheet, column.name)
            continue
        raw = body[columns[column.key]]
        typed, bad = parse_column(raw, column)
        data[column.key] = typed
        bad = bad.to_numpy(dtype=bool)
        missing = typed.isna().to_numpy(dtype=bool) & ~bad if column.required else None
        for mask, kind in ((bad, "bad"), (missing, "blank")):
            if mask is not None and mask.any():
                defects.extend(_cell_defects(part, column, raw, rows, mask, kind))
                invalid[mask] += column.key + ","
    frame = pd.DataFrame(data, index=body.index)
    for label, pos in extras.items():
        frame[label] = body[pos].map(_raw_text).astype("str")
    frame.insert(0, "_row", rows.astype("int64"))
    frame.insert(0, "_sheet", part.sheet)
    frame.insert(0, "_source", part.source)
    frame["_invalid"] = pd.Series(invalid, index=body.index, dtype="str").str.rstrip(",")
    _fill_defect_owners(defects, frame)
    return frame, defects, 0


def _fill_defect_owners(defects: list[dict], frame: pd.DataFrame) -> None:
    """Set the contract (and, in the contract list, the contractor) of each cell defect."""
    for key in ("contract_id", "contractor_id"):
        if key not in frame or not defects:
            continue
        by_row = dict(zip(frame["_row"].tolist(), frame[key].tolist(), strict=True))
        for record in defects:
            value = by_row.get(record["row"])
            record[key] = "" if value is None or pd.isna(value) else value


# --- folders -----------------------------------------------------------------------------


def _contractor_code(folder_name: str) -> str:
    return nfkc(folder_name).split("_", 1)[0]


def _read_place(
    files: list[Path], root: Path, forms: tuple[Form, ...], contractor_id: str
) -> tuple[list[read.Part], list[str], list[dict]]:
    """Read the files of one place (the top of the data folder, or a contractor folder)."""
    parts: list[read.Part] = []
    ignored: list[str] = []
    defects: list[dict] = []
    for path in files:
        if read.is_ignored_name(path.name):
            ignored.append(read.relative(path, root))
            continue
        result = read.read_file(path, root, forms)
        if result.error is not None:
            defects.append(
                _defect(
                    "Q0",
                    contractor_id=contractor_id,
                    source=read.relative(path, root),
                    detail=f"ファイルを読めません: {result.error.reason_ja}",
                    value=result.error.reason_en,
                )
            )
            continue
        parts.extend(result.parts)
        ignored.extend(result.ignored)
    return parts, ignored, defects


def _assemble(
    parts: list[read.Part], contractor_id: str
) -> tuple[dict[str, list[pd.DataFrame]], list[dict], dict[str, int]]:
    """Type every part; group frames by form key."""
    frames: dict[str, list[pd.DataFrame]] = {}
    defects: list[dict] = []
    unplaced: dict[str, int] = {}
    for part in parts:
        frame, part_defects, lost = table_from_part(part)
        if contractor_id or "contractor_id" not in frame:
            frame.insert(0, "contractor_id", contractor_id)
            for record in part_defects:
                record["contractor_id"] = contractor_id
        frames.setdefault(part.form.key, []).append(frame)
        defects.extend(part_defects)
        if lost:
            unplaced[part.form.key] = unplaced.get(part.form.key, 0) + lost
    return frames, defects, unplaced


def _concat(form: Form, frames: list[pd.DataFrame]) -> pd.DataFrame:
    base = empty_frame(form)
    frames = [f for f in frames if len(f)]
    if not frames:
        return base
    out = pd.concat(frames, ignore_index=True)
    for col in base.columns:
        if col not in out:
            fill = False if base[col].dtype == bool else pd.NA
            out[col] = pd.Series(fill, index=out.index, dtype=base[col].dtype)
        elif out[col].dtype != base[col].dtype:
            out[col] = out[col].astype(base[col].dtype)
    extras = [c for c in out.columns if c not in base.columns]
    return out[[*base.columns, *extras]]


# --- masters ---------------------------------------------------------------------------


def _mark_contracts(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Flag usable contract rows; a repeated 契約番号 keeps its first row, later ones are Q2."""
    frame = frame.copy()
    readable = frame["contract_id"].notna() & frame["contractor_id"].notna()
    repeated = readable & frame["contract_id"].duplicated(keep="first")
    frame["_usable"] = readable & ~repeated
    defects = [
        _defect(
            "Q2",
            contractor_id=row["contractor_id"],
            contract_id=row["contract_id"],
            form=CONTRACTS.name,
            source=row["_source"],
            sheet=row["_sheet"],
            row=row["_row"],
            column="契約番号",
            value=row["contract_id"],
            detail=f"契約番号「{row['contract_id']}」が重複しています（先の行を採用）",
        )
        for row in frame[repeated].to_dict("records")
    ]
    return frame, defects


def _master_frames(
    root: Path,
) -> tuple[dict[str, pd.DataFrame], list[dict], list[str], dict[str, int]]:
    files = [p for p in sorted(root.iterdir()) if p.is_file()]
    if not any(read.form_for_name(p.stem, (CONTRACTS,)) for p in files if _is_submission(p)):
        raise DataFolderError(
            f"{root} はデータフォルダではありません（委託契約一覧がありません） / "
            f"{root} is not a data folder: no 委託契約一覧 (contract list) found"
        )
    candidates = [p for p in files if _is_submission(p)]
    parts, ignored, defects = _read_place(candidates, root, MASTERS, "")
    grouped, part_defects, unplaced = _assemble(parts, "")
    defects += part_defects
    frames = {form.key: _concat(form, grouped.get(form.key, [])) for form in MASTERS}
    contracts, dup_defects = _mark_contracts(frames[CONTRACTS.key])
    frames[CONTRACTS.key] = contracts
    return frames, defects + dup_defects, ignored, unplaced


def _is_submission(path: Path) -> bool:
    return path.suffix.lower() in read.SUBMISSION_SUFFIXES and not read.is_ignored_name(path.name)


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
        _defect(
            "Q3",
            contractor_id=row["contractor_id"],
            contract_id=row["contract_id"],
            form=form.name,
            source=row["_source"],
            sheet=row["_sheet"],
            row=row["_row"],
            column="契約番号",
            value=row["contract_id"],
            detail=f"契約番号「{row['contract_id']}」は受託者 {row['contractor_id']} の契約として"
            "委託契約一覧にありません",
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
        if form.clauses and set(form.clauses) <= excluded:
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


def _contractor_dirs(root: Path) -> dict[str, list[Path]]:
    folders: dict[str, list[Path]] = {}
    for path in sorted(root.iterdir()):
        if path.is_dir() and not path.name.startswith("."):
            folders.setdefault(_contractor_code(path.name), []).append(path)
    return folders


def load(data_dir: Path | str, settings: Settings | None = None) -> Submission:
    """Load a data folder.

    Args:
        data_dir: The folder holding 委託契約一覧 and one folder per contractor.
        settings: Audit settings; default: ``settings.toml`` of the folder, if any.

    Returns:
        The submission: typed frames, defects and the accounting of what was read.

    Raises:
        DataFolderError: ``data_dir`` does not exist or holds no 委託契約一覧.
        tokki_analytics.settings.SettingsError: ``settings.toml`` is invalid.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataFolderError(
            f"データフォルダ {root} がありません / data folder {root} does not exist"
        )
    if settings is None:
        settings = load_settings(root / "settings.toml")
    frames, defects, ignored, unplaced = _master_frames(root)
    contracts = frames[CONTRACTS.key]
    contracts = contracts[contracts["_usable"]]
    known_codes = set(contracts["contractor_id"])

    grouped: dict[str, list[pd.DataFrame]] = {}
    submitted: list[tuple[str, str]] = []
    contractor_rows = []
    for code, folders in _contractor_dirs(root).items():
        known = code in known_codes
        contractor_rows.append(
            {"contractor_id": code, "folder": read.relative(folders[0], root), "known": known}
        )
        if not known:
            defects.append(
                _defect(
                    "Q3",
                    contractor_id=code,
                    source=read.relative(folders[0], root),
                    detail=f"受託者コード {code} の契約が委託契約一覧にありません"
                    "（フォルダの中は確認していません）",
                )
            )
            continue
        files = [p for folder in folders for p in read.iter_files(folder)]
        parts, place_ignored, place_defects = _read_place(files, root, SUBMISSION_FORMS, code)
        ignored += place_ignored
        defects += place_defects
        submitted += sorted({(code, part.form.key) for part in parts})
        part_frames, part_defects, part_unplaced = _assemble(parts, code)
        defects += part_defects
        for key, items in part_frames.items():
            grouped.setdefault(key, []).extend(items)
        for key, count in part_unplaced.items():
            unplaced[key] = unplaced.get(key, 0) + count

    for form in SUBMISSION_FORMS:
        frame, q3 = flag_unknown_contracts(
            _concat(form, grouped.get(form.key, [])), form, contracts
        )
        frames[form.key] = frame
        defects += q3
    for form in SUBMISSION_FORMS:
        if form.owner == "ledger":
            frames[form.key] = attach_ledger_contracts(frames[form.key], frames[LEDGER.key])
    frames[INSPECTIONS.key], q3 = flag_unknown_contracts(
        inspection_contractors(frames[INSPECTIONS.key], contracts), INSPECTIONS, contracts
    )
    defects += q3
    submitted_frame = pd.DataFrame(submitted, columns=["contractor_id", "form"], dtype="str")
    defects += missing_forms(contracts, submitted_frame, settings.as_of)
    for item in ignored:
        log.info("フォームではないため無視 (ignored, not a form): %s", item)
    return Submission(
        data_dir=root,
        settings=settings,
        frames={key: frames[key] for key in FORMS_BY_KEY},
        defects=sort_defects(defects_frame(defects)),
        contractors=pd.DataFrame(contractor_rows, columns=["contractor_id", "folder", "known"]),
        submitted=submitted_frame,
        ignored=ignored,
        unplaced_rows=unplaced,
    )


def sort_defects(defects: pd.DataFrame) -> pd.DataFrame:
    """Sort defects as findings are sorted (RULES.md, output contract)."""
    order = ["contractor_id", "contract_id", "rule_id", "source", "sheet", "row", "column"]
    return defects.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)
