"""The intake side of an audit: what a prefecture sends contractors and checks on arrival.

- :mod:`.template`: a contractor's submission workbook (提出様式), built from
  :mod:`tokki_analytics.forms` and the contractor's rows of 委託契約一覧;
  :mod:`.templatecmd`: the ``tokki template`` command that writes it;
- :mod:`.coverage`: the submission-status overview (提出状況): per contractor and form,
  submitted or missing, and the period the records cover against the one they should;
- :mod:`.checkcmd`, :mod:`.checkrun`, :mod:`.check`, :mod:`.check_expected`, :mod:`.reply`:
  the intake check ``tokki check`` (受付時点検) and the reply it writes (差し戻し票).
"""
