"""The single write path, end to end, on every backend: the official HealthDCAT-AP example is parsed,
validated with the real validator, stored, read back with its datatypes, and recognised as unchanged."""

from __future__ import annotations

import uuid

import pyoxigraph as ox

from catalogue import rdf
from catalogue.core import Catalogue
from catalogue.ingest import ingest_bytes
from catalogue.records import split_records
from catalogue.search.base import NullIndex

EXAMPLE = "https://healthdcat-ap.example.org/release-7/example/"


def test_a_full_ingest_round_trips(store, store_settings, health_example):
    tag = f"release-7/{uuid.uuid4().hex[:8]}/"
    data = health_example.replace(b"release-7/example/", tag.encode())
    catalogue = Catalogue(store_settings, store=store, index=NullIndex())
    result = ingest_bytes(catalogue, data, filename="example.ttl")
    assert result.counts == {"accepted": 1, "updated": 0, "unchanged": 0, "rejected": 0}, result.to_dict()

    (meta,) = catalogue.records.list_metas()
    assert meta.resource_iri.startswith(EXAMPLE.replace("release-7/example/", tag))
    stored = catalogue.records.record(meta)
    (incoming,) = list(
        split_records(rdf.parse_dataset(data, fmt=rdf.FORMATS_BY_NAME["ttl"]), base_iri=store_settings.base_iri)
    )
    assert len(stored.triples) == len(incoming.triples)
    # What the store gives back still satisfies the profiles (datatypes restored).
    report = catalogue.validator.validate(stored.to_rdflib(), focus=_focus(meta.resource_iri))
    assert report.conforms, report.to_dict()
    sizes = [t.object for t in stored.triples if t.predicate.value == "http://www.w3.org/ns/dcat#byteSize"]
    assert all(s.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger") for s in sizes)

    again = ingest_bytes(catalogue, data, filename="example.ttl")
    assert again.counts["unchanged"] == 1
    assert catalogue.records.get_meta(meta.resource_iri).modified == meta.modified


def _focus(iri: str):
    import rdflib

    return rdflib.URIRef(iri)
