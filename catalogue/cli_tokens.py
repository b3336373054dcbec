"""`catalogue token create|list|revoke`: the bearer tokens of the push API (catalogue/tokens.py)."""

from __future__ import annotations

import json

import click


def _tokens():
    from .cli import _settings
    from .store import open_graph_store
    from .tokens import TokenStore

    settings = _settings()
    store = open_graph_store(settings)
    return store, TokenStore(store, settings.base_iri)


@click.group("token")
def token() -> None:
    """Bearer tokens of the push API (/api/v1): one publisher per token, stored hashed."""


@token.command("create")
@click.option("--publisher", required=True, help="IRI or foaf:name of the publisher whose records the token may write.")
@click.option("--label", default="", help="A note to recognise the token by (who holds it).")
def create(publisher: str, label: str) -> None:
    """Create a token and print it. It is shown once: only its hash is kept."""
    store, tokens = _tokens()
    try:
        made, secret = tokens.create(publisher, label)
    finally:
        store.close()
    click.echo(secret)
    click.echo(f"id {made.id}, publisher {made.publisher!r}: keep the token now, it cannot be shown again.", err=True)


@token.command("list")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_tokens(output: str) -> None:
    """List tokens (id, publisher, label, dates); never the tokens themselves."""
    store, tokens = _tokens()
    try:
        found = tokens.list()
    finally:
        store.close()
    if output == "json":
        click.echo(json.dumps([t.to_dict() for t in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no token")
    for t in found:
        state = f"revoked {t.revoked.isoformat()}" if t.revoked else "active"
        label = f" ({t.label})" if t.label else ""
        click.echo(f"{t.id}  {state:8}  created {t.created.isoformat()}  {t.publisher}{label}")


@token.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token by its id (see `catalogue token list`); it stops working at once."""
    store, tokens = _tokens()
    try:
        revoked = tokens.revoke(token_id.strip())
    finally:
        store.close()
    click.echo(f"revoked {revoked.id} ({revoked.publisher})")
