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

The steps: the masters are read first (:func:`_master_frames`), then each known
contractor's folder (:mod:`~tokki_analytics.ingest.folders`,
:mod:`~tokki_analytics.ingest.read`), its parts cut to raw records and every form typed at
once (:mod:`~tokki_analytics.ingest.typed`), then cross-checked
(:mod:`~tokki_analytics.ingest.checks`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tokki_analytics.errors import InputError
from tokki_analytics.forms import CONTRACTS, FORMS_BY_KEY, MASTERS, SUBMISSION_FORMS
from tokki_analytics.ingest.checks import (
    flag_unknown_contracts,
    link_contracts,
    mark_contracts,
    missing_forms,
)
from tokki_analytics.ingest.defects import DEFECT_COLUMNS, defect, defects_frame, sort_defects
from tokki_analytics.ingest.folders import (
    Place,
    contractor_dirs,
    contractor_files,
    is_contract_list,
    is_submission,
    list_place,
    place_path,
    relative,
    skipped_defect,
)
from tokki_analytics.ingest.guard import Limits
from tokki_analytics.ingest.read import read_place
from tokki_analytics.ingest.typed import RawRecords, cut_parts, type_records
from tokki_analytics.masking import names_in
from tokki_analytics.rules import note_blocked_rules
from tokki_analytics.settings import Settings, load_settings

log = logging.getLogger(__name__)


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
            :mod:`tokki_analytics.rules.assess`).
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


# --- masters ---------------------------------------------------------------------------


def _master_frames(
    root: Path, limits: Limits
) -> tuple[dict[str, pd.DataFrame], list[dict], list[str], dict[str, int], list[tuple]]:
    """Read the prefecture masters; also return which are present and usable (contractor "")."""
    files, _, skipped = list_place(root, root, recursive=False)
    if not any(is_contract_list(p) for p in [*files, *(s.path for s in skipped)]):
        raise DataFolderError(
            f"{root} はデータフォルダではありません（委託契約一覧がありません） / "
            f"{root} is not a data folder: no 委託契約一覧 (contract list) found"
        )
    candidates = [p for p in files if is_submission(p)]
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


# --- partial reads ---------------------------------------------------------------------


def _limits(root: Path, settings: Settings | None) -> Limits:
    """The reading limits of ``settings``; default: the data folder's ``settings.toml``."""
    return Limits.from_settings(settings or load_settings(root / "settings.toml"))


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


def _existing_folder(data_dir: Path | str) -> Path:
    root = Path(data_dir)
    if not root.is_dir():
        raise DataFolderError(
            f"データフォルダ {root} がありません / data folder {root} does not exist"
        )
    return root


# --- the contractor folders ------------------------------------------------------------


@dataclass
class _Found:
    """What the data folder gave before typing, in the order it was read (masters first).

    Attributes:
        defects: Q0–Q3 records so far.
        ignored: Files and sheets that are not forms.
        unplaced: Form key → non-blank rows of sheets without a header row.
        submitted: (contractor_id, form key, usable) of every form present.
        grouped: Form key → raw records of the contractor folders, to type.
        contractors: One record per contractor folder: contractor_id, folder, known.
    """

    defects: list[dict]
    ignored: list[str]
    unplaced: dict[str, int]
    submitted: list[tuple]
    grouped: dict[str, list[RawRecords]] = field(default_factory=dict)
    contractors: list[dict] = field(default_factory=list)


def _read_contractor(
    found: _Found, code: str, places: list[Place], root: Path, limits: Limits
) -> None:
    """Read one known contractor's folders into ``found``."""
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


def _read_contractors(
    found: _Found,
    root: Path,
    limits: Limits,
    known_codes: set[str],
    contractors: Collection[str] | None,
) -> None:
    """Read every contractor folder whose code has a contract (of ``contractors``, if given).

    A folder whose code has no contract is a Q3; its files are not read.
    """
    for code, places in contractor_dirs(root).items():
        folder = relative(place_path(places[0]), root)
        known = code in known_codes
        found.contractors.append({"contractor_id": code, "folder": folder, "known": known})
        if not known:
            found.defects.append(
                defect(
                    "Q3",
                    contractor_id=code,
                    source=folder,
                    detail=f"受託者コード {code} の契約が委託契約一覧にありません"
                    "（フォルダの中は確認していません）",
                )
            )
        elif contractors is None or code in contractors:
            _read_contractor(found, code, places, root, limits)


def _type_forms(
    grouped: dict[str, list[RawRecords]], contracts: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Type every submission form, flagging rows of unknown contracts (Q2s and Q3s)."""
    frames: dict[str, pd.DataFrame] = {}
    defects: list[dict] = []
    for form in SUBMISSION_FORMS:
        frame, cell_defects = type_records(form, grouped.pop(form.key, []))
        frames[form.key], q3 = flag_unknown_contracts(frame, form, contracts)
        defects += cell_defects + q3
    return frames, defects


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
    limits = Limits.from_settings(settings)
    masters, defects, ignored, unplaced, submitted = _master_frames(root, limits)
    contracts = masters[CONTRACTS.key]
    contracts = contracts[contracts["_usable"]]
    found = _Found(defects, ignored, unplaced, submitted)
    _read_contractors(found, root, limits, set(contracts["contractor_id"]), contractors)
    typed, cell_defects = _type_forms(found.grouped, contracts)
    frames, q3 = link_contracts(masters | typed, contracts)
    defects = found.defects + cell_defects + q3
    submitted_frame = pd.DataFrame(found.submitted, columns=["contractor_id", "form", "usable"])
    submitted_frame = submitted_frame.astype(
        {"contractor_id": "str", "form": "str", "usable": bool}
    )
    if contractors is not None:
        contracts = contracts[contracts["contractor_id"].isin(list(contractors))]
    defects += missing_forms(contracts, submitted_frame, settings.as_of)
    for item in found.ignored:
        log.info("フォームではないため無視 (ignored, not a form): %s", item)
    return Submission(
        data_dir=root,
        settings=settings,
        frames={key: frames[key] for key in FORMS_BY_KEY},
        defects=sort_defects(
            note_blocked_rules(defects_frame(defects), submitted_frame, contracts)
        ),
        contractors=pd.DataFrame(found.contractors, columns=["contractor_id", "folder", "known"]),
        submitted=submitted_frame,
        ignored=found.ignored,
        unplaced_rows=found.unplaced,
    )
