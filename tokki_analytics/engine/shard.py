"""The shard function: masters + contractor folders → typed frames → check views.

A **shard** is one contractor: its folder read with the masters (委託契約一覧, 検査履歴,
the settings), which every shard shares (:class:`Masters`, picklable, read once by
:func:`read_masters`). Every rule compares a contractor's records with each other and with
the masters, so :func:`run_shard` is pure and independent of every other shard: reading,
typing, the cross-checks (Q0–Q3 of that contractor) and every check view happen here and
nowhere else, in whichever process or Spark task runs it. :func:`combine` puts shards
together into what one pass over the whole data folder gives.

Interface (the engines build on it):

- :func:`read_masters` ``(data_dir, settings=None, lean=False) -> Masters``;
- :func:`shard_ids` ``(masters) -> list[str]``: every shard in load order (contractor codes:
  the folders whose code has a contract, then the contractors with a contract but no
  folder, whose Q1s their shard makes; a folder without a contract is a Q3 of the masters);
- :func:`run_shard` ``(masters, shard_id) -> Shard``;
- :func:`run_batch` ``(masters, ids) -> Shard``: several shards at once, in order, as one
  :class:`Shard` (its ``shard_id`` ``first…last``, its ``ids`` the shards). pandas' fixed
  costs (typing a form, building a view: tens of milliseconds each) are then paid once per
  batch instead of once per contractor; an engine runs a few batches per core, not
  thousands of shards. ``run_shard(m, i)`` is ``run_batch(m, [i])``;
- :func:`combine` ``(masters, shards) -> (Submission, views)``: rows in shard order, each
  view's ``_key`` 0…n−1 again.

What a shard keeps: every view, and every typed frame; with ``Masters.lean`` (``tokki
run``), only what validation, findings and the reports read: the frames of the forms with
a name column (:data:`NAME_FORMS`: the masking roster and the contractor pages' names) and
of each view the columns of :func:`view_columns`. Outside ``lean`` the notebooks' briefing
reads every frame and view column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import cast

import numpy as np
import pandas as pd

from tokki_analytics.findings import IDENTITY_COLUMNS
from tokki_analytics.forms import CONTRACTS, FORMS_BY_KEY, INSPECTIONS, SUBMISSION_FORMS
from tokki_analytics.ingest.defects import defect, defects_frame
from tokki_analytics.ingest.masters import Masters, read_masters
from tokki_analytics.ingest.shards import ShardLoad, batch_label, read_batch, shard_ids, typed_forms
from tokki_analytics.ingest.submission import Submission, assemble, concat_rows
from tokki_analytics.rules import VIEWS, View
from tokki_analytics.strings import python_strings

__all__ = [
    "NAME_FORMS",
    "Masters",
    "Shard",
    "combine",
    "lost_shard",
    "read_masters",
    "run_batch",
    "run_shard",
    "shard_ids",
    "view_columns",
]

#: The forms whose frames a lean shard keeps: those with a name column (氏名, 承認者 …),
#: which the outputs mask (``masking.roster``) and the contractor pages name people from.
NAME_FORMS = frozenset(f.key for f in SUBMISSION_FORMS if any(c.personal for c in f.columns))
#: Origin columns of every view (``rules.context``), which findings point with.
ORIGIN_COLUMNS = ("_key", "contractor_id", "contract_id", "_form", "_source", "_sheet", "_row")


@dataclass
class Shard(ShardLoad):
    """One shard, or a batch of shards, read and checked.

    The fields of :class:`~tokki_analytics.ingest.shards.ShardLoad` (``shard_id``, ``ids``,
    ``frames``, ``defects``, ``submitted``, ``contractors``, ``ignored``, ``unplaced``),
    and:

    Attributes:
        views: View name → the check view of the shard's rows (``_key`` 0…n−1).
    """

    views: dict[str, pd.DataFrame] = field(default_factory=dict)


def _batch_submission(masters: Masters, loaded: ShardLoad) -> Submission:
    """The submission the views of a batch are built from.

    The masters' frames hold the batch's contracts and those its rows name (a Q3 row may
    name another contractor's contract; views look its values up as a whole load would),
    and the 検査履歴 rows of those contracts.
    """
    contracts = masters.frames[CONTRACTS.key]
    named: set[str] = set()
    for frame in loaded.frames.values():
        if "contract_id" in frame:
            named.update(frame["contract_id"].dropna().unique())
    rows = contracts["contractor_id"].isin(list(loaded.ids)) | contracts["contract_id"].isin(named)
    kept = contracts[rows].reset_index(drop=True)
    inspections = masters.frames[INSPECTIONS.key]
    ours = inspections["contract_id"].isin(kept["contract_id"].dropna().unique())
    return Submission(
        data_dir=masters.data_dir,
        settings=masters.settings,
        frames={
            CONTRACTS.key: kept,
            INSPECTIONS.key: inspections[ours].reset_index(drop=True),
            **loaded.frames,
        },
        defects=concat_rows([masters.defects, loaded.defects]),
        contractors=loaded.contractors,
        submitted=concat_rows([masters.submitted, loaded.submitted]),
        ignored=loaded.ignored,
        unplaced_rows=loaded.unplaced,
    )


def _renumbered(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["_key"] = np.arange(len(frame), dtype="int64")
    return frame


class _Reads:
    """A view standing in for a frame that notes the columns read from it."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> pd.Series:
        self.read.add(key)
        return self.frame[key]


def view_columns(view: View, frame: pd.DataFrame) -> list[str]:
    """The columns of a built view that validation, findings and the reports read.

    Origins and ``_key``, each rule's judge and checked column, the unit's identifying
    values (``findings.unit_text``) and the columns each rule's detail line reads (found by
    writing the details of no rows). A detail that reads the frame otherwise than by
    column keeps every column.
    """
    wanted = set(ORIGIN_COLUMNS) | set(IDENTITY_COLUMNS) | {"person_id"}
    for rule in view.rules:
        wanted |= {rule.judge, rule.expectation.column}
        probe = _Reads(frame.iloc[:0])
        try:
            rule.detail(cast(pd.DataFrame, probe))
        except (AttributeError, TypeError):
            return list(frame.columns)
        wanted |= probe.read
    return [column for column in frame.columns if column in wanted]


def _views(masters: Masters, loaded: ShardLoad) -> dict[str, pd.DataFrame]:
    """Every check view of a batch, only the batch's rows (contract views hold no other)."""
    sub = _batch_submission(masters, loaded)
    views = {}
    for name, view in VIEWS.items():
        frame = view.build(sub)
        if any(FORMS_BY_KEY[key].is_master for key in view.units):
            frame = _renumbered(frame[frame["contractor_id"].isin(list(loaded.ids))])
        views[name] = frame[view_columns(view, frame)] if masters.lean else frame
    return views


def _shard(masters: Masters, loaded: ShardLoad) -> Shard:
    """``loaded`` with its views, and only the frames a lean shard keeps."""
    views = _views(masters, loaded)
    values = {f.name: getattr(loaded, f.name) for f in fields(ShardLoad)}
    if masters.lean:
        values["frames"] = {k: v for k, v in loaded.frames.items() if k in NAME_FORMS}
    return Shard(**values, views=views)


@python_strings()
def run_batch(masters: Masters, ids: Sequence[str]) -> Shard:
    """Read and check the shards ``ids`` at once (see the module docstring).

    Args:
        masters: The data folder's masters.
        ids: Shards of :func:`shard_ids`, in that order (none: an empty shard, whose
            views have every column and no row).

    Returns:
        The batch: its typed frames, defects and check views.
    """
    return _shard(masters, read_batch(masters, ids))


def run_shard(masters: Masters, shard_id: str) -> Shard:
    """Read one contractor's folder with the masters, type it, cross-check it, build its views.

    Pure: the result depends on the masters and the folder alone, and is picklable.
    """
    return run_batch(masters, [shard_id])


@python_strings()
def lost_shard(masters: Masters, ids: Sequence[str], reason_ja: str, reason_en: str) -> Shard:
    """The shard of contractors whose folder could not be checked at all, each with a Q0.

    Nothing of their folders is read: no records, no Q1 (whether a form was sent is not
    known); their contracts are in the contract view, where every rule needing their forms
    is not assessed.
    """
    folders = masters.contractors.set_index("contractor_id")["folder"]
    records = [
        defect(
            "Q0",
            contractor_id=code,
            source=str(folders.get(code, "")),
            detail=f"受託者フォルダを検査できません: {reason_ja} / cannot check the "
            f"contractor's folder: {reason_en}",
            value=reason_en,
        )
        for code in ids
    ]
    rows = masters.contractors["contractor_id"].isin(list(ids))
    loaded = ShardLoad(
        shard_id=batch_label(ids),
        ids=tuple(ids),
        frames=typed_forms({}, masters.contracts)[0],
        defects=defects_frame(records),
        submitted=masters.submitted.iloc[:0],
        contractors=masters.contractors[rows].reset_index(drop=True),
    )
    return _shard(masters, loaded)


@python_strings()
def combine(
    masters: Masters, shards: Sequence[Shard]
) -> tuple[Submission, dict[str, pd.DataFrame]]:
    """Put shards together: the submission and the check views of the whole data folder.

    Each view's rows follow the shards' order, its ``_key`` numbered 0…n−1 again. The
    shards' views are released as they are put together (``Shard.views`` is emptied).

    Args:
        masters: The data folder's masters.
        shards: Shards or batches of :func:`shard_ids`, in that order.

    Returns:
        (the submission, view name → view).
    """
    submission = assemble(masters, shards)
    parts = list(shards) or [run_batch(masters, [])]
    views = {}
    for name in VIEWS:
        views[name] = _renumbered(concat_rows([shard.views.pop(name) for shard in parts]))
    return submission, views
