"""Check views: every rule fails where RULES.md says and passes at its boundary.

The expectations are applied by a tiny pure-pandas evaluator (no GX here), with the
semantics of the built-in GX expectations the catalogue names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CONTRACT_HEADER, ROOT, contract, write_xlsx

from tokki_analytics.forms import FORMS_BY_KEY
from tokki_analytics.ingest import Submission, load
from tokki_analytics.rules import RULES, VIEWS, Rule, build_views
from tokki_analytics.settings import Settings

AS_OF = dt.date(2026, 1, 31)
RULE = {rule.id: rule for rule in RULES}
ORIGIN = ["_key", "contractor_id", "contract_id", "_form", "_source", "_sheet", "_row"]
NULL_CHECKS = {"ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeNull"}


# --- the evaluator -------------------------------------------------------------------------


def failing(rule: Rule, view: pd.DataFrame) -> np.ndarray:
    """Rows where ``rule``'s expectation fails, among rows its judge column selects."""
    judged = view[rule.judge].to_numpy()
    values = view[rule.expectation.column]
    kind, kw = rule.expectation.type, rule.expectation.kwargs
    if kind not in NULL_CHECKS:
        # GX would count a missing value as "missing", not as a unit checked
        assert values[judged].notna().all(), f"{rule.id}: checked value missing where judged"
    if kind == "ExpectColumnValuesToBeInSet":
        ok = values.isin(kw["value_set"])
    elif kind == "ExpectColumnValuesToNotBeInSet":
        ok = ~values.isin(kw["value_set"])
    elif kind == "ExpectColumnValuesToBeBetween":
        ok = pd.Series(True, index=view.index)
        if kw.get("min_value") is not None:
            ok &= values >= kw["min_value"]
        if kw.get("max_value") is not None:
            ok &= values <= kw["max_value"]
    elif kind == "ExpectColumnValuesToNotBeNull":
        ok = values.notna()
    elif kind == "ExpectColumnValuesToBeNull":
        ok = values.isna()
    else:
        raise AssertionError(f"no evaluator for {kind}")
    return judged & ~ok.fillna(False).to_numpy(dtype=bool)


def outcomes(sub: Submission, rule_id: str, by: tuple[str, ...] = ("_row",)) -> dict:
    """Unit → "fail" / "pass" / "-" (not judged) for one rule."""
    rule = RULE[rule_id]
    view = VIEWS[rule.view].build(sub)
    fails = failing(rule, view)
    keys = view[list(by)].itertuples(index=False, name=None)
    return {
        (key[0] if len(key) == 1 else key): ("fail" if bad else "pass" if judged else "-")
        for key, judged, bad in zip(keys, view[rule.judge], fails, strict=True)
    }


def details(sub: Submission, rule_id: str) -> list[str]:
    rule = RULE[rule_id]
    view = VIEWS[rule.view].build(sub)
    return rule.detail(view[failing(rule, view)]).tolist()


# --- tiny data folders -----------------------------------------------------------------------


def kontract(contract_id="K-001", start="2025-04-01", end="2026-03-31", **kwargs):
    """A contract row of C001 (dates as text, as contractors write them)."""
    return contract(contract_id, "C001", start, end, **kwargs)


def staff(
    person="P001",
    role="作業責任者",
    start="2025-04-01",
    end=None,
    notified="2025-03-25",
    pledge="2025-03-25",
    contract_id="K-001",
):
    return {
        "contract_id": contract_id,
        "person_id": person,
        "name": "岡山 太郎",
        "role": role,
        "employment": "正社員",
        "work_place": "本社",
        "start_date": start,
        "end_date": end,
        "notified_on": notified,
        "pledge_on": pledge,
    }


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def make(
    tmp_path: Path,
    forms: dict[str, list[dict]],
    contracts: list[list] | None = None,
    inspections: list[list] | None = None,
    **settings,
) -> Submission:
    """Write a data folder with one contractor C001 and load it (as-of 2026-01-31)."""
    root = tmp_path / "data"
    rows = contracts or [kontract()]
    write_xlsx(root / "委託契約一覧.xlsx", {"委託契約一覧": [CONTRACT_HEADER, *rows]})
    if inspections is not None:
        write_xlsx(root / "検査履歴.xlsx", {"検査履歴": [["契約番号", "検査日"], *inspections]})
    sheets = {}
    for key, records in forms.items():
        columns = FORMS_BY_KEY[key].columns
        sheets[FORMS_BY_KEY[key].name] = [[c.name for c in columns]] + [
            [record.get(c.key) for c in columns] for record in records
        ]
    write_xlsx(root / "C001_株式会社テスト" / "提出書類.xlsx", sheets)
    return load(root, settings=Settings(as_of=AS_OF, **settings))


LEDGER = {
    "ledger_id": "L001",
    "contract_id": "K-001",
    "dataset": "県民名簿",
    "records": 100,
    "medium": "紙",
    "storage_place": "本社",
    "storage_method": "施錠保管庫",
    "users": "P001",
    "received_on": "2025-04-01",
    "status": "保管中",
}


def ledger(**values) -> dict:
    return LEDGER | values


# --- views follow the conventions ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample_views():
    sub = load(ROOT / "data_samples")
    return sub, build_views(sub)


def test_every_rule_sits_on_exactly_one_view_that_exists():
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert [v.name for v in VIEWS.values() if rule in v.rules] == [rule.view]
        assert rule.expectation.column
        assert "row_condition" not in rule.expectation.kwargs


def test_every_view_has_origins_key_and_boolean_judges(sample_views):
    _, views = sample_views
    assert set(views) == set(VIEWS)
    for name, view in views.items():
        assert list(view.columns[: len(ORIGIN)]) == ORIGIN, name
        assert view["_key"].dtype == np.int64
        assert (view["_key"].to_numpy() == np.arange(len(view))).all()
        assert view["_row"].dtype == "Int64"
        judges = sorted(c for c in view.columns if c.startswith("judge__"))
        assert judges == sorted(rule.judge for rule in VIEWS[name].rules), name
        for rule in (r for r in RULES if r.view == name):
            assert view[rule.judge].dtype == np.bool_, rule.id
            column = view[rule.expectation.column]
            if rule.expectation.type == "ExpectColumnValuesToBeBetween":
                assert column.dtype == np.float64, rule.id
            if rule.expectation.kwargs.get("value_set") in ([True], [False]):
                assert column.dtype == np.bool_, rule.id
    contract_level = views["contracts"]
    assert contract_level["_row"].isna().all()
    assert (contract_level[["_form", "_source", "_sheet"]] == "").all().all()
    assert (views["staff"]["_form"] == "作業従事者名簿").all()


def test_checked_values_are_present_wherever_a_rule_judges(sample_views):
    _, views = sample_views
    for rule in RULES:
        failing(rule, views[rule.view])  # asserts inside


def test_views_reproduce_the_answer_key_of_data_samples(sample_views):
    _, views = sample_views
    found = set()
    for rule in RULES:
        view = views[rule.view]
        rows = view[failing(rule, view)]
        assert (rule.detail(rows).str.len() > 0).all()
        for r in rows[ORIGIN[1:]].astype(object).itertuples(index=False):
            found.add(
                (
                    rule.id,
                    *("" if pd.isna(v) else str(v) for v in r[:5]),
                    "" if pd.isna(r[5]) else str(int(r[5])),
                )
            )
    key = pd.read_csv(
        ROOT / "tests" / "answer_keys" / "data_samples" / "answer_key.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    key = key[~key["rule_id"].str.startswith("Q")]
    planted = set(
        map(
            tuple,
            key[
                ["rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row"]
            ].values.tolist(),
        )
    )
    assert found - planted == set(), "precision < 1"
    assert planted - found == set(), "recall < 1"


# --- contracts: C2-1, C7.5-1, P-1 ------------------------------------------------------------


def test_c2_1_a_day_without_supervisor_fails_a_change_on_consecutive_days_passes(tmp_path):
    contracts = [kontract("K-001"), kontract("K-002"), kontract("K-003", start="2026-02-01")]
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001", end="2025-08-31"),
                staff("P002", start="2025-09-10"),
                staff("P003", end="2025-08-31", contract_id="K-002"),
                staff("P004", start="2025-09-01", contract_id="K-002"),
            ]
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C2-1", by=("contract_id",)) == {
        "K-001": "fail",
        "K-002": "pass",
        "K-003": "-",
    }
    assert details(sub, "C2-1") == ["作業責任者が不在の期間: 2025-09-01〜2025-09-09（9日）"]


def test_c2_1_a_contract_with_no_supervisor_at_all_fails_and_needs_the_roster(tmp_path):
    sub = make(tmp_path, {"staff": [staff("P001", role="作業従事者")]})
    assert outcomes(sub, "C2-1", by=("contract_id",)) == {"K-001": "fail"}
    assert details(sub, "C2-1") == ["作業責任者が不在の期間: 2025-04-01〜2026-01-31（306日）"]
    none = make(tmp_path / "b", {"training": []})
    assert outcomes(none, "C2-1", by=("contract_id",)) == {"K-001": "-"}


def test_c7_5_1_checks_exactly_92_days_apart_pass_93_fail(tmp_path):
    contracts = [kontract("K-001"), kontract("K-002"), kontract("K-003", electronic="無")]
    checks = [
        {"checked_on": d, "contract_id": k, "target": "媒体", "result": "異常なし"}
        for k, days in (
            ("K-001", ["2025-06-01", "2025-09-01", "2025-12-02"]),
            ("K-002", ["2025-06-01", "2025-09-02", "2025-12-03"]),
        )
        for d in days
    ]
    sub = make(tmp_path, {"media_checks": checks}, contracts=contracts)
    assert outcomes(sub, "C7.5-1", by=("contract_id",)) == {
        "K-001": "pass",
        "K-002": "fail",
        "K-003": "-",
    }
    assert details(sub, "C7.5-1") == ["媒体点検の間隔が長すぎる: 2025-06-01〜2025-09-02（93日）"]
    none = make(tmp_path / "b", {"staff": [staff()]})
    assert outcomes(none, "C7.5-1", by=("contract_id",)) == {"K-001": "-"}


def test_c7_5_1_the_gap_up_to_as_of_counts(tmp_path):
    checks = [
        {"checked_on": "2025-06-01", "contract_id": "K-001", "target": "媒体", "result": "異常なし"}
    ]
    sub = make(tmp_path, {"media_checks": checks})
    assert details(sub, "C7.5-1") == ["媒体点検の間隔が長すぎる: 2025-06-01〜2026-01-31（244日）"]


def test_p_1_inspection_365_days_before_as_of_passes_366_fails(tmp_path):
    contracts = [
        kontract("K-001"),
        kontract("K-002"),
        kontract("K-003"),
        kontract("K-004", start="2024-04-01", end="2025-03-31"),
    ]
    inspections = [["K-001", "2025-01-31"], ["K-002", "2025-01-30"], ["K-004", "2023-01-01"]]
    sub = make(tmp_path, {"staff": [staff()]}, contracts=contracts, inspections=inspections)
    assert outcomes(sub, "P-1", by=("contract_id",)) == {
        "K-001": "pass",
        "K-002": "fail",
        "K-003": "fail",
        "K-004": "-",
    }
    assert details(sub, "P-1") == [
        "直近の実地検査 2025-01-30 から 366日",
        "検査履歴に実地検査の記録なし",
    ]


def test_p_1_is_not_assessed_without_inspection_history(tmp_path):
    sub = make(tmp_path, {"staff": [staff()]})
    assert outcomes(sub, "P-1", by=("contract_id",)) == {"K-001": "-"}


# --- staff: C3-1, C3-2, C4-1, C5-1, C5-2 ---------------------------------------------------


def test_c3_1_and_c3_2_notification_equal_to_start_passes_later_fails_blank_is_c3_1(tmp_path):
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001", start="2025-04-01", notified="2025-04-01"),  # row 2: boundary
                staff("P002", start="2025-04-01", notified="2025-04-02"),  # row 3: a day late
                staff("P003", start="2025-04-01", notified=None),  # row 4: blank
                staff("P004", start="2025-04-01", notified="令和7年13月1日"),  # row 5: unreadable
                staff("P005", start="2026-02-10", notified=None),  # row 6: starts after as-of
            ]
        },
    )
    assert outcomes(sub, "C3-1") == {2: "pass", 3: "pass", 4: "fail", 5: "-", 6: "-"}
    assert outcomes(sub, "C3-2") == {2: "pass", 3: "fail", 4: "-", 5: "-", 6: "-"}
    assert details(sub, "C3-2") == ["届出日 2025-04-02 が従事開始日 2025-04-01 より後（1日後）"]
    assert details(sub, "C3-1") == ["届出日が空欄（従事者ID P003、従事開始日 2025-04-01）"]


def test_an_unreadable_cell_gives_no_judged_unit_and_an_excluded_clause_none_either(tmp_path):
    rows = [staff("P001", notified="令和7年13月1日"), staff("P002", notified="2025-05-01")]
    sub = make(tmp_path, {"staff": rows})
    assert outcomes(sub, "C3-2") == {2: "-", 3: "fail"}
    off = make(tmp_path / "b", {"staff": rows}, contracts=[kontract(excluded="第3")])
    assert outcomes(off, "C3-2") == {2: "-", 3: "-"}
    assert outcomes(off, "C4-1") == {2: "pass", 3: "pass"}


def test_c4_1_pledge_on_the_start_day_passes_after_or_blank_fails(tmp_path):
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001", pledge="2025-04-01"),
                staff("P002", pledge="2025-04-05"),
                staff("P003", pledge=None),
                staff("P004", pledge="きのう"),
            ]
        },
    )
    assert outcomes(sub, "C4-1") == {2: "pass", 3: "fail", 4: "fail", 5: "-"}
    assert details(sub, "C4-1") == [
        "誓約書提出日 2025-04-05 が従事開始日 2025-04-01 より後",
        "誓約書提出日が空欄（従事開始日 2025-04-01）",
    ]


def _training(person, held, contract_id=None):
    return {
        "held_on": held,
        "person_id": person,
        "topic": "個人情報保護研修",
        "contract_id": contract_id,
    }


def test_c5_1_training_on_start_plus_30_days_passes_31_fails(tmp_path):
    contracts = [kontract("K-001"), kontract("K-002")]
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001", start="2025-09-01"),  # trained 2025-10-01: day 30
                staff("P002", start="2025-09-01"),  # trained 2025-10-02: day 31
                staff("P003", start="2025-09-01"),  # trained before the start
                staff("P004", start="2025-09-01"),  # trained under the other contract
                staff("P005", start="2026-01-15"),  # due 2026-02-14, after as-of: pending
            ],
            "training": [
                _training("P001", "2025-10-01"),
                _training("P002", "2025-10-02"),
                _training("P003", "2025-08-20"),
                _training("P004", "2025-09-05", "K-002"),
            ],
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C5-1") == {2: "pass", 3: "fail", 4: "pass", 5: "pass", 6: "-"}
    assert details(sub, "C5-1") == [
        "従事開始日 2025-09-01 から期限 2025-10-01 までに研修なし（初回の研修 2025-10-02）"
    ]


def test_c5_1_and_c5_2_are_not_assessed_without_training_records(tmp_path):
    sub = make(tmp_path, {"staff": [staff("P001", start="2023-04-01")]})
    assert outcomes(sub, "C5-1") == {2: "-"}
    assert set(outcomes(sub, "C5-2", by=("_row", "fiscal_year")).values()) == {"-"}


def test_c5_2_a_closed_year_without_training_fails_and_names_it(tmp_path):
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001", start="2023-06-01", end="2024-12-31"),
                staff("P002", start="2025-03-24"),
            ],
            "training": [_training("P001", "2023-06-10"), _training("P002", "2025-04-08")],
        },
        contracts=[kontract(start="2023-04-01")],
    )
    assert outcomes(sub, "C5-2", by=("_row", "fiscal_year")) == {
        (2, 2023): "pass",
        (2, 2024): "fail",
        (3, 2024): "pass",  # start-year training counted by C5-1 (2025-04-08 ≤ start + 30)
    }
    assert details(sub, "C5-2") == ["2024年度（令和6年度）に研修記録なし（従事者ID P001）"]


# --- person_events: C3-3 ---------------------------------------------------------------------


def _access(person, when, direction="入室"):
    return {"at": at(when), "person_id": person, "direction": direction, "room": "作業室"}


def test_c3_3_in_the_room_on_the_last_day_passes_the_next_day_fails(tmp_path):
    contracts = [kontract("K-001"), kontract("K-002")]
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001"),
                staff("P002", role="作業従事者", end="2025-10-31"),
                staff("P003", role="作業従事者", start="2025-06-02", notified="2025-06-02"),
                staff("P004", role="作業従事者", start="2025-06-02", notified="2025-06-10"),
                staff("P005", role="作業従事者", contract_id="K-002"),
                staff("P006", role="作業従事者", notified=None),
            ],
            "access": [
                _access("P002", "2025-10-31 23:30", "退室"),  # 2: last day of employment
                _access("P002", "2025-11-01 09:00"),  # 3: the day after
                _access("G9901", "2025-11-12 09:00"),  # 4: never on the roster
                _access("P003", "2025-06-02 09:00"),  # 5: notified the day he started
                _access("P004", "2025-06-05 09:00"),  # 6: before his notification
                _access("P005", "2025-06-05 09:00"),  # 7: notified under the other contract
                _access("P006", "2025-06-05 09:00"),  # 8: on the roster, never notified
                _access("G9901", "2026-02-01 09:00"),  # 9: after as-of
            ],
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C3-3") == {
        2: "pass",
        3: "fail",
        4: "fail",
        5: "pass",
        6: "fail",
        7: "pass",
        8: "fail",
        9: "-",
    }
    not_active = "に従事中の届出済み作業従事者ではない"
    assert details(sub, "C3-3")[:2] == [
        f"従事者ID P002 は 2025-11-01 {not_active}（従事期間外または届出前）",
        f"従事者ID G9901 は 2025-11-12 {not_active}（作業従事者名簿にない）",
    ]
    view = VIEWS["person_events"].build(sub)
    assert view["contract_id"].isna().all()


def test_c3_3_take_outs_and_copies_carry_the_contract_of_their_ledger(tmp_path):
    sub = make(
        tmp_path,
        {
            "staff": [staff("P001"), staff("P002", role="作業従事者", end="2025-09-30")],
            "ledger": [ledger()],
            "takeout": [
                {"taken_at": at("2025-10-14 10:00"), "person_id": "P002", "ledger_id": "L001",
                 "destination": "県庁", "medium": "紙"},
            ],
            "copies": [
                {"at": at("2025-09-30 10:00"), "person_id": "P002", "ledger_id": "L001",
                 "approval_ref": "岡県第1号"},
            ],
        },
    )  # fmt: skip
    view = VIEWS["person_events"].build(sub)
    rows = view[view["_form"] != "入退室記録"]
    assert rows["contract_id"].tolist() == ["K-001", "K-001"]
    assert outcomes(sub, "C3-3", by=("_form", "_row")) == {
        ("持出記録", 2): "fail",
        ("複製記録", 2): "pass",
    }


def test_c3_3_access_rows_are_off_only_when_every_contract_excludes_the_clause(tmp_path):
    forms = {"staff": [staff("P001")], "access": [_access("G9901", "2025-06-01 09:00")]}
    some = make(tmp_path, forms, contracts=[kontract("K-001", excluded="第3"), kontract("K-002")])
    assert outcomes(some, "C3-3") == {2: "fail"}
    every = make(
        tmp_path / "b",
        forms,
        contracts=[kontract("K-001", excluded="第3"), kontract("K-002", excluded="第3")],
    )
    assert outcomes(every, "C3-3") == {2: "-"}


# --- ledger: C7.1-1, C7.6-1, C7.6-2, C11-1 ---------------------------------------------------


def test_c7_1_1_paper_needs_an_allowed_storage_method(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [
                ledger(ledger_id="L001"),
                ledger(ledger_id="L002", storage_method="書棚"),
                ledger(ledger_id="L003", medium="紙・電子", storage_method=None),
                ledger(ledger_id="L004", medium="電子", storage_method=None),
                ledger(ledger_id="L005", storage_method="入退室 管理室"),
            ]
        },
    )
    assert outcomes(sub, "C7.1-1") == {2: "pass", 3: "fail", 4: "fail", 5: "-", 6: "pass"}
    assert (
        details(sub, "C7.1-1")[1]
        == "媒体 紙・電子 の保管方法 （空欄） は認められた保管方法ではない"
    )


def test_c7_6_1_a_blank_field_fails_an_unreadable_one_is_left_to_its_q2(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [
                ledger(ledger_id="L001"),
                ledger(ledger_id="L002", received_on=None, records=None),
                ledger(ledger_id="L003", records="多数"),
            ]
        },
    )
    assert outcomes(sub, "C7.6-1") == {2: "pass", 3: "fail", 4: "pass"}
    assert details(sub, "C7.6-1") == ["件数・受領日が空欄（台帳番号 L002）"]


def test_c7_6_2_users_must_be_notified_workers_of_that_contract(tmp_path):
    sub = make(
        tmp_path,
        {
            "staff": [
                staff("P001"),
                staff("P002", contract_id="K-002"),
                staff("P003", notified=None),
            ],
            "ledger": [
                ledger(ledger_id="L001", users="P001"),
                ledger(ledger_id="L002", users="P001;P002;P003"),
                ledger(ledger_id="L003", users=None),
            ],
        },
        contracts=[kontract("K-001"), kontract("K-002")],
    )
    assert outcomes(sub, "C7.6-2") == {2: "pass", 3: "fail", 4: "-"}
    assert details(sub, "C7.6-2") == ["利用者 P002、P003 は契約 K-001 の届出済み作業従事者ではない"]


def _disposal(ledger_id, on, method, kind="廃棄", contract_id="K-001", **values):
    return {
        "ledger_id": ledger_id,
        "contract_id": contract_id,
        "kind": kind,
        "on": on,
        "method": method,
        "certificate_on": on,
    } | values


def test_c11_1_a_passed_deadline_needs_a_disposed_state_and_a_record(tmp_path):
    contracts = [kontract("K-001"), kontract("K-002", start="2025-04-01", end="2025-12-01")]
    sub = make(
        tmp_path,
        {
            "ledger": [
                ledger(ledger_id="L001", due_on="2025-12-31", status="廃棄済"),
                ledger(ledger_id="L002", due_on="2025-12-31", status="保管中"),
                ledger(ledger_id="L003", due_on="2025-12-31", status="廃棄済"),
                ledger(ledger_id="L004", due_on="2026-01-31", status="保管中"),  # due = as-of
                ledger(ledger_id="L005", contract_id="K-002", status="保管中"),  # end + 30 days
                ledger(ledger_id="L006", status="保管中"),  # current contract, no due date
            ],
            "disposals": [_disposal("L001", "2025-12-20", "裁断")],
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C11-1") == {2: "pass", 3: "fail", 4: "fail", 5: "-", 6: "fail", 7: "-"}
    assert (
        details(sub, "C11-1")[1]
        == "返還・廃棄の期限 2025-12-31 を過ぎて状態 廃棄済 だが廃棄消去記録がない"
    )


def test_c11_1_without_any_disposal_form_the_ledger_is_still_judged(tmp_path):
    sub = make(tmp_path, {"ledger": [ledger(due_on="2025-12-31", status="廃棄済")]})
    assert outcomes(sub, "C11-1") == {2: "fail"}


# --- takeout: C7.2-1, C7.2-2, C7.3-1; copies: C7.4-1 ----------------------------------------


def _takeout(when, medium="USBメモリ", destination="県庁", ledger_id="L001", **values):
    return {
        "taken_at": at(when),
        "person_id": "P001",
        "ledger_id": ledger_id,
        "destination": destination,
        "medium": medium,
        "encrypted": "済",
    } | values


def test_c7_2_1_destination_must_be_designated_by_the_contract(tmp_path):
    contracts = [kontract("K-001", places="県庁;県民局"), kontract("K-002", places=None)]
    sub = make(
        tmp_path,
        {
            "ledger": [ledger(ledger_id="L001"), ledger(ledger_id="L002", contract_id="K-002")],
            "takeout": [
                _takeout("2025-06-01 10:00", destination="県民局"),
                _takeout("2025-06-01 10:00", destination="自宅"),
                _takeout("2025-06-01 10:00", ledger_id="L002"),
                _takeout("2025-06-01 10:00", ledger_id="L099"),
            ],
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C7.2-1") == {2: "pass", 3: "fail", 4: "fail", 5: "-"}
    assert details(sub, "C7.2-1") == [
        "持出先 自宅 は指定場所ではない（持出先指定場所: 県庁、県民局）",
        "持出先 県庁 は指定場所ではない（契約に持出先指定場所がない）",
    ]


def test_c7_2_2_out_for_7_days_is_pending_8_fails_a_return_before_take_out_fails(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [ledger()],
            "takeout": [
                _takeout("2026-01-24 10:00"),  # 7 days before as-of, not returned
                _takeout("2026-01-23 10:00"),  # 8 days
                _takeout("2025-11-14 10:00", returned_at=at("2025-11-13 14:00")),
                _takeout(
                    "2025-11-14 10:00", returned_at=at("2025-12-14 14:00")
                ),  # late, not a fault
                _takeout("2025-11-14 10:00", medium="電子メール"),
            ],
        },
    )
    assert outcomes(sub, "C7.2-2") == {2: "-", 3: "fail", 4: "fail", 5: "pass", 6: "-"}
    assert details(sub, "C7.2-2") == [
        "返却日時が空欄（持出日時 2026-01-23 10:00 から 8日経過）",
        "返却日時 2025-11-13 14:00 が持出日時 2025-11-14 10:00 より前",
    ]


def test_c7_3_1_electronic_media_need_a_yes_mark(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [ledger()],
            "takeout": [
                _takeout("2025-06-01 10:00", encrypted="済"),
                _takeout("2025-06-01 10:00", encrypted="未"),
                _takeout("2025-06-01 10:00", medium="ノートPC", encrypted=None),
                _takeout("2025-06-01 10:00", medium="紙", encrypted=None),
                _takeout("2025-06-01 10:00", encrypted="たぶん"),
            ],
        },
    )
    assert outcomes(sub, "C7.3-1") == {2: "pass", 3: "fail", 4: "fail", 5: "-", 6: "-"}
    assert details(sub, "C7.3-1") == [
        "電子媒体 USBメモリ の持出で暗号化されていない",
        "電子媒体 ノートPC の持出で暗号化が空欄",
    ]


def test_c7_3_1_is_off_where_the_contract_excludes_all_of_clause_7(tmp_path):
    sub = make(
        tmp_path,
        {"ledger": [ledger()], "takeout": [_takeout("2025-06-01 10:00", encrypted="未")]},
        contracts=[kontract(excluded="第7")],
    )
    assert outcomes(sub, "C7.3-1") == {2: "-"}


def test_c7_4_1_a_copy_needs_the_prefecture_consent_number(tmp_path):
    copies = [
        {
            "at": at("2025-06-01 10:00"),
            "person_id": "P001",
            "ledger_id": "L001",
            "approval_ref": ref,
        }
        for ref in ("岡県第1号", None, "－")
    ]
    sub = make(tmp_path, {"ledger": [ledger()], "copies": copies})
    assert outcomes(sub, "C7.4-1") == {2: "pass", 3: "fail", 4: "fail"}


# --- media_checks: C7.5-2; ledger_refs: C7.6-3 -----------------------------------------------


def test_c7_5_2_an_anomaly_needs_an_action(tmp_path):
    checks = [
        {
            "checked_on": "2025-06-01",
            "contract_id": "K-001",
            "target": "媒体",
            "result": r,
            "action": a,
        }
        for r, a in (
            ("異常あり", "交換済"),
            ("異常あり", None),
            ("異常なし", None),
            ("異常あり", "-"),
        )
    ]
    sub = make(tmp_path, {"media_checks": checks})
    assert outcomes(sub, "C7.5-2") == {2: "pass", 3: "fail", 4: "-", 5: "fail"}


def test_c7_6_3_a_reference_to_a_dataset_not_in_the_ledger_fails(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [ledger()],
            "takeout": [
                _takeout("2025-06-01 10:00"),
                _takeout("2025-06-01 10:00", ledger_id="L099"),
            ],
            "handovers": [
                {"on": "2025-06-01", "contract_id": "K-001", "ledger_id": lid, "direction": "乙→甲",
                 "means": "手渡し"}
                for lid in ("L001", "L098", None)
            ],
        },
    )  # fmt: skip
    assert outcomes(sub, "C7.6-3", by=("_form", "_row")) == {
        ("持出記録", 2): "pass",
        ("持出記録", 3): "fail",
        ("受渡記録", 2): "pass",
        ("受渡記録", 3): "fail",
        ("受渡記録", 4): "-",
    }
    assert details(sub, "C7.6-3") == [
        "台帳番号 L099 は個人情報管理台帳にない",
        "台帳番号 L098 は個人情報管理台帳にない",
    ]


# --- devices: C7.7-1, C7.8-1 -----------------------------------------------------------------


def _device(device_id, ownership="会社貸与", software="Microsoft Office"):
    return {
        "device_id": device_id,
        "contract_id": "K-001",
        "ownership": ownership,
        "software": software,
    }


def test_c7_7_1_a_private_device_fails(tmp_path):
    sub = make(tmp_path, {"devices": [_device("PC-1"), _device("PC-2", "私物")]})
    assert outcomes(sub, "C7.7-1") == {2: "pass", 3: "fail"}


def test_c7_8_1_names_every_unallowed_program_and_needs_a_list(tmp_path):
    devices = [
        _device("PC-1", software="Microsoft Office;7-Zip"),
        _device("PC-2", software="Microsoft Office、LINE、Dropbox"),
        _device("PC-3", software=None),
    ]
    sub = make(tmp_path, {"devices": devices}, allowed_software=("Microsoft Office", "7-Zip"))
    assert outcomes(sub, "C7.8-1") == {2: "pass", 3: "fail", 4: "-"}
    assert details(sub, "C7.8-1") == ["端末 PC-2 に許可されていないソフトウェア: LINE、Dropbox"]
    unset = make(tmp_path / "b", {"devices": devices})
    assert set(outcomes(unset, "C7.8-1").values()) == {"-"}


# --- handovers: C8.2-1, C8.2-2 ---------------------------------------------------------------


def _handover(on, means="手渡し", direction="甲→乙", receipt=None, contract_id="K-001"):
    return {
        "on": on,
        "contract_id": contract_id,
        "direction": direction,
        "means": means,
        "receipt_on": receipt,
    }


def test_c8_2_1_means_must_be_designated_when_the_contract_names_any(tmp_path):
    contracts = [kontract("K-001", means="手渡し;書留 郵便"), kontract("K-002")]
    sub = make(
        tmp_path,
        {
            "handovers": [
                _handover("2025-06-01", receipt="2025-06-01"),
                _handover("2025-06-01", means="宅配便", receipt="2025-06-01"),
                _handover("2025-06-01", means="書留郵便", receipt="2025-06-01"),
                _handover("2025-06-01", means="宅配便", receipt="2025-06-01", contract_id="K-002"),
            ]
        },
        contracts=contracts,
    )
    assert outcomes(sub, "C8.2-1") == {2: "pass", 3: "fail", 4: "pass", 5: "-"}


def test_c8_2_2_receipt_on_day_7_passes_day_8_fails(tmp_path):
    sub = make(
        tmp_path,
        {
            "handovers": [
                _handover("2025-08-18", receipt="2025-08-25"),  # day 7
                _handover("2025-08-18", receipt="2025-08-26"),  # day 8
                _handover("2026-01-24"),  # blank, 7 days before as-of: pending
                _handover("2026-01-23"),  # blank, 8 days
                _handover("2025-08-18", direction="乙→甲"),
            ]
        },
    )
    assert outcomes(sub, "C8.2-2") == {2: "pass", 3: "fail", 4: "-", 5: "fail", 6: "-"}
    assert details(sub, "C8.2-2") == [
        "預り証提出日 2025-08-26 が受渡日 2025-08-18 の 8日後",
        "預り証提出日が空欄（受渡日 2026-01-23 から 8日経過）",
    ]


# --- subcontracts: C9-1, C9-2 ----------------------------------------------------------------

SUBCONTRACT = {
    "contract_id": "K-001",
    "subcontractor": "有限会社封入",
    "reason": "繁忙期",
    "work": "封入",
    "data": "氏名・住所",
    "safeguards": "施錠",
    "supervision": "立入検査",
    "applied_on": "2025-04-01",
    "approved_on": "2025-04-08",
    "start_date": "2025-04-08",
}


def test_c9_1_approval_on_the_start_day_passes_later_or_blank_fails(tmp_path):
    rows = [
        SUBCONTRACT,
        SUBCONTRACT | {"approved_on": "2025-04-13"},
        SUBCONTRACT | {"approved_on": None},
    ]
    sub = make(tmp_path, {"subcontracts": rows})
    assert outcomes(sub, "C9-1") == {2: "pass", 3: "fail", 4: "fail"}
    off = make(tmp_path / "b", {"subcontracts": rows}, contracts=[kontract(excluded="第9")])
    assert set(outcomes(off, "C9-1").values()) == {"-"}


def test_c9_2_a_blank_item_of_the_application_fails(tmp_path):
    rows = [SUBCONTRACT, SUBCONTRACT | {"safeguards": None}]
    sub = make(tmp_path, {"subcontracts": rows})
    assert outcomes(sub, "C9-2") == {2: "pass", 3: "fail"}
    assert details(sub, "C9-2") == ["安全対策が空欄（再委託先 有限会社封入）"]


# --- disposals: C11-2, C11-3, C11-4 ----------------------------------------------------------


def test_c11_2_method_must_fit_the_medium_and_mixed_media_need_both(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [
                ledger(ledger_id="L001", medium="紙"),
                ledger(ledger_id="L002", medium="紙・電子"),
                ledger(ledger_id="L003", medium="紙・電子"),
            ],
            "disposals": [
                _disposal("L001", "2025-06-01", "裁断"),  # 2
                _disposal("L001", "2025-06-02", "消去ソフト"),  # 3
                _disposal("L002", "2025-06-01", "裁断"),  # 4
                _disposal("L002", "2025-06-02", "消去ソフト"),  # 5
                _disposal("L003", "2025-06-03", "溶解"),  # 6: the later record
                _disposal("L003", "2025-06-01", "裁断"),  # 7
                _disposal("L099", "2025-06-01", "裁断"),  # 8: no ledger row
            ],
        },
    )
    assert outcomes(sub, "C11-2") == {
        2: "pass",
        3: "fail",
        4: "pass",
        5: "pass",
        6: "fail",
        7: "pass",
        8: "-",
    }
    assert details(sub, "C11-2") == [
        "方法 消去ソフト は台帳の媒体 紙 に適さない",
        "紙・電子の台帳 L003 の記録が電子の処理方法を含まない（方法: 裁断、溶解）",
    ]


def test_c11_3_and_c11_4_witness_and_certificate(tmp_path):
    sub = make(
        tmp_path,
        {
            "ledger": [ledger()],
            "disposals": [
                _disposal("L001", "2025-06-01", "裁断", witness_requested="要",
                          witness="県職員 花子"),
                _disposal("L001", "2025-06-01", "裁断", witness_requested="要",
                          certificate_on=None),
                _disposal("L001", "2025-06-01", "返還", kind="返還", witness_requested="不要",
                          certificate_on=None),
                _disposal("L001", "2025-06-01", "消去ソフト", kind="消去", certificate_on=None),
            ],
        },
    )  # fmt: skip
    assert outcomes(sub, "C11-3") == {2: "pass", 3: "fail", 4: "-", 5: "-"}
    assert outcomes(sub, "C11-4") == {2: "pass", 3: "fail", 4: "-", 5: "fail"}


# --- inspection_requests: C12-1 --------------------------------------------------------------


def test_c12_1_report_on_day_7_passes_day_8_fails_blank_only_once_overdue(tmp_path):
    rows = [
        {"contract_id": "K-001", "requested_on": req, "reported_on": rep}
        for req, rep in (
            ("2025-10-06", "2025-10-13"),
            ("2025-10-06", "2025-10-14"),
            ("2026-01-28", None),
            ("2026-01-23", None),
        )
    ]
    sub = make(tmp_path, {"inspection_requests": rows})
    assert outcomes(sub, "C12-1") == {2: "pass", 3: "fail", 4: "-", 5: "fail"}
    assert details(sub, "C12-1") == [
        "報告日 2025-10-14 が依頼日 2025-10-06 の 8日後",
        "報告日が空欄（依頼日 2026-01-23 から 8日経過）",
    ]


# --- incidents: C14-1 … C14-4 -----------------------------------------------------------------


def _incident(n, found="2025-08-04 10:00", reported="2025-08-05 10:00", **values):
    return {
        "incident_id": f"INC-{n}",
        "contract_id": "K-001",
        "occurred_at": at("2025-08-04 09:00"),
        "discovered_at": at(found),
        "reported_at": at(reported) if reported else None,
        "description": "誤送付",
        "records_affected": 3,
        "place": "本社",
        "circumstances": "宛名の誤り",
        "sensitive": "無",
    } | values


def test_c14_1_a_blank_item_of_the_report_fails(tmp_path):
    sub = make(tmp_path, {"incidents": [_incident(1), _incident(2, place=None)]})
    assert outcomes(sub, "C14-1") == {2: "pass", 3: "fail"}
    assert details(sub, "C14-1") == ["発生場所が空欄（事故番号 INC-2）"]


def test_c14_2_exactly_24_hours_passes_a_minute_more_fails_blank_counts_as_as_of_end(tmp_path):
    sub = make(
        tmp_path,
        {
            "incidents": [
                _incident(1),
                _incident(2, reported="2025-08-05 10:01"),
                _incident(3, found="2026-01-31 00:00", reported=None),  # as-of + 1 day: 24 h
                _incident(4, found="2026-01-30 23:59", reported=None),
            ]
        },
    )
    assert outcomes(sub, "C14-2") == {2: "pass", 3: "fail", 4: "pass", 5: "fail"}
    assert outcomes(sub, "C14-1")[4] == "fail"


def test_c14_3_times_out_of_order_and_a_blank_report_time_is_not_judged(tmp_path):
    sub = make(
        tmp_path,
        {
            "incidents": [
                _incident(1),
                _incident(2, occurred_at=at("2025-08-04 11:00")),
                _incident(3, found="2025-08-06 10:00", reported="2025-08-05 10:00"),
                _incident(4, occurred_at=None, reported=None),
            ]
        },
    )
    assert outcomes(sub, "C14-3") == {2: "pass", 3: "fail", 4: "fail", 5: "-"}


def test_c14_4_more_than_the_threshold_or_sensitive_data_is_reportable(tmp_path):
    sub = make(
        tmp_path,
        {
            "incidents": [
                _incident(1, records_affected=100),
                _incident(2, records_affected=101),
                _incident(3, records_affected=3, sensitive="有"),
                _incident(4, records_affected=None, sensitive=None),
            ]
        },
    )
    assert outcomes(sub, "C14-4") == {2: "pass", 3: "fail", 4: "fail", 5: "-"}
    assert details(sub, "C14-4") == [
        "件数 101件（個人情報保護委員会への報告対象）",
        "件数 3件、要配慮個人情報 有（個人情報保護委員会への報告対象）",
    ]


# --- robustness ------------------------------------------------------------------------------


def test_views_build_on_a_folder_with_almost_nothing(tmp_path):
    sub = make(tmp_path, {"staff": []})
    views = build_views(sub)
    assert set(views) == set(VIEWS)
    for rule in RULES:
        view = views[rule.view]
        assert rule.judge in view.columns
        assert rule.expectation.column in view.columns
        # an empty roster leaves the contract without a supervisor: only C2-1 fails
        assert failing(rule, view).any() == (rule.id == "C2-1"), rule.id
    assert len(views["contracts"]) == 1


def test_views_do_not_change_the_submission(tmp_path):
    sub = make(tmp_path, {"staff": [staff()], "ledger": [ledger()]})
    before = {k: v.copy() for k, v in sub.frames.items()}
    build_views(sub)
    for key, frame in sub.frames.items():
        pd.testing.assert_frame_equal(frame, before[key])
