"""The audit trail (tokki_analytics.trail): manifest.json of a run, and `tokki verify`.

An auditor who reopens a run months later asks: which files did it examine, with which
content, and are they still the same? The manifest lists every file of the data folder
with its size, time, SHA-256 and the records read from it; `tokki verify` says what
changed, vanished or appeared, and whether the suites differ.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tokki_analytics.cli import main
from tokki_analytics.gx.suites import SUITES_DIR
from tokki_analytics.ingest import load
from tokki_analytics.masking import roster
from tokki_analytics.trail import manifest_sha256, path_key

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """data_samples copied, a person-named file added, and one run of it."""
    base = tmp_path_factory.mktemp("trail")
    data = base / "data"
    shutil.copytree(ROOT / "data_samples", data)
    name = roster(load(data))[0]
    contractor = next(p for p in sorted(data.iterdir()) if p.is_dir())
    (contractor / f"{name}さんのメモ.txt").write_text("memo", "utf-8")
    out = base / "out"
    assert main(["run", str(data), "--out", str(out), "--no-history", "--quiet"]) == 0
    return data, out


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text("utf-8"))


def test_manifest_lists_every_file_with_its_hash_and_records(run):
    data, out = run
    manifest = _manifest(out)
    files = sorted(p for p in data.rglob("*") if p.is_file())
    assert manifest["totals"]["files"] == len(files) == len(manifest["files"])
    by_key = {entry["path_sha256"]: entry for entry in manifest["files"]}
    for path in files:
        entry = by_key[path_key(path.relative_to(data).as_posix())]
        assert entry["size"] == path.stat().st_size
        assert entry["sha256"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    loaded = load(data)
    assert manifest["totals"]["records"] == sum(len(f) for f in loaded.frames.values())
    assert manifest["as_of"] == loaded.settings.as_of.isoformat()
    assert manifest["command"][:2] == ["tokki", "run"]
    assert manifest["versions"]["great-expectations"] and manifest["versions"]["pandas"]
    shipped = sorted(p.name for p in SUITES_DIR.glob("*.json"))
    assert sorted(manifest["suites"]["sha256"]) == shipped


def test_manifest_masks_names_and_index_shows_its_hash(run):
    data, out = run
    name = roster(load(data))[0]
    text = (out / "manifest.json").read_text("utf-8")
    assert name not in text and "さんのメモ.txt" in text
    index = (out / "index.html").read_text("utf-8")
    assert f"SHA-256 {manifest_sha256(text)[:16]}" in index and 'href="manifest.json"' in index


def test_the_history_store_keeps_the_manifest_hash(tmp_path):
    import sqlite3

    out, store = tmp_path / "out", tmp_path / "history"
    args = ["run", str(ROOT / "data_samples"), "--out", str(out), "--history", str(store)]
    assert main([*args, "--quiet"]) == 0
    text = (out / "manifest.json").read_text("utf-8")
    with sqlite3.connect(store / "history.sqlite3") as con:
        stored = con.execute("SELECT sha256 FROM manifests").fetchall()
    assert stored == [(manifest_sha256(text),)]


def test_verify_unchanged_then_one_changed_byte(run, tmp_path, capsys):
    data, out = run
    assert main(["verify", str(out)]) == 0
    assert "変わっていません" in capsys.readouterr().out
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    target = next(p for p in sorted(copy.rglob("*.csv")))
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0x01  # one bit of one byte
    target.write_bytes(bytes(raw))
    assert main(["verify", str(out), "--data", str(copy)]) == 1
    printed = capsys.readouterr().out
    assert f"変更 (changed): {target.relative_to(copy).as_posix()}" in printed
    assert "変更 1 件、消失 0 件、追加 0 件" in printed


def test_verify_names_vanished_appeared_and_changed_suites(run, tmp_path, capsys):
    data, out = run
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    (copy / "検査履歴.xlsx").unlink()
    (copy / "追加資料.csv").write_text("a,b\n", "utf-8")
    suites = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, suites)
    first = sorted(suites.glob("*.json"))[0]
    first.write_text(first.read_text("utf-8") + " ", "utf-8")
    args = ["verify", str(out), "--data", str(copy), "--suites", str(suites)]
    assert main(args) == 1
    printed = capsys.readouterr().out
    assert "消失 (vanished): 検査履歴.xlsx" in printed
    assert "追加 (appeared): ./ に 1 件" in printed  # the new file's name is not shown
    assert f"期待値スイートの相違 (suites differ): {first.name}" in printed
    assert main([*args, "--show-names"]) == 1
    assert "追加 (appeared): 追加資料.csv" in capsys.readouterr().out


def test_verify_without_a_manifest_is_a_message(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json がありません" in err and "Traceback" not in err
    (tmp_path / "manifest.json").write_text('{"kind": "other"}', "utf-8")
    assert main(["verify", str(tmp_path)]) == 2
    assert "tokki が書いたものではありません" in capsys.readouterr().err


def test_hostile_entries_are_listed_not_followed_or_read(tmp_path, capsys):
    """A pipe, a link out of the folder, an undecodable name and a file over the reading
    limit: the run goes on, the manifest lists each without reading through it."""
    import os

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data_samples", data)
    settings = data / "settings.toml"
    settings.write_text(settings.read_text("utf-8") + "\nmax_file_mb = 1\n", "utf-8")
    contractor = next(p for p in sorted(data.iterdir()) if p.is_dir())
    os.mkfifo(contractor / "pipe.csv")
    (contractor / "outside.csv").symlink_to("/etc/hostname")
    (contractor / os.fsdecode(b"bad\xff\xfename.csv")).write_text("a\n", "utf-8")
    with open(contractor / "huge.csv", "wb") as fh:  # sparse: 2 MB over a 1 MB limit
        fh.truncate(2 * 1_048_576)
    out = tmp_path / "out"
    assert main(["run", str(data), "--out", str(out), "--no-history", "--quiet"]) in (0, 1)
    entries = {Path(e["path"]).name: e for e in _manifest(out)["files"]}
    assert entries["pipe.csv"]["kind"] == "other" and "sha256" not in entries["pipe.csv"]
    assert entries["outside.csv"]["kind"] == "link" and "sha256" not in entries["outside.csv"]
    assert "not_hashed" in entries["huge.csv"] and entries["huge.csv"]["size"] == 2_097_152
    assert any(name.startswith("bad\\xff\\xfe") for name in entries)
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    os.truncate(contractor / "huge.csv", 3 * 1_048_576)  # unhashed: size and time compared
    assert main(["verify", str(out)]) == 1
    assert "huge.csv" in capsys.readouterr().out
