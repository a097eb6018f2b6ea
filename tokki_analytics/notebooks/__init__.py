"""The notebooks and everything they show.

The jupytext pairs ``NN_name.py`` / ``NN_name.ipynb`` (package data) only display; what
they show comes from the modules here, which tests call directly:

- :mod:`~tokki_analytics.notebooks.nbrun`: the notebooks declared once (``NOTEBOOKS``) and
  run headless with papermill (``tokki notebook``);
- :mod:`~tokki_analytics.notebooks.briefing`: the pre-inspection briefing of one contractor;
- :mod:`~tokki_analytics.notebooks.timeline`: a contractor's staff and take-out timeline;
- :mod:`~tokki_analytics.notebooks.analysis`: comparison, clause and incident analyses;
- :mod:`~tokki_analytics.notebooks.present`: tables and figures as notebooks display them.
"""
