"""Fixtures for the harvester: a catalogue that may fetch from 127.0.0.1, a feed server, a settable clock."""

from __future__ import annotations

import datetime as dt

import pytest

from catalogue.settings import Settings

from .feeds import OFFICIAL_EXAMPLE, FeedServer


@pytest.fixture
def settings(tmp_path) -> Settings:
    if not OFFICIAL_EXAMPLE.is_file():
        pytest.skip(f"missing: the official HealthDCAT-AP example at {OFFICIAL_EXAMPLE}")
    return Settings(
        data_dir=tmp_path / "instance",
        load_demo=False,
        base_iri="http://catalogue.test",
        fetch_allow_private=True,
        fetch_timeout=5.0,
        harvest_grace_days=7,
    )


@pytest.fixture
def server():
    feed = FeedServer()
    yield feed
    feed.close()


class Clock:
    def __init__(self):
        self.now = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def harvester(catalogue, clock):
    from catalogue.harvest import Harvester

    return Harvester(catalogue, clock=clock)


@pytest.fixture
def add_source(catalogue):
    from catalogue.harvest import Source, SourceRegistry

    def add(name: str, url: str, kind: str = "dcat", schedule: str = "manual"):
        return SourceRegistry(catalogue.store, catalogue.settings.base_iri).add(Source(name, url, kind, schedule))

    return add
