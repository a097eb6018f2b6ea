"""``tokki template``: write contractors' submission workbooks (提出様式).

``tokki template DATA --contractor K --out FILE.xlsx`` writes one contractor's workbook;
``tokki template DATA --all --out DIR`` one per contractor of 委託契約一覧, named
:func:`template_name`. The masters of DATA are read by tokki's own loader (no contractor
folder is opened); the as-of date of ``settings.toml`` (or ``--as-of``) closes the period the
records must cover. An existing file is never replaced without ``--force``: a template
already sent, or a filled one received back, may sit where the new one would go. Each file is
written to a temporary name first and renamed, so no half-written workbook is left.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.cliargs import parse_date_arg
from tokki_analytics.errors import InputError
from tokki_analytics.outputs.files import nearest_existing
from tokki_analytics.safetext import file_stem, terminal_text

if TYPE_CHECKING:  # the ``tokki`` command imports this module: nothing heavy at start
    import pandas as pd
    from openpyxl import Workbook

EXIT_OK = 0


def template_name(contractor_id: str) -> str:
    """The file name of a contractor's template: ``C001_提出様式.xlsx``.

    The code comes from 委託契約一覧: it is made a safe file name (:func:`file_stem`), so
    ``--all --out DIR`` writes inside DIR whatever the master holds.
    """
    return f"{file_stem(contractor_id)}_提出様式.xlsx"


def template_names(codes: list[str]) -> dict[str, str]:
    """Contractor code → file name, one file per code even where :func:`template_name` collides.

    Two codes of 委託契約一覧 can give one name (``Z/01`` and ``Z_01``, or ``c001`` and
    ``C001`` on a file system that ignores case): each of those gets the first 8 hex digits
    of its code's SHA-256 after its stem (``Z_01-1a2b3c4d_提出様式.xlsx``), so no template
    replaces another.

    Raises:
        InputError: Names still collide (a code shaped like another's digested name).
    """
    plain = {code: template_name(code) for code in codes}
    counts = Counter(name.casefold() for name in plain.values())
    names = {
        code: name
        if counts[name.casefold()] == 1
        else f"{file_stem(code)}-{hashlib.sha256(code.encode()).hexdigest()[:8]}_提出様式.xlsx"
        for code, name in plain.items()
    }
    seen = Counter(name.casefold() for name in names.values())
    clash = [terminal_text(code) for code, name in names.items() if seen[name.casefold()] > 1]
    if clash:
        raise InputError(
            f"受託者コード {'、'.join(clash)} の提出様式のファイル名が重なります。委託契約一覧の"
            f"受託者コードを確認してください / contractor codes {', '.join(clash)} give the "
            "same template file name; check the codes in 委託契約一覧"
        )
    return names


def _refuse_place(out: Path, root: Path, folder: bool) -> None:
    """Refuse an ``--out`` inside the data folder, or under a file (``folder``: ``--all``).

    Raises:
        InputError: A template in DATA would be read by the next audit (a folder of
            templates as a contractor's folder); a parent of ``out`` is a file.
    """
    whole = Path(os.path.abspath(out))
    if whole.resolve().is_relative_to(root.resolve()):
        raise InputError(
            f"出力先 {terminal_text(out)} はデータフォルダ {terminal_text(root)} の中です。"
            "次の監査で読まれてしまうため、データフォルダの外を指定してください / the output "
            f"{terminal_text(out)} is inside the data folder {terminal_text(root)}, where the "
            "next audit would read it; give a place outside it"
        )
    here = nearest_existing(whole if folder else whole.parent)
    if not here.is_dir():
        raise InputError(
            f"出力先 {terminal_text(out)} を作成できません。{terminal_text(here)} はフォルダでは"
            f"ありません / cannot create {terminal_text(out)}: {terminal_text(here)} is not a "
            "folder"
        )


def _refuse_existing(paths: list[Path]) -> None:
    """Stop before writing when a target exists (``--force`` replaces it).

    Raises:
        InputError: Some of ``paths`` exist; the message lists them.
    """
    existing = [str(p) for p in paths if p.exists()]
    if existing:
        shown = "\n".join(existing[:10]) + ("\n…" if len(existing) > 10 else "")
        raise InputError(
            "既にあるファイルは上書きしません（上書きするには --force）/ "
            f"not replacing existing files (use --force):\n{shown}"
        )


def save_workbook(wb: Workbook, path: Path) -> None:
    """Save ``wb`` at ``path`` through a hidden temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(prefix=".tokki-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _targets(args: argparse.Namespace, contracts: pd.DataFrame) -> dict[str, Path]:
    """Contractor code → the file to write, after the checks of the arguments."""
    from tokki_analytics.forms import nfkc
    from tokki_analytics.intake.template import contractor_contracts

    out = Path(args.out)
    if args.all:
        if out.exists() and not out.is_dir():
            raise InputError(f"{out} はフォルダではありません / {out} is not a folder")
        codes = list(dict.fromkeys(contracts["contractor_id"].astype(str)))
        return {code: out / name for code, name in template_names(codes).items()}
    if out.is_dir():
        raise InputError(
            f"{terminal_text(out)} はフォルダです。.xlsx のファイル名を指定してください / "
            f"{terminal_text(out)} is a folder: give an .xlsx file name"
        )
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            f"出力ファイル名は .xlsx で終えてください: {out} / the output must be an .xlsx file"
        )
    code = nfkc(args.contractor)
    contractor_contracts(contracts, code)  # unknown: ParameterError
    return {code: out}


def cmd_template(args: argparse.Namespace) -> int:
    """Run ``tokki template``: write the submission workbook(s).

    Returns:
        0 when every workbook was written (a wrong argument raises an
        :class:`~tokki_analytics.errors.InputError`: exit 2).
    """
    from tokki_analytics.ingest import read_contracts
    from tokki_analytics.ingest.masters import existing_folder
    from tokki_analytics.intake.template import build_template
    from tokki_analytics.settings import load_settings

    root = existing_folder(args.data)
    settings = load_settings(root / "settings.toml", as_of=args.as_of)
    contracts = read_contracts(root, settings)
    _refuse_place(Path(args.out), root, folder=args.all)
    targets = _targets(args, contracts)
    if not args.force:
        _refuse_existing(list(targets.values()))
    for code, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook = build_template(contracts, code, settings.as_of, settings.submission_contact)
        save_workbook(workbook, path)
        print(f"作成しました / written: {terminal_text(path)}")
    return EXIT_OK


def add_template_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``tokki template`` to the ``tokki`` command's sub-commands."""
    p = sub.add_parser(
        "template",
        help="受託者に送る提出様式（記入用ブック）を作成 (submission workbooks for contractors)",
    )
    p.add_argument("data", help="データフォルダ（委託契約一覧のある所） (data folder)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--contractor", help="受託者コード, e.g. C001")
    which.add_argument("--all", action="store_true", help="全受託者分をフォルダに作成")
    p.add_argument(
        "--out", required=True, help="出力ファイル (.xlsx)、--all では出力フォルダ (output)"
    )
    p.add_argument(
        "--as-of", type=parse_date_arg, help="監査基準日 YYYY-MM-DD (default: settings.toml)"
    )
    p.add_argument("--force", action="store_true", help="既存のファイルを上書き (replace files)")
    p.set_defaults(func=cmd_template)
