"""事故報告 (view ``incidents``): one row per incident; C14-1 … C14-4."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tokki_analytics.rules.base import (
    Rule,
    View,
    between,
    either,
    fmt_datetime,
    fmt_int,
    fmt_text,
    in_set,
    line,
)
from tokki_analytics.rules.context import (
    HOUR,
    blank_fields,
    column_names,
    context,
    finish,
    flags,
    invalid,
    invalid_count,
    known,
    not_after,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "incidents"
#: C14-1: the items of an incident report (key → Japanese header).
INCIDENT_FIELDS = column_names(
    "incidents", ("description", "records_affected", "place", "circumstances", "reported_at")
)


def _c14_1(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（事故番号 ", fmt_text(v["incident_id"]), "）")


C14_1 = Rule(
    id="C14-1",
    view=NAME,
    clause="第14",
    severity="軽微",
    unit="incident row",
    expectation=between("blank_field_count", max_value=0),
    description="事故報告の内容・件数・発生場所・発生状況・報告日時が記入されていること",
    detail=_c14_1,
)


def _c14_2(v: pd.DataFrame) -> pd.Series:
    found = fmt_datetime(v["discovered_at"])
    hours = v["report_hours"].round(1).astype("str").str.removesuffix(".0")
    blank = line("報告日時が空欄（発覚日時 ", found, " から基準日の終わりまで ", hours, "時間）")
    reported = fmt_datetime(v["reported_at"])
    late = line("報告日時 ", reported, " が発覚日時 ", found, " の ", hours, "時間後")
    return either(v["reported_at"].isna(), blank, late)


C14_2 = Rule(
    id="C14-2",
    view=NAME,
    clause="第14",
    severity="重大",
    unit="incident row",
    expectation=between("report_excess_hours", max_value=0),
    description="事故の発覚から所定の時間内に報告していること",
    detail=_c14_2,
    settings=("incident_report_hours",),
)


def _c14_3(v: pd.DataFrame) -> pd.Series:
    occurred, found = fmt_datetime(v["occurred_at"]), fmt_datetime(v["discovered_at"])
    first = line("発生日時 ", occurred, " が発覚日時 ", found, " より後")
    second = line("発覚日時 ", found, " が報告日時 ", fmt_datetime(v["reported_at"]), " より後")
    late_find = (v["occurred_at"] > v["discovered_at"]).fillna(False)
    late_report = (v["discovered_at"] > v["reported_at"]).fillna(False)
    both = line(first, "、", second)
    return either(late_find & late_report, both, either(late_find, first, second))


C14_3 = Rule(
    id="C14-3",
    view=NAME,
    clause="第14",
    severity="観察",
    unit="incident row",
    expectation=in_set("times_in_order", True),
    description="発生・発覚・報告の日時の順序が正しいこと",
    detail=_c14_3,
)


def _c14_4(v: pd.DataFrame) -> pd.Series:
    sensitive = (v["sensitive"] == "有").fillna(False)
    count = line("件数 ", fmt_int(v["records_affected"]), "件")
    text = either(sensitive, line(count, "、要配慮個人情報 有"), count)
    return line(text, "（個人情報保護委員会への報告対象）")


C14_4 = Rule(
    id="C14-4",
    view=NAME,
    clause="第14",
    severity="観察",
    unit="incident row",
    expectation=in_set("ppc_reportable", False),
    description="個人情報保護委員会への報告対象（件数が基準超または要配慮個人情報）でないこと",
    detail=_c14_4,
    settings=("ppc_report_threshold",),
)


def incidents_view(sub: Submission) -> pd.DataFrame:
    """One row per incident: C14-1, C14-2, C14-3, C14-4."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["incidents"]
    out = origin(f, "incidents")
    for column in ("incident_id", "occurred_at", "discovered_at", "reported_at"):
        out[column] = f[column]
    out["records_affected"] = f["records_affected"].astype("float64")
    out["sensitive"] = f["sensitive"]
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, INCIDENT_FIELDS)
    reported = f["reported_at"].fillna(ctx.next_day)
    out["report_hours"] = ((reported - f["discovered_at"]) / HOUR).astype("float64")
    out["report_excess_hours"] = (
        (reported - f["discovered_at"] - pd.Timedelta(hours=s.incident_report_hours)) / HOUR
    ).astype("float64")
    late_find = flags(f["occurred_at"] > f["discovered_at"])
    late_report = flags(f["discovered_at"] > f["reported_at"])
    out["times_in_order"] = ~(late_find | late_report)
    many = flags(f["records_affected"] > s.ppc_report_threshold)
    sensitive = flags(f["sensitive"] == "有")
    out["ppc_reportable"] = many | sensitive
    nothing = flags(f["records_affected"].isna() & f["sensitive"].isna())
    unknown = invalid(f, "records_affected", "sensitive")
    base = known(f) & not_after(ctx, f["discovered_at"])
    found = base & ~invalid(f, "discovered_at") & flags(f["discovered_at"].notna())
    given = flags(f["occurred_at"].notna() | f["reported_at"].notna())
    readable = len(INCIDENT_FIELDS) - invalid_count(f, INCIDENT_FIELDS)
    judges = {
        C14_1: base & (readable > 0),
        C14_2: found & ~invalid(f, "reported_at"),
        C14_3: found & ~invalid(f, "occurred_at", "reported_at") & given,
        C14_4: base & (out["ppc_reportable"].to_numpy() | (~unknown & ~nothing)),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="事故報告",
    units=("incidents",),
    build=incidents_view,
    rules=(C14_1, C14_2, C14_3, C14_4),
)
