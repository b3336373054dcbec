"""Hydra next links in both forms, and the page walk's loop and count guards."""

from __future__ import annotations

import pytest

from catalogue.errors import LimitExceeded
from catalogue.harvest.paging import PageLoop, PageWalk, next_page_of_document

from .feeds import hydra_ttl, page_bytes


@pytest.mark.parametrize("style", ["view", "old"])
@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdfxml"])
def test_next_page_in_both_hydra_forms_and_every_format(style, fmt):
    hydra = hydra_ttl("http://feed.example/c?page=1", "http://feed.example/c?page=2", style=style)
    body, media_type = page_bytes([], hydra, fmt=fmt)
    found = next_page_of_document(body, media_type=media_type, page_url="http://feed.example/c?page=1", max_bytes=10**6)
    assert found == "http://feed.example/c?page=2"


def test_last_page_has_no_next():
    body, media_type = page_bytes([], hydra_ttl("http://feed.example/c?page=3", None))
    assert (
        next_page_of_document(body, media_type=media_type, page_url="http://feed.example/c?page=3", max_bytes=10**6)
        is None
    )


def test_relative_next_links_resolve_against_the_page_url():
    body = b"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n<?page=1> hydra:next <?page=2> .\n"
    found = next_page_of_document(
        body, media_type="text/turtle", page_url="http://feed.example/c?page=1", max_bytes=10**6
    )
    assert found == "http://feed.example/c?page=2"


def test_the_link_said_of_the_page_itself_wins():
    body = (
        b"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
        b"<http://feed.example/other> hydra:next <http://feed.example/wrong> .\n"
        b"<http://feed.example/c?page=1> hydra:next <http://feed.example/c?page=2> .\n"
    )
    assert (
        next_page_of_document(body, media_type="text/turtle", page_url="http://feed.example/c?page=1", max_bytes=10**6)
        == "http://feed.example/c?page=2"
    )


def test_the_walk_stops_on_a_cycle_and_at_the_page_cap():
    walk = PageWalk("http://f/1", max_pages=10)
    assert walk.take() == "http://f/1"
    walk.follow("http://f/2")
    assert walk.take() == "http://f/2"
    walk.follow("http://f/1#again")  # the same page, whatever the fragment
    with pytest.raises(PageLoop) as info:
        walk.take()
    assert "http://f/1" in info.value.describe("en") and "Boucle" in info.value.describe("fr")
    capped = PageWalk("http://f/1", max_pages=2)
    for n in (1, 2):
        assert capped.take() == f"http://f/{n}"
        capped.follow(f"http://f/{n + 1}")
    with pytest.raises(LimitExceeded, match="harvest_max_pages"):
        capped.take()
