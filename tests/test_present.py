"""Tables and charts as auditors read them in the notebooks."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from tokki_analytics.notebooks.present import Chart, labels, percent_text, table


def _cells(styler) -> tuple[list[str], list[list[str]]]:
    soup = BeautifulSoup(styler.to_html(), "html.parser")
    header = [th.get_text() for th in soup.find("thead").find_all("th")]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody").find_all("tr")]
    return header, rows


def test_table_speaks_japanese_hides_row_numbers_and_blanks_missing_values():
    frame = pd.DataFrame(
        {
            "rule_id": ["C3-2", "C7.5-1"],
            "severity": ["軽微", "重大"],
            "row": pd.array([15, None], dtype="Int64"),
            "taken_at": pd.to_datetime(["2025-11-14 10:07", None]),
            "encrypted": [True, False],
            "rate": [0.9996, 1.0],
            "score": [53.54, 49.1],
        }
    )
    header, rows = _cells(table(frame, "takeout"))
    assert header == ["規則ID", "重大度", "行", "持出日時", "暗号化", "適合率", "リスクスコア"]
    assert rows == [
        ["C3-2", "軽微", "15", "2025-11-14 10:07", "有", "99.9%", "53.54"],
        ["C7.5-1", "重大", "", "", "無", "100.0%", "49.10"],
    ]


def test_table_escapes_what_contractors_wrote():
    frame = pd.DataFrame({"detail": ["<script>alert(1)</script>"], "users": [["<b>S1</b>", "S2"]]})
    page = table(frame).to_html()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page


def test_percent_never_rounds_a_failure_up_to_100():
    assert percent_text(0.99999) == "99.9%"
    assert percent_text(1.0) == "100.0%"
    assert percent_text(0.5) == "50.0%"
    assert percent_text(float("nan")) == ""


def test_the_forms_own_header_wins():
    assert labels(["name"], "staff") == {"name": "氏名"}
    assert labels(["name"]) == {"name": "名称"}
    assert labels(["contract_id", "rule_id"]) == {"contract_id": "契約番号", "rule_id": "規則ID"}


def test_chart_has_japanese_alternative_text():
    page = Chart(b"\x89PNG", 'C003 の時系列 "x" <y>')._repr_html_()
    assert 'alt="C003 の時系列 &quot;x&quot; &lt;y&gt;"' in page
    assert page.startswith('<img src="data:image/png;base64,')


def test_the_masker_masks_every_name_in_one_pass():
    from tokki_analytics.masking import Masker

    names = ["岡山 太郎", "岡山 太", "倉敷 花子"] + [f"姓{i} 名{i}" for i in range(3000)]
    text = "承認者 岡山 太郎、点検者 岡山太郎、倉敷 花子 / 姓2999 名2999 / 県庁"
    masked = Masker(names).text(text)
    assert masked == "承認者 岡山 ＊＊、点検者 岡＊＊、倉敷 ＊＊ / 姓2999 ＊＊ / 県庁"
    assert not any(n in masked for n in names)
    assert Masker(names).text("") == "" and Masker([]).text("県庁") == "県庁"
    assert Masker(names, show=True).text(text) == text  # --show-names
