"""Benchmark of the search index: build time, size, and latency of queries with every facet.

Records come from bench/generate.py (the synthetic HealthDCAT-AP catalogue), split exactly like
the ingest path splits them; the index is the catalogue's own TantivyIndex, on disk.

    .venv/bin/python bench/search_bench.py 10000 100000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EU = "http://publications.europa.eu/resource/authority/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
CHUNK = 2000


def synthetic_records(n: int, *, seed: int = 0):
    """Yield n Records of the synthetic catalogue, parsed and split in chunks (memory stays flat)."""
    from bench.generate import HDAB, PREFIXES, record
    from catalogue import rdf
    from catalogue.records import split_records

    rng = random.Random(seed)
    fmt = rdf.format_by_name("ttl")
    for start in range(0, n, CHUNK):
        text = PREFIXES + HDAB + "".join(record(i, rng) for i in range(start, min(n, start + CHUNK)))
        parsed = rdf.parse_dataset(text.encode(), fmt=fmt, base_iri="http://bench.test/")
        yield from split_records(parsed, base_iri="http://bench.test")


def queries(n: int):
    """A mix of what the web UI sends: text or not, filters on a few facets, every facet counted."""
    from catalogue.search import SearchQuery

    heal, soci = EU + "data-theme/HEAL", EU + "data-theme/SOCI"
    return {
        "all, newest first": SearchQuery(),
        "text 'cancer'": SearchQuery(text="cancer"),
        "text 'santé mentale' (fr)": SearchQuery(text="santé mentale"),
        "text 'rare diseases' (en)": SearchQuery(text="rare diseases", lang="en"),
        "theme=SOCI": SearchQuery(filters={"theme": [soci]}),
        "text + 2 facets": SearchQuery(
            text="hospital", filters={"theme": [heal], "access_rights": [EU + "access-right/PUBLIC"]}
        ),
        "5 facets, OR inside": SearchQuery(
            filters={
                "theme": [soci, EU + "data-theme/ECON"],
                "format": [EU + "file-type/CSV", EU + "file-type/JSON"],
                "population": ["1m-10m", "ge10m"],
                "temporal": ["2010-2019"],
                "age": ["children"],
            }
        ),
        "age range + sort title": SearchQuery(age_min=10, age_max=20, sort="title"),
        "deep page (200), sort date": SearchQuery(sort="modified", page=200, page_size=20),
        "deep page (200), sort title": SearchQuery(sort="title", page=200, page_size=20),
        "middle page of 1000, sort title (feed)": SearchQuery(sort="title", page=max(1, n // 2000), page_size=1000),
        "text, no match": SearchQuery(text="zzzyyyxxx"),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(n: int, repeats: int, workdir: Path) -> dict:
    from catalogue.labels import load_labels
    from catalogue.search import TantivyIndex
    from catalogue.views import DatasetRecord

    labels = load_labels()
    started = time.perf_counter()
    records = list(synthetic_records(n))
    prepare = time.perf_counter() - started

    started = time.perf_counter()
    views = [DatasetRecord.from_record(r, None, labels) for r in records]
    project = time.perf_counter() - started
    del records

    path = workdir / f"index-{n}"
    index = TantivyIndex(path, labels=labels, heap_size=256_000_000)
    started = time.perf_counter()
    for view in views:
        index.add_view(view)
    index.commit()
    build = time.perf_counter() - started
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    assert index.count() == n, index.count()

    latencies: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for name, query in queries(n).items():
        index.search(query)  # warm up
        times, cpu = [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            result = index.search(query)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        latencies[name] = times
        cpu_times[name] = cpu
        totals[name] = result.total
    index.close()
    every = [t for ts in latencies.values() for t in ts]
    return {
        "n": n,
        "prepare_s": prepare,
        "project_s": project,
        "build_s": build,
        "size_mib": size / 2**20,
        "queries": {
            name: (
                totals[name],
                statistics.median(ts),
                percentile(ts, 0.95),
                max(ts),
                statistics.median(cpu_times[name]),
            )
            for name, ts in latencies.items()
        },
        "load": os.getloadavg()[0],
        "p50": statistics.median(every),
        "p95": percentile(every, 0.95),
        "max": max(every),
    }


def report(result: dict) -> str:
    lines = [
        f"### {result['n']:,} records",
        "",
        f"- parse + split (bench only): {result['prepare_s']:.1f} s; DatasetRecord projection: "
        f"{result['project_s']:.1f} s ({result['project_s'] / result['n'] * 1e6:.0f} µs/record)",
        f"- index build (documents + commit): {result['build_s']:.1f} s "
        f"({result['n'] / result['build_s']:,.0f} records/s); index size {result['size_mib']:.1f} MiB",
        f"- all queries: p50 {result['p50']:.2f} ms, p95 {result['p95']:.2f} ms, max {result['max']:.2f} ms",
        "",
        f"- load average at the end: {result['load']:.1f} on {os.cpu_count()} CPUs",
        "",
        "| query (top 20 + all 15 facets, disjunctive) | hits | p50 ms | p95 ms | max ms | CPU p50 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (total, p50, p95, worst, cpu) in result["queries"].items():
        lines.append(f"| {name} | {total:,} | {p50:.2f} | {p95:.2f} | {worst:.2f} | {cpu:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        for n in args.sizes:
            print(report(run(n, args.repeats, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
