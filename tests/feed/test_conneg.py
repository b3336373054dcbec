"""Accept header parsing and negotiation (catalogue/conneg.py)."""

from __future__ import annotations

import pytest

from catalogue import conneg

RDF = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "text/turtle"),  # no header: anything, the server's first choice
        ("", "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("text/turtle;q=0.4, application/ld+json;q=0.5", "application/ld+json"),
        ("application/rdf+xml;q=0.9, */*;q=0.1", "application/rdf+xml"),
        ("application/*", "application/ld+json"),  # first application/* the server offers
        ("text/turtle;q=0, */*", "application/ld+json"),  # q=0 refuses
        ("image/png, text/html", None),
        ("text/turtle;q=0", None),
        (
            'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded", text/turtle;q=0.5',
            "application/ld+json",
        ),  # parameters other than q do not stop a match
        ("TEXT/TURTLE", "text/turtle"),  # case-insensitive
        ("text/turtle;q=abc, application/n-triples", "application/n-triples"),  # a broken entry is skipped
        ("text/turtle;q=2", None),  # q out of range: the entry is skipped
        ("*/*;q=0.1, text/turtle;q=0", "application/ld+json"),  # the specific q=0 beats the wildcard
    ],
)
def test_negotiate(header, expected):
    assert conneg.negotiate(header, RDF) == expected


def test_ties_prefer_the_explicit_type_over_a_wildcard():
    # A browser-like header: text/html is named, everything else comes from */*.
    assert conneg.negotiate("text/html, */*", ["text/turtle", "text/html"]) == "text/html"


def test_more_specific_range_wins_even_with_lower_q():
    ranges = conneg.parse_accept("text/*;q=0.9, text/turtle;q=0.2")
    assert conneg.quality(ranges, "text/turtle") == (0.2, 2)
    assert conneg.quality(ranges, "text/csv") == (0.9, 1)


def test_quoted_commas_and_semicolons_do_not_split():
    ranges = conneg.parse_accept('application/ld+json;profile="a,b;c";q=0.3, text/turtle')
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("application", "ld+json", 0.3), ("text", "turtle", 1.0)]


def test_html_is_offered_first_for_iris_that_browsers_open():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert conneg.negotiate_rdf(browser, html=True) == conneg.HTML
    assert conneg.negotiate_rdf("text/turtle", html=True).name == "ttl"
    assert conneg.negotiate_rdf("application/json", html=True).name == "jsonld"
    assert conneg.negotiate_rdf("text/html") is None


def test_every_served_format_has_an_extension_and_the_406_text_lists_them():
    text = conneg.not_acceptable_text()
    for fmt in conneg.served_formats():
        assert fmt.media_type in text
        assert conneg.format_for_extension(next(e for e, n in conneg.EXTENSIONS.items() if n == fmt.name)) is fmt
