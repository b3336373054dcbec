"""The HTTP client of the remote store: one connection pool, basic or digest authentication,
a deadline per call, retries with backoff on connection errors, and HTTP failures translated
into the catalogue's errors at this boundary (nothing above it sees urllib3)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from ..errors import CatalogueError, StoreUnavailable

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF = 0.1  # seconds, doubled after each failed attempt


class StoreTimeout(StoreUnavailable):
    """The store did not answer within store_timeout (or Virtuoso flagged its answer incomplete)."""

    http_status = 504


class StoreRefused(StoreUnavailable):
    """The store refused the catalogue itself (credentials, permissions, endpoint URL): a configuration error."""

    http_status = 503


class StoreRequestFailed(CatalogueError):
    """The store received the request and failed to run it."""

    http_status = 502


class QueryRejected(CatalogueError, SyntaxError):
    """The store rejected the query or update text (HTTP 400). Also a SyntaxError, like the embedded store."""

    http_status = 400


class ResultTruncated(StoreRequestFailed):
    """The server cut a result short (Virtuoso's ResultSetMaxRows): never handed out as if complete."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        super().__init__(
            f"The knowledge graph server cut the result at {max_rows:,} rows (Virtuoso ResultSetMaxRows). "
            "Ask for less with LIMIT/OFFSET, or raise ResultSetMaxRows in virtuoso.ini.",
            f"Le serveur du graphe de connaissances a tronqué le résultat à {max_rows:,} lignes (ResultSetMaxRows "
            "de Virtuoso). Demandez moins avec LIMIT/OFFSET, ou augmentez ResultSetMaxRows dans virtuoso.ini.",
        )


def unavailable() -> StoreUnavailable:
    return StoreUnavailable(
        "The knowledge graph server cannot be reached. Check that it is running; "
        "the catalogue reconnects by itself as soon as it answers.",
        "Le serveur du graphe de connaissances est injoignable. Vérifiez qu'il fonctionne ; "
        "le catalogue se reconnecte de lui-même dès qu'il répond.",
    )


def timed_out(seconds: float) -> StoreTimeout:
    return StoreTimeout(
        f"The knowledge graph server did not answer within {seconds:g} s. Try a narrower request, "
        "or raise CATALOGUE_STORE_TIMEOUT.",
        f"Le serveur du graphe de connaissances n'a pas répondu en {seconds:g} s. Essayez une requête "
        "plus ciblée, ou augmentez CATALOGUE_STORE_TIMEOUT.",
    )


@dataclass
class Reply:
    status: int
    headers: urllib3.HTTPHeaderDict
    data: bytes

    @property
    def server(self) -> str:
        return self.headers.get("Server", "")

    def text(self, limit: int = 300) -> str:
        """The first line of the server's message, short, for an error a user may read."""
        text = self.data.decode("utf-8", "replace").strip()
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        return first[:limit]


class DigestAuth:
    """RFC 7616 digest (MD5 / SHA-256, qop=auth), pre-emptive once a challenge has been seen."""

    def __init__(self, user: str, password: str):
        self.user, self.password = user, password
        self._lock = threading.Lock()
        self._challenge: dict[str, str] | None = None
        self._count = 0

    def challenge(self, header: str) -> bool:
        """Remember a `WWW-Authenticate: Digest ...` challenge; False if it is not one we can answer."""
        if not header.lower().startswith("digest "):
            return False
        fields = {
            k.lower(): v1 if v1 else v2
            for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))', header[7:])
        }
        if "nonce" not in fields or fields.get("algorithm", "MD5").upper() not in ("MD5", "SHA-256"):
            return False
        with self._lock:
            self._challenge, self._count = fields, 0
        return True

    def header(self, method: str, uri: str) -> str | None:
        with self._lock:
            if self._challenge is None:
                return None
            c = self._challenge
            self._count += 1
            count = f"{self._count:08x}"
        algorithm = c.get("algorithm", "MD5").upper()
        digest = hashlib.sha256 if algorithm == "SHA-256" else hashlib.md5

        def h(text: str) -> str:
            return digest(text.encode()).hexdigest()

        realm, nonce = c.get("realm", ""), c["nonce"]
        ha1 = h(f"{self.user}:{realm}:{self.password}")
        ha2 = h(f"{method}:{uri}")
        cnonce = secrets.token_hex(8)
        parts = [
            f'username="{self.user}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
            f"algorithm={algorithm}",
        ]
        if "auth" in [q.strip() for q in c.get("qop", "").split(",")]:
            response = h(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
            parts += [f'response="{response}"', "qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
        else:
            parts.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
        if "opaque" in c:
            parts.append(f'opaque="{c["opaque"]}"')
        return "Digest " + ", ".join(parts)


class StoreHttp:
    """Send requests to the store; every failure leaves as a CatalogueError."""

    def __init__(
        self, *, timeout: float = 30.0, user: str = "", password: str = "", auth: str = "basic", pool_size: int = 8
    ):
        if auth not in ("basic", "digest"):
            raise ValueError("store_auth must be 'basic' or 'digest'")
        self.timeout = float(timeout)
        self.pool_size = pool_size
        self._basic = urllib3.make_headers(basic_auth=f"{user}:{password}") if user and auth == "basic" else {}
        self._digest = DigestAuth(user, password) if user and auth == "digest" else None
        self._pool: urllib3.PoolManager | None = None
        self._pid = 0
        self.server = ""  # the last Server header seen: how the store knows it talks to Virtuoso

    def _manager(self) -> urllib3.PoolManager:
        # A pool is never shared across fork() (gunicorn workers): sockets would be shared too.
        if self._pool is None or self._pid != os.getpid():
            self._pool = urllib3.PoolManager(num_pools=4, maxsize=self.pool_size, block=False, retries=False)
            self._pid = os.getpid()
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.clear()

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        idempotent: bool = True,
        timeout: float | None = None,
    ) -> Reply:
        """One call: retried on connection errors (and, for reads, on dropped connections and 502-504)
        with exponential backoff, all within one deadline of `timeout` seconds."""
        budget = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + budget
        delay = BACKOFF
        for attempt in range(1, ATTEMPTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise timed_out(budget)
            retry = False
            try:
                reply = self._send(method, url, body, dict(headers or {}), remaining)
            except (NewConnectionError, ConnectTimeoutError) as exc:  # never reached the server
                log.warning("store %s unreachable (attempt %d): %s", _safe(url), attempt, exc)
                retry, error = True, unavailable()
            except ReadTimeoutError:
                raise timed_out(budget) from None
            except (ProtocolError, HTTPError, OSError) as exc:  # dropped while sending or reading
                log.warning("store %s connection lost (attempt %d): %s", _safe(url), attempt, exc)
                retry, error = idempotent, unavailable()
            else:
                if reply.status in (502, 503, 504) and idempotent:
                    retry, error = True, unavailable()
                else:
                    return reply
            if not retry or attempt == ATTEMPTS or time.monotonic() + delay >= deadline:
                raise error
            time.sleep(delay)
            delay *= 2
        raise unavailable()  # pragma: no cover

    def _send(self, method, url, body, headers, remaining) -> Reply:
        headers.update(self._basic)
        uri = _request_uri(url)
        if self._digest is not None and (value := self._digest.header(method, uri)):
            headers["Authorization"] = value
        timeout = urllib3.Timeout(connect=min(remaining, 10.0), read=remaining)
        manager = self._manager()
        response = manager.request(
            method, url, body=body, headers=headers, timeout=timeout, retries=False, redirect=False
        )
        if response.status == 401 and self._digest is not None:
            challenge = response.headers.get("WWW-Authenticate", "")
            if self._digest.challenge(challenge):
                headers["Authorization"] = self._digest.header(method, uri)
                response = manager.request(
                    method, url, body=body, headers=headers, timeout=timeout, retries=False, redirect=False
                )
        self.server = response.headers.get("Server", self.server)
        return Reply(response.status, response.headers, response.data)


def check(reply: Reply, *, timeout: float, writing: bool = False) -> None:
    """Turn a store's HTTP answer into the catalogue's error, or return if it is a success."""
    state = reply.headers.get("X-SQL-State", "")
    if 200 <= reply.status < 300:
        if state == "S1TAT":  # Virtuoso: "returning incomplete results" after a timeout: never hand them out
            raise timed_out(timeout)
        return
    message = reply.text()
    if reply.status in (502, 503, 504):  # a proxy in front of a server that is down or restarting
        raise unavailable()
    if reply.status == 400:
        raise QueryRejected(
            f"The knowledge graph server rejected the request: {message}",
            f"Le serveur du graphe de connaissances a refusé la requête : {message}",
        )
    if reply.status in (401, 403):
        raise StoreRefused(
            "The knowledge graph server refused the catalogue's credentials: check CATALOGUE_STORE_USER, "
            "CATALOGUE_STORE_PASSWORD and CATALOGUE_STORE_AUTH.",
            "Le serveur du graphe de connaissances a refusé les identifiants du catalogue : vérifiez "
            "CATALOGUE_STORE_USER, CATALOGUE_STORE_PASSWORD et CATALOGUE_STORE_AUTH.",
        )
    if reply.status in (404, 405):
        raise StoreRefused(
            "The knowledge graph server has no SPARQL endpoint at the configured address: check "
            "CATALOGUE_STORE_URL, CATALOGUE_STORE_UPDATE_URL and CATALOGUE_STORE_GSP_URL.",
            "Le serveur du graphe de connaissances n'a pas de point d'accès SPARQL à l'adresse configurée : "
            "vérifiez CATALOGUE_STORE_URL, CATALOGUE_STORE_UPDATE_URL et CATALOGUE_STORE_GSP_URL.",
        )
    if "SECURITY" in message or "permission" in message.lower():  # Virtuoso refuses with a 500
        what = "write to it" if writing else "read it"
        raise StoreRefused(
            f"The knowledge graph server does not let the catalogue {what} ({message}). On Virtuoso, writes go "
            "through /sparql-auth and /sparql-graph-crud-auth with a user that has the SPARQL_UPDATE role.",
            f"Le serveur du graphe de connaissances refuse ce droit au catalogue ({message}). Avec Virtuoso, les "
            "écritures passent par /sparql-auth et /sparql-graph-crud-auth avec un utilisateur ayant le rôle "
            "SPARQL_UPDATE.",
        )
    if state.startswith("S1T") or "SR171" in message or "timed out" in message.lower():
        raise timed_out(timeout)
    if "estimated execution time" in message:
        raise StoreRefused(
            f"Virtuoso refused the query on its cost estimate ({message}). Set MaxQueryCostEstimationTime = 0 "
            "in the [SPARQL] section of virtuoso.ini (see docs/remote-store.md).",
            f"Virtuoso a refusé la requête sur son estimation de coût ({message}). Mettez "
            "MaxQueryCostEstimationTime = 0 dans la section [SPARQL] de virtuoso.ini (voir docs/remote-store.md).",
        )
    raise StoreRequestFailed(
        f"The knowledge graph server failed to run the request: {message}",
        f"Le serveur du graphe de connaissances n'a pas pu exécuter la requête : {message}",
    )


def _request_uri(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _safe(url: str) -> str:
    """A URL for the logs, without credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}"
