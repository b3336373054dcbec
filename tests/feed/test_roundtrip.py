"""Harvesting our own feed into an empty catalogue gives back isomorphic record graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from catalogue.core import open_catalogue
from catalogue.ingest import ingest_bytes
from catalogue.records import to_rdflib
from catalogue.settings import Settings

from .records import BASE, objects, parse

HYDRA = "http://www.w3.org/ns/hydra/core#"


def graph_of(catalogue, meta) -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in catalogue.records.triples(meta):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def harvest(client, first_url: str, target) -> int:
    """Follow hydra:next from `first_url`, ingesting every page into `target`; returns the page count."""
    url, pages = first_url, 0
    while url:
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        result = ingest_bytes(target, response.data, media_type=response.mimetype, source="harvest:self")
        assert not result.rejected, [(o.iri, o.error) for o in result.rejected]
        page = parse(response.data, response.mimetype)
        (view,) = objects(page, f"{BASE}/catalogue", HYDRA + "view")
        found = objects(page, view.value, HYDRA + "next")
        url = found[0].value if found else None
        pages += 1
        assert pages <= 100
    return pages


@pytest.fixture
def second(tmp_path):
    catalogue = open_catalogue(Settings(data_dir=tmp_path / "second", load_demo=False, base_iri=BASE))
    yield catalogue
    catalogue.close()


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_feed_round_trip_is_isomorphic(client, demo_catalogue, demo_metas, second, ext):
    """One record per page: what a harvester stores is exactly what we hold, in every format."""
    assert harvest(client, f"/catalog.{ext}?page_size=1", second) == len(demo_metas)
    harvested = {m.resource_iri: m for m in second.records.list_metas()}
    assert set(harvested) == {m.resource_iri for m in demo_metas}
    for meta in demo_metas:
        original, copy = graph_of(demo_catalogue, meta), graph_of(second, harvested[meta.resource_iri])
        assert len(original) == len(copy)
        assert isomorphic(original, copy), meta.resource_iri
        assert harvested[meta.resource_iri].content_hash == meta.content_hash


def _keys(triples) -> set[tuple]:
    return {
        tuple("_:" if isinstance(x, ox.BlankNode) else str(x) for x in (t.subject, t.predicate, t.object))
        for t in triples
    }


def test_bigger_pages_only_add_what_other_records_of_the_page_say(client, demo_catalogue, demo_metas, second):
    """With several records per page, the ingest splitter copies into a record the description of a
    linked IRI that another record of the same page gives (records are split per document). Nothing is
    lost; the only additions are such shared descriptions, so a record stays isomorphic unless the
    source files described a shared IRI differently."""
    harvest(client, "/catalog.nt?page_size=100", second)
    described = {}
    for meta in demo_metas:
        for t in demo_catalogue.records.triples(meta):
            described.setdefault(str(t.subject), set()).add(meta.resource_iri)
    for meta in demo_metas:
        original = _keys(demo_catalogue.records.triples(meta))
        copy = _keys(second.records.triples(second.records.get_meta(meta.resource_iri)))
        assert original <= copy, meta.resource_iri
        for subject, _, _ in copy - original:
            assert described.get(subject, set()) - {meta.resource_iri}, (meta.resource_iri, subject)
        if copy == original:
            assert isomorphic(
                graph_of(demo_catalogue, meta), graph_of(second, second.records.get_meta(meta.resource_iri))
            )
