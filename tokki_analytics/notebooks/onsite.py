"""On-site verification samples of a briefing (現地確認サンプル).

For each population the auditor verifies on site (:data:`~tokki_analytics.notebooks.
onsite_eval.POPULATIONS`: ledger entries, take-outs, workers, disposals) and each contract
of one contractor, :func:`onsite_samples` lists the rows that already have findings apart
and draws a reproducible attribute sample (:mod:`tokki_analytics.sampling`) from the rest:
its size from ``settings.sample_confidence`` and ``settings.sample_tolerable_rate`` with
no expected deviation, capped at the population; its seed from contract, as-of date and
population. :func:`write_sample_sheets` adds them to the briefing workbook, with the
columns the auditor fills on site (確認結果 適／否 from a drop-down, 確認者, メモ);
``tokki evaluate`` (:mod:`tokki_analytics.notebooks.onsite_eval`) reads them back.

:func:`finding_counts` (how many findings point at each loaded row) lives here too, the
briefing and the analysis notebook use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tokki_analytics.forms import ALL_FORMS, FORMS_BY_KEY
from tokki_analytics.masking import Masker, personal_columns
from tokki_analytics.notebooks.onsite_eval import (
    CONFIDENCE_LABEL,
    CONFORMS,
    CONTRACT,
    DEVIATES,
    DRAW_NUMBER,
    FILL_COLUMNS,
    FLAGGED_SHEET,
    PLAN_COLUMNS,
    PLAN_SHEET,
    POPULATION_SIZE,
    POPULATIONS,
    RATE_LABEL,
    RESULT,
    ROW_COLUMNS,
    SAMPLE_COUNT,
    Population,
)
from tokki_analytics.notebooks.present import cell_text, labels
from tokki_analytics.safetext import neutralise
from tokki_analytics.sampling import draw_sample, sample_seed, sample_size

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from tokki_analytics.pipeline import Audit

FORM_KEYS = {form.name: form.key for form in ALL_FORMS}
#: The columns that identify a loaded row (the sample's sort key).
ROW_KEY = ("_source", "_sheet", "_row")
#: Stands for a row without 契約番号 in the contract column.
NO_CONTRACT = "（契約番号なし）"
#: The column of the rows with findings that says how many point at the row.
FINDING_COUNT = "指摘件数"


def row_keys(source: pd.Series, sheet: pd.Series, row: pd.Series) -> pd.Series:
    """``source|sheet|row`` of each row (NaN without a row number).

    A finding and the loaded row it points at have the same key.
    """
    number = pd.to_numeric(row, errors="coerce").astype("Int64")
    parts = [source.astype(str), sheet.astype(str), number.astype(str)]
    keys = parts[0].fillna("") + "|" + parts[1].fillna("") + "|" + parts[2].fillna("")
    return keys.astype(object).where(number.notna().to_numpy())


def finding_counts(frame: pd.DataFrame, findings: pd.DataFrame, form_key: str) -> pd.Series:
    """How many findings point at each row of a loaded form (by file, sheet and row).

    Args:
        frame: Loaded rows of the form (``_source``, ``_sheet``, ``_row``).
        findings: Rows of findings.csv (``form``, ``source``, ``sheet``, ``row``), unmasked.
        form_key: The form, e.g. ``staff``.

    Returns:
        One count per row of ``frame`` (int64, aligned with it).
    """
    name = next(n for n, key in FORM_KEYS.items() if key == form_key)
    keys = row_keys(frame["_source"], frame["_sheet"], frame["_row"])
    own = findings[findings["form"] == name]
    counts = row_keys(own["source"], own["sheet"], own["row"]).value_counts()
    return keys.map(counts).fillna(0).astype("int64")


@dataclass(frozen=True)
class OnsiteSample:
    """The on-site sample of one population of one contract.

    Attributes:
        population: What is verified (form, sheet, label, what to check).
        contract_id: The contract (:data:`NO_CONTRACT` for rows without one).
        seed_text: What the seed comes from: ``contract|as-of|label``.
        seed: :func:`~tokki_analytics.sampling.sample_seed` of ``seed_text``.
        confidence: The planned confidence level.
        tolerable_rate: The planned tolerable deviation rate.
        size: Items in the population: the contract's rows without findings.
        sample: The sampled rows for the sheet: :data:`ROW_COLUMNS` then the cells to
            verify (Japanese headers, names masked unless asked), in the rows' order.
        flagged: The rows with findings (not sampled): the same columns plus
            :data:`FINDING_COUNT` after :data:`ROW_COLUMNS`.
    """

    population: Population
    contract_id: str
    seed_text: str
    seed: int
    confidence: float
    tolerable_rate: float
    size: int
    sample: pd.DataFrame
    flagged: pd.DataFrame


@dataclass(frozen=True)
class _Plan:
    confidence: float
    rate: float
    as_of: dt.date
    mask: Masker


def _display(frame: pd.DataFrame, form_key: str, contract_id: str, mask: Masker) -> pd.DataFrame:
    """The rows as the sheet shows them: where they are, then their cells as text."""
    personal = set(personal_columns().get(form_key, ()))
    form_columns = [c.key for c in FORMS_BY_KEY[form_key].columns if c.key in frame]
    cells = [c for c in form_columns if c not in ("contractor_id", "contract_id")]
    where = [
        contract_id,
        0,
        frame["_source"].map(cell_text).map(mask.text),
        frame["_sheet"].map(cell_text).map(mask.text),
        pd.to_numeric(frame["_row"], errors="coerce").astype("Int64"),
    ]
    out = pd.DataFrame(dict(zip(ROW_COLUMNS, where, strict=True)), index=frame.index)
    headers = labels(cells, form_key)
    for column in cells:
        texts = frame[column].map(cell_text)
        out[headers.get(column, column)] = texts.map(mask.name if column in personal else mask.text)
    return out.reset_index(drop=True)


def _contract_samples(
    frame: pd.DataFrame, counts: pd.Series, population: Population, plan: _Plan, contract: str
) -> OnsiteSample:
    flagged = counts.to_numpy() > 0
    rest = frame[~flagged]
    size = sample_size(plan.confidence, plan.rate, 0, population=len(rest))
    seed_text = f"{contract}|{plan.as_of.isoformat()}|{population.label}"
    drawn = draw_sample(rest, size, seed_text, key=ROW_KEY)
    sample = _display(drawn, population.form_key, contract, plan.mask)
    sample[POPULATION_SIZE] = len(rest)
    listed = _display(frame[flagged], population.form_key, contract, plan.mask)
    listed[POPULATION_SIZE] = len(rest)
    listed.insert(len(ROW_COLUMNS), FINDING_COUNT, counts[flagged].to_numpy())
    return OnsiteSample(
        population=population,
        contract_id=contract,
        seed_text=seed_text,
        seed=sample_seed(seed_text),
        confidence=plan.confidence,
        tolerable_rate=plan.rate,
        size=len(rest),
        sample=sample,
        flagged=listed,
    )


def onsite_samples(
    audit: Audit, contractor_id: str, show_names: bool = False
) -> tuple[OnsiteSample, ...]:
    """Draw the on-site samples of one contractor: each population, each contract.

    Rows that already have findings (:func:`finding_counts`) are listed apart and not
    sampled; from the rest, :func:`~tokki_analytics.sampling.sample_size` rows (the
    settings' confidence and tolerable rate, no expected deviation, capped at the rest)
    are drawn with :func:`~tokki_analytics.sampling.draw_sample`, seeded from
    ``contract|as-of|population`` and keyed by file, sheet and row: the same inputs give
    the same sample on every run.

    Args:
        audit: The run.
        contractor_id: The contractor.
        show_names: Leave person names unmasked.

    Returns:
        One sample per population and contract (population order, then contract order).
    """
    settings = audit.settings
    plan = _Plan(
        settings.sample_confidence,
        settings.sample_tolerable_rate,
        settings.as_of,
        Masker.of(audit, show=show_names),
    )
    out = []
    for population in POPULATIONS:
        frame = audit.submission.frames.get(population.form_key)
        if frame is None:
            continue
        own = frame[frame["contractor_id"].astype(str) == contractor_id]
        counts = finding_counts(own, audit.findings, population.form_key)
        contracts = own["contract_id"].map(cell_text).replace("", NO_CONTRACT)
        for contract in dict.fromkeys(contracts):
            rows = (contracts == contract).to_numpy()
            out.append(_contract_samples(own[rows], counts[rows], population, plan, contract))
    return tuple(out)


def seed_lines(samples: tuple[OnsiteSample, ...]) -> pd.DataFrame:
    """One row per sample: population, contract, population size, sample size, seed."""
    return pd.DataFrame(
        [
            {
                "確認対象": s.population.label,
                CONTRACT: s.contract_id,
                "母集団（指摘のある行を除く）": s.size,
                "指摘のある行": len(s.flagged),
                "サンプル": len(s.sample),
                "シード": s.seed,
                "シードの元": s.seed_text,
            }
            for s in samples
        ]
    )


# --- the workbook's sheets -------------------------------------------------------------


#: How the sheet tells the auditor to fill 確認結果.
FILL_NOTE = (
    f"{RESULT} には「{CONFORMS}」（記録どおり）または「{DEVIATES}」（逸脱）を選んでください。"
    "空欄は未確認として評価に含めません。記入後 `tokki evaluate このファイル` で評価します。"
)


def _write_table(ws: Worksheet, frame: pd.DataFrame, first: int) -> int:
    """Write a header and rows from row ``first`` (text neutralised); return the last row."""
    for j, name in enumerate(frame.columns, start=1):
        ws.cell(first, j, str(name)).font = Font(bold=True)
    for i, values in enumerate(frame.itertuples(index=False), start=first + 1):
        for j, value in enumerate(values, start=1):
            if isinstance(value, int | np.integer) and not isinstance(value, bool):
                ws.cell(i, j, int(value))
            elif text := neutralise(cell_text(value)):
                ws.cell(i, j, text)
    ws.freeze_panes = ws.cell(first + 1, 1)
    return first + len(frame)


def _numbered(s: OnsiteSample) -> pd.DataFrame:
    """The sampled rows with :data:`DRAW_NUMBER` (1..n) and :data:`SAMPLE_COUNT` (n)."""
    frame = s.sample.copy()
    frame.insert(len(ROW_COLUMNS), DRAW_NUMBER, np.arange(1, len(frame) + 1, dtype="int64"))
    frame.insert(len(ROW_COLUMNS) + 1, SAMPLE_COUNT, np.int64(len(frame)))
    return frame


def _plan_sheet(wb: Workbook, samples: tuple[OnsiteSample, ...]) -> None:
    """The hidden sheet :data:`PLAN_SHEET`: each sheet and contract drawn, as data."""
    ws = wb.create_sheet(PLAN_SHEET)
    ws.append(list(PLAN_COLUMNS))
    for s in samples:
        contract = neutralise(cell_text(s.contract_id))  # as the sample sheet shows it
        ws.append(
            [
                s.population.sheet,
                contract,
                s.size,
                len(s.sample),
                s.confidence,
                s.tolerable_rate,
                str(s.seed),
            ]
        )
    ws.sheet_state = "hidden"


def _sample_sheet(wb: Workbook, population: Population, own: list[OnsiteSample]) -> None:
    ws = wb.create_sheet(population.sheet)
    form = FORMS_BY_KEY[population.form_key].name
    ws.append([f"現地確認サンプル: {form}（確認すること: {population.check}）"])
    for label, value in (
        (CONFIDENCE_LABEL, own[0].confidence),
        (RATE_LABEL, own[0].tolerable_rate),
    ):
        ws.append([label, value])
        ws.cell(ws.max_row, 2).number_format = "0.0%"
    ws.append(["予想逸脱件数", 0])
    ws.append([FILL_NOTE])
    for s in own:
        ws.append(
            [
                f"{s.contract_id}: 母集団 {s.size} 件（指摘のある行 {len(s.flagged)} 件は別シート"
                f"「{FLAGGED_SHEET}」）、サンプル {len(s.sample)} 件、シード {s.seed}"
                f"（{s.seed_text}）"
            ]
        )
    table = pd.concat([_numbered(s) for s in own], ignore_index=True)
    table = table.assign(**{column: "" for column in FILL_COLUMNS})
    header = ws.max_row + 2
    last = _write_table(ws, table, header)
    choice = DataValidation(
        type="list",
        formula1=f'"{CONFORMS},{DEVIATES}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=RESULT,
        error=f"「{CONFORMS}」または「{DEVIATES}」を選んでください",
    )
    column = get_column_letter(list(table.columns).index(RESULT) + 1)
    choice.add(f"{column}{header + 1}:{column}{max(last, header + 1)}")
    ws.add_data_validation(choice)
    for j, name in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = 28 if name == "メモ" else 14


def _flagged_table(samples: tuple[OnsiteSample, ...]) -> pd.DataFrame:
    """The rows with findings of every sample: where they are, how many findings, cells."""
    frames = []
    for s in samples:
        if s.flagged.empty:
            continue
        lead = len(ROW_COLUMNS) + 1  # where the row is, and its finding count
        where = s.flagged.iloc[:, :lead].drop(columns=POPULATION_SIZE)
        cells = s.flagged.iloc[:, lead:]
        text = ["; ".join(f"{k}={v}" for k, v in row.items() if v) for _, row in cells.iterrows()]
        frames.append(where.assign(内容=text).assign(確認対象=s.population.label))
    columns = ["確認対象", CONTRACT, *ROW_COLUMNS[2:], FINDING_COUNT, "内容"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


def write_sample_sheets(wb: Workbook, samples: tuple[OnsiteSample, ...]) -> None:
    """Add the on-site sample sheets to a briefing workbook.

    One sheet per population (:data:`~tokki_analytics.notebooks.onsite_eval.POPULATIONS`):
    a header with the confidence, the tolerable rate and, per contract, the population,
    the sample size and the seed; then the sampled rows (契約番号, 母集団件数, file, sheet,
    row, the cells to verify) and the empty columns 確認結果 (a drop-down of 適／否),
    確認者, メモ. The rows with findings, not sampled, go to one more sheet,
    :data:`~tokki_analytics.notebooks.onsite_eval.FLAGGED_SHEET`. Every sampled row
    carries its 抽出番号 (1..n within its contract) and サンプル件数 (n), and a hidden sheet,
    :data:`~tokki_analytics.notebooks.onsite_eval.PLAN_SHEET`, lists each sheet and contract
    drawn (population, sample size, rates, seed): ``tokki evaluate`` refuses a sample that
    is not the one drawn. Nothing is added without samples.

    Args:
        wb: The workbook (openpyxl).
        samples: :func:`onsite_samples`.
    """
    if not samples:
        return
    for population in POPULATIONS:
        own = [s for s in samples if s.population == population]
        if own:
            _sample_sheet(wb, population, own)
    ws = wb.create_sheet(FLAGGED_SHEET)
    ws.append(["指摘のある行（サンプルの対象外。指摘ごとに確認してください）"])
    _write_table(ws, _flagged_table(samples), 3)
    _plan_sheet(wb, samples)
