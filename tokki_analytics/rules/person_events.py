"""記録上の従事者 (view ``person_events``): one row per 入退室・持出・複製 record; C3-3."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.rules.base import Rule, View, either, fmt_date, fmt_text, in_set, line
from tokki_analytics.rules.context import (
    Context,
    context,
    finish,
    flags,
    in_force,
    invalid,
    on_or_before,
    origin,
    roster,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "person_events"
#: The forms whose rows name a person at a time: (form key, its date-time column).
PERSON_EVENT_FORMS = (("access", "at"), ("takeout", "taken_at"), ("copies", "at"))


def _c3_3(v: pd.DataFrame) -> pd.Series:
    why = either(v["on_roster"], "従事期間外または届出前", "作業従事者名簿にない")
    person, day = fmt_text(v["person_id"]), fmt_date(v["event_at"])
    return line(
        "従事者ID ", person, " は ", day, " に従事中の届出済み作業従事者ではない（", why, "）"
    )


C3_3 = Rule(
    id="C3-3",
    view=NAME,
    clause="第3",
    severity="重大",
    unit="log row",
    expectation=in_set("notified_active", True),
    description="入退室・持出・複製の記録上の人物が、その日に従事中の届出済み作業従事者であること",
    detail=_c3_3,
    needs=("staff",),
)


def _person_event_part(ctx: Context, form_key: str, column: str) -> pd.DataFrame:
    f = ctx.sub.frames[form_key]
    out = origin(f, form_key)
    out["person_id"] = f["person_id"]
    out["event_at"] = f[column]
    judged = ~flags(f["_unknown_contract"]) & ~invalid(f, column, "person_id")
    judged &= on_or_before(ctx, f[column]) & flags(f["person_id"].notna())
    out["_judged"] = judged & in_force(ctx, out, C3_3)
    return out


def active_notified(
    ctx: Context, contractors: pd.Series, persons: pd.Series, days: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each (contractor, person, day) is an active notified worker, and on the roster.

    Active notified: a roster row of the contractor (any contract) for that person with
    届出日 ≤ day and 従事開始日 ≤ day ≤ 従事終了日 (blank end: still working).

    Returns:
        (active and notified on that day, on the contractor's roster at all).
    """
    staff = roster(ctx)
    n = len(contractors)
    who = pd.concat([contractors, staff["contractor_id"]], ignore_index=True).astype(object)
    pid = pd.concat([persons, staff["person_id"]], ignore_index=True).astype(object)
    ccode, _ = pd.factorize(who)
    pcode, puniq = pd.factorize(pid)
    code = ccode.astype("int64") * (len(puniq) + 1) + pcode
    event_code, roster_code = code[:n], code[n:]
    on_roster = pd.Series(event_code).isin(pd.unique(roster_code)).to_numpy(dtype=bool)
    notified = staff["notified_on"].notna().to_numpy()
    lo = staff[["start_date", "notified_on"]].max(axis=1)[notified].to_numpy("datetime64[D]")
    hi = staff["end_date"][notified].fillna(pd.Timestamp.max).to_numpy("datetime64[D]")
    day = days.to_numpy("datetime64[D]").astype("int64")
    base = day.min() if n else 0
    span = int(day.max() - base + 1) if n else 1
    event_key = event_code * span + (day - base)
    keys = pd.DataFrame({"code": event_code, "day": day}).drop_duplicates()
    iv = pd.DataFrame(
        {"code": roster_code[notified], "lo": lo.astype("int64"), "hi": hi.astype("int64")}
    )
    hit = keys.merge(iv, on="code")
    hit = hit[(hit["lo"] <= hit["day"]) & (hit["day"] <= hit["hi"])]
    good = hit["code"].to_numpy() * span + (hit["day"].to_numpy() - base)
    return pd.Series(event_key).isin(pd.unique(good)).to_numpy(dtype=bool), on_roster


def person_events_view(sub: Submission) -> pd.DataFrame:
    """One row per 入退室記録, 持出記録 and 複製記録 row: C3-3.

    The roster is looked up only for the rows C3-3 judges (its clause in force).
    """
    ctx = context(sub)
    out = pd.concat(
        [_person_event_part(ctx, key, column) for key, column in PERSON_EVENT_FORMS],
        ignore_index=True,
    )
    judged = out.pop("_judged").to_numpy(dtype=bool)
    idx = np.flatnonzero(judged)
    active = np.zeros(len(out), dtype=bool)
    listed = np.zeros(len(out), dtype=bool)
    if len(idx):
        sel = out.iloc[idx]
        a, r = active_notified(
            ctx, sel["contractor_id"], sel["person_id"], sel["event_at"].dt.normalize()
        )
        active[idx], listed[idx] = a, r
    out["on_roster"] = listed
    out["notified_active"] = active
    return finish(ctx, out, {C3_3: judged})


VIEW = View(
    name=NAME,
    title="記録上の従事者",
    units=tuple(key for key, _ in PERSON_EVENT_FORMS),
    build=person_events_view,
    rules=(C3_3,),
)
