"""Argument types of the ``tokki`` command line, shared by every sub-command.

argparse calls a ``type=`` function on the text typed; an
:class:`argparse.ArgumentTypeError` becomes the usage message (exit 2), in Japanese and
English, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt

from tokki_analytics.safetext import terminal_text


def parse_date_arg(text: str) -> dt.date:
    """A date option such as ``--as-of 2025-03-31``.

    Raises:
        argparse.ArgumentTypeError: ``text`` is not a date written YYYY-MM-DD.
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD で指定してください / expected YYYY-MM-DD: {terminal_text(text)}"
        ) from exc


def parse_jobs_arg(text: str) -> int:
    """A number of parallel processes (``--jobs``): a whole number of 1 or more.

    Raises:
        argparse.ArgumentTypeError: ``text`` is not a whole number of 1 or more.
    """
    if not text.strip().isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"並列数は 1 以上の整数で指定してください / expected a whole number of 1 or more: "
            f"{terminal_text(text)}"
        )
    return int(text)
