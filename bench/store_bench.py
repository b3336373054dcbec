"""The same synthetic catalogue on three stores: the embedded pyoxigraph store, Oxigraph server, Virtuoso.

Measures the store stage of an ingest (RecordStore.replace_many in chunks of 200 records, as
catalogue.ingest does), SPARQL latencies (p50/p95) of a few typical queries, the time to list
every record (what `catalogue reindex` reads first), and the memory of the server (RSS from /proc;
for the embedded store, what the benchmark process gained while loading and querying it). Run by hand:

    .venv/bin/python bench/store_bench.py 10000 [--backends embedded,oxigraph-server,virtuoso] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from catalogue import rdf  # noqa: E402
from catalogue.records import split_records  # noqa: E402
from catalogue.store import OxigraphStore, RecordStore  # noqa: E402
from catalogue.store.sparql import SparqlStore  # noqa: E402
from tests.servers import start_oxigraph_server, start_virtuoso  # noqa: E402

BASE = "https://bench.catalogue.example.org/catalogue"
CHUNK = 200
DCAT = "http://www.w3.org/ns/dcat#"
QUERIES = {
    "count by type": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "facet (themes)": (
        f"SELECT ?theme (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{DCAT}Dataset> ; <{DCAT}theme> ?theme }} "
        "GROUP BY ?theme ORDER BY DESC(?n)"
    ),
}


def records_of(path: Path) -> list:
    """The dataset records of one generated file (parsed and split here: not part of the store stage)."""
    dataset = rdf.parse_dataset(path.read_bytes(), fmt=rdf.FORMATS_BY_NAME["ttl"], base_iri=BASE + "/")
    return [r for r in split_records(dataset, base_iri=BASE) if r.kind == DCAT + "Dataset"]


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def disk_of(path: Path) -> int:
    done = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True)
    return int(done.stdout.split()[0]) if done.returncode == 0 else 0


def timed(fn, repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run(backend: str, files: list[Path], workdir: Path, rng: random.Random) -> dict:
    server = None
    baseline = rss_of(os.getpid())  # the embedded store lives in this process: count what it adds
    if backend == "embedded":
        store = OxigraphStore(workdir / "embedded")
        pid, data_dir = None, workdir / "embedded"
    elif backend == "oxigraph-server":
        server = start_oxigraph_server(workdir / "oxigraph-server")
        store = SparqlStore(server.url, server.update_url, server.gsp_url, timeout=300)
        pid, data_dir = server.pid, workdir / "oxigraph-server"
    else:
        server = start_virtuoso(workdir / "virtuoso", buffers=200_000)
        store = SparqlStore(
            server.url, server.update_url, user=server.user, password=server.password, auth="digest", timeout=300
        )
        pid, data_dir = server.pid, workdir / "virtuoso"
    try:
        catalogue = RecordStore(store, BASE)
        load, count, triples, iris = 0.0, 0, 0, []
        for path in files:  # file by file: memory stays flat whatever the size of the catalogue
            records = records_of(path)
            count, triples = count + len(records), triples + sum(len(r.triples) for r in records)
            iris += [r.iri for r in records]
            started = time.perf_counter()
            for start in range(0, len(records), CHUNK):
                batch = records[start : start + CHUNK]
                catalogue.replace_many([(r, "valid", None, None) for r in batch], source="bench")
            load += time.perf_counter() - started
        sample = [SimpleNamespace(iri=iris[rng.randrange(len(iris))]) for _ in range(200)]
        metas = {r.iri: catalogue.get_meta(r.iri) for r in sample[:1]}  # warm up
        it = iter(sample * 10)
        result = {
            "backend": backend,
            "records": count,
            "triples": triples,
            "load_s": load,
            "records_per_s": count / load,
            "get_meta": timed(lambda: catalogue.get_meta(next(it).iri), 200),
            "record triples": timed(
                lambda: catalogue.triples(metas.setdefault((r := next(it)).iri, catalogue.get_meta(r.iri))), 200
            ),
            "lookup (SPARQL)": timed(lambda: store.select(f"SELECT ?p ?o WHERE {{ <{next(it).iri}> ?p ?o }}"), 200),
        }
        for name, query in QUERIES.items():
            store.select(query)
            result[name] = timed(lambda q=query: store.select(q), 10)
        started = time.perf_counter()
        listed = len(catalogue.list_metas())
        result["list all records_s"] = time.perf_counter() - started
        assert listed == count, (listed, count)
        result["rss_mib"] = (rss_of(pid) if pid else rss_of(os.getpid()) - baseline) / 2**20
        if hasattr(store, "native"):
            store.native.flush()
        result["disk_mib"] = disk_of(data_dir) / 2**20
        return result
    finally:
        store.close()
        if server:
            server.stop()


def table(results: list[dict]) -> str:
    head = "| | " + " | ".join(r["backend"] for r in results) + " |\n|---|" + "---:|" * len(results) + "\n"
    rows = [
        ("records", "{records:,}"),
        ("triples (record graphs)", "{triples:,}"),
        ("store stage, records/s", "{records_per_s:,.0f}"),
        ("load time, s", "{load_s:,.1f}"),
    ]
    lines = [f"| {label} | " + " | ".join(fmt.format(**r) for r in results) + " |" for label, fmt in rows]
    for key in ("get_meta", "record triples", "lookup (SPARQL)", *QUERIES):
        lines.append(
            f"| {key}, ms p50 / p95 | " + " | ".join(f"{r[key][0]:,.1f} / {r[key][1]:,.1f}" for r in results) + " |"
        )
    lines.append(
        "| list every record (list_metas), s | " + " | ".join(f"{r['list all records_s']:,.2f}" for r in results) + " |"
    )
    lines.append(
        "| server RSS after load and queries, MiB (embedded: growth of this process) | "
        + " | ".join(f"{r['rss_mib']:,.0f}" for r in results)
        + " |"
    )
    lines.append("| on disk, MiB | " + " | ".join(f"{r['disk_mib']:,.0f}" for r in results) + " |")
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--backends", default="embedded,oxigraph-server,virtuoso")
    parser.add_argument("--out", help="append the table to this file")
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        workdir = Path(tmp)
        files = generate(args.n, workdir / "catalogue", per_file=2000)
        results = []
        for backend in args.backends.split(","):
            results.append(run(backend, files, workdir, rng))
            print(backend, {k: v for k, v in results[-1].items() if k != "backend"}, flush=True)
    text = table(results)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(f"\n### {args.n:,} records\n\n{text}")


if __name__ == "__main__":
    main()
