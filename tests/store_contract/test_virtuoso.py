"""Virtuoso's quirks, each met on a real server: why the store does what it does there."""

from __future__ import annotations

import time
import uuid

import pyoxigraph as ox
import pytest

from catalogue.errors import StoreUnavailable
from catalogue.store.http import ResultTruncated, StoreRefused, StoreRequestFailed, StoreTimeout
from catalogue.store.sparql import SparqlStore

from .conftest import VIRTUOSO_MAX_ROWS

pytestmark = pytest.mark.server

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture
def store(virtuoso_server):
    store = SparqlStore(
        virtuoso_server.url,
        virtuoso_server.update_url,
        user=virtuoso_server.user,
        password=virtuoso_server.password,
        auth="digest",
        timeout=20,
    )
    yield store
    store.close()


@pytest.fixture
def graph() -> str:
    return f"http://virtuoso.test/{uuid.uuid4().hex}"


def triples(n: int, graph: str) -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{graph}/s{i}"), ox.NamedNode(f"{graph}/p"), ox.Literal(f"v{i}")) for i in range(n)]


def test_a_multi_operation_update_is_not_atomic_on_virtuoso(store, graph):
    """Why RecordStore stages records there: the endpoint commits what ran before a failing operation."""
    assert store.flavour == "virtuoso" and not store.atomic_updates
    store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}/s> <{graph}/p> "old" }} }}')
    with pytest.raises(StoreRequestFailed):
        store.update(
            f'DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ <{graph}/s> <{graph}/p> "new" }} }} ;'
            f" DROP GRAPH <urn:x-test:never-created>"
        )
    assert [t.object.value for t in store.graph_triples(graph)] == ["new"]  # not rolled back


def test_writes_need_the_right_credentials(virtuoso_server, graph):
    wrong = SparqlStore(
        virtuoso_server.url,
        virtuoso_server.update_url,
        user=virtuoso_server.user,
        password="wrong",
        auth="digest",
        timeout=5,
    )
    with pytest.raises(StoreRefused) as refused:
        wrong.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    assert "CATALOGUE_STORE_PASSWORD" in refused.value.describe("en")
    assert "CATALOGUE_STORE_PASSWORD" in refused.value.describe("fr")
    assert "wrong" not in str(refused.value)


def test_an_anonymous_update_is_refused_with_a_clear_message(virtuoso_server, graph):
    anonymous = SparqlStore(virtuoso_server.url, timeout=5)
    with pytest.raises(StoreRefused) as refused:
        anonymous.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    assert isinstance(refused.value, StoreUnavailable) and refused.value.http_status == 503
    assert "SPARQL_UPDATE" in refused.value.describe("en") and "/sparql-auth" in refused.value.describe("fr")


def test_a_timeout_is_an_error_never_partial_results(virtuoso_server, graph):
    writer = SparqlStore(
        virtuoso_server.url,
        virtuoso_server.update_url,
        user=virtuoso_server.user,
        password=virtuoso_server.password,
        auth="digest",
        timeout=20,
    )
    writer.put_graph(graph, triples(900, graph))
    slow = SparqlStore(virtuoso_server.url, timeout=1)
    started = time.monotonic()
    with pytest.raises(StoreTimeout) as timeout:
        slow.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} }}")
    assert time.monotonic() - started < 10
    assert timeout.value.http_status == 504


def test_result_set_max_rows_never_cuts_a_result_silently(store, graph):
    store.put_graph(graph, triples(VIRTUOSO_MAX_ROWS + 500, graph))
    with pytest.raises(ResultTruncated):
        store.select(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    with pytest.raises(ResultTruncated):
        store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert len(store.select(f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT {VIRTUOSO_MAX_ROWS}")) == 1000
    assert len(store.graph_triples(graph)) == VIRTUOSO_MAX_ROWS + 500  # read page by page


def test_durations_and_booleans_keep_their_lexical_form(store, graph):
    s, p = ox.NamedNode(f"{graph}/s"), ox.NamedNode(f"{graph}/p")
    values = [
        ox.Literal("P1M", datatype=ox.NamedNode(XSD + "duration")),
        ox.Literal("PT1H30M", datatype=ox.NamedNode(XSD + "duration")),
        ox.Literal("P1Y", datatype=ox.NamedNode(XSD + "yearMonthDuration")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")),
    ]
    store.put_graph(graph, [ox.Triple(s, p, v) for v in values])
    assert sorted(map(str, (t.object for t in store.graph_triples(graph)))) == sorted(map(str, values))
    selected = store.select(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(str(r["o"]) for r in selected) == sorted(map(str, values))
    constructed = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert sorted(str(t.object) for t in constructed) == sorted(map(str, values))


def test_blank_nodes_come_back_as_valid_blank_nodes(store, graph):
    node = ox.BlankNode()
    store.put_graph(
        graph,
        [
            ox.Triple(ox.NamedNode(f"{graph}/s"), ox.NamedNode(f"{graph}/p"), node),
            ox.Triple(node, ox.NamedNode(f"{graph}/q"), ox.Literal("inner")),
        ],
    )
    (row,) = store.select(f"SELECT ?b ?v WHERE {{ GRAPH <{graph}> {{ ?s ?p ?b . ?b ?q ?v }} }}")
    assert isinstance(row["b"], ox.BlankNode) and row["v"] == ox.Literal("inner")


def test_digest_is_answered_once_then_sent_pre_emptively(store, graph):
    challenges = []
    digest = store.http._digest
    original = digest.challenge
    digest.challenge = lambda header: challenges.append(header) or original(header)
    for i in range(10):
        store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}/s> <{graph}/p> "{i}" }} }}')
    assert len(store.graph_triples(graph)) == 10
    assert len(challenges) <= 2  # not one 401 round trip per request
