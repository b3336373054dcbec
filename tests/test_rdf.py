"""Safe parsing: formats, caps, remote contexts, XML entities, syntax errors with positions."""

from __future__ import annotations

import json

import pytest

from catalogue import rdf
from catalogue.errors import LimitExceeded, ParseError, UnsafeInput, UnsupportedFormat

TTL = b'@prefix dct: <http://purl.org/dc/terms/> .\n<http://ex.org/a> dct:title "A"@en .\n'


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"media_type": "text/turtle; charset=utf-8"}, "ttl"),
        ({"media_type": "application/ld+json"}, "jsonld"),
        ({"media_type": "application/rdf+xml"}, "rdfxml"),
        ({"filename": "x.nt"}, "nt"),
        ({"filename": "x.nq"}, "nq"),
        ({"filename": "x.trig"}, "trig"),
        ({"filename": "x.jsonld"}, "jsonld"),
        ({"head": TTL}, "ttl"),
        ({"head": b'{"@id": "http://a"}'}, "jsonld"),
        ({"head": b'<?xml version="1.0"?><rdf:RDF>'}, "rdfxml"),
        ({"head": b"<http://a> <http://p> <http://o> .\n"}, "nt"),
        ({"head": b"<http://a> <http://p> <http://o> <http://g> .\n"}, "nq"),
        ({"head": b"@prefix ex: <http://e/> .\nex:g { ex:a ex:p ex:o }"}, "trig"),
    ],
)
def test_format_detection(kwargs, expected):
    assert rdf.detect_format(**kwargs).name == expected


def test_media_type_wins_over_extension():
    assert rdf.detect_format(media_type="application/n-triples", filename="x.ttl").name == "nt"


def test_unknown_format_is_a_clear_error():
    with pytest.raises(UnsupportedFormat, match="Cannot tell the RDF format"):
        rdf.detect_format(filename="data.bin", head=b"\x00\x01")


def test_every_format_parses(tmp_path):
    dataset = rdf.parse_dataset(TTL, fmt=rdf.FORMATS_BY_NAME["ttl"])
    triples = [q.triple for q in dataset]
    for fmt in rdf.FORMATS:
        data = rdf.serialize(triples if not fmt.has_graphs else list(dataset), fmt)
        parsed = rdf.parse_dataset(data, fmt=fmt)
        assert len(parsed) == 1, fmt.name


def test_syntax_error_names_line_and_column():
    bad = b'@prefix dct: <http://purl.org/dc/terms/> .\n<http://ex.org/a> dct:title "unterminated .\n'
    with pytest.raises(ParseError) as info:
        rdf.parse_dataset(bad, fmt=rdf.FORMATS_BY_NAME["ttl"], where="bad.ttl")
    assert info.value.line == 2
    assert info.value.column is not None
    assert "line 2" in info.value.describe("en")
    assert "ligne 2" in info.value.describe("fr")
    assert "bad.ttl" in info.value.describe("en")


def test_remote_jsonld_context_is_refused_without_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = json.dumps({"@context": "https://evil.example.org/ctx.jsonld", "@id": "http://a", "name": "x"}).encode()
    with pytest.raises(UnsafeInput, match="Remote JSON-LD context"):
        rdf.parse_dataset(doc, fmt=rdf.FORMATS_BY_NAME["jsonld"])
    nested = json.dumps({"@context": [{"@import": "https://evil.example.org/x"}], "@id": "http://a"}).encode()
    with pytest.raises(UnsafeInput):
        rdf.parse_dataset(nested, fmt=rdf.FORMATS_BY_NAME["jsonld"])


def test_known_dcat_ap_context_is_served_locally():
    doc = {
        "@context": "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
        "@id": "http://ex.org/ds",
        "@type": "Dataset",
    }
    dataset = rdf.parse_dataset(json.dumps(doc).encode(), fmt=rdf.FORMATS_BY_NAME["jsonld"])
    assert any(q.object.value == "http://www.w3.org/ns/dcat#Dataset" for q in dataset)


def test_rdfxml_entity_declaration_is_refused():
    xml = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "http://x/">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="&e;a"><rdf:type rdf:resource="&e;T"/></rdf:Description></rdf:RDF>"""
    with pytest.raises(UnsafeInput, match="entity"):
        rdf.parse_dataset(xml, fmt=rdf.FORMATS_BY_NAME["rdfxml"])


def test_oversized_input_is_refused():
    with pytest.raises(LimitExceeded, match="limit is 10 bytes"):
        rdf.check_size(11, 10, "big.ttl")


@pytest.mark.parametrize("bracket", ["[", "("])
def test_deeply_nested_turtle_gives_a_clean_error_or_parses(bracket):
    closing = {"[": "]", "(": ")"}[bracket]
    text = "@prefix ex: <http://e/> . ex:a ex:p " + bracket * 100_000 + closing * 100_000 + " ."
    try:
        rdf.parse_dataset(text.encode(), fmt=rdf.FORMATS_BY_NAME["ttl"])
    except ParseError as exc:
        assert exc.line == 1


def test_deeply_nested_jsonld_is_a_clean_error():
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(LimitExceeded, match="nested too deeply"):
        rdf.parse_dataset(text.encode(), fmt=rdf.FORMATS_BY_NAME["jsonld"])
