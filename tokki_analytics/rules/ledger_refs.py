"""台帳番号の参照 (view ``ledger_refs``): one row per record naming a 台帳番号; C7.6-3."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.rules.base import Rule, View, fmt_text, in_set, line
from tokki_analytics.rules.context import (
    Context,
    context,
    finish,
    flags,
    invalid,
    known,
    not_after,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "ledger_refs"
#: The forms whose rows name a 台帳番号: (form key, its date or date-time column).
LEDGER_REF_FORMS = (
    ("takeout", "taken_at"),
    ("copies", "at"),
    ("handovers", "on"),
    ("disposals", "on"),
)


def _c7_6_3(v: pd.DataFrame) -> pd.Series:
    return line("台帳番号 ", fmt_text(v["ledger_id"]), " は個人情報管理台帳にない")


C7_6_3 = Rule(
    id="C7.6-3",
    view=NAME,
    clause="第7六",
    severity="重大",
    unit="log row",
    expectation=in_set("ledger_known", True),
    description="記録の台帳番号が管理台帳にあること",
    detail=_c7_6_3,
    needs=("ledger",),
)


def _ledger_ref_part(
    ctx: Context, ledgers: pd.MultiIndex, form_key: str, column: str
) -> pd.DataFrame:
    f = ctx.sub.frames[form_key]
    out = origin(f, form_key)
    out["ledger_id"] = f["ledger_id"]
    out["event_at"] = f[column]
    pairs = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["ledger_known"] = np.asarray(pairs.isin(ledgers), dtype=bool)
    judged = known(f) & ~invalid(f, "ledger_id") & flags(f["ledger_id"].notna())
    judged &= not_after(ctx, f[column])
    out["_judged"] = judged
    return out


def ledger_refs_view(sub: Submission) -> pd.DataFrame:
    """One row per 持出記録, 複製記録, 受渡記録 and 廃棄消去記録 row: C7.6-3."""
    ctx = context(sub)
    ledger = sub.frames["ledger"]
    ledger = ledger[~flags(ledger["_unknown_contract"]) & flags(ledger["ledger_id"].notna())]
    ids = pd.MultiIndex.from_arrays(
        [ledger["contractor_id"].astype(object), ledger["ledger_id"].astype(object)]
    )
    out = pd.concat(
        [_ledger_ref_part(ctx, ids, key, column) for key, column in LEDGER_REF_FORMS],
        ignore_index=True,
    )
    judged = out.pop("_judged").to_numpy(dtype=bool)
    return finish(ctx, out, {C7_6_3: judged})


VIEW = View(
    name=NAME,
    title="台帳番号の参照",
    units=tuple(key for key, _ in LEDGER_REF_FORMS),
    build=ledger_refs_view,
    rules=(C7_6_3,),
)
