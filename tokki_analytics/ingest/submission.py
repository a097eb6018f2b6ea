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

A load is the masters (:mod:`~tokki_analytics.ingest.masters`, read once) and the shards,
one per contractor (:mod:`~tokki_analytics.ingest.shards`), put together by
:func:`assemble`: :func:`load` reads every shard in this process; the audit engine
(:mod:`tokki_analytics.engine`) reads them in batches, in several processes, and builds
their check views as it goes, through the same functions.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tokki_analytics.forms import CONTRACTS, FORMS_BY_KEY, SUBMISSION_FORMS, Form
from tokki_analytics.ingest.defects import DEFECT_COLUMNS, sort_defects
from tokki_analytics.ingest.folders import contractor_dirs, contractor_files
from tokki_analytics.ingest.masters import (
    Masters,
    existing_folder,
    folder_limits,
    read_masters,
    usable_contracts,
)
from tokki_analytics.ingest.periods import combine_periods, empty_periods
from tokki_analytics.ingest.read import read_place
from tokki_analytics.ingest.shards import (
    ShardLoad,
    read_batch,
    records_per_file,
    shard_ids,
    typed_forms,
)
from tokki_analytics.ingest.typed import RawRecords, cut_parts, empty_frame, type_records
from tokki_analytics.masking import names_in
from tokki_analytics.settings import Settings
from tokki_analytics.strings import python_strings

log = logging.getLogger(__name__)


@dataclass
class Submission:
    """A loaded data folder.

    Attributes:
        data_dir: The data folder.
        settings: The audit settings in force.
        frames: Form key → typed frame of every record of that form, all contractors (a
            lean audit keeps only the forms its reports read:
            :attr:`~tokki_analytics.ingest.masters.Masters.lean`).
        defects: Submission defects Q0–Q3, columns :data:`DEFECT_COLUMNS`.
        contractors: One row per contractor folder: contractor_id, folder, known.
        submitted: One row per (contractor_id, form key) present in the folder; the
            prefecture masters present have a blank contractor_id. ``usable`` is True
            when at least one sheet or file of the form has its header row (a form sent
            but never usable counts as submitted for Q1, but its rules are not assessed:
            :mod:`tokki_analytics.rules.assess`).
        ignored: Files and sheets that are not forms (relative paths).
        unplaced_rows: Form key → non-blank rows of sheets whose header was not found
            (each such sheet has its Q2s).
        file_records: Source file (path relative to the data folder) → records typed from
            it, every form, before a lean audit drops any (the run's manifest).
        periods: Records, first and last record date per contractor and form, every form,
            before a lean audit drops any (:func:`~tokki_analytics.ingest.periods.record_periods`).
    """

    data_dir: Path
    settings: Settings
    frames: dict[str, pd.DataFrame]
    defects: pd.DataFrame
    contractors: pd.DataFrame
    submitted: pd.DataFrame
    ignored: list[str] = field(default_factory=list)
    unplaced_rows: dict[str, int] = field(default_factory=dict)
    file_records: dict[str, int] = field(default_factory=dict)
    periods: pd.DataFrame = field(default_factory=empty_periods)

    @property
    def contracts(self) -> pd.DataFrame:
        """Usable contracts: first row of each 契約番号, with its id and contractor readable."""
        return usable_contracts(self.frames[CONTRACTS.key])

    def rows(self) -> dict[str, int]:
        """Records kept per form key."""
        return {key: len(frame) for key, frame in self.frames.items()}


# --- putting shards together -----------------------------------------------------------


def concat_rows(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``parts`` one after another, index 0…n−1, columns in order of appearance.

    Empty parts are left out (their dtypes, when a column is blank throughout, may differ
    from those of parts with rows) unless every part is empty.
    """
    full = [p for p in parts if len(p)] or list(parts[:1])
    if len(full) == 1:
        return full[0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True)


def form_rows(form: Form, parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The records of one form from several shards, as one load would have typed them.

    A column that is not the form's (a header kept as written) is blank ("") in the rows
    of shards that lack it.
    """
    frame = concat_rows(parts)
    base = set(empty_frame(form).columns)
    for column in frame.columns:
        if column not in base and frame[column].hasnans:
            frame[column] = frame[column].fillna("").astype("str")
    return frame


def _unplaced(masters: Masters, loads: Sequence[ShardLoad]) -> dict[str, int]:
    counts = dict(masters.unplaced)
    for shard in loads:
        for key, count in shard.unplaced.items():
            counts[key] = counts.get(key, 0) + count
    return counts


def _file_records(masters: Masters, loads: Sequence[ShardLoad]) -> dict[str, int]:
    counts = records_per_file(masters.frames.values())
    for shard in loads:
        for source, count in shard.file_records.items():
            counts[source] = counts.get(source, 0) + count
    return counts


@python_strings()
def assemble(masters: Masters, loads: Sequence[ShardLoad]) -> Submission:
    """Put the masters and the shards read together: the :class:`Submission` of a load.

    Args:
        masters: The data folder's masters.
        loads: Shards or batches read (:func:`~tokki_analytics.ingest.shards.read_batch`), in
            the order of :func:`~tokki_analytics.ingest.shards.shard_ids`.

    Returns:
        The submission: each form's records in shard order, the defects sorted.
    """
    frames = dict(masters.frames)
    if not loads:
        frames |= typed_forms({}, masters.contracts)[0]
    for form in SUBMISSION_FORMS:
        parts = [shard.frames[form.key] for shard in loads if form.key in shard.frames]
        if parts:  # a lean shard keeps some forms only (Masters.lean)
            frames[form.key] = form_rows(form, parts)
    ignored = masters.ignored + [item for shard in loads for item in shard.ignored]
    for item in ignored:
        log.info("フォームではないため無視 (ignored, not a form): %s", item)
    defects = concat_rows([masters.defects, *(shard.defects for shard in loads)])
    return Submission(
        data_dir=masters.data_dir,
        settings=masters.settings,
        frames={key: frames[key] for key in FORMS_BY_KEY if key in frames},
        defects=sort_defects(defects),
        contractors=masters.contractors,
        submitted=concat_rows([masters.submitted, *(shard.submitted for shard in loads)]),
        ignored=ignored,
        unplaced_rows=_unplaced(masters, loads),
        file_records=_file_records(masters, loads),
        periods=combine_periods([shard.periods for shard in loads]),
    )


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
    masters = read_masters(data_dir, settings)
    ids = [i for i in shard_ids(masters) if contractors is None or i in contractors]
    return assemble(masters, [read_batch(masters, ids)] if ids else [])


def read_person_names(data_dir: Path | str, settings: Settings | None = None) -> list[str]:
    """Every person name written in the data folder, longest first, for masking outputs.

    Only the forms with a name column (氏名, 承認者, 点検者, 立会者) are read, so the access
    logs (the bulk of a prefecture) are skipped; every contractor folder is read, known or
    not. Names that could not be typed (a Q2 value in a name column) are included as written.
    ``settings`` gives the reading limits (default: the folder's ``settings.toml``).

    Raises:
        DataFolderError: ``data_dir`` does not exist.
    """
    root = existing_folder(data_dir)
    forms = tuple(f for f in SUBMISSION_FORMS if any(c.personal for c in f.columns))
    limits = folder_limits(root, settings)
    grouped: dict[str, list[RawRecords]] = {}
    for code, folders in contractor_dirs(root).items():
        files = contractor_files(code, folders, root)[0]
        parts = read_place(files, root, forms, code, limits)[0]
        for key, items in cut_parts(parts, code)[0].items():
            grouped.setdefault(key, []).extend(items)
    frames: dict[str, pd.DataFrame] = {}
    defects: list[dict] = []
    for form in forms:
        frames[form.key], found = type_records(form, grouped.get(form.key, []))
        defects += found
    return list(names_in(frames, pd.DataFrame.from_records(defects, columns=list(DEFECT_COLUMNS))))
