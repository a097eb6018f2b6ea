"""GX Data Docs of a run, offline; the pure functions of tokki_analytics.outputs.offline."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from urllib.parse import unquote

import pytest

import tokki_analytics
from tokki_analytics.gx.datadocs import build_datadocs
from tokki_analytics.gx.datadocs_pages import page_transform
from tokki_analytics.masking import Masker
from tokki_analytics.outputs import offline

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    return tokki_analytics.audit(ROOT / "data_samples")


@pytest.fixture(scope="module")
def docs(sample, tmp_path_factory):
    import great_expectations.validator.v1_validator as v1

    original = v1.Validator.validate_expectation_suite

    def refuse(*args, **kwargs):
        raise AssertionError("Data Docs must not validate again")

    v1.Validator.validate_expectation_suite = refuse
    try:
        index = build_datadocs(tmp_path_factory.mktemp("out"), sample)
    finally:
        v1.Validator.validate_expectation_suite = original
    return index


def _links(page: Path) -> list[Path]:
    hrefs = re.findall(r'href="([^"#]+\.html)"', page.read_text(encoding="utf-8"))
    return [(page.parent / unquote(h)).resolve() for h in hrefs]


def test_index_links_to_validation_and_suite_pages(sample, docs):
    assert docs.name == "index.html" and docs.parent.name == "datadocs" and docs.is_file()
    links = _links(docs)
    validations = [p for p in links if "validations" in p.parts]
    suites = [p for p in links if "expectations" in p.parts]
    assert len(validations) == len(sample.validation.gx_results)
    assert len(set(suites)) == len(sample.validation.suites)
    assert all(p.is_file() for p in links)
    page = validations[0].read_text(encoding="utf-8")
    assert '<a href="../../../../index.html">' in page


def test_every_page_offline(docs):
    pages = sorted(docs.parent.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert offline.external_urls(text) == [], page
        assert "<script src" not in text and "bootstrapTable(" not in text
        assert "tokki-status" in text or "<style>" in text


def test_japanese_descriptions_shown(docs):
    staff = next(docs.parent.glob("validations/*/*/*/staff.html")).read_text(encoding="utf-8")
    assert "C3-1（第3）作業従事者の届出日が記入されていること" in staff
    assert "検証結果" in staff
    suite = next(docs.parent.glob("expectations/*作業従事者名簿.html")).read_text(encoding="utf-8")
    assert "C4-1（第4）" in suite
    assert "must not be null" not in staff


def test_owner_only_and_no_unused_assets(docs):
    root = docs.parent
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    static = sorted(p.name for p in (root / "static").rglob("*") if p.is_file())
    assert static == ["favicon.ico"]


def test_names_masked_in_pages():
    transform = page_transform({}, {}, None, Masker(["岡山 太郎"]).text)
    page = transform("<html><body><p>立会者 岡山 太郎 / 岡山太郎</p></body></html>")
    assert "太郎" not in page and "岡山 ＊＊" in page
    shown = page_transform({}, {}, None, None)("<p>岡山 太郎</p>")
    assert "岡山 太郎" in shown


# --- offline.py ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="https://cdn.example.com/bootstrap.min.css"/>
<link rel="icon" href="static/favicon.ico">
<script src="//code.example.com/jquery.js"></script>
<script src="local.js"></script>
<script>var x = 1;</script>
<style>@import url("https://fonts.example.com/a.css");
.logo { background: url('https://s3.example.com/logo.png') no-repeat; }
.ok { background: url(data:image/png;base64,AAAA); }</style>
</head><body>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<use xlink:href="#a"/></svg>
<rdf:RDF><cc:Work rdf:about=""><dc:type rdf:resource="http://purl.org/dc/dcmitype/Still"/>
</cc:Work></rdf:RDF>
<img src="https://s3.example.com/logo.png?d=1" alt="Great Expectations"/>
<img src="static/local.png" alt="local">
<img srcset="a.png 1x, https://x.example.com/b.png 2x">
<a href="https://greatexpectations.io">Great Expectations</a>
<a href="validations/a.html">結果</a>
<iframe src="https://www.example.com/embed"></iframe>
</body></html>"""


def test_external_urls_finds_loading_places_and_ignores_namespaces():
    urls = offline.external_urls(PAGE)
    assert urls == [
        "https://cdn.example.com/bootstrap.min.css",
        "//code.example.com/jquery.js",
        "https://fonts.example.com/a.css",
        "https://s3.example.com/logo.png",
        "https://s3.example.com/logo.png?d=1",
        "https://x.example.com/b.png",
        "https://greatexpectations.io",
        "https://www.example.com/embed",
    ]
    assert not any("w3.org" in u or "purl.org" in u for u in urls)
    assert offline.external_urls("<a HREF=http://x.example.com>x</a>") == ["http://x.example.com"]
    assert offline.external_urls("<p>see https://example.com in text</p>") == []


def test_offline_html_removes_and_keeps_the_right_things():
    page = offline.offline_html(PAGE)
    assert offline.external_urls(page) == []
    for kept in (
        'href="static/favicon.ico"',
        'src="local.js"',
        "var x = 1;",
        "url(data:image/png;base64,AAAA)",
        'xmlns="http://www.w3.org/2000/svg"',
        'rdf:resource="http://purl.org/dc/dcmitype/Still"',
        '<a href="validations/a.html">結果</a>',
        'src="static/local.png"',
    ):
        assert kept in page
    assert '<span class="offline-img">Great Expectations</span>' in page
    assert "Great Expectations</a>" not in page and "<iframe" not in page
    assert "background: none no-repeat" in page and "@import" not in page


def test_make_offline_rewrites_files_owner_only(tmp_path):
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "sub" / "a.css").write_text("@import 'https://x.example.com/a.css';\nb{}")
    (site / "sub" / "keep.txt").write_text("https://example.com")
    written = offline.make_offline(site, css="body{color:red}", script="var y=2;")
    assert sorted(p.name for p in written) == ["a.css", "index.html"]
    text = (site / "index.html").read_text(encoding="utf-8")
    assert offline.external_urls(text) == []
    assert text.index("body{color:red}") < text.index("</head>")
    assert text.index("var y=2;") < text.index("</body>")
    assert (site / "sub" / "a.css").read_text().strip() == "b{}"
    assert (site / "sub" / "keep.txt").read_text() == "https://example.com"
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o600
    single = offline.make_offline(site / "index.html", transform=str.upper)
    assert single == [site / "index.html"]
    assert "<HTML>" in (site / "index.html").read_text(encoding="utf-8")
