"""Records of the logs and ledgers, clean by default: the baseline and the plants both add them.

Each ``add_*`` function appends one record (or a dataset and its disposals) to the contractor
and returns it, so that a plant can break exactly one thing of it.
"""

from __future__ import annotations

import datetime as dt

from tokki_analytics.forms import (
    COPIES,
    DEVICES,
    DISPOSALS,
    HANDOVERS,
    INCIDENTS,
    INSPECTION_REQUESTS,
    LEDGER,
    MEDIA_CHECKS,
    SUBCONTRACTS,
    TAKEOUT,
)
from tokki_analytics.samples.calendar import at, pick_workday, workday, ymd
from tokki_analytics.samples.model import (
    ALLOWED_SOFTWARE,
    AS_OF,
    DAY,
    DEFAULTS,
    FAR,
    Contract,
    Contractor,
    Record,
    pick,
    rint,
)
from tokki_analytics.samples.roster import (
    Auto,
    known_rows,
    person_name,
    pick_active,
    supervisor_name,
)
from tokki_analytics.samples.vocabulary import (
    ELECTRONIC_TAKEOUT,
    HANDOVER_MEANS,
    INCIDENT_KINDS,
    SUBCONTRACTORS,
)

#: A disposal plan: (種別, 方法) of each disposal record, in order.
Plan = list[tuple[str, str]]

# --- ledger and disposals -------------------------------------------------------------------


def ledger_users(c: Contractor, contract: Contract, k: int = 3) -> list[str]:
    """Notified, non-quiet workers of ``contract``; the first supervisor first."""
    pids = [
        r["person_id"]
        for r in known_rows(c)
        if r["contract_id"] == contract.contract_id
        and isinstance(r["notified_on"], dt.date)
        and not c.persons[r["person_id"]].quiet
    ]
    pids = list(dict.fromkeys(pids))
    rest = pids[1:]
    c.rng.shuffle(rest)
    return pids[:1] + rest[: max(0, k - 1)]


def add_dataset(
    c: Contractor,
    contract: Contract,
    name: str,
    medium: str,
    *,
    received: dt.date | None | Auto = "auto",
    due: dt.date | None | Auto = "auto",
    dispose_on: dt.date | None | Auto = "auto",
    plan: Plan | None = None,
    storage_method: str | None = "auto",
) -> tuple[Record, list[Record]]:
    """Add a ledger row (and its disposal records when it is disposed of). Clean by default.

    ``dispose_on="auto"`` disposes of the datasets of ended contracts 3–20 days after the end.
    """
    c.ledger_seq += 1
    if isinstance(received, str):
        received = workday(contract.start_date + dt.timedelta(days=rint(c.rng, 0, 20)))
    if isinstance(due, str):
        due = contract.end_date + dt.timedelta(days=DEFAULTS.disposal_days)
        due = due if c.rng.random() < 0.6 else None
    if storage_method == "auto":
        if medium == "電子":
            storage_method = "暗号化ファイルサーバ（アクセス権限管理）"
        else:
            storage_method = pick(c.rng, DEFAULTS.storage_methods)
    room = c.room
    ledger = {
        "ledger_id": f"L{c.ledger_seq:03d}",
        "contract_id": contract.contract_id,
        "dataset": name,
        "records": rint(c.rng, 1, 120) * 50,
        "medium": medium,
        "storage_place": f"{room} サーバ" if medium == "電子" else f"{room} 書庫",
        "storage_method": storage_method,
        "users": ledger_users(c, contract),
        "received_on": received,
        "due_on": due,
        "status": "保管中",
    }
    c.rows(LEDGER).append(ledger)
    if isinstance(dispose_on, str):
        dispose_on = None
        if contract.ended:
            dispose_on = contract.end_date + dt.timedelta(days=rint(c.rng, 3, 20))
    disposals = dispose(c, ledger, dispose_on, plan) if dispose_on else []
    return ledger, disposals


def disposal_plan(c: Contractor, medium: str) -> Plan:
    """A clean plan for a dataset on ``medium`` (the methods fit the medium)."""
    if medium == "紙":
        return [pick(c.rng, (("廃棄", "裁断"), ("廃棄", "溶解"), ("返還", "返還")))]
    if medium == "電子":
        return [pick(c.rng, (("消去", "消去ソフト"), ("廃棄", "物理破壊"), ("返還", "返還")))]
    return [("廃棄", "裁断"), ("消去", "消去ソフト")]


def dispose(c: Contractor, ledger: Record, on: dt.date, plan: Plan | None) -> list[Record]:
    """Clean disposal records for ``ledger`` (methods fit its medium), status set."""
    plan = plan or disposal_plan(c, ledger["medium"])
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
            "witness": person_name(c) if witness_requested == "要" else None,
            "certificate_on": None if kind == "返還" else day + dt.timedelta(rint(c.rng, 1, 7)),
        }
        c.rows(DISPOSALS).append(record)
        records.append(record)
        day += dt.timedelta(days=rint(c.rng, 1, 5))
    ledger["status"] = {"返還": "返還済", "廃棄": "廃棄済", "消去": "消去済"}[plan[0][0]]
    return records


def live_datasets(c: Contractor, contract: Contract, medium: str | None = None) -> list[Record]:
    """Datasets of ``contract`` still held; ``medium`` ``paper``/``electronic`` filters."""
    out = []
    for row in c.rows(LEDGER):
        if row["contract_id"] != contract.contract_id or row["status"] != "保管中":
            continue
        if medium == "paper" and row["medium"] == "電子":
            continue
        if medium == "electronic" and row["medium"] == "紙":
            continue
        out.append(row)
    return out


def disposed_on(c: Contractor, ledger: Record) -> dt.date:
    """The first disposal of ``ledger`` (far in the future when there is none)."""
    days = [r["on"] for r in c.rows(DISPOSALS) if r["ledger_id"] == ledger["ledger_id"]]
    return min(days) if days else FAR


def ledger_window(c: Contractor, contract: Contract, ledger: Record) -> tuple[dt.date, dt.date]:
    """The days on which ``ledger``'s dataset may be handled (logs from fiscal 2024 on)."""
    lo = max(contract.start_date, ledger["received_on"] or contract.start_date)
    hi = min(contract.limit, disposed_on(c, ledger) - DAY)
    return max(lo, ymd("2024-04-01")), hi


def log_at(
    c: Contractor,
    contract: Contract,
    medium: str | None = None,
    lo: dt.date | None = None,
    hi: dt.date | None = None,
) -> tuple[Record, str, dt.date]:
    """A live dataset of ``contract``, one of its users and a day they may handle it.

    Raises:
        RuntimeError: No dataset of ``contract`` has a user active in its window.
    """
    datasets = live_datasets(c, contract, medium)
    c.rng.shuffle(datasets)
    for ledger in datasets:
        w_lo, w_hi = ledger_window(c, contract, ledger)
        picked = pick_active(c, ledger["users"], max(w_lo, lo or w_lo), min(w_hi, hi or w_hi))
        if picked:
            return ledger, picked[0], picked[1]
    raise RuntimeError(f"{c.code}: no dataset of {contract.contract_id} to log against")


# --- logs -----------------------------------------------------------------------------------


def add_takeout(
    c: Contractor,
    contract: Contract,
    ledger: Record,
    pid: str,
    day: dt.date,
    medium: str | None = None,
) -> Record:
    """A clean take-out: designated place, encrypted if electronic, returned if returnable."""
    if medium is None:
        choices = {"紙": ("紙",), "電子": ELECTRONIC_TAKEOUT}
        medium = pick(c.rng, choices.get(ledger["medium"], ("紙", *ELECTRONIC_TAKEOUT)))
    taken = at(day, rint(c.rng, 9, 15), rint(c.rng, 0, 59))
    returned = None
    if medium in DEFAULTS.returnable_media:
        returned = taken + dt.timedelta(hours=rint(c.rng, 2, 30), minutes=rint(c.rng, 0, 59))
        returned = returned if returned.date() <= AS_OF else None
    places = contract.designated_places
    record = {
        "taken_at": taken,
        "person_id": pid,
        "ledger_id": ledger["ledger_id"],
        "destination": pick(c.rng, places) if places else f"岡山県庁 {contract.department}",
        "medium": medium,
        "encrypted": c.profile.yes_mark if medium in DEFAULTS.electronic_media else None,
        "approver": supervisor_name(c, contract),
        "returned_at": returned,
    }
    c.rows(TAKEOUT).append(record)
    return record


def add_copy(c: Contractor, contract: Contract, ledger: Record, pid: str, day: dt.date) -> Record:
    """A clean copy record (approved: 承諾番号 given)."""
    c.approval_seq += 1
    record = {
        "at": at(day, rint(c.rng, 9, 17), rint(c.rng, 0, 59)),
        "person_id": pid,
        "ledger_id": ledger["ledger_id"],
        "what": pick(c.rng, ("申請書の写し（控え用）", "集計表の複製", "バックアップ媒体の作成")),
        "copies": rint(c.rng, 1, 3),
        "approval_ref": f"岡県第{c.approval_seq + 100 * c.index}号",
    }
    c.rows(COPIES).append(record)
    return record


def add_check(
    c: Contractor,
    contract: Contract,
    day: dt.date,
    result: str = "異常なし",
    action: str | None = None,
) -> Record:
    """A media check on ``day`` by the supervisor."""
    record = {
        "checked_on": day,
        "contract_id": contract.contract_id,
        "target": pick(c.rng, ("媒体", "バックアップ", "データ正確性")),
        "checker": supervisor_name(c, contract),
        "result": result,
        "action": action,
    }
    c.rows(MEDIA_CHECKS).append(record)
    return record


def add_device(
    c: Contractor,
    contract: Contract,
    *,
    ownership: str = "会社貸与",
    extra_software: tuple[str, ...] = (),
) -> Record:
    """A device with allowed software only, unless ``extra_software`` is given."""
    c.device_seq += 1
    software = c.rng.choice(ALLOWED_SOFTWARE, size=rint(c.rng, 2, 4), replace=False).tolist()
    record = {
        "device_id": f"PC-{c.device_seq:03d}",
        "contract_id": contract.contract_id,
        "ownership": ownership,
        "place": c.room,
        "software": sorted(software) + list(extra_software),
        "checked_on": pick_workday(c.rng, ymd("2025-10-01"), AS_OF - dt.timedelta(days=7)),
    }
    c.rows(DEVICES).append(record)
    return record


def add_handover(
    c: Contractor,
    contract: Contract,
    ledger_id: str | None,
    on: dt.date,
    direction: str = "甲→乙",
    receipt_days: int | None | Auto = "auto",
    means: str | None = None,
) -> Record:
    """A clean handover: designated means; a receipt within 0–5 days for 甲→乙."""
    if means is None:
        means = pick(c.rng, contract.designated_handover_means or HANDOVER_MEANS)
    if isinstance(receipt_days, str):
        receipt_days = rint(c.rng, 0, 5) if direction == "甲→乙" else None
    record = {
        "on": on,
        "contract_id": contract.contract_id,
        "ledger_id": ledger_id,
        "direction": direction,
        "means": means,
        "place": f"岡山県庁 {contract.department}",
        "receipt_on": None if receipt_days is None else on + dt.timedelta(days=receipt_days),
    }
    c.rows(HANDOVERS).append(record)
    return record


def add_subcontract(c: Contractor, contract: Contract) -> Record:
    """A subcontract approved before it starts, every field filled in."""
    start = contract.start_date + dt.timedelta(days=rint(c.rng, 0, 30))
    applied = contract.start_date - dt.timedelta(days=rint(c.rng, 20, 40))
    record = {
        "contract_id": contract.contract_id,
        "subcontractor": pick(c.rng, SUBCONTRACTORS),
        "reason": "繁忙期の入力作業量に対応するため",
        "work": "申請書のデータ入力（作業室内に限る）",
        "data": "、".join(contract.datasets[:1]),
        "safeguards": "作業室内での作業に限定、私物持込禁止、作業後の媒体回収",
        "supervision": "作業責任者による日次確認と月次報告",
        "applied_on": applied,
        "approved_on": applied + dt.timedelta(days=rint(c.rng, 5, 15)),
        "start_date": start,
    }
    c.rows(SUBCONTRACTS).append(record)
    return record


def add_request(c: Contractor, contract: Contract, requested: dt.date, days: int | None) -> Record:
    """An inspection request reported ``days`` later (None: not reported)."""
    record = {
        "contract_id": contract.contract_id,
        "requested_on": requested,
        "reported_on": None if days is None else requested + dt.timedelta(days=days),
    }
    c.rows(INSPECTION_REQUESTS).append(record)
    return record


def add_incident(
    c: Contractor,
    contract: Contract,
    discovered: dt.datetime,
    report_hours: float | None = 3,
    **changes: object,
) -> Record:
    """A clean incident report (found and reported within the day, few records).

    ``changes`` replace fields of the record (``place=None`` …).
    """
    c.incident_seq += 1
    description, circumstances = pick(c.rng, INCIDENT_KINDS)
    record = {
        "incident_id": f"INC{discovered.year}-{c.incident_seq:02d}",
        "contract_id": contract.contract_id,
        "occurred_at": discovered - dt.timedelta(hours=rint(c.rng, 1, 30)),
        "discovered_at": discovered,
        "reported_at": None
        if report_hours is None
        else discovered + dt.timedelta(hours=report_hours),
        "description": description,
        "records_affected": rint(c.rng, 1, 20),
        "place": f"{c.work_place}",
        "circumstances": circumstances,
        "sensitive": "無",
    }
    record.update(changes)
    c.rows(INCIDENTS).append(record)
    return record


def add_access(
    c: Contractor, pid: str, day: dt.date, room: str = "作業室A", direction_in: str = "入室"
) -> list[Record]:
    """An explicit entry and exit on ``day`` (pass cases and plants)."""
    rows = [
        {"at": at(day, 8, 55), "person_id": pid, "direction": direction_in, "room": room},
        {"at": at(day, 17, 40), "person_id": pid, "direction": "退室", "room": room},
    ]
    c.access_extra.extend(rows)
    return rows
