"""Not assessed is not failed: a reference form that is missing or unreadable blocks its rules.

A contractor whose 作業従事者名簿 is password-protected or corrupt must not get one C3-3
failure per access-log row: C3-3 (and every rule that compares against the roster) is
*not assessed* for that contractor (RULES.md), the Q0 says which rules it blocked, and the
report shows the clause as 未評価 with the reason. Each test has a control in which the
reference form is readable, so it shows the rule does fire there.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
from conftest import (
    CONTRACT_HEADER,
    FIXTURES,
    STAFF_HEADER,
    contract,
    staff_row,
    write_csv,
    write_xlsx,
)

from tokki_analytics.cli import main

FOLDER = "C001_株式会社テスト"
ACCESS_HEADER = ["日時", "従事者ID", "区分", "部屋"]
LEDGER_HEADER = ["台帳番号", "契約番号", "個人情報の名称", "件数", "媒体", "保管場所"]
LEDGER_HEADER += ["保管方法", "利用者", "受領日", "返還・廃棄期限", "状態"]
TAKEOUT_HEADER = ["持出日時", "従事者ID", "台帳番号", "持出先", "媒体", "暗号化", "承認者"]
TAKEOUT_HEADER += ["返却日時"]
DISPOSAL_HEADER = ["台帳番号", "契約番号", "処理区分", "処理日", "方法", "立会い要否", "立会者"]
DISPOSAL_HEADER += ["証明書提出日"]


def _folder(tmp_path: Path) -> Path:
    """委託契約一覧 with one contract K-001 of C001, a settings file, an empty C001 folder."""
    root = tmp_path / "data"
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, contract()]})
    (root / "settings.toml").write_text('as_of = "2025-10-31"\n', encoding="utf-8")
    (root / FOLDER).mkdir()
    return root


def _access_log(root: Path) -> None:
    """Six access rows: three by P001 (on the roster), three by P999 (on no roster)."""
    rows = [ACCESS_HEADER]
    for day in ("2025-05-01", "2025-06-02", "2025-07-01"):
        rows.append([f"{day} 09:00", "P001", "入室", "第1作業室"])
        rows.append([f"{day} 10:00", "P999", "入室", "第1作業室"])
    write_csv(root / FOLDER / "入退室記録.csv", rows)


def _roster(root: Path, kind: str) -> Path:
    """The contractor's 作業従事者名簿.xlsx: readable, password-protected, corrupt or headless."""
    path = root / FOLDER / "作業従事者名簿.xlsx"
    if kind == "readable":
        write_xlsx(path, {"作業従事者名簿": [STAFF_HEADER, staff_row("P001")]})
    elif kind == "password":
        shutil.copyfile(FIXTURES / "password.xlsx", path)
    elif kind == "corrupt":
        path.write_bytes(random.Random(9).randbytes(2048))
    elif kind == "headless":
        # The header row says 社員番号/名前/… : none of the required column names.
        junk = ["社員番号", "名前", "担当", "区分", "場所", "開始", "終了", "届出", "誓約", "メモ"]
        write_xlsx(path, {"作業従事者名簿": [junk, staff_row("P001")]})
    return path


def _run(root: Path, out: Path) -> tuple[list[dict], list[dict], str]:
    """``tokki run``: (findings.csv rows, compliance.csv rows, C001's report page)."""
    args = ["run", str(root), "--out", str(out), "--quiet", "--no-history", "--no-datadocs"]
    assert main(args) in (0, 1)
    findings = list(csv.DictReader((out / "findings.csv").open(encoding="utf-8-sig")))
    compliance = list(csv.DictReader((out / "compliance.csv").open(encoding="utf-8-sig")))
    pages = [p for p in out.rglob("C001*.html")]
    assert len(pages) == 1, pages
    return findings, compliance, pages[0].read_text(encoding="utf-8")


def _rules(rows: list[dict], contractor: str = "C001") -> set[str]:
    return {r["rule_id"] for r in rows if r["contractor_id"] == contractor}


def _clause_cells(page: str, clause_label: str) -> str:
    """The HTML of the clause-status row whose first cell is ``clause_label``."""
    start = page.index(f"<td>{clause_label}</td>")
    return page[start : page.index("</tr>", start)]


def test_a_readable_roster_lets_c3_3_fail_the_unknown_person(tmp_path: Path):
    root = _folder(tmp_path)
    _access_log(root)
    _roster(root, "readable")
    findings, compliance, page = _run(root, tmp_path / "out")
    c33 = [f for f in findings if f["rule_id"] == "C3-3"]
    assert len(c33) == 3 and all("P999" in f["detail"] for f in c33)
    assert "C3-3" in _rules(compliance)
    assert "不適合" in _clause_cells(page, "第3 従事者の届出")


@pytest.mark.parametrize("kind", ["password", "corrupt"])
def test_an_unreadable_roster_leaves_c3_3_not_assessed(tmp_path: Path, kind: str):
    root = _folder(tmp_path)
    _access_log(root)
    _roster(root, kind)
    findings, compliance, page = _run(root, tmp_path / "out")

    assert "C3-3" not in _rules(findings), "no access row fails against a roster never read"
    assert "C2-1" not in _rules(findings), "no supervisor gap against a roster never read"
    q0 = [f for f in findings if f["rule_id"] == "Q0"]
    assert [f["source"] for f in q0] == [f"{FOLDER}/作業従事者名簿.xlsx"]
    detail = q0[0]["detail"]
    assert "未評価" in detail and "not assessed" in detail
    for rule in ("C2-1", "C3-1", "C3-3", "C7.6-2"):
        assert rule in detail, detail
    q1 = [f for f in findings if f["rule_id"] == "Q1" and f["form"] == "作業従事者名簿"]
    assert len(q1) == 1 and "C3-3" in q1[0]["detail"]

    assert not {"C3-3", "C2-1"} & _rules(compliance), "nothing assessed, nothing passed"
    cells = _clause_cells(page, "第3 従事者の届出")
    assert "未評価" in cells and "作業従事者名簿が読めないため" in cells, cells
    assert "作業従事者名簿が読めないため" in _clause_cells(page, "第2 作業責任者")


def test_a_roster_without_a_header_row_is_not_available(tmp_path: Path):
    root = _folder(tmp_path)
    _access_log(root)
    _roster(root, "headless")
    findings, compliance, page = _run(root, tmp_path / "out")
    assert not {"C2-1", "C3-3"} & _rules(findings)
    assert not {"C2-1", "C3-3"} & _rules(compliance)
    q2 = [f for f in findings if f["rule_id"] == "Q2" and "見出し行" in f["detail"]]
    assert q2, "the sheet's Q2s still say why"
    cells = _clause_cells(page, "第3 従事者の届出")
    assert "未評価" in cells and "作業従事者名簿の見出し行が見つからないため" in cells, cells


def test_a_missing_roster_names_the_blocked_rules_in_its_q1(tmp_path: Path):
    root = _folder(tmp_path)
    _access_log(root)
    findings, compliance, page = _run(root, tmp_path / "out")
    assert "C3-3" not in _rules(findings) | _rules(compliance)
    q1 = [f for f in findings if f["rule_id"] == "Q1" and f["form"] == "作業従事者名簿"]
    assert len(q1) == 1 and "C3-3" in q1[0]["detail"] and "C7.6-2" in q1[0]["detail"]
    assert "作業従事者名簿の提出なし" in _clause_cells(page, "第3 従事者の届出")


# --- the ledger: C7.6-3 (and C7.2-x, C11-2) compare against it -------------------------------


def _takeouts(root: Path) -> None:
    rows = [TAKEOUT_HEADER]
    for day in ("2025-05-01", "2025-06-02"):
        rows.append([f"{day} 09:00", "P001", "L-404", "県庁", "紙", None, "岡山 太郎", None])
    write_xlsx(root / FOLDER / "持出記録.xlsx", {"持出記録": rows})


def _ledger(root: Path, kind: str, due: str | None = None, status: str = "保管中") -> None:
    """The contractor's 個人情報管理台帳.xlsx (one dataset L-001): readable, corrupt, headless."""
    path = root / FOLDER / "個人情報管理台帳.xlsx"
    row = ["L-001", "K-001", "顧客名簿", 100, "紙", "倉庫", "施錠保管庫", "P001", "2025-04-01"]
    row += [due, status]
    if kind == "readable":
        write_xlsx(path, {"個人情報管理台帳": [LEDGER_HEADER, row]})
    elif kind == "corrupt":
        path.write_bytes(random.Random(11).randbytes(1024))
    elif kind == "headless":
        write_xlsx(path, {"個人情報管理台帳": [["番号", "名前", "メモ"], row]})


def test_a_readable_ledger_lets_c7_6_3_fail_an_unknown_ledger_number(tmp_path: Path):
    root = _folder(tmp_path)
    _roster(root, "readable")
    _takeouts(root)
    _ledger(root, "readable")
    findings, compliance, _ = _run(root, tmp_path / "out")
    assert len([f for f in findings if f["rule_id"] == "C7.6-3"]) == 2
    assert "C7.6-3" in _rules(compliance)


@pytest.mark.parametrize("kind", ["corrupt", "headless"])
def test_an_unreadable_ledger_leaves_c7_6_3_not_assessed(tmp_path: Path, kind: str):
    root = _folder(tmp_path)
    _roster(root, "readable")
    _takeouts(root)
    _ledger(root, kind)
    findings, compliance, page = _run(root, tmp_path / "out")
    assert "C7.6-3" not in _rules(findings) | _rules(compliance)
    if kind == "corrupt":
        q0 = [f for f in findings if f["rule_id"] == "Q0"]
        assert [f["source"] for f in q0] == [f"{FOLDER}/個人情報管理台帳.xlsx"]
        for rule in ("C7.6-3", "C11-2", "C7.2-1"):
            assert rule in q0[0]["detail"], q0[0]["detail"]
        reason = "個人情報管理台帳が読めないため"
    else:
        reason = "個人情報管理台帳の見出し行が見つからないため"
    assert reason in _clause_cells(page, "第7六 管理台帳"), page


# --- 廃棄消去記録: C11-1 reads it; missing means no record, unreadable means unknown --------


def _overdue_ledger_row(root: Path) -> None:
    """A dataset past its 返還・廃棄期限, marked 廃棄済: C11-1 needs its 廃棄消去記録."""
    _ledger(root, "readable", due="2025-06-30", status="廃棄済")


def test_a_missing_disposal_record_fails_c11_1_as_the_rules_say(tmp_path: Path):
    root = _folder(tmp_path)
    _roster(root, "readable")
    _overdue_ledger_row(root)
    findings, compliance, _ = _run(root, tmp_path / "out")
    c111 = [f for f in findings if f["rule_id"] == "C11-1"]
    assert len(c111) == 1 and "廃棄消去記録がない" in c111[0]["detail"]


def test_an_unreadable_disposal_record_leaves_c11_1_not_assessed(tmp_path: Path):
    root = _folder(tmp_path)
    _roster(root, "readable")
    _overdue_ledger_row(root)
    (root / FOLDER / "廃棄消去記録.xlsx").write_bytes(random.Random(12).randbytes(1024))
    findings, compliance, page = _run(root, tmp_path / "out")
    assert "C11-1" not in _rules(findings) | _rules(compliance)
    q0 = [f for f in findings if f["rule_id"] == "Q0"]
    assert [f["source"] for f in q0] == [f"{FOLDER}/廃棄消去記録.xlsx"]
    assert "C11-1" in q0[0]["detail"]
    assert "廃棄消去記録が読めないため" in _clause_cells(page, "第11 返還・廃棄")


def test_the_declared_unit_forms_and_reference_forms_match_the_views():
    """VIEW_FORMS (what the blocking logic believes) is what the views really hold."""
    from conftest import ROOT

    from tokki_analytics.forms import FORMS_BY_KEY
    from tokki_analytics.ingest import load
    from tokki_analytics.rules import RULES, VIEW_FORMS, build_views

    views = build_views(load(ROOT / "data_samples"))
    assert set(VIEW_FORMS) == set(views)
    for name, view in views.items():
        declared = {FORMS_BY_KEY[k].name for k in VIEW_FORMS[name]}
        held = set(view["_form"]) - {""}
        assert held <= declared, (name, held - declared)
    for rule in RULES:
        assert set(rule.needs) | set(rule.needs_if_sent) <= set(FORMS_BY_KEY), rule.id


def test_a_roster_read_in_part_is_used_and_the_q0_says_so(tmp_path: Path):
    root = _folder(tmp_path)
    _access_log(root)
    _roster(root, "readable")
    (root / FOLDER / "作業従事者名簿_追加.xlsx").write_bytes(random.Random(13).randbytes(1024))
    findings, _, _ = _run(root, tmp_path / "out")
    assert len([f for f in findings if f["rule_id"] == "C3-3"]) == 3, "judged on what was read"
    q0 = [f for f in findings if f["rule_id"] == "Q0"]
    assert len(q0) == 1 and "他のファイルだけで評価" in q0[0]["detail"]


def test_a_headerless_inspection_history_leaves_p_1_not_assessed(tmp_path: Path):
    root = _folder(tmp_path)
    _roster(root, "readable")
    write_xlsx(root / "検査履歴.xlsx", {"検査履歴": [["番号", "日付"], ["K-001", "2024-05-01"]]})
    findings, compliance, page = _run(root, tmp_path / "out")
    assert "P-1" not in _rules(findings) | _rules(compliance)
    assert "検査履歴の見出し行が見つからないため" in _clause_cells(page, "第13 実地検査")
