"""``tokki check FOLDER --data DATA [--contractor K] --out OUT``: the intake check (受付時点検).

Checks one contractor's submission folder against the masters of a data folder with the
same loader, rules and validation as ``tokki run`` (:mod:`tokki_analytics.intake.checkrun`),
and writes the reply the prefecture sends back (:mod:`tokki_analytics.intake.reply`).
Exit codes: 0 nothing to correct; 1 something to correct (a defect, a finding, a record
period flagged by the submission status, or a folder whose code has no contract in
委託契約一覧); 2 usage (a missing folder, a folder name that gives no contractor code and no
--contractor, an unknown contractor, not a data folder, an output folder tokki must not
write). Messages are Japanese first, then English; the command line
(:mod:`tokki_analytics.cli`) prints a user's error as its message, never a traceback.
Great Expectations' usage statistics are off: the package's ``__init__`` switches them off
before anything imports GX.

Nothing here is imported at the ``tokki`` command's start but this module, which imports
nothing heavy.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from tokki_analytics.cliargs import parse_date_arg
from tokki_analytics.errors import InputError
from tokki_analytics.safetext import terminal_text

EXIT_CLEAN, EXIT_CORRECT = 0, 1


def check_out_place(out: Path, folder: Path) -> None:
    """Refuse an output folder inside the submission folder (a next check would read it).

    Raises:
        InputError: ``out`` is, or lies inside, ``folder``.
    """
    if folder.is_dir() and out.resolve().is_relative_to(folder.resolve()):
        raise InputError(
            f"出力先 {terminal_text(out)} は提出フォルダ {terminal_text(folder)} の中です。"
            "次の点検で提出物として読まれてしまうため、外のフォルダを指定してください / the "
            f"output folder {terminal_text(out)} is inside the submission folder "
            f"{terminal_text(folder)}; give a folder outside it"
        )


def _settings_file(args: argparse.Namespace) -> Path:
    if not args.settings:
        return Path(args.data) / "settings.toml"
    path = Path(args.settings)
    if not path.is_file():
        raise InputError(
            f"設定ファイル {terminal_text(path)} がありません / settings file "
            f"{terminal_text(path)} does not exist"
        )
    return path


def cmd_check(args: argparse.Namespace) -> int:
    """Run ``tokki check``: check the folder, write the reply, print a summary."""
    from tokki_analytics.ingest.folders import display_name
    from tokki_analytics.ingest.masters import existing_folder
    from tokki_analytics.intake.check import Cover, cover_counts, reply_table
    from tokki_analytics.intake.checkrun import check_folder_place, run_check
    from tokki_analytics.intake.reply import check_reply_out, write_reply
    from tokki_analytics.settings import load_settings

    data, folder, out = existing_folder(args.data), Path(args.folder), Path(args.out)
    check_folder_place(folder, data)
    check_out_place(out, folder)
    check_reply_out(out, data)
    settings = load_settings(_settings_file(args), as_of=args.as_of)
    started = dt.datetime.now()
    result = run_check(folder, data, args.contractor, settings)
    items = reply_table(result.audit.findings, result.defects, result.contracts, result.coverage)
    cover = Cover(
        code=result.code,
        name=result.name,
        as_of=result.as_of,
        checked_at=started,
        folder=display_name(folder.name),
        counts=cover_counts(items),
        contract_missing=not result.contracts,
        ignored=result.ignored,
    )
    written = write_reply(out, cover, items, data_dir=data)
    if not args.quiet:
        lines = cover.lines()[1:]
        if cover.total and not cover.contract_missing:
            lines = lines[:-1]  # the reply's instructions to the contractor
        for line in lines:
            print(terminal_text(line))
        for path in written:
            print(f"差し戻し票 (reply): {terminal_text(path)}")
    return EXIT_CORRECT if cover.total else EXIT_CLEAN


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``tokki check`` to the ``tokki`` command's sub-commands."""
    p = sub.add_parser(
        "check",
        help="受託者 1 社の提出フォルダを受付時に点検し、差し戻し票を作成 "
        "(intake check of one contractor's folder)",
    )
    p.add_argument("folder", help="受託者の提出フォルダ (the contractor's submission folder)")
    p.add_argument("--data", required=True, help="データフォルダ（委託契約一覧・検査履歴・設定）")
    p.add_argument(
        "--contractor", help="受託者コード（フォルダ名から分からないとき） (contractor code)"
    )
    p.add_argument("--out", required=True, help="差し戻し票の出力先フォルダ (output folder)")
    p.add_argument(
        "--as-of", type=parse_date_arg, help="監査基準日 YYYY-MM-DD (overrides settings.toml)"
    )
    p.add_argument("--settings", help="settings.toml の場所 (default: DATA/settings.toml)")
    p.add_argument("--quiet", action="store_true", help="要約を表示しない (no output)")
    p.set_defaults(func=cmd_check)
