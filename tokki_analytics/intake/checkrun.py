"""The intake check's run: one contractor's folder audited against the masters of a data folder.

``tokki check FOLDER --data DATA`` (受付時点検) checks a contractor's files as they arrive,
before the nightly audit. :func:`run_check` reads the masters of DATA (委託契約一覧,
検査履歴, settings.toml), puts FOLDER in the place of the contractor's folder
(:func:`tokki_analytics.ingest.masters.with_folder`: neither DATA nor FOLDER is changed or
copied), and runs that one shard through the same loader, check views and GX validation as
``tokki run`` (:mod:`tokki_analytics.engine.shard`, :func:`tokki_analytics.gx.validate.validate`),
then keeps the findings of that contractor alone.

Which contractor: the code of the folder's name, as the loader reads it (the text before the
first ``_``, NFKC: ``Ｃ００６_…`` is C006), when 委託契約一覧 has a contract of it; otherwise
``--contractor``. A name that names a contractor other than ``--contractor`` is refused.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tokki_analytics.errors import InputError, ParameterError, unknown_contractor
from tokki_analytics.ingest.folders import contractor_code, display_name
from tokki_analytics.pipeline import Audit
from tokki_analytics.settings import Settings, load_settings


@dataclass(frozen=True)
class IntakeCheck:
    """The intake check of one contractor's folder.

    Attributes:
        code: The contractor code.
        name: The contractor's name (委託契約一覧's 受託者名, else the folder name's).
        folder: The folder checked.
        audit: The audit of that folder with the masters: its findings (rule findings and
            Q0–Q3) are the contractor's alone; its submission holds the masters and the
            folder's records, its defects every defect of the masters too.
    """

    code: str
    name: str
    folder: Path
    audit: Audit

    @property
    def as_of(self) -> dt.date:
        """The as-of date of the check."""
        return self.audit.settings.as_of

    @property
    def defects(self) -> pd.DataFrame:
        """The contractor's Q0–Q3, with the column and the value as typed."""
        defects = self.audit.submission.defects
        return defects[defects["contractor_id"] == self.code].reset_index(drop=True)


def _text(path: Path) -> str:
    return display_name(str(path))


def check_folder_place(folder: Path, data_dir: Path) -> None:
    """Refuse a FOLDER that is not a folder, or that would mix other contractors in.

    FOLDER may lie outside DATA (an e-mail attachment folder), or be a folder directly
    inside it (a contractor's folder); it must not be DATA, hold DATA, or lie deeper inside
    DATA (inside another folder, whose contractor may be another).

    Raises:
        InputError: Any of these, in Japanese and English.
    """
    if not folder.is_dir():
        what = "フォルダではありません" if folder.exists() else "ありません"
        raise InputError(
            f"提出フォルダ {_text(folder)} が{what} / the submission folder {_text(folder)} "
            f"{'is not a folder' if folder.exists() else 'does not exist'}"
        )
    here, data = folder.resolve(), data_dir.resolve()
    if data == here or data.is_relative_to(here):
        raise InputError(
            f"提出フォルダ {_text(folder)} はデータフォルダ {_text(data_dir)} そのもの、または"
            "それを含むフォルダです。受託者 1 社のフォルダを指定してください / the submission "
            f"folder {_text(folder)} is or holds the data folder {_text(data_dir)}; give one "
            "contractor's folder"
        )
    whole = Path(os.path.abspath(folder))
    if here.is_relative_to(data) and whole.parent.resolve() != data:
        raise InputError(
            f"提出フォルダ {_text(folder)} はデータフォルダの受託者フォルダの中にあります。"
            "データフォルダ直下の受託者フォルダか、データフォルダの外のフォルダを指定してください"
            f" / the submission folder {_text(folder)} lies inside a folder of the data "
            "folder; give a contractor's folder directly inside it, or a folder outside it"
        )


def contractor_of(folder: Path, contracts: pd.DataFrame, given: str | None) -> str:
    """The contractor a submission folder is checked as.

    Args:
        folder: The submission folder.
        contracts: The usable contracts of 委託契約一覧.
        given: ``--contractor`` (None or "" when not given).

    Returns:
        The folder name's code when 委託契約一覧 has it, else ``given``.

    Raises:
        ParameterError: The name's code and ``given`` differ; neither names a contractor
            with a contract (the message lists those that have one).
    """
    known = sorted(set(contracts["contractor_id"].dropna().astype(str)))
    named = contractor_code(Path(os.path.abspath(folder)).name)
    code = display_name(given.strip()) if given else ""
    if named in known and code and code != named:
        raise ParameterError(
            f"フォルダ名の受託者コード {named} と --contractor {code} が一致しません / the "
            f"folder's name names contractor {named}, not --contractor {code}"
        )
    if named in known:
        return named
    if not code:
        raise ParameterError(
            f"フォルダ名 {display_name(folder.name)} から受託者コードが分かりません（委託契約一覧"
            f"に受託者 {named} の契約がありません）。--contractor で受託者コードを指定してください"
            f" / the folder's name does not tell a contractor with a contract (read {named}): "
            "give --contractor"
        )
    if code not in known:
        raise unknown_contractor(code, known)
    return code


def run_check(
    folder: Path | str,
    data_dir: Path | str,
    contractor: str | None = None,
    settings: Settings | None = None,
) -> IntakeCheck:
    """Check one contractor's submission folder against the masters of a data folder.

    Args:
        folder: The contractor's submission folder (inside the data folder or not).
        data_dir: The data folder whose masters and settings the folder is checked with.
        contractor: The contractor code, when the folder's name does not tell it.
        settings: The settings (default: ``DATA/settings.toml``).

    Returns:
        The check: the contractor and its audit.

    Raises:
        InputError: See :func:`check_folder_place` and :func:`contractor_of`; DATA is not a
            data folder (:class:`~tokki_analytics.ingest.DataFolderError`) or its settings
            are invalid.
    """
    from tokki_analytics.engine.shard import combine, read_masters, run_batch
    from tokki_analytics.findings import build_compliance, build_findings
    from tokki_analytics.gx.suites import load_suites
    from tokki_analytics.gx.validate import validate
    from tokki_analytics.ingest.masters import existing_folder, with_folder
    from tokki_analytics.status import contractor_names

    root, place = existing_folder(data_dir), Path(folder)
    check_folder_place(place, root)
    settings = settings or load_settings(root / "settings.toml")
    masters = read_masters(root, settings=settings)
    code = contractor_of(place, masters.contracts, contractor)
    masters = with_folder(masters, code, place)
    submission, views = combine(masters, [run_batch(masters, [code])])
    validation = validate(views, load_suites())
    findings = build_findings(views, validation, submission.defects)
    findings = findings[findings["contractor_id"] == code].reset_index(drop=True)
    compliance = build_compliance(views, validation)
    compliance = compliance[compliance["contractor_id"] == code].reset_index(drop=True)
    audit = Audit(submission, views, findings, compliance, validation)
    return IntakeCheck(code, contractor_names(audit).get(code, ""), place, audit)
