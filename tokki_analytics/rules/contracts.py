"""契約単位 (view ``contracts``): one row per usable contract; C2-1, C7.5-1, P-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.rules.base import (
    Rule,
    View,
    between,
    either,
    fmt_date,
    fmt_int,
    in_set,
    line,
)
from tokki_analytics.rules.context import (
    DAY,
    SEP,
    Context,
    assessable,
    context,
    finish,
    flags,
    in_force,
    invalid,
    known,
    lookup,
    on_or_before,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "contracts"
#: P-1: an on-site inspection counts when it lies 0–365 days before as-of (RULES.md).
INSPECTION_WINDOW_DAYS = 365


def _c2_1(v: pd.DataFrame) -> pd.Series:
    return line("作業責任者が不在の期間: ", v["supervisor_gaps"])


C2_1 = Rule(
    id="C2-1",
    view=NAME,
    clause="第2",
    severity="重大",
    unit="contract",
    expectation=between("supervisor_gap_days", max_value=0),
    description="契約期間（基準日まで）の毎日に作業責任者が従事していること",
    detail=_c2_1,
    needs=("staff",),
)


def _c7_5_1(v: pd.DataFrame) -> pd.Series:
    return line("媒体点検の間隔が長すぎる: ", v["check_gaps"])


C7_5_1 = Rule(
    id="C7.5-1",
    view=NAME,
    clause="第7五",
    severity="軽微",
    unit="contract",
    expectation=between("check_gap_excess_days", max_value=0),
    description="媒体・バックアップの点検の間隔が所定の日数を超えないこと",
    detail=_c7_5_1,
    needs=("media_checks",),
    settings=("media_check_interval_days",),
)


def _p_1(v: pd.DataFrame) -> pd.Series:
    last, days = fmt_date(v["last_inspected_on"]), fmt_int(v["days_since_inspection"])
    since = line("直近の実地検査 ", last, " から ", days, "日")
    return either(v["last_inspected_on"].isna(), "検査履歴に実地検査の記録なし", since)


P_1 = Rule(
    id="P-1",
    view=NAME,
    clause="第13",
    severity="観察",
    unit="contract",
    expectation=in_set("inspected_within_year", True),
    description="実施中の契約に過去365日以内の実地検査があること",
    detail=_p_1,
    needs=("inspections",),
)


def _gap_list(starts: pd.Series, ends: pd.Series, days: pd.Series) -> pd.Series:
    """``YYYY-MM-DD〜YYYY-MM-DD（N日）`` per gap."""
    count = days.astype("int64").astype("str")
    return (
        starts.dt.strftime("%Y-%m-%d") + "〜" + ends.dt.strftime("%Y-%m-%d") + "（" + count + "日）"
    )


def _uncovered(intervals: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Days of each contract's [lo, hi] that no interval covers.

    Args:
        intervals: contract_id, start, end (inclusive dates).
        bounds: contract_id, lo, hi (inclusive dates), one row per contract.

    Returns:
        One row per uncovered stretch: contract_id, start, end (inclusive).
    """
    iv = intervals.merge(bounds, on="contract_id")
    iv = iv[(iv["start"] <= iv["hi"]) & (iv["end"] >= iv["lo"])]
    iv = pd.DataFrame(
        {
            "contract_id": iv["contract_id"],
            "start": iv[["start", "lo"]].max(axis=1),
            "end": iv[["end", "hi"]].min(axis=1),
        }
    )
    edges = pd.concat(
        [
            pd.DataFrame({"contract_id": bounds["contract_id"], "start": bounds["lo"] - DAY}),
            pd.DataFrame({"contract_id": bounds["contract_id"], "start": bounds["hi"] + DAY}),
        ]
    ).assign(end=lambda f: f["start"])
    iv = pd.concat([iv, edges], ignore_index=True).sort_values(
        ["contract_id", "start", "end"], kind="stable"
    )
    covered = iv.groupby("contract_id")["end"].cummax()
    before = covered.groupby(iv["contract_id"]).shift()
    gap = iv["start"] > before + DAY
    return pd.DataFrame(
        {
            "contract_id": iv.loc[gap, "contract_id"],
            "start": before[gap] + DAY,
            "end": iv.loc[gap, "start"] - DAY,
        }
    )


def _gap_summary(gaps: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Per contract (rows of ``ids``): total and longest gap in days, and the gap list.

    Args:
        gaps: contract_id, start, end, days: one row per gap.
        ids: The contract ids of the view rows.
    """
    gaps = gaps.assign(text=_gap_list(gaps["start"], gaps["end"], gaps["days"]))
    grouped = gaps.groupby("contract_id")
    out = pd.DataFrame(
        {
            "total": grouped["days"].sum(),
            "longest": grouped["days"].max(),
            "text": grouped["text"].agg(SEP.join),
        }
    ).reindex(ids.to_numpy())
    return out.set_axis(ids.index)


def _supervisor_gaps(ctx: Context, contracts: pd.DataFrame, judged: np.ndarray) -> pd.DataFrame:
    """C2-1: stretches of the contract period up to as-of without an active 作業責任者."""
    staff = ctx.sub.frames["staff"]
    keep = known(staff) & flags(staff["role"] == "作業責任者") & flags(staff["start_date"].notna())
    sup = staff[keep]
    intervals = pd.DataFrame(
        {
            "contract_id": sup["contract_id"].astype(object),
            "start": sup["start_date"],
            "end": sup["end_date"].fillna(pd.Timestamp.max.normalize()),
        }
    )
    c = contracts[judged]
    bounds = pd.DataFrame(
        {
            "contract_id": c["contract_id"].astype(object),
            "lo": c["start_date"],
            "hi": c["end_date"].clip(upper=ctx.as_of),
        }
    )
    gaps = _uncovered(intervals, bounds)
    gaps["days"] = (gaps["end"] - gaps["start"]) / DAY + 1
    return _gap_summary(gaps, contracts["contract_id"])


def _check_gaps(ctx: Context, contracts: pd.DataFrame, judged: np.ndarray) -> pd.DataFrame:
    """C7.5-1: gaps between the contract's start, its media checks and min(end, as-of)."""
    checks = ctx.sub.frames["media_checks"]
    keep = known(checks) & on_or_before(ctx, checks["checked_on"])
    c = contracts[judged]
    lo, hi = c["start_date"], c["end_date"].clip(upper=ctx.as_of)
    points = pd.concat(
        [
            pd.DataFrame({"contract_id": c["contract_id"], "on": lo}),
            pd.DataFrame(
                {
                    "contract_id": checks.loc[keep, "contract_id"],
                    "on": checks.loc[keep, "checked_on"],
                }
            ),
            pd.DataFrame({"contract_id": c["contract_id"], "on": hi}),
        ],
        ignore_index=True,
    ).astype({"contract_id": object})
    bounds = pd.DataFrame({"contract_id": c["contract_id"].astype(object), "lo": lo, "hi": hi})
    points = points.merge(bounds, on="contract_id")
    points["on"] = points["on"].clip(lower=points["lo"], upper=points["hi"])
    points = points.sort_values(["contract_id", "on"], kind="stable")
    before = points.groupby("contract_id")["on"].shift()
    step = (points["on"] - before) / DAY
    long = step > ctx.settings.media_check_interval_days
    gaps = pd.DataFrame(
        {
            "contract_id": points.loc[long, "contract_id"],
            "start": before[long],
            "end": points.loc[long, "on"],
            "days": step[long],
        }
    )
    summary = _gap_summary(gaps, contracts["contract_id"])
    longest = step.groupby(points["contract_id"]).max().reindex(contracts["contract_id"].to_numpy())
    summary["longest"] = longest.to_numpy()
    return summary


def _inspections(ctx: Context, contracts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """P-1: the latest inspection on or before as-of, and its age in days, per contract."""
    insp = ctx.sub.frames["inspections"]
    keep = ~flags(insp["_unknown_contract"]) & on_or_before(ctx, insp["inspected_on"])
    latest = insp[keep].groupby("contract_id")["inspected_on"].max()
    last = lookup(contracts["contract_id"], latest.astype("datetime64[ns]"))
    return last, (ctx.as_of - last) / DAY


def contracts_view(sub: Submission) -> pd.DataFrame:
    """One row per usable contract: C2-1, C7.5-1, P-1.

    C2-1 and C7.5-1 compute their gaps only for the contracts they judge (their clause in
    force, their reference form usable); other contracts show no gap.
    """
    ctx = context(sub)
    c = sub.contracts.drop_duplicates("contract_id").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "contractor_id": c["contractor_id"].astype("str"),
            "contract_id": c["contract_id"].astype("str"),
            "_form": "",
            "_source": "",
            "_sheet": "",
            "_row": pd.array([pd.NA] * len(c), dtype="Int64"),
            "start_date": c["start_date"],
            "end_date": c["end_date"],
        }
    )
    base = flags(c["start_date"].notna()) & flags(c["end_date"].notna())
    started = base & flags(c["start_date"] <= ctx.as_of)
    judge_21 = started & in_force(ctx, out, C2_1) & assessable(ctx, out, C2_1)
    gaps = _supervisor_gaps(ctx, c, judge_21)
    out["supervisor_gap_days"] = gaps["total"].fillna(0.0).astype("float64")
    out["supervisor_gaps"] = gaps["text"].fillna("").astype("str")

    electronic = flags(c["handles_electronic"] != "無") & ~invalid(c, "handles_electronic")
    judge_751 = started & electronic & in_force(ctx, out, C7_5_1) & assessable(ctx, out, C7_5_1)
    checks = _check_gaps(ctx, c, judge_751)
    interval = ctx.settings.media_check_interval_days
    out["check_gap_excess_days"] = (checks["longest"].fillna(0.0) - interval).astype("float64")
    out["check_gaps"] = checks["text"].fillna("").astype("str")

    last, age = _inspections(ctx, c)
    out["last_inspected_on"] = last
    out["days_since_inspection"] = age.astype("float64")
    out["inspected_within_year"] = flags(age <= INSPECTION_WINDOW_DAYS)
    current = base & started & flags(c["end_date"] >= ctx.as_of)
    return finish(ctx, out, {C2_1: judge_21, C7_5_1: judge_751, P_1: current})


VIEW = View(
    name=NAME,
    title="契約単位",
    units=("contracts",),
    build=contracts_view,
    rules=(C2_1, C7_5_1, P_1),
)
