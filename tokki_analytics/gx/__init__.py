"""Everything Great Expectations: the suites, the validation and the Data Docs of a run.

- :mod:`.suites`: the expectation suites, written from the rule catalogue
  (``python -m tokki_analytics.gx.suites``, ``make generate``) into ``expectations/``
  (package data, shipped in the wheel) and loaded back with GX alone;
- :mod:`.validate`: one GX validation per check view, all contractors at once;
- :mod:`.datadocs`: the run's Data Docs, rendered by GX from the run's results, readable
  offline; :mod:`.datadocs_pages` rewrites GX's pages (style, static tables, Japanese).

GX's usage statistics are switched off once, in the package's ``__init__``.
"""
