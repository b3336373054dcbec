"""The query page: editor, examples, results table, downloads, FR/EN, and the strict CSP."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from webapp import i18n
from webapp.sparql import EXAMPLES, FRENCH, example_query

TEMPLATE = Path(__file__).resolve().parents[2] / "webapp" / "templates" / "sparql.html"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def page(live, path="/sparql", **kwargs):
    headers = {**BROWSER, **kwargs.pop("headers", {})}
    reply = live.request(path, headers=headers, **kwargs)
    assert reply.content_type == "text/html", reply.text[:300]
    return reply


def test_a_browser_without_a_query_gets_the_editor(live):
    reply = page(live)
    assert reply.status == 200
    text = reply.text
    assert '<textarea id="sparql-query" name="query"' in text
    for prefix in ("dcat", "dct", "foaf", "skos", "healthdcatap", "dcatap", "dpv", "vcard", "xsd", "rdfs", "adms"):
        assert f"PREFIX {prefix}: &lt;" in text
    assert text.count("data-example-query=") >= 8
    assert "/static/sparql.js" in text and "/static/sparql.css" in text
    for name in ("JSON", "CSV", "TSV", "XML"):
        assert f">{name}</button>" in text


def test_editor_route_and_example_links(live):
    reply = page(live, "/sparql/editor", params={"example": "icd10"})
    assert reply.status == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", reply.text, re.S).group(1)
    query = html.unescape(textarea)
    assert "healthdcatap:hasCodingSystem" in query and "healthdcatap:numberOfUniqueIndividuals" in query
    assert "1000000" in query
    prefilled = page(live, "/sparql/editor", params={"query": "ASK { ?s ?p ?o }"})
    assert "ASK { ?s ?p ?o }" in prefilled.text


def test_the_page_keeps_to_the_content_security_policy(live):
    reply = page(live)
    csp = reply.header("Content-Security-Policy")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", reply.text), "inline script"
    assert " style=" not in reply.text and "<style" not in reply.text
    assert "http://cdn" not in reply.text and "https://cdn" not in reply.text
    for asset in ("/static/sparql.js", "/static/sparql.css"):
        assert live.request(asset).status == 200


def test_example_list_covers_the_documented_queries():
    assert len(EXAMPLES) >= 8
    texts = {key: example_query(key, "en") for key in EXAMPLES}
    assert any("healthdcatap:healthCategory" in q for q in texts.values())
    assert any("dct:publisher" in q for q in texts.values())
    assert any("hasCodingSystem" in q and "numberOfUniqueIndividuals" in q for q in texts.values())
    assert any("dct:accessRights" in q and "GROUP BY" in q for q in texts.values())
    assert any("healthdcatap:hdab" in q for q in texts.values())
    assert any("dcat:keyword" in q for q in texts.values())
    assert any("dct:modified" in q for q in texts.values())
    assert any("SERVICE <https://data.europa.eu/sparql>" in q for q in texts.values())


@pytest.mark.parametrize("key", [k for k in EXAMPLES if k != "federated"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_local_example_runs_on_the_demo_catalogue(live, key, lang):
    reply = live.query(example_query(key, lang))
    assert reply.status == 200, reply.text
    assert reply.json()["results"]["bindings"], f"example {key} finds nothing in the demo catalogue"


def test_the_federated_example_needs_the_allow_list(live):
    reply = live.query(example_query("federated", "en"))
    assert reply.status == 403
    assert "https://data.europa.eu/sparql" in reply.text


def test_results_are_shown_as_a_table_with_links(live):
    reply = page(live, data={"query": example_query("icd10", "en"), "format": "html"}, method="POST")
    assert reply.status == 200
    assert '<table class="sparql-table">' in reply.text
    assert '<th scope="col">dataset</th>' in reply.text
    assert '<a href="https://catalogue.sante.example.fr/id/dataset/' in reply.text
    assert "Link to this query" in reply.text or "Lien vers cette requête" in reply.text


def test_browser_get_with_a_query_shows_results(live):
    reply = page(live, params={"query": "ASK { ?d a dcat:Dataset }", "lang": "en"})
    assert reply.status == 200
    assert "yes (true)" in reply.text


def test_construct_results_in_the_page(live):
    reply = page(
        live,
        data={"query": "CONSTRUCT WHERE { ?d a dcat:Dataset } LIMIT 3", "format": "html"},
        method="POST",
        params={"lang": "en"},
    )
    assert reply.status == 200
    assert "3 triples" in reply.text
    assert '<th scope="col">subject</th>' in reply.text
    # CONSTRUCT offers RDF downloads first
    assert re.search(r'value="turtle"\s+class="secondary"\s+data-format-kind="graph">', reply.text)


def test_errors_are_shown_in_the_page_with_their_status(live):
    reply = page(
        live, data={"query": "SELECT * WHERE { ?s ?p }", "format": "html"}, method="POST", params={"lang": "en"}
    )
    assert reply.status == 400
    assert 'role="alert"' in reply.text and "error at 1:" in reply.text
    refused = page(live, data={"query": "DROP ALL", "format": "html"}, method="POST", params={"lang": "en"})
    assert refused.status == 403 and "read-only" in refused.text


def test_hostile_literals_are_escaped(live):
    query = 'SELECT ?x ?y WHERE { BIND("<script>alert(1)</script>" AS ?x) BIND(IRI("javascript:alert(1)") AS ?y) }'
    reply = page(live, data={"query": query, "format": "html"}, method="POST")
    assert "<script>alert(1)</script>" not in reply.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
    assert 'href="javascript:' not in reply.text


def test_truncation_is_announced_in_the_page(make_live):
    handle = make_live(sparql_max_rows=4)
    reply = page(
        handle, data={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "html"}, method="POST", params={"lang": "en"}
    )
    assert reply.status == 200
    assert "The result was cut at 4 rows" in reply.text


@pytest.mark.parametrize(
    "lang, run, title",
    [
        ("fr", "Exécuter la requête", "Point d'accès SPARQL"),
        ("en", "Run the query", "SPARQL endpoint"),
    ],
)
def test_labels_in_french_and_english(live, lang, run, title):
    reply = page(live, params={"lang": lang})
    text = html.unescape(reply.text)
    assert run in text and title in text
    assert f'<html lang="{lang}">' in reply.text
    # the examples follow the page language
    assert f'LANGMATCHES(LANG(?title), "{lang}")' in text


def test_every_string_of_the_page_has_a_french_translation():
    source = TEMPLATE.read_text()
    strings = set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', source)) | set(re.findall(r"_\('((?:[^'\\]|\\.)*)'", source))
    strings |= {title for title, _query in EXAMPLES.values()}
    missing = sorted(s for s in strings if s not in FRENCH and s not in i18n.FRENCH)
    assert not missing, missing


def test_known_namespaces_are_shortened_in_the_table(live):
    query = "SELECT DISTINCT ?type WHERE { ?d a ?type FILTER(?type = dcat:Dataset) }"
    reply = page(live, data={"query": query, "format": "html"}, method="POST")
    assert 'title="http://www.w3.org/ns/dcat#Dataset">dcat:Dataset</a>' in reply.text
