"""Bearer tokens of the push API: one publisher each, stored hashed, revocable.

A token reads `hdc_<id>_<secret>`: the id is public (lists, revocation), the secret is 32
random bytes. Only the SHA-256 of the whole token is kept (a slow password hash buys nothing
for 256 random bits), in the named graph `<base_iri>/api-tokens` of the catalogue's own store,
so a remote SPARQL backend keeps the tokens too. That graph is bookkeeping: the public SPARQL
endpoint must not expose it (nor the record metadata graph).

A token may write only its publisher's records: the record's dct:publisher must be the
token's publisher IRI, or a node whose foaf:name equals the token's publisher name (case and
spacing ignored). Its pushes are stored under the source `api:<publisher>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import CatalogueError, Forbidden, Unauthorized
from .records import Record
from .store.base import GraphStore, iri
from .store.records import _datetime, _now, _parse_datetime
from .vocab import CAT, DCT, FOAF, RDF, RDFS

PREFIX = "hdc_"
_SHAPE = re.compile(r"^hdc_([0-9a-f]{12})_([A-Za-z0-9_-]{40,64})$")
_T = ox.NamedNode


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def source_for(publisher: str) -> str:
    return f"api:{publisher}"


@dataclass(frozen=True)
class Token:
    id: str
    publisher: str
    label: str
    created: dt.datetime
    revoked: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    @property
    def source(self) -> str:
        return source_for(self.publisher)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "publisher": self.publisher,
            "label": self.label,
            "created": self.created.isoformat(),
            "revoked": self.revoked.isoformat() if self.revoked else None,
        }


class UnknownToken(CatalogueError):
    http_status = 404


class TokenStore:
    """Tokens in the store's graph `<base>/api-tokens` (SPARQL Update only, so any backend works)."""

    def __init__(self, store: GraphStore, base_iri: str):
        self.store = store
        self.graph = f"{base_iri.rstrip('/')}/api-tokens"

    def _node(self, token_id: str) -> str:
        return f"{self.graph}/{token_id}"

    def create(self, publisher: str, label: str = "") -> tuple[Token, str]:
        """A new token for `publisher`; the secret text is returned here and never again."""
        publisher = publisher.strip()
        if not publisher:
            raise CatalogueError(
                "Give the publisher (IRI or name) the token writes for.",
                "Indiquez le producteur (IRI ou nom) pour lequel le jeton écrit.",
            )
        token_id = secrets.token_hex(6)
        secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        token = Token(token_id, publisher, label.strip(), _now())
        node = _T(self._node(token_id))
        triples = [
            (RDF.type, _T(str(CAT.ApiToken))),
            (CAT.tokenHash, ox.Literal(hash_token(secret))),
            (CAT.publisher, ox.Literal(publisher)),
            (DCT.created, _datetime(token.created)),
        ]
        if token.label:
            triples.append((RDFS.label, ox.Literal(token.label)))
        body = "\n".join(f"{node} {_T(str(p))} {o} ." for p, o in triples)
        self.store.update(f"INSERT DATA {{ GRAPH {iri(self.graph)} {{\n{body}\n}} }}")
        return token, secret

    def _tokens(self, values: str = "") -> list[Token]:
        rows = self.store.select(
            f"SELECT ?t ?publisher ?created ?label ?revoked WHERE {{ GRAPH {iri(self.graph)} {{ {values}"
            f" ?t a {iri(str(CAT.ApiToken))} ; {iri(str(CAT.publisher))} ?publisher ; {iri(str(DCT.created))} ?created ."
            f" OPTIONAL {{ ?t {iri(str(RDFS.label))} ?label }} OPTIONAL {{ ?t {iri(str(CAT.revoked))} ?revoked }} }} }}"
            " ORDER BY ?created"
        )
        return [
            Token(
                id=r["t"].value.rsplit("/", 1)[-1],
                publisher=r["publisher"].value,
                label=r["label"].value if "label" in r else "",
                created=_parse_datetime(r["created"]),
                revoked=_parse_datetime(r["revoked"]) if "revoked" in r else None,
            )
            for r in rows
        ]

    def list(self) -> list[Token]:
        return self._tokens()

    def get(self, token_id: str) -> Token | None:
        if not re.fullmatch(r"[0-9a-f]{12}", token_id or ""):
            return None
        found = self._tokens(f"VALUES ?t {{ {iri(self._node(token_id))} }}")
        return found[0] if found else None

    def revoke(self, token_id: str) -> Token:
        token = self.get(token_id)
        if token is None:
            raise UnknownToken(
                f"No token has the id {token_id[:40]!r}.", f"Aucun jeton n'a l'identifiant {token_id[:40]!r}."
            )
        if token.active:
            node = iri(self._node(token.id))
            self.store.update(
                f"INSERT DATA {{ GRAPH {iri(self.graph)} {{ {node} {iri(str(CAT.revoked))} {_datetime(_now())} }} }}"
            )
        return self.get(token_id)

    def verify(self, secret: str) -> Token:
        """The active token `secret` is, or Unauthorized (never says which part was wrong)."""
        refused = Unauthorized(
            "Missing, unknown or revoked API token. Send 'Authorization: Bearer <token>' with a token "
            "from the catalogue team.",
            "Jeton d'API absent, inconnu ou révoqué. Envoyez « Authorization: Bearer <jeton> » avec un jeton "
            "fourni par l'équipe du catalogue.",
        )
        match = _SHAPE.match(secret or "")
        if match is None:
            raise refused
        rows = self.store.select(
            f"SELECT ?hash WHERE {{ GRAPH {iri(self.graph)} {{ {iri(self._node(match.group(1)))} "
            f"{iri(str(CAT.tokenHash))} ?hash }} }}"
        )
        if not rows or not hmac.compare_digest(rows[0]["hash"].value, hash_token(secret)):
            raise refused
        token = self.get(match.group(1))
        if token is None or not token.active:
            raise refused
        return token


# --- which records a token may write ---------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def record_publishers(record: Record) -> list[tuple[str | None, list[str]]]:
    """(IRI or None, names) of each dct:publisher of the record's main resource."""
    root = _T(record.iri)
    publisher, name = str(DCT.publisher), str(FOAF.name)
    nodes = [t.object for t in record.triples if t.subject == root and t.predicate.value == publisher]
    found = []
    for node in nodes:
        names = [
            t.object.value
            for t in record.triples
            if t.subject == node and t.predicate.value == name and isinstance(t.object, ox.Literal)
        ]
        found.append((node.value if isinstance(node, ox.NamedNode) else None, names))
    return found


def publisher_matches(record: Record, publisher: str) -> bool:
    wanted = _normal(publisher)
    for node_iri, names in record_publishers(record):
        if node_iri is not None and node_iri == publisher.strip():
            return True
        if any(_normal(n) == wanted for n in names):
            return True
    return False


def publisher_check(publisher: str) -> Callable[[Record], None]:
    """An `allowed=` callback for catalogue.ingest: refuses records of another publisher."""

    def allowed(record: Record) -> None:
        if not publisher_matches(record, publisher):
            found = ", ".join(i or " / ".join(n) or "?" for i, n in record_publishers(record)) or "none"
            raise Forbidden(
                f"This token writes for the publisher {publisher!r}; the record's dct:publisher is {found}.",
                f"Ce jeton écrit pour le producteur {publisher!r} ; le dct:publisher de la fiche est {found}.",
                where=record.iri,
            )

    return allowed
