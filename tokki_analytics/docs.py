"""Generate the references in ``docs/``: FORMS.md from the forms, RULES.md from the rules.

Run ``python -m tokki_analytics.docs`` after changing :mod:`tokki_analytics.forms`, the
settings or a rule (:mod:`tokki_analytics.rules`); a test fails while a committed reference
differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tokki_analytics.forms import (
    ALL_FORMS,
    BLANK_WORDS,
    FORMS_BY_KEY,
    NO_MARKS,
    RECORDS,
    SUBMISSION_FORMS,
    YES_MARKS,
    Form,
    Need,
)
from tokki_analytics.rules import ALL_RULES, FORM_CLAUSES, VIEWS, Rule, RuleInfo
from tokki_analytics.settings import settings_reference

_NEED = {
    Need.ALWAYS: "全契約で必要 (every contract)",
    Need.ELECTRONIC: "電子データ取扱が「無」でない契約で必要 (contracts handling electronic data)",
    Need.WHEN_ANY: "記録があるときのみ (only when there is something to record)",
    Need.MASTER: "県が用意する一覧 (prefecture master)",
}


def _dating(form: Form) -> str:
    """How the submission status (提出状況) dates a form's records, and whether it is a log."""
    if form.period is None:
        return "記録の日付 (dating column): なし（一覧、期間を見ない） (none: a list)"
    col = form.column(form.period)
    text = f"記録の日付 (dating column): {col.name} (`{col.key}`)"
    if form.continuous:
        return (
            f"{text}、継続記録: 対象期間を通じて記録が必要、途切れは提出状況で注記"
            " (continuous: expected throughout the period, a gap is flagged)"
        )
    return f"{text}、途切れは注記しない (dated records, gaps not flagged)"


def _form_section(form: Form) -> list[str]:
    names = " / ".join(form.names)
    lines = [f"## {names} — {form.title_en}", ""]
    lines.append(f"- 提出 (need): {_NEED[form.need]}")
    if form.key in FORM_CLAUSES:
        clauses = "、".join(FORM_CLAUSES[form.key])
        lines.append(f"- 条項 (clauses whose rules read it): {clauses}")
    if form in SUBMISSION_FORMS:
        lines.append(f"- {_dating(form)}")
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
    """Return the Markdown column reference (``docs/FORMS.md``)."""
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
    for form in (*ALL_FORMS, *RECORDS):
        lines += _form_section(form)
    lines += ["## settings.toml", "", "| key | default | 説明 |", "|---|---|---|"]
    for key, default, doc in settings_reference():
        lines.append(f"| `{key}` | `{default}` | {doc} |")
    return "\n".join(lines) + "\n"


def _names(keys: tuple[str, ...]) -> str:
    return "・".join(FORMS_BY_KEY[key].name for key in keys)


def _rule_forms(rule: RuleInfo) -> str:
    """The forms a rule judges the rows of, then those it compares them with."""
    if not isinstance(rule, Rule):
        return "（全様式）"
    text = _names(VIEWS[rule.view].units)
    if rule.needs:
        text += f"（参照: {_names(rule.needs)}）"
    if rule.needs_if_sent:
        text += f"（参照、提出時: {_names(rule.needs_if_sent)}）"
    return text


def _declared_in(rule: RuleInfo) -> str:
    module = VIEWS[rule.view].build.__module__ if isinstance(rule, Rule) else "quality"
    return f"`rules/{module.rsplit('.', 1)[-1]}.py`"


def render_rules() -> str:
    """Return the Markdown rule catalogue (``docs/RULES.md``)."""
    lines = [
        "# 規則の一覧 (rules)",
        "",
        "Generated from the rule catalogue (`tokki_analytics/rules/`) by"
        " `python -m tokki_analytics.docs`; do not edit by hand.",
        "",
        "- 様式 (forms): the forms whose rows the rule judges (its units), then the reference"
        " forms it compares them with: for a contractor whose reference form is missing or"
        " unusable the rule is not assessed (参照、提出時: only when the form was sent and"
        " none of it could be read).",
        "- 設定 (settings): the `settings.toml` keys the rule reads (FORMS.md lists their"
        " defaults); every rule also reads `as_of`.",
        "- A contract's 適用除外条項 switches off every rule of the clauses it names.",
        "",
        "| id | 条項 | 重大度 | 単位 (unit) | 様式 (forms) | 内容 (what it checks) | 設定"
        " (settings) | 宣言 (declared in) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in ALL_RULES:
        settings = ", ".join(f"`{key}`" for key in rule.settings)
        lines.append(
            f"| {rule.id} | {rule.clause} | {rule.severity} | {rule.unit} | {_rule_forms(rule)}"
            f" | {rule.description} | {settings} | {_declared_in(rule)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write ``FORMS.md`` and ``RULES.md`` into ``docs/`` (or the folder given)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("FORMS.md", render()), ("RULES.md", render_rules())):
        target = folder / name
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
