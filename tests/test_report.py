"""The HTML report and the run history, on the sample prefecture (one audit for the module)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from conftest import ROOT

import tokki_analytics
from tokki_analytics.findings import FINDING_COLUMNS, build_findings
from tokki_analytics.history import (
    DB_NAME,
    finding_identities,
    finding_units,
    record_run,
)
from tokki_analytics.masking import mask_name, roster
from tokki_analytics.outputs.offline import external_urls, offline_html
from tokki_analytics.render.charts import pct
from tokki_analytics.render.css import STATUS_CLASS
from tokki_analytics.render.html import prepare_run, write_html
from tokki_analytics.render.html_grid import GRID_ID, clause_grid
from tokki_analytics.rules import RULES_BY_ID
from tokki_analytics.status import (
    RISK_FORMULA,
    SENSITIVE_FACTOR,
    clause_status,
    contractor_clause_status,
    contractor_ids,
    risk_ranking,
)
from tokki_analytics.vocab import (
    SEVERITY_WEIGHTS,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
    rule_clauses,
)

LINKS = {"findings.xlsx": "Excel", "datadocs/index.html": "GX Data Docs"}
IMG = re.compile(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
XMLNS = re.compile(r'\sxmlns(?::[\w-]+)?\s*=\s*"[^"]*"')
ANY_URL = re.compile(r"https?://", re.IGNORECASE)
REMOTE_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.\-]*:)?//""", re.I)


@pytest.fixture(scope="module")
def sample_audit():
    return tokki_analytics.audit(ROOT / "data_samples")


@pytest.fixture(scope="module")
def report(sample_audit, tmp_path_factory):
    """The default report: names masked, no history."""
    out = tmp_path_factory.mktemp("report")
    backend = os.environ.get("MPLBACKEND")
    paths = write_html(sample_audit, out, links=LINKS)
    assert os.environ.get("MPLBACKEND") == backend, "the report must not set MPLBACKEND"
    return out, paths


@pytest.fixture(scope="module")
def dropped(sample_audit):
    """Index of one row-level finding (a C7.3-1) that the second run leaves out."""
    findings = sample_audit.findings
    return int(findings.index[findings["rule_id"] == "C7.3-1"][0])


@pytest.fixture(scope="module")
def histories(sample_audit, dropped, tmp_path_factory):
    """Three runs of data_samples: all findings, one finding fewer, all findings again."""
    store = tmp_path_factory.mktemp("history") / "store"
    fewer = dataclasses.replace(
        sample_audit, findings=sample_audit.findings.drop(index=dropped).reset_index(drop=True)
    )
    first = record_run(store, sample_audit, run_at=dt.datetime(2026, 1, 31, 9, 0))
    second = record_run(store, fewer, run_at=dt.datetime(2026, 2, 1, 9, 0))
    third = record_run(store, sample_audit, run_at=dt.datetime(2026, 2, 2, 9, 0))
    return store, first, second, third


@pytest.fixture(scope="module")
def named_report(sample_audit, histories, tmp_path_factory):
    """A report with names shown and the third run's history."""
    out = tmp_path_factory.mktemp("named")
    paths = write_html(sample_audit, out, show_names=True, history=histories[3], links=LINKS)
    return out, paths


def _pages(out: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


def _person_name(audit) -> tuple[str, str]:
    """A roster name (and its finding's rule id) that the report shows next to a finding."""
    units = finding_units(audit.findings)
    staff = audit.submission.frames["staff"]
    for idx, person in units["person_id"].items():
        if not person:
            continue
        cid = audit.findings.at[idx, "contractor_id"]
        names = staff.loc[(staff["contractor_id"] == cid) & (staff["person_id"] == person), "name"]
        if len(names.dropna()):
            return str(names.dropna().iloc[0]).strip(), cid
    raise AssertionError("no finding about a person on the roster")


# --- pages ------------------------------------------------------------------------------


def test_index_and_every_contractor_page_exist(sample_audit, report):
    out, paths = report
    assert paths[0] == out / "index.html"
    ids = contractor_ids(sample_audit)
    assert {"C001", "C008"} <= set(ids)
    expected = {out / "contractors" / f"{cid}.html" for cid in ids}
    assert expected == set(paths[1:])
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
    index = (out / "index.html").read_text(encoding="utf-8")
    for cid in ids:
        assert f'href="contractors/{cid}.html"' in index


def _grid(page: str, grid_id: str = GRID_ID) -> Tag:
    table = BeautifulSoup(page, "html.parser").find("table", id=grid_id)
    assert isinstance(table, Tag), f"no table #{grid_id}"
    return table


def _grid_rows(table: Tag) -> list[tuple[Tag, list[Tag]]]:
    """(row header, cells) of each body row."""
    return [(tr.find("th"), tr.find_all("td")) for tr in table.find("tbody").find_all("tr")]


def test_index_has_a_contractor_by_clause_table_in_risk_order(sample_audit, report):
    out, _ = report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert not IMG.search(index), "no picture on index.html without history"
    table = _grid(index)
    status = contractor_clause_status(sample_audit)
    ranked = [
        c for c in risk_ranking(sample_audit)["contractor_id"] if c in set(status["contractor_id"])
    ]
    rows = _grid_rows(table)
    assert [th.a["href"] for th, _ in rows] == [f"contractors/{c}.html" for c in ranked]
    assert all(th.get_text().startswith(c) for (th, _), c in zip(rows, ranked, strict=True))
    # the contractor without a contract (C008) is named and linked under the table
    others = set(contractor_ids(sample_audit)) - set(ranked)
    assert others
    for cid in others:
        assert f'<a href="contractors/{cid}.html">' in index.split(f'id="{GRID_ID}"')[1]
    heads = table.find("thead").find_all("th")
    clauses = rule_clauses()
    assert len(heads) == 2 + len(clauses)
    assert [h.button.contents[0] for h in heads[2:]] == clauses
    assert all(h.button is not None and h.button.get("type") == "button" for h in heads)
    assert heads[1].get("aria-sort") == "descending"  # risk order
    assert [h.get("aria-sort") for h in heads[2:]] == [None] * len(clauses)


def test_table_cells_are_the_clause_status_as_class_and_text(sample_audit, report):
    out, _ = report
    table = _grid((out / "index.html").read_text(encoding="utf-8"))
    status = contractor_clause_status(sample_audit).set_index(["contractor_id", "clause"])
    ranking = risk_ranking(sample_audit).set_index("contractor_id")
    clauses = rule_clauses()
    seen = set()
    for th, cells in _grid_rows(table):
        cid = th.a["href"].removeprefix("contractors/").removesuffix(".html")
        assert cells[0].get_text() == f"{ranking.at[cid, 'score']:.2f}"
        assert len(cells) == 1 + len(clauses)
        for clause, td in zip(clauses, cells[1:], strict=True):
            cell = status.loc[(cid, clause)]
            assert STATUS_CLASS[cell["status"]] in td["class"], (cid, clause)
            text = "未評価" if cell["status"] == STATUS_NOT_ASSESSED else pct(cell["rate"])
            assert td.get_text() == text, (cid, clause)
            if cell["status"] == STATUS_PASS:
                assert text == "100%"
            seen.add(cell["status"])
    assert seen == {STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS}


def test_not_assessed_cells_differ_without_colour(report):
    out, _ = report
    index = (out / "index.html").read_text(encoding="utf-8")
    table = _grid(index)
    na = table.find_all("td", class_=STATUS_CLASS[STATUS_NOT_ASSESSED])
    assert na and {td.get_text() for td in na} == {"未評価"}  # a word, not a colour
    css = dict(re.findall(r"td\.(st-na|st-ok)[^{]*\{([^}]*)\}", index))
    assert "repeating-linear-gradient" in css["st-na"] and css["st-na"] != css["st-ok"]
    legend = BeautifulSoup(index, "html.parser").find("ul", class_="legend").get_text()
    assert all(word in legend for word in ("適合", "不適合", "未評価"))


def test_table_header_and_first_column_are_sticky_in_a_scrolling_box(report):
    out, _ = report
    index = (out / "index.html").read_text(encoding="utf-8")
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", index.split("<style>")[1].split("</style>")[0]))
    rules = {k.strip(): v for k, v in rules.items()}
    assert (
        "position: sticky" in rules["table.grid thead th"]
        and "top: 0" in rules["table.grid thead th"]
    )
    assert (
        "position: sticky" in rules["table.grid tbody th"]
        and "left: 0" in rules["table.grid tbody th"]
    )
    assert "overflow: auto" in rules[".grid-wrap"] and "max-height" in rules[".grid-wrap"]
    wrap = _grid(index).parent
    assert "grid-wrap" in wrap["class"] and wrap.get("tabindex") == "0"  # scrolls by keyboard


def test_table_shows_names_as_masked_as_the_rest_of_the_page(sample_audit):
    name, cid = _person_name(sample_audit)
    run = prepare_run(sample_audit, False, None, None)
    run.names[cid] = name  # a contractor named like a person on a roster
    grid = clause_grid(run)
    assert name not in grid and mask_name(name) in grid
    shown = prepare_run(sample_audit, True, None, None)
    shown.names[cid] = name
    assert name in clause_grid(shown)


def test_pages_are_japanese_with_headings(report):
    out, _ = report
    pages = _pages(out)
    index = pages[out / "index.html"]
    for heading in (
        "実行概要",
        "受託者×条項の適合状況",
        "リスク順位",
        "前回からの変化",
        "関連資料",
    ):
        assert heading in index
    page = pages[out / "contractors" / "C002.html"]
    for heading in ("契約ごとの条項の状況", "条項別の指摘", "提出物の不備", "推移", "契約"):
        assert heading in page
    for text in pages.values():
        assert '<html lang="ja">' in text
        assert '<meta charset="utf-8">' in text
        assert "Noto Sans CJK JP" in text and "sans-serif" in text
    assert '<a href="findings.xlsx">Excel</a>' in index
    assert '<a href="../datadocs/index.html">GX Data Docs</a>' in page


def test_summary_counts(sample_audit, report):
    out, _ = report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert str(sample_audit.settings.as_of) in index
    assert f"{len(sample_audit.submission.contracts)} 件" in index
    assert "Q0 2 / Q1 2 / Q2 4 / Q3 3" in index
    major = (sample_audit.findings["severity"] == "重大").sum()
    assert f'<div class="v">{major}</div><div class="k">指摘 重大</div>' in index


@pytest.mark.parametrize("which", ["report", "named_report"])
def test_no_external_url_in_any_page(which, request):
    out, _ = request.getfixturevalue(which)
    for path, text in _pages(out).items():
        stripped = XMLNS.sub("", text)
        assert not ANY_URL.search(stripped), f"external URL in {path}"
        assert not REMOTE_REF.search(stripped), f"protocol-relative reference in {path}"
        assert external_urls(text) == [] and offline_html(text) == text  # tokki's own check
        scripts = re.findall(r"<script\b([^>]*)>", text, re.I)
        assert scripts == ([""] if path.name == "index.html" else []), path  # one, inline
        assert "<link" not in text.lower()
        assert "@import" not in text and "@font-face" not in text


def test_external_links_are_refused(sample_audit, tmp_path):
    with pytest.raises(ValueError):
        write_html(sample_audit, tmp_path / "out", links={"https://example.org/x": "x"})
    assert not (tmp_path / "out" / "index.html").exists()


# --- names ------------------------------------------------------------------------------


def test_names_are_masked_by_default(sample_audit, report):
    out, _ = report
    text = "\n".join(_pages(out).values())
    name, _ = _person_name(sample_audit)
    assert name not in text
    assert mask_name(name) in text
    for roster_name in roster(sample_audit):
        assert roster_name not in text
        assert re.sub(r"\s", "", roster_name) not in text


def test_names_are_shown_on_request(sample_audit, named_report):
    out, _ = named_report
    name, cid = _person_name(sample_audit)
    page = (out / "contractors" / f"{cid}.html").read_text(encoding="utf-8")
    assert name in page


# --- clause status -----------------------------------------------------------------------


def test_clause_status_covers_every_contract_and_clause(sample_audit):
    status = clause_status(sample_audit)
    contracts = sample_audit.submission.contracts
    assert len(status) == len(contracts) * len(rule_clauses())
    assert set(status["status"]) == {STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS}
    assert (status.loc[status["status"] == STATUS_NOT_ASSESSED, "units_checked"] == 0).all()
    fail = status["status"] == STATUS_FAIL
    assert (status.loc[fail, "units_failed"] > 0).all()
    assert (status.loc[~fail, "units_failed"] == 0).all()
    assert status["rate"].isna().eq(status["status"] == STATUS_NOT_ASSESSED).all()


def test_contractor_wide_units_count_for_each_contract(sample_audit):
    status = clause_status(sample_audit).set_index(["contractor_id", "contract_id", "clause"])
    comp = sample_audit.compliance
    c3 = comp[(comp["contractor_id"] == "C002") & (comp["clause"] == "第3")]
    wide = c3[c3["contract_id"] == ""]
    assert wide["units_failed"].sum() == 2  # C3-3 on 入退室記録 (contract blank)
    for contract_id in ("K2025-019", "R6-0022"):
        own = c3[c3["contract_id"] == contract_id]
        cell = status.loc[("C002", contract_id, "第3")]
        assert cell["units_checked"] == own["units_checked"].sum() + wide["units_checked"].sum()
        assert cell["units_failed"] == own["units_failed"].sum() + 2
        assert cell["status"] == STATUS_FAIL


def test_an_excluded_clause_is_not_assessed(sample_audit):
    status = clause_status(sample_audit).set_index(["contractor_id", "contract_id", "clause"])
    cell = status.loc[("C006", "R5-0057", "第9")]  # 適用除外条項: 第9, 第7七
    assert cell["excluded"] and cell["status"] == STATUS_NOT_ASSESSED
    assert cell["units_checked"] == 0


def test_not_assessed_and_compliant_are_shown_differently(sample_audit, report):
    out, _ = report
    status = clause_status(sample_audit)
    mine = status[status["contractor_id"] == "C002"]
    assert {STATUS_NOT_ASSESSED, STATUS_PASS} <= set(mine["status"])
    page = (out / "contractors" / "C002.html").read_text(encoding="utf-8")
    assert '<td class="st st-na">未評価' in page
    assert '<td class="st st-ok">適合' in page
    css = dict(re.findall(r"td\.(st-na|st-ok)[^{]*\{([^}]*)\}", page))
    assert css["st-na"] != css["st-ok"]
    assert "repeating-linear-gradient" in css["st-na"]
    assert page.count("未評価") > 3 and page.count("適合") > 3


# --- risk ranking -------------------------------------------------------------------------


def test_risk_ranking_follows_the_documented_formula(sample_audit, report):
    ranking = risk_ranking(sample_audit)
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1))
    assert ranking["score"].is_monotonic_decreasing
    contracts = sample_audit.submission.contracts
    for row in ranking.itertuples(index=False):
        mine = contracts[contracts["contractor_id"] == row.contractor_id]
        findings = sample_audit.findings[
            sample_audit.findings["contractor_id"] == row.contractor_id
        ]
        weighted = sum(SEVERITY_WEIGHTS[s] for s in findings["severity"])
        volume = float(mine["record_volume"].fillna(0).sum())
        factor = SENSITIVE_FACTOR if (mine["sensitive"] == "有").any() else 1.0
        expected = weighted * (1 + math.log10(1 + volume / 1000)) * factor
        assert row.score == pytest.approx(expected, abs=0.006), row.contractor_id
    c001 = ranking.set_index("contractor_id").loc["C001"]
    assert c001["sensitive"] and c001["sensitivity_factor"] == SENSITIVE_FACTOR
    index = (report[0] / "index.html").read_text(encoding="utf-8")
    assert "W × (1 + log10(1 + V ÷ 1,000)) × S" in RISK_FORMULA
    assert RISK_FORMULA.replace(">", "&gt;") in index
    assert "重大 3、軽微 1、観察 0.2" in index


# --- history -----------------------------------------------------------------------------


def test_first_run_has_no_previous(sample_audit, histories):
    _, first, _, _ = histories
    assert first.previous_run_id is None and not first.has_earlier_runs
    assert len(first.new_findings) == len(sample_audit.findings)
    assert first.resolved_findings.empty


def test_new_and_resolved_findings_between_runs(sample_audit, dropped, histories):
    _, first, second, third = histories
    identity = finding_identities(sample_audit.findings)[dropped]
    assert second.previous_run_id == first.run_id
    assert second.new_findings.empty
    assert list(second.resolved_findings["identity"]) == [identity]
    assert second.resolved_findings.iloc[0]["rule_id"] == "C7.3-1"
    assert list(third.new_findings["identity"]) == [identity]
    assert third.new_findings.iloc[0]["detail"] == sample_audit.findings.at[dropped, "detail"]
    assert third.resolved_findings.empty


def test_trend_has_a_point_per_run(sample_audit, histories):
    _, _, second, third = histories
    trend = second.trend()
    assert trend.groupby("contractor_id")["run_id"].nunique().eq(2).all()
    assert set(trend["contractor_id"]) == set(sample_audit.compliance["contractor_id"])
    assert len(third.runs) == 3 and third.trend()["run_id"].nunique() == 3
    assert trend["mean_rate"].between(0, 1).all()


def test_identity_does_not_rest_on_row_numbers(sample_audit):
    # every row 10 further down (rows inserted above): the same units, the same identities
    views = {k: v.assign(_row=v["_row"] + 10) for k, v in sample_audit.views.items()}
    defects = sample_audit.submission.defects
    shifted = build_findings(
        views, sample_audit.validation, defects.assign(row=defects["row"] + 10)
    )
    assert shifted["row"].equals(sample_audit.findings["row"] + 10)
    before = finding_identities(sample_audit.findings)
    assert before.is_unique
    assert (finding_identities(shifted) == before).all()


def test_findings_carry_the_unit_they_failed(sample_audit):
    findings = sample_audit.findings
    rules = findings[~findings["rule_id"].str.startswith("Q")]
    assert len(rules) and (findings.loc[rules.index, "view"] != "").all()
    for (rule_id, view), group in rules.groupby(["rule_id", "view"]):
        assert RULES_BY_ID[rule_id].view == view
        rows = sample_audit.views[view].set_index("_key").loc[group["view_key"]]
        assert list(rows["_source"].astype(str)) == list(group["source"])
        assert list(rows["_row"].astype("Int64").astype(str)) == list(group["row"].astype(str))
        failed = sample_audit.validation.results[rule_id].failed_keys
        assert set(group["view_key"]) == set(failed)
    defects = findings[findings["rule_id"].str.startswith("Q")]
    assert defects["view_key"].isna().all() and (defects[["view", "unit"]] == "").all().all()


def test_a_store_written_by_the_previous_version_loads_and_keeps_its_findings(
    sample_audit, tmp_path
):
    # tests/fixtures/history_v0.sql: a run of data_samples recorded by tokki before findings
    # carried their units (identities re-derived from the views and the detail text)
    store = tmp_path / "store"
    store.mkdir()
    dump = (ROOT / "tests" / "fixtures" / "history_v0.sql").read_text(encoding="utf-8")
    with contextlib.closing(sqlite3.connect(store / DB_NAME)) as con:
        con.executescript(dump)
        with con:
            data_dir = str((ROOT / "data_samples").resolve())
            con.execute("UPDATE runs SET data_dir = ?", (data_dir,))
    now = record_run(store, sample_audit, run_at=dt.datetime(2026, 2, 1, 9, 0))
    assert now.previous_run_id == 1 and len(now.runs) == 2
    assert now.new_findings.empty and now.resolved_findings.empty
    assert now.compliance["run_id"].nunique() == 2


def test_findings_read_back_from_a_run_are_not_recorded(sample_audit, tmp_path):
    reopened = dataclasses.replace(
        sample_audit, findings=sample_audit.findings[FINDING_COLUMNS], validation=None
    )
    with pytest.raises(ValueError, match="units"):
        record_run(tmp_path / "store", reopened)
    assert not (tmp_path / "store").exists()


def test_history_store_is_private_and_holds_no_names(sample_audit, histories):
    store = histories[0]
    assert stat.S_IMODE((store / DB_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    with sqlite3.connect(store / DB_NAME) as con:
        dump = "\n".join(con.iterdump())
    assert "C7.3-1" in dump
    for name in roster(sample_audit):
        assert name not in dump and re.sub(r"\s", "", name) not in dump


def test_report_shows_changes_and_trends(sample_audit, dropped, histories, named_report):
    out, _ = named_report
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "新たな指摘 <span" in index and ": 1 件" in index
    assert sample_audit.findings.at[dropped, "detail"] in index
    assert not IMG.search(index)  # tables and inline lines, not pictures
    trend = histories[3].trend()
    last = trend[trend["run_id"] == trend["run_id"].max()].set_index("contractor_id")
    rows = _grid_rows(_grid(index, "trend-grid"))
    assert sorted(th.a["href"] for th, _ in rows) == [
        f"contractors/{c}.html" for c in sorted(set(trend["contractor_id"]))
    ]
    for th, cells in rows:
        cid = th.a["href"].removeprefix("contractors/").removesuffix(".html")
        assert cells[0].find("svg") is not None  # the sparkline
        assert cells[2].get_text() == pct(last.at[cid, "mean_rate"])
        assert cells[3].get_text() == "±0"  # the same compliance in every run
    cid = sample_audit.findings.at[dropped, "contractor_id"]
    page = (out / "contractors" / f"{cid}.html").read_text(encoding="utf-8")
    assert '<span class="new">新規</span>' in page and not IMG.search(page)
    chart = BeautifulSoup(page, "html.parser").find("svg", class_="trend")
    assert chart is not None and chart["role"] == "img" and "3 回" in chart["aria-label"]
    assert len(chart.find_all("circle")) == 3  # a point per run


# --- permissions --------------------------------------------------------------------------


def test_files_are_owner_only_by_default(report):
    out, paths = report
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (out, out / "contractors"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
