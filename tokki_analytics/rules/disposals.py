"""廃棄消去記録 (view ``disposals``): one row per return, disposal or erasure; C11-2 … C11-4."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.rules.base import (
    Rule,
    View,
    either,
    fmt_date,
    fmt_text,
    in_set,
    line,
    not_null,
)
from tokki_analytics.rules.context import (
    SEP,
    context,
    finish,
    flags,
    in_force,
    invalid,
    known,
    on_or_before,
    origin,
)

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

NAME = "disposals"
#: C11-2: methods fit for paper and for electronic media.
PAPER_METHODS = ("返還", "裁断", "溶解", "焼却")
ELECTRONIC_METHODS = ("返還", "消去ソフト", "物理破壊")


def _c11_2(v: pd.DataFrame) -> pd.Series:
    method, medium = fmt_text(v["method"]), fmt_text(v["ledger_medium"])
    unfit = line("方法 ", method, " は台帳の媒体 ", medium, " に適さない")
    ledger, methods = fmt_text(v["ledger_id"]), fmt_text(v["dataset_methods"])
    short = line(
        "紙・電子の台帳 ", ledger, " の記録が", v["coverage_missing"],
        "の処理方法を含まない（方法: ", methods, "）",
    )  # fmt: skip
    return either(v["coverage_missing"] != "", short, unfit)


C11_2 = Rule(
    id="C11-2",
    view=NAME,
    clause="第11",
    severity="重大",
    unit="disposal row",
    expectation=in_set("method_fits", True),
    description="返還・廃棄・消去の方法が台帳の媒体に適すること",
    detail=_c11_2,
    needs=("ledger",),
)


def _c11_3(v: pd.DataFrame) -> pd.Series:
    return line("立会い要否 要 で立会者が空欄（処理日 ", fmt_date(v["on"]), "）")


C11_3 = Rule(
    id="C11-3",
    view=NAME,
    clause="第11",
    severity="軽微",
    unit="disposal row",
    expectation=in_set("witness_given", True),
    description="立会いを求められた処理に立会者が記録されていること",
    detail=_c11_3,
)


def _c11_4(v: pd.DataFrame) -> pd.Series:
    kind, day = fmt_text(v["kind"]), fmt_date(v["on"])
    return line("処理区分 ", kind, " で証明書提出日が空欄（処理日 ", day, "）")


C11_4 = Rule(
    id="C11-4",
    view=NAME,
    clause="第11",
    severity="軽微",
    unit="disposal row",
    expectation=not_null("certificate_on"),
    description="廃棄・消去の証明書が提出されていること",
    detail=_c11_4,
)


def _method_fit(medium: pd.Series, method: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fits the medium, is a paper method, is an electronic method) per disposal row."""
    paper = flags(method.isin(PAPER_METHODS))
    electronic = flags(method.isin(ELECTRONIC_METHODS))
    fits = np.where(
        flags(medium == "紙"),
        paper,
        np.where(flags(medium == "電子"), electronic, paper | electronic),
    )
    return fits, paper, electronic


def _coverage(
    out: pd.DataFrame, judged: np.ndarray, paper: np.ndarray, electronic: np.ndarray
) -> pd.DataFrame:
    """紙・電子 datasets: the media their judged records cover, and their latest record.

    Returns:
        One row per (contractor_id, ledger_id): covers_paper, covers_electronic, latest
        (the view position of the latest record by 処理日), methods (joined).
    """
    mixed = judged & flags(out["ledger_medium"] == "紙・電子")
    rows = out[mixed].assign(_p=paper[mixed], _e=electronic[mixed], _pos=np.flatnonzero(mixed))
    rows = rows.sort_values(["on", "_row", "_source", "_sheet"], kind="stable")
    grouped = rows.groupby(["contractor_id", "ledger_id"], sort=False)
    return grouped.agg(
        covers_paper=("_p", "any"),
        covers_electronic=("_e", "any"),
        latest=("_pos", "last"),
        methods=("method", lambda m: SEP.join(dict.fromkeys(m.dropna()))),
    )


def _uncovered_media(
    out: pd.DataFrame, judged: np.ndarray, paper: np.ndarray, electronic: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """C11-2 for 紙・電子: the medium a dataset's records leave uncovered, on its latest record.

    Returns:
        (per view row: 紙, 電子 or 紙・電子 on the latest record of a dataset whose records
        do not cover both media, else ""; the dataset's methods on that same row).
    """
    cover = _coverage(out, judged, paper, electronic)
    missing = np.full(len(out), "", dtype=object)
    methods = np.full(len(out), "", dtype=object)
    lacks_paper = ~cover["covers_paper"].to_numpy(dtype=bool)
    lacks_electronic = ~cover["covers_electronic"].to_numpy(dtype=bool)
    text = np.select(
        [lacks_paper & lacks_electronic, lacks_paper, lacks_electronic],
        ["紙・電子", "紙", "電子"],
        "",
    )
    latest = cover["latest"].to_numpy(dtype="int64")
    missing[latest] = text
    methods[latest] = cover["methods"].to_numpy(dtype=object)
    return missing, methods


def disposals_view(sub: Submission) -> pd.DataFrame:
    """One row per 廃棄消去記録 row: C11-2, C11-3, C11-4.

    C11-2 looks at a 紙・電子 dataset's records together: only those it judges (its clause
    in force) count towards covering both media.
    """
    ctx = context(sub)
    f = sub.frames["disposals"].reset_index(drop=True)
    out = origin(f, "disposals")
    for column in ("ledger_id", "kind", "on", "method", "witness_requested", "certificate_on"):
        out[column] = f[column]
    ledger = sub.frames["ledger"]
    ledger = ledger[~flags(ledger["_unknown_contract"]) & flags(ledger["ledger_id"].notna())]
    medium = ledger.drop_duplicates(["contractor_id", "ledger_id"]).set_index(
        ["contractor_id", "ledger_id"]
    )["medium"]
    keys = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["ledger_medium"] = pd.Series(medium.reindex(keys).to_numpy(), index=f.index, dtype="str")
    out["witness_given"] = flags(f["witness"].notna())
    base = known(f) & ~invalid(f, "on") & on_or_before(ctx, f["on"])
    judge_2 = base & ~invalid(f, "method", "ledger_id") & flags(out["ledger_medium"].notna())
    judge_2 &= in_force(ctx, out, C11_2)
    fits, paper, electronic = _method_fit(out["ledger_medium"], f["method"])
    missing, methods = _uncovered_media(out, judge_2, paper, electronic)
    out["coverage_missing"] = pd.Series(missing, dtype="str")
    out["dataset_methods"] = pd.Series(methods, dtype="str")
    out["method_fits"] = fits & flags(out["coverage_missing"] == "")
    judges = {
        C11_2: judge_2,
        C11_3: base
        & flags(f["witness_requested"] == "要")
        & ~invalid(f, "witness_requested", "witness"),
        C11_4: base
        & flags(f["kind"].isin(("廃棄", "消去")))
        & ~invalid(f, "kind", "certificate_on"),
    }
    return finish(ctx, out, judges)


VIEW = View(
    name=NAME,
    title="廃棄消去記録",
    units=("disposals",),
    build=disposals_view,
    rules=(C11_2, C11_3, C11_4),
)
