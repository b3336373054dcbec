"""Fixtures for the web UI: one app over a temporary store filled through the ingest path."""

from __future__ import annotations

import pytest
from webapp_records import OFFICIAL_EXAMPLE, RECORDS, variant, write_records

from catalogue.settings import Settings


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory) -> Settings:
    if not OFFICIAL_EXAMPLE.is_file():
        pytest.skip(f"missing: the official HealthDCAT-AP example at {OFFICIAL_EXAMPLE}")
    root = tmp_path_factory.mktemp("webapp")
    demo = root / "demo"
    write_records(demo, {name: variant(name, **fields) for name, fields in RECORDS.items()})
    # The records come in as a demo catalogue: create_app -> load_demo_if_empty -> ingest_path.
    return Settings(data_dir=root / "instance", load_demo=True, demo_data_dir=demo, base_iri="http://catalogue.test")


@pytest.fixture(scope="session")
def web_catalogue(web_settings):
    from catalogue.core import open_catalogue

    catalogue = open_catalogue(web_settings)
    yield catalogue
    catalogue.close()


@pytest.fixture(scope="session")
def app(web_settings, web_catalogue):
    from webapp import create_app

    app = create_app(web_settings, web_catalogue)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def record_ids(web_catalogue) -> dict[str, str]:
    """Test record name ("oncology", "registry"...) -> RecordMeta.id."""
    ids = {}
    for meta in web_catalogue.records.list_metas():
        slug = meta.resource_iri.rsplit("/dataset-", 1)[-1]
        ids[slug] = meta.id
    return ids
