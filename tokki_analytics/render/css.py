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
#: Background and text colour of each clause status: the pages' cells and badges and the
#: notebooks' heatmap PNG (:func:`tokki_analytics.render.charts.heatmap_png`).
STATUS_COLOURS = {
    STATUS_FAIL: ("#fbd3d0", "#8a1010"),
    STATUS_NOT_ASSESSED: ("#efefef", "#555555"),
    STATUS_PASS: ("#dcf1e1", "#1d5e2c"),
}
#: Stripes of a 未評価 cell (so that it differs from 適合 without colour too).
NOT_ASSESSED_STRIPE = "#d6d6d6"
#: Shades of a 不適合 cell in the contractors × clauses tables and heatmap, lightest first:
#: (lowest rate of the shade, background, text). Text contrast is 4.9:1 or more.
FAIL_SHADES = (
    (0.9, "#fcbba1", "#5a0000"),
    (0.75, "#fc8a6a", "#3d0000"),
    (0.5, "#d92523", "#ffffff"),
    (0.0, "#a50f15", "#ffffff"),
)


def fail_shade(rate: float) -> int:
    """Index in :data:`FAIL_SHADES` of a failing cell (0: at least 90 % of its units passed)."""
    for shade, (low, _, _) in enumerate(FAIL_SHADES):
        if rate >= low:
            return shade
    return len(FAIL_SHADES) - 1


#: CSS class of each severity badge.
SEVERITY_CLASS = {MAJOR: "sev-major", MINOR: "sev-minor", OBSERVATION: "sev-obs"}
#: The style sheet of every page (colours filled in by :func:`_fill`).
_BASE_CSS = """
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
table tr td.st-fail, span.st-fail { background: FAIL_BG; color: FAIL_INK; }
table tr td.st-ok, span.st-ok { background: OK_BG; color: OK_INK; }
table tr td.st-na, span.st-na { color: NA_INK; background-color: NA_BG;
  background-image: repeating-linear-gradient(45deg, transparent 0 5px, NA_STRIPE 5px 7px); }
span.st { padding: 1px 8px; border-radius: 4px; }
.sev { padding: 0 6px; border-radius: 4px; font-weight: 700; white-space: nowrap; }
.sev-major { background: #b42318; color: #fff; }
.sev-minor { background: #f5c451; color: #3d2b00; }
.sev-obs { background: #d0d7de; color: #24292f; }
.new { background: #1f6feb; color: #fff; border-radius: 4px; padding: 0 5px;
  font-size: 0.8em; margin-left: 4px; }
svg.trend { display: block; max-width: 100%; height: auto; border: 1px solid #e1e4e8;
  margin: 0.4em 0; }
nav a, a { color: #0b5cad; }
nav { margin: 0.3em 0 0.8em; font-size: 0.95em; }
.note { color: #4a5560; font-size: 0.9em; }
footer { margin-top: 3em; color: #5b6570; font-size: 0.85em; border-top: 1px solid #d0d7de;
  padding-top: 0.8em; }
"""
#: The contractors × clauses table of index.html (:mod:`.html_grid`): a scrolling box whose
#: header row and first column stay in view, sort buttons in the header cells.
GRID_CSS = """
.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; padding: 0;
  margin: 0.4em 0; font-size: 0.9em; }
.legend .key { display: inline-block; min-width: 3.4em; padding: 0 4px; margin-right: 2px;
  text-align: center; border: 1px solid #d0d7de; }
.grid-wrap { max-height: 75vh; max-width: 100%; width: fit-content; overflow: auto;
  border: 1px solid #d0d7de; margin: 0.6em 0 1em; }
.grid-wrap:focus-visible { outline: 3px solid #0b5cad; }
table.grid { border-collapse: separate; border-spacing: 0; margin: 0; font-size: 0.86em; }
table.grid th, table.grid td { border: 0; border-right: 1px solid #fff;
  border-bottom: 1px solid #fff; padding: 2px 6px; }
table.grid td { text-align: center; font-variant-numeric: tabular-nums; min-width: 3.4em; }
table.grid td.num { text-align: right; background: #fff; }
table.grid thead th { position: sticky; top: 0; z-index: 2; text-align: center;
  vertical-align: bottom; border-bottom: 2px solid #1f4e79; }
table.grid tbody th { position: sticky; left: 0; z-index: 1; background: #fff;
  font-weight: normal; border-right: 2px solid #1f4e79; }
table.grid tbody th a { display: block; max-width: 18em; overflow: hidden;
  text-overflow: ellipsis; }
table.grid tbody tr:nth-child(even) th, table.grid tbody tr:nth-child(even) td.num {
  background: #f6f8fa; }
table.grid thead th:first-child { left: 0; z-index: 3; text-align: left;
  border-right: 2px solid #1f4e79; }
table.grid svg.spark { display: block; }
table.grid th button { font: inherit; color: inherit; background: none; border: 0;
  padding: 2px 0; margin: 0; cursor: pointer; text-align: inherit; line-height: 1.25; }
table.grid th button:focus-visible { outline: 2px solid #0b5cad; outline-offset: 1px; }
table.grid th button .t { display: block; font-weight: normal; font-size: 0.85em; }
table.grid th button::after { content: " \\2195"; content: " \\2195" / "";
  color: #8a949e; }
table.grid th[aria-sort="ascending"] button::after { content: " \\25B2";
  content: " \\25B2" / ""; color: inherit; }
table.grid th[aria-sort="descending"] button::after { content: " \\25BC";
  content: " \\25BC" / ""; color: inherit; }
table.grid td.st-fail::before, .legend .st-fail::before { content: "\\2715"; content: "\\2715" / "";
  margin-right: 0.2em; }
"""


def _shade_css() -> str:
    """One rule per shade of a failing cell (``td.st-fail.lv0`` …)."""
    return "".join(
        f"table.grid td.st-fail.lv{n}, .legend .st-fail.lv{n} "
        f"{{ background: {bg}; color: {ink}; }}\n"
        for n, (_, bg, ink) in enumerate(FAIL_SHADES)
    )


def _fill(css: str) -> str:
    fail, na, ok = (STATUS_COLOURS[s] for s in (STATUS_FAIL, STATUS_NOT_ASSESSED, STATUS_PASS))
    slots = {
        "FONTS": FONT_STACK,
        "FAIL_BG": fail[0],
        "FAIL_INK": fail[1],
        "OK_BG": ok[0],
        "OK_INK": ok[1],
        "NA_BG": na[0],
        "NA_INK": na[1],
        "NA_STRIPE": NOT_ASSESSED_STRIPE,
    }
    for slot, value in slots.items():
        css = css.replace(slot, value)
    return css


#: The style sheet of the contractor pages.
CSS = _fill(_BASE_CSS)
#: The style sheet of index.html: :data:`CSS` and the contractors × clauses table.
INDEX_CSS = CSS + GRID_CSS + _shade_css()
