"""The audit's vocabulary: severities, clause statuses and clause ids, in one place.

Pure declarations and small functions over strings (no pandas, no I/O, no HTML), imported by
every module that names a severity, a status or a clause; this module imports nothing of the
package but its errors.

Severity
    Three grades after ISO 19011: 重大 (major nonconformity), 軽微 (minor), 観察
    (observation). :data:`SEVERITY_TABLE` gives each its Great Expectations level, its rank
    (``tokki run --fail-on``) and its weight in the risk score; the mappings below it are
    read from that table.

Clause status
    適合 / 不適合 / 未評価 of a contract (or contractor) × clause (:mod:`tokki_analytics.status`).

Clauses
    Ids as the annex numbers them (``第3``, ``第7一`` … ``第7八``), their short titles, their
    order, and what an auditor may type for one (:func:`parse_clause`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tokki_analytics.errors import ParameterError

# --- severity ---------------------------------------------------------------------------

MAJOR, MINOR, OBSERVATION = "重大", "軽微", "観察"


@dataclass(frozen=True)
class Severity:
    """One grade of finding and what each part of tokki makes of it.

    Attributes:
        grade: The grade written in findings.csv: 重大, 軽微 or 観察.
        gx_level: The Great Expectations severity of the rule's expectation.
        rank: Higher is more severe (``--fail-on`` fails at or above a rank).
        weight: Weight of one finding in the risk score (W of the report's formula).
    """

    grade: str
    gx_level: str
    rank: int
    weight: float


#: The grades, most severe first: the order of every table, card and summary line.
SEVERITY_TABLE: tuple[Severity, ...] = (
    Severity(MAJOR, "critical", 2, 3.0),
    Severity(MINOR, "warning", 1, 1.0),
    Severity(OBSERVATION, "info", 0, 0.2),
)
SEVERITIES: tuple[str, ...] = tuple(s.grade for s in SEVERITY_TABLE)
#: Grade → Great Expectations 1.x expectation severity (critical / warning / info).
SEVERITY_GX: dict[str, str] = {s.grade: s.gx_level for s in SEVERITY_TABLE}
#: Grade → rank, higher more severe.
SEVERITY_RANK: dict[str, int] = {s.grade: s.rank for s in SEVERITY_TABLE}
#: Grade → position in :data:`SEVERITIES` (sort key, most severe first).
SEVERITY_ORDER: dict[str, int] = {grade: n for n, grade in enumerate(SEVERITIES)}
#: Grade → weight in the risk score (ISO 19011 grading).
SEVERITY_WEIGHTS: dict[str, float] = {s.grade: s.weight for s in SEVERITY_TABLE}
#: The English names ``--fail-on`` accepts for the grades: the GX levels.
SEVERITY_ALIASES: dict[str, str] = {s.gx_level: s.grade for s in SEVERITY_TABLE}


def severity_grade(name: str) -> str:
    """The grade a user named: 重大 / 軽微 / 観察, or its GX level critical / warning / info.

    Raises:
        ParameterError: ``name`` is neither.
    """
    grade = SEVERITY_ALIASES.get(name, name)
    if grade not in SEVERITY_RANK:
        choices = ", ".join([*SEVERITIES, *SEVERITY_ALIASES])
        raise ParameterError(
            f"重大度「{name}」はありません（{choices}）/ unknown severity {name!r}: {choices}"
        )
    return grade


# --- clause status ----------------------------------------------------------------------

#: A rule of the clause failed a unit of the contract.
STATUS_FAIL = "不適合"
#: No rule of the clause judged a unit of the contract (not the same as 適合).
STATUS_NOT_ASSESSED = "未評価"
#: The clause's rules judged units of the contract and every one passed.
STATUS_PASS = "適合"
#: The statuses in the order legends and summaries list them.
STATUSES: tuple[str, ...] = (STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS)

# --- clauses ----------------------------------------------------------------------------

#: Every clause id of the annex (適用除外条項 may name any of them).
CLAUSE_IDS: tuple[str, ...] = tuple(
    [f"第{n}" for n in range(1, 17)]
    + [f"第7{k}" for k in ("一", "二", "三", "四", "五", "六", "七", "八")]
)
#: Short Japanese titles of the clauses that have rules (what their rules check), in
#: clause order; tests/test_vocab.py proves the keys are the rule catalogue's clauses.
CLAUSE_TITLES: dict[str, str] = {
    "第2": "作業責任者",
    "第3": "従事者の届出",
    "第4": "誓約書",
    "第5": "研修",
    "第7一": "保管",
    "第7二": "持出し",
    "第7三": "暗号化",
    "第7四": "複製",
    "第7五": "媒体点検",
    "第7六": "管理台帳",
    "第7七": "私物端末",
    "第7八": "ソフトウェア",
    "第8": "受渡し",
    "第9": "再委託",
    "第11": "返還・廃棄",
    "第12": "点検報告",
    "第13": "実地検査",
    "第14": "事故報告",
}
_KANJI = {k: n for n, k in enumerate("一二三四五六七八九", start=1)}
_CLAUSE = re.compile(r"第(\d+)(.*)")


def clause_key(clause: str) -> tuple[int, int, str]:
    """Sort key of a clause id: 第2 < 第7一 < 第7八 < 第8 < 第13."""
    match = _CLAUSE.fullmatch(clause)
    if not match:
        return (10_000, 0, clause)
    return (int(match.group(1)), _KANJI.get(match.group(2), 0), clause)


def rule_clauses() -> list[str]:
    """The clauses that have rules, in clause order."""
    return sorted(CLAUSE_TITLES, key=clause_key)


def expand_clauses(clauses: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Expand clause ids: ``第7`` stands for itself and for 第7一 to 第7八."""
    out = set(clauses)
    if "第7" in out:
        out.update(c for c in CLAUSE_IDS if c.startswith("第7") and len(c) > 2)
    return frozenset(out)


def parse_clause(text: str) -> str:
    """The rule clause an auditor typed: ``第3``, ``3``, ``第１０`` or ``第7三``.

    Raises:
        ParameterError: No rule belongs to that clause (the message lists those that do).
    """
    typed = unicodedata.normalize("NFKC", str(text)).strip()
    clause = typed if typed.startswith("第") else f"第{typed}"
    known = rule_clauses()
    if clause in known:
        return clause
    parts = [c for c in known if c.startswith(clause) and not c[len(clause) :].isdigit()]
    hint = f"（{clause} は {'、'.join(parts)} に分かれています）" if parts else ""
    raise ParameterError(
        f"条項「{text}」の規則はありません{hint}。指定できる条項: {'、'.join(known)} / "
        f"no rule checks clause {text!r}; clauses with rules: {', '.join(known)}"
    )


def clause_label(clause: str) -> str:
    """``第7三 暗号化``: the clause id and its short title."""
    title = CLAUSE_TITLES.get(clause)
    return f"{clause} {title}" if title else clause
