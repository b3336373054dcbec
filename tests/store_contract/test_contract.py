"""The store contract: what the catalogue asks of every backend, run on each of them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue.errors import CatalogueError
from catalogue.records import content_hash
from catalogue.store import RecordStore

from .conftest import make_record

DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
XSD = "http://www.w3.org/2001/XMLSchema#"


def titles(records, meta):
    return sorted(str(t.object) for t in records.triples(meta) if t.predicate == DCT_TITLE)


def ground(triples):
    """The triples without blank nodes (their labels are the store's business) nor byte sizes
    (stores canonicalise "012" to "12": test_stored_literals_get_their_required_datatypes_back)."""
    return {
        str(t)
        for t in triples
        if not isinstance(t.subject, ox.BlankNode)
        and not isinstance(t.object, ox.BlankNode)
        and not t.predicate.value.endswith("byteSize")
    }


def test_replace_stores_a_named_graph_and_its_catalog_record(records, ex):
    meta = records.replace(make_record(ex), source="local", status="valid")
    assert meta.record_iri.startswith(records.base_iri + "/record/")
    assert records.get_meta(f"{ex}d") == meta
    assert records.get_meta_by_id(meta.id) == meta
    assert records.list_metas() == [meta]
    assert records.count() == {"Dataset": 1}
    assert len(records.triples(meta)) == 8


def test_replacement_is_whole_never_a_merge(records, ex):
    first = records.replace(make_record(ex, '"Old"'), source="local", status="valid")
    second = records.replace(make_record(ex, '"New"'), source="local", status="valid", previous=first)
    assert titles(records, second) == ['"New"']
    assert records.store.select(f"SELECT ?t WHERE {{ <{ex}d> <{DCT_TITLE.value}> ?t }}") == [{"t": ox.Literal("New")}]
    assert second.first_seen == first.first_seen
    assert records.list_metas() == [second]


def test_replace_many_writes_each_record_whole(records, ex):
    items = [(make_record(ex, f'"R{i}"', name=f"r{i}"), "valid", None, None) for i in range(5)]
    metas = records.replace_many(items, source="local")
    assert sorted(m.resource_iri for m in records.list_metas()) == sorted(m.resource_iri for m in metas)
    assert [titles(records, m) for m in metas] == [[f'"R{i}"'] for i in range(5)]


def test_two_writers_of_the_same_new_record_never_merge_it(records, backend, ex):
    """On a store shared by several processes, each may believe it writes a new record."""
    if backend == "embedded":
        pytest.skip("the embedded store belongs to one process")
    records.replace_many([(make_record(ex, '"A"'), "valid", None, None)], source="local")
    records.replace_many([(make_record(ex, '"B"'), "valid", None, None)], source="local")  # did not see A
    (meta,) = records.list_metas()
    assert titles(records, meta) == ['"B"']
    assert len(records.triples(meta)) == 8


def test_stored_literals_get_their_required_datatypes_back(records, ex):
    meta = records.replace(make_record(ex), source="local", status="valid")
    size = next(t.object for t in records.triples(meta) if t.predicate.value.endswith("byteSize"))
    assert size.datatype == ox.NamedNode(XSD + "nonNegativeInteger")
    assert int(size.value) == 12


def test_touch_withdraw_and_delete(records, ex):
    meta = records.replace(make_record(ex), source="harvest:a", status="valid")
    records.mark_withdrawn(meta)
    assert records.get_meta(f"{ex}d").withdrawn is not None
    records.touch(meta)
    seen = records.get_meta(f"{ex}d")
    assert seen.withdrawn is None and seen.last_seen >= meta.last_seen
    assert records.list_metas(source="harvest:a") == [seen]
    assert records.list_metas(source="other") == []
    assert records.delete(f"{ex}d")
    assert records.get_meta(f"{ex}d") is None
    assert records.store.graph_triples(meta.record_iri) == []
    assert not records.store.ask(f"ASK {{ <{ex}d> ?p ?o }}")
    assert not records.delete(f"{ex}d")


def test_queries_see_the_union_of_the_record_graphs(records, ex):
    meta = records.replace(make_record(ex), source="local", status="valid")
    store = records.store
    assert store.ask(f'ASK {{ <{ex}d> <{DCT_TITLE.value}> "T" }}')
    rows = store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ex}d> <{DCT_TITLE.value}> ?t }} }}")
    assert rows == [{"g": ox.NamedNode(meta.record_iri)}]
    triples = store.construct(f"CONSTRUCT {{ <{ex}d> ?p ?o }} WHERE {{ <{ex}d> ?p ?o }}")
    assert all(isinstance(t, ox.Triple) for t in triples) and len(triples) == 4
    # the raw query honours the dataset it is given
    query = f"ASK {{ <{ex}d> <{DCT_TITLE.value}> ?t }}"
    assert bool(store.raw_query(query, default_graph_as_union=True))
    assert not bool(store.raw_query(query, default_graph_as_union=False))
    assert bool(store.raw_query(query, default_graphs=[meta.record_iri]))
    assert not bool(store.raw_query(query, default_graphs=[records.meta_graph]))
    named = f"ASK {{ GRAPH <{meta.record_iri}> {{ <{ex}d> ?p ?o }} }}"
    assert bool(store.raw_query(named, named_graphs=[meta.record_iri]))


def test_hostile_literal_cannot_break_out_of_the_update(records, ex):
    evil = f'x" }} }} ; DROP ALL ; INSERT DATA {{ GRAPH <{ex}g> {{ <{ex}a> <{ex}b> "c'
    meta = records.replace(make_record(ex, '"' + evil.replace('"', '\\"') + '"'), source="local", status="valid")
    assert titles(records, meta) == [str(ox.Literal(evil))]
    assert not records.store.ask(f"ASK {{ GRAPH <{ex}g> {{ ?s ?p ?o }} }}")
    assert records.get_meta(f"{ex}d") == meta


def test_unicode_and_language_tags_round_trip(records, ex):
    values = [
        '"Données de santé"@fr',
        '"Health data"@en',
        '"健康データ"@ja',
        '"Gezondheid"@nl-BE',
        '"數據"@zh-Hant-TW',
        '"emoji 🩺 tab\\tquote\\" backslash\\\\ <angle> {brace}"',
        '"line one\\nline two"',
        '"""long ' + "é" * 5000 + '"""@fr',
    ]
    record = make_record(ex, " , ".join(values))
    meta = records.replace(record, source="local", status="valid")
    stored = records.triples(meta)
    assert ground(stored) == ground(record.triples)
    found = records.store.select(
        f'SELECT ?t WHERE {{ <{ex}d> <{DCT_TITLE.value}> ?t FILTER(LANG(?t) = "zh-hant-tw") }}'
    )
    assert [r["t"].value for r in found] == ["數據"]


def test_large_record_round_trips(records, ex):
    keywords = " , ".join(f'"keyword {i}"@fr' for i in range(1996))
    record = make_record(ex, extra=f"<{ex}d> <http://www.w3.org/ns/dcat#keyword> {keywords} .\n")
    assert len(record.triples) == 2004
    meta = records.replace(record, source="local", status="valid")
    stored = records.triples(meta)
    assert len(stored) == 2004
    assert ground(stored) == ground(record.triples)
    again = records.replace(make_record(ex, '"smaller"'), source="local", status="valid", previous=meta)
    assert len(records.triples(again)) == 8


class Paged:
    """The same store, read through a page size small enough to need several pages."""

    def __init__(self, store, page_size):
        self._store, self.page_size = store, page_size

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_long_listings_are_read_page_by_page(records, ex):
    items = [(make_record(ex, f'"R{i}"', name=f"r{i:02d}"), "valid", None, None) for i in range(23)]
    written = records.replace_many(items, source="local")
    paged = RecordStore(Paged(records.store, 5), records.base_iri)
    assert paged.list_metas() == records.list_metas() == sorted(written, key=lambda m: m.resource_iri)
    assert paged.list_metas(offset=20) == records.list_metas(offset=20)


class Faulty:
    """A store whose server refuses the data-carrying request partway: after the old record has been
    dropped in the same request (atomic stores), or when the new record is staged (the others)."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def update(self, update: str) -> None:
        if "INSERT DATA" in update and getattr(self._store, "atomic_updates", True):
            update = update.replace("INSERT DATA", "DROP GRAPH <urn:x-test:never-created> ;\nINSERT DATA", 1)
        self._store.update(update)

    def put_graph(self, graph_iri, triples):
        self._store.put_graph(graph_iri, triples)
        self._store.update("DROP GRAPH <urn:x-test:never-created>")  # the server refuses


def test_a_failed_replacement_leaves_the_previous_record_intact(records, ex):
    meta = records.replace(make_record(ex, '"Kept"'), source="local", status="valid")
    before = records.triples(meta)
    faulty = RecordStore(Faulty(records.store), records.base_iri)
    with pytest.raises((CatalogueError, SyntaxError, OSError, RuntimeError)):  # embedded: RuntimeError
        faulty.replace(make_record(ex, '"Lost"'), source="local", status="valid", previous=meta)
    assert records.get_meta(f"{ex}d") == meta
    assert ground(records.triples(meta)) == ground(before)
    assert titles(records, meta) == ['"Kept"']
    staging = records.store.ask(
        f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{records.base_iri}/staging/")) }}'
    )
    assert not staging


def test_a_malformed_query_is_a_syntax_error_everywhere(store):
    with pytest.raises(SyntaxError):
        store.select("SELECT * WHERE { ?s ?p ")
    with pytest.raises(SyntaxError):
        store.update("INSERT DATA { this is not sparql }")


def test_select_returns_pyoxigraph_terms(records, ex):
    records.replace(make_record(ex, '"T"@fr'), source="local", status="valid")
    (row,) = records.store.select(
        f"SELECT ?d ?t ?size ?agent ?none WHERE {{ ?d <{DCT_TITLE.value}> ?t ; "
        f"<http://www.w3.org/ns/dcat#distribution>/<http://www.w3.org/ns/dcat#byteSize> ?size ; "
        f"<http://purl.org/dc/terms/publisher> ?agent . OPTIONAL {{ ?d <urn:x:none> ?none }} "
        f"FILTER(?d = <{ex}d>) }}"
    )
    assert set(row) == {"d", "t", "size", "agent"}  # unbound variables are absent
    assert row["d"] == ox.NamedNode(f"{ex}d")
    assert row["t"] == ox.Literal("T", language="fr")
    assert isinstance(row["size"], ox.Literal) and int(row["size"].value) == 12
    assert isinstance(row["agent"], ox.BlankNode)


def test_catalogue_content_hash_survives_the_store(records, ex):
    """Canonical literals come back exactly: the content hash of a stored record is its own."""
    record = make_record(ex, '"Données"@fr', byte_size=False)
    meta = records.replace(record, source="local", status="valid")
    assert content_hash(records.triples(meta)) == meta.content_hash


def test_staging_leftovers_can_be_dropped(records, ex):
    meta = records.replace(make_record(ex), source="local", status="valid")
    records.store.update(f"INSERT DATA {{ GRAPH <{records.base_iri}/staging/x/1> {{ <{ex}a> <{ex}b> <{ex}c> }} }}")
    assert records.drop_staging() == 1
    assert records.drop_staging() == 0
    assert records.get_meta(f"{ex}d") == meta and len(records.triples(meta)) == 8
