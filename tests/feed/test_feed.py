"""The paged, streamed DCAT-AP feed: formats, Hydra paging, slices, bad input, streaming."""

from __future__ import annotations

import itertools
import threading
import time

import pyoxigraph as ox
import pytest

from catalogue import feed
from catalogue.rdf import FORMATS_BY_NAME

from .records import BASE, dataset_ttl, datasets_ttl, objects, parse

DCAT = "http://www.w3.org/ns/dcat#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
CATALOGUE = f"{BASE}/catalogue"
TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}


def datasets_in(dataset: ox.Dataset) -> set[str]:
    return {o.value for o in objects(dataset, CATALOGUE, DCAT + "dataset")}


def view_of(dataset: ox.Dataset) -> str:
    (view,) = objects(dataset, CATALOGUE, HYDRA + "view")
    return view.value


def link(dataset: ox.Dataset, view: str, name: str) -> str | None:
    found = objects(dataset, view, HYDRA + name)
    return found[0].value if found else None


def get(client, url: str, query_string=None, **headers):
    response = client.get(url.removeprefix(BASE), query_string=query_string, headers=headers)
    return response, parse(response.data, response.mimetype) if response.status_code == 200 else None


@pytest.mark.parametrize("ext", list(TYPES))
def test_every_format_by_extension(client, demo_metas, ext):
    response, dataset = get(client, f"/catalog.{ext}?page_size=5")
    assert response.status_code == 200
    assert response.mimetype == TYPES[ext]
    assert len(datasets_in(dataset)) == 5
    total = objects(dataset, CATALOGUE, HYDRA + "totalItems")[0]
    assert total.value == str(len(demo_metas))
    assert (
        ox.Quad(
            ox.NamedNode(CATALOGUE),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(DCAT + "Catalog"),
        )
        in dataset
    )


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.3, application/ld+json;q=0.8, application/rdf+xml;q=0.5", "application/ld+json"),
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
    ],
)
def test_format_by_accept_honours_q_values(client, accept, expected):
    response, dataset = get(client, "/catalog?page_size=2", Accept=accept)
    assert response.status_code == 200
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]
    assert len(datasets_in(dataset)) == 2


def test_unserved_accept_is_406_listing_the_formats(client):
    response = client.get("/catalog", headers={"Accept": "image/png, text/html"})
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    for media_type in TYPES.values():
        assert media_type in body


def test_following_hydra_next_visits_every_record_once(client, demo_metas):
    url, seen, pages = f"{BASE}/catalog.ttl?page_size=4", [], 0
    first = last = None
    while url:
        response, dataset = get(client, url)
        assert response.status_code == 200
        view = view_of(dataset)
        assert view == url
        assert {"PartialCollectionView", "PagedCollection"} <= {
            o.value.rsplit("#", 1)[-1]
            for o in objects(dataset, view, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        }
        first, last = first or link(dataset, view, "first"), link(dataset, view, "last")
        if pages:
            assert link(dataset, view, "previous")
        seen += sorted(datasets_in(dataset))
        url = link(dataset, view, "next")
        assert url is None or link(dataset, view, "nextPage") == url
        pages += 1
        assert pages < 20
    assert sorted(seen) == sorted(m.resource_iri for m in demo_metas)
    assert len(seen) == len(set(seen))
    assert pages == -(-len(demo_metas) // 4)
    assert first == f"{BASE}/catalog.ttl?page_size=4"
    assert last == f"{BASE}/catalog.ttl?page_size=4&page={pages}"


def test_http_link_headers_mirror_hydra(client):
    response = client.get("/catalog.nt?page_size=4&page=2")
    links = response.headers.getlist("Link")
    assert f'<{BASE}/catalog.nt?page_size=4&page=3>; rel="next"' in links
    assert f'<{BASE}/catalog.nt?page_size=4>; rel="prev"' in links
    assert response.headers["X-Total-Count"] == "22" or int(response.headers["X-Total-Count"]) > 0


def test_page_beyond_the_end_is_an_empty_page(client, demo_metas):
    response, dataset = get(client, "/catalog.ttl?page_size=10&page=999")
    assert response.status_code == 200
    assert datasets_in(dataset) == set()
    view = view_of(dataset)
    assert link(dataset, view, "next") is None
    last = -(-len(demo_metas) // 10)
    assert link(dataset, view, "previous") == f"{BASE}/catalog.ttl?page_size=10&page={last}"
    huge, _ = get(client, "/catalog.ttl?page=99999999999999999999")
    assert huge.status_code == 200


def test_page_size_over_the_maximum_is_clamped_and_said(demo_settings, demo_catalogue, demo_metas):
    from .conftest import make_app

    app = make_app(demo_settings.replace(max_page_size=5), demo_catalogue)
    response, dataset = get(app.test_client(), "/catalog.ttl?page_size=500")
    assert response.status_code == 200
    assert len(datasets_in(dataset)) == 5
    assert response.headers["X-Page-Size"] == "5"
    assert response.headers["X-Page-Size-Requested"] == "500"
    assert "maximum 5" in response.headers["X-Page-Size-Clamped"]
    view = view_of(dataset)
    assert [o.value for o in objects(dataset, view, "https://w3id.org/health-catalogue/ns#requestedPageSize")] == [
        "500"
    ]
    assert [o.value for o in objects(dataset, view, HYDRA + "itemsPerPage")] == ["5"]
    # the links carry the size actually served (here the default, so it is left out)
    assert link(dataset, view, "next") == f"{BASE}/catalog.ttl?page=2"


@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "page_size=-3", "modified_since=yesterday", "profile=dcat-ap-9"]
)
def test_bad_parameters_are_400_never_500(client, query):
    response = client.get(f"/catalog.ttl?{query}", headers={"Accept": "text/turtle"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).strip()


def test_modified_since_selects_recent_records(fresh):
    fresh.ingest(datasets_ttl("old-1", "old-2"))
    time.sleep(1.1)  # catalogue records are stamped to the second
    fresh.ingest(dataset_ttl("new-1"))
    new_meta = fresh.catalogue.records.get_meta("https://producer.example.org/dataset/new-1")
    since = new_meta.modified.isoformat().replace("+00:00", "Z")
    for value in (since, new_meta.modified.isoformat()):
        response = fresh.client.get("/catalog.ttl", query_string={"modified_since": value})
        dataset = parse(response.data, "text/turtle")
        assert datasets_in(dataset) == {"https://producer.example.org/dataset/new-1"}
        assert objects(dataset, CATALOGUE, HYDRA + "totalItems")[0].value == "1"
        assert "modified_since=" in view_of(dataset)
    all_of_them = parse(fresh.client.get("/catalog.ttl?modified_since=2000-01-01").data, "text/turtle")
    assert len(datasets_in(all_of_them)) == 3
    none = parse(fresh.client.get("/catalog.ttl?modified_since=2999-01-01T00:00:00%2B02:00").data, "text/turtle")
    assert datasets_in(none) == set()
    # with a search filter too
    sliced = parse(
        fresh.client.get(
            f"/catalog.ttl?theme=http://publications.europa.eu/resource/authority/data-theme/HEAL"
            f"&modified_since={since}"
        ).data,
        "text/turtle",
    )
    assert datasets_in(sliced) == {"https://producer.example.org/dataset/new-1"}


def test_search_filters_harvest_a_slice(client, demo_catalogue):
    from catalogue.search import SearchQuery

    everything = demo_catalogue.index.search(SearchQuery(page_size=1))
    publisher = next(f for f in everything.facets if f.name == "publisher").values[0]
    response, dataset = get(client, "/catalog.ttl", query_string={"publisher": publisher.value})
    assert response.status_code == 200
    found = datasets_in(dataset)
    assert len(found) == publisher.count < everything.total
    for resource in found:
        publishers = {o.value for o in objects(dataset, resource, "http://purl.org/dc/terms/publisher")}
        assert publisher.value in publishers
    assert objects(dataset, CATALOGUE, HYDRA + "totalItems")[0].value == str(publisher.count)
    # paging a slice keeps the filter in the links
    response, dataset = get(client, "/catalog.ttl", query_string={"publisher": publisher.value, "page_size": 1})
    next_url = link(dataset, view_of(dataset), "next")
    assert "publisher=" in next_url and "page=2" in next_url
    text_slice, dataset = get(client, "/catalog.ttl?q=zzzz-no-such-word")
    assert text_slice.status_code == 200 and datasets_in(dataset) == set()


def test_feed_page_has_an_etag_and_answers_304(client):
    response = client.get("/catalog.ttl?page_size=3")
    etag = response.headers["ETag"]
    again = client.get("/catalog.ttl?page_size=3", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other_format = client.get("/catalog.nt?page_size=3")
    assert other_format.headers["ETag"] != etag


def test_etag_changes_when_a_record_changes(fresh):
    fresh.ingest(dataset_ttl("e-1"))
    before = fresh.client.get("/catalog.ttl").headers["ETag"]
    time.sleep(1.1)
    fresh.ingest(dataset_ttl("e-1", title="Un autre titre"))
    after = fresh.client.get("/catalog.ttl", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before


def test_profile_is_announced(client):
    response = client.get("/catalog.ttl?page_size=1")
    assert response.headers["Content-Profile"] == "<https://semiceu.github.io/DCAT-AP/releases/3.0.1/>"
    old = client.get("/catalog.ttl?page_size=1&profile=dcat-ap-2.1.1")
    assert old.headers["Content-Profile"] == "<https://semiceu.github.io/DCAT-AP/releases/2.1.1/>"
    assert "profile=dcat-ap-2.1.1" in view_of(parse(old.data, "text/turtle"))


# --- streaming ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["nt", "ttl"])
def test_the_response_is_streamed_one_record_per_chunk(client, ext):
    response = client.get(f"/catalog.{ext}?page_size=5", buffered=False)
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    chunks = list(response.response)
    prefixes = 1 if ext == "ttl" else 0
    assert len(chunks) == prefixes + 1 + 5  # the catalogue node with the paging, then one chunk per record


def _groups(counter: list, size: int = 30):
    for i in itertools.count():
        counter[0] += 1
        subject = ox.NamedNode(f"http://example.org/r/{i}")
        yield [
            ox.Triple(subject, ox.NamedNode(f"http://example.org/p{j}"), ox.Literal(f"value {i} {j} " * 8))
            for j in range(size)
        ]


@pytest.mark.parametrize("name", ["nt", "ttl", "rdfxml", "jsonld"])
def test_serialisation_pulls_records_lazily_from_an_endless_catalogue(name):
    """Reading a few chunks pulls a bounded number of records: memory does not depend on the catalogue."""
    counter = [0]
    chunks = feed.serialize_groups(_groups(counter), FORMATS_BY_NAME[name])
    taken = [next(chunks) for _ in range(5)]
    assert all(isinstance(c, bytes) and c for c in taken)
    time.sleep(0.2)  # let a writer thread run ahead as far as its queue allows
    pulled = counter[0]
    assert pulled < 300, pulled  # the queue holds ~32 chunks of ~8 KiB; a record is ~8 KiB here
    chunks.close()  # the client went away: the writer thread must stop
    time.sleep(0.3)
    assert not [t for t in threading.enumerate() if t.name == "feed-serializer"]
    assert counter[0] <= pulled + 40


@pytest.mark.parametrize("name", ["nt", "ttl", "rdfxml", "jsonld"])
def test_chunked_documents_parse_as_one_graph(name):
    groups = [
        [
            ox.Triple(
                ox.NamedNode(f"http://example.org/d{i}"),
                ox.NamedNode("http://purl.org/dc/terms/title"),
                ox.Literal(f"titre {i}", language="fr"),
            ),
            ox.Triple(
                ox.NamedNode(f"http://example.org/d{i}"),
                ox.NamedNode("http://www.w3.org/ns/dcat#distribution"),
                ox.BlankNode(f"b{i}"),
            ),
            ox.Triple(
                ox.BlankNode(f"b{i}"),
                ox.NamedNode("http://www.w3.org/ns/dcat#byteSize"),
                ox.Literal("012", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")),
            ),
        ]
        for i in range(50)
    ]
    fmt = FORMATS_BY_NAME[name]
    data = b"".join(feed.serialize_groups(iter(groups), fmt))
    parsed = list(ox.parse(data, format=fmt.oxigraph))
    assert len(parsed) == 150
    assert len({q.object for q in parsed if isinstance(q.object, ox.BlankNode)}) == 50
    assert {q.object.value for q in parsed if q.predicate.value.endswith("byteSize")} == {"012"}


def test_an_error_while_streaming_cuts_the_response():
    def broken():
        yield [ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), ox.Literal("x"))]
        raise RuntimeError("store went away")

    chunks = feed.serialize_groups(broken(), FORMATS_BY_NAME["jsonld"])
    with pytest.raises(RuntimeError):
        b"".join(chunks)


def test_read_ahead_keeps_order_and_a_bounded_window():
    started = []
    lock = threading.Lock()

    def read(i):
        with lock:
            started.append(i)
        time.sleep(0.001 * (i % 3))  # finishing out of order
        return i * 10

    results = feed.read_ahead(read, itertools.count(), threads=2, window=4)
    assert [next(results) for _ in range(20)] == [i * 10 for i in range(20)]
    assert len(started) <= 20 + 4
    results.close()  # the client went away: nothing more is read
    seen = len(started)
    time.sleep(0.05)
    assert len(started) == seen
    assert list(feed.read_ahead(read, range(5), threads=1)) == [0, 10, 20, 30, 40]


def test_withdrawn_records_are_left_out(fresh):
    fresh.ingest(datasets_ttl("w-1", "w-2", "w-3"))
    records = fresh.catalogue.records
    records.mark_withdrawn(records.get_meta("https://producer.example.org/dataset/w-2"))
    for url in (
        "/catalog.ttl",
        "/catalog.ttl?theme=http://publications.europa.eu/resource/authority/data-theme/HEAL",
        "/catalog.ttl?modified_since=2000-01-01",
    ):
        dataset = parse(fresh.client.get(url).data, "text/turtle")
        assert datasets_in(dataset) == {
            "https://producer.example.org/dataset/w-1",
            "https://producer.example.org/dataset/w-3",
        }, url
    dataset = parse(fresh.client.get("/catalog.ttl").data, "text/turtle")
    assert objects(dataset, CATALOGUE, HYDRA + "totalItems")[0].value == "2"
