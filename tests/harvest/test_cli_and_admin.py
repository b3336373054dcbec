"""`catalogue source|harvest ...` through click, and the /admin/harvest pages in French and English."""

from __future__ import annotations

import datetime as dt
import json
from html import unescape

import pytest
from click.testing import CliRunner

from catalogue.cli import main

from .feeds import Route, record_iri, record_ttl


@pytest.fixture
def cli(settings, monkeypatch):
    for field in ("data_dir", "base_iri", "fetch_allow_private", "load_demo"):
        monkeypatch.setenv(f"CATALOGUE_{field.upper()}", str(getattr(settings, field)))
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_sources_are_added_listed_and_removed(cli, server):
    url = server.publish([[record_ttl("a")]])
    result = cli("source", "add", url, "--name", "partner", "--schedule", "daily", "--type", "dcat")
    assert result.exit_code == 0, result.output
    assert cli("source", "add", url, "--name", "partner").exit_code == 2  # exists
    assert cli("source", "add", "ftp://x/feed", "--name", "other").exit_code == 2
    assert cli("source", "add", url, "--name", "Bad Name!").exit_code == 2
    listed = json.loads(cli("source", "list", "--format", "json").output)
    assert [(s["name"], s["type"], s["schedule"], s["url"]) for s in listed] == [("partner", "dcat", "daily", url)]
    assert cli("source", "remove", "partner").exit_code == 0
    assert json.loads(cli("source", "list", "--format", "json").output) == []
    assert cli("source", "remove", "partner").exit_code == 2


def test_harvest_run_report_and_duplicates_from_the_command_line(cli, server):
    url = server.publish([[record_ttl("a", identifier="SHARED"), record_ttl("b", broken=True)]], prefix="/p")
    other = server.publish([[record_ttl("c", identifier="SHARED")]], prefix="/q")
    cli("source", "add", url, "--name", "partner")
    cli("source", "add", other, "--name", "other")
    dry = cli("harvest", "run", "partner", "--dry-run", "--no-progress", "--format", "json")
    assert json.loads(dry.output)[0]["counts"]["added"] == 1
    assert json.loads(cli("harvest", "report", "--format", "json").output) == []  # a dry run is not kept
    result = cli("harvest", "run", "--all", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "records added 1" in result.output and "rejected 1" in result.output
    assert f"rejected {record_iri('b')}" in result.output
    runs = json.loads(cli("harvest", "report", "--format", "json").output)
    assert {r["source"] for r in runs} == {"partner", "other"}
    partner_run = next(r for r in runs if r["source"] == "partner")
    detail = json.loads(cli("harvest", "report", "partner", "--run", partner_run["id"], "--format", "json").output)
    assert detail["counts"]["rejected"] == 1 and detail["rejected"][0]["report"]["problems"]
    text = cli("harvest", "report", "partner", "--run", partner_run["id"]).output
    assert "description" in text
    assert cli("harvest", "report", "--run", "nope").exit_code == 2
    duplicates = json.loads(cli("harvest", "duplicates", "--format", "json").output)
    assert duplicates[0]["identifier"] == "SHARED" and len(duplicates[0]["records"]) == 2
    assert cli("harvest", "run", "--no-progress").exit_code == 2  # neither a name nor --all


def test_a_run_with_errors_exits_1(cli, server):
    cli("source", "add", server.url("/missing"), "--name", "gone")
    result = cli("harvest", "run", "gone", "--no-progress")
    assert result.exit_code == 1 and "HTTP 404" in result.output


def test_schedule_runs_the_sources_that_are_due(catalogue, server, add_source, clock):
    from catalogue.harvest import Harvester

    url = server.publish([[record_ttl("a")]])
    add_source("daily", url, schedule="daily")
    add_source("weekly", url.replace("page=1", "page=1&w"), schedule="weekly")
    add_source("manual", url, schedule="manual")
    harvester = Harvester(catalogue, clock=clock)
    assert [s.name for s in harvester.due_sources()] == ["daily", "weekly"]
    harvester.run_named("daily")
    assert [s.name for s in harvester.due_sources()] == ["weekly"]
    clock.advance(hours=23, minutes=30)  # a daily cron job that ran a little earlier is still due
    assert [s.name for s in harvester.due_sources()] == ["daily", "weekly"]
    clock.now = dt.datetime(2030, 1, 1, 18, tzinfo=dt.UTC)
    assert [s.name for s in harvester.due_sources()] == ["weekly"]


def test_schedule_command(cli, server):
    url = server.publish([[record_ttl("a")]])
    cli("source", "add", url, "--name", "daily", "--schedule", "daily")
    cli("source", "add", url, "--name", "manual")
    first = cli("harvest", "schedule")
    assert first.exit_code == 0 and "Run " in first.output and "'daily'" in first.output
    assert "'manual'" not in first.output
    assert "No source is due." in cli("harvest", "schedule").output


# --- the admin pages ----------------------------------------------------------------------------


@pytest.fixture
def client(settings, catalogue):
    from flask import Flask

    from webapp import create_app

    app: Flask = create_app(settings, catalogue)
    if "harvest_admin" not in app.blueprints:  # create_app may not register all_blueprints() yet
        from webapp import harvest_admin

        app.register_blueprint(harvest_admin.bp)
    app.config.update(TESTING=True)
    return app.test_client()


def test_admin_pages_list_runs_and_show_one_in_both_languages(client, catalogue, harvester, server, add_source):
    url = server.publish([[record_ttl("a"), record_ttl("b", broken=True)], [record_ttl("c")]])

    def hostile(handler):  # a reason phrase with markup ends up in the error message
        handler.wfile.write(b"HTTP/1.1 500 <script>alert(1)</script>\r\nContent-Length: 0\r\n\r\n")

    server.routes["/feed?page=2"] = Route(handler=hostile)
    report = harvester.run(add_source("partner", url))
    page = client.get("/admin/harvest?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Harvest runs" in html and "partner" in html and report.id in html and "partial" in html
    assert page.headers["Cache-Control"] == "no-store"
    french = client.get("/admin/harvest?lang=fr").get_data(as_text=True)
    assert "Collectes" in french and "partielle" in french
    detail = client.get(f"/admin/harvest/run/{report.id}?lang=en").get_data(as_text=True)
    assert "Rejected records and their validation reports" in detail
    assert record_iri("a") in detail and "description" in detail
    assert "<script>alert" not in detail and "&lt;script&gt;alert(1)" in detail  # partner text is escaped
    detail_fr = client.get(f"/admin/harvest/run/{report.id}?lang=fr").get_data(as_text=True)
    assert "Fiches rejetées" in detail_fr and "violation" in detail_fr
    as_json = client.get(f"/admin/harvest/run/{report.id}.json").get_json()
    assert as_json["counts"]["added"] == 1 and as_json["rejected"][0]["report"]["problems"]
    listing = client.get("/admin/harvest.json?source=partner").get_json()
    assert listing["runs"][0]["id"] == report.id and listing["sources"][0]["name"] == "partner"
    assert client.get("/admin/harvest/run/unknown-run").status_code == 404
    assert client.get("/admin/harvest/run/%3Cscript%3E").status_code == 404


def test_admin_page_with_nothing_configured(client):
    html = unescape(client.get("/admin/harvest?lang=fr").get_data(as_text=True))
    assert "Aucune source n'est configurée" in html and "Aucune collecte" in html
