"""One frozen Settings object, read from CATALOGUE_* environment variables (never at import time)."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every knob of the catalogue. Each field is documented in README.md (a test checks it)."""

    # Where the embedded store and the search index live.
    data_dir: Path = PROJECT_ROOT / "instance"
    # Remote SPARQL 1.1 store (query endpoint). Empty: the embedded pyoxigraph store.
    store_url: str = ""
    store_update_url: str = ""
    store_gsp_url: str = ""
    store_user: str = ""
    store_password: str = ""
    store_auth: str = "basic"
    store_timeout: float = 30.0
    # Base of every IRI the catalogue mints (records, blank-node datasets, the catalogue).
    base_iri: str = "http://127.0.0.1:5000"
    catalogue_title_fr: str = "Catalogue national des données de santé"
    catalogue_title_en: str = "National health data catalogue"
    # Caps on untrusted input.
    max_input_bytes: int = 200 * 1024 * 1024
    max_triples_per_record: int = 20_000
    max_term_length: int = 100_000
    max_nesting_depth: int = 64
    # The demo catalogue loaded into an empty store by `make run`.
    demo_data_dir: Path = PROJECT_ROOT / "data"
    load_demo: bool = True
    # Validation engine: "turbo" (pyshacl-turbo, default, checked against pyshacl) or "pyshacl".
    shacl_engine: str = "turbo"
    # Worker processes validating large loads (0: validate in the loading process).
    validation_workers: int = 2
    # Web
    secret_key: str = "dev-only-change-me"
    page_size: int = 20
    max_page_size: int = 1000
    # SPARQL endpoint
    sparql_timeout: float = 10.0
    sparql_max_rows: int = 10_000
    sparql_max_query_bytes: int = 20_000
    sparql_max_depth: int = 64
    sparql_workers: int = 2
    sparql_per_client: int = 2
    federation_allow: tuple[str, ...] = ()
    # Outbound HTTP (harvesting)
    fetch_allow_private: bool = False
    fetch_timeout: float = 30.0
    fetch_max_bytes: int = 100 * 1024 * 1024
    harvest_max_pages: int = 1000
    harvest_grace_days: int = 7
    extra: dict = field(default_factory=dict)

    @property
    def store_path(self) -> Path:
        return Path(self.data_dir) / "store"

    @property
    def index_path(self) -> Path:
        return Path(self.data_dir) / "index"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Build settings from CATALOGUE_* variables (and CATALOGUE_CONFIG, a TOML file)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict = {}
        config_file = environ.get("CATALOGUE_CONFIG")
        if config_file:
            with open(config_file, "rb") as handle:
                values.update(tomllib.load(handle))
        for f in fields(cls):
            key = "CATALOGUE_" + f.name.upper()
            if key in environ:
                values[f.name] = environ[key]
        values.update(overrides)
        return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(cls, name: str, value):
    types = {f.name: f.type for f in fields(cls)}
    if name not in types:
        raise ValueError(f"Unknown setting {name!r}")
    kind = types[name]
    if not isinstance(value, str):
        return tuple(value) if kind.startswith("tuple") else value
    if kind == "Path":
        return Path(value)
    if kind == "bool":
        return _parse_bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind.startswith("tuple"):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value
