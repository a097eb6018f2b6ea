"""What tokki writes for people to read, and how it writes any output file.

- :mod:`.charts`: figures drawn off-screen (:func:`~.charts.figure`), PNG as base64, the
  heatmap and trend charts of the report and the notebooks;
- :mod:`.html`: the HTML report, entry point :func:`~.html.write_html`; its pages are laid out
  by :mod:`.html_index` and :mod:`.html_contractor` from the blocks of :mod:`.html_parts` and
  the style sheet of :mod:`.css`;
- :mod:`.excel`: findings.xlsx (and the tables of the briefing workbook);
- :mod:`.offline`: finds and strips what an HTML page would fetch from the network (Data
  Docs, exported notebooks);
- :mod:`.files`: every output file written whole, owner-only, never through a link (CSV with
  neutralised text included);
- :mod:`.folders`: the output folders tokki owns (marker, checks, a run staged and swapped
  in at once under a lock).

The tables they show (clause status, risk ranking, contractor names) come from
:mod:`tokki_analytics.status`; severities, statuses and clauses from
:mod:`tokki_analytics.vocab`.
"""
