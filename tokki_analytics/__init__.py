"""tokki-analytics: audit analytics for the annex 個人情報取扱特記事項.

Loads contractors' submissions, checks them against the clauses with Great Expectations
suites, and reports findings and compliance. Nothing is sent anywhere: Great Expectations'
usage statistics are switched off before it can be imported.
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "False"

__version__ = "0.1.0"
