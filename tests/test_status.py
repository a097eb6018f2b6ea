"""Contractor names: one function, the report's and findings.xlsx's ways of naming."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from tokki_analytics.status import contractor_names


def _run() -> SimpleNamespace:
    rows = pd.DataFrame(
        {
            "contract_id": ["K-1", None, "K-2", "K-2"],
            "contractor_id": ["C001", "C002", "C003", "C004"],
            "contractor_name": ["株式会社岡山", "倉敷商事", None, "玉野情報"],
            "_usable": [True, False, True, False],  # K-2 repeated: its second row is not used
        }
    )
    submission = SimpleNamespace(
        frames={"contracts": rows},
        contracts=rows[rows["_usable"]],
        contractors=pd.DataFrame(
            {
                "contractor_id": ["C001", "C003", "C005"],
                "folder": ["C001_岡山", "C003_総社計算", "C005"],
                "known": [True, True, False],
            }
        ),
    )
    findings = pd.DataFrame({"contractor_id": ["C001", "C006", ""]})
    return SimpleNamespace(submission=submission, findings=findings)


def test_report_names_come_from_usable_contracts_then_folders():
    assert contractor_names(_run()) == {
        "C001": "株式会社岡山",  # 受託者名 before the folder's name
        "C003": "総社計算",  # no 受託者名: the folder's name after the code
        "C005": "C005",  # a folder without a name part gives its whole name
        "C006": "",  # a contractor known only from its findings
    }


def test_workbook_sheet_names_read_every_row_and_leave_bare_folders_blank():
    names = contractor_names(_run(), every_contract_row=True, bare_folder_name=False)
    assert names == {
        "C001": "株式会社岡山",
        "C002": "倉敷商事",  # a row without 契約番号 still names its contractor
        "C003": "総社計算",
        "C004": "玉野情報",  # so does a repeated 契約番号's row
        "C005": "",
        "C006": "",
    }
