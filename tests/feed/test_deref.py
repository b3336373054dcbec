"""Dereferenceable IRIs: HTML for browsers, RDF for RDF clients, validators and 304."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from .records import BASE, dataset_iri, dataset_ttl, objects, parse

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
XSD_NNI = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"
FOAF_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"


@pytest.fixture(scope="module")
def meta(demo_metas):
    return demo_metas[0]


def test_record_iri_sends_browsers_to_the_dataset_page(client, meta):
    response = client.get(f"/record/{meta.id}", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/dataset/{meta.id}")
    assert "Accept" in response.headers["Vary"]
    page = client.get(f"/dataset/{meta.id}", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html"  # the UI's page, not shadowed


@pytest.mark.parametrize(
    ("accept", "mimetype", "ext"),
    [
        ("text/turtle", "text/turtle", "ttl"),
        ("application/ld+json", "application/ld+json", "jsonld"),
        ("application/rdf+xml", "application/rdf+xml", "rdf"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_record_iri_answers_rdf_clients_directly(client, meta, accept, mimetype, ext):
    response = client.get(f"/record/{meta.id}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Location"] == f"/dataset/{meta.id}.{ext}"
    assert "Accept" in response.headers["Vary"]
    dataset = parse(response.data, mimetype)
    assert [o.value for o in objects(dataset, meta.record_iri, FOAF_TOPIC)] == [meta.resource_iri]
    assert objects(dataset, meta.resource_iri, "http://purl.org/dc/terms/title")


def test_unserved_accept_on_an_iri_is_406(client, meta):
    assert client.get(f"/record/{meta.id}", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_dataset_documents_keep_the_datatypes_profiles_require(client, meta, ext):
    response = client.get(f"/dataset/{meta.id}.{ext}")
    assert response.status_code == 200
    dataset = parse(response.data, response.mimetype)
    counts = [q.object for q in dataset if q.predicate.value.startswith("http://healthdataportal.eu/ns/health#number")]
    assert counts and all(o.datatype.value == XSD_NNI for o in counts)


def test_unknown_record_is_404(client):
    assert client.get("/dataset/no-such-record.ttl").status_code == 404
    assert client.get("/record/no-such-record", headers={"Accept": "text/turtle"}).status_code == 404


def test_etag_and_last_modified_give_304(client, meta):
    response = client.get(f"/dataset/{meta.id}.ttl")
    etag, last_modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert etag and last_modified
    assert client.get(f"/dataset/{meta.id}.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/dataset/{meta.id}.ttl", headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(f"/dataset/{meta.id}.ttl", headers={"If-Modified-Since": last_modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(f"/dataset/{meta.id}.ttl", headers={"If-Modified-Since": old}).status_code == 200
    assert client.get(f"/dataset/{meta.id}.ttl", headers={"If-None-Match": '"stale"'}).status_code == 200
    # another format or profile is another representation
    assert client.get(f"/dataset/{meta.id}.nt").headers["ETag"] != etag
    assert client.get(f"/dataset/{meta.id}.ttl?profile=dcat-ap-2.1.1").headers["ETag"] != etag
    negotiated = client.get(f"/record/{meta.id}", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert negotiated.status_code == 304


def test_minted_dataset_iri_is_303_for_everyone(fresh):
    blank = dataset_ttl("minted").replace(f"<{dataset_iri('minted')}> a dcat:Dataset", "[] a dcat:Dataset", 1)
    blank = blank.replace(
        f"dcat:distribution <{dataset_iri('minted')}/csv>", f"dcat:distribution <{BASE}/id/distribution/minted-csv>"
    )
    blank = blank.replace(
        f"<{dataset_iri('minted')}/csv> a dcat:Distribution", f"<{BASE}/id/distribution/minted-csv> a dcat:Distribution"
    )
    result = fresh.ingest(blank)
    minted = result.outcomes[0].iri
    assert minted.startswith(f"{BASE}/id/dataset/")
    meta = fresh.catalogue.records.get_meta(minted)
    path = minted.removeprefix(BASE)
    html = fresh.client.get(path, headers={"Accept": BROWSER})
    assert html.status_code == 303 and html.headers["Location"].endswith(f"/dataset/{meta.id}")
    rdf = fresh.client.get(path, headers={"Accept": "application/ld+json"})
    assert rdf.status_code == 303 and rdf.headers["Location"].endswith(f"/dataset/{meta.id}.jsonld")
    document = fresh.client.get(rdf.headers["Location"])
    dataset = parse(document.data, "application/ld+json")
    assert ox.NamedNode(minted) in {q.subject for q in dataset}
    # a distribution IRI under the base leads to the record that describes it
    distribution = fresh.client.get("/id/distribution/minted-csv", headers={"Accept": "text/turtle"})
    assert distribution.status_code == 303
    assert distribution.headers["Location"].endswith(f"/dataset/{meta.id}.ttl")
    assert fresh.client.get("/id/dataset/0000000000000000", headers={"Accept": "text/turtle"}).status_code == 404


def test_catalogue_iri(client):
    html = client.get("/catalogue", headers={"Accept": BROWSER})
    assert html.status_code == 303 and html.headers["Location"].endswith("/")
    rdf = client.get("/catalogue", headers={"Accept": "application/rdf+xml"})
    assert rdf.status_code == 303 and rdf.headers["Location"].endswith("/catalog.rdf")
    operator = client.get("/id/agent/catalogue-operator", headers={"Accept": "text/turtle"})
    assert operator.status_code == 303 and operator.headers["Location"].endswith("/catalog.ttl")
    feed = parse(client.get("/catalog.ttl?page_size=1").data, "text/turtle")
    assert objects(feed, f"{BASE}/id/agent/catalogue-operator", "http://xmlns.com/foaf/0.1/name")


@pytest.mark.parametrize(
    "path",
    [
        "/record/a%20b",
        "/record/a%3Cb%3E",
        "/dataset/a%20b.ttl",
        "/id/a%20b",
        "/id/x%3E%20%3Cy",
        "/api/v1/datasets/a%20b",
        "/record/" + "x" * 300,
    ],
)
def test_text_that_cannot_be_an_identifier_is_404_never_500(client, path):
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
