"""The one declaration of every submission form (様式), as data.

Everything that knows a form's columns derives from this module: header matching and
parsing (:mod:`tokki_analytics.ingest`), the sample generator
(:mod:`tokki_analytics.samples`) and the generated column reference in ``docs/FORMS.md``.
The content follows the input contract (FORMS.md of the specification).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from tokki_analytics.vocab import CLAUSE_IDS


class Kind(StrEnum):
    """How a column's cells are read."""

    ID = "id"
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    MARK = "mark"
    INT = "int"
    ENUM = "enum"
    LIST = "list"


@dataclass(frozen=True)
class Column:
    """One column of a form.

    Attributes:
        name: The Japanese header a user sees in Excel.
        key: The canonical name the code uses (also the column name in typed frames).
        kind: How cells are read.
        required: Marked ● in FORMS.md: the header must be present and cells non-blank.
        aliases: Other headers accepted for this column.
        allowed: For ENUM, the allowed values; for LIST, the allowed items (empty: any).
        personal: The column holds person names (masked in reports).
        open_end: An end date where ``9999-12-31`` means "no end date" (the convention of
            Japanese business systems): read as blank when the column is optional, as the
            last day tokki reads (:data:`tokki_analytics.ingest.dates.LAST_DAY`) when required.
    """

    name: str
    key: str
    kind: Kind = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    personal: bool = False
    open_end: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """All accepted headers, normalised for matching."""
        return tuple(header_key(h) for h in (self.name, *self.aliases))


class Need(StrEnum):
    """When a contract needs a form (FORMS.md, "Which forms a contract needs")."""

    ALWAYS = "always"
    ELECTRONIC = "electronic"  # where the contract's 電子データ取扱 is not 無
    WHEN_ANY = "when_any"  # only when there is something to record
    MASTER = "master"  # a prefecture master, at the top of the data folder


@dataclass(frozen=True)
class Form:
    """One form: a sheet or CSV file type of a submission.

    Attributes:
        key: Canonical name, used in code and as the key of loaded frames.
        name: The Japanese form name (sheet and file names).
        title_en: English title, for docs and bilingual messages.
        columns: The form's columns.
        need: When a contract needs this form. A contract that excludes every clause whose
            rules read the form does not need it either (FORMS.md); those clauses are derived
            from the rule catalogue (:data:`tokki_analytics.rules.FORM_CLAUSES`).
        aliases: Other accepted form names.
        owner: ``"contract"`` when rows carry 契約番号, ``"ledger"`` when their contract is
            the one of their 台帳番号, ``"contractor"`` for contractor-wide rows.
        period: The column (key) that dates a record, for the submission-status overview
            (提出状況: the period the records cover); None for lists such as 作業従事者名簿.
        continuous: Records are expected throughout the contract period (daily activity such
            as 入退室記録): the overview flags records that stop, or start, well inside it.
    """

    key: str
    name: str
    title_en: str
    columns: tuple[Column, ...]
    need: Need = Need.WHEN_ANY
    aliases: tuple[str, ...] = ()
    owner: str = "contract"
    period: str | None = None
    continuous: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """All accepted form names, NFKC-normalised."""
        return tuple(nfkc(n) for n in (self.name, *self.aliases))

    @property
    def required(self) -> tuple[Column, ...]:
        """The required (●) columns."""
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        """Return the column with canonical name ``key``."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key} has no column {key!r}")

    @property
    def is_master(self) -> bool:
        """True for prefecture masters (not submitted by contractors)."""
        return self.need is Need.MASTER


def nfkc(text: str) -> str:
    """NFKC-normalise and trim ``text``."""
    return unicodedata.normalize("NFKC", text).strip()


def header_key(text: str) -> str:
    """Normalise a header or listed value for matching: NFKC with all spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# --- value lists shared by several forms -------------------------------------------------

YES_MARKS = ("済", "有", "要", "○", "〇", "はい")
NO_MARKS = ("未", "無", "不要", "×", "いいえ")
BLANK_WORDS = ("-", "－", "―", "‐", "なし")
LIST_SEPARATORS = (";", "；", "、", ",", "\n")
HAS = ("有", "無")
ROLES = ("作業責任者", "作業従事者")
EMPLOYMENT = ("正社員", "契約社員", "派遣労働者", "パート・アルバイト", "その他")
LEDGER_MEDIA = ("紙", "電子", "紙・電子")
LEDGER_STATUS = ("保管中", "返還済", "廃棄済", "消去済")
TAKEOUT_MEDIA = ("紙", "USBメモリ", "外付けHDD", "ノートPC", "CD・DVD", "電子メール", "その他")
DISPOSAL_METHODS = ("返還", "裁断", "溶解", "焼却", "消去ソフト", "物理破壊", "その他")


def _contract(required: bool = True) -> Column:
    return Column("契約番号", "contract_id", Kind.ID, required=required)


def _person() -> Column:
    return Column("従事者ID", "person_id", Kind.ID, required=True, aliases=("職員番号",))


def _ledger(required: bool = True) -> Column:
    return Column("台帳番号", "ledger_id", Kind.ID, required=required)


CONTRACTS = Form(
    key="contracts",
    name="委託契約一覧",
    title_en="Contracts (prefecture master)",
    need=Need.MASTER,
    columns=(
        _contract(),
        Column("受託者コード", "contractor_id", Kind.ID, required=True),
        Column("受託者名", "contractor_name", Kind.TEXT, required=True),
        Column("担当課", "department", Kind.TEXT, required=True),
        Column("業務名", "title", Kind.TEXT, required=True),
        Column("契約開始日", "start_date", Kind.DATE, required=True),
        Column("契約終了日", "end_date", Kind.DATE, required=True, open_end=True),
        Column("取扱件数", "record_volume", Kind.INT),
        Column("要配慮個人情報", "sensitive", Kind.ENUM, allowed=HAS),
        Column("電子データ取扱", "handles_electronic", Kind.ENUM, allowed=HAS),
        Column("持出先指定場所", "designated_places", Kind.LIST),
        Column("受渡方法指定", "designated_handover_means", Kind.LIST),
        Column("適用除外条項", "excluded_clauses", Kind.LIST, allowed=CLAUSE_IDS),
    ),
)

INSPECTIONS = Form(
    key="inspections",
    name="検査履歴",
    title_en="Past on-site inspections (prefecture master, optional)",
    need=Need.MASTER,
    columns=(
        _contract(),
        Column("検査日", "inspected_on", Kind.DATE, required=True),
        Column("結果", "result", Kind.TEXT),
        Column("指摘件数", "findings_count", Kind.INT),
    ),
)

STAFF = Form(
    key="staff",
    name="作業従事者名簿",
    title_en="Staff roster and notifications",
    aliases=("作業責任者等届出",),
    need=Need.ALWAYS,
    columns=(
        _contract(),
        _person(),
        Column("氏名", "name", Kind.TEXT, required=True, personal=True),
        Column("役割", "role", Kind.ENUM, required=True, allowed=ROLES),
        Column("雇用形態", "employment", Kind.ENUM, required=True, allowed=EMPLOYMENT),
        Column("作業場所", "work_place", Kind.TEXT, required=True),
        Column("従事開始日", "start_date", Kind.DATE, required=True),
        Column("従事終了日", "end_date", Kind.DATE, open_end=True),
        Column("届出日", "notified_on", Kind.DATE),
        Column("誓約書提出日", "pledge_on", Kind.DATE),
    ),
)

TRAINING = Form(
    key="training",
    name="研修記録",
    title_en="Training records",
    need=Need.ALWAYS,
    period="held_on",
    columns=(
        Column("実施日", "held_on", Kind.DATE, required=True),
        _person(),
        Column("研修名", "topic", Kind.TEXT, required=True),
        _contract(required=False),
    ),
)

LEDGER = Form(
    key="ledger",
    name="個人情報管理台帳",
    title_en="Personal-information ledger",
    need=Need.ALWAYS,
    period="received_on",
    columns=(
        _ledger(),
        _contract(),
        Column("個人情報の名称", "dataset", Kind.TEXT),
        Column("件数", "records", Kind.INT),
        Column("媒体", "medium", Kind.ENUM, allowed=LEDGER_MEDIA),
        Column("保管場所", "storage_place", Kind.TEXT),
        Column("保管方法", "storage_method", Kind.TEXT),
        Column("利用者", "users", Kind.LIST),
        Column("受領日", "received_on", Kind.DATE),
        Column("返還・廃棄期限", "due_on", Kind.DATE),
        Column("状態", "status", Kind.ENUM, allowed=LEDGER_STATUS),
    ),
)

ACCESS = Form(
    key="access",
    name="入退室記録",
    title_en="Room access log",
    need=Need.ALWAYS,
    owner="contractor",
    period="at",
    continuous=True,
    columns=(
        Column("日時", "at", Kind.DATETIME, required=True),
        _person(),
        Column("区分", "direction", Kind.ENUM, required=True, allowed=("入室", "退室")),
        Column("部屋", "room", Kind.TEXT, required=True),
    ),
)

TAKEOUT = Form(
    key="takeout",
    name="持出記録",
    title_en="Take-out log",
    need=Need.ALWAYS,
    owner="ledger",
    period="taken_at",
    columns=(
        Column("持出日時", "taken_at", Kind.DATETIME, required=True),
        _person(),
        _ledger(),
        Column("持出先", "destination", Kind.TEXT, required=True),
        Column("媒体", "medium", Kind.ENUM, required=True, allowed=TAKEOUT_MEDIA),
        Column("暗号化", "encrypted", Kind.MARK),
        Column("承認者", "approver", Kind.TEXT, personal=True),
        Column("返却日時", "returned_at", Kind.DATETIME),
    ),
)

COPIES = Form(
    key="copies",
    name="複製記録",
    title_en="Copy log",
    owner="ledger",
    period="at",
    columns=(
        Column("日時", "at", Kind.DATETIME, required=True),
        _person(),
        _ledger(),
        Column("複製内容", "what", Kind.TEXT),
        Column("部数", "copies", Kind.INT),
        Column("承諾番号", "approval_ref", Kind.ID),
    ),
)

MEDIA_CHECKS = Form(
    key="media_checks",
    name="媒体点検記録",
    title_en="Media and backup checks",
    need=Need.ELECTRONIC,
    period="checked_on",
    columns=(
        Column("点検日", "checked_on", Kind.DATE, required=True),
        _contract(),
        Column(
            "対象",
            "target",
            Kind.ENUM,
            required=True,
            allowed=("媒体", "バックアップ", "データ正確性"),
        ),
        Column("点検者", "checker", Kind.TEXT, personal=True),
        Column("結果", "result", Kind.ENUM, required=True, allowed=("異常なし", "異常あり")),
        Column("措置", "action", Kind.TEXT),
    ),
)

DEVICES = Form(
    key="devices",
    name="端末一覧",
    title_en="Devices",
    need=Need.ALWAYS,
    columns=(
        Column("端末ID", "device_id", Kind.ID, required=True),
        _contract(),
        Column("所有区分", "ownership", Kind.ENUM, required=True, allowed=("会社貸与", "私物")),
        Column("設置場所", "place", Kind.TEXT),
        Column("インストールソフトウェア", "software", Kind.LIST),
        Column("確認日", "checked_on", Kind.DATE),
    ),
)

HANDOVERS = Form(
    key="handovers",
    name="受渡記録",
    title_en="Handovers",
    period="on",
    columns=(
        Column("受渡日", "on", Kind.DATE, required=True),
        _contract(),
        _ledger(required=False),
        Column("方向", "direction", Kind.ENUM, required=True, allowed=("甲→乙", "乙→甲")),
        Column("方法", "means", Kind.TEXT, required=True),
        Column("場所", "place", Kind.TEXT),
        Column("預り証提出日", "receipt_on", Kind.DATE),
    ),
)

SUBCONTRACTS = Form(
    key="subcontracts",
    name="再委託",
    title_en="Subcontracts",
    columns=(
        _contract(),
        Column("再委託先名称", "subcontractor", Kind.TEXT, required=True),
        Column("再委託理由", "reason", Kind.TEXT),
        Column("再委託内容", "work", Kind.TEXT),
        Column("取扱個人情報", "data", Kind.TEXT),
        Column("安全対策", "safeguards", Kind.TEXT),
        Column("監督方法", "supervision", Kind.TEXT),
        Column("申請日", "applied_on", Kind.DATE),
        Column("承認日", "approved_on", Kind.DATE),
        Column("開始日", "start_date", Kind.DATE, required=True),
    ),
)

DISPOSALS = Form(
    key="disposals",
    name="廃棄消去記録",
    title_en="Return, disposal and erasure",
    period="on",
    columns=(
        _ledger(),
        _contract(),
        Column("処理区分", "kind", Kind.ENUM, required=True, allowed=("返還", "廃棄", "消去")),
        Column("処理日", "on", Kind.DATE, required=True),
        Column("方法", "method", Kind.ENUM, allowed=DISPOSAL_METHODS),
        Column("立会い要否", "witness_requested", Kind.ENUM, allowed=("要", "不要")),
        Column("立会者", "witness", Kind.TEXT, personal=True),
        Column("証明書提出日", "certificate_on", Kind.DATE),
    ),
)

INSPECTION_REQUESTS = Form(
    key="inspection_requests",
    name="点検報告",
    title_en="Self-inspection requests and reports",
    period="requested_on",
    columns=(
        _contract(),
        Column("依頼日", "requested_on", Kind.DATE, required=True),
        Column("報告日", "reported_on", Kind.DATE),
    ),
)

INCIDENTS = Form(
    key="incidents",
    name="事故報告",
    title_en="Incident reports",
    period="discovered_at",
    columns=(
        Column("事故番号", "incident_id", Kind.ID, required=True),
        _contract(),
        Column("発生日時", "occurred_at", Kind.DATETIME),
        Column("発覚日時", "discovered_at", Kind.DATETIME, required=True),
        Column("報告日時", "reported_at", Kind.DATETIME),
        Column("内容", "description", Kind.TEXT),
        Column("件数", "records_affected", Kind.INT),
        Column("発生場所", "place", Kind.TEXT),
        Column("発生状況", "circumstances", Kind.TEXT),
        Column("要配慮個人情報", "sensitive", Kind.ENUM, allowed=HAS),
    ),
)

#: The follow-up record's states an auditor sets (:mod:`tokki_analytics.followup`).
FOLLOWUP_STATES = ("未対応", "是正指示済", "是正報告受領", "是正確認済", "対象外（説明受領）")
#: The file name of the follow-up record at the top of the data folder.
FOLLOWUP_FILE = "指摘対応記録.xlsx"

FOLLOWUP_RECORD = Form(
    key="followup",
    name="指摘対応記録",
    title_en=(
        f"Follow-up of findings: DATA/{FOLLOWUP_FILE}, a run's followup.xlsx edited by the "
        "auditors (prefecture record, optional; read by the next run, never audited)"
    ),
    need=Need.MASTER,
    columns=(
        Column("指摘ID", "finding_id", Kind.ID, required=True),
        Column("受託者コード", "contractor_id", Kind.ID),
        Column("契約番号", "contract_id", Kind.ID),
        Column("規則", "rule_id", Kind.ID),
        Column("様式", "form", Kind.TEXT),
        Column("内容", "detail", Kind.TEXT),
        Column("状態", "state", Kind.ENUM, allowed=FOLLOWUP_STATES),  # blank: 未対応
        Column("判定", "derived", Kind.TEXT),
        Column("指示日", "instructed_on", Kind.DATE),
        Column("是正期限", "due_on", Kind.DATE),
        Column("報告日", "reported_on", Kind.DATE),
        Column("確認日", "confirmed_on", Kind.DATE),
        Column("理由", "reason", Kind.TEXT),
        Column("メモ", "memo", Kind.TEXT),
    ),
)

#: Prefecture masters, at the top of the data folder.
MASTERS: tuple[Form, ...] = (CONTRACTS, INSPECTIONS)

#: Prefecture records tokki writes and auditors edit; not read by the audit (not in ALL_FORMS).
RECORDS: tuple[Form, ...] = (FOLLOWUP_RECORD,)
#: File names of the auditors' records at the top of the data folder: not read as forms.
RECORD_FILES = frozenset({FOLLOWUP_FILE})
#: Sheets of tokki's submission template (``tokki template``) that hold no records: the guide
#: 記入要領 and the hidden drop-down lists 選択肢. A filled template may keep them: the loader
#: neither reads them nor lists them as ignored (DECISIONS: template sheets).
TEMPLATE_SHEETS: tuple[str, str] = ("記入要領", "選択肢")

#: Forms a contractor submits, in the order of FORMS.md.
SUBMISSION_FORMS: tuple[Form, ...] = (
    STAFF,
    TRAINING,
    LEDGER,
    ACCESS,
    TAKEOUT,
    COPIES,
    MEDIA_CHECKS,
    DEVICES,
    HANDOVERS,
    SUBCONTRACTS,
    DISPOSALS,
    INSPECTION_REQUESTS,
    INCIDENTS,
)

ALL_FORMS: tuple[Form, ...] = MASTERS + SUBMISSION_FORMS

FORMS_BY_KEY: dict[str, Form] = {f.key: f for f in ALL_FORMS}


def form_for_name(name: str, forms: tuple[Form, ...] = SUBMISSION_FORMS) -> Form | None:
    """Return the form a sheet or file stem names, or None.

    A name is a form's when, after NFKC normalisation, it equals one of the form's names or
    starts with it followed by ``_`` (a part: ``入退室記録_2025-04``).

    Args:
        name: A sheet name or a file name without its suffix.
        forms: The forms to look among.

    Returns:
        The form, or None when the name is not a form's.
    """
    norm = nfkc(name)
    for form in forms:
        for fname in form.names:
            if norm == fname or norm.startswith(fname + "_"):
                return form
    return None
