"""Shards: the contractors of a data folder, read one or several at a time with the masters.

A **shard** is one contractor: its folder (when it has one) read, typed and cross-checked
against the masters (:mod:`tokki_analytics.ingest.masters`), which every shard shares. Every
rule compares a contractor's records with each other and with the masters, so shards are
independent: they can be read in any process, in any order, and put together afterwards
(:func:`tokki_analytics.ingest.submission.assemble`) exactly as one load of the whole
folder would have read them.

:func:`shard_ids` lists the shards in the order a load reads them: the contractor folders
whose code has a contract, then the contractors with a contract but no folder (their Q1s).
A folder whose code has no contract is no shard: its Q3 is one of the masters' defects.

:func:`read_batch` reads several shards at once (a *batch*): pandas' fixed costs (typing
one form, building one view) are then paid once per batch instead of once per contractor.
A batch gives the same records, in the same order, as its shards read one by one and put
together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tokki_analytics.forms import SUBMISSION_FORMS
from tokki_analytics.ingest.checks import flag_unknown_contracts, link_ledger_forms, missing_forms
from tokki_analytics.ingest.defects import defects_frame
from tokki_analytics.ingest.folders import Place, contractor_files
from tokki_analytics.ingest.guard import Limits
from tokki_analytics.ingest.masters import Masters, submitted_frame
from tokki_analytics.ingest.periods import empty_periods, record_periods
from tokki_analytics.ingest.read import read_place
from tokki_analytics.ingest.typed import RawRecords, cut_parts, type_records
from tokki_analytics.rules import note_blocked_rules
from tokki_analytics.strings import python_strings


@dataclass
class ShardLoad:
    """What reading one shard, or a batch of them, gave.

    Attributes:
        shard_id: The shard (a contractor code), or a label of the batch (``C001…C037``).
        ids: The shards read, in order.
        frames: Submission form key → typed frame of the shards' records (the masters'
            forms are in :attr:`Masters.frames`).
        defects: The shards' Q0–Q3 (Q1 included), notes appended, in the order found.
        submitted: (contractor_id, form, usable) of every form the shards' folders hold.
        contractors: The shards' rows of ``Masters.contractors`` (none without a folder).
        ignored: Files and sheets of their folders that are not forms.
        unplaced: Form key → non-blank rows of sheets without a header row.
        file_records: Source file (relative path) → records typed from it, every form.
        periods: Records and dates per contractor and form, every form (:mod:`.periods`).
    """

    shard_id: str
    ids: tuple[str, ...]
    frames: dict[str, pd.DataFrame]
    defects: pd.DataFrame
    submitted: pd.DataFrame
    contractors: pd.DataFrame
    ignored: list[str] = field(default_factory=list)
    unplaced: dict[str, int] = field(default_factory=dict)
    file_records: dict[str, int] = field(default_factory=dict)
    periods: pd.DataFrame = field(default_factory=empty_periods)


def records_per_file(frames: Iterable[pd.DataFrame]) -> dict[str, int]:
    """Source file (``_source``) → records of ``frames`` typed from it."""
    counts: dict[str, int] = {}
    for frame in frames:
        if "_source" in frame.columns and len(frame):
            for source, count in frame["_source"].value_counts(sort=False).items():
                counts[str(source)] = counts.get(str(source), 0) + int(count)
    return counts


def shard_ids(masters: Masters) -> list[str]:
    """Every shard, in the order a load reads them.

    The contractor folders whose code has a contract (folder order), then the contractors
    that have a contract and no folder (委託契約一覧 order).
    """
    contracted = list(dict.fromkeys(masters.contracts["contractor_id"]))
    known = set(contracted)
    with_folder = [code for code in masters.folders if code in known]
    return with_folder + [code for code in contracted if code not in masters.folders]


def batch_label(ids: Sequence[str]) -> str:
    """The shard id of one shard, ``first…last`` of a batch."""
    return ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]}" if ids else ""


@dataclass
class _Found:
    """What the shards' folders gave before typing, in the order read."""

    defects: list[dict] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unplaced: dict[str, int] = field(default_factory=dict)
    submitted: list[tuple[str, str, bool]] = field(default_factory=list)
    grouped: dict[str, list[RawRecords]] = field(default_factory=dict)


def _read_contractor(
    found: _Found, code: str, places: list[Place], root: Path, limits: Limits
) -> None:
    """Read one contractor's folders into ``found``."""
    files, unread = contractor_files(code, places, root)
    parts, place_ignored, place_defects = read_place(files, root, SUBMISSION_FORMS, code, limits)
    found.ignored += place_ignored
    found.defects += unread + place_defects
    part_frames, part_defects, part_unplaced = cut_parts(parts, code)
    found.submitted += sorted({(code, p.form.key, p.form.key in part_frames) for p in parts})
    found.defects += part_defects
    for key, items in part_frames.items():
        found.grouped.setdefault(key, []).extend(items)
    for key, count in part_unplaced.items():
        found.unplaced[key] = found.unplaced.get(key, 0) + count


def typed_forms(
    grouped: dict[str, list[RawRecords]], contracts: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Type every submission form and link it to the contracts (its Q2s and Q3s).

    Rows of unknown contracts are flagged (:func:`flag_unknown_contracts`), take-out and
    copy rows get the contracts of their 台帳番号 (:func:`link_ledger_forms`).

    Args:
        grouped: Form key → raw records (none: an empty frame of the form).
        contracts: The usable contracts.

    Returns:
        (form key → typed frame, the Q2s and Q3s, form by form).
    """
    frames: dict[str, pd.DataFrame] = {}
    defects: list[dict] = []
    for form in SUBMISSION_FORMS:
        frame, cell_defects = type_records(form, grouped.get(form.key, []))
        frames[form.key], q3 = flag_unknown_contracts(frame, form, contracts)
        defects += cell_defects + q3
    return link_ledger_forms(frames), defects


def _noted(masters: Masters, defects: pd.DataFrame, submitted: pd.DataFrame) -> pd.DataFrame:
    """``defects`` with the notes of the rules their forms block (the masters' forms count)."""
    both = pd.concat([masters.defects, defects], ignore_index=True)
    every = pd.concat([masters.submitted, submitted], ignore_index=True)
    noted = note_blocked_rules(both, every, masters.contracts)
    return noted.iloc[len(masters.defects) :].reset_index(drop=True)


@python_strings()
def read_batch(masters: Masters, ids: Sequence[str]) -> ShardLoad:
    """Read the shards ``ids`` (a batch; one shard when ``ids`` has one id).

    Each contractor folder is read, every form typed and cross-checked against the
    masters' contracts; the forms a started contract of these contractors needs and
    their folders lack are Q1s.

    Args:
        masters: The data folder's masters.
        ids: Shards of :func:`shard_ids`, in that order.

    Returns:
        What the shards gave.

    Raises:
        ValueError: An id is not a shard of the data folder.
    """
    contracts = masters.contracts
    stray = set(ids) - set(contracts["contractor_id"])
    if stray:
        raise ValueError(f"not shards of {masters.data_dir}: {sorted(stray)}")
    found = _Found()
    for code in ids:
        places = masters.folders.get(code)
        if places:
            _read_contractor(found, code, places, masters.root(code), masters.limits)
    frames, cell_defects = typed_forms(found.grouped, contracts)
    submitted = submitted_frame(found.submitted)
    own = contracts[contracts["contractor_id"].isin(list(ids))]
    records = found.defects + cell_defects + missing_forms(own, submitted, masters.settings.as_of)
    rows = masters.contractors["contractor_id"].isin(list(ids))
    return ShardLoad(
        shard_id=batch_label(ids),
        ids=tuple(ids),
        frames=frames,
        defects=_noted(masters, defects_frame(records), submitted),
        submitted=submitted,
        contractors=masters.contractors[rows].reset_index(drop=True),
        ignored=found.ignored,
        unplaced=found.unplaced,
        file_records=records_per_file(frames.values()),
        periods=record_periods(frames, masters.settings.as_of),
    )
