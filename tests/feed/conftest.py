"""Fixtures of the feed, dereferencing and API tests.

`demo_app`: one app (session) over the demo catalogue (data/*.ttl) loaded through the ingest path;
read-only tests share it. `fresh`: an empty catalogue and its app per test, for writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.settings import PROJECT_ROOT, Settings

DEMO_DIR = PROJECT_ROOT / "data"
BASE = "http://catalogue.test"


def make_app(settings: Settings, catalogue):
    from webapp import create_app

    app = create_app(settings, catalogue)
    app.config.update(TESTING=True)
    from webapp import api, feed

    for module in (feed, api):  # in case create_app does not register every feature blueprint
        if module.bp.name not in app.blueprints:
            app.register_blueprint(module.bp)
    return app


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    if not sorted(DEMO_DIR.glob("*.ttl")):
        pytest.skip(f"missing: the demo catalogue in {DEMO_DIR}")
    return Settings(data_dir=tmp_path_factory.mktemp("feed-demo"), load_demo=False, base_iri=BASE)


@pytest.fixture(scope="session")
def demo_catalogue(demo_settings):
    from catalogue.core import open_catalogue
    from catalogue.ingest import ingest_path

    catalogue = open_catalogue(demo_settings)
    for path in sorted(DEMO_DIR.glob("*.ttl")):
        result = ingest_path(catalogue, path)
        assert not result.rejected, [(o.iri, o.error) for o in result.rejected]
    yield catalogue
    catalogue.close()


@pytest.fixture(scope="session")
def demo_app(demo_settings, demo_catalogue):
    return make_app(demo_settings, demo_catalogue)


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture(scope="session")
def demo_metas(demo_catalogue):
    return demo_catalogue.records.list_metas()


class Fresh:
    """An empty catalogue with its app and client."""

    def __init__(self, tmp_path: Path, **settings):
        from catalogue.core import open_catalogue

        self.settings = Settings(data_dir=tmp_path / "instance", load_demo=False, base_iri=BASE, **settings)
        self.catalogue = open_catalogue(self.settings)
        self.app = make_app(self.settings, self.catalogue)
        self.client = self.app.test_client()

    def ingest(self, text: str, **kwargs):
        from catalogue.ingest import ingest_bytes

        result = ingest_bytes(self.catalogue, text.encode(), media_type="text/turtle", **kwargs)
        assert not result.rejected, [(o.iri, o.error, o.report) for o in result.rejected]
        return result


@pytest.fixture
def fresh(tmp_path):
    made = Fresh(tmp_path)
    yield made
    made.catalogue.close()
