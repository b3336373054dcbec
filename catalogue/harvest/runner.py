"""One harvest run of one source: fetch the pages, ingest their records, handle what disappeared, report.

Rules kept here:
- Records are written only through `catalogue.ingest` (the one write path), owned by the source
  `harvest:<name>`. A record owned by another source (or the catalogue's own, "local") is refused
  by ingest with Forbidden and reported as rejected with that message; so is a record that asserts
  triples about another source's record (the `allowed` guard below).
- A page that answers 304 Not Modified stands for its records as last seen: they are touched,
  not re-parsed. A record whose content hash did not change is not rewritten (ingest says
  "unchanged").
- Only a complete run (every page read, no error, not a dry run) handles disappeared records:
  the first time a record is missing it is marked withdrawn; when it is still missing
  `harvest_grace_days` after that, it is deleted. A run with errors withdraws and deletes nothing,
  and leaves every previous record served.
- Duplicates across sources (same dct:identifier or adms:identifier notation) are reported,
  never merged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import CatalogueError, Forbidden
from ..ingest import delete_record, ingest_bytes
from ..records import Record
from ..store.base import iri
from ..store.records import RecordMeta
from ..vocab import ADMS, CAT, DCT, FOAF, SKOS
from . import ckan
from .fetch import Fetcher
from .paging import PageState, PageStates, PageWalk, next_page_of_document, normalise_url
from .reports import RunHistory, RunReport, new_run_id
from .sources import Source, SourceRegistry, is_due

log = logging.getLogger(__name__)
TOUCH_BATCH = 1000

DCAT_ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, "
    "application/n-triples;q=0.7, application/trig;q=0.6, application/n-quads;q=0.6"
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class _Page:
    url: str
    state: PageState | None
    not_modified: bool = False
    data: bytes = b""
    media_type: str | None = None
    fmt: str | None = None
    next_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class Harvester:
    """Runs sources against one catalogue. `clock` and `fetcher` can be injected (tests, benchmarks)."""

    def __init__(
        self,
        catalogue,
        *,
        fetcher: Fetcher | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        allow_networks=(),
    ):
        self.catalogue = catalogue
        self.settings = catalogue.settings
        self.fetcher = fetcher or Fetcher(self.settings, allow_networks=allow_networks)
        self.clock = clock
        self.sources = SourceRegistry(catalogue.store, self.settings.base_iri)
        self.history = RunHistory(catalogue.store, self.settings.base_iri)

    # --- entry points ------------------------------------------------------------------------------
    def run_named(self, name: str, **kwargs) -> RunReport:
        return self.run(self.sources.get(name), **kwargs)

    def run_all(self, **kwargs) -> list[RunReport]:
        return [self.run(source, **kwargs) for source in self.sources.list()]

    def due_sources(self) -> list[Source]:
        now = self.clock()
        return [s for s in self.sources.list() if is_due(s, self.history.last_success(s.name), now)]

    def run(
        self,
        source: Source,
        *,
        dry_run: bool = False,
        on_page: Callable | None = None,
        on_outcome: Callable | None = None,
    ) -> RunReport:
        """Harvest `source` once. Never raises for a feed problem: it is in the report."""
        now = self.clock()
        report = RunReport(
            id=new_run_id(now),
            source=source.name,
            source_type=source.type,
            url=source.url,
            started=now,
            dry_run=dry_run,
        )
        run = _Run(self, source, report, dry_run, on_page, on_outcome)
        try:
            run.execute()
        except CatalogueError as exc:  # the store failed under us: report, withdraw nothing
            report.error(source.url, exc)
        except Exception as exc:  # a bug or an engine error: the run fails, the next source still runs
            log.exception("Harvest of %s failed", source.name)
            report.error(
                source.url,
                CatalogueError(
                    f"Unexpected error ({type(exc).__name__}); see the harvester's log.",
                    f"Erreur inattendue ({type(exc).__name__}) ; voir le journal du moissonneur.",
                ),
            )
        report.finished = self.clock()
        report.status = (
            "success" if report.complete and not report.errors else "partial" if report.pages_fetched else "failed"
        )
        if not dry_run:
            self.history.save(report)
        return report


class _Run:
    def __init__(
        self,
        harvester: Harvester,
        source: Source,
        report: RunReport,
        dry_run: bool,
        on_page: Callable | None,
        on_outcome: Callable | None,
    ):
        self.h, self.catalogue, self.source, self.report = harvester, harvester.catalogue, source, report
        self.dry_run, self.on_page, self.on_outcome = dry_run, on_page, on_outcome
        self.owner = source.owner
        self.pages = PageStates(self.catalogue.store, harvester.settings.base_iri, source.name)
        self.seen: set[str] = set()
        self.rejected: set[str] = set()
        self.to_touch: list[RecordMeta] = []
        self.identifiers: dict[str, set[str]] = {}

    # --- what the store holds before the run ----------------------------------------------------------
    def _load(self) -> None:
        self.existing = own_records(self.catalogue, self.owner)
        self.page_states = self.pages.load()
        meta_graph = iri(self.catalogue.records.meta_graph)
        rows = self.catalogue.store.select(
            f"SELECT ?res ?source WHERE {{ GRAPH {meta_graph} {{ ?rec <{FOAF.primaryTopic}> ?res ;"
            f" <{CAT.source}> ?source }} }}"
        )
        self.others = {r["res"].value: r["source"].value for r in rows if r["source"].value != self.owner}
        self.other_ids: dict[str, set[tuple[str, str]]] = {}
        self.own_ids: dict[str, set[str]] = {}
        for identifier, resource, source in identifier_rows(self.catalogue):
            if source != self.owner:
                self.other_ids.setdefault(identifier, set()).add((resource, source))
            else:
                self.own_ids.setdefault(resource, set()).add(identifier)

    # --- the guard given to ingest: runs for every record of the feed --------------------------------
    def allowed(self, record: Record) -> None:
        for triple in record.triples:
            subject = triple.subject
            if isinstance(subject, ox.NamedNode) and subject.value != record.iri and subject.value in self.others:
                other = self.others[subject.value]
                raise Forbidden(
                    f"The record asserts statements about {subject.value}, which belongs to source '{other}'; "
                    f"source '{self.owner}' may not change it.",
                    f"La fiche affirme des triplets sur {subject.value}, qui appartient à la source « {other} » ; "
                    f"la source « {self.owner} » ne peut pas la modifier.",
                    where=record.iri,
                )
        self.identifiers[record.iri] = record_identifiers(record)

    # --- the run -------------------------------------------------------------------------------------
    def execute(self) -> None:
        self._load()
        first = ckan.page_url(self.source.url, 0) if self.source.type == "ckan" else self.source.url
        walk = PageWalk(first, self.h.settings.harvest_max_pages)
        fetched: set[str] = set()
        try:
            while True:
                url = None
                try:
                    url = walk.take()
                    if url is None:
                        break
                    page = self._fetch(url)
                    fetched.add(normalise_url(url))
                    walk.follow(page.next_url)
                    self._ingest(page)
                except CatalogueError as exc:
                    self.report.error(url or self.source.url, exc)
                    if url and not any(p["url"] == url for p in self.report.pages):
                        self.report.pages.append({"url": url, "status": "error", "records": 0})
                    break
        finally:
            self._touch()  # what was seen was seen, even when a later page failed
        self._duplicates()
        self.report.complete = not self.report.errors
        if self.report.complete:
            self._disappeared()
            if not self.dry_run:  # pages that are no longer part of the feed
                for key, state in self.page_states.items():
                    if key not in fetched:
                        self.pages.forget(state.url)

    def _fetch(self, url: str) -> _Page:
        state = self.page_states.get(normalise_url(url))
        accept = ckan.ACCEPT if self.source.type == "ckan" else DCAT_ACCEPT
        response = self.h.fetcher.get(
            url,
            headers={"Accept": accept},
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        page = _Page(url=url, state=state, etag=response.etag, last_modified=response.last_modified)
        if response.not_modified and state is not None:
            page.not_modified, page.next_url = True, state.next_url
            page.etag, page.last_modified = page.etag or state.etag, page.last_modified or state.last_modified
            return page
        if self.source.type == "ckan":
            packages, count = ckan.parse_page(response.body, url)
            page.data = ckan.page_to_ntriples(packages, ckan.portal_root(self.source.url))
            page.fmt = "nt"
            page.next_url = ckan.next_url(self.source.url, url, packages, count)
        else:
            page.data, page.media_type = response.body, response.content_type
            page.next_url = next_page_of_document(
                response.body,
                media_type=response.content_type,
                page_url=response.url,
                max_bytes=self.h.settings.max_input_bytes,
            )
        return page

    def _ingest(self, page: _Page) -> None:
        if page.not_modified:
            metas = [self.existing[r] for r in page.state.records if r in self.existing]
            self.seen.update(page.state.records)
            if not self.dry_run:
                self.to_touch += metas
                if len(self.to_touch) >= TOUCH_BATCH:
                    self._touch()
            for _ in metas:
                self.report.count("unchanged")
            self._page_done(page, 304, page.state.records, rejected=False)
            return
        on_page: list[str] = []
        rejected = False

        def outcome(o):
            nonlocal rejected
            self.seen.add(o.iri)
            on_page.append(o.iri)
            if o.status == "rejected":
                rejected = True
                self.rejected.add(o.iri)
                self.report.count(
                    "rejected", {"iri": o.iri, "error": o.error, "error_fr": o.error_fr, "report": o.report}
                )
            else:
                kind = {"accepted": "added"}.get(o.status, o.status)
                self.report.count(kind, o.iri if kind != "unchanged" else None)
            if self.on_outcome:
                self.on_outcome(o)

        filename = page.url.split("?", 1)[0].rsplit("/", 1)[-1] or None
        ingest_bytes(
            self.catalogue,
            page.data,
            format=page.fmt,
            media_type=page.media_type,
            filename=filename if filename and "." in filename else None,
            source=self.owner,
            dry_run=self.dry_run,
            on_outcome=outcome,
            allowed=self.allowed,
        )
        self._page_done(page, 200, on_page, rejected=rejected)

    def _touch(self) -> None:
        """Move `last seen` of the records of 304 pages, many at a time: each update scans the record
        metadata, so one per 1,000 records costs a tenth of one per page."""
        if self.to_touch:
            self.catalogue.records.touch_many(self.to_touch, now=self.h.clock())
            self.to_touch = []

    def _page_done(self, page: _Page, status: int, records: list[str], *, rejected: bool) -> None:
        self.report.pages.append({"url": page.url, "status": status, "records": len(records)})
        if not self.dry_run and (status == 200 or page.etag != (page.state.etag if page.state else None)):
            # A page with a rejected record keeps no validators: it is read again next time, so the
            # rejection is reported again rather than hidden behind a 304.
            self.pages.save(
                PageState(
                    url=page.url,
                    etag=None if rejected else page.etag,
                    last_modified=None if rejected else page.last_modified,
                    next_url=page.next_url,
                    records=sorted(set(records)),
                )
            )
        if self.on_page:
            self.on_page(page.url, status, len(records))

    # --- after the pages --------------------------------------------------------------------------------
    def _disappeared(self) -> None:
        now = self.h.clock()
        grace = dt.timedelta(days=self.h.settings.harvest_grace_days)
        records = self.catalogue.records
        for resource, meta in sorted(self.existing.items()):
            if resource in self.seen:
                continue
            if meta.withdrawn is None:
                self.report.count("withdrawn", resource)
                if not self.dry_run:
                    records.mark_withdrawn(meta, now=now)
                    fresh = records.get_meta(resource)
                    if fresh is not None:
                        self.catalogue.index.add(records.record(fresh), fresh)
            elif now - meta.withdrawn >= grace:
                self.report.count("deleted", resource)
                if not self.dry_run:
                    delete_record(self.catalogue, resource, source=self.owner)
        if not self.dry_run:
            self.catalogue.index.commit()

    def _duplicates(self) -> None:
        for resource in sorted(self.seen - self.rejected):
            identifiers = self.identifiers.get(resource, self.own_ids.get(resource, set()))
            for identifier in sorted(identifiers):
                for other, source in sorted(self.other_ids.get(identifier, ())):
                    if other != resource:
                        self.report.duplicates.append(
                            {
                                "identifier": identifier,
                                "record": resource,
                                "other_record": other,
                                "other_source": source,
                            }
                        )


# --- what the store holds ---------------------------------------------------------------------------------


def own_records(catalogue, owner: str) -> dict[str, RecordMeta]:
    """The catalogue records of one source, without their validation reports.

    RecordStore.list_metas() parses every stored warning report (about 10 KB of JSON per record):
    a run only needs the bookkeeping, and memory must not grow with the size of the source.
    """
    meta_graph = iri(catalogue.records.meta_graph)
    rows = catalogue.store.select(
        # The source is a literal term serialised by pyoxigraph (escaped), given first so the engine starts
        # from it: 4x faster at 10,000 records than a trailing VALUES.
        f"SELECT ?rec ?res ?kind ?issued ?modified ?seen ?hash ?status ?withdrawn WHERE {{ GRAPH {meta_graph} {{"
        f" ?rec <{CAT.source}> {ox.Literal(owner)} ; <{FOAF.primaryTopic}> ?res ; <{CAT.recordType}> ?kind ;"
        f" <{DCT.issued}> ?issued ; <{DCT.modified}> ?modified ; <{CAT.lastSeen}> ?seen ;"
        f" <{CAT.contentHash}> ?hash ; <{CAT.validationStatus}> ?status ."
        f" OPTIONAL {{ ?rec <{CAT.withdrawn}> ?withdrawn }} }} }}"
    )

    def when(term):
        return dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))

    return {
        r["res"].value: RecordMeta(
            record_iri=r["rec"].value,
            resource_iri=r["res"].value,
            kind=r["kind"].value,
            source=owner,
            first_seen=when(r["issued"]),
            modified=when(r["modified"]),
            last_seen=when(r["seen"]),
            content_hash=r["hash"].value,
            status=r["status"].value,
            report=None,
            withdrawn=when(r["withdrawn"]) if "withdrawn" in r else None,
        )
        for r in rows
    }


# --- identifiers and duplicates ---------------------------------------------------------------------------


def record_identifiers(record: Record) -> set[str]:
    """dct:identifier values of the record's main resource and the notations of its adms:identifiers."""
    root = ox.NamedNode(record.iri)
    ids, nodes = set(), set()
    for t in record.triples:
        if t.subject == root and t.predicate.value == str(DCT.identifier) and isinstance(t.object, ox.Literal):
            ids.add(t.object.value.strip())
        elif t.subject == root and t.predicate.value == str(ADMS.identifier):
            nodes.add(t.object)
    for t in record.triples:
        if t.subject in nodes and t.predicate.value == str(SKOS.notation) and isinstance(t.object, ox.Literal):
            ids.add(t.object.value.strip())
    return {i for i in ids if i}


def identifier_rows(catalogue) -> list[tuple[str, str, str]]:
    """(identifier, resource, source) for every record, read from the records' own graphs."""
    rows = catalogue.store.select(
        f"SELECT ?id ?res ?source WHERE {{"
        f" GRAPH {iri(catalogue.records.meta_graph)} {{ ?g <{FOAF.primaryTopic}> ?res ; <{CAT.source}> ?source }}"
        f" GRAPH ?g {{ {{ ?res <{DCT.identifier}> ?id }} UNION"
        f" {{ ?res <{ADMS.identifier}> ?node . ?node <{SKOS.notation}> ?id }} }} }}"
    )
    return [(r["id"].value.strip(), r["res"].value, r["source"].value) for r in rows if r["id"].value.strip()]


def find_duplicates(catalogue) -> list[dict]:
    """Identifiers shared by records of different sources: [{identifier, records: [{iri, source}]}]."""
    by_id: dict[str, dict[str, str]] = {}
    for identifier, resource, source in identifier_rows(catalogue):
        by_id.setdefault(identifier, {})[resource] = source
    out = []
    for identifier, records in sorted(by_id.items()):
        if len(records) > 1 and len(set(records.values())) > 1:
            out.append(
                {"identifier": identifier, "records": [{"iri": r, "source": s} for r, s in sorted(records.items())]}
            )
    return out
