"""The golden copy: findings, compliance and findings.xlsx stay as they were before issue 10.

Issue 10 moved the code into a layout where a rule is declared in one place, with the promise
that no finding changes. tests/golden/ holds what `tokki run` wrote at a449938 (the last commit
before the move) for data_samples/ and for a generated 23-contractor prefecture
(`tokki samples --contractors 23 --seed 7`); these tests run today's code on the same data and
compare row for row. A deliberate change of findings regenerates the copy with
`python tests/test_golden.py` and says why in its commit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = ("findings.csv", "compliance.csv")


def snapshot(out: Path) -> dict[str, object]:
    """Return what the golden copy keeps of one run's output folder.

    Args:
        out: The run's output folder.

    Returns:
        The rows of findings.csv and compliance.csv, and every sheet of findings.xlsx.
    """
    snap: dict[str, object] = {}
    for name in FILES:
        with (out / name).open(encoding="utf-8-sig", newline="") as fh:
            snap[name] = list(csv.reader(fh))
    book = CalamineWorkbook.from_path(str(out / "findings.xlsx"))
    snap["findings.xlsx"] = {
        sheet: [[str(v) for v in row] for row in book.get_sheet_by_name(sheet).to_python()]
        for sheet in book.sheet_names
    }
    return snap


def tree_digest(root: Path) -> str:
    """Return one digest of every file below a data folder (names and bytes).

    Args:
        root: The data folder.

    Returns:
        A sha256 hex digest.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _run(data: Path, out: Path) -> dict[str, object]:
    from tokki_analytics.cli import main

    assert main(["run", str(data), "--out", str(out)]) == 0
    return snapshot(out)


def _prefecture(tmp: Path) -> Path:
    from tokki_analytics import samples

    data = tmp / "p23"
    samples.generate(data, contractors=23, seed=7)
    return data


def _compare(got: dict[str, object], name: str) -> None:
    want = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    for key in want:
        if key == "data_digest":
            continue
        if isinstance(want[key], dict):
            assert list(got[key]) == list(want[key]), f"{name}: sheets of {key}"
            for sheet, rows in want[key].items():
                assert got[key][sheet] == rows, f"{name}: {key} sheet {sheet}"
        else:
            assert got[key] == want[key], f"{name}: {key}"


def test_data_samples_findings_unchanged(tmp_path):
    _compare(_run(ROOT / "data_samples", tmp_path / "out"), "data_samples")


def test_generated_prefecture_findings_unchanged(tmp_path):
    data = _prefecture(tmp_path)
    want = json.loads((GOLDEN / "prefecture23.json").read_text("utf-8"))["data_digest"]
    assert tree_digest(data) == want, "the sample generator writes other files than before"
    _compare(_run(data, tmp_path / "out"), "prefecture23")


@pytest.mark.parametrize("name", ["data_samples", "prefecture23"])
def test_golden_copy_is_not_empty(name):
    want = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    rules = {row[0] for row in want["findings.csv"][1:]}
    assert len(rules) > 30, "the golden copy must hold findings of (nearly) every rule"


def _write() -> None:  # pragma: no cover - run by hand
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        snap = _run(ROOT / "data_samples", tmp_path / "ds")
        (GOLDEN / "data_samples.json").write_text(
            json.dumps(snap, ensure_ascii=False, indent=0), "utf-8"
        )
        data = _prefecture(tmp_path)
        snap = {"data_digest": tree_digest(data), **_run(data, tmp_path / "p")}
        (GOLDEN / "prefecture23.json").write_text(
            json.dumps(snap, ensure_ascii=False, indent=0), "utf-8"
        )


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(ROOT))
    _write()
