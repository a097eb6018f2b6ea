"""Reading cell values: blanks, dates and 和暦, marks, ints, enums, lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokki_analytics.forms import TAKEOUT_MEDIA, Column, Kind
from tokki_analytics.ingest import dates as date_reading
from tokki_analytics.ingest.cells import is_blank
from tokki_analytics.ingest.dates import (
    DATE_STYLES,
    ERAS,
    format_date,
    parse_date_text,
    parse_datetime_text,
)
from tokki_analytics.ingest.values import parse_column
from tokki_analytics.vocab import CLAUSE_IDS

DATE = Column("受領日", "received_on", Kind.DATE)
DATETIME = Column("日時", "at", Kind.DATETIME)
ID = Column("従事者ID", "person_id", Kind.ID)
TEXT = Column("内容", "description", Kind.TEXT)
MARK = Column("暗号化", "encrypted", Kind.MARK)
INT = Column("件数", "records", Kind.INT)
ENUM = Column("媒体", "medium", Kind.ENUM, allowed=TAKEOUT_MEDIA)
LIST = Column("利用者", "users", Kind.LIST)
CLAUSES = Column("適用除外条項", "excluded_clauses", Kind.LIST, allowed=CLAUSE_IDS)

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2040, 12, 31)
HEISEI_START = ERAS[-1][2]


def cells(*items: object) -> pd.Series:
    """A raw column as the readers hand it over: object dtype."""
    return pd.Series(list(items), dtype=object)


def parse(column: Column, *items: object) -> tuple[list, list[bool]]:
    typed, bad = parse_column(cells(*items), column)
    return typed.tolist(), bad.tolist()


def styles_of(day: dt.date) -> Iterator[str]:
    """Every date style written for ``day`` (wareki styles only from 平成 on)."""
    for style in DATE_STYLES:
        try:
            yield format_date(day, style)
        except ValueError:
            assert day < HEISEI_START
            assert "wareki" in style


@pytest.fixture(params=["scalar", "vectorised"])
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test with the scalar parser alone, then with the vectorised formats first."""
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "vectorised":
            mp.setattr(date_reading, "_VECTOR_MIN", 0)
        yield request.param


# --- property tests: every style of every date reads back ----------------------------------

days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
times = st.times().map(lambda t: t.replace(microsecond=0))


@given(day=days)
def test_every_style_of_a_date_parses_back(day: dt.date):
    for text in styles_of(day):
        assert parse_date_text(text) == day, text
        assert parse_datetime_text(text) == dt.datetime(day.year, day.month, day.day), text


@settings(max_examples=50, deadline=None)
@given(some_days=st.lists(days, min_size=1, max_size=30))
def test_every_style_parses_back_in_a_date_column(some_days: list[dt.date]):
    texts = [text for day in some_days for text in styles_of(day)]
    expected = [pd.Timestamp(day) for day in some_days for _ in styles_of(day)]
    for vector_min in (0, 10**9):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(date_reading, "_VECTOR_MIN", vector_min)
            typed, bad = parse_column(cells(*texts), DATE)
        assert typed.dtype == "datetime64[ns]"
        assert not bad.any()
        assert typed.tolist() == expected


def time_texts(t: dt.time) -> list[tuple[str, dt.time]]:
    """``9:05`` and ``09:05:00`` styles, with the time each one means."""
    return [
        (f"{t.hour}:{t.minute:02d}", t.replace(second=0)),
        (f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}", t),
    ]


@given(day=days, t=times)
def test_every_style_with_a_time_parses_back(day: dt.date, t: dt.time):
    for date_text in styles_of(day):
        for time_text, meant in time_texts(t):
            text = f"{date_text} {time_text}"
            assert parse_datetime_text(text) == dt.datetime.combine(day, meant), text
            assert parse_date_text(text) == day, text


@settings(max_examples=50, deadline=None)
@given(stamps=st.lists(st.tuples(days, times), min_size=1, max_size=20))
def test_every_style_with_a_time_parses_back_in_a_datetime_column(stamps):
    texts, expected = [], []
    for day, t in stamps:
        for date_text in styles_of(day):
            for time_text, meant in time_texts(t):
                texts.append(f"{date_text} {time_text}")
                expected.append(pd.Timestamp(dt.datetime.combine(day, meant)))
    for vector_min in (0, 10**9):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(date_reading, "_VECTOR_MIN", vector_min)
            typed, bad = parse_column(cells(*texts), DATETIME)
            dates, date_bad = parse_column(cells(*texts), DATE)
        assert typed.dtype == "datetime64[ns]"
        assert not bad.any() and not date_bad.any()
        assert typed.tolist() == expected
        assert dates.tolist() == [stamp.normalize() for stamp in expected]


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 12, 31, 23, 59, 59)
    ).map(lambda m: m.replace(microsecond=0))
)
def test_excel_serial_numbers_read_back(moment: dt.datetime):
    serial = (moment - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
    typed, bad = parse_column(cells(serial), DATETIME)
    assert not bad.any()
    assert typed.iloc[0] == pd.Timestamp(moment)
    assert parse_column(cells(serial), DATE)[0].iloc[0] == pd.Timestamp(moment.date())


@st.composite
def near_dates(draw: st.DrawFn) -> str:
    """Strings close to the vectorised formats: valid or not, padded or not."""
    year = draw(st.sampled_from([1600, 1899, 2000, 2024, 2025, 2300]))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    pad = draw(st.sampled_from(["{}", "{:02d}"]))
    if draw(st.booleans()):
        sep = draw(st.sampled_from(["-", "/", ".", " / ", "-/"]))
        text = f"{year}{sep}{pad.format(month)}{sep}{pad.format(day)}"
    else:
        text = f"{year}年{pad.format(month)}月{pad.format(day)}日"
    if draw(st.booleans()):
        hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 61)), 0
        text += (
            draw(st.sampled_from([" ", "T", "t", "  ", ""])) + f"{pad.format(hour)}:{minute:02d}"
        )
        if draw(st.booleans()):
            second = draw(st.integers(0, 61))
            text += f":{second:02d}" + draw(st.sampled_from(["", ".5", ".123"]))
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "Z"]))


@settings(max_examples=50, deadline=None)
@given(texts=st.lists(near_dates(), min_size=1, max_size=50))
def test_vectorised_formats_agree_with_the_scalar_parser(texts: list[str]):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(date_reading, "_VECTOR_MIN", 0)
        typed, bad = parse_column(cells(*texts), DATETIME)
    for text, got, is_bad in zip(texts, typed.tolist(), bad.tolist(), strict=True):
        want = parse_datetime_text(text)
        assert is_bad == (want is None), text
        assert (got is pd.NaT) if want is None else got == pd.Timestamp(want), text


# --- dates: explicit examples --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("2025/04/01", dt.date(2025, 4, 1)),
        ("2025.4.1", dt.date(2025, 4, 1)),
        ("2025年4月1日", dt.date(2025, 4, 1)),
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("R7/4/1", dt.date(2025, 4, 1)),
        ("R7-4-1", dt.date(2025, 4, 1)),
        ("r7.4.1", dt.date(2025, 4, 1)),
        ("Ｒ７．４．１", dt.date(2025, 4, 1)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("平成30年12月31日", dt.date(2018, 12, 31)),
        ("H30.12.31", dt.date(2018, 12, 31)),
        ("h30/12/31", dt.date(2018, 12, 31)),
        ("平成31年5月1日", dt.date(2019, 5, 1)),  # past the era's end: year arithmetic
        ("H32.1.1", dt.date(2020, 1, 1)),
        ("２０２５/４/１", dt.date(2025, 4, 1)),
        ("令和７年４月１日", dt.date(2025, 4, 1)),
        ("２０２５－０４－０１", dt.date(2025, 4, 1)),
        (" 2025 / 4 / 1 ", dt.date(2025, 4, 1)),
        ("令和 7 年 4 月 1 日", dt.date(2025, 4, 1)),
        ("\u3000令和7年4月1日\u3000", dt.date(2025, 4, 1)),
        ("2025/4/1 0:00", dt.date(2025, 4, 1)),  # a time of day is dropped
        ("2025-04-01 09:05:00", dt.date(2025, 4, 1)),
        ("2024/2/29", dt.date(2024, 2, 29)),
    ],
)
def test_date_texts(text: str, day: dt.date, path: str):
    assert parse_date_text(text) == day
    typed, bad = parse_column(cells(text), DATE)
    assert typed.tolist() == [pd.Timestamp(day)] and bad.tolist() == [False]


@pytest.mark.parametrize(
    "text",
    [
        "2025/2/30",
        "2025/13/1",
        "2023/2/29",
        "令和0年1月1日",
        "R0.1.1",
        "不明",
        "20250401",  # bare 8 digits: not in the contract
        "45748",  # a serial number as text
        "45748.0",
        "2025/4",
        "2025年4月",
        "4/1",
        "25/4/1",
        "2025/4-1",  # mixed separators
        "2025/4/1 25:00",
        "2025/4/1 9:60",
        "2025/4/19:05",  # no separator before the time
        "S64.1.7",  # 昭和 is not an era the contract knows
        "令和7年4月1日（火）",
        "2025-04-01 09:05:00 JST",
        "1600/1/1",  # outside what datetime64[ns] holds
        "2300/1/1",
    ],
)
def test_unreadable_date_texts(text: str, path: str):
    assert parse_date_text(text) is None
    assert parse_datetime_text(text) is None
    for column in (DATE, DATETIME):
        typed, bad = parse_column(cells(text), column)
        assert typed.isna().all() and bad.tolist() == [True]


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025/4/1 9:05", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025/4/1 09:05:30", dt.datetime(2025, 4, 1, 9, 5, 30)),
        ("2025-04-01T09:05:00", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025-04-01T09:05", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025-04-01 09:05:00.250", dt.datetime(2025, 4, 1, 9, 5, 0, 250_000)),
        ("2025/4/1", dt.datetime(2025, 4, 1)),
        ("R7.4.1 9:05", dt.datetime(2025, 4, 1, 9, 5)),
        ("令和7年4月1日 9:05", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025年4月1日 9時5分", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025年4月1日9時5分30秒", dt.datetime(2025, 4, 1, 9, 5, 30)),
        ("令和7年4月1日 17時", dt.datetime(2025, 4, 1, 17)),
        ("２０２５/４/１ ９：０５", dt.datetime(2025, 4, 1, 9, 5)),
        ("2025/4/1  9 : 05", dt.datetime(2025, 4, 1, 9, 5)),
    ],
)
def test_datetime_texts(text: str, moment: dt.datetime, path: str):
    assert parse_datetime_text(text) == moment
    typed, bad = parse_column(cells(text), DATETIME)
    assert typed.tolist() == [pd.Timestamp(moment)] and bad.tolist() == [False]


def test_excel_cells_in_date_columns():
    raw = cells(
        dt.date(2025, 4, 1),
        dt.datetime(2025, 4, 1, 9, 5),
        pd.Timestamp("2025-04-01 09:05"),
        45748.0,
        45748.375,
        45748,
        True,
        dt.time(9, 5),
        0.0,
        -1.0,
        1e9,
    )
    dates, date_bad = parse_column(raw, DATE)
    moments, moment_bad = parse_column(raw, DATETIME)
    april_1, at_9_05 = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-04-01 09:05")
    assert dates.dtype == moments.dtype == "datetime64[ns]"
    assert dates.tolist()[:6] == [april_1] * 6
    assert moments.tolist()[:6] == [
        april_1,
        at_9_05,
        at_9_05,
        april_1,
        pd.Timestamp("2025-04-01 09:00"),
        april_1,
    ]
    bad = [False] * 6 + [True] * 5
    assert date_bad.tolist() == bad and moment_bad.tolist() == bad
    assert dates[6:].isna().all() and moments[6:].isna().all()


def test_date_blanks_are_missing_and_not_bad():
    raw = cells("", "\u3000", "  ", "－", "-", "―", "‐", "なし", None, float("nan"), pd.NA)
    for column in (DATE, DATETIME):
        typed, bad = parse_column(raw, column)
        assert typed.isna().all() and not bad.any()


def test_large_date_column_mixes_formats_blanks_and_bad_cells():
    pattern = [
        ("2025-04-01 09:05:00", pd.Timestamp("2025-04-01 09:05"), False),
        ("2025/4/2 9:05", pd.Timestamp("2025-04-02 09:05"), False),
        ("令和7年4月3日 9時5分", pd.Timestamp("2025-04-03 09:05"), False),
        ("2025/4/4", pd.Timestamp("2025-04-04"), False),
        (" 2025-04-05 ", pd.Timestamp("2025-04-05"), False),
        (dt.datetime(2025, 4, 6, 9, 5), pd.Timestamp("2025-04-06 09:05"), False),
        (45754.5, pd.Timestamp("2025-04-07 12:00"), False),
        ("－", pd.NaT, False),
        ("", pd.NaT, False),
        ("2025/2/30 9:05", pd.NaT, True),
        ("2300-01-01 00:00:00", pd.NaT, True),
        ("不明", pd.NaT, True),
    ]
    rows = pattern * 500
    raw = pd.Series([r[0] for r in rows], index=np.arange(len(rows)) * 2, dtype=object)
    typed, bad = parse_column(raw, DATETIME)
    assert len(raw) >= date_reading._VECTOR_MIN
    assert typed.index.equals(raw.index) and bad.index.equals(raw.index)
    assert typed.tolist() == [r[1] for r in rows]
    assert bad.tolist() == [r[2] for r in rows]


# --- blanks ----------------------------------------------------------------------------------


def test_is_blank():
    raw = cells(
        "", " ", "\u3000", "\t\n", "-", "－", "―", "‐", "なし", " なし ", None, float("nan"), pd.NA,
        "a", "0", "ー", "なし。", "- -", 0.0, False, dt.date(2025, 4, 1),
    )  # fmt: skip
    assert is_blank(raw).tolist() == [True] * 13 + [False] * 8


def test_is_blank_keeps_the_index():
    raw = pd.Series(["", "x"], index=[10, 20], dtype=object, name="c")
    out = is_blank(raw)
    assert out.dtype == bool and out.index.tolist() == [10, 20] and out.tolist() == [True, False]


def test_every_kind_reads_blanks_as_missing_and_not_bad():
    raw = cells("", "　", "－", "なし", None)
    for column in (ID, TEXT, MARK, INT, ENUM, LIST, CLAUSES, DATE, DATETIME):
        typed, bad = parse_column(raw, column)
        assert typed.isna().all(), column.kind
        assert not bad.any(), column.kind


# --- ids and text ------------------------------------------------------------------------------


def test_ids_are_nfkc_and_trimmed():
    typed, bad = parse_column(cells("Ｃ０１２", " C012 ", 12.0, 12.5, 120000.0, "P-001"), ID)
    assert typed.dtype == "str"
    assert typed.tolist() == ["C012", "C012", "12", "12.5", "120000", "P-001"]
    assert not bad.any()


def test_text_keeps_inner_spaces_and_line_breaks():
    typed, bad = parse_column(cells("  施錠保管庫  ", "Ａ社\n第２倉庫", "a  b", "－"), TEXT)
    assert typed.dtype == "str"
    assert typed.tolist()[:3] == ["施錠保管庫", "A社\n第2倉庫", "a  b"]
    assert pd.isna(typed.iloc[3]) and not bad.any()


# --- marks -------------------------------------------------------------------------------------


def test_marks():
    typed, bad = parse_column(
        cells(
            "済", "有", "要", "○", "〇", "はい", " 済 ", "未", "無", "不要", "不 要", "×", "いいえ"
        ),
        MARK,
    )
    assert typed.dtype == "boolean"
    assert typed.tolist() == [True] * 7 + [False] * 6
    assert not bad.any()


def test_excel_booleans_are_marks_and_anything_else_is_bad():
    typed, bad = parse_column(cells(True, False, "済み", "OK", "x", 1.0, ""), MARK)
    assert typed.tolist()[:2] == [True, False]
    assert typed[2:].isna().all()
    assert bad.tolist() == [False, False, True, True, True, True, False]


# --- integers ----------------------------------------------------------------------------------


def test_ints():
    typed, bad = parse_column(
        cells("1200", "1,200", "１，２００", "１２００", 12000.0, " 7 ", "0", 3, "12.0"), INT
    )
    assert typed.dtype == "Int64"
    assert typed.tolist() == [1200, 1200, 1200, 1200, 12000, 7, 0, 3, 12]
    assert not bad.any()


@pytest.mark.parametrize(
    "cell", ["12.5", 12.5, "-3", -3.0, "－3", "1,20", "12,00,0", "十", "3件", True]
)
def test_unreadable_ints(cell: object):
    typed, bad = parse_column(cells(cell), INT)
    assert typed.isna().all() and bad.tolist() == [True]


# --- enums -------------------------------------------------------------------------------------


def test_enum_values_are_canonical():
    typed, bad = parse_column(
        cells("ＵＳＢ メモリ", "USBメモリ", " usbメモリ", "紙", "ノート PC", "CD・DVD", "USB", 1.0),
        ENUM,
    )
    assert typed.dtype == "str"
    assert typed.tolist()[:2] == ["USBメモリ", "USBメモリ"]
    assert typed.tolist()[3:6] == ["紙", "ノートPC", "CD・DVD"]
    # listed values are compared after NFKC with spaces removed: case still counts
    assert bad.tolist() == [False, False, True, False, False, False, True, True]
    assert typed[bad.to_numpy()].isna().all()


def test_enum_with_many_rows_and_few_values():
    raw = pd.Series(["入室", "退 室", "入室 ", "外出"] * 10_000, dtype=object)
    column = Column("区分", "direction", Kind.ENUM, allowed=("入室", "退室"))
    typed, bad = parse_column(raw, column)
    assert typed.iloc[:3].tolist() == ["入室", "退室", "入室"]
    assert bad.sum() == 10_000


# --- lists -------------------------------------------------------------------------------------


def test_lists_split_on_every_separator():
    typed, bad = parse_column(
        cells(
            "P001;P002；P003、P004,P005\nP006\r\nP007", " Ｐ００１ ; ; P002 ", ";、", "単独", 12.0
        ),
        LIST,
    )
    assert typed.dtype == object
    assert typed.tolist() == [
        ("P001", "P002", "P003", "P004", "P005", "P006", "P007"),
        ("P001", "P002"),
        None,  # separators only: nothing listed, blank
        ("単独",),
        ("12",),
    ]
    assert not bad.any()


def test_list_blank_is_none():
    typed, bad = parse_column(cells("", "なし", None), LIST)
    assert typed.dtype == object
    assert typed.tolist() == [None, None, None] and not bad.any()


def test_list_items_are_matched_against_the_allowed_values():
    typed, bad = parse_column(cells("第９、第７七", " 第 7 ;第16", "第9,第99", "第9;外国"), CLAUSES)
    assert typed.tolist()[:2] == [("第9", "第7七"), ("第7", "第16")]
    assert typed.tolist()[2:] == [None, None]
    assert bad.tolist() == [False, False, True, True]


# --- shape of the results ------------------------------------------------------------------------


@pytest.mark.parametrize("column", [ID, TEXT, MARK, INT, ENUM, LIST, CLAUSES, DATE, DATETIME])
def test_results_keep_index_and_name(column: Column):
    raw = pd.Series(["x", "", "2025/4/1"], index=[5, 3, 9], name=column.key, dtype=object)
    typed, bad = parse_column(raw, column)
    assert typed.index.tolist() == bad.index.tolist() == [5, 3, 9]
    assert typed.name == column.key and bad.dtype == bool


def test_string_dtype_input_is_read_too():
    typed, bad = parse_column(pd.Series(["2025/4/1", None], dtype="str"), DATE)
    assert typed.tolist()[0] == pd.Timestamp("2025-04-01") and pd.isna(typed.iloc[1])
    assert not bad.any()
