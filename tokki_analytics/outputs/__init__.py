"""The write edge: every file and folder tokki writes, and nothing else.

- :mod:`~tokki_analytics.outputs.files`: each file written whole, owner-only, never
  through a link; CSV text neutralised;
- :mod:`~tokki_analytics.outputs.folders`: the output folders tokki owns (marker, checks, a
  run staged and swapped in under a lock);
- :mod:`~tokki_analytics.outputs.offline`: what an HTML page would fetch from the network,
  found and stripped.

The HTML report, the Excel workbooks, GX Data Docs, the notebooks and the sample generator
all write through here.
"""
