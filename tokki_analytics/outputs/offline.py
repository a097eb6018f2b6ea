"""Offline HTML: find and remove everything a page would fetch from the network.

The audit's HTML outputs (Great Expectations Data Docs, exported notebooks) are opened on
machines without a network, and a page that loads a stylesheet, a script or an image from a
CDN also tells that CDN who opened it. :func:`external_urls` lists what a page would fetch or
link to; :func:`offline_html` removes it; :func:`make_offline` rewrites files in place.

Only loading and linking places count: ``src``/``href``-like attributes, CSS ``url(...)``
and ``@import``. XML namespace declarations (``xmlns="http://www.w3.org/2000/svg"``) and
similar identifiers (``rdf:resource``) are names, not addresses, and are left alone. All
functions here are pure string functions except :func:`make_offline`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from pathlib import Path

from tokki_analytics.outputs.files import write_text

#: Attributes that load or link an address (``xlink:href`` is SVG's ``href``).
URL_ATTRIBUTES = ("href", "xlink:href", "src", "srcset", "action", "formaction", "poster", "data")

_EXTERNAL = r"(?:https?:)?//"
_ATTR = re.compile(
    r"(?P<lead>[\s\"'/])(?P<name>" + "|".join(re.escape(a) for a in URL_ATTRIBUTES) + r")"
    r"\s*=\s*(?P<value>\"[^\"]*\"|'[^']*'|[^\s>\"']+)",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*(?P<q>[\"']?)(?P<url>[^\"')]*)(?P=q)\s*\)", re.IGNORECASE)
_IMPORT = re.compile(
    r"@import\s+(?:url\(\s*)?[\"']?(?P<url>[^\"')\s;]+)[\"']?\s*\)?[^;]*;?", re.IGNORECASE
)
_IS_EXTERNAL = re.compile(r"^\s*" + _EXTERNAL, re.IGNORECASE)

_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)
_PAIRED = re.compile(
    r"<(?P<tag>iframe|video|audio|object|picture)\b(?P<attrs>[^>]*)>.*?</(?P=tag)\s*>", re.I | re.S
)
_LINK = re.compile(r"<link\b(?P<attrs>[^>]*)/?>", re.I)
_IMG = re.compile(r"<img\b(?P<attrs>[^>]*)/?>", re.I)
_VOID = re.compile(r"<(?:source|embed|track)\b(?P<attrs>[^>]*)/?>", re.I)
_ANCHOR = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<inner>.*?)</a\s*>", re.I | re.S)
_ALT = re.compile(r"\salt\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)


def _unquote(value: str) -> str:
    if value[:1] in "\"'" and value[-1:] == value[:1]:
        value = value[1:-1]
    return html_lib.unescape(value).strip()


def _attribute_urls(value: str, name: str) -> list[str]:
    text = _unquote(value)
    if name.lower() == "srcset":
        return [part.split()[0] for part in text.split(",") if part.strip()]
    return [text]


def is_external(url: str) -> bool:
    """True for an address on the network: ``http://``, ``https://`` or ``//host``."""
    return bool(_IS_EXTERNAL.match(url))


def external_urls(html: str) -> list[str]:
    """Every network address a page would load or link to, in page order, each once.

    Looks at ``src``, ``href`` and the other :data:`URL_ATTRIBUTES`, at CSS ``url(...)``
    and at ``@import``; ``xmlns`` and other XML namespace attributes are not addresses.

    Args:
        html: The page (or a stylesheet).

    Returns:
        The external addresses (``http://``, ``https://`` or protocol-relative ``//``).
    """
    found: list[tuple[int, str]] = []
    for match in _ATTR.finditer(html):
        found += [(match.start(), url) for url in _attribute_urls(match["value"], match["name"])]
    found += [(m.start(), m["url"]) for m in _CSS_URL.finditer(html)]
    found += [(m.start(), m["url"]) for m in _IMPORT.finditer(html)]
    ordered = (url.strip() for _, url in sorted(found, key=lambda item: item[0]))
    return list(dict.fromkeys(url for url in ordered if is_external(url)))


def _has_external(attrs: str) -> bool:
    return any(
        is_external(url)
        for m in _ATTR.finditer(" " + attrs)
        for url in _attribute_urls(m["value"], m["name"])
    )


def _drop_external_attributes(html: str) -> str:
    def fix(match: re.Match) -> str:
        urls = _attribute_urls(match["value"], match["name"])
        return match["lead"] if any(is_external(u) for u in urls) else match[0]

    return _ATTR.sub(fix, html)


def strip_css(css: str) -> str:
    """Remove external ``@import`` rules and turn external ``url(...)`` into ``none``."""
    css = _IMPORT.sub(lambda m: "" if is_external(m["url"]) else m[0], css)
    return _CSS_URL.sub(lambda m: "none" if is_external(m["url"]) else m[0], css)


def _image_text(match: re.Match) -> str:
    if not _has_external(match["attrs"]):
        return match[0]
    alt = _ALT.search(match["attrs"])
    text = _unquote(alt.group(1)) if alt else ""
    return f'<span class="offline-img">{html_lib.escape(text)}</span>' if text else ""


def offline_html(html: str) -> str:
    """The page without anything it would fetch from, or link to on, the network.

    External scripts, stylesheets, frames and media are removed; an external image
    becomes its ``alt`` text; a link to the web keeps its text but loses the link; CSS
    ``url(...)`` and ``@import`` of external addresses are dropped; any other attribute
    holding an external address is removed. Local and inline content is kept.

    Args:
        html: The page.

    Returns:
        The page; ``external_urls`` of it is empty.
    """
    html = _SCRIPT.sub(lambda m: "" if _has_external(m["attrs"]) else m[0], html)
    html = _PAIRED.sub(lambda m: "" if _has_external(m["attrs"]) else m[0], html)
    html = _LINK.sub(lambda m: "" if _has_external(m["attrs"]) else m[0], html)
    html = _VOID.sub(lambda m: "" if _has_external(m["attrs"]) else m[0], html)
    html = _IMG.sub(_image_text, html)
    html = _ANCHOR.sub(lambda m: m["inner"] if _has_external(m["attrs"]) else m[0], html)
    html = strip_css(html)
    return _drop_external_attributes(html)


def inject(html: str, css: str | None = None, script: str | None = None) -> str:
    """Add an inline stylesheet at the end of ``<head>`` and a script at the end of ``<body>``."""
    if css:
        block = f"<style>\n{css}\n</style>\n"
        head = re.search(r"</head\s*>", html, re.I)
        html = html[: head.start()] + block + html[head.start() :] if head else block + html
    if script:
        block = f"<script>\n{script}\n</script>\n"
        body = list(re.finditer(r"</body\s*>", html, re.I))
        html = html[: body[-1].start()] + block + html[body[-1].start() :] if body else html + block
    return html


def make_offline(
    path_or_dir: Path | str,
    *,
    css: str | None = None,
    script: str | None = None,
    transform: Callable[[str], str] | None = None,
    group_readable: bool = False,
) -> list[Path]:
    """Rewrite HTML (and CSS) files so that they need no network.

    Each ``.html`` file is passed through ``transform`` (if given), then
    :func:`offline_html`, then gets ``css`` and ``script`` inlined; each ``.css`` file
    goes through :func:`strip_css`. Files are rewritten with the output permissions of
    :mod:`tokki_analytics.outputs.files`.

    Args:
        path_or_dir: One file, or a folder searched recursively.
        css: A stylesheet to inline into every page (e.g. to replace a CDN's).
        script: A script to inline at the end of every page.
        transform: A page-specific rewrite run before the generic one.
        group_readable: Make the files group-readable instead of owner-only.

    Returns:
        The files rewritten.

    Raises:
        ValueError: A page still refers to the network after the rewrite.
    """
    root = Path(path_or_dir)
    files = [root] if root.is_file() else sorted(root.rglob("*"))
    written = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            text = path.read_text(encoding="utf-8")
            if transform is not None:
                text = transform(text)
            text = inject(offline_html(text), css, script)
        elif suffix == ".css":
            text = strip_css(path.read_text(encoding="utf-8"))
        else:
            continue
        left = external_urls(text)
        if left:
            raise ValueError(f"{path}: external URLs remain: {left[:5]}")
        written.append(write_text(path, text, group_readable))
    return written
