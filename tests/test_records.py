"""Splitting graphs into records; blank-node datasets; content hashes; W3C DCAT 3 examples."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from catalogue import rdf
from catalogue.errors import LimitExceeded
from catalogue.records import content_hash, record_id, split_records

TTL = rdf.FORMATS_BY_NAME["ttl"]
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://ex.org/> . @prefix adms: <http://www.w3.org/ns/adms#> .
"""


def split(text: str, **kwargs):
    return list(split_records(rdf.parse_dataset((PREFIXES + text).encode(), fmt=TTL), base_iri="http://cat.test",
                              **kwargs))


def test_one_record_per_dataset_series_and_service_with_owned_nodes():
    records = split("""
    ex:catalog a dcat:Catalog ; dcat:dataset ex:d1, ex:d2 .
    ex:d1 a dcat:Dataset ; dct:title "One" ; dct:publisher ex:agent ; dcat:distribution ex:dist1 ;
        dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01" ] ; dcat:theme ex:health ;
        dct:relation ex:d2 .
    ex:d2 a dcat:Dataset ; dct:title "Two" ; dct:publisher ex:agent .
    ex:s a dcat:DatasetSeries ; dct:title "Series" .
    ex:api a dcat:DataService ; dct:title "API" ; dcat:servesDataset ex:d1 .
    ex:dist1 a dcat:Distribution ; dcat:accessURL <http://files.ex.org/1> .
    ex:agent a foaf:Agent ; foaf:name "Agency" .
    ex:health a skos:Concept ; skos:prefLabel "Health" ; skos:inScheme ex:scheme .
    ex:scheme a skos:ConceptScheme ; skos:prefLabel "Themes" .
    """)
    by_iri = {r.iri: r for r in records}
    assert set(by_iri) == {"http://ex.org/d1", "http://ex.org/d2", "http://ex.org/s", "http://ex.org/api"}
    d1 = {(t.subject.value, t.predicate.value.rsplit("/", 1)[-1]) for t in by_iri["http://ex.org/d1"].triples}
    assert ("http://ex.org/dist1", "dcat#accessURL") in d1  # distribution owned
    assert ("http://ex.org/agent", "name") in d1  # agent copied, IRI kept
    assert ("http://ex.org/health", "core#prefLabel") in d1  # a concept described in the file is copied...
    assert not any(s == "http://ex.org/scheme" for s, _ in d1)  # ...but not its scheme
    assert not any(s == "http://ex.org/d2" for s, _ in d1)  # other records linked, not copied
    assert any(isinstance(t.subject, ox.BlankNode) for t in by_iri["http://ex.org/d1"].triples)  # period
    d2 = {t.subject.value for t in by_iri["http://ex.org/d2"].triples}
    assert "http://ex.org/agent" in d2  # the shared agent is in both records
    assert by_iri["http://ex.org/s"].kind_name == "DatasetSeries"
    assert by_iri["http://ex.org/api"].kind_name == "DataService"


def test_blank_node_dataset_gets_a_stable_minted_iri_and_keeps_its_identifier():
    text = '[] a dcat:Dataset ; dct:identifier "HDH-42" ; dct:title "Anonymous" .'
    first, second = split(text)[0], split(text)[0]
    assert first.iri == second.iri
    assert first.iri.startswith("http://cat.test/id/dataset/")
    assert first.minted_from_blank_node
    graph = first.to_rdflib()
    notation = graph.value(graph.value(rdflib.URIRef(first.iri), rdflib.URIRef("http://www.w3.org/ns/adms#identifier")),
                           rdflib.URIRef("http://www.w3.org/2004/02/skos/core#notation"))
    assert str(notation) == "HDH-42"


def test_content_hash_ignores_blank_node_labels_and_sees_changes():
    a = split('ex:d a dcat:Dataset ; dct:temporal [ dcat:startDate "2020" ] .')[0]
    b = split('ex:d a dcat:Dataset ; dct:temporal _:other . _:other dcat:startDate "2020" .')[0]
    c = split('ex:d a dcat:Dataset ; dct:temporal [ dcat:startDate "2021" ] .')[0]
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash
    assert content_hash(list(reversed(a.triples))) == a.content_hash


def test_record_ids_are_stable_and_url_safe():
    assert record_id("http://ex.org/dataset/SNDS DCIR") == record_id("http://ex.org/dataset/SNDS DCIR")
    assert record_id("http://ex.org/dataset/SNDS DCIR").startswith("snds-dcir-")
    assert record_id("http://a/x") != record_id("http://b/x")


def test_triple_cap_per_record_rejects_that_record_only():
    many = " ; ".join(f'dct:subject "s{i}"' for i in range(50))
    big, small = split(f"ex:big a dcat:Dataset ; {many} . ex:small a dcat:Dataset .", max_triples=10)
    assert isinstance(big.error, LimitExceeded)
    assert "more than 10 triples" in big.error.describe("en")
    assert small.error is None and small.triples


def test_term_length_cap():
    (record,) = split(f'ex:d a dcat:Dataset ; dct:title "{"x" * 500}" .', max_term_length=100)
    assert isinstance(record.error, LimitExceeded)
    assert "500 characters" in record.error.describe("en")
    assert "caractères" in record.error.describe("fr")


def _expected_records(graph: rdflib.Graph) -> set[str]:
    rows = graph.query("""SELECT DISTINCT ?r WHERE { VALUES ?c { <http://www.w3.org/ns/dcat#Dataset>
        <http://www.w3.org/ns/dcat#DatasetSeries> <http://www.w3.org/ns/dcat#DataService> } ?r a ?c }""")
    return {str(r) for (r,) in rows}


def test_every_w3c_dcat3_turtle_example_parses_and_splits(reference):
    examples = sorted((reference / "w3c-dcat" / "vocab-dcat-3").glob("*.ttl"))
    assert len(examples) > 20
    total = 0
    for path in examples:
        data = path.read_bytes()
        records = list(split_records(rdf.parse_dataset(data, fmt=TTL, base_iri="http://example.org/"),
                                     base_iri="http://cat.test"))
        expected = _expected_records(rdflib.Graph().parse(data=data, format="turtle",
                                                          publicID="http://example.org/"))
        named = {r.iri for r in records if not r.minted_from_blank_node}
        assert named == {e for e in expected if not e.startswith("_:") and "://" in e}, path.name
        assert len(records) == len(expected), path.name
        for record in records:
            assert any(t.subject.value == record.iri for t in record.triples), path.name
        total += len(records)
    assert total > 30
