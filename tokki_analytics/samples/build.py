"""Building the prefecture: in memory (:func:`build`), then on disk (:func:`generate`).

A contractor is built in a fixed order, every step drawing from its own random stream:
contracts, the baseline roster, the roster plants, training, the baseline logs, the log plants
and the access log. Reordering these steps, or the draws inside them, changes every file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tokki_analytics.errors import ParameterError
from tokki_analytics.forms import EMPLOYMENT
from tokki_analytics.outputs.folders import check_out, staged_folder
from tokki_analytics.samples.access_log import access_log
from tokki_analytics.samples.baseline import baseline_logs, baseline_staff, shared_worker, trainings
from tokki_analytics.samples.calendar import workday
from tokki_analytics.samples.key import answer_key, manifest, write_key
from tokki_analytics.samples.masters import settings_toml, write_masters
from tokki_analytics.samples.model import DEFAULT_ACCESS_ROWS, Contractor, pick, rint
from tokki_analytics.samples.plants import run_plants
from tokki_analytics.samples.profiles import PROFILES
from tokki_analytics.samples.roster import active_intervals, company_name, make_contract
from tokki_analytics.samples.vocabulary import BUSINESSES, ROOMS, fullwidth
from tokki_analytics.samples.writer import write_contractor


def _new_contractor(i: int, n: int, seed: int) -> Contractor:
    known = not (n >= len(PROFILES) + 1 and i == n - 1)
    profile = PROFILES[i % len(PROFILES)]
    rng = np.random.default_rng([seed, i])
    code = f"C{i + 1:03d}"
    name = company_name(rng)
    folder = f"{fullwidth(code) if profile.fullwidth_folder else code}_{name}"
    c = Contractor(i, code, name, folder, profile, known, rng)
    cycle = list(EMPLOYMENT)
    rng.shuffle(cycle)
    c.employment_cycle = cycle
    c.pid_prefix = pick(rng, ("E", "S", "K", "T", "M"))
    c.work_place = f"本社 {rint(rng, 2, 6)}F 作業室"
    c.room = pick(rng, ROOMS[:2])
    c.annual = {
        fy: workday(dt.date(fy, 6, 10) + dt.timedelta(days=rint(rng, 0, 40)))
        for fy in range(2020, 2027)
    }
    return c


def _build_contractor(c: Contractor, serials: Iterable[int], access_target: int) -> None:
    specs = c.profile.contracts
    businesses = c.rng.choice(len(BUSINESSES), size=len(specs), replace=False).tolist()
    for spec, serial, business in zip(specs, serials, businesses, strict=False):
        c.contracts.append(make_contract(c, spec, serial, business))
    for contract in c.contracts:
        baseline_staff(c, contract)
    shared_worker(c)
    run_plants(c, "roster")
    trainings(c)
    c.active = active_intervals(c)
    baseline_logs(c)
    run_plants(c, "logs")
    c.access = access_log(c, access_target)


def build(contractors: int = 8, seed: int = 0, access_rows: int | None = None) -> list[Contractor]:
    """Generate every contractor in memory (no files).

    Args:
        contractors: Number of contractor folders; with 8 or more, the last has no contract.
        seed: Random seed.
        access_rows: Total access-log rows to aim for (default 1,500 per contractor).

    Returns:
        The contractors, in code order.

    Raises:
        ValueError: ``contractors`` is below 1.
    """
    if contractors < 1:
        raise ValueError("contractors must be at least 1")
    per = DEFAULT_ACCESS_ROWS if access_rows is None else access_rows / contractors
    out, serial = [], 11
    for i in range(contractors):
        c = _new_contractor(i, contractors, seed)
        serials = range(serial, serial + 3 * len(c.profile.contracts), 3)
        serial += 3 * len(c.profile.contracts) + 2
        _build_contractor(c, serials, int(round(per)))
        out.append(c)
    return out


def generate(
    out: Path,
    contractors: int = 8,
    seed: int = 0,
    *,
    access_rows: int | None = None,
    key_dir: Path | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Write a synthetic data folder at ``out`` and its answer key beside it.

    Args:
        out: The data folder to create; it must not exist or be empty.
        contractors: Contractor folders; with 8 or more every rule id is planted and the last
            folder's code has no contract (Q3).
        seed: Random seed; the same seed gives the same folder and key.
        access_rows: Total access-log rows to aim for (default 1,500 per contractor).
        key_dir: Where ``answer_key.csv`` and ``manifest.json`` go; default
            ``<out>_answer_key`` beside ``out``. Never inside ``out``.
        overwrite: Replace an existing ``out`` that ``tokki samples`` wrote
            (``tokki samples --force``); its marker ``.tokki-owned`` lists what it wrote.

    Returns:
        The answer key, columns :data:`~tokki_analytics.samples.model.KEY_COLUMNS`, sorted as
        findings.csv is.

    Raises:
        FileExistsError: ``out`` exists, is not empty, and ``overwrite`` is false.
        ValueError: ``key_dir`` lies inside ``out``.
        tokki_analytics.outputs.folders.OutputFolderError: ``overwrite`` is true but ``out`` holds
            files ``tokki samples`` did not write (they are left alone).
    """
    out = Path(out)
    key_dir = Path(key_dir) if key_dir is not None else out.parent / f"{out.name}_answer_key"
    if key_dir.resolve().is_relative_to(out.resolve()):
        raise ParameterError(  # a ValueError the command line shows as a message (exit 2)
            f"正解表の出力先 {key_dir} がデータフォルダ {out} の中です。データフォルダの外を"
            f"指定してください / the answer key must not be inside the data folder: {key_dir}"
        )
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty")
    # --force replaces only a folder tokki samples wrote, and only when all of it is tokki's
    check_out(out, "samples", exclusive=True)
    people = build(contractors, seed, access_rows)
    with staged_folder(out, "samples", exclusive=True, mode=0o755) as work:
        (work / "settings.toml").write_text(settings_toml(), encoding="utf-8")
        for c in people:
            write_contractor(c, work)
        masters = write_masters(people, work, seed)
    key = answer_key(people, masters)
    write_key(key_dir, key, manifest(people, masters, seed))
    return key
