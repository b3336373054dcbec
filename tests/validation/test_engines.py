"""pyshacl-turbo gives the same verdicts and the same results as pyshacl.

One way of calling pyshacl-turbo (over a pyoxigraph store) once reported 2,203 results
where pyshacl reported 42: here both engines, as the Validator calls them, are compared on
the reference records and on a deliberately broken record, result by result
(focus, path, value, severity, source shape, constraint component).
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from catalogue.validation import engine
from catalogue.validation.shapes import vocabulary_graph, vocabulary_index
from catalogue.vocab import ACCESS_RIGHT, DCAT, DCT, HEALTHDCATAP, RECORD_CLASSES, VCARD

from .conftest import ARCA, EXAMPLE, HEALTH_RI, REFERENCE, load

EX = Namespace("https://healthdcat-ap.example.org/release-7/example/")
DS = EX["dataset-oncology-ehrs-2024"]
NON_PUBLIC = ("dcat-ap-3", "healthdcat-ap-r8-non-public", "national")
ALL_SETS = [
    ("dcat-ap-3", "national"),
    NON_PUBLIC,
    ("dcat-ap-3", "healthdcat-ap-r8-public", "national"),
    ("dcat-ap-3", "healthdcat-ap-r8-restricted", "national"),
    ("health-ri",),
]


def key(result):
    details = tuple(sorted((key(d) for d in result.details), key=str))
    return (result.focus, result.path, result.value, result.severity, result.shape, result.component, details)


def compare(record: Graph, names) -> Counter:
    shapes, vocabulary = engine.shape_set(names), vocabulary_index()
    turbo = Counter(map(key, engine.run_turbo(shapes, record, vocabulary)))
    reference = Counter(map(key, engine.run_pyshacl(shapes, record, vocabulary)))
    assert turbo == reference, {k: (turbo[k], reference[k]) for k in turbo.keys() ^ reference.keys()}
    return turbo


def records_of(path):
    graph = load(path)
    roots = sorted({s for cls in RECORD_CLASSES for s in graph.subjects(RDF.type, cls)}, key=str)
    return [(root, graph.cbd(root)) for root in roots]


REFERENCE_FILES = [
    EXAMPLE,
    ARCA,
    HEALTH_RI / "example-data" / "example-dataset.ttl",
    HEALTH_RI / "testdata" / "example-dataset-bad.ttl",
    HEALTH_RI / "testdata" / "dataset-iso8601.ttl",
    REFERENCE / "dcat-ap" / "3.0.1" / "examples" / "example-bee-population-dataset-series.ttl",
    REFERENCE / "dcat-ap" / "hvd-3.0.0" / "examples" / "example-ms_dataset_data_service.ttl",
    REFERENCE / "w3c-dcat" / "vocab-dcat-3" / "dataset-004.ttl",
]


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_engines_agree_on_reference_records(path):
    total = 0
    for _, record in records_of(path):
        for names in ALL_SETS:
            total += sum(compare(record, names).values())
    assert total > 0  # the comparison saw results, not two empty lists


@pytest.mark.parametrize("path", [EXAMPLE, ARCA], ids=lambda p: p.name)
def test_validators_give_identical_reports(turbo, pyshacl_validator, path):
    graph = load(path)
    for names in (None, ["healthdcat-ap-r8-non-public"], ["healthdcat-ap-r8-restricted"]):
        a, b = turbo.validate(graph, profiles=names), pyshacl_validator.validate(graph, profiles=names)
        assert a.conforms == b.conforms
        assert [p.to_dict() for p in a.problems] == [p.to_dict() for p in b.problems]


# ----------------------------------------------------------------------------- broken record
def broken_example() -> Graph:
    """The official example with one defect of each kind."""
    g = load(EXAMPLE)
    g.remove((DS, DCT.title, None))  # mandatory (DCAT-AP) and national FR/EN title
    g.remove((DS, HEALTHDCATAP.healthCategory, None))  # mandatory (HealthDCAT-AP)
    g.remove((EX["distribution-main-csv"], DCAT.accessURL, None))  # mandatory on a distribution
    g.remove((DS, HEALTHDCATAP.hasVariables, None))  # hasStructuredData true: defect-3 rule
    g.set((EX["distribution-main-csv"], DCAT.byteSize, Literal("1.5 MB")))  # datatype
    g.set((DS, HEALTHDCATAP.minTypicalAge, Literal(-3)))  # xsd:integer, not nonNegativeInteger
    g.set((DS, DCT.issued, Literal("15/01/2024")))  # not a date: defect-2 date check
    g.add((DS, DCT.modified, Literal("2026-04-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    g.add((DS, DCAT.theme, URIRef("https://example.org/themes/unknown")))  # not a skos:Concept
    g.add((DS, DCAT.keyword, URIRef("https://example.org/keyword")))  # must be a literal
    g.set((DS, DCT.accessRights, ACCESS_RIGHT.RESTRICTED))  # not the non-public level
    contact = EX["dataset-contact-point"]
    g.remove((contact, VCARD.hasURL, None))
    g.set((contact, VCARD.hasEmail, Literal("support@example.org")))  # literal, not mailto: IRI
    publisher = EX["publisher-agent"]
    g.remove((publisher, RDF.type, None))
    g.add((publisher, RDF.type, VCARD.Kind))  # not a foaf:Agent
    orphan = BNode()
    g.add((DS, DCAT.distribution, orphan))  # blank-node distribution with nothing in it
    g.add((orphan, RDF.type, DCAT.Distribution))
    return g


EXPECTED_DEFECTS = {
    (str(DCT.title), "MinCount"),
    (str(DCT.title), "QualifiedMinCount"),
    (str(HEALTHDCATAP.healthCategory), "MinCount"),
    (str(DCAT.accessURL), "MinCount"),
    (None, "Node"),  # hasStructuredData true without hasVariables (defect 3, fixed)
    (str(DCAT.byteSize), "Datatype"),
    (str(HEALTHDCATAP.minTypicalAge), "Datatype"),
    (str(DCT.issued), "Node"),  # date check that sh:shape skipped (defect 2, fixed)
    (str(DCT.modified), "MaxCount"),
    (str(DCAT.theme), "Class"),
    (str(DCAT.keyword), "NodeKind"),
    (str(DCT.accessRights), "HasValue"),
    (str(VCARD.hasEmail), "NodeKind"),
    (str(VCARD.hasEmail), "Pattern"),
    (str(DCT.publisher), "Class"),
    (str(DCAT.distribution), "Node"),
}


def test_engines_agree_on_a_broken_record(turbo, pyshacl_validator):
    record = broken_example()
    results = compare(record, NON_PUBLIC)
    assert sum(results.values()) >= len(EXPECTED_DEFECTS)
    a = turbo.validate(record, profiles=list(NON_PUBLIC))
    b = pyshacl_validator.validate(record, profiles=list(NON_PUBLIC))
    assert not a.conforms and not b.conforms
    assert [p.to_dict() for p in a.problems] == [p.to_dict() for p in b.problems]
    found = {(p.path, p.component) for p in a.problems}
    assert found >= EXPECTED_DEFECTS, EXPECTED_DEFECTS - found


def test_turbo_fast_path_matches_its_public_api():
    """engine._run_turbo_native feeds pyshacl-turbo's native engine directly; same results."""
    record, vocabulary = broken_example(), vocabulary_index()
    for names in (NON_PUBLIC, ("health-ri",)):
        shapes = engine.shape_set(names)
        fast = Counter(map(key, engine.run_turbo(shapes, record, vocabulary)))
        public = Counter(map(key, engine.run_turbo_public(shapes, record, vocabulary)))
        assert fast == public
    assert engine._fast_turbo, "the fast path fell back to the public API"


@pytest.mark.parametrize("path", [EXAMPLE, ARCA], ids=lambda p: p.name)
def test_vocabulary_slice_equals_whole_vocabularies(path):
    """Data graph = record + used terms gives the record's results of record + all vocabularies."""
    import pyshacl

    record, vocabulary = load(path), vocabulary_index()
    shapes = engine.shape_set(NON_PUBLIC)
    vocabularies = vocabulary_graph()
    whole = Graph()
    whole += record
    whole += vocabularies
    terms = set(vocabularies.subjects())
    copy = Graph()
    copy += shapes.graph
    _, report, _ = pyshacl.validate(whole, shacl_graph=copy)
    described = {s for s, p, _ in record if p != RDF.type}

    def ours(result):  # results about the record's nodes, not about vocabulary terms
        return result.focus in described or result.focus not in terms

    with_all = Counter(map(key, filter(ours, engine.results_from_graph(report, shapes.graph))))
    with_slice = Counter(map(key, filter(ours, engine.run_pyshacl(shapes, record, vocabulary))))
    assert with_all == with_slice
