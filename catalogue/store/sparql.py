"""A remote store: any SPARQL 1.1 server through the SPARQL 1.1 Protocol (query, update) and the
Graph Store Protocol (GET and PUT of one graph). Oxigraph server and Virtuoso are recognised by their
Server header; Virtuoso's quirks are handled in store/virtuoso.py.

Results come back as pyoxigraph terms, exactly as from the embedded store. Every failure is a
CatalogueError (store/http.py): StoreUnavailable (503) when the server is down, StoreTimeout (504),
StoreRefused (credentials, permissions, endpoint URLs), QueryRejected (400, also a SyntaxError),
StoreRequestFailed (502). Deployment and what each server guarantees: docs/remote-store.md.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from . import virtuoso
from .base import iri
from .http import Reply, ResultTruncated, StoreHttp, StoreRefused, StoreRequestFailed, StoreTimeout, check

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
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
# Rows per page when the catalogue lists many records from a store that cuts long results.
PAGE_SIZE = 5_000

_PROLOGUE = re.compile(
    r"""\A(?:\s+|\#[^\n]*(?:\n|\Z)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>
    |(?i:DEFINE)\s+\S+\s+(?:"[^"]*"|'[^']*'|<[^>]*>|\S+))*""",
    re.VERBOSE,
)


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue (None if unknown)."""
    rest = query[_PROLOGUE.match(query).end() :]
    word = re.match(r"[A-Za-z]+", rest)
    form = word.group(0).upper() if word else None
    return form if form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None


class GraphResult(list):
    """CONSTRUCT/DESCRIBE results from a remote store: a list of triples that serialises like QueryTriples."""

    def serialize(self, output=None, format=None):
        return ox.serialize(self, output, format=format or ox.RdfFormat.N_TRIPLES)


class SparqlStore:
    """The GraphStore protocol over HTTP. Thread-safe and fork-safe; one object per process is enough.
    Nothing is sent before the first call, and no broken state is kept: when the server comes back,
    the same object works again."""

    def __init__(
        self,
        query_url: str,
        update_url: str = "",
        gsp_url: str = "",
        *,
        user: str = "",
        password: str = "",
        auth: str = "basic",
        timeout: float = 30.0,
    ):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = float(timeout)
        self.http = StoreHttp(timeout=timeout, user=user, password=password, auth=auth)
        self._flavour: str | None = None
        self._max_rows = virtuoso.DEFAULT_MAX_ROWS

    @classmethod
    def from_settings(cls, settings) -> SparqlStore:
        return cls(
            settings.store_url,
            settings.store_update_url,
            settings.store_gsp_url,
            user=settings.store_user,
            password=settings.store_password,
            auth=settings.store_auth,
            timeout=settings.store_timeout,
        )

    # --- what the server is -----------------------------------------------------------------
    @property
    def flavour(self) -> str:
        """'virtuoso', 'oxigraph' or 'generic', from the Server header (one ASK the first time)."""
        if self._flavour is None:
            if not self.http.server:
                self._query("ASK {}", JSON_RESULTS)
            server = self.http.server
            self._flavour = (
                "virtuoso"
                if virtuoso.is_virtuoso(server)
                else "oxigraph"
                if "oxigraph" in server.lower()
                else "generic"
            )
        return self._flavour

    # Several processes (gunicorn workers, the CLI, the harvester) write to it at the same time.
    shared = True

    @property
    def atomic_updates(self) -> bool:
        """False on Virtuoso: its endpoint commits the operations that ran before a failing one, so
        RecordStore stages records with put_graph and swaps them in with short updates."""
        return self.flavour != "virtuoso"

    @property
    def page_size(self) -> int | None:
        """Rows per page for long listings (RecordStore.list_metas): Virtuoso cuts results at ResultSetMaxRows."""
        return min(PAGE_SIZE, self._max_rows) if self.flavour == "virtuoso" else None

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
        """One SPARQL Update request. Atomic on Oxigraph; on Virtuoso see atomic_updates."""
        self.flavour  # noqa: B018 - learn the server before writing to it
        reply = self.http.request(
            "POST",
            self.update_url,
            body=urlencode({"update": update}).encode(),
            headers={"Content-Type": FORM, "Accept": "*/*"},
            idempotent=False,
        )
        check(reply, timeout=self.timeout, writing=True)

    def put_graph(self, graph_iri: str, triples: list[ox.Triple]) -> None:
        """Replace one graph: Graph Store Protocol PUT (an update where there is no GSP endpoint).
        Atomic with nothing else: RecordStore uses it for staging graphs only."""
        virtuoso_server = self.flavour == "virtuoso"
        if virtuoso_server:
            triples = virtuoso.shield(triples)
        gsp = self.gsp_url or (virtuoso.gsp_write_url(self.update_url) if virtuoso_server else "")
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if not gsp:
            graph = iri(graph_iri)
            self.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{body.decode()}\n}} }}")
            return
        reply = self.http.request("PUT", _graph_url(gsp, graph_iri), body=body, headers={"Content-Type": N_TRIPLES})
        check(reply, timeout=self.timeout, writing=True)

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        if self.flavour == "virtuoso":
            return self._graph_by_select(graph_iri)
        if not self.gsp_url:
            return self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}")
        reply = self.http.request("GET", _graph_url(self.gsp_url, graph_iri), headers={"Accept": N_TRIPLES})
        if reply.status == 404:  # no such graph, or no GSP endpoint at that address: tell them apart
            if self.ask(f"ASK {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}"):
                raise StoreRefused(
                    "The Graph Store endpoint does not answer: check CATALOGUE_STORE_GSP_URL.",
                    "Le point d'accès Graph Store ne répond pas : vérifiez CATALOGUE_STORE_GSP_URL.",
                )
            return []
        check(reply, timeout=self.timeout)
        return _triples(reply)

    def raw_query(self, query: str, *, default_graph_as_union: bool = True, default_graphs=None, named_graphs=None):
        """Run any query: SELECT/ASK give pyoxigraph QuerySolutions/QueryBoolean, CONSTRUCT/DESCRIBE a GraphResult."""
        flavour = self.flavour
        params: list[tuple[str, str]] = []
        if default_graphs:
            params += [("default-graph-uri", g) for g in default_graphs]
        elif default_graph_as_union and flavour == "oxigraph" and not named_graphs:
            # (Oxigraph server refuses the union next to named-graph-uri: the default graph is then its own.)
            params.append(("union-default-graph", ""))
        elif not default_graph_as_union and flavour == "virtuoso":
            params.append(("default-graph-uri", virtuoso.NO_DEFAULT_GRAPH))  # otherwise the union
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        graph_form = query_form(query) in ("CONSTRUCT", "DESCRIBE")
        reply = self._query(query, N_TRIPLES if graph_form else JSON_RESULTS, params)
        if _media_type(reply) in RDF_FORMATS:
            triples = _triples(reply)
            if flavour == "virtuoso":
                # CONSTRUCT is cut at ResultSetMaxRows without a word: a full page is taken as cut.
                if len(triples) >= self._max_rows:
                    raise ResultTruncated(self._max_rows)
                triples = virtuoso.unshield(triples)
            return GraphResult(triples)
        return self._solutions(reply, query)

    def close(self) -> None:
        self.http.close()

    # --- helpers ---------------------------------------------------------------------------------
    def _query(self, query: str, accept: str, params=()) -> Reply:
        fields = [("query", query), *params]
        if self._flavour == "virtuoso":
            # Virtuoso then stops the query itself a little before our deadline and flags its answer
            # with X-SQL-State: S1TAT (check() turns it into StoreTimeout); the connection stays usable.
            fields.append(("timeout", str(max(1000, int(self.timeout * 500)))))
        reply = self.http.request(
            "POST", self.query_url, body=urlencode(fields).encode(), headers={"Content-Type": FORM, "Accept": accept}
        )
        check(reply, timeout=self.timeout)
        return reply

    def _solutions(self, reply: Reply, query: str):
        fmt = RESULT_FORMATS.get(_media_type(reply), ox.QueryResultsFormat.JSON)
        data = reply.data
        if self._flavour == "virtuoso":
            if "X-SPARQL-MaxRows" in reply.headers:
                self._max_rows = int(reply.headers["X-SPARQL-MaxRows"])
                if virtuoso.truncated(query, self._max_rows):
                    raise ResultTruncated(self._max_rows)
            if fmt == ox.QueryResultsFormat.JSON:
                data = virtuoso.normalise_json_results(data)
        try:
            return ox.parse_query_results(data, format=fmt)
        except SyntaxError as exc:
            raise StoreRequestFailed(
                f"The knowledge graph server sent unreadable results: {exc}",
                f"Le serveur du graphe de connaissances a renvoyé des résultats illisibles : {exc}",
            )

    def _graph_by_select(self, graph_iri: str) -> list[ox.Triple]:
        """Virtuoso cuts its GSP and CONSTRUCT answers silently at ResultSetMaxRows, but flags SELECT: read
        a graph with SELECT, page by page when it is longer than that. The pages are not sorted (Virtuoso
        refuses to sort past MaxSortedTopRows); its plan for this one pattern reads one index in order."""
        pattern = f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri(graph_iri)} {{ ?s ?p ?o }} }}"
        try:
            rows = self.select(pattern)
        except ResultTruncated:
            rows = []
            while True:
                page = self.select(f"{pattern} LIMIT {self._max_rows} OFFSET {len(rows)}")
                rows += page
                if len(page) < self._max_rows:
                    break
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]


def _graph_url(gsp_url: str, graph_iri: str) -> str:
    return f"{gsp_url}{'&' if '?' in gsp_url else '?'}graph={quote(graph_iri, safe='')}"


def _media_type(reply: Reply) -> str:
    return reply.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _triples(reply: Reply) -> list[ox.Triple]:
    fmt = RDF_FORMATS.get(_media_type(reply), ox.RdfFormat.N_TRIPLES)
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(reply.data, format=fmt)]
    except SyntaxError as exc:
        raise StoreRequestFailed(
            f"The knowledge graph server sent unreadable RDF: {exc}",
            f"Le serveur du graphe de connaissances a renvoyé du RDF illisible : {exc}",
        )


__all__ = ["GraphResult", "SparqlStore", "StoreTimeout", "query_form"]
