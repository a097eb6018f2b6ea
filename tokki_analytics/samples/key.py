"""The answer key (every finding a correct audit must report) and the manifest of the records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tokki_analytics.forms import ACCESS, SUBMISSION_FORMS, Form, nfkc
from tokki_analytics.samples.model import AS_OF, KEY_COLUMNS, Contractor, Finding, Part, Record

#: One row of the key: :data:`~tokki_analytics.samples.model.KEY_COLUMNS` → value.
KeyRow = dict[str, str | int | None]


def key_row(
    rule_id: str,
    contractor_id: str,
    contract_id: str = "",
    form: str = "",
    source: str = "",
    sheet: str = "",
    row: int | None = None,
) -> KeyRow:
    """A row of the key, identified as findings.csv identifies a finding."""
    return dict(
        zip(
            KEY_COLUMNS,
            (rule_id, contractor_id, contract_id, form, source, sheet, row),
            strict=True,
        )
    )


def record_keys(form: Form, records: Iterable[Record]) -> list[KeyRow]:
    """Key rows of the marked ``records`` of ``form``, at the rows they were written to."""
    rows = []
    for record in records:
        for rule_id, contractor_id, contract_id in record.get("_keys", ()):
            source, sheet, row = record["_origin"]
            rows.append(key_row(rule_id, contractor_id, contract_id, form.name, source, sheet, row))
    return rows


def _finding_keys(c: Contractor, f: Finding) -> list[KeyRow]:
    """Key rows of a planted failure that is no record."""
    if f.folder:
        return [key_row(f.rule_id, c.code, source=nfkc(c.folder))]
    if f.file:
        return [key_row(f.rule_id, c.code, source=nfkc(f"{c.folder}/{f.file}"))]
    if f.part_of:
        return [
            key_row(
                f.rule_id,
                c.code,
                form=part.form.name,
                source=part.source,
                sheet=nfkc(part.sheet or ""),
            )
            for part in c.parts
            if part.form.key == f.part_of
        ]
    return [key_row(f.rule_id, c.code, f.contract_id, f.form)]


def contractor_keys(c: Contractor) -> list[KeyRow]:
    """Every key row of ``c``'s folder (written records, access log, other plants)."""
    rows = []
    for part in c.parts:
        if part.form is not ACCESS:
            rows += record_keys(part.form, part.records)
    rows += record_keys(ACCESS, c.access_extra)
    for f in c.findings:
        rows += _finding_keys(c, f)
    return rows


def key_frame(rows: list[KeyRow]) -> pd.DataFrame:
    """The key: :data:`KEY_COLUMNS`, sorted as findings.csv is."""
    frame = pd.DataFrame(rows, columns=list(KEY_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for col in KEY_COLUMNS[:-1]:
        frame[col] = frame[col].fillna("").astype(str)
    order = ["contractor_id", "contract_id", "rule_id", "source", "sheet", "row"]
    return frame.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def answer_key(contractors: list[Contractor], masters: list[Part]) -> pd.DataFrame:
    """The key of a written prefecture: the masters' rows, then every contractor's."""
    rows = [r for part in masters for r in record_keys(part.form, part.records)]
    for c in contractors:
        rows += contractor_keys(c)
    return key_frame(rows)


def manifest(contractors: list[Contractor], masters: list[Part], seed: int) -> dict[str, object]:
    """What was written: records per form and per contractor, files a loader must skip."""
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


def write_key(key_dir: Path, key: pd.DataFrame, contents: dict[str, object]) -> None:
    """Write ``answer_key.csv`` (UTF-8 with BOM) and ``manifest.json`` into ``key_dir``."""
    key_dir.mkdir(parents=True, exist_ok=True)
    for name in ("answer_key.csv", "manifest.json"):  # a link planted there is not followed
        if (key_dir / name).is_symlink():
            (key_dir / name).unlink()
    key.to_csv(key_dir / "answer_key.csv", index=False, encoding="utf-8-sig")
    (key_dir / "manifest.json").write_text(
        json.dumps(contents, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
