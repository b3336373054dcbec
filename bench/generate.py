"""Synthetic HealthDCAT-AP catalogues of N records, for benchmarks (never used by tests' assertions on speed).

Every record is meant to pass the catalogue's profiles (DCAT-AP 3, HealthDCAT-AP R8 at its
access level, national rules). Values vary so that search facets and queries have something to do.

    python bench/generate.py 10000 /tmp/catalogue-10k.ttl
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcatap: <http://data.europa.eu/r5r/> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix cv: <http://data.europa.eu/m8g/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://bench.catalogue.example.org/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
"""
EU = "http://publications.europa.eu/resource/authority/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
ACCESS = ["PUBLIC", "RESTRICTED", "NON_PUBLIC"]
CATEGORIES = ["EHRS", "EHCT", "PHDR", "IDHP", "RMMD", "HGPD", "DIOH", "EINS"]
THEMES = ["HEAL", "SOCI", "GOVE", "TECH", "ECON"]
FORMATS = ["CSV", "JSON", "XML", "PARQUET", "SAS"]
CODING = ["ICD-10", "ATC", "ICD-10-NAT", "HPO"]
FREQUENCIES = ["ANNUAL", "MONTHLY", "QUARTERLY", "WEEKLY", "IRREG"]
TOPICS = [
    ("cancer", "cancer", "oncologie", "oncology"),
    ("diabète", "diabetes", "endocrinologie", "endocrinology"),
    ("maladies cardiovasculaires", "cardiovascular disease", "cardiologie", "cardiology"),
    ("santé mentale", "mental health", "psychiatrie", "psychiatry"),
    ("vaccination", "vaccination", "prévention", "prevention"),
    ("urgences", "emergency care", "hôpital", "hospital"),
    ("maladies rares", "rare diseases", "génétique", "genetics"),
    ("périnatalité", "perinatal health", "naissances", "births"),
]
PUBLISHERS = [(f"publisher-{i}", f"Organisme de santé {i}", f"Health organisation {i}") for i in range(40)]


def record(i: int, rng: random.Random) -> str:
    topic_fr, topic_en, kw_fr, kw_en = TOPICS[i % len(TOPICS)]
    slug, name_fr, name_en = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
    access = ACCESS[i % 3]
    start = rng.randrange(1990, 2022)
    end = min(2025, start + rng.randrange(1, 20))
    min_age = rng.choice([0, 0, 18, 18, 40, 65])
    max_age = rng.choice([17, 64, 99, 110]) if min_age < 17 else rng.choice([64, 99, 110])
    individuals = int(10 ** rng.uniform(3, 7.8))
    d = f"ex:dataset-{i}"
    return f"""
{d} a dcat:Dataset ;
  dct:title "Base {topic_fr} n°{i}"@fr , "{topic_en.capitalize()} database no. {i}"@en ;
  dct:description "Données de {topic_fr} collectées de {start} à {end} par {name_fr}."@fr ,
    "{topic_en.capitalize()} data collected from {start} to {end} by {name_en}."@en ;
  dct:identifier "BENCH-{i:07d}" ;
  dct:accessRights <{EU}access-right/{access}> ;
  dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> ;
  dct:type <{EU}dataset-type/STATISTICAL> ;
  dct:provenance [ a dct:ProvenanceStatement ; rdfs:label "Collecte administrative."@fr ] ;
  dcat:keyword "{kw_fr}"@fr , "{kw_en}"@en , "{topic_fr}"@fr ;
  dcat:theme <{EU}data-theme/HEAL> , <{EU}data-theme/{THEMES[i % len(THEMES)]}> ;
  dct:publisher ex:{slug} ;
  dcat:contactPoint [ a vcard:Kind ; vcard:fn "Contact {name_fr}" ; vcard:hasEmail <mailto:contact@{slug}.example.org> ] ;
  healthdcatap:hdab ex:hdab ;
  healthdcatap:healthCategory <{HEALTH}healthcategories/{CATEGORIES[i % len(CATEGORIES)]}> ;
  healthdcatap:hasStructuredData false ;
  healthdcatap:hasCodingSystem <{HEALTH}coding-system/{CODING[i % len(CODING)]}> ;
  healthdcatap:numberOfRecords "{individuals * rng.randrange(1, 20)}"^^xsd:nonNegativeInteger ;
  healthdcatap:numberOfUniqueIndividuals "{individuals}"^^xsd:nonNegativeInteger ;
  healthdcatap:minTypicalAge "{min_age}"^^xsd:nonNegativeInteger ;
  healthdcatap:maxTypicalAge "{max_age}"^^xsd:nonNegativeInteger ;
  healthdcatap:populationCoverage "Personnes suivies pour {topic_fr}."@fr , "People followed for {topic_en}."@en ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "{start}-01-01"^^xsd:date ; dcat:endDate "{end}-12-31"^^xsd:date ] ;
  dct:spatial <{EU}country/FRA> ;
  dct:accrualPeriodicity <{EU}frequency/{FREQUENCIES[i % len(FREQUENCIES)]}> ;
  dct:language <{EU}language/FRA> ;
  dct:issued "{start + 1}-06-01"^^xsd:date ;
  dct:modified "2025-{1 + i % 12:02d}-{1 + i % 28:02d}"^^xsd:date ;
  dcat:distribution {d}-dist .
{d}-dist a dcat:Distribution ;
  dct:title "Extraction {i}"@fr , "Extract {i}"@en ;
  dcat:accessURL <https://bench.catalogue.example.org/access/{i}> ;
  dct:format <{EU}file-type/{FORMATS[i % len(FORMATS)]}> ;
  dct:license <{EU}licence/CC_BY_4_0> ;
  dcatap:applicableLegislation <http://data.europa.eu/eli/reg/2025/327/oj> .
ex:{slug} a foaf:Agent ; foaf:name "{name_fr}"@fr , "{name_en}"@en ;
  dct:type <{HEALTH}publisher-type/{"public-health-registry" if int(slug.rsplit("-", 1)[1]) % 2 else "research-institute-org"}> ;
  cv:contactPoint ex:{slug}-contact .
ex:{slug}-contact a cv:ContactPoint ; cv:email "contact@{slug}.example.org" .
"""


HDAB = f"""
ex:hdab a foaf:Agent ; foaf:name "Health Data Hub"@fr , "Health Data Hub"@en ;
  dct:type <{HEALTH}publisher-type/gov-public-sector-org> ;
  cv:contactPoint ex:hdab-contact .
ex:hdab-contact a cv:ContactPoint ; cv:email "dpo@health-data-hub.example.org" .
<http://data.europa.eu/eli/reg/2025/327/oj> a eli:LegalResource .
<{EU}language/FRA> a dct:LinguisticSystem .
<{EU}country/FRA> a dct:Location .
<{EU}licence/CC_BY_4_0> a dct:LicenseDocument .
""" + "".join(f"<{EU}access-right/{a}> a dct:RightsStatement .\n" for a in ACCESS) + "".join(
    f"<{EU}frequency/{f}> a dct:Frequency .\n" for f in FREQUENCIES) + "".join(
    f"<{EU}file-type/{f}> a dct:MediaTypeOrExtent .\n" for f in FORMATS)


def generate(n: int, path: Path | str, *, seed: int = 0, per_file: int | None = None) -> list[Path]:
    """Write n records to `path` (one file), or to a folder of files of `per_file` records."""
    rng = random.Random(seed)
    path = Path(path)
    if per_file is None:
        with path.open("w", encoding="utf-8") as out:
            out.write(PREFIXES + HDAB)
            for i in range(n):
                out.write(record(i, rng))
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n, per_file):
        target = path / f"part-{start // per_file:05d}.ttl"
        with target.open("w", encoding="utf-8") as out:
            out.write(PREFIXES + HDAB)
            for i in range(start, min(n, start + per_file)):
                out.write(record(i, rng))
        files.append(target)
    return files


if __name__ == "__main__":
    generate(int(sys.argv[1]), sys.argv[2])
