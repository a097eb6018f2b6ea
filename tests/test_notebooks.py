"""The notebooks run headless on the samples; their results, plots and HTML are checked."""

from __future__ import annotations

import html
import json
import stat
import warnings
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from tokki_analytics import analysis
from tokki_analytics.briefing import (
    briefing,
    open_run,
    read_findings,
    timeline_figure,
    write_briefing_xlsx,
)
from tokki_analytics.cli import main
from tokki_analytics.load import load
from tokki_analytics.mask import roster_names
from tokki_analytics.nbrun import NOTEBOOK_DIR, NOTEBOOKS, run_notebook
from tokki_analytics.offline import external_urls

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
def executed(run_dir, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("nb") / "out"
    return {
        name: run_notebook(name, DATA, out, contractor="C003", run_dir=run_dir)
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
    names = roster_names(audit.submission.frames)
    assert not any(n in " ".join(brief.findings["source_row"]) for n in names)
    path = write_briefing_xlsx(brief, tmp_path / "b.xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert len(sheets["指摘"]) == len(brief.findings)
    with pytest.raises(KeyError):
        briefing(audit, "C999")


def test_plots_have_no_missing_glyphs(audit, executed):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = timeline_figure(briefing(audit, "C003"))
        fig.canvas.draw()
        trend = pd.DataFrame(
            {"run_at": pd.to_datetime(["2025-01-01", "2025-02-01"]), "contractor_id": "C001"}
            | {"rate": [0.9, 1.0]}
        )
        analysis.trend_figure(trend, "第3").canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    for ipynb, _ in executed.values():
        outputs = _outputs(ipynb)
        assert not [o for o in outputs if o.output_type == "error"]
        assert "missing from font" not in _text(ipynb)
        if ipynb.stem != "03_clause":
            assert any("image/png" in o.get("data", {}) for o in outputs), ipynb


def test_html_is_offline_masked_and_owner_only(executed):
    names = roster_names(load(DATA).frames)
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


def test_clause_trend_reads_the_history(tmp_path):
    store = tmp_path / "hist"
    for _ in range(2):
        assert (
            main(
                [
                    "run",
                    str(DATA),
                    "--out",
                    str(tmp_path / "r"),
                    "--history",
                    str(store),
                    "--quiet",
                    "--no-datadocs",
                ]
            )
            == 0
        )
    trend = analysis.clause_trend(store, DATA, "第3")
    assert trend["run_id"].nunique() == 2
    assert analysis.clause_trend(tmp_path / "none", DATA, "第3").empty


@pytest.mark.parametrize("stem", sorted(NOTEBOOKS.values()))
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
