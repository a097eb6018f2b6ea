"""点検報告 (view ``inspection_requests``): one row per inspection request; C12-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import Rule, View, between, either, fmt_date, fmt_int, line
from tokki_analytics.rules.context import (
    context,
    days_between,
    finish,
    flags,
    invalid,
    known,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "inspection_requests"


def _c12_1(v: pd.DataFrame) -> pd.Series:
    req, days = fmt_date(v["requested_on"]), fmt_int(v["report_after_days"])
    blank = line("報告日が空欄（依頼日 ", req, " から ", days, "日経過）")
    late = line("報告日 ", fmt_date(v["reported_on"]), " が依頼日 ", req, " の ", days, "日後")
    return either(v["reported_on"].isna(), blank, late)


C12_1 = Rule(
    id="C12-1",
    view=NAME,
    clause="第12",
    severity="軽微",
    unit="request row",
    expectation=between("report_excess_days", max_value=0),
    description="点検依頼に所定の日数内に報告していること",
    detail=_c12_1,
    settings=("inspection_report_days",),
)


def inspection_requests_view(sub: Submission) -> pd.DataFrame:
    """One row per inspection request: C12-1."""
    ctx = context(sub)
    f = sub.frames["inspection_requests"]
    out = origin(f, "inspection_requests")
    for column in ("requested_on", "reported_on"):
        out[column] = f[column]
    until = f["reported_on"].fillna(ctx.as_of)
    out["report_after_days"] = days_between(until, f["requested_on"]).astype("float64")
    out["report_excess_days"] = out["report_after_days"] - ctx.settings.inspection_report_days
    due = flags(f["reported_on"].notna()) | flags(out["report_excess_days"] > 0)
    judge = known(f) & ~invalid(f, "requested_on", "reported_on") & due
    judge &= on_or_before(ctx, f["requested_on"])
    return finish(ctx, out, {C12_1: judge})


VIEW = View(
    name=NAME,
    title="点検報告",
    units=("inspection_requests",),
    build=inspection_requests_view,
    rules=(C12_1,),
)
