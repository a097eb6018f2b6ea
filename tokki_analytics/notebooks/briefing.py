"""Pre-inspection briefing for one contractor (the ``01_briefing`` notebook's logic).

Everything the notebook shows is computed here so that tests reach it, from an
:class:`~tokki_analytics.pipeline.Audit` (:func:`tokki_analytics.pipeline.open_run`):

- :func:`briefing` collects the summary, clause status, findings with their source rows,
  the questions to ask on site and the timelines of one contractor;
- :func:`takeout_states` gives each take-out its return state, as C7.2-2 judged it;
- :func:`write_briefing_xlsx` writes the briefing for the visit (owner-only);
  :mod:`tokki_analytics.notebooks.timeline` draws its timeline.

Person names are masked (``岡山 ＊＊``) unless ``show_names`` is set.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.errors import unknown_contractor
from tokki_analytics.findings import FINDING_COLUMNS
from tokki_analytics.masking import Masker, personal_columns
from tokki_analytics.notebooks.instructions import previous_instructions
from tokki_analytics.notebooks.onsite import (
    FORM_KEYS,
    OnsiteSample,
    finding_counts,
    onsite_samples,
    row_keys,
    write_sample_sheets,
)
from tokki_analytics.notebooks.present import cell_text, labels
from tokki_analytics.outputs.files import write_bytes
from tokki_analytics.pipeline import Audit
from tokki_analytics.rules import RULES_BY_ID, judge_column
from tokki_analytics.safetext import file_stem
from tokki_analytics.status import clause_status, contractor_names
from tokki_analytics.vocab import (
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    clause_key,
    clause_label,
)

if TYPE_CHECKING:
    from tokki_analytics.notebooks.present import Capped

#: Questions for what the data cannot check (clause, question).
UNCHECKABLE_QUESTIONS = (
    (
        "第1",
        "基本的事項: 個人情報の保護の重要性を認識し、個人の権利利益を侵害しないよう"
        "取り扱う方針を、社内規程や教育でどう徹底しているか。",
    ),
    (
        "第2",
        "管理体制: 作業責任者の権限と責任、指揮命令系統、従事者への監督方法は"
        "どのように定められているか（体制図・規程の提示を求める）。",
    ),
    (
        "第6",
        "秘密の保持: 契約終了後・退職後も含め、知り得た個人情報を漏らさない義務を"
        "従事者にどう課しているか（就業規則・誓約書の条項を確認）。",
    ),
    (
        "第8",
        "目的外利用の禁止: 委託業務以外の目的で個人情報を利用・加工していないことを、"
        "アクセス権限や作業記録でどう担保しているか。",
    ),
)
SUMMARY_COLUMNS = {
    "contract_id": "契約番号",
    "title": "業務名",
    "department": "担当課",
    "start_date": "契約開始日",
    "end_date": "契約終了日",
    "record_volume": "取扱件数",
    "sensitive": "要配慮個人情報",
    "handles_electronic": "電子データ",
    "excluded_clauses": "適用除外条項",
    "last_inspected_on": "直近の実地検査",
}


@dataclass
class Briefing:
    """The briefing of one contractor.

    Attributes:
        contractor_id: The contractor.
        name: Its company name.
        as_of: The audit reference date.
        summary: One row per contract (Japanese column names).
        status: Clause × contract: 適合 / 不適合 / 未評価 (index: clause label).
        findings: The contractor's rows of findings.csv plus ``source_row`` (the source
            row's cells as text, names masked unless asked).
        questions: clause, rule_id, question: what to ask on site.
        staff: One row per roster row: person_id, name, role, employment, contract_id,
            start_date, end_date, notified_on, pledge_on, trainings (dates).
        takeouts: taken_at, returned_at, person_id, ledger_id, destination, medium,
            state (:func:`takeout_states`), in time order.
        media_checks: contract_id, checked_on.
        check_gaps: contract_id and the media-check gap text from the contracts view.
        staff_findings: How many findings point at each row of ``staff`` (the timeline
            draws those rows first); None when not known.
        samples: The on-site verification samples (:func:`onsite_samples`).
        instructions: 前回の指示事項: open instructions (overdue first) and recurring
            findings from the follow-up record (:func:`previous_instructions`).
    """

    contractor_id: str
    name: str
    as_of: dt.date
    summary: pd.DataFrame
    status: pd.DataFrame
    findings: pd.DataFrame
    questions: pd.DataFrame
    staff: pd.DataFrame
    takeouts: pd.DataFrame
    media_checks: pd.DataFrame
    check_gaps: pd.DataFrame
    staff_findings: pd.Series | None = None
    samples: tuple[OnsiteSample, ...] = ()
    instructions: pd.DataFrame | None = None


# --- the parts of a briefing ---------------------------------------------------------------


def _row_text(
    frame: pd.DataFrame, position: int, headers: dict, own_names: set, mask: Masker
) -> str:
    row = frame.iloc[position]
    cells = []
    for column in frame.columns:
        text = cell_text(row[column])
        if column.startswith("_") or column == "contractor_id" or not text:
            continue
        cells.append(
            f"{headers.get(column, column)}=" + (mask.name(text) if column in own_names else text)
        )
    return "; ".join(cells)


def source_rows(audit: Audit, findings: pd.DataFrame, show_names: bool = False) -> pd.Series:
    """The source row of every finding as ``column=value; …`` text ('' when none).

    Each form's rows are indexed once by file, sheet and row, so the look-up costs one pass
    over the findings however many there are; a row several findings share is written once.

    Args:
        audit: The run (its loaded frames hold the rows).
        findings: Rows of findings.csv.
        show_names: Leave person names unmasked.

    Returns:
        One text per finding, aligned with ``findings``.
    """
    mask = Masker.of(audit, show=show_names)
    frames = audit.submission.frames
    personal = personal_columns()
    index: dict[str, dict[str, int]] = {}
    done: dict[tuple[str, int], str] = {}
    texts = []
    keys = row_keys(findings["source"], findings["sheet"], findings["row"])
    for form, key in zip(findings["form"].astype(str), keys, strict=True):
        form_key = FORM_KEYS.get(form, "")
        frame = frames.get(form_key)
        if frame is None or not isinstance(key, str):
            texts.append("")
            continue
        if form_key not in index:
            own = row_keys(frame["_source"], frame["_sheet"], frame["_row"])
            index[form_key] = {k: i for i, k in reversed(list(enumerate(own)))}
        position = index[form_key].get(key)
        if position is None:
            texts.append("")
            continue
        if (form_key, position) not in done:
            headers = labels(frame.columns, form_key)
            own_names = set(personal.get(form_key, ()))
            text = _row_text(frame, position, headers, own_names, mask)
            done[form_key, position] = mask.text(text)
        texts.append(done[form_key, position])
    return pd.Series(texts, index=findings.index, dtype="str")


def contract_summary(audit: Audit, contractor_id: str) -> pd.DataFrame:
    """The contractor's contracts with Japanese column names (and last inspection)."""
    contracts = audit.submission.contracts
    own = contracts[contracts["contractor_id"] == contractor_id].copy()
    view = audit.views.get("contracts")
    if view is not None and "last_inspected_on" in view:
        last = view.drop_duplicates("contract_id").set_index("contract_id")["last_inspected_on"]
        own["last_inspected_on"] = own["contract_id"].map(last)
    else:
        own["last_inspected_on"] = pd.NaT
    out = own[list(SUMMARY_COLUMNS)].copy()
    for column in ("start_date", "end_date", "last_inspected_on", "excluded_clauses"):
        out[column] = out[column].map(cell_text)
    return out.rename(columns=SUMMARY_COLUMNS).reset_index(drop=True)


def status_table(audit: Audit, contractor_id: str) -> pd.DataFrame:
    """Clause (label) × contract status of one contractor: 適合 / 不適合 / 未評価."""
    status = clause_status(audit)
    own = status[status["contractor_id"] == contractor_id]
    if own.empty:
        return pd.DataFrame()
    table = own.pivot(index="clause", columns="contract_id", values="status")
    table = table.loc[sorted(table.index, key=clause_key)]
    table.index = [clause_label(c) for c in table.index]
    table.index.name = "条項"
    table.columns.name = None
    return table[list(dict.fromkeys(own["contract_id"]))]


def contractor_findings(audit: Audit, contractor_id: str, show_names: bool = False) -> pd.DataFrame:
    """The contractor's rows of findings.csv, in order, plus their ``source_row``."""
    findings = audit.findings[FINDING_COLUMNS]
    own = findings[findings["contractor_id"].astype(str) == contractor_id].reset_index(drop=True)
    rows = source_rows(audit, own, show_names)
    own = Masker.of(audit, show=show_names).frame(own)  # file and sheet names too
    return own.assign(source_row=rows)


def questions(findings: pd.DataFrame) -> pd.DataFrame:
    """Questions to ask on site: one per failing rule, then the clauses data cannot check.

    Args:
        findings: The contractor's findings (rule_id, clause, detail).

    Returns:
        clause, rule_id, question; failing rules in clause order first.
    """
    rows = []
    failing = findings[findings["rule_id"].isin(RULES_BY_ID)]
    for rule_id, group in failing.groupby("rule_id", sort=False):
        rule = RULES_BY_ID[rule_id]
        example = str(group["detail"].iloc[0])
        rows.append(
            {
                "clause": rule.clause,
                "rule_id": rule_id,
                "question": (
                    f"{clause_label(rule.clause)}: 「{rule.description}」に反する記録が"
                    f"{len(group)}件あります（例: {example}）。原因、是正の状況、"
                    "再発防止策を確認する。"
                ),
            }
        )
    defects = findings[~findings["rule_id"].isin(RULES_BY_ID)]
    if len(defects):
        rows.append(
            {
                "clause": "",
                "rule_id": "・".join(sorted(set(defects["rule_id"]))),
                "question": f"提出物の不備が{len(defects)}件あります（例: "
                f"{defects['detail'].iloc[0]}）。正しい記録の提出と、記録の作成・管理方法を"
                "確認する。",
            }
        )
    rows.sort(key=lambda r: clause_key(r["clause"]) if r["clause"] else (9_999, 0, ""))
    for clause, question in UNCHECKABLE_QUESTIONS:
        rows.append({"clause": clause, "rule_id": "（データで確認不可）", "question": question})
    return pd.DataFrame(rows, columns=["clause", "rule_id", "question"])


def _own(frame: pd.DataFrame, contractor_id: str) -> pd.DataFrame:
    return frame[frame["contractor_id"].astype(str) == contractor_id].reset_index(drop=True)


#: Return states of a take-out (the timeline's colours).
RETURNED, NOT_RETURNABLE, OUT = "返却済み", "返却不要", "未返却（期限内）"
OVERDUE, BACKWARDS = "未返却（期限超過）", "返却日時が持出日時より前"
#: Out past ``return_days`` where C7.2-2 does not judge (第7二 excluded, ledger unusable …).
OVERDUE_NOT_ASSESSED = "未返却（期限超過・未評価）"
#: The rule whose findings the red states are.
RETURN_RULE = "C7.2-2"
#: States the timeline draws first: not returned, or returned before taken.
UNRETURNED = (OUT, OVERDUE, BACKWARDS, OVERDUE_NOT_ASSESSED)
TAKEOUT_COLUMNS = ["taken_at", "returned_at", "person_id", "ledger_id", "destination", "medium"]


def takeout_states(audit: Audit, contractor_id: str) -> pd.DataFrame:
    """The contractor's take-outs in time order with their return state.

    The state reads the take-out view, where C7.2-2 is decided: a take-out C7.2-2 judges
    and whose ``return_ok`` is false is 返却日時が持出日時より前 (返却日時 filled) or
    未返却（期限超過）, so these two states are exactly C7.2-2's findings. Any other
    take-out is 返却済み when 返却日時 is filled, 返却不要 when its medium is not
    ``returnable``, 未返却（期限超過・未評価） when ``overdue`` but not judged (第7二
    excluded, 個人情報管理台帳 unusable, no 契約番号), and otherwise 未返却（期限内）.

    Args:
        audit: The run (its take-out view).
        contractor_id: The contractor.

    Returns:
        :data:`TAKEOUT_COLUMNS` plus ``state``.
    """
    view = _own(audit.views["takeout"], contractor_id)
    judged = view[judge_column(RETURN_RULE)].to_numpy(dtype=bool)
    failed = judged & ~view["return_ok"].to_numpy(dtype=bool)
    returned = view["returned_at"].notna().to_numpy()
    state = np.select(
        [
            failed & returned,
            failed,
            returned,
            ~view["returnable"].to_numpy(dtype=bool),
            view["overdue"].to_numpy(dtype=bool),
        ],
        [BACKWARDS, OVERDUE, RETURNED, NOT_RETURNABLE, OVERDUE_NOT_ASSESSED],
        default=OUT,
    )
    out = view[TAKEOUT_COLUMNS].assign(state=state)
    return out.sort_values("taken_at", kind="stable", na_position="last").reset_index(drop=True)


def staff_timeline(audit: Audit, contractor_id: str, show_names: bool = False) -> pd.DataFrame:
    """Roster rows of one contractor with their training dates (for the timeline)."""
    staff = _own(audit.submission.frames["staff"], contractor_id)
    training = _own(audit.submission.frames["training"], contractor_id)
    dates = training.dropna(subset=["held_on"]).groupby("person_id")["held_on"].agg(sorted)
    columns = ["person_id", "name", "role", "employment", "contract_id"]
    columns += ["start_date", "end_date", "notified_on", "pledge_on"]
    out = staff[columns].copy()
    # a plain look-up: Series.map with an empty Series (no 研修記録) fails on datetimes
    out["trainings"] = [list(dates.get(person, [])) for person in out["person_id"]]
    if not show_names:
        out["name"] = out["name"].map(Masker().name, na_action="ignore")
    return out


def briefing(audit: Audit, contractor_id: str, show_names: bool = False) -> Briefing:
    """Collect the briefing of one contractor.

    Args:
        audit: The run (from :func:`tokki_analytics.pipeline.open_run` or
            :func:`tokki_analytics.audit`).
        contractor_id: The contractor, e.g. ``C003``.
        show_names: Leave person names unmasked.

    Returns:
        The briefing.

    Raises:
        ParameterError: The contractor has no contract in 委託契約一覧.
    """
    contracts = audit.submission.contracts
    if not (contracts["contractor_id"] == contractor_id).any():
        raise unknown_contractor(contractor_id, sorted(set(contracts["contractor_id"].dropna())))
    findings = contractor_findings(audit, contractor_id, show_names)
    takeouts = takeout_states(audit, contractor_id)
    checks = _own(audit.submission.frames["media_checks"], contractor_id)
    view = audit.views.get("contracts", pd.DataFrame(columns=["contractor_id"]))
    gaps = _own(view, contractor_id) if len(view) else view
    gap_columns = [c for c in ("contract_id", "check_gaps", "check_gap_excess_days") if c in gaps]
    staff = _own(audit.submission.frames["staff"], contractor_id)
    return Briefing(
        contractor_id=contractor_id,
        name=contractor_names(audit).get(contractor_id, ""),
        as_of=audit.settings.as_of,
        summary=contract_summary(audit, contractor_id),
        status=status_table(audit, contractor_id),
        findings=findings,
        questions=questions(findings),
        staff=staff_timeline(audit, contractor_id, show_names),
        takeouts=takeouts,
        media_checks=checks[["contract_id", "checked_on"]],
        check_gaps=gaps[gap_columns].reset_index(drop=True),
        staff_findings=finding_counts(staff, audit.findings, "staff"),
        samples=onsite_samples(audit, contractor_id, show_names),
        instructions=previous_instructions(audit, contractor_id, show_names),
    )


def status_counts(brief: Briefing) -> pd.Series:
    """How many clause × contract cells are 適合 / 不適合 / 未評価."""
    values = pd.Series(brief.status.to_numpy().ravel())
    return values.value_counts().reindex(
        [STATUS_PASS, STATUS_FAIL, STATUS_NOT_ASSESSED], fill_value=0
    )


# --- the notebook's findings table ------------------------------------------------------


#: Findings the briefing notebook shows per clause; the workbook and findings.csv hold all.
FINDINGS_PER_CLAUSE = 200


def workbook_name(contractor_id: str) -> str:
    """The briefing workbook's file name, e.g. ``briefing_C001.xlsx``."""
    return f"briefing_{file_stem(contractor_id)}.xlsx"


def findings_table(brief: Briefing, limit: int | None = None) -> Capped:
    """The findings as the notebook shows them: the first ``limit`` per clause, and a note.

    Args:
        brief: The briefing.
        limit: Rows per clause (default :data:`FINDINGS_PER_CLAUSE`).

    Returns:
        A :class:`~tokki_analytics.notebooks.present.Capped` table whose note says how many findings
        are left out and that the workbook and findings.csv hold them all.
    """
    from tokki_analytics.notebooks.present import capped_table

    return capped_table(
        brief.findings.drop(columns="contractor_id"),
        FINDINGS_PER_CLAUSE if limit is None else limit,
        by="clause",
        where=(workbook_name(brief.contractor_id), "findings.csv"),
    )


# --- export ------------------------------------------------------------------------------


#: Sheets of the briefing workbook: name, Briefing attribute, form whose headers name columns.
BRIEFING_SHEETS = (
    ("概要", "summary", None),
    ("条項別状況", "status", None),
    ("指摘", "findings", None),
    ("質問事項", "questions", None),
    ("従事者", "staff", "staff"),
    ("持出し", "takeouts", "takeout"),
)


def write_briefing_xlsx(brief: Briefing, path: Path | str, group_readable: bool = False) -> Path:
    """Write the briefing as an Excel workbook for the visit (owner-only by default).

    Sheets: 概要, 条項別状況, 指摘, 質問事項, 従事者, 持出し, then the on-site samples
    (:func:`~tokki_analytics.notebooks.onsite.write_sample_sheets`); each with a Japanese header
    row, a filter and a frozen header; 重大 / 不適合 cells coloured; text that a spreadsheet
    would run as a formula is neutralised as in ``findings.xlsx``.

    Args:
        brief: The briefing.
        path: The ``.xlsx`` file.
        group_readable: Make the file group-readable.

    Returns:
        The path written.
    """
    from openpyxl import Workbook

    from tokki_analytics.render.excel import write_table

    wb = Workbook()
    wb.remove(wb.active)
    for title, attribute, form_key in BRIEFING_SHEETS:
        frame = getattr(brief, attribute)
        if attribute == "status":
            frame = frame.reset_index()
        frame = frame.apply(lambda column: column.map(cell_text)) if len(frame) else frame
        columns = [str(c) for c in frame.columns]
        frame.columns = columns
        write_table(
            wb.create_sheet(title),
            frame,
            columns,
            labels=labels(columns, form_key),
            key_row=False,
        )
    write_sample_sheets(wb, brief.samples)
    buf = io.BytesIO()
    wb.save(buf)
    return write_bytes(Path(path), buf.getvalue(), group_readable)


def mask_details(audit: Audit, frame: pd.DataFrame, show_names: bool = False) -> pd.DataFrame:
    """``frame`` with person names in its text columns masked (unless ``show_names``).

    ``detail``, and ``source`` and ``sheet`` (a file or sheet may be named after a person).
    """
    return Masker.of(audit, show=show_names).frame(frame)
