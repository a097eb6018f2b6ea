r"""Text from the data made safe to show: visible control characters, no formulas.

A contractor writes the cells, file names, folder names and sheet names that tokki shows
in the terminal and writes into CSV, Excel and HTML. Two things in such text must never
take effect where it is shown:

* **Control characters** (terminal escapes such as ``ESC [32m`` that draw a fake line,
  C1 controls, DEL, and the bidirectional overrides that reorder what is read) are shown
  as their code: ``\x1b``, ``\x7f``, ``\x9b``, ``\u202e`` (Python's escape notation, as
  :func:`tokki_analytics.ingest.folders.display_name` shows undecodable bytes of a name). Tab and
  newline stay as they are in files; the terminal shows them escaped too.
* **Formulas**: a spreadsheet cell whose text starts with ``=``, ``+``, ``-``, ``@`` (also
  after NFKC, which turns ``＝`` into ``=``, and after leading blanks), a tab or a carriage
  return gets a leading ``'``; so does text that already starts with ``'``, which keeps
  the change reversible (:func:`restore_cell`) for tokki's own readers of its CSV files.

Every writer uses these functions: :mod:`tokki_analytics.outputs.files` (CSV),
:mod:`tokki_analytics.render.excel` (workbooks), the HTML pages and the command line.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters shown as their code: C0 controls but tab and newline, DEL, C1 controls,
#: the bidirectional embeddings, overrides and isolates, and lone surrogates (the bytes of
#: a file name that is not UTF-8, as Python hands them over; no UTF-8 file can hold them).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_OR_LAYOUT = re.compile(f"[{_CONTROLS}\t\n]")
#: Raw characters a JSON string may hold that a terminal could still act on.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: Text that a spreadsheet program may take for a formula starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = ("=", "+", "-", "@")
_QUOTE = "'"


def _code(match: re.Match[str]) -> str:
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # an undecodable byte of a file name: show the byte
        point -= 0xDC00
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def escape_controls(text: str, *, keep_layout: bool = True) -> str:
    r"""``text`` with every control character shown as its code (``ESC`` → ``\x1b``).

    Args:
        text: Any text from the data.
        keep_layout: Keep tab and newline (files); False escapes them too (a terminal
            table, where a newline in a cell could start a line that looks like tokki's).

    Returns:
        The text; a ``\r\n`` line end counts as a newline.
    """
    pattern = _CONTROL if keep_layout else _CONTROL_OR_LAYOUT
    if not pattern.search(text):
        return text
    if keep_layout:
        text = text.replace("\r\n", "\n")
    return pattern.sub(_code, text)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet may evaluate ``text`` typed into (or imported as) a cell."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    head = unicodedata.normalize("NFKC", text.lstrip()[:8]).lstrip()
    return head.startswith(_FORMULA_START)


def neutralise(text: str) -> str:
    """Cell text that no spreadsheet evaluates and that holds no control character.

    Control characters are shown as their code (:func:`escape_controls`); then text that
    :func:`is_formula` or that starts with ``'`` gets a leading ``'``.

    Args:
        text: Cell text.

    Returns:
        The text to write.
    """
    text = escape_controls(text)
    return _QUOTE + text if text.startswith(_QUOTE) or is_formula(text) else text


def restore_cell(text: str) -> str:
    """Undo the ``'`` :func:`neutralise` added (reading tokki's own CSV files back)."""
    return text[1:] if text.startswith(_QUOTE) else text


def terminal_text(value: object) -> str:
    """``value`` as text for the terminal: every control character, tab and newline escaped."""
    return escape_controls(str(value), keep_layout=False)


def json_text(text: str) -> str:
    r"""JSON text with DEL, C1 controls and bidi overrides written as ``\uXXXX``.

    ``json.dumps`` already escapes C0 controls; with ``ensure_ascii=False`` it leaves these
    raw. Written as JSON escapes they parse back to the same values.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: Characters a file name made from the data may not hold: all but letters, digits, ``_``
#: and ``-`` (Unicode letters included, so 株式会社 stays).
_UNSAFE_FILE = re.compile(r"[^\w\-]")


def file_stem(text: str) -> str:
    """``text`` (a contractor code from the data) as a file name's stem inside one folder.

    Every character but letters, digits, ``_`` and ``-`` becomes ``_``: no separator,
    no ``..``, no leading dot, no control character, so a hostile code in 委託契約一覧
    (``../../x``, ``/etc/x``) names a file in the folder tokki writes to and nowhere else.
    """
    return _UNSAFE_FILE.sub("_", str(text)) or "_"
