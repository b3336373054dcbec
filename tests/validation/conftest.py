"""Fixtures of the validation tests: the shared reference material and the two engines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / ".." / "shared" / "reference"
HEALTHDCAT = REFERENCE / "healthdcat-ap" / "official-release8-via-sdc"
HEALTH_RI = REFERENCE / "healthdcat-ap" / "health-ri-metadata"
EXAMPLE = HEALTHDCAT / "example-healthdcat-dataset.ttl"
ARCA = HEALTHDCAT / "ARCA-EPRDR-example.ttl"


def need_file(path: Path) -> Path:
    """The reference file, or skip (fail on CI) when the shared material is absent."""
    if not path.exists():
        message = f"reference material not found: {path} (expected in <repo>/../shared/reference)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def load(path: Path, fmt: str = "turtle") -> Graph:
    return Graph().parse(need_file(path), format=fmt)


@pytest.fixture(scope="session")
def turbo():
    from catalogue.validation import Validator

    return Validator("turbo")


@pytest.fixture(scope="session")
def pyshacl_validator():
    from catalogue.validation import Validator

    return Validator("pyshacl")


@pytest.fixture(params=["turbo", "pyshacl"])
def validator(request, turbo, pyshacl_validator):
    return turbo if request.param == "turbo" else pyshacl_validator


@pytest.fixture()
def example() -> Graph:
    return load(EXAMPLE)


@pytest.fixture()
def arca() -> Graph:
    return load(ARCA)
