"""複製記録 (view ``copies``): one row per copy; C7.4-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import Rule, View, fmt_datetime, fmt_text, line, not_null
from tokki_analytics.rules.context import context, finish, invalid, on_or_before, origin

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "copies"


def _c7_4_1(v: pd.DataFrame) -> pd.Series:
    when, ledger = fmt_datetime(v["at"]), fmt_text(v["ledger_id"])
    return line("承諾番号が空欄（日時 ", when, "、台帳番号 ", ledger, "）")


C7_4_1 = Rule(
    id="C7.4-1",
    view=NAME,
    clause="第7四",
    severity="重大",
    unit="copy row",
    expectation=not_null("approval_ref"),
    description="複製に県の承諾番号があること",
    detail=_c7_4_1,
)


def copies_view(sub: Submission) -> pd.DataFrame:
    """One row per copy: C7.4-1."""
    ctx = context(sub)
    f = sub.frames["copies"]
    out = origin(f, "copies")
    for column in ("at", "ledger_id", "person_id", "approval_ref"):
        out[column] = f[column]
    judge = ~invalid(f, "at", "approval_ref") & on_or_before(ctx, f["at"])
    return finish(ctx, out, {C7_4_1: judge})


VIEW = View(
    name=NAME,
    title="複製記録",
    units=("copies",),
    build=copies_view,
    rules=(C7_4_1,),
)
