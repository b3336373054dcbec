"""Small HealthDCAT-AP records for the feed and API tests (they pass the catalogue's profiles)."""

from __future__ import annotations

import pyoxigraph as ox

BASE = "http://catalogue.test"

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://producer.example.org/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
"""
EU = "http://publications.europa.eu/resource/authority/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
ORG = "https://producer.example.org/"


def publisher_iri(slug: str) -> str:
    return f"{ORG}{slug}"


def dataset_iri(slug: str) -> str:
    return f"{ORG}dataset/{slug}"


def datasets_ttl(*slugs: str, **options) -> str:
    """Several datasets in one document."""
    return PREFIXES + "".join(dataset_ttl(slug, **options).removeprefix(PREFIXES) for slug in slugs)


def dataset_ttl(
    slug: str,
    *,
    publisher: str = "org-a",
    name: str = "Organisme A",
    title: str | None = None,
    byte_size: str = "012",
    theme: str = "HEAL",
    drop_title: bool = False,
    extra: str = "",
) -> str:
    """One public dataset with one distribution (dcat:byteSize written as given, e.g. with a leading zero)."""
    title = title or f"Jeu {slug}"
    title_line = "" if drop_title else f'  dct:title "{title}"@fr , "Dataset {slug}"@en ;\n'
    return (
        PREFIXES
        + f"""
<{dataset_iri(slug)}> a dcat:Dataset ;
{title_line}  dct:description "Description de {slug}."@fr , "Description of {slug}."@en ;
  dct:identifier "{slug}" ;
  dct:accessRights <{EU}access-right/PUBLIC> ;
  dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> ;
  dcat:keyword "santé"@fr , "health"@en ;
  dcat:theme <{EU}data-theme/{theme}> ;
  dct:publisher <{publisher_iri(publisher)}> ;
  dcat:contactPoint [ a vcard:Kind ; vcard:fn "Contact {name}" ; vcard:hasEmail <mailto:contact@producer.example.org> ] ;
  healthdcatap:hdab ex:hdab ;
  healthdcatap:healthCategory <{HEALTH}healthcategories/EHRS> ;
  healthdcatap:hasStructuredData false ;
  healthdcatap:numberOfRecords "0100"^^xsd:nonNegativeInteger ;
  healthdcatap:numberOfUniqueIndividuals "50"^^xsd:nonNegativeInteger ;
  healthdcatap:minTypicalAge "0"^^xsd:nonNegativeInteger ;
  healthdcatap:maxTypicalAge "99"^^xsd:nonNegativeInteger ;
  healthdcatap:populationCoverage "Personnes suivies."@fr , "People followed."@en ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2001-01-01"^^xsd:date ; dcat:endDate "2020-12-31"^^xsd:date ] ;
  dct:spatial <{EU}country/FRA> ;
  dct:accrualPeriodicity <{EU}frequency/ANNUAL> ;
  dct:language <{EU}language/FRA> ;
  dct:issued "2020-06-01"^^xsd:date ;
  dct:modified "2024-01-15"^^xsd:date ;
  dcat:distribution <{dataset_iri(slug)}/csv> {extra}.
<{dataset_iri(slug)}/csv> a dcat:Distribution ;
  dct:title "Extraction {slug}"@fr , "Extract {slug}"@en ;
  dcat:accessURL <https://producer.example.org/access/{slug}> ;
  dct:format <{EU}file-type/CSV> ;
  dcat:byteSize "{byte_size}"^^xsd:nonNegativeInteger ;
  dct:license <{EU}licence/CC_BY_4_0> ;
  dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> .
<{publisher_iri(publisher)}> a foaf:Agent ; foaf:name "{name}"@fr , "{name}"@en ;
  dct:type <{HEALTH}publisher-type/research-institute-org> ;
  cv:contactPoint <{publisher_iri(publisher)}/contact> .
<{publisher_iri(publisher)}/contact> a cv:ContactPoint ; cv:email "mailto:contact@producer.example.org" .
<{EU}access-right/PUBLIC> a dct:RightsStatement .
<{EU}frequency/ANNUAL> a dct:Frequency .
<{EU}language/FRA> a dct:LinguisticSystem .
<{EU}country/FRA> a dct:Location .
<{EU}file-type/CSV> a dct:MediaTypeOrExtent .
<{EU}licence/CC_BY_4_0> a dct:LicenseDocument .
<http://data.europa.eu/eli/reg/2025/327/oj> a eli:LegalResource .
ex:hdab a foaf:Agent ; foaf:name "Health Data Hub"@fr , "Health Data Hub"@en ;
  cv:contactPoint ex:hdab-contact .
ex:hdab-contact a cv:ContactPoint ; cv:email "mailto:dpo@health-data-hub.example.org" .
"""
    )


def parse(data: bytes, media_type: str) -> ox.Dataset:
    from catalogue import rdf

    fmt = rdf.format_for_media_type(media_type)
    return rdf.parse_dataset(data, fmt=fmt, base_iri=BASE + "/")


def objects(dataset: ox.Dataset, subject: str, predicate: str) -> list:
    return [q.object for q in dataset.quads_for_subject(ox.NamedNode(subject)) if q.predicate.value == predicate]
