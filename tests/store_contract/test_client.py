"""The remote store's client without a server: digest, error mapping, retries, Virtuoso's JSON."""

from __future__ import annotations

import json
import socket
import time

import pyoxigraph as ox
import pytest
import urllib3

from catalogue.errors import CatalogueError, StoreUnavailable
from catalogue.store import http as store_http
from catalogue.store.http import (
    DigestAuth,
    QueryRejected,
    Reply,
    StoreHttp,
    StoreRefused,
    StoreRequestFailed,
    StoreTimeout,
    check,
)
from catalogue.store.sparql import SparqlStore, query_form
from catalogue.store.virtuoso import normalise_json_results, shield, truncated, unshield


def reply(status: int, body: bytes = b"", **headers) -> Reply:
    return Reply(status, urllib3.HTTPHeaderDict({k.replace("_", "-"): v for k, v in headers.items()}), body)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("  prefix dct: <http://purl.org/dc/terms/>\n# a comment with CONSTRUCT\nBASE <http://x/#>\nask {}", "ASK"),
        ("PREFIX : <http://x#> PREFIX a: <http://y> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DEFINE sql:big-data-const 1 DESCRIBE <http://x>", "DESCRIBE"),
        ("INSERT DATA { <a> <b> <c> }", None),
    ],
)
def test_the_query_form_is_read_after_the_prologue(query, form):
    assert query_form(query) == form


def test_digest_answers_the_rfc_2617_example(monkeypatch):
    monkeypatch.setattr(store_http.secrets, "token_hex", lambda n: "0a4f113b")
    auth = DigestAuth("Mufasa", "Circle Of Life")
    assert auth.header("GET", "/dir/index.html") is None  # nothing before a challenge
    assert auth.challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    header = auth.header("GET", "/dir/index.html")
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert "nc=00000001" in header and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header
    assert "nc=00000002" in auth.header("GET", "/dir/index.html")  # pre-emptive, counted
    assert not auth.challenge('Basic realm="x"')


@pytest.mark.parametrize(
    ("answer", "error", "status"),
    [
        (
            reply(400, b"Virtuoso 37000 Error SP030: SPARQL compiler, line 2: syntax error\n\nSPARQL query:..."),
            QueryRejected,
            400,
        ),
        (reply(401), StoreRefused, 503),
        (reply(404), StoreRefused, 503),
        (
            reply(500, b"Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure DB.DBA.SPARUL_RUN"),
            StoreRefused,
            503,
        ),
        (reply(200, b"{}", X_SQL_State="S1TAT"), StoreTimeout, 504),
        (reply(500, b"Virtuoso S1T00 Error SR171: Transaction timed out"), StoreTimeout, 504),
        (
            reply(
                500,
                b"Virtuoso 42000 Error The estimated execution time 901840896 (sec) exceeds the limit of 400 (sec).",
            ),
            StoreRefused,
            503,
        ),
        (reply(500, b"The graph <urn:x> does not exist"), StoreRequestFailed, 502),
        (reply(503, b"<html>Service Unavailable</html>"), StoreUnavailable, 503),
    ],
)
def test_every_failure_becomes_a_catalogue_error_with_both_languages(answer, error, status):
    with pytest.raises(error) as raised:
        check(answer, timeout=5)
    assert isinstance(raised.value, CatalogueError)
    assert raised.value.http_status == status
    assert raised.value.describe("fr") != raised.value.describe("en")


def test_a_rejected_query_is_also_a_syntax_error_like_the_embedded_store():
    with pytest.raises(SyntaxError):
        check(reply(400, b"error at 1:26: expected ..."), timeout=5)


def test_a_success_passes():
    check(reply(200, b"{}"), timeout=5)
    check(reply(204), timeout=5)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_is_retried_then_store_unavailable_fast(monkeypatch):
    attempts = []
    client = StoreHttp(timeout=10)
    original = client._send
    monkeypatch.setattr(client, "_send", lambda *a: attempts.append(1) or original(*a))
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as raised:
        client.request("GET", f"http://127.0.0.1:{closed_port()}/sparql")
    assert len(attempts) == store_http.ATTEMPTS
    assert time.monotonic() - started < 2
    assert type(raised.value) is StoreUnavailable


def test_the_deadline_bounds_the_retries():
    client = StoreHttp(timeout=0.15)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        client.request("GET", f"http://127.0.0.1:{closed_port()}/sparql")
    assert time.monotonic() - started < 0.5


def test_no_request_is_sent_before_the_first_call():
    store = SparqlStore(f"http://127.0.0.1:{closed_port()}/sparql", timeout=1)
    assert store.http._pool is None
    with pytest.raises(StoreUnavailable):
        store.ask("ASK {}")


def test_virtuoso_json_results_are_made_standard():
    data = json.dumps(
        {
            "head": {"link": [], "vars": ["s", "o", "d", "b"]},
            "results": {
                "bindings": [
                    {
                        "s": {"type": "bnode", "value": "nodeID://b10007"},
                        "o": {
                            "type": "typed-literal",
                            "datatype": "http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
                            "value": "12",
                        },
                        "d": {
                            "type": "typed-literal",
                            "datatype": "urn:x-catalogue:verbatim:http://www.w3.org/2001/XMLSchema#duration",
                            "value": "P1M",
                        },
                        "b": {
                            "type": "typed-literal",
                            "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
                            "value": "1",
                        },
                    }
                ]
            },
        }
    ).encode()
    (row,) = ox.parse_query_results(normalise_json_results(data), format=ox.QueryResultsFormat.JSON)
    assert row["s"] == ox.BlankNode("b10007")
    assert row["o"] == ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
    assert row["d"] == ox.Literal("P1M", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration"))
    assert row["b"] == ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def test_a_value_that_looks_like_a_virtuoso_type_is_left_alone():
    data = json.dumps(
        {"head": {"vars": ["t"]}, "results": {"bindings": [{"t": {"type": "literal", "value": 'x"typed-literal'}}]}}
    ).encode()
    (row,) = ox.parse_query_results(normalise_json_results(data), format=ox.QueryResultsFormat.JSON)
    assert row["t"] == ox.Literal('x"typed-literal')


def test_shielded_durations_round_trip():
    duration = ox.Literal("P1M", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration"))
    triple = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), duration)
    (stored,) = shield([triple])
    assert stored.object.datatype.value.startswith("urn:x-catalogue:verbatim:")
    assert unshield([stored]) == [triple]


def test_a_query_that_asks_for_the_maximum_is_not_taken_as_cut():
    assert truncated("SELECT * WHERE { ?s ?p ?o }", 1000)
    assert truncated("SELECT * WHERE { ?s ?p ?o } LIMIT 5000", 1000)
    assert not truncated("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1000 OFFSET 3000", 1000)
    assert not truncated("SELECT * WHERE { ?s ?p ?o } OFFSET 10 LIMIT 10", 1000)


class FakeEndpoint:
    """A SPARQL endpoint on 127.0.0.1 that answers every request with `status` and records what it got."""

    def __init__(self, status: int = 200, body: bytes = b'{"head": {}, "boolean": true}'):
        import http.server
        import threading

        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                seen.append(({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
                self.send_response(status)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_basic_authentication_is_sent_with_every_request():
    endpoint = FakeEndpoint()
    try:
        store = SparqlStore(endpoint.url, user="catalogue", password="s3cret", auth="basic", timeout=5)
        assert store.ask("ASK {}") and store.flavour == "generic"
        assert all(headers["authorization"] == "Basic Y2F0YWxvZ3VlOnMzY3JldA==" for headers, _ in endpoint.seen)
        body = endpoint.seen[-1][1].decode()
        assert "query=ASK" in body and "union-default-graph" not in body  # a generic server is asked nothing odd
    finally:
        endpoint.close()


def test_a_client_error_is_not_retried():
    endpoint = FakeEndpoint(status=400, body=b"syntax error")
    try:
        client = StoreHttp(timeout=5)
        answer = client.request("POST", endpoint.url, body=b"query=x")
        assert answer.status == 400 and len(endpoint.seen) == 1
        with pytest.raises(QueryRejected):
            check(answer, timeout=5)
    finally:
        endpoint.close()
