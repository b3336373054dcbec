"""The OpenAPI 3 description of /api/v1 and of the DCAT-AP feed, written by hand.

Facet parameters come from catalogue.search.FACETS and formats from catalogue.conneg, so the
description follows them; tests/feed/test_api.py checks that every route of the API and the
feed is described and that every described path exists.
"""

from __future__ import annotations

from catalogue import conneg

API = "/api/v1"


def _facets() -> list[tuple[str, str, str]]:
    try:
        from catalogue.search import FACETS
    except ImportError:
        return []
    return [(f.name, f.label_en, f.label_fr) for f in FACETS]


def _query(name: str, description: str, schema: dict | None = None, *, repeat: bool = False) -> dict:
    schema = schema or {"type": "string"}
    if repeat:
        schema = {"type": "array", "items": schema}
    out = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeat:
        out.update(style="form", explode=True)
    return out


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _search_parameters(max_page_size: int) -> list[dict]:
    params = [
        _query("q", 'Full text, French and English ("quoted phrase", -excluded word).'),
        _query("page", "Page number, from 1. A page beyond the end is empty.", {"type": "integer", "minimum": 1}),
        _query(
            "page_size",
            f"Results per page; above {max_page_size} it is clamped (and said).",
            {"type": "integer", "minimum": 1},
        ),
        _query("sort", "Order of the results.", {"type": "string", "enum": ["relevance", "title", "modified"]}),
        _query("age_min", "Datasets whose typical ages reach at least this age.", {"type": "integer", "minimum": 0}),
        _query("age_max", "Datasets whose typical ages start at most at this age.", {"type": "integer", "minimum": 0}),
        _query("lang", "Language of labels and messages.", {"type": "string", "enum": ["fr", "en"]}),
    ]
    for name, label_en, label_fr in _facets():
        params.append(
            _query(name, f"Filter: {label_en} / {label_fr} (repeat to OR values; facets are AND-ed).", repeat=True)
        )
    return params


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


ERROR = "#/components/schemas/Error"
PUSH = "#/components/schemas/PushResult"


def _errors(*codes: int) -> dict:
    words = {
        400: "Bad request (a parameter or the body is malformed).",
        401: "Missing, unknown or revoked bearer token.",
        403: "The token's publisher may not write this record.",
        404: "No such record.",
        406: "None of the accepted media types is served (the body lists those that are).",
        409: "The record already exists (POST) — use PUT to replace it.",
        413: "The body is too large.",
        415: "The body's RDF format is unknown: set Content-Type.",
        422: "The record does not conform to its profile; the body holds the validation report. Nothing is stored.",
    }
    return {str(c): _json(ERROR, words[c]) for c in codes}


def _rdf_content(description: str) -> dict:
    return {
        "description": description,
        "content": {f.media_type: {"schema": {"type": "string"}} for f in conneg.served_formats()},
    }


def openapi_document(settings) -> dict:
    max_size = settings.max_page_size
    formats = ", ".join(
        f"{f.media_type} (.{ext})"
        for ext, name in conneg.EXTENSIONS.items()
        for f in conneg.served_formats()
        if f.name == name
    )
    push_body = {
        "required": True,
        "description": "One or more records in any RDF format, named by Content-Type (text/turtle, "
        "application/ld+json, application/rdf+xml, application/n-triples, application/n-quads, "
        "application/trig).",
        "content": {
            m: {"schema": {"type": "string"}}
            for m in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
        },
    }
    feed_params = [
        _query("page", "Page number, from 1. A page beyond the end is empty (200).", {"type": "integer", "minimum": 1}),
        _query(
            "page_size",
            f"Records per page (default 100); above {max_size} it is clamped, which the "
            "X-Page-Size-Clamped header and a cat:requestedPageSize triple say.",
            {"type": "integer", "minimum": 1},
        ),
        _query(
            "modified_since",
            "Only records whose catalogue record changed at or after this ISO date or date-time.",
            {"type": "string", "format": "date-time"},
        ),
        _query("profile", "Output profile.", {"type": "string", "enum": ["dcat-ap-3", "dcat-ap-2.1.1"]}),
        *[p for p in _search_parameters(max_size) if p["name"] not in ("page", "page_size", "sort", "lang")],
    ]
    feed_get = {
        "tags": ["feed"],
        "summary": "The DCAT-AP catalogue, paged with Hydra, streamed",
        "description": f"dcat:Catalog with its records and catalogue records. Formats: {formats}. Paging: "
        "hydra:PartialCollectionView (first/next/previous/last) and hydra:totalItems on the catalogue; "
        "also Link headers. ETag on every page.",
        "parameters": feed_params,
        "responses": {
            "200": _rdf_content("One page of the catalogue."),
            "304": {"description": "Not modified."},
            **_errors(400, 406),
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{settings.catalogue_title_en} — API",
            "version": "1.0.0",
            "description": "Read the catalogue (search with facets, dataset details, publishers, themes) and, with a "
            "bearer token, push records of your organisation. Records are DCAT-AP 3 / HealthDCAT-AP RDF "
            "and are validated before they are stored.",
        },
        "servers": [{"url": settings.base_iri.rstrip("/")}],
        "tags": [{"name": "read"}, {"name": "write"}, {"name": "feed"}],
        "paths": {
            f"{API}/": {
                "get": {
                    "tags": ["read"],
                    "summary": "Links to the endpoints of the API",
                    "responses": {"200": {"description": "A JSON object of links."}},
                }
            },
            f"{API}/search": {
                "get": {
                    "tags": ["read"],
                    "summary": "Search datasets (same parameters and facets as the web UI)",
                    "parameters": _search_parameters(max_size),
                    "responses": {"200": _json("#/components/schemas/SearchResult", "Hits, total, facets, links.")},
                }
            },
            f"{API}/datasets": {
                "post": {
                    "tags": ["write"],
                    "summary": "Create records",
                    "security": [{"bearer": []}],
                    "description": "Every record must be new, conform to its profile and have the token's publisher as "
                    "dct:publisher; otherwise nothing is stored.",
                    "requestBody": push_body,
                    "responses": {
                        "201": _json(PUSH, "Created; Location names the first record."),
                        **_errors(400, 401, 403, 409, 413, 415, 422),
                    },
                }
            },
            f"{API}/datasets/{{id}}": {
                "parameters": [_path("id", "Record identifier (as in /dataset/{id}).")],
                "get": {
                    "tags": ["read"],
                    "summary": "One dataset: its description, catalogue record and links",
                    "parameters": [_query("lang", "Language of labels.", {"type": "string", "enum": ["fr", "en"]})],
                    "responses": {"200": _json("#/components/schemas/Dataset", "The dataset."), **_errors(404)},
                },
                "put": {
                    "tags": ["write"],
                    "summary": "Create or replace one record",
                    "security": [{"bearer": []}],
                    "description": "The body holds exactly the record whose identifier is {id}.",
                    "requestBody": push_body,
                    "responses": {
                        "200": _json(PUSH, "Replaced (or unchanged)."),
                        "201": _json(PUSH, "Created."),
                        **_errors(400, 401, 403, 413, 415, 422),
                    },
                },
                "delete": {
                    "tags": ["write"],
                    "summary": "Delete one record",
                    "security": [{"bearer": []}],
                    "responses": {"204": {"description": "Deleted."}, **_errors(401, 403, 404)},
                },
            },
            f"{API}/publishers": {
                "get": {
                    "tags": ["read"],
                    "summary": "Publishers with their number of datasets (search filters apply)",
                    "parameters": _search_parameters(max_size),
                    "responses": {"200": _json("#/components/schemas/FacetList", "Publishers.")},
                }
            },
            f"{API}/themes": {
                "get": {
                    "tags": ["read"],
                    "summary": "Themes, health themes and health data categories with counts",
                    "parameters": _search_parameters(max_size),
                    "responses": {"200": _json("#/components/schemas/FacetList", "Themes.")},
                }
            },
            f"{API}/openapi.json": {
                "get": {
                    "tags": ["read"],
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3 document."}},
                }
            },
            f"{API}/docs": {
                "get": {
                    "tags": ["read"],
                    "summary": "Documentation page (HTML, French and English)",
                    "responses": {"200": {"description": "HTML page."}},
                }
            },
            "/catalog": {"get": feed_get},
            "/catalog.{ext}": {
                "get": {
                    **feed_get,
                    "parameters": [
                        {**_path("ext", "Format."), "schema": {"type": "string", "enum": list(conneg.EXTENSIONS)}},
                        *feed_params,
                    ],
                }
            },
            "/dataset/{id}.{ext}": {
                "get": {
                    "tags": ["feed"],
                    "summary": "One record as RDF (ETag, Last-Modified, 304)",
                    "parameters": [
                        _path("id", "Record identifier."),
                        {**_path("ext", "Format."), "schema": {"type": "string", "enum": list(conneg.EXTENSIONS)}},
                        _query(
                            "profile", "Output profile.", {"type": "string", "enum": ["dcat-ap-3", "dcat-ap-2.1.1"]}
                        ),
                    ],
                    "responses": {
                        "200": _rdf_content("The record."),
                        "304": {"description": "Not modified."},
                        **_errors(404),
                    },
                }
            },
            "/record/{id}": {
                "get": {
                    "tags": ["feed"],
                    "summary": "A catalogue record IRI: RDF by Accept, or 303 to the HTML page",
                    "parameters": [_path("id", "Record identifier.")],
                    "responses": {
                        "200": _rdf_content("The record."),
                        "303": {"description": "To /dataset/{id}."},
                        "304": {"description": "Not modified."},
                        **_errors(404, 406),
                    },
                }
            },
            "/id/{path}": {
                "get": {
                    "tags": ["feed"],
                    "summary": "A minted resource IRI: 303 to its HTML page or RDF document",
                    "parameters": [_path("path", "Rest of the IRI, e.g. dataset/0123abcd.")],
                    "responses": {"303": {"description": "See other."}, **_errors(404, 406)},
                }
            },
            "/catalogue": {
                "get": {
                    "tags": ["feed"],
                    "summary": "The catalogue IRI: 303 to the home page or to /catalog.{ext}",
                    "responses": {"303": {"description": "See other."}, **_errors(406)},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made by the catalogue team with `catalogue token create --publisher X`.",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "message_fr": {"type": "string"},
                                "message_en": {"type": "string"},
                                "where": {"type": "string", "nullable": True},
                                "records": {"type": "array", "items": {"$ref": "#/components/schemas/RecordOutcome"}},
                            },
                        }
                    },
                },
                "RecordOutcome": {
                    "type": "object",
                    "properties": {
                        "iri": {"type": "string"},
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["accepted", "updated", "unchanged", "rejected"]},
                        "url": {"type": "string"},
                        "error": {"type": "string"},
                        "report": {"$ref": "#/components/schemas/ValidationReport"},
                    },
                },
                "ValidationReport": {
                    "type": "object",
                    "properties": {
                        "dataset": {"type": "string"},
                        "conforms": {"type": "boolean"},
                        "profiles": {"type": "array", "items": {"type": "string"}},
                        "problems": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "PushResult": {
                    "type": "object",
                    "properties": {
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "records": {"type": "array", "items": {"$ref": "#/components/schemas/RecordOutcome"}},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "page_size": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "page_size_clamped": {"type": "boolean"},
                        "hits": {"type": "array", "items": {"type": "object"}},
                        "facets": {"type": "array", "items": {"type": "object"}},
                        "links": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "Dataset": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "iri": {"type": "string"},
                        "record": {"type": "object"},
                        "dataset": {"type": "object"},
                        "links": {"type": "object"},
                    },
                },
                "FacetList": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "value": {"type": "string"},
                                "label": {"type": "string"},
                                "count": {"type": "integer"},
                                "search": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    }
