"""作業従事者名簿_年度別研修 (view ``staff_years``): roster row × closed fiscal year; C5-2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.rules.base import Rule, View, fiscal_year_label, fmt_text, in_set, line
from tokki_analytics.rules.context import context, finish, flags, invalid, known, origin
from tokki_analytics.rules.staff import initial_training, staff_trainings

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "staff_years"


def _c5_2(v: pd.DataFrame) -> pd.Series:
    year, person = fiscal_year_label(v["fiscal_year"]), fmt_text(v["person_id"])
    return line(year, "に研修記録なし（従事者ID ", person, "）")


C5_2 = Rule(
    id="C5-2",
    view=NAME,
    clause="第5",
    severity="軽微",
    unit="staff row × fiscal year",
    expectation=in_set("trained_in_year", True),
    description="従事した各年度（4月〜3月）に研修を受けていること",
    detail=_c5_2,
    needs=("training",),
    # in the year of 従事開始日, a training C5-1 counts also counts here (RULES.md)
    settings=("training_grace_days",),
)


def fiscal_year(values: pd.Series) -> pd.Series:
    """The fiscal year (April–March, named by its starting calendar year) of each date."""
    return values.dt.year - (values.dt.month < 4)


def last_closed_fiscal_year(as_of: pd.Timestamp) -> int:
    """The latest fiscal year that ended (31 March) on or before ``as_of``."""
    return as_of.year - 1 if (as_of.month, as_of.day) >= (3, 31) else as_of.year - 2


def staff_years_view(sub: Submission) -> pd.DataFrame:
    """One row per roster row × closed fiscal year in which the person was active: C5-2."""
    ctx = context(sub)
    f = sub.frames["staff"]
    f = f[flags(f["start_date"].notna())]
    first = fiscal_year(f["start_date"]).to_numpy(dtype="int64")
    closed = last_closed_fiscal_year(ctx.as_of)
    end_fy = fiscal_year(f["end_date"]).fillna(closed).to_numpy(dtype="int64")
    last = np.minimum(end_fy, closed)
    count = np.clip(last - first + 1, 0, None)
    rows = np.repeat(np.arange(len(f)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    years = f.iloc[rows]
    out = origin(years, "staff")
    out["person_id"] = years["person_id"]
    out["start_date"] = years["start_date"]
    out["end_date"] = years["end_date"]
    out["fiscal_year"] = (first[rows] + offset).astype("int64")
    out = out.reset_index(drop=True)
    initial = initial_training(ctx, f)["trained_in_time"].to_numpy()[rows]
    in_year = np.zeros(len(rows), dtype=bool)
    held = staff_trainings(ctx, f)
    if len(held) and len(rows):
        expanded = pd.DataFrame({"_i": rows, "_y": np.arange(len(rows)), "fy": out["fiscal_year"]})
        held = expanded.merge(held, on="_i")
        hit = held.loc[fiscal_year(held["held_on"]) == held["fy"], "_y"].unique()
        in_year[hit] = True
    start_year = out["fiscal_year"].to_numpy() == first[rows]
    out["trained_in_year"] = in_year | (start_year & initial)
    years = years.reset_index(drop=True)
    judge = (
        known(years) & ~invalid(years, "end_date", "person_id") & flags(years["person_id"].notna())
    )
    return finish(ctx, out, {C5_2: judge})


VIEW = View(
    name=NAME,
    title="作業従事者名簿_年度別研修",
    units=("staff",),
    build=staff_years_view,
    rules=(C5_2,),
)
