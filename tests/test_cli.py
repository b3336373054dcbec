"""The `catalogue` command, run in-process with click's runner against a real store."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue.cli import main
from tests.test_ingest import without_titles

EXAMPLE_IRI = "https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOGUE_DATA_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("CATALOGUE_BASE_IRI", "http://catalogue.test")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def example_file(tmp_path, health_example):
    path = tmp_path / "example.ttl"
    path.write_bytes(health_example)
    return path


def test_load_stats_export_delete(run, example_file, tmp_path):
    result = run("load", "--no-progress", example_file)
    assert result.exit_code == 0, result.output
    assert "accepted 1" in result.output
    assert "unchanged 1" in run("load", "--no-progress", example_file).output

    stats = json.loads(run("stats", "--format", "json").output)
    assert stats["records"] == 1 and stats["by_type"] == {"Dataset": 1}

    for fmt, ox_format in [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                           ("jsonld", ox.RdfFormat.JSON_LD), ("rdfxml", ox.RdfFormat.RDF_XML)]:
        out = tmp_path / f"export.{fmt}"
        assert run("export", "--format", fmt, "-o", out).exit_code == 0
        triples = list(ox.parse(path=str(out), format=ox_format))
        subjects = {t.subject.value for t in triples}
        assert EXAMPLE_IRI in subjects and "http://catalogue.test/catalogue" in subjects, fmt

    assert run("delete", EXAMPLE_IRI).exit_code == 0
    assert json.loads(run("stats", "--format", "json").output)["records"] == 0
    assert run("delete", EXAMPLE_IRI).exit_code == 1


def test_load_reports_rejections_with_exit_code_1(run, tmp_path, health_example):
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(without_titles(health_example))
    result = run("load", "--no-progress", bad)
    assert result.exit_code == 1
    assert "rejected 1" in result.output


def test_load_refuses_a_broken_file_and_goes_on(run, tmp_path, example_file):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://e/> .\nex:a ex:b \n")
    result = run("load", "--no-progress", broken, example_file)
    assert result.exit_code == 1
    assert "files refused 1" in result.output and "accepted 1" in result.output


def test_validate_text_and_json(run, example_file, tmp_path, health_example):
    ok = run("validate", "--lang", "en", example_file)
    assert ok.exit_code == 0 and "conforms" in ok.output
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(without_titles(health_example))
    text = run("validate", "--lang", "fr", bad)
    assert text.exit_code == 1 and "NON CONFORME" in text.output
    report = json.loads(run("validate", "--format", "json", bad).output)
    assert report["conforms"] is False
    assert any(p["path"] == "http://purl.org/dc/terms/title" for p in report["records"][0]["problems"])
    # nothing was stored by validate
    assert json.loads(run("stats", "--format", "json").output)["records"] == 0
