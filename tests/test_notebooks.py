"""The notebooks run headless on the samples; their results, plots and HTML are checked."""

from __future__ import annotations

import html
import json
import re
import stat
import warnings
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from tokki_analytics.cli import main
from tokki_analytics.errors import ParameterError
from tokki_analytics.ingest import load
from tokki_analytics.masking import roster
from tokki_analytics.notebooks import analysis
from tokki_analytics.notebooks.briefing import (
    BACKWARDS,
    OVERDUE,
    RETURN_RULE,
    briefing,
    takeout_states,
    write_briefing_xlsx,
)
from tokki_analytics.notebooks.nbrun import NOTEBOOK_DIR, NOTEBOOKS, check_parameters, run_notebook
from tokki_analytics.notebooks.onsite_eval import FLAGGED_SHEET, PLAN_SHEET, POPULATIONS
from tokki_analytics.notebooks.timeline import timeline_figure
from tokki_analytics.outputs.offline import external_urls
from tokki_analytics.pipeline import open_run, read_findings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data_samples"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["run", str(DATA), "--out", str(out), "--no-history", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def audit(run_dir):
    return open_run(DATA, run_dir)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A history store holding two runs of the samples (as-of 2025-10-31, then 2026-01-31)."""
    base = tmp_path_factory.mktemp("hist")
    store = base / "store"
    for as_of in ("2025-10-31", "2026-01-31"):
        args = ["run", str(DATA), "--out", str(base / as_of), "--history", str(store)]
        assert main([*args, "--as-of", as_of, "--quiet", "--no-datadocs"]) == 0
    return store


@pytest.fixture(scope="module")
def executed(run_dir, history, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("nb") / "out"
    return {
        name: run_notebook(name, DATA, out, contractor="C003", run_dir=run_dir, history_dir=history)
        for name in NOTEBOOKS
    }


def _outputs(path: Path) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _text(path: Path) -> str:
    parts = []
    for o in _outputs(path):
        if o.output_type == "stream":
            parts.append(o.text)
        for mime in ("text/html", "text/plain", "text/markdown"):
            if mime in o.get("data", {}):
                parts.append(html.unescape(o.data[mime]))
    return "\n".join(parts)


def _html_tables(path: Path) -> list[list[list[str]]]:
    """Every HTML table the notebook shows, as rows of cell texts (header rows included)."""
    from bs4 import BeautifulSoup

    tables = []
    for o in _outputs(path):
        page = o.get("data", {}).get("text/html", "")
        for node in BeautifulSoup(page, "html.parser").find_all("table"):
            rows = [
                [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
                for tr in node.find_all("tr")
            ]
            tables.append([r for r in rows if any(r)])
    return tables


def test_briefing_lists_exactly_the_contractors_findings(audit, run_dir, executed):
    brief = briefing(audit, "C003")
    csv = read_findings(run_dir / "findings.csv")
    own = csv[csv["contractor_id"] == "C003"].reset_index(drop=True)
    assert len(brief.findings) == len(own) > 0
    assert list(brief.findings["rule_id"]) == list(own["rule_id"])
    assert list(brief.findings["row"].astype(str)) == list(own["row"].astype(str))
    text = _text(executed["briefing"][0])
    for detail in brief.findings["detail"]:
        assert detail in text
    others = csv[csv["contractor_id"] != "C003"]["detail"]
    assert not any(d in text for d in others if "C003" not in d)


def test_briefing_parts(audit, tmp_path):
    brief = briefing(audit, "C003")
    assert set(brief.status.to_numpy().ravel()) <= {"適合", "不適合", "未評価"}
    assert list(brief.summary["契約番号"]) == ["R7-0027", "R7-0030"]
    failing = set(brief.findings["rule_id"]) - {"Q0", "Q1", "Q2", "Q3"}
    assert failing <= set(brief.questions["rule_id"])
    assert {"第1", "第2", "第6", "第8"} <= set(
        brief.questions.loc[brief.questions["rule_id"] == "（データで確認不可）", "clause"]
    )
    assert "＊＊" in " ".join(brief.findings["source_row"])
    defects = brief.findings[brief.findings["rule_id"].str.startswith("Q")]
    asked = brief.questions[brief.questions["rule_id"] == "Q3"]["question"]
    assert list(defects["rule_id"]) == ["Q3"] and len(asked) == 1
    assert defects["detail"].iloc[0] in asked.iloc[0]
    names = roster(audit)
    assert not any(n in " ".join(brief.findings["source_row"]) for n in names)
    path = write_briefing_xlsx(brief, tmp_path / "b.xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert len(sheets["指摘"]) == len(brief.findings)
    with pytest.raises(ParameterError, match="C999"):
        briefing(audit, "C999")


def test_plots_have_no_missing_glyphs(audit, executed, history):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = timeline_figure(briefing(audit, "C003"))
        fig.canvas.draw()
        trend = analysis.clause_trend(history, DATA, "第3")
        analysis.trend_figure(trend, "第3").canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    for ipynb, _ in executed.values():
        outputs = _outputs(ipynb)
        assert not [o for o in outputs if o.output_type == "error"]
        assert "missing from font" not in _text(ipynb)
        charts = [o for o in outputs if "<img" in o.get("data", {}).get("text/html", "")]
        assert len(charts) == 1, ipynb
        alt = re.search(r'alt="([^"]+)"', charts[0].data["text/html"]).group(1)
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", alt), alt  # Japanese alt text
    for _, page in executed.values():
        assert "No description has been provided" not in page.read_text(encoding="utf-8")


def test_html_is_offline_masked_and_owner_only(executed):
    names = roster(load(DATA))
    assert names
    for ipynb, page in executed.values():
        text = page.read_text(encoding="utf-8")
        assert external_urls(text) == []
        assert "<script src" not in text
        leaked = [n for n in names if n in text]
        assert not leaked, (page.name, leaked[:3])
        assert "open_run(" not in text  # no code cells
        for path in (ipynb, page):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(executed["briefing"][0].parent.stat().st_mode) == 0o700
    assert (executed["briefing"][0].parent / "briefing_C003.xlsx").is_file()


def test_comparison_and_incident_results(audit, executed):
    targets = analysis.inspection_targets(audit)
    text = _text(executed["comparison"][0])
    for reason in targets["reasons"]:
        assert reason in text
    inc = analysis.incidents(audit)
    assert inc["late"].sum() >= 1 and inc["ppc_reportable"].sum() >= 1
    assert "INC2025-01" in _text(executed["incidents"][0])
    rates = analysis.clause_rates(audit, "第3")
    assert 0 <= analysis.clause_failure_rate(audit, "第3") <= 1
    assert set(rates["contractor_id"]) <= set(audit.submission.contracts["contractor_id"])


def test_clause_notebook_shows_the_trend_of_the_stored_runs(history, executed):
    trend = analysis.clause_trend(history, DATA, "第3")
    assert trend["run_id"].nunique() == 2
    assert list(trend.drop_duplicates("run_id")["as_of"]) == ["2025-10-31", "2026-01-31"]
    assert analysis.clause_trend(history.parent / "none", DATA, "第3").empty
    table = analysis.trend_table(trend)
    assert list(table.columns.str[:3]) == ["1回目", "2回目"]
    failed = trend.groupby(["contractor_id", "run_id"])["units_failed"].sum()
    assert int(table.to_numpy().sum()) == int(failed.sum()) > 0
    assert "保存された実行履歴がありません" not in _text(executed["clause"][0])
    shown = next(t for t in _html_tables(executed["clause"][0]) if "1回目" in t[0][1])
    assert shown[0][1:] == list(table.columns)
    rows = {r[0]: [int(v) for v in r[1:]] for r in shown[1:] if r[0].startswith("C")}
    assert rows == {cid: [int(v) for v in values] for cid, values in table.iterrows()}


@pytest.mark.parametrize("stem", [nb.stem for nb in NOTEBOOKS.values()])
def test_committed_notebooks_are_clean_and_paired(stem):
    raw = json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert any("parameters" in c["metadata"].get("tags", []) for c in raw["cells"])
    nb = jupytext.read(NOTEBOOK_DIR / f"{stem}.ipynb")
    paired = jupytext.writes(nb, fmt="py:percent")
    assert paired == (NOTEBOOK_DIR / f"{stem}.py").read_text(encoding="utf-8")


def test_cli_notebook_usage_errors(tmp_path, capsys):
    assert main(["notebook", "briefing", "--data", str(DATA), "--out", str(tmp_path)]) == 2
    assert "--contractor" in capsys.readouterr().err
    args = ["notebook", "comparison", "--data", str(tmp_path / "nope"), "--out", str(tmp_path)]
    assert main(args) == 2


def test_cli_notebook_refuses_an_unknown_contractor_or_clause_up_front(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["notebook", "briefing", "--data", str(DATA), "--out", str(out)]
    assert main([*args, "--contractor", "C999"]) == 2
    err = capsys.readouterr().err
    assert "受託者 C999 の契約は委託契約一覧にありません" in err and "C003" in err
    assert "Traceback" not in err
    args = ["notebook", "clause", "--data", str(DATA), "--out", str(out)]
    assert main([*args, "--clause", "第7"]) == 2
    err = capsys.readouterr().err
    assert "第7一" in err and "no rule checks clause" in err
    assert not out.exists()  # nothing written before the parameters are known to be good
    assert check_parameters("briefing", DATA, " c003 ") == ("C003", None)
    assert check_parameters("clause", DATA, clause="３")[1] == "第3"
    assert check_parameters("clause", DATA, clause="第7三")[1] == "第7三"


def test_takeouts_carry_their_return_state(audit):
    takeouts = briefing(audit, "C003").takeouts
    assert takeouts["taken_at"].is_monotonic_increasing
    keys = takeouts["medium"] + " " + takeouts["taken_at"].astype(str)
    state = dict(zip(keys, takeouts["state"], strict=True))
    assert state["電子メール 2025-10-28 09:19:00"] == "返却不要"
    assert state["USBメモリ 2025-12-10 11:15:00"] == "未返却（期限超過）"  # 52 days > 7
    assert state["ノートPC 2026-01-28 15:52:00"] == "未返却（期限内）"  # 3 days before as-of
    assert state["紙 2025-11-14 10:07:00"] == "返却日時が持出日時より前"
    assert state["外付けHDD 2025-08-08 09:16:00"] == "返却済み"
    # the red states are C7.2-2's findings, contractor by contractor
    findings = audit.findings[audit.findings["rule_id"] == RETURN_RULE]
    for cid in sorted(set(audit.submission.contracts["contractor_id"])):
        states = takeout_states(audit, cid)["state"]
        red = int(states.isin([OVERDUE, BACKWARDS]).sum())
        assert red == int((findings["contractor_id"] == cid).sum()), cid


def test_briefing_workbook_has_japanese_headers_and_neutralised_text(audit, tmp_path):
    brief = briefing(audit, "C003")
    brief.findings.loc[0, "detail"] = '=HYPERLINK("http://example.invalid")'
    path = write_briefing_xlsx(brief, tmp_path / "b.xlsx")
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", dtype=str)
    assert list(sheets)[:6] == ["概要", "条項別状況", "指摘", "質問事項", "従事者", "持出し"]
    assert list(sheets)[6:] == [p.sheet for p in POPULATIONS] + [FLAGGED_SHEET, PLAN_SHEET]
    assert {"規則ID", "重大度", "ファイル", "シート", "行", "内容"} <= set(sheets["指摘"].columns)
    assert {"従事者ID", "氏名", "従事開始日"} <= set(sheets["従事者"].columns)
    assert "返却の状況" in sheets["持出し"].columns
    assert sheets["指摘"].loc[0, "内容"].startswith("'=HYPERLINK")
    assert not any(c.isascii() and "_" in c for s in sheets.values() for c in s.columns)


def test_briefing_from_one_contractors_folder_equals_the_full_load(audit, run_dir):
    alone = open_run(DATA, run_dir, contractor="C003")
    assert set(alone.submission.frames["staff"]["contractor_id"]) == {"C003"}
    full, part = briefing(audit, "C003"), briefing(alone, "C003")
    for name in ("summary", "status", "findings", "questions", "staff", "takeouts"):
        pd.testing.assert_frame_equal(getattr(part, name), getattr(full, name), obj=name)
    pd.testing.assert_frame_equal(part.media_checks, full.media_checks)
    pd.testing.assert_frame_equal(part.check_gaps, full.check_gaps)
    with pytest.raises(ParameterError, match="findings.csv"):
        open_run(DATA, run_dir.parent / "nowhere")
