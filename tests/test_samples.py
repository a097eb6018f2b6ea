"""The sample generator: reproducible, every rule planted, key and manifest true to the files.

The files are read back here with python-calamine and the csv module directly (not with the
loader), so these tests hold the generator to the input contract on their own.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tokki_analytics import rules, samples
from tokki_analytics.forms import MASTERS, SUBMISSION_FORMS, Form, form_for_name, header_key
from tokki_analytics.outputs.folders import OutputFolderError
from tokki_analytics.settings import load_settings

#: Rules whose findings name a contract but no file.
CONTRACT_LEVEL = {"C2-1", "C7.5-1", "P-1", "Q1"}
ACCESS_ROWS = 3000


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    out = tmp_path_factory.mktemp("gen") / "data"
    key = samples.generate(out, contractors=8, seed=1, access_rows=ACCESS_ROWS)
    return out, out.parent / "data_answer_key", key


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- the key ----------------------------------------------------------------------------


def test_same_seed_same_folder_and_key(sample, tmp_path):
    out, key_dir, key = sample
    again = samples.generate(tmp_path / "data", contractors=8, seed=1, access_rows=ACCESS_ROWS)
    pd.testing.assert_frame_equal(again, key)
    assert _tree_digest(tmp_path / "data") == _tree_digest(out)
    other = samples.generate(tmp_path / "other", contractors=8, seed=2, access_rows=ACCESS_ROWS)
    assert not other["source"].equals(key["source"])


def test_key_has_every_rule_id(sample):
    assert set(sample[2]["rule_id"]) == set(rules.RULE_IDS)


def test_every_rule_of_the_catalogue_has_a_plant():
    """A rule added without a planted failure fails here (docs/CONTRIBUTING.md: add a rule)."""
    missing = [r for r in rules.RULE_IDS if r not in samples.PLANTS or not samples.PLANTS[r].plants]
    assert not missing, f"no plant in tokki_analytics/samples/plants/ for {missing}"
    assert set(samples.PLANTS) <= set(rules.RULE_IDS)


def test_plants_live_beside_their_rules():
    """A rule's plants are in samples/plants/<module>.py, named as its module in rules/."""
    module_of = {rule.id: rule.view for rule in rules.RULES}
    module_of |= {rule.id: "quality" for rule in rules.QUALITY_RULES}
    for rule_id, module in module_of.items():
        plants = importlib.import_module(f"tokki_analytics.samples.plants.{module}")
        assert rule_id in {entry.rule_id for entry in plants.ENTRIES}, (rule_id, module)


def test_key_matches_the_plant_table(sample):
    out, _, key = sample
    manifest = json.loads((out.parent / "data_answer_key" / "manifest.json").read_text("utf-8"))
    codes = list(manifest["by_contractor"])
    want = Counter((codes[profile], rule, form) for profile, rule, form, _ in samples.PLANT_TABLE)
    got = Counter(
        (r.contractor_id, r.rule_id, "" if r.rule_id in CONTRACT_LEVEL - {"Q1"} else r.form)
        for r in key.itertuples()
    )
    assert got == want


def test_key_file_and_conventions(sample):
    _, key_dir, key = sample
    raw = (key_dir / "answer_key.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    on_disk = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert tuple(on_disk.columns) == samples.KEY_COLUMNS
    assert len(on_disk) == len(key)
    for r in on_disk.itertuples():
        if r.rule_id in CONTRACT_LEVEL:
            assert (r.source, r.sheet, r.row) == ("", "", "") and r.contract_id
            assert (r.form != "") == (r.rule_id == "Q1")
        elif r.rule_id == "Q0" or (r.rule_id == "Q3" and not r.row):
            assert (r.contract_id, r.form, r.sheet, r.row) == ("", "", "", "") and r.source
        elif r.rule_id != "Q2" or r.row:
            assert r.source and r.form and int(r.row) >= 2
        assert "\\" not in r.source
    staff = on_disk[on_disk["source"].str.contains("作業責任者等届出")]
    assert set(staff["form"]) == {"作業従事者名簿"}  # the form's name, not the alias in the file


def test_key_lies_beside_the_data_folder(sample, tmp_path):
    out, key_dir, _ = sample
    assert key_dir.parent == out.parent and (key_dir / "manifest.json").is_file()
    assert not any(p.name in ("answer_key.csv", "manifest.json") for p in out.rglob("*"))
    with pytest.raises(ValueError):
        samples.generate(tmp_path / "d", contractors=1, key_dir=tmp_path / "d" / "key")
    with pytest.raises(FileExistsError):
        samples.generate(out, contractors=1)
    again = tmp_path / "again"
    samples.generate(again, contractors=2, access_rows=50)
    first = {p.name for p in again.iterdir()}
    samples.generate(again, contractors=1, access_rows=50, overwrite=True)
    stale = first - {p.name for p in again.iterdir()}
    assert stale and not any((again / name).exists() for name in stale)
    # --force replaces only a folder tokki samples wrote, and only when all of it is its own
    (again / "mine.xlsx").write_bytes(b"mine")
    with pytest.raises(OutputFolderError, match="mine.xlsx"):
        samples.generate(again, contractors=1, access_rows=50, overwrite=True)
    assert (again / "mine.xlsx").read_bytes() == b"mine"


def test_settings_fix_as_of_and_assess_software(sample):
    settings = load_settings(sample[0] / "settings.toml")
    assert settings.as_of == samples.AS_OF
    assert settings.allowed_software == samples.ALLOWED_SOFTWARE


# --- reading the files back independently ------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_at(rows: list[list], form: Form) -> int:
    """The header row: the first of the first 30 holding half the required column names."""
    for i, row in enumerate(rows[:30]):
        cells = {header_key(v) for v in row if isinstance(v, str)}
        found = [c for c in form.required if cells & set(c.headers)]
        if 2 * len(found) >= len(form.required):
            return i
    raise AssertionError(f"no header for {form.name}")


def _records(rows: list[list], form: Form) -> int:
    return sum(not all(map(_blank, row)) for row in rows[_header_at(rows, form) + 1 :])


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")


def _csv_lines(text: str) -> dict[int, list[str]]:
    """CSV records keyed by the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, line = {}, 0
    for record in reader:
        out[line + 1] = record
        line = reader.line_num
    return out


def _parts(path: Path, forms: tuple[Form, ...]):
    """(form, sheet, rows by number) of every form part in ``path``."""
    if path.suffix == ".csv":
        form = form_for_name(path.stem, forms)
        if form:
            yield form, "", _csv_lines(_decode(path.read_bytes()))
        return
    workbook = CalamineWorkbook.from_path(str(path))
    names = workbook.sheet_names
    by_sheet = {n: form_for_name(n, forms) for n in names}
    if not any(by_sheet.values()):
        by_sheet[names[0]] = form_for_name(path.stem, forms)
    for name, form in by_sheet.items():
        if form:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            yield form, name, dict(enumerate(rows, start=1))


def _read_folder(folder: Path, forms, skip: set[Path]) -> dict[tuple[str, str, str], dict]:
    """Every form part in ``folder`` but ``skip``: (form name, file name, sheet) → rows."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path in skip or path.name.startswith("~$") or path.suffix not in (".xlsx", ".csv"):
            continue
        if path.is_file():
            for form, sheet, rows in _parts(path, forms):
                found[(form.name, path.name, sheet)] = rows
    return found


def _count(parts: dict) -> Counter:
    counts = Counter()
    for (form_name, _, _), rows in parts.items():
        form = next(f for f in SUBMISSION_FORMS + MASTERS if f.name == form_name)
        counts[form_name] += _records([rows[n] for n in sorted(rows)], form)
    return counts


def test_manifest_counts_what_the_files_hold(sample):
    out, key_dir, _ = sample
    manifest = json.loads((key_dir / "manifest.json").read_text("utf-8"))
    masters = _count(_read_folder(out, MASTERS, set()))
    assert {k: v for k, v in manifest["forms"].items() if k in masters} == dict(masters)
    unreadable = {out / p for p in manifest["unreadable"]}
    totals = Counter()
    for code, entry in manifest["by_contractor"].items():
        folder = next(
            p for p in out.iterdir() if unicodedata.normalize("NFKC", p.name) == entry["folder"]
        )
        counts = _count(_read_folder(folder, SUBMISSION_FORMS, unreadable))
        assert entry["forms"] == {k: v for k, v in counts.items() if v}, code
        if entry["known"]:
            totals += counts
    assert {k: v for k, v in manifest["forms"].items() if k not in masters and v} == dict(totals)
    assert manifest["forms"]["入退室記録"] == pytest.approx(ACCESS_ROWS, rel=0.15)


def test_key_rows_point_at_records(sample):
    """Each keyed row number holds a record of its form (with its contract, where it has one)."""
    out, _, key = sample
    sheets: dict[str, dict[str, dict]] = {}
    for r in key[key["row"].notna()].itertuples():
        if r.source not in sheets:
            forms = SUBMISSION_FORMS if "/" in r.source else MASTERS
            path = out / r.source
            sheets[r.source] = {sheet: rows for _, sheet, rows in _parts(path, forms)}
        rows = sheets[r.source][r.sheet]
        form = next(f for f in SUBMISSION_FORMS + MASTERS if f.name == r.form)
        numbers = sorted(rows)
        header = numbers[_header_at([rows[n] for n in numbers], form)]
        cells = rows[int(r.row)]
        assert int(r.row) > header and not all(map(_blank, cells)), (r.rule_id, r.source, r.row)
        text = " ".join(unicodedata.normalize("NFKC", str(v)) for v in cells)
        if r.contract_id and r.form not in ("持出記録", "複製記録"):
            assert r.contract_id in text, (r.rule_id, r.source, r.row, text)
        if r.rule_id == "C3-3" and r.form == "入退室記録":
            assert "G9901" in text
        if r.rule_id == "Q2" and r.form == "入退室記録":
            assert "入場" in text


# --- formats --------------------------------------------------------------------------------


def _folders(out: Path) -> dict[int, Path]:
    """Contractor index → folder (folder names start with C001, C002 … after NFKC)."""
    return {
        int(unicodedata.normalize("NFKC", p.name)[1:4]) - 1: p for p in out.iterdir() if p.is_dir()
    }


def test_files_are_in_the_formats_claimed(sample):
    out, key_dir, _ = sample
    for index, folder in _folders(out).items():
        profile = samples.PROFILES[index % len(samples.PROFILES)]
        logs = sorted(folder.glob("入退室記録*.csv"))
        if profile.access == "sheet":
            assert not logs
            continue
        assert logs, folder.name
        for path in logs:
            data = path.read_bytes()
            if profile.access == "cp932_monthly":
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
                assert data.decode("cp932").splitlines()[1 if profile.access_title else 0] == (
                    "日時,従事者ID,区分,部屋"
                )
                assert b"\r\n" in data
            elif profile.access == "utf8bom_monthly":
                assert data.startswith(b"\xef\xbb\xbf")
                data.decode("utf-8")
            else:
                assert not data.startswith(b"\xef\xbb\xbf")
                data.decode("utf-8")
        if profile.access == "utf8_single":
            assert [p.name for p in logs] == ["入退室記録.csv"]
        for name in profile.csv_forms:
            form = next(f for f in SUBMISSION_FORMS if f.key == name)
            assert (folder / f"{form.name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    unreadable = json.loads((key_dir / "manifest.json").read_text("utf-8"))["unreadable"]
    for item in unreadable:
        path = out / item
        if path.suffix == ".xlsx":
            with pytest.raises(Exception):  # noqa: B017 - any calamine error will do
                CalamineWorkbook.from_path(str(path))
        else:
            assert b"\x00" in path.read_bytes()


def test_layout_features_are_present(sample):
    out, _, _ = sample
    folders = _folders(out)
    single = next(iter(folders[0].glob("*.xlsx")))
    assert set(CalamineWorkbook.from_path(str(single)).sheet_names) >= {"作業従事者名簿", "メモ"}
    assert (folders[0] / f"~${single.name}").is_file() and (folders[0] / "README.txt").is_file()
    sheet1 = CalamineWorkbook.from_path(str(folders[1] / "作業従事者名簿.xlsx"))
    assert sheet1.sheet_names == ["Sheet1"]
    rows = sheet1.get_sheet_by_name("Sheet1").to_python(skip_empty_area=False)
    assert rows[0][0].startswith("作業従事者名簿（令和7年度）") and _blank(rows[1][0])
    assert any("令和" in str(v) for row in rows[3:] for v in row)
    takeout = CalamineWorkbook.from_path(str(folders[2] / "持出記録.xlsx"))
    assert takeout.sheet_names == ["持出記録_上期", "持出記録_下期"]
    alias = CalamineWorkbook.from_path(str(folders[2] / "作業責任者等届出.xlsx"))
    header = alias.get_sheet_by_name("作業責任者等届出").to_python()[0]
    assert "職員番号" in header and "備考" in header and header[0] != "契約番号"
    incidents = (folders[3] / "事故報告.csv").read_bytes().decode("utf-8-sig")
    records = _csv_lines(incidents)
    assert any("\n" in cell for record in records.values() for cell in record)
    assert len(records) < len(incidents.splitlines())
    full_width = folders[5].name
    assert full_width != unicodedata.normalize("NFKC", full_width)


def test_command_line(tmp_path, capsys):
    assert (
        samples.main(
            [
                str(tmp_path / "d"),
                "--contractors",
                "2",
                "--seed",
                "3",
                "--access-rows",
                "200",
                "--key-dir",
                str(tmp_path / "k"),
            ]
        )
        == 0
    )
    assert (tmp_path / "k" / "answer_key.csv").is_file()
    assert "2 contractors" in capsys.readouterr().out


def test_committed_sample_is_what_the_generator_writes(tmp_path):
    """data_samples/ and its key are regenerated by ``make samples`` (8 contractors, seed 1)."""
    root = Path(__file__).resolve().parents[1]
    committed, committed_key = root / "data_samples", root / "tests/answer_keys/data_samples"
    if not committed.is_dir():
        pytest.skip("data_samples/ is not present")
    samples.generate(tmp_path / "data", contractors=8, seed=1, key_dir=tmp_path / "key")
    assert _tree_digest(tmp_path / "data") == _tree_digest(committed), "run: make samples"
    for name in ("answer_key.csv", "manifest.json"):
        assert (tmp_path / "key" / name).read_bytes() == (committed_key / name).read_bytes()
