"""Generate the column reference (``docs/FORMS.md``) from the form declarations.

Run ``python -m tokki_analytics.docs`` after changing :mod:`tokki_analytics.forms`, the
settings or the rules; a test fails while the committed reference differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tokki_analytics.forms import ALL_FORMS, BLANK_WORDS, NO_MARKS, YES_MARKS, Form, Need
from tokki_analytics.rules import FORM_CLAUSES
from tokki_analytics.settings import settings_reference

_NEED = {
    Need.ALWAYS: "全契約で必要 (every contract)",
    Need.ELECTRONIC: "電子データ取扱が「無」でない契約で必要 (contracts handling electronic data)",
    Need.WHEN_ANY: "記録があるときのみ (only when there is something to record)",
    Need.MASTER: "県が用意する一覧 (prefecture master)",
}


def _form_section(form: Form) -> list[str]:
    names = " / ".join(form.names)
    lines = [f"## {names} — {form.title_en}", ""]
    lines.append(f"- 提出 (need): {_NEED[form.need]}")
    if form.key in FORM_CLAUSES:
        clauses = "、".join(FORM_CLAUSES[form.key])
        lines.append(f"- 条項 (clauses whose rules read it): {clauses}")
    lines += [
        "",
        "| 列 (header) | 別名 (aliases) | key | 種類 (kind) | 必須 | 使える値 (allowed) |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for col in form.columns:
        required = "●" if col.required else ""
        allowed = " / ".join(col.allowed)
        note = " (氏名: 報告では伏字)" if col.personal else ""
        aliases = " / ".join(col.aliases)
        lines.append(
            f"| {col.name}{note} | {aliases} | `{col.key}` | {col.kind} | {required} | {allowed} |"
        )
    return [*lines, ""]


def render() -> str:
    """Return the Markdown column reference."""
    lines = [
        "# 様式と列の一覧 (forms and columns)",
        "",
        "Generated from `tokki_analytics/forms.py` (the clauses: from the rules) by"
        " `python -m tokki_analytics.docs`; do not edit by hand.",
        "",
        f"- 空欄 (blank): empty, whitespace, {' '.join(BLANK_WORDS)}",
        f"- 印 (mark) yes: {' '.join(YES_MARKS)}; no: {' '.join(NO_MARKS)}",
        "",
    ]
    for form in ALL_FORMS:
        lines += _form_section(form)
    lines += ["## settings.toml", "", "| key | default | 説明 |", "|---|---|---|"]
    for key, default, doc in settings_reference():
        lines.append(f"| `{key}` | `{default}` | {doc} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write ``docs/FORMS.md`` beside the package."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/FORMS.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
