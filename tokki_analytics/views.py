"""Check views: the frames Great Expectations validates, one per form or cross-table check.

Each view is a pure function of a :class:`~tokki_analytics.load.Submission`. A view row is
one unit of the rules on that view (a roster row, a log row, a contract, a roster row ×
fiscal year …) and carries:

- ``_key``: a unique ``int64`` (0 … n−1), by which GX reports failing rows;
- its origin: ``contractor_id``, ``contract_id`` (NA where the unit is contractor-wide),
  ``_form`` (the form's Japanese name, "" for contract-level views), ``_source``,
  ``_sheet`` and ``_row`` ("" and NA for contract-level views);
- for every rule R on the view a ``judge__R`` boolean: True exactly where R judges the unit
  (not a Q3 row, the clause not excluded for the contract, not dated after as-of, the cells
  it needs readable, the checked value known), and False for every unit of a contractor
  whose reference forms (``Rule.needs``) are missing or unusable (:func:`finish`, from
  :mod:`tokki_analytics.assess`);
- the checked columns: values, day counts and threshold excesses computed here from the
  settings, so that the expectations (:mod:`tokki_analytics.rules`) compare them with
  literals only. Numeric checked columns are ``float64``, yes/no ones plain ``bool``;
  where ``judge__R`` is True the checked value is never missing (unless the rule is about
  a blank), so GX's count of units checked is the number of True judge values.

Everything is vectorised: the access log runs to millions of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from tokki_analytics.assess import FormStates, form_states
from tokki_analytics.forms import FORMS_BY_KEY, header_key
from tokki_analytics.load import Submission
from tokki_analytics.rules import RULES_BY_ID, judge_column
from tokki_analytics.vocab import expand_clauses


def column_names(form: str, keys: Iterable[str]) -> dict[str, str]:
    """Column key → Japanese header, from the one declaration of the forms."""
    return {key: FORMS_BY_KEY[form].column(key).name for key in keys}


DAY = pd.Timedelta(days=1)
HOUR = pd.Timedelta(hours=1)
#: P-1: an on-site inspection counts when it lies 0–365 days before as-of (RULES.md).
INSPECTION_WINDOW_DAYS = 365
#: C11-1: ledger states of a dataset that has left the contractor.
DISPOSED_STATES = ("返還済", "廃棄済", "消去済")
#: C7.1-1 and C11-2: ledger media holding paper.
PAPER_MEDIA = ("紙", "紙・電子")
#: C11-2: methods fit for paper and for electronic media.
PAPER_METHODS = ("返還", "裁断", "溶解", "焼却")
ELECTRONIC_METHODS = ("返還", "消去ソフト", "物理破壊")
#: Joins lists in checked and detail columns.
SEP = "、"

ORIGIN = ["contractor_id", "contract_id", "_form", "_source", "_sheet", "_row"]

View = Callable[[Submission], pd.DataFrame]


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
    def settings(self):
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


def _arr(values: pd.Series | np.ndarray) -> np.ndarray:
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


def known(frame: pd.DataFrame) -> np.ndarray:
    """Rows other rules may judge: not Q3, and 契約番号 readable where the form has one."""
    ok = ~_arr(frame["_unknown_contract"])
    return ok & ~invalid(frame, "contract_id")


def not_after(ctx: Context, values: pd.Series) -> np.ndarray:
    """True unless the date or datetime lies after as-of (NA: True)."""
    return ~_arr(values >= ctx.next_day)


def on_or_before(ctx: Context, values: pd.Series) -> np.ndarray:
    """True where the date or datetime is given and not after as-of."""
    return _arr(values.notna()) & not_after(ctx, values)


def excluded(ctx: Context, frame: pd.DataFrame, clause: str) -> np.ndarray:
    """True where ``clause`` is off for the row's contract.

    A row without a contract (an access-log row, a take-out whose 台帳番号 is unknown) is
    contractor-wide: the clause is off only when every contract of its contractor excludes it.
    """
    by_contract = _arr(frame["contract_id"].isin(ctx.excluding(clause)))
    by_contractor = _arr(frame["contractor_id"].isin(ctx.all_excluding(clause)))
    return np.where(_arr(frame["contract_id"].isna()), by_contractor, by_contract)


def days_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` (calendar dates), float, NaN when unknown."""
    return (later.dt.normalize() - earlier.dt.normalize()) / DAY


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA where absent), dtype of ``table``, index of ``keys``."""
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=table.dtype)


def contract_value(ctx: Context, frame: pd.DataFrame, column: str) -> pd.Series:
    """A column of the row's contract (NA where the contract is unknown)."""
    return lookup(frame["contract_id"], ctx.contracts[column])


def list_keys(values: pd.Series) -> pd.Series:
    """LIST cells exploded to their normalised items (header_key), index kept."""
    items = values.map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ()).explode()
    items = items.dropna()
    return items.map(header_key)


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
    has_any = _arr(frame["contract_id"].isin(pairs["contract_id"]))
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
        blank = _arr(empty) & ~invalid(frame, key)
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


def assessable(ctx: Context, frame: pd.DataFrame, rule_id: str) -> np.ndarray:
    """False for the rows of contractors whose reference forms of ``rule_id`` are unusable."""
    rule = RULES_BY_ID[rule_id]
    who = pd.unique(frame["contractor_id"])
    blocked = [c for c in who if ctx.states.refs(rule, c)]
    return ~_arr(frame["contractor_id"].isin(blocked))


def finish(ctx: Context, out: pd.DataFrame, judges: dict[str, np.ndarray]) -> pd.DataFrame:
    """Add the judge columns (not assessed where a reference form is unusable) and ``_key``."""
    out = out.reset_index(drop=True)
    for rule_id, mask in judges.items():
        judged = np.asarray(mask, dtype=bool) & assessable(ctx, out, rule_id)
        out[judge_column(rule_id)] = judged
    out.insert(0, "_key", np.arange(len(out), dtype="int64"))
    return out


def _gap_list(starts: pd.Series, ends: pd.Series, days: pd.Series) -> pd.Series:
    """``YYYY-MM-DD〜YYYY-MM-DD（N日）`` per gap."""
    count = days.astype("int64").astype("str")
    return (
        starts.dt.strftime("%Y-%m-%d") + "〜" + ends.dt.strftime("%Y-%m-%d") + "（" + count + "日）"
    )


# --- contracts: C2-1, C7.5-1, P-1 ------------------------------------------------------------


def _uncovered(intervals: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Days of each contract's [lo, hi] that no interval covers.

    Args:
        intervals: contract_id, start, end (inclusive dates).
        bounds: contract_id, lo, hi (inclusive dates), one row per contract.

    Returns:
        One row per uncovered stretch: contract_id, start, end (inclusive).
    """
    iv = intervals.merge(bounds, on="contract_id")
    iv = iv[(iv["start"] <= iv["hi"]) & (iv["end"] >= iv["lo"])]
    iv = pd.DataFrame(
        {
            "contract_id": iv["contract_id"],
            "start": iv[["start", "lo"]].max(axis=1),
            "end": iv[["end", "hi"]].min(axis=1),
        }
    )
    edges = pd.concat(
        [
            pd.DataFrame({"contract_id": bounds["contract_id"], "start": bounds["lo"] - DAY}),
            pd.DataFrame({"contract_id": bounds["contract_id"], "start": bounds["hi"] + DAY}),
        ]
    ).assign(end=lambda f: f["start"])
    iv = pd.concat([iv, edges], ignore_index=True).sort_values(
        ["contract_id", "start", "end"], kind="stable"
    )
    covered = iv.groupby("contract_id")["end"].cummax()
    before = covered.groupby(iv["contract_id"]).shift()
    gap = iv["start"] > before + DAY
    return pd.DataFrame(
        {
            "contract_id": iv.loc[gap, "contract_id"],
            "start": before[gap] + DAY,
            "end": iv.loc[gap, "start"] - DAY,
        }
    )


def _gap_summary(gaps: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """Per contract (rows of ``ids``): total and longest gap in days, and the gap list.

    Args:
        gaps: contract_id, start, end, days: one row per gap.
        ids: The contract ids of the view rows.
    """
    gaps = gaps.assign(text=_gap_list(gaps["start"], gaps["end"], gaps["days"]))
    grouped = gaps.groupby("contract_id")
    out = pd.DataFrame(
        {
            "total": grouped["days"].sum(),
            "longest": grouped["days"].max(),
            "text": grouped["text"].agg(SEP.join),
        }
    ).reindex(ids.to_numpy())
    return out.set_axis(ids.index)


def _supervisor_gaps(ctx: Context, contracts: pd.DataFrame, judged: np.ndarray) -> pd.DataFrame:
    """C2-1: stretches of the contract period up to as-of without an active 作業責任者."""
    staff = ctx.sub.frames["staff"]
    keep = known(staff) & _arr(staff["role"] == "作業責任者") & _arr(staff["start_date"].notna())
    sup = staff[keep]
    intervals = pd.DataFrame(
        {
            "contract_id": sup["contract_id"].astype(object),
            "start": sup["start_date"],
            "end": sup["end_date"].fillna(pd.Timestamp.max.normalize()),
        }
    )
    c = contracts[judged]
    bounds = pd.DataFrame(
        {
            "contract_id": c["contract_id"].astype(object),
            "lo": c["start_date"],
            "hi": c["end_date"].clip(upper=ctx.as_of),
        }
    )
    gaps = _uncovered(intervals, bounds)
    gaps["days"] = (gaps["end"] - gaps["start"]) / DAY + 1
    return _gap_summary(gaps, contracts["contract_id"])


def _check_gaps(ctx: Context, contracts: pd.DataFrame, judged: np.ndarray) -> pd.DataFrame:
    """C7.5-1: gaps between the contract's start, its media checks and min(end, as-of)."""
    checks = ctx.sub.frames["media_checks"]
    keep = known(checks) & on_or_before(ctx, checks["checked_on"])
    c = contracts[judged]
    lo, hi = c["start_date"], c["end_date"].clip(upper=ctx.as_of)
    points = pd.concat(
        [
            pd.DataFrame({"contract_id": c["contract_id"], "on": lo}),
            pd.DataFrame(
                {
                    "contract_id": checks.loc[keep, "contract_id"],
                    "on": checks.loc[keep, "checked_on"],
                }
            ),
            pd.DataFrame({"contract_id": c["contract_id"], "on": hi}),
        ],
        ignore_index=True,
    ).astype({"contract_id": object})
    bounds = pd.DataFrame({"contract_id": c["contract_id"].astype(object), "lo": lo, "hi": hi})
    points = points.merge(bounds, on="contract_id")
    points["on"] = points["on"].clip(lower=points["lo"], upper=points["hi"])
    points = points.sort_values(["contract_id", "on"], kind="stable")
    before = points.groupby("contract_id")["on"].shift()
    step = (points["on"] - before) / DAY
    long = step > ctx.settings.media_check_interval_days
    gaps = pd.DataFrame(
        {
            "contract_id": points.loc[long, "contract_id"],
            "start": before[long],
            "end": points.loc[long, "on"],
            "days": step[long],
        }
    )
    summary = _gap_summary(gaps, contracts["contract_id"])
    longest = step.groupby(points["contract_id"]).max().reindex(contracts["contract_id"].to_numpy())
    summary["longest"] = longest.to_numpy()
    return summary


def _inspections(ctx: Context, contracts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """P-1: the latest inspection on or before as-of, and its age in days, per contract."""
    insp = ctx.sub.frames["inspections"]
    keep = ~_arr(insp["_unknown_contract"]) & on_or_before(ctx, insp["inspected_on"])
    latest = insp[keep].groupby("contract_id")["inspected_on"].max()
    last = lookup(contracts["contract_id"], latest.astype("datetime64[ns]"))
    return last, (ctx.as_of - last) / DAY


def contracts_view(sub: Submission) -> pd.DataFrame:
    """One row per usable contract: C2-1, C7.5-1, P-1."""
    ctx = context(sub)
    c = sub.contracts.drop_duplicates("contract_id").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "contractor_id": c["contractor_id"].astype("str"),
            "contract_id": c["contract_id"].astype("str"),
            "_form": "",
            "_source": "",
            "_sheet": "",
            "_row": pd.array([pd.NA] * len(c), dtype="Int64"),
            "start_date": c["start_date"],
            "end_date": c["end_date"],
        }
    )
    base = _arr(c["start_date"].notna()) & _arr(c["end_date"].notna())
    started = base & _arr(c["start_date"] <= ctx.as_of)
    off = partial(excluded, ctx, out)
    judge_21 = started & ~off("第2") & assessable(ctx, out, "C2-1")
    gaps = _supervisor_gaps(ctx, c, judge_21)
    out["supervisor_gap_days"] = gaps["total"].fillna(0.0).astype("float64")
    out["supervisor_gaps"] = gaps["text"].fillna("").astype("str")

    electronic = _arr(c["handles_electronic"] != "無") & ~invalid(c, "handles_electronic")
    judge_751 = started & electronic & ~off("第7五") & assessable(ctx, out, "C7.5-1")
    checks = _check_gaps(ctx, c, judge_751)
    interval = ctx.settings.media_check_interval_days
    out["check_gap_excess_days"] = (checks["longest"].fillna(0.0) - interval).astype("float64")
    out["check_gaps"] = checks["text"].fillna("").astype("str")

    last, age = _inspections(ctx, c)
    out["last_inspected_on"] = last
    out["days_since_inspection"] = age.astype("float64")
    out["inspected_within_year"] = _arr(age <= INSPECTION_WINDOW_DAYS)
    current = base & started & _arr(c["end_date"] >= ctx.as_of)
    judge_p1 = current & ~off("第13")
    return finish(ctx, out, {"C2-1": judge_21, "C7.5-1": judge_751, "P-1": judge_p1})


# --- staff: C3-1, C3-2, C4-1, C5-1; staff_years: C5-2 --------------------------------------


def _trainings(ctx: Context) -> pd.DataFrame:
    """Training rows a rule may count: not Q3, person and date readable, not after as-of."""
    t = ctx.sub.frames["training"]
    keep = ~_arr(t["_unknown_contract"]) & _arr(t["person_id"].notna())
    keep &= on_or_before(ctx, t["held_on"])
    return t.loc[keep, ["contractor_id", "person_id", "held_on"]].astype(
        {"contractor_id": object, "person_id": object}
    )


def _staff_trainings(ctx: Context, staff: pd.DataFrame) -> pd.DataFrame:
    """Every (staff row position ``_i``, training date) pair of the same contractor + person."""
    pairs = pd.DataFrame(
        {
            "_i": np.arange(len(staff)),
            "contractor_id": staff["contractor_id"].astype(object).to_numpy(),
            "person_id": staff["person_id"].astype(object).to_numpy(),
        }
    )
    pairs = pairs[pairs["person_id"].notna()]
    return pairs.merge(_trainings(ctx), on=["contractor_id", "person_id"])[["_i", "held_on"]]


def initial_training(ctx: Context, staff: pd.DataFrame) -> pd.DataFrame:
    """C5-1 per staff row: the due date, whether a training counts, the first training.

    A training counts when it is dated on or before 従事開始日 + ``training_grace_days``
    (trainings before the start included).
    """
    due = staff["start_date"] + pd.Timedelta(days=ctx.settings.training_grace_days)
    held = _staff_trainings(ctx, staff)
    held = held.assign(due=due.to_numpy()[held["_i"].to_numpy()])
    counted = held.loc[held["held_on"] <= held["due"], "_i"].unique()
    trained = np.zeros(len(staff), dtype=bool)
    trained[counted] = True
    first = held.groupby("_i")["held_on"].min().reindex(np.arange(len(staff)))
    return pd.DataFrame(
        {
            "training_due": due.to_numpy(),
            "trained_in_time": trained,
            "first_training_on": first.to_numpy(),
        },
        index=staff.index,
    )


def staff_view(sub: Submission) -> pd.DataFrame:
    """One row per roster row: C3-1, C3-2, C4-1, C5-1."""
    ctx = context(sub)
    f = sub.frames["staff"]
    out = origin(f, "staff")
    for column in ("person_id", "role", "start_date", "end_date", "notified_on", "pledge_on"):
        out[column] = f[column]
    start = f["start_date"]
    out["notice_delay_days"] = days_between(f["notified_on"], start).astype("float64")
    out["pledge_in_time"] = _arr(f["pledge_on"] <= start)
    training = initial_training(ctx, f)
    out = out.join(training)
    ok = known(f)
    started = on_or_before(ctx, start)
    off = partial(excluded, ctx, out)
    due_passed = _arr(training["training_due"] < ctx.as_of)
    judges = {
        "C3-1": ok & ~off("第3") & ~invalid(f, "notified_on") & not_after(ctx, start),
        "C3-2": ok & ~off("第3") & _arr(f["notified_on"].notna()) & started,
        "C4-1": ok & ~off("第4") & ~invalid(f, "pledge_on") & started,
        "C5-1": ok
        & ~off("第5")
        & started
        & _arr(f["person_id"].notna())
        & (training["trained_in_time"].to_numpy() | due_passed),
    }
    return finish(ctx, out, judges)


def fiscal_year(values: pd.Series) -> pd.Series:
    """The fiscal year (April–March, named by its starting calendar year) of each date."""
    return values.dt.year - (values.dt.month < 4)


def last_closed_fiscal_year(as_of: pd.Timestamp) -> int:
    """The latest fiscal year that ended (31 March) on or before ``as_of``."""
    return as_of.year - 1 if (as_of.month, as_of.day) >= (3, 31) else as_of.year - 2


def staff_years_view(sub: Submission) -> pd.DataFrame:
    """One row per roster row × closed fiscal year in which the person was active: C5-2."""
    ctx = context(sub)
    f = sub.frames["staff"]
    f = f[_arr(f["start_date"].notna())]
    first = fiscal_year(f["start_date"]).to_numpy(dtype="int64")
    closed = last_closed_fiscal_year(ctx.as_of)
    end_fy = fiscal_year(f["end_date"]).fillna(closed).to_numpy(dtype="int64")
    last = np.minimum(end_fy, closed)
    count = np.clip(last - first + 1, 0, None)
    rows = np.repeat(np.arange(len(f)), count)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    years = f.iloc[rows]
    out = origin(years, "staff")
    out["person_id"] = years["person_id"]
    out["start_date"] = years["start_date"]
    out["end_date"] = years["end_date"]
    out["fiscal_year"] = (first[rows] + offset).astype("int64")
    out = out.reset_index(drop=True)
    initial = initial_training(ctx, f)["trained_in_time"].to_numpy()[rows]
    in_year = np.zeros(len(rows), dtype=bool)
    held = _staff_trainings(ctx, f)
    if len(held) and len(rows):
        expanded = pd.DataFrame({"_i": rows, "_y": np.arange(len(rows)), "fy": out["fiscal_year"]})
        held = expanded.merge(held, on="_i")
        hit = held.loc[fiscal_year(held["held_on"]) == held["fy"], "_y"].unique()
        in_year[hit] = True
    start_year = out["fiscal_year"].to_numpy() == first[rows]
    out["trained_in_year"] = in_year | (start_year & initial)
    years = years.reset_index(drop=True)
    judge = (
        known(years)
        & ~excluded(ctx, out, "第5")
        & ~invalid(years, "end_date", "person_id")
        & _arr(years["person_id"].notna())
    )
    return finish(ctx, out, {"C5-2": judge})


# --- person_events: C3-3 -------------------------------------------------------------------

_PERSON_EVENT_FORMS = (("access", "at"), ("takeout", "taken_at"), ("copies", "at"))


def _person_event_part(ctx: Context, form_key: str, column: str) -> pd.DataFrame:
    f = ctx.sub.frames[form_key]
    out = origin(f, form_key)
    out["person_id"] = f["person_id"]
    out["event_at"] = f[column]
    judged = ~_arr(f["_unknown_contract"]) & ~invalid(f, column, "person_id")
    judged &= on_or_before(ctx, f[column]) & _arr(f["person_id"].notna())
    out["_judged"] = judged & ~excluded(ctx, out, "第3")
    return out


def _roster(ctx: Context) -> pd.DataFrame:
    staff = ctx.sub.frames["staff"]
    keep = known(staff) & _arr(staff["person_id"].notna()) & _arr(staff["start_date"].notna())
    return staff[keep]


def active_notified(
    ctx: Context, contractors: pd.Series, persons: pd.Series, days: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each (contractor, person, day) is an active notified worker, and on the roster.

    Active notified: a roster row of the contractor (any contract) for that person with
    届出日 ≤ day and 従事開始日 ≤ day ≤ 従事終了日 (blank end: still working).

    Returns:
        (active and notified on that day, on the contractor's roster at all).
    """
    roster = _roster(ctx)
    n = len(contractors)
    who = pd.concat([contractors, roster["contractor_id"]], ignore_index=True).astype(object)
    pid = pd.concat([persons, roster["person_id"]], ignore_index=True).astype(object)
    ccode, _ = pd.factorize(who)
    pcode, puniq = pd.factorize(pid)
    code = ccode.astype("int64") * (len(puniq) + 1) + pcode
    event_code, roster_code = code[:n], code[n:]
    on_roster = pd.Series(event_code).isin(pd.unique(roster_code)).to_numpy(dtype=bool)
    notified = roster["notified_on"].notna().to_numpy()
    lo = roster[["start_date", "notified_on"]].max(axis=1)[notified].to_numpy("datetime64[D]")
    hi = roster["end_date"][notified].fillna(pd.Timestamp.max).to_numpy("datetime64[D]")
    day = days.to_numpy("datetime64[D]").astype("int64")
    base = day.min() if n else 0
    span = int(day.max() - base + 1) if n else 1
    event_key = event_code * span + (day - base)
    keys = pd.DataFrame({"code": event_code, "day": day}).drop_duplicates()
    iv = pd.DataFrame(
        {"code": roster_code[notified], "lo": lo.astype("int64"), "hi": hi.astype("int64")}
    )
    hit = keys.merge(iv, on="code")
    hit = hit[(hit["lo"] <= hit["day"]) & (hit["day"] <= hit["hi"])]
    good = hit["code"].to_numpy() * span + (hit["day"].to_numpy() - base)
    return pd.Series(event_key).isin(pd.unique(good)).to_numpy(dtype=bool), on_roster


def person_events_view(sub: Submission) -> pd.DataFrame:
    """One row per 入退室記録, 持出記録 and 複製記録 row: C3-3."""
    ctx = context(sub)
    out = pd.concat(
        [_person_event_part(ctx, key, column) for key, column in _PERSON_EVENT_FORMS],
        ignore_index=True,
    )
    judged = out.pop("_judged").to_numpy(dtype=bool)
    idx = np.flatnonzero(judged)
    active = np.zeros(len(out), dtype=bool)
    listed = np.zeros(len(out), dtype=bool)
    if len(idx):
        sel = out.iloc[idx]
        a, r = active_notified(
            ctx, sel["contractor_id"], sel["person_id"], sel["event_at"].dt.normalize()
        )
        active[idx], listed[idx] = a, r
    out["on_roster"] = listed
    out["notified_active"] = active
    return finish(ctx, out, {"C3-3": judged})


# --- ledger: C7.1-1, C7.6-1, C7.6-2, C11-1 -------------------------------------------------

LEDGER_FIELDS = column_names(
    "ledger", ("dataset", "records", "medium", "storage_place", "users", "received_on", "status")
)


def _notified_pairs(ctx: Context) -> pd.MultiIndex:
    """(contract_id, person_id) of roster rows with a 届出日 (no date condition)."""
    roster = _roster(ctx)
    roster = roster[_arr(roster["notified_on"].notna())]
    return pd.MultiIndex.from_arrays(
        [roster["contract_id"].astype(object), roster["person_id"].astype(object)]
    )


def _unnotified_users(ctx: Context, ledger: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """C7.6-2: users of each ledger row who are not notified workers of its contract."""
    users = ledger["users"].map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ())
    items = users.explode().dropna()
    pairs = pd.MultiIndex.from_arrays(
        [
            ledger["contract_id"].reindex(items.index).astype(object),
            items.astype(object),
        ]
    )
    bad = items[~pairs.isin(_notified_pairs(ctx))]
    grouped = bad.groupby(level=0)
    count = grouped.size().reindex(ledger.index, fill_value=0).astype("float64")
    names = grouped.agg(SEP.join).reindex(ledger.index).fillna("").astype("str")
    return count, names


def _disposal_records(ctx: Context) -> pd.MultiIndex:
    """(contractor_id, ledger_id) that have a 廃棄消去記録 not dated after as-of."""
    d = ctx.sub.frames["disposals"]
    keep = ~_arr(d["_unknown_contract"]) & _arr(d["ledger_id"].notna()) & not_after(ctx, d["on"])
    d = d[keep]
    return pd.MultiIndex.from_arrays(
        [d["contractor_id"].astype(object), d["ledger_id"].astype(object)]
    )


def ledger_view(sub: Submission) -> pd.DataFrame:
    """One row per ledger row: C7.1-1, C7.6-1, C7.6-2, C11-1."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["ledger"]
    out = origin(f, "ledger")
    for column in ("ledger_id", "medium", "storage_method", "status", "due_on"):
        out[column] = f[column]
    allowed = {header_key(m) for m in s.storage_methods}
    method = f["storage_method"].map(header_key, na_action="ignore")
    out["storage_method_allowed"] = _arr(method.isin(allowed))
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, LEDGER_FIELDS)
    out["unnotified_user_count"], out["unnotified_users"] = _unnotified_users(ctx, f)
    end = contract_value(ctx, f, "end_date")
    deadline = f["due_on"].fillna(end + pd.Timedelta(days=s.disposal_days))
    out["deadline"] = deadline
    out["disposed_state"] = _arr(f["status"].isin(DISPOSED_STATES))
    pairs = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["has_disposal_record"] = np.asarray(pairs.isin(_disposal_records(ctx)), dtype=bool)
    out["disposal_recorded"] = out["disposed_state"] & out["has_disposal_record"]
    ok = known(f)
    off = partial(excluded, ctx, out)
    has_users = _arr(f["users"].map(lambda v: isinstance(v, (tuple, list)) and len(v) > 0))
    readable = len(LEDGER_FIELDS) - invalid_count(f, LEDGER_FIELDS)
    judges = {
        "C7.1-1": ok
        & ~off("第7一")
        & _arr(f["medium"].isin(PAPER_MEDIA))
        & ~invalid(f, "storage_method"),
        "C7.6-1": ok & ~off("第7六") & (readable > 0),
        "C7.6-2": ok & ~off("第7六") & has_users & ~invalid(f, "users"),
        "C11-1": ok & ~off("第11") & ~invalid(f, "due_on", "status") & _arr(deadline < ctx.as_of),
    }
    return finish(ctx, out, judges)


def invalid_count(frame: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """How many of ``columns`` are unreadable in each row."""
    return sum((invalid(frame, key).astype(int) for key in columns), np.zeros(len(frame), int))


# --- takeout: C7.2-1, C7.2-2, C7.3-1; copies: C7.4-1 ---------------------------------------


def takeout_view(sub: Submission) -> pd.DataFrame:
    """One row per take-out: C7.2-1, C7.2-2, C7.3-1."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["takeout"]
    out = origin(f, "takeout")
    for column in ("ledger_id", "person_id", "taken_at", "destination", "medium", "encrypted"):
        out[column] = f[column]
    out["returned_at"] = f["returned_at"]
    listed, _ = in_contract_list(ctx, f, "destination", "designated_places")
    out["destination_designated"] = listed
    out["designated_places"] = joined_list(contract_value(ctx, f, "designated_places"))
    out["days_out"] = days_between(pd.Series(ctx.as_of, index=f.index), f["taken_at"])
    out["return_ok"] = _arr(f["returned_at"] >= f["taken_at"])
    out["encrypted_yes"] = _arr(f["encrypted"])
    base = _arr(f["contract_id"].notna()) & ~invalid(f, "taken_at")
    base &= on_or_before(ctx, f["taken_at"])
    out["overdue"] = _arr(out["days_out"] > s.return_days)  # C7.2-2, read by the briefing too
    out["returnable"] = _arr(f["medium"].isin(s.returnable_media))
    off = partial(excluded, ctx, out)
    overdue = out["overdue"].to_numpy()
    returnable = out["returnable"].to_numpy() & ~invalid(f, "medium", "returned_at")
    judges = {
        "C7.2-1": base
        & ~off("第7二")
        & ~invalid(f, "destination")
        & _arr(f["destination"].notna()),
        "C7.2-2": base & ~off("第7二") & returnable & (_arr(f["returned_at"].notna()) | overdue),
        "C7.3-1": base
        & ~off("第7三")
        & _arr(f["medium"].isin(s.electronic_media))
        & ~invalid(f, "medium", "encrypted"),
    }
    return finish(ctx, out, judges)


def copies_view(sub: Submission) -> pd.DataFrame:
    """One row per copy: C7.4-1."""
    ctx = context(sub)
    f = sub.frames["copies"]
    out = origin(f, "copies")
    for column in ("at", "ledger_id", "person_id", "approval_ref"):
        out[column] = f[column]
    judge = ~invalid(f, "at", "approval_ref") & on_or_before(ctx, f["at"])
    judge &= ~excluded(ctx, out, "第7四")
    return finish(ctx, out, {"C7.4-1": judge})


# --- media_checks: C7.5-2; ledger_refs: C7.6-3 ----------------------------------------------


def media_checks_view(sub: Submission) -> pd.DataFrame:
    """One row per media check: C7.5-2 (judged on 異常あり rows)."""
    ctx = context(sub)
    f = sub.frames["media_checks"]
    out = origin(f, "media_checks")
    for column in ("checked_on", "target", "result", "action"):
        out[column] = f[column]
    judge = known(f) & ~invalid(f, "checked_on", "result", "action")
    judge &= on_or_before(ctx, f["checked_on"]) & _arr(f["result"] == "異常あり")
    judge &= ~excluded(ctx, out, "第7五")
    return finish(ctx, out, {"C7.5-2": judge})


_LEDGER_REF_FORMS = (
    ("takeout", "taken_at"),
    ("copies", "at"),
    ("handovers", "on"),
    ("disposals", "on"),
)


def _ledger_ref_part(ctx: Context, ledgers: pd.MultiIndex, form_key: str, column: str):
    f = ctx.sub.frames[form_key]
    out = origin(f, form_key)
    out["ledger_id"] = f["ledger_id"]
    out["event_at"] = f[column]
    pairs = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["ledger_known"] = np.asarray(pairs.isin(ledgers), dtype=bool)
    judged = known(f) & ~invalid(f, "ledger_id") & _arr(f["ledger_id"].notna())
    judged &= not_after(ctx, f[column])
    out["_judged"] = judged & ~excluded(ctx, out, "第7六")
    return out


def ledger_refs_view(sub: Submission) -> pd.DataFrame:
    """One row per 持出記録, 複製記録, 受渡記録 and 廃棄消去記録 row: C7.6-3."""
    ctx = context(sub)
    ledger = sub.frames["ledger"]
    ledger = ledger[~_arr(ledger["_unknown_contract"]) & _arr(ledger["ledger_id"].notna())]
    ids = pd.MultiIndex.from_arrays(
        [ledger["contractor_id"].astype(object), ledger["ledger_id"].astype(object)]
    )
    out = pd.concat(
        [_ledger_ref_part(ctx, ids, key, column) for key, column in _LEDGER_REF_FORMS],
        ignore_index=True,
    )
    judged = out.pop("_judged").to_numpy(dtype=bool)
    return finish(ctx, out, {"C7.6-3": judged})


# --- devices: C7.7-1, C7.8-1 -----------------------------------------------------------------


def devices_view(sub: Submission) -> pd.DataFrame:
    """One row per device: C7.7-1, C7.8-1 (C7.8-1 only when ``allowed_software`` is set)."""
    ctx = context(sub)
    f = sub.frames["devices"]
    out = origin(f, "devices")
    for column in ("device_id", "ownership"):
        out[column] = f[column]
    out["software"] = joined_list(f["software"])
    allowed = ctx.settings.allowed_software
    items = list_keys(f["software"])
    raw = f["software"].map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else ()).explode()
    raw = raw.dropna()
    bad = raw[~items.isin({header_key(a) for a in allowed or ()})]
    grouped = bad.groupby(level=0)
    out["unallowed_software_count"] = (
        grouped.size().reindex(f.index, fill_value=0).astype("float64")
    )
    out["unallowed_software"] = grouped.agg(SEP.join).reindex(f.index).fillna("").astype("str")
    ok = known(f)
    has_software = _arr(out["software"] != "")
    judges = {
        "C7.7-1": ok
        & ~excluded(ctx, out, "第7七")
        & ~invalid(f, "ownership")
        & _arr(f["ownership"].notna()),
        "C7.8-1": ok & ~excluded(ctx, out, "第7八") & has_software & (allowed is not None),
    }
    return finish(ctx, out, judges)


# --- handovers: C8.2-1, C8.2-2 ---------------------------------------------------------------


def handovers_view(sub: Submission) -> pd.DataFrame:
    """One row per handover: C8.2-1, C8.2-2."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["handovers"]
    out = origin(f, "handovers")
    for column in ("on", "ledger_id", "direction", "means", "receipt_on"):
        out[column] = f[column]
    listed, any_means = in_contract_list(ctx, f, "means", "designated_handover_means")
    out["means_designated"] = listed
    out["designated_means"] = joined_list(contract_value(ctx, f, "designated_handover_means"))
    until = f["receipt_on"].fillna(ctx.as_of)
    out["receipt_after_days"] = days_between(until, f["on"]).astype("float64")
    out["receipt_excess_days"] = out["receipt_after_days"] - s.receipt_days
    base = known(f) & ~invalid(f, "on") & on_or_before(ctx, f["on"]) & ~excluded(ctx, out, "第8")
    late = _arr(f["receipt_on"].notna()) | _arr(out["receipt_excess_days"] > 0)
    judges = {
        "C8.2-1": base & any_means & ~invalid(f, "means") & _arr(f["means"].notna()),
        "C8.2-2": base
        & _arr(f["direction"] == "甲→乙")
        & ~invalid(f, "direction", "receipt_on")
        & late,
    }
    return finish(ctx, out, judges)


# --- subcontracts: C9-1, C9-2 ----------------------------------------------------------------

SUBCONTRACT_FIELDS = column_names(
    "subcontracts", ("reason", "work", "data", "safeguards", "supervision", "applied_on")
)


def subcontracts_view(sub: Submission) -> pd.DataFrame:
    """One row per subcontract: C9-1, C9-2 (subcontracts started on or before as-of)."""
    ctx = context(sub)
    f = sub.frames["subcontracts"]
    out = origin(f, "subcontracts")
    for column in ("subcontractor", "start_date", "applied_on", "approved_on"):
        out[column] = f[column]
    out["approved_in_time"] = _arr(f["approved_on"] <= f["start_date"])
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, SUBCONTRACT_FIELDS)
    base = known(f) & ~invalid(f, "start_date") & on_or_before(ctx, f["start_date"])
    base &= ~excluded(ctx, out, "第9")
    readable = len(SUBCONTRACT_FIELDS) - invalid_count(f, SUBCONTRACT_FIELDS)
    judges = {"C9-1": base & ~invalid(f, "approved_on"), "C9-2": base & (readable > 0)}
    return finish(ctx, out, judges)


# --- disposals: C11-2, C11-3, C11-4 ----------------------------------------------------------


def _method_fit(medium: pd.Series, method: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fits the medium, is a paper method, is an electronic method) per disposal row."""
    paper = _arr(method.isin(PAPER_METHODS))
    electronic = _arr(method.isin(ELECTRONIC_METHODS))
    fits = np.where(
        _arr(medium == "紙"),
        paper,
        np.where(_arr(medium == "電子"), electronic, paper | electronic),
    )
    return fits, paper, electronic


def _coverage(out: pd.DataFrame, judged: np.ndarray, paper, electronic) -> pd.DataFrame:
    """紙・電子 datasets: the media their judged records cover, and their latest record.

    Returns:
        One row per (contractor_id, ledger_id): covers_paper, covers_electronic, latest
        (the view position of the latest record by 処理日), methods (joined).
    """
    mixed = judged & _arr(out["ledger_medium"] == "紙・電子")
    rows = out[mixed].assign(_p=paper[mixed], _e=electronic[mixed], _pos=np.flatnonzero(mixed))
    rows = rows.sort_values(["on", "_row", "_source", "_sheet"], kind="stable")
    grouped = rows.groupby(["contractor_id", "ledger_id"], sort=False)
    return grouped.agg(
        covers_paper=("_p", "any"),
        covers_electronic=("_e", "any"),
        latest=("_pos", "last"),
        methods=("method", lambda m: SEP.join(dict.fromkeys(m.dropna()))),
    )


def _uncovered_media(
    out: pd.DataFrame, judged: np.ndarray, paper, electronic
) -> tuple[np.ndarray, np.ndarray]:
    """C11-2 for 紙・電子: the medium a dataset's records leave uncovered, on its latest record.

    Returns:
        (per view row: 紙, 電子 or 紙・電子 on the latest record of a dataset whose records
        do not cover both media, else ""; the dataset's methods on that same row).
    """
    cover = _coverage(out, judged, paper, electronic)
    missing = np.full(len(out), "", dtype=object)
    methods = np.full(len(out), "", dtype=object)
    lacks_paper = ~cover["covers_paper"].to_numpy(dtype=bool)
    lacks_electronic = ~cover["covers_electronic"].to_numpy(dtype=bool)
    text = np.select(
        [lacks_paper & lacks_electronic, lacks_paper, lacks_electronic],
        ["紙・電子", "紙", "電子"],
        "",
    )
    latest = cover["latest"].to_numpy(dtype="int64")
    missing[latest] = text
    methods[latest] = cover["methods"].to_numpy(dtype=object)
    return missing, methods


def disposals_view(sub: Submission) -> pd.DataFrame:
    """One row per 廃棄消去記録 row: C11-2, C11-3, C11-4."""
    ctx = context(sub)
    f = sub.frames["disposals"].reset_index(drop=True)
    out = origin(f, "disposals")
    for column in ("ledger_id", "kind", "on", "method", "witness_requested", "certificate_on"):
        out[column] = f[column]
    ledger = sub.frames["ledger"]
    ledger = ledger[~_arr(ledger["_unknown_contract"]) & _arr(ledger["ledger_id"].notna())]
    medium = ledger.drop_duplicates(["contractor_id", "ledger_id"]).set_index(
        ["contractor_id", "ledger_id"]
    )["medium"]
    keys = pd.MultiIndex.from_arrays(
        [f["contractor_id"].astype(object), f["ledger_id"].astype(object)]
    )
    out["ledger_medium"] = pd.Series(medium.reindex(keys).to_numpy(), index=f.index, dtype="str")
    out["witness_given"] = _arr(f["witness"].notna())
    base = known(f) & ~invalid(f, "on") & on_or_before(ctx, f["on"]) & ~excluded(ctx, out, "第11")
    judge_2 = base & ~invalid(f, "method", "ledger_id") & _arr(out["ledger_medium"].notna())
    fits, paper, electronic = _method_fit(out["ledger_medium"], f["method"])
    missing, methods = _uncovered_media(out, judge_2, paper, electronic)
    out["coverage_missing"] = pd.Series(missing, dtype="str")
    out["dataset_methods"] = pd.Series(methods, dtype="str")
    out["method_fits"] = fits & _arr(out["coverage_missing"] == "")
    judges = {
        "C11-2": judge_2,
        "C11-3": base
        & _arr(f["witness_requested"] == "要")
        & ~invalid(f, "witness_requested", "witness"),
        "C11-4": base
        & _arr(f["kind"].isin(("廃棄", "消去")))
        & ~invalid(f, "kind", "certificate_on"),
    }
    return finish(ctx, out, judges)


# --- inspection_requests: C12-1 ---------------------------------------------------------------


def inspection_requests_view(sub: Submission) -> pd.DataFrame:
    """One row per inspection request: C12-1."""
    ctx = context(sub)
    f = sub.frames["inspection_requests"]
    out = origin(f, "inspection_requests")
    for column in ("requested_on", "reported_on"):
        out[column] = f[column]
    until = f["reported_on"].fillna(ctx.as_of)
    out["report_after_days"] = days_between(until, f["requested_on"]).astype("float64")
    out["report_excess_days"] = out["report_after_days"] - ctx.settings.inspection_report_days
    due = _arr(f["reported_on"].notna()) | _arr(out["report_excess_days"] > 0)
    judge = known(f) & ~invalid(f, "requested_on", "reported_on") & due
    judge &= on_or_before(ctx, f["requested_on"]) & ~excluded(ctx, out, "第12")
    return finish(ctx, out, {"C12-1": judge})


# --- incidents: C14-1 … C14-4 ----------------------------------------------------------------

INCIDENT_FIELDS = column_names(
    "incidents", ("description", "records_affected", "place", "circumstances", "reported_at")
)


def incidents_view(sub: Submission) -> pd.DataFrame:
    """One row per incident: C14-1, C14-2, C14-3, C14-4."""
    ctx = context(sub)
    s = ctx.settings
    f = sub.frames["incidents"]
    out = origin(f, "incidents")
    for column in ("incident_id", "occurred_at", "discovered_at", "reported_at"):
        out[column] = f[column]
    out["records_affected"] = f["records_affected"].astype("float64")
    out["sensitive"] = f["sensitive"]
    out["blank_field_count"], out["blank_fields"] = blank_fields(f, INCIDENT_FIELDS)
    reported = f["reported_at"].fillna(ctx.next_day)
    out["report_hours"] = ((reported - f["discovered_at"]) / HOUR).astype("float64")
    out["report_excess_hours"] = (
        (reported - f["discovered_at"] - pd.Timedelta(hours=s.incident_report_hours)) / HOUR
    ).astype("float64")
    late_find = _arr(f["occurred_at"] > f["discovered_at"])
    late_report = _arr(f["discovered_at"] > f["reported_at"])
    out["times_in_order"] = ~(late_find | late_report)
    many = _arr(f["records_affected"] > s.ppc_report_threshold)
    sensitive = _arr(f["sensitive"] == "有")
    out["ppc_reportable"] = many | sensitive
    nothing = _arr(f["records_affected"].isna() & f["sensitive"].isna())
    unknown = invalid(f, "records_affected", "sensitive")
    base = known(f) & not_after(ctx, f["discovered_at"]) & ~excluded(ctx, out, "第14")
    found = base & ~invalid(f, "discovered_at") & _arr(f["discovered_at"].notna())
    either = _arr(f["occurred_at"].notna() | f["reported_at"].notna())
    readable = len(INCIDENT_FIELDS) - invalid_count(f, INCIDENT_FIELDS)
    judges = {
        "C14-1": base & (readable > 0),
        "C14-2": found & ~invalid(f, "reported_at"),
        "C14-3": found & ~invalid(f, "occurred_at", "reported_at") & either,
        "C14-4": base & (out["ppc_reportable"].to_numpy() | (~unknown & ~nothing)),
    }
    return finish(ctx, out, judges)


# --- all views -------------------------------------------------------------------------------

VIEWS: dict[str, View] = {
    "contracts": contracts_view,
    "staff": staff_view,
    "staff_years": staff_years_view,
    "person_events": person_events_view,
    "ledger": ledger_view,
    "takeout": takeout_view,
    "copies": copies_view,
    "media_checks": media_checks_view,
    "ledger_refs": ledger_refs_view,
    "devices": devices_view,
    "handovers": handovers_view,
    "subcontracts": subcontracts_view,
    "disposals": disposals_view,
    "inspection_requests": inspection_requests_view,
    "incidents": incidents_view,
}
"""View name → the function building it from a submission."""


def build_views(sub: Submission) -> dict[str, pd.DataFrame]:
    """Build every check view of ``sub``.

    Args:
        sub: A loaded data folder.

    Returns:
        View name → view frame (the conventions of this module's docstring).
    """
    return {name: build(sub) for name, build in VIEWS.items()}
