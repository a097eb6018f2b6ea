"""Hostile files: each costs only itself, never the audit, and memory stays bounded.

Each kind of file that stopped or swamped the audit (issue 9, items 1 and 4) is built here
at test time, small on disk, and dropped into a copy of data_samples. ``tokki run`` must
exit 0, report each file as a Q0 naming the limit it broke, audit everything else exactly
as in a clean run, leave the data folder untouched, and stay under a stated peak memory,
measured from a child process.
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import hostile
import pytest
from conftest import ROOT, STAFF_HEADER, staff_row, write_csv, write_xlsx

from tokki_analytics.forms import SUBMISSION_FORMS
from tokki_analytics.ingest import read, sheetreader
from tokki_analytics.ingest.guard import Limits

SAMPLES = ROOT / "data_samples"
#: The peak memory (max RSS of any process of the run) a run with all the files stays under.
#: A clean run of data_samples peaks near 0.3 GB; before the limits, one of these files
#: took the run past 5 GB or killed it.
PEAK_BOUND_MB = 1024
#: Where each hostile file goes in the copy of data_samples, and what its Q0 must name.
ROSTERS = "C004_有限会社岡山事務センター"
LOGS = "C003_株式会社総社情報技術"
EXPECTED = {
    f"{ROSTERS}/作業従事者名簿_xfd.xlsx": ("max_columns", "16,384列"),
    f"{ROSTERS}/作業従事者名簿_cv.xlsx": ("max_cells", "A1:CV1048576、1,048,576行×100列"),
    f"{ROSTERS}/作業従事者名簿_corner.xlsx": ("max_cells", "A1:CV1048576"),
    f"{ROSTERS}/作業従事者名簿_bomb.xlsx": ("max_unpacked_mb", "256 MB"),
    f"{ROSTERS}/作業従事者名簿_sst.xlsx": ("reader_memory_mb", "異常終了"),
    f"{LOGS}/入退室記録_commas.csv": ("max_columns", "1,000,001列"),
    f"{LOGS}/入退室記録_field.csv": ("max_field_chars", "2行目"),
    f"{LOGS}/入退室記録_field2.csv": ("max_field_chars", "200,000文字"),
    f"{LOGS}/入退室記録_sparse.csv": ("max_file_mb", "101.0 MB"),
}

#: Runs a command, then prints its exit code and the peak memory (kB) of its processes.
_MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _plant(data: Path) -> None:
    rosters, logs = data / ROSTERS, data / LOGS
    hostile.far_cell_workbook(rosters / "作業従事者名簿_xfd.xlsx", "XFD1048576")
    hostile.far_cell_workbook(rosters / "作業従事者名簿_cv.xlsx", "CV1048576")
    hostile.corner_cells_workbook(rosters / "作業従事者名簿_corner.xlsx", "CV1048576")
    hostile.expanding_workbook(rosters / "作業従事者名簿_bomb.xlsx", 257 * 1024 * 1024)
    hostile.shared_string_bomb(rosters / "作業従事者名簿_sst.xlsx")
    hostile.comma_line_csv(logs / "入退室記録_commas.csv")
    hostile.long_field_csv(logs / "入退室記録_field.csv")
    hostile.long_field_csv(logs / "入退室記録_field2.csv", quoted=False)
    hostile.sparse_file(logs / "入退室記録_sparse.csv", 101 * 1024 * 1024)


def _digest(folder: Path) -> str:
    """A digest of every file's path, size and content under ``folder``."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(hashlib.sha256(block).digest())
    return h.hexdigest()


def _tokki_run(data: Path, out: Path) -> tuple[int, float]:
    """Run ``tokki run`` in a child process; return its exit code and peak memory in MB."""
    tokki = [
        sys.executable,
        "-c",
        "import sys; from tokki_analytics.cli import main; sys.exit(main())",
    ]
    args = ["run", str(data), "--out", str(out), "--no-history", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *tokki, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, GX_ANALYTICS_ENABLED="False"),
        timeout=600,
    )
    code, peak_kb = done.stdout.split()[-2:]
    return int(code), int(peak_kb) / 1024


def _findings(out: Path) -> list[dict]:
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """A clean run of data_samples and a run of a copy holding every hostile file."""
    base = tmp_path_factory.mktemp("hostile_read")
    clean, data = base / "clean", base / "data"
    shutil.copytree(SAMPLES, clean)
    shutil.copytree(SAMPLES, data)
    _plant(data)
    before = _digest(data)
    clean_code, _ = _tokki_run(clean, base / "out_clean")
    code, peak = _tokki_run(data, base / "out")
    return {
        "clean": _findings(base / "out_clean"),
        "clean_code": clean_code,
        "findings": _findings(base / "out"),
        "code": code,
        "peak": peak,
        "unchanged": _digest(data) == before,
    }


def test_the_run_goes_on_with_the_usual_exit_code_and_bounded_memory(runs):
    assert runs["code"] == runs["clean_code"] == 0
    assert runs["peak"] < PEAK_BOUND_MB, f"peak {runs['peak']:.0f} MB"
    assert runs["unchanged"], "the data folder is left as it was"


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_each_hostile_file_is_a_q0_naming_the_limit_it_broke(runs, source):
    key, had = EXPECTED[source]
    q0 = [f for f in runs["findings"] if f["rule_id"] == "Q0" and f["source"] == source]
    assert len(q0) == 1, source
    assert key in q0[0]["detail"] and had in q0[0]["detail"], q0[0]["detail"]
    assert "破損" not in q0[0]["detail"]


def test_everything_else_is_audited_as_in_a_clean_run(runs):
    def key(finding: dict) -> tuple:
        return tuple(finding.values())

    others = [f for f in runs["findings"] if f["source"] not in EXPECTED]
    assert sorted(map(key, others)) == sorted(map(key, runs["clean"]))


# --- in-process checks of what the run does not show ------------------------------------


def _read(path: Path, limits: Limits | None = None) -> read.FileResult:
    return read.read_file(path, path.parent, SUBMISSION_FORMS, limits)


def _roster_rows(count: int = 3) -> list[str]:
    header = hostile.row(
        1, [hostile.inline(f"{chr(65 + i)}1", h) for i, h in enumerate(STAFF_HEADER)]
    )
    body = [
        hostile.row(
            n,
            [
                hostile.inline(f"{chr(65 + i)}{n}", str(v))
                for i, v in enumerate(staff_row(f"P{n:03d}"))
                if v
            ],
        )
        for n in range(2, count + 2)
    ]
    return [header, *body]


def test_formatting_far_away_and_a_false_dimension_do_not_make_a_sheet_huge(tmp_path):
    # Excel writes empty formatted cells and rows with a height; they hold nothing, and a
    # declared dimension is only a claim: the sheet is read as its real cells.
    far = '<row r="1048576" ht="20" customHeight="1"><c r="XFD1048576" s="3"/></row>'
    rows = [*_roster_rows(), '<row r="9" ht="30" customHeight="1"/>', far]
    path = hostile.workbook(
        tmp_path / "作業従事者名簿.xlsx", rows, sheet="作業従事者名簿", dimension="A1:XFD1048576"
    )
    result = _read(path)
    assert result.error is None, result.error
    [part] = result.parts
    assert part.grid.cells.shape == (4, len(STAFF_HEADER))


def test_cells_without_references_are_placed_as_the_reader_places_them(tmp_path):
    # 1,500 cells in a row without references: 1,500 columns, past max_columns (the scan
    # stops at the first cell past the limit).
    rows = [*_roster_rows(), hostile.row(5, [hostile.inline(None, "x")] * 1_500)]
    path = hostile.workbook(tmp_path / "作業従事者名簿.xlsx", rows, sheet="作業従事者名簿")
    result = _read(path)
    assert result.error is not None
    assert "max_columns" in result.error.reason_ja and "1,001列以上" in result.error.reason_ja
    assert result.error.reason_en.endswith("(setting max_columns): at least 1,001")
    assert _read(path, Limits(max_columns=2_000)).error is None


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="needs RLIMIT_AS to stop the reader in time"
)
def test_a_reader_that_dies_costs_only_its_file_and_a_new_reader_takes_over(tmp_path):
    # With the sheet checks lifted, the far cell reaches the reader: it pads 100 million
    # cells from A1, passes its memory limit and dies. The next workbook is read as usual.
    far = hostile.far_cell_workbook(tmp_path / "far" / "作業従事者名簿.xlsx", "CV1048576")
    good = write_xlsx(
        tmp_path / "good" / "作業従事者名簿.xlsx", {"作業従事者名簿": [STAFF_HEADER, staff_row()]}
    )
    lifted = Limits(max_cells=10**9, reader_memory_mb=300)
    died = _read(far, lifted)
    assert died.error is not None
    assert "異常終了" in died.error.reason_ja and "300 MB" in died.error.reason_ja
    assert "crashed" in died.error.reason_en
    after = _read(good, lifted)
    assert after.error is None and after.parts[0].grid.cells.shape == (2, len(STAFF_HEADER))


def test_a_shared_string_table_claiming_billions_kills_only_the_reader(tmp_path):
    bomb = hostile.shared_string_bomb(tmp_path / "作業従事者名簿.xlsx")
    result = _read(bomb)
    assert result.error is not None and "reader_memory_mb" in result.error.reason_ja


def test_without_a_reader_process_workbooks_are_read_here_inside_the_same_limits(
    tmp_path, monkeypatch
):
    def no_process(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(sheetreader, "_readers", {})
    monkeypatch.setattr(sheetreader.subprocess, "Popen", no_process)
    far = hostile.far_cell_workbook(tmp_path / "far" / "作業従事者名簿.xlsx", "XFD1048576")
    good = write_xlsx(
        tmp_path / "good" / "作業従事者名簿.xlsx", {"作業従事者名簿": [STAFF_HEADER, staff_row()]}
    )
    assert "max_columns" in _read(far).error.reason_ja
    assert _read(good).parts[0].grid.cells.shape == (2, len(STAFF_HEADER))


def test_csv_limits_come_from_settings_toml(data_dir: Path):
    from tokki_analytics.ingest import load

    folder = data_dir / "C001_株式会社テスト"
    header = ["従事者ID", "日時", "区分"] + [f"x{i}" for i in range(1_197)]
    write_csv(folder / "入退室記録_2025-04.csv", [header, ["P001", "2025-04-01 09:00", "入室"]])
    refused = load(data_dir)
    [q0] = refused.defects[refused.defects["rule_id"] == "Q0"].to_dict("records")
    assert "max_columns" in q0["detail"] and "1,200列" in q0["detail"]
    (data_dir / "settings.toml").write_text("max_columns = 2000\n", encoding="utf-8")
    read_in = load(data_dir)
    assert (read_in.defects["rule_id"] == "Q0").sum() == 0
    assert read_in.rows()["access"] == 1


def test_a_file_without_read_permission_says_so_not_corrupt(data_dir: Path, monkeypatch):
    from tokki_analytics.ingest import load

    roster = data_dir / "C001_株式会社テスト" / "作業従事者名簿_2.xlsx"
    write_xlsx(roster, {"作業従事者名簿": [STAFF_HEADER, staff_row("P009")]})
    log = write_csv(
        data_dir / "C001_株式会社テスト" / "入退室記録_2025-04.csv", [["従事者ID", "日時", "区分"]]
    )
    if os.geteuid() == 0:  # root reads through permissions: make opening these two refuse
        real_open = builtins.open

        def refusing_open(file, *args, **kwargs):
            if isinstance(file, (str, Path)) and Path(file) in (roster, log):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", refusing_open)
    else:
        roster.chmod(0)
        log.chmod(0)
    try:
        submission = load(data_dir)
    finally:
        roster.chmod(0o644)
        log.chmod(0o644)
    q0 = submission.defects[submission.defects["rule_id"] == "Q0"]
    assert sorted(q0["source"]) == [
        "C001_株式会社テスト/作業従事者名簿_2.xlsx",
        "C001_株式会社テスト/入退室記録_2025-04.csv",
    ]
    for detail, value in zip(q0["detail"], q0["value"], strict=True):
        assert "権限" in detail and "破損" not in detail
        assert "permission denied" in value
    assert submission.rows()["staff"] == 2, "the readable roster is read as usual"


def test_an_unquoted_long_field_is_measured(tmp_path):
    path = hostile.long_field_csv(tmp_path / "入退室記録.csv", 40_000, quoted=False)
    result = _read(path)
    assert "max_field_chars" in result.error.reason_ja and "40,000文字" in result.error.reason_ja
    assert _read(path, Limits(max_field_chars=50_000)).error is None


def test_a_csv_just_inside_every_limit_is_read_whole(tmp_path):
    limits = Limits(max_cells=20, max_columns=4, max_field_chars=5)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["a", "b", "c", "d"]] + [["12345", "", "", "x"]] * 4
    )
    path = tmp_path / "入退室記録.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = _read(path, limits)
    assert result.error is None and result.parts[0].grid.cells.shape == (5, 4)
    path.write_text(buf.getvalue() + "1,2,3,4\r\n", encoding="utf-8")
    assert "max_cells" in _read(path, limits).error.reason_ja


def test_a_reader_stuck_on_a_workbook_is_stopped_after_reader_seconds(tmp_path, monkeypatch):
    # A reader that never answers (an endless loop in native code looks like this from
    # outside) is killed after reader_seconds: that file is a Q0, the next one is read.
    stuck = sheetreader.SheetReader(memory_mb=0)
    hang = [sys.executable, "-c", "import time; time.sleep(120)"]

    def start_stuck():
        if stuck._process is None or stuck._process.poll() is not None:
            stuck._process = subprocess.Popen(hang, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return stuck._process

    monkeypatch.setattr(stuck, "_start", start_stuck)
    monkeypatch.setattr(sheetreader, "_readers", {0: stuck})
    limits = Limits(reader_memory_mb=0, reader_seconds=1)
    good = write_xlsx(
        tmp_path / "good" / "作業従事者名簿.xlsx", {"作業従事者名簿": [STAFF_HEADER, staff_row()]}
    )
    result = _read(good, limits)
    assert result.error is not None
    assert "制限時間 1 秒" in result.error.reason_ja and "reader_seconds" in result.error.reason_ja
    assert "took longer than 1 s" in result.error.reason_en
    assert stuck._process is None, "the stuck reader was stopped"
    monkeypatch.undo()  # the real worker again
    assert _read(good).error is None
