"""DatasetRecord, the read-only projection of a record, and the vocabulary labels it uses."""

from __future__ import annotations

import json
import time

from catalogue import rdf
from catalogue.labels import Labels, load_labels, local_name, pick
from catalogue.records import record_id, split_records
from catalogue.views import DatasetRecord

from . import EX, PREFIXES, dataset, records

EXAMPLE_IRI = "https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024"
EU = "http://publications.europa.eu/resource/authority/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"


def example_view(reference) -> DatasetRecord:
    data = (reference / "healthdcat-ap" / "official-release8-via-sdc" / "example-healthdcat-dataset.ttl").read_bytes()
    parsed = rdf.parse_dataset(data, fmt=rdf.format_by_name("ttl"), base_iri="http://catalogue.test/")
    record = next(r for r in split_records(parsed, base_iri="http://catalogue.test") if r.iri == EXAMPLE_IRI)
    return DatasetRecord.from_record(record, None, load_labels())


def test_the_official_example_projects_every_field(reference):
    view = example_view(reference)
    assert view.id == record_id(EXAMPLE_IRI)
    assert view.kind_name == "Dataset"
    assert view.title == {"en": "Cross-border oncology EHR cohort 2024"}
    assert view.keywords["en"] == ["electronic health records", "hospital registry", "oncology", "secondary use"]
    assert view.publisher["name"] == {"en": "Belgian National Cancer Registry"}
    assert view.publisher["types"] == [HEALTH + "publisher-type/public-health-registry"]
    assert view.contact_point["email"] == "oncology-dataset-support@example.org"
    assert view.themes == [EU + "data-theme/HEAL"]
    assert view.health_categories == [HEALTH + "healthcategories/EHRS"]
    assert (view.access_rights, view.access_level) == (EU + "access-right/NON_PUBLIC", "non-public")
    assert view.access_request["hdab"]["name"] == {"en": "Belgian Health Data Access Body"}
    assert view.access_request["hdab"]["email"] == "hdab-contact@example.org"
    assert view.access_request["landing_page"] == "https://healthdcat-ap.example.org/datasets/oncology-ehrs-2024"
    assert "European Health Data Space" in view.legal_basis[0]["description"]["en"]
    assert view.legal_basis[0]["sources"] == ["http://data.europa.eu/eli/reg/2022/868/oj"]
    assert "oncology service planning" in view.purpose[0]["description"]["en"]
    assert (view.number_of_records, view.number_of_unique_individuals) == (1_850_000, 412_000)
    assert (view.min_typical_age, view.max_typical_age) == (18, 99)
    assert view.coding_systems == [HEALTH + "coding-system/SNOMED-CT"]
    assert view.temporal == [("2020-01-01", "2024-12-31")]
    assert view.retention_period == {"start": "2020-01-01", "end": "2035-12-31", "description": {}}
    assert view.provenance["en"].startswith("The dataset is derived from linked hospital EHR systems")
    assert view.generated_by == [
        {
            "label": {"en": "Routine oncology EHR linkage and harmonisation pipeline"},
            "types": [HEALTH + "health-activity/ROUTINE_RECORDS"],
        }
    ]
    assert view.custodians[0]["name"] == {"en": "National Hospital Data Custodian Service"}
    assert view.personal_data == ["https://w3id.org/dpv/dpv-pd#Age", "https://w3id.org/dpv/dpv-pd#Gender"]
    assert view.spatial == [EU + "country/BEL"]
    assert view.accrual_periodicity == EU + "frequency/ANNUAL"
    assert view.languages == [EU + "language/ENG"]
    assert view.formats == [EU + "file-type/CSV", EU + "file-type/JSON"]
    assert len(view.distributions) == 2
    csv = next(d for d in view.distributions if d["format"].endswith("CSV"))
    assert csv["byte_size"] == 245_000_000 and csv["download_url"].endswith(".csv.gz")
    assert csv["media_type"] == "http://www.iana.org/assignments/media-types/text/csv"
    relations = {(r["relation"], r["iri"]) for r in view.related}
    assert ("is_referenced_by", "https://doi.org/10.1000/example-oncology-cohort") in relations
    assert ("relation", "https://health.example.org/publications/oncology-cohort-methodology") in relations
    assert ("sample", "https://healthdcat-ap.example.org/release-7/example/distribution-sample-csv") in relations
    assert (view.issued, view.modified) == ("2024-01-15", "2026-03-30")
    json.dumps(view.to_dict())  # JSON-ready


def test_labels_come_from_vocabularies_then_the_record_then_the_local_name(reference):
    view = example_view(reference)
    assert view.label(EU + "data-theme/HEAL", "fr") == "Santé"
    assert view.label(EU + "data-theme/HEAL", "en") == "Health"
    assert view.label(HEALTH + "healthcategories/EHRS", "fr") == "Dossiers de santé électroniques"
    assert view.label(EU + "access-right/NON_PUBLIC", "fr") == "non public"
    assert view.label(view.publisher["iri"], "fr") == "Belgian National Cancer Registry"  # en, for want of fr
    assert view.label("https://example.org/unknown/THING", "fr") == "THING"
    assert view.label_map(EU + "frequency/ANNUAL") == {"fr": "annuel", "en": "annual"}
    assert view.text("title", "fr") == "Cross-border oncology EHR cohort 2024"


def test_missing_fields_are_empty_not_errors():
    (record,) = records(f"<{EX}bare> a <http://www.w3.org/ns/dcat#Dataset> .")
    view = DatasetRecord.from_record(record, None, load_labels())
    assert view.title == {} and view.publisher is None and view.contact_point is None
    assert view.access_level is None and view.temporal == [] and view.distributions == []
    assert view.text("title", "fr", "sans titre") == "sans titre"
    assert view.to_dict()["themes"] == []


def test_untagged_text_and_regional_tags_are_kept():
    (record,) = records(
        f"<{EX}t> a <http://www.w3.org/ns/dcat#Dataset> ; "
        f'<http://purl.org/dc/terms/title> "Sans langue", "Titre"@fr-FR .'
    )
    view = DatasetRecord.from_record(record, None, load_labels())
    assert view.title == {"und": "Sans langue", "fr": "Titre"}
    assert pick(view.title, "en") == "Titre"  # asked language, then en, fr, then any
    assert pick({"und": "Sans langue", "de": "Titel"}, "en") == "Sans langue"


def test_blank_node_publisher_and_period_with_time_instants():
    ttl = (
        PREFIXES
        + f"""
        @prefix time: <http://www.w3.org/2006/time#> .
        <{EX}b> a dcat:Dataset ; dct:publisher [ a foaf:Agent ; foaf:name "Agence régionale"@fr ] ;
          dct:temporal [ a dct:PeriodOfTime ; time:hasBeginning [ time:inXSDDate "2001-01-01"^^xsd:date ] ] ;
          dcat:contactPoint [ a vcard:Kind ; vcard:fn "Service"@fr ; vcard:hasEmail <mailto:a@b.fr> ;
            vcard:hasTelephone [ vcard:hasValue <tel:+33100000000> ] ] .
    """
    )
    parsed = rdf.parse_dataset(ttl.encode(), fmt=rdf.format_by_name("ttl"), base_iri="http://catalogue.test/")
    (record,) = split_records(parsed, base_iri="http://catalogue.test")
    view = DatasetRecord.from_record(record, None, load_labels())
    assert view.publisher["iri"] is None and view.publisher["name"] == {"fr": "Agence régionale"}
    assert view.temporal == [("2001-01-01", None)]
    assert view.contact_point == {
        "iri": None,
        "name": {"fr": "Service"},
        "email": "a@b.fr",
        "url": None,
        "telephone": "+33100000000",
    }


def test_projects_referencing_the_dataset():
    ttl = (
        dataset("p")
        + f"""
        <{EX}p> dct:isReferencedBy <{EX}project/1> , <https://doi.org/10.1/x> .
        <{EX}project/1> a foaf:Project ; dct:title "Étude Épi-Phare"@fr , "Epi-Phare study"@en ;
          dct:description "Pharmaco-épidémiologie."@fr ; foaf:homepage <https://epi-phare.example.org> .
    """
    )
    (record,) = records(ttl)
    view = DatasetRecord.from_record(record, None, load_labels())
    assert view.projects == [
        {
            "iri": EX + "project/1",
            "title": {"fr": "Étude Épi-Phare", "en": "Epi-Phare study"},
            "description": {"fr": "Pharmaco-épidémiologie."},
            "url": "https://epi-phare.example.org",
        }
    ]


def test_labels_load_fast_and_fall_back_in_order(tmp_path):
    started = time.perf_counter()
    fresh = Labels(__import__("catalogue.labels", fromlist=["vocabulary_files"]).vocabulary_files())
    assert time.perf_counter() - started < 1.0
    assert len(fresh) > 500
    vocab = tmp_path / "v.ttl"
    vocab.write_text("""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:fr-only> skos:prefLabel "seulement"@fr .
        <urn:x:de-only> skos:prefLabel "nur"@de .
        <urn:x:both> skos:prefLabel "deux"@fr-FR, "two"@en ; rdfs:label "autre"@fr .
        <urn:x:plain> rdfs:label "plain" .
    """)
    labels = Labels([vocab])
    assert labels.get("urn:x:both", "fr") == "deux" and labels.get("urn:x:both", "de") == "two"
    assert labels.get("urn:x:fr-only", "en") == "seulement"
    assert labels.get("urn:x:de-only", "fr") == "nur"
    assert labels.get("urn:x:plain", "fr") == "plain"
    assert labels.get("http://example.org/a/b#Local", "fr") == "Local"
    assert local_name("http://example.org/a/b/") == "b"
    assert load_labels() is load_labels()  # loaded once per process
