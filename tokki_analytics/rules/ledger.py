"""個人情報管理台帳 (view ``ledger``): one row per ledger row; C7.1-1, C7.6-1, C7.6-2, C11-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.forms import header_key
from tokki_analytics.rules.base import (
    Rule,
    View,
    between,
    either,
    fmt_date,
    fmt_text,
    in_set,
    line,
)
from tokki_analytics.rules.context import (
    SEP,
    Context,
    blank_fields,
    column_names,
    context,
    contract_value,
    finish,
    flags,
    invalid,
    invalid_count,
    known,
    list_items,
    not_after,
    origin,
    roster,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "ledger"
#: C7.1-1: ledger media holding paper.
PAPER_MEDIA = ("紙", "紙・電子")
#: C11-1: ledger states of a dataset that has left the contractor.
DISPOSED_STATES = ("返還済", "廃棄済", "消去済")
#: C7.6-1: the columns a ledger row must fill in (key → Japanese header).
LEDGER_FIELDS = column_names(
    "ledger", ("dataset", "records", "medium", "storage_place", "users", "received_on", "status")
)


def _c7_1_1(v: pd.DataFrame) -> pd.Series:
    medium, method = fmt_text(v["medium"]), fmt_text(v["storage_method"])
    return line("媒体 ", medium, " の保管方法 ", method, " は認められた保管方法ではない")


C7_1_1 = Rule(
    id="C7.1-1",
    view=NAME,
    clause="第7一",
    severity="重大",
    unit="ledger row",
    expectation=in_set("storage_method_allowed", True),
    description="紙媒体（紙・電子を含む）の保管方法が認められた方法であること",
    detail=_c7_1_1,
    settings=("storage_methods",),
)


def _c7_6_1(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（台帳番号 ", fmt_text(v["ledger_id"]), "）")


C7_6_1 = Rule(
    id="C7.6-1",
    view=NAME,
    clause="第7六",
    severity="軽微",
    unit="ledger row",
    expectation=between("blank_field_count", max_value=0),
    description="管理台帳の名称・件数・媒体・保管場所・利用者・受領日・状態が記入されていること",
    detail=_c7_6_1,
)


def _c7_6_2(v: pd.DataFrame) -> pd.Series:
    users, contract = v["unnotified_users"], fmt_text(v["contract_id"])
    return line("利用者 ", users, " は契約 ", contract, " の届出済み作業従事者ではない")


C7_6_2 = Rule(
    id="C7.6-2",
    view=NAME,
    clause="第7六",
    severity="重大",
    unit="ledger row",
    expectation=between("unnotified_user_count", max_value=0),
    description="管理台帳の利用者がその契約の届出済み作業従事者であること",
    detail=_c7_6_2,
    needs=("staff",),
)


def _c11_1(v: pd.DataFrame) -> pd.Series:
    status = fmt_text(v["status"])
    state = either(
        v["disposed_state"],
        line("状態 ", status, " だが廃棄消去記録がない"),
        either(
            v["has_disposal_record"],
            line("状態が ", status),
            line("状態が ", status, "、廃棄消去記録もない"),
        ),
    )
    return line("返還・廃棄の期限 ", fmt_date(v["deadline"]), " を過ぎて", state)


C11_1 = Rule(
    id="C11-1",
    view=NAME,
    clause="第11",
    severity="重大",
    unit="ledger row",
    expectation=in_set("disposal_recorded", True),
    description="期限を過ぎた個人情報が返還・廃棄・消去され、その記録があること",
    detail=_c11_1,
    needs_if_sent=("disposals",),
    settings=("disposal_days",),
)


def _notified_pairs(ctx: Context) -> pd.MultiIndex:
    """(contract_id, person_id) of roster rows with a 届出日 (no date condition)."""
    staff = roster(ctx)
    staff = staff[flags(staff["notified_on"].notna())]
    return pd.MultiIndex.from_arrays(
        [staff["contract_id"].astype(object), staff["person_id"].astype(object)]
    )


def _unnotified_users(ctx: Context, ledger: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """C7.6-2: users of each ledger row who are not notified workers of its contract."""
    items = list_items(ledger["users"])
    pairs = pd.MultiIndex.from_arrays(
        [
            ledger["contract_id"].reindex(items.index).astype(object),
            items.astype(object),
        ]
    )
    bad = items[~pairs.isin(_notified_pairs(ctx))]
    grouped = bad.groupby(level=0)
    count = grouped.size().reindex(ledger.index, fill_value=0).astype("float64")
    names = grouped.agg(SEP.join).reindex(ledger.index).fillna("").astype("str")
    return count, names


def _disposal_records(ctx: Context) -> pd.MultiIndex:
    """(contractor_id, ledger_id) that have a 廃棄消去記録 not dated after as-of."""
    d = ctx.sub.frames["disposals"]
    keep = ~flags(d["_unknown_contract"]) & flags(d["ledger_id"].notna())
    d = d[keep & not_after(ctx, d["on"])]
    return pd.MultiIndex.from_arrays(
        [d["contractor_id"].astype(object), d["ledger_id"].astype(object)]
    )


def ledger_view(sub: Submission) -> pd.DataFrame:
    """One row per ledger row: C7.1-1, C7.6-1, C7.6-2, C11-1."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["ledger"]
    out = origin(f, "ledger")
    for column in ("ledger_id", "medium", "storage_method", "status", "due_on"):
        out[column] = f[column]
    allowed = {header_key(m) for m in s.storage_methods}
    method = f["storage_method"].map(header_key, na_action="ignore")
    out["storage_method_allowed"] = flags(method.isin(allowed))
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, LEDGER_FIELDS)
    out["unnotified_user_count"], out["unnotified_users"] = _unnotified_users(ctx, f)
    end = contract_value(ctx, f, "end_date")
    deadline = f["due_on"].fillna(end + pd.Timedelta(days=s.disposal_days))
    out["deadline"] = deadline
    out["disposed_state"] = flags(f["status"].isin(DISPOSED_STATES))
    pairs = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["has_disposal_record"] = np.asarray(pairs.isin(_disposal_records(ctx)), dtype=bool)
    out["disposal_recorded"] = out["disposed_state"] & out["has_disposal_record"]
    ok = known(f)
    has_users = flags(f["users"].map(lambda v: isinstance(v, (tuple, list)) and len(v) > 0))
    readable = len(LEDGER_FIELDS) - invalid_count(f, LEDGER_FIELDS)
    judges = {
        C7_1_1: ok & flags(f["medium"].isin(PAPER_MEDIA)) & ~invalid(f, "storage_method"),
        C7_6_1: ok & (readable > 0),
        C7_6_2: ok & has_users & ~invalid(f, "users"),
        C11_1: ok & ~invalid(f, "due_on", "status") & flags(deadline < ctx.as_of),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="個人情報管理台帳",
    units=("ledger",),
    build=ledger_view,
    rules=(C7_1_1, C7_6_1, C7_6_2, C11_1),
)
