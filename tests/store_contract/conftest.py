"""One contract, three backends: the embedded store, Oxigraph server and Virtuoso.

The servers start once per session (Virtuoso takes a few seconds); each test works under
its own base IRI and its own resource IRIs, so tests share a server without seeing each other.
A missing backend is skipped with what to install, and fails the run when CI=true.
"""

from __future__ import annotations

import uuid

import pytest

from catalogue import rdf
from catalogue.records import split_records
from catalogue.settings import Settings
from catalogue.store import OxigraphStore, RecordStore
from catalogue.store.sparql import SparqlStore
from tests.conftest import need
from tests.servers import have_oxigraph_server, have_virtuoso, start_oxigraph_server, start_virtuoso

BACKENDS = [
    "embedded",
    pytest.param("oxigraph-server", marks=pytest.mark.server),
    pytest.param("virtuoso", marks=pytest.mark.server),
]
# Small enough that a 2,000-triple record and a long listing go through Virtuoso's paging.
VIRTUOSO_MAX_ROWS = 1000


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    need(have_oxigraph_server(), "the Oxigraph server binary (pip install oxigraph)")
    server = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    need(have_virtuoso(), "Virtuoso (apt-get install virtuoso-opensource)")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), max_rows=VIRTUOSO_MAX_ROWS)
    yield server
    server.stop()


@pytest.fixture
def base_iri() -> str:
    return f"http://catalogue.test/{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_settings(backend, request, tmp_path, base_iri) -> Settings:
    """Settings for the backend under test (store_url empty: the embedded store in tmp_path)."""
    settings = Settings(data_dir=tmp_path / "instance", load_demo=False, base_iri=base_iri, store_timeout=20.0)
    if backend == "embedded":
        return settings
    server = request.getfixturevalue("oxigraph_server" if backend == "oxigraph-server" else "virtuoso_server")
    return settings.replace(**server.settings())


@pytest.fixture
def store(backend, store_settings):
    graph_store = (
        OxigraphStore(store_settings.store_path) if backend == "embedded" else SparqlStore.from_settings(store_settings)
    )
    yield graph_store
    graph_store.close()


@pytest.fixture
def records(store, base_iri) -> RecordStore:
    return RecordStore(store, base_iri)


@pytest.fixture
def ex() -> str:
    """A namespace for this test's resources."""
    return f"http://ex.org/{uuid.uuid4().hex[:12]}/"


DOC = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{ex}d> a dcat:Dataset ; dct:title {title} ; dcat:distribution <{ex}d/csv> ;
  dct:publisher [ a foaf:Agent ; foaf:name "Agence" ] .
<{ex}d/csv> a dcat:Distribution {size} .
"""


def make_record(ex: str, title: str = '"T"', extra: str = "", name: str = "d", byte_size: bool = True):
    """A dataset with a distribution and a blank-node publisher (8 triples), under the namespace `ex`."""
    size = '; dcat:byteSize "012"^^xsd:nonNegativeInteger' if byte_size else ""
    text = DOC.replace("{ex}", ex).replace("{title}", title).replace("{size}", size)
    text = text.replace("<" + ex + "d", "<" + ex + name) + extra
    dataset = rdf.parse_dataset(text.encode(), fmt=rdf.FORMATS_BY_NAME["ttl"])
    return next(split_records(dataset, base_iri="http://catalogue.test"))
