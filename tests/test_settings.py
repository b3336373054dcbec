"""Settings: environment parsing, and every setting documented in the README."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from catalogue.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_environment_values_are_typed():
    settings = Settings.from_env({
        "CATALOGUE_DATA_DIR": "/tmp/cat",
        "CATALOGUE_LOAD_DEMO": "no",
        "CATALOGUE_SPARQL_TIMEOUT": "2.5",
        "CATALOGUE_MAX_PAGE_SIZE": "50",
        "CATALOGUE_FEDERATION_ALLOW": "https://data.europa.eu/sparql, http://127.0.0.1:7878/query",
    })
    assert settings.data_dir == Path("/tmp/cat")
    assert settings.load_demo is False
    assert settings.sparql_timeout == 2.5
    assert settings.max_page_size == 50
    assert settings.federation_allow == ("https://data.europa.eu/sparql", "http://127.0.0.1:7878/query")


def test_toml_file_and_env_override(tmp_path):
    config = tmp_path / "catalogue.toml"
    config.write_text('base_iri = "https://catalogue.example.fr"\nmax_page_size = 10\n')
    settings = Settings.from_env({"CATALOGUE_CONFIG": str(config), "CATALOGUE_MAX_PAGE_SIZE": "30"})
    assert settings.base_iri == "https://catalogue.example.fr"
    assert settings.max_page_size == 30


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="Unknown setting"):
        Settings.from_env({}, not_a_setting=1)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().base_iri = "x"  # type: ignore[misc]


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text()
    missing = [f.name for f in fields(Settings) if f.name != "extra" and f"CATALOGUE_{f.name.upper()}" not in text]
    assert missing == []
