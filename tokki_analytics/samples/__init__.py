"""Synthetic sample prefecture: a complete data folder with planted failures and its answer key.

:func:`generate` writes a data folder laid out as FORMS.md describes (委託契約一覧.xlsx,
検査履歴.xlsx, settings.toml and one folder per contractor) and, beside it, the answer key: every
finding a correct implementation of RULES.md must report, identified exactly as ``findings.csv``
identifies it, and a manifest of the records written.

How the data is built, module by module
---------------------------------------
- :mod:`.profiles`: contractor *i* follows one of seven :data:`PROFILES` (``i % 7``; with
  eight or more contractors the last one is a folder whose code has no contract). A profile
  fixes the folder's layout and the shapes of the contractor's contracts.
- :mod:`.model`: the in-memory prefecture (contractors, contracts, people, records, marks);
  :mod:`.calendar` and :mod:`.vocabulary` the days and words it is made of.
- :mod:`.roster`, :mod:`.records`: contracts and roster rows, log and ledger records, clean by
  default; :mod:`.baseline` the contractor's clean baseline: clean under every rule with the
  :class:`~tokki_analytics.settings.Settings` defaults and :data:`AS_OF` (staff notified before
  they start, trained every fiscal year, logs naming active notified workers only …).
- :mod:`.plants`: one entry per rule id (:data:`PLANTS`), each plant breaking exactly one thing
  and recording the failing unit for the key; :data:`PLANT_TABLE` lists every planted failure by
  profile, :data:`PASS_TABLE` the boundary cases that must pass.
- :mod:`.access_log`: the large access logs, built and formatted with numpy and pandas,
  vectorised.
- :mod:`.build`: the order of it all (:func:`build` in memory, :func:`generate` on disk);
  :mod:`.writer` and :mod:`.masters` the files, :mod:`.key` the answer key and manifest,
  :mod:`.cli` ``python -m tokki_analytics.samples``.

Every contractor draws from its own random stream in a fixed order, so a seed gives the same
bytes every time; code moves must keep that order.

Only the standard library, numpy, pandas and openpyxl are used.
"""

from tokki_analytics.samples.build import build, generate
from tokki_analytics.samples.cli import main
from tokki_analytics.samples.model import ALLOWED_SOFTWARE, AS_OF, KEY_COLUMNS
from tokki_analytics.samples.plants import PASS_TABLE, PLANT_TABLE, PLANTS
from tokki_analytics.samples.profiles import PROFILES

__all__ = [
    "ALLOWED_SOFTWARE",
    "AS_OF",
    "KEY_COLUMNS",
    "PASS_TABLE",
    "PLANTS",
    "PLANT_TABLE",
    "PROFILES",
    "build",
    "generate",
    "main",
]
