"""The official reference records give their documented outcomes (reference README)."""

from __future__ import annotations

import logging

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from catalogue.vocab import ACCESS_RIGHT, DCAT, DCT

from .conftest import HEALTH_RI, load

NON_PUBLIC = "healthdcat-ap-r8-non-public"
ARCA_IRI = URIRef("https://eu-rd-platform.jrc.ec.europa.eu/mdr/detail/ARCA")


def test_healthdcat_example_has_no_violation_under_non_public(validator, example):
    report = validator.validate(example, profiles=[NON_PUBLIC])
    assert report.profiles == ["dcat-ap-3", NON_PUBLIC]
    assert report.conforms, report.format_text("en")
    assert report.violations == []


def test_healthdcat_example_default_selection_is_non_public(validator, example):
    report = validator.validate(example)
    assert report.profiles == ["dcat-ap-3", NON_PUBLIC, "national"]
    # The official example is English only: the national FR/EN title rule is its only violation.
    assert [(p.profile, p.path, p.component) for p in report.violations] == [
        ("national", str(DCT.title), "QualifiedMinCount")
    ]


@pytest.mark.parametrize("level", ["non-public", "restricted"])
def test_arca_fails_only_on_its_access_level(validator, arca, level):
    """ARCA is a PUBLIC record: under another level's set only dct:accessRights fails (defect 3)."""
    report = validator.validate(arca, profiles=[f"healthdcat-ap-r8-{level}"])
    assert not report.conforms
    assert [(p.focus_node, p.path, p.component, p.profile) for p in report.violations] == [
        (str(ARCA_IRI), str(DCT.accessRights), "HasValue", f"healthdcat-ap-r8-{level}")
    ]
    assert level.upper().replace("-", "_") in report.violations[0].message_en


def test_arca_conforms_to_its_own_public_level(validator, arca):
    # With the health vocabularies loaded beside it (defect 4); the ADMS licence type
    # concept the README mentions is in ontology/vocabularies/ADMS_SKOS_v1.00.rdf.
    report = validator.validate(arca, profiles=["healthdcat-ap-r8-public"])
    assert report.conforms, report.format_text("en")
    assert validator.profiles_for(arca) == ["dcat-ap-3", "healthdcat-ap-r8-public", "national"]


def test_arca_needs_the_vocabularies(arca):
    """Without the vocabularies the same record fails the class-range checks (defect 4)."""
    from catalogue.validation import engine
    from catalogue.validation.shapes import VocabularyIndex

    shapes = engine.shape_set(("dcat-ap-3", "healthdcat-ap-r8-public"))
    empty = VocabularyIndex({}, ())
    results = engine.run_turbo(shapes, arca, empty)
    components = {str(r.component).rsplit("#")[-1] for r in results if str(r.severity).endswith("Violation")}
    assert components == {"ClassConstraintComponent"}


# ----------------------------------------------------------------------------- Health-RI
# Upstream tests/test_shacl.py (pyshacl): the example data CONFORM; every test data file must
# NOT conform to FairDataPointShape/Dataset.ttl. The shapes stored here (434fa34) no longer
# make dct:license or dct:modified mandatory, so dataset-nolicense and dataset-nomodified fail
# on what became mandatory since (access rights, applicable legislation, keyword, agents'
# homepage and mbox), not on licence / modification date; the tests pin that down.
def _records(graph: Graph):
    roots = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)) | set(graph.subjects(RDF.type, DCAT.DataService)))
    return [(root, graph.cbd(root)) for root in roots]


@pytest.fixture(autouse=True)
def _quiet_rdflib():
    # dataset-iso8601.ttl holds "2024"^^xsd:date style literals rdflib logs about.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@pytest.mark.parametrize("name", ["example-dataset", "example-dataservice"])
def test_health_ri_examples_conform(validator, name):
    graph = load(HEALTH_RI / "example-data" / f"{name}.ttl")
    records = _records(graph)
    assert records
    for root, record in records:
        report = validator.validate(record, focus=root, profiles=["health-ri"])
        assert report.profiles == ["health-ri"]
        assert report.conforms, report.format_text("en")


def test_health_ri_example_distribution_conforms(validator):
    graph = load(HEALTH_RI / "example-data" / "example-distribution.ttl")
    (distribution,) = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert validator.validate(graph, focus=distribution, profiles=["health-ri"]).conforms


EXPECTED_HEALTH_RI = {
    # file: (property that must be reported, property that must NOT be reported)
    "dataset-nodescription": (DCT.description, None),
    "dataset-nopublisher": (DCT.publisher, None),
    "dataset-nolicense": (DCT.accessRights, DCT.license),
    "dataset-nomodified": (DCT.accessRights, DCT.modified),
    "dataset-iso8601": (DCT.issued, None),
    "example-dataset-bad": (DCAT.contactPoint, None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_HEALTH_RI))
def test_health_ri_negative_test_data_do_not_conform(validator, name):
    graph = load(HEALTH_RI / "testdata" / f"{name}.ttl")
    reports = [validator.validate(record, focus=root, profiles=["health-ri"]) for root, record in _records(graph)]
    assert reports and not all(r.conforms for r in reports)
    paths = {p.path for r in reports for p in r.violations}
    must, must_not = EXPECTED_HEALTH_RI[name]
    assert str(must) in paths
    if must_not is not None:
        assert str(must_not) not in paths


def test_health_ri_nodescription_names_the_missing_description(turbo):
    graph = load(HEALTH_RI / "testdata" / "dataset-nodescription.ttl")
    report = turbo.validate(graph, profiles=["health-ri"])
    (problem,) = [p for p in report.violations if p.path == str(DCT.description)]
    assert problem.component == "MinCount"
    assert problem.property_label_fr == "dct:description (description)"
    assert "description" in problem.message_fr and "description" in problem.message_en


def test_health_ri_iso8601_rejects_plain_dates(turbo):
    """Health-RI wants xsd:dateTime for dct:issued: the xsd:date of the first dataset fails."""
    graph = load(HEALTH_RI / "testdata" / "dataset-iso8601.ttl")
    root = URIRef("http://example.com/dataset")
    report = turbo.validate(graph.cbd(root), focus=root, profiles=["health-ri"])
    issued = {p.component for p in report.violations if p.path == str(DCT.issued)}
    assert issued == {"Datatype", "Pattern"}


def test_access_rights_constant_matches_reference(arca):
    assert (ARCA_IRI, DCT.accessRights, ACCESS_RIGHT.PUBLIC) in arca


def test_example_with_french_text_conforms_to_everything(validator, example):
    """With the French title and description the national rules ask for, the official
    example passes the whole default selection (DCAT-AP 3, HealthDCAT-AP non-public, national)."""
    dataset = URIRef("https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024")
    example.add((dataset, DCT.title, Literal("Cohorte transfrontalière de DSE en oncologie 2024", lang="fr")))
    example.add((dataset, DCT.description, Literal("Exemple officiel d'une cohorte non publique.", lang="fr")))
    report = validator.validate(example)
    assert report.conforms, report.format_text("en")
    assert report.profiles == ["dcat-ap-3", NON_PUBLIC, "national"]
    assert {p.severity for p in report.problems} <= {"warning"}
