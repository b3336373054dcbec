"""The feed conforms to DCAT-AP 3 and HealthDCAT-AP (official shapes), keeps the datatypes they
require, and maps to DCAT-AP 2.1.1 on request (checked with the official 2.1.1 shapes)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from catalogue.feed import PROFILES
from catalogue.records import split_records

from .records import BASE, dataset_iri, dataset_ttl, parse

XSD = "http://www.w3.org/2001/XMLSchema#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
REFERENCE_211 = "dcat-ap/2.1.1/shacl"


def feed_dataset(client, query: str = "") -> ox.Dataset:
    response = client.get(f"/catalog.ttl?page_size=1000{query}")
    assert response.status_code == 200
    return parse(response.data, "text/turtle")


def records_of(dataset: ox.Dataset):
    return list(split_records(dataset, base_iri=BASE))


def violations(report) -> list[str]:
    return [f"{p.focus_node} {p.path}: {p.message_en}" for p in report.violations]


def test_every_fed_record_conforms_to_its_profiles(client, demo_catalogue, demo_metas):
    records = records_of(feed_dataset(client))
    assert len(records) == len(demo_metas)
    for record in records:
        report = demo_catalogue.validator.validate(record.to_rdflib(), focus=rdflib.URIRef(record.iri))
        assert "dcat-ap-3" in report.profiles
        if record.kind == DCAT + "Dataset":
            assert any(p.startswith("healthdcat-ap-r8") for p in report.profiles)
        assert report.conforms, violations(report)


def test_the_catalogue_node_conforms_to_the_dcat_ap_catalog_shapes(client, demo_catalogue):
    graph = rdflib.Graph().parse(data=client.get("/catalog.nt?page_size=1000").data, format="nt")
    catalogue = rdflib.URIRef(f"{BASE}/catalogue")
    assert (catalogue, rdflib.RDF.type, rdflib.URIRef(DCAT + "Catalog")) in graph
    report = demo_catalogue.validator.validate(graph, focus=catalogue, profiles=["dcat-ap-3"])
    assert report.conforms, violations(report)
    # the shapes do look at the catalogue: without its title it fails
    graph.remove((catalogue, rdflib.URIRef(DCT + "title"), None))
    broken = demo_catalogue.validator.validate(graph, focus=catalogue, profiles=["dcat-ap-3"])
    assert any(p.path == DCT + "title" and p.focus_node == str(catalogue) for p in broken.violations)


def test_required_datatypes_survive_the_store(fresh):
    """pyoxigraph stores "012"^^xsd:nonNegativeInteger as "12"^^xsd:integer; the feed gives the type back."""
    fresh.ingest(dataset_ttl("bytes", byte_size="012"))
    meta = fresh.catalogue.records.get_meta(dataset_iri("bytes"))
    raw = fresh.catalogue.store.graph_triples(meta.record_iri)
    stored = [t.object for t in raw if t.predicate.value == DCAT + "byteSize"]
    assert [(o.value, o.datatype.value) for o in stored] == [("12", XSD + "integer")]  # what the engine does

    fed = parse(fresh.client.get("/catalog.nt").data, "application/n-triples")
    sizes = [q.object for q in fed if q.predicate.value == DCAT + "byteSize"]
    assert [(o.value, o.datatype.value) for o in sizes] == [("12", XSD + "nonNegativeInteger")]
    (record,) = records_of(fed)
    report = fresh.catalogue.validator.validate(record.to_rdflib(), focus=rdflib.URIRef(record.iri))
    assert report.conforms, violations(report)

    # ...and it matters: the record as the store holds it does not conform
    naive = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in raw)
    (naive_record,) = records_of(naive)
    naive_report = fresh.catalogue.validator.validate(naive_record.to_rdflib(), focus=rdflib.URIRef(record.iri))
    assert any(p.path == DCAT + "byteSize" for p in naive_report.violations)


# --- DCAT-AP 2.1.1 ---------------------------------------------------------------------------------


def test_dcat_ap_2_mapping_of_dcat_3_terms():
    s, series = ox.NamedNode("http://example.org/d"), ox.NamedNode("http://example.org/s")
    t = lambda p, o: ox.Triple(s, ox.NamedNode(p), o)  # noqa: E731
    triples = [
        t(DCAT + "inSeries", series),
        t(DCAT + "hasVersion", ox.NamedNode("http://example.org/d2")),
        t(DCAT + "version", ox.Literal("2.0")),
        t("http://data.europa.eu/r5r/applicableLegislation", ox.NamedNode("http://data.europa.eu/eli/reg/2025/327/oj")),
        t(
            "http://healthdataportal.eu/ns/health#numberOfRecords",
            ox.Literal("5", datatype=ox.NamedNode(XSD + "nonNegativeInteger")),
        ),
        ox.Triple(
            series,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(DCAT + "DatasetSeries"),
        ),
    ]
    mapped = {(x.subject.value, x.predicate.value, x.object.value) for x in PROFILES["dcat-ap-2.1.1"].apply(triples)}
    assert mapped == {
        (s.value, DCT + "isPartOf", series.value),
        (s.value, DCT + "hasVersion", "http://example.org/d2"),
        (s.value, "http://www.w3.org/2002/07/owl#versionInfo", "2.0"),
        (s.value, "http://healthdataportal.eu/ns/health#numberOfRecords", "5"),  # HealthDCAT-AP terms are kept
        (series.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", DCAT + "DatasetSeries"),
        (series.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", DCAT + "Dataset"),
    }
    assert PROFILES["dcat-ap-3"].apply(triples) == triples


def _shapes_211(reference) -> rdflib.Graph:
    folder = reference / REFERENCE_211
    if not folder.is_dir():
        pytest.skip(f"missing: {folder}")
    shapes = rdflib.Graph()
    for name in ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl"):
        shapes.parse(folder / name, format="turtle")
    return shapes


def _validate_211(graph: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    from pyshacl import validate

    from catalogue.validation.shapes import vocabulary_index

    data = rdflib.Graph()
    data += graph
    for triple in vocabulary_index().triples_for(graph):  # the vocabularies the official validator assumes
        data.add(triple)
    _, report, _ = validate(data, shacl_graph=shapes, advanced=True)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return sorted(
        f"{report.value(r, sh.focusNode)} {report.value(r, sh.resultPath)} {report.value(r, sh.resultMessage)}"
        for r in report.subjects(rdflib.RDF.type, sh.ValidationResult)
        if report.value(r, sh.resultSeverity) == sh.Violation
    )


def test_dcat_ap_2_feed_conforms_to_the_official_2_1_1_shapes(client, reference):
    shapes = _shapes_211(reference)
    data = client.get("/catalog.nt?page_size=1000&profile=dcat-ap-2.1.1").data
    graph = rdflib.Graph().parse(data=data, format="nt")
    predicates = {str(p) for p in graph.predicates()}
    assert "http://data.europa.eu/r5r/applicableLegislation" not in predicates
    assert not {DCAT + "hasVersion", DCAT + "inSeries", DCAT + "version"} & predicates
    assert "http://healthdataportal.eu/ns/health#numberOfRecords" in predicates
    assert _validate_211(graph, shapes) == []
    # the 2.1.1 shapes do check the feed: a dataset without a title is caught
    dataset = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset")))
    graph.remove((dataset, rdflib.URIRef(DCT + "title"), None))
    assert any(str(dataset) in v and "title" in v for v in _validate_211(graph, shapes))
