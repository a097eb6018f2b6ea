"""The ``tokki`` command: pre-flight loading, sample data, audit runs.

Every command answers in Japanese (with English), never with a traceback: bad input gives a
plain message and exit code 2; an internal error gives exit code 3 and the path of a log
file holding the details.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import tempfile
import traceback
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.cliargs import parse_date_arg, parse_jobs_arg
from tokki_analytics.intake.checkcmd import add_check_parser
from tokki_analytics.intake.templatecmd import add_template_parser
from tokki_analytics.notebooks.nbrun import NOTEBOOKS, taking
from tokki_analytics.notebooks.onsite_eval import add_evaluate_parser
from tokki_analytics.progress import Progress, check_timings_path, write_timings
from tokki_analytics.runcmd import FAIL_ON_CHOICES, failing_exit, print_run
from tokki_analytics.safetext import escape_controls, json_text, terminal_text

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission
    from tokki_analytics.settings import Settings
    from tokki_analytics.trail import RunTrail

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A problem the user can fix; the message is shown as it is (exit code 2)."""


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    r"""Format a plain-text table whose columns line up with Japanese text.

    Control characters, tabs and newlines in a cell are shown as their code (``\x1b``):
    a cell value can neither draw on the terminal nor start a line of its own.
    """
    cells = [[terminal_text(c) for c in header], *[[terminal_text(c) for c in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(_pad(c, w, right=c.isdigit()) for c, w in zip(row, widths, strict=True))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


# --- tokki load ----------------------------------------------------------------------


def _load_summary(submission: Submission) -> dict[str, object]:
    from tokki_analytics.forms import FORMS_BY_KEY
    from tokki_analytics.intake.coverage import coverage_records

    rows = {FORMS_BY_KEY[key].name: n for key, n in submission.rows().items()}
    columns = ["rule_id", "contractor_id", "contract_id", "form", "source", "sheet", "row"]
    columns += ["column", "value", "detail"]
    frame = submission.defects[columns].astype(object)
    defects = frame.where(frame.notna(), None).to_dict("records")
    coverage = coverage_records(submission)
    return {"rows": rows, "defects": defects, "ignored": submission.ignored, "coverage": coverage}


def _print_load(submission: Submission) -> None:
    from tokki_analytics.forms import ALL_FORMS
    from tokki_analytics.intake.coverage import coverage_report

    contractors = submission.contractors
    known = contractors[contractors["known"]]["contractor_id"].tolist()
    header = ["様式 (form)", *known, "計"]
    rows = []
    for form in ALL_FORMS:
        frame = submission.frames[form.key]
        if form.is_master:
            rows.append([form.name, *["" for _ in known], len(frame)])
            continue
        counts = frame["contractor_id"].value_counts()
        per = [int(counts.get(code, 0)) for code in known]
        submitted = set(
            submission.submitted.loc[submission.submitted["form"] == form.key, "contractor_id"]
        )
        cells = [str(n) if code in submitted else "—" for code, n in zip(known, per, strict=True)]
        rows.append([form.name, *cells, sum(per)])
    print(f"データフォルダ: {terminal_text(submission.data_dir)}")
    print(f"受託者 {len(known)} 社 / 契約 {len(submission.contracts)} 件\n")
    print("読み込んだ行数（— は提出なし） / rows read per form and contractor (— = not submitted)")
    print(format_table(header, rows))
    defects = submission.defects
    print(f"\n提出物の不備 / submission defects: {len(defects)} 件")
    if len(defects):
        columns = ["rule_id", "contractor_id", "contract_id", "source", "sheet", "row", "detail"]
        shown = defects[columns]
        table = shown.astype(object).where(shown.notna(), "").values.tolist()
        print(format_table(["規則", "受託者", "契約", "ファイル", "シート", "行", "内容"], table))
    if submission.ignored:
        print(
            "\n様式ではないため無視したファイル・シート / ignored, not a form:",
            len(submission.ignored),
        )
        for item in submission.ignored:
            print(f"  {terminal_text(item)}")
    print(coverage_report(submission, format_table))


def cmd_load(args: argparse.Namespace) -> int:
    """Run ``tokki load``: read a data folder and report rows and defects."""
    from tokki_analytics.ingest import load

    submission = load(Path(args.data), settings=_settings(args))
    if not args.show_names:
        submission = _masked_defects(submission)
    if args.json:
        text = json.dumps(_load_summary(submission), ensure_ascii=False, indent=1)
        sys.stdout.write(json_text(text) + "\n")  # no raw DEL, C1 or bidi control
    else:
        _print_load(submission)
    return EXIT_OK


def _masked_defects(submission: Submission) -> Submission:
    """The submission with person names masked in its defects and ignored-file list."""
    import dataclasses

    from tokki_analytics.masking import Masker

    mask = Masker.of(submission)
    return dataclasses.replace(
        submission,
        defects=mask.name_cells(mask.frame(submission.defects)),
        ignored=[mask.text(item) for item in submission.ignored],
    )


def _settings(args: argparse.Namespace) -> Settings:
    from tokki_analytics.settings import load_settings

    return load_settings(_settings_path(args), as_of=args.as_of)


def _settings_path(args: argparse.Namespace) -> Path:
    """The settings file a command uses; a --settings file must exist."""
    if not args.settings:
        return Path(args.data) / "settings.toml"
    path = Path(args.settings)
    if not path.is_file():
        raise UsageError(f"設定ファイル {path} がありません / settings file {path} does not exist")
    return path


# --- tokki samples --------------------------------------------------------------------


def cmd_samples(args: argparse.Namespace) -> int:
    """Run ``tokki samples``: write a synthetic prefecture and its answer key."""
    from tokki_analytics.samples import generate

    out = Path(args.out)
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise UsageError(
            f"{out} は空ではありません（上書きするには --force） / "
            f"{out} is not empty (use --force to replace it)"
        )
    key = generate(
        out,
        contractors=args.contractors,
        seed=args.seed,
        access_rows=args.access_rows,
        key_dir=Path(args.key_dir) if args.key_dir else None,
        overwrite=args.force,
    )
    print(f"サンプルデータを作成しました / sample prefecture written: {terminal_text(out)}")
    print(f"埋め込んだ指摘 / planted findings: {len(key)}")
    return EXIT_OK


# --- tokki run ----------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Run ``tokki run``: audit a data folder and write the findings, exports and reports."""
    from tokki_analytics.followup_report import run_follow_up
    from tokki_analytics.history import default_store_dir
    from tokki_analytics.pipeline import audit
    from tokki_analytics.publish import Options, check_run_out, publish

    history_dir = None if args.no_history else Path(args.history or default_store_dir())
    check_run_out(Path(args.out), Path(args.data), history_dir)  # before the audit, not after
    if args.timings:
        check_timings_path(Path(args.timings))
    progress = Progress(quiet=args.quiet)
    trail = _run_trail(args)
    result = audit(
        Path(args.data),
        as_of=args.as_of,
        settings_file=_settings_path(args),
        suites_dir=args.suites,
        progress=progress,
        engine=args.engine,
        jobs=args.jobs,
        spark_master=args.spark_master,
        lean=True,
    )
    progress("出力 (writing reports)")
    out = Path(args.out)
    options = Options(
        show_names=args.show_names,
        group_readable=args.group_readable,
        history_dir=history_dir,
        datadocs=not args.no_datadocs,
        trail=trail,
    )
    followup = run_follow_up(result)  # once: the workbook, the pages and --fail-on overdue
    publish(result, out, options, followup)
    progress.done()
    if args.timings:
        write_timings(Path(args.timings), progress)
    if not args.quiet:
        print_run(result, out, followup)
    return failing_exit(result.findings, args.fail_on, followup.overdue)


def _run_trail(args: argparse.Namespace) -> RunTrail:
    """The data folder as the run starts, the command line and the suites (manifest.json)."""
    from tokki_analytics.gx.suites import SUITES_DIR
    from tokki_analytics.trail import RunTrail, snapshot

    return RunTrail(
        command=["tokki", *getattr(args, "argv", [])],
        started=dt.datetime.now(dt.UTC),
        before=snapshot(Path(args.data)),
        suites_dir=Path(args.suites) if args.suites else SUITES_DIR,
    )


# --- tokki verify ----------------------------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Run ``tokki verify``: compare a run's manifest with its data folder and suites now."""
    from tokki_analytics.gx.suites import SUITES_DIR
    from tokki_analytics.trail import compare, read_manifest, report

    manifest = read_manifest(Path(args.out))
    data = Path(args.data) if args.data else Path(str(manifest.get("data_dir", "")))
    if not data.is_dir():
        raise UsageError(
            f"データフォルダ {terminal_text(data)} がありません（--data で指定してください） / "
            f"no data folder {terminal_text(data)}: give it with --data"
        )
    recorded = Path(str(manifest.get("suites", {}).get("dir", SUITES_DIR)))
    suites = Path(args.suites) if args.suites else recorded if recorded.is_dir() else SUITES_DIR
    differences = compare(manifest, data, suites)
    for line in report(differences, show_names=args.show_names):
        print(terminal_text(line))
    return EXIT_FINDINGS if differences.any else EXIT_OK


# --- tokki notebook -----------------------------------------------------------------


#: What ``tokki notebook`` imports beyond the core (the ``notebooks`` extra).
NOTEBOOK_MODULES = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel")


def cmd_notebook(args: argparse.Namespace) -> int:
    """Run ``tokki notebook``: execute a notebook headless, write .ipynb and code-less HTML."""
    import importlib.util

    from tokki_analytics.notebooks.nbrun import run_notebook

    missing = [m for m in NOTEBOOK_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(
            "ノートブックの実行に必要なパッケージがありません（"
            + "、".join(missing)
            + "）。pip install 'tokki-analytics[notebooks]' で追加してください / "
            "packages needed to run notebooks are missing: "
            + ", ".join(missing)
            + "; install them with pip install 'tokki-analytics[notebooks]'"
        )

    executed, html = run_notebook(  # its parameters are checked before anything is written
        args.name,
        Path(args.data),
        Path(args.out),
        contractor=args.contractor,
        clause=args.clause,
        as_of=args.as_of,
        run_dir=args.run,
        history_dir=args.history,
        show_names=args.show_names,
    )
    print(f"実行済みノートブック (notebook): {terminal_text(executed)}")
    print(f"HTML（コードなし） (report): {terminal_text(html)}")
    return EXIT_OK


# --- plumbing -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tokki``."""
    parser = argparse.ArgumentParser(
        prog="tokki",
        description="個人情報取扱特記事項の遵守状況を監査します / audit the annex's clauses",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="データフォルダを読み込み、行数と不備を表示 (pre-flight check)")
    p.add_argument("data", help="データフォルダ (data folder)")
    p.add_argument("--json", action="store_true", help="JSON で出力 (machine-readable)")
    p.add_argument("--show-names", action="store_true", help="氏名を伏字にしない (show names)")
    p.add_argument("--settings", help="settings.toml の場所 (default: DATA/settings.toml)")
    p.add_argument("--as-of", type=parse_date_arg, help="監査基準日 YYYY-MM-DD")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("samples", help="合成サンプルデータを作成 (synthetic sample prefecture)")
    p.add_argument("out", help="作成するデータフォルダ (output data folder)")
    p.add_argument("--contractors", type=int, default=8, help="受託者数 (default 8)")
    p.add_argument("--seed", type=int, default=0, help="乱数シード (default 0)")
    p.add_argument("--access-rows", type=int, default=None, help="入退室記録の総行数")
    p.add_argument("--key-dir", help="正解表の出力先 (default: OUT_answer_key beside OUT)")
    p.add_argument("--force", action="store_true", help="既存のフォルダを上書き")
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("run", help="監査を実行し、指摘と適合率を出力 (audit a data folder)")
    p.add_argument("data", help="データフォルダ (data folder)")
    p.add_argument("--out", required=True, help="出力先フォルダ (output folder)")
    p.add_argument(
        "--as-of", type=parse_date_arg, help="監査基準日 YYYY-MM-DD (overrides settings.toml)"
    )
    p.add_argument("--settings", help="settings.toml の場所 (default: DATA/settings.toml)")
    p.add_argument(
        "--suites", help="期待値スイートのフォルダ (default: 同梱のスイート / the shipped suites)"
    )
    p.add_argument("--group-readable", action="store_true", help="出力をグループにも読めるように")
    p.add_argument("--show-names", action="store_true", help="氏名を伏字にしない (show names)")
    p.add_argument("--history", help="実行履歴の保存先 (default: ~/.local/share/tokki/history)")
    p.add_argument("--no-history", action="store_true", help="実行履歴を保存しない")
    p.add_argument("--no-datadocs", action="store_true", help="GX Data Docs を作らない")
    p.add_argument("--quiet", action="store_true", help="進捗と要約を表示しない (no output)")
    p.add_argument("--engine", choices=["local", "spark"], default="local", help="実行エンジン")
    p.add_argument(
        "--jobs", type=parse_jobs_arg, help="並列プロセス数 (local; default: CPU コア数)"
    )
    p.add_argument("--spark-master", default="local[*]", help="Spark のマスター (spark)")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        help="この重大度以上の指摘、または overdue: 期限超過の指示があれば終了コード 1 "
        "(exit 1 on findings at or above a severity, or on overdue instructions)",
    )
    p.add_argument(
        "--timings", help="段階ごとの所要秒数を JSON で書き出す (write stage seconds as JSON)"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "verify", help="実行時の入力ファイルと現在を照合 (check inputs against a run's manifest)"
    )
    p.add_argument("out", help="tokki run の出力フォルダ (a run's output folder)")
    p.add_argument("--data", help="データフォルダ (default: manifest.json に記録されたもの)")
    p.add_argument("--suites", help="期待値スイートのフォルダ (default: 実行時のもの)")
    p.add_argument("--show-names", action="store_true", help="追加ファイルの名前も表示")
    p.set_defaults(func=cmd_verify)
    add_evaluate_parser(sub)
    add_check_parser(sub)
    add_template_parser(sub)

    p = sub.add_parser(
        "notebook", help="ノートブックを実行し HTML を出力 (run a notebook headless)"
    )
    p.add_argument(
        "name",
        choices=list(NOTEBOOKS),
        help=" / ".join(f"{nb.name}: {nb.title}" for nb in NOTEBOOKS.values()),
    )
    p.add_argument("--data", required=True, help="データフォルダ (data folder)")
    p.add_argument("--out", required=True, help="出力先フォルダ (output folder)")
    p.add_argument(
        "--contractor", help=f"受託者コード ({', '.join(taking('contractor_id'))}), e.g. C001"
    )
    p.add_argument("--clause", help=f"条項 ({', '.join(taking('clause'))}), default 第3")
    p.add_argument("--as-of", type=parse_date_arg, help="監査基準日 YYYY-MM-DD")
    p.add_argument("--run", help="tokki run の出力先（監査をやり直さない） (reuse a finished run)")
    p.add_argument(
        "--history",
        help=f"実行履歴の保存先 ({', '.join(taking('history_dir'))}: trend of stored runs)",
    )
    p.add_argument("--show-names", action="store_true", help="氏名を伏字にしない (show names)")
    p.set_defaults(func=cmd_notebook)
    return parser


def _log_dir() -> Path:
    base = os.environ.get("TOKKI_LOG_DIR")
    return Path(base) if base else Path(tempfile.gettempdir()) / "tokki-logs"


def _internal_error(exc: BaseException) -> int:
    folder = _log_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"tokki-error-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    print(
        f"内部エラーが発生しました。詳細: {path}\n"
        f"internal error ({type(exc).__name__}); details in {path}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (``kill``, a CI timeout) like Ctrl-C while a command runs.

    Python's default for SIGTERM ends the process at once: a run being published left its
    temporary folder (``.tokki-new-*``, the masked report) behind. As an interrupt, every
    ``finally`` runs: the temporary files are removed and the previous report stays whole.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tokki`` console script."""
    from tokki_analytics.errors import InputError

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        with _terminate_as_interrupt():
            return func(args)
    except (UsageError, InputError) as exc:
        print(escape_controls(str(exc)), file=sys.stderr)  # a path may hold an escape
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader of our output went away (`tokki load … | head`): nothing to report
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("中断しました / interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the user gets a message, the log the traceback
        return _internal_error(exc)


if __name__ == "__main__":
    sys.exit(main())
