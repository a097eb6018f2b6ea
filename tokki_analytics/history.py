"""Run history: a local SQLite store of each run's compliance and its findings' identities.

Every ``tokki run`` (or a notebook calling :func:`record_run`) appends one run to the store;
the report then shows per-contractor trends and the findings that are new or resolved since
the previous run of the same data folder.

Store
    A folder holding one SQLite file, ``history.sqlite3``. The default folder is
    ``~/.local/share/tokki/history`` (:func:`default_store_dir`); ``tokki run --history DIR``
    uses ``DIR`` instead. The folder is created owner-only (0700) and the file with mode 0600.
    Runs are keyed by the *resolved* data folder path, so one store serves several data
    folders and each folder's runs are compared only with its own earlier runs.

What is stored (no person names)
    ``runs``: run id, data folder, run time, as-of date, number of findings.
    ``compliance``: per run × contractor × clause, units checked and failed and the rate
    ``1 − Σfailed / Σchecked`` (assessed clauses only: a clause with no unit is 未評価 and
    has no row).
    ``findings``: per run, each finding's identity and its public columns (rule, clause,
    severity, contractor, contract, form, source, sheet, row, detail), every name of the
    run's forms (氏名, 承認者, 点検者, 立会者, and a raw Q2 value in those columns) replaced
    by ``＊＊`` in each text, file and sheet names included, however it is spaced, cased
    or wide (:class:`tokki_analytics.masking.Masker` with ``whole``).

Finding identity
    A finding is "the same finding" in two runs when its identity is equal. The identity
    rests on content, not on row numbers, so inserting a row above it or re-saving a file
    does not make a finding new::

        sha1(rule_id, contractor_id, contract_id, form, content key, occurrence)

    - *Contract-level rules* (unit ``contract``: C2-1, C7.5-1, P-1): the content key is
      empty, so the identity is rule + contract (a C2-1 whose gap dates change is still the
      same finding).
    - *Row-level rules*: the content key is the ``unit`` the finding carries (see
      :mod:`tokki_analytics.findings`): its view row's identifying values among
      :data:`~tokki_analytics.findings.IDENTITY_COLUMNS` that the view has: 従事者ID, 台帳番号,
      事故番号, 端末番号, 再委託先, 年度, 点検対象, 処理区分, 方向, 開始日 and the event's
      date or datetime. A view with none of them falls back to the detail text, which names
      the values at fault.
    - *Submission defects* Q0–Q3: the file (source) and the detail text, which names the
      column and the raw value.
    - *occurrence*: 0 for the first finding with a given key in the sorted findings, 1 for
      the next, …, so two findings with identical content stay two.

    Only a run's own findings carry their units; findings read back from a run's
    findings.csv (:func:`tokki_analytics.pipeline.open_run`) do not, and have no identity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.errors import InputError
from tokki_analytics.findings import FINDING_COLUMNS, UNIT_COLUMNS, rollup
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import nearest_existing
from tokki_analytics.rules import RULES_BY_ID
from tokki_analytics.safetext import escape_controls

if TYPE_CHECKING:
    from tokki_analytics.pipeline import Audit

DB_NAME = "history.sqlite3"
#: Rules whose unit is a contract: their identity is rule + contract (no content key).
CONTRACT_RULES = frozenset(rule.id for rule in RULES_BY_ID.values() if rule.unit == "contract")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    data_dir TEXT NOT NULL,
    run_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    findings INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS compliance (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    contractor_id TEXT NOT NULL,
    clause TEXT NOT NULL,
    units_checked INTEGER NOT NULL,
    units_failed INTEGER NOT NULL,
    rate REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    identity TEXT NOT NULL,
    rule_id TEXT, clause TEXT, severity TEXT, contractor_id TEXT, contract_id TEXT,
    form TEXT, source TEXT, sheet TEXT, row INTEGER, detail TEXT
);
CREATE TABLE IF NOT EXISTS followup_states (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    identity TEXT NOT NULL,
    contractor_id TEXT,
    state TEXT NOT NULL,
    derived TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS manifests (
    run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),
    sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_folder ON runs (data_dir, run_at);
CREATE INDEX IF NOT EXISTS compliance_by_run ON compliance (run_id);
CREATE INDEX IF NOT EXISTS findings_by_run ON findings (run_id);
"""


#: The columns each table of the store must have (an older or foreign file lacks some).
_COLUMNS = {
    "runs": {"run_id", "data_dir", "run_at", "as_of", "findings"},
    "compliance": {
        "run_id",
        "contractor_id",
        "clause",
        "units_checked",
        "units_failed",
        "rate",
    },
    "findings": {"run_id", "identity", *FINDING_COLUMNS},
}


class HistoryError(InputError):
    """The history store cannot be used: not a folder, not writable, not tokki's database."""


def _store_error(store_dir: Path, why_ja: str, why_en: str) -> HistoryError:
    return HistoryError(
        f"実行履歴の保存先 {store_dir} を使えません（{why_ja}）。--history で別のフォルダを"
        f"指定するか、--no-history で履歴なしで実行してください / cannot use the history "
        f"store {store_dir} ({why_en}); give another folder with --history, or run with "
        "--no-history"
    )


def check_store(store_dir: Path) -> None:
    """Check, before an audit, that a run can be recorded in the history folder.

    The folder (or the nearest folder above it that exists) must be a writable folder; a
    database already there must be a history store of tokki's (every table and column of
    :data:`_SCHEMA`), readable and writable. Nothing is created or changed.

    Raises:
        HistoryError: Saying what is wrong, in Japanese and English.
    """
    store_dir = Path(store_dir).expanduser()
    here = nearest_existing(store_dir)
    if not here.is_dir():
        raise _store_error(store_dir, f"{here} はフォルダではありません", f"{here} is not a folder")
    if not os.access(here, os.W_OK | os.X_OK):
        raise _store_error(store_dir, "書き込む権限がありません", "no permission to write there")
    path = store_dir / DB_NAME
    if not os.path.lexists(path):
        return
    if not path.is_file():
        raise _store_error(
            store_dir, f"{DB_NAME} がファイルではありません", f"{DB_NAME} is not a file"
        )
    if not os.access(path, os.R_OK | os.W_OK):
        raise _store_error(store_dir, f"{DB_NAME} に書き込めません", f"{DB_NAME} is not writable")
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as con:
            have = {
                table: {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
                for table in _COLUMNS
            }
    except sqlite3.Error as exc:
        raise _store_error(
            store_dir,
            f"{DB_NAME} は tokki の履歴データベースとして読めません: {exc}",
            f"{DB_NAME} cannot be read as tokki's history database: {exc}",
        ) from None
    # a table not there yet is created by the run; one that is there must have every column
    missing = sorted(f"{t}.{c}" for t, cols in _COLUMNS.items() if have[t] for c in cols - have[t])
    if missing:
        shown = ", ".join(missing[:8])
        raise _store_error(
            store_dir,
            f"{DB_NAME} は別の形式のデータベースです（ない列: {shown}）",
            f"{DB_NAME} has another layout (missing: {shown})",
        )


def default_store_dir() -> Path:
    """The default history folder, ``~/.local/share/tokki/history``."""
    return Path.home() / ".local" / "share" / "tokki" / "history"


@dataclass
class History:
    """The history of one data folder as of the run just recorded.

    Attributes:
        data_dir: The resolved data folder path the runs are keyed by.
        run_id: The id of the run just recorded.
        previous_run_id: The run before it (same data folder), or None for a first run.
        runs: One row per run of this folder up to this one, oldest first: run_id,
            run_at, as_of, findings.
        compliance: Compliance per run × contractor × clause for those runs: run_id,
            run_at, as_of, contractor_id, clause, units_checked, units_failed, rate.
        new_findings: Findings of this run whose identity the previous run did not have
            (all findings on a first run), FINDING_COLUMNS + identity.
        resolved_findings: Findings of the previous run whose identity this run does not
            have (names in detail replaced by ＊＊), FINDING_COLUMNS + identity.
    """

    data_dir: str
    run_id: int
    previous_run_id: int | None
    runs: pd.DataFrame
    compliance: pd.DataFrame
    new_findings: pd.DataFrame
    resolved_findings: pd.DataFrame

    @property
    def has_earlier_runs(self) -> bool:
        """True when the folder was run before (a trend has two points or more)."""
        return self.previous_run_id is not None

    def trend(self) -> pd.DataFrame:
        """Per run × contractor: the mean of the clause rates and the clauses failed.

        The mean weighs every assessed clause equally, so a clause with thousands of units
        (第3 over access logs) does not hide the others.

        Returns:
            run_id, run_at, as_of, contractor_id, mean_rate, clauses_assessed,
            clauses_failed, units_checked, units_failed; oldest run first.
        """
        frame = self.compliance.assign(failed=self.compliance["units_failed"] > 0)
        out = frame.groupby(["run_id", "run_at", "as_of", "contractor_id"], as_index=False).agg(
            mean_rate=("rate", "mean"),
            clauses_assessed=("clause", "size"),
            clauses_failed=("failed", "sum"),
            units_checked=("units_checked", "sum"),
            units_failed=("units_failed", "sum"),
        )
        return out.sort_values(["run_at", "run_id", "contractor_id"]).reset_index(drop=True)


# --- finding identity ---------------------------------------------------------------


def _column_text(findings: pd.DataFrame, column: str) -> pd.Series:
    values = findings[column]
    return values.astype(object).where(values.notna(), "").astype(str)


def finding_units(findings: pd.DataFrame) -> pd.DataFrame:
    """The content key (and person, where the unit is one) of each finding.

    Read from the unit each finding carries (:data:`tokki_analytics.findings.UNIT_COLUMNS`).

    Args:
        findings: Findings of one run as :func:`tokki_analytics.pipeline.audit` made them;
            any subset works.

    Returns:
        A frame on the findings' index with ``content`` (see the module docstring) and
        ``person_id`` (the 従事者ID of the failing unit, "" where there is none).

    Raises:
        ValueError: The findings do not carry their units (read back from findings.csv).
    """
    missing = [column for column in UNIT_COLUMNS if column not in findings.columns]
    if missing:
        raise ValueError(
            f"findings without their units ({', '.join(missing)}): only a run's own findings, "
            "not those read back from findings.csv, have an identity"
        )
    rule_id = _column_text(findings, "rule_id")
    detail = _column_text(findings, "detail")
    unit = _column_text(findings, "unit")
    content = np.select(
        [
            ~rule_id.isin(RULES_BY_ID).to_numpy(),  # Q0–Q3: the file and the detail
            rule_id.isin(CONTRACT_RULES).to_numpy(),
            (unit != "").to_numpy(),
        ],
        ["source=" + _column_text(findings, "source") + "|" + detail, "", unit],
        default="detail=" + detail,
    )
    return pd.DataFrame(
        {"content": content, "person_id": _column_text(findings, "person_id")},
        index=findings.index,
        dtype=object,
    )


def finding_identities(findings: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.Series:
    """Each finding's identity across runs (sha1 hex; see the module docstring).

    Args:
        findings: Findings of one run, with their units (sorted as the run sorts them).
        units: Their :func:`finding_units`, if already computed.

    Returns:
        A Series of 40-character hex digests on the findings' index.
    """
    if findings.empty:
        return pd.Series([], index=findings.index, dtype=object)
    units = finding_units(findings) if units is None else units.loc[findings.index]
    cols = ["rule_id", "contractor_id", "contract_id", "form"]
    head = findings[cols].astype(object).where(findings[cols].notna(), "").astype(str)
    base = units["content"].astype(str)
    for col in reversed(cols):  # column by column: a row-wise join took 0.5 s per 3,000
        base = head[col] + "\x1f" + base
    occurrence = base.groupby(base, sort=False).cumcount().astype(str)
    return (base + "\x1f#" + occurrence).map(
        lambda text: hashlib.sha1(text.encode("utf-8")).hexdigest()
    )


# --- the store ------------------------------------------------------------------------


def connect_store(store_dir: Path) -> sqlite3.Connection:
    """Open the store's SQLite file; a folder or file created now is owner-only.

    An existing folder or database keeps its permissions: tokki changes the permissions
    only of what it creates.
    """
    store_dir = Path(store_dir).expanduser()
    if not store_dir.is_dir():
        store_dir.mkdir(parents=True, mode=0o700)
        os.chmod(store_dir, 0o700)
    path = store_dir / DB_NAME
    with contextlib.suppress(FileExistsError):
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o600)
        if hasattr(os, "fchmod"):  # not on Windows
            os.fchmod(fd, 0o600)
        os.close(fd)
    con = sqlite3.connect(path)
    con.executescript(_SCHEMA)
    return con


def _compliance_rows(audit: Audit) -> pd.DataFrame:
    comp = audit.compliance
    if comp.empty:
        return pd.DataFrame(columns=["contractor_id", "clause", "units_checked", "units_failed"])
    out = rollup(comp, ["contractor_id", "clause"])
    return out[out["units_checked"] > 0]


def _insert_run(con: sqlite3.Connection, data_dir: str, audit: Audit, run_at: dt.datetime) -> int:
    cur = con.execute(
        "INSERT INTO runs (data_dir, run_at, as_of, findings) VALUES (?, ?, ?, ?)",
        (
            data_dir,
            run_at.isoformat(timespec="seconds"),
            str(audit.settings.as_of),
            len(audit.findings),
        ),
    )
    if cur.lastrowid is None:  # sqlite3 gives the id of every successful INSERT
        raise sqlite3.DatabaseError("the store gave no id for the run")
    run_id = cur.lastrowid
    comp = _compliance_rows(audit)
    con.executemany(
        "INSERT INTO compliance VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                str(r.contractor_id),
                str(r.clause),
                int(r.units_checked),
                int(r.units_failed),
                float(r.rate),
            )
            for r in comp.itertuples(index=False)
        ],
    )
    return run_id


def _insert_findings(con: sqlite3.Connection, run_id: int, audit: Audit, ids: pd.Series) -> None:
    """Store the run's findings (names masked) with their identities ``ids``."""
    findings = Masker.of(audit, whole=True).frame(audit.findings[FINDING_COLUMNS])
    rows = []
    for identity, f in zip(ids, findings.itertuples(index=False), strict=True):
        row = None if pd.isna(f.row) else int(f.row)
        text = [
            ("" if pd.isna(v) else str(v))
            for v in (
                f.rule_id,
                f.clause,
                f.severity,
                f.contractor_id,
                f.contract_id,
                f.form,
                f.source,
                f.sheet,
            )
        ]
        rows.append((run_id, identity, *text, row, str(f.detail)))
    con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _runs(con: sqlite3.Connection, data_dir: str, up_to: int) -> pd.DataFrame:
    runs = pd.read_sql_query(
        "SELECT run_id, run_at, as_of, findings FROM runs WHERE data_dir = ? "
        "ORDER BY run_at, run_id",
        con,
        params=(data_dir,),
    )
    position = int(np.flatnonzero(runs["run_id"].to_numpy() == up_to)[0])
    runs = runs.iloc[: position + 1].reset_index(drop=True)
    runs["run_at"] = pd.to_datetime(runs["run_at"])
    runs["as_of"] = pd.to_datetime(runs["as_of"]).dt.date
    return runs


def _stored_compliance(con: sqlite3.Connection, runs: pd.DataFrame) -> pd.DataFrame:
    ids = ",".join(str(int(i)) for i in runs["run_id"])
    comp = pd.read_sql_query(
        "SELECT run_id, contractor_id, clause, units_checked, units_failed, rate "
        f"FROM compliance WHERE run_id IN ({ids})",  # ids are integers from the store
        con,
    )
    comp = comp.merge(runs[["run_id", "run_at", "as_of"]], on="run_id", how="left")
    order = ["run_id", "run_at", "as_of", "contractor_id", "clause"]
    return comp[[*order, "units_checked", "units_failed", "rate"]]


def _stored_findings(con: sqlite3.Connection, run_id: int) -> pd.DataFrame:
    out = pd.read_sql_query(
        "SELECT identity, rule_id, clause, severity, contractor_id, contract_id, form, "
        "source, sheet, row, detail FROM findings WHERE run_id = ?",
        con,
        params=(run_id,),
    )
    out["row"] = pd.to_numeric(out["row"], errors="coerce").astype("Int64")
    return out[[*FINDING_COLUMNS, "identity"]]


def record_run(
    store_dir: Path,
    audit: Audit,
    run_at: dt.datetime | None = None,
    manifest_sha256: str | None = None,
    states: pd.DataFrame | None = None,
) -> History:
    """Append this run to the history store and compare it with the previous run.

    Args:
        store_dir: The history folder (see :func:`default_store_dir`); created if missing.
        audit: The run to record.
        run_at: When the run happened (default: now).
        manifest_sha256: The SHA-256 of the run's manifest.json (:mod:`tokki_analytics.trail`),
            kept with the run (table ``manifests``).
        states: The run's follow-up states (``finding_id``, ``contractor_id``, ``state``,
            ``derived``: :func:`tokki_analytics.followup.carry_over`'s open items), kept
            per run (table ``followup_states``) for a trend of open and overdue items.

    Returns:
        The data folder's history up to this run, with new and resolved findings versus
        the previous run of the same (resolved) data folder.

    Raises:
        ValueError: The audit's findings do not carry their units (a run reopened from its
            output folder by :func:`tokki_analytics.pipeline.open_run`); nothing is stored.
        HistoryError: The store cannot be used or written.
    """
    ids = finding_identities(audit.findings)  # from the names as written (a hash)
    run_at = run_at or dt.datetime.now().replace(microsecond=0)
    data_dir = escape_controls(str(Path(audit.submission.data_dir).resolve()))
    check_store(store_dir)
    try:
        con = connect_store(Path(store_dir))
        with contextlib.closing(con):
            with con:
                run_id = _insert_run(con, data_dir, audit, run_at)
                _insert_findings(con, run_id, audit, ids)
                if manifest_sha256 is not None:
                    con.execute("INSERT INTO manifests VALUES (?, ?)", (run_id, manifest_sha256))
                if states is not None and len(states):
                    columns = ["finding_id", "contractor_id", "state", "derived"]
                    rows = states[columns].astype(str).itertuples(index=False, name=None)
                    con.executemany(
                        "INSERT INTO followup_states VALUES (?, ?, ?, ?, ?)",
                        ((run_id, *row) for row in rows),
                    )
            runs = _runs(con, data_dir, run_id)
            previous = int(runs["run_id"].iloc[-2]) if len(runs) > 1 else None
            current = _stored_findings(con, run_id)
            before = _stored_findings(con, previous) if previous is not None else current.iloc[:0]
            compliance = _stored_compliance(con, runs)
    except (sqlite3.Error, OSError) as exc:  # read-only, locked, a full disk...
        raise _store_error(
            store_dir, f"記録できません: {exc}", f"cannot record the run: {exc}"
        ) from exc
    findings = audit.findings[FINDING_COLUMNS].assign(identity=ids)
    new = findings[~ids.isin(set(before["identity"]))] if previous is not None else findings
    resolved = before[~before["identity"].isin(set(current["identity"]))]
    return History(
        data_dir=data_dir,
        run_id=run_id,
        previous_run_id=previous,
        runs=runs,
        compliance=compliance,
        new_findings=new.reset_index(drop=True),
        resolved_findings=resolved.reset_index(drop=True),
    )
