"""受渡記録 (view ``handovers``): one row per handover; C8.2-1, C8.2-2."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    known,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "handovers"


def _c8_2_1(v: pd.DataFrame) -> pd.Series:
    means, designated = fmt_text(v["means"]), v["designated_means"]
    return line("方法 ", means, " は契約の受渡方法指定（", designated, "）にない")


C8_2_1 = Rule(
    id="C8.2-1",
    view=NAME,
    clause="第8",
    severity="軽微",
    unit="handover row",
    expectation=in_set("means_designated", True),
    description="受渡方法が契約の受渡方法指定によること",
    detail=_c8_2_1,
)


def _c8_2_2(v: pd.DataFrame) -> pd.Series:
    on, days = fmt_date(v["on"]), fmt_int(v["receipt_after_days"])
    blank = line("預り証提出日が空欄（受渡日 ", on, " から ", days, "日経過）")
    receipt = fmt_date(v["receipt_on"])
    late = line("預り証提出日 ", receipt, " が受渡日 ", on, " の ", days, "日後")
    return either(v["receipt_on"].isna(), blank, late)


C8_2_2 = Rule(
    id="C8.2-2",
    view=NAME,
    clause="第8",
    severity="軽微",
    unit="handover row",
    expectation=between("receipt_excess_days", max_value=0),
    description="甲から乙への受渡しの預り証が所定の日数内に提出されていること",
    detail=_c8_2_2,
    settings=("receipt_days",),
)


def handovers_view(sub: Submission) -> pd.DataFrame:
    """One row per handover: C8.2-1, C8.2-2."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["handovers"]
    out = origin(f, "handovers")
    for column in ("on", "ledger_id", "direction", "means", "receipt_on"):
        out[column] = f[column]
    listed, any_means = in_contract_list(ctx, f, "means", "designated_handover_means")
    out["means_designated"] = listed
    out["designated_means"] = joined_list(contract_value(ctx, f, "designated_handover_means"))
    until = f["receipt_on"].fillna(ctx.as_of)
    out["receipt_after_days"] = days_between(until, f["on"]).astype("float64")
    out["receipt_excess_days"] = out["receipt_after_days"] - s.receipt_days
    base = known(f) & ~invalid(f, "on") & on_or_before(ctx, f["on"])
    late = flags(f["receipt_on"].notna()) | flags(out["receipt_excess_days"] > 0)
    judges = {
        C8_2_1: base & any_means & ~invalid(f, "means") & flags(f["means"].notna()),
        C8_2_2: base
        & flags(f["direction"] == "甲→乙")
        & ~invalid(f, "direction", "receipt_on")
        & late,
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="受渡記録",
    units=("handovers",),
    build=handovers_view,
    rules=(C8_2_1, C8_2_2),
)
