"""Records in the store: one named graph per record, its dcat:CatalogRecord in the metadata graph.

Every write is one SPARQL Update, so a record is replaced atomically on any backend that applies an
update atomically. A store that does not (Virtuoso: `store.atomic_updates` is False) gets each record
staged in a fresh graph first (store.put_graph), then swapped in by one short update that only moves
triples the server already holds (docs/remote-store.md).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass

import pyoxigraph as ox

from ..records import Record, record_id, restore_datatypes
from ..vocab import CAT, DCAT, DCT, FOAF, RDF, XSD
from .base import GraphStore, iri

_T = ox.NamedNode
_RECORD_ID = re.compile(r"[a-z0-9-]{1,80}")
_KEYS = {"res": "resource_iri", "rec": "record_iri"}
# Records swapped in per update on a store without atomic multi-operation updates (Virtuoso cannot
# compile much more than a few hundred operations in one request).
STAGED_GROUP = 25


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
        previous = previous or self.get_meta(record.iri)
        return self.replace_many([(record, status, report, previous)], source=source, now=now)[0]

    def replace_many(
        self, items: list[tuple[Record, str, dict | None, RecordMeta | None]], *, source: str,
        now: dt.datetime | None = None,
    ) -> list[RecordMeta]:
        """Replace several records in ONE update: each record is whole before and after, never merged.

        items: (record, status, report, previous meta). `previous` MUST be the record's current
        metadata (None only for a record not in the store: its graph is then not dropped).
        Batching amortises the cost of a transaction.
        """
        now = now or _now()
        metas, drops, inserts = [], [], []
        meta_graph = iri(self.meta_graph)
        for record, status, report, previous in items:
            meta = RecordMeta(
                record_iri=self.record_iri(record.iri), resource_iri=record.iri, kind=record.kind, source=source,
                first_seen=previous.first_seen if previous else now, modified=now, last_seen=now,
                content_hash=record.content_hash, status=status, report=report,
            )
            metas.append(meta)
            graph = iri(meta.record_iri)
            # A record's graph exists exactly when its catalogue record does; a store shared by several
            # processes (a remote one) may have got it from another process since `previous` was read.
            if previous is not None or getattr(self.store, "shared", False):
                drops.append(f"DROP SILENT GRAPH {graph} ;\nDELETE WHERE {{ GRAPH {meta_graph} {{ {graph} ?p ?o }} }} ;")
            inserts.append(f"GRAPH {graph} {{\n{record.to_ntriples()}\n}}\nGRAPH {meta_graph} {{\n{self._meta_text(meta)}\n}}")
        if metas and not getattr(self.store, "atomic_updates", True):
            self._replace_staged(metas, [item[0] for item in items])
        elif metas:
            self.store.update("\n".join(drops) + "\nINSERT DATA {\n" + "\n".join(inserts) + "\n}")
        return metas

    def _replace_staged(self, metas: list[RecordMeta], records: list[Record]) -> None:
        """For a store whose multi-operation updates are not atomic (Virtuoso commits the operations that ran
        before a failing one). 1. Each record, and the catalogue records of the group, go to fresh staging
        graphs (store.put_graph): if the server refuses one, the live records are untouched. 2. One short
        update per group swaps them in: it only copies triples the server already holds, and readers see
        the old records or the new ones (one transaction)."""
        meta_graph = iri(self.meta_graph)
        for start in range(0, len(metas), STAGED_GROUP):
            group = range(start, min(start + STAGED_GROUP, len(metas)))
            token = uuid.uuid4().hex
            stages = [f"{self.base_iri}/staging/{metas[i].id}/{token}" for i in group]
            stage_meta = f"{self.base_iri}/staging/catalogue-records/{token}"
            try:
                for stage, i in zip(stages, group, strict=True):
                    self.store.put_graph(stage, records[i].triples)
                meta_text = "\n".join(self._meta_text(metas[i]) for i in group)
                self.store.put_graph(stage_meta, [ox.Triple(q.subject, q.predicate, q.object)
                                                  for q in ox.parse(meta_text, format=ox.RdfFormat.N_TRIPLES)])
                swap = [
                    f"DROP SILENT GRAPH {graph} ;\nDELETE WHERE {{ GRAPH {meta_graph} {{ {graph} ?p ?o }} }} ;\n"
                    f"ADD {iri(stage)} TO {graph} ;"
                    for stage, graph in zip(stages, (iri(metas[i].record_iri) for i in group), strict=True)
                ]
                self.store.update("\n".join(swap) + f"\nADD {iri(stage_meta)} TO {meta_graph} ;\n"
                                  + " ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in [*stages, stage_meta]))
            except Exception:
                try:  # best effort; what a dead server keeps is removed by drop_staging()
                    self.store.update(" ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in [*stages, stage_meta]))
                except Exception:
                    pass
                raise

    def drop_staging(self) -> int:
        """Drop the staging graphs a failed write left behind (non-atomic stores only); returns how many."""
        rows = self.store.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "
            f"{ox.Literal(self.base_iri + '/staging/')})) }}"
        )
        if rows:
            self.store.update(" ;\n".join(f"DROP SILENT GRAPH {r['g']}" for r in rows))
        return len(rows)

    def touch(self, meta: RecordMeta, *, now: dt.datetime | None = None) -> None:
        """Record that an unchanged record was seen again (and un-withdraw it)."""
        self.touch_many([meta], now=now)

    def touch_many(self, metas: list[RecordMeta], *, now: dt.datetime | None = None) -> None:
        if not metas:
            return
        now = now or _now()
        meta_graph = iri(self.meta_graph)
        values = " ".join(iri(m.record_iri) for m in metas)
        inserts = "\n".join(f"{iri(m.record_iri)} {iri(str(CAT.lastSeen))} {_datetime(now)} ." for m in metas)
        last_seen, withdrawn = iri(str(CAT.lastSeen)), iri(str(CAT.withdrawn))
        # VALUES inside the GRAPH block and no OPTIONAL: the engine then looks each record up
        # instead of scanning every catalogue record.
        self.store.update(
            f"DELETE {{ GRAPH {meta_graph} {{ ?rec {last_seen} ?o }} }}\n"
            f"WHERE {{ GRAPH {meta_graph} {{ VALUES ?rec {{ {values} }} ?rec {last_seen} ?o }} }} ;\n"
            f"DELETE {{ GRAPH {meta_graph} {{ ?rec {withdrawn} ?w }} }}\n"
            f"WHERE {{ GRAPH {meta_graph} {{ VALUES ?rec {{ {values} }} ?rec {withdrawn} ?w }} }} ;\n"
            f"INSERT DATA {{ GRAPH {meta_graph} {{\n{inserts}\n}} }}"
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

    def get_metas(self, resource_iris: list[str]) -> dict[str, RecordMeta]:
        """The metadata of many records in one query, by resource IRI (absent ones are left out)."""
        if not resource_iris:
            return {}
        values = " ".join(iri(self.record_iri(r)) for r in resource_iris)
        return {m.resource_iri: m for m in self._metas(f"VALUES ?rec {{ {values} }}")}

    def get_meta_by_id(self, rid: str) -> RecordMeta | None:
        if not _RECORD_ID.fullmatch(rid or ""):  # ids are minted by records.record_id: nothing else exists
            return None
        found = self._metas(f"VALUES ?rec {{ {iri(f'{self.base_iri}/record/{rid}')} }}")
        return found[0] if found else None

    def list_metas(self, *, source: str | None = None, order: str = "?res", limit: int | None = None,
                   offset: int = 0) -> list[RecordMeta]:
        filter_clause = f"VALUES ?source {{ {ox.Literal(source)} }}" if source is not None else ""
        page = getattr(self.store, "page_size", None)
        if limit is None and page and order in ("?res", "?rec"):
            return self._metas_by_page(filter_clause, order[1:], page)[offset:]
        tail = f"ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit is not None else "") + (
            f" OFFSET {int(offset)}" if offset else "")
        return self._metas(filter_clause, tail)

    def _metas_by_page(self, filter_clause: str, key: str, page: int) -> list[RecordMeta]:
        """Every record, read `page` rows at a time from a store that cuts long results (Virtuoso), in
        the order of `key` (res or rec). Pages follow the last key seen, not an OFFSET: Virtuoso also
        refuses to sort past MaxSortedTopRows (10,000) rows."""
        metas: list[RecordMeta] = []
        while True:
            after = f"FILTER(STR(?{key}) > {ox.Literal(getattr(metas[-1], _KEYS[key]))})" if metas else ""
            batch = self._metas(f"{filter_clause} {after}", f"ORDER BY STR(?{key}) LIMIT {page}")
            metas += batch
            if len(batch) < page:
                return metas

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

