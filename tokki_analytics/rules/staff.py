"""作業従事者名簿 (view ``staff``): one row per roster row; C3-1, C3-2, C4-1, C5-1."""

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
    fmt_text,
    in_set,
    line,
    not_null,
)
from tokki_analytics.rules.context import (
    Context,
    context,
    days_between,
    finish,
    flags,
    invalid,
    known,
    not_after,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "staff"


def _c3_1(v: pd.DataFrame) -> pd.Series:
    person, start = fmt_text(v["person_id"]), fmt_date(v["start_date"])
    return line("届出日が空欄（従事者ID ", person, "、従事開始日 ", start, "）")


C3_1 = Rule(
    id="C3-1",
    view=NAME,
    clause="第3",
    severity="軽微",
    unit="staff row",
    expectation=not_null("notified_on"),
    description="作業従事者の届出日が記入されていること",
    detail=_c3_1,
)


def _c3_2(v: pd.DataFrame) -> pd.Series:
    notified, start = fmt_date(v["notified_on"]), fmt_date(v["start_date"])
    days = fmt_int(v["notice_delay_days"])
    return line("届出日 ", notified, " が従事開始日 ", start, " より後（", days, "日後）")


C3_2 = Rule(
    id="C3-2",
    view=NAME,
    clause="第3",
    severity="軽微",
    unit="staff row",
    expectation=between("notice_delay_days", max_value=0),
    description="届出日が従事開始日以前であること（事前届出）",
    detail=_c3_2,
)


def _c4_1(v: pd.DataFrame) -> pd.Series:
    start = fmt_date(v["start_date"])
    blank = line("誓約書提出日が空欄（従事開始日 ", start, "）")
    late = line("誓約書提出日 ", fmt_date(v["pledge_on"]), " が従事開始日 ", start, " より後")
    return either(v["pledge_on"].isna(), blank, late)


C4_1 = Rule(
    id="C4-1",
    view=NAME,
    clause="第4",
    severity="軽微",
    unit="staff row",
    expectation=in_set("pledge_in_time", True),
    description="誓約書が従事開始日までに提出されていること",
    detail=_c4_1,
)


def _c5_1(v: pd.DataFrame) -> pd.Series:
    first = either(
        v["first_training_on"].isna(),
        "研修記録なし",
        line("初回の研修 ", fmt_date(v["first_training_on"])),
    )
    start, due = fmt_date(v["start_date"]), fmt_date(v["training_due"])
    return line("従事開始日 ", start, " から期限 ", due, " までに研修なし（", first, "）")


C5_1 = Rule(
    id="C5-1",
    view=NAME,
    clause="第5",
    severity="軽微",
    unit="staff row",
    expectation=in_set("trained_in_time", True),
    description="従事開始日から猶予期間内までに研修を受けていること",
    detail=_c5_1,
    needs=("training",),
    settings=("training_grace_days",),
)


def _trainings(ctx: Context) -> pd.DataFrame:
    """Training rows a rule may count: not Q3, person and date readable, not after as-of."""
    t = ctx.sub.frames["training"]
    keep = ~flags(t["_unknown_contract"]) & flags(t["person_id"].notna())
    keep &= on_or_before(ctx, t["held_on"])
    return t.loc[keep, ["contractor_id", "person_id", "held_on"]].astype(
        {"contractor_id": object, "person_id": object}
    )


def staff_trainings(ctx: Context, staff: pd.DataFrame) -> pd.DataFrame:
    """Every (staff row position ``_i``, training date) pair of the same contractor + person."""
    pairs = pd.DataFrame(
        {
            "_i": np.arange(len(staff)),
            "contractor_id": staff["contractor_id"].astype(object).to_numpy(),
            "person_id": staff["person_id"].astype(object).to_numpy(),
        }
    )
    pairs = pairs[pairs["person_id"].notna()]
    return pairs.merge(_trainings(ctx), on=["contractor_id", "person_id"])[["_i", "held_on"]]


def initial_training(ctx: Context, staff: pd.DataFrame) -> pd.DataFrame:
    """C5-1 per staff row: the due date, whether a training counts, the first training.

    A training counts when it is dated on or before 従事開始日 + ``training_grace_days``
    (trainings before the start included).
    """
    due = staff["start_date"] + pd.Timedelta(days=ctx.settings.training_grace_days)
    held = staff_trainings(ctx, staff)
    held = held.assign(due=due.to_numpy()[held["_i"].to_numpy()])
    counted = held.loc[held["held_on"] <= held["due"], "_i"].unique()
    trained = np.zeros(len(staff), dtype=bool)
    trained[counted] = True
    first = held.groupby("_i")["held_on"].min().reindex(np.arange(len(staff)))
    return pd.DataFrame(
        {
            "training_due": due.to_numpy(),
            "trained_in_time": trained,
            "first_training_on": first.to_numpy(),
        },
        index=staff.index,
    )


def staff_view(sub: Submission) -> pd.DataFrame:
    """One row per roster row: C3-1, C3-2, C4-1, C5-1."""
    ctx = context(sub)
    f = sub.frames["staff"]
    out = origin(f, "staff")
    for column in ("person_id", "role", "start_date", "end_date", "notified_on", "pledge_on"):
        out[column] = f[column]
    start = f["start_date"]
    out["notice_delay_days"] = days_between(f["notified_on"], start).astype("float64")
    out["pledge_in_time"] = flags(f["pledge_on"] <= start)
    training = initial_training(ctx, f)
    out = out.join(training)
    ok = known(f)
    started = on_or_before(ctx, start)
    due_passed = flags(training["training_due"] < ctx.as_of)
    judges = {
        C3_1: ok & ~invalid(f, "notified_on") & not_after(ctx, start),
        C3_2: ok & flags(f["notified_on"].notna()) & started,
        C4_1: ok & ~invalid(f, "pledge_on") & started,
        C5_1: ok
        & started
        & flags(f["person_id"].notna())
        & (training["trained_in_time"].to_numpy() | due_passed),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="作業従事者名簿",
    units=("staff",),
    build=staff_view,
    rules=(C3_1, C3_2, C4_1, C5_1),
)
