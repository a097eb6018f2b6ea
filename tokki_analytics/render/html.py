"""The HTML report: ``index.html`` (the page a person opens first) and one page per contractor.

Pages are in Japanese (English in parentheses) and self-contained: inline CSS
(:mod:`.css`), tables and inline SVG lines rather than pictures on index.html
(:mod:`.html_grid`, :mod:`.html_trend`; one small inline script sorts its tables, and
without it they read in risk order), no web font, no external URL, so they open offline
and can be mailed or archived as they are. Every data value is escaped; person names are
masked (``岡山 ＊＊``) unless ``show_names`` is set.

What the pages show is computed in :mod:`tokki_analytics.status` (clause status, risk
score, contractor names); :mod:`.html_index` and :mod:`.html_contractor` lay it out.
:func:`write_html` is the entry point.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from tokki_analytics.history import finding_identities, finding_units
from tokki_analytics.masking import Masker
from tokki_analytics.outputs.files import write_text
from tokki_analytics.outputs.folders import prepare_out
from tokki_analytics.render.html_contractor import contractor_page
from tokki_analytics.render.html_index import index_page
from tokki_analytics.render.html_parts import (
    HtmlText,
    Past,
    ReportRun,
    page_name,
    safe_links,
    staff_names,
)
from tokki_analytics.safetext import escape_controls
from tokki_analytics.status import clause_status, contractor_ids, contractor_names, risk_ranking

if TYPE_CHECKING:
    import pandas as pd

    from tokki_analytics.followup_report import RunFollowUp
    from tokki_analytics.history import History
    from tokki_analytics.pipeline import Audit


def prepare_run(
    audit: Audit,
    show_names: bool,
    history: History | None,
    links: dict[str, str] | None,
    followup: RunFollowUp | None = None,
) -> ReportRun:
    """What every page of the report shares: status tables, risk ranking, masker, history.

    Findings marked 対象外（説明受領） in ``followup`` are left out of the risk score.
    """
    accepted = None if followup is None else followup.accepted
    h = HtmlText(Masker.of(audit, show=show_names), show_names, staff_names(audit))
    run = ReportRun(
        audit=audit,
        h=h,
        names=contractor_names(audit),
        ranking=risk_ranking(audit, leave_out=accepted),
        status=clause_status(audit),
        history=history,
        links=safe_links(links),
        generated=f"{dt.datetime.now():%Y-%m-%d %H:%M}",
        followup=followup,
    )
    if history is not None and history.has_earlier_runs:
        run.units = finding_units(audit.findings)
        run.past = Past(
            history=history,
            trend=history.trend(),
            identities=finding_identities(audit.findings, units=run.units),
            new_ids=frozenset(history.new_findings["identity"]),
        )
    return run


def write_html(
    audit: Audit,
    out: Path,
    *,
    show_names: bool = False,
    group_readable: bool = False,
    history: History | None = None,
    links: dict[str, str] | None = None,
    followup: RunFollowUp | None = None,
    coverage: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the HTML report: ``out/index.html`` and ``out/contractors/<id>.html``.

    Args:
        audit: The run to report.
        out: The output folder (created owner-only, or group-readable).
        show_names: Show person names in full (default: masked, 岡山 ＊＊).
        group_readable: Files 0640 and folders 0750 instead of 0600 / 0700.
        history: The run's history (:func:`tokki_analytics.history.record_run`) for new
            and resolved findings and trends; None leaves them out.
        links: Relative paths inside ``out`` → label, listed on every page (e.g.
            ``{"findings.xlsx": "Excel"}``); an absolute URL raises ValueError.
        followup: The run's follow-up (:func:`tokki_analytics.followup_report.run_follow_up`):
            counts on index.html, each finding's state and dates on its contractor's page,
            対象外 findings out of the risk score; None leaves it out.
        coverage: The submission status (提出状況) on index.html; None leaves it out.

    Returns:
        The pages written, index.html first.
    """
    run = prepare_run(audit, show_names, history, links, followup)
    run.coverage = coverage
    out = prepare_out(Path(out), group_readable)
    pages = prepare_out(out / "contractors", group_readable)
    # control characters of the data are shown as their code (safetext.escape_controls)
    written = [write_text(out / "index.html", escape_controls(index_page(run)), group_readable)]
    for cid in contractor_ids(audit):
        text = escape_controls(contractor_page(run, cid))
        written.append(write_text(pages / page_name(cid), text, group_readable))
    return written
