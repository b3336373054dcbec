"""Namespaces used across the catalogue, and the datatypes the profiles require."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ODRL2, OWL, PROV, RDF, RDFS, SKOS, XSD

# rdflib's closed DCAT namespace predates DCAT 3 (no dcat:DatasetSeries): use an open one.
DCAT = Namespace("http://www.w3.org/ns/dcat#")

DCT = DCTERMS
DCATAP = Namespace("http://data.europa.eu/r5r/")
HEALTHDCATAP = Namespace("http://healthdataportal.eu/ns/health#")
DPV = Namespace("https://w3id.org/dpv#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
GEODCATAP = Namespace("http://data.europa.eu/930/")
CV = Namespace("http://data.europa.eu/m8g/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")
# The catalogue's own small ontology (ontology/catalogue.ttl).
CAT = Namespace("https://w3id.org/health-catalogue/ns#")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
HEALTH_AUTHORITY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"

# Classes whose instances are records: each becomes one named graph.
RECORD_CLASSES = (DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService)
# Nodes that are never copied into a record: other records, catalogues, concept schemes.
# A skos:Concept described in the source file is copied (its own triples only), so that a
# record using a concept outside the shipped vocabularies still carries its class and label.
NOT_OWNED_CLASSES = (*RECORD_CLASSES, DCAT.Catalog, DCAT.CatalogRecord, SKOS.ConceptScheme)

# Datatypes the profiles require for literal values, by property. pyoxigraph stores
# "012"^^xsd:nonNegativeInteger as "12"^^xsd:integer; anything read back from a store
# is re-typed with this table (store.datatypes) so exports still validate.
# tests/test_datatypes.py checks it covers every integer-like sh:datatype in shapes/.
REQUIRED_DATATYPES = {
    str(DCAT.byteSize): str(XSD.nonNegativeInteger),
    str(HEALTHDCATAP.numberOfRecords): str(XSD.nonNegativeInteger),
    str(HEALTHDCATAP.numberOfUniqueIndividuals): str(XSD.nonNegativeInteger),
    str(HEALTHDCATAP.minTypicalAge): str(XSD.nonNegativeInteger),
    str(HEALTHDCATAP.maxTypicalAge): str(XSD.nonNegativeInteger),
    str(DCAT.spatialResolutionInMeters): str(XSD.decimal),
}

PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "dcatap": DCATAP,
    "healthdcatap": HEALTHDCATAP,
    "dpv": DPV,
    "adms": ADMS,
    "vcard": VCARD,
    "foaf": FOAF,
    "skos": SKOS,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "prov": PROV,
    "odrl": ODRL2,
    "spdx": SPDX,
    "dqv": DQV,
    "geodcatap": GEODCATAP,
    "cv": CV,
    "locn": LOCN,
    "hydra": HYDRA,
    "cat": CAT,
}
