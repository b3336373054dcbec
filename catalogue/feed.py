"""The DCAT-AP feed: which records a page holds, its Hydra paging triples, the output profile,
and which records go out (the streaming serialisation is in catalogue/rdf_stream.py).

    request = FeedRequest.from_args(args, settings)        # page, page_size, modified_since, profile, filters
    page = select_page(catalogue, request)                  # total + the RecordMetas of this page
    chunks = serialize_groups(feed_groups(catalogue, page, page_url), fmt)   # Iterator[bytes]

Order of records: unfiltered pages list the catalogue records by dct:modified ascending (the
oldest first, so a record changed while a harvester pages moves to the end rather than
shifting what is still to come); ties keep the store's own order, which is stable for an
unchanged embedded store. Sorting on the record IRI instead costs ~14 s per page at 100,000
records on disk (pyoxigraph decodes every IRI it compares), so it is not done. Filtered
pages (search parameters) come from the search index sorted by title then IRI.

Memory: a page holds at most settings.max_page_size RecordMetas; records are read and
serialised one at a time, so memory does not grow with the size of the catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import CatalogueError
from .export import catalog_record_triples, catalogue_iri, catalogue_node
from .rdf_stream import read_ahead, serialize_groups, stream_document  # noqa: F401 (re-exported)
from .store.base import iri
from .store.records import RecordMeta, _datetime, _parse_datetime
from .vocab import CAT, DCAT, DCATAP, DCT, FOAF, HYDRA, OWL, RDF, RDFS, XSD

log = logging.getLogger(__name__)
_T = ox.NamedNode

DEFAULT_PAGE_SIZE = 100
MAX_PAGE = 10**9
FEED_PARAMETERS = ("page", "page_size", "modified_since", "profile")
SEARCH_PARAMETERS = ("q", "age_min", "age_max")  # plus one parameter per search facet


class BadFeedRequest(CatalogueError):
    http_status = 400


# --- profiles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputProfile:
    name: str
    uri: str  # announced in the Content-Profile header
    title: str
    renames: Mapping[str, str] = field(default_factory=dict)
    drops: frozenset[str] = frozenset()
    extra_types: Mapping[str, str] = field(default_factory=dict)  # class -> class also stated

    def apply(self, triples: Iterable[ox.Triple]) -> list[ox.Triple]:
        if not (self.renames or self.drops or self.extra_types):
            return list(triples)
        out: list[ox.Triple] = []
        type_pred = str(RDF.type)
        for triple in triples:
            predicate = triple.predicate.value
            if predicate in self.drops:
                continue
            if predicate in self.renames:
                triple = ox.Triple(triple.subject, _T(self.renames[predicate]), triple.object)
            out.append(triple)
            if predicate == type_pred and triple.object.value in self.extra_types:
                out.append(ox.Triple(triple.subject, triple.predicate, _T(self.extra_types[triple.object.value])))
        return list(dict.fromkeys(out))


# DCAT-AP 2.1.1 is built on DCAT 2. What DCAT 3 / DCAT-AP 3 added is mapped to its DCAT 2 era
# equivalent where one exists, and dropped otherwise. HealthDCAT-AP terms (healthdcatap:, dpv:,
# ...) are kept: they are an extension in their own namespaces, the 2.1.1 shapes are open
# (not sh:closed), and HealthData@EU needs them; a 2.1.1 consumer ignores what it does not know.
DCAT_AP_2_RENAMES = {
    str(DCAT.hasVersion): str(DCT.hasVersion),
    str(DCAT.isVersionOf): str(DCT.isVersionOf),
    str(DCAT.version): str(OWL.versionInfo),
    str(DCAT.inSeries): str(DCT.isPartOf),
}
DCAT_AP_2_DROPS = frozenset(
    str(term)
    for term in (
        DCATAP.applicableLegislation,  # DCAT-AP 3
        DCATAP.hvdCategory,  # DCAT-AP 3 / HVD
        DCAT.first,  # DCAT 3 series navigation
        DCAT.last,
        DCAT.prev,
        DCAT.previousVersion,  # DCAT 3 versioning without a DCAT 2 equivalent
        DCAT.hasCurrentVersion,
    )
)
PROFILES: dict[str, OutputProfile] = {
    "dcat-ap-3": OutputProfile(
        "dcat-ap-3", "https://semiceu.github.io/DCAT-AP/releases/3.0.1/", "DCAT-AP 3.0.1 + HealthDCAT-AP"
    ),
    "dcat-ap-2.1.1": OutputProfile(
        "dcat-ap-2.1.1",
        "https://semiceu.github.io/DCAT-AP/releases/2.1.1/",
        "DCAT-AP 2.1.1 (DCAT 3 terms mapped or dropped)",
        renames=DCAT_AP_2_RENAMES,
        drops=DCAT_AP_2_DROPS,
        extra_types={str(DCAT.DatasetSeries): str(DCAT.Dataset)},
    ),
}
DEFAULT_PROFILE = "dcat-ap-3"
HEALTHDCAT_AP_URI = "http://healthdataportal.eu/ns/health#"


def output_profile(name: str | None) -> OutputProfile:
    key = (name or DEFAULT_PROFILE).strip().lower()
    if key not in PROFILES:
        known = ", ".join(PROFILES)
        raise BadFeedRequest(
            f"Unknown profile {name!r}; use one of: {known}.", f"Profil inconnu {name!r} ; utilisez l'un de : {known}."
        )
    return PROFILES[key]


# --- the request --------------------------------------------------------------------------------


def _int_arg(args: Mapping, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise BadFeedRequest(
            f"Parameter {name} must be a whole number, not {str(raw)[:40]!r}.",
            f"Le paramètre {name} doit être un nombre entier, pas {str(raw)[:40]!r}.",
        ) from None
    if value < 1:
        raise BadFeedRequest(f"Parameter {name} must be 1 or more.", f"Le paramètre {name} doit valoir au moins 1.")
    return value


def parse_since(text: str) -> dt.datetime:
    """An ISO date (midnight UTC) or date-time (UTC when no offset is given)."""
    text = text.strip()
    if re.fullmatch(r".+T\d\d:\d\d(:\d\d(\.\d+)?)? \d\d:\d\d", text):  # an unencoded '+' became a space
        text = text[:-6] + "+" + text[-5:]
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = dt.date.fromisoformat(text)
            value = dt.datetime(day.year, day.month, day.day)
        else:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadFeedRequest(
            f"modified_since must be an ISO date or date-time (2024-05-01 or 2024-05-01T12:00:00Z), not {text[:40]!r}.",
            f"modified_since doit être une date ou date-heure ISO (2024-05-01 ou 2024-05-01T12:00:00Z), pas {text[:40]!r}.",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _getlist(args: Mapping, key: str) -> list[str]:
    if hasattr(args, "getlist"):
        return [v for v in args.getlist(key) if v is not None]
    value = args.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _facet_names() -> tuple[str, ...]:
    try:
        from .search import FACETS
    except ImportError:  # search not installed in this build: no filters
        return ()
    return tuple(f.name for f in FACETS)


@dataclass(frozen=True)
class FeedRequest:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    requested_page_size: int = DEFAULT_PAGE_SIZE
    max_page_size: int = 1000
    modified_since: dt.datetime | None = None
    profile: OutputProfile = PROFILES[DEFAULT_PROFILE]
    filters: tuple[tuple[str, str], ...] = ()  # search parameters, in a stable order

    @property
    def clamped(self) -> bool:
        return self.requested_page_size > self.page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def filtered(self) -> bool:
        return bool(self.filters)

    @classmethod
    def from_args(cls, args: Mapping, settings) -> FeedRequest:
        max_size = max(1, int(settings.max_page_size))
        default = min(DEFAULT_PAGE_SIZE, max_size)
        requested = _int_arg(args, "page_size", default)
        since = (args.get("modified_since") or "").strip()
        filters = []
        for key in (*SEARCH_PARAMETERS, *_facet_names()):
            filters += [(key, v.strip()) for v in _getlist(args, key) if v and v.strip()]
        return cls(
            page=min(_int_arg(args, "page", 1), MAX_PAGE),
            page_size=min(requested, max_size),
            requested_page_size=requested,
            max_page_size=max_size,
            modified_since=parse_since(since) if since else None,
            profile=output_profile(args.get("profile")),
            filters=tuple(filters),
        )

    def link_args(self, page: int | None = None) -> list[tuple[str, str]]:
        """Query parameters of this request for `page` (the defaults left out)."""
        args = list(self.filters)
        if self.modified_since is not None:
            args.append(("modified_since", self.modified_since.isoformat().replace("+00:00", "Z")))
        if self.profile.name != DEFAULT_PROFILE:
            args.append(("profile", self.profile.name))
        if self.page_size != min(DEFAULT_PAGE_SIZE, self.max_page_size):
            args.append(("page_size", str(self.page_size)))
        page = self.page if page is None else page
        if page != 1:
            args.append(("page", str(page)))
        return args

    def search_query(self, settings):
        from werkzeug.datastructures import MultiDict

        from .search import SearchQuery

        return SearchQuery.from_args(MultiDict(self.filters), settings).replace(
            sort="title", lang="fr", page=min(self.page, 100_000), page_size=self.page_size
        )


# --- selecting a page ---------------------------------------------------------------------------


@dataclass
class FeedPage:
    request: FeedRequest
    total: int
    metas: list[RecordMeta]

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.request.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.last

    def etag(self, variant: str) -> str:
        """A strong validator of this page in one representation: changes when any of its records,
        their order or the total changes."""
        r = self.request
        since = r.modified_since.isoformat() if r.modified_since else ""
        key = f"{variant}|{r.page}|{r.page_size}|{since}|{r.profile.name}|{r.filters!r}|{self.total}"
        digest = hashlib.sha256(key.encode())
        for meta in self.metas:
            digest.update(f"|{meta.record_iri} {meta.content_hash} {meta.modified.isoformat()}".encode())
        return digest.hexdigest()[:40]


def _since_filter(since: dt.datetime | None) -> str:
    return f"FILTER(?m >= {_datetime(since)})" if since is not None else ""


def _listing_pattern(catalogue, since: dt.datetime | None) -> str:
    # Only catalogue records carry dct:modified in the metadata graph. One pattern and MINUS (a hash
    # join) keep this at ~0.04 s for 100,000 records on disk; with `?rec a dcat:CatalogRecord` joined
    # in it is 10x slower, and so is FILTER NOT EXISTS.
    return (
        f"GRAPH {iri(catalogue.records.meta_graph)} {{ ?rec {iri(str(DCT.modified))} ?m . {_since_filter(since)} "
        f"MINUS {{ ?rec {iri(str(CAT.withdrawn))} ?w }} }}"
    )


def count_records(catalogue, since: dt.datetime | None = None) -> int:
    rows = catalogue.store.select(f"SELECT (COUNT(?rec) AS ?n) WHERE {{ {_listing_pattern(catalogue, since)} }}")
    return int(rows[0]["n"].value) if rows else 0


def feed_metas(catalogue, record_iris: list[str]) -> list[RecordMeta]:
    """What the feed needs of some catalogue records, in the given order (missing and withdrawn ones left out).

    One query for the public fields only: the full RecordMeta also carries each record's validation
    report (JSON, often kilobytes), which a page of 1,000 records does not need. Fields the feed does
    not read are left empty (source, status) or copied (last_seen = modified); never store these.
    """
    if not record_iris:
        return []
    m, c, d = catalogue.records.meta_graph, str(CAT), str(DCT)
    values = " ".join(iri(r) for r in record_iris)
    rows = catalogue.store.select(
        f"SELECT ?rec ?res ?kind ?issued ?modified ?hash WHERE {{ VALUES ?rec {{ {values} }} GRAPH {iri(m)} {{ "
        f"?rec {iri(str(FOAF.primaryTopic))} ?res ; {iri(c + 'recordType')} ?kind ; {iri(d + 'issued')} ?issued ; "
        f"{iri(d + 'modified')} ?modified ; {iri(c + 'contentHash')} ?hash }} "
        # MINUS (or OPTIONAL) inside the GRAPH block makes pyoxigraph match the whole graph before the
        # VALUES (4 s instead of 0.08 s at 100,000 records): keep it outside.
        f"MINUS {{ GRAPH {iri(m)} {{ ?rec {iri(str(CAT.withdrawn))} ?w }} }} }}"
    )
    found = {}
    for r in rows:
        modified = _parse_datetime(r["modified"])
        found[r["rec"].value] = RecordMeta(
            record_iri=r["rec"].value,
            resource_iri=r["res"].value,
            kind=r["kind"].value,
            source="",
            first_seen=_parse_datetime(r["issued"]),
            modified=modified,
            last_seen=modified,
            content_hash=r["hash"].value,
            status="",
        )
    return [found[r] for r in record_iris if r in found]


def metas_for(catalogue, resource_iris: list[str]) -> list[RecordMeta]:
    """feed_metas() by main resource IRI."""
    return feed_metas(catalogue, [catalogue.records.record_iri(r) for r in resource_iris])


def _store_page(catalogue, request: FeedRequest) -> FeedPage:
    total = count_records(catalogue, request.modified_since)
    if request.offset >= total:
        return FeedPage(request, total, [])
    rows = catalogue.store.select(
        f"SELECT ?rec WHERE {{ {_listing_pattern(catalogue, request.modified_since)} }} "
        f"ORDER BY ?m LIMIT {request.page_size} OFFSET {request.offset}"
    )
    return FeedPage(request, total, feed_metas(catalogue, [r["rec"].value for r in rows]))


def _modified_since(catalogue, since: dt.datetime) -> set[str]:
    rows = catalogue.store.select(
        f"SELECT ?res WHERE {{ {_listing_pattern(catalogue, since)} "
        f"GRAPH {iri(catalogue.records.meta_graph)} {{ ?rec {iri(str(FOAF.primaryTopic))} ?res }} }}"
    )
    return {r["res"].value for r in rows}


def _index_page(catalogue, request: FeedRequest) -> FeedPage:
    settings = catalogue.settings
    query = request.search_query(settings)
    if request.modified_since is None:
        result = catalogue.index.search(query)
        iris = [h.iri for h in result.hits] if request.offset < result.total else []
        return FeedPage(request, result.total, metas_for(catalogue, iris))
    # Both a search and a date: the records modified since (usually few) filter the search's matches.
    recent = _modified_since(catalogue, request.modified_since)
    matching: list[str] = []
    size = max(1, settings.max_page_size)
    page = 1
    while recent:
        result = catalogue.index.search(query.replace(page=page, page_size=size))
        matching += [h.iri for h in result.hits if h.iri in recent]
        if page * size >= result.total or not result.hits:
            break
        page += 1
    chosen = matching[request.offset : request.offset + request.page_size]
    return FeedPage(request, len(matching), metas_for(catalogue, chosen))


def select_page(catalogue, request: FeedRequest) -> FeedPage:
    """The records of one page: from the store for the whole catalogue, from the search index for a slice."""
    return _index_page(catalogue, request) if request.filtered else _store_page(catalogue, request)


# --- triples ---------------------------------------------------------------------------------------


def hydra_triples(page: FeedPage, settings, page_url: Callable[[int], str]) -> list[ox.Triple]:
    """Hydra paging: the catalogue is the hydra:Collection, this page its hydra:PartialCollectionView.

    The legacy terms ckanext-dcat era harvesters read (hydra:PagedCollection, nextPage...) are
    stated on the same view node.
    """
    cat, view = _T(catalogue_iri(settings)), _T(page_url(page.page))
    h = HYDRA
    typ = _T(str(RDF.type))
    count = lambda n: ox.Literal(str(n), datatype=_T(str(XSD.nonNegativeInteger)))  # noqa: E731
    out = [
        ox.Triple(cat, typ, _T(str(h.Collection))),
        ox.Triple(cat, _T(str(h.totalItems)), count(page.total)),
        ox.Triple(cat, _T(str(h.view)), view),
        ox.Triple(view, typ, _T(str(h.PartialCollectionView))),
        ox.Triple(view, typ, _T(str(h.PagedCollection))),
        ox.Triple(view, _T(str(h.first)), _T(page_url(1))),
        ox.Triple(view, _T(str(h.last)), _T(page_url(page.last))),
        ox.Triple(view, _T(str(h.firstPage)), _T(page_url(1))),
        ox.Triple(view, _T(str(h.lastPage)), _T(page_url(page.last))),
        ox.Triple(view, _T(str(h.totalItems)), count(page.total)),
        ox.Triple(view, _T(str(h.itemsPerPage)), count(page.request.page_size)),
    ]
    if page.has_next:
        out += [
            ox.Triple(view, _T(str(h.next)), _T(page_url(page.page + 1))),
            ox.Triple(view, _T(str(h.nextPage)), _T(page_url(page.page + 1))),
        ]
    if page.page > 1:
        previous = _T(page_url(min(page.page - 1, page.last)))
        out += [ox.Triple(view, _T(str(h.previous)), previous), ox.Triple(view, _T(str(h.previousPage)), previous)]
    request = page.request
    if request.clamped:
        out += [
            ox.Triple(view, _T(str(CAT.requestedPageSize)), count(request.requested_page_size)),
            ox.Triple(
                view,
                _T(str(RDFS.comment)),
                ox.Literal(
                    f"page_size {request.requested_page_size} is above the maximum; pages hold {request.page_size} "
                    "records.",
                    language="en",
                ),
            ),
            ox.Triple(
                view,
                _T(str(RDFS.comment)),
                ox.Literal(
                    f"page_size {request.requested_page_size} dépasse le maximum ; les pages contiennent "
                    f"{request.page_size} fiches.",
                    language="fr",
                ),
            ),
        ]
    return out


def record_triples(catalogue, meta: RecordMeta, profile: OutputProfile | None = None) -> list[ox.Triple]:
    """One record as served: its graph (datatypes restored) and its public dcat:CatalogRecord."""
    triples = catalogue.records.triples(meta)
    if not triples:  # deleted since the page was chosen
        return []
    profile = profile or PROFILES[DEFAULT_PROFILE]
    return profile.apply(triples) + catalog_record_triples(meta, catalogue.settings)


def feed_groups(catalogue, page: FeedPage, page_url: Callable[[int], str]) -> Iterator[list[ox.Triple]]:
    """The catalogue node with the paging triples, then one group of triples per record."""
    settings = catalogue.settings
    head = catalogue_node(settings)
    # The DCAT-AP ranges want the catalogue's foaf:homepage to be a foaf:Document (2.1.1 checks it).
    head += [
        ox.Triple(t.object, _T(str(RDF.type)), _T(str(FOAF.Document)))
        for t in head
        if t.predicate.value == str(FOAF.homepage)
    ]
    yield page.request.profile.apply(head) + hydra_triples(page, settings, page_url)
    profile = page.request.profile
    for group in read_ahead(lambda meta: record_triples(catalogue, meta, profile), page.metas):
        if group:
            yield group


# Reading a record costs far more than serialising it (pyoxigraph decodes every term from RocksDB,
# ~5 µs a quad; a remote store answers over HTTP). Two reader threads keep a few records ahead of the
# serialiser so that waits on disk or network overlap; on a warm embedded store pyoxigraph holds the
# GIL while decoding, so this buys little CPU parallelism there (bench/README-feed.md).
# At most READ_AHEAD records are held at once.
