"""What every check view is built with: the submission's shared lookups and vectorised helpers.

Each view is a pure function of a :class:`~tokki_analytics.ingest.Submission`. A view row is
one unit of the rules on that view (a roster row, a log row, a contract, a roster row ×
fiscal year …) and carries:

- ``_key``: a unique ``int64`` (0 … n−1), by which GX reports failing rows;
- its origin: ``contractor_id``, ``contract_id`` (NA where the unit is contractor-wide),
  ``_form`` (the form's Japanese name, "" for contract-level views), ``_source``,
  ``_sheet`` and ``_row`` ("" and NA for contract-level views);
- for every rule R on the view a ``judge__R`` boolean: True exactly where R judges the unit
  (not a Q3 row, not dated after as-of, the cells it needs readable, the checked value
  known), and False where R's clause is excluded for the unit's contract and for every unit
  of a contractor whose reference forms (``Rule.needs``) are missing or unusable: the view
  gives :func:`finish` its own conditions, :func:`finish` adds these two from the rule's
  declaration;
- the checked columns: values, day counts and threshold excesses computed from the
  settings, so that the expectations compare them with literals only. Numeric checked
  columns are ``float64``, yes/no ones plain ``bool``; where ``judge__R`` is True the
  checked value is never missing (unless the rule is about a blank), so GX's count of units
  checked is the number of True judge values.

Everything is vectorised: the access log runs to millions of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokki_analytics.forms import FORMS_BY_KEY, header_key
from tokki_analytics.rules.assess import SENT_UNUSABLE, FormStates, form_states
from tokki_analytics.rules.base import Rule, judge_column
from tokki_analytics.settings import Settings
from tokki_analytics.vocab import expand_clauses

if TYPE_CHECKING:
    from tokki_analytics.ingest import Submission

DAY = pd.Timedelta(days=1)
HOUR = pd.Timedelta(hours=1)
#: Joins lists in checked and detail columns.
SEP = "、"


def column_names(form: str, keys: Iterable[str]) -> dict[str, str]:
    """Column key → Japanese header, from the one declaration of the forms."""
    return {key: FORMS_BY_KEY[form].column(key).name for key in keys}


# --- shared lookups ------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every view needs from a submission, computed once per view.

    Attributes:
        sub: The submission.
        as_of: 00:00 of the as-of date.
        next_day: 00:00 of the day after as-of: an event at or after it is after as-of.
        contracts: Usable contracts, indexed by contract id.
        exclusions: One row per (contract_id, contractor_id, clause) a contract excludes
            (``第7`` expanded).
        states: Which forms each contractor sent in usable form.
    """

    sub: Submission
    as_of: pd.Timestamp
    next_day: pd.Timestamp
    contracts: pd.DataFrame
    exclusions: pd.DataFrame
    states: FormStates

    @property
    def settings(self) -> Settings:
        """The audit settings."""
        return self.sub.settings

    def excluding(self, clause: str) -> list[str]:
        """Contract ids whose 適用除外条項 switch ``clause`` off."""
        return self.exclusions.loc[self.exclusions["clause"] == clause, "contract_id"].tolist()

    def all_excluding(self, clause: str) -> list[str]:
        """Contractors every one of whose contracts excludes ``clause``."""
        per = self.contracts.groupby("contractor_id").size()
        off = self.exclusions[self.exclusions["clause"] == clause].groupby("contractor_id").size()
        both = off.reindex(per.index, fill_value=0)
        return per.index[both.to_numpy() == per.to_numpy()].tolist()


def context(sub: Submission) -> Context:
    """Build the shared lookups of ``sub``."""
    contracts = sub.contracts.drop_duplicates("contract_id").set_index("contract_id", drop=False)
    rows = [
        (k, who, clause)
        for k, who, clauses in zip(
            contracts["contract_id"],
            contracts["contractor_id"],
            contracts["excluded_clauses"],
            strict=True,
        )
        for clause in sorted(expand_clauses(list(clauses or ())))
    ]
    as_of = pd.Timestamp(sub.settings.as_of)
    return Context(
        sub=sub,
        as_of=as_of,
        next_day=as_of + DAY,
        contracts=contracts,
        exclusions=pd.DataFrame(rows, columns=["contract_id", "contractor_id", "clause"]),
        states=form_states(sub.submitted, sub.defects),
    )


# --- small vectorised helpers ------------------------------------------------------------


def flags(values: pd.Series | np.ndarray) -> np.ndarray:
    """A plain numpy bool array (NA → False)."""
    if isinstance(values, pd.Series):
        if values.dtype == "boolean":
            values = values.fillna(False)
        return values.to_numpy(dtype=bool)
    return np.asarray(values, dtype=bool)


def invalid(frame: pd.DataFrame, *keys: str) -> np.ndarray:
    """True where any of the columns ``keys`` got a Q2 in that row (``_invalid``)."""
    codes, uniques = pd.factorize(frame["_invalid"].fillna(""))
    wanted = set(keys)
    bad = np.array([bool(wanted & set(u.split(","))) for u in uniques], dtype=bool)
    return bad[codes] if len(uniques) else np.zeros(len(frame), dtype=bool)


def invalid_count(frame: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """How many of ``columns`` are unreadable in each row."""
    return sum((invalid(frame, key).astype(int) for key in columns), np.zeros(len(frame), int))


def known(frame: pd.DataFrame) -> np.ndarray:
    """Rows other rules may judge: not Q3, and 契約番号 readable where the form has one."""
    ok = ~flags(frame["_unknown_contract"])
    return ok & ~invalid(frame, "contract_id")


def not_after(ctx: Context, values: pd.Series) -> np.ndarray:
    """True unless the date or datetime lies after as-of (NA: True)."""
    return ~flags(values >= ctx.next_day)


def on_or_before(ctx: Context, values: pd.Series) -> np.ndarray:
    """True where the date or datetime is given and not after as-of."""
    return flags(values.notna()) & not_after(ctx, values)


def excluded(ctx: Context, frame: pd.DataFrame, clause: str) -> np.ndarray:
    """True where ``clause`` is off for the row's contract.

    A row without a contract (an access-log row, a take-out whose 台帳番号 is unknown) is
    contractor-wide: the clause is off only when every contract of its contractor excludes it.
    """
    by_contract = flags(frame["contract_id"].isin(ctx.excluding(clause)))
    by_contractor = flags(frame["contractor_id"].isin(ctx.all_excluding(clause)))
    return np.where(flags(frame["contract_id"].isna()), by_contractor, by_contract)


def in_force(ctx: Context, frame: pd.DataFrame, rule: Rule) -> np.ndarray:
    """True where ``rule``'s clause is not excluded for the row (:func:`excluded`)."""
    return ~excluded(ctx, frame, rule.clause)


def unusable_refs(states: FormStates, rule: Rule, contractor_id: str) -> tuple[str, ...]:
    """The reference forms that keep ``rule`` from being assessed for the contractor."""
    needed = [k for k in rule.needs if states.state(contractor_id, k)]
    needed += [k for k in rule.needs_if_sent if states.state(contractor_id, k) in SENT_UNUSABLE]
    return tuple(needed)


def assessable(ctx: Context, frame: pd.DataFrame, rule: Rule) -> np.ndarray:
    """False for the rows of contractors whose reference forms of ``rule`` are unusable."""
    who = pd.unique(frame["contractor_id"])
    blocked = [c for c in who if unusable_refs(ctx.states, rule, c)]
    return ~flags(frame["contractor_id"].isin(blocked))


def finish(ctx: Context, out: pd.DataFrame, judges: Mapping[Rule, np.ndarray]) -> pd.DataFrame:
    """Add the judge columns and ``_key`` to a view.

    Args:
        ctx: The shared lookups.
        out: The view rows (origin and checked columns), in order.
        judges: Each rule of the view → where it judges a row by its own conditions. Its
            clause's exclusion and its reference forms (the rule's declaration) are applied
            here: a rule judges no row whose contract excludes its clause and no row of a
            contractor whose reference forms are unusable.

    Returns:
        The view.
    """
    out = out.reset_index(drop=True)
    for rule, mask in judges.items():
        judged = np.asarray(mask, dtype=bool) & in_force(ctx, out, rule)
        out[judge_column(rule.id)] = judged & assessable(ctx, out, rule)
    out.insert(0, "_key", np.arange(len(out), dtype="int64"))
    return out


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` (calendar dates), float, NaN when unknown."""
    return (later.dt.normalize() - earlier.dt.normalize()) / DAY


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA where absent), dtype of ``table``, index of ``keys``."""
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=table.dtype)


def contract_value(ctx: Context, frame: pd.DataFrame, column: str) -> pd.Series:
    """A column of the row's contract (NA where the contract is unknown)."""
    return lookup(frame["contract_id"], ctx.contracts[column])


def list_items(values: pd.Series) -> pd.Series:
    """LIST cells exploded to their items as read, index kept (blank cells: no item)."""
    items = values.map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ()).explode()
    return items.dropna()


def list_keys(values: pd.Series) -> pd.Series:
    """LIST cells exploded to their normalised items (header_key), index kept."""
    return list_items(values).map(header_key)


def in_contract_list(
    ctx: Context, frame: pd.DataFrame, value: str, list_column: str
) -> tuple[np.ndarray, np.ndarray]:
    """Whether ``frame[value]`` is an item of its contract's ``list_column``.

    Returns:
        (is listed, contract lists any item), both per row of ``frame``.
    """
    lists = list_keys(ctx.contracts[list_column])
    pairs = pd.DataFrame({"contract_id": lists.index, "item": lists.to_numpy()})
    listed = pd.MultiIndex.from_frame(pairs.astype(object))
    wanted = pd.MultiIndex.from_arrays(
        [
            frame["contract_id"].astype(object),
            frame[value].map(header_key, na_action="ignore").astype(object),
        ]
    )
    has_any = flags(frame["contract_id"].isin(pairs["contract_id"]))
    return np.asarray(wanted.isin(listed), dtype=bool), has_any


def joined_list(values: pd.Series) -> pd.Series:
    """A LIST column as one string per row, items joined by ``、``."""
    return values.map(lambda v: SEP.join(v) if isinstance(v, (tuple, list)) else "").astype("str")


def blank_fields(frame: pd.DataFrame, columns: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Count and name the blank cells among ``columns`` (key → Japanese header).

    A cell that is unreadable (listed in ``_invalid``) is not blank: its Q2 stands for it.

    Returns:
        (blank count as float, the headers of the blank cells joined by ・).
    """
    names = pd.Series("", index=frame.index, dtype="str")
    count = np.zeros(len(frame))
    for key, name in columns.items():
        values = frame[key]
        if values.dtype == object:
            empty = values.map(lambda v: not isinstance(v, (tuple, list)) or len(v) == 0)
        else:
            empty = values.isna()
        blank = flags(empty) & ~invalid(frame, key)
        count += blank
        names = names.where(~blank, names + np.where(names == "", "", "・") + name)
    return pd.Series(count, index=frame.index, dtype="float64"), names


def origin(frame: pd.DataFrame, form_key: str) -> pd.DataFrame:
    """The origin columns of a row view over the form ``form_key``."""
    contract = (
        frame["contract_id"].astype("str")
        if "contract_id" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="str")
    )
    return pd.DataFrame(
        {
            "contractor_id": frame["contractor_id"].astype("str"),
            "contract_id": contract,
            "_form": pd.Series(FORMS_BY_KEY[form_key].name, index=frame.index, dtype="str"),
            "_source": frame["_source"].astype("str"),
            "_sheet": frame["_sheet"].fillna("").astype("str"),
            "_row": frame["_row"].astype("Int64"),
        },
        index=frame.index,
    )


def roster(ctx: Context) -> pd.DataFrame:
    """Roster rows that name a person: not Q3, 契約番号 readable, 従事者ID and start given."""
    staff = ctx.sub.frames["staff"]
    keep = known(staff) & flags(staff["person_id"].notna()) & flags(staff["start_date"].notna())
    return staff[keep]
