"""Hydra paging of DCAT feeds, the page-loop guard, and the per-page state kept between runs.

Both forms of Hydra paging are followed:
- the old one (ckanext-dcat, many portals): `<page> a hydra:PagedCollection ; hydra:nextPage <next>`;
- the current one: `<collection> hydra:view <page> . <page> a hydra:PartialCollectionView ; hydra:next <next>`.

`PageWalk` hands out the next page URL and refuses a URL already fetched in the run (a cycle)
and more than `settings.harvest_max_pages` pages. `PageStates` keeps, per page URL, the
validators (ETag, Last-Modified) of the last answer, the next page it pointed to and the
records it held, so that a 304 answer can stand for "these records are unchanged".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

import pyoxigraph as ox

from .. import rdf
from ..errors import CatalogueError, LimitExceeded
from ..store.base import iri
from .sources import HV, harvest_iri

HYDRA_NAMESPACES = ("http://www.w3.org/ns/hydra/core#", "https://www.w3.org/ns/hydra/core#")
_NEXT = {ns + name for ns in HYDRA_NAMESPACES for name in ("next", "nextPage")}
_VIEW = {ns + "view" for ns in HYDRA_NAMESPACES}


def normalise_url(url: str) -> str:
    return urldefrag(url.strip())[0]


def next_page(quads, page_url: str) -> str | None:
    """The next page named by a page's Hydra triples (quads or triples of the parsed page), or None.

    When several candidates exist, the one said of the page itself wins, then the one of a
    hydra:view node, then the first in IRI order (deterministic).
    """
    candidates: list[tuple[str, str]] = []  # (subject, next)
    views: set[str] = set()
    for quad in quads:
        predicate = quad.predicate.value
        if predicate in _NEXT and isinstance(quad.object, ox.NamedNode):
            candidates.append((_term_key(quad.subject), quad.object.value))
        elif predicate in _VIEW:
            views.add(_term_key(quad.object))
    if not candidates:
        return None
    page = normalise_url(page_url)
    for subject, target in sorted(candidates):
        if normalise_url(subject) == page:
            return urljoin(page_url, target)
    for subject, target in sorted(candidates):
        if subject in views:
            return urljoin(page_url, target)
    return urljoin(page_url, sorted(candidates)[0][1])


def _term_key(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def next_page_of_document(data: bytes, *, media_type: str | None, page_url: str, max_bytes: int) -> str | None:
    """Parse a fetched page only to find its Hydra next link (relative IRIs resolve against the page URL)."""
    rdf.check_size(len(data), max_bytes, page_url)
    fmt = rdf.detect_format(media_type=media_type, filename=page_url.split("?", 1)[0], head=data[:4096])
    safe = rdf.make_safe(data, fmt, page_url)
    hydra_quads = (
        q
        for q in rdf.parse_quads(safe, fmt, base_iri=page_url, where=page_url)
        if q.predicate.value in _NEXT or q.predicate.value in _VIEW
    )
    return next_page(hydra_quads, page_url)


class PageLoop(CatalogueError):
    http_status = 502


class PageWalk:
    """The pages of one run: the seen-URL set and the page cap."""

    def __init__(self, first_url: str, max_pages: int):
        self.max_pages = max_pages
        self.seen: set[str] = set()
        self.pending: str | None = first_url
        self.fetched = 0

    def take(self) -> str | None:
        """The next URL to fetch, or None when the feed is finished. Raises on a cycle or at the cap."""
        url = self.pending
        if url is None:
            return None
        key = normalise_url(url)
        if key in self.seen:
            self.pending = None
            raise PageLoop(
                f"Page loop: {url} was already fetched in this run; paging stopped.",
                f"Boucle de pages : {url} a déjà été téléchargée pendant cette collecte ; pagination arrêtée.",
                where=url,
            )
        if self.fetched >= self.max_pages:
            self.pending = None
            raise LimitExceeded(
                f"More than {self.max_pages} pages (harvest_max_pages): the rest of the feed was not read.",
                f"Plus de {self.max_pages} pages (harvest_max_pages) : la suite du flux n'a pas été lue.",
                where=url,
            )
        self.seen.add(key)
        self.fetched += 1
        self.pending = None
        return url

    def follow(self, next_url: str | None) -> None:
        self.pending = next_url


# --- per-page state between runs ------------------------------------------------------------------


@dataclass
class PageState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_url: str | None = None
    records: list[str] = field(default_factory=list)


class PageStates:
    """Validators, next link and record list per page URL of one source, in the store graph
    `<base>/harvest/pages/<source>` (so a remote store keeps them too)."""

    def __init__(self, store, base_iri: str, source_name: str):
        self.store = store
        self.base = base_iri.rstrip("/")
        self.graph = harvest_iri(base_iri, "pages", source_name)

    def _node(self, url: str) -> str:
        return f"{self.graph}/{hashlib.sha256(normalise_url(url).encode()).hexdigest()[:24]}"

    def load(self) -> dict[str, PageState]:
        rows = self.store.select(f"SELECT ?page ?p ?o WHERE {{ GRAPH {iri(self.graph)} {{ ?page ?p ?o }} }}")
        by_node: dict[str, dict] = {}
        for row in rows:
            entry = by_node.setdefault(row["page"].value, {"records": []})
            prop, value = row["p"].value, row["o"].value
            if prop == str(HV.record):
                entry["records"].append(value)
            else:
                entry[prop] = value
        states = {}
        for entry in by_node.values():
            url = entry.get(str(HV.url))
            if url:
                states[normalise_url(url)] = PageState(
                    url=url,
                    etag=entry.get(str(HV.etag)),
                    last_modified=entry.get(str(HV.lastModified)),
                    next_url=entry.get(str(HV.nextPage)),
                    records=sorted(entry["records"]),
                )
        return states

    def save(self, state: PageState) -> None:
        node = ox.NamedNode(self._node(state.url))
        triples = [(HV.url, ox.Literal(state.url))]
        if state.etag:
            triples.append((HV.etag, ox.Literal(state.etag)))
        if state.last_modified:
            triples.append((HV.lastModified, ox.Literal(state.last_modified)))
        if state.next_url:
            triples.append((HV.nextPage, ox.Literal(state.next_url)))
        triples += [(HV.record, ox.NamedNode(r)) for r in state.records]
        body = "\n".join(f"{node} {ox.NamedNode(str(p))} {o} ." for p, o in triples)
        self.store.update(
            f"DELETE WHERE {{ GRAPH {iri(self.graph)} {{ {node} ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH {iri(self.graph)} {{\n{body}\n}} }}"
        )

    def forget(self, url: str) -> None:
        node = ox.NamedNode(self._node(url))
        self.store.update(f"DELETE WHERE {{ GRAPH {iri(self.graph)} {{ {node} ?p ?o }} }}")

    def clear(self) -> None:
        self.store.update(f"DROP SILENT GRAPH {iri(self.graph)}")
