"""媒体点検記録 (view ``media_checks``): one row per media check; C7.5-2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import Rule, View, fmt_date, fmt_text, line, not_null
from tokki_analytics.rules.context import (
    context,
    finish,
    flags,
    invalid,
    known,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "media_checks"


def _c7_5_2(v: pd.DataFrame) -> pd.Series:
    day, target = fmt_date(v["checked_on"]), fmt_text(v["target"])
    return line("結果 異常あり で措置が空欄（点検日 ", day, "、対象 ", target, "）")


C7_5_2 = Rule(
    id="C7.5-2",
    view=NAME,
    clause="第7五",
    severity="軽微",
    unit="check row",
    expectation=not_null("action"),
    description="点検で異常があったときは措置が記録されていること",
    detail=_c7_5_2,
)


def media_checks_view(sub: Submission) -> pd.DataFrame:
    """One row per media check: C7.5-2 (judged on 異常あり rows)."""
    ctx = context(sub)
    f = sub.frames["media_checks"]
    out = origin(f, "media_checks")
    for column in ("checked_on", "target", "result", "action"):
        out[column] = f[column]
    judge = known(f) & ~invalid(f, "checked_on", "result", "action")
    judge &= on_or_before(ctx, f["checked_on"]) & flags(f["result"] == "異常あり")
    return finish(ctx, out, {C7_5_2: judge})


VIEW = View(
    name=NAME,
    title="媒体点検記録",
    units=("media_checks",),
    build=media_checks_view,
    rules=(C7_5_2,),
)
