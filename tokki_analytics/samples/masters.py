"""The prefecture's files: 委託契約一覧, 検査履歴 and settings.toml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from tokki_analytics.forms import CONTRACTS, INSPECTIONS
from tokki_analytics.samples.calendar import fiscal_year, pick_workday
from tokki_analytics.samples.model import ALLOWED_SOFTWARE, AS_OF, Contractor, Part, Record, rint
from tokki_analytics.samples.profiles import MASTER_PROFILE, PLAIN_PROFILE
from tokki_analytics.samples.writer import Style, emit


def inspections(contractors: list[Contractor], rng: np.random.Generator) -> list[Record]:
    """One on-site inspection per contract and fiscal year (Sept–Dec), except where skipped."""
    rows = []
    for c in contractors:
        for contract in c.contracts if c.known else ():
            first, last = fiscal_year(contract.start_date), fiscal_year(contract.limit)
            for fy in range(first, last + 1):
                lo = max(contract.start_date + dt.timedelta(days=45), dt.date(fy, 9, 1))
                hi = min(dt.date(fy, 12, 19), AS_OF - dt.timedelta(days=20), contract.end_date)
                if fy in contract.inspect_skip or lo > hi:
                    continue
                found = rint(rng, 0, 2)
                rows.append(
                    {
                        "contract_id": contract.contract_id,
                        "inspected_on": pick_workday(rng, lo, hi),
                        "result": "指摘なし" if found == 0 else "軽微な指摘あり",
                        "findings_count": found,
                    }
                )
    return sorted(rows, key=lambda r: r["inspected_on"])


def write_masters(contractors: list[Contractor], out: Path, seed: int) -> list[Part]:
    """Write 委託契約一覧 and 検査履歴 into ``out``; return what was written."""
    contracts = [k.record() for c in contractors if c.known for k in c.contracts]
    contracts += [row for c in contractors for row in c.master_rows]
    rng = np.random.default_rng([seed, 99])
    parts = [
        Part(CONTRACTS, "委託契約一覧.xlsx", CONTRACTS.name, contracts),
        Part(INSPECTIONS, "検査履歴.xlsx", INSPECTIONS.name, inspections(contractors, rng)),
    ]
    emit(parts[:1], Style(MASTER_PROFILE, rng), out, "", "岡山県 総務部")
    emit(parts[1:], Style(PLAIN_PROFILE, rng), out, "", "")
    return parts


def settings_toml() -> str:
    """settings.toml of the sample: as-of and the allowed software."""
    software = ", ".join(f'"{s}"' for s in ALLOWED_SOFTWARE)
    return (
        "# 監査設定（サンプル）。記載のない項目は既定値です。\n"
        f"as_of = {AS_OF.isoformat()}\n"
        f"allowed_software = [{software}]\n"
    )
