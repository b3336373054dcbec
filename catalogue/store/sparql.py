"""A remote store: any SPARQL 1.1 server through the SPARQL 1.1 Protocol (query, update) and the
Graph Store Protocol (reading one graph), with the quirks of Oxigraph server and Virtuoso handled here.

Results come back as pyoxigraph terms, exactly as from the embedded store. Every failure is a
CatalogueError (see store/http.py): StoreUnavailable (503) when the server is down, StoreTimeout (504),
StoreRefused (credentials, permissions), QueryRejected (400, also a SyntaxError), StoreRequestFailed.
See docs/remote-store.md for deployment and for what each server guarantees.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from .base import iri
from .http import QueryRejected, Reply, StoreHttp, StoreRefused, StoreRequestFailed, StoreTimeout, timed_out

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# A graph no one writes: on Virtuoso, "the default graph" when the union is not wanted.
NO_DEFAULT_GRAPH = "urn:x-catalogue:no-default-graph"
VIRTUOSO_DEFAULT_MAX_ROWS = 10_000

_PROLOGUE = re.compile(
    r"""\A(?:\s+|\#[^\n]*(?:\n|\Z)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>
    |(?i:DEFINE)\s+\S+\s+(?:"[^"]*"|'[^']*'|<[^>]*>|\S+))*""",
    re.VERBOSE,
)
_TYPED_LITERAL = re.compile(rb'("type"\s*:\s*)"typed-literal"')


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    rest = query[_PROLOGUE.match(query).end():]
    word = re.match(r"[A-Za-z]+", rest)
    form = word.group(0).upper() if word else None
    return form if form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None


class GraphResult(list):
    """CONSTRUCT/DESCRIBE results from a remote store: a list of triples that serialises like QueryTriples."""

    def serialize(self, output=None, format=None):
        return ox.serialize(self, output, format=format or ox.RdfFormat.N_TRIPLES)


class SparqlStore:
    """The GraphStore protocol over HTTP. Thread-safe; one object per process is enough."""

    def __init__(self, query_url: str, update_url: str = "", gsp_url: str = "", *, user: str = "",
                 password: str = "", auth: str = "basic", timeout: float = 30.0):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = float(timeout)
        self.http = StoreHttp(timeout=timeout, user=user, password=password, auth=auth)
        self._flavour: str | None = None
        self._max_rows = VIRTUOSO_DEFAULT_MAX_ROWS

    @classmethod
    def from_settings(cls, settings) -> SparqlStore:
        return cls(settings.store_url, settings.store_update_url, settings.store_gsp_url,
                   user=settings.store_user, password=settings.store_password, auth=settings.store_auth,
                   timeout=settings.store_timeout)

    # --- what the server is -----------------------------------------------------------------
    @property
    def flavour(self) -> str:
        """'virtuoso', 'oxigraph' or 'generic', from the Server header (one ASK the first time)."""
        if self._flavour is None:
            if not self.http.server:
                self._query("ASK {}", JSON_RESULTS)
            server = self.http.server.lower()
            self._flavour = "virtuoso" if "virtuoso" in server else "oxigraph" if "oxigraph" in server else "generic"
        return self._flavour

    @property
    def atomic_updates(self) -> bool:
        """False on Virtuoso: its endpoint commits what ran before a failing operation (see the docs),
        so RecordStore stages a record with put_graph and swaps it in with one short update."""
        return self.flavour != "virtuoso"

    @property
    def page_size(self) -> int | None:
        """Rows per page for long listings: Virtuoso cuts results at ResultSetMaxRows (10,000 by default)."""
        return min(5_000, self._max_rows) if self.flavour == "virtuoso" else None

    # --- the GraphStore protocol ---------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, object]]:
        solutions = self.raw_query(query)
        names = [v.value for v in solutions.variables]
        return [{name: solution[name] for name in names if solution[name] is not None} for solution in solutions]

    def ask(self, query: str) -> bool:
        return bool(self.raw_query(query))

    def construct(self, query: str) -> list[ox.Triple]:
        return list(self.raw_query(query))

    def update(self, update: str) -> None:
        if self.flavour == "virtuoso":
            # Without this Virtuoso compiles constants into SQL text and fails past ~1,000 triples.
            update = "DEFINE sql:big-data-const 1\n" + update
        reply = self.http.request(
            "POST", self.update_url, body=urlencode({"update": update}).encode(), idempotent=False,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"},
        )
        self._check(reply, writing=True)

    def put_graph(self, graph_iri: str, triples: list[ox.Triple]) -> None:
        """Replace one graph (Graph Store Protocol PUT; an update where there is no GSP endpoint).
        On its own, not atomic with anything else: RecordStore uses it for staging graphs only."""
        gsp = self._gsp_write_url()
        if not gsp:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
            self.update(f"DROP SILENT GRAPH {iri(graph_iri)} ;\nINSERT DATA {{ GRAPH {iri(graph_iri)} {{\n{body}\n}} }}")
            return
        separator = "&" if "?" in gsp else "?"
        reply = self.http.request(
            "PUT", f"{gsp}{separator}graph={quote(graph_iri, safe='')}",
            body=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), headers={"Content-Type": N_TRIPLES},
        )
        self._check(reply, writing=True)

    def _gsp_write_url(self) -> str:
        if self.gsp_url or self.flavour != "virtuoso":
            return self.gsp_url
        # Virtuoso refuses blank nodes in INSERT DATA and cannot compile more than ~1,000 triples in
        # one update: records are written through its Graph Store endpoint, next to /sparql-auth.
        if self.update_url.rstrip("/").endswith("/sparql-auth"):
            return self.update_url.rstrip("/")[: -len("/sparql-auth")] + "/sparql-graph-crud-auth"
        return self.update_url.rstrip("/").rsplit("/", 1)[0] + "/sparql-graph-crud"

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        if self.flavour == "virtuoso":
            return self._graph_by_select(graph_iri)
        if self.gsp_url:
            separator = "&" if "?" in self.gsp_url else "?"
            reply = self.http.request("GET", f"{self.gsp_url}{separator}graph={quote(graph_iri, safe='')}",
                                      headers={"Accept": N_TRIPLES})
            if reply.status == 404:
                if self.ask(f"ASK {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}"):
                    raise StoreRefused(
                        "The Graph Store endpoint does not answer: check CATALOGUE_STORE_GSP_URL.",
                        "Le point d'accès Graph Store ne répond pas : vérifiez CATALOGUE_STORE_GSP_URL.",
                    )
                return []
            self._check(reply)
            return _triples(reply)
        return self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}")

    def raw_query(self, query: str, *, default_graph_as_union: bool = True, default_graphs=None, named_graphs=None):
        """Run any query; SELECT/ASK give pyoxigraph QuerySolutions/QueryBoolean, CONSTRUCT/DESCRIBE a GraphResult."""
        params: list[tuple[str, str]] = []
        flavour = self.flavour
        if default_graphs:
            params += [("default-graph-uri", g) for g in default_graphs]
        elif default_graph_as_union and flavour == "oxigraph":
            params.append(("union-default-graph", ""))
        elif not default_graph_as_union and flavour == "virtuoso":
            params.append(("default-graph-uri", NO_DEFAULT_GRAPH))  # its default graph is otherwise the union
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        form = query_form(query)
        accept = N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS
        reply = self._query(query, accept, params)
        ctype = _media_type(reply)
        if ctype in RDF_FORMATS:
            triples = GraphResult(_triples(reply))
            if flavour == "virtuoso" and len(triples) >= self._max_rows:
                raise _truncated(self._max_rows)
            return triples
        return self._solutions(reply)

    def close(self) -> None:
        pool = self.http._pool
        if pool is not None:
            pool.clear()

    # --- helpers ---------------------------------------------------------------------------------
    def _query(self, query: str, accept: str, params=()) -> Reply:
        fields = [("query", query), *params]
        if self._flavour == "virtuoso":
            # Virtuoso stops the query itself at our deadline and flags it with X-SQL-State: S1TAT.
            fields.append(("timeout", str(max(1000, int(self.timeout * 1000)))))
        reply = self.http.request(
            "POST", self.query_url, body=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        self._check(reply)
        return reply

    def _check(self, reply: Reply, *, writing: bool = False) -> None:
        state = reply.headers.get("X-SQL-State", "")
        if 200 <= reply.status < 300:
            if state == "S1TAT":  # Virtuoso: "returning incomplete results": never hand them out
                raise timed_out(self.timeout)
            return
        message = reply.text()
        if reply.status == 400:
            raise QueryRejected(f"The knowledge graph server rejected the request: {message}",
                                f"Le serveur du graphe de connaissances a refusé la requête : {message}")
        if reply.status in (401, 403):
            raise StoreRefused(
                "The knowledge graph server refused the catalogue's credentials: check CATALOGUE_STORE_USER, "
                "CATALOGUE_STORE_PASSWORD and CATALOGUE_STORE_AUTH.",
                "Le serveur du graphe de connaissances a refusé les identifiants du catalogue : vérifiez "
                "CATALOGUE_STORE_USER, CATALOGUE_STORE_PASSWORD et CATALOGUE_STORE_AUTH.",
            )
        if reply.status in (404, 405):
            raise StoreRefused(
                "The knowledge graph server has no SPARQL endpoint at the configured address: check "
                "CATALOGUE_STORE_URL and CATALOGUE_STORE_UPDATE_URL.",
                "Le serveur du graphe de connaissances n'a pas de point d'accès SPARQL à l'adresse configurée : "
                "vérifiez CATALOGUE_STORE_URL et CATALOGUE_STORE_UPDATE_URL.",
            )
        if "SECURITY" in message or "permission" in message.lower():
            what = "write" if writing else "read"
            raise StoreRefused(
                f"The knowledge graph server does not let the catalogue {what} ({message}). On Virtuoso, writes go "
                "through /sparql-auth with a user that has the SPARQL_UPDATE role.",
                f"Le serveur du graphe de connaissances refuse ce droit au catalogue ({message}). Avec Virtuoso, "
                "les écritures passent par /sparql-auth avec un utilisateur ayant le rôle SPARQL_UPDATE.",
            )
        if state.startswith("S1T") or "timed out" in message.lower() or "SR171" in message:
            raise timed_out(self.timeout)
        if "estimated execution time" in message:
            raise StoreRefused(
                f"Virtuoso refused the query on its cost estimate ({message}). Set MaxQueryCostEstimationTime = 0 "
                "in the [SPARQL] section of virtuoso.ini (see docs/remote-store.md).",
                f"Virtuoso a refusé la requête sur son estimation de coût ({message}). Mettez "
                "MaxQueryCostEstimationTime = 0 dans la section [SPARQL] de virtuoso.ini (voir docs/remote-store.md).",
            )
        raise StoreRequestFailed(f"The knowledge graph server failed to run the request: {message}",
                                 f"Le serveur du graphe de connaissances n'a pas pu exécuter la requête : {message}")

    def _solutions(self, reply: Reply):
        ctype = _media_type(reply)
        fmt = RESULT_FORMATS.get(ctype, ox.QueryResultsFormat.JSON)
        data = reply.data
        if fmt == ox.QueryResultsFormat.JSON:
            data = normalise_json_results(data)
        if self._flavour == "virtuoso" and "X-SPARQL-MaxRows" in reply.headers:
            self._max_rows = int(reply.headers["X-SPARQL-MaxRows"])
            raise _truncated(self._max_rows)
        try:
            return ox.parse_query_results(data, format=fmt)
        except SyntaxError as exc:
            raise StoreRequestFailed(f"The knowledge graph server sent unreadable results: {exc}",
                                     f"Le serveur du graphe de connaissances a renvoyé des résultats illisibles : {exc}")

    def _graph_by_select(self, graph_iri: str) -> list[ox.Triple]:
        """Virtuoso: its GSP and CONSTRUCT truncate silently at ResultSetMaxRows, SELECT says so: page then."""
        pattern = f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}"
        try:
            rows = self.select(pattern)
        except StoreRequestFailed as exc:
            if not getattr(exc, "truncated", False):
                raise
            rows, offset = [], 0
            while True:
                page = self.select(f"{pattern} ORDER BY ?s ?p ?o LIMIT {self._max_rows} OFFSET {offset}")
                rows += page
                offset += self._max_rows
                if len(page) < self._max_rows:
                    break
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]


def normalise_json_results(data: bytes) -> bytes:
    """Virtuoso's JSON: "typed-literal" -> "literal", blank nodes "nodeID://b1" -> "b1"."""
    if b"typed-literal" in data:
        data = _TYPED_LITERAL.sub(rb'\1"literal"', data)
    if b"nodeID://" in data:
        document = json.loads(data)
        for binding in document.get("results", {}).get("bindings", ()):
            for term in binding.values():
                if term.get("type") == "bnode" and term.get("value", "").startswith("nodeID://"):
                    term["value"] = term["value"][len("nodeID://"):] or "b"
        data = json.dumps(document).encode()
    return data


def _media_type(reply: Reply) -> str:
    return reply.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _triples(reply: Reply) -> list[ox.Triple]:
    fmt = RDF_FORMATS.get(_media_type(reply), ox.RdfFormat.N_TRIPLES)
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(reply.data, format=fmt)]
    except SyntaxError as exc:
        raise StoreRequestFailed(f"The knowledge graph server sent unreadable RDF: {exc}",
                                 f"Le serveur du graphe de connaissances a renvoyé du RDF illisible : {exc}")


def _truncated(max_rows: int) -> StoreRequestFailed:
    error = StoreRequestFailed(
        f"The knowledge graph server cut the result at {max_rows:,} rows (Virtuoso ResultSetMaxRows). "
        "Ask for less with LIMIT/OFFSET, or raise ResultSetMaxRows in virtuoso.ini.",
        f"Le serveur du graphe de connaissances a tronqué le résultat à {max_rows:,} lignes (ResultSetMaxRows "
        "de Virtuoso). Demandez moins avec LIMIT/OFFSET, ou augmentez ResultSetMaxRows dans virtuoso.ini.",
    )
    error.truncated = True
    return error


__all__ = ["SparqlStore", "StoreTimeout", "query_form"]
