"""Bearer tokens: hashed at rest in the store, verified, revoked; the CLI; publisher matching."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.errors import Forbidden, Unauthorized
from catalogue.rdf import FORMATS_BY_NAME, parse_dataset
from catalogue.records import split_records
from catalogue.tokens import TokenStore, hash_token, publisher_check, publisher_matches

from .records import BASE, dataset_ttl, publisher_iri


@pytest.fixture
def tokens(catalogue):
    return TokenStore(catalogue.store, catalogue.settings.base_iri)


def test_token_is_stored_hashed_and_verifies(tokens, catalogue):
    made, secret = tokens.create("https://producer.example.org/org-a", "ops team")
    assert secret.startswith("hdc_") and len(secret) > 50
    everything = catalogue.store.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    texts = {str(v.value) for row in everything for v in row.values()}
    assert secret not in texts and not any(secret in t for t in texts)
    assert hash_token(secret) in texts
    assert tokens.verify(secret) == made
    assert made.source == "api:https://producer.example.org/org-a"
    assert [t.id for t in tokens.list()] == [made.id]


@pytest.mark.parametrize("bad", ["", "hdc_", "Bearer x", "hdc_000000000000_" + "A" * 43])
def test_unknown_or_malformed_tokens_are_refused(tokens, bad):
    tokens.create("org")
    with pytest.raises(Unauthorized):
        tokens.verify(bad)


def test_a_tampered_secret_is_refused(tokens):
    _, secret = tokens.create("org")
    with pytest.raises(Unauthorized):
        tokens.verify(secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_revoked_token_stops_working(tokens):
    made, secret = tokens.create("org")
    revoked = tokens.revoke(made.id)
    assert revoked.revoked is not None and not revoked.active
    with pytest.raises(Unauthorized):
        tokens.verify(secret)
    with pytest.raises(Exception, match="No token"):
        tokens.revoke("ffffffffffff")


def _record(text: str):
    dataset = parse_dataset(text.encode(), fmt=FORMATS_BY_NAME["ttl"])
    return next(split_records(dataset, base_iri=BASE))


def test_publisher_matches_by_iri_or_name():
    record = _record(dataset_ttl("p", publisher="org-a", name="Organisme  A"))
    assert publisher_matches(record, publisher_iri("org-a"))
    assert publisher_matches(record, "organisme a")  # foaf:name, case and spaces ignored
    assert not publisher_matches(record, publisher_iri("org-b"))
    assert not publisher_matches(record, "Organisme B")
    with pytest.raises(Forbidden, match="org-b"):
        publisher_check(publisher_iri("org-b"))(record)
    no_publisher = _record(dataset_ttl("q").replace(f"dct:publisher <{publisher_iri('org-a')}> ;", ""))
    assert not publisher_matches(no_publisher, publisher_iri("org-a"))


def test_cli_create_list_revoke(tmp_path):
    env = {"CATALOGUE_DATA_DIR": str(tmp_path / "instance"), "CATALOGUE_BASE_IRI": BASE, "CATALOGUE_LOAD_DEMO": "0"}
    runner = CliRunner()
    created = runner.invoke(
        main, ["token", "create", "--publisher", "https://producer.example.org/org-a", "--label", "ci"], env=env
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("hdc_")
    listed = runner.invoke(main, ["token", "list"], env=env)
    assert listed.exit_code == 0 and "org-a" in listed.output and "active" in listed.output
    assert secret not in listed.output
    as_json = runner.invoke(main, ["token", "list", "--format", "json"], env=env)
    token_id = __import__("json").loads(as_json.output)[0]["id"]
    assert token_id in secret
    revoked = runner.invoke(main, ["token", "revoke", token_id], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "revoked" in runner.invoke(main, ["token", "list"], env=env).output
    unknown = runner.invoke(main, ["token", "revoke", "nope"], env=env)
    assert unknown.exit_code != 0
    store = ox.Store(str(tmp_path / "instance" / "store"))
    assert not any(secret in q.object.value for q in store if isinstance(q.object, ox.Literal))
