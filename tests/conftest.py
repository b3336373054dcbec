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


def with_french_text(example: bytes) -> bytes:
    """The official example carries English only; the national rules also want French."""
    return example.replace(
        b'    dct:title "Cross-border oncology EHR cohort 2024"@en ;\n',
        b'    dct:title "Cross-border oncology EHR cohort 2024"@en ;\n'
        b'    dct:title "Cohorte transfrontali\xc3\xa8re de DSE en oncologie 2024"@fr ;\n'
        b'    dct:description "Exemple officiel HealthDCAT-AP d\'une cohorte non publique."@fr ;\n',
        1,
    )


@pytest.fixture
def health_example(reference) -> bytes:
    """The official HealthDCAT-AP example, with the French title our national rules require."""
    data = with_french_text(HEALTH_EXAMPLE.read_bytes())
    assert b"@fr" in data
    return data
