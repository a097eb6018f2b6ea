"""On-site verification samples: plan, draw and evaluate an attribute sample (pure functions).

An auditor verifies on site that a sample of records is true (the medium is where the
ledger says, a take-out came back as recorded, …). This module holds the arithmetic of that
sample, as audit-analytics tools do it (IDEA, ACL's SIZE/SAMPLE/EVALUATE) and as the
published attribute-sampling tables (AICPA, *Audit Sampling*) tabulate it:

- :func:`sample_size`: how many items, from a confidence level and a tolerable deviation
  rate, so that finding the expected number of deviations still supports the conclusion;
- :func:`draw_sample`: which items, a random sample without replacement that is the same on
  every run with the same inputs (its seed, :func:`sample_seed`, comes from a text such as
  the contract id and the as-of date, and can be printed);
- :func:`upper_deviation_limit` and :func:`conclusion`: what the deviations found in the
  sample say about the population, as an exact one-sided binomial (Clopper–Pearson) bound.

The binomial distribution is computed here in log space (no scipy); the bound solves its
defining equation to well within 1e-9 (tests check it in exact rational arithmetic).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tokki_analytics.errors import ParameterError

#: Bisection steps for the upper deviation limit: 2**-100 is far below a float's precision.
_BISECTION_STEPS = 100


def _check_fraction(name_ja: str, name: str, value: float) -> float:
    """Refuse a probability outside the open interval (0, 1) (NaN included)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ParameterError(
            f"{name_ja} は 0 より大きく 1 より小さい値で指定してください"
            f"（例: 0.95）（{value!r}） / "
            f"{name} must be a number between 0 and 1, both excluded (got {value!r})"
        )
    return float(value)


def _check_count(name_ja: str, name: str, value: int, low: int = 0) -> int:
    """Refuse a count that is not an integer of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ParameterError(
            f"{name_ja} は {low} 以上の整数で指定してください（{value!r}） / "
            f"{name} must be an integer of at least {low} (got {value!r})"
        )
    return int(value)


def _check_deviations(n: int, deviations: int) -> tuple[int, int]:
    n = _check_count("サンプル件数", "sample size", n, low=1)
    deviations = _check_count("逸脱件数", "deviations", deviations)
    if deviations > n:
        raise ParameterError(
            f"逸脱件数 {deviations} がサンプル件数 {n} を超えています / "
            f"{deviations} deviations cannot be found in a sample of {n}"
        )
    return n, deviations


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (no overflow for large n).

    Each term follows from the previous one by the ratio (n - i + 1) / i * p / (1 - p), so
    the cost is O(k) and the precision does not degrade with n.
    """
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_odds = math.log(p) - math.log1p(-p)
    log_term = n * math.log1p(-p)  # i = 0: (1 - p) ** n
    logs = [log_term]
    for i in range(1, k + 1):
        log_term += math.log(n - i + 1) - math.log(i) + log_odds
        logs.append(log_term)
    top = max(logs)
    return math.exp(top) * math.fsum(math.exp(x - top) for x in logs)


def upper_deviation_limit(n: int, deviations: int, confidence: float) -> float:
    """The exact one-sided upper limit of the population's deviation rate.

    The Clopper–Pearson bound: the rate ``p`` at which finding at most ``deviations``
    deviations in ``n`` items has probability ``1 - confidence``,
    ``P(X <= deviations | n, p) = 1 - confidence``. The population's deviation rate is at
    most ``p`` at the stated confidence. It is what the attribute-sampling evaluation tables
    tabulate (AICPA *Audit Sampling*: n = 100, 1 deviation, 95 % -> 4.7 %).

    Args:
        n: The sample size (at least 1).
        deviations: Deviations found in the sample (0 to ``n``).
        confidence: The confidence level, between 0 and 1 (0.95).

    Returns:
        The upper limit as a fraction (0.0495 for 4.95 %); 1.0 when every item deviates.

    Raises:
        ParameterError: A count that is not an integer in range, or a confidence outside (0, 1).
    """
    n, deviations = _check_deviations(n, deviations)
    alpha = 1.0 - _check_fraction("信頼度", "confidence", confidence)
    if deviations == n:
        return 1.0
    if deviations == 0:  # closed form: (1 - p) ** n = alpha
        return -math.expm1(math.log(alpha) / n)
    lo, hi = deviations / n, 1.0  # the CDF falls as p rises; at p = k / n it is above alpha
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if _binomial_cdf(deviations, n, mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def sample_size(
    confidence: float,
    tolerable_rate: float,
    expected_deviations: int = 0,
    population: int | None = None,
) -> int:
    """The attribute-sampling sample size for a confidence level and a tolerable rate.

    The smallest ``n`` such that, with ``expected_deviations`` deviations found in ``n``
    items, the exact upper deviation limit at ``confidence`` is at most ``tolerable_rate``:
    ``P(X <= expected_deviations | n, tolerable_rate) <= 1 - confidence``. With no expected
    deviation, 95 % / 5 % gives 59 items and 90 % / 10 % gives 22, as in the published
    tables (AICPA *Audit Sampling*).

    Args:
        confidence: The confidence level, between 0 and 1 (0.95).
        tolerable_rate: The tolerable deviation rate, between 0 and 1 (0.05).
        expected_deviations: Deviations the plan allows to find (0 or more).
        population: The number of items to sample from; the size is capped at it. None:
            no cap.

    Returns:
        The sample size.

    Raises:
        ParameterError: A rate outside (0, 1), or a negative count.
    """
    alpha = 1.0 - _check_fraction("信頼度", "confidence", confidence)
    rate = _check_fraction("許容逸脱率", "tolerable rate", tolerable_rate)
    k = _check_count("予想逸脱件数", "expected deviations", expected_deviations)
    if population is not None:
        population = _check_count("母集団の件数", "population", population)
    # The CDF falls as n grows (k and p fixed): double n until it is small enough, then
    # bisect between the last n that was too small and the first that was not.
    low, high = k, k + 1  # n = k is always too small (every item may deviate)
    while _binomial_cdf(k, high, rate) > alpha:
        low, high = high, 2 * high
    while high - low > 1:
        mid = (low + high) // 2
        if _binomial_cdf(k, mid, rate) > alpha:
            low = mid
        else:
            high = mid
    return high if population is None else min(high, population)


def _percent(fraction: float) -> str:
    """A rate as a percentage without trailing zeros (0.05 -> "5", 0.025 -> "2.5")."""
    return f"{round(fraction * 100, 6):g}"


def _percent_up(fraction: float) -> str:
    """A bound as a percentage rounded up to 0.1 (so that "at most" stays true)."""
    tenths = math.ceil(round(fraction * 1000, 9))
    return f"{tenths / 10:.1f}"


def conclusion(n: int, deviations: int, confidence: float, tolerable_rate: float) -> str:
    """The evaluation of a sample as one sentence, in Japanese then English.

    The upper deviation limit is shown rounded up to 0.1 percentage point, so that the
    sentence "at most x %" stays true; the comparison with the tolerable rate uses the exact
    limit.

    Args:
        n: The sample size (at least 1).
        deviations: Deviations found in the sample.
        confidence: The confidence level, between 0 and 1.
        tolerable_rate: The tolerable deviation rate, between 0 and 1.

    Returns:
        For example "59 件中 逸脱 0 件: 逸脱率は信頼度95%で 5.0% 以下（許容逸脱率 5% 以内） /
        0 deviations in 59 items: ...".

    Raises:
        ParameterError: As :func:`upper_deviation_limit`, or a tolerable rate outside (0, 1).
    """
    rate = _check_fraction("許容逸脱率", "tolerable rate", tolerable_rate)
    limit = upper_deviation_limit(n, deviations, confidence)
    conf, tol, upper = _percent(confidence), _percent(rate), _percent_up(limit)
    head_ja = f"{n} 件中 逸脱 {deviations} 件: 逸脱率は信頼度{conf}%で {upper}% 以下"
    head_en = f"{deviations} deviations in {n} items: at {conf}% confidence the deviation rate"
    if limit <= rate:
        return (
            f"{head_ja}（許容逸脱率 {tol}% 以内） / "
            f"{head_en} is at most {upper}% (within the tolerable rate of {tol}%)"
        )
    return (
        f"{head_ja}。許容逸脱率 {tol}% を超える可能性があります / "
        f"{head_en} is at most {upper}%, which may exceed the tolerable rate of {tol}%"
    )


def sample_seed(seed_text: str) -> int:
    """The seed of a sample: the first 8 bytes of SHA-256 of ``seed_text`` (UTF-8), big-endian.

    A 64-bit integer, short enough to print in the briefing; the same text gives the same
    seed on every machine.

    Args:
        seed_text: What identifies the sample, e.g. contract id, as-of date and population
            ("K-001|2025-03-31|台帳").

    Returns:
        The seed, from 0 to 2**64 - 1.
    """
    digest = hashlib.sha256(seed_text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def draw_sample(
    frame: pd.DataFrame,
    size: int,
    seed_text: str,
    key: Sequence[str] = (),
) -> pd.DataFrame:
    """A reproducible random sample of rows, without replacement, in the frame's order.

    The rows are numbered by their position in the frame (the index labels play no part),
    or, when ``key`` names columns, by those columns sorted (a stable sort, positions
    breaking ties): then the sample does not depend on the order the rows come in either.
    A NumPy ``Generator`` seeded with :func:`sample_seed` picks ``size`` of those numbers.

    Args:
        frame: The population, one row per item.
        size: How many rows to draw; capped at ``len(frame)``.
        seed_text: The text the seed comes from (see :func:`sample_seed`).
        key: Columns that identify a row (source file, sheet, row); empty: the frame's order.

    Returns:
        The sampled rows, with their index labels, in the order they have in ``frame``.

    Raises:
        ParameterError: A negative size, or a key column the frame does not have.
    """
    size = min(_check_count("サンプル件数", "sample size", size), len(frame))
    missing = [column for column in key if column not in frame.columns]
    if missing:
        raise ParameterError(
            f"抽出のキー列 {'、'.join(missing)} がありません / "
            f"the sample key columns {', '.join(missing)} are not in the frame"
        )
    positions = pd.DataFrame({c: frame[c].to_numpy() for c in key}, index=range(len(frame)))
    if key:  # a stable sort: rows with the same key keep their order (blanks last)
        positions = positions.sort_values(list(key), kind="mergesort")
    order = positions.index.to_numpy()
    rng = np.random.default_rng(sample_seed(seed_text))
    picked = np.sort(order[rng.choice(len(frame), size=size, replace=False)])
    return frame.iloc[picked]
