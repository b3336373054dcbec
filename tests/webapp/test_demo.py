"""The demo catalogue is loaded into an empty store only, through the ingest path."""

from __future__ import annotations

from pathlib import Path

import pytest
from webapp_records import RECORDS, variant, write_records

from catalogue.settings import PROJECT_ROOT, Settings
from webapp.demo import demo_files, load_demo_if_empty


@pytest.fixture
def demo_settings(tmp_path) -> Settings:
    demo = tmp_path / "demo"
    write_records(demo, {"registry": variant("registry", **RECORDS["registry"])})
    (demo / "notes.txt").write_text("not RDF")
    return Settings(
        data_dir=tmp_path / "instance", load_demo=True, demo_data_dir=demo, base_iri="http://catalogue.test"
    )


def test_loads_into_an_empty_store_once(demo_settings):
    from catalogue.core import open_catalogue

    with open_catalogue(demo_settings) as catalogue:
        first = load_demo_if_empty(catalogue)
        assert first is not None and first.counts["accepted"] == 1
        assert load_demo_if_empty(catalogue) is None  # not empty any more
        assert sum(catalogue.records.count().values()) == 1


def test_load_demo_off(demo_settings):
    from catalogue.core import open_catalogue

    with open_catalogue(demo_settings.replace(load_demo=False)) as catalogue:
        assert load_demo_if_empty(catalogue) is None
        assert not any(catalogue.records.count().values())


def test_missing_demo_folder(demo_settings, tmp_path):
    from catalogue.core import open_catalogue

    with open_catalogue(demo_settings.replace(demo_data_dir=tmp_path / "nothing")) as catalogue:
        assert load_demo_if_empty(catalogue) is None


def test_create_app_loads_the_demo_and_reads_no_config_at_import(demo_settings, monkeypatch):
    monkeypatch.setenv("CATALOGUE_DATA_DIR", str(Path(demo_settings.data_dir) / "from-env"))
    import importlib

    import webapp

    importlib.reload(webapp)  # importing reads nothing
    app = webapp.create_app(demo_settings)
    try:
        assert app.test_client().get("/healthz").get_json()["records"] == 1
    finally:
        app.extensions["close"]()
    assert not (Path(demo_settings.data_dir) / "from-env").exists()


def test_the_shipped_demo_catalogue_loads_and_every_page_renders(tmp_path):
    """The demo in data/ goes in whole through create_app, and every one of its pages renders in both languages."""
    import json

    if not demo_files(PROJECT_ROOT / "data"):
        pytest.skip("no demo catalogue in data/ yet")
    from webapp import create_app

    app = create_app(Settings(data_dir=tmp_path / "instance", base_iri="http://catalogue.test"))
    try:
        catalogue = app.extensions["catalogue"]
        metas = catalogue.records.list_metas()
        assert len(metas) >= 10
        client = app.test_client()
        for lang in ("fr", "en"):
            assert client.get(f"/?lang={lang}").status_code == 200
            results = client.get(f"/search.json?lang={lang}&page_size=1000").get_json()
            assert results["total"] == len(metas)
            for meta in metas:
                response = client.get(f"/dataset/{meta.id}?lang={lang}")
                assert response.status_code == 200, meta.id
                html = response.get_data(as_text=True)
                start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
                assert json.loads(html[start : html.index("</script>", start)])["@type"] == "Dataset"
                assert client.get(f"/dataset/{meta.id}.json").status_code == 200
    finally:
        app.extensions["close"]()
