"""Shared fixtures: real stores on disk, the official reference material."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogue.settings import Settings

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"
HEALTH_EXAMPLE = REFERENCE / "healthdcat-ap" / "official-release8-via-sdc" / "example-healthdcat-dataset.ttl"


def need(condition: bool, what: str) -> None:
    """Skip when a real dependency is missing, but fail in CI where everything must be installed."""
    if not condition:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"missing in CI: {what}")
        pytest.skip(f"missing: {what}")


@pytest.fixture
def reference() -> Path:
    need(REFERENCE.is_dir(), f"the reference material at {REFERENCE}")
    return REFERENCE


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "instance", load_demo=False, base_iri="http://catalogue.test")


@pytest.fixture
def catalogue(settings):
    from catalogue.core import open_catalogue

    cat = open_catalogue(settings)
    yield cat
    cat.close()


@pytest.fixture
def health_example(reference) -> bytes:
    return HEALTH_EXAMPLE.read_bytes()
