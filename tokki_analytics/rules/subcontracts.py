"""再委託 (view ``subcontracts``): one row per subcontract; C9-1, C9-2."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import Rule, View, between, either, fmt_date, fmt_text, in_set, line
from tokki_analytics.rules.context import (
    blank_fields,
    column_names,
    context,
    finish,
    flags,
    invalid,
    invalid_count,
    known,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "subcontracts"
#: C9-2: the items of the application (key → Japanese header).
SUBCONTRACT_FIELDS = column_names(
    "subcontracts", ("reason", "work", "data", "safeguards", "supervision", "applied_on")
)


def _c9_1(v: pd.DataFrame) -> pd.Series:
    start = fmt_date(v["start_date"])
    blank = line("承認日が空欄（開始日 ", start, "）")
    late = line("承認日 ", fmt_date(v["approved_on"]), " が開始日 ", start, " より後")
    return either(v["approved_on"].isna(), blank, late)


C9_1 = Rule(
    id="C9-1",
    view=NAME,
    clause="第9",
    severity="重大",
    unit="subcontract row",
    expectation=in_set("approved_in_time", True),
    description="再委託が開始日までに承認されていること",
    detail=_c9_1,
)


def _c9_2(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（再委託先 ", fmt_text(v["subcontractor"]), "）")


C9_2 = Rule(
    id="C9-2",
    view=NAME,
    clause="第9",
    severity="軽微",
    unit="subcontract row",
    expectation=between("blank_field_count", max_value=0),
    description="再委託の理由・内容・取扱個人情報・安全対策・監督方法・申請日が記入されていること",
    detail=_c9_2,
)


def subcontracts_view(sub: Submission) -> pd.DataFrame:
    """One row per subcontract: C9-1, C9-2 (subcontracts started on or before as-of)."""
    ctx = context(sub)
    f = sub.frames["subcontracts"]
    out = origin(f, "subcontracts")
    for column in ("subcontractor", "start_date", "applied_on", "approved_on"):
        out[column] = f[column]
    out["approved_in_time"] = flags(f["approved_on"] <= f["start_date"])
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, SUBCONTRACT_FIELDS)
    base = known(f) & ~invalid(f, "start_date") & on_or_before(ctx, f["start_date"])
    readable = len(SUBCONTRACT_FIELDS) - invalid_count(f, SUBCONTRACT_FIELDS)
    judges = {C9_1: base & ~invalid(f, "approved_on"), C9_2: base & (readable > 0)}
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="再委託",
    units=("subcontracts",),
    build=subcontracts_view,
    rules=(C9_1, C9_2),
)
