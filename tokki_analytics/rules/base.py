"""What a rule and a check view are, and the helpers their detail lines are written with.

A rule of RULES.md is declared once, as a :class:`Rule` in the module of the check view it
reads (``tokki_analytics/rules/<view>.py``): its id, clause, severity, unit, the built-in GX
expectation that checks a column of the view (:class:`Expectation`, made by
:func:`between`, :func:`in_set` or :func:`not_null`), a Japanese description, the function
that writes one Japanese line per failing unit, the reference forms it needs and the
settings it reads. The module's :class:`View` names the forms whose rows are its units, the
function that builds it and its rules; :mod:`tokki_analytics.rules.catalogue` collects them.

Conventions every view follows (see :mod:`tokki_analytics.rules.context`):

- ``_key``: a unique integer per view row (the index GX reports failures by);
- origin columns ``contractor_id``, ``contract_id``, ``_form``, ``_source``, ``_sheet``,
  ``_row`` (blank where the unit is a contract);
- for every rule on the view a boolean column ``judge__<rule id>``: True where the rule
  judges the unit (not excluded, not after as-of, needed cells readable, not Q3). The
  expectation carries the structured row condition ``judge__<id> == True``, so the number
  of units checked is the number of True values;
- the checked columns hold values, day counts or threshold excesses computed from the
  settings; expectations compare them with literals only (no threshold in a suite).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.vocab import SEVERITIES

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

#: Turns failing view rows into one Japanese line per row naming the values at fault.
Detail = Callable[[pd.DataFrame], pd.Series]
#: Builds a check view from a submission.
Build = Callable[["Submission"], pd.DataFrame]


def judge_column(rule_id: str) -> str:
    """The view column telling where ``rule_id`` judges a unit: ``judge__C7_5-1`` for C7.5-1.

    The rule id's dots become ``_``: the suites name this column in their row conditions,
    and GX's Spark engine reads a dot in a column reference as a struct field
    (``judge__C7``.``5-1``), so a dotted name would run on pandas only.
    """
    return "judge__" + rule_id.replace(".", "_")


@dataclass(frozen=True)
class Expectation:
    """A built-in GX expectation on one column of a view, with literal arguments only.

    Attributes:
        type: The GX expectation class name, e.g. ``ExpectColumnValuesToBeBetween``.
        kwargs: Its arguments, ``column`` first.
    """

    type: str
    kwargs: dict[str, object]

    @property
    def column(self) -> str:
        """The view column it checks."""
        return str(self.kwargs["column"])


def between(column: str, *, max_value: float) -> Expectation:
    """``column`` ≤ ``max_value`` (a day count or an excess over a threshold)."""
    return Expectation("ExpectColumnValuesToBeBetween", {"column": column, "max_value": max_value})


def in_set(column: str, *values: object) -> Expectation:
    """``column`` is one of ``values`` (``True`` for a yes/no column)."""
    return Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)})


def not_null(column: str) -> Expectation:
    """``column`` is not blank."""
    return Expectation("ExpectColumnValuesToNotBeNull", {"column": column})


@dataclass(frozen=True, kw_only=True, eq=False)
class RuleInfo:
    """What RULES.md says of every rule, Q0–Q3 included (one object per rule: by identity).

    Attributes:
        id: Stable rule id, e.g. ``C3-2``.
        clause: The clause it serves, e.g. ``第3`` (``—`` for Q0–Q3).
        severity: 重大, 軽微 or 観察.
        unit: What one pass or failure counts (RULES.md's words).
        description: What the rule checks, in Japanese (GX's Data Docs and docs/RULES.md).
        settings: The :class:`~tokki_analytics.settings.Settings` fields it reads (as-of,
            which every rule reads, aside).
    """

    id: str
    clause: str
    severity: str
    unit: str
    description: str
    settings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: severity {self.severity!r} is not one of {SEVERITIES}")


@dataclass(frozen=True, kw_only=True, eq=False)
class Rule(RuleInfo):
    """One rule checked by Great Expectations on a check view.

    A view keys the judge masks it computes by its rules
    (:func:`~tokki_analytics.rules.context.finish`).

    Attributes:
        view: The name of the check view it reads (its module's :class:`View`).
        expectation: The GX expectation on a column of that view.
        detail: Failing view rows → one Japanese line per row naming the values at fault.
        needs: Reference forms (form keys) the rule compares its units against. For a
            contractor whose reference form is missing, unreadable or has no usable part,
            the rule is not assessed: no failures, no passes (RULES.md).
        needs_if_sent: Reference forms whose absence means "nothing recorded" (RULES.md:
            a missing 廃棄消去記録 means no record) but which block the rule when a file of
            them was sent and none of it could be used.
    """

    view: str
    expectation: Expectation
    detail: Detail = field(repr=False)
    needs: tuple[str, ...] = ()
    needs_if_sent: tuple[str, ...] = ()

    @property
    def judge(self) -> str:
        """The view column telling where this rule judges a unit."""
        return judge_column(self.id)


@dataclass(frozen=True, kw_only=True)
class View:
    """One check view: the frame GX validates, and the rules it carries.

    Attributes:
        name: The view's key (``Rule.view``, the suite's ``meta.view``).
        title: Its Japanese title (suite names and reports).
        units: The forms (keys) whose rows are its units: a rule all of whose unit forms
            are unavailable for a contractor has nothing to judge there.
        build: Builds the view from a submission (the conventions of this module).
        rules: The rules it carries.
    """

    name: str
    title: str
    units: tuple[str, ...]
    build: Build = field(repr=False)
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        stray = [rule.id for rule in self.rules if rule.view != self.name]
        if stray:
            raise ValueError(f"view {self.name}: rules {stray} name another view")


# --- what detail lines are written with -----------------------------------------------------


def fmt_date(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD, blank for NA (dates in ``detail`` use this form)."""
    return values.dt.strftime("%Y-%m-%d").fillna("（空欄）")


def fmt_datetime(values: pd.Series) -> pd.Series:
    """Datetimes as YYYY-MM-DD HH:MM, （空欄） for NA."""
    return values.dt.strftime("%Y-%m-%d %H:%M").fillna("（空欄）")


def fmt_int(values: pd.Series) -> pd.Series:
    """Whole numbers as text (NA → （空欄）)."""
    out = values.astype("float64").round().astype("Int64").astype("str")
    return out.fillna("（空欄）")


def fmt_text(values: pd.Series) -> pd.Series:
    """Text values, （空欄） for NA or ""."""
    out = values.astype("str")
    return out.where(out.notna() & (out != ""), "（空欄）")


def either(condition: pd.Series, when: pd.Series | str, otherwise: pd.Series | str) -> pd.Series:
    """Row-wise choice between two texts."""
    cond = pd.Series(condition, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    index = condition.index
    a = when if isinstance(when, pd.Series) else pd.Series(when, index=index)
    b = otherwise if isinstance(otherwise, pd.Series) else pd.Series(otherwise, index=index)
    return pd.Series(np.where(cond, a.astype("str"), b.astype("str")), index=index, dtype="str")


def line(*parts: pd.Series | str) -> pd.Series:
    """Concatenate texts and text columns row by row (the index of the first column)."""
    index = next(p.index for p in parts if isinstance(p, pd.Series))
    out = pd.Series("", index=index, dtype="str")
    for part in parts:
        out = out + (part.astype("str") if isinstance(part, pd.Series) else part)
    return out


def fiscal_year_label(years: pd.Series) -> pd.Series:
    """``2024年度（令和6年度）``; before 2019 in 平成, 2019 is 令和元年度."""
    fy = years.astype("int64")
    era = np.where(fy >= 2019, "令和", "平成")
    n = np.where(fy >= 2019, fy - 2018, fy - 1988)
    number = pd.Series(n, index=years.index).astype("str").where(n != 1, "元")
    return fy.astype("str") + "年度（" + pd.Series(era, index=years.index) + number + "年度）"
