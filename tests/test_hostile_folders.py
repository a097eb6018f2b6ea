"""Hostile folders: names that are not UTF-8, unreadable folders, links out, pipes.

Each case is a data folder a contractor's zip, a shared drive or an attacker could leave;
each must cost only itself: a Q0 naming the entry, and the rest audited as usual.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from conftest import STAFF_HEADER, staff_row, write_xlsx

from tokki_analytics.cli import main


def _load_json(data: Path, capsys) -> dict:
    assert main(["load", str(data), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _q0(summary: dict) -> list[dict]:
    return [d for d in summary["defects"] if d["rule_id"] == "Q0"]


def _bytes_path(parent: Path, name: bytes) -> Path:
    """A path whose last component is ``name`` as raw bytes (as ``unzip`` leaves it)."""
    return Path(os.fsdecode(os.fsencode(parent) + b"/" + name))


def test_cp932_and_undecodable_names_are_read_and_reported_as_text(
    data_dir: Path, tmp_path: Path, capsys
):
    # A second contractor folder and roster file whose names are CP932 bytes, and a file
    # whose name is not valid in any encoding.
    code = "C002_株式会社ＣＰ".encode("cp932")
    (data_dir / "委託契約一覧.xlsx").unlink()
    from conftest import CONTRACT_HEADER, contract

    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(), contract("K-002", "C002")]},
    )
    folder = _bytes_path(data_dir, code)
    folder.mkdir()
    unnotified = staff_row("P101", "K-002")
    unnotified[8] = None  # 届出日 blank: a C3-1 finding whose source is this file
    write_xlsx(
        _bytes_path(folder, "作業従事者名簿.xlsx".encode("cp932")),
        {"Sheet1": [STAFF_HEADER, unnotified]},
    )
    _bytes_path(folder, b"\xff\xfe\x80.csv").write_bytes(b"not,a,form\r\n")

    summary = _load_json(data_dir, capsys)
    assert summary["rows"]["作業従事者名簿"] == 3, "the CP932-named roster is read as the roster"
    missing_roster = [
        d
        for d in summary["defects"]
        if d["rule_id"] == "Q1" and d["contractor_id"] == "C002" and d["form"] == "作業従事者名簿"
    ]
    assert missing_roster == [], "the roster named in CP932 counts as submitted"

    out = tmp_path / "out"
    args = ["run", str(data_dir), "--out", str(out), "--quiet", "--no-history", "--no-datadocs"]
    assert main(args) in (0, 1)
    text = (out / "findings.csv").read_text(encoding="utf-8-sig")  # valid UTF-8 throughout
    assert "\udcff" not in text
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["contractor_id"] for r in rows} >= {"C002"}
    roster = "C002_株式会社CP/作業従事者名簿.xlsx"
    assert any(r["rule_id"] == "C3-1" and r["source"] == roster for r in rows), rows
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "C002" in html


def test_an_undecodable_file_name_is_shown_with_its_bytes_escaped(data_dir: Path, capsys):
    folder = data_dir / "C001_株式会社テスト"
    _bytes_path(folder, b"\xff\xfe\x80.xlsx").write_bytes(b"garbage, not a workbook")
    summary = _load_json(data_dir, capsys)
    [q0] = _q0(summary)
    assert q0["source"] == "C001_株式会社テスト/\\xff\\xfe\\x80.xlsx"
    assert q0["contractor_id"] == "C001"


def test_an_unreadable_sub_folder_is_a_q0_not_a_silent_gap(data_dir: Path, capsys, monkeypatch):
    sub = data_dir / "C001_株式会社テスト" / "2025年度"
    write_xlsx(sub / "研修記録.xlsx", {"研修記録": [["従事者ID", "研修日", "研修名"]]})
    if os.geteuid() == 0:  # root reads through permissions: make the folder refuse it
        real_scandir = os.scandir

        def scandir(path):
            if Path(path) == sub:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        sub.chmod(0)
    try:
        summary = _load_json(data_dir, capsys)
    finally:
        sub.chmod(0o755)
    [q0] = _q0(summary)
    assert q0["source"] == "C001_株式会社テスト/2025年度"
    assert "フォルダ" in q0["detail"] and "権限" in q0["detail"]
    assert "permission" in q0["value"]
    assert summary["rows"]["作業従事者名簿"] == 2, "the rest of the contractor is read"


def test_links_out_of_the_data_folder_are_never_read(data_dir: Path, tmp_path: Path, capsys):
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("従事者ID,日時,区分\r\nSECRET-ROW,2025-04-01 09:00,入室\r\n", "utf-8")
    folder = data_dir / "C001_株式会社テスト"
    (folder / "入退室記録_2025-04.csv").symlink_to(secret)
    (folder / "作業従事者名簿_2.xlsx").symlink_to("/etc/passwd")
    (data_dir / "C002_リンク").symlink_to("/usr")  # a contractor folder pointing to /usr
    (folder / "壊れた.csv").symlink_to(tmp_path / "nowhere.csv")

    summary = _load_json(data_dir, capsys)
    q0 = {d["source"]: d for d in _q0(summary)}
    assert set(q0) == {
        "C001_株式会社テスト/入退室記録_2025-04.csv",
        "C001_株式会社テスト/作業従事者名簿_2.xlsx",
        "C001_株式会社テスト/壊れた.csv",
    }
    assert "データフォルダ外へのリンク" in q0["C001_株式会社テスト/作業従事者名簿_2.xlsx"]["detail"]
    assert "壊れたリンク" in q0["C001_株式会社テスト/壊れた.csv"]["detail"]
    assert summary["rows"]["入退室記録"] == 0
    assert "SECRET-ROW" not in json.dumps(summary, ensure_ascii=False)
    # C002 has no contract: one Q3 for the folder, and /usr is never walked
    q3 = [d for d in summary["defects"] if d["rule_id"] == "Q3"]
    assert [d["source"] for d in q3] == ["C002_リンク"]


def test_a_known_contractor_folder_linking_out_is_a_q0(data_dir: Path, tmp_path: Path, capsys):
    real = data_dir / "C001_株式会社テスト"
    moved = tmp_path / "elsewhere"
    real.rename(moved)
    real.symlink_to(moved)
    summary = _load_json(data_dir, capsys)
    [q0] = _q0(summary)
    assert q0["source"] == "C001_株式会社テスト" and q0["contractor_id"] == "C001"
    assert "フォルダを読めません" in q0["detail"]
    assert summary["rows"]["作業従事者名簿"] == 0


def test_a_link_inside_the_data_folder_is_read_once(data_dir: Path, capsys):
    folder = data_dir / "C001_株式会社テスト"
    (folder / "old").mkdir()
    (folder / "old" / "again").symlink_to(folder)  # a loop back to the contractor folder
    summary = _load_json(data_dir, capsys)
    assert _q0(summary) == []
    assert summary["rows"]["作業従事者名簿"] == 2


def test_a_named_pipe_named_like_a_log_does_not_hang_the_run(data_dir: Path, capsys):
    pipe = data_dir / "C001_株式会社テスト" / "入退室記録_2025-04.csv"
    os.mkfifo(pipe)
    summary = _load_json(data_dir, capsys)
    [q0] = _q0(summary)
    assert q0["source"].endswith("入退室記録_2025-04.csv")
    assert "通常のファイルではありません" in q0["detail"]


def test_a_folder_nested_thousands_deep_is_walked_without_a_crash(data_dir: Path, capsys):
    # 1,500 levels: deeper than Python's recursion limit, well inside PATH_MAX (2 bytes each)
    deep = data_dir / "C001_株式会社テスト"
    for _ in range(1500):
        deep = deep / "a"
        deep.mkdir()  # one level at a time (os.makedirs itself recurses)
    write_xlsx(deep / "研修記録.xlsx", {"研修記録": [["従事者ID", "研修日", "研修名"]]})
    try:
        summary = _load_json(data_dir, capsys)
    finally:  # shutil.rmtree (pytest's clean-up) recurses too: take it down level by level
        (deep / "研修記録.xlsx").unlink()
        while deep != data_dir / "C001_株式会社テスト":
            deep.rmdir()
            deep = deep.parent
    assert _q0(summary) == []
    assert summary["rows"]["作業従事者名簿"] == 2


def test_an_unreadable_contract_list_stops_the_run_with_its_reason(data_dir: Path, capsys):
    # Without contracts every contractor would be "unknown": a report that says nothing
    # true. The run stops (exit 2) and says why the contract list could not be read.
    (data_dir / "委託契約一覧.xlsx").write_bytes(b"PK\x03\x04 truncated")
    assert main(["load", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert "委託契約一覧を読めない" in err and "委託契約一覧.xlsx" in err and "Traceback" not in err


def test_output_into_a_closed_pipe_is_not_an_internal_error(data_dir: Path):
    import subprocess
    import sys

    code = "import sys; from tokki_analytics.cli import main; sys.exit(main(sys.argv[1:]))"
    tokki = subprocess.Popen(
        [sys.executable, "-c", code, "load", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    tokki.stdout.close()  # like `tokki load DATA | head -0`
    err = tokki.stderr.read().decode("utf-8")
    assert tokki.wait() == 0, err
    assert "内部エラー" not in err


def test_a_data_folder_whose_own_name_is_not_utf8(data_dir: Path, tmp_path: Path, capsys):
    odd = _bytes_path(tmp_path, b"data\xff")
    data_dir.rename(odd)
    assert main(["load", str(odd)]) == 0
    assert "data\\xff" in capsys.readouterr().out
    out = tmp_path / "out"
    args = ["run", str(odd), "--out", str(out), "--history", str(tmp_path / "h"), "--quiet"]
    assert main(args) == 0
    assert "data\\xff" in (out / "index.html").read_text(encoding="utf-8")
    # a notebook cannot carry the path as a parameter: a message, nothing written
    nb = tmp_path / "nb"
    args = ["notebook", "briefing", "--data", str(odd), "--contractor", "C001", "--out", str(nb)]
    assert main(args) == 2
    assert "UTF-8" in capsys.readouterr().err and not nb.exists()
