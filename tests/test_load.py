"""Loading a data folder: header rows, encodings, origins, defects Q0–Q3, no loss."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
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

from tokki_analytics.ingest import DataFolderError, load

ACCESS_HEADER = ["日時", "従事者ID", "区分", "部屋"]


def _defects(sub, rule_id):
    return sub.defects[sub.defects["rule_id"] == rule_id]


# --- header rows and column matching -------------------------------------------------


def test_header_found_under_title_and_blank_rows(data_dir: Path):
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx",
        {
            "作業従事者名簿": [
                ["作業従事者名簿（令和7年度）"],
                [],
                [None, "株式会社テスト"],
                STAFF_HEADER,
                staff_row("P001"),
                [],
                staff_row("P002", role="作業従事者"),
            ]
        },
    )
    staff = load(data_dir).frames["staff"]
    assert staff["person_id"].tolist() == ["P001", "P002"]
    assert staff["_row"].tolist() == [5, 7]
    assert staff["_sheet"].tolist() == ["作業従事者名簿"] * 2
    assert staff["_source"].iloc[0] == "C001_株式会社テスト/提出書類.xlsx"


def test_headers_matched_after_nfkc_spaces_and_aliases_in_any_order(data_dir: Path):
    header = [
        "備考",
        "職員番号",
        "契約 番号",
        "氏　名",
        "役割",
        "雇用形態",
        "作業場所",
        "従事開始日",
        "届出日",
    ]
    row = [
        "メモ",
        "Ｐ００１",
        "K-001",
        "岡山 太郎",
        "作業責任者",
        "正社員",
        "本社",
        "２０２５/４/１",
        "R7.3.25",
    ]
    (data_dir / "C001_株式会社テスト" / "提出書類.xlsx").unlink()
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "作業責任者等届出.xlsx", {"Sheet1": [header, row]}
    )
    sub = load(data_dir)
    staff = sub.frames["staff"]
    assert staff["person_id"].tolist() == ["P001"]
    assert staff["start_date"].iloc[0] == pd.Timestamp("2025-04-01")
    assert staff["notified_on"].iloc[0] == pd.Timestamp("2025-03-25")
    assert staff["備考"].tolist() == ["メモ"]  # extra columns are kept, unchecked
    assert pd.isna(staff["end_date"].iloc[0])  # missing optional column: blank
    assert _defects(sub, "Q2").empty


def test_a_workbook_named_after_a_form_with_an_unnamed_sheet_is_that_form(data_dir: Path):
    folder = data_dir / "C001_株式会社テスト"
    write_xlsx(
        folder / "入退室記録.xlsx",
        {"Sheet1": [ACCESS_HEADER, ["2025-04-01 9:00", "P001", "入室", "A"]]},
    )
    write_xlsx(folder / "メモ.xlsx", {"Sheet1": [["これはメモです"]]})
    sub = load(data_dir)
    assert len(sub.frames["access"]) == 1
    assert any("メモ.xlsx" in item for item in sub.ignored)


def test_parts_of_a_form_are_concatenated(data_dir: Path):
    folder = data_dir / "C001_株式会社テスト"
    write_csv(
        folder / "入退室記録_2025-04.csv", [ACCESS_HEADER, ["2025-04-01 9:00", "P001", "入室", "A"]]
    )
    write_csv(
        folder / "入退室記録_2025-05.csv", [ACCESS_HEADER, ["2025-05-01 9:00", "P001", "入室", "A"]]
    )
    write_xlsx(
        folder / "持出.xlsx",
        {
            "持出記録_上期": [
                ["持出日時", "従事者ID", "台帳番号", "持出先", "媒体"],
                ["2025-05-01 10:00", "P001", "L1", "県庁", "紙"],
            ],
            "持出記録_下期": [
                ["持出日時", "従事者ID", "台帳番号", "持出先", "媒体"],
                ["2025-11-01 10:00", "P001", "L1", "県庁", "紙"],
            ],
        },
    )
    sub = load(data_dir)
    assert len(sub.frames["access"]) == 2
    assert sorted(sub.frames["takeout"]["_sheet"]) == ["持出記録_上期", "持出記録_下期"]


def test_lock_files_hidden_files_and_non_forms_are_ignored_and_listed(data_dir: Path):
    folder = data_dir / "C001_株式会社テスト"
    (folder / "~$提出書類.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "README.txt").write_text("説明", encoding="utf-8")
    sub = load(data_dir)
    assert _defects(sub, "Q0").empty
    assert {"C001_株式会社テスト/~$提出書類.xlsx", "C001_株式会社テスト/README.txt"} <= set(
        sub.ignored
    )


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings_are_detected(data_dir: Path, encoding: str):
    rows = [
        ACCESS_HEADER,
        ["2025-04-01 09:00:00", "P001", "入室", "第①会議室"],
        ["2025/4/1 18:00", "P001", "退室", "髙橋㈱№1室"],
    ]
    write_csv(data_dir / "C001_株式会社テスト" / "入退室記録.csv", rows, encoding=encoding)
    access = load(data_dir).frames["access"]
    # NFKC turns ① into 1 and ㈱ into (株); what matters is that nothing is garbled
    assert access["room"].tolist() == ["第1会議室", "髙橋(株)No1室"]
    assert access["at"].tolist() == [
        pd.Timestamp("2025-04-01 09:00"),
        pd.Timestamp("2025-04-01 18:00"),
    ]


def test_a_utf16_csv_is_a_q0_that_names_its_encoding(data_dir: Path):
    path = data_dir / "C001_株式会社テスト" / "入退室記録.csv"
    path.write_bytes("日時,従事者ID\n".encode("utf-16"))
    [q0] = _defects(load(data_dir), "Q0").to_dict("records")
    assert "UTF-16" in q0["detail"] and "UTF-8 または CP932" in q0["detail"]


def test_csv_in_an_unknown_encoding_is_q0_and_the_run_goes_on(data_dir: Path):
    path = data_dir / "C001_株式会社テスト" / "入退室記録.csv"
    path.write_bytes("日時,従事者ID\n".encode("utf-16-le"))  # UTF-16 without its BOM
    sub = load(data_dir)
    q0 = _defects(sub, "Q0")
    assert q0["source"].tolist() == ["C001_株式会社テスト/入退室記録.csv"]
    assert len(sub.frames["staff"]) == 2


def test_csv_record_with_a_line_break_is_numbered_by_its_first_line(data_dir: Path):
    text = (
        "入退室記録（4月分）\r\n"
        "日時,従事者ID,区分,部屋,備考\r\n"
        '2025-04-01 9:00,P001,入室,A,"一行目\r\n二行目"\r\n'
        "\r\n"
        "2025-04-01 18:00,P001,退室,A,\r\n"
    )
    (data_dir / "C001_株式会社テスト" / "入退室記録.csv").write_bytes(text.encode("cp932"))
    access = load(data_dir).frames["access"]
    assert access["_row"].tolist() == [3, 6]
    assert access["_sheet"].tolist() == ["", ""]


# --- origins against openpyxl ------------------------------------------------------------


def test_row_numbers_match_what_openpyxl_reports(data_dir: Path):
    path = write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx",
        {
            "作業従事者名簿": [
                ["名簿"],
                [],
                STAFF_HEADER,
                staff_row("P001"),
                [],
                [],
                staff_row("P002", role="作業従事者"),
                staff_row("P003", role="作業従事者"),
            ]
        },
    )
    staff = load(data_dir).frames["staff"]
    ws = openpyxl.load_workbook(path)["作業従事者名簿"]
    openpyxl_rows = {ws.cell(row=r, column=2).value: r for r in range(1, ws.max_row + 1)}
    for person, row in zip(staff["person_id"], staff["_row"], strict=True):
        assert openpyxl_rows[person] == row


@pytest.mark.parametrize("fixture", ["libreoffice_staff.xlsx", "legacy_staff.xls"])
def test_workbooks_saved_by_other_programs_load(data_dir: Path, fixture: str):
    folder = data_dir / "C001_株式会社テスト"
    (folder / "提出書類.xlsx").unlink()
    shutil.copy(FIXTURES / fixture, folder / fixture)
    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract("K2025-001")]},
    )
    sub = load(data_dir)
    staff = sub.frames["staff"]
    assert len(staff) == 4
    assert staff["_source"].unique().tolist() == [f"C001_株式会社テスト/{fixture}"]
    assert staff["start_date"].notna().all()
    assert _defects(sub, "Q2").empty, sub.defects.to_string()


# --- defects -----------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["corrupt.xlsx", "not_really.xlsx", "password.xlsx"])
def test_unreadable_workbooks_are_q0_and_the_rest_loads(data_dir: Path, fixture: str):
    folder = data_dir / "C001_株式会社テスト"
    shutil.copy(FIXTURES / fixture, folder / "作業従事者名簿_追加.xlsx")
    sub = load(data_dir)
    q0 = _defects(sub, "Q0")
    assert q0["source"].tolist() == ["C001_株式会社テスト/作業従事者名簿_追加.xlsx"]
    assert q0["contractor_id"].tolist() == ["C001"]
    assert q0["detail"].str.contains("読めません").all()
    assert len(sub.frames["staff"]) == 2


def test_unreadable_and_disallowed_values_are_q2_and_rows_are_kept(data_dir: Path):
    bad_date = staff_row("P002", role="作業従事者", start="2025/13/45")
    bad_role = staff_row("P003", role="監督者")
    blank_name = staff_row("P004", role="作業従事者")
    blank_name[2] = "　"
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx",
        {"作業従事者名簿": [STAFF_HEADER, staff_row("P001"), bad_date, bad_role, blank_name]},
    )
    sub = load(data_dir)
    staff = sub.frames["staff"]
    assert len(staff) == 4
    q2 = _defects(sub, "Q2").set_index("row")
    assert q2.loc[3, "column"] == "従事開始日" and q2.loc[3, "value"] == "2025/13/45"
    assert q2.loc[4, "column"] == "役割" and q2.loc[4, "value"] == "監督者"
    assert q2.loc[5, "column"] == "氏名"
    assert set(q2["sheet"]) == {"作業従事者名簿"}
    assert set(q2["contract_id"]) == {"K-001"}
    by_person = staff.set_index("person_id")
    assert pd.isna(by_person.loc["P002", "start_date"])
    assert by_person.loc["P002", "_invalid"] == "start_date"
    assert by_person.loc["P001", "_invalid"] == ""


def test_missing_required_column_is_one_q2_per_sheet_with_blank_row(data_dir: Path):
    header = [h for h in STAFF_HEADER if h != "作業場所"]
    rows = [
        [v for h, v in zip(STAFF_HEADER, staff_row(p), strict=True) if h != "作業場所"]
        for p in ("P001", "P002")
    ]
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx", {"作業従事者名簿": [header, *rows]}
    )
    sub = load(data_dir)
    q2 = _defects(sub, "Q2")
    assert q2["column"].tolist() == ["作業場所"]
    assert q2["row"].isna().all()
    assert len(sub.frames["staff"]) == 2


def test_rows_of_an_unknown_contract_are_q3_and_kept(data_dir: Path):
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "提出書類.xlsx",
        {
            "作業従事者名簿": [
                STAFF_HEADER,
                staff_row("P001"),
                staff_row("P009", contract_id="K-999"),
            ]
        },
    )
    sub = load(data_dir)
    q3 = _defects(sub, "Q3")
    assert q3[["contract_id", "row"]].values.tolist() == [["K-999", 3]]
    staff = sub.frames["staff"]
    assert staff["_unknown_contract"].tolist() == [False, True]


def test_a_contractor_folder_without_contracts_is_one_q3_and_nothing_else(data_dir: Path):
    folder = data_dir / "C777_株式会社ナゾ"
    write_xlsx(folder / "提出書類.xlsx", {"作業従事者名簿": [STAFF_HEADER, ["bad"] * 10]})
    sub = load(data_dir)
    mine = sub.defects[sub.defects["contractor_id"] == "C777"]
    assert mine[["rule_id", "source"]].values.tolist() == [["Q3", "C777_株式会社ナゾ"]]
    assert pd.isna(mine["row"].iloc[0])
    assert (sub.frames["staff"]["contractor_id"] != "C777").all()


def test_a_repeated_contract_id_keeps_the_first_row(data_dir: Path):
    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(), contract(contractor="C002")]},
    )
    sub = load(data_dir)
    assert sub.contracts["contractor_id"].tolist() == ["C001"]
    q2 = _defects(sub, "Q2")
    assert q2[["form", "row", "column"]].values.tolist() == [["委託契約一覧", 3, "契約番号"]]


def test_forms_a_contract_needs_and_lacks_are_q1(data_dir: Path):
    sub = load(data_dir)
    q1 = _defects(sub, "Q1")
    assert set(q1["form"]) == {
        "研修記録",
        "個人情報管理台帳",
        "入退室記録",
        "持出記録",
        "端末一覧",
        "媒体点検記録",
    }
    assert set(q1["contract_id"]) == {"K-001"}


def test_excluded_clauses_and_no_electronic_data_drop_needed_forms(data_dir: Path):
    write_xlsx(
        data_dir / "委託契約一覧.xlsx",
        {"委託契約一覧": [CONTRACT_HEADER, contract(excluded="第7、第5", electronic="無")]},
    )
    q1 = _defects(load(data_dir), "Q1")
    # 第7 switches off 第7一…第7八: devices go; the ledger is still read by 第11, the
    # take-out log by 第3 (persons in logs)
    assert set(q1["form"]) == {"個人情報管理台帳", "入退室記録", "持出記録"}


def test_a_header_only_sheet_counts_as_submitted(data_dir: Path):
    write_xlsx(
        data_dir / "C001_株式会社テスト" / "研修記録.xlsx",
        {"Sheet1": [["実施日", "従事者ID", "研修名"]]},
    )
    sub = load(data_dir)
    assert "研修記録" not in set(_defects(sub, "Q1")["form"])
    assert len(sub.frames["training"]) == 0


def test_take_out_rows_get_the_contract_of_their_ledger_entry(data_dir: Path):
    folder = data_dir / "C001_株式会社テスト"
    write_xlsx(
        folder / "台帳.xlsx",
        {
            "個人情報管理台帳": [["台帳番号", "契約番号"], ["L1", "K-001"]],
            "持出記録": [
                ["持出日時", "従事者ID", "台帳番号", "持出先", "媒体"],
                ["2025-05-01 10:00", "P001", "L1", "県庁", "紙"],
                ["2025-05-02 10:00", "P001", "L9", "県庁", "紙"],
            ],
        },
    )
    takeout = load(data_dir).frames["takeout"]
    assert takeout["contract_id"].tolist()[0] == "K-001"
    assert pd.isna(takeout["contract_id"].tolist()[1])


# --- no loss ---------------------------------------------------------------------------


def test_every_non_blank_row_under_a_header_is_kept(data_dir: Path):
    folder = data_dir / "C001_株式会社テスト"
    rows = [["入退室記録"], ACCESS_HEADER]
    for day in range(1, 29):
        rows.append([f"2025-04-{day:02d} 09:00", "P001", "入室", "A"])
        if day % 7 == 0:
            rows.append([])
    rows.append(["不明な日時", "P001", "入室", "A"])
    write_csv(folder / "入退室記録.csv", rows, encoding="cp932")
    sub = load(data_dir)
    assert len(sub.frames["access"]) == 29
    assert len(_defects(sub, "Q2")) == 1


# --- errors ----------------------------------------------------------------------------


def test_a_folder_without_a_contract_list_is_not_a_data_folder(tmp_path: Path):
    with pytest.raises(DataFolderError, match="委託契約一覧"):
        load(tmp_path)
    with pytest.raises(DataFolderError, match="does not exist"):
        load(tmp_path / "nowhere")


def test_dates_in_the_contract_list_are_typed(data_dir: Path):
    contracts = load(data_dir).contracts
    assert contracts["start_date"].iloc[0] == pd.Timestamp(dt.date(2025, 4, 1))
    assert contracts["excluded_clauses"].isna().all()


def test_person_names_for_masking_cover_every_loaded_name_without_the_logs():
    from tokki_analytics.ingest import read_person_names
    from tokki_analytics.masking import roster

    data = Path(__file__).resolve().parent.parent / "data_samples"
    names = read_person_names(data)
    assert set(roster(load(data))) <= set(names)
    # Names in folders that are not audited (no contract) are masked too.
    assert len(names) > len(roster(load(data)))
    assert names == sorted(names, key=len, reverse=True)
    with pytest.raises(DataFolderError):
        read_person_names(data / "nope")
