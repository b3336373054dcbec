"""Hostile record content stays inert: escaped text, no unsafe links, JSON-LD that cannot be closed early."""

from __future__ import annotations

import json

import pytest
from webapp_records import HOSTILE_JSONLD, HOSTILE_TEXT, hostile, write_records

from webapp.security import json_for_script, safe_href


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a", "http://example.org", "mailto:someone@example.org", "HTTPS://EXAMPLE.ORG/x"],
)
def test_safe_links(url):
    assert safe_href(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//evil.example",
        "/relative",
        "http:///nohost",
        "",
        None,
        42,
        "https://exa\tmple.org",
    ],
)
def test_unsafe_links(url):
    assert safe_href(url) is None


def test_json_for_script_cannot_close_the_element():
    data = {"name": "</script><script>alert(1)</script>", "x": "a & b <!-- c -->", "y": "\u2028\u2029'"}
    text = str(json_for_script(data))
    for bad in ("<", ">", "&", "\u2028", "\u2029", "'"):
        assert bad not in text
    assert json.loads(text) == data


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    from catalogue.core import open_catalogue
    from catalogue.ingest import ingest_path
    from catalogue.settings import Settings
    from webapp import create_app

    root = tmp_path_factory.mktemp("hostile")
    settings = Settings(data_dir=root / "instance", load_demo=False, base_iri="http://catalogue.test")
    catalogue = open_catalogue(settings)
    [path] = write_records(root / "src", {"hostile": hostile()})
    result = ingest_path(catalogue, path)
    assert result.counts["accepted"] == 1, result.to_dict()
    app = create_app(settings, catalogue)
    meta = catalogue.records.list_metas()[0]
    app.config["HOSTILE_ID"] = meta.id
    yield app
    catalogue.close()


def test_hostile_record_is_inert_in_html(hostile_app):
    client = hostile_app.test_client()
    rid = hostile_app.config["HOSTILE_ID"]
    for url in (f"/dataset/{rid}", f"/dataset/{rid}?lang=en", "/search", "/search?q=hostile", "/"):
        html = client.get(url).get_data(as_text=True)
        assert HOSTILE_TEXT not in html, url
        assert "<script>window" not in html, url
        assert 'href="javascript:' not in html.lower(), url
    html = client.get(f"/dataset/{rid}").get_data(as_text=True)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # shown as text
    assert "javascript:window.__pwned=2" in html  # shown as text, not as a link
    assert HOSTILE_JSONLD not in html


def test_hostile_record_json_ld_keeps_the_text(hostile_app):
    client = hostile_app.test_client()
    html = client.get(f"/dataset/{hostile_app.config['HOSTILE_ID']}").get_data(as_text=True)
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    block = html[start : html.index("</script>", start)]
    data = json.loads(block)
    assert HOSTILE_JSONLD in data["description"]
    assert "sameAs" not in data  # the javascript: landing page is dropped
