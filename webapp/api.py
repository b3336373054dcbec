"""REST API under /api/v1: read (search, dataset, publishers, themes) and, with a bearer token,
write a publisher's records through the single write path (catalogue.ingest).

Writes are all or nothing: the body is first ingested as a dry run (parse, split, publisher
and ownership checks, validation); only when every record passes is it ingested for real.
Errors are JSON: {"error": {status, code, message, message_fr, message_en, where, records?}}.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError, Forbidden, Unauthorized
from catalogue.ingest import BatchResult, delete_record, ingest_bytes
from catalogue.records import Record, record_id
from catalogue.tokens import Token, TokenStore, publisher_check

from .feed import meta_by_id
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

LANGS = ("fr", "en")


class Conflict(CatalogueError):
    http_status = 409


class Mismatch(CatalogueError):
    http_status = 400


def _catalogue():
    return current_app.extensions["catalogue"]


def _settings():
    return current_app.extensions["settings"]


def api_lang() -> str:
    asked = request.args.get("lang", "")
    if asked in LANGS:
        return asked
    return request.accept_languages.best_match(LANGS) or "en"


# --- errors ----------------------------------------------------------------------------------------


def _error(status: int, code: str, message_en: str, message_fr: str, *, where=None, records=None, headers=None):
    lang = api_lang()
    body = {
        "error": {
            "status": status,
            "code": code,
            "message": message_fr if lang == "fr" else message_en,
            "message_fr": message_fr,
            "message_en": message_en,
            "where": where,
        }
    }
    if records is not None:
        body["error"]["records"] = records
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.errorhandler(CatalogueError)
def _catalogue_error(exc: CatalogueError):
    status = int(getattr(exc, "http_status", 400) or 400)
    headers = {}
    if status == 401:
        given = bool(request.headers.get("Authorization"))
        headers["WWW-Authenticate"] = 'Bearer realm="catalogue-api"' + (', error="invalid_token"' if given else "")
    report = getattr(exc, "report", None)
    records = None
    if report is not None:
        records = [{"iri": exc.where, "status": "rejected", "report": report}]
    return _error(
        status, type(exc).__name__, exc.message_en, exc.message_fr, where=exc.where, records=records, headers=headers
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return _error(exc.code or 500, exc.name.replace(" ", ""), exc.description or exc.name, exc.description or exc.name)


# --- reading ---------------------------------------------------------------------------------------


def _search_args() -> MultiDict:
    return MultiDict((k, v) for k, v in request.args.items(multi=True) if k != "lang")


def _run_search(args: MultiDict):
    from catalogue.search import SearchQuery

    query = SearchQuery.from_args(args, _settings(), lang=api_lang())
    return query, _catalogue().index.search(query)


def _links(rid: str) -> dict:
    return {
        "self": url_for("api.dataset", rid=rid),
        "html": f"/dataset/{rid}",
        "record": f"/record/{rid}",
        **{ext: f"/dataset/{rid}.{ext}" for ext in ("ttl", "jsonld", "rdf", "nt")},
    }


@bp.get("/")
def index():
    return jsonify(
        {
            "openapi": url_for("api.openapi"),
            "docs": url_for("api.docs"),
            "search": url_for("api.search"),
            "publishers": url_for("api.publishers"),
            "themes": url_for("api.themes"),
            "feed": "/catalog",
        }
    )


@bp.get("/search")
def search():
    args = _search_args()
    query, result = _run_search(args)
    data = result.to_dict(api_lang())
    for hit in data.get("hits", []):
        hit["links"] = _links(hit["id"])
    base = [(k, v) for k, v in query.to_args() if k != "page"]

    def page_link(number: int) -> str:
        return (
            url_for("api.search")
            + "?"
            + "&".join(f"{k}={v}" for k, v in _encode(base + ([("page", str(number))] if number > 1 else [])))
        )

    links = {"self": page_link(query.page), "first": page_link(1), "last": page_link(result.pages)}
    if query.page < result.pages:
        links["next"] = page_link(query.page + 1)
    if query.page > 1:
        links["prev"] = page_link(min(query.page - 1, result.pages))
    data["links"] = links
    response = jsonify(data)
    if query.page_size_clamped:
        response.headers["X-Page-Size-Clamped"] = f"page_size is above the maximum {_settings().max_page_size}"
    return response


def _encode(pairs):
    from urllib.parse import quote

    return [(quote(k, safe=""), quote(v, safe="")) for k, v in pairs]


@bp.get("/datasets/<rid>")
def dataset(rid: str):
    from catalogue.views import DatasetRecord

    catalogue = _catalogue()
    meta = meta_by_id(rid)
    view = DatasetRecord.from_triples(
        meta.resource_iri,
        catalogue.records.triples(meta),
        kind=meta.kind,
        meta=meta,
        labels=current_app.extensions.get("labels"),
    )
    return jsonify(
        {
            "id": meta.id,
            "iri": meta.resource_iri,
            "record": {
                "iri": meta.record_iri,
                "kind": meta.kind.rsplit("#", 1)[-1],
                "source": meta.source,
                "issued": meta.first_seen.isoformat(),
                "modified": meta.modified.isoformat(),
                "status": meta.status,
                "withdrawn": meta.withdrawn.isoformat() if meta.withdrawn else None,
                "validation": meta.report,
            },
            "dataset": view.to_dict(),
            "links": _links(meta.id),
        }
    )


def _facet_values(result, name: str, lang: str) -> list[dict]:
    facet = result.facet(name)
    if facet is None:
        return []
    out = []
    for value in facet.values:
        item = value.to_dict(lang)
        item["search"] = url_for("api.search") + "?" + "&".join(f"{k}={v}" for k, v in _encode([(name, value.value)]))
        out.append(item)
    return out


@bp.get("/publishers")
def publishers():
    _, result = _run_search(_search_args())
    return jsonify({"publishers": _facet_values(result, "publisher", api_lang())})


@bp.get("/themes")
def themes():
    _, result = _run_search(_search_args())
    lang = api_lang()
    return jsonify(
        {
            "themes": _facet_values(result, "theme", lang),
            "health_themes": _facet_values(result, "health_theme", lang),
            "health_categories": _facet_values(result, "health_category", lang),
        }
    )


@bp.get("/openapi.json")
def openapi():
    response = jsonify(openapi_document(_settings()))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


DOCS_TEXT = {
    "fr": {
        "title": "API du catalogue",
        "intro": "Lisez le catalogue (recherche à facettes, fiches, producteurs, thèmes) et, avec un jeton, "
        "publiez les fiches de votre organisme. Les fiches sont en RDF DCAT-AP 3 / HealthDCAT-AP et "
        "sont validées avant d'être enregistrées.",
        "read": "Lecture (sans authentification)",
        "write": "Écriture (jeton porteur)",
        "feed": "Flux DCAT-AP et IRI déréférençables",
        "auth": "Authentification",
        "auth_text": "Demandez un jeton à l'équipe du catalogue (commande « catalogue token create --publisher X »). "
        "Envoyez-le dans l'en-tête « Authorization: Bearer <jeton> ». Un jeton n'écrit que les fiches "
        "dont le dct:publisher est son producteur (IRI ou foaf:name).",
        "errors": "Erreurs",
        "errors_text": "401 : jeton absent ou invalide ; 403 : fiche d'un autre producteur ; "
        "409 : la fiche existe déjà (utilisez PUT) ; 422 : fiche non conforme, le rapport de validation est "
        "renvoyé et rien n'est enregistré ; 406 : format demandé non servi.",
        "spec": "Description OpenAPI 3",
        "example": "Exemple",
        "method": "Méthode",
        "path": "Chemin",
        "what": "Rôle",
    },
    "en": {
        "title": "Catalogue API",
        "intro": "Read the catalogue (faceted search, datasets, publishers, themes) and, with a token, publish your "
        "organisation's records. Records are DCAT-AP 3 / HealthDCAT-AP RDF and are validated before they "
        "are stored.",
        "read": "Reading (no authentication)",
        "write": "Writing (bearer token)",
        "feed": "DCAT-AP feed and dereferenceable IRIs",
        "auth": "Authentication",
        "auth_text": "Ask the catalogue team for a token (command `catalogue token create --publisher X`). Send it "
        "in the header `Authorization: Bearer <token>`. A token writes only records whose "
        "dct:publisher is its publisher (IRI or foaf:name).",
        "errors": "Errors",
        "errors_text": "401: missing or invalid token; 403: another publisher's record; "
        "409: the record already exists (use PUT); 422: the record does not conform, the validation "
        "report is returned and nothing is stored; 406: the asked format is not served.",
        "spec": "OpenAPI 3 description",
        "example": "Example",
        "method": "Method",
        "path": "Path",
        "what": "What",
    },
}


@bp.get("/docs")
def docs():
    from .i18n import get_lang

    lang = get_lang()
    document = openapi_document(_settings())
    groups: dict[str, list] = {"read": [], "write": [], "feed": []}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            groups[operation["tags"][0]].append((method.upper(), path, operation["summary"]))
    return render_template("api_docs.html", t=DOCS_TEXT[lang], groups=groups, base=_settings().base_iri.rstrip("/"))


# --- writing ---------------------------------------------------------------------------------------


def authenticate() -> Token:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized(
            "This endpoint needs 'Authorization: Bearer <token>'.",
            "Ce point d'accès demande « Authorization: Bearer <jeton> ».",
        )
    return TokenStore(_catalogue().store, _settings().base_iri).verify(value.strip())


def _outcome_dict(outcome, lang: str) -> dict:
    out = {"iri": outcome.iri, "id": record_id(outcome.iri), "status": outcome.status}
    if outcome.ok:
        out["url"] = url_for("api.dataset", rid=out["id"])
    if outcome.error:
        out["error"] = outcome.error_fr if lang == "fr" else outcome.error
    if outcome.report:
        out["report"] = outcome.report
    return out


def _push(token: Token, *, expect_id: str | None = None, create_only: bool = False) -> BatchResult:
    """Ingest the body all or nothing; returns the real BatchResult or raises the error to answer with."""
    catalogue = _catalogue()
    data = request.get_data(cache=False)
    if not data:
        raise Mismatch(
            "The request body is empty: send the record as RDF.",
            "Le corps de la requête est vide : envoyez la fiche en RDF.",
        )
    check = publisher_check(token.publisher)
    refused: dict[str, CatalogueError] = {}

    def allowed(record: Record) -> None:
        try:
            if expect_id is not None and record_id(record.iri) != expect_id:
                raise Mismatch(
                    f"The body describes {record.iri}, whose identifier is {record_id(record.iri)}, not {expect_id}.",
                    f"Le corps décrit {record.iri}, d'identifiant {record_id(record.iri)}, et non {expect_id}.",
                    where=record.iri,
                )
            check(record)
            if create_only and catalogue.records.get_meta(record.iri) is not None:
                raise Conflict(
                    f"{record.iri} already exists: replace it with PUT /api/v1/datasets/{record_id(record.iri)}.",
                    f"{record.iri} existe déjà : remplacez-la avec PUT /api/v1/datasets/{record_id(record.iri)}.",
                    where=record.iri,
                )
        except CatalogueError as exc:
            refused[record.iri] = exc
            raise

    options = {"media_type": request.headers.get("Content-Type"), "source": token.source, "allowed": allowed}
    trial = ingest_bytes(catalogue, data, dry_run=True, **options)
    _refuse(trial, refused, token, expect_id)
    result = ingest_bytes(catalogue, data, **options)
    _refuse(result, refused, token, expect_id)
    return result


def _refuse(result: BatchResult, refused: dict, token: Token, expect_id: str | None) -> None:
    lang = api_lang()
    if not result.outcomes:
        raise Mismatch(
            "The body holds no dcat:Dataset, dcat:DatasetSeries or dcat:DataService.",
            "Le corps ne contient aucun dcat:Dataset, dcat:DatasetSeries ou dcat:DataService.",
        )
    if expect_id is not None and len(result.outcomes) != 1:
        raise Mismatch(
            f"PUT takes exactly one record; the body holds {len(result.outcomes)}.",
            f"PUT prend exactement une fiche ; le corps en contient {len(result.outcomes)}.",
        )
    rejected = result.rejected
    if not rejected:
        return
    records = [_outcome_dict(o, lang) for o in result.outcomes]
    errors = [refused.get(o.iri) for o in rejected]
    for o in rejected:  # an ownership refusal inside ingest (another source's record) has no report
        meta = _catalogue().records.get_meta(o.iri) if o.iri not in refused and not o.report else None
        if meta is not None and meta.source != token.source:
            errors.append(
                Forbidden(
                    f"{o.iri} belongs to another source ({meta.source}).",
                    f"{o.iri} appartient à une autre source ({meta.source}).",
                    where=o.iri,
                )
            )
    for kind in (Forbidden, Mismatch, Conflict):
        found = next((e for e in errors if isinstance(e, kind)), None)
        if found is not None:
            raise _WithRecords(found, records)
    first = rejected[0]
    raise _WithRecords(
        CatalogueError(
            f"{len(rejected)} record(s) rejected: {first.error or 'invalid'}. Nothing was stored; see the reports.",
            f"{len(rejected)} fiche(s) refusée(s) : {first.error_fr or 'non conforme'}. Rien n'a été enregistré ; "
            "voir les rapports.",
            where=first.iri,
        ),
        records,
        status=422,
        code="ValidationFailed",
    )


class _WithRecords(Exception):
    def __init__(self, error: CatalogueError, records: list, status: int | None = None, code: str | None = None):
        self.error, self.records = error, records
        self.status = status or int(getattr(error, "http_status", 400))
        self.code = code or type(error).__name__


@bp.errorhandler(_WithRecords)
def _with_records(exc: _WithRecords):
    e = exc.error
    return _error(exc.status, exc.code, e.message_en, e.message_fr, where=e.where, records=exc.records)


def _push_response(result: BatchResult, created_status: int) -> Response:
    lang = api_lang()
    body = {"counts": result.counts, "records": [_outcome_dict(o, lang) for o in result.outcomes]}
    created = [o for o in result.outcomes if o.status == "accepted"]
    response = jsonify(body)
    response.status_code = created_status if created else 200
    if created:
        response.headers["Location"] = url_for("api.dataset", rid=record_id(created[0].iri))
    return response


@bp.post("/datasets")
def create():
    token = authenticate()
    result = _push(token, create_only=True)
    return _push_response(result, 201)


@bp.put("/datasets/<rid>")
def replace(rid: str):
    token = authenticate()
    result = _push(token, expect_id=rid)
    return _push_response(result, 201)


@bp.delete("/datasets/<rid>")
def delete(rid: str):
    token = authenticate()
    catalogue = _catalogue()
    meta = meta_by_id(rid)
    if meta.source != token.source:
        raise Forbidden(
            f"{meta.resource_iri} belongs to another source ({meta.source}).",
            f"{meta.resource_iri} appartient à une autre source ({meta.source}).",
            where=meta.resource_iri,
        )
    delete_record(catalogue, meta.resource_iri, source=token.source)
    return Response(status=204)
