"""The report's style sheet and the CSS classes of statuses and severities.

Inline in every page (no external file, no web font): system fonts that have Japanese glyphs
come first, IPAexGothic (what the charts use) as the fallback.
"""

from __future__ import annotations

from tokki_analytics.vocab import (
    MAJOR,
    MINOR,
    OBSERVATION,
    STATUS_FAIL,
    STATUS_NOT_ASSESSED,
    STATUS_PASS,
)

#: Fonts with Japanese glyphs, the platforms' own first.
FONT_STACK = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "YuGothic", Meiryo, '
    '"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", sans-serif'
)
#: CSS class of each clause status (cells and badges).
STATUS_CLASS = {STATUS_FAIL: "st-fail", STATUS_NOT_ASSESSED: "st-na", STATUS_PASS: "st-ok"}
#: CSS class of each severity badge.
SEVERITY_CLASS = {MAJOR: "sev-major", MINOR: "sev-minor", OBSERVATION: "sev-obs"}
#: The style sheet inlined in every page.
CSS = """
:root { color-scheme: light; }
body { font-family: FONTS; margin: 0; color: #1f2328; background: #f6f7f9;
  line-height: 1.55; font-size: 14px; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 28px 48px; background: #fff; }
h1 { font-size: 1.55em; margin: 0.2em 0 0.1em; border-bottom: 3px solid #1f4e79;
  padding-bottom: 0.25em; }
h1 .en, h2 .en, h3 .en { font-weight: normal; color: #5b6570; font-size: 0.72em; }
h2 { font-size: 1.22em; margin-top: 1.8em; border-left: 6px solid #1f4e79;
  padding-left: 0.5em; }
h3 { font-size: 1.05em; margin-top: 1.3em; }
p.lead { color: #4a5560; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top; text-align: left;
  white-space: nowrap; }
td.w { white-space: normal; min-width: 12em; }
table.kv td { white-space: normal; }
th { background: #eef2f6; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #fafbfc; }
table.kv th { width: 15em; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0.8em 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 8.5em;
  background: #fbfcfd; }
.card .v { font-size: 1.5em; font-weight: 700; }
.card .k { font-size: 0.85em; color: #4a5560; }
.formula { background: #f3f6fa; border: 1px solid #c9d6e3; border-radius: 6px;
  padding: 10px 14px; margin: 0.6em 0 1em; }
.formula code { font-size: 1.05em; font-weight: 600; }
code { font-family: "SFMono-Regular", Consolas, "Noto Sans Mono CJK JP", monospace; }
.st { font-weight: 700; text-align: center; white-space: nowrap; }
.st small { display: block; font-weight: normal; font-size: 0.8em; }
table tr td.st-fail, span.st-fail { background: #fbd3d0; color: #8a1010; }
table tr td.st-ok, span.st-ok { background: #dcf1e1; color: #1d5e2c; }
table tr td.st-na, span.st-na { color: #555; background-color: #efefef;
  background-image: repeating-linear-gradient(45deg, transparent 0 5px, #d6d6d6 5px 7px); }
span.st { padding: 1px 8px; border-radius: 4px; }
.sev { padding: 0 6px; border-radius: 4px; font-weight: 700; white-space: nowrap; }
.sev-major { background: #b42318; color: #fff; }
.sev-minor { background: #f5c451; color: #3d2b00; }
.sev-obs { background: #d0d7de; color: #24292f; }
.new { background: #1f6feb; color: #fff; border-radius: 4px; padding: 0 5px;
  font-size: 0.8em; margin-left: 4px; }
img.chart { max-width: 100%; height: auto; border: 1px solid #e1e4e8; }
nav a, a { color: #0b5cad; }
nav { margin: 0.3em 0 0.8em; font-size: 0.95em; }
.note { color: #4a5560; font-size: 0.9em; }
footer { margin-top: 3em; color: #5b6570; font-size: 0.85em; border-top: 1px solid #d0d7de;
  padding-top: 0.8em; }
""".replace("FONTS", FONT_STACK)
