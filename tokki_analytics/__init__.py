"""tokki-analytics: audit analytics for the annex 個人情報取扱特記事項.

Loads contractors' submissions, checks them against the clauses with Great Expectations
suites, and reports findings and compliance. Nothing is sent anywhere: Great Expectations'
usage statistics are switched off before it can be imported.
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "False"

__version__ = "0.1.0"


def audit(data_dir, as_of=None, settings_file=None, suites_dir=None):
    """Audit a data folder: see :func:`tokki_analytics.pipeline.audit`."""
    from tokki_analytics.pipeline import audit as run

    return run(data_dir, as_of=as_of, settings_file=settings_file, suites_dir=suites_dir)
