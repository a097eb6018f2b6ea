"""The comparison's inspection targets and the briefing's take-out states follow the rules.

Both read the rules' views (contracts: ``judge__P-1``, ``inspected_within_year``; takeout:
``judge__C7_2-2``, ``return_ok``, ``returnable``, ``overdue``) instead of deciding again, so
they agree with the findings of P-1 and C7.2-2, also where a contract has ended, a clause is
excluded, or an overdue take-out is not judged.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, contract, write_xlsx

import tokki_analytics
from tokki_analytics.notebooks import analysis
from tokki_analytics.notebooks.briefing import (
    BACKWARDS,
    NOT_RETURNABLE,
    OUT,
    OVERDUE,
    OVERDUE_NOT_ASSESSED,
    RETURN_RULE,
    RETURNED,
    takeout_states,
)

AS_OF = "2025-12-31"
LEDGER_HEADER = ["台帳番号", "契約番号", "媒体"]
TAKEOUT_HEADER = ["持出日時", "従事者ID", "台帳番号", "持出先", "媒体", "暗号化", "返却日時"]


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    """C001: K-001 (第7二 excluded) and K-002 (ended); C002: K-003 and K-004 (第13 excluded)."""
    root = tmp_path_factory.mktemp("rules") / "data"
    contracts = [
        contract("K-001", "C001", excluded="第7二"),
        contract("K-002", "C001", start=dt.date(2024, 4, 1), end=dt.date(2025, 3, 31)),
        contract("K-003", "C002"),
        contract("K-004", "C002", excluded="第13"),
    ]
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, *contracts]})
    inspections = [["契約番号", "検査日"], ["K-001", dt.date(2024, 6, 1)]]
    inspections += [["K-003", dt.date(2025, 6, 1)], ["K-004", dt.date(2024, 1, 10)]]
    write_xlsx(root / "検査履歴.xlsx", {"検査履歴": inspections})
    usb = ["県庁", "USBメモリ", "有"]
    write_xlsx(
        root / "C001_株式会社テスト" / "提出書類.xlsx",
        {
            "個人情報管理台帳": [LEDGER_HEADER, ["L-001", "K-001", "電子"]],
            "持出記録": [TAKEOUT_HEADER, [_at("2025-10-01T09:00"), "P001", "L-001", *usb, None]],
        },
    )
    takeouts = [
        [_at("2025-11-01T09:00"), "P101", "L-101", *usb, None],  # 60 days out
        [_at("2025-12-01T09:00"), "P101", "L-101", "県庁", "紙", None, _at("2025-11-30T17:00")],
        [_at("2025-12-29T09:00"), "P101", "L-101", "県庁", "ノートPC", "有", None],  # 2 days
        [_at("2025-10-01T09:00"), "P101", "L-101", "県庁", "電子メール", "有", None],
        [_at("2025-09-01T09:00"), "P101", "L-101", *usb, _at("2025-09-03T09:00")],
    ]
    write_xlsx(
        root / "C002_株式会社テスト" / "提出書類.xlsx",
        {
            "個人情報管理台帳": [LEDGER_HEADER, ["L-101", "K-003", "紙・電子"]],
            "持出記録": [TAKEOUT_HEADER, *takeouts],
        },
    )
    return tokki_analytics.audit(root, as_of=AS_OF)


def _failed(audit, rule_id: str) -> pd.DataFrame:
    """The view rows of a rule's findings, found by the unit each finding carries."""
    findings = audit.findings[audit.findings["rule_id"] == rule_id]
    views = findings["view"].unique()
    assert len(views) <= 1
    if findings.empty:
        return pd.DataFrame(columns=["contractor_id", "contract_id", "taken_at"])
    return audit.views[views[0]].set_index("_key").loc[findings["view_key"]]


def test_inspection_targets_are_the_contracts_p_1_fails(audit):
    targets = analysis.inspection_targets(audit)
    reasons = "、".join(targets["reasons"])
    proposed = set(re.findall(r"(K-\d+): ", reasons))
    assert proposed == set(_failed(audit, "P-1")["contract_id"]) == {"K-001"}
    # K-002 has ended and K-004 excludes 第13: P-1 does not judge them, nor are they proposed
    assert "K-001: 直近の実地検査から578日" in reasons


@pytest.mark.parametrize("contractor_id", ["C001", "C002"])
def test_takeout_states_agree_with_the_c7_2_2_findings(audit, contractor_id):
    takeouts = takeout_states(audit, contractor_id)
    red = takeouts.loc[takeouts["state"].isin([OVERDUE, BACKWARDS]), "taken_at"]
    failed = _failed(audit, RETURN_RULE)
    own = failed.loc[failed["contractor_id"] == contractor_id, "taken_at"]
    assert sorted(red) == sorted(own)


def test_takeout_states(audit):
    c001 = takeout_states(audit, "C001")
    # out 91 days, but 第7二 is excluded for K-001: no finding, so not red
    assert list(c001["state"]) == [OVERDUE_NOT_ASSESSED]
    c002 = takeout_states(audit, "C002")
    assert c002["taken_at"].is_monotonic_increasing
    keys = c002["medium"] + " " + c002["taken_at"].astype(str)
    assert dict(zip(keys, c002["state"], strict=True)) == {
        "USBメモリ 2025-09-01 09:00:00": RETURNED,
        "電子メール 2025-10-01 09:00:00": NOT_RETURNABLE,
        "USBメモリ 2025-11-01 09:00:00": OVERDUE,
        "紙 2025-12-01 09:00:00": BACKWARDS,
        "ノートPC 2025-12-29 09:00:00": OUT,
    }


def test_a_contractor_without_takeouts_has_none(audit):
    assert takeout_states(audit, "C999").empty
