"""The whole app on a shared remote store: several gunicorn workers, store outage and recovery.

Real processes only: an Oxigraph server on 127.0.0.1, `catalogue load` to fill it, and
gunicorn with two workers serving the app over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import need
from tests.servers import free_port, have_oxigraph_server, start_oxigraph_server

BIN = Path(sys.executable).parent
DATA = Path(__file__).resolve().parent.parent / "data"


def get(url: str, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def remote_app(tmp_path):
    need(have_oxigraph_server(), "the Oxigraph server (pip install oxigraph)")
    need((BIN / "gunicorn").exists(), "gunicorn (pip install gunicorn)")
    server = start_oxigraph_server(tmp_path / "store")
    env = {**os.environ, "CATALOGUE_DATA_DIR": str(tmp_path / "instance"), "CATALOGUE_LOAD_DEMO": "false",
           "CATALOGUE_STORE_TIMEOUT": "3"}
    env.update({f"CATALOGUE_{k.upper()}": str(v) for k, v in server.settings().items()})
    load = subprocess.run([BIN / "catalogue", "load", "--no-progress", DATA], env=env, capture_output=True, text=True)
    assert load.returncode == 0, load.stderr
    port = free_port()
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60", "webapp:create_app()"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(base + "/healthz", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        gunicorn.kill()
        server.stop()
        pytest.fail("gunicorn did not start")
    yield base, server
    gunicorn.terminate()
    gunicorn.wait(timeout=20)
    server.stop()


def test_workers_share_the_remote_store_and_survive_an_outage(remote_app):
    base, server = remote_app
    # several workers answer from the same store (connections spread over both workers)
    totals = {json.loads(get(base + "/search.json?q=cancer")[2])["total"] for _ in range(8)}
    assert len(totals) == 1 and totals.pop() > 0
    hits = json.loads(get(base + "/search.json?q=SNDS")[2])["hits"]
    page = f"{base}/dataset/{hits[0]['id']}"
    assert get(page)[0] == 200
    health = json.loads(get(base + "/healthz")[2])
    assert health["records"] >= 18

    server.kill()  # kill -9: the store is gone
    started = time.monotonic()
    status, headers, body = get(page)
    assert status == 503
    assert time.monotonic() - started < 10  # quickly, not after a long hang
    assert b"Traceback" not in body and b"127.0.0.1" not in body
    assert get(base + "/healthz")[0] == 503

    server.restart()  # the store comes back: the app recovers without a restart
    deadline = time.monotonic() + 15
    while get(page)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert get(page)[0] == 200
    assert get(base + "/healthz")[0] == 200
