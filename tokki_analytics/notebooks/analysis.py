"""Analyses behind the ``02_comparison``, ``03_clause`` and ``04_incidents`` notebooks.

Pure functions of an :class:`~tokki_analytics.pipeline.Audit` (from
:func:`tokki_analytics.pipeline.open_run`), so the notebooks only call and display.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.pipeline import Audit
from tokki_analytics.render.charts import figure, heatmap_png
from tokki_analytics.rules import judge_column
from tokki_analytics.status import (
    clause_status,
    contractor_clause_status,
    contractor_names,
    risk_ranking,
)
from tokki_analytics.vocab import SEVERITY_ORDER, STATUS_FAIL, clause_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Contract size bands by 取扱件数 (record_volume): lower bound → label.
SIZE_BANDS = ((0, "〜999件"), (1_000, "1,000〜9,999件"), (10_000, "10,000〜99,999件"))
SIZE_TOP = (100_000, "100,000件〜")


def _rate(failed: pd.Series, checked: pd.Series) -> pd.Series:
    return 1 - failed / checked.replace(0, np.nan)


def heatmap(audit: Audit) -> bytes:
    """Contractors × clauses heatmap as PNG bytes (the HTML report's chart)."""
    import base64

    return base64.b64decode(heatmap_png(contractor_clause_status(audit), contractor_names(audit)))


def status_matrix(audit: Audit) -> pd.DataFrame:
    """Contractor × clause status table (適合 / 不適合 / 未評価)."""
    status = contractor_clause_status(audit)
    table = status.pivot(index="contractor_id", columns="clause", values="status")
    return table[list(dict.fromkeys(status["clause"]))]


def _group_status(audit: Audit, key: pd.Series, label: str) -> pd.DataFrame:
    status = clause_status(audit)
    status = status.assign(**{label: status["contract_id"].map(key)})
    status["failed_cell"] = status["status"] == STATUS_FAIL
    out = status.groupby(label, as_index=False).agg(
        contracts=("contract_id", "nunique"),
        clauses_failed=("failed_cell", "sum"),
        units_checked=("units_checked", "sum"),
        units_failed=("units_failed", "sum"),
    )
    out["clauses_failed_per_contract"] = out["clauses_failed"] / out["contracts"]
    out["rate"] = _rate(out["units_failed"], out["units_checked"])
    return out.sort_values("clauses_failed_per_contract", ascending=False).reset_index(drop=True)


def by_department(audit: Audit) -> pd.DataFrame:
    """Per 担当課: contracts, failing clause × contract cells (total and per contract), rate."""
    contracts = audit.submission.contracts
    key = contracts.set_index("contract_id")["department"].astype(str)
    return _group_status(audit, key[~key.index.duplicated()], "department")


def size_band(volume: float) -> str:
    """The size band label of a contract's 取扱件数."""
    if volume >= SIZE_TOP[0]:
        return SIZE_TOP[1]
    label = SIZE_BANDS[0][1]
    for bound, name in SIZE_BANDS:
        if volume >= bound:
            label = name
    return label


def by_size(audit: Audit) -> pd.DataFrame:
    """Per contract size band (取扱件数): contracts, failing cells, rate."""
    contracts = audit.submission.contracts
    volume = pd.to_numeric(contracts["record_volume"], errors="coerce").fillna(0)
    key = pd.Series(volume.map(size_band).to_numpy(), index=contracts["contract_id"])
    return _group_status(audit, key[~key.index.duplicated()], "size")


def by_employment(audit: Audit) -> pd.DataFrame:
    """Per employment type of the roster (第10: 派遣労働者等): staff, findings on them.

    A roster row counts as having a finding when a finding of the 作業従事者名簿 form
    points at its source row.

    Returns:
        employment, staff, staff_with_findings, findings, share (staff_with_findings ÷ staff).
    """
    from tokki_analytics.notebooks.onsite import finding_counts

    staff = audit.submission.frames["staff"]
    frame = pd.DataFrame(
        {
            "employment": staff["employment"]
            .astype(str)
            .where(staff["employment"].notna(), "不明"),
            "n": finding_counts(staff, audit.findings, "staff").to_numpy(),
        }
    )
    out = frame.groupby("employment", as_index=False).agg(
        staff=("n", "size"),
        staff_with_findings=("n", lambda s: int((s > 0).sum())),
        findings=("n", "sum"),
    )
    out["share"] = out["staff_with_findings"] / out["staff"]
    return out.sort_values("share", ascending=False).reset_index(drop=True)


def _inspection_reasons(audit: Audit) -> dict[str, list[str]]:
    """Contractor → ``契約番号: …`` for each contract P-1 fails (read from the contracts view)."""
    view = audit.views.get("contracts")
    reasons: dict[str, list[str]] = {}
    if view is None or view.empty:
        return reasons
    failing = view[view[judge_column("P-1")] & ~view["inspected_within_year"].astype(bool)]
    for row in failing.itertuples(index=False):
        days = row.days_since_inspection
        age = "実地検査の記録なし" if pd.isna(days) else f"直近の実地検査から{int(days)}日"
        reasons.setdefault(str(row.contractor_id), []).append(f"{row.contract_id}: {age}")
    return reasons


def inspection_targets(audit: Audit, top: int = 3) -> pd.DataFrame:
    """Proposed inspection targets: the top risk scores plus the contracts P-1 fails.

    A contract is proposed for want of inspection exactly when P-1 fails it, as the
    contracts view decides (``judge__P-1``, ``inspected_within_year``): a current contract
    whose clause 第13 is not excluded, with no on-site inspection in 検査履歴 within
    :data:`tokki_analytics.rules.contracts.INSPECTION_WINDOW_DAYS` days (only when 検査履歴
    is given). A contract whose period has ended is not proposed.

    Args:
        audit: The run.
        top: How many of the highest (non-zero) risk scores to propose.

    Returns:
        contractor_id, name, score, reasons (Japanese), one row per contractor, highest
        score first.
    """
    ranking = risk_ranking(audit)
    reasons: dict[str, list[str]] = {}
    for row in ranking[ranking["score"] > 0].head(top).itertuples(index=False):
        reasons.setdefault(row.contractor_id, []).append(f"リスクスコア上位（{row.rank}位）")
    for cid, items in _inspection_reasons(audit).items():
        reasons.setdefault(cid, []).extend(items)
    score = ranking.set_index("contractor_id")
    out = pd.DataFrame(
        [
            {
                "contractor_id": cid,
                "name": score.at[cid, "name"] if cid in score.index else "",
                "score": float(score.at[cid, "score"]) if cid in score.index else 0.0,
                "reasons": "、".join(items),
            }
            for cid, items in reasons.items()
        ],
        columns=["contractor_id", "name", "score", "reasons"],
    )
    return out.sort_values(["score", "contractor_id"], ascending=[False, True]).reset_index(
        drop=True
    )


# --- one clause --------------------------------------------------------------------------


def clause_rates(audit: Audit, clause: str) -> pd.DataFrame:
    """One clause across contractors: status, units checked/failed, rate; worst first."""
    status = contractor_clause_status(audit)
    own = status[status["clause"] == clause].copy()
    own.insert(1, "name", own["contractor_id"].map(contractor_names(audit)))
    return own.sort_values(["rate", "contractor_id"], na_position="last").reset_index(drop=True)


def clause_failure_rate(audit: Audit, clause: str) -> float:
    """The share of assessed contractors that fail ``clause`` (NaN when none is assessed)."""
    rates = clause_rates(audit, clause)
    assessed = rates[rates["units_checked"] > 0]
    return float((assessed["units_failed"] > 0).mean()) if len(assessed) else float("nan")


def worst_cases(audit: Audit, clause: str, limit: int = 10) -> pd.DataFrame:
    """The clause's findings, most severe first, then by contractor (at most ``limit``)."""
    f = audit.findings[audit.findings["clause"] == clause]
    order = f["severity"].map(SEVERITY_ORDER).fillna(9)
    f = f.assign(_order=order).sort_values(["_order", "contractor_id", "rule_id"], kind="stable")
    return f.drop(columns="_order").head(limit).reset_index(drop=True)


def clause_trend(store_dir: Path | str, data_dir: Path | str, clause: str) -> pd.DataFrame:
    """The clause's rate per stored run × contractor, read from the history store.

    Args:
        store_dir: The history folder (``tokki run --history``).
        data_dir: The data folder the runs are keyed by.
        clause: The clause, e.g. ``第3``.

    Returns:
        run_id, run_at, as_of, contractor_id, units_checked, units_failed, rate; oldest run
        first; empty when the store or the folder has no run.
    """
    from tokki_analytics.history import DB_NAME

    columns = ["run_id", "run_at", "as_of", "contractor_id", "units_checked", "units_failed"]
    path = Path(store_dir).expanduser() / DB_NAME
    if not path.is_file():
        return pd.DataFrame(columns=[*columns, "rate"])
    key = str(Path(data_dir).resolve())
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        out = pd.read_sql_query(
            "SELECT r.run_id, r.run_at, r.as_of, c.contractor_id, c.units_checked, "
            "c.units_failed, c.rate FROM compliance c JOIN runs r ON r.run_id = c.run_id "
            "WHERE r.data_dir = ? AND c.clause = ? ORDER BY r.run_at, r.run_id, c.contractor_id",
            con,
            params=(key, clause),
        )
    out["run_at"] = pd.to_datetime(out["run_at"])
    return out


# --- incidents ---------------------------------------------------------------------------


def incidents(audit: Audit) -> pd.DataFrame:
    """Every incident with its reporting delay and whether the PPC must be told.

    Returns:
        contractor_id, contract_id, incident_id, occurred_at, discovered_at, reported_at,
        report_hours, report_excess_hours (over the allowed hours; > 0 is late), late,
        records_affected, sensitive, ppc_reportable.
    """
    view = audit.views.get("incidents")
    columns = ["contractor_id", "contract_id", "incident_id", "occurred_at", "discovered_at"]
    columns += ["reported_at", "report_hours", "report_excess_hours"]
    if view is None or view.empty:
        return pd.DataFrame(columns=[*columns, "late", "records_affected", "ppc_reportable"])
    out = view[[*columns, "records_affected", "sensitive", "ppc_reportable"]].copy()
    out.insert(8, "late", out["report_excess_hours"].fillna(0) > 0)
    return out.sort_values(["contractor_id", "discovered_at"]).reset_index(drop=True)


def incident_relation(audit: Audit) -> pd.DataFrame:
    """Per contractor: incidents, late reports, PPC cases, other findings and risk score.

    ``other_findings`` counts findings outside 第14 (the incident clause itself), so the
    table shows whether contractors with incidents also fail the other clauses.
    """
    inc = incidents(audit)
    ranking = risk_ranking(audit).set_index("contractor_id")
    findings = audit.findings
    other = findings[findings["clause"] != "第14"]["contractor_id"].value_counts()
    per = inc.groupby("contractor_id").agg(
        incidents=("incident_id", "size"),
        late_reports=("late", "sum"),
        ppc_reportable=("ppc_reportable", "sum"),
    )
    out = pd.DataFrame({"contractor_id": ranking.index})
    out["name"] = out["contractor_id"].map(ranking["name"])
    for column in ("incidents", "late_reports", "ppc_reportable"):
        out[column] = out["contractor_id"].map(per[column]).fillna(0).astype("int64")
    out["other_findings"] = out["contractor_id"].map(other).fillna(0).astype("int64")
    out["score"] = out["contractor_id"].map(ranking["score"])
    return out.sort_values(["incidents", "score"], ascending=False).reset_index(drop=True)


def incident_correlation(relation: pd.DataFrame) -> float:
    """Spearman correlation of incidents with other findings (NaN when undefined)."""
    if len(relation) < 3 or relation["incidents"].nunique() < 2:
        return float("nan")
    return float(
        relation["incidents"].rank().corr(relation["other_findings"].rank(), method="pearson")
    )


def run_labels(runs: pd.DataFrame) -> list[str]:
    """Names of stored runs (oldest first), e.g. ``1回目 2026-01-31 02:00（基準日 …）``."""
    return [
        f"{n}回目 {at:%Y-%m-%d %H:%M}（基準日 {as_of}）"
        for n, (at, as_of) in enumerate(zip(runs["run_at"], runs["as_of"], strict=True), start=1)
    ]


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """Failed units per contractor (rows) × stored run (columns ``n回目 …``, oldest first)."""
    if trend.empty:
        return pd.DataFrame()
    runs = trend.drop_duplicates("run_id")
    names = dict(zip(runs["run_id"], run_labels(runs), strict=True))
    table = trend.pivot(index="contractor_id", columns="run_id", values="units_failed")
    table = table[list(runs["run_id"])].rename(columns=names)
    table.columns.name = None
    return table


def trend_figure(trend: pd.DataFrame, clause: str) -> Figure:
    """The clause's failed units per run, one line per contractor (Agg canvas, no pyplot).

    Counts rather than rates: with thousands of units a rate hides a handful of failures.
    Runs are evenly spaced in run order and labelled with their run time and as-of date, so
    that runs made on the same day stay apart.
    """
    from matplotlib.ticker import MaxNLocator

    fig = figure(9, 4.5)
    ax = fig.add_subplot()
    runs = trend.drop_duplicates("run_id")[["run_id", "run_at", "as_of"]].reset_index(drop=True)
    position = {run_id: i for i, run_id in enumerate(runs["run_id"])}
    for cid, group in trend.groupby("contractor_id"):
        ax.plot(group["run_id"].map(position), group["units_failed"], marker="o", label=str(cid))
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels([label.replace(" ", "\n", 1) for label in run_labels(runs)], fontsize=8)
    ax.set_xlim(-0.5, max(len(runs) - 0.5, 0.5))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{clause_label(clause)} の不適合件数の推移（保存された実行ごと）")
    ax.set_ylabel("不適合件数")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if len(trend):
        ax.legend(fontsize=8, loc="upper left", ncols=min(4, trend["contractor_id"].nunique()))
    fig.tight_layout()
    return fig


#: Incidents the incident chart draws at most; the latest reports (and unreported) first.
INCIDENT_BARS = 40


def incident_bars(table: pd.DataFrame, limit: int | None = None) -> tuple[pd.DataFrame, str]:
    """The incidents the chart draws (at most ``limit``) and a note of those left out.

    The chart keeps the incidents reported latest against the deadline (unreported ones
    first), in the table's order, so that its size stays bounded whatever the data.

    Args:
        table: :func:`incidents`.
        limit: Bars at most (default :data:`INCIDENT_BARS`).

    Returns:
        The rows drawn, and the Japanese / English note ('' when none is left out).
    """
    limit = INCIDENT_BARS if limit is None else limit
    if len(table) <= limit:
        return table, ""
    excess = table["report_excess_hours"].astype("float64").fillna(np.inf).to_numpy()
    chosen = np.sort(np.argsort(-excess, kind="stable")[:limit])
    left = len(table) - limit
    note = (
        f"グラフには事故 {len(table):,} 件のうち報告の遅れが大きい {limit:,} 件を描いています"
        f"（ほか {left:,} 件は描いていません） / The chart draws the {limit:,} incidents "
        f"reported latest of {len(table):,} ({left:,} more are not drawn)"
    )
    return table.iloc[chosen].reset_index(drop=True), note


#: Tick labels of the incident chart's hours axis.
HOUR_TICKS = {0: "0", 12: "12", 24: "24", 48: "48", 72: "72", 168: "168（7日）", 720: "720（30日）"}
HOUR_TICKS |= {2160: "2,160（90日）", 8760: "8,760（1年）"}


def incident_figure(table: pd.DataFrame, allowed_hours: float) -> Figure:
    """Hours from discovery to report per incident, with the allowed time as a line.

    At most :data:`INCIDENT_BARS` bars are drawn (:func:`incident_bars`).
    """
    table, _ = incident_bars(table)
    fig = figure(8, 0.8 + 0.35 * max(3, len(table)))
    ax = fig.add_subplot()
    labels = [f"{c} {i}" for c, i in zip(table["contractor_id"], table["incident_id"], strict=True)]
    hours = table["report_hours"].fillna(0).to_numpy()
    colors = ["#c0392b" if late else "#4a7ab5" for late in table["late"]]
    ax.barh(range(len(table)), hours, color=colors)
    ax.axvline(allowed_hours, color="#444444", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(table)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=24)
    ticks = [t for t in HOUR_TICKS if t <= max(float(hours.max(initial=0)), allowed_hours) * 1.2]
    ax.set_xticks(ticks)
    ax.set_xticklabels([HOUR_TICKS[t] for t in ticks], fontsize=8)
    ax.set_xlabel("発覚から報告までの時間（時間、破線は期限）")
    ax.set_title("事故報告の所要時間（赤は期限超過・未報告）")
    fig.tight_layout()
    return fig


def overdue_ranking(audit: Audit) -> pd.DataFrame:
    """Contractors by follow-up: most overdue instructions first, then recurring findings.

    From the follow-up record of the data folder carried over to this run
    (:func:`tokki_analytics.followup_report.run_follow_up`); only contractors with an
    instruction, a recurring or an accepted finding. Empty for a run reopened from its
    output folder (its findings carry no units, so no identities).
    """
    from tokki_analytics.followup_report import (
        SUMMARY_COLUMNS,
        contractor_summary,
        run_follow_up,
    )

    columns = ["contractor_id", "name", *SUMMARY_COLUMNS.values()]
    try:
        followup = run_follow_up(audit)
    except ValueError:
        return pd.DataFrame(columns=columns)
    counts = contractor_summary(followup.open_items)
    active = counts[["instructed", "overdue", "recurring", "accepted"]].sum(axis=1) > 0
    counts = counts[active].sort_values(
        ["overdue", "recurring", "instructed"], ascending=False, kind="stable"
    )
    names = contractor_names(audit)
    out = counts.rename(columns=SUMMARY_COLUMNS).reset_index(names="contractor_id")
    out.insert(1, "name", out["contractor_id"].map(names).fillna(""))
    return out[columns].reset_index(drop=True)
