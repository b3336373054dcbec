"""Benchmark of search over HTTP: p50/p95 of /search.json for 20 realistic queries, and the index build time.

For each catalogue size N (synthetic HealthDCAT-AP records from bench/generate.py):

1. The store is filled on disk in a temporary folder. Records are generated, parsed and split in chunks
   of --chunk records, so memory stays flat. They are written with RecordStore.replace_many in batches
   of --batch records, WITHOUT validation (the generator's records are meant to be valid; this is a
   read benchmark, and ingest speed is measured by bench/ingest_bench.py).
2. The index is built from the store with catalogue.search.reindex.reindex(): that is the "index
   build" time reported (read every record from the store, project it, index it, commit).
3. The web app is served by gunicorn (1 process, 4 threads: the embedded store allows one process)
   with CATALOGUE_DATA_DIR pointing at that folder and CATALOGUE_LOAD_DEMO=false.
4. Facet values are read from a first unfiltered /search.json response. The 20 queries (French and
   English text, 0 to 3 filters, one with OR inside a facet, an age range, sorts, one deep page) each
   return the top 20 hits and the counts of all facets. Filter values are picked as a user refines a
   search: from the facet counts of the query built so far (see resolve()), so no query is empty. Each query is sent --warmup times, then
   --repeats times, round-robin over the queries so that a burst of load on the machine spreads over
   all of them. One keep-alive connection (http.client); a sample is the time from sending the
   request to having read the whole body.

    .venv/bin/python bench/search_http_bench.py 10000 100000

Add --workdir DIR to keep the built catalogues (DIR/n-<N>/) and reuse them on the next run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = "https://bench.catalogue.example.org"
DATASET = "http://www.w3.org/ns/dcat#Dataset"
TARGET_P95_MS = 25.0
TARGET_BUILD_S = 60.0

# name, URL parameters; a ("facet", k) value is replaced by the k-th most frequent value of that facet
# in the first unfiltered response. "lang" only picks the language of labels and of the text analysis.
QUERIES: list[tuple[str, list[tuple[str, object]]]] = [
    ("all records, default order", []),
    ("q='cancer'", [("q", "cancer")]),
    ("q='santé mentale' (fr)", [("q", "santé mentale")]),
    ("q='rare diseases' (en)", [("q", "rare diseases"), ("lang", "en")]),
    ("q='diabete' (no accent)", [("q", "diabete")]),
    ("q='urgences hôpital', sort=title", [("q", "urgences hôpital"), ("sort", "title")]),
    ("q='Organisme de santé 12' (publisher name)", [("q", "Organisme de santé 12")]),
    ("q='perinatal births' (en), sort=modified", [("q", "perinatal births"), ("lang", "en"), ("sort", "modified")]),
    ("no text, sort=modified", [("sort", "modified")]),
    ("q='diabète' + theme", [("q", "diabète"), ("theme", ("theme", 1))]),
    (
        "q='vaccination' + access_rights + age 0-17",
        [
            ("q", "vaccination"),
            ("access_rights", ("access_rights", 0)),
            ("age_min", "0"),
            ("age_max", "17"),
        ],
    ),
    ("publisher only", [("publisher", ("publisher", 3))]),
    ("coding_system only, sort=title", [("coding_system", ("coding_system", 0)), ("sort", "title")]),
    (
        "q='mental health' (en) + health_category + format",
        [
            ("q", "mental health"),
            ("lang", "en"),
            ("health_category", ("health_category", 3)),
            ("format", ("format", 1)),
        ],
    ),
    (
        "q='oncologie' + publisher + format",
        [
            ("q", "oncologie"),
            ("publisher", ("publisher", 0)),
            ("format", ("format", 0)),
        ],
    ),
    ("theme OR theme + age", [("theme", ("theme", 1)), ("theme", ("theme", 2)), ("age", ("age", 0))]),
    (
        "theme + access_rights + coding_system",
        [
            ("theme", ("theme", 0)),
            ("access_rights", ("access_rights", 1)),
            ("coding_system", ("coding_system", 2)),
        ],
    ),
    (
        "q='cardiologie' + temporal + population + age",
        [
            ("q", "cardiologie"),
            ("temporal", ("temporal", 0)),
            ("population", ("population", 0)),
            ("age", ("age", 1)),
        ],
    ),
    (
        "q='emergency care' (en) + health_category + access_rights + format",
        [
            ("q", "emergency care"),
            ("lang", "en"),
            ("health_category", ("health_category", 0)),
            ("access_rights", ("access_rights", 2)),
            ("format", ("format", 2)),
        ],
    ),
    ("deep page: page 200, sort=title", [("sort", "title"), ("page", "200")]),
]
NOT_FILTERS = {"q", "lang", "sort", "page", "page_size", "age_min", "age_max"}


# --- building the catalogue -----------------------------------------------------------------------------


def synthetic_records(n: int, chunk: int, *, seed: int = 0):
    """Yield the n dataset Records of the synthetic catalogue, generated, parsed and split chunk by chunk."""
    from bench.generate import HDAB, PREFIXES, record
    from catalogue import rdf
    from catalogue.records import split_records

    rng = random.Random(seed)
    fmt = rdf.FORMATS_BY_NAME["ttl"]
    for start in range(0, n, chunk):
        text = PREFIXES + HDAB + "".join(record(i, rng) for i in range(start, min(n, start + chunk)))
        dataset = rdf.parse_dataset(text.encode(), fmt=fmt, base_iri=BASE + "/")
        yield from (r for r in split_records(dataset, base_iri=BASE) if r.kind == DATASET and r.error is None)


def settings_for(data_dir: Path):
    from catalogue.settings import Settings

    return Settings(data_dir=data_dir, base_iri=BASE, load_demo=False)


def load_store(n: int, data_dir: Path, chunk: int, batch: int) -> tuple[float, int]:
    """Fill the store (no validation); returns (seconds, records written)."""
    from catalogue.store import OxigraphStore, RecordStore

    settings = settings_for(data_dir)
    store = OxigraphStore(settings.store_path)
    records = RecordStore(store, BASE)
    started = time.perf_counter()
    written, pending = 0, []
    for record in synthetic_records(n, chunk):
        pending.append((record, "accepted", None, None))
        if len(pending) == batch:
            records.replace_many(pending, source="bench")
            written += len(pending)
            pending = []
            if written % 10_000 == 0:
                store.flush()
                print(f"    stored {written:,} / {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    if pending:
        records.replace_many(pending, source="bench")
        written += len(pending)
    store.flush()
    store.native.optimize()
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, written


def build_index(data_dir: Path) -> tuple[float, float, int]:
    """reindex() from the store; returns (wall seconds, CPU seconds of this process, records indexed)."""
    from catalogue.core import Catalogue
    from catalogue.search.reindex import reindex

    catalogue = Catalogue(settings_for(data_dir))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        indexed = reindex(catalogue)
        return time.perf_counter() - started, time.process_time() - cpu, indexed
    finally:
        catalogue.close()


def dir_size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# --- the server ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, threads: int) -> tuple[subprocess.Popen, int, float]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CATALOGUE_DATA_DIR=str(data_dir),
        CATALOGUE_LOAD_DEMO="false",
        CATALOGUE_BASE_IRI=BASE,
    )
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-w",
        "1",
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "60",
        "--timeout",
        "600",
        "--log-level",
        "warning",
        "webapp:create_app()",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=str(ROOT))
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process, port, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("the catalogue did not start")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pid(master: int) -> int | None:
    """The gunicorn worker (the master's only child), to read its CPU time."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return int(children[0]) if children else None
    except OSError:
        return None


def cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Client:
    """One keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, target: str) -> tuple[float, bytes]:
        """(milliseconds from sending the request to having read the whole body, body)."""
        started = time.perf_counter()
        self.connection.request("GET", target, headers={"Accept": "application/json"})
        reply = self.connection.getresponse()
        body = reply.read()
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status != 200:
            raise RuntimeError(f"GET {target}: HTTP {reply.status}: {body[:300]!r}")
        if reply.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        return elapsed, body

    def close(self) -> None:
        self.connection.close()


# --- the queries ------------------------------------------------------------------------------------------------


def facet_values(first: dict) -> dict[str, list[str]]:
    """Values of each facet of an unfiltered response, most frequent first."""
    return {
        facet["name"]: [v["value"] for v in sorted(facet["values"], key=lambda v: (-v["count"], v["value"]))]
        for facet in first["facets"]
    }


def resolve(client: Client, values: dict[str, list[str]]) -> list[tuple[str, str, int]]:
    """(name, target URL, number of filters) of the 20 queries, with real facet values.

    Filters are chosen the way a user refines a search: the text, sort and age parameters are sent
    first; then each ("facet", k) takes the k-th most frequent value of that facet (among those with a
    non-zero count and not already chosen) in the response to the query built so far. So every
    filtered query has hits, and every value is one that the first unfiltered response listed.
    """
    out = []
    for name, params in QUERIES:
        args = [(key, value) for key, value in params if not isinstance(value, tuple)]
        for key, value in params:
            if not isinstance(value, tuple):
                continue
            facet, k = value
            _, body = client.get("/search.json?" + urllib.parse.urlencode(args))
            counts = {f["name"]: f["values"] for f in json.loads(body)["facets"]}
            taken = {v for a, v in args if a == facet}
            choices = [
                v["value"]
                for v in sorted(counts.get(facet, []), key=lambda v: (-v["count"], v["value"]))
                if v["count"] > 0 and v["value"] not in taken and v["value"] in values.get(facet, ())
            ]
            if not choices:
                raise RuntimeError(f"{name}: no value of facet {facet!r} left to choose")
            args.append((key, choices[min(k, len(choices) - 1)]))
        filters = len({key for key, _ in args if key not in NOT_FILTERS}) + (
            1 if any(key in ("age_min", "age_max") for key, _ in args) else 0
        )
        out.append((name, "/search.json?" + urllib.parse.urlencode(args), filters))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(port: int, server_pid: int | None, repeats: int, warmup: int) -> dict:
    client = Client(port)
    try:
        _, body = client.get("/search.json")
        first = json.loads(body)
        values = facet_values(first)
        queries = resolve(client, values)
        totals, sizes = {}, {}
        for name, target, _ in queries:
            for _ in range(warmup):
                _, body = client.get(target)
            data = json.loads(body)
            totals[name], sizes[name] = data["total"], len(body)
            assert len(data["facets"]) >= 10, f"{name}: only {len(data['facets'])} facets"
        samples: dict[str, list[float]] = {name: [] for name, _, _ in queries}
        server_cpu: dict[str, float] = {name: 0.0 for name, _, _ in queries}
        load_before = os.getloadavg()
        for _ in range(repeats):
            for name, target, _ in queries:
                cpu = cpu_seconds(server_pid)
                elapsed, _ = client.get(target)
                server_cpu[name] += cpu_seconds(server_pid) - cpu
                samples[name].append(elapsed)
        load_after = os.getloadavg()
    finally:
        client.close()
    every = [t for ts in samples.values() for t in ts]
    return {
        "facets": {name: len(v) for name, v in values.items()},
        "queries": [
            {
                "name": name,
                "target": target,
                "filters": filters,
                "hits": totals[name],
                "bytes": sizes[name],
                "p50": statistics.median(samples[name]),
                "p95": percentile(samples[name], 0.95),
                "max": max(samples[name]),
                "server_cpu": server_cpu[name] / repeats * 1000,
            }
            for name, target, filters in queries
        ],
        "p50": statistics.median(every),
        "p95": percentile(every, 0.95),
        "max": max(every),
        "samples": len(every),
        "load_before": load_before,
        "load_after": load_after,
    }


# --- one size, and the report --------------------------------------------------------------------------------------


def run(n: int, workdir: Path, args) -> dict:
    data_dir = workdir / f"n-{n}"
    ready = data_dir / "bench-ready.json"
    result: dict = {"n": n, "load_start": os.getloadavg()}
    if ready.exists():
        result.update(json.loads(ready.read_text()))
        result["reused"] = True
        print(f"  reusing the catalogue built in {data_dir}", flush=True)
    else:
        if data_dir.exists():
            shutil.rmtree(data_dir)
        print(f"  loading the store ({n:,} records, no validation)...", flush=True)
        store_s, written = load_store(n, data_dir, args.chunk, args.batch)
        print(f"  stored {written:,} records in {store_s:.0f} s; building the index...", flush=True)
        load_before_build = os.getloadavg()
        build_s, build_cpu, indexed = build_index(data_dir)
        print(f"  indexed {indexed:,} records in {build_s:.1f} s", flush=True)
        built = {
            "written": written,
            "store_s": store_s,
            "build_s": build_s,
            "build_cpu_s": build_cpu,
            "indexed": indexed,
            "load_build": load_before_build,
            "store_mib": dir_size_mib(data_dir / "store"),
            "index_mib": dir_size_mib(data_dir / "index"),
        }
        ready.write_text(json.dumps(built))
        result.update(built)
        result["reused"] = False
    process, port, startup = start_server(data_dir, args.threads)
    try:
        result["startup_s"] = startup
        print(f"  gunicorn up in {startup:.1f} s on port {port}; measuring...", flush=True)
        result.update(measure(port, worker_pid(process.pid), args.repeats, args.warmup))
    finally:
        stop_server(process)
    result["load_end"] = os.getloadavg()
    return result


def loads(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def report(r: dict, args) -> str:
    n = r["n"]
    ok_p95 = "meets" if r["p95"] < TARGET_P95_MS else "MISSES"
    ok_build = "meets" if r["build_s"] < TARGET_BUILD_S else "MISSES"
    lines = [
        f"### {n:,} records",
        "",
        f"- store load (generate + parse + split + replace_many, no validation): {r['store_s']:.0f} s"
        f"{' (earlier run, reused)' if r.get('reused') else ''}; store {r['store_mib']:.0f} MiB",
        f"- **index build (`reindex()` from the store): {r['build_s']:.1f} s** wall, {r['build_cpu_s']:.1f} s CPU "
        f"({r['indexed'] / r['build_s']:,.0f} records/s); index {r['index_mib']:.1f} MiB; "
        f"load average (1/5/15 min) before the build {loads(r['load_build'])}"
        f" — {ok_build} the {TARGET_BUILD_S:.0f} s target",
        f"- gunicorn start-up (until /healthz answers): {r['startup_s']:.1f} s",
        f"- **all {r['samples']:,} requests: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms**, max {r['max']:.1f} ms"
        f" — {ok_p95} the {TARGET_P95_MS:.0f} ms p95 target",
        f"- load average (1/5/15 min) on {os.cpu_count()} CPUs: {loads(r['load_before'])} before the timed requests,"
        f" {loads(r['load_after'])} after",
        "- facet values in the unfiltered response: "
        + ", ".join(f"{name} {count}" for name, count in r["facets"].items()),
        "",
        f"| # | query ({args.repeats} timed requests each) | filters | hits | JSON KiB | p50 ms | p95 ms | max ms "
        f"| server CPU ms/req |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, q in enumerate(r["queries"], 1):
        lines.append(
            f"| {i} | {q['name']} | {q['filters']} | {q['hits']:,} | {q['bytes'] / 1024:.0f} | {q['p50']:.1f} "
            f"| {q['p95']:.1f} | {q['max']:.1f} | {q['server_cpu']:.1f} |"
        )
    lines.append(
        f"| | **all queries** | | | | **{r['p50']:.1f}** | **{r['p95']:.1f}** | {r['max']:.1f} | "
        f"{statistics.mean(q['server_cpu'] for q in r['queries']):.1f} (mean) |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per query (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per query first (default 3)")
    parser.add_argument("--chunk", type=int, default=1000, help="records generated and parsed at a time")
    parser.add_argument("--batch", type=int, default=200, help="records per replace_many() call")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads (1 process)")
    parser.add_argument("--workdir", type=Path, help="keep the built catalogues here and reuse them")
    parser.add_argument("--json", type=Path, help="also write the raw results to this JSON file")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {loads(os.getloadavg())}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="search-http-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            print(f"== {n:,} records", flush=True)
            result = run(n, workdir, args)
            results.append(result)
            print(report(result, args), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=list))


if __name__ == "__main__":
    main()
