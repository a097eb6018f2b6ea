"""The sample prefecture in memory: contractors, contracts, people, records and planted marks.

A *record* is one row of a form, keyed by the form's column keys
(:attr:`tokki_analytics.forms.Column.key`), its values the Python values a writer turns into
cells (dates, datetimes, ints, lists of text, text, None, :class:`Raw`). Two keys of the
generator's own never reach a file: ``_keys`` (the planted failures of the record, see
:func:`mark`) and ``_origin`` (where the writer put it: source, sheet, row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tokki_analytics.forms import Form
from tokki_analytics.samples.profiles import Profile
from tokki_analytics.settings import Settings

#: The audit reference date written to settings.toml: results are reproducible.
AS_OF = dt.date(2026, 1, 31)
#: First day of the access logs (fiscal year 令和7 = 2025).
LOG_START = dt.date(2025, 4, 1)
#: The identifying columns of findings.csv (RULES.md, output contract), in order.
KEY_COLUMNS = ("rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row")
#: Written to settings.toml so that C7.8-1 is assessed.
ALLOWED_SOFTWARE = (
    "Microsoft Office",
    "Microsoft Edge",
    "Microsoft Defender",
    "Adobe Acrobat Reader",
    "7-Zip",
    "業務システム端末ソフト",
)
#: Access-log rows per contractor when ``access_rows`` is not given.
DEFAULT_ACCESS_ROWS = 1500
#: An access log longer than this is written as CSV even where the profile keeps it in a sheet.
ACCESS_SHEET_MAX = 3_000

#: The settings the baseline is clean under (tokki's defaults and :data:`AS_OF`).
DEFAULTS = Settings(as_of=AS_OF)
#: A day after every event (an open end).
FAR = dt.date(2099, 12, 31)
DAY = dt.timedelta(days=1)

#: One row of a form: column key → value (see the module docstring).
Record = dict[str, Any]

T = TypeVar("T")


class Raw(str):
    """A cell written literally that a reader cannot read (a planted Q2 value)."""


@dataclass
class Person:
    """A worker of a contractor.

    Attributes:
        pid: 従事者ID.
        name: 氏名 (姓 名).
        employment: 雇用形態.
        quiet: Never in a log and never a ledger user (plants that must not cascade).
        first_delay: Days from the first 従事開始日 to the first training (default random 0–20).
        skip_fy: Fiscal years with no training at all.
        no_fill_fy: Fiscal years not topped up with an individual training.
    """

    pid: str
    name: str
    employment: str
    quiet: bool = False
    first_delay: int | None = None
    skip_fy: frozenset[int] = frozenset()
    no_fill_fy: frozenset[int] = frozenset()


@dataclass
class Contract:
    """A contract: its row of 委託契約一覧 and how the generator treats it.

    The first attributes are the columns of 委託契約一覧 (:meth:`record`).

    Attributes:
        datasets: The datasets the work handles (ledger names).
        inspect_skip: Fiscal years with no on-site inspection in 検査履歴 (P-1).
        gap_after: Media checks leave a 120-day gap after this day (C7.5-1).
        stop_after: No media check after this day (C7.5-1).
        exact92: Two media checks exactly 92 days apart (a C7.5-1 pass).
    """

    contract_id: str
    contractor_id: str
    contractor_name: str
    department: str
    title: str
    start_date: dt.date
    end_date: dt.date
    record_volume: int
    sensitive: str
    handles_electronic: str
    designated_places: list[str]
    designated_handover_means: list[str]
    excluded_clauses: list[str]
    datasets: tuple[str, ...] = ()
    inspect_skip: set[int] = field(default_factory=set)
    gap_after: dt.date | None = None
    stop_after: dt.date = FAR
    exact92: bool = False

    def record(self) -> Record:
        """The contract's row of 委託契約一覧."""
        return {
            "contract_id": self.contract_id,
            "contractor_id": self.contractor_id,
            "contractor_name": self.contractor_name,
            "department": self.department,
            "title": self.title,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "record_volume": self.record_volume,
            "sensitive": self.sensitive,
            "handles_electronic": self.handles_electronic,
            "designated_places": self.designated_places,
            "designated_handover_means": self.designated_handover_means,
            "excluded_clauses": self.excluded_clauses,
        }

    @property
    def limit(self) -> dt.date:
        """The last day of the contract period that can hold events (as-of at the latest)."""
        return min(self.end_date, AS_OF)

    @property
    def ended(self) -> bool:
        """Whether the contract ended before as-of."""
        return self.end_date < AS_OF

    @property
    def open_end(self) -> dt.date | None:
        """The 従事終了日 of staff who work to the end: the end of an ended contract, else None."""
        return self.end_date if self.ended else None


@dataclass(frozen=True)
class Finding:
    """A planted failure that is no record of a form; exactly one of its places is given.

    Attributes:
        rule_id: The rule it fails.
        contract_id: A contract-level failure (C2-1, C7.5-1, P-1, Q1): the contract.
        form: For a contract-level failure, the form the key names (Q1: the missing form).
        file: A file of the contractor's folder (Q0).
        part_of: A form key: one key row per part of that form (Q2, a missing column).
        folder: The contractor's folder itself (Q3, a code with no contract).
    """

    rule_id: str
    contract_id: str = ""
    form: str = ""
    file: str = ""
    part_of: str = ""
    folder: bool = False


@dataclass
class Part:
    """Records of one form bound for one sheet or CSV file.

    Attributes:
        form: The form.
        file: File name, relative to the contractor folder (or the data folder for masters).
        sheet: Sheet name; None for CSV.
        records: The records, in order.
        source: Once written: the path relative to the data folder (NFKC, ``/``).
    """

    form: Form
    file: str
    sheet: str | None
    records: list[Record]
    source: str = ""


@dataclass
class Contractor:
    """Everything generated for one contractor folder.

    Attributes:
        index: Position (0-based); the code is ``C{index + 1:03d}``.
        code: 受託者コード.
        name: Company name.
        folder: Folder name (code and name).
        profile: The folder's profile.
        known: Whether the code has contracts (False for the last of eight or more).
        rng: The contractor's random stream (every draw of its content, in a fixed order).
        contracts: Its contracts.
        persons: Its workers by 従事者ID.
        records: Records by form key.
        access: The access log (entries and exits, plants among them: ``_plant`` ≥ 0).
        access_extra: Access-log rows added explicitly (plants and pass cases).
        findings: Planted failures that are no record.
        extra_files: Files written as they are (unreadable ones: Q0).
        drop_columns: Columns left out of a form (Q2), by form key.
        omit: Form keys not written at all (Q1).
        master_rows: Rows added to 委託契約一覧 (Q2: a contract listed again).
        active: Per 従事者ID, the spans in which the person is an active notified worker.
        annual: The day of the annual training, by fiscal year.
        pid_prefix: First letter of the contractor's 従事者ID.
        names: Names given so far (no two workers share one).
        employment_cycle: 雇用形態 still to hand out before random ones.
        work_place: 作業場所 of the roster.
        room: The room the ledger's datasets are kept in.
        ledger_seq, device_seq, incident_seq, approval_seq: Last serial numbers given.
        people: 従事者ID of workers a plant adds for a later step, by label.
        planted: Records a plant hands to a later step, by label.
        counts: Records written, by form name (for the manifest).
        ignored: Files and sheets a loader must ignore (for the manifest).
        parts: What was written where (for the key).
    """

    index: int
    code: str
    name: str
    folder: str
    profile: Profile
    known: bool
    rng: np.random.Generator
    contracts: list[Contract] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    records: dict[str, list[Record]] = field(default_factory=dict)
    access: pd.DataFrame = field(default_factory=pd.DataFrame)
    access_extra: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    extra_files: dict[str, bytes] = field(default_factory=dict)
    drop_columns: dict[str, set[str]] = field(default_factory=dict)
    omit: set[str] = field(default_factory=set)
    master_rows: list[Record] = field(default_factory=list)
    active: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)
    annual: dict[int, dt.date] = field(default_factory=dict)
    pid_prefix: str = ""
    names: set[str] = field(default_factory=set)
    employment_cycle: list[str] = field(default_factory=list)
    work_place: str = ""
    room: str = ""
    ledger_seq: int = 0
    device_seq: int = 0
    incident_seq: int = 0
    approval_seq: int = 0
    people: dict[str, str] = field(default_factory=dict)
    planted: dict[str, Record] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def rows(self, form: Form) -> list[Record]:
        """The records of ``form`` (created empty on first use)."""
        return self.records.setdefault(form.key, [])


def rint(rng: np.random.Generator, lo: int, hi: int) -> int:
    """A random integer from ``lo`` to ``hi`` inclusive."""
    return int(rng.integers(lo, hi + 1))


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    """A random item of ``items``."""
    return items[int(rng.integers(len(items)))]


def mark(record: Record, rule_id: str, contractor_id: str, contract_id: str = "") -> Record:
    """Record that ``record`` fails ``rule_id`` (resolved to its row once written)."""
    record.setdefault("_keys", []).append((rule_id, contractor_id, contract_id))
    return record


def contract_finding(c: Contractor, rule_id: str, contract: Contract, form: str = "") -> None:
    """Record that ``contract`` fails the contract-level rule ``rule_id``."""
    c.findings.append(Finding(rule_id, contract_id=contract.contract_id, form=form))
