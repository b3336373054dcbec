"""REST API /api/v1: reading, and writing a publisher's records with a bearer token."""

from __future__ import annotations

import re

import pytest

from catalogue.records import record_id
from catalogue.tokens import TokenStore

from .records import dataset_iri, dataset_ttl, datasets_ttl, publisher_iri

TTL = {"Content-Type": "text/turtle"}


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}", **TTL}


@pytest.fixture
def token(fresh):
    return TokenStore(fresh.catalogue.store, fresh.settings.base_iri).create(publisher_iri("org-a"))[1]


def stored(fresh) -> set[str]:
    return {m.resource_iri for m in fresh.catalogue.records.list_metas()}


# --- reading ------------------------------------------------------------------------------------


def test_search_has_the_ui_parameters_facets_and_links(client, demo_metas):
    everything = client.get("/api/v1/search?page_size=5").get_json()
    assert everything["total"] == len(demo_metas)
    assert len(everything["hits"]) == 5
    assert {f["name"] for f in everything["facets"]} >= {"theme", "publisher", "access_rights"}
    hit = everything["hits"][0]
    assert hit["links"]["self"] == f"/api/v1/datasets/{hit['id']}"
    assert hit["links"]["ttl"] == f"/dataset/{hit['id']}.ttl"
    assert everything["links"]["next"].endswith("page=2")
    publisher = next(f for f in everything["facets"] if f["name"] == "publisher")["values"][0]
    sliced = client.get("/api/v1/search", query_string={"publisher": publisher["value"]}).get_json()
    assert sliced["total"] == publisher["count"]
    assert client.get("/api/v1/search?page=500").get_json()["hits"] == []


def test_search_page_size_is_clamped_and_said(client, demo_settings, demo_catalogue):
    from .conftest import make_app

    app = make_app(demo_settings.replace(max_page_size=3), demo_catalogue)
    response = app.test_client().get("/api/v1/search?page_size=50")
    assert response.get_json()["page_size"] == 3
    assert response.get_json()["page_size_clamped"] is True
    assert "maximum 3" in response.headers["X-Page-Size-Clamped"]


def test_dataset_detail(client, demo_metas):
    meta = demo_metas[0]
    body = client.get(f"/api/v1/datasets/{meta.id}").get_json()
    assert body["iri"] == meta.resource_iri
    assert body["record"]["iri"] == meta.record_iri
    assert body["dataset"]["title"]
    assert body["links"]["jsonld"] == f"/dataset/{meta.id}.jsonld"
    missing = client.get("/api/v1/datasets/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404


def test_publishers_and_themes(client, demo_metas):
    publishers = client.get("/api/v1/publishers").get_json()["publishers"]
    assert publishers and sum(p["count"] for p in publishers) >= len(demo_metas)
    assert all(p["label"] and p["search"].startswith("/api/v1/search?publisher=") for p in publishers)
    themes = client.get("/api/v1/themes?lang=fr").get_json()
    health = next(t for t in themes["themes"] if t["value"].endswith("/HEAL"))
    assert health["count"] == len(demo_metas) and health["label"] == "Santé"
    assert themes["health_categories"]


# --- writing ------------------------------------------------------------------------------------


def test_push_needs_a_valid_token(fresh, token):
    body = dataset_ttl("a1")
    missing = fresh.client.post("/api/v1/datasets", data=body, headers=TTL)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    bad = fresh.client.post("/api/v1/datasets", data=body, headers=auth("hdc_000000000000_" + "x" * 43))
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    assert bad.get_json()["error"]["code"] == "Unauthorized"
    assert stored(fresh) == set()


def test_post_creates_and_the_record_is_served(fresh, token):
    response = fresh.client.post("/api/v1/datasets", data=dataset_ttl("a1"), headers=auth(token))
    assert response.status_code == 201, response.get_json()
    rid = record_id(dataset_iri("a1"))
    assert response.headers["Location"] == f"/api/v1/datasets/{rid}"
    assert response.get_json()["records"][0]["status"] == "accepted"
    meta = fresh.catalogue.records.get_meta(dataset_iri("a1"))
    assert meta.source == f"api:{publisher_iri('org-a')}"
    assert fresh.client.get(f"/api/v1/datasets/{rid}").status_code == 200
    assert dataset_iri("a1").encode() in fresh.client.get("/catalog.nt").data
    # creating it again is a conflict: PUT replaces
    again = fresh.client.post("/api/v1/datasets", data=dataset_ttl("a1"), headers=auth(token))
    assert again.status_code == 409
    assert "PUT" in again.get_json()["error"]["message_en"]


@pytest.mark.parametrize("content_type", ["application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_post_any_rdf_format(fresh, token, content_type):
    import pyoxigraph as ox

    from catalogue.rdf import format_for_media_type

    triples = ox.parse(dataset_ttl("f1").encode(), format=ox.RdfFormat.TURTLE)
    body = ox.serialize(triples, format=format_for_media_type(content_type).oxigraph)
    response = fresh.client.post(
        "/api/v1/datasets", data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}
    )
    assert response.status_code == 201, response.get_json()
    assert stored(fresh) == {dataset_iri("f1")}


def test_token_for_another_publisher_is_403_and_nothing_is_stored(fresh, token):
    other = dataset_ttl("b1", publisher="org-b", name="Organisme B")
    response = fresh.client.post("/api/v1/datasets", data=other, headers=auth(token))
    assert response.status_code == 403
    assert "org-b" in response.get_json()["error"]["message_en"]
    mixed = datasets_ttl("a2") + other.split("@prefix eli: <http://data.europa.eu/eli/ontology#> .", 1)[1]
    assert fresh.client.post("/api/v1/datasets", data=mixed, headers=auth(token)).status_code == 403
    assert stored(fresh) == set()


def test_token_by_publisher_name(fresh):
    secret = TokenStore(fresh.catalogue.store, fresh.settings.base_iri).create("organisme a")[1]
    response = fresh.client.post("/api/v1/datasets", data=dataset_ttl("n1"), headers=auth(secret))
    assert response.status_code == 201
    assert fresh.catalogue.records.get_meta(dataset_iri("n1")).source == "api:organisme a"


def test_invalid_record_is_422_with_the_report_and_nothing_stored(fresh, token):
    response = fresh.client.post("/api/v1/datasets", data=dataset_ttl("bad", drop_title=True), headers=auth(token))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "ValidationFailed"
    (record,) = error["records"]
    assert record["status"] == "rejected"
    problems = record["report"]["problems"]
    assert any(p["severity"] == "violation" and p["path"] == "http://purl.org/dc/terms/title" for p in problems)
    assert record["report"]["conforms"] is False
    # all or nothing: a valid record pushed with an invalid one is not stored either
    both = (
        datasets_ttl("good-1")
        + dataset_ttl("bad-2", drop_title=True).split("@prefix eli: <http://data.europa.eu/eli/ontology#> .", 1)[1]
    )
    assert fresh.client.post("/api/v1/datasets", data=both, headers=auth(token)).status_code == 422
    assert stored(fresh) == set()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("this is not turtle ;;", "text/turtle", 400),
        ("", "text/turtle", 400),
        ("%PDF-1.4 binary", "application/pdf", 415),
        ("@prefix ex: <http://example.org/> . ex:a ex:b ex:c .", "text/turtle", 400),  # no dataset in it
    ],
)
def test_bad_bodies(fresh, token, body, content_type, status):
    response = fresh.client.post(
        "/api/v1/datasets", data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": content_type}
    )
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["message_fr"]


def test_put_creates_then_replaces(fresh, token):
    rid = record_id(dataset_iri("p1"))
    created = fresh.client.put(f"/api/v1/datasets/{rid}", data=dataset_ttl("p1"), headers=auth(token))
    assert created.status_code == 201
    replaced = fresh.client.put(
        f"/api/v1/datasets/{rid}", data=dataset_ttl("p1", title="Nouveau titre"), headers=auth(token)
    )
    assert replaced.status_code == 200
    assert replaced.get_json()["records"][0]["status"] == "updated"
    assert "Nouveau titre" in fresh.client.get(f"/api/v1/datasets/{rid}").get_data(as_text=True)
    unchanged = fresh.client.put(
        f"/api/v1/datasets/{rid}", data=dataset_ttl("p1", title="Nouveau titre"), headers=auth(token)
    )
    assert unchanged.status_code == 200 and unchanged.get_json()["records"][0]["status"] == "unchanged"
    wrong_id = fresh.client.put("/api/v1/datasets/other-id", data=dataset_ttl("p2"), headers=auth(token))
    assert wrong_id.status_code == 400
    two = fresh.client.put(f"/api/v1/datasets/{rid}", data=datasets_ttl("p1", "p3"), headers=auth(token))
    assert two.status_code == 400
    assert stored(fresh) == {dataset_iri("p1")}


def test_records_of_another_source_cannot_be_replaced_or_deleted(fresh, token):
    fresh.ingest(dataset_ttl("local-1"))  # loaded by the catalogue team (source "local")
    rid = record_id(dataset_iri("local-1"))
    put = fresh.client.put(f"/api/v1/datasets/{rid}", data=dataset_ttl("local-1", title="x"), headers=auth(token))
    assert put.status_code == 403
    assert fresh.client.delete(f"/api/v1/datasets/{rid}", headers=auth(token)).status_code == 403
    assert stored(fresh) == {dataset_iri("local-1")}


def test_delete(fresh, token):
    rid = record_id(dataset_iri("d1"))
    fresh.client.post("/api/v1/datasets", data=dataset_ttl("d1"), headers=auth(token))
    assert fresh.client.delete(f"/api/v1/datasets/{rid}").status_code == 401
    other = TokenStore(fresh.catalogue.store, fresh.settings.base_iri).create(publisher_iri("org-b"))[1]
    assert fresh.client.delete(f"/api/v1/datasets/{rid}", headers=auth(other)).status_code == 403
    deleted = fresh.client.delete(f"/api/v1/datasets/{rid}", headers=auth(token))
    assert deleted.status_code == 204
    assert stored(fresh) == set()
    assert fresh.client.delete(f"/api/v1/datasets/{rid}", headers=auth(token)).status_code == 404
    assert fresh.client.get(f"/dataset/{rid}.ttl").status_code == 404


# --- description and documentation ----------------------------------------------------------------


def _rule_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "{" + ("id" if m.group(1) == "rid" else m.group(1)) + "}", rule)


def test_openapi_describes_every_route_and_only_existing_ones(demo_app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    routes = set()
    for rule in demo_app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "feed.")):
            path = _rule_path(rule.rule)
            if "{ext}" in path and path.startswith("/catalog."):
                path = "/catalog.{ext}"
            if path.startswith("/id/"):
                path = "/id/{path}"
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method))
    assert routes == described
    search = document["paths"]["/api/v1/search"]["get"]["parameters"]
    from catalogue.search import FACETS

    assert {f.name for f in FACETS} <= {p["name"] for p in search}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.mark.parametrize(("lang", "title"), [("fr", "API du catalogue"), ("en", "Catalogue API")])
def test_docs_page_in_both_languages(client, lang, title):
    response = client.get(f"/api/v1/docs?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert title in page
    assert "/api/v1/datasets" in page and "/catalog" in page and "openapi.json" in page
