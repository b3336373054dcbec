"""Starting the app: demo loaded into an empty store, and a lost search index rebuilt from the store."""

from __future__ import annotations

import shutil

from webapp import create_app


def test_demo_loaded_then_lost_index_rebuilt(tmp_path):
    from catalogue.settings import Settings

    settings = Settings(data_dir=tmp_path / "instance", load_demo=True)
    app = create_app(settings)
    client = app.test_client()
    first = client.get("/search.json?q=SNDS").get_json()
    assert first["total"] > 0
    stored = sum(app.extensions["catalogue"].records.count().values())
    assert stored >= 18
    app.extensions["close"]()

    shutil.rmtree(settings.index_path)  # the index is derived: losing it loses nothing
    app = create_app(settings)
    again = app.test_client().get("/search.json?q=SNDS").get_json()
    assert again["total"] == first["total"]
    assert [h["iri"] for h in again["hits"]] == [h["iri"] for h in first["hits"]]
    assert app.extensions["catalogue"].index.count() == stored
    app.extensions["close"]()
