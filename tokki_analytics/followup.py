"""Follow-up of findings (指摘対応): each finding's state, carried from run to run.

The auditors keep a record of what they did about each finding: the run's ``followup.xlsx``
(:mod:`tokki_analytics.render.followup_xlsx`), edited in Excel and saved at the top of the
data folder as :data:`~tokki_analytics.forms.FOLLOWUP_FILE` (its columns:
:data:`~tokki_analytics.forms.FOLLOWUP_RECORD`). The next run reads it
(:func:`read_record`), carries every row over to the run's findings by their identity
(:func:`tokki_analytics.history.finding_identities`) and derives what tokki can see on its
own (:func:`carry_over`).

States an auditor sets (状態)
    未対応 (new, the default), 是正指示済 (指示日, 是正期限), 是正報告受領 (報告日),
    是正確認済 (確認日), 対象外（説明受領） (理由 required).

States tokki derives (判定, a column of its own)
    - 解消: the finding is no longer found; its row moves to the closed history, never dropped.
    - 再発: found again after 是正確認済, or after 解消 (its previous 判定); it stays 再発
      while the state is still 未対応.
    - 期限超過: 是正指示済, its 是正期限 before the as-of date, and still found (a received
      report, 是正報告受領, stops the clock).
    - 要確認: a row whose 指摘ID is not a finding identity, or repeats one: kept as written.

Bad edits never stop the run and never lose what the auditors wrote: each gives a
:class:`Problem` naming the sheet and the row, the rest of the row applies, and a value that
cannot be used (a state not in the list, an unreadable date, 対象外 without a reason) is
moved into メモ so that the next workbook still shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tokki_analytics.forms import FOLLOWUP_FILE, FOLLOWUP_RECORD, FOLLOWUP_STATES, header_key
from tokki_analytics.ingest.dates import parse_date_text
from tokki_analytics.ingest.formulas import formula_problems
from tokki_analytics.ingest.guard import UnreadableFile, check_size
from tokki_analytics.ingest.read import default_limits
from tokki_analytics.ingest.sheetreader import read_sheets
from tokki_analytics.safetext import restore_cell


@dataclass(frozen=True)
class State:
    """One state of the follow-up cycle.

    Attributes:
        name: The Japanese label (the cell value).
        en: English label.
        dates: Keys of the date columns the state needs (a missing one is a problem).
        needs_reason: 理由 must be written.
    """

    name: str
    en: str
    dates: tuple[str, ...] = ()
    needs_reason: bool = False


NEW, INSTRUCTED, REPORTED, CONFIRMED, ACCEPTED = FOLLOWUP_STATES
#: States an auditor sets, in the order of the drop-down list.
STATES: tuple[State, ...] = (
    State(NEW, "not yet addressed"),
    State(INSTRUCTED, "correction instructed", ("instructed_on", "due_on")),
    State(REPORTED, "correction report received", ("reported_on",)),
    State(CONFIRMED, "correction confirmed", ("confirmed_on",)),
    State(ACCEPTED, "out of scope (explanation received)", needs_reason=True),
)
STATES_BY_NAME = {state.name: state for state in STATES}
RESOLVED, RECURRED, OVERDUE, UNPLACED = "解消", "再発", "期限超過", "要確認"
#: States tokki derives (判定), with their English labels.
DERIVED: dict[str, str] = {
    RESOLVED: "no longer found",
    RECURRED: "found again after confirmed or resolved",
    OVERDUE: "correction deadline passed, still found",
    UNPLACED: "finding id not recognised: row kept as written",
}
#: Columns of the record (the form's keys), then where a row was read.
RECORD_COLUMNS = [column.key for column in FOLLOWUP_RECORD.columns]
DATE_COLUMNS = [column.key for column in FOLLOWUP_RECORD.columns if column.kind == "date"]
LABELS = {column.key: column.name for column in FOLLOWUP_RECORD.columns}
#: The sheets of the follow-up workbook.
SHEET_GUIDE, SHEET_OPEN, SHEET_CLOSED, SHEET_PROBLEMS = "使い方", "未完了", "完了履歴", "読込結果"
#: A hidden sheet listing every row tokki wrote (指摘ID, sheet, row): a deleted row is noticed.
SHEET_WRITTEN = "指摘ID控え"
#: Labels of the origin cells on the guide sheet (column A label, column B value).
ORIGIN_FOLDER, ORIGIN_AS_OF = "データフォルダ識別子", "基準日"
_ID = re.compile(r"[0-9a-f]{40}")
_STATE_KEYS = {header_key(state.name): state.name for state in STATES}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Problem:
    """A bad edit in the follow-up record (or a workbook of another origin)."""

    sheet: str
    row: int
    ja: str
    en: str

    @property
    def text(self) -> str:
        """Japanese first, then English, with the sheet and row."""
        where_ja = f"シート「{self.sheet}」{self.row}行目" if self.row else f"「{self.sheet}」"
        where_en = f"sheet {self.sheet} row {self.row}" if self.row else f"{self.sheet}"
        return f"{where_ja}: {self.ja} / {where_en}: {self.en}"


@dataclass(frozen=True)
class Record:
    """A follow-up record as read from a workbook.

    Attributes:
        rows: One row per non-blank row of 未完了 and 完了履歴: :data:`RECORD_COLUMNS` as
            written (raw cells), plus ``record_sheet`` and ``record_row``.
        folder: The data folder identifier the workbook was written for ("" if absent).
        as_of: The as-of date of the run that wrote it, if recorded.
        problems: Problems of the workbook itself (a missing sheet or header).
        written: A copy of every row tokki wrote (its hidden sheet :data:`SHEET_WRITTEN`:
            the record columns, ``record_sheet`` and ``record_row`` where it was written);
            empty for a workbook without it.
    """

    rows: pd.DataFrame
    folder: str = ""
    as_of: dt.date | None = None
    problems: tuple[Problem, ...] = ()
    written: tuple[dict, ...] = ()


def empty_record() -> pd.DataFrame:
    """A record without rows (no record file yet)."""
    return pd.DataFrame(columns=[*RECORD_COLUMNS, "record_sheet", "record_row"], dtype=object)


def folder_key(data_dir: Path) -> str:
    """The identifier of a data folder written into the workbook (no path, no name)."""
    text = str(Path(data_dir).expanduser().resolve())
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_date(value: object) -> tuple[dt.date | None, bool]:
    """A date cell as a date: (the date or None, whether the cell was readable).

    Dates, datetimes, Excel serial numbers and every text form FORMS.md accepts are read;
    a blank cell is (None, True).
    """
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, True
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None, True
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), True
        return None, False
    text = _text(value)
    if not text:
        return None, True
    day = parse_date_text(text)
    return day, day is not None


def _note(memo: str, note: str) -> str:
    return f"{memo}\n{note}" if memo else note


def _clean_row(raw: pd.Series, problems: list[Problem]) -> dict[str, object]:
    """One record row checked: state, dates and reason; unusable values moved into メモ."""
    sheet, row = str(raw["record_sheet"]), int(raw["record_row"])
    out: dict[str, object] = {key: _text(raw.get(key)) for key in RECORD_COLUMNS}
    out.update(record_sheet=sheet, record_row=row)
    memo = str(out["memo"])
    state_text = str(out["state"])
    state = _STATE_KEYS.get(header_key(state_text), NEW if not state_text else "")
    if not state:
        problems.append(
            Problem(
                sheet,
                row,
                f"状態「{state_text}」は一覧にありません（未対応として扱い、メモに残しました）",
                f"state {state_text!r} is not in the list (taken as 未対応, kept in メモ)",
            )
        )
        memo, state = _note(memo, f"[tokki] 状態「{state_text}」"), NEW
    for key in DATE_COLUMNS:
        day, readable = read_date(raw.get(key))
        if not readable:
            problems.append(
                Problem(
                    sheet,
                    row,
                    f"{LABELS[key]}「{_text(raw.get(key))}」は日付として読めません（メモに残しました）",
                    f"{LABELS[key]} {_text(raw.get(key))!r} is not a date (kept in メモ)",
                )
            )
            memo = _note(memo, f"[tokki] {LABELS[key]}「{_text(raw.get(key))}」")
        out[key] = day
    if STATES_BY_NAME[state].needs_reason and not out["reason"]:
        problems.append(
            Problem(
                sheet,
                row,
                f"{state} には理由が必要です（未対応として扱いました）",
                f"{state} needs a reason (taken as 未対応)",
            )
        )
        memo, state = _note(memo, f"[tokki] 状態「{state}」（理由なし）"), NEW
    missing = [LABELS[key] for key in STATES_BY_NAME[state].dates if out[key] is None]
    if missing:
        problems.append(
            Problem(
                sheet,
                row,
                f"{state} には {'・'.join(missing)} が必要です（状態はそのまま）",
                f"{state} needs {', '.join(missing)} (state kept)",
            )
        )
    out.update(state=state, memo=memo)
    return out


def check_record(record: pd.DataFrame) -> tuple[dict[str, dict], list[dict], list[Problem]]:
    """Check every row of a record.

    Returns:
        (finding id → its cleaned row, rows that cannot be placed (bad or repeated id),
        problems).
    """
    problems: list[Problem] = []
    placed: dict[str, dict] = {}
    unplaced: list[dict] = []
    for _, raw in record.iterrows():
        row = _clean_row(raw, problems)
        fid = str(row["finding_id"]).lower()
        sheet, number = str(row["record_sheet"]), int(str(row["record_row"]))
        if not _ID.fullmatch(fid):
            problems.append(
                Problem(
                    sheet,
                    number,
                    f"指摘ID「{row['finding_id']}」は tokki の指摘IDではありません"
                    "（行は残しました）",
                    f"finding id {row['finding_id']!r} is not a tokki finding id (row kept)",
                )
            )
            unplaced.append({**row, "derived": UNPLACED})
        elif fid in placed:
            first = placed[fid]
            problems.append(
                Problem(
                    sheet,
                    number,
                    f"指摘ID {fid[:12]}… は{first['record_row']}行目"
                    f"（{first['record_sheet']}）と重複しています（行は残しました）",
                    f"finding id {fid[:12]}… repeats row {first['record_row']} of "
                    f"{first['record_sheet']} (row kept)",
                )
            )
            unplaced.append({**row, "derived": UNPLACED})
        else:
            placed[fid] = {**row, "finding_id": fid}
    return placed, unplaced, problems


def _derive(row: dict, previous: str, as_of: dt.date) -> str:
    """判定 of a finding that is found in this run."""
    state = row["state"]
    if state == CONFIRMED or previous == RESOLVED or (previous == RECURRED and state == NEW):
        return RECURRED
    due = row["due_on"]
    if state == INSTRUCTED and isinstance(due, dt.date) and due < as_of:
        return OVERDUE
    return ""


def carry_over(
    previous_record: pd.DataFrame,
    findings: pd.DataFrame,
    identities: pd.Series,
    as_of: dt.date,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Carry a follow-up record over to a run's findings.

    Args:
        previous_record: The record as read (:attr:`Record.rows`; :func:`empty_record`).
        findings: The run's findings (``rule_id``, ``contractor_id``, ``contract_id``,
            ``form``, ``detail``, …).
        identities: Each finding's identity, on the findings' index.
        as_of: The run's as-of date (for 期限超過).

    Returns:
        (open items: every finding of the run, in order, with its state, dates and 判定;
        closed history: every record row whose finding is gone (判定 解消) and every row
        that cannot be placed (要確認); problems). Both frames have
        :data:`RECORD_COLUMNS` plus ``record_sheet`` and ``record_row`` (where the row was
        read; blank for a new finding).
    """
    placed, unplaced, problems = check_record(previous_record)
    blank = {key: None if key in DATE_COLUMNS else "" for key in RECORD_COLUMNS}
    rows: list[dict] = []
    for index, fid in identities.items():
        finding = findings.loc[index]
        row = {**blank, "state": NEW, "record_sheet": "", "record_row": None}
        row.update(placed.get(str(fid), {}))
        previous = str(row["derived"])
        for key in ("contractor_id", "contract_id", "rule_id", "form", "detail"):
            row[key] = _text(finding.get(key))
        row.update(finding_id=str(fid), derived=_derive(row, previous, as_of))
        rows.append(row)
    found = set(identities.astype(str))
    closed = [{**row, "derived": RESOLVED} for fid, row in placed.items() if fid not in found]
    columns = [*RECORD_COLUMNS, "record_sheet", "record_row"]
    open_items = pd.DataFrame(rows, columns=columns).astype(object)
    history = pd.DataFrame(closed + unplaced, columns=columns).astype(object)
    return open_items, history, problems


def check_origin(record: Record, data_dir_key: str, as_of: dt.date) -> list[Problem]:
    """Warnings for a workbook written for another data folder or a later as-of date.

    Such a workbook is still merged (finding identities do not depend on the folder): the
    warning says so, so nothing is applied silently.
    """
    problems = list(record.problems)
    if not record.folder:
        problems.append(
            Problem(
                SHEET_GUIDE,
                0,
                "どのデータフォルダの記録か書かれていません（取り込みました）",
                "the workbook does not say which data folder it is for (merged)",
            )
        )
    elif record.folder != data_dir_key:
        problems.append(
            Problem(
                SHEET_GUIDE,
                0,
                "別のデータフォルダで作成された記録です（指摘IDで照合して取り込みました）",
                "the workbook was written for another data folder (merged by finding id)",
            )
        )
    if record.as_of is not None and record.as_of > as_of:
        problems.append(
            Problem(
                SHEET_GUIDE,
                0,
                f"記録の基準日 {record.as_of} は今回の基準日 {as_of} より後です（取り込みました）",
                f"the workbook's as-of {record.as_of} is after this run's {as_of} (merged)",
            )
        )
    return problems


def _header_map(row: Sequence[object]) -> dict[int, str]:
    keys = {h: column.key for column in FOLLOWUP_RECORD.columns for h in column.headers}
    return {
        i: keys[header_key(_text(v))] for i, v in enumerate(row) if header_key(_text(v)) in keys
    }


def _cell(row: Sequence[object], i: int) -> object:
    """A cell as written: the ``'`` tokki put before formula-like text removed."""
    value = row[i] if i < len(row) else None
    return restore_cell(value) if isinstance(value, str) else value


def _header_row(cells: Sequence[Sequence[object]]) -> tuple[int, dict[int, str]] | None:
    """The header row (the first with 指摘ID among the first 10) and its columns."""
    for top, row in enumerate(cells[:10]):
        columns = _header_map(row)
        if "finding_id" in columns.values():
            return top, columns
    return None


def _sheet_rows(name: str, cells: Sequence[Sequence[object]]) -> tuple[list[dict], list[Problem]]:
    """The non-blank rows under the header row of a sheet."""
    header = _header_row(cells)
    if header is None:
        missing = Problem(name, 0, "見出し「指摘ID」がありません", "no header 指摘ID")
        return [], [missing] if cells else []
    top, columns = header
    rows = []
    for number, row in enumerate(cells[top + 1 :], start=top + 2):
        values = {key: _cell(row, i) for i, key in columns.items()}
        if any(_text(v) for v in values.values()):
            rows.append({**values, "record_sheet": name, "record_row": number})
    return rows, []


def read_record(path: Path) -> Record:
    """Read a follow-up record (the edited ``followup.xlsx``), its sheets 未完了 and 完了履歴.

    Read as the contractors' files are, inside the default reading limits (size, cells,
    unpacked XML, memory, time): a huge or hostile record costs only itself.

    Raises:
        UnreadableFile: Not a workbook, or past a limit (reasons in Japanese and English).
    """
    limits = default_limits()
    check_size(Path(path).stat().st_size, limits)
    wanted = (SHEET_OPEN, SHEET_CLOSED, SHEET_GUIDE, SHEET_WRITTEN)
    _, sheets = read_sheets(Path(path), lambda found: [n for n in found if n in wanted], limits)
    book = {name: [[] for _ in range(first)] + values for name, values, first in sheets}
    rows, problems = [], []
    for name in (SHEET_OPEN, SHEET_CLOSED):
        if name not in book:
            problems.append(Problem(name, 0, "シートがありません", "sheet missing"))
            continue
        found, trouble = _sheet_rows(name, book[name])
        rows += found
        problems += trouble
    formulas = formula_problems(path, (SHEET_OPEN, SHEET_CLOSED), limits)  # read as empty
    problems += [Problem(*item) for item in formulas]
    folder, as_of = "", None
    for line in book.get(SHEET_GUIDE, []):
        label, value = _text(line[0]) if line else "", line[1] if len(line) > 1 else None
        if label == ORIGIN_FOLDER:
            folder = _text(value)
        elif label == ORIGIN_AS_OF:
            as_of = read_date(value)[0]
    written = _written_rows(book.get(SHEET_WRITTEN, []))
    frame = pd.DataFrame(rows, columns=empty_record().columns).astype(object)
    return Record(frame, folder, as_of, tuple(problems), tuple(written))


def _written_rows(cells: Sequence[Sequence[object]]) -> list[dict]:
    """The hidden copy: sheet and row where each row was written, then the record columns."""
    if not cells:
        return []
    columns = _header_map(cells[0])
    rows = []
    for line in cells[1:]:
        values = {key: _cell(line, i) for i, key in columns.items()}
        if len(line) >= 2 and _ID.fullmatch(_text(values.get("finding_id")).lower()):
            rows.append({**values, "record_sheet": _text(line[0]), "record_row": read_int(line[1])})
    return rows


def read_int(value: object) -> int:
    """A row number cell as an int (0 when it is not one)."""
    try:
        return int(float(_text(value)))
    except (ValueError, OverflowError):  # "inf" is a float but no int
        return 0


def restore_deleted(record: Record) -> tuple[Record, list[Problem]]:
    """Rows tokki wrote that the record no longer has, put back from the workbook's copy.

    Each is a problem naming the sheet and row it was written at; the row comes back as
    tokki wrote it (the auditors' earlier states, dates and memos), so nothing is lost.
    """
    present = {_text(fid).lower() for fid in record.rows["finding_id"]}
    gone = [row for row in record.written if _text(row["finding_id"]).lower() not in present]
    problems = [
        Problem(
            str(row["record_sheet"]),
            int(row["record_row"]),
            f"指摘ID {_text(row['finding_id'])[:12]}… の行が削除されています（前回の内容で"
            "復元しました。行は削除せず、状態で対応してください）",
            f"the row of finding id {_text(row['finding_id'])[:12]}… was deleted (restored as "
            "written last time; set its state instead of deleting the row)",
        )
        for row in gone
    ]
    if not gone:
        return record, problems
    restored = pd.DataFrame(gone, columns=record.rows.columns).astype(object)
    rows = pd.concat([record.rows, restored], ignore_index=True).astype(object)
    return dataclasses.replace(record, rows=rows), problems


def follow_up(
    data_dir: Path, findings: pd.DataFrame, identities: pd.Series, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """A run's follow-up: read ``DATA/指摘対応記録.xlsx`` (if any) and carry it over.

    An unreadable record file is a problem, not an error: the run goes on without it and
    the file stays where it is, untouched.

    Returns:
        See :func:`carry_over`; the problems start with those of the workbook itself.
    """
    path = Path(data_dir) / FOLLOWUP_FILE
    record, problems = Record(empty_record()), []
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise UnreadableFile("通常のファイルではありません（リンク・フォルダ・パイプなど）",
                                 "not a regular file (a link, a folder, a pipe…)")  # fmt: skip
        if path.is_file():
            read, restored = restore_deleted(read_record(path))
            problems, record = check_origin(read, folder_key(data_dir), as_of) + restored, read
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is reported
        name = type(error).__name__  # no text of an unknown error: it may hold a path
        ja, en = (getattr(error, f"reason_{lang}", name) for lang in ("ja", "en"))
        ja, en = f"読めません（{ja}）。前回の記録は反映されていません", f"cannot be read ({en})"
        problems.append(Problem(FOLLOWUP_FILE, 0, ja, f"{en}; the record was not applied"))
    open_items, closed, trouble = carry_over(record.rows, findings, identities, as_of)
    return open_items, closed, problems + trouble
