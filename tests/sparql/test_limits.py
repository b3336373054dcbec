"""Isolation and limits: deep queries, the time limit (the worker is killed), per-client concurrency,
a crashing engine, and updates refused whatever carries them."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import RUNAWAY, TIMEOUT

SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s a dcat:Dataset }"


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, from /proc (clock ticks)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def idle(pids, *, within: float = 5.0) -> bool:
    """True once every process in `pids` uses (almost) no CPU over half a second."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ticks = {pid: cpu_ticks(pid) for pid in pids}
        time.sleep(0.5)
        if all(cpu_ticks(pid) - ticks[pid] <= 5 for pid in pids):
            return True
    return False


def warm(live) -> list[int]:
    assert live.query(SIMPLE).status == 200
    return live.executor.worker_pids()


def test_a_query_nested_5000_deep_is_a_clean_400_and_the_server_stays_up(live):
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    assert 10_000 <= len(deep) <= 20_000
    pids = warm(live)
    reply = live.query(deep)
    assert reply.status == 400
    assert "64 levels" in reply.text
    assert live.executor.worker_pids() == pids  # refused before any worker saw it
    assert live.query(SIMPLE).status == 200


def test_an_engine_crash_only_costs_one_worker(make_live):
    """With the guard's depth limit lifted, the same query crashes pyoxigraph: in a worker, not in the app."""
    handle = make_live(sparql_max_depth=100_000)
    pids = warm(handle)
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    reply = handle.query(deep)
    assert reply.status == 500
    assert "stopped" in reply.text
    after = handle.executor.worker_pids()
    assert len(after) == len(pids) and len(set(pids) - set(after)) == 1
    assert handle.query(SIMPLE).status == 200


def test_a_runaway_query_gets_503_at_the_time_limit_and_its_worker_is_killed(live):
    before = warm(live)
    started = time.monotonic()
    reply = live.query(RUNAWAY)
    elapsed = time.monotonic() - started
    assert reply.status == 503
    assert TIMEOUT <= elapsed < TIMEOUT + 2
    assert reply.header("Retry-After")
    assert "stopped" in reply.text  # a well-formed error body, never a cut 200
    after = live.executor.worker_pids()
    killed = set(before) - set(after)
    assert len(killed) == 1 and len(after) == len(before)  # replaced
    assert all(gone(pid) for pid in killed)
    # the CPU is back to idle: no worker burns time any more (the replacement only imports its modules)
    assert idle(after), "a worker is still computing"
    assert live.query(SIMPLE).status == 200


def test_timeout_body_is_json_for_json_clients(live):
    reply = live.query(RUNAWAY, headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 503
    assert reply.json()["error"]["code"] == "QueryTimeout"


def test_twenty_heavy_queries_in_parallel(live):
    warm(live)

    def heavy(_):
        return live.request(data={"query": RUNAWAY}, method="POST", timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(heavy, i) for i in range(20)]
        time.sleep(0.3)
        # the UI still answers while the workers are busy
        ui_started = time.monotonic()
        health = live.request("/healthz")
        home = live.request("/", headers={"Accept": "text/html"})
        ui_elapsed = time.monotonic() - ui_started
        replies = [f.result() for f in futures]
    assert health.status == 200 and home.status == 200
    assert ui_elapsed < 1.5
    statuses = sorted(r.status for r in replies)
    assert set(statuses) <= {429, 503}, statuses
    limited = [r for r in replies if r.status == 429]
    assert len(limited) >= 15, statuses
    assert all(int(r.header("Retry-After")) >= 1 for r in limited)
    assert "already have 2" in limited[0].text
    assert any(r.status == 503 for r in replies)
    assert live.query(SIMPLE).status == 200


def test_busy_pool_is_503_with_retry_after(make_live):
    handle = make_live(sparql_workers=1, sparql_per_client=5, sparql_timeout=1.0)
    warm(handle)
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda _: handle.query(RUNAWAY, timeout=30), range(2)))
    assert [r.status for r in replies] == [503, 503]
    assert all(r.header("Retry-After") for r in replies)


# --- read-only -------------------------------------------------------------------------------------

UPDATE = "INSERT DATA { GRAPH <http://evil.test/g> { <http://evil.test/s> <http://evil.test/p> 'x' } }"


@pytest.mark.parametrize(
    "carrier",
    [
        "update= in a form",
        "update= in the URL",
        "application/sparql-update body",
        "query= in the URL",
        "query= in a form",
        "application/sparql-query body",
        "after a query",
    ],
)
def test_updates_are_refused_with_403(live, carrier):
    requests = {
        "update= in a form": dict(data={"update": UPDATE}, method="POST"),
        "update= in the URL": dict(params={"update": UPDATE}),
        "application/sparql-update body": dict(
            data=UPDATE, headers={"Content-Type": "application/sparql-update"}, method="POST"
        ),
        "query= in the URL": dict(params={"query": UPDATE}),
        "query= in a form": dict(data={"query": UPDATE}, method="POST"),
        "application/sparql-query body": dict(
            data=UPDATE, headers={"Content-Type": "application/sparql-query"}, method="POST"
        ),
        "after a query": dict(params={"query": "SELECT * WHERE { ?s ?p ?o } ; " + UPDATE}),
    }
    reply = live.request(**requests[carrier])
    assert reply.status == 403, reply.text
    assert "read-only" in reply.text
    check = live.query("ASK { GRAPH ?g { <http://evil.test/s> ?p ?o } }").json()
    assert check["boolean"] is False


def test_every_update_operation_is_refused(live):
    for operation in (
        "LOAD <http://evil.test/x.ttl>",
        "CLEAR ALL",
        "DROP ALL",
        "CREATE GRAPH <http://g.test/>",
        "ADD DEFAULT TO <http://g.test/>",
        "MOVE DEFAULT TO <http://g.test/>",
        "COPY DEFAULT TO <http://g.test/>",
        "DELETE WHERE { ?s ?p ?o }",
    ):
        assert live.query(operation).status == 403, operation


def test_query_length_is_checked_before_the_engine(live):
    reply = live.query("SELECT * WHERE { ?s ?p ?o } #" + "x" * 25_000)
    assert reply.status == 400
    assert "20,000 bytes" in reply.text


def test_limiter_frees_the_slot_after_errors(live):
    for _ in range(5):
        assert live.query("SELECT * WHERE {").status == 400
    results = []
    threads = [threading.Thread(target=lambda: results.append(live.query(SIMPLE).status)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200]
