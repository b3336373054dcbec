"""The DCAT-AP feed and the dereferencing of the IRIs the catalogue mints.

Feed: /catalog (format by Accept) and /catalog.ttl|.jsonld|.rdf|.nt, paged with Hydra,
streamed one record at a time (catalogue/feed.py).

IRIs under settings.base_iri answer browsers with HTML and RDF clients with RDF:
- /record/<id> (a dcat:CatalogRecord, a document): RDF directly (200, Content-Location
  names the matching /dataset/<id>.<ext>); a browser is sent (303) to the page /dataset/<id>.
- /id/... (datasets minted from blank nodes, or any other described IRI under the base): these
  name things, not documents, so every client gets a 303 See Other (httpRange-14): to the
  page /dataset/<id> for a browser, to /dataset/<id>.<ext> for an RDF client.
- /catalogue (the dcat:Catalog): 303 to the home page, or to /catalog.<ext>.
- /dataset/<id>.ttl|.jsonld|.rdf|.nt: the record's RDF document.
Documents carry an ETag (from the record's content hash) and Last-Modified, and answer
If-None-Match / If-Modified-Since with 304. `?profile=dcat-ap-2.1.1` works everywhere.
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.routing import BuildError

from catalogue import conneg
from catalogue.errors import CatalogueError, NotFound
from catalogue.feed import FeedRequest, feed_groups, output_profile, record_triples, select_page, serialize_groups
from catalogue.store.base import iri

log = logging.getLogger(__name__)
bp = Blueprint("feed", __name__)

EXTENSIONS = "any(ttl, jsonld, rdf, nt)"
TEXT_TYPES = ("text/turtle", "application/n-triples")


def _catalogue():
    return current_app.extensions["catalogue"]


def _settings():
    return current_app.extensions["settings"]


def _base() -> str:
    return _settings().base_iri.rstrip("/")


def _extension(fmt) -> str:
    return next(ext for ext, name in conneg.EXTENSIONS.items() if name == fmt.name)


def _content_type(fmt) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.media_type in TEXT_TYPES else fmt.media_type


def not_acceptable() -> Response:
    response = Response(conneg.not_acceptable_text(), status=406, mimetype="text/plain")
    response.vary.add("Accept")
    return response


def _negotiated(ext: str | None, *, html: bool = False):
    """The format named by the extension, else the one the Accept header prefers; None: nothing fits."""
    if ext:
        return conneg.format_for_extension(ext)
    return conneg.negotiate_rdf(request.headers.get("Accept"), html=html)


def _streamed(chunks, what: str):
    """Pass the chunks on; an error mid-stream is logged and cuts the response (so it is visibly truncated)."""
    try:
        yield from chunks
    except Exception:
        log.exception("streaming %s failed", what)
        raise


def conditional(response: Response) -> Response:
    """304 on If-None-Match / If-Modified-Since, without ever buffering the streamed body.

    werkzeug's make_conditional computes a Content-Length by turning the body into a list
    unless implicit sequence conversion is off: that would read the whole feed into memory.
    """
    response.implicit_sequence_conversion = False
    return response.make_conditional(request)


def _profile_headers(response: Response, profile) -> None:
    response.headers["Content-Profile"] = f"<{profile.uri}>"
    response.headers.add("Link", f'<{profile.uri}>; rel="profile"')


@bp.errorhandler(CatalogueError)
def _feed_error(exc: CatalogueError):
    """Browsers and JSON clients get the site's error page; RDF clients and harvesters plain text."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best is not None:
        from .errors import catalogue_error

        return catalogue_error(exc)
    status = int(getattr(exc, "http_status", 400) or 400)
    return Response(f"{exc.describe('en')}\n{exc.describe('fr')}\n", status=status, mimetype="text/plain")


# --- the feed --------------------------------------------------------------------------------------


@bp.route("/catalog", defaults={"ext": None})
@bp.route(f"/catalog.<{EXTENSIONS}:ext>")
def catalog(ext: str | None):
    fmt = _negotiated(ext)
    if fmt is None:
        return not_acceptable()
    catalogue, settings = _catalogue(), _settings()
    feed_request = FeedRequest.from_args(request.args, settings)
    page = select_page(catalogue, feed_request)
    path = f"{_base()}/catalog" + (f".{ext}" if ext else "")

    def page_url(number: int) -> str:
        args = feed_request.link_args(number)
        return path + ("?" + urlencode(args) if args else "")

    chunks = _streamed(serialize_groups(feed_groups(catalogue, page, page_url), fmt), "the feed")
    response = Response(chunks, content_type=_content_type(fmt))
    if not ext:
        response.vary.add("Accept")
    response.set_etag(page.etag(fmt.name))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Page-Size"] = str(feed_request.page_size)
    if feed_request.clamped:
        response.headers["X-Page-Size-Requested"] = str(feed_request.requested_page_size)
        response.headers["X-Page-Size-Clamped"] = (
            f"page_size {feed_request.requested_page_size} is above the maximum {feed_request.max_page_size}"
        )
    links = {"first": 1, "last": page.last}
    if page.has_next:
        links["next"] = page.page + 1
    if page.page > 1:
        links["prev"] = min(page.page - 1, page.last)
    for rel, number in links.items():
        response.headers.add("Link", f'<{page_url(number)}>; rel="{rel}"')
    _profile_headers(response, feed_request.profile)
    return conditional(response)


# --- record documents ------------------------------------------------------------------------------


RECORD_ID = re.compile(r"[a-z0-9-]{1,200}")  # what catalogue.records.record_id makes


def meta_by_id(rid: str):
    """The RecordMeta of a record id, or NotFound (also for text that cannot be an id)."""
    meta = _catalogue().records.get_meta_by_id(rid) if RECORD_ID.fullmatch(rid or "") else None
    if meta is None:
        raise NotFound(
            f"No record has the identifier {rid[:80]!r}.",
            f"Aucune fiche n'a l'identifiant {rid[:80]!r}.",
        )
    return meta


def document_response(meta, fmt, *, negotiated: bool = False) -> Response:
    """One record as an RDF document, with its validators (ETag, Last-Modified) and 304 handling."""
    catalogue = _catalogue()
    profile = output_profile(request.args.get("profile"))
    key = f"{meta.content_hash}|{meta.modified.isoformat()}|{fmt.name}|{profile.name}"

    def chunks():
        yield from serialize_groups([record_triples(catalogue, meta, profile)], fmt)

    response = Response(_streamed(chunks(), meta.record_iri), content_type=_content_type(fmt))
    response.set_etag(hashlib.sha256(key.encode()).hexdigest()[:40])
    response.last_modified = meta.modified
    response.headers["Cache-Control"] = "no-cache"
    if negotiated:
        response.vary.add("Accept")
    _profile_headers(response, profile)
    return conditional(response)


def _html_page(rid: str) -> str:
    try:
        return url_for("datasets.dataset", id=rid)
    except BuildError:  # the UI's dataset page is not registered in this app
        return f"/dataset/{rid}"


def _document_url(rid: str, fmt) -> str:
    args = request.args.get("profile")
    return f"/dataset/{rid}.{_extension(fmt)}" + ("?" + urlencode({"profile": args}) if args else "")


def _see_other(location: str) -> Response:
    response = redirect(location, code=303)
    response.vary.add("Accept")
    return response


@bp.route(f"/dataset/<rid>.<{EXTENSIONS}:ext>")
def dataset_document(rid: str, ext: str):
    return document_response(meta_by_id(rid), conneg.format_for_extension(ext))


@bp.route("/record/<rid>")
def record(rid: str):
    meta = meta_by_id(rid)
    fmt = _negotiated(None, html=True)
    if fmt is None:
        return not_acceptable()
    if fmt == conneg.HTML:
        return _see_other(_html_page(meta.id))
    response = document_response(meta, fmt, negotiated=True)
    response.headers["Content-Location"] = _document_url(meta.id, fmt)
    return response


def _record_holding(resource: str):
    """The record whose main resource is `resource`, else the record that describes it (a distribution...)."""
    records = _catalogue().records
    meta = records.get_meta(resource)
    if meta is not None:
        return meta
    rows = _catalogue().store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ {iri(resource)} ?p ?o }} }} LIMIT 5")
    prefix = f"{records.base_iri}/record/"
    for row in rows:
        graph = row["g"].value
        if graph.startswith(prefix):
            return records.get_meta_by_id(graph[len(prefix) :])
    return None


@bp.route("/id/<path:rest>")
def minted(rest: str):
    resource = f"{_base()}/id/{rest}"
    fmt = _negotiated(None, html=True)
    if fmt is None:
        return not_acceptable()
    if resource == f"{_base()}/id/agent/catalogue-operator":  # described in the feed's catalogue node
        return _see_other("/" if fmt == conneg.HTML else f"/catalog.{_extension(fmt)}")
    try:
        meta = _record_holding(resource) if len(resource) <= 2000 else None
    except ValueError:  # not an IRI (spaces, angle brackets...)
        meta = None
    if meta is None:
        raise NotFound(f"Nothing is described at {resource[:200]}.", f"Rien n'est décrit à l'adresse {resource[:200]}.")
    return _see_other(_html_page(meta.id) if fmt == conneg.HTML else _document_url(meta.id, fmt))


@bp.route("/catalogue")
def catalogue_resource():
    fmt = _negotiated(None, html=True)
    if fmt is None:
        return not_acceptable()
    if fmt == conneg.HTML:
        return _see_other("/")
    args = request.args.get("profile")
    return _see_other(f"/catalog.{_extension(fmt)}" + ("?" + urlencode({"profile": args}) if args else ""))
