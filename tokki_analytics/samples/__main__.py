"""``python -m tokki_analytics.samples``: see :func:`tokki_analytics.samples.cli.main`."""

import sys

from tokki_analytics.samples.cli import main

sys.exit(main())
