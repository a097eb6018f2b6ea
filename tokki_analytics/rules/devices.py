"""端末一覧 (view ``devices``): one row per device; C7.7-1, C7.8-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.forms import header_key
from tokki_analytics.rules.base import Rule, View, between, fmt_text, in_set, line
from tokki_analytics.rules.context import (
    SEP,
    context,
    finish,
    flags,
    invalid,
    joined_list,
    known,
    list_items,
    list_keys,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "devices"


def _c7_7_1(v: pd.DataFrame) -> pd.Series:
    return line("端末 ", fmt_text(v["device_id"]), " の所有区分が ", fmt_text(v["ownership"]))


C7_7_1 = Rule(
    id="C7.7-1",
    view=NAME,
    clause="第7七",
    severity="重大",
    unit="device row",
    expectation=in_set("ownership", "会社貸与"),
    description="業務に私物端末を使っていないこと",
    detail=_c7_7_1,
)


def _c7_8_1(v: pd.DataFrame) -> pd.Series:
    device, programs = fmt_text(v["device_id"]), v["unallowed_software"]
    return line("端末 ", device, " に許可されていないソフトウェア: ", programs)


C7_8_1 = Rule(
    id="C7.8-1",
    view=NAME,
    clause="第7八",
    severity="軽微",
    unit="device row",
    expectation=between("unallowed_software_count", max_value=0),
    description="端末に許可されたソフトウェアだけがインストールされていること",
    detail=_c7_8_1,
    settings=("allowed_software",),
)


def devices_view(sub: Submission) -> pd.DataFrame:
    """One row per device: C7.7-1, C7.8-1 (C7.8-1 only when ``allowed_software`` is set)."""
    ctx = context(sub)
    f = sub.frames["devices"]
    out = origin(f, "devices")
    for column in ("device_id", "ownership"):
        out[column] = f[column]
    out["software"] = joined_list(f["software"])
    allowed = ctx.settings.allowed_software
    items = list_keys(f["software"])
    raw = list_items(f["software"])
    bad = raw[~items.isin({header_key(a) for a in allowed or ()})]
    grouped = bad.groupby(level=0)
    out["unallowed_software_count"] = (
        grouped.size().reindex(f.index, fill_value=0).astype("float64")
    )
    out["unallowed_software"] = grouped.agg(SEP.join).reindex(f.index).fillna("").astype("str")
    ok = known(f)
    has_software = flags(out["software"] != "")
    judges = {
        C7_7_1: ok & ~invalid(f, "ownership") & flags(f["ownership"].notna()),
        C7_8_1: ok & has_software & (allowed is not None),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="端末一覧",
    units=("devices",),
    build=devices_view,
    rules=(C7_7_1, C7_8_1),
)
