"""CKAN portals: paged package_search from a server shaped like the CKAN action API, mapped to DCAT-AP."""

from __future__ import annotations

import json

import pyoxigraph as ox

from catalogue.harvest import ckan

from .feeds import Route

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def package(n: int) -> dict:
    return {
        "id": f"0000-{n}",
        "name": f"hospital-stays-{n}",
        "title": f"Séjours hospitaliers {n}",
        "notes": "Nombre de séjours par établissement.",
        "version": "1.0",
        "metadata_created": "2024-01-02T10:11:12.123456",
        "metadata_modified": "2024-02-03T10:11:12",
        "license_id": "cc-by",
        "license_url": None,
        "url": "",
        "maintainer": "Data team",
        "maintainer_email": "data@portal.example.org",
        "organization": {"id": "org-1", "name": "ministry", "title": "Ministère de la santé"},
        "tags": [{"name": "hospital", "display_name": "hôpital"}, {"name": "stays"}],
        "extras": [
            {"key": "identifier", "value": f"HS-{n}"},
            {"key": "access_rights", "value": "public"},
            {"key": "language", "value": '["fr"]'},
            {"key": "theme", "value": "http://publications.europa.eu/resource/authority/data-theme/HEAL"},
            {"key": "temporal_start", "value": "2020-01-01"},
            {"key": "temporal_end", "value": "2023-12-31"},
            {"key": "alternate_identifier", "value": f"ALT-{n}"},
        ],
        "resources": [
            {
                "id": f"r{n}",
                "name": "CSV export",
                "description": "All stays",
                "format": "CSV",
                "mimetype": "text/csv",
                "size": 1234,
                "url": f"https://portal.example.org/d/{n}.csv",
                "url_type": "upload",
                "created": "2024-01-02T10:11:12",
            }
        ],
    }


def test_a_package_maps_to_a_dcat_dataset_with_its_distribution():
    triples = ckan.package_triples(package(1), "https://portal.example.org")
    dataset = ox.NamedNode("https://portal.example.org/dataset/0000-1")

    def values(subject, prop):
        return {t.object for t in triples if t.subject == subject and t.predicate.value == prop}

    assert ox.NamedNode(DCAT + "Dataset") in values(dataset, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert values(dataset, DCT + "title") == {ox.Literal("Séjours hospitaliers 1")}
    assert values(dataset, DCAT + "keyword") == {ox.Literal("hôpital"), ox.Literal("stays")}
    assert values(dataset, DCT + "identifier") == {ox.Literal("HS-1")}
    assert values(dataset, DCT + "accessRights") == {
        ox.NamedNode("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    }
    assert values(dataset, DCT + "language") == {
        ox.NamedNode("http://publications.europa.eu/resource/authority/language/FRA")
    }
    publisher = ox.NamedNode("https://portal.example.org/organization/ministry")
    assert values(dataset, DCT + "publisher") == {publisher}
    assert values(publisher, "http://xmlns.com/foaf/0.1/name") == {ox.Literal("Ministère de la santé")}
    (distribution,) = values(dataset, DCAT + "distribution")
    assert values(distribution, DCT + "format") == {
        ox.NamedNode("http://publications.europa.eu/resource/authority/file-type/CSV")
    }
    assert values(distribution, DCAT + "byteSize") == {
        ox.Literal("1234", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
    }
    assert values(distribution, DCAT + "downloadURL") == {ox.NamedNode("https://portal.example.org/d/1.csv")}
    assert values(distribution, DCT + "license") == {
        ox.NamedNode("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
    }
    assert values(dataset, DCT + "issued") == {
        ox.Literal("2024-01-02T10:11:12.123456", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"))
    }


def test_hostile_values_never_become_iris():
    bad = package(2)
    bad["resources"][0]["url"] = "javascript:alert(1)"
    bad["resources"][0]["size"] = "12; DROP"
    bad["extras"] = [{"key": "uri", "value": "http://x/> <http://evil"}]
    triples = ckan.package_triples(bad, "https://portal.example.org")
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
    assert "javascript:" not in text and "evil" not in text and "DROP" not in text


def serve_portal(server, packages: list[dict], rows: int) -> str:
    for start in range(0, max(len(packages), 1), rows):
        body = json.dumps(
            {"success": True, "result": {"count": len(packages), "results": packages[start : start + rows]}}
        ).encode()
        server.routes[f"/api/3/action/package_search?rows={rows}&start={start}"] = Route(
            body=body, content_type="application/json", etag=False
        )
    return server.url(f"/?rows={rows}")


def test_a_ckan_portal_is_paged_and_its_records_reported_honestly(catalogue, harvester, server, add_source):
    url = serve_portal(server, [package(n) for n in range(5)], rows=2)
    report = harvester.run(add_source("portal", url, kind="ckan"))
    assert report.pages_fetched == 3
    assert server.paths() == [f"/api/3/action/package_search?rows=2&start={s}" for s in (0, 2, 4)]
    assert report.status == "success"
    # plain CKAN metadata lacks what HealthDCAT-AP requires: each package is rejected with its report
    assert report.counts["rejected"] + report.counts["added"] == 5
    for rejected in report.rejected:
        assert rejected["report"]["problems"] and rejected["iri"].startswith(server.url("/dataset/0000-"))


def test_a_broken_ckan_answer_is_an_error_with_its_url(catalogue, harvester, server, add_source):
    server.routes["/api/3/action/package_search?rows=100&start=0"] = Route(
        body=b"<html>", etag=False, content_type="text/html"
    )
    report = harvester.run(add_source("portal", server.url("/"), kind="ckan"))
    assert report.status == "failed"
    assert "package_search" in report.errors[0]["message_en"] and "start=0" in report.errors[0]["url"]
