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
from dataclasses import dataclass
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
    """

    sheet: str
    contract_id: str
    population: int
    drawn: int
    checked: int
    deviations: int
    confidence: float
    tolerable_rate: float

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


def _tallies(rows: list[tuple[object, ...]], sheet: str) -> dict[str, _Tally]:
    header: list[str] = []
    tallies: dict[str, _Tally] = {}
    for number, row in enumerate(rows, start=1):
        if not header:
            if row and row[0] == CONTRACT:
                header = [str(c) if c is not None else "" for c in row]
                missing = {RESULT, POPULATION_SIZE} - set(header)
                if missing:
                    raise InputError(
                        f"シート「{sheet}」の見出しに {'、'.join(sorted(missing))} がありません / "
                        f"sheet {sheet}: its header lacks {', '.join(sorted(missing))}"
                    )
            continue
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
    if not header:
        raise InputError(
            f"シート「{sheet}」に「{CONTRACT}」の見出し行がありません / "
            f"sheet {sheet} has no header row starting with {CONTRACT}"
        )
    return tallies


def evaluate_workbook(path: Path) -> list[Evaluation]:
    """Read the filled sample sheets of a briefing workbook and evaluate each sample.

    Args:
        path: The briefing workbook (``briefing_C001.xlsx``), filled on site.

    Returns:
        One evaluation per sheet and contract, in the workbook's order.

    Raises:
        InputError: Not a readable workbook, no sample sheet, a header without the rates,
            or a 確認結果 other than 適, 否 or blank (the message names sheet and row).
    """
    from openpyxl import load_workbook

    try:  # a sheet's XML is parsed as its rows are read: a broken one fails there
        wb = load_workbook(path, read_only=True, data_only=True)
        names = [p.sheet for p in POPULATIONS if p.sheet in wb.sheetnames]
        sheets = {name: list(wb[name].iter_rows(values_only=True)) for name in names}
        wb.close()
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise InputError(
            f"{path.name} を Excel ブックとして読めません / cannot read {path.name} as a "
            f"workbook ({type(exc).__name__})"
        ) from exc
    if not sheets:
        raise InputError(
            f"{path.name} に確認シート（{'、'.join(p.sheet for p in POPULATIONS)}）がありません"
            f" / {path.name} has no on-site sample sheet"
        )
    out = []
    for sheet, rows in sheets.items():
        confidence = _fraction(rows, CONFIDENCE_LABEL, sheet)
        rate = _fraction(rows, RATE_LABEL, sheet)
        for contract, t in _tallies(rows, sheet).items():
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
