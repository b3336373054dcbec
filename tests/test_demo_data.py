"""The demo catalogue in data/: parses, is bilingual, covers the three access levels, validates."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, URIRef

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
VOCABULARIES = REPO / "ontology" / "vocabularies"
FILES = sorted(DATA.glob("*.ttl"))

# Open namespaces (rdflib's closed ones warn when pytest inspects module attributes).
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
NON_NEGATIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
HEALTH = rdflib.Namespace("http://healthdataportal.eu/ns/health#")
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
HEALTH_AUTHORITY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
BASE = "https://catalogue.sante.example.fr/id/"
COUNTS = (HEALTH.numberOfRecords, HEALTH.numberOfUniqueIndividuals, HEALTH.minTypicalAge, HEALTH.maxTypicalAge)


def _union() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def union() -> rdflib.Graph:
    return _union()


@pytest.fixture(scope="module")
def datasets(union) -> list[URIRef]:
    return sorted(union.subjects(RDF.type, DCAT.Dataset))


def _langs(graph, node, predicate) -> set:
    return {o.language for o in graph.objects(node, predicate) if isinstance(o, rdflib.Literal)}


def test_demo_files_exist():
    assert len(FILES) >= 5, f"expected the demo Turtle files in {DATA}"
    assert (DATA / "README.md").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_parses_with_pyoxigraph_and_rdflib(path):
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert quads
    assert len(rdflib.Graph().parse(path, format="turtle")) == len({(q.subject, q.predicate, q.object) for q in quads})


def test_enough_datasets_with_stable_iris(datasets):
    assert len(datasets) >= 18
    assert all(str(d).startswith(BASE + "dataset/") for d in datasets)


def test_every_dataset_is_bilingual(union, datasets):
    for predicate in (DCT.title, DCT.description, DCAT.keyword, HEALTH.populationCoverage):
        missing = [str(d) for d in datasets if not {"fr", "en"} <= _langs(union, d, predicate)]
        assert not missing, f"{predicate} lacks @fr or @en on {missing}"


def test_all_three_access_levels_occur(union, datasets):
    levels = {str(union.value(d, DCT.accessRights)).removeprefix(ACCESS) for d in datasets}
    assert levels == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}


def test_counts_are_typed_non_negative_integers(union, datasets):
    for d in datasets:
        for predicate in COUNTS:
            values = list(union.objects(d, predicate))
            assert values, f"{d} has no {predicate}"
            assert all(v.datatype == NON_NEGATIVE_INTEGER for v in values), (d, predicate)


def test_shared_nodes_are_described_identically(union):
    # Agents are repeated in every file that uses them: the union must not hold two versions.
    foaf_agent = URIRef("http://xmlns.com/foaf/0.1/Agent")
    contact_point = URIRef("http://data.europa.eu/m8g/contactPoint")
    for agent in union.subjects(RDF.type, foaf_agent):
        assert len(list(union.objects(agent, contact_point))) == 1, agent
        assert _langs(union, agent, URIRef("http://xmlns.com/foaf/0.1/name")) == {"fr", "en"}, agent


def test_projects_are_described_and_bilingual(union):
    projects = set(union.objects(None, DCT.isReferencedBy))
    assert len(projects) >= 3
    for project in projects:
        assert {"fr", "en"} <= _langs(union, project, DCT.title), project
        assert {"fr", "en"} <= _langs(union, project, DCT.description), project


def test_health_vocabulary_terms_exist(union):
    if not VOCABULARIES.is_dir():
        pytest.skip(f"no vocabularies at {VOCABULARIES}")
    known = rdflib.Graph()
    for path in VOCABULARIES.glob("*.rdf"):
        known.parse(path, format="xml")
    subjects = set(known.subjects())
    used = {o for o in union.objects() if isinstance(o, URIRef) and str(o).startswith(HEALTH_AUTHORITY)}
    assert used
    assert not sorted(str(u) for u in used - subjects)


# ----------------------------------------------------------------------------- validation
def _records():
    from catalogue.records import split_records

    for path in FILES:
        dataset = ox.Dataset(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        yield from split_records(dataset, base_iri="https://catalogue.sante.example.fr")


@pytest.fixture(scope="module")
def validator():
    validation = pytest.importorskip("catalogue.validation")
    return validation.Validator()


def test_every_record_conforms(validator):
    records = list(_records())
    assert len(records) >= 18
    failures = []
    for record in records:
        report = validator.validate(record.to_rdflib())
        if not report.conforms:
            failures.append(report.format_text("en"))
    assert not failures, "\n\n".join(failures)
