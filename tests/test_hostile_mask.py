"""Masking holds against names written any way: spaces, case, width, file and sheet names.

A tiny data folder writes its roster names one way (``木村和也``, ``佐藤 直子``,
``Taro YAMADA``) and the same people another way elsewhere (``木村  和也``, ``木村 和也``,
``木村　和也``, ``taro yamada``, ``ＴＡＲＯ　ＹＡＭＡＤＡ``), in a file name
(``作業従事者名簿_佐藤 直子作成.xlsx``) and a sheet name (``持出記録_木村 和也``); one 承認者 is
the single character ``の``. ``tokki run`` and ``tokki notebook briefing`` must then leave no
name, however written, in any output: the CSVs, every XML part of the workbooks, every text
cell of the history database, the notebook's JSON and every HTML page, while texts that
merely contain ``の`` stay as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import CONTRACT_HEADER, STAFF_HEADER, contract, write_xlsx

from tokki_analytics.cli import main
from tokki_analytics.masking import Masker

#: Roster names as the roster writes them.
ROSTER = {"P001": "木村和也", "P002": "佐藤 直子", "P003": "Taro YAMADA"}
#: The same people as other places write them (must be masked too).
VARIANTS = (
    "木村  和也",
    "木村 和也",
    "木村　和也",
    "taro yamada",
    "ＴＡＲＯ　ＹＡＭＡＤＡ",
    "佐藤 直子",
)
TAKEOUT_HEADER = [
    "持出日時",
    "従事者ID",
    "台帳番号",
    "持出先",
    "媒体",
    "暗号化",
    "承認者",
    "返却日時",
]
LEDGER_HEADER = ["台帳番号", "契約番号", "個人情報の名称", "件数", "媒体", "保管場所", "状態"]
CHECK_HEADER = ["点検日", "契約番号", "対象", "点検者", "結果", "措置"]


def _staff(person: str, role: str = "作業従事者", pledge: str | None = "2025-03-25") -> list:
    row = [
        "K-001",
        person,
        ROSTER[person],
        role,
        "正社員",
        "本社",
        "2025-04-01",
        None,
        "2025-03-25",
        pledge,
    ]
    assert len(row) == len(STAFF_HEADER)
    return row


def _takeout(day: int, person: str, medium: str) -> list:
    taken = dt.datetime(2025, 5, day, 10, 0)
    return [taken, person, "L-001", "県庁", medium, "済", "の", taken + dt.timedelta(hours=6)]


def _data(root: Path) -> Path:
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, contract()]})
    folder = root / "C001_株式会社テスト"
    write_xlsx(
        folder / "作業従事者名簿_佐藤 直子作成.xlsx",
        {
            "作業従事者名簿": [
                STAFF_HEADER,
                _staff("P001", "作業責任者"),
                _staff("P002", pledge=None),
                _staff("P003"),
            ]
        },
    )
    write_xlsx(
        folder / "提出書類.xlsx",
        {
            "個人情報管理台帳": [
                LEDGER_HEADER,
                ["L-001", "K-001", "県民名簿", 100, "電子", "本社", "保管中"],
            ],
            # A sheet named after a person (as the roster does not write it).
            "持出記録_木村 和也": [
                TAKEOUT_HEADER,
                _takeout(1, "P001", "木村  和也のUSB"),
                _takeout(2, "P003", "taro yamadaの私物"),
                _takeout(3, "P003", "ＴＡＲＯ　ＹＡＭＡＤＡ私物"),
                _takeout(4, "P002", "USBメモリ"),
            ],
            "研修記録": [
                ["実施日", "従事者ID", "研修名", "契約番号"],
                *[[dt.date(2025, 4, 1), p, "個人情報保護研修", "K-001"] for p in ROSTER],
            ],
            "媒体点検記録": [
                CHECK_HEADER,
                [dt.date(2025, 6, 1), "K-001", "媒体", "木村　和也", "木村 和也確認", None],
            ],
        },
    )
    return root


def _fold(text: str) -> str:
    """NFKC, casefold, no white space: how the test looks for a name however written."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


FOLDED = {_fold(n) for n in (*ROSTER.values(), *VARIANTS)}


def _strings(node: object, out: list[str]) -> None:
    """Every string in a JSON document (images left out)."""
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for item in node:
            _strings(item, out)
    elif isinstance(node, dict):
        for key, item in node.items():
            if not str(key).startswith("image/"):
                _strings(item, out)


def _texts(folder: Path) -> dict[str, str]:
    """Every text tokki wrote under ``folder``: file → its text (all parts, cells, strings)."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix in (".csv", ".html", ".txt", ".md"):
            texts[name] = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".ipynb":
            strings: list[str] = []
            _strings(json.loads(path.read_text(encoding="utf-8")), strings)
            texts[name] = "\n".join(strings)
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts = [z.read(i).decode("utf-8") for i in z.namelist() if i.endswith(".xml")]
            texts[name] = "\n".join(parts)
        elif path.suffix == ".sqlite3":
            cells = []
            with sqlite3.connect(path) as con:
                tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master")]
                for table in tables:
                    if con.execute(
                        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)
                    ).fetchone():
                        for row in con.execute(f'SELECT * FROM "{table}"'):
                            cells += [v for v in row if isinstance(v, str)]
            texts[name] = "\n".join(cells)
    return texts


def _leaks(texts: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for name, text in texts.items():
        folded = _fold(text)
        hits = sorted(n for n in FOLDED if n in folded)
        if hits:
            found[name] = hits
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The data folder, a masked run (+ history, + briefing notebook) and a --show-names run."""
    base = tmp_path_factory.mktemp("mask")
    data = _data(base / "data")
    out, shown = base / "out", base / "shown"
    history = base / "history"
    assert main(["run", str(data), "--out", str(out), "--history", str(history), "--quiet"]) == 0
    args = ["run", str(data), "--out", str(shown), "--no-history", "--no-datadocs", "--quiet"]
    assert main([*args, "--show-names"]) == 0
    notebook = base / "nb"
    args = ["notebook", "briefing", "--data", str(data), "--out", str(notebook)]
    assert main([*args, "--contractor", "C001", "--run", str(out)]) == 0
    return {"data": data, "out": out, "shown": shown, "history": history, "notebook": notebook}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_names_reach_the_outputs_when_shown(runs):
    """The data really puts every variant into findings (so the other tests can fail)."""
    text = (runs["shown"] / "findings.csv").read_text(encoding="utf-8-sig")
    for written in ("作業従事者名簿_佐藤 直子作成.xlsx", "持出記録_木村 和也", "木村  和也のUSB"):
        assert written in text
    assert "taro yamadaの私物" in text and "TARO YAMADA私物" in unicodedata.normalize("NFKC", text)
    assert "木村 和也確認" in text


def test_no_name_in_findings_or_compliance_csv(runs):
    texts = {
        n: runs["out"].joinpath(n).read_text(encoding="utf-8-sig")
        for n in ("findings.csv", "compliance.csv")
    }
    assert _leaks(texts) == {}
    assert "佐藤 ＊＊" in texts["findings.csv"]  # the file name, masked


def test_no_name_in_the_workbook_or_the_html_report(runs):
    texts = _texts(runs["out"])
    assert "findings.xlsx" in texts and "index.html" in texts
    assert any(n.startswith("datadocs/") for n in texts)
    assert any(n.startswith("contractors/") for n in texts)
    assert _leaks(texts) == {}


def test_no_name_in_the_history_database(runs):
    texts = _texts(runs["history"])
    assert texts, "no history database"
    assert "持出記録" in "".join(texts.values())
    assert _leaks(texts) == {}


def test_no_name_in_the_briefing_notebook_its_html_or_its_workbook(runs):
    texts = _texts(runs["notebook"])
    assert {"01_briefing.ipynb", "01_briefing.html", "briefing_C001.xlsx"} <= set(texts)
    assert _leaks(texts) == {}


def test_no_name_in_the_load_preflight_unless_shown(runs, capsys):
    assert main(["load", str(runs["data"])]) == 0
    table = capsys.readouterr().out
    assert main(["load", str(runs["data"]), "--json"]) == 0
    texts = {"table": table, "json": json.loads(capsys.readouterr().out)}
    texts["json"] = json.dumps(texts["json"], ensure_ascii=False)
    assert "木村 ＊＊確認" in texts["json"] and "木村 ＊＊確認" in table
    assert _leaks(texts) == {}
    assert main(["load", str(runs["data"]), "--json", "--show-names"]) == 0
    assert "木村 和也確認" in capsys.readouterr().out


def test_a_one_character_name_garbles_no_text(runs):
    """承認者 ``の`` is masked in its own cell only: texts holding ``の`` stay as written."""
    masked = _rows(runs["out"] / "findings.csv")
    shown = _rows(runs["shown"] / "findings.csv")
    assert len(masked) == len(shown)
    names = {_fold(n) for n in (*ROSTER.values(), *VARIANTS)}
    untouched = [
        (m["detail"], s["detail"])
        for m, s in zip(masked, shown, strict=True)
        if not any(n in _fold(s["detail"]) for n in names)
    ]
    assert any("の" in s for _, s in untouched)
    assert [m for m, s in untouched if m != s] == []
    texts = _texts(runs["out"]) | _texts(runs["notebook"])
    assert not [n for n, t in texts.items() if "の＊＊" in t]
    # In the briefing's source rows, the 承認者 cell itself is masked.
    notebook = texts["01_briefing.ipynb"]
    assert "承認者=＊＊" in notebook and "承認者=の" not in notebook


def test_a_briefing_without_training_records_works(data_dir):
    """A contractor that sent no 研修記録 still gets a briefing (it crashed on an empty map)."""
    from tokki_analytics.notebooks.briefing import briefing
    from tokki_analytics.pipeline import open_run

    brief = briefing(open_run(data_dir), "C001")
    assert list(brief.staff["trainings"]) == [[], []]
    assert list(brief.staff["name"]) == ["岡山 ＊＊", "岡山 ＊＊"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("木村和也", "木＊＊"),
        ("担当: 木村  和也（2名）", "担当: 木村 ＊＊（2名）"),
        ("木村\u3000和也が確認", "木村 ＊＊が確認"),
        ("木\u200b村和\u00ad也", "木＊＊"),
        ("by taro yamada.", "by taro ＊＊."),
        ("ＴＡＲＯ　ＹＡＭＡＤＡ様", "ＴＡＲＯ ＊＊様"),
        ("TaroYamada", "T＊＊"),
        ("名簿_佐藤直子作成.xlsx", "名簿_佐＊＊作成.xlsx"),
    ],
)
def test_a_name_is_masked_however_it_is_spaced_cased_or_wide(text, masked):
    assert Masker(["木村和也", "Taro YAMADA", "佐藤 直子"]).text(text) == masked


def test_short_or_common_names_and_parts_of_words_are_left_alone():
    names = ["の", "なし", "不明", "課長", "ID", "氏名", "Mark Li"]
    text = "従事者IDの届出なし。課長が不明と回答（氏名欄）; trademarklist"
    assert Masker(names).text(text) == text
    assert Masker(names).text("承認: Mark  Li") == "承認: Mark ＊＊"


def test_a_name_that_is_part_of_tokkis_own_words_garbles_none_of_them():
    # a roster "name" 従事 would turn 作業従事者名簿 into 作業従＊＊者名簿 in every finding
    text = "作業従事者名簿: 従事開始日 2025-08-04 から期限 2025-09-03 までに研修なし"
    assert Masker(["従事", "開始", "木村和也"]).text(text) == text
    assert Masker(["従事", "木村和也"]).text("木村和也の持出") == "木＊＊の持出"
