"""``tokki evaluate``: read the filled on-site sample sheets of a briefing workbook back.

The briefing workbook (:mod:`tokki_analytics.notebooks.onsite` writes its sample sheets)
has one sheet per population the auditor verifies on site. On site the auditor fills
確認結果 with 適 (as recorded) or 否 (a deviation); this module reads the sheets back and
evaluates each contract's sample with :func:`tokki_analytics.sampling.conclusion`.

The sheet layout is declared here, so that the writer and the reader share it; the module
imports nothing heavy at start (the ``tokki`` command imports it).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path

from tokki_analytics.errors import InputError


@dataclass(frozen=True)
class Population:
    """A population the auditor verifies on site.

    Attributes:
        form_key: The form whose rows are the items (``ledger``).
        sheet: The workbook sheet of its sample (``確認_台帳``).
        label: Its short name in the seed text and the messages (``台帳``).
        check: What to verify on site, in Japanese.
    """

    form_key: str
    sheet: str
    label: str
    check: str


#: The populations of the on-site samples, in the workbook's order.
POPULATIONS = (
    Population("ledger", "確認_台帳", "台帳", "媒体・書類が台帳の保管場所・保管方法どおりにあるか"),
    Population("takeout", "確認_持出", "持出", "持ち出した媒体が記録どおりに返却されているか"),
    Population("staff", "確認_従事者", "従事者", "誓約書と研修の修了証が揃っているか"),
    Population("disposals", "確認_廃棄", "廃棄", "返還・廃棄・消去の証明書があるか"),
)
#: The sheet listing the rows with findings (not sampled).
FLAGGED_SHEET = "確認_指摘あり"
#: Cells of the sheet header: the planned rates, as fractions, in column B.
CONFIDENCE_LABEL, RATE_LABEL = "信頼度", "許容逸脱率"
#: Columns of a sample sheet before the cells to verify, and the columns to fill on site.
CONTRACT, POPULATION_SIZE = "契約番号", "母集団件数"
ROW_COLUMNS = (CONTRACT, POPULATION_SIZE, "ファイル", "シート", "行")
RESULT, CHECKER, MEMO = "確認結果", "確認者", "メモ"
FILL_COLUMNS = (RESULT, CHECKER, MEMO)
#: The values of 確認結果: as recorded, a deviation.
CONFORMS, DEVIATES = "適", "否"
#: Columns on every sample row after :data:`ROW_COLUMNS`: its number in the contract's
#: sample (1..n, in the sheet's order) and n, so that a deleted or copied row is noticed.
DRAW_NUMBER, SAMPLE_COUNT = "抽出番号", "サンプル件数"
#: The hidden sheet recording what was drawn, one row per sample sheet and contract.
PLAN_SHEET = "確認_計画"
PLAN_COLUMNS = (
    "シート",
    CONTRACT,
    POPULATION_SIZE,
    SAMPLE_COUNT,
    CONFIDENCE_LABEL,
    RATE_LABEL,
    "シード",
)
EXIT_WITHIN, EXIT_EXCEEDS, EXIT_BAD_FILE = 0, 1, 2


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one contract's sample of one population.

    Attributes:
        sheet: The sheet (``確認_台帳``).
        contract_id: The contract.
        population: Items in the population the sample was drawn from.
        drawn: Rows of the sample on the sheet.
        checked: Rows with 適 or 否.
        deviations: Rows with 否.
        confidence: The planned confidence level.
        tolerable_rate: The planned tolerable deviation rate.
        planned: Whether the sample was checked against the workbook's plan (False for
            a workbook written before :data:`PLAN_SHEET`).
    """

    sheet: str
    contract_id: str
    population: int
    drawn: int
    checked: int
    deviations: int
    confidence: float
    tolerable_rate: float
    planned: bool = True

    @property
    def unchecked(self) -> int:
        """Rows of the sample not yet checked (確認結果 blank)."""
        return self.drawn - self.checked

    @property
    def census(self) -> bool:
        """Whether every item of the population was checked (no sampling risk)."""
        return self.checked >= self.population > 0

    @property
    def upper_limit(self) -> float | None:
        """The upper deviation limit; the exact rate for a census; None when nothing checked."""
        from tokki_analytics.sampling import upper_deviation_limit

        if self.census:
            return self.deviations / self.checked
        if self.checked == 0:
            return None
        return upper_deviation_limit(self.checked, self.deviations, self.confidence)

    @property
    def within(self) -> bool:
        """Whether the sample supports a deviation rate within the tolerable rate."""
        if self.population == 0:
            return True
        limit = self.upper_limit
        return limit is not None and limit <= self.tolerable_rate

    def lines(self) -> list[str]:
        """The evaluation in Japanese then English, one or two lines."""
        from tokki_analytics.sampling import conclusion

        head = f"{self.sheet} {self.contract_id}: "
        out = []
        if self.unchecked:
            out.append(
                f"{head}未確認 {self.unchecked} 件（確認結果が空欄、評価に含めない） / "
                f"{self.unchecked} rows not yet checked (blank), left out of the evaluation"
            )
        if self.population == 0:
            return [*out, f"{head}母集団 0 件 / no items to verify"]
        if self.checked == 0:
            return [*out, f"{head}確認済みの行がありません / nothing checked yet"]
        if self.census:
            rate = self.deviations / self.checked
            verdict = "許容逸脱率以内" if self.within else "許容逸脱率を超過"
            return [
                *out,
                f"{head}全 {self.checked} 件を確認、逸脱 {self.deviations} 件（逸脱率 "
                f"{rate:.1%}、{verdict}） / all {self.checked} items checked, "
                f"{self.deviations} deviations ({rate:.1%})",
            ]
        text = conclusion(self.checked, self.deviations, self.confidence, self.tolerable_rate)
        return [*out, head + text]


def _fraction(rows: list[tuple[object, ...]], label: str, sheet: str) -> float:
    for row in rows[:10]:
        value = row[1] if len(row) > 1 else None
        if row and row[0] == label and isinstance(value, int | float) and 0 < value < 1:
            return float(value)
    raise InputError(
        f"シート「{sheet}」に{label}（0〜1 の数値）がありません / "
        f"sheet {sheet} has no {label} (a number between 0 and 1) in its header"
    )


def _verdict(value: object, sheet: str, row: int) -> str:
    text = "" if value is None else str(value).strip()
    if text not in ("", CONFORMS, DEVIATES):
        raise InputError(
            f"シート「{sheet}」の {row} 行目: {RESULT} は「{CONFORMS}」「{DEVIATES}」または空欄で"
            f"記入してください（{text!r}） / sheet {sheet}, row {row}: {RESULT} must be "
            f"{CONFORMS} (conforms), {DEVIATES} (deviation) or blank (got {text!r})"
        )
    return text


@dataclass
class _Tally:
    population: int = 0
    drawn: int = 0
    checked: int = 0
    deviations: int = 0
    #: (sheet row, 抽出番号, サンプル件数, 母集団件数) of each row, as read.
    rows: list[tuple[int, object, object, object]] = field(default_factory=list)


def _header(rows: list[tuple[object, ...]], sheet: str) -> tuple[int, list[str]]:
    """The header row of the sample table (its 1-based number and its names)."""
    for number, row in enumerate(rows, start=1):
        if row and row[0] == CONTRACT:
            header = [str(c) if c is not None else "" for c in row]
            missing = {RESULT, POPULATION_SIZE} - set(header)
            if missing:
                raise InputError(
                    f"シート「{sheet}」の見出しに {'、'.join(sorted(missing))} がありません / "
                    f"sheet {sheet}: its header lacks {', '.join(sorted(missing))}"
                )
            return number, header
    raise InputError(
        f"シート「{sheet}」に「{CONTRACT}」の見出し行がありません / "
        f"sheet {sheet} has no header row starting with {CONTRACT}"
    )


def _tallies(rows: list[tuple[object, ...]], sheet: str) -> dict[str, _Tally]:
    first, header = _header(rows, sheet)
    tallies: dict[str, _Tally] = {}
    for number, row in enumerate(rows[first:], start=first + 1):
        cells = dict(zip(header, row, strict=False))
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        tally = tallies.setdefault(str(cells.get(CONTRACT) or ""), _Tally())
        size = cells.get(POPULATION_SIZE)
        tally.population = int(size) if isinstance(size, int | float) else tally.population
        verdict = _verdict(cells.get(RESULT), sheet, number)
        tally.drawn += 1
        tally.checked += verdict != ""
        tally.deviations += verdict == DEVIATES
        tally.rows.append((number, cells.get(DRAW_NUMBER), cells.get(SAMPLE_COUNT), size))
    return tallies


# --- the plan: is the sample on the sheets the one drawn? -------------------------------


@dataclass(frozen=True)
class Planned:
    """What was drawn for one sheet and contract (a row of :data:`PLAN_SHEET`).

    Attributes:
        sheet: The sample sheet.
        contract_id: The contract, as the sheet shows it.
        population: Items in the population.
        count: Rows drawn (抽出番号 1..count).
        confidence: The planned confidence level.
        tolerable_rate: The planned tolerable deviation rate.
    """

    sheet: str
    contract_id: str
    population: int
    count: int
    confidence: float
    tolerable_rate: float


def _whole(value: object) -> int | None:
    """A cell's whole number (1 or 1.0), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def _planned(row: tuple[object, ...], number: int) -> Planned:
    sheet, contract, population, count, confidence, rate = (*row, *[None] * 6)[:6]
    size, drawn = _whole(population), _whole(count)
    fractions = [v for v in (confidence, rate) if isinstance(v, int | float) and 0 < v < 1]
    if not (sheet and contract and size is not None and drawn is not None and len(fractions) == 2):
        raise InputError(
            f"隠しシート「{PLAN_SHEET}」の {number} 行目が読めません（書き換えられています） / "
            f"hidden sheet {PLAN_SHEET}, row {number}: not the plan tokki wrote"
        )
    return Planned(str(sheet), str(contract), size, drawn, *map(float, fractions))


def read_plan(rows: list[tuple[object, ...]]) -> dict[tuple[str, str], Planned]:
    """The plan of a briefing workbook: its hidden sheet's rows by (sheet, contract).

    Raises:
        InputError: A row that is not the plan tokki wrote (the message names the row).
    """
    plan: dict[tuple[str, str], Planned] = {}
    for number, row in enumerate(rows[1:], start=2):
        if any(v is not None and str(v).strip() for v in row):
            planned = _planned(row, number)
            plan[(planned.sheet, planned.contract_id)] = planned
    return plan


def _check_sheets(plan: dict[tuple[str, str], Planned], names: list[str]) -> None:
    """Every planned sample sheet is there, and no other."""
    planned = list(dict.fromkeys(sheet for sheet, _ in plan))
    for sheet in planned:
        if sheet not in names:
            contracts = "、".join(c for s, c in plan if s == sheet)
            raise InputError(
                f"抽出したサンプルのシート「{sheet}」（契約 {contracts}）がありません（シート名の"
                f"変更または削除） / the sample sheet {sheet} drawn for contract(s) {contracts} "
                "is missing (renamed or deleted)"
            )
    for sheet in names:
        if sheet not in planned:
            raise InputError(
                f"シート「{sheet}」は抽出の計画（{PLAN_SHEET}）にありません / sheet {sheet} is "
                f"not in the sampling plan ({PLAN_SHEET})"
            )


def _row_number(planned: Planned, row: tuple[int, object, object, object]) -> int:
    """The row's 抽出番号, checked against the plan (count and population too)."""
    line, drawn, count, population = row
    where = f"シート「{planned.sheet}」の {line} 行目（契約 {planned.contract_id}）"
    here = f"sheet {planned.sheet}, row {line} (contract {planned.contract_id})"
    number = _whole(drawn)
    if number is None or not 1 <= number <= planned.count:
        shown = "（空欄）" if drawn is None else repr(drawn)
        raise InputError(
            f"{where}: {DRAW_NUMBER} {shown} は抽出した 1〜{planned.count} にありません"
            f"（抽出していない行） / {here}: draw number {shown} is not one of the "
            f"1..{planned.count} drawn (a row that was not drawn)"
        )
    if (_whole(count), _whole(population)) != (planned.count, planned.population):
        raise InputError(
            f"{where}: {SAMPLE_COUNT}・{POPULATION_SIZE} が抽出時（{planned.count} 件・"
            f"{planned.population} 件）と違います / {here}: sample size or population differs "
            f"from the plan ({planned.count}, {planned.population})"
        )
    return number


def _check_rows(planned: Planned, tally: _Tally) -> None:
    """The contract's rows carry 抽出番号 1..n, once each."""
    seen: dict[int, int] = {}
    for row in tally.rows:
        number = _row_number(planned, row)
        if number in seen:
            raise InputError(
                f"シート「{planned.sheet}」の {row[0]} 行目（契約 {planned.contract_id}）: "
                f"{DRAW_NUMBER} {number} が 2 回あります（{seen[number]} 行目にも） / sheet "
                f"{planned.sheet}, row {row[0]} (contract {planned.contract_id}): draw number "
                f"{number} appears twice (also row {seen[number]})"
            )
        seen[number] = row[0]
    for number in range(1, planned.count + 1):
        if number not in seen:
            raise InputError(
                f"シート「{planned.sheet}」の契約 {planned.contract_id}: {DRAW_NUMBER} {number} "
                f"の行がありません（抽出 {planned.count} 件） / sheet {planned.sheet}, contract "
                f"{planned.contract_id}: the row with draw number {number} is missing "
                f"({planned.count} drawn)"
            )


def _check_rates(planned: Planned, confidence: float, rate: float) -> None:
    for label, value, drawn in (
        (CONFIDENCE_LABEL, confidence, planned.confidence),
        (RATE_LABEL, rate, planned.tolerable_rate),
    ):
        if not math.isclose(value, drawn):
            raise InputError(
                f"シート「{planned.sheet}」の{label} {value:.1%} が抽出時の {drawn:.1%} と違います"
                f" / sheet {planned.sheet}: {label} {value:.1%} differs from the plan "
                f"({drawn:.1%})"
            )


def _check_sample(
    sheet: str,
    tallies: dict[str, _Tally],
    plan: dict[tuple[str, str], Planned],
    rates: tuple[float, float],
) -> None:
    """The sheet's rows are the sample drawn: planned contracts, numbers 1..n once each."""
    for contract, tally in tallies.items():
        planned = plan.get((sheet, contract))
        if planned is None:
            line = tally.rows[0][0]
            raise InputError(
                f"シート「{sheet}」の {line} 行目: 契約 {contract or '（空欄）'} は抽出の計画に"
                f"ありません / sheet {sheet}, row {line}: contract {contract!r} was not drawn"
            )
        _check_rates(planned, *rates)
        _check_rows(planned, tally)
    for (own, contract), planned in plan.items():
        if own == sheet and planned.count and contract not in tallies:
            _check_rows(planned, _Tally())  # names the first missing number


def _read(
    path: Path,
) -> tuple[dict[str, list[tuple[object, ...]]], list[tuple[object, ...]] | None]:
    """The rows of each sample sheet there, and of the plan (None without one), bounded."""
    from tokki_analytics.notebooks.onsite_read import read_workbook

    sheets = read_workbook(path, [*(p.sheet for p in POPULATIONS), PLAN_SHEET])
    plan = sheets.pop(PLAN_SHEET, None)
    return sheets, plan


def _without_plan(rows: list[tuple[object, ...]], sheet: str) -> None:
    """A workbook from before the plan: refused when its rows are numbered (plan deleted)."""
    if DRAW_NUMBER in _header(rows, sheet)[1]:
        raise InputError(
            f"シート「{sheet}」に{DRAW_NUMBER}がありますが、抽出の計画（隠しシート「{PLAN_SHEET}」）"
            f"がありません（削除されています） / sheet {sheet} has draw numbers but the hidden "
            f"plan sheet {PLAN_SHEET} is missing (deleted)"
        )


def evaluate_workbook(path: Path) -> list[Evaluation]:
    """Read the filled sample sheets of a briefing workbook and evaluate each sample.

    The sample must be the one drawn: with the hidden plan (:data:`PLAN_SHEET`), every
    planned sheet and contract is there, no other, and each contract's rows carry
    抽出番号 1..n once each. A workbook written before the plan is evaluated as it is
    (:attr:`Evaluation.planned` False).

    Args:
        path: The briefing workbook (``briefing_C001.xlsx``), filled on site.

    Returns:
        One evaluation per sheet and contract, in the workbook's order.

    Raises:
        InputError: Not a readable workbook, no sample sheet, a header without the rates,
            a 確認結果 other than 適, 否 or blank, or a sample that is not the one drawn
            (a sheet renamed or deleted, a row deleted, copied or added; the message names
            sheet, contract and row).
    """
    sheets, plan_rows = _read(path)
    plan = None if plan_rows is None else read_plan(plan_rows)
    if plan is not None:
        _check_sheets(plan, list(sheets))
    if not sheets:
        raise InputError(
            f"{path.name} に確認シート（{'、'.join(p.sheet for p in POPULATIONS)}）がありません"
            f" / {path.name} has no on-site sample sheet"
        )
    out = []
    for sheet, rows in sheets.items():
        confidence = _fraction(rows, CONFIDENCE_LABEL, sheet)
        rate = _fraction(rows, RATE_LABEL, sheet)
        tallies = _tallies(rows, sheet)
        if plan is None:
            _without_plan(rows, sheet)
        else:
            _check_sample(sheet, tallies, plan, (confidence, rate))
        for contract, t in tallies.items():
            out.append(
                Evaluation(
                    sheet,
                    contract,
                    t.population,
                    t.drawn,
                    t.checked,
                    t.deviations,
                    confidence,
                    rate,
                    planned=plan is not None,
                )
            )
    return out


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Run ``tokki evaluate BRIEFING.xlsx``: print each sample's evaluation.

    Returns:
        0 when every sample supports a deviation rate within the tolerable rate, 1 otherwise
        (a deviation rate that may exceed it, or a sample not checked yet).
    """
    from tokki_analytics.safetext import terminal_text

    evaluations = evaluate_workbook(Path(args.briefing))
    if not all(e.planned for e in evaluations):
        print(
            f"注意: このブックには抽出の計画（{PLAN_SHEET}）がないため、サンプルが抽出したとおりか"
            "照合できません（以前の版で作成） / note: this workbook has no sampling plan "
            f"({PLAN_SHEET}); the sample could not be checked against the rows drawn"
        )
    for evaluation in evaluations:
        for line in evaluation.lines():
            print(terminal_text(line))
    within = all(e.within for e in evaluations)
    print(
        "すべての母集団で許容逸脱率以内です / every population is within the tolerable rate"
        if within
        else "許容逸脱率以内と言えない母集団があります / some population is not shown to be "
        "within the tolerable rate"
    )
    return EXIT_WITHIN if within else EXIT_EXCEEDS


def add_evaluate_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``tokki evaluate`` to the ``tokki`` command's sub-commands."""
    p = sub.add_parser(
        "evaluate", help="記入済みの現地確認サンプルを評価 (evaluate the filled on-site samples)"
    )
    p.add_argument("briefing", help="記入済みの briefing_受託者コード.xlsx (the filled workbook)")
    p.set_defaults(func=cmd_evaluate)
