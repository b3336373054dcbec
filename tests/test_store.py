"""The embedded store on disk: atomic record replacement, metadata, union queries, datatypes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue import rdf
from catalogue.records import split_records
from catalogue.store import OxigraphStore, RecordStore

DOC = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://ex.org/d> a dcat:Dataset ; dct:title "{title}" ; dcat:distribution <http://ex.org/d/csv> .
<http://ex.org/d/csv> a dcat:Distribution ; dcat:byteSize "012"^^xsd:nonNegativeInteger .
"""


def record(title="T"):
    dataset = rdf.parse_dataset(DOC.replace("{title}", title).encode(), fmt=rdf.FORMATS_BY_NAME["ttl"])
    return next(split_records(dataset, base_iri="http://cat.test"))


@pytest.fixture
def records(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    yield RecordStore(store, "http://cat.test")
    store.close()


def test_replace_stores_one_named_graph_and_a_catalog_record(records):
    meta = records.replace(record(), source="local", status="valid")
    assert meta.record_iri.startswith("http://cat.test/record/")
    assert records.get_meta("http://ex.org/d") == meta
    assert records.get_meta_by_id(meta.id) == meta
    assert len(records.triples(meta)) == 5
    # SPARQL sees the union of record graphs as its default graph
    assert records.store.ask('ASK { <http://ex.org/d> <http://purl.org/dc/terms/title> "T" }')
    assert records.count() == {"Dataset": 1}


def test_replacement_is_whole_never_a_merge(records):
    first = records.replace(record("Old"), source="local", status="valid")
    second = records.replace(record("New"), source="local", status="valid", previous=first)
    titles = records.store.select("SELECT ?t WHERE { <http://ex.org/d> <http://purl.org/dc/terms/title> ?t }")
    assert [r["t"].value for r in titles] == ["New"]
    assert second.first_seen == first.first_seen
    assert len(records.list_metas()) == 1


def test_failed_update_leaves_the_store_unchanged(records):
    meta = records.replace(record("Kept"), source="local", status="valid")
    before = sorted(map(str, records.triples(meta)))
    with pytest.raises(SyntaxError):
        records.store.update(f"DROP GRAPH <{meta.record_iri}> ; INSERT DATA {{ this is not sparql }}")
    assert sorted(map(str, records.triples(meta))) == before


def test_stored_literals_get_their_required_datatypes_back(records):
    meta = records.replace(record(), source="local", status="valid")
    raw = records.store.graph_triples(meta.record_iri)
    raw_size = next(t.object for t in raw if t.predicate.value.endswith("byteSize"))
    assert raw_size.datatype.value.endswith("#integer")  # what pyoxigraph does to the literal
    size = next(t.object for t in records.triples(meta) if t.predicate.value.endswith("byteSize"))
    assert size.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def test_delete_and_touch(records):
    meta = records.replace(record(), source="harvest:a", status="valid")
    records.mark_withdrawn(meta)
    assert records.get_meta("http://ex.org/d").withdrawn is not None
    records.touch(meta)
    assert records.get_meta("http://ex.org/d").withdrawn is None
    assert records.delete("http://ex.org/d")
    assert records.get_meta("http://ex.org/d") is None
    assert not records.store.ask("ASK { ?s ?p ?o }")
    assert not records.delete("http://ex.org/d")


def test_store_persists_on_disk(tmp_path):
    store = OxigraphStore(tmp_path / "s")
    RecordStore(store, "http://cat.test").replace(record(), source="local", status="valid")
    store.close()
    reopened = OxigraphStore(tmp_path / "s")
    assert RecordStore(reopened, "http://cat.test").get_meta("http://ex.org/d") is not None
    reopened.close()


def test_hostile_literal_cannot_break_out_of_the_update(records):
    evil = 'x" } } ; DROP ALL ; INSERT DATA { GRAPH <http://g> { <http://a> <http://b> "c'
    meta = records.replace(record(evil.replace('"', '\\"')), source="local", status="valid")
    titles = [t.object.value for t in records.triples(meta) if t.predicate.value.endswith("title")]
    assert titles == [evil]
    assert not records.store.ask("ASK { GRAPH <http://g> { ?s ?p ?o } }")
