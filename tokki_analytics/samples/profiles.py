"""The seven contractor profiles: folder layouts, cell styles and contract shapes.

Contractor *i* follows profile ``i % 7``; with eight or more contractors the last folder's code
has no contract (:data:`UNKNOWN`). A profile fixes how the folder looks (one workbook with every
form, one workbook per form, CSV files, title rows, 和暦 dates, aliases, encodings …) and the
shapes of the contractor's contracts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tokki_analytics.samples.calendar import ymd

#: Contract shapes: (start, end). As-of 2026-01-31 lies in fiscal year 2025.
SHAPES: dict[str, tuple[dt.date, dt.date]] = {
    "current": (ymd("2025-04-01"), ymd("2026-03-31")),
    "multi": (ymd("2023-04-01"), ymd("2026-03-31")),
    "ended_fy24": (ymd("2024-04-01"), ymd("2025-03-31")),
    "ended_mid": (ymd("2025-04-01"), ymd("2025-09-30")),
    "late": (ymd("2025-07-01"), ymd("2026-03-31")),
    "long": (ymd("2024-10-01"), ymd("2027-09-30")),
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
        date_style: A :data:`~tokki_analytics.ingest.dates.DATE_STYLES` name, or ``excel`` for
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

#: The profile number of the last folder (eight or more contractors): a code with no contract.
UNKNOWN = len(PROFILES)

#: How the prefecture writes its masters (委託契約一覧): a title and a blank row.
MASTER_PROFILE = Profile(label="prefecture", contracts=(), title=2, list_sep="、")
#: 検査履歴: plain sheets.
PLAIN_PROFILE = Profile(label="", contracts=())
