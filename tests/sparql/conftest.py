"""Fixtures for the SPARQL endpoint: the demo catalogue in a real store, the app behind a real
HTTP server on 127.0.0.1, a second real SPARQL endpoint (Oxigraph server) on the allow-list, and
a canary HTTP server that no refused query may ever reach."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import pytest

from catalogue.settings import PROJECT_ROOT, Settings
from tests.conftest import need
from tests.servers import have_oxigraph_server, start_oxigraph_server

REMOTE_TRIPLES = """<http://remote.test/dataset/1> <http://purl.org/dc/terms/title> "Remote registry"@en .
<http://remote.test/dataset/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .
<http://remote.test/dataset/2> <http://purl.org/dc/terms/title> "Remote cohort"@en .
<http://remote.test/dataset/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .
"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0


# --- the canary: an HTTP server that records every request it gets ------------------------------


@dataclass
class Canary:
    url: str
    hits: list = field(default_factory=list)


@pytest.fixture(scope="session")
def canary():
    hits: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            hits.append((self.command, self.path))
            body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Canary(f"http://127.0.0.1:{server.server_port}", hits)
    server.shutdown()
    server.server_close()


# --- a second real SPARQL endpoint ----------------------------------------------------------------


@pytest.fixture(scope="session")
def _remote(tmp_path_factory):
    """The second endpoint, or None when the oxigraph server is not installed."""
    if not have_oxigraph_server():
        yield None
        return
    server = start_oxigraph_server(tmp_path_factory.mktemp("remote-oxigraph"))
    request = urllib.request.Request(
        server.gsp_url + "?default",
        data=REMOTE_TRIPLES.encode(),
        method="POST",
        headers={"Content-Type": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status in (200, 201, 204)
    yield server
    server.stop()


@pytest.fixture
def remote_endpoint(_remote):
    need(_remote is not None, "the oxigraph server binary: pip install oxigraph")
    return _remote


# --- the catalogue and the app ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory, _remote) -> Settings:
    root = tmp_path_factory.mktemp("sparql")
    return Settings(
        data_dir=root / "instance",
        load_demo=True,
        demo_data_dir=PROJECT_ROOT / "data",
        base_iri="http://catalogue.test",
        sparql_timeout=TIMEOUT,
        sparql_workers=2,
        sparql_per_client=2,
        federation_allow=(_remote.url,) if _remote is not None else (),
    )


@pytest.fixture(scope="session")
def sparql_catalogue(base_settings):
    from catalogue.core import open_catalogue
    from webapp.demo import load_demo_if_empty

    catalogue = open_catalogue(base_settings)
    load_demo_if_empty(catalogue)
    yield catalogue
    catalogue.close()


def make_app(settings: Settings, catalogue):
    from webapp import create_app
    from webapp.sparql import bp

    app = create_app(settings, catalogue)
    if "sparql" not in app.blueprints:
        app.register_blueprint(bp)
    app.config.update(TESTING=True)
    return app


@dataclass
class Live:
    """The app served by a real threaded HTTP server on 127.0.0.1."""

    app: object
    url: str

    @property
    def executor(self):
        return self.app.extensions["sparql"].executor

    def request(self, path: str = "/sparql", *, params=None, data=None, headers=None, method=None, timeout=30):
        url = self.url + path
        if params is not None:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        if isinstance(data, dict | list):
            data = urllib.parse.urlencode(data, doseq=True).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        elif isinstance(data, str):
            data = data.encode()
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return Reply(reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers.items()), error.read())

    def query(self, query: str, **kwargs):
        return self.request(params={"query": query}, **kwargs)


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def header(self, name: str, default=None):
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return default

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def serve(app) -> tuple[Live, object]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Live(app, f"http://127.0.0.1:{server.server_port}"), server


@pytest.fixture(scope="session")
def live(base_settings, sparql_catalogue):
    app = make_app(base_settings, sparql_catalogue)
    handle, server = serve(app)
    yield handle
    server.shutdown()
    service = app.extensions.get("sparql")
    if service is not None:
        service.close()


@pytest.fixture
def make_live(base_settings, sparql_catalogue):
    """An app over the same store with some settings changed (e.g. a small row cap)."""
    started = []

    def factory(**changes) -> Live:
        app = make_app(base_settings.replace(**changes), sparql_catalogue)
        handle, server = serve(app)
        started.append((app, server))
        return handle

    yield factory
    for app, server in started:
        server.shutdown()
        service = app.extensions.get("sparql")
        if service is not None:
            service.close()
