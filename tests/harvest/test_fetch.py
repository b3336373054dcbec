"""The one outbound HTTP client against real hostile servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import time
import zlib

import pytest

from catalogue.errors import FetchError
from catalogue.harvest.fetch import Fetcher, address_refusal, check_address

from .feeds import Route


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.5.5.5",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.1.1",
        "fe80::1",
        "fc00::1",
        "224.0.0.1",
        "ff02::1",
        "0.0.0.0",
        "::",
        "240.0.0.1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "169.254.169.254",
        "fd00:ec2::254",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert address_refusal(address) is not None
    with pytest.raises(FetchError):
        check_address(address, url="http://example.org/")


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


def test_private_allowed_by_the_setting_but_cloud_metadata_never():
    assert address_refusal("10.0.0.1", allow_private=True) is None
    assert address_refusal("127.0.0.1", allow_private=True) is None
    assert address_refusal("169.254.169.254", allow_private=True) == "cloud metadata address"
    assert address_refusal("fd00:ec2::254", allow_private=True) == "cloud metadata address"
    assert address_refusal("127.0.0.1", allow_networks=["127.0.0.1/32"]) is None
    assert address_refusal("127.0.0.2", allow_networks=["127.0.0.1/32"]) == "loopback address"


def test_the_error_names_the_url_in_french_and_english():
    with pytest.raises(FetchError) as info:
        check_address("10.0.0.1", url="http://intranet.example/feed")
    assert "http://intranet.example/feed" in info.value.describe("en")
    assert "adresse privée" in info.value.describe("fr") and "private address" in info.value.describe("en")


def test_loopback_is_refused_without_the_setting(settings, server):
    server.routes["/x"] = Route(body=b"hello", content_type="text/plain")
    fetcher = Fetcher(settings.replace(fetch_allow_private=False))
    with pytest.raises(FetchError, match="loopback"):
        fetcher.get(server.url("/x"))
    assert server.requests == []  # refused before connecting


def test_a_redirect_to_a_private_address_is_refused_at_the_hop(settings, server):
    """Only 127.0.0.1 is let through: the redirect to 127.0.0.2 and to 10.x is checked again and refused."""
    for path, target in (("/to-loopback", "http://127.0.0.2:9/feed"), ("/to-private", "http://10.20.30.40/feed")):
        server.routes[path] = Route(status=302, headers={"Location": target}, etag=False)
        fetcher = Fetcher(settings.replace(fetch_allow_private=False), allow_networks=["127.0.0.1/32"])
        with pytest.raises(FetchError) as info:
            fetcher.get(server.url(path))
        assert target in info.value.describe("en")
        assert ("loopback" if "127.0.0.2" in target else "private") in info.value.describe("en")


def test_a_redirect_to_another_scheme_is_refused(settings, server):
    server.routes["/to-file"] = Route(status=301, headers={"Location": "file:///etc/passwd"}, etag=False)
    with pytest.raises(FetchError, match="Only http and https"):
        Fetcher(settings).get(server.url("/to-file"))


def test_redirects_are_followed_with_the_host_header_of_the_name(settings, server):
    server.routes["/a"] = Route(status=301, headers={"Location": "/b"}, etag=False)
    server.routes["/b"] = Route(body=b"ok", content_type="text/plain")
    url = f"http://localhost:{server.port}/a"
    response = Fetcher(settings).get(url)
    assert response.body == b"ok" and response.url == f"http://localhost:{server.port}/b"
    assert all(headers["Host"] == f"localhost:{server.port}" for _, headers in server.requests)


def test_redirect_loops_stop(settings, server):
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"}, etag=False)
    with pytest.raises(FetchError, match="Too many redirects"):
        Fetcher(settings).get(server.url("/loop"))


def test_credentials_in_urls_and_other_schemes_are_refused(settings):
    with pytest.raises(FetchError, match="user name or password"):
        Fetcher(settings).get("http://user:secret@127.0.0.1:9/")
    with pytest.raises(FetchError, match="Only http and https"):
        Fetcher(settings).get("ftp://127.0.0.1/feed")


def _gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1024 * 1024)
    out = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(out) + compressor.flush()


def test_a_gzip_bomb_is_refused_at_the_cap_after_decompression(settings, server):
    bomb = _gzip_bomb(1024 * 1024 * 1024)  # 1 GiB of zeros in about 1 MB
    assert len(bomb) < 2 * 1024 * 1024
    server.routes["/bomb"] = Route(body=bomb, content_type="text/turtle", headers={"Content-Encoding": "gzip"})
    fetcher = Fetcher(settings.replace(fetch_max_bytes=5 * 1024 * 1024))
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetcher.get(server.url("/bomb"))
    assert "once decompressed" in info.value.describe("en") and "décompressée" in info.value.describe("fr")
    assert time.monotonic() - start < 5


def test_gzip_and_deflate_bodies_are_decoded(settings, server):
    text = b"@prefix dct: <http://purl.org/dc/terms/> .\n" * 100
    server.routes["/gz"] = Route(body=gzip.compress(text), headers={"Content-Encoding": "gzip"})
    server.routes["/gz2"] = Route(
        body=gzip.compress(text[:500]) + gzip.compress(text[500:]), headers={"Content-Encoding": "gzip"}
    )
    server.routes["/zlib"] = Route(body=zlib.compress(text), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    server.routes["/raw"] = Route(body=raw.compress(text) + raw.flush(), headers={"Content-Encoding": "deflate"})
    fetcher = Fetcher(settings)
    for path in ("/gz", "/gz2", "/zlib", "/raw"):
        assert fetcher.get(server.url(path)).body == text
    assert "gzip" in server.requests[0][1]["Accept-Encoding"]


def test_the_byte_cap_is_enforced_while_streaming(settings, server):
    def endless(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/turtle")
        handler.end_headers()  # no Content-Length: read until the server closes
        try:
            for _ in range(1000):
                handler.wfile.write(b"#" * 65536)
        except OSError:
            pass
        handler.close_connection = True

    server.routes["/endless"] = Route(handler=endless)
    with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
        Fetcher(settings.replace(fetch_max_bytes=1_000_000)).get(server.url("/endless"))
    server.routes["/big"] = Route(body=b"x" * 2_000_000)
    with pytest.raises(FetchError, match="announces 2,000,000 bytes"):
        Fetcher(settings.replace(fetch_max_bytes=1_000_000)).get(server.url("/big"))


def _trickle(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/turtle")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    try:
        for _ in range(100):
            handler.wfile.write(b"#")
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass


def _trickle_headers(handler):
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass


def _trickle_chunk_size(handler):
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(100):
            handler.wfile.write(b"0")  # a chunk-size line that never ends
            handler.wfile.flush()
            time.sleep(1)
    except OSError:
        pass


@pytest.mark.parametrize(
    "handler", [_trickle, _trickle_headers, _trickle_chunk_size], ids=["body", "headers", "chunk-size"]
)
def test_a_server_trickling_one_byte_per_second_is_cut_at_the_deadline(settings, server, handler):
    server.routes["/slow"] = Route(handler=handler)
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        Fetcher(settings.replace(fetch_timeout=2.0)).get(server.url("/slow"))
    elapsed = time.monotonic() - start
    assert 1.8 <= elapsed < 3.5
    assert "fetch_timeout" in info.value.describe("en") and server.url("/slow") in info.value.describe("en")


def test_conditional_get_returns_304(settings, server):
    server.routes["/page"] = Route(body=b"<a:b> <a:c> <a:d> .", content_type="application/n-triples")
    fetcher = Fetcher(settings)
    first = fetcher.get(server.url("/page"))
    assert first.status == 200 and first.etag
    again = fetcher.get(server.url("/page"), etag=first.etag)
    assert again.not_modified and again.body == b""


def test_http_errors_name_the_url(settings, server):
    with pytest.raises(FetchError) as info:
        Fetcher(settings).get(server.url("/missing"))
    assert "HTTP 404" in info.value.describe("en") and server.url("/missing") in info.value.describe("fr")
