"""The rule catalogue: every rule of RULES.md as a Great Expectations expectation on a view.

A rule is declared once here: its id, clause, severity, the check view it reads, and the
built-in GX expectation (type and keyword arguments) that checks a column of that view.
The suites in ``tokki_analytics/expectations/`` (package data) are written from this
catalogue (``python -m tokki_analytics.suites``); the run loads them from JSON, so any GX
runtime can use them as they are, and checks that they hold every rule of the catalogue.

Conventions every view follows (see :mod:`tokki_analytics.views`):

- ``_key``: a unique integer per view row (the index GX reports failures by);
- origin columns ``contractor_id``, ``contract_id``, ``_form``, ``_source``, ``_sheet``,
  ``_row`` (blank where the unit is a contract);
- for every rule on the view a boolean column ``judge__<rule id>``: True where the rule
  judges the unit (not excluded, not after as-of, needed cells readable, not Q3). The
  expectation carries the structured row condition ``judge__<id> == True``, so the number
  of units checked is the number of True values;
- the checked columns hold values, day counts or threshold excesses computed from the
  settings; expectations compare them with literals only (no threshold in a suite).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def judge_column(rule_id: str) -> str:
    """The view column telling where ``rule_id`` judges a unit."""
    return f"judge__{rule_id}"


@dataclass(frozen=True)
class Rule:
    """One rule of RULES.md.

    Attributes:
        id: Stable rule id, e.g. ``C3-2``.
        clause: The clause it serves, e.g. ``第3``.
        severity: 重大, 軽微 or 観察.
        unit: What one pass or failure counts (for the docs).
        view: The check view it reads (a key of :data:`tokki_analytics.views.VIEWS`).
        expectation: A built-in GX expectation class name, e.g. ``ExpectColumnValuesToBeBetween``.
        kwargs: The expectation's arguments, ``column`` included; literals only.
        description: What the rule checks, in Japanese (shown by GX's Data Docs).
        detail: Failing view rows → one Japanese line per row naming the values at fault.
        needs: Reference forms (form keys) the rule compares its units against. For a
            contractor whose reference form is missing, unreadable or has no usable part,
            the rule is not assessed: no failures, no passes (RULES.md).
        needs_if_sent: Reference forms whose absence means "nothing recorded" (RULES.md:
            a missing 廃棄消去記録 means no record) but which block the rule when a file of
            them was sent and none of it could be used.
    """

    id: str
    clause: str
    severity: str
    unit: str
    view: str
    expectation: str
    kwargs: dict
    description: str
    detail: Callable[[pd.DataFrame], pd.Series] = field(compare=False, repr=False)
    needs: tuple[str, ...] = ()
    needs_if_sent: tuple[str, ...] = ()

    @property
    def judge(self) -> str:
        """The view column telling where this rule judges a unit."""
        return judge_column(self.id)


def fmt_date(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD, blank for NA (dates in ``detail`` use this form)."""
    return values.dt.strftime("%Y-%m-%d").fillna("（空欄）")


def fmt_datetime(values: pd.Series) -> pd.Series:
    """Datetimes as YYYY-MM-DD HH:MM, （空欄） for NA."""
    return values.dt.strftime("%Y-%m-%d %H:%M").fillna("（空欄）")


def fmt_int(values: pd.Series) -> pd.Series:
    """Whole numbers as text (NA → （空欄）)."""
    out = values.astype("float64").round().astype("Int64").astype("str")
    return out.fillna("（空欄）")


def fmt_text(values: pd.Series) -> pd.Series:
    """Text values, （空欄） for NA or ""."""
    out = values.astype("str")
    return out.where(out.notna() & (out != ""), "（空欄）")


def either(condition: pd.Series, when: pd.Series | str, otherwise: pd.Series | str) -> pd.Series:
    """Row-wise choice between two texts."""
    cond = pd.Series(condition, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    index = condition.index
    a = when if isinstance(when, pd.Series) else pd.Series(when, index=index)
    b = otherwise if isinstance(otherwise, pd.Series) else pd.Series(otherwise, index=index)
    return pd.Series(np.where(cond, a.astype("str"), b.astype("str")), index=index, dtype="str")


def fiscal_year_label(years: pd.Series) -> pd.Series:
    """``2024年度（令和6年度）``; before 2019 in 平成, 2019 is 令和元年度."""
    fy = years.astype("int64")
    era = np.where(fy >= 2019, "令和", "平成")
    n = np.where(fy >= 2019, fy - 2018, fy - 1988)
    number = pd.Series(n, index=years.index).astype("str").where(n != 1, "元")
    return fy.astype("str") + "年度（" + pd.Series(era, index=years.index) + number + "年度）"


# --- detail lines, one per rule (failing view rows → one Japanese line each) -------------


def line(*parts: pd.Series | str) -> pd.Series:
    """Concatenate texts and text columns row by row (the index of the first column)."""
    index = next(p.index for p in parts if isinstance(p, pd.Series))
    out = pd.Series("", index=index, dtype="str")
    for part in parts:
        out = out + (part.astype("str") if isinstance(part, pd.Series) else part)
    return out


def _c2_1(v: pd.DataFrame) -> pd.Series:
    return line("作業責任者が不在の期間: ", v["supervisor_gaps"])


def _c3_1(v: pd.DataFrame) -> pd.Series:
    person, start = fmt_text(v["person_id"]), fmt_date(v["start_date"])
    return line("届出日が空欄（従事者ID ", person, "、従事開始日 ", start, "）")


def _c3_2(v: pd.DataFrame) -> pd.Series:
    notified, start = fmt_date(v["notified_on"]), fmt_date(v["start_date"])
    days = fmt_int(v["notice_delay_days"])
    return line("届出日 ", notified, " が従事開始日 ", start, " より後（", days, "日後）")


def _c3_3(v: pd.DataFrame) -> pd.Series:
    why = either(v["on_roster"], "従事期間外または届出前", "作業従事者名簿にない")
    person, day = fmt_text(v["person_id"]), fmt_date(v["event_at"])
    return line(
        "従事者ID ", person, " は ", day, " に従事中の届出済み作業従事者ではない（", why, "）"
    )


def _c4_1(v: pd.DataFrame) -> pd.Series:
    start = fmt_date(v["start_date"])
    blank = line("誓約書提出日が空欄（従事開始日 ", start, "）")
    late = line("誓約書提出日 ", fmt_date(v["pledge_on"]), " が従事開始日 ", start, " より後")
    return either(v["pledge_on"].isna(), blank, late)


def _c5_1(v: pd.DataFrame) -> pd.Series:
    first = either(
        v["first_training_on"].isna(),
        "研修記録なし",
        line("初回の研修 ", fmt_date(v["first_training_on"])),
    )
    start, due = fmt_date(v["start_date"]), fmt_date(v["training_due"])
    return line("従事開始日 ", start, " から期限 ", due, " までに研修なし（", first, "）")


def _c5_2(v: pd.DataFrame) -> pd.Series:
    year, person = fiscal_year_label(v["fiscal_year"]), fmt_text(v["person_id"])
    return line(year, "に研修記録なし（従事者ID ", person, "）")


def _c7_1_1(v: pd.DataFrame) -> pd.Series:
    medium, method = fmt_text(v["medium"]), fmt_text(v["storage_method"])
    return line("媒体 ", medium, " の保管方法 ", method, " は認められた保管方法ではない")


def _c7_2_1(v: pd.DataFrame) -> pd.Series:
    places = either(
        v["designated_places"] == "",
        "契約に持出先指定場所がない",
        line("持出先指定場所: ", v["designated_places"]),
    )
    return line("持出先 ", fmt_text(v["destination"]), " は指定場所ではない（", places, "）")


def _c7_2_2(v: pd.DataFrame) -> pd.Series:
    taken, days = fmt_datetime(v["taken_at"]), fmt_int(v["days_out"])
    blank = line("返却日時が空欄（持出日時 ", taken, " から ", days, "日経過）")
    early = line("返却日時 ", fmt_datetime(v["returned_at"]), " が持出日時 ", taken, " より前")
    return either(v["returned_at"].isna(), blank, early)


def _c7_3_1(v: pd.DataFrame) -> pd.Series:
    state = either(v["encrypted"].isna(), "暗号化が空欄", "暗号化されていない")
    return line("電子媒体 ", fmt_text(v["medium"]), " の持出で", state)


def _c7_4_1(v: pd.DataFrame) -> pd.Series:
    when, ledger = fmt_datetime(v["at"]), fmt_text(v["ledger_id"])
    return line("承諾番号が空欄（日時 ", when, "、台帳番号 ", ledger, "）")


def _c7_5_1(v: pd.DataFrame) -> pd.Series:
    return line("媒体点検の間隔が長すぎる: ", v["check_gaps"])


def _c7_5_2(v: pd.DataFrame) -> pd.Series:
    day, target = fmt_date(v["checked_on"]), fmt_text(v["target"])
    return line("結果 異常あり で措置が空欄（点検日 ", day, "、対象 ", target, "）")


def _c7_6_1(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（台帳番号 ", fmt_text(v["ledger_id"]), "）")


def _c7_6_2(v: pd.DataFrame) -> pd.Series:
    users, contract = v["unnotified_users"], fmt_text(v["contract_id"])
    return line("利用者 ", users, " は契約 ", contract, " の届出済み作業従事者ではない")


def _c7_6_3(v: pd.DataFrame) -> pd.Series:
    return line("台帳番号 ", fmt_text(v["ledger_id"]), " は個人情報管理台帳にない")


def _c7_7_1(v: pd.DataFrame) -> pd.Series:
    return line("端末 ", fmt_text(v["device_id"]), " の所有区分が ", fmt_text(v["ownership"]))


def _c7_8_1(v: pd.DataFrame) -> pd.Series:
    device, programs = fmt_text(v["device_id"]), v["unallowed_software"]
    return line("端末 ", device, " に許可されていないソフトウェア: ", programs)


def _c8_2_1(v: pd.DataFrame) -> pd.Series:
    means, designated = fmt_text(v["means"]), v["designated_means"]
    return line("方法 ", means, " は契約の受渡方法指定（", designated, "）にない")


def _c8_2_2(v: pd.DataFrame) -> pd.Series:
    on, days = fmt_date(v["on"]), fmt_int(v["receipt_after_days"])
    blank = line("預り証提出日が空欄（受渡日 ", on, " から ", days, "日経過）")
    receipt = fmt_date(v["receipt_on"])
    late = line("預り証提出日 ", receipt, " が受渡日 ", on, " の ", days, "日後")
    return either(v["receipt_on"].isna(), blank, late)


def _c9_1(v: pd.DataFrame) -> pd.Series:
    start = fmt_date(v["start_date"])
    blank = line("承認日が空欄（開始日 ", start, "）")
    late = line("承認日 ", fmt_date(v["approved_on"]), " が開始日 ", start, " より後")
    return either(v["approved_on"].isna(), blank, late)


def _c9_2(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（再委託先 ", fmt_text(v["subcontractor"]), "）")


def _c11_1(v: pd.DataFrame) -> pd.Series:
    status = fmt_text(v["status"])
    state = either(
        v["disposed_state"],
        line("状態 ", status, " だが廃棄消去記録がない"),
        either(
            v["has_disposal_record"],
            line("状態が ", status),
            line("状態が ", status, "、廃棄消去記録もない"),
        ),
    )
    return line("返還・廃棄の期限 ", fmt_date(v["deadline"]), " を過ぎて", state)


def _c11_2(v: pd.DataFrame) -> pd.Series:
    method, medium = fmt_text(v["method"]), fmt_text(v["ledger_medium"])
    unfit = line("方法 ", method, " は台帳の媒体 ", medium, " に適さない")
    ledger, methods = fmt_text(v["ledger_id"]), fmt_text(v["dataset_methods"])
    short = line(
        "紙・電子の台帳 ", ledger, " の記録が", v["coverage_missing"],
        "の処理方法を含まない（方法: ", methods, "）",
    )  # fmt: skip
    return either(v["coverage_missing"] != "", short, unfit)


def _c11_3(v: pd.DataFrame) -> pd.Series:
    return line("立会い要否 要 で立会者が空欄（処理日 ", fmt_date(v["on"]), "）")


def _c11_4(v: pd.DataFrame) -> pd.Series:
    kind, day = fmt_text(v["kind"]), fmt_date(v["on"])
    return line("処理区分 ", kind, " で証明書提出日が空欄（処理日 ", day, "）")


def _c12_1(v: pd.DataFrame) -> pd.Series:
    req, days = fmt_date(v["requested_on"]), fmt_int(v["report_after_days"])
    blank = line("報告日が空欄（依頼日 ", req, " から ", days, "日経過）")
    late = line("報告日 ", fmt_date(v["reported_on"]), " が依頼日 ", req, " の ", days, "日後")
    return either(v["reported_on"].isna(), blank, late)


def _c14_1(v: pd.DataFrame) -> pd.Series:
    return line(v["blank_fields"], "が空欄（事故番号 ", fmt_text(v["incident_id"]), "）")


def _c14_2(v: pd.DataFrame) -> pd.Series:
    found = fmt_datetime(v["discovered_at"])
    hours = v["report_hours"].round(1).astype("str").str.removesuffix(".0")
    blank = line("報告日時が空欄（発覚日時 ", found, " から基準日の終わりまで ", hours, "時間）")
    reported = fmt_datetime(v["reported_at"])
    late = line("報告日時 ", reported, " が発覚日時 ", found, " の ", hours, "時間後")
    return either(v["reported_at"].isna(), blank, late)


def _c14_3(v: pd.DataFrame) -> pd.Series:
    occurred, found = fmt_datetime(v["occurred_at"]), fmt_datetime(v["discovered_at"])
    first = line("発生日時 ", occurred, " が発覚日時 ", found, " より後")
    second = line("発覚日時 ", found, " が報告日時 ", fmt_datetime(v["reported_at"]), " より後")
    late_find = (v["occurred_at"] > v["discovered_at"]).fillna(False)
    late_report = (v["discovered_at"] > v["reported_at"]).fillna(False)
    both = line(first, "、", second)
    return either(late_find & late_report, both, either(late_find, first, second))


def _c14_4(v: pd.DataFrame) -> pd.Series:
    sensitive = (v["sensitive"] == "有").fillna(False)
    count = line("件数 ", fmt_int(v["records_affected"]), "件")
    text = either(sensitive, line(count, "、要配慮個人情報 有"), count)
    return line(text, "（個人情報保護委員会への報告対象）")


def _p_1(v: pd.DataFrame) -> pd.Series:
    last, days = fmt_date(v["last_inspected_on"]), fmt_int(v["days_since_inspection"])
    since = line("直近の実地検査 ", last, " から ", days, "日")
    return either(v["last_inspected_on"].isna(), "検査履歴に実地検査の記録なし", since)


def _between(column: str) -> dict:
    return {"column": column, "max_value": 0}


def _in(column: str, *values: object) -> dict:
    return {"column": column, "value_set": list(values)}


BETWEEN = "ExpectColumnValuesToBeBetween"
IN_SET = "ExpectColumnValuesToBeInSet"
NOT_NULL = "ExpectColumnValuesToNotBeNull"

RULES: tuple[Rule, ...] = (
    Rule("C2-1", "第2", "重大", "contract", "contracts", BETWEEN,
         _between("supervisor_gap_days"),
         "契約期間（基準日まで）の毎日に作業責任者が従事していること", _c2_1,
         needs=("staff",)),
    Rule("C3-1", "第3", "軽微", "staff row", "staff", NOT_NULL, {"column": "notified_on"},
         "作業従事者の届出日が記入されていること", _c3_1),
    Rule("C3-2", "第3", "軽微", "staff row", "staff", BETWEEN, _between("notice_delay_days"),
         "届出日が従事開始日以前であること（事前届出）", _c3_2),
    Rule("C3-3", "第3", "重大", "log row", "person_events", IN_SET,
         _in("notified_active", True),
         "入退室・持出・複製の記録上の人物が、その日に従事中の届出済み作業従事者であること",
         _c3_3, needs=("staff",)),
    Rule("C4-1", "第4", "軽微", "staff row", "staff", IN_SET, _in("pledge_in_time", True),
         "誓約書が従事開始日までに提出されていること", _c4_1),
    Rule("C5-1", "第5", "軽微", "staff row", "staff", IN_SET, _in("trained_in_time", True),
         "従事開始日から猶予期間内までに研修を受けていること", _c5_1,
         needs=("training",)),
    Rule("C5-2", "第5", "軽微", "staff row × fiscal year", "staff_years", IN_SET,
         _in("trained_in_year", True),
         "従事した各年度（4月〜3月）に研修を受けていること", _c5_2,
         needs=("training",)),
    Rule("C7.1-1", "第7一", "重大", "ledger row", "ledger", IN_SET,
         _in("storage_method_allowed", True),
         "紙媒体（紙・電子を含む）の保管方法が認められた方法であること", _c7_1_1),
    Rule("C7.2-1", "第7二", "重大", "take-out row", "takeout", IN_SET,
         _in("destination_designated", True),
         "持出先が契約の持出先指定場所であること", _c7_2_1,
         needs=("ledger",)),
    Rule("C7.2-2", "第7二", "観察", "take-out row", "takeout", IN_SET, _in("return_ok", True),
         "持ち出した媒体が期限内に返却され、返却日時が持出日時より前でないこと", _c7_2_2,
         needs=("ledger",)),
    Rule("C7.3-1", "第7三", "重大", "take-out row", "takeout", IN_SET,
         _in("encrypted_yes", True), "電子媒体で持ち出すときは暗号化していること", _c7_3_1,
         needs=("ledger",)),
    Rule("C7.4-1", "第7四", "重大", "copy row", "copies", NOT_NULL,
         {"column": "approval_ref"}, "複製に県の承諾番号があること", _c7_4_1),
    Rule("C7.5-1", "第7五", "軽微", "contract", "contracts", BETWEEN,
         _between("check_gap_excess_days"),
         "媒体・バックアップの点検の間隔が所定の日数を超えないこと", _c7_5_1,
         needs=("media_checks",)),
    Rule("C7.5-2", "第7五", "軽微", "check row", "media_checks", NOT_NULL,
         {"column": "action"}, "点検で異常があったときは措置が記録されていること", _c7_5_2),
    Rule("C7.6-1", "第7六", "軽微", "ledger row", "ledger", BETWEEN,
         _between("blank_field_count"),
         "管理台帳の名称・件数・媒体・保管場所・利用者・受領日・状態が記入されていること",
         _c7_6_1),
    Rule("C7.6-2", "第7六", "重大", "ledger row", "ledger", BETWEEN,
         _between("unnotified_user_count"),
         "管理台帳の利用者がその契約の届出済み作業従事者であること", _c7_6_2,
         needs=("staff",)),
    Rule("C7.6-3", "第7六", "重大", "log row", "ledger_refs", IN_SET,
         _in("ledger_known", True), "記録の台帳番号が管理台帳にあること", _c7_6_3,
         needs=("ledger",)),
    Rule("C7.7-1", "第7七", "重大", "device row", "devices", IN_SET,
         _in("ownership", "会社貸与"), "業務に私物端末を使っていないこと", _c7_7_1),
    Rule("C7.8-1", "第7八", "軽微", "device row", "devices", BETWEEN,
         _between("unallowed_software_count"),
         "端末に許可されたソフトウェアだけがインストールされていること", _c7_8_1),
    Rule("C8.2-1", "第8", "軽微", "handover row", "handovers", IN_SET,
         _in("means_designated", True), "受渡方法が契約の受渡方法指定によること", _c8_2_1),
    Rule("C8.2-2", "第8", "軽微", "handover row", "handovers", BETWEEN,
         _between("receipt_excess_days"),
         "甲から乙への受渡しの預り証が所定の日数内に提出されていること", _c8_2_2),
    Rule("C9-1", "第9", "重大", "subcontract row", "subcontracts", IN_SET,
         _in("approved_in_time", True), "再委託が開始日までに承認されていること", _c9_1),
    Rule("C9-2", "第9", "軽微", "subcontract row", "subcontracts", BETWEEN,
         _between("blank_field_count"),
         "再委託の理由・内容・取扱個人情報・安全対策・監督方法・申請日が記入されていること",
         _c9_2),
    Rule("C11-1", "第11", "重大", "ledger row", "ledger", IN_SET,
         _in("disposal_recorded", True),
         "期限を過ぎた個人情報が返還・廃棄・消去され、その記録があること", _c11_1,
         needs_if_sent=("disposals",)),
    Rule("C11-2", "第11", "重大", "disposal row", "disposals", IN_SET,
         _in("method_fits", True), "返還・廃棄・消去の方法が台帳の媒体に適すること", _c11_2,
         needs=("ledger",)),
    Rule("C11-3", "第11", "軽微", "disposal row", "disposals", IN_SET,
         _in("witness_given", True), "立会いを求められた処理に立会者が記録されていること",
         _c11_3),
    Rule("C11-4", "第11", "軽微", "disposal row", "disposals", NOT_NULL,
         {"column": "certificate_on"}, "廃棄・消去の証明書が提出されていること", _c11_4),
    Rule("C12-1", "第12", "軽微", "request row", "inspection_requests", BETWEEN,
         _between("report_excess_days"), "点検依頼に所定の日数内に報告していること", _c12_1),
    Rule("C14-1", "第14", "軽微", "incident row", "incidents", BETWEEN,
         _between("blank_field_count"),
         "事故報告の内容・件数・発生場所・発生状況・報告日時が記入されていること", _c14_1),
    Rule("C14-2", "第14", "重大", "incident row", "incidents", BETWEEN,
         _between("report_excess_hours"), "事故の発覚から所定の時間内に報告していること",
         _c14_2),
    Rule("C14-3", "第14", "観察", "incident row", "incidents", IN_SET,
         _in("times_in_order", True), "発生・発覚・報告の日時の順序が正しいこと", _c14_3),
    Rule("C14-4", "第14", "観察", "incident row", "incidents", IN_SET,
         _in("ppc_reportable", False),
         "個人情報保護委員会への報告対象（件数が基準超または要配慮個人情報）でないこと", _c14_4),
    Rule("P-1", "第13", "観察", "contract", "contracts", IN_SET,
         _in("inspected_within_year", True),
         "実施中の契約に過去365日以内の実地検査があること", _p_1,
         needs=("inspections",)),
)  # fmt: skip
"""Every rule of RULES.md, in its order."""

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
"""Rule id → rule."""

#: The forms (keys) whose rows are the units of each check view: a rule all of whose unit
#: forms are unavailable for a contractor has nothing to judge there.
VIEW_FORMS: dict[str, tuple[str, ...]] = {
    "contracts": ("contracts",),
    "staff": ("staff",),
    "staff_years": ("staff",),
    "person_events": ("access", "takeout", "copies"),
    "ledger": ("ledger",),
    "takeout": ("takeout",),
    "copies": ("copies",),
    "media_checks": ("media_checks",),
    "ledger_refs": ("takeout", "copies", "handovers", "disposals"),
    "devices": ("devices",),
    "handovers": ("handovers",),
    "subcontracts": ("subcontracts",),
    "disposals": ("disposals",),
    "inspection_requests": ("inspection_requests",),
    "incidents": ("incidents",),
}
