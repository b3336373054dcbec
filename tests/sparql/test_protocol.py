"""The SPARQL 1.1 Protocol on a real HTTP server: methods, result formats, datasets, errors."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

DATASETS = "SELECT ?d ?title WHERE { ?d a dcat:Dataset ; dct:title ?title } ORDER BY ?d ?title LIMIT 5"
GRAPH = "CONSTRUCT { ?d dct:title ?t } WHERE { ?d a dcat:Dataset ; dct:title ?t } ORDER BY ?d ?t LIMIT 6"
ASK = "ASK { ?d a dcat:Dataset }"

SOLUTION_PARSERS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_TYPES = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


def solutions(reply, fmt) -> list:
    return list(ox.parse_query_results(reply.body, fmt))


def direct(live, query, *, accept=None, params=None):
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return live.request(params=params, data=query, headers=headers, method="POST")


# --- methods -------------------------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(live):
    by_get = live.query(DATASETS)
    by_form = live.request(data={"query": DATASETS}, method="POST")
    by_body = direct(live, DATASETS)
    for reply in (by_get, by_form, by_body):
        assert reply.status == 200, reply.text
        assert reply.content_type == "application/sparql-results+json"
        assert reply.header("X-SPARQL-Truncated") == "false"
    rows = [solutions(r, ox.QueryResultsFormat.JSON) for r in (by_get, by_form, by_body)]
    assert len(rows[0]) == 5
    assert [str(s["d"]) for s in rows[0]] == [str(s["d"]) for s in rows[1]] == [str(s["d"]) for s in rows[2]]


def test_post_with_another_content_type_is_415(live):
    reply = live.request(data=DATASETS, headers={"Content-Type": "text/plain"}, method="POST")
    assert reply.status == 415
    assert "application/sparql-query" in reply.text


def test_two_query_parameters_are_refused(live):
    reply = live.request(params={"query": [ASK, ASK]})
    assert reply.status == 400


# --- formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SOLUTION_PARSERS))
def test_select_in_each_format_by_accept_and_by_parameter(live, name):
    media_type, parser = SOLUTION_PARSERS[name]
    reference = solutions(live.query(DATASETS), ox.QueryResultsFormat.JSON)
    by_accept = live.query(DATASETS, headers={"Accept": media_type})
    by_param = live.request(params={"query": DATASETS, "format": name})
    for reply in (by_accept, by_param):
        assert reply.status == 200
        assert reply.content_type == media_type
        parsed = solutions(reply, parser)
        assert [(str(s["d"]), str(s["title"])) for s in parsed] == [(str(s["d"]), str(s["title"])) for s in reference]


def test_select_as_csv(live):
    reference = solutions(live.query(DATASETS), ox.QueryResultsFormat.JSON)
    for reply in (
        live.query(DATASETS, headers={"Accept": "text/csv"}),
        live.request(params={"query": DATASETS, "format": "csv"}),
    ):
        assert reply.status == 200
        assert reply.content_type == "text/csv"
        rows = list(csv.reader(io.StringIO(reply.text)))
        assert rows[0] == ["d", "title"]
        assert [tuple(r) for r in rows[1:]] == [(s["d"].value, s["title"].value) for s in reference]


@pytest.mark.parametrize("name", sorted(GRAPH_TYPES))
def test_construct_in_each_rdf_format(live, name):
    media_type, parser = GRAPH_TYPES[name]
    by_accept = live.query(GRAPH, headers={"Accept": media_type})
    by_param = live.request(params={"query": GRAPH, "format": name})
    for reply in (by_accept, by_param):
        assert reply.status == 200, reply.text
        assert reply.content_type == media_type
        triples = list(ox.parse(reply.body, format=parser))
        assert len(triples) == 6
        assert all(getattr(t, "graph_name", ox.DefaultGraph()) == ox.DefaultGraph() for t in triples)
        assert {str(t.predicate.value) for t in triples} == {"http://purl.org/dc/terms/title"}


def test_describe_defaults_to_turtle(live):
    reply = live.query("DESCRIBE ?d WHERE { ?d a dcat:Dataset } LIMIT 1")
    assert reply.status == 200
    assert reply.content_type == "text/turtle"
    assert list(ox.parse(reply.body, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("name", sorted(SOLUTION_PARSERS))
def test_ask_in_each_format(live, name):
    media_type, parser = SOLUTION_PARSERS[name]
    reply = live.query(ASK, headers={"Accept": media_type})
    assert reply.status == 200
    assert bool(ox.parse_query_results(reply.body, parser)) is True
    no = live.request(params={"query": "ASK { <http://nothing.test/x> ?p ?o }", "format": name})
    assert bool(ox.parse_query_results(no.body, parser)) is False


def test_wildcard_accept_gives_the_protocol_defaults(live):
    assert live.query(DATASETS, headers={"Accept": "*/*"}).content_type == "application/sparql-results+json"
    assert live.query(GRAPH, headers={"Accept": "*/*"}).content_type == "text/turtle"


def test_unservable_accept_is_406_and_unknown_format_too(live):
    assert live.query(DATASETS, headers={"Accept": "image/png"}).status == 406
    assert live.request(params={"query": DATASETS, "format": "png"}).status == 406
    assert live.request(params={"query": GRAPH, "format": "csv"}).status == 406


def test_download_parameter_asks_the_browser_to_save(live):
    reply = live.request(data={"query": DATASETS, "format": "csv", "download": "1"}, method="POST")
    assert reply.status == 200
    assert reply.header("Content-Disposition") == 'attachment; filename="results.csv"'


def test_cors_allows_any_origin(live):
    reply = live.query(ASK)
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert "X-SPARQL-Truncated" in reply.header("Access-Control-Expose-Headers")


# --- datasets --------------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_the_record_graphs(live, sparql_catalogue):
    graphs = live.query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").json()
    n_graphs = int(graphs["results"]["bindings"][0]["n"]["value"])
    datasets = live.query("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }").json()
    assert n_graphs > 1
    assert int(datasets["results"]["bindings"][0]["n"]["value"]) >= 5


def test_default_graph_uri_and_named_graph_uri(live, sparql_catalogue):
    meta = sparql_catalogue.records.list_metas(limit=2)
    first, second = meta[0].record_iri, meta[1].record_iri
    query = "SELECT DISTINCT ?d WHERE { ?d a dcat:Dataset }"
    only_first = live.request(params={"query": query, "default-graph-uri": first}).json()
    assert [b["d"]["value"] for b in only_first["results"]["bindings"]] == [meta[0].resource_iri]
    # as form fields in a POST, and named graphs for GRAPH ?g
    named = live.request(
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": [first, second]},
        method="POST",
    ).json()
    assert sorted(b["g"]["value"] for b in named["results"]["bindings"]) == sorted([first, second])
    # with a direct POST, they travel in the URL
    body = direct(live, query, params={"default-graph-uri": second}).json()
    assert [b["d"]["value"] for b in body["results"]["bindings"]] == [meta[1].resource_iri]


def test_from_in_the_query_is_honoured(live, sparql_catalogue):
    meta = sparql_catalogue.records.list_metas(limit=1)[0]
    reply = live.query(f"SELECT DISTINCT ?d FROM <{meta.record_iri}> WHERE {{ ?d a dcat:Dataset }}").json()
    assert [b["d"]["value"] for b in reply["results"]["bindings"]] == [meta.resource_iri]


def test_relative_graph_iri_is_400(live):
    assert live.request(params={"query": ASK, "default-graph-uri": "not-absolute"}).status == 400


# --- errors ----------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parsers_message(live):
    reply = live.query("SELECT * WHERE { ?s ?p }")
    assert reply.status == 400
    assert reply.content_type == "text/plain"
    assert "error at 1:" in reply.text  # pyoxigraph's message, with its position


def test_errors_are_json_for_json_clients(live):
    reply = live.query("SELECT * WHERE { ?s ?p }", headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 400
    error = reply.json()["error"]
    assert error["status"] == 400 and "error at 1:" in error["message"]


def test_missing_query_gives_a_service_description_or_400(live):
    description = live.request(headers={"Accept": "text/turtle"})
    assert description.status == 200
    triples = list(ox.parse(description.body, format=ox.RdfFormat.TURTLE))
    assert any(t.object.value.endswith("SPARQL11Query") for t in triples)
    assert live.request(data={"query": ""}, method="POST").status == 400


def test_row_cap_is_explicit(make_live):
    capped = make_live(sparql_max_rows=3)
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    reply = capped.query(query)
    assert reply.status == 200
    assert reply.header("X-SPARQL-Truncated") == "true"
    assert reply.header("X-SPARQL-Max-Rows") == "3"
    data = reply.json()
    assert data["truncated"] is True and data["maxRows"] == 3
    assert len(data["results"]["bindings"]) == 3
    assert len(solutions(reply, ox.QueryResultsFormat.JSON)) == 3  # still valid SPARQL JSON
    csv_reply = capped.request(params={"query": query, "format": "csv"})
    assert csv_reply.header("X-SPARQL-Truncated") == "true"
    assert len(list(csv.reader(io.StringIO(csv_reply.text)))) == 4
    graph = capped.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert graph.header("X-SPARQL-Truncated") == "true"
    assert len(list(ox.parse(graph.body, format=ox.RdfFormat.TURTLE))) == 3
    small = capped.query("SELECT ?d WHERE { ?d a dcat:Dataset } LIMIT 2")
    assert small.header("X-SPARQL-Truncated") == "false"
    assert "truncated" not in small.json()


def test_json_results_are_plain_sparql_json(live):
    data = json.loads(live.query("SELECT ?d ?n WHERE { ?d healthdcatap:numberOfUniqueIndividuals ?n } LIMIT 1").body)
    binding = data["results"]["bindings"][0]
    assert binding["d"]["type"] == "uri"
    assert binding["n"]["type"] == "literal" and binding["n"]["datatype"].startswith(
        "http://www.w3.org/2001/XMLSchema#"
    )
