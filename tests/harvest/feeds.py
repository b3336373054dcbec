"""Feeds for the harvester tests: records derived from the official HealthDCAT-AP example, Hydra pages
in several RDF formats, and a real HTTP server on 127.0.0.1 whose answers a test can change between runs."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
OFFICIAL_EXAMPLE = REFERENCE / "healthdcat-ap" / "official-release8-via-sdc" / "example-healthdcat-dataset.ttl"
EX = "https://healthdcat-ap.example.org/release-7/example/"
ORIGINAL_TITLE = '"Cross-border oncology EHR cohort 2024"@en'
ORIGINAL_IDENTIFIER = "EU-HDCA-R7-ONCOLOGY-EHRS-2024"
OTHER_IDENTIFIER = "ONC-EHR-2024-BE-01"


def ns(key: str) -> str:
    """The namespace of record `key`'s own nodes (dataset, distributions, agents...)."""
    return f"https://partner.example.org/{key}/"


def record_iri(key: str) -> str:
    return ns(key) + "dataset-oncology-ehrs-2024"


def record_ttl(key: str, *, title: str | None = None, identifier: str | None = None, broken: bool = False) -> str:
    """The official example about dataset `key`, valid for the catalogue's profiles.

    The official example lacks the French title the national rules require and types its licence
    with a concept that is not copied into the record; both are fixed. `broken` removes the
    mandatory dct:description, so validation rejects the record.
    """
    text = OFFICIAL_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(f"<{EX}>", f"<{ns(key)}>", 1)
    title = title or f"Oncology cohort {key}"
    text = text.replace(ORIGINAL_TITLE, f'"{title}"@en , "Cohorte {title}"@fr', 1)
    text = text.replace("    dct:type ex:license-type-permit ;\n", "", 1)
    text = text.replace(ORIGINAL_IDENTIFIER, identifier or f"ID-{key}").replace(OTHER_IDENTIFIER, f"ALT-{key}")
    if broken:
        start = text.index('    dct:description "Comprehensive')
        text = text[:start] + text[text.index("\n", start) + 1 :]
    return text


HYDRA = "http://www.w3.org/ns/hydra/core#"


def hydra_ttl(page_url: str, next_url: str | None, *, style: str = "view", collection: str | None = None) -> str:
    """Hydra paging triples for a page: `view` (hydra:PartialCollectionView) or `old` (hydra:PagedCollection)."""
    collection = collection or page_url.split("?", 1)[0]
    if style == "old":
        text = f"<{page_url}> a <{HYDRA}PagedCollection>"
        return text + (f" ; <{HYDRA}nextPage> <{next_url}> .\n" if next_url else " .\n")
    text = f"<{collection}> <{HYDRA}view> <{page_url}> .\n<{page_url}> a <{HYDRA}PartialCollectionView>"
    return text + (f" ; <{HYDRA}next> <{next_url}> .\n" if next_url else " .\n")


def page_bytes(records: list[str], hydra: str = "", *, fmt: str = "ttl") -> tuple[bytes, str]:
    """A feed page (Turtle records + Hydra triples) in `fmt`, with its media type."""
    turtle = "\n".join(records) + "\n" + hydra
    if fmt == "ttl":
        return turtle.encode(), "text/turtle"
    triples = list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))
    if fmt == "jsonld":
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD), "application/ld+json"
    if fmt == "rdfxml":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML), "application/rdf+xml"
    raise ValueError(fmt)


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/turtle"
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: bool = True  # answer with an ETag (and 304 to a matching If-None-Match)
    handler: object = None  # callable(request_handler) -> None, for hostile servers


class FeedServer:
    """A real threaded HTTP server on 127.0.0.1. `routes[path_with_query] = Route(...)`."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.handler:
                    route.handler(self)
                    return
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"' if route.etag else None
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if etag:
                    self.send_header("ETag", etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # clients that hang up early are what several tests are about

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- a paged DCAT feed ------------------------------------------------------------------------
    def publish(self, pages: list[list[str]], *, fmt: str = "ttl", style: str = "view", prefix: str = "/feed"):
        """Serve `pages` (each a list of Turtle records) at /feed?page=1..n, Hydra-linked."""
        for number, records in enumerate(pages, start=1):
            path = f"{prefix}?page={number}"
            next_url = self.url(f"{prefix}?page={number + 1}") if number < len(pages) else None
            body, media_type = page_bytes(
                records, hydra_ttl(self.url(path), next_url, style=style, collection=self.url(prefix)), fmt=fmt
            )
            self.routes[path] = Route(body=body, content_type=media_type)
        return self.url(f"{prefix}?page=1")
