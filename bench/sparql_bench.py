"""The SPARQL endpoint against pyoxigraph called directly, and against Virtuoso, on the same catalogue.

Ten fixed catalogue queries (facet counts, lookups, joins) are timed three ways on N synthetic
records (bench/generate.py, one named graph per record as the catalogue stores them):

* direct: pyoxigraph in this process (Store.read_only on the same files), the result serialised
  as SPARQL JSON by pyoxigraph itself: the floor any endpoint starts from;
* endpoint: GET /sparql of the catalogue (gunicorn, 1 process x 8 threads, 2 query workers), the
  whole HTTP exchange, over one keep-alive connection;
* virtuoso: GET /sparql of Virtuoso 7 (Debian virtuoso-opensource) loaded with the same N-Quads.

    .venv/bin/python bench/sparql_bench.py 10000 [--repeat 15] [--no-virtuoso] [--out bench/README-sparql.md]

Prints a Markdown table (p50 / p95 in ms, rows returned, endpoint/direct ratio) and, with --out,
writes it into that file under a heading for N.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.sparql.guard import DEFAULT_PREFIXES  # noqa: E402
from tests.servers import _isql, free_port, have_virtuoso, start_virtuoso  # noqa: E402

BASE = "https://bench.catalogue.example.org/catalogue"
EX = "https://bench.catalogue.example.org/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
PROLOGUE = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in DEFAULT_PREFIXES.items()) + "\n"


def queries(n: int) -> dict[str, str]:
    one = n // 2
    return {
        "count datasets": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }",
        "facet: health category": (
            "SELECT ?c (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset ; healthdcatap:healthCategory ?c } "
            "GROUP BY ?c ORDER BY DESC(?n)"
        ),
        "facet: access rights": (
            "SELECT ?a (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset ; dct:accessRights ?a } GROUP BY ?a"
        ),
        # counts first, names after: agents are copied into every record graph that cites them, so
        # joining names before grouping multiplies the rows by the number of copies (12.8 s at 10,000)
        "facet: publisher + name (join)": (
            "SELECT ?p ?n (SAMPLE(?name) AS ?label) WHERE { "
            "{ SELECT ?p (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset ; dct:publisher ?p } GROUP BY ?p } "
            '?p foaf:name ?name FILTER(LANG(?name) = "en") } GROUP BY ?p ?n ORDER BY DESC(?n) ?p'
        ),
        "lookup: one dataset by IRI": f"SELECT ?p ?o WHERE {{ <{EX}dataset-{one}> ?p ?o }}",
        "lookup: by identifier": (
            f'SELECT DISTINCT ?d ?title WHERE {{ ?d dct:identifier "BENCH-{one:07d}" ; dct:title ?title }}'
        ),
        "join: dataset -> distribution": (
            f"SELECT DISTINCT ?dist ?format ?url WHERE {{ <{EX}dataset-{one}> dcat:distribution ?dist . "
            "?dist dct:format ?format ; dcat:accessURL ?url }"
        ),
        "ICD-10 and > 1M people": (
            f"SELECT DISTINCT ?d ?n WHERE {{ ?d healthdcatap:hasCodingSystem <{HEALTH}coding-system/ICD-10> ; "
            "healthdcatap:numberOfUniqueIndividuals ?n FILTER(?n > 1000000) } ORDER BY DESC(?n) ?d LIMIT 100"
        ),
        "keyword + title (join)": (
            'SELECT DISTINCT ?d ?title WHERE { ?d dcat:keyword "oncology"@en ; dct:title ?title '
            'FILTER(LANG(?title) = "en") } ORDER BY ?d LIMIT 100'
        ),
        "recently modified": (
            "SELECT DISTINCT ?d ?m WHERE { ?d a dcat:Dataset ; dct:modified ?m } ORDER BY DESC(?m) ?d LIMIT 20"
        ),
    }


# --- data ---------------------------------------------------------------------------------------------


def build_store(n: int, workdir: Path) -> tuple[Path, Path, int]:
    """The catalogue's store (one graph per record, written through RecordStore) and its N-Quads dump."""
    import pyoxigraph as ox

    from bench.generate import generate
    from catalogue import rdf
    from catalogue.records import split_records
    from catalogue.settings import Settings
    from catalogue.store import OxigraphStore, RecordStore

    settings = Settings(data_dir=workdir / "instance", base_iri=BASE, load_demo=False)
    store = OxigraphStore(settings.store_path)
    catalogue = RecordStore(store, BASE)
    started = time.perf_counter()
    for path in generate(n, workdir / "catalogue", per_file=2000):
        dataset = rdf.parse_dataset(path.read_bytes(), fmt=rdf.FORMATS_BY_NAME["ttl"], base_iri=BASE + "/")
        records = [r for r in split_records(dataset, base_iri=BASE) if r.kind.endswith("#Dataset")]
        for start in range(0, len(records), 500):
            catalogue.replace_many([(r, "valid", None, None) for r in records[start : start + 500]], source="bench")
        path.unlink()
    store.native.flush()
    store.native.optimize()
    print(f"  generated, split and stored in {time.perf_counter() - started:.0f} s", flush=True)
    # the search index too, or create_app() rebuilds it when the endpoint starts
    from catalogue.core import Catalogue
    from catalogue.search.reindex import reindex

    started = time.perf_counter()
    with_index = Catalogue(settings, store=store)
    reindex(with_index)
    with_index.index.close()
    print(f"  indexed in {time.perf_counter() - started:.0f} s", flush=True)
    dump = workdir / "virtuoso-load" / "catalogue.nq"
    dump.parent.mkdir(parents=True)
    store.native.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    quads = sum(1 for _ in store.native.quads_for_pattern(None, None, None, None))
    store.close()
    return workdir / "instance", dump, quads


# --- the three engines ----------------------------------------------------------------------------------


class Direct:
    name = "pyoxigraph direct"

    def __init__(self, data_dir: Path):
        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store.read_only(str(data_dir / "store"))

    def run(self, query: str) -> int:
        result = self.store.query(PROLOGUE + query, use_default_graph_as_union=True)
        body = result.serialize(format=self.ox.QueryResultsFormat.JSON)
        return len(json.loads(body)["results"]["bindings"])


class Http:
    def __init__(self, name: str, host: str, port: int, path: str, params: dict | None = None):
        self.name = name
        self.host, self.port, self.path = host, port, path
        self.params = params or {}
        self.connection = http.client.HTTPConnection(host, port, timeout=600)

    def run(self, query: str) -> int:
        target = self.path + "?" + urllib.parse.urlencode({"query": PROLOGUE + query, **self.params})
        for attempt in (1, 2):
            try:
                self.connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
                reply = self.connection.getresponse()
                body = reply.read()
                break
            except (http.client.HTTPException, ConnectionError):
                if attempt == 2:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=600)
        if reply.status != 200:
            raise RuntimeError(f"{self.name}: HTTP {reply.status}: {body[:300]!r}")
        if reply.getheader("X-SPARQL-Truncated") == "true" or reply.getheader("X-SQL-State"):
            raise RuntimeError(f"{self.name}: truncated result")
        return len(json.loads(body)["results"]["bindings"])


def start_endpoint(data_dir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CATALOGUE_DATA_DIR=str(data_dir),
        CATALOGUE_BASE_IRI=BASE,
        CATALOGUE_LOAD_DEMO="false",
        CATALOGUE_SPARQL_TIMEOUT="600",
        CATALOGUE_SPARQL_MAX_ROWS="1000000",
        CATALOGUE_SPARQL_PER_CLIENT="100",
        CATALOGUE_SPARQL_WORKERS="2",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "8",
        "--worker-class",
        "gthread",
        "--keep-alive",
        "60",
        "--timeout",
        "600",
        "--log-level",
        "warning",
        "webapp:create_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=str(ROOT))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the catalogue did not start")


def load_virtuoso(server, dump: Path) -> None:
    target = server.workdir / "load"
    target.mkdir(exist_ok=True)
    try:
        os.link(dump, target / dump.name)
    except OSError:
        import shutil

        shutil.copy(dump, target / dump.name)
    _isql(
        server.sql_port,
        server.dba_password,
        f"ld_dir('{target}', '*.nq', 'http://bench.default/'); rdf_loader_run(); checkpoint;",
    )


# --- timing -------------------------------------------------------------------------------------------


def timed(engine, query: str, repeat: int) -> tuple[float, float, int]:
    rows = engine.run(query)  # warm-up (and the row count)
    first = time.perf_counter()
    engine.run(query)
    if time.perf_counter() - first > 0.5:
        repeat = max(3, repeat // 3)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        engine.run(query)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], rows


def table(n: int, triples: int, results: dict, engines: list[str]) -> str:
    lines = [
        f"### {n:,} records ({triples:,} quads)",
        "",
        "| query | " + " | ".join(f"{e}, ms p50 / p95" for e in engines) + " | rows | endpoint / direct (p50) |",
        "|---|" + "---:|" * len(engines) + "---:|---:|",
    ]
    ratios, direct_total, endpoint_total = [], 0.0, 0.0
    for name, per_engine in results.items():
        cells = [f"{per_engine[e][0]:,.2f} / {per_engine[e][1]:,.2f}" for e in engines]
        rows = sorted({per_engine[e][2] for e in engines})
        direct, endpoint = per_engine["pyoxigraph direct"][0], per_engine["endpoint"][0]
        ratios.append(endpoint / direct)
        direct_total += direct
        endpoint_total += endpoint
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'/'.join(map(str, rows))} | {endpoint / direct:.2f} |")
    lines += [
        "",
        f"Sum of the p50s: direct {direct_total:,.1f} ms, endpoint {endpoint_total:,.1f} ms "
        f"({(endpoint_total / direct_total - 1) * 100:+.1f} %); median per-query ratio {statistics.median(ratios):.2f}; "
        f"median added time {statistics.median(r['endpoint'][0] - r['pyoxigraph direct'][0] for r in results.values()):.2f} ms.",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, heading: str, text: str) -> None:
    existing = path.read_text() if path.exists() else ""
    marker = heading.split(" (")[0]
    parts = existing.split("\n### ")
    kept = [parts[0]] + [p for p in parts[1:] if not ("### " + p).startswith(marker)]
    path.write_text("\n### ".join(kept).rstrip() + "\n\n" + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--out", help="write the table into this Markdown file (section per N)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sparql-bench-") as tmp:
        workdir = Path(tmp)
        print(f"building the catalogue of {args.n:,} records...", flush=True)
        data_dir, dump, triples = build_store(args.n, workdir)
        process, port = start_endpoint(data_dir)
        engines = [Direct(data_dir), Http("endpoint", "127.0.0.1", port, "/sparql")]
        virtuoso = None
        try:
            if not args.no_virtuoso and have_virtuoso():
                print("starting and loading Virtuoso...", flush=True)
                virtuoso = start_virtuoso(workdir / "virtuoso", max_rows=1_000_000, buffers=200_000)
                started = time.perf_counter()
                load_virtuoso(virtuoso, dump)
                print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
                engines.append(
                    Http(
                        "virtuoso",
                        "127.0.0.1",
                        int(virtuoso.url.split(":")[2].split("/")[0]),
                        "/sparql",
                        {"format": "application/sparql-results+json"},
                    )
                )
            results: dict[str, dict] = {}
            for name, query in queries(args.n).items():
                results[name] = {}
                for engine in engines:
                    results[name][engine.name] = timed(engine, query, args.repeat)
                print(
                    f"  {name}: " + ", ".join(f"{e}={v[0]:.2f} ms ({v[2]} rows)" for e, v in results[name].items()),
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
            if virtuoso is not None:
                virtuoso.stop()
        text = table(args.n, triples, results, [e.name for e in engines])
        print(text)
        if args.out:
            write_section(Path(args.out), f"### {args.n:,} records", text)


if __name__ == "__main__":
    main()
