"""THE outbound HTTP client of the catalogue. Every request that leaves the process goes through here.

What it guarantees, on every request and on every redirect hop:
- only http and https, no credentials in the URL;
- the host name is resolved here, every address is checked, and the connection goes to the
  checked address (the Host header and TLS SNI/certificate check still use the name), so a
  DNS answer cannot change between the check and the connection;
- loopback, private, link-local, multicast, reserved and unspecified addresses are refused
  unless `settings.fetch_allow_private` (or an explicit `allow_networks`) allows them;
  cloud metadata endpoints (169.254.169.254, fd00:ec2::254) are refused always;
- one total deadline (`settings.fetch_timeout`) covers DNS, connect, TLS, headers, every read
  and every redirect: a watchdog shuts the socket down when it expires, so a server that
  trickles one byte per second is cut at the deadline;
- a byte cap (`settings.fetch_max_bytes`) on the bytes received and, separately, on the bytes
  after gzip/deflate decoding, which is done incrementally: a compression bomb is refused
  after at most cap + one block of output, never inflated in full.

Every failure is a `FetchError` with French and English messages that name the URL.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..errors import FetchError

USER_AGENT = "health-catalogue-harvester/0.1 (+https://w3id.org/health-catalogue)"
MAX_REDIRECTS = 5
READ_BLOCK = 64 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Refused even when private addresses are allowed: nothing the catalogue harvests lives there.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)

_dns_pool: ThreadPoolExecutor | None = None
_dns_lock = threading.Lock()


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int  # 2xx, or 304 for a conditional request whose resource did not change
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def _error(url: str, en: str, fr: str) -> FetchError:
    return FetchError(en, fr, where=url)


# --- addresses -------------------------------------------------------------------------------


def address_refusal(address, *, allow_private: bool = False, allow_networks: Iterable = ()) -> str | None:
    """Why `address` may not be contacted (a short English reason), or None when it may."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            reason = address_refusal(embedded, allow_private=allow_private, allow_networks=allow_networks)
            if reason:
                return reason
    if ip in METADATA_ADDRESSES:
        return "cloud metadata address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_unspecified:
        return "unspecified address"
    if allow_private or any(ip in ipaddress.ip_network(n, strict=False) for n in allow_networks):
        return None
    for test, reason in (
        (ip.is_loopback, "loopback address"),
        (ip.is_link_local, "link-local address"),
        (ip.is_private, "private address"),
        (ip.is_reserved, "reserved address"),
        (not ip.is_global, "non-public address"),
    ):
        if test:
            return reason
    return None


def check_address(address, *, url: str = "", allow_private: bool = False, allow_networks: Iterable = ()) -> None:
    """Raise FetchError when `address` may not be contacted."""
    reason = address_refusal(address, allow_private=allow_private, allow_networks=allow_networks)
    if reason:
        raise _error(
            url,
            f"Refused to connect to {address} ({reason}): the catalogue only fetches from public addresses.",
            f"Connexion à {address} refusée ({_REASONS_FR.get(reason, reason)}) : "
            "le catalogue ne télécharge que depuis des adresses publiques.",
        )


_REASONS_FR = {
    "cloud metadata address": "adresse de métadonnées cloud",
    "multicast address": "adresse multicast",
    "unspecified address": "adresse non spécifiée",
    "loopback address": "adresse de bouclage",
    "link-local address": "adresse lien-local",
    "private address": "adresse privée",
    "reserved address": "adresse réservée",
    "non-public address": "adresse non publique",
}


def _resolve(host: str, port: int, timeout: float, url: str) -> list[str]:
    global _dns_pool
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    with _dns_lock:
        if _dns_pool is None:
            _dns_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-dns")
    future = _dns_pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        raise _deadline(url)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise _error(
            url,
            f"Cannot resolve the host name {host!r} ({exc}).",
            f"Impossible de résoudre le nom d'hôte {host!r} ({exc}).",
        )
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise _error(url, f"The host name {host!r} has no address.", f"Le nom d'hôte {host!r} n'a pas d'adresse.")
    return addresses


def _deadline(url: str) -> FetchError:
    return _error(
        url,
        "The request took longer than the allowed time (fetch_timeout) and was stopped.",
        "La requête a dépassé le temps autorisé (fetch_timeout) et a été interrompue.",
    )


# --- connections pinned to a checked address ---------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `address`, speaking for `host` (Host header)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address
        # http.client drops `self.sock` once the response owns the connection (Connection: close);
        # the watchdog and the body loop keep their own reference.
        self.live_sock: socket.socket | None = None

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.live_sock = self.sock

    def abort(self) -> None:
        """Called by the watchdog thread: make every blocked read or write return now."""
        sock = self.live_sock
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, address=address, timeout=timeout)
        self._context = context

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)
        self.live_sock = self.sock


# --- decoding with a cap -------------------------------------------------------------------------


class _Decoder:
    """Incremental Content-Encoding decoder that never produces more than `limit` bytes in total."""

    def __init__(self, encoding: str, limit: int, url: str):
        self.encoding = (encoding or "identity").strip().lower()
        self.limit, self.url, self.produced = limit, url, 0
        self._inflater = None
        if self.encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(wbits=31)
        elif self.encoding not in ("identity", "deflate"):
            raise _error(
                url,
                f"Unsupported content encoding {self.encoding!r}.",
                f"Encodage de contenu {self.encoding!r} non pris en charge.",
            )

    def _too_big(self) -> FetchError:
        return _error(
            self.url,
            f"The response is larger than {self.limit:,} bytes once decompressed (fetch_max_bytes).",
            f"La réponse dépasse {self.limit:,} octets une fois décompressée (fetch_max_bytes).",
        )

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            raise self._too_big()
        return data

    def feed(self, chunk: bytes) -> bytes:
        if self.encoding == "identity":
            return self._count(chunk)
        if self._inflater is None:  # deflate: zlib-wrapped (RFC) or raw (what some servers send)
            zlib_header = len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
            self._inflater = zlib.decompressobj(wbits=15 if zlib_header else -15)
        out = []
        data = chunk
        try:
            while data:
                piece = self._inflater.decompress(data, self.limit - self.produced + 1)
                out.append(self._count(piece))
                data = self._inflater.unconsumed_tail
                tail = self._inflater.unused_data if self._inflater.eof else b""
                if not data and tail.startswith(b"\x1f") and self.encoding != "deflate":
                    data = self._inflater.unused_data  # the next member of a multi-member gzip stream
                    self._inflater = zlib.decompressobj(wbits=31)
        except zlib.error as exc:
            raise _error(
                self.url,
                f"The compressed response is corrupt ({exc}).",
                f"La réponse compressée est corrompue ({exc}).",
            )
        return b"".join(out)

    def flush(self) -> bytes:
        if self._inflater is None:
            return b""
        try:
            return self._count(self._inflater.flush())
        except zlib.error as exc:
            raise _error(
                self.url,
                f"The compressed response is corrupt ({exc}).",
                f"La réponse compressée est corrompue ({exc}).",
            )


# --- the client ----------------------------------------------------------------------------------


class Fetcher:
    """The one outbound HTTP client. Thread-safe; cheap to create.

    `allow_networks` lets through given private networks (e.g. "127.0.0.1/32" in a test, or a
    partner on an internal network) while everything else stays refused.
    """

    def __init__(
        self,
        settings,
        *,
        allow_networks: Iterable[str] = (),
        timeout: float | None = None,
        max_bytes: int | None = None,
        max_redirects: int = MAX_REDIRECTS,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = USER_AGENT,
    ):
        self.allow_private = bool(settings.fetch_allow_private)
        self.allow_networks = tuple(ipaddress.ip_network(n, strict=False) for n in allow_networks)
        self.timeout = float(timeout if timeout is not None else settings.fetch_timeout)
        self.max_bytes = int(max_bytes if max_bytes is not None else settings.fetch_max_bytes)
        self.max_redirects = max_redirects
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.user_agent = user_agent

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """GET `url`, conditionally when `etag` / `last_modified` are given (a 304 comes back as is)."""
        wanted = dict(headers or {})
        if etag:
            wanted["If-None-Match"] = etag
        if last_modified:
            wanted["If-Modified-Since"] = last_modified
        return self.request("GET", url, headers=wanted)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, body: bytes | None = None
    ) -> Response:
        deadline = time.monotonic() + self.timeout
        current = url
        for _ in range(self.max_redirects + 1):
            response, location = self._hop(method, current, dict(headers or {}), body, deadline)
            if location is None:
                return response
            if method not in ("GET", "HEAD"):
                raise _error(
                    current,
                    "The server answered with a redirect, which is not followed for this request.",
                    "Le serveur a répondu par une redirection, qui n'est pas suivie pour cette requête.",
                )
            current = location
        raise _error(
            url,
            f"Too many redirects (more than {self.max_redirects}).",
            f"Trop de redirections (plus de {self.max_redirects}).",
        )

    # --- one hop --------------------------------------------------------------------------
    def _target(self, url: str) -> tuple[str, str, int, str]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise _error(url, "The URL is malformed.", "L'URL est mal formée.")
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise _error(
                url,
                f"Only http and https URLs can be fetched, not {scheme or 'this'!r}.",
                f"Seules les URL http et https peuvent être téléchargées, pas {scheme or 'celle-ci'!r}.",
            )
        if parts.username is not None or parts.password is not None:
            raise _error(
                url,
                "URLs with a user name or password are refused; configure credentials elsewhere.",
                "Les URL contenant un identifiant ou un mot de passe sont refusées.",
            )
        if not parts.hostname:
            raise _error(url, "The URL has no host.", "L'URL n'a pas d'hôte.")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path

    def _hop(self, method, url, headers, body, deadline) -> tuple[Response | None, str | None]:
        scheme, host, port, path = self._target(url)
        addresses = _resolve(host, port, deadline - time.monotonic(), url)
        for address in addresses:  # every answer must be acceptable, not only the first
            check_address(address, url=url, allow_private=self.allow_private, allow_networks=self.allow_networks)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _deadline(url)
        if scheme == "https":
            conn = _PinnedHTTPSConnection(host, port, address=addresses[0], timeout=remaining, context=self.ssl_context)
        else:
            conn = _PinnedHTTPConnection(host, port, address=addresses[0], timeout=remaining)
        fired = threading.Event()

        def _expire():
            fired.set()
            conn.abort()

        watchdog = threading.Timer(remaining, _expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            sent = {k.lower() for k in headers}
            defaults = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate", "Connection": "close"}
            for name, value in defaults.items():
                if name.lower() not in sent:
                    conn.putheader(name, value)
            for name, value in headers.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            raw = conn.getresponse()
            status = raw.status
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            if status in REDIRECT_STATUSES:
                location = response_headers.get("location")
                if not location:
                    raise _error(
                        url, f"HTTP {status} without a Location header.", f"HTTP {status} sans en-tête Location."
                    )
                return None, urljoin(url, location.strip())
            if status == 304:
                return Response(url=url, status=304, headers=response_headers), None
            if not 200 <= status < 300:
                raise _error(
                    url,
                    f"The server answered HTTP {status} {raw.reason}.",
                    f"Le serveur a répondu HTTP {status} {raw.reason}.",
                )
            data = b"" if method == "HEAD" else self._read_body(raw, conn, response_headers, deadline, url, fired)
            return Response(url=url, status=status, headers=response_headers, body=data), None
        except FetchError:
            if fired.is_set():
                raise _deadline(url) from None
            raise
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            if fired.is_set() or isinstance(exc, TimeoutError | socket.timeout) or time.monotonic() >= deadline:
                raise _deadline(url) from None
            raise _error(
                url,
                f"The connection failed ({type(exc).__name__}: {exc}).",
                f"La connexion a échoué ({type(exc).__name__} : {exc}).",
            ) from None
        finally:
            watchdog.cancel()
            conn.close()

    def _read_body(self, raw, conn, headers, deadline, url, fired) -> bytes:
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise _error(
                url,
                f"The response announces {int(length):,} bytes; the limit is {self.max_bytes:,} "
                "bytes (fetch_max_bytes).",
                f"La réponse annonce {int(length):,} octets ; la limite est de {self.max_bytes:,} octets "
                "(fetch_max_bytes).",
            )
        decoder = _Decoder(headers.get("content-encoding", ""), self.max_bytes, url)
        received = 0
        out = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or fired.is_set():
                raise _deadline(url)
            if conn.live_sock is not None:
                try:
                    conn.live_sock.settimeout(remaining)
                except OSError:
                    pass
            chunk = raw.read1(READ_BLOCK)
            if not chunk:
                break
            received += len(chunk)
            if received > self.max_bytes:
                raise _error(
                    url,
                    f"The response is larger than {self.max_bytes:,} bytes (fetch_max_bytes).",
                    f"La réponse dépasse {self.max_bytes:,} octets (fetch_max_bytes).",
                )
            out += decoder.feed(chunk)
        if fired.is_set():  # the watchdog closed the socket: what we have is truncated
            raise _deadline(url)
        out += decoder.flush()
        return bytes(out)


def fetch(url: str, settings, **kwargs) -> Response:
    """One GET with a fresh Fetcher (convenience for scripts)."""
    allow_networks = kwargs.pop("allow_networks", ())
    return Fetcher(settings, allow_networks=allow_networks).get(url, **kwargs)
