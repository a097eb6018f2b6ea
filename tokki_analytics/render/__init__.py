"""What tokki writes for people to read.

- :mod:`.charts`: figures drawn off-screen (:func:`~.charts.figure`), PNG as base64: the
  notebooks' heatmap, the contractor pages' trend chart;
- :mod:`.html`: the HTML report, entry point :func:`~.html.write_html`; its pages are laid out
  by :mod:`.html_index` (with the sortable contractors × clauses table of :mod:`.html_grid`
  and the trend table of :mod:`.html_trend`) and :mod:`.html_contractor` from the blocks of
  :mod:`.html_parts` and the style sheet of :mod:`.css`;
- :mod:`.excel`: findings.xlsx (and the tables of the briefing workbook).

Files and folders are written through :mod:`tokki_analytics.outputs`.
The tables they show (clause status, risk ranking, contractor names) come from
:mod:`tokki_analytics.status`; severities, statuses and clauses from
:mod:`tokki_analytics.vocab`.
"""
