"""The argument types every ``tokki`` sub-command shares (tokki_analytics.cliargs)."""

from __future__ import annotations

import datetime as dt

import pytest

from tokki_analytics.cli import main

DATE_OPTIONS = (
    ["load", "DATA"],
    ["run", "DATA", "--out", "OUT"],
    ["template", "DATA", "--contractor", "C001", "--out", "OUT.xlsx"],
    ["check", "FOLDER", "--data", "DATA", "--out", "OUT"],
)


@pytest.mark.parametrize("command", DATE_OPTIONS, ids=lambda c: c[0])
def test_a_wrong_as_of_date_is_a_usage_error_in_japanese_and_english(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*command, "--as-of", "2025/03/31"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "日付は YYYY-MM-DD で指定してください" in err and "expected YYYY-MM-DD" in err
    assert "2025/03/31" in err and "Traceback" not in err


@pytest.mark.parametrize("jobs", ["0", "-1", "two", ""])
def test_jobs_must_be_a_whole_number_of_one_or_more(
    jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "DATA", "--out", "OUT", "--jobs", jobs])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "並列数は 1 以上の整数で指定してください" in err and "Traceback" not in err


def test_the_shared_types_read_what_they_accept() -> None:
    from tokki_analytics.cliargs import parse_date_arg, parse_jobs_arg

    assert parse_date_arg("2025-03-31") == dt.date(2025, 3, 31)
    assert parse_jobs_arg(" 4 ") == 4
