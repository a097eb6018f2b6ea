"""The access log (入退室記録): thousands of entries and exits, built vectorised.

Active notified workers enter and leave a room on some of their work days; the rows plants add
explicitly (:attr:`~tokki_analytics.samples.model.Contractor.access_extra`) are placed among
them, numbered in ``_plant`` so that the key can find their lines once written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tokki_analytics.samples.calendar import workdays
from tokki_analytics.samples.model import LOG_START, Contractor
from tokki_analytics.samples.vocabulary import ROOMS


def access_log(c: Contractor, target_rows: int) -> pd.DataFrame:
    """Entries and exits of active notified workers on work days, about ``target_rows`` rows."""
    pids, days = [], []
    for pid, spans in c.active.items():
        for lo, hi in spans:
            d = workdays(max(lo, LOG_START), hi)
            days.append(d)
            pids.append(np.full(len(d), pid, dtype=object))
    frame = visits(
        c.rng,
        np.concatenate(pids) if pids else np.array([], dtype=object),
        np.concatenate(days) if days else np.array([], dtype="datetime64[D]"),
        target_rows,
    )
    extra = pd.DataFrame(c.access_extra, columns=["at", "person_id", "direction", "room"])
    extra["at"] = pd.to_datetime(extra["at"]).astype("datetime64[s]")
    extra["_plant"] = np.arange(len(extra), dtype=np.int64)
    frame = pd.concat([frame, extra], ignore_index=True)
    return frame.sort_values(["at", "_plant"], kind="stable").reset_index(drop=True)


def visits(
    rng: np.random.Generator, pids: np.ndarray, days: np.ndarray, target_rows: int
) -> pd.DataFrame:
    """Room visits (an entry and an exit each) on the candidate person-days."""
    empty = pd.DataFrame(
        {
            "at": pd.Series(dtype="datetime64[s]"),
            "person_id": pd.Series(dtype=object),
            "direction": pd.Series(dtype=object),
            "room": pd.Series(dtype=object),
            "_plant": pd.Series(dtype=np.int64),
        }
    )
    if not len(days) or target_rows <= 0:
        return empty
    # one person-day once, however many rosters name the person
    key = pd.DataFrame({"p": pids, "d": days}).drop_duplicates()
    pids, days = key["p"].to_numpy(), key["d"].to_numpy()
    lam = target_rows / 2 / len(days)
    if lam <= 1:
        count = (rng.random(len(days)) < lam).astype(np.int64)
    else:
        count = 1 + rng.poisson(lam - 1, len(days))
    pids, days = np.repeat(pids, count), np.repeat(days, count)
    n = len(days)
    enter = rng.integers(8 * 60 + 20, 17 * 60, n)
    stay = rng.integers(10, 20 * 60 - enter + 1)
    base = days.astype("datetime64[s]")
    secs = rng.integers(0, 60, n)
    enter_at = base + (enter * 60 + secs).astype("timedelta64[s]")
    exit_at = base + ((enter + stay) * 60 + secs[::-1]).astype("timedelta64[s]")
    rooms = np.array(ROOMS, dtype=object)[rng.choice(3, n, p=[0.7, 0.2, 0.1])]
    return pd.DataFrame(
        {
            "at": np.concatenate([enter_at, exit_at]),
            "person_id": np.concatenate([pids, pids]),
            "direction": np.repeat(np.array(["入室", "退室"], dtype=object), n),
            "room": np.concatenate([rooms, rooms]),
            "_plant": np.full(2 * n, -1, dtype=np.int64),
        }
    )
