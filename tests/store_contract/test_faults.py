"""Faults on a real Oxigraph server: killed during an ingest, down, back again.

Each test has its own server (they kill it), in its own directory, on its own port.
"""

from __future__ import annotations

import threading
import time

import pytest

from catalogue.core import Catalogue
from catalogue.errors import StoreUnavailable
from catalogue.ingest import ingest_bytes
from catalogue.records import content_hash
from catalogue.search.base import NullIndex
from catalogue.settings import Settings
from catalogue.store import RecordStore, open_graph_store
from catalogue.store.sparql import SparqlStore
from catalogue.validation import Report
from tests.conftest import need
from tests.servers import have_oxigraph_server, start_oxigraph_server

pytestmark = pytest.mark.server


class AlwaysValid:
    """The store is under test here, not the profiles: every record conforms."""

    def validate(self, graph, focus=None):
        return Report(dataset=str(focus), profiles=[])


def document(n: int) -> bytes:
    """n datasets with a blank-node publisher and a distribution; canonical literals only."""
    lines = ["@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> ."]
    for i in range(n):
        lines.append(
            f'<http://ex.org/ds/{i}> a dcat:Dataset ; dct:title "Jeu de données {i}"@fr, "Dataset {i}"@en ; '
            f'dct:description "{"Une description assez longue. " * 5}"@fr ; '
            f'dcat:keyword "santé", "k{i}" ; dct:publisher [ a <http://xmlns.com/foaf/0.1/Agent> ; '
            f'<http://xmlns.com/foaf/0.1/name> "Producteur {i % 17}" ] ; dcat:distribution <http://ex.org/ds/{i}/csv> .\n'
            f'<http://ex.org/ds/{i}/csv> a dcat:Distribution ; dct:format "CSV" .'
        )
    return "\n".join(lines).encode()


@pytest.fixture
def server(tmp_path):
    need(have_oxigraph_server(), "the Oxigraph server binary (pip install oxigraph)")
    server = start_oxigraph_server(tmp_path / "server")
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path, server) -> Settings:
    return Settings(
        data_dir=tmp_path / "instance",
        load_demo=False,
        base_iri="http://catalogue.test",
        store_timeout=5.0,
        **server.settings(),
    )


class WatchedStore(SparqlStore):
    """Tells when the catalogue starts sending its n-th write request."""

    def __init__(self, *args, kill_at: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.writes, self.kill_at, self.sending = 0, kill_at, threading.Event()

    def update(self, update: str) -> None:
        self.writes += 1
        if self.writes == self.kill_at:
            self.sending.set()
        super().update(update)


def test_a_store_killed_during_an_ingest_fails_it_cleanly_and_leaves_no_half_record(server, settings):
    store = WatchedStore(
        settings.store_url, settings.store_update_url, settings.store_gsp_url, timeout=settings.store_timeout, kill_at=2
    )
    catalogue = Catalogue(settings, store=store, index=NullIndex(), validator=AlwaysValid())
    data = document(3000)

    def killer():  # kill -9 while the second chunk of 200 records is being written
        if store.sending.wait(60):
            time.sleep(0.005)
            server.kill()

    thread = threading.Thread(target=killer)
    thread.start()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as failure:
        ingest_bytes(catalogue, data, filename="many.ttl")
    thread.join()
    assert time.monotonic() - started < 60
    assert failure.value.message_fr != failure.value.message_en  # a clear message in both languages

    server.restart()
    records = RecordStore(store, settings.base_iri)  # the same store object, no re-creation
    metas = records.list_metas()
    assert len(metas) in (200, 400), "the first chunk is in, the one being written is all in or all out"
    for meta in metas:  # every record present is complete
        assert content_hash(records.triples(meta)) == meta.content_hash, meta.resource_iri
    graphs = {row["g"].value for row in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {records.meta_graph} | {m.record_iri for m in metas}  # and no graph without its record

    # The ingest can simply be run again: it completes the catalogue.
    result = ingest_bytes(catalogue, data, filename="many.ttl")
    assert result.counts["rejected"] == 0
    assert len(records.list_metas()) == 3000


def test_a_store_that_is_down_fails_fast_with_store_unavailable(server, settings):
    server.stop()
    started = time.monotonic()
    store = open_graph_store(settings)  # opening sends nothing: a worker can start while the store is down
    assert time.monotonic() - started < 0.5
    for call in (
        lambda: store.ask("ASK {}"),
        lambda: store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
        lambda: store.graph_triples("urn:g"),
        lambda: RecordStore(store, "http://c.test").list_metas(),
    ):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as failure:
            call()
        assert time.monotonic() - started < settings.store_timeout / 2
        assert failure.value.http_status == 503
        assert "injoignable" in failure.value.describe("fr") and "cannot be reached" in failure.value.describe("en")
        assert "127.0.0.1" not in str(failure.value)  # no address leaks to a user


def test_the_same_store_object_works_again_when_the_server_comes_back(server, settings):
    store = SparqlStore.from_settings(settings)
    records = RecordStore(store, settings.base_iri)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    for _ in range(2):
        server.kill()
        with pytest.raises(StoreUnavailable):
            store.ask("ASK { ?s ?p ?o }")
        with pytest.raises(StoreUnavailable):
            records.list_metas()
        server.restart()
        assert store.ask("ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        assert records.list_metas() == []


def test_a_dropped_keep_alive_connection_is_retried_for_reads(server, settings):
    store = SparqlStore.from_settings(settings)
    assert store.ask("ASK {}")  # leaves a pooled keep-alive connection to the old process
    server.restart()
    assert store.ask("ASK {}")
