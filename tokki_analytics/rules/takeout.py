"""持出記録 (view ``takeout``): one row per take-out; C7.2-1, C7.2-2, C7.3-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import (
    Rule,
    View,
    either,
    fmt_datetime,
    fmt_int,
    fmt_text,
    in_set,
    line,
)
from tokki_analytics.rules.context import (
    context,
    contract_value,
    days_between,
    finish,
    flags,
    in_contract_list,
    invalid,
    joined_list,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "takeout"


def _c7_2_1(v: pd.DataFrame) -> pd.Series:
    places = either(
        v["designated_places"] == "",
        "契約に持出先指定場所がない",
        line("持出先指定場所: ", v["designated_places"]),
    )
    return line("持出先 ", fmt_text(v["destination"]), " は指定場所ではない（", places, "）")


C7_2_1 = Rule(
    id="C7.2-1",
    view=NAME,
    clause="第7二",
    severity="重大",
    unit="take-out row",
    expectation=in_set("destination_designated", True),
    description="持出先が契約の持出先指定場所であること",
    detail=_c7_2_1,
    # the contract of a take-out is the one of its 台帳番号
    needs=("ledger",),
)


def _c7_2_2(v: pd.DataFrame) -> pd.Series:
    taken, days = fmt_datetime(v["taken_at"]), fmt_int(v["days_out"])
    blank = line("返却日時が空欄（持出日時 ", taken, " から ", days, "日経過）")
    early = line("返却日時 ", fmt_datetime(v["returned_at"]), " が持出日時 ", taken, " より前")
    return either(v["returned_at"].isna(), blank, early)


C7_2_2 = Rule(
    id="C7.2-2",
    view=NAME,
    clause="第7二",
    severity="観察",
    unit="take-out row",
    expectation=in_set("return_ok", True),
    description="持ち出した媒体が期限内に返却され、返却日時が持出日時より前でないこと",
    detail=_c7_2_2,
    needs=("ledger",),
    settings=("return_days", "returnable_media"),
)


def _c7_3_1(v: pd.DataFrame) -> pd.Series:
    state = either(v["encrypted"].isna(), "暗号化が空欄", "暗号化されていない")
    return line("電子媒体 ", fmt_text(v["medium"]), " の持出で", state)


C7_3_1 = Rule(
    id="C7.3-1",
    view=NAME,
    clause="第7三",
    severity="重大",
    unit="take-out row",
    expectation=in_set("encrypted_yes", True),
    description="電子媒体で持ち出すときは暗号化していること",
    detail=_c7_3_1,
    needs=("ledger",),
    settings=("electronic_media",),
)


def takeout_view(sub: Submission) -> pd.DataFrame:
    """One row per take-out: C7.2-1, C7.2-2, C7.3-1."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["takeout"]
    out = origin(f, "takeout")
    for column in ("ledger_id", "person_id", "taken_at", "destination", "medium", "encrypted"):
        out[column] = f[column]
    out["returned_at"] = f["returned_at"]
    listed, _ = in_contract_list(ctx, f, "destination", "designated_places")
    out["destination_designated"] = listed
    out["designated_places"] = joined_list(contract_value(ctx, f, "designated_places"))
    out["days_out"] = days_between(pd.Series(ctx.as_of, index=f.index), f["taken_at"])
    out["return_ok"] = flags(f["returned_at"] >= f["taken_at"])
    out["encrypted_yes"] = flags(f["encrypted"])
    base = flags(f["contract_id"].notna()) & ~invalid(f, "taken_at")
    base &= on_or_before(ctx, f["taken_at"])
    out["overdue"] = flags(out["days_out"] > s.return_days)  # C7.2-2, read by the briefing too
    out["returnable"] = flags(f["medium"].isin(s.returnable_media))
    overdue = out["overdue"].to_numpy()
    returnable = out["returnable"].to_numpy() & ~invalid(f, "medium", "returned_at")
    judges = {
        C7_2_1: base & ~invalid(f, "destination") & flags(f["destination"].notna()),
        C7_2_2: base & returnable & (flags(f["returned_at"].notna()) | overdue),
        C7_3_1: base
        & flags(f["medium"].isin(s.electronic_media))
        & ~invalid(f, "medium", "encrypted"),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="持出記録",
    units=("takeout",),
    build=takeout_view,
    rules=(C7_2_1, C7_2_2, C7_3_1),
)
