"""Clause status, risk ranking and contractor names of a run: pure tables, no HTML.

The HTML report (:mod:`tokki_analytics.render.html`), findings.xlsx, the briefing and the
comparison notebooks all read these; none computes its own.

Clause status (:func:`clause_status`)
    Per contract × clause that has rules (RULES.md): 不適合 when a rule of the clause failed
    a unit of the contract, 未評価 when no rule of the clause judged any unit of it (no form,
    clause excluded, nothing to judge), 適合 otherwise. 未評価 is not 適合.

    *Contractor-wide units* (contract_id blank: 入退室記録 rows judged by C3-3, take-outs
    and copies whose 台帳番号 is unknown) belong to the contractor, not to one contract,
    and are judged against all of its contracts. They count for **every contract of that
    contractor**, except a contract that excludes the clause (適用除外条項). A contractor-wide
    failure therefore makes the clause 不適合 for each of its contracts. The contractor ×
    clause heatmap counts them once (:func:`contractor_clause_status`).

Risk score (:func:`risk_ranking`)
    ``score = W × (1 + log10(1 + V / 1000)) × S`` where

    - ``W = 3 × 重大 + 1 × 軽微 + 0.2 × 観察``: the contractor's findings weighted by severity
      (:data:`tokki_analytics.vocab.SEVERITY_WEIGHTS`; rule failures and its submission
      defects Q0–Q3, which carry a severity too);
    - ``V`` = 取扱件数: the sum of ``record_volume`` over its contracts in 委託契約一覧
      (blank counts 0). The volume factor grows by 1 for every tenfold of data: 1.0 for no
      records, about 2.0 for 9,000 records, about 3.0 for 99,000;
    - ``S = 1.5`` when any of its contracts handles 要配慮個人情報 (sensitive 有), else 1.0.

    A contractor without findings scores 0 whatever its volume: the score ranks where
    failures meet a lot of (sensitive) data. Findings the auditors marked 対象外（説明受領）
    in the follow-up record are not counted (``leave_out``); they stay listed.

Contractor names (:func:`contractor_names`)
    A contractor's name is its 受託者名 in 委託契約一覧 (the first non-blank one), else the
    part of its folder name after the code (``C001_岡山計算センター``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.findings import rollup
from tokki_analytics.forms import CONTRACTS
from tokki_analytics.vocab import (
    SEVERITIES,
    SEVERITY_WEIGHTS,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    expand_clauses,
    rule_clauses,
)

if TYPE_CHECKING:
    from tokki_analytics.pipeline import Audit

#: Factor of the risk score for a contractor handling 要配慮個人情報.
SENSITIVE_FACTOR = 1.5
#: Records per step of the volume factor's logarithm.
VOLUME_UNIT = 1000
RISK_FORMULA = "リスクスコア = W × (1 + log10(1 + V ÷ 1,000)) × S"
_UNITS = ["units_checked", "units_failed"]


# --- clause status ----------------------------------------------------------------------


def _excluded(value: object) -> frozenset[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return expand_clauses([str(v) for v in value])
    return frozenset()


def _status(checked: pd.Series, failed: pd.Series) -> np.ndarray:
    return np.select(
        [failed.to_numpy() > 0, checked.to_numpy() == 0],
        [STATUS_FAIL, STATUS_NOT_ASSESSED],
        STATUS_PASS,
    )


def _clause_units(compliance: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if compliance.empty:
        return pd.DataFrame(columns=[*by, *_UNITS])
    return compliance.groupby(by, as_index=False)[_UNITS].sum()


def clause_status(audit: Audit) -> pd.DataFrame:
    """Status of every contract × every clause that has rules.

    Contractor-wide units (contract_id blank) count for every contract of their contractor
    that does not exclude the clause (see the module docstring).

    Args:
        audit: The run.

    Returns:
        contractor_id, contract_id, clause, status (不適合 / 未評価 / 適合), units_checked,
        units_failed, rate (NaN when 未評価), excluded (the contract excludes the clause);
        contracts in 委託契約一覧 order, clauses in clause order.
    """
    contracts = audit.submission.contracts[["contractor_id", "contract_id", "excluded_clauses"]]
    clauses = pd.DataFrame({"clause": rule_clauses()})
    grid = contracts.merge(clauses, how="cross")
    grid["excluded"] = [
        clause in _excluded(ex)
        for clause, ex in zip(grid["clause"], grid["excluded_clauses"], strict=True)
    ]
    comp = audit.compliance.assign(contract_id=audit.compliance["contract_id"].fillna(""))
    own = _clause_units(comp[comp["contract_id"] != ""], ["contractor_id", "contract_id", "clause"])
    wide = _clause_units(comp[comp["contract_id"] == ""], ["contractor_id", "clause"])
    wide = wide.rename(columns={"units_checked": "wide_checked", "units_failed": "wide_failed"})
    out = grid.merge(own, on=["contractor_id", "contract_id", "clause"], how="left")
    out = out.merge(wide, on=["contractor_id", "clause"], how="left")
    counts = out[["units_checked", "units_failed", "wide_checked", "wide_failed"]]
    counts = counts.fillna(0).astype("int64")
    keep_wide = ~out["excluded"].to_numpy()
    out["units_checked"] = counts["units_checked"] + counts["wide_checked"] * keep_wide
    out["units_failed"] = counts["units_failed"] + counts["wide_failed"] * keep_wide
    out["status"] = _status(out["units_checked"], out["units_failed"])
    out["rate"] = 1 - out["units_failed"] / out["units_checked"].replace(0, np.nan)
    columns = ["contractor_id", "contract_id", "clause", "status", "units_checked"]
    return out[[*columns, "units_failed", "rate", "excluded"]].reset_index(drop=True)


def contractor_clause_status(audit: Audit) -> pd.DataFrame:
    """Status of every contractor (with contracts) × clause; contractor-wide units once.

    Args:
        audit: The run.

    Returns:
        contractor_id, clause, status, units_checked, units_failed, rate.
    """
    ids = sorted(audit.submission.contracts["contractor_id"].dropna().unique())
    grid = pd.DataFrame({"contractor_id": ids}).merge(
        pd.DataFrame({"clause": rule_clauses()}), how="cross"
    )
    comp = audit.compliance
    sums = (
        rollup(comp, ["contractor_id", "clause"])
        if len(comp)
        else pd.DataFrame(columns=["contractor_id", "clause", *_UNITS])
    )
    out = grid.merge(
        sums[["contractor_id", "clause", *_UNITS]], on=["contractor_id", "clause"], how="left"
    )
    out[_UNITS] = out[_UNITS].fillna(0).astype("int64")
    out["status"] = _status(out["units_checked"], out["units_failed"])
    out["rate"] = 1 - out["units_failed"] / out["units_checked"].replace(0, np.nan)
    return out[["contractor_id", "clause", "status", "units_checked", "units_failed", "rate"]]


# --- contractors ------------------------------------------------------------------------


def _folder_name(folder: object, bare_folder_name: bool) -> str:
    """The name part of a contractor folder (``C001_名称`` → 名称)."""
    name = str(folder).rsplit("/", 1)[-1]
    if "_" in name:
        return name.split("_", 1)[1]
    return name if bare_folder_name else ""


def contractor_names(
    audit: Audit, *, every_contract_row: bool = False, bare_folder_name: bool = True
) -> dict[str, str]:
    """Contractor id → company name, for every contractor of the run.

    The name is the contractor's first non-blank 受託者名 in 委託契約一覧, else the part of
    its folder name after the code. The two keywords keep what findings.xlsx has always
    named its sheets by; the report, the briefing and the notebooks use the defaults.

    Args:
        audit: The run.
        every_contract_row: Read 受託者名 from every row of 委託契約一覧 (also a row whose
            契約番号 is blank or repeated); by default only from the usable contracts.
        bare_folder_name: A folder without ``_名称`` (``C009``) gives its whole name; False
            gives "" (findings.xlsx then names the sheet by the code alone).

    Returns:
        Contractors of the folders, of 委託契約一覧 and of the findings, by id; "" where no
        name is known.
    """
    submission = audit.submission
    contracts = submission.frames.get(CONTRACTS.key) if every_contract_row else submission.contracts
    names: dict[str, str] = {}
    if contracts is not None and "contractor_name" in contracts:
        for code, name in zip(
            contracts["contractor_id"], contracts["contractor_name"], strict=True
        ):
            if isinstance(code, str) and code and isinstance(name, str) and name.strip():
                names.setdefault(code, name.strip())
    folders = submission.contractors
    for code, folder in zip(folders["contractor_id"], folders["folder"], strict=True):
        names.setdefault(str(code), _folder_name(folder, bare_folder_name))
    for code in audit.findings["contractor_id"].dropna().unique():
        if code:
            names.setdefault(str(code), "")
    return dict(sorted(names.items()))


def contractor_ids(audit: Audit) -> list[str]:
    """Every contractor of the run: folders, contracts and findings."""
    ids = set(audit.submission.contractors["contractor_id"].astype(str))
    ids |= set(audit.submission.contracts["contractor_id"].dropna().astype(str))
    ids |= {c for c in audit.findings["contractor_id"].astype(str) if c}
    return sorted(ids)


# --- risk ranking -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Exposure:
    """What a contractor's contracts hold: records, sensitive data, contract count."""

    record_volume: int
    sensitive: bool
    contracts: int


def _volume_factor(volume: float) -> float:
    return 1.0 + math.log10(1.0 + volume / VOLUME_UNIT)


def _components_text(counts: dict[str, int], weighted: float, exposure: _Exposure) -> str:
    parts = " + ".join(f"{s}{counts[s]}×{SEVERITY_WEIGHTS[s]:g}" for s in SEVERITIES if counts[s])
    text = f"W = {parts or '0'} = {weighted:g}"
    volume = f"×{_volume_factor(exposure.record_volume):.2f}（取扱件数 {exposure.record_volume:,}）"
    sensitive = f" ×{SENSITIVE_FACTOR:g}（要配慮個人情報）" if exposure.sensitive else ""
    return f"{text}; {volume}{sensitive}"


def _exposures(audit: Audit) -> dict[str, _Exposure]:
    """Records, sensitivity and contract count per contractor with contracts."""
    contracts = audit.submission.contracts
    by = contracts["contractor_id"]
    volumes = pd.to_numeric(contracts["record_volume"], errors="coerce").fillna(0).groupby(by)
    sensitive = (contracts["sensitive"].astype("str") == "有").groupby(by).any()
    sizes = contracts.groupby("contractor_id").size()
    return {
        str(cid): _Exposure(int(volume), bool(sensitive[cid]), int(sizes[cid]))
        for cid, volume in volumes.sum().items()
    }


def _ranking_row(
    cid: str, counts: dict[str, int], exposure: _Exposure, name: str, clauses_failed: int
) -> dict[str, object]:
    weighted = round(sum(SEVERITY_WEIGHTS[s] * counts[s] for s in SEVERITIES), 6)
    factor = _volume_factor(exposure.record_volume)
    sensitivity = SENSITIVE_FACTOR if exposure.sensitive else 1.0
    return {
        **counts,
        "weighted_failures": weighted,
        "record_volume": exposure.record_volume,
        "volume_factor": factor,
        "sensitive": exposure.sensitive,
        "sensitivity_factor": sensitivity,
        "contractor_id": cid,
        "name": name,
        "score": round(weighted * factor * sensitivity, 2),
        "contracts": exposure.contracts,
        "clauses_failed": clauses_failed,
        "components": _components_text(counts, weighted, exposure),
    }


def risk_ranking(audit: Audit, leave_out: pd.Index | None = None) -> pd.DataFrame:
    """Contractors ranked by risk score (formula in the module docstring and the report).

    Args:
        audit: The run.
        leave_out: Findings (index labels) not counted: those the auditors marked
            対象外（説明受領） in the follow-up record. The clause status is not changed.

    Returns:
        One row per contractor, highest score first: rank, contractor_id, name, score,
        components (the score written out), 重大, 軽微, 観察, weighted_failures,
        record_volume, volume_factor, sensitive, sensitivity_factor, contracts,
        clauses_failed.
    """
    names = contractor_names(audit)
    exposures = _exposures(audit)
    findings = audit.findings if leave_out is None else audit.findings.drop(index=leave_out)
    severity = pd.crosstab(findings["contractor_id"], findings["severity"])
    status = contractor_clause_status(audit)
    failed = (status["status"] == STATUS_FAIL).groupby(status["contractor_id"]).sum()
    none = _Exposure(0, False, 0)
    rows = []
    for cid in contractor_ids(audit):
        counts = {
            s: int(severity.at[cid, s]) if s in severity and cid in severity.index else 0
            for s in SEVERITIES
        }
        exposure = exposures.get(cid, none)
        clauses_failed = int(failed.get(cid, 0))
        rows.append(_ranking_row(cid, counts, exposure, names.get(cid, ""), clauses_failed))
    out = pd.DataFrame(rows).sort_values(["score", "contractor_id"], ascending=[False, True])
    out.insert(0, "rank", range(1, len(out) + 1))
    first = ["rank", "contractor_id", "name", "score", "components"]
    return out[[*first, *[c for c in out.columns if c not in first]]].reset_index(drop=True)
