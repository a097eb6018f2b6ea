"""Red-team of issue 13's commands (tokki template, tokki check, the submission status).

Each test builds its hostile or careless input at test time and checks what a user sees:
the exit code and the JA/EN message (never a traceback), the files written (only where the
user said), and the reply or overview shown.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tokki_analytics.cli import main
from tokki_analytics.forms import ACCESS
from tokki_analytics.intake.check import SECTION_PERIODS
from tokki_analytics.intake.checkrun import run_check
from tokki_analytics.intake.reply import REPLY_XLSX, SHEET_ITEMS
from tokki_analytics.intake.templatecmd import template_name

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"


def _sample_folder(prefix: str) -> Path:
    return next(p for p in SAMPLES.iterdir() if p.is_dir() and p.name.startswith(prefix))


def _no_traceback(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return captured.err


def _masters_copy(tmp_path: Path) -> Path:
    """The masters of data_samples (no contractor folder) in a new data folder."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("委託契約一覧.xlsx", "検査履歴.xlsx", "settings.toml"):
        shutil.copy(SAMPLES / name, data / name)
    return data


def _append_contracts(data: Path, rows: list[dict[str, object]]) -> None:
    """Append contracts to data/委託契約一覧.xlsx (text cells stay text, never formulas)."""
    book = openpyxl.load_workbook(data / "委託契約一覧.xlsx")
    ws = book.active
    assert ws is not None
    header_row = next(r for r in range(1, 6) if "受託者コード" in [c.value for c in ws[r]])
    header = [c.value for c in ws[header_row]]
    template = [c.value for c in ws[header_row + 1]]
    for values in rows:
        line = list(template)
        for name, value in values.items():
            line[header.index(name)] = value
        ws.append(line)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(data / "委託契約一覧.xlsx")


# --- tokki template ----------------------------------------------------------------------


def test_codes_giving_one_file_name_get_one_template_each(tmp_path, capsys):
    """``Z/01``, ``Z_01`` and ``z_01`` all made ``Z_01_提出様式.xlsx``: one overwrote another."""
    data = _masters_copy(tmp_path)
    codes = ["Z/01", "Z_01", "z_01"]
    _append_contracts(
        data,
        [
            {"契約番号": f"Z-{n}", "受託者コード": code, "受託者名": f"株式会社Z{n}"}
            for n, code in enumerate(codes)
        ],
    )
    out = tmp_path / "out"
    assert main(["template", str(data), "--all", "--out", str(out)]) == 0
    _no_traceback(capsys)
    zs = sorted(p for p in out.iterdir() if p.name.casefold().startswith("z_01"))
    assert len(zs) == 3 and len({p.name.casefold() for p in zs}) == 3
    assert template_name("Z_01") not in {p.name for p in zs}
    shown = set()
    for path in zs:
        guide = openpyxl.load_workbook(path)["記入要領"]
        row = next(r for r in guide.iter_rows(values_only=True) if r[0] == "受託者コード")
        shown.add(row[1])
    assert shown == set(codes)  # each file is its own contractor's
    assert (out / "C001_提出様式.xlsx").exists()  # codes without a clash keep their name


def test_contract_ids_with_control_characters_do_not_crash_the_template(tmp_path, capsys):
    """A 契約番号 holding a control character stopped tokki template with an internal error."""
    data = _masters_copy(tmp_path)
    ids = ['"X-1"_x0001_', "X-2,3", '=HYPERLINK("http://x.invalid","x")']
    _append_contracts(
        data, [{"契約番号": i, "受託者コード": "X001", "受託者名": "株式会社X"} for i in ids]
    )
    out = tmp_path / "x.xlsx"
    assert main(["template", str(data), "--contractor", "X001", "--out", str(out)]) == 0
    _no_traceback(capsys)
    book = openpyxl.load_workbook(out)
    assert "選択肢" in book.sheetnames  # quotes, commas and controls: the hidden list
    choices = [c.value for c in book["選択肢"]["A"]]
    assert choices == ['"X-1"\\x01', "X-2,3", '=HYPERLINK("http://x.invalid","x")']
    assert all(c.data_type == "s" for c in book["選択肢"]["A"])  # text, never a formula
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            assert "\x01" not in archive.read(name).decode("utf-8", "replace"), name


@pytest.mark.parametrize("inside", ["templates", "", "C001_提出様式.xlsx"])
def test_template_refuses_an_out_inside_the_data_folder(tmp_path, capsys, inside):
    """The next audit read ``DATA/templates`` as a contractor's folder (a Q3 'templates')."""
    data = _masters_copy(tmp_path)
    before = sorted(p.name for p in data.iterdir())
    args = ["--all"] if not inside.endswith(".xlsx") else ["--contractor", "C001"]
    assert main(["template", str(data), *args, "--out", str(data / inside)]) == 2
    err = _no_traceback(capsys)
    assert "データフォルダ" in err and "data folder" in err
    assert sorted(p.name for p in data.iterdir()) == before


def test_template_out_under_a_file_or_at_a_folder_is_a_usage_error(tmp_path, capsys):
    """--out under a file, or naming a folder with --force, ended in an internal error."""
    data = _masters_copy(tmp_path)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "d.xlsx").mkdir()
    for args in (
        ["--contractor", "C001", "--out", str(tmp_path / "afile" / "x.xlsx")],
        ["--all", "--out", str(tmp_path / "afile" / "sub")],
        ["--all", "--out", str(tmp_path / "afile")],
        ["--contractor", "C001", "--out", str(tmp_path / "d.xlsx"), "--force"],
    ):
        assert main(["template", str(data), *args]) == 2, args
        err = _no_traceback(capsys)
        assert " / " in err, args  # Japanese, then English
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"
    assert (tmp_path / "d.xlsx").is_dir() and not any((tmp_path / "d.xlsx").iterdir())


# --- the submission status ----------------------------------------------------------------


def _c002_stopping_in_april(tmp_path: Path, stray: str | None) -> Path:
    """C002's folder outside DATA, logs after April gone, and maybe one stray log row."""
    copy = tmp_path / "mail" / "C002_受付分"
    shutil.copytree(_sample_folder("C002"), copy)
    logs = sorted(copy.glob(f"{ACCESS.name}_*.csv"))
    for log in logs[1:]:
        log.unlink()
    if stray is not None:
        text = logs[0].read_text(encoding="cp932")
        last = text.rstrip("\n").splitlines()[-1].split(",")
        line = ",".join([stray, *last[1:]])
        logs[0].write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="cp932")
    return copy


def test_one_row_dated_after_as_of_does_not_hide_a_log_stopping_in_april(tmp_path):
    """A mistyped year (2062 for 2026) made the log look complete: no flag at all."""
    copy = _c002_stopping_in_april(tmp_path, "2062/1/20 9:00")
    check = run_check(copy, SAMPLES)
    row = check.coverage.set_index("form").loc[ACCESS.name]
    assert row["last"] < pd.Timestamp("2025-05-01")  # up to as-of: April is the last
    assert "より後の記録がありません" in row["flag"]
    assert "基準日より後の日付の記録が 1 件あります" in row["flag"]
    out = tmp_path / "out"
    assert main(["check", str(copy), "--data", str(SAMPLES), "--out", str(out), "--quiet"]) == 1
    items = pd.read_excel(
        out / REPLY_XLSX, sheet_name=SHEET_ITEMS, dtype=str, engine="openpyxl"
    ).fillna("")
    periods = items[items["区分"] == SECTION_PERIODS]
    assert list(periods["様式"]) == [ACCESS.name]
    assert "基準日より後の日付の記録が 1 件あります" in periods["内容"].iloc[0]


def test_a_log_dated_only_after_as_of_is_not_called_undated(tmp_path):
    copy = tmp_path / "C002_受付分"
    shutil.copytree(_sample_folder("C002"), copy)
    for log in copy.glob(f"{ACCESS.name}_*.csv"):
        log.unlink()
    (copy / f"{ACCESS.name}_未来.csv").write_text(
        "日時,従事者ID,区分,部屋\n2099/4/1 9:00,M0001,入室,作業室A\n", encoding="utf-8"
    )
    flag = run_check(copy, SAMPLES).coverage.set_index("form").loc[ACCESS.name, "flag"]
    assert flag.startswith("基準日までの日付の記録がありません")
    assert "基準日より後の日付の記録が 1 件あります" in flag


# --- tokki check ---------------------------------------------------------------------------


def test_a_form_sent_under_another_name_is_named_on_the_reply(tmp_path, capsys):
    """A roster named 従業員名簿.csv was read as nothing: the reply only said 'missing'."""
    data = _masters_copy(tmp_path)
    (data / "県メモ.csv").write_text("メモ\n他社の件\n", encoding="utf-8")  # the desk's own
    copy = tmp_path / "mail" / "C004_受付分"
    shutil.copytree(_sample_folder("C004"), copy)
    (copy / "作業従事者名簿.csv").rename(copy / "従業員名簿.csv")
    out = tmp_path / "out"
    assert main(["check", str(copy), "--data", str(data), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    cover = [
        r[0] for r in openpyxl.load_workbook(out / REPLY_XLSX)["表紙"].iter_rows(values_only=True)
    ]
    page = (out / "差し戻し票.html").read_text(encoding="utf-8")
    for text in (printed, "\n".join(cover), page):
        assert "読まなかったファイル・シート（2 件）: README.txt、従業員名簿.csv" in text
        assert "県メモ" not in text
    items = pd.read_excel(
        out / REPLY_XLSX, sheet_name=SHEET_ITEMS, dtype=str, engine="openpyxl"
    ).fillna("")
    assert "作業従事者名簿" in set(items.loc[items["規則ID"] == "Q1", "様式"])


def test_a_folder_name_with_a_line_break_cannot_add_a_line_to_the_cover(tmp_path):
    """``C004_x\\n受託者: C001`` printed a second 受託者 line on the reply's cover."""
    copy = tmp_path / "C004_x\n受託者: C001\u202e"
    shutil.copytree(_sample_folder("C004"), copy)
    out = tmp_path / "out"
    assert main(["check", str(copy), "--data", str(SAMPLES), "--out", str(out), "--quiet"]) == 1
    sheet = openpyxl.load_workbook(out / REPLY_XLSX)["表紙"]
    cover = [str(r[0]) for r in sheet.iter_rows(values_only=True)]
    assert [line for line in cover if line.startswith("受託者")] == [
        "受託者: C004 有限会社岡山事務センター"
    ]
    assert not any("\n" in line or "\u202e" in line for line in cover)
    folder = next(line for line in cover if line.startswith("点検した提出フォルダ"))
    assert folder == "点検した提出フォルダ: C004_x\\x0a受託者: C001\\u202e"
    page = (out / "差し戻し票.html").read_text(encoding="utf-8")
    assert "C004_x\\x0a受託者: C001\\u202e" in page and "\u202e" not in page


def test_a_huge_reply_shows_its_first_rows_in_html_and_every_row_in_the_workbook(
    monkeypatch, tmp_path
):
    """200,000 bad rows made a 78 MB page: the page shows the first rows, Excel holds all."""
    import datetime as dt

    import pandas as pd

    from tokki_analytics.intake import reply
    from tokki_analytics.intake.check import REPLY_COLUMNS, SECTION_DEFECTS, Cover

    monkeypatch.setattr(reply, "HTML_ROWS", 3)
    items = pd.DataFrame([dict.fromkeys(REPLY_COLUMNS, "") for _ in range(5)])
    items["section"] = SECTION_DEFECTS
    items["value"] = [f"値{n}" for n in range(5)]
    cover = Cover("C001", "テスト", dt.date(2026, 1, 31), dt.datetime(2026, 2, 1, 9), "x", {})
    page = reply.reply_html(cover, items, "2026-02-01 09:00")
    assert "値2" in page and "値3" not in page
    assert "先頭の 3 件を表示しています。全 5 件は 差し戻し票.xlsx の「訂正事項」にあります" in page
    reply.build_reply_workbook(cover, items).save(tmp_path / reply.REPLY_XLSX)
    ws = openpyxl.load_workbook(tmp_path / reply.REPLY_XLSX)[reply.SHEET_ITEMS]
    assert [
        row[REPLY_COLUMNS.index("value")] for row in ws.iter_rows(min_row=2, values_only=True)
    ] == [f"値{n}" for n in range(5)]


def test_a_link_to_a_contractor_folder_of_data_is_named_as_a_link(tmp_path, capsys):
    from conftest import ROOT

    target = next(p for p in (ROOT / "data_samples").iterdir() if p.name.startswith("C002_"))
    link = tmp_path / "C002_link"
    link.symlink_to(target, target_is_directory=True)
    code = main(
        ["check", str(link), "--data", str(ROOT / "data_samples"), "--out", str(tmp_path / "o")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "へのリンクです" in err and "を直接指定してください" in err and "is a link" in err
    assert not (tmp_path / "o").exists()
