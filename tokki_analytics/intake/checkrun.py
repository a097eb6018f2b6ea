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

A folder whose name gives a code without a contract (a folder of DATA, as the run reads it,
or a name whose code is shaped like 委託契約一覧's codes: C008) is checked as the run checks
it: nothing in it is read, its one finding is the run's Q3 (the contract is not in
委託契約一覧).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tokki_analytics.errors import InputError, ParameterError, unknown_contractor
from tokki_analytics.ingest.defects import defects_frame
from tokki_analytics.ingest.folders import contractor_code, display_name
from tokki_analytics.ingest.masters import Masters, unknown_folder_defect
from tokki_analytics.intake.coverage import submission_coverage
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
        ignored: The folder's files and sheets not read because no form is named so
            (none of the data folder's own).
    """

    code: str
    name: str
    folder: Path
    audit: Audit
    ignored: tuple[str, ...] = ()

    @property
    def as_of(self) -> dt.date:
        """The as-of date of the check."""
        return self.audit.settings.as_of

    @property
    def defects(self) -> pd.DataFrame:
        """The contractor's Q0–Q3, with the column and the value as typed."""
        defects = self.audit.submission.defects
        return defects[defects["contractor_id"] == self.code].reset_index(drop=True)

    @property
    def contracts(self) -> tuple[str, ...]:
        """The contractor's contract ids in 委託契約一覧 (none: its folder was not read)."""
        contracts = self.audit.submission.contracts
        return tuple(contracts.loc[contracts["contractor_id"] == self.code, "contract_id"])

    @property
    def coverage(self) -> pd.DataFrame:
        """The contractor's rows of the submission status (:mod:`.coverage`)."""
        return submission_coverage(self.audit.submission, self.code).reset_index(drop=True)


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
    if here.is_relative_to(data) and whole.parent.resolve() != data and here.parent == data:
        raise InputError(
            f"提出フォルダ {_text(folder)} はデータフォルダの受託者フォルダ {_text(here)} への"
            f"リンクです。{_text(here)} を直接指定してください / the submission folder "
            f"{_text(folder)} is a link to the contractor folder {_text(here)} of the data "
            "folder; give that folder itself"
        )
    if here.is_relative_to(data) and whole.parent.resolve() != data:
        raise InputError(
            f"提出フォルダ {_text(folder)} はデータフォルダの受託者フォルダの中にあります。"
            "データフォルダ直下の受託者フォルダか、データフォルダの外のフォルダを指定してください"
            f" / the submission folder {_text(folder)} lies inside a folder of the data "
            "folder; give a contractor's folder directly inside it, or a folder outside it"
        )


def _shape(code: str) -> str:
    """A code's shape: ASCII letters as ``A``, digits as ``9`` (``C008`` → ``A999``)."""
    return re.sub(r"[0-9]", "9", re.sub(r"[A-Za-z]", "A", code))


def named_code(folder: Path, data_dir: Path, known: set[str]) -> str:
    """The contractor code a submission folder's name gives; "" when it gives none.

    The name's code (:func:`~tokki_analytics.ingest.folders.contractor_code`) counts when
    委託契約一覧 has a contract of it, when the folder lies directly in DATA (the run reads
    every such folder as a contractor's), or when it is shaped like a code of 委託契約一覧
    (``C008`` like ``C001``); an e-mail folder named ``添付ファイル`` gives none.
    """
    whole = Path(os.path.abspath(folder))
    named = contractor_code(whole.name)
    if named in known or whole.parent.resolve() == data_dir.resolve():
        return named
    return named if _shape(named) in {_shape(k) for k in known} else ""


def contractor_of(folder: Path, contracts: pd.DataFrame, given: str | None, data_dir: Path) -> str:
    """The contractor a submission folder is checked as.

    Args:
        folder: The submission folder.
        contracts: The usable contracts of 委託契約一覧.
        given: ``--contractor`` (None or "" when not given).
        data_dir: The data folder.

    Returns:
        The folder name's code (:func:`named_code`) when 委託契約一覧 has it, else
        ``given``, else the name's code without a contract.

    Raises:
        ParameterError: The name's code has a contract and ``given`` differs; ``given``
            names no contractor with a contract (the message lists those that have one)
            and not the name's code; neither is given.
    """
    known = sorted(set(contracts["contractor_id"].dropna().astype(str)))
    named = named_code(folder, data_dir, set(known))
    code = display_name(given.strip()) if given else ""
    if named in known and code and code != named:
        raise ParameterError(
            f"フォルダ名の受託者コード {named} と --contractor {code} が一致しません / the "
            f"folder's name names contractor {named}, not --contractor {code}"
        )
    if named in known or (named and code in ("", named)):
        return named
    if not code:
        raise ParameterError(
            f"フォルダ名 {display_name(folder.name)} から受託者コードが分かりません。"
            "--contractor で受託者コードを指定してください / the folder's name does not "
            "tell a contractor code: give --contractor"
        )
    if code not in known:
        raise unknown_contractor(code, known)
    return code


def without_contract(masters: Masters, code: str, folder: Path) -> Masters:
    """The masters with ``folder`` as the folder of ``code``, which has no contract.

    As the run: nothing in the folder is read; its one defect is the Q3 of its code,
    naming ``folder`` (in place of the Q3s of DATA's folders of that code).
    """
    defects = masters.defects
    own = (defects["contractor_id"] == code) & (defects["rule_id"] == "Q3")
    own &= defects["form"] == ""
    name = display_name(Path(os.path.abspath(folder)).name)
    q3 = defects_frame([unknown_folder_defect(code, name)])
    return dataclasses.replace(masters, defects=pd.concat([defects[~own], q3], ignore_index=True))


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
    code = contractor_of(place, masters.contracts, contractor, root)
    if code in set(masters.contracts["contractor_id"]):
        masters, ids = with_folder(masters, code, place), [code]
    else:  # no contract: the run reads nothing of the folder, neither does the check
        masters, ids = without_contract(masters, code, place), []
    batch = run_batch(masters, ids)
    submission, views = combine(masters, [batch])
    validation = validate(views, load_suites())
    findings = build_findings(views, validation, submission.defects)
    findings = findings[findings["contractor_id"] == code].reset_index(drop=True)
    compliance = build_compliance(views, validation)
    compliance = compliance[compliance["contractor_id"] == code].reset_index(drop=True)
    audit = Audit(submission, views, findings, compliance, validation)
    name = contractor_names(audit).get(code) or display_name(place.name).partition("_")[2]
    return IntakeCheck(code, name, place, audit, tuple(batch.ignored))
