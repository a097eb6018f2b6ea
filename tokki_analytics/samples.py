"""Synthetic sample prefecture: a complete data folder with planted failures and its answer key.

:func:`generate` writes a data folder laid out as FORMS.md describes (委託契約一覧.xlsx,
検査履歴.xlsx, settings.toml and one folder per contractor) and, beside it, the answer key: every
finding a correct implementation of RULES.md must report, identified exactly as ``findings.csv``
identifies it, and a manifest of the records written.

How the data is built
---------------------
Each contractor follows one of seven :data:`PROFILES` (contractor *i* gets profile ``i % 7``;
with eight or more contractors the last one is a folder whose code has no contract). A profile
fixes the folder's layout (one workbook with every form, one workbook per form, CSV files,
title rows, 和暦 dates, aliases, encodings …) and the shapes of the contractor's contracts.
The baseline is clean under every rule with the :class:`~tokki_analytics.settings.Settings`
defaults and :data:`AS_OF`: staff are notified before they start, trained in every fiscal
year, logs only name active notified workers, and so on. Then the plants (:data:`PLANTERS`)
break exactly one thing each and record the failing unit in the key. Plants add their own
records (or reshape a record of their own) so that they never cascade into other rules.
:data:`PLANT_TABLE` lists every planted failure by profile, :data:`PASS_TABLE` the boundary
cases that must pass.

Only the standard library, numpy, pandas and openpyxl are used; the large access logs are
built and formatted with numpy and pandas, vectorised.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from tokki_analytics.errors import ParameterError
from tokki_analytics.export import check_out, staged_folder
from tokki_analytics.forms import (
    ACCESS,
    CONTRACTS,
    COPIES,
    DEVICES,
    DISPOSALS,
    EMPLOYMENT,
    HANDOVERS,
    INCIDENTS,
    INSPECTION_REQUESTS,
    INSPECTIONS,
    LEDGER,
    MEDIA_CHECKS,
    STAFF,
    SUBCONTRACTS,
    SUBMISSION_FORMS,
    TAKEOUT,
    TRAINING,
    Column,
    Form,
    Kind,
    Need,
    nfkc,
)
from tokki_analytics.settings import Settings
from tokki_analytics.values import format_date

#: The audit reference date written to settings.toml: results are reproducible.
AS_OF = dt.date(2026, 1, 31)
#: First day of the access logs (fiscal year 令和7 = 2025).
LOG_START = dt.date(2025, 4, 1)
#: The identifying columns of findings.csv (RULES.md, output contract), in order.
KEY_COLUMNS = ("rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row")
#: Written to settings.toml so that C7.8-1 is assessed.
ALLOWED_SOFTWARE = (
    "Microsoft Office",
    "Microsoft Edge",
    "Microsoft Defender",
    "Adobe Acrobat Reader",
    "7-Zip",
    "業務システム端末ソフト",
)
#: Access-log rows per contractor when ``access_rows`` is not given.
DEFAULT_ACCESS_ROWS = 1500
#: An access log longer than this is written as CSV even where the profile keeps it in a sheet.
ACCESS_SHEET_MAX = 3_000

_DEFAULTS = Settings(as_of=AS_OF)
_FAR = dt.date(2099, 12, 31)
_DAY = dt.timedelta(days=1)

_D = dt.date.fromisoformat


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text`` (keeps long vocabularies compact)."""
    return tuple(text.split())


# --- calendar -------------------------------------------------------------------------------


def _year_end_days() -> list[dt.date]:
    days = []
    for year in range(2022, 2027):
        days += [dt.date(year, 12, d) for d in (29, 30, 31)]
        days += [dt.date(year + 1, 1, d) for d in (1, 2, 3)]
    return days


_HOLIDAYS_2025 = _words(
    "2025-04-29 2025-05-05 2025-05-06 2025-07-21 2025-08-11 2025-09-15 2025-09-23 "
    "2025-10-13 2025-11-03 2025-11-24 2026-01-12"
)
_CAL = np.busdaycalendar(
    holidays=np.array(
        sorted({*_year_end_days(), *map(dt.date.fromisoformat, _HOLIDAYS_2025)}),
        dtype="datetime64[D]",
    )
)


def _workday(day: dt.date) -> dt.date:
    """The first work day on or after ``day``."""
    return np.busday_offset(np.datetime64(day, "D"), 0, roll="forward", busdaycal=_CAL).item()


def _workdays(lo: dt.date, hi: dt.date) -> np.ndarray:
    """Work days from ``lo`` to ``hi`` inclusive, as datetime64[D]."""
    if hi < lo:
        return np.array([], dtype="datetime64[D]")
    days = np.arange(np.datetime64(lo, "D"), np.datetime64(hi, "D") + 1)
    return days[np.is_busday(days, busdaycal=_CAL)]


def fiscal_year(day: dt.date) -> int:
    """The fiscal year (April–March) holding ``day``, named by its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def _fy_bounds(fy: int) -> tuple[dt.date, dt.date]:
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute)


# --- vocabulary -----------------------------------------------------------------------------

SURNAMES = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 "
    "斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 "
    "村上 遠藤 青木 坂本 藤原 三宅 難波 小野 守屋 赤木 片山 岡本 原田 河野 大森 平松 妹尾 矢吹"
)
GIVEN_NAMES = _words(
    "太郎 花子 健太 美咲 翔太 陽菜 大輔 由美 誠 直子 拓也 彩 和也 恵 浩二 真由美 隆 裕子 修 "
    "智子 大樹 結衣 亮 奈々 悠斗 さくら 健一 明美 剛 千尋 蓮 葵 悟 舞 康平 理恵 聡 香織 涼 沙織"
)
PLACES = _words("岡山 吉備 倉敷 備前 津山 玉野 笠岡 総社 高梁 新見 備中 美作 瀬戸内 蒜山 児島 旭川")
TRADES = _words(
    "データ システム 情報サービス ソリューションズ 電算 コンピュータサービス ビジネスサポート "
    "計算センター 事務センター 情報技術"
)
CORPORATE = ("株式会社{}", "{}株式会社", "有限会社{}", "株式会社{}", "{}株式会社")

#: (担当課, 業務名, datasets the work handles)
BUSINESSES = (
    ("県民生活課", "県民意識調査集計業務", ("県民意識調査回答票", "調査対象者名簿")),
    ("健康推進課", "特定健康診査データ入力業務", ("健診結果データ", "受診者名簿")),
    ("税務課", "自動車税納税通知書作成・封入封緘業務", ("納税義務者データ", "納税通知書（控）")),
    ("子ども未来課", "児童手当システム運用保守業務", ("児童手当受給者情報", "現況届")),
    ("障害福祉課", "障害者手帳交付事務補助業務", ("手帳交付申請書", "交付台帳データ")),
    ("長寿社会課", "介護保険事業者指導記録整理業務", ("指導記録", "事業者連絡先一覧")),
    ("情報政策課", "電子申請システム運用保守業務", ("電子申請データ", "利用者アカウント情報")),
    ("産業企画課", "中小企業補助金申請受付事務センター運営業務", ("補助金申請書", "申請者名簿")),
    ("医療推進課", "感染症相談センター運営業務", ("相談記録", "相談者連絡先")),
    ("人事課", "職員健康管理システム保守業務", ("職員健康診断データ", "面談記録")),
    ("教育委員会 教育政策課", "奨学金返還管理事務委託業務", ("奨学生名簿", "返還状況データ")),
    ("環境企画課", "環境学習講座受講者管理業務", ("受講申込書", "受講者名簿")),
)
GENERIC_DATASETS = ("問合せ対応記録", "作業用抽出データ", "発送先リスト", "入力原票")
DISTRICT_OFFICES = ("岡山県 備前県民局", "岡山県 備中県民局", "岡山県 美作県民局")
HANDOVER_MEANS = ("手渡し", "庁内便", "暗号化メール", "セキュアファイル転送", "書留郵便")
SUBCONTRACTORS = (
    "株式会社備前印刷",
    "有限会社倉敷封入サービス",
    "株式会社吉備コールサポート",
    "瀬戸内データエントリー株式会社",
)
#: Baseline incidents: (内容, 発生状況).
INCIDENT_KINDS = (
    (
        "通知書の誤送付（宛名の取り違え）",
        "封入作業時の照合漏れ。受領者からの連絡で判明し、回収済み。",
    ),
    ("電子メールの誤送信", "宛先の入力補完による誤り。送信後の確認で判明し、削除を依頼。"),
    ("申請書類の一時所在不明", "作業室内で別の書類に紛れていた。翌日発見し、外部流出なし。"),
    ("FAXの誤送信", "短縮ダイヤルの押し間違い。受信者に連絡し、廃棄を確認。"),
)
ELECTRONIC_TAKEOUT = ("USBメモリ", "ノートPC", "電子メール", "外付けHDD", "CD・DVD")
ROOMS = ("作業室A", "作業室B", "サーバ室")
ANNUAL_TOPIC = "個人情報保護研修（年次）"
FIRST_TOPIC = "新任者研修（個人情報の取扱い）"
TOPUP_TOPIC = "情報セキュリティ研修（個別受講）"

_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


class Raw(str):
    """A cell written literally that a reader cannot read (a planted Q2 value)."""


# --- profiles -------------------------------------------------------------------------------

#: Contract shapes: (start, end). As-of 2026-01-31 lies in fiscal year 2025.
SHAPES: dict[str, tuple[dt.date, dt.date]] = {
    "current": (_D("2025-04-01"), _D("2026-03-31")),
    "multi": (_D("2023-04-01"), _D("2026-03-31")),
    "ended_fy24": (_D("2024-04-01"), _D("2025-03-31")),
    "ended_mid": (_D("2025-04-01"), _D("2025-09-30")),
    "late": (_D("2025-07-01"), _D("2026-03-31")),
    "long": (_D("2024-10-01"), _D("2027-09-30")),
}


@dataclass(frozen=True)
class ContractSpec:
    """One contract of a profile.

    Attributes:
        shape: A key of :data:`SHAPES`.
        electronic: 電子データ取扱 (有/無).
        places: Whether the contract designates take-out places.
        means: Whether it designates handover means.
        excluded: 適用除外条項.
        sensitive: 要配慮個人情報.
    """

    shape: str
    electronic: str = "有"
    places: bool = True
    means: bool = True
    excluded: tuple[str, ...] = ()
    sensitive: str = "無"


@dataclass(frozen=True)
class Profile:
    """How one contractor's folder looks and which contracts it holds.

    Attributes:
        label: A short description, for the manifest.
        contracts: The contracts.
        workbook: ``single`` (one workbook, every form a sheet, plus a memo sheet),
            ``sheet1`` (one workbook per form, sheet ``Sheet1``), ``named`` (one workbook per
            form, sheet named after it) or ``grouped`` (a few workbooks of named sheets).
        date_style: A :data:`~tokki_analytics.values.DATE_STYLES` name, or ``excel`` for
            real date cells.
        alt_date_style: A second style used for about one cell in five.
        title: 0 no title; 1 a title row; 2 title and blank row; 3 blank, title, blank.
        blank_every: A blank row after every n-th record (0: none).
        shuffle: Columns in a different order.
        aliases: Alias headers (職員番号) and the alias form name 作業責任者等届出.
        extra: An extra column 備考.
        csv_forms: Form keys written as UTF-8 (BOM) CSV files.
        access: How the access log is written: ``sheet``, ``cp932_monthly``,
            ``utf8bom_monthly``, ``utf8_monthly`` or ``utf8_single``.
        access_format: strftime format of the access log's 日時.
        access_title: A title line above the access CSV header.
        split_takeout: 持出記録 as two sheets 持出記録_上期 and 持出記録_下期.
        list_sep: Separator of list cells.
        yes_mark: The mark written for 暗号化 yes.
        fullwidth_ids: Ids written in full-width characters.
        fullwidth_folder: The folder name's code written in full-width characters.
        name_space: The space between surname and given name.
        training_contract: 研修記録 carries the optional 契約番号 column.
        copies, handovers, subcontracts, requests, incidents: Which optional forms the
            contractor keeps.
        readme: A README.txt in the folder (not a form).
    """

    label: str
    contracts: tuple[ContractSpec, ...]
    workbook: str = "named"
    date_style: str = "excel"
    alt_date_style: str | None = None
    title: int = 0
    blank_every: int = 0
    shuffle: bool = False
    aliases: bool = False
    extra: bool = False
    csv_forms: tuple[str, ...] = ()
    access: str = "utf8bom_monthly"
    access_format: str = "%Y/%m/%d %H:%M"
    access_title: bool = False
    split_takeout: bool = False
    list_sep: str = "、"
    yes_mark: str = "済"
    fullwidth_ids: bool = False
    fullwidth_folder: bool = False
    name_space: str = " "
    training_contract: bool = True
    copies: bool = False
    handovers: bool = False
    subcontracts: bool = False
    requests: bool = False
    incidents: bool = False
    readme: bool = False


PROFILES: tuple[Profile, ...] = (
    Profile(
        label="P0 one workbook with every form (and a memo sheet); Excel date cells",
        contracts=(ContractSpec("current"), ContractSpec("multi", sensitive="有")),
        workbook="single",
        title=1,
        access="sheet",
        copies=True,
        incidents=True,
        readme=True,
    ),
    Profile(
        label="P1 one workbook per form (Sheet1), title and blank rows, 和暦; CP932 logs",
        contracts=(ContractSpec("current"), ContractSpec("ended_fy24")),
        workbook="sheet1",
        date_style="wareki",
        alt_date_style="wareki_dot",
        title=2,
        blank_every=5,
        access="cp932_monthly",
        access_title=True,
        list_sep=";",
        yes_mark="○",
        training_contract=False,
        requests=True,
        incidents=True,
    ),
    Profile(
        label="P2 named sheets, alias header and form name, shuffled columns, 備考, split take-out",
        contracts=(ContractSpec("current"), ContractSpec("ended_mid", means=False)),
        date_style="slash",
        alt_date_style="fullwidth_slash",
        shuffle=True,
        aliases=True,
        extra=True,
        access="utf8bom_monthly",
        access_format="%Y-%m-%d %H:%M:%S",
        split_takeout=True,
        list_sep="；",
        yes_mark="〇",
        copies=True,
        handovers=True,
        subcontracts=True,
        requests=True,
    ),
    Profile(
        label="P3 CSV forms (UTF-8 BOM, a line break in a cell), one UTF-8 access log, README",
        contracts=(
            ContractSpec("long"),
            ContractSpec("current", electronic="無", places=False, means=False),
        ),
        date_style="kanji",
        extra=True,
        csv_forms=("staff", "training", "handovers", "copies", "incidents", "inspection_requests"),
        access="utf8_single",
        access_format="%Y/%-m/%-d %-H:%M",
        list_sep=",",
        yes_mark="有",
        copies=True,
        handovers=True,
        subcontracts=True,
        requests=True,
        incidents=True,
        readme=True,
    ),
    Profile(
        label="P4 no 端末一覧 (Q1), an excluded 第7七・第7八 contract, a UTF-16 CSV (Q0)",
        contracts=(
            ContractSpec("current"),
            ContractSpec("late", electronic="無", excluded=("第7七", "第7八")),
            ContractSpec("ended_fy24"),
        ),
        access="utf8_monthly",
        access_format="%Y-%m-%d %-H:%M",
        yes_mark="はい",
        incidents=True,
    ),
    Profile(
        label="P5 full-width folder code and ids, 全角和暦; a contract excluding 第9・第7七",
        contracts=(ContractSpec("current"), ContractSpec("multi", excluded=("第9", "第7七"))),
        date_style="fullwidth_wareki",
        access="cp932_monthly",
        access_format="%Y/%m/%d %H:%M:%S",
        fullwidth_ids=True,
        fullwidth_folder=True,
        name_space="\u3000",
        subcontracts=True,
        requests=True,
    ),
    Profile(
        label="P6 grouped workbooks, R7.4.1 dates, line-break lists; media checks lack 結果",
        contracts=(ContractSpec("current"), ContractSpec("multi")),
        workbook="grouped",
        date_style="wareki_dot",
        alt_date_style="excel",
        title=3,
        blank_every=7,
        access="utf8bom_monthly",
        list_sep="\n",
        yes_mark="○",
        name_space="\u3000",
        copies=True,
        subcontracts=True,
        incidents=True,
    ),
)

#: Workbooks of the ``grouped`` layout: file name → form keys.
GROUPS = {
    "体制・研修.xlsx": ("staff", "training"),
    "台帳・持出・複製.xlsx": ("ledger", "takeout", "copies", "disposals", "handovers"),
    "点検・端末.xlsx": ("media_checks", "devices", "inspection_requests"),
    "再委託・事故.xlsx": ("subcontracts", "incidents"),
}

# --- the model ------------------------------------------------------------------------------


@dataclass
class Person:
    """A worker of a contractor.

    Attributes:
        pid: 従事者ID.
        name: 氏名 (姓 名).
        employment: 雇用形態.
        quiet: Never in a log and never a ledger user (plants that must not cascade).
        first_delay: Days from the first 従事開始日 to the first training (default random 0–20).
        skip_fy: Fiscal years with no training at all.
        no_fill_fy: Fiscal years not topped up with an individual training.
    """

    pid: str
    name: str
    employment: str
    quiet: bool = False
    first_delay: int | None = None
    skip_fy: frozenset[int] = frozenset()
    no_fill_fy: frozenset[int] = frozenset()


@dataclass
class Contractor:
    """Everything generated for one contractor folder."""

    index: int
    code: str
    name: str
    folder: str
    profile: Profile
    known: bool
    rng: np.random.Generator
    contracts: list[dict] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    records: dict[str, list[dict]] = field(default_factory=dict)
    access: pd.DataFrame | None = None
    access_extra: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    extra_files: dict[str, bytes] = field(default_factory=dict)
    drop_columns: dict[str, set[str]] = field(default_factory=dict)
    omit: set[str] = field(default_factory=set)
    active: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)
    annual: dict[int, dt.date] = field(default_factory=dict)
    state: dict[str, object] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    def rows(self, form: Form) -> list[dict]:
        """The records of ``form`` (created empty on first use)."""
        return self.records.setdefault(form.key, [])


def _rint(rng: np.random.Generator, lo: int, hi: int) -> int:
    """A random integer from ``lo`` to ``hi`` inclusive."""
    return int(rng.integers(lo, hi + 1))


def _pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def _rand_workday(rng: np.random.Generator, lo: dt.date, hi: dt.date) -> dt.date | None:
    days = _workdays(lo, hi)
    return days[int(rng.integers(len(days)))].item() if len(days) else None


def _mark(record: dict, rule_id: str, contractor_id: str, contract_id: str = "") -> dict:
    """Record that ``record`` fails ``rule_id`` (resolved to its row once written)."""
    record.setdefault("_keys", []).append((rule_id, contractor_id, contract_id))
    return record


def _contract_finding(c: Contractor, rule_id: str, contract: dict, form: str = "") -> None:
    c.findings.append(
        {
            "rule_id": rule_id,
            "contractor_id": c.code,
            "contract_id": contract["contract_id"],
            "form": form,
        }
    )


# --- contracts and staff --------------------------------------------------------------------


def _company_name(rng: np.random.Generator) -> str:
    return _pick(rng, CORPORATE).format(_pick(rng, PLACES) + _pick(rng, TRADES))


def _make_contract(c: Contractor, spec: ContractSpec, serial: int, business: int) -> dict:
    start, end = SHAPES[spec.shape]
    department, title, datasets = BUSINESSES[business]
    fy = fiscal_year(start)
    if department.startswith("教育委員会"):
        contract_id = f"K{fy}-{serial:03d}"
    else:
        contract_id = f"R{fy - 2018}-{serial:04d}"
    places = [f"岡山県庁 {department}", _pick(c.rng, DISTRICT_OFFICES)] if spec.places else []
    means = []
    if spec.means:
        means = sorted(c.rng.choice(HANDOVER_MEANS, size=2, replace=False).tolist())
    return {
        "contract_id": contract_id,
        "contractor_id": c.code,
        "contractor_name": c.name,
        "department": department,
        "title": title,
        "start_date": start,
        "end_date": end,
        "record_volume": _rint(c.rng, 3, 400) * 100,
        "sensitive": spec.sensitive,
        "handles_electronic": spec.electronic,
        "designated_places": places,
        "designated_handover_means": means,
        "excluded_clauses": list(spec.excluded),
        "_spec": spec,
        "_datasets": datasets,
        "_inspect_skip": set(),
    }


def _limit(contract: dict) -> dt.date:
    """The last day of the contract period that can hold events (as-of at the latest)."""
    return min(contract["end_date"], AS_OF)


def _ended(contract: dict) -> bool:
    return contract["end_date"] < AS_OF


def _new_person(c: Contractor, employment: str | None = None, **flags) -> Person:
    while True:
        pid = f"{c.state['pid_prefix']}{_rint(c.rng, 1000, 9899)}"
        name = _pick(c.rng, SURNAMES) + c.profile.name_space + _pick(c.rng, GIVEN_NAMES)
        if pid not in c.persons and name not in c.state["names"]:
            break
    if employment is None:
        cycle = c.state["employment_cycle"]
        employment = cycle.pop() if cycle else _pick(c.rng, EMPLOYMENT[:4])
    person = Person(pid, name, employment, **flags)
    c.persons[pid] = person
    c.state["names"].add(name)
    return person


def _add_staff(
    c: Contractor,
    contract: dict,
    person: Person,
    role: str,
    start: dt.date,
    end: dt.date | None = None,
    *,
    notified: dt.date | None | str = "auto",
    pledge: dt.date | None | str = "auto",
) -> dict:
    """Add a roster row; ``auto`` dates fall 0–14 days before the start (clean)."""
    if notified == "auto":
        notified = start - dt.timedelta(days=_rint(c.rng, 0, 14))
    if pledge == "auto":
        pledge = (notified or start) - dt.timedelta(days=_rint(c.rng, 0, 3))
    record = {
        "contract_id": contract["contract_id"],
        "person_id": person.pid,
        "name": person.name,
        "role": role,
        "employment": person.employment,
        "work_place": c.state["work_place"],
        "start_date": start,
        "end_date": end,
        "notified_on": notified,
        "pledge_on": pledge,
    }
    c.rows(STAFF).append(record)
    return record


def _new_worker(
    c: Contractor,
    contract: dict,
    start: dt.date,
    end: dt.date | None = None,
    *,
    employment: str | None = None,
    role: str = "作業従事者",
    notified: dt.date | None | str = "auto",
    pledge: dt.date | None | str = "auto",
    **flags,
) -> tuple[Person, dict]:
    person = _new_person(c, employment, **flags)
    record = _add_staff(c, contract, person, role, start, end, notified=notified, pledge=pledge)
    return person, record


def _default_end(contract: dict) -> dt.date | None:
    return contract["end_date"] if _ended(contract) else None


def _supervisors(c: Contractor, contract: dict) -> list[dict]:
    rows = [
        r
        for r in c.rows(STAFF)
        if r["contract_id"] == contract["contract_id"] and r["role"] == "作業責任者"
    ]
    return sorted(rows, key=lambda r: r["start_date"])


def _baseline_staff(c: Contractor, contract: dict) -> None:
    start, end = contract["start_date"], _default_end(contract)
    limit = _limit(contract)
    if (limit - start).days > 400:
        # a change of supervisor, day after day (C2-1 passes)
        handover = dt.date(start.year + 1, 9, 30)
        _new_worker(c, contract, start, handover, employment="正社員", role="作業責任者")
        _new_worker(c, contract, handover + _DAY, end, employment="正社員", role="作業責任者")
    else:
        _new_worker(c, contract, start, end, employment="正社員", role="作業責任者")
    for _ in range(_rint(c.rng, 3, 6)):
        w_start = start
        if c.rng.random() < 0.4 and (limit - start).days > 120:
            w_start = _rand_workday(c.rng, start + dt.timedelta(days=14), limit - dt.timedelta(75))
        w_end = end
        leave_lo, leave_hi = w_start + dt.timedelta(days=90), limit - dt.timedelta(days=30)
        if c.rng.random() < 0.2 and (leave_hi - leave_lo).days > 7:
            w_end = _rand_workday(c.rng, leave_lo, leave_hi)
        _new_worker(c, contract, w_start, w_end)


def _shared_worker(c: Contractor) -> None:
    """One person works on the first two contracts (兼務)."""
    if len(c.contracts) < 2:
        return
    person = _new_person(c, "正社員")
    for contract in c.contracts[:2]:
        _add_staff(
            c, contract, person, "作業従事者", contract["start_date"], _default_end(contract)
        )


def _known_rows(c: Contractor) -> list[dict]:
    return [r for r in c.rows(STAFF) if not r.get("_q3")]


def _active_intervals(c: Contractor) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """Per person: the spans in which they are an active notified worker, up to as-of."""
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for row in _known_rows(c):
        notified = row["notified_on"]
        if not isinstance(notified, dt.date) or c.persons[row["person_id"]].quiet:
            continue
        lo = max(row["start_date"], notified)
        hi = min(row["end_date"] or _FAR, AS_OF)
        if lo <= hi:
            spans.setdefault(row["person_id"], []).append((lo, hi))
    return spans


def _pick_active(
    c: Contractor, pids: Iterable[str], lo: dt.date, hi: dt.date
) -> tuple[str, dt.date] | None:
    """A person of ``pids`` and a work day in ``lo..hi`` on which they are active and notified."""
    order = list(dict.fromkeys(pids))
    c.rng.shuffle(order)
    for pid in order:
        days = [
            d for a, b in c.active.get(pid, ()) for d in _workdays(max(a, lo), min(b, hi)).tolist()
        ]
        if days:
            return pid, days[int(c.rng.integers(len(days)))]
    return None


def _active_on(rows: list[dict], day: dt.date) -> bool:
    return any(r["start_date"] <= day <= (r["end_date"] or _FAR) for r in rows)


# --- training -------------------------------------------------------------------------------


def _trainings(c: Contractor) -> None:
    """Training rows: a first training within 20 days of starting, then one every fiscal year."""
    by_person: dict[str, list[dict]] = {}
    for row in _known_rows(c):
        by_person.setdefault(row["person_id"], []).append(row)
    records = []
    for pid, rows in by_person.items():
        held = _person_trainings(c, c.persons[pid], rows)
        contract_id = rows[0]["contract_id"]
        for day, topic in sorted(held.items()):
            records.append(
                {"held_on": day, "person_id": pid, "topic": topic, "contract_id": contract_id}
            )
    records.sort(key=lambda r: (r["held_on"], r["person_id"]))
    c.rows(TRAINING).extend(records)


def _person_trainings(c: Contractor, person: Person, rows: list[dict]) -> dict[dt.date, str]:
    first_start = min(r["start_date"] for r in rows)
    delay = person.first_delay if person.first_delay is not None else _rint(c.rng, 0, 20)
    held = {_workday(first_start + dt.timedelta(days=delay)): FIRST_TOPIC}
    years = range(fiscal_year(first_start), fiscal_year(AS_OF) + 1)
    for fy in years:
        annual = c.annual[fy]
        if fy not in person.skip_fy and annual <= AS_OF and _active_on(rows, annual):
            held.setdefault(annual, ANNUAL_TOPIC)
    for fy in years:
        if fy in person.skip_fy or fy in person.no_fill_fy:
            continue
        fy_lo, fy_hi = _fy_bounds(fy)
        if any(fy_lo <= d <= fy_hi for d in held):
            continue
        for r in sorted(rows, key=lambda r: r["start_date"]):
            lo, hi = max(r["start_date"], fy_lo), min(r["end_date"] or _FAR, fy_hi, AS_OF)
            day = _rand_workday(c.rng, lo, hi) if lo <= hi else None
            if day is not None:
                held[day] = TOPUP_TOPIC
                break
    return held


# --- ledger and disposals -------------------------------------------------------------------


def _ledger_users(c: Contractor, contract: dict, k: int = 3) -> list[str]:
    """Notified, non-quiet workers of ``contract``; the first supervisor first."""
    pids = [
        r["person_id"]
        for r in _known_rows(c)
        if r["contract_id"] == contract["contract_id"]
        and isinstance(r["notified_on"], dt.date)
        and not c.persons[r["person_id"]].quiet
    ]
    pids = list(dict.fromkeys(pids))
    rest = pids[1:]
    c.rng.shuffle(rest)
    return pids[:1] + rest[: max(0, k - 1)]


def _add_dataset(
    c: Contractor,
    contract: dict,
    name: str,
    medium: str,
    *,
    received: dt.date | None | str = "auto",
    due: dt.date | None | str = "auto",
    dispose_on: dt.date | None | str = "auto",
    plan: list[tuple[str, str]] | None = None,
    storage_method: str | None = "auto",
) -> tuple[dict, list[dict]]:
    """Add a ledger row (and its disposal records when it is disposed of). Clean by default.

    ``dispose_on="auto"`` disposes of the datasets of ended contracts 3–20 days after the end.
    """
    c.state["ledger_seq"] += 1
    if received == "auto":
        received = _workday(contract["start_date"] + dt.timedelta(days=_rint(c.rng, 0, 20)))
    if due == "auto":
        due = contract["end_date"] + dt.timedelta(days=_DEFAULTS.disposal_days)
        due = due if c.rng.random() < 0.6 else None
    if storage_method == "auto":
        if medium == "電子":
            storage_method = "暗号化ファイルサーバ（アクセス権限管理）"
        else:
            storage_method = _pick(c.rng, _DEFAULTS.storage_methods)
    room = c.state["room"]
    ledger = {
        "ledger_id": f"L{c.state['ledger_seq']:03d}",
        "contract_id": contract["contract_id"],
        "dataset": name,
        "records": _rint(c.rng, 1, 120) * 50,
        "medium": medium,
        "storage_place": f"{room} サーバ" if medium == "電子" else f"{room} 書庫",
        "storage_method": storage_method,
        "users": _ledger_users(c, contract),
        "received_on": received,
        "due_on": due,
        "status": "保管中",
    }
    c.rows(LEDGER).append(ledger)
    if dispose_on == "auto":
        dispose_on = None
        if _ended(contract):
            dispose_on = contract["end_date"] + dt.timedelta(days=_rint(c.rng, 3, 20))
    disposals = _dispose(c, ledger, dispose_on, plan) if dispose_on else []
    return ledger, disposals


def _disposal_plan(c: Contractor, medium: str) -> list[tuple[str, str]]:
    if medium == "紙":
        return [_pick(c.rng, (("廃棄", "裁断"), ("廃棄", "溶解"), ("返還", "返還")))]
    if medium == "電子":
        return [_pick(c.rng, (("消去", "消去ソフト"), ("廃棄", "物理破壊"), ("返還", "返還")))]
    return [("廃棄", "裁断"), ("消去", "消去ソフト")]


def _dispose(
    c: Contractor, ledger: dict, on: dt.date, plan: list[tuple[str, str]] | None
) -> list[dict]:
    """Clean disposal records for ``ledger`` (methods fit its medium), status set."""
    plan = plan or _disposal_plan(c, ledger["medium"])
    records = []
    day = on
    for kind, method in plan:
        witness_requested = "要" if c.rng.random() < 0.3 else "不要"
        record = {
            "ledger_id": ledger["ledger_id"],
            "contract_id": ledger["contract_id"],
            "kind": kind,
            "on": day,
            "method": method,
            "witness_requested": witness_requested,
            "witness": _prefecture_person(c) if witness_requested == "要" else None,
            "certificate_on": None if kind == "返還" else day + dt.timedelta(_rint(c.rng, 1, 7)),
        }
        c.rows(DISPOSALS).append(record)
        records.append(record)
        day += dt.timedelta(days=_rint(c.rng, 1, 5))
    ledger["status"] = {"返還": "返還済", "廃棄": "廃棄済", "消去": "消去済"}[plan[0][0]]
    return records


def _prefecture_person(c: Contractor) -> str:
    return _pick(c.rng, SURNAMES) + c.profile.name_space + _pick(c.rng, GIVEN_NAMES)


def _baseline_ledger(c: Contractor, contract: dict) -> None:
    names = list(contract["_datasets"]) + [_pick(c.rng, GENERIC_DATASETS)]
    paper_only = contract["handles_electronic"] == "無"
    # an electronic contract holds paper (or mixed) and electronic data
    media = [_pick(c.rng, ("紙", "紙・電子")), "電子", _pick(c.rng, ("紙", "電子", "紙・電子"))]
    for name, medium in zip(names[: _rint(c.rng, 2, 3)], media, strict=False):
        _add_dataset(c, contract, name, "紙" if paper_only else medium)
    if contract["start_date"] < _D("2024-01-01") and not _ended(contract):
        # last-but-one year's data, disposed of within the contract (C11-1 assessed, passes)
        medium = "紙" if paper_only else "紙・電子"
        _add_dataset(
            c,
            contract,
            f"令和5年度{contract['_datasets'][0]}",
            medium,
            received=_D("2023-04-17"),
            due=_D("2024-05-31"),
            dispose_on=_D("2024-05-13"),
        )


def _live_datasets(c: Contractor, contract: dict, medium: str | None = None) -> list[dict]:
    """Datasets of ``contract`` still held; ``medium`` ``paper``/``electronic`` filters."""
    out = []
    for row in c.rows(LEDGER):
        if row["contract_id"] != contract["contract_id"] or row["status"] != "保管中":
            continue
        if medium == "paper" and row["medium"] == "電子":
            continue
        if medium == "electronic" and row["medium"] == "紙":
            continue
        out.append(row)
    return out


def _disposed_on(c: Contractor, ledger: dict) -> dt.date:
    days = [r["on"] for r in c.rows(DISPOSALS) if r["ledger_id"] == ledger["ledger_id"]]
    return min(days) if days else _FAR


# --- logs -----------------------------------------------------------------------------------


def _supervisor_name(c: Contractor, contract: dict) -> str:
    return _supervisors(c, contract)[-1]["name"]


def _takeout(
    c: Contractor, contract: dict, ledger: dict, pid: str, day: dt.date, medium: str | None = None
) -> dict:
    """A clean take-out: designated place, encrypted if electronic, returned if returnable."""
    if medium is None:
        choices = {"紙": ("紙",), "電子": ELECTRONIC_TAKEOUT}
        medium = _pick(c.rng, choices.get(ledger["medium"], ("紙", *ELECTRONIC_TAKEOUT)))
    taken = _at(day, _rint(c.rng, 9, 15), _rint(c.rng, 0, 59))
    returned = None
    if medium in _DEFAULTS.returnable_media:
        returned = taken + dt.timedelta(hours=_rint(c.rng, 2, 30), minutes=_rint(c.rng, 0, 59))
        returned = returned if returned.date() <= AS_OF else None
    places = contract["designated_places"]
    record = {
        "taken_at": taken,
        "person_id": pid,
        "ledger_id": ledger["ledger_id"],
        "destination": _pick(c.rng, places) if places else f"岡山県庁 {contract['department']}",
        "medium": medium,
        "encrypted": c.profile.yes_mark if medium in _DEFAULTS.electronic_media else None,
        "approver": _supervisor_name(c, contract),
        "returned_at": returned,
    }
    c.rows(TAKEOUT).append(record)
    return record


def _ledger_window(c: Contractor, contract: dict, ledger: dict) -> tuple[dt.date, dt.date]:
    lo = max(contract["start_date"], ledger["received_on"] or contract["start_date"])
    hi = min(_limit(contract), _disposed_on(c, ledger) - _DAY)
    return max(lo, _D("2024-04-01")), hi


def _log_at(
    c: Contractor,
    contract: dict,
    medium: str | None = None,
    lo: dt.date | None = None,
    hi: dt.date | None = None,
) -> tuple[dict, str, dt.date]:
    """A live dataset of ``contract``, one of its users and a day they may handle it."""
    datasets = _live_datasets(c, contract, medium)
    c.rng.shuffle(datasets)
    for ledger in datasets:
        w_lo, w_hi = _ledger_window(c, contract, ledger)
        picked = _pick_active(c, ledger["users"], max(w_lo, lo or w_lo), min(w_hi, hi or w_hi))
        if picked:
            return ledger, picked[0], picked[1]
    raise RuntimeError(f"{c.code}: no dataset of {contract['contract_id']} to log against")


def _baseline_takeouts(c: Contractor, contract: dict) -> None:
    if not contract["designated_places"]:
        return
    for _ in range(_rint(c.rng, 3, 8)):
        try:
            ledger, pid, day = _log_at(c, contract)
        except RuntimeError:
            return
        _takeout(c, contract, ledger, pid, day)


def _copy(c: Contractor, contract: dict, ledger: dict, pid: str, day: dt.date) -> dict:
    c.state["approval_seq"] += 1
    record = {
        "at": _at(day, _rint(c.rng, 9, 17), _rint(c.rng, 0, 59)),
        "person_id": pid,
        "ledger_id": ledger["ledger_id"],
        "what": _pick(c.rng, ("申請書の写し（控え用）", "集計表の複製", "バックアップ媒体の作成")),
        "copies": _rint(c.rng, 1, 3),
        "approval_ref": f"岡県第{c.state['approval_seq'] + 100 * c.index}号",
    }
    c.rows(COPIES).append(record)
    return record


def _baseline_copies(c: Contractor, contract: dict) -> None:
    for _ in range(_rint(c.rng, 1, 4)):
        try:
            ledger, pid, day = _log_at(c, contract)
        except RuntimeError:
            return
        _copy(c, contract, ledger, pid, day)


def _check(
    c: Contractor, contract: dict, day: dt.date, result: str = "異常なし", action: str | None = None
) -> dict:
    record = {
        "checked_on": day,
        "contract_id": contract["contract_id"],
        "target": _pick(c.rng, ("媒体", "バックアップ", "データ正確性")),
        "checker": _supervisor_name(c, contract),
        "result": result,
        "action": action,
    }
    c.rows(MEDIA_CHECKS).append(record)
    return record


def _check_days(c: Contractor, contract: dict) -> list[dt.date]:
    """Check dates, every 25–70 days; contract flags force one gap, a stop or exactly 92 days."""
    limit = _limit(contract)
    gap_after = contract.get("_gap_after")
    stop_after = contract.get("_stop_after", _FAR)
    exact92 = contract.get("_exact92", False)
    day = _workday(contract["start_date"] + dt.timedelta(days=_rint(c.rng, 5, 35)))
    days = []
    while day <= min(limit, stop_after):
        days.append(day)
        if gap_after and day >= gap_after:
            nxt, gap_after = _workday(day + dt.timedelta(days=120)), None
        elif exact92 and day >= _D("2025-05-01") and day.weekday() <= 3:
            nxt, exact92 = day + dt.timedelta(days=92), False
        else:
            nxt = _workday(day + dt.timedelta(days=_rint(c.rng, 25, 66)))
        day = nxt
    return days


def _baseline_checks(c: Contractor, contract: dict) -> None:
    if contract["handles_electronic"] == "無":
        return
    for day in _check_days(c, contract):
        if c.rng.random() < 0.06:
            _check(c, contract, day, "異常あり", "バックアップを再取得し、復元できることを確認")
        else:
            _check(c, contract, day)


def _device(
    c: Contractor,
    contract: dict,
    *,
    ownership: str = "会社貸与",
    extra_software: tuple[str, ...] = (),
) -> dict:
    c.state["device_seq"] += 1
    software = c.rng.choice(ALLOWED_SOFTWARE, size=_rint(c.rng, 2, 4), replace=False).tolist()
    record = {
        "device_id": f"PC-{c.state['device_seq']:03d}",
        "contract_id": contract["contract_id"],
        "ownership": ownership,
        "place": c.state["room"],
        "software": sorted(software) + list(extra_software),
        "checked_on": _rand_workday(c.rng, _D("2025-10-01"), AS_OF - dt.timedelta(days=7)),
    }
    c.rows(DEVICES).append(record)
    return record


def _handover(
    c: Contractor,
    contract: dict,
    ledger_id: str | None,
    on: dt.date,
    direction: str = "甲→乙",
    receipt_days: int | None | str = "auto",
    means: str | None = None,
) -> dict:
    """A clean handover: designated means; a receipt within 0–5 days for 甲→乙."""
    if means is None:
        means = _pick(c.rng, contract["designated_handover_means"] or HANDOVER_MEANS)
    if receipt_days == "auto":
        receipt_days = _rint(c.rng, 0, 5) if direction == "甲→乙" else None
    record = {
        "on": on,
        "contract_id": contract["contract_id"],
        "ledger_id": ledger_id,
        "direction": direction,
        "means": means,
        "place": f"岡山県庁 {contract['department']}",
        "receipt_on": None if receipt_days is None else on + dt.timedelta(days=receipt_days),
    }
    c.rows(HANDOVERS).append(record)
    return record


def _baseline_handovers(c: Contractor, contract: dict) -> None:
    for ledger in c.rows(LEDGER):
        if ledger["contract_id"] != contract["contract_id"] or ledger["received_on"] is None:
            continue
        _handover(c, contract, ledger["ledger_id"], ledger["received_on"])
        for disposal in c.rows(DISPOSALS):
            if disposal["ledger_id"] == ledger["ledger_id"] and disposal["kind"] == "返還":
                _handover(c, contract, ledger["ledger_id"], disposal["on"], "乙→甲")


def _subcontract(c: Contractor, contract: dict) -> dict:
    start = contract["start_date"] + dt.timedelta(days=_rint(c.rng, 0, 30))
    applied = contract["start_date"] - dt.timedelta(days=_rint(c.rng, 20, 40))
    record = {
        "contract_id": contract["contract_id"],
        "subcontractor": _pick(c.rng, SUBCONTRACTORS),
        "reason": "繁忙期の入力作業量に対応するため",
        "work": "申請書のデータ入力（作業室内に限る）",
        "data": "、".join(contract["_datasets"][:1]),
        "safeguards": "作業室内での作業に限定、私物持込禁止、作業後の媒体回収",
        "supervision": "作業責任者による日次確認と月次報告",
        "applied_on": applied,
        "approved_on": applied + dt.timedelta(days=_rint(c.rng, 5, 15)),
        "start_date": start,
    }
    c.rows(SUBCONTRACTS).append(record)
    return record


def _request(c: Contractor, contract: dict, requested: dt.date, days: int | None) -> dict:
    record = {
        "contract_id": contract["contract_id"],
        "requested_on": requested,
        "reported_on": None if days is None else requested + dt.timedelta(days=days),
    }
    c.rows(INSPECTION_REQUESTS).append(record)
    return record


def _incident(
    c: Contractor,
    contract: dict,
    discovered: dt.datetime,
    report_hours: float | None = 3,
    **changes,
) -> dict:
    """A clean incident report (found and reported within the day, few records)."""
    c.state["incident_seq"] += 1
    description, circumstances = _pick(c.rng, INCIDENT_KINDS)
    record = {
        "incident_id": f"INC{discovered.year}-{c.state['incident_seq']:02d}",
        "contract_id": contract["contract_id"],
        "occurred_at": discovered - dt.timedelta(hours=_rint(c.rng, 1, 30)),
        "discovered_at": discovered,
        "reported_at": None
        if report_hours is None
        else discovered + dt.timedelta(hours=report_hours),
        "description": description,
        "records_affected": _rint(c.rng, 1, 20),
        "place": f"{c.state['work_place']}",
        "circumstances": circumstances,
        "sensitive": "無",
    }
    record.update(changes)
    c.rows(INCIDENTS).append(record)
    return record


def _access_rows(
    c: Contractor, pid: str, day: dt.date, room: str = "作業室A", direction_in: str = "入室"
) -> list[dict]:
    """An explicit entry and exit on ``day`` (pass cases and plants)."""
    rows = [
        {"at": _at(day, 8, 55), "person_id": pid, "direction": direction_in, "room": room},
        {"at": _at(day, 17, 40), "person_id": pid, "direction": "退室", "room": room},
    ]
    c.access_extra.extend(rows)
    return rows


def _baseline_logs(c: Contractor) -> None:
    p = c.profile
    for contract in c.contracts:
        _baseline_ledger(c, contract)
    for contract in c.contracts:
        _baseline_takeouts(c, contract)
        _baseline_checks(c, contract)
        for _ in range(_rint(c.rng, 2, 4)):
            _device(c, contract)
        if p.copies:
            _baseline_copies(c, contract)
        if p.handovers:
            _baseline_handovers(c, contract)
    first = c.contracts[0]
    if p.subcontracts:
        _subcontract(c, first)
    if p.requests:
        requested = _rand_workday(c.rng, _D("2025-05-07"), _D("2025-12-19"))
        _request(c, first, requested, _rint(c.rng, 1, 6))
    if p.incidents:
        day = _rand_workday(c.rng, _D("2025-05-01"), _D("2025-11-28"))
        _incident(c, first, _at(day, _rint(c.rng, 9, 16)), report_hours=_rint(c.rng, 2, 20))


# --- the access log (vectorised) --------------------------------------------------------------


def _access_log(c: Contractor, target_rows: int) -> pd.DataFrame:
    """Entries and exits of active notified workers on work days, about ``target_rows`` rows."""
    pids, days = [], []
    for pid, spans in c.active.items():
        for lo, hi in spans:
            d = _workdays(max(lo, LOG_START), hi)
            days.append(d)
            pids.append(np.full(len(d), pid, dtype=object))
    frame = _visits(
        c.rng,
        np.concatenate(pids) if pids else np.array([], dtype=object),
        np.concatenate(days) if days else np.array([], dtype="datetime64[D]"),
        target_rows,
    )
    extra = pd.DataFrame(c.access_extra, columns=["at", "person_id", "direction", "room"])
    extra["at"] = pd.to_datetime(extra["at"]).astype("datetime64[s]")
    extra["_plant"] = np.arange(len(extra), dtype=np.int64)
    frame = pd.concat([frame, extra], ignore_index=True)
    return frame.sort_values(["at", "_plant"], kind="stable").reset_index(drop=True)


def _visits(
    rng: np.random.Generator, pids: np.ndarray, days: np.ndarray, target_rows: int
) -> pd.DataFrame:
    """Room visits (an entry and an exit each) on the candidate person-days."""
    empty = pd.DataFrame(
        {
            "at": pd.Series(dtype="datetime64[s]"),
            "person_id": pd.Series(dtype=object),
            "direction": pd.Series(dtype=object),
            "room": pd.Series(dtype=object),
            "_plant": pd.Series(dtype=np.int64),
        }
    )
    if not len(days) or target_rows <= 0:
        return empty
    # one person-day once, however many rosters name the person
    key = pd.DataFrame({"p": pids, "d": days}).drop_duplicates()
    pids, days = key["p"].to_numpy(), key["d"].to_numpy()
    lam = target_rows / 2 / len(days)
    if lam <= 1:
        count = (rng.random(len(days)) < lam).astype(np.int64)
    else:
        count = 1 + rng.poisson(lam - 1, len(days))
    pids, days = np.repeat(pids, count), np.repeat(days, count)
    n = len(days)
    enter = rng.integers(8 * 60 + 20, 17 * 60, n)
    stay = rng.integers(10, 20 * 60 - enter + 1)
    base = days.astype("datetime64[s]")
    secs = rng.integers(0, 60, n)
    enter_at = base + (enter * 60 + secs).astype("timedelta64[s]")
    exit_at = base + ((enter + stay) * 60 + secs[::-1]).astype("timedelta64[s]")
    rooms = np.array(ROOMS, dtype=object)[rng.choice(3, n, p=[0.7, 0.2, 0.1])]
    return pd.DataFrame(
        {
            "at": np.concatenate([enter_at, exit_at]),
            "person_id": np.concatenate([pids, pids]),
            "direction": np.repeat(np.array(["入室", "退室"], dtype=object), n),
            "room": np.concatenate([rooms, rooms]),
            "_plant": np.full(2 * n, -1, dtype=np.int64),
        }
    )


# --- the plants -----------------------------------------------------------------------------
#
# Each plant is a function of the contractor; phase 1 plants change the roster and training
# flags (before logs are derived from the roster), phase 2 plants add log rows. They add their
# own records, clean but for the one planted fault, so nothing cascades.


def _c2_1_gap(c: Contractor, contract: dict, old_end: str, new_start: str, notified: str) -> None:
    sups = _supervisors(c, contract)
    sups[0]["end_date"] = _D(old_end)
    if len(sups) > 1:
        sups[1].update(start_date=_D(new_start), notified_on=_D(notified), pledge_on=_D(notified))
    else:
        _new_worker(
            c,
            contract,
            _D(new_start),
            _default_end(contract),
            employment="正社員",
            role="作業責任者",
            notified=_D(notified),
            pledge=_D(notified),
        )
    _contract_finding(c, "C2-1", contract)


def p0_phase1(c: Contractor) -> None:
    """P0 roster plants: C2-1, C3-1, C5-2, P-1, Q2 (staff); pass 届出日 = 従事開始日."""
    k0, k1 = c.contracts[0], c.contracts[1]
    _c2_1_gap(c, k0, "2025-08-29", "2025-09-08", "2025-09-01")
    person, _ = _new_worker(c, k0, k0["start_date"])
    row = _add_staff(
        c, k1, person, "作業従事者", _D("2025-10-01"), notified=None, pledge=_D("2025-09-26")
    )
    _mark(row, "C3-1", c.code, k1["contract_id"])
    _, row = _new_worker(c, k1, k1["start_date"], employment="契約社員", skip_fy=frozenset({2024}))
    _mark(row, "C5-2", c.code, k1["contract_id"])
    k1["_inspect_skip"].add(2025)
    _contract_finding(c, "P-1", k1)
    _, row = _new_worker(c, k0, _D("2025-05-12"), quiet=True)
    row["employment"] = Raw("嘱託")
    _mark(row, "Q2", c.code, k0["contract_id"])
    # pass: 届出日 equal to 従事開始日, in the room that very day
    person, _ = _new_worker(
        c, k0, _D("2025-06-02"), notified=_D("2025-06-02"), pledge=_D("2025-06-02")
    )
    c.state["pass_same_day"] = person.pid


def p0_phase2(c: Contractor) -> None:
    """P0 log plants: C7.1-1, C7.3-1, C7.5-2, C14-4; pass: incident reported after exactly 24 h."""
    k0 = c.contracts[0]
    _access_rows(c, c.state["pass_same_day"], _D("2025-06-02"))
    ledger, _ = _add_dataset(c, k0, "作業用出力帳票", "紙", storage_method="書棚（施錠なし）")
    _mark(ledger, "C7.1-1", c.code, k0["contract_id"])
    ledger, pid, day = _log_at(c, k0, "electronic", hi=AS_OF - dt.timedelta(days=10))
    row = _takeout(c, k0, ledger, pid, day, "USBメモリ")
    row["encrypted"] = "未"
    _mark(row, "C7.3-1", c.code, k0["contract_id"])
    first = next(r for r in c.rows(MEDIA_CHECKS) if r["contract_id"] == k0["contract_id"])
    _mark(_check(c, k0, first["checked_on"], "異常あり", None), "C7.5-2", c.code, k0["contract_id"])
    row = _incident(
        c,
        k0,
        _at(_D("2025-10-15"), 14),
        report_hours=5,
        records_affected=250,
        description="委託データの一部が外部から閲覧可能な状態になっていた",
    )
    _mark(row, "C14-4", c.code, k0["contract_id"])
    _incident(c, k0, _at(_D("2025-07-09"), 16, 20), report_hours=24)


def p1_phase1(c: Contractor) -> None:
    """P1 roster plants: C4-1 (誓約書 blank); pass: a log on the last day of employment."""
    k0 = c.contracts[0]
    _, row = _new_worker(c, k0, _D("2025-05-07"), notified=_D("2025-04-30"), pledge=None)
    _mark(row, "C4-1", c.code, k0["contract_id"])
    person, _ = _new_worker(c, k0, k0["start_date"], _D("2025-10-31"))
    c.state["pass_last_day"] = person.pid


def p1_phase2(c: Contractor) -> None:
    """P1 log plants: C3-3, Q2, C7.2-1, C7.6-1, C11-1, C11-2, C12-1, C14-2, C7.8-1, Q0."""
    k0, k1 = c.contracts[0], c.contracts[1]
    _access_rows(c, c.state["pass_last_day"], _D("2025-10-31"))
    for row in _access_rows(c, "G9901", _D("2025-11-12"), "作業室B"):  # never notified
        _mark(row, "C3-3", c.code)
    pid, day = _pick_active(c, c.active, _D("2025-07-01"), AS_OF - dt.timedelta(days=5))
    _mark(_access_rows(c, pid, day, direction_in=Raw("入場"))[0], "Q2", c.code)
    ledger, pid, day = _log_at(c, k0)
    row = _takeout(c, k0, ledger, pid, day)
    row["destination"] = "自宅"
    _mark(row, "C7.2-1", c.code, k0["contract_id"])
    ledger, _ = _add_dataset(c, k0, "電話受付メモ", "紙", received=None)
    _mark(ledger, "C7.6-1", c.code, k0["contract_id"])
    ledger, _ = _add_dataset(c, k1, "返送封筒（宛名面）", "紙", dispose_on=None)
    _mark(ledger, "C11-1", c.code, k1["contract_id"])
    _, disposals = _add_dataset(c, k1, "申請書原本", "紙", plan=[("消去", "消去ソフト")])
    _mark(disposals[0], "C11-2", c.code, k1["contract_id"])
    _mark(_request(c, k0, _D("2025-10-06"), 14), "C12-1", c.code, k0["contract_id"])
    _request(c, k0, _D("2025-06-09"), 7)  # pass: reported on day 7
    row = _incident(c, k0, _at(_D("2025-08-04"), 10), report_hours=50)
    _mark(row, "C14-2", c.code, k0["contract_id"])
    _mark(_device(c, k0, extra_software=("LINE", "Dropbox")), "C7.8-1", c.code, k0["contract_id"])
    c.extra_files["バックアップ.xlsx"] = b"PK\x03\x04" + c.rng.bytes(600)
    c.findings.append({"rule_id": "Q0", "contractor_id": c.code, "file": "バックアップ.xlsx"})


def p2_phase1(c: Contractor) -> None:
    """P2 roster plants: C3-2, C5-1, C7.5-1 (a 120-day gap); a worker who leaves (C3-3)."""
    k0, k1 = c.contracts[0], c.contracts[1]
    _, row = _new_worker(
        c, k0, _D("2025-06-02"), notified=_D("2025-06-16"), pledge=_D("2025-05-30")
    )
    _mark(row, "C3-2", c.code, k0["contract_id"])
    _, row = _new_worker(c, k0, _D("2025-09-01"), first_delay=45)
    _mark(row, "C5-1", c.code, k0["contract_id"])
    k0["_gap_after"] = _D("2025-06-01")
    _contract_finding(c, "C7.5-1", k0)
    person, _ = _new_worker(c, k1, k1["start_date"], k1["end_date"])
    c.state["former"] = person.pid


def p2_phase2(c: Contractor) -> None:
    """P2 log plants: C3-3, C7.2-2 ×2, C7.6-2, C8.2-1, C9-1, C11-3, C11-4, Q3; passes."""
    k0, k1 = c.contracts[0], c.contracts[1]
    k1_ledger = next(r for r in c.rows(LEDGER) if r["contract_id"] == k1["contract_id"])
    row = _takeout(c, k1, k1_ledger, c.state["former"], _D("2025-10-14"))
    _mark(row, "C3-3", c.code, k1["contract_id"])
    ledger, pid, day = _log_at(c, k0, "electronic", _D("2025-12-08"), _D("2025-12-19"))
    row = _takeout(c, k0, ledger, pid, day, "USBメモリ")
    row["returned_at"] = None
    _mark(row, "C7.2-2", c.code, k0["contract_id"])
    ledger, pid, day = _log_at(c, k0, "paper", _D("2025-11-04"), _D("2025-11-14"))
    row = _takeout(c, k0, ledger, pid, day, "紙")
    row["returned_at"] = row["taken_at"] - dt.timedelta(hours=20)
    _mark(row, "C7.2-2", c.code, k0["contract_id"])
    ledger, pid, day = _log_at(c, k0, "electronic", AS_OF - dt.timedelta(days=4), AS_OF)
    _takeout(c, k0, ledger, pid, day, "ノートPC")["returned_at"] = None  # pass: 4 days out
    outsider = next(
        r["person_id"]
        for r in _known_rows(c)
        if r["contract_id"] == k1["contract_id"]
        and r["role"] == "作業従事者"
        and not any(
            s["person_id"] == r["person_id"] and s["contract_id"] == k0["contract_id"]
            for s in _known_rows(c)
        )
    )
    ledger, _ = _add_dataset(c, k0, "窓口受付簿", "紙")
    ledger["users"] = ledger["users"][:2] + [outsider]
    _mark(ledger, "C7.6-2", c.code, k0["contract_id"])
    live = _live_datasets(c, k0)[0]
    row = _handover(c, k0, live["ledger_id"], _D("2025-07-14"), means="宅配便")
    _mark(row, "C8.2-1", c.code, k0["contract_id"])
    row = _subcontract(c, k0)
    row["approved_on"] = row["start_date"] + dt.timedelta(days=5)
    _mark(row, "C9-1", c.code, k0["contract_id"])
    _, disposals = _add_dataset(c, k1, "発送記録", "紙", plan=[("廃棄", "裁断")])
    disposals[0].update(witness_requested="要", witness=None)
    _mark(disposals[0], "C11-3", c.code, k1["contract_id"])
    _, disposals = _add_dataset(c, k1, "入力用データ", "電子", plan=[("廃棄", "物理破壊")])
    disposals[0]["certificate_on"] = None
    _mark(disposals[0], "C11-4", c.code, k1["contract_id"])
    unknown = f"R6-{9000 + c.index:04d}"
    row = _check(c, k0, _D("2025-08-20"))
    row["contract_id"] = unknown
    _mark(row, "Q3", c.code, unknown)
    _request(c, k0, AS_OF - dt.timedelta(days=3), None)  # pass: not yet due


def p3_phase1(c: Contractor) -> None:
    """P3 roster plant: C3-1 (a dispatched worker never notified)."""
    _, row = _new_worker(
        c,
        c.contracts[0],
        _D("2025-07-01"),
        employment="派遣労働者",
        notified=None,
        pledge=_D("2025-06-27"),
        quiet=True,
    )
    _mark(row, "C3-1", c.code, c.contracts[0]["contract_id"])


def p3_phase2(c: Contractor) -> None:
    """P3 log plants: C7.1-1 C7.2-1 C7.4-1 C7.6-3 C8.2-2×2 C9-2 C12-1 C14-1 C14-3; Q2 (master)."""
    k0, k1 = c.contracts[0], c.contracts[1]
    kid = k0["contract_id"]
    ledger, _ = _add_dataset(c, k0, "相談票・相談データ", "紙・電子", storage_method=None)
    _mark(ledger, "C7.1-1", c.code, kid)
    ledger, _ = _add_dataset(c, k1, "臨時受付票", "紙")
    pid, day = _pick_active(c, ledger["users"], _D("2025-09-01"), _D("2025-12-19"))
    _mark(_takeout(c, k1, ledger, pid, day, "紙"), "C7.2-1", c.code, k1["contract_id"])
    ledger, pid, day = _log_at(c, k0)
    row = _copy(c, k0, ledger, pid, day)
    row["approval_ref"] = None
    _mark(row, "C7.4-1", c.code, kid)
    _mark(_handover(c, k0, "L099", _D("2025-06-10")), "C7.6-3", c.code, kid)
    live = _live_datasets(c, k0)[0]["ledger_id"]
    _mark(_handover(c, k0, live, _D("2025-08-18"), receipt_days=10), "C8.2-2", c.code, kid)
    _mark(_handover(c, k0, live, _D("2025-12-01"), receipt_days=None), "C8.2-2", c.code, kid)
    _handover(c, k0, live, _D("2025-09-01"), receipt_days=7)  # pass: receipt on day 7
    row = _subcontract(c, k0)
    row["safeguards"] = None
    _mark(row, "C9-2", c.code, kid)
    _mark(_request(c, k0, _D("2025-11-10"), None), "C12-1", c.code, kid)
    c.rows(INCIDENTS)[0]["circumstances"] = "宛先の確認漏れにより誤送信。\n受信者からの連絡で判明。"
    _mark(_incident(c, k0, _at(_D("2025-12-02"), 11), place=None), "C14-1", c.code, kid)
    row = _incident(c, k0, _at(_D("2025-09-02"), 11), report_hours=5)
    row["occurred_at"] = _at(_D("2025-09-03"), 15)
    _mark(row, "C14-3", c.code, kid)
    c.state["master_duplicate"] = k0


def p4_phase1(c: Contractor) -> None:
    """P4 roster plants: C5-1, Q1 (no 端末一覧); pass: media checks exactly 92 days apart."""
    k0 = c.contracts[0]
    _, row = _new_worker(c, k0, _D("2025-08-04"), first_delay=50)
    _mark(row, "C5-1", c.code, k0["contract_id"])
    c.omit.add(DEVICES.key)
    for contract in (c.contracts[0], c.contracts[2]):  # contracts[1] excludes 第7七・第7八
        _contract_finding(c, "Q1", contract, DEVICES.name)
    k0["_exact92"] = True


def p4_phase2(c: Contractor) -> None:
    """P4 log plants: C7.3-1, C7.5-2, C7.6-1, C7.6-3, C11-1, C11-4, C14-4, Q0."""
    k0, k2 = c.contracts[0], c.contracts[2]
    kid, kid2 = k0["contract_id"], k2["contract_id"]
    ledger, pid, day = _log_at(c, k0, "electronic", hi=AS_OF - dt.timedelta(days=10))
    row = _takeout(c, k0, ledger, pid, day, "ノートPC")
    row["encrypted"] = None
    _mark(row, "C7.3-1", c.code, kid)
    last = [r for r in c.rows(MEDIA_CHECKS) if r["contract_id"] == kid][-1]
    _mark(_check(c, k0, last["checked_on"], "異常あり", "-"), "C7.5-2", c.code, kid)
    ledger, _ = _add_dataset(c, k0, "電話対応記録", "紙")
    ledger["records"] = None
    _mark(ledger, "C7.6-1", c.code, kid)
    row = {
        "ledger_id": "L098",
        "contract_id": kid2,
        "kind": "返還",
        "on": _D("2025-04-18"),
        "method": "返還",
        "witness_requested": "不要",
        "witness": None,
        "certificate_on": None,
    }
    c.rows(DISPOSALS).append(row)
    _mark(row, "C7.6-3", c.code, kid2)
    ledger, _ = _add_dataset(c, k2, "調査票（回収分）", "紙", dispose_on=None)
    ledger["status"] = "廃棄済"
    _mark(ledger, "C11-1", c.code, kid2)
    _, disposals = _add_dataset(c, k2, "集計用データ", "電子", plan=[("消去", "消去ソフト")])
    disposals[0]["certificate_on"] = None
    _mark(disposals[0], "C11-4", c.code, kid2)
    row = _incident(
        c,
        k0,
        _at(_D("2025-11-20"), 9, 30),
        report_hours=4,
        sensitive="有",
        records_affected=3,
        description="診断書の写しを別の申請者に送付",
    )
    _mark(row, "C14-4", c.code, kid)
    text = (
        "日時,従事者ID,台帳番号,複製内容,部数,承諾番号\r\n"
        "2025-06-02 10:00,E1001,L001,申請書の写し,1,岡県第1号\r\n"
    )
    c.extra_files["複製記録.csv"] = text.encode("utf-16")
    c.findings.append({"rule_id": "Q0", "contractor_id": c.code, "file": "複製記録.csv"})


def p5_phase1(c: Contractor) -> None:
    """P5 contract-level plants: C2-1, C7.5-1 (checks stop), P-1 (never inspected)."""
    k0, k1 = c.contracts[0], c.contracts[1]
    _c2_1_gap(c, k1, "2024-06-28", "2024-07-16", "2024-07-08")
    k0["_stop_after"] = _D("2025-10-01")
    _contract_finding(c, "C7.5-1", k0)
    k0["_inspect_skip"].update(range(2020, 2030))
    _contract_finding(c, "P-1", k0)


def p5_phase2(c: Contractor) -> None:
    """P5: would-be failures of excluded clauses 第9 and 第7七 (not in the key)."""
    k1 = c.contracts[1]
    _subcontract(c, k1).update(approved_on=None, safeguards=None)
    _device(c, k1, ownership="私物")


def p6_phase1(c: Contractor) -> None:
    """P6 roster plants: C3-2, C4-1, C5-2, Q3 (staff), Q2 (missing 結果); C5-2 start-year pass."""
    k0, k1 = c.contracts[0], c.contracts[1]
    _, row = _new_worker(
        c, k1, _D("2025-04-07"), notified=_D("2025-04-10"), pledge=_D("2025-04-03")
    )
    _mark(row, "C3-2", c.code, k1["contract_id"])
    _, row = _new_worker(
        c, k0, _D("2025-05-12"), notified=_D("2025-05-01"), pledge=_D("2025-05-16")
    )
    _mark(row, "C4-1", c.code, k0["contract_id"])
    _, row = _new_worker(c, k1, _D("2023-06-01"), _D("2024-12-27"), skip_fy=frozenset({2024}))
    _mark(row, "C5-2", c.code, k1["contract_id"])
    unknown = f"R7-{9000 + c.index:04d}"
    _, row = _new_worker(c, k0, _D("2025-06-16"), quiet=True)
    row.update(contract_id=unknown, _q3=True)
    _mark(row, "Q3", c.code, unknown)
    c.drop_columns.setdefault(MEDIA_CHECKS.key, set()).add("result")
    c.findings.append({"rule_id": "Q2", "contractor_id": c.code, "part_of": MEDIA_CHECKS.key})
    # pass: started 2025-03-24, first trained 2025-04-08 — counts for fiscal year 2024 too
    _new_worker(c, k1, _D("2025-03-24"), first_delay=15, no_fill_fy=frozenset({2024}))


def p6_phase2(c: Contractor) -> None:
    """P6 log plants: C7.4-1, C7.7-1, C7.8-1, C9-1, C11-2 (紙・電子 coverage), C14-1 + C14-2."""
    k0, k1 = c.contracts[0], c.contracts[1]
    kid, kid1 = k0["contract_id"], k1["contract_id"]
    ledger, pid, day = _log_at(c, k0)
    row = _copy(c, k0, ledger, pid, day)
    row["approval_ref"] = "－"
    _mark(row, "C7.4-1", c.code, kid)
    _mark(_device(c, k0, ownership="私物"), "C7.7-1", c.code, kid)
    _mark(_device(c, k1, extra_software=("Steam",)), "C7.8-1", c.code, kid1)
    row = _subcontract(c, k1)
    row["approved_on"] = None
    _mark(row, "C9-1", c.code, kid1)
    _, disposals = _add_dataset(
        c,
        k1,
        "令和5年度 相談記録票",
        "紙・電子",
        received=_D("2023-05-08"),
        due=_D("2024-05-31"),
        dispose_on=_D("2024-05-10"),
        plan=[("廃棄", "裁断"), ("廃棄", "溶解")],
    )
    _mark(disposals[-1], "C11-2", c.code, kid1)
    row = _incident(c, k0, _at(_D("2025-12-03"), 9, 30), report_hours=None)
    _mark(_mark(row, "C14-1", c.code, kid), "C14-2", c.code, kid)


#: Every planted failure, one line per key row: (profile, rule_id, form, what is planted).
#: ``form`` is blank for contract-level rows and files. Profile 7 stands for the last folder
#: (eight or more contractors), whose code has no contract. A test checks this table against
#: the key, so keep them in step.
PLANT_TABLE: tuple[tuple[int, str, str, str], ...] = (
    (0, "C2-1", "", "current contract: 作業責任者 leaves 2025-08-29, successor from 2025-09-08"),
    (0, "C3-1", "作業従事者名簿", "a worker also listed on the multi-year contract, 届出日 blank"),
    (0, "C5-2", "作業従事者名簿", "multi-year worker since 2023-04, no training in fiscal 2024"),
    (0, "P-1", "", "multi-year contract last inspected in autumn 2024"),
    (0, "Q2", "作業従事者名簿", "雇用形態 嘱託 (not an allowed value)"),
    (0, "C7.1-1", "個人情報管理台帳", "paper kept in 書棚（施錠なし）"),
    (0, "C7.3-1", "持出記録", "USBメモリ taken out, 暗号化 未"),
    (0, "C7.5-2", "媒体点検記録", "異常あり, 措置 blank"),
    (0, "C14-4", "事故報告", "250 records affected"),
    (1, "C4-1", "作業従事者名簿", "誓約書提出日 blank"),
    (1, "C3-3", "入退室記録", "entry of G9901, never notified (a subcontractor's staff)"),
    (1, "C3-3", "入退室記録", "exit of G9901"),
    (1, "Q2", "入退室記録", "区分 入場 (not an allowed value)"),
    (1, "C7.2-1", "持出記録", "taken to 自宅"),
    (1, "C7.6-1", "個人情報管理台帳", "受領日 blank"),
    (1, "C11-1", "個人情報管理台帳", "ended contract: dataset still 保管中, no 廃棄消去記録"),
    (1, "C11-2", "廃棄消去記録", "paper 消去 by 消去ソフト"),
    (1, "C12-1", "点検報告", "reported 14 days after the request"),
    (1, "C14-2", "事故報告", "reported 50 hours after discovery"),
    (1, "C7.8-1", "端末一覧", "LINE and Dropbox installed"),
    (1, "Q0", "", "バックアップ.xlsx is not a workbook"),
    (2, "C3-2", "作業従事者名簿", "届出日 2025-06-16 after 従事開始日 2025-06-02"),
    (2, "C5-1", "作業従事者名簿", "started 2025-09-01, first training 45 days later"),
    (2, "C7.5-1", "", "current contract: a 120-day gap between media checks"),
    (2, "C3-3", "持出記録", "taken out 2025-10-14 by a worker who left 2025-09-30"),
    (2, "C7.2-2", "持出記録", "USBメモリ out since mid-December, not returned"),
    (2, "C7.2-2", "持出記録", "返却日時 before 持出日時"),
    (2, "C7.6-2", "個人情報管理台帳", "利用者 includes a worker of the other contract only"),
    (2, "C8.2-1", "受渡記録", "handed over by 宅配便, not a designated means"),
    (2, "C9-1", "再委託", "approved 5 days after the subcontract started"),
    (2, "C11-3", "廃棄消去記録", "立会い要否 要, 立会者 blank"),
    (2, "C11-4", "廃棄消去記録", "廃棄 without 証明書提出日"),
    (2, "Q3", "媒体点検記録", "契約番号 R6-9xxx is no contract of this contractor"),
    (3, "C3-1", "作業従事者名簿", "dispatched worker never notified (and never in a log)"),
    (3, "C7.1-1", "個人情報管理台帳", "紙・電子 with 保管方法 blank"),
    (3, "C7.2-1", "持出記録", "take-out under the contract that designates no place"),
    (3, "C7.4-1", "複製記録", "承諾番号 blank"),
    (3, "C7.6-3", "受渡記録", "台帳番号 L099 is not in the ledger"),
    (3, "C8.2-2", "受渡記録", "預り証 10 days after the handover"),
    (3, "C8.2-2", "受渡記録", "no 預り証 for a handover of 2025-12-01"),
    (3, "C9-2", "再委託", "安全対策 blank"),
    (3, "C12-1", "点検報告", "request of 2025-11-10 never reported"),
    (3, "C14-1", "事故報告", "発生場所 blank (the record after a quoted line break)"),
    (3, "C14-3", "事故報告", "発生日時 after 発覚日時"),
    (3, "Q2", "委託契約一覧", "the long contract listed again (変更契約): the later row"),
    (4, "C5-1", "作業従事者名簿", "started 2025-08-04, first training 50 days later"),
    (4, "Q1", "端末一覧", "no 端末一覧: the current contract"),
    (4, "Q1", "端末一覧", "no 端末一覧: the ended contract"),
    (4, "C7.3-1", "持出記録", "ノートPC, 暗号化 blank"),
    (4, "C7.5-2", "媒体点検記録", "異常あり, 措置 '-'"),
    (4, "C7.6-1", "個人情報管理台帳", "件数 blank"),
    (4, "C7.6-3", "廃棄消去記録", "台帳番号 L098 is not in the ledger"),
    (4, "C11-1", "個人情報管理台帳", "状態 廃棄済 but no 廃棄消去記録"),
    (4, "C11-4", "廃棄消去記録", "消去 without 証明書提出日"),
    (4, "C14-4", "事故報告", "要配慮個人情報 有 (3 records)"),
    (4, "Q0", "", "複製記録.csv saved as UTF-16"),
    (5, "C2-1", "", "multi-year contract: no 作業責任者 2024-06-29 to 2024-07-15"),
    (5, "C7.5-1", "", "current contract: no media check after 2025-10-01"),
    (5, "P-1", "", "current contract: never inspected"),
    (6, "C3-2", "作業従事者名簿", "届出日 3 days after 従事開始日"),
    (6, "C4-1", "作業従事者名簿", "誓約書 4 days after 従事開始日"),
    (6, "C5-2", "作業従事者名簿", "worked 2023-06 to 2024-12, no training in fiscal 2024"),
    (6, "Q3", "作業従事者名簿", "契約番号 R7-9xxx is no contract of this contractor"),
    (6, "Q2", "媒体点検記録", "required column 結果 missing (one per sheet, row blank)"),
    (6, "C7.4-1", "複製記録", "承諾番号 '－'"),
    (6, "C7.7-1", "端末一覧", "所有区分 私物"),
    (6, "C7.8-1", "端末一覧", "Steam installed"),
    (6, "C9-1", "再委託", "承認日 blank"),
    (6, "C11-2", "廃棄消去記録", "紙・電子 disposed of by 裁断 and 溶解 only: the later record"),
    (6, "C14-1", "事故報告", "報告日時 blank"),
    (6, "C14-2", "事故報告", "報告日時 blank: counts as as-of 24:00"),
    (7, "Q3", "", "contractor folder whose code has no contract (its faults are not findings)"),
)

#: Boundary cases that must pass (no key row): (profile, rules, what).
PASS_TABLE: tuple[tuple[int, str, str], ...] = (
    (0, "C3-2 C3-3", "届出日 = 従事開始日 2025-06-02, in the room that day"),
    (0, "C14-2", "incident reported exactly 24 hours after discovery"),
    (0, "C2-1", "multi-year contract: supervisor change on consecutive days"),
    (1, "C3-3", "in the room on the last day of employment, 2025-10-31"),
    (1, "C12-1", "reported exactly 7 days after the request"),
    (2, "C7.2-2", "ノートPC out since 4 days before as-of, not yet returned"),
    (2, "C12-1", "requested 3 days before as-of, not yet reported"),
    (3, "C8.2-2", "預り証 exactly 7 days after the handover"),
    (4, "C7.5-1", "two media checks exactly 92 days apart"),
    (4, "Q1", "no 端末一覧, but the contract excluding 第7七・第7八 does not need it"),
    (5, "C9-1 C9-2 C7.7-1", "contract excluding 第9・第7七: unapproved subcontract, 私物 device"),
    (6, "C5-2", "started 2025-03-24, first training 2025-04-08: it counts for fiscal 2024"),
)

#: The plant functions of each profile: (phase 1: roster, before logs; phase 2: logs).
PLANTERS: dict[int, tuple[Callable[[Contractor], None], Callable[[Contractor], None]]] = {
    0: (p0_phase1, p0_phase2),
    1: (p1_phase1, p1_phase2),
    2: (p2_phase1, p2_phase2),
    3: (p3_phase1, p3_phase2),
    4: (p4_phase1, p4_phase2),
    5: (p5_phase1, p5_phase2),
    6: (p6_phase1, p6_phase2),
}


def _run_plants(c: Contractor, phase: int) -> None:
    if c.known:
        PLANTERS[c.index % len(PROFILES)][phase - 1](c)


# --- building ---------------------------------------------------------------------------------


def _new_contractor(i: int, n: int, seed: int) -> Contractor:
    known = not (n >= len(PROFILES) + 1 and i == n - 1)
    profile = PROFILES[i % len(PROFILES)]
    rng = np.random.default_rng([seed, i])
    code = f"C{i + 1:03d}"
    name = _company_name(rng)
    folder = f"{_fullwidth(code) if profile.fullwidth_folder else code}_{name}"
    c = Contractor(i, code, name, folder, profile, known, rng)
    cycle = list(EMPLOYMENT)
    rng.shuffle(cycle)
    c.state.update(
        pid_prefix=_pick(rng, ("E", "S", "K", "T", "M")),
        names=set(),
        employment_cycle=cycle,
        work_place=f"本社 {_rint(rng, 2, 6)}F 作業室",
        room=_pick(rng, ROOMS[:2]),
        ledger_seq=0,
        device_seq=0,
        incident_seq=0,
        approval_seq=0,
    )
    c.annual = {
        fy: _workday(dt.date(fy, 6, 10) + dt.timedelta(days=_rint(rng, 0, 40)))
        for fy in range(2020, 2027)
    }
    return c


def _build_contractor(c: Contractor, serials: Iterable[int], access_target: int) -> None:
    specs = c.profile.contracts
    businesses = c.rng.choice(len(BUSINESSES), size=len(specs), replace=False).tolist()
    for spec, serial, business in zip(specs, serials, businesses, strict=False):
        c.contracts.append(_make_contract(c, spec, serial, business))
    for contract in c.contracts:
        _baseline_staff(c, contract)
    _shared_worker(c)
    if not c.known:
        c.rows(STAFF)[-1]["notified_on"] = None  # a fault nobody may report (folder is Q3)
    _run_plants(c, 1)
    _trainings(c)
    c.active = _active_intervals(c)
    _baseline_logs(c)
    _run_plants(c, 2)
    c.access = _access_log(c, access_target)


def build(contractors: int = 8, seed: int = 0, access_rows: int | None = None) -> list[Contractor]:
    """Generate every contractor in memory (no files).

    Args:
        contractors: Number of contractor folders; with 8 or more, the last has no contract.
        seed: Random seed.
        access_rows: Total access-log rows to aim for (default 1,500 per contractor).

    Returns:
        The contractors, in code order.
    """
    if contractors < 1:
        raise ValueError("contractors must be at least 1")
    per = DEFAULT_ACCESS_ROWS if access_rows is None else access_rows / contractors
    out, serial = [], 11
    for i in range(contractors):
        c = _new_contractor(i, contractors, seed)
        serials = range(serial, serial + 3 * len(c.profile.contracts), 3)
        serial += 3 * len(c.profile.contracts) + 2
        _build_contractor(c, serials, int(round(per)))
        out.append(c)
    return out


# --- writing: cells and grids -----------------------------------------------------------------


@dataclass
class Part:
    """Records of one form bound for one sheet or CSV file.

    Attributes:
        form: The form.
        file: File name, relative to the contractor folder (or the data folder for masters).
        sheet: Sheet name; None for CSV.
        records: The records, in order.
        source: Once written: the path relative to the data folder (NFKC, ``/``).
    """

    form: Form
    file: str
    sheet: str | None
    records: list[dict]
    source: str = ""


@dataclass
class Style:
    """What a writer needs: the profile, a random stream for cell styles, dropped columns."""

    profile: Profile
    rng: np.random.Generator
    drop: dict[str, set[str]] = field(default_factory=dict)


def _date_style(style: Style) -> str:
    p = style.profile
    if p.alt_date_style and style.rng.random() < 0.2:
        return p.alt_date_style
    return p.date_style


def _cell(value: object, column: Column, style: Style, csv_mode: bool) -> object:
    """The cell for ``value`` as this contractor writes it (None is an empty cell)."""
    if value is None or isinstance(value, Raw):
        return None if value is None else str(value)
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME):
        name = _date_style(style)
        if name == "excel" and not csv_mode:
            return value
        day = value.date() if isinstance(value, dt.datetime) else value
        text = format_date(day, "iso" if name == "excel" else name)
        if kind is Kind.DATETIME:
            text += f" {value.hour}:{value.minute:02d}"
        return text
    if kind is Kind.LIST:
        return style.profile.list_sep.join(value) or None
    if kind is Kind.INT:
        return str(value) if csv_mode else value
    if kind is Kind.ID and style.profile.fullwidth_ids:
        return _fullwidth(str(value))
    return value


def _header(form: Form, style: Style) -> list[tuple[Column | None, str]]:
    """The columns written, in order: (form column or None for 備考, header text)."""
    p = style.profile
    dropped = set(style.drop.get(form.key, set()))
    if form is TRAINING and not p.training_contract:
        dropped.add("contract_id")
    cols: list[tuple[Column | None, str]] = [
        (col, col.aliases[0] if p.aliases and col.aliases else col.name)
        for col in form.columns
        if col.key not in dropped
    ]
    if p.shuffle:
        order = np.random.default_rng(sum(map(ord, form.key))).permutation(len(cols))
        cols = [cols[i] for i in order]
    if p.extra:
        cols.insert(len(cols) - 1, (None, "備考"))
    return cols


def _title(form: Form, style: Style, owner: str) -> list[list]:
    text = f"{form.name}（令和7年度）　{owner}"
    return {0: [], 1: [[text]], 2: [[text], []], 3: [[], [text], []]}[style.profile.title]


_NOTES = ("", "", "", "", "", "確認済", "異動あり", "要確認")


def _grid(part: Part, style: Style, owner: str, csv_mode: bool) -> tuple[list[list], list[int]]:
    """Rows to write for ``part`` and, for each record, the index of its row."""
    header = _header(part.form, style)
    rows = _title(part.form, style, owner) + [[text for _, text in header]]
    at = []
    every = style.profile.blank_every
    for i, record in enumerate(part.records):
        at.append(len(rows))
        rows.append(
            [
                _cell(record.get(col.key), col, style, csv_mode)
                if col is not None
                else _pick(style.rng, _NOTES) or None
                for col, _ in header
            ]
        )
        if every and (i + 1) % every == 0 and i + 1 < len(part.records):
            rows.append([])
    return rows, at


def _csv_bytes(rows: list[list], encoding: str) -> tuple[bytes, list[int]]:
    """CSV text of ``rows`` and the line each row starts on (quoted line breaks counted)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    lines, line = [], 1
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        writer.writerow(cells)
        lines.append(line)
        line += 1 + sum(v.count("\n") for v in cells)
    return buf.getvalue().encode(encoding), lines


class _StampedZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one date, so equal content gives equal bytes."""

    stamp = (AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        """Add ``data``, dated :attr:`stamp`."""
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            zinfo_or_arcname.compress_type = self.compression
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        """Add a file's content (openpyxl's write-only sheets), dated :attr:`stamp`."""
        self.writestr(arcname or str(filename), Path(filename).read_bytes())


def _write_workbook(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """Write a workbook whose bytes depend only on its content (fixed save time and zip dates)."""
    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.properties.created = wb.properties.modified = dt.datetime.combine(AS_OF, dt.time())
    with _StampedZip(path, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()


def _emit(
    parts: list[Part],
    style: Style,
    folder: Path,
    source_prefix: str,
    owner: str,
    memo: list[list] | None = None,
) -> None:
    """Write ``parts`` (grouped by file) and set each record's ``_origin``."""
    by_file: dict[str, list[Part]] = {}
    for part in parts:
        by_file.setdefault(part.file, []).append(part)
    folder.mkdir(parents=True, exist_ok=True)
    for file, file_parts in by_file.items():
        source = nfkc(f"{source_prefix}{file}")
        for part in file_parts:
            part.source = source
        if file.endswith(".csv"):
            rows, at = _grid(file_parts[0], style, owner, csv_mode=True)
            data, lines = _csv_bytes(rows, "utf-8-sig")
            (folder / file).write_bytes(data)
            for record, pos in zip(file_parts[0].records, at, strict=True):
                record["_origin"] = (source, "", lines[pos])
            continue
        sheets = []
        for part in file_parts:
            rows, at = _grid(part, style, owner, csv_mode=False)
            sheets.append((part.sheet, rows))
            for record, pos in zip(part.records, at, strict=True):
                record["_origin"] = (source, nfkc(part.sheet), pos + 1)
        if memo is not None:
            sheets.append(("メモ", memo))
            memo = None
        _write_workbook(folder / file, sheets)


# --- writing: a contractor folder ---------------------------------------------------------------


def _form_file(c: Contractor, form: Form) -> tuple[str, str | None]:
    """(file, sheet) a form goes to under this contractor's layout."""
    p = c.profile
    name = STAFF.aliases[0] if form is STAFF and p.aliases else form.name
    if form.key in p.csv_forms:
        return f"{name}.csv", None
    if p.workbook == "single":
        return "提出書類一式.xlsx", name
    if p.workbook == "sheet1":
        return f"{name}.xlsx", "Sheet1"
    if p.workbook == "grouped":
        file = next(f for f, keys in GROUPS.items() if form.key in keys)
        return file, name
    return f"{name}.xlsx", name


def _submitted_forms(c: Contractor) -> list[Form]:
    """Forms this contractor writes: the always-needed ones, and the others with records."""
    forms = []
    for form in SUBMISSION_FORMS:
        if form is ACCESS or form.key in c.omit:
            continue
        if form.need in (Need.ALWAYS,) or c.records.get(form.key):
            forms.append(form)
    return forms


def _takeout_halves(records: list[dict]) -> list[tuple[str, list[dict]]]:
    first = [r for r in records if 4 <= r["taken_at"].month <= 9]
    second = [r for r in records if not 4 <= r["taken_at"].month <= 9]
    return [("持出記録_上期", first), ("持出記録_下期", second)]


def _sorted_records(form: Form, records: list[dict]) -> list[dict]:
    """Logs in time order (plants land among the baseline); other forms as created."""
    date_key = {
        TAKEOUT.key: "taken_at",
        COPIES.key: "at",
        MEDIA_CHECKS.key: "checked_on",
        HANDOVERS.key: "on",
        DISPOSALS.key: "on",
    }.get(form.key)
    if date_key is None:
        return records
    return sorted(records, key=lambda r: (r[date_key], r.get("contract_id") or ""))


def _parts(c: Contractor) -> list[Part]:
    parts = []
    for form in _submitted_forms(c):
        records = _sorted_records(form, c.records.get(form.key, []))
        file, sheet = _form_file(c, form)
        if form is TAKEOUT and c.profile.split_takeout:
            parts += [Part(form, file, s, rs) for s, rs in _takeout_halves(records)]
        else:
            parts.append(Part(form, file, sheet, records))
    if _access_in_sheet(c):
        records = c.access.drop(columns="_plant").to_dict("records")
        for record, plant in zip(records, c.access["_plant"].tolist(), strict=True):
            record["at"] = record["at"].to_pydatetime()
            record["_plant"] = plant
        parts.append(Part(ACCESS, *_form_file(c, ACCESS), records))
    return parts


def _access_in_sheet(c: Contractor) -> bool:
    return c.profile.access == "sheet" and len(c.access) <= ACCESS_SHEET_MAX


_ENCODINGS = {
    "cp932_monthly": ("cp932", "\r\n"),
    "utf8bom_monthly": ("utf-8-sig", "\r\n"),
    "utf8_monthly": ("utf-8", "\n"),
    "utf8_single": ("utf-8", "\n"),
    "sheet": ("utf-8-sig", "\r\n"),
}


def _write_access_csv(c: Contractor, folder: Path, prefix: str) -> dict[int, tuple]:
    """Write the access log as CSV (monthly splits or one file); origins of planted rows.

    Lines are joined as plain text (no cell needs quoting), which is several times faster
    than one ``to_csv`` per month.
    """
    p = c.profile
    encoding, eol = _ENCODINGS[p.access]
    frame = c.access
    pids = frame["person_id"].astype(str)
    if p.fullwidth_ids:
        pids = pids.map({v: _fullwidth(v) for v in pids.unique()})
    lines = (
        frame["at"].dt.strftime(p.access_format).to_numpy(dtype=object)
        + ","
        + pids.to_numpy(dtype=object)
        + ","
        + frame["direction"].astype(str).to_numpy(dtype=object)
        + ","
        + frame["room"].astype(str).to_numpy(dtype=object)
    )
    header = ",".join(col.name for col in ACCESS.columns)
    if p.access == "utf8_single":
        groups = [("入退室記録.csv", np.arange(len(frame)))]
    else:
        months = frame["at"].to_numpy().astype("datetime64[M]")
        groups = [(f"入退室記録_{m}.csv", np.flatnonzero(months == m)) for m in np.unique(months)]
    origins: dict[int, tuple] = {}
    plants = frame["_plant"].to_numpy()
    for name, idx in groups:
        head = [f"入退室記録（{name[6:-4]}）", header] if p.access_title else [header]
        text = eol.join([*head, *lines[idx].tolist()]) + eol
        (folder / name).write_bytes(text.encode(encoding))
        for pos in np.flatnonzero(plants[idx] >= 0):
            line = len(head) + 1 + int(pos)
            origins[int(plants[idx][pos])] = (nfkc(prefix + name), "", line)
    return origins


_README = (
    "提出書類について\r\n\r\n"
    "・本フォルダは{name}が提出した個人情報取扱特記事項に係る記録です。\r\n"
    "・入退室記録は入退室管理システムから月ごとに出力しています。\r\n"
)
_MEMO = [["提出時メモ"], ["様式は県指定のものを使用しています。"], ["不明点は作業責任者まで。"]]


def _write_contractor(c: Contractor, out: Path) -> None:
    folder = out / c.folder
    prefix = f"{c.folder}/"
    style = Style(c.profile, np.random.default_rng([c.index, 7]), c.drop_columns)
    parts = _parts(c)
    memo = _MEMO if c.profile.workbook == "single" else None
    _emit(parts, style, folder, prefix, c.name, memo)
    if not _access_in_sheet(c):
        origins = _write_access_csv(c, folder, prefix)
        for plant, origin in origins.items():
            c.access_extra[plant]["_origin"] = origin
    else:
        sheet_part = parts[-1]
        for record in sheet_part.records:
            if record["_plant"] >= 0:
                c.access_extra[record["_plant"]]["_origin"] = record["_origin"]
    for name, data in c.extra_files.items():
        (folder / name).write_bytes(data)
    if c.profile.workbook == "single":
        lock = f"~${_form_file(c, STAFF)[0]}"
        (folder / lock).write_bytes(b"\x0b" + "tanaka".encode("utf-16-le").ljust(160, b"\x20"))
        c.ignored.append(nfkc(prefix + lock))
        c.ignored.append(nfkc(f"{prefix}{_form_file(c, STAFF)[0]} [メモ]"))
    if c.profile.readme:
        (folder / "README.txt").write_text(_README.format(name=c.name), encoding="utf-8")
        c.ignored.append(nfkc(prefix + "README.txt"))
    c.counts = {form.name: 0 for form in SUBMISSION_FORMS}
    for part in parts:
        c.counts[part.form.name] += len(part.records)
    if not _access_in_sheet(c):
        c.counts[ACCESS.name] = len(c.access)
    c.parts = parts


# --- writing: masters, key, manifest ------------------------------------------------------------

_MASTER_PROFILE = Profile(label="prefecture", contracts=(), title=2, list_sep="、")


def _inspections(contractors: list[Contractor], rng: np.random.Generator) -> list[dict]:
    """One on-site inspection per contract and fiscal year (Sept–Dec), except where skipped."""
    rows = []
    for c in contractors:
        for contract in c.contracts if c.known else ():
            first, last = fiscal_year(contract["start_date"]), fiscal_year(_limit(contract))
            for fy in range(first, last + 1):
                lo = max(contract["start_date"] + dt.timedelta(days=45), dt.date(fy, 9, 1))
                hi = min(dt.date(fy, 12, 19), AS_OF - dt.timedelta(days=20), contract["end_date"])
                if fy in contract["_inspect_skip"] or lo > hi:
                    continue
                found = _rint(rng, 0, 2)
                rows.append(
                    {
                        "contract_id": contract["contract_id"],
                        "inspected_on": _rand_workday(rng, lo, hi),
                        "result": "指摘なし" if found == 0 else "軽微な指摘あり",
                        "findings_count": found,
                    }
                )
    return sorted(rows, key=lambda r: r["inspected_on"])


def _write_masters(contractors: list[Contractor], out: Path, seed: int) -> list[Part]:
    contracts = [k for c in contractors if c.known for k in c.contracts]
    for c in contractors:
        duplicate = c.state.get("master_duplicate")
        if duplicate:
            row = dict(
                duplicate,
                title=duplicate["title"] + "（変更契約）",
                end_date=duplicate["end_date"] + dt.timedelta(days=183),
            )
            contracts.append(_mark(row, "Q2", c.code, duplicate["contract_id"]))
    rng = np.random.default_rng([seed, 99])
    parts = [
        Part(CONTRACTS, "委託契約一覧.xlsx", CONTRACTS.name, contracts),
        Part(INSPECTIONS, "検査履歴.xlsx", INSPECTIONS.name, _inspections(contractors, rng)),
    ]
    style = Style(_MASTER_PROFILE, rng)
    _emit(parts[:1], style, out, "", "岡山県 総務部")
    _emit(parts[1:], Style(Profile(label="", contracts=()), rng), out, "", "")
    return parts


def _settings_toml() -> str:
    software = ", ".join(f'"{s}"' for s in ALLOWED_SOFTWARE)
    return (
        "# 監査設定（サンプル）。記載のない項目は既定値です。\n"
        f"as_of = {AS_OF.isoformat()}\n"
        f"allowed_software = [{software}]\n"
    )


def _key_row(
    rule_id: str,
    contractor_id: str,
    contract_id: str = "",
    form: str = "",
    source: str = "",
    sheet: str = "",
    row: int | None = None,
) -> dict:
    return dict(
        zip(
            KEY_COLUMNS,
            (rule_id, contractor_id, contract_id, form, source, sheet, row),
            strict=True,
        )
    )


def _record_keys(form: Form, records: Iterable[dict]) -> list[dict]:
    rows = []
    for record in records:
        for rule_id, contractor_id, contract_id in record.get("_keys", ()):
            source, sheet, row = record["_origin"]
            rows.append(
                _key_row(rule_id, contractor_id, contract_id, form.name, source, sheet, row)
            )
    return rows


def _contractor_keys(c: Contractor) -> list[dict]:
    if not c.known:
        return [_key_row("Q3", c.code, source=nfkc(c.folder))]
    rows = []
    for part in c.parts:
        if part.form is not ACCESS:
            rows += _record_keys(part.form, part.records)
    rows += _record_keys(ACCESS, c.access_extra)
    for f in c.findings:
        if "file" in f:
            rows.append(_key_row(f["rule_id"], c.code, source=nfkc(f"{c.folder}/{f['file']}")))
        elif "part_of" in f:
            for part in c.parts:
                if part.form.key == f["part_of"]:
                    rows.append(
                        _key_row(
                            "Q2",
                            c.code,
                            form=part.form.name,
                            source=part.source,
                            sheet=nfkc(part.sheet or ""),
                        )
                    )
        else:
            rows.append(_key_row(f["rule_id"], c.code, f["contract_id"], f["form"]))
    return rows


def _key_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(KEY_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for col in KEY_COLUMNS[:-1]:
        frame[col] = frame[col].fillna("").astype(str)
    order = ["contractor_id", "contract_id", "rule_id", "source", "sheet", "row"]
    return frame.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def _manifest(contractors: list[Contractor], masters: list[Part], seed: int) -> dict:
    known = [c for c in contractors if c.known]
    totals = {part.form.name: len(part.records) for part in masters}
    for form in SUBMISSION_FORMS:
        totals[form.name] = sum(c.counts.get(form.name, 0) for c in known)
    return {
        "seed": seed,
        "as_of": AS_OF.isoformat(),
        "contractors": len(contractors),
        "note": "records = non-blank data rows under the header; 'forms' sums the masters and "
        "the folders a loader reads (the unknown contractor's folder is not read)",
        "forms": totals,
        "by_contractor": {
            c.code: {
                "folder": nfkc(c.folder),
                "known": c.known,
                "profile": c.profile.label,
                "forms": {k: v for k, v in c.counts.items() if v},
            }
            for c in contractors
        },
        "ignored": [item for c in known for item in c.ignored],
        "unreadable": [nfkc(f"{c.folder}/{name}") for c in known for name in sorted(c.extra_files)],
    }


def generate(
    out: Path,
    contractors: int = 8,
    seed: int = 0,
    *,
    access_rows: int | None = None,
    key_dir: Path | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Write a synthetic data folder at ``out`` and its answer key beside it.

    Args:
        out: The data folder to create; it must not exist or be empty.
        contractors: Contractor folders; with 8 or more every rule id is planted and the last
            folder's code has no contract (Q3).
        seed: Random seed; the same seed gives the same folder and key.
        access_rows: Total access-log rows to aim for (default 1,500 per contractor).
        key_dir: Where ``answer_key.csv`` and ``manifest.json`` go; default
            ``<out>_answer_key`` beside ``out``. Never inside ``out``.
        overwrite: Replace an existing ``out`` that ``tokki samples`` wrote
            (``tokki samples --force``); its marker ``.tokki-owned`` lists what it wrote.

    Returns:
        The answer key, columns :data:`KEY_COLUMNS`, sorted as findings.csv is.

    Raises:
        FileExistsError: ``out`` exists, is not empty, and ``overwrite`` is false.
        ValueError: ``key_dir`` lies inside ``out``.
        tokki_analytics.export.OutputFolderError: ``overwrite`` is true but ``out`` holds
            files ``tokki samples`` did not write (they are left alone).
    """
    out = Path(out)
    key_dir = Path(key_dir) if key_dir is not None else out.parent / f"{out.name}_answer_key"
    if key_dir.resolve().is_relative_to(out.resolve()):
        raise ParameterError(  # a ValueError the command line shows as a message (exit 2)
            f"正解表の出力先 {key_dir} がデータフォルダ {out} の中です。データフォルダの外を"
            f"指定してください / the answer key must not be inside the data folder: {key_dir}"
        )
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty")
    # --force replaces only a folder tokki samples wrote, and only when all of it is tokki's
    check_out(out, "samples", exclusive=True)
    people = build(contractors, seed, access_rows)
    with staged_folder(out, "samples", exclusive=True, mode=0o755) as work:
        (work / "settings.toml").write_text(_settings_toml(), encoding="utf-8")
        for c in people:
            _write_contractor(c, work)
        masters = _write_masters(people, work, seed)
    rows = [r for part in masters for r in _record_keys(part.form, part.records)]
    for c in people:
        rows += _contractor_keys(c)
    key = _key_frame(rows)
    key_dir.mkdir(parents=True, exist_ok=True)
    for name in ("answer_key.csv", "manifest.json"):  # a link planted there is not followed
        if (key_dir / name).is_symlink():
            (key_dir / name).unlink()
    key.to_csv(key_dir / "answer_key.csv", index=False, encoding="utf-8-sig")
    manifest = _manifest(people, masters, seed)
    (key_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return key


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tokki_analytics.samples OUT --contractors N --seed S``."""
    parser = argparse.ArgumentParser(
        prog="python -m tokki_analytics.samples",
        description="Write a synthetic sample prefecture and its answer key.",
    )
    parser.add_argument("out", type=Path, help="data folder to create")
    parser.add_argument("--contractors", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--access-rows", type=int, default=None)
    parser.add_argument("--key-dir", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    args = parser.parse_args(argv)
    key = generate(
        args.out,
        args.contractors,
        args.seed,
        access_rows=args.access_rows,
        key_dir=args.key_dir,
        overwrite=args.force,
    )
    print(f"{args.out}: {args.contractors} contractors, {len(key)} findings in the answer key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
