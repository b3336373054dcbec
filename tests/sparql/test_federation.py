"""Federation through the endpoint: an allowed real endpoint answers; every other target is refused
before execution, and the canary (a real HTTP server on loopback) never receives a request."""

from __future__ import annotations

import pytest


def test_federated_query_against_an_allowed_endpoint(live, remote_endpoint):
    query = f"""SELECT ?d ?title WHERE {{
      SERVICE <{remote_endpoint.url}> {{ ?d a dcat:Dataset ; dct:title ?title }}
    }} ORDER BY ?title"""
    reply = live.query(query)
    assert reply.status == 200, reply.text
    titles = [b["title"]["value"] for b in reply.json()["results"]["bindings"]]
    assert titles == ["Remote cohort", "Remote registry"]


def test_federated_join_with_local_data(live, remote_endpoint):
    query = f"""SELECT (COUNT(DISTINCT ?local) AS ?n) ?remote WHERE {{
      ?local a dcat:Dataset .
      SERVICE <{remote_endpoint.url}> {{ ?remote a dcat:Dataset }}
    }} GROUP BY ?remote"""
    reply = live.query(query)
    assert reply.status == 200, reply.text
    assert len(reply.json()["results"]["bindings"]) == 2


def test_allowed_endpoint_through_a_prefixed_name(live, remote_endpoint):
    base, _, last = remote_endpoint.url.rpartition("/")
    query = f"PREFIX remote: <{base}/> SELECT * WHERE {{ SERVICE remote:{last} {{ ?s ?p ?o }} }}"
    reply = live.query(query)
    assert reply.status == 200, reply.text
    assert len(reply.json()["results"]["bindings"]) == 4


REFUSED = {
    "variable": "SELECT * WHERE {{ BIND(<{canary}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "private address": "SELECT * WHERE {{ SERVICE <{canary}/sparql> {{ ?s ?p ?o }} }}",
    "relative IRI": "BASE <{canary}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "prefixed name": "PREFIX c: <{canary}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
    "host not allowed": "SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}",
    "escaped IRI": "SELECT * WHERE {{ SERVICE <{escaped}/sparql> {{ ?s ?p ?o }} }}",
    "glued keyword": "PREFIX : <{canary}/> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
    "silent": "SELECT * WHERE {{ SERVICE SILENT <{canary}/sparql> {{ ?s ?p ?o }} }}",
    "in a subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{canary}/q> {{ ?s ?p ?o }} }} }} }}",
    "in EXISTS": "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{canary}/e> {{ ?s ?p ?o }} }} }}",
    "in CONSTRUCT": "CONSTRUCT WHERE {{ SERVICE <{canary}/c> {{ ?s ?p ?o }} }}",
    "in ASK": "ASK {{ SERVICE <{canary}/a> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("form", sorted(REFUSED))
def test_other_service_targets_are_refused_before_execution(live, canary, form):
    # a host that is not on the list: the canary's port on another loopback name
    other = canary.url.replace("127.0.0.1", "localhost") + "/sparql"
    escaped = canary.url.replace("127", "\\u0031\\u0032\\u0037")
    query = REFUSED[form].format(canary=canary.url, other=other, escaped=escaped)
    before = len(canary.hits)
    for reply in (
        live.query(query),
        live.request(data={"query": query}, method="POST"),
        live.request(data=query, headers={"Content-Type": "application/sparql-query"}, method="POST"),
    ):
        assert reply.status == 403, reply.text
        assert "SERVICE" in reply.text
    assert len(canary.hits) == before, canary.hits[before:]


def test_refusal_message_is_clear_and_bilingual(live, canary):
    reply = live.query(
        f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}", headers={"Accept": "application/json"}
    )
    error = reply.json()["error"]
    assert error["code"] == "FederationRefused"
    assert "federation_allow" in error["message"] and "refusé" in error["message_fr"]


def test_a_failing_allowed_endpoint_is_a_502(make_live, canary):
    broken = canary.url.replace(str(canary.url.rsplit(":", 1)[1]), "9") + "/sparql"  # nothing listens on port 9
    handle = make_live(federation_allow=(broken,))
    reply = handle.query(f"SELECT * WHERE {{ SERVICE <{broken}> {{ ?s ?p ?o }} }}")
    assert reply.status == 502, reply.text


def test_with_a_remote_store_the_workers_query_the_remote_backend(tmp_path, remote_endpoint, canary):
    """settings.store_url: workers use catalogue.store.sparql, and the guard still applies."""
    import urllib.parse
    import urllib.request

    from tests.sparql.conftest import make_app, serve

    request = urllib.request.Request(
        remote_endpoint.gsp_url + "?graph=" + urllib.parse.quote("http://remote.test/record/1", safe=""),
        data=b'<http://remote.test/dataset/9> <http://purl.org/dc/terms/title> "In a record graph" .\n',
        method="POST",
        headers={"Content-Type": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    from catalogue.settings import Settings

    settings = Settings(
        data_dir=tmp_path / "instance",
        load_demo=False,
        base_iri="http://catalogue.test",
        sparql_timeout=5,
        **remote_endpoint.settings(),
    )
    from catalogue.core import open_catalogue

    catalogue = open_catalogue(settings)
    app = make_app(settings, catalogue)
    handle, server = serve(app)
    try:
        reply = handle.query("SELECT ?title WHERE { ?d dct:title ?title }")
        assert reply.status == 200, reply.text
        titles = {b["title"]["value"] for b in reply.json()["results"]["bindings"]}
        assert "In a record graph" in titles
        graphs = handle.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").json()
        assert {"g": {"type": "uri", "value": "http://remote.test/record/1"}} in graphs["results"]["bindings"]
        before = len(canary.hits)
        refused = handle.query(f"SELECT * WHERE {{ SERVICE <{canary.url}/x> {{ ?s ?p ?o }} }}")
        assert refused.status == 403 and len(canary.hits) == before
        assert handle.query("SELECT * WHERE { ?s ?p }").status == 400
    finally:
        server.shutdown()
        app.extensions["sparql"].close()
        catalogue.close()
