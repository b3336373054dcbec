"""Records in the store: one named graph per record, its dcat:CatalogRecord in the metadata graph.

Every write is one SPARQL Update, so a record is replaced atomically on any backend.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pyoxigraph as ox

from ..records import Record, record_id, restore_datatypes
from ..vocab import CAT, DCAT, DCT, FOAF, RDF, XSD
from .base import GraphStore, iri

_T = ox.NamedNode


@dataclass(frozen=True)
class RecordMeta:
    """The dcat:CatalogRecord of one record."""

    record_iri: str
    resource_iri: str
    kind: str
    source: str
    first_seen: dt.datetime
    modified: dt.datetime
    last_seen: dt.datetime
    content_hash: str
    status: str  # "valid" or "warnings"
    report: dict | None = None
    withdrawn: dt.datetime | None = None

    @property
    def id(self) -> str:
        return self.record_iri.rsplit("/", 1)[-1]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _datetime(value: dt.datetime) -> ox.Literal:
    return ox.Literal(value.isoformat().replace("+00:00", "Z"), datatype=_T(str(XSD.dateTime)))


def _parse_datetime(term) -> dt.datetime:
    return dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))


class RecordStore:
    """The record layer of the catalogue over any GraphStore."""

    def __init__(self, store: GraphStore, base_iri: str):
        self.store = store
        self.base_iri = base_iri.rstrip("/")
        self.meta_graph = f"{self.base_iri}/catalogue-records"

    # --- naming ---------------------------------------------------------------------------
    def record_iri(self, resource_iri: str) -> str:
        return f"{self.base_iri}/record/{record_id(resource_iri)}"

    # --- writes -------------------------------------------------------------------------------
    def replace(
        self, record: Record, *, source: str, status: str, report: dict | None = None,
        previous: RecordMeta | None = None, now: dt.datetime | None = None,
    ) -> RecordMeta:
        now = now or _now()
        meta = RecordMeta(
            record_iri=self.record_iri(record.iri), resource_iri=record.iri, kind=record.kind, source=source,
            first_seen=previous.first_seen if previous else now, modified=now, last_seen=now,
            content_hash=record.content_hash, status=status, report=report,
        )
        graph = iri(meta.record_iri)
        self.store.update(
            f"DROP SILENT GRAPH {graph} ;\n"
            f"DELETE WHERE {{ GRAPH {iri(self.meta_graph)} {{ {graph} ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH {graph} {{\n{record.to_ntriples()}\n}}\n"
            f"GRAPH {iri(self.meta_graph)} {{\n{self._meta_text(meta)}\n}} }}"
        )
        return meta

    def touch(self, meta: RecordMeta, *, now: dt.datetime | None = None) -> None:
        """Record that an unchanged record was seen again (and un-withdraw it)."""
        now = now or _now()
        graph, meta_graph = iri(meta.record_iri), iri(self.meta_graph)
        self.store.update(
            f"DELETE WHERE {{ GRAPH {meta_graph} {{ {graph} {iri(str(CAT.lastSeen))} ?o }} }} ;\n"
            f"DELETE WHERE {{ GRAPH {meta_graph} {{ {graph} {iri(str(CAT.withdrawn))} ?w }} }} ;\n"
            f"INSERT DATA {{ GRAPH {meta_graph} {{ {graph} {iri(str(CAT.lastSeen))} {_datetime(now)} }} }}"
        )

    def mark_withdrawn(self, meta: RecordMeta, *, now: dt.datetime | None = None) -> None:
        graph, meta_graph = iri(meta.record_iri), iri(self.meta_graph)
        self.store.update(
            f"INSERT DATA {{ GRAPH {meta_graph} {{ {graph} {iri(str(CAT.withdrawn))} {_datetime(now or _now())} }} }}"
        )

    def delete(self, resource_iri: str) -> bool:
        meta = self.get_meta(resource_iri)
        if meta is None:
            return False
        graph = iri(meta.record_iri)
        self.store.update(
            f"DROP SILENT GRAPH {graph} ;\n"
            f"DELETE WHERE {{ GRAPH {iri(self.meta_graph)} {{ {graph} ?p ?o }} }}"
        )
        return True

    def _meta_text(self, meta: RecordMeta) -> str:
        subject = _T(meta.record_iri)
        triples = [
            (RDF.type, _T(str(DCAT.CatalogRecord))),
            (FOAF.primaryTopic, _T(meta.resource_iri)),
            (CAT.recordType, _T(meta.kind)),
            (CAT.source, ox.Literal(meta.source)),
            (DCT.issued, _datetime(meta.first_seen)),
            (DCT.modified, _datetime(meta.modified)),
            (CAT.lastSeen, _datetime(meta.last_seen)),
            (CAT.contentHash, ox.Literal(meta.content_hash)),
            (CAT.validationStatus, ox.Literal(meta.status)),
        ]
        if meta.report:
            triples.append((CAT.validationReport, ox.Literal(json.dumps(meta.report, ensure_ascii=False))))
        return "\n".join(f"{subject} {_T(str(p))} {o} ." for p, o in triples)

    # --- reads --------------------------------------------------------------------------------
    _META_QUERY = """
        SELECT ?rec ?res ?kind ?source ?issued ?modified ?seen ?hash ?status ?report ?withdrawn WHERE {{
          GRAPH {meta} {{
            {filter}
            ?rec a <http://www.w3.org/ns/dcat#CatalogRecord> ;
                 <http://xmlns.com/foaf/0.1/primaryTopic> ?res ; <{cat}recordType> ?kind ; <{cat}source> ?source ;
                 <http://purl.org/dc/terms/issued> ?issued ; <http://purl.org/dc/terms/modified> ?modified ;
                 <{cat}lastSeen> ?seen ; <{cat}contentHash> ?hash ; <{cat}validationStatus> ?status .
            OPTIONAL {{ ?rec <{cat}validationReport> ?report }}
            OPTIONAL {{ ?rec <{cat}withdrawn> ?withdrawn }}
          }}
        }} {tail}"""

    def _metas(self, filter_clause: str = "", tail: str = "") -> list[RecordMeta]:
        rows = self.store.select(
            self._META_QUERY.format(meta=iri(self.meta_graph), filter=filter_clause, cat=str(CAT), tail=tail)
        )
        return [
            RecordMeta(
                record_iri=r["rec"].value, resource_iri=r["res"].value, kind=r["kind"].value,
                source=r["source"].value, first_seen=_parse_datetime(r["issued"]),
                modified=_parse_datetime(r["modified"]), last_seen=_parse_datetime(r["seen"]),
                content_hash=r["hash"].value, status=r["status"].value,
                report=json.loads(r["report"].value) if "report" in r else None,
                withdrawn=_parse_datetime(r["withdrawn"]) if "withdrawn" in r else None,
            )
            for r in rows
        ]

    def get_meta(self, resource_iri: str) -> RecordMeta | None:
        found = self._metas(f"VALUES ?rec {{ {iri(self.record_iri(resource_iri))} }}")
        return found[0] if found else None

    def get_meta_by_id(self, rid: str) -> RecordMeta | None:
        found = self._metas(f"VALUES ?rec {{ {iri(f'{self.base_iri}/record/{rid}')} }}")
        return found[0] if found else None

    def list_metas(self, *, source: str | None = None, order: str = "?res", limit: int | None = None,
                   offset: int = 0) -> list[RecordMeta]:
        filter_clause = f"VALUES ?source {{ {ox.Literal(source)} }}" if source is not None else ""
        tail = f"ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit is not None else "") + (
            f" OFFSET {int(offset)}" if offset else "")
        return self._metas(filter_clause, tail)

    def triples(self, meta: RecordMeta) -> list[ox.Triple]:
        """The record's triples, with the datatypes the profiles require."""
        return restore_datatypes(self.store.graph_triples(meta.record_iri))

    def record(self, meta: RecordMeta) -> Record:
        return Record(iri=meta.resource_iri, kind=meta.kind, triples=self.triples(meta))

    def count(self) -> dict[str, int]:
        rows = self.store.select(
            f"SELECT ?kind (COUNT(?rec) AS ?n) WHERE {{ GRAPH {iri(self.meta_graph)} "
            f"{{ ?rec <{CAT}recordType> ?kind }} }} GROUP BY ?kind"
        )
        return {r["kind"].value.rsplit("#", 1)[-1]: int(r["n"].value) for r in rows}

