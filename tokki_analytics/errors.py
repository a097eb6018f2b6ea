"""Errors the user can fix: shown as their message alone, never as a traceback.

The command line prints them and exits with code 2. In a notebook, IPython renders an
exception through its ``_render_traceback_`` when it has one, so a wrong parameter in
JupyterLab shows the same Japanese and English message instead of a Python traceback.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input (a path, a setting, a parameter); the message is in Japanese and English."""

    def _render_traceback_(self) -> list[str]:
        return [f"入力を確認してください / please check the input:\n{self}"]


class ParameterError(InputError, ValueError):
    """A parameter names nothing in the data (a contractor, a clause)."""


def unknown_contractor(code: str, known: list[str]) -> ParameterError:
    """The error for a contractor with no contract (it lists the codes that have one)."""
    shown = "、".join(known[:20]) + ("…" if len(known) > 20 else "")
    return ParameterError(
        f"受託者 {code} の契約は委託契約一覧にありません。受託者コード: {shown} / "
        f"contractor {code} has no contract in 委託契約一覧"
    )
