"""Harvesting paged DCAT-AP feeds from a real server: formats, ETags, changes between runs, withdrawal."""

from __future__ import annotations

import pytest

from catalogue.harvest import RunHistory

from .feeds import Route, page_bytes, record_iri, record_ttl


def stored(catalogue, source="harvest:partner") -> dict:
    return {m.resource_iri: m for m in catalogue.records.list_metas(source=source)}


@pytest.mark.parametrize("style", ["view", "old"])
@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdfxml"])
def test_a_paged_feed_is_harvested_in_every_format(catalogue, harvester, server, add_source, fmt, style):
    url = server.publish(
        [[record_ttl("a"), record_ttl("b")], [record_ttl("c")], [record_ttl("d")]], fmt=fmt, style=style
    )
    source = add_source("partner", url)
    report = harvester.run(source)
    assert report.status == "success", report.format_text()
    assert report.pages_fetched == 3
    assert report.counts["added"] == 4 and report.counts["rejected"] == 0
    metas = stored(catalogue)
    assert set(metas) == {record_iri(k) for k in "abcd"}
    meta = metas[record_iri("a")]
    assert meta.source == "harvest:partner" and meta.content_hash and meta.first_seen and meta.last_seen


def test_second_run_uses_etags_and_touches_unchanged_records(catalogue, harvester, server, add_source, clock):
    url = server.publish([[record_ttl("a"), record_ttl("b")], [record_ttl("c")]])
    source = add_source("partner", url)
    harvester.run(source)
    before = stored(catalogue)
    server.requests.clear()
    clock.advance(days=1)
    report = harvester.run(source)
    assert report.status == "success"
    assert [p["status"] for p in report.pages] == [304, 304]
    assert report.counts == {"added": 0, "updated": 0, "unchanged": 3, "rejected": 0, "withdrawn": 0, "deleted": 0}
    assert all("If-None-Match" in headers for _, headers in server.requests)
    after = stored(catalogue)
    for iri, meta in after.items():
        assert meta.modified == before[iri].modified and meta.content_hash == before[iri].content_hash
        assert meta.last_seen == clock.now  # touched with the run's clock


def test_changes_between_runs_are_reported_and_removed_records_withdrawn_then_deleted(
    catalogue, harvester, server, add_source, clock
):
    url = server.publish([[record_ttl("a"), record_ttl("b")], [record_ttl("c")]])
    source = add_source("partner", url)
    assert harvester.run(source).counts["added"] == 3
    # b changes, c disappears, d appears
    server.publish([[record_ttl("a"), record_ttl("b", title="Renamed cohort")], [record_ttl("d")]])
    clock.advance(days=1)
    report = harvester.run(source)
    assert report.status == "success"
    assert report.added == [record_iri("d")] and report.updated == [record_iri("b")]
    assert report.counts["unchanged"] == 1
    assert report.withdrawn == [record_iri("c")] and report.deleted == []
    metas = stored(catalogue)
    assert metas[record_iri("c")].withdrawn == clock.now
    assert catalogue.store.ask(f'ASK {{ <{record_iri("b")}> <http://purl.org/dc/terms/title> "Renamed cohort"@en }}')
    # still missing before the grace period ends: kept (withdrawn)
    clock.advance(days=6)
    report = harvester.run(source)
    assert report.withdrawn == [] and report.deleted == [] and record_iri("c") in stored(catalogue)
    # after the grace period: deleted
    clock.advance(days=1, hours=1)
    report = harvester.run(source)
    assert report.deleted == [record_iri("c")]
    assert record_iri("c") not in stored(catalogue)


def test_a_record_that_comes_back_is_no_longer_withdrawn(catalogue, harvester, server, add_source, clock):
    url = server.publish([[record_ttl("a"), record_ttl("b")]])
    source = add_source("partner", url)
    harvester.run(source)
    server.publish([[record_ttl("a")]])
    assert harvester.run(source).withdrawn == [record_iri("b")]
    server.publish([[record_ttl("a"), record_ttl("b")]])
    clock.advance(days=10)
    report = harvester.run(source)
    assert report.deleted == [] and report.status == "success"
    assert stored(catalogue)[record_iri("b")].withdrawn is None


def test_a_failed_run_withdraws_nothing_and_keeps_serving_the_records(catalogue, harvester, server, add_source, clock):
    url = server.publish([[record_ttl("a")], [record_ttl("b")]])
    source = add_source("partner", url)
    harvester.run(source)
    del server.routes["/feed?page=2"]  # page 2 now answers 404; b was only there
    server.publish([[record_ttl("a"), record_ttl("x")]][:1] + [[]])
    del server.routes["/feed?page=2"]
    clock.advance(days=30)
    report = harvester.run(source)
    assert report.status == "partial" and not report.complete
    assert report.errors and report.errors[0]["url"].endswith("/feed?page=2")
    assert "HTTP 404" in report.errors[0]["message_en"]
    assert report.withdrawn == [] and report.deleted == []
    assert stored(catalogue)[record_iri("b")].withdrawn is None
    # the whole feed unreachable: failed, nothing touched
    server.routes.clear()
    report = harvester.run(source)
    assert report.status == "failed" and report.pages_fetched == 0
    assert set(stored(catalogue)) == {record_iri("a"), record_iri("b"), record_iri("x")}


def test_a_page_cycle_stops_the_run_and_is_reported(catalogue, harvester, server, add_source):
    url = server.publish([[record_ttl("a")], [record_ttl("b")]])
    # page 2 points back to page 1
    body, media_type = page_bytes(
        [record_ttl("b")], f"<{server.url('/feed?page=2')}> <http://www.w3.org/ns/hydra/core#next> <{url}> .\n"
    )
    server.routes["/feed?page=2"] = Route(body=body, content_type=media_type)
    report = harvester.run(add_source("partner", url))
    assert report.pages_fetched == 2 and report.counts["added"] == 2
    assert report.status == "partial" and len(report.errors) == 1
    assert "Page loop" in report.errors[0]["message_en"] and report.errors[0]["url"] == url
    assert server.paths().count("/feed?page=1") == 1


def test_the_page_cap_stops_the_run(catalogue, harvester, server, add_source):
    from catalogue.harvest import Harvester

    url = server.publish([[record_ttl("a")], [record_ttl("b")], [record_ttl("c")]])
    capped = Harvester(
        catalogue.__class__(
            catalogue.settings.replace(harvest_max_pages=2),
            store=catalogue.store,
            index=catalogue.index,
            validator=catalogue.validator,
        )
    )
    report = capped.run(add_source("partner", url))
    assert report.pages_fetched == 2 and report.status == "partial"
    assert "harvest_max_pages" in report.errors[0]["message_en"]


def test_one_broken_record_among_good_ones(catalogue, harvester, server, add_source):
    url = server.publish([[record_ttl("a"), record_ttl("broken", broken=True), record_ttl("c")]])
    report = harvester.run(add_source("partner", url))
    assert report.counts["added"] == 2 and report.counts["rejected"] == 1
    rejected = report.rejected[0]
    assert rejected["iri"] == record_iri("broken")
    assert rejected["report"]["conforms"] is False
    assert any("description" in p["path"] for p in rejected["report"]["problems"] if p["severity"] == "violation")
    assert report.status == "success"  # a rejected record is not a feed error
    assert "rejected" in report.format_text("en") and "rejetée" in report.format_text("fr")
    # the page is read again next time, so the rejection is reported again
    again = harvester.run_named("partner")
    assert [p["status"] for p in again.pages] == [200]
    assert again.counts["rejected"] == 1 and again.counts["unchanged"] == 2


def test_a_source_cannot_change_another_sources_records(catalogue, harvester, server, add_source):
    from catalogue.ingest import ingest_bytes

    ingest_bytes(catalogue, record_ttl("local").encode(), filename="local.ttl")  # the catalogue's own
    url_a = server.publish([[record_ttl("a")]], prefix="/a")
    harvester.run(add_source("alpha", url_a))
    before = {iri: m.content_hash for iri, m in stored(catalogue, None).items()}

    # beta republishes alpha's dataset with another title, and the local one
    hijack = record_ttl("a", title="Hijacked"), record_ttl("local", title="Hijacked too")
    # ...and asserts a triple about alpha's dataset from inside its own record
    sneaky = record_ttl("b") + (
        f"\n<{record_iri('b')}> <http://purl.org/dc/terms/relation> <{record_iri('a')}> .\n"
        f'<{record_iri("a")}> <http://purl.org/dc/terms/title> "Injected"@en .\n'
    )
    url_b = server.publish([[*hijack], [record_ttl("c"), sneaky]], prefix="/b")
    report = harvester.run(add_source("beta", url_b))
    rejected = {r["iri"]: r for r in report.rejected}
    assert set(rejected) == {record_iri("a"), record_iri("local"), record_iri("b")}
    assert "belongs to source 'harvest:alpha'" in rejected[record_iri("a")]["error"]
    assert "belongs to source 'local'" in rejected[record_iri("local")]["error"]
    assert "asserts statements about" in rejected[record_iri("b")]["error"]
    assert "appartient" in rejected[record_iri("a")]["error_fr"]
    assert report.added == [record_iri("c")]
    after = {iri: m.content_hash for iri, m in stored(catalogue, None).items()}
    assert all(after[iri] == digest for iri, digest in before.items())
    assert not catalogue.store.ask('ASK { ?s ?p "Injected"@en }')
    assert not catalogue.store.ask('ASK { ?s ?p "Hijacked"@en }')
    # and beta's complete run cannot withdraw alpha's records
    assert stored(catalogue, "harvest:alpha")[record_iri("a")].withdrawn is None


def test_duplicates_across_sources_are_reported_not_merged(catalogue, harvester, server, add_source):
    from catalogue.harvest import find_duplicates

    url_a = server.publish([[record_ttl("a", identifier="NAT-0001")]], prefix="/a")
    harvester.run(add_source("alpha", url_a))
    url_b = server.publish([[record_ttl("b", identifier="NAT-0001"), record_ttl("c")]], prefix="/b")
    report = harvester.run(add_source("beta", url_b))
    assert report.counts["added"] == 2
    assert report.duplicates == [
        {
            "identifier": "NAT-0001",
            "record": record_iri("b"),
            "other_record": record_iri("a"),
            "other_source": "harvest:alpha",
        }
    ]
    assert len(stored(catalogue, None)) == 3  # both kept
    groups = find_duplicates(catalogue)
    assert groups == [
        {
            "identifier": "NAT-0001",
            "records": [
                {"iri": record_iri("a"), "source": "harvest:alpha"},
                {"iri": record_iri("b"), "source": "harvest:beta"},
            ],
        }
    ]
    # still reported when beta's pages answer 304
    again = harvester.run_named("beta")
    assert [p["status"] for p in again.pages] == [304]
    assert again.duplicates == report.duplicates


def test_dry_run_writes_nothing(catalogue, harvester, server, add_source):
    url = server.publish([[record_ttl("a")], [record_ttl("b")]])
    source = add_source("partner", url)
    snapshot = catalogue.store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value
    report = harvester.run(source, dry_run=True)
    assert report.dry_run and report.counts["added"] == 2 and report.status == "success"
    assert catalogue.store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value == snapshot
    assert RunHistory(catalogue.store, catalogue.settings.base_iri).list() == []
    harvester.run(source)
    server.publish([[record_ttl("a", title="New title")]])
    preview = harvester.run(source, dry_run=True)
    assert preview.updated == [record_iri("a")] and preview.withdrawn == [record_iri("b")]
    metas = stored(catalogue)
    assert metas[record_iri("b")].withdrawn is None


def test_reports_are_kept_in_the_store_history(catalogue, harvester, server, add_source, clock):
    url = server.publish([[record_ttl("a")]])
    source = add_source("partner", url)
    first = harvester.run(source)
    clock.advance(days=1)
    second = harvester.run(source)
    history = RunHistory(catalogue.store, catalogue.settings.base_iri)
    runs = history.list("partner")
    assert [r["id"] for r in runs] == [second.id, first.id]
    assert runs[1]["counts"]["added"] == 1 and runs[0]["counts"]["unchanged"] == 1
    loaded = history.get(first.id)
    assert loaded.to_dict() == first.to_dict()
    assert history.last_success("partner") == second.started
    assert history.get("../../etc") is None


def test_a_page_that_does_not_parse_is_an_error_naming_its_url(catalogue, harvester, server, add_source):
    url = server.publish([[record_ttl("a")], [record_ttl("b")]])
    source = add_source("partner", url)
    harvester.run(source)
    server.routes["/feed?page=2"] = Route(body=b"@prefix broken <oops", content_type="text/turtle")
    report = harvester.run(source)
    assert report.status == "partial" and report.withdrawn == []
    assert report.errors[0]["url"] == server.url("/feed?page=2") and "line 1" in report.errors[0]["message_en"]
    assert [p["status"] for p in report.pages] == [304, "error"]
    assert stored(catalogue)[record_iri("b")].withdrawn is None


def test_a_remote_json_ld_context_is_refused_not_fetched(catalogue, harvester, server, add_source):
    body = b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x/d", "@type": "Dataset"}'
    server.routes["/feed.jsonld"] = Route(body=body, content_type="application/ld+json")
    report = harvester.run(add_source("partner", server.url("/feed.jsonld")))
    assert report.status == "failed" and "context" in report.errors[0]["message_en"]
    assert server.paths() == ["/feed.jsonld"]
