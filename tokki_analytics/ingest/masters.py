"""The prefecture's masters: what a load reads once, before any contractor folder.

:func:`read_masters` reads 委託契約一覧 and 検査履歴 at the top of the data folder (typed,
contracts marked, 検査履歴 rows given the contractor of their contract), lists the
contractor folders, and makes the defects that need nothing else: those of the master files
(Q0, Q2, the Q3 of 検査履歴 rows of unknown contracts) and the Q3 of each folder whose code
has no contract (its files are not read). The result, :class:`Masters`, is picklable: it is
broadcast to every shard (:mod:`tokki_analytics.ingest.shards`), in this process or another.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tokki_analytics.errors import InputError
from tokki_analytics.forms import CONTRACTS, INSPECTIONS, MASTERS, RECORD_FILES
from tokki_analytics.ingest.checks import link_inspections, mark_contracts
from tokki_analytics.ingest.defects import defect, defects_frame
from tokki_analytics.ingest.folders import (
    Place,
    contractor_dirs,
    display_name,
    is_contract_list,
    is_submission,
    list_place,
    place_path,
    relative,
    skipped_defect,
)
from tokki_analytics.ingest.guard import Limits
from tokki_analytics.ingest.read import read_place
from tokki_analytics.ingest.typed import cut_parts, type_records
from tokki_analytics.rules import note_blocked_rules
from tokki_analytics.settings import Settings, load_settings
from tokki_analytics.strings import python_strings

#: Columns of ``Submission.contractors`` (one row per contractor folder).
CONTRACTOR_COLUMNS = ["contractor_id", "folder", "known"]


class DataFolderError(InputError):
    """The path is not a data folder; the message is in Japanese and English."""


@dataclass(frozen=True)
class Masters:
    """What every shard of a data folder shares, read once.

    Attributes:
        data_dir: The data folder.
        settings: The audit settings in force.
        frames: Master form key → typed frame: 委託契約一覧 with ``_usable`` marking the rows
            taken as contracts, 検査履歴 with the contractor of each row's contract and its
            ``_unknown_contract`` flags.
        defects: The masters' defects (Q0 and Q2 of the master files, Q3 of 検査履歴 rows
            and of folders whose code has no contract), columns ``DEFECT_COLUMNS``, with
            the notes of :func:`~tokki_analytics.rules.note_blocked_rules`.
        submitted: The master forms present (blank contractor_id, form, usable).
        ignored: Files and sheets at the top of the data folder that are not forms.
        unplaced: Master form key → non-blank rows of sheets whose header was not found.
        contractors: One row per contractor folder (:data:`CONTRACTOR_COLUMNS`), in the
            order the folders are read.
        folders: Contractor code → its folders (several when a code has several; an
            unreadable one as a ``Skipped``), in name order.
        lean: The audit engine's shards keep only what validation, findings and the
            reports read (:mod:`tokki_analytics.engine.shard`); a plain load ignores it.
        roots: Contractor code → the folder its files are named relative to, and which no
            link of its folder may leave, where that is not ``data_dir``: a folder outside
            the data folder checked in place of the contractor's (:func:`with_folder`).
    """

    data_dir: Path
    settings: Settings
    frames: dict[str, pd.DataFrame]
    defects: pd.DataFrame
    submitted: pd.DataFrame
    ignored: list[str]
    unplaced: dict[str, int]
    contractors: pd.DataFrame
    folders: dict[str, list[Place]]
    lean: bool = False
    roots: dict[str, Path] = field(default_factory=dict)

    def root(self, code: str) -> Path:
        """The folder a contractor's files are named relative to (:attr:`roots`)."""
        return self.roots.get(code, self.data_dir)

    @property
    def limits(self) -> Limits:
        """The reading limits of the settings."""
        return Limits.from_settings(self.settings)

    @property
    def contracts(self) -> pd.DataFrame:
        """Usable contracts: first row of each 契約番号, with its id and contractor readable."""
        return usable_contracts(self.frames[CONTRACTS.key])


def usable_contracts(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a marked 委託契約一覧 taken as contracts (``_usable``), index reset."""
    return frame[frame["_usable"]].reset_index(drop=True)


def submitted_frame(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    """``Submission.submitted`` from (contractor_id, form key, usable) tuples."""
    frame = pd.DataFrame(rows, columns=["contractor_id", "form", "usable"])
    return frame.astype({"contractor_id": "str", "form": "str", "usable": bool})


def existing_folder(data_dir: Path | str) -> Path:
    """``data_dir`` as a path, when it is a folder.

    Raises:
        DataFolderError: It does not exist or is not a folder.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataFolderError(
            f"データフォルダ {root} がありません / data folder {root} does not exist"
        )
    return root


def folder_limits(root: Path, settings: Settings | None) -> Limits:
    """The reading limits of ``settings``; default: the data folder's ``settings.toml``."""
    return Limits.from_settings(settings or load_settings(root / "settings.toml"))


def master_frames(
    root: Path, limits: Limits
) -> tuple[dict[str, pd.DataFrame], list[dict], list[str], dict[str, int], list[tuple]]:
    """Read the master files at the top of ``root``, typed; 委託契約一覧 marked.

    Returns:
        (form key → frame, defects, ignored files and sheets, unplaced rows per form, the
        master forms present as (blank contractor_id, form key, usable)).

    Raises:
        DataFolderError: ``root`` holds no 委託契約一覧, or none of it can be read.
    """
    files, _, skipped = list_place(root, root, recursive=False)
    if not any(is_contract_list(p) for p in [*files, *(s.path for s in skipped)]):
        raise DataFolderError(
            f"{root} はデータフォルダではありません（委託契約一覧がありません） / "
            f"{root} is not a data folder: no 委託契約一覧 (contract list) found"
        )
    # the auditors' own records (指摘対応記録.xlsx) are read by their step, not audited
    candidates = [p for p in files if is_submission(p) and p.name not in RECORD_FILES]
    parts, ignored, defects = read_place(candidates, root, MASTERS, "", limits)
    defects += [skipped_defect(item, root, "") for item in skipped if not item.folder]
    grouped, part_defects, unplaced = cut_parts(parts, "")
    defects += part_defects
    frames = {}
    for form in MASTERS:
        frames[form.key], cell_defects = type_records(form, grouped.get(form.key, []))
        defects += cell_defects
    if CONTRACTS.key not in grouped:
        _no_contract_list(defects)
    contracts, dup_defects = mark_contracts(frames[CONTRACTS.key])
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


def _folder_table(
    folders: dict[str, list[Place]], root: Path, known_codes: set[str]
) -> tuple[pd.DataFrame, list[dict]]:
    """One row per contractor folder, and the Q3 of each folder whose code has no contract."""
    rows: list[dict] = []
    defects: list[dict] = []
    for code, places in folders.items():
        folder = relative(place_path(places[0]), root)
        known = code in known_codes
        rows.append({"contractor_id": code, "folder": folder, "known": known})
        if not known:
            defects.append(unknown_folder_defect(code, folder))
    return pd.DataFrame(rows, columns=CONTRACTOR_COLUMNS), defects


def unknown_folder_defect(code: str, folder: str) -> dict:
    """The Q3 of a contractor folder whose code has no contract (nothing in it is read)."""
    return defect(
        "Q3",
        contractor_id=code,
        source=folder,
        detail=f"受託者コード {code} の契約が委託契約一覧にありません"
        "（フォルダの中は確認していません）",
    )


@python_strings()
def read_masters(
    data_dir: Path | str,
    settings: Settings | None = None,
    lean: bool = False,
) -> Masters:
    """Read a data folder's masters and list its contractor folders.

    Args:
        data_dir: The folder holding 委託契約一覧 and one folder per contractor.
        settings: Audit settings; default: ``settings.toml`` of the folder, if any.
        lean: The audit engine's shards keep only what validation, findings and the
            reports read (:attr:`Masters.lean`).

    Returns:
        The masters.

    Raises:
        DataFolderError: ``data_dir`` does not exist or holds no readable 委託契約一覧.
        tokki_analytics.settings.SettingsError: ``settings.toml`` is invalid.
    """
    root = existing_folder(data_dir)
    if settings is None:
        settings = load_settings(root / "settings.toml")
    frames, records, ignored, unplaced, present = master_frames(
        root, Limits.from_settings(settings)
    )
    contracts = usable_contracts(frames[CONTRACTS.key])
    frames[INSPECTIONS.key], inspection_q3 = link_inspections(frames[INSPECTIONS.key], contracts)
    folders = contractor_dirs(root)
    contractors, unknown = _folder_table(folders, root, set(contracts["contractor_id"]))
    submitted = submitted_frame(present)
    defects = defects_frame(records + unknown + inspection_q3)
    return Masters(
        data_dir=root,
        settings=settings,
        frames=frames,
        defects=note_blocked_rules(defects, submitted, contracts),
        submitted=submitted,
        ignored=ignored,
        unplaced=unplaced,
        contractors=contractors,
        folders=folders,
        lean=lean,
    )


def with_folder(masters: Masters, code: str, folder: Path) -> Masters:
    """The masters with ``folder`` as contractor ``code``'s only folder (``tokki check``).

    A folder directly inside the data folder is named as a load names it
    (``C001_名称/file.xlsx``); one outside it is its own root: its files are named relative
    to it and no link may leave it. The contractor's row of :attr:`Masters.contractors`
    names ``folder``. Nothing is read here.

    Args:
        masters: The data folder's masters.
        code: A contractor with a contract in 委託契約一覧.
        folder: The contractor's submission folder, inside the data folder or not.
    """
    whole = Path(os.path.abspath(folder))
    inside = whole.parent.resolve() == masters.data_dir.resolve()
    if inside:
        folder = masters.data_dir / whole.name
    root = masters.data_dir if inside else folder
    name = relative(folder, root) if inside else display_name(folder.name)
    table = masters.contractors[masters.contractors["contractor_id"] != code]
    row = pd.DataFrame([{"contractor_id": code, "folder": name, "known": True}])
    roots = {k: v for k, v in masters.roots.items() if k != code}
    return dataclasses.replace(
        masters,
        folders={**masters.folders, code: [folder]},
        contractors=pd.concat([table, row], ignore_index=True)[CONTRACTOR_COLUMNS],
        roots=roots if inside else {**roots, code: root},
    )


def read_contracts(data_dir: Path | str, settings: Settings | None = None) -> pd.DataFrame:
    """Read only the usable contracts of 委託契約一覧 (no contractor folder is opened).

    A quick pre-flight for commands that need to know the contractors before a full load.
    ``settings`` gives the reading limits (default: the folder's ``settings.toml``).

    Raises:
        DataFolderError: ``data_dir`` does not exist or holds no 委託契約一覧.
    """
    root = existing_folder(data_dir)
    frames = master_frames(root, folder_limits(root, settings))[0]
    return usable_contracts(frames[CONTRACTS.key])
