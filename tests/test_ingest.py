"""The single write path against a real store on disk, with the real validator."""

from __future__ import annotations

import json
import re
import socket

import pytest
import rdflib

from catalogue.errors import LimitExceeded, ParseError, UnsafeInput
from catalogue.ingest import delete_record, ingest_bytes, ingest_path

EXAMPLE_IRI = "https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024"


def variant(example: bytes, n: int) -> bytes:
    """A copy of the official example about another dataset (all its own nodes renamed)."""
    return example.replace(b"release-7/example/", f"release-7/copy-{n}/".encode())


def iri_of(n: int) -> str:
    return EXAMPLE_IRI.replace("release-7/example/", f"release-7/copy-{n}/")


def without_titles(example: bytes) -> bytes:
    """The example with its dataset's titles removed (dct:title is mandatory)."""
    stripped = re.sub(rb'\n    dct:title "[^"]*"@(en|fr) ;', b"", example)
    assert stripped.count(b"dct:title") < example.count(b"dct:title")
    return stripped


def store_snapshot(catalogue) -> list[str]:
    rows = catalogue.store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(str(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def test_the_official_example_is_accepted_and_stored(catalogue, health_example):
    result = ingest_bytes(catalogue, health_example, filename="example.ttl")
    assert result.counts == {"accepted": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    meta = catalogue.records.get_meta(EXAMPLE_IRI)
    assert meta.source == "local"
    assert meta.status in ("valid", "warnings")
    assert catalogue.store.ask(f"ASK {{ <{EXAMPLE_IRI}> a <http://www.w3.org/ns/dcat#Dataset> }}")


def test_reingesting_an_unchanged_record_is_a_noop_and_a_change_is_an_update(catalogue, health_example):
    ingest_bytes(catalogue, health_example, filename="example.ttl")
    before = catalogue.records.get_meta(EXAMPLE_IRI)
    again = ingest_bytes(catalogue, health_example, filename="example.ttl")
    assert again.counts["unchanged"] == 1
    assert catalogue.records.get_meta(EXAMPLE_IRI).modified == before.modified
    changed = health_example.replace(b"Cross-border oncology EHR cohort 2024", b"Cross-border oncology cohort 2024")
    assert ingest_bytes(catalogue, changed, filename="example.ttl").counts["updated"] == 1
    assert catalogue.records.get_meta(EXAMPLE_IRI).content_hash != before.content_hash


def test_syntax_error_names_the_position_and_leaves_the_store_unchanged(catalogue, health_example):
    ingest_bytes(catalogue, health_example, filename="example.ttl")
    before = store_snapshot(catalogue)
    broken = variant(health_example, 1).replace(b'dct:identifier "EU-HDCA', b'dct:identifier EU-HDCA', 1)
    with pytest.raises(ParseError) as info:
        ingest_bytes(catalogue, broken, filename="broken.ttl")
    assert info.value.line is not None and info.value.column is not None
    assert "broken.ttl" in info.value.describe("en")
    assert store_snapshot(catalogue) == before


def test_a_record_missing_a_mandatory_property_is_rejected_and_the_others_accepted(catalogue, health_example):
    good = variant(health_example, 1)
    bad = without_titles(variant(health_example, 2))
    result = ingest_bytes(catalogue, good + b"\n" + bad, filename="batch.ttl")
    by_iri = {o.iri: o for o in result.outcomes}
    assert by_iri[iri_of(1)].status == "accepted"
    rejected = by_iri[iri_of(2)]
    assert rejected.status == "rejected"
    problems = rejected.report["problems"]
    assert any(p["severity"] == "violation" and p["path"] == "http://purl.org/dc/terms/title" for p in problems)
    assert all(p["message_fr"] and p["message_en"] for p in problems)
    assert catalogue.records.get_meta(iri_of(2)) is None
    assert catalogue.records.get_meta(iri_of(1)) is not None


def test_oversized_file_and_literal_are_refused_clearly(catalogue, health_example, tmp_path):
    small = catalogue.settings.replace(max_input_bytes=1000)
    catalogue.settings = small
    with pytest.raises(LimitExceeded, match="limit is 1,000 bytes"):
        ingest_bytes(catalogue, health_example, filename="example.ttl")
    path = tmp_path / "big.ttl"
    path.write_bytes(health_example)
    with pytest.raises(LimitExceeded):
        ingest_path(catalogue, path)
    catalogue.settings = small.replace(max_input_bytes=10**8, max_term_length=50)
    result = ingest_bytes(catalogue, health_example, filename="example.ttl")
    assert result.counts["rejected"] == 1
    assert "limit is 50" in result.outcomes[0].error
    assert catalogue.records.get_meta(EXAMPLE_IRI) is None


def test_remote_jsonld_context_is_refused_with_no_network_request(catalogue, monkeypatch):
    attempts = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    doc = json.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://ex.org/d",
                      "@type": "http://www.w3.org/ns/dcat#Dataset"}).encode()
    with pytest.raises(UnsafeInput, match="Remote JSON-LD context"):
        ingest_bytes(catalogue, doc, filename="remote.jsonld")
    assert attempts == []


def test_rdfxml_with_entities_is_refused(catalogue):
    xml = b"""<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY lol "lol">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    with pytest.raises(UnsafeInput):
        ingest_bytes(catalogue, xml, filename="x.rdf")


@pytest.mark.parametrize(("opening", "closing", "name"), [("[", "]", "deep.ttl"), ("[", "]", "deep.jsonld"),
                                                          ("(", ")", "deep.ttl"), ("{", "}", "deep.jsonld")])
def test_a_hundred_thousand_nested_brackets_is_a_clean_error(catalogue, opening, closing, name):
    body = (opening * 100_000 + closing * 100_000).encode()
    if name.endswith(".ttl"):
        body = b"@prefix ex: <http://e/> . ex:a ex:p " + body + b" ."
    try:
        result = ingest_bytes(catalogue, body, filename=name)
    except (ParseError, LimitExceeded) as exc:
        assert exc.describe("en") and exc.describe("fr")
    else:
        assert result.counts["accepted"] == 0
    assert catalogue.records.count() == {}


def test_a_source_cannot_overwrite_or_delete_another_sources_record(catalogue, health_example):
    ingest_bytes(catalogue, health_example, filename="example.ttl", source="harvest:a")
    hijack = health_example.replace(b"Cross-border oncology EHR cohort 2024", b"Hijacked")
    result = ingest_bytes(catalogue, hijack, filename="example.ttl", source="harvest:b")
    assert result.counts["rejected"] == 1
    assert "harvest:a" in result.outcomes[0].error
    assert catalogue.records.get_meta(EXAMPLE_IRI).source == "harvest:a"
    from catalogue.errors import Forbidden

    with pytest.raises(Forbidden):
        delete_record(catalogue, EXAMPLE_IRI, source="harvest:b")
    assert delete_record(catalogue, EXAMPLE_IRI, source="harvest:a")


def test_dry_run_writes_nothing(catalogue, health_example):
    result = ingest_bytes(catalogue, health_example, filename="example.ttl", dry_run=True)
    assert result.counts["accepted"] == 1
    assert catalogue.records.count() == {}


def test_an_exported_record_still_validates_with_its_datatypes(catalogue, health_example):
    ingest_bytes(catalogue, health_example, filename="example.ttl")
    meta = catalogue.records.get_meta(EXAMPLE_IRI)
    raw = catalogue.store.graph_triples(meta.record_iri)
    assert any(t.object.datatype.value.endswith("#integer") for t in raw
               if t.predicate.value.endswith("numberOfRecords"))  # the engine rewrote it...
    graph = catalogue.records.record(meta).to_rdflib()
    value = graph.value(rdflib.URIRef(EXAMPLE_IRI), rdflib.URIRef("http://healthdataportal.eu/ns/health#numberOfRecords"))
    assert value.datatype == rdflib.XSD.nonNegativeInteger  # ...and we give it back
    report = catalogue.validator.validate(graph, focus=rdflib.URIRef(EXAMPLE_IRI))
    assert report.conforms, report.format_text("en")
    original = rdflib.Graph().parse(data=health_example, format="turtle")
    assert rdflib.compare.isomorphic(graph, _record_part(original, graph))


def _record_part(original: rdflib.Graph, record: rdflib.Graph) -> rdflib.Graph:
    """The triples of the original file that belong to the record (same subjects, blank nodes included)."""
    from rdflib.compare import to_isomorphic  # noqa: F401  (imported for rdflib.compare availability)

    part = rdflib.Graph()
    subjects = {s for s in record.subjects() if isinstance(s, rdflib.URIRef)}
    frontier = list(subjects)
    seen = set(frontier)
    while frontier:
        node = frontier.pop()
        for p, o in original.predicate_objects(node):
            part.add((node, p, o))
            if isinstance(o, rdflib.BNode) and o not in seen:
                seen.add(o)
                frontier.append(o)
    return part


def test_blank_node_dataset_is_stored_under_a_minted_iri(catalogue, health_example):
    anonymous = health_example.replace(b"ex:dataset-oncology-ehrs-2024\n    a dcat:Dataset", b"[] a dcat:Dataset", 1)
    anonymous = anonymous.replace(b"    prov:wasGeneratedBy ex:generation-activity .",
                                  b"    prov:wasGeneratedBy ex:generation-activity ] .", 1)
    anonymous = anonymous.replace(b"[] a dcat:Dataset", b"[ a dcat:Dataset", 1)
    result = ingest_bytes(catalogue, anonymous, filename="anon.ttl")
    (outcome,) = result.outcomes
    assert outcome.iri.startswith("http://catalogue.test/id/dataset/")
    assert outcome.status == "accepted", outcome.report
    again = ingest_bytes(catalogue, anonymous, filename="anon.ttl")
    assert again.outcomes[0].iri == outcome.iri and again.outcomes[0].status == "unchanged"


def test_large_files_go_through_the_on_disk_staging_store(catalogue, health_example, tmp_path, monkeypatch):
    import catalogue.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "STAGE_ON_DISK_BYTES", 100)  # every file counts as large
    monkeypatch.setattr(ingest_module, "STAGE_BATCH_QUADS", 50)  # and is staged in several batches
    path = tmp_path / "big.ttl"
    path.write_bytes(variant(health_example, 1) + b"\n" + variant(health_example, 2))
    result = ingest_path(catalogue, path)
    assert result.counts["accepted"] == 2, result.to_dict()
    # the staging store rewrote typed literals too: the stored record still has its datatypes
    meta = catalogue.records.get_meta(iri_of(1))
    graph = catalogue.records.record(meta).to_rdflib()
    value = graph.value(rdflib.URIRef(iri_of(1)), rdflib.URIRef("http://healthdataportal.eu/ns/health#numberOfRecords"))
    assert value.datatype == rdflib.XSD.nonNegativeInteger
    before = store_snapshot(catalogue)
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(variant(health_example, 3) + b"\nex:oops ex:p .\n")
    with pytest.raises(ParseError) as info:
        ingest_path(catalogue, broken)
    assert info.value.line is not None
    assert store_snapshot(catalogue) == before
