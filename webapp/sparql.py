"""The public SPARQL 1.1 endpoint (`/sparql`) and its query page (`/sparql/editor`).

Protocol (https://www.w3.org/TR/sparql11-protocol/):
  GET  /sparql?query=...                               POST /sparql (form: query=...)
  POST /sparql (Content-Type: application/sparql-query; the body is the query)
  default-graph-uri / named-graph-uri (repeatable) choose the dataset; without them and
  without FROM in the query, the default graph is the union of the catalogue's graphs.
  Result format: `format=` (or `output=`) json|xml|csv|tsv|turtle|jsonld|rdfxml|ntriples or a
  media type, else the Accept header (SELECT/ASK default: SPARQL JSON; CONSTRUCT/DESCRIBE: Turtle).
  A browser (Accept: text/html) gets the query page with the results as a table.

Answers: 200 complete results; 400 the query is malformed, too long or too deep (the parser's
message); 403 an update (in `update=`, an application/sparql-update body, or inside `query=`)
or a SERVICE target not on settings.federation_allow; 406 no servable format; 429 this client
already has settings.sparql_per_client queries running (Retry-After); 503 the time limit
(settings.sparql_timeout) was reached or every worker is busy (Retry-After), never a cut 200.
A result cut at settings.sparql_max_rows says so: `X-SPARQL-Truncated: true` (always sent,
with `X-SPARQL-Max-Rows`) and, in SPARQL JSON, `"truncated": true, "maxRows": N`.
Error bodies are JSON ({"error": {...}}) when the client accepts JSON, else plain text (EN, FR).
GET /sparql with no query and no HTML wanted: a SPARQL 1.1 Service Description (Turtle).

Federation is off until the operator lists endpoints, exactly as they are called, e.g. the EU data
portal: CATALOGUE_FEDERATION_ALLOW=https://data.europa.eu/sparql (comma-separated for several).
Limits are per web process: with gunicorn -w N, N pools of settings.sparql_workers workers and N
per-client counters. Behind a reverse proxy, configure ProxyFix so request.remote_addr is the client.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request

from catalogue.conneg import negotiate
from catalogue.errors import CatalogueError
from catalogue.sparql.guard import DEFAULT_PREFIXES, QueryRejected, UpdateRefused, guard
from catalogue.sparql.results import (
    ALL_FORMATS,
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    NotAcceptable,
    format_named,
    negotiate_format,
    parse_json_results,
)

from .i18n import get_lang, translate
from .sparql_examples import DEFAULT_EXAMPLE, EXAMPLES, FRENCH, PREFIX_BLOCK, example_query  # noqa: F401

bp = Blueprint("sparql", __name__)

HTML = "text/html"
HTML_MAX_ROWS = 1000  # rows shown in the page; downloads go up to settings.sparql_max_rows
UPDATE_TYPE = "application/sparql-update"
QUERY_TYPE = "application/sparql-query"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
EXPOSED_HEADERS = "X-SPARQL-Truncated, X-SPARQL-Max-Rows, Retry-After"
SHAREABLE_URL_MAX = 4000  # longer queries are not offered as a GET link

# --- the service (one per app) ---------------------------------------------------------------


class ClientLimiter:
    """At most `limit` queries running at once per client address."""

    def __init__(self, limit: int):
        self.limit = max(1, int(limit))
        self.running: dict[str, int] = {}
        self.lock = threading.Lock()

    @contextmanager
    def slot(self, client: str):
        with self.lock:
            count = self.running.get(client, 0)
            granted = count < self.limit
            if granted:
                self.running[client] = count + 1
        try:
            yield granted
        finally:
            if granted:
                with self.lock:
                    left = self.running.get(client, 1) - 1
                    if left > 0:
                        self.running[client] = left
                    else:
                        self.running.pop(client, None)


class SparqlService:
    def __init__(self, settings, writer_store=None):
        from catalogue.sparql.executor import Executor

        self.settings = settings
        self.executor = Executor(settings, writer_store=writer_store)
        self.limiter = ClientLimiter(settings.sparql_per_client)

    def close(self) -> None:
        self.executor.close()


_service_lock = threading.Lock()


def _settings():
    ext = current_app.extensions
    return ext.get("settings") or ext["catalogue"].settings


def service() -> SparqlService:
    """The app's SPARQL service, started on first use (its worker processes are not free)."""
    ext = current_app.extensions
    found = ext.get("sparql")
    if found is None:
        with _service_lock:
            found = ext.get("sparql")
            if found is None:
                catalogue = ext.get("catalogue")
                found = SparqlService(_settings(), writer_store=getattr(catalogue, "store", None))
                ext["sparql"] = found
                import atexit

                atexit.register(found.close)
    return found


# --- protocol parameters ---------------------------------------------------------------------


class _Params:
    def __init__(self):
        self.query: str | None = None
        self.update: str | None = None
        self.default_graphs: list[str] = []
        self.named_graphs: list[str] = []
        self.format: str | None = None
        self.download = False
        self.from_form = False


def _read_params(settings) -> _Params:
    params = _Params()
    args = request.args
    values = args
    if request.method == "POST":
        limit = settings.sparql_max_query_bytes * 3 + 65536  # URL-encoding triples a query at worst
        if request.content_length is not None and request.content_length > limit:
            raise QueryRejected(
                f"The request body is too large; queries may be at most {settings.sparql_max_query_bytes:,} bytes.",
                f"Le corps de la requête est trop grand ; une requête fait au plus "
                f"{settings.sparql_max_query_bytes:,} octets.".replace(",", " "),
            )
        mimetype = request.mimetype
        if mimetype in FORM_TYPES:
            values = request.form
            params.from_form = True
        elif mimetype == QUERY_TYPE:
            params.query = request.get_data(cache=False, as_text=False).decode("utf-8", "replace")
        elif mimetype == UPDATE_TYPE:
            params.update = request.get_data(cache=False, as_text=True) or ""
        else:
            raise _unsupported_media_type(mimetype)
    if params.query is None:
        queries = values.getlist("query")
        if len(queries) > 1:
            raise QueryRejected("Give exactly one query parameter.", "Donnez un seul paramètre query.")
        params.query = queries[0] if queries else None
    if "update" in values or "update" in args:
        params.update = values.get("update", args.get("update", ""))
    params.default_graphs = values.getlist("default-graph-uri") or args.getlist("default-graph-uri")
    params.named_graphs = values.getlist("named-graph-uri") or args.getlist("named-graph-uri")
    for graph in params.default_graphs + params.named_graphs:
        if not _absolute_iri(graph):
            raise QueryRejected(
                f"Graph IRIs must be absolute IRIs: {graph[:80]!r}.",
                f"Les IRI de graphes doivent être absolues : {graph[:80]!r}.",
            )
    params.format = values.get("format") or values.get("output") or args.get("format") or args.get("output") or None
    params.download = bool(values.get("download") or args.get("download"))
    return params


def _absolute_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return bool(urlsplit(value).scheme)


class UnsupportedMediaType(CatalogueError):
    http_status = 415


def _unsupported_media_type(mimetype: str) -> CatalogueError:
    return UnsupportedMediaType(
        f"POST a form (application/x-www-form-urlencoded) or a query ({QUERY_TYPE}), not {mimetype or 'nothing'}.",
        f"Envoyez un formulaire (application/x-www-form-urlencoded) ou une requête ({QUERY_TYPE}), "
        f"pas {mimetype or 'rien'}.",
    )


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _wants_html(params: _Params) -> bool:
    if params.format:
        return params.format.strip().lower() == "html"
    return negotiate(request.headers.get("Accept"), [f.media_type for f in SOLUTION_FORMATS] + [HTML]) == HTML


def _wants_json_errors() -> bool:
    chosen = negotiate(
        request.headers.get("Accept"), ["text/plain", "application/json", "application/sparql-results+json"]
    )
    return chosen in ("application/json", "application/sparql-results+json")


# --- responses -------------------------------------------------------------------------------


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.vary.add("Accept")
    return response


def _retry_after(exc: CatalogueError | None, settings) -> int | None:
    if exc is not None and getattr(exc, "retry_after", None):
        return max(1, math.ceil(settings.sparql_timeout))
    return None


def _error_response(exc: CatalogueError, params: _Params | None, settings, *, retry_after: int | None = None):
    status = int(getattr(exc, "http_status", 400) or 400)
    retry_after = retry_after or _retry_after(exc, settings)
    if params is not None and _wants_html(params):
        response = make_response(_render_page(params, error=exc, status=status), status)
    elif _wants_json_errors():
        response = jsonify(
            {
                "error": {
                    "status": status,
                    "code": type(exc).__name__,
                    "message": exc.message_en,
                    "message_fr": exc.message_fr,
                }
            }
        )
        response.status_code = status
    else:
        text = exc.message_en if exc.message_en == exc.message_fr else f"{exc.message_en}\n{exc.message_fr}"
        response = Response(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return _cors(response)


class TooManyQueries(CatalogueError):
    http_status = 429


def _too_many(settings) -> TooManyQueries:
    n = settings.sparql_per_client
    return TooManyQueries(
        f"You already have {n} SPARQL {'query' if n == 1 else 'queries'} running; wait for them to finish.",
        f"Vous avez déjà {n} requête{'s' if n > 1 else ''} SPARQL en cours ; attendez qu'elle{'s' if n > 1 else ''} "
        "se termine" + ("nt." if n > 1 else "."),
    )


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    settings = _settings()
    params = None
    try:
        params = _read_params(settings)
        if params.update is not None:
            raise UpdateRefused(
                "This SPARQL endpoint is read-only: SPARQL Update is not accepted.",
                "Ce point d'accès SPARQL est en lecture seule : SPARQL Update n'est pas accepté.",
            )
        if params.query is None or not params.query.strip():
            if _wants_html(params):
                return _cors(make_response(_render_page(params)))
            if request.method == "GET" and not params.format:
                return _service_description(settings)
            raise QueryRejected(
                "Give a query: the query parameter is missing or empty.",
                "Donnez une requête : le paramètre query est absent ou vide.",
            )
        guarded = guard(
            params.query,
            max_bytes=settings.sparql_max_query_bytes,
            max_depth=settings.sparql_max_depth,
            federation_allow=settings.federation_allow,
        )
        html = _wants_html(params)
        if html:
            fmt = ALL_FORMATS["ntriples" if guarded.returns_graph else "json"]
        elif params.format:
            fmt = format_named(params.format, graph=guarded.returns_graph)
        else:
            fmt = negotiate_format(request.headers.get("Accept"), graph=guarded.returns_graph)
        max_rows = min(HTML_MAX_ROWS, settings.sparql_max_rows) if html else settings.sparql_max_rows
        with service().limiter.slot(_client_address()) as granted:
            if not granted:
                return _error_response(
                    _too_many(settings), params, settings, retry_after=max(1, math.ceil(settings.sparql_timeout))
                )
            outcome = service().executor.run(
                guarded.text,
                fmt=fmt.name,
                max_rows=max_rows,
                default_graphs=params.default_graphs,
                named_graphs=params.named_graphs,
                has_dataset=guarded.has_dataset,
                services=guarded.services,
                prefixes=guarded.prefixes,
            )
    except NotAcceptable as exc:
        return _error_response(exc, params, settings)
    except CatalogueError as exc:
        return _error_response(exc, params, settings)
    if html:
        return _cors(make_response(_render_page(params, outcome=outcome, max_rows=max_rows)))
    used = ALL_FORMATS[outcome.format]
    response = Response(outcome.body, status=200, content_type=used.content_type)
    response.headers["X-SPARQL-Truncated"] = "true" if outcome.truncated else "false"
    response.headers["X-SPARQL-Max-Rows"] = str(max_rows)
    if params.download:
        response.headers["Content-Disposition"] = f'attachment; filename="results.{used.extension}"'
    return _cors(response)


@bp.route("/sparql/editor")
def editor():
    params = _Params()
    params.query = request.args.get("query")
    return _cors(make_response(_render_page(params)))


# --- the page --------------------------------------------------------------------------------


def _cell(term: dict | None) -> dict | None:
    """A SPARQL JSON term as what the table shows: text, an optional safe link, lang/datatype."""
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        from .security import safe_href

        return {"text": _compact(value), "iri": value, "href": safe_href(value), "kind": "iri"}
    if kind == "bnode":
        return {"text": f"_:{value}", "kind": "bnode"}
    if kind == "triple":
        parts = [(_cell(value.get(k)) or {}).get("text", "") for k in ("subject", "predicate", "object")]
        return {"text": "<< " + " ".join(parts) + " >>", "kind": "triple"}
    return {
        "text": value,
        "kind": "literal",
        "lang": term.get("xml:lang"),
        "datatype": term.get("datatype", "").replace("http://www.w3.org/2001/XMLSchema#", "xsd:"),
    }


_COMPACT = sorted(
    ((iri, name) for name, iri in DEFAULT_PREFIXES.items() if name != "dcterms"), key=lambda p: -len(p[0])
)


def _compact(iri: str) -> str:
    """dcat:Dataset for http://www.w3.org/ns/dcat#Dataset (the table shows the full IRI on hover)."""
    for namespace, name in _COMPACT:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def _table(outcome) -> dict:
    if outcome.kind == "boolean":
        data = parse_json_results(outcome.body)
        return {"boolean": bool(data.get("boolean"))}
    if outcome.kind == "graph":
        triples = ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES)
        rows = [
            [_cell(_term_dict(t.subject)), _cell(_term_dict(t.predicate)), _cell(_term_dict(t.object))] for t in triples
        ]
        return {"vars": ["subject", "predicate", "object"], "rows": rows}
    data = parse_json_results(outcome.body)
    variables = data["head"]["vars"]
    rows = [[_cell(binding.get(v)) for v in variables] for binding in data["results"]["bindings"]]
    return {"vars": variables, "rows": rows}


def _term_dict(term) -> dict:
    from catalogue.sparql.results import term_json

    return term_json(term)


def _looks_like_graph_query(query: str) -> bool:
    """CONSTRUCT or DESCRIBE? (only to choose which download buttons to show first)."""
    from catalogue.sparql.guard import QUERY_FORMS, tokenize

    try:
        tokens = tokenize(query)
    except CatalogueError:
        return False
    form = next((t.upper for t in tokens if t.kind == "word" and t.upper in QUERY_FORMS), "SELECT")
    return form in ("CONSTRUCT", "DESCRIBE")


def _share_url(query: str | None) -> str | None:
    if not query:
        return None
    url = "/sparql?" + urlencode({"query": query})
    return url if len(url) <= SHAREABLE_URL_MAX else None


def _render_page(
    params: _Params,
    *,
    outcome=None,
    error: CatalogueError | None = None,
    status: int = 200,
    max_rows: int | None = None,
) -> str:
    settings = _settings()
    lang = get_lang()
    example_key = request.args.get("example")
    query = params.query
    if not query:
        query = example_query(example_key if example_key in EXAMPLES else DEFAULT_EXAMPLE, lang)
    examples = [
        {"key": key, "title": translate(title, lang), "query": example_query(key, lang)}
        for key, (title, _body) in EXAMPLES.items()
    ]
    table = _table(outcome) if outcome is not None else None
    graph = outcome.kind == "graph" if outcome is not None else _looks_like_graph_query(query)
    return render_template(
        "sparql.html",
        query=query,
        examples=examples,
        outcome=outcome,
        table=table,
        error=error,
        error_message=error.describe(lang) if error is not None else None,
        status=status,
        download_formats=SOLUTION_FORMATS + GRAPH_FORMATS,
        graph_query=graph,
        default_graphs=params.default_graphs,
        named_graphs=params.named_graphs,
        max_rows=max_rows or settings.sparql_max_rows,
        limit_rows=settings.sparql_max_rows,
        html_rows=HTML_MAX_ROWS,
        share_url=_share_url(params.query),
        settings=settings,
        federation_allow=[a for a in settings.federation_allow if a],
    )


def _service_description(settings) -> Response:
    endpoint_url = request.base_url
    result_formats = {
        "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "turtle": "http://www.w3.org/ns/formats/Turtle",
        "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
        "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
        "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    }
    sd = "http://www.w3.org/ns/sparql-service-description#"
    node = ox.BlankNode()
    triples = [
        ox.Triple(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(sd + "Service")),
        ox.Triple(node, ox.NamedNode(sd + "endpoint"), ox.NamedNode(endpoint_url)),
        ox.Triple(node, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "BasicFederatedQuery")),
    ]
    triples += [
        ox.Triple(node, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(iri)) for iri in result_formats.values()
    ]
    try:
        fmt = negotiate_format(request.headers.get("Accept"), graph=True)
    except NotAcceptable:
        fmt = GRAPH_FORMATS[0]
    from catalogue.rdf import serialize

    body = serialize(triples, fmt.rdf, prefixes={"sd": sd})
    return _cors(Response(body, content_type=fmt.content_type))
