"""Benchmark of the DCAT-AP feed: time to stream a whole synthetic catalogue as N-Triples, and peak memory.

For each size N, a fresh process builds (or reuses) an on-disk store of N records from
bench/generate.py, loaded with RecordStore.replace_many (no validation: the benchmark is about
reading), then streams the whole feed through the Flask app in-process, following the Link
rel="next" pages (page_size 1000), or in one page of N records (`--one-page`). A second process
with tracemalloc on gives the peak of Python allocations while streaming (its time is not comparable).

    .venv/bin/python bench/feed_bench.py 10000 100000 [--keep /tmp/feed-bench] [--one-page] [--baseline]

`--baseline` adds a process that only reads every record graph from the store (RecordStore.triples),
to tell the store's own memory (RocksDB caches) from the feed's.

Figures are written up in bench/README-feed.md.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE = "http://bench.catalogue.test"
CHUNK = 1000  # records generated, split and stored per batch


def build_store(n: int, data_dir: Path) -> float:
    """N generated records in data_dir/store (skipped when already built); returns the seconds it took."""
    import pyoxigraph as ox

    from bench.generate import HDAB, PREFIXES, record
    from catalogue.records import split_records
    from catalogue.settings import Settings
    from catalogue.store import OxigraphStore, RecordStore

    marker = data_dir / f"built-{n}"
    if marker.exists():
        return 0.0
    import random

    start = time.perf_counter()
    settings = Settings(data_dir=data_dir, base_iri=BASE, load_demo=False)
    store = OxigraphStore(settings.store_path)
    records = RecordStore(store, BASE)
    rng = random.Random(0)
    for first in range(0, n, CHUNK):
        text = PREFIXES + HDAB + "".join(record(i, rng) for i in range(first, min(n, first + CHUNK)))
        dataset = ox.Dataset(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
        batch = [(r, "valid", None, None) for r in split_records(dataset, base_iri=BASE)]
        records.replace_many(batch, source="bench")
    store.close()
    marker.write_text("ok")
    return time.perf_counter() - start


def _cpu() -> float:
    """CPU seconds of this process (all threads): steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    try:
        return round(float(Path("/proc/loadavg").read_text().split()[0]), 1)
    except OSError:
        return -1.0


def stream(n: int, data_dir: Path, one_page: bool, trace: bool = False) -> dict:
    from catalogue.core import Catalogue
    from catalogue.search.base import NullIndex
    from catalogue.settings import Settings
    from webapp import create_app

    class NoIndex(NullIndex):  # the feed reads the store only; create_app asks the index for its size
        def count(self) -> int:
            return n

    settings = Settings(data_dir=data_dir, base_iri=BASE, load_demo=False, max_page_size=n if one_page else 1000)
    catalogue = Catalogue(settings, index=NoIndex())
    app = create_app(settings, catalogue)
    client = app.test_client()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:  # only what streaming allocates (the app, its labels and caches are already loaded)
        import tracemalloc

        tracemalloc.start()
    url = f"/catalog.nt?page_size={n if one_page else 1000}"
    pages = size = lines = 0
    first_byte = None
    cpu_start = _cpu()
    start = time.perf_counter()
    while url:
        response = client.get(url, buffered=False)
        assert response.status_code == 200, response.status_code
        for chunk in response.response:
            if first_byte is None:
                first_byte = time.perf_counter() - start
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        pages += 1
        url = next(
            (
                link.split(";")[0].strip("<> ").removeprefix(BASE)
                for link in response.headers.getlist("Link")
                if 'rel="next"' in link
            ),
            None,
        )
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu_start
    if trace:
        import tracemalloc

        return {"tracemalloc_peak_mb": round(tracemalloc.get_traced_memory()[1] / 1e6, 1)}
    catalogue.close()
    return {
        "n": n,
        "mode": "one page" if one_page else "pages of 1000",
        "pages": pages,
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "records_per_s": round(n / seconds),
        "load_avg": _load(),
        "first_byte_s": round(first_byte or 0, 2),
        "mb": round(size / 1e6),
        "triples": lines,
        "rss_before_mb": round(rss_before / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def read_only(n: int, data_dir: Path) -> dict:
    """Baseline: read every record graph from the store and drop it (no feed, no serialisation)."""
    from catalogue.core import Catalogue
    from catalogue.feed import FeedRequest, select_page
    from catalogue.search.base import NullIndex
    from catalogue.settings import Settings

    settings = Settings(data_dir=data_dir, base_iri=BASE, load_demo=False)
    catalogue = Catalogue(settings, index=NullIndex())
    start = time.perf_counter()
    triples = 0
    for number in range(1, -(-n // 1000) + 1):  # the feed's page selection, then a plain read of each record
        page = select_page(catalogue, FeedRequest.from_args({"page": str(number), "page_size": "1000"}, settings))
        triples += sum(len(catalogue.records.triples(meta)) for meta in page.metas)
    seconds = time.perf_counter() - start
    catalogue.close()
    return {
        "read_only_s": round(seconds, 1),
        "read_only_triples": triples,
        "read_only_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def child(args: list[str]) -> None:
    what, n, data_dir, one_page = args[0], int(args[1]), Path(args[2]), args[3] == "1"
    if what == "build":
        print(json.dumps({"build_s": round(build_store(n, data_dir), 1)}))
    elif what == "read":
        print(json.dumps(read_only(n, data_dir)))
    elif what == "stream":
        print(json.dumps(stream(n, data_dir, one_page)))
    else:
        print(json.dumps(stream(n, data_dir, one_page, trace=True)))


def run(what: str, n: int, data_dir: Path, one_page: bool) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, str(n), str(data_dir), "1" if one_page else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int], keep: Path | None, one_page: bool) -> None:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
            data_dir = (keep / f"catalogue-{n}") if keep else Path(tmp)
            data_dir.mkdir(parents=True, exist_ok=True)
            row = run("build", n, data_dir, one_page)
            row.update(run("stream", n, data_dir, one_page))
            row.update(run("trace", n, data_dir, one_page))
            if "--baseline" in sys.argv:
                row.update(run("read", n, data_dir, one_page))
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(
        "| N | mode | pages | wall s | CPU s | load avg | records/s | first byte s | MB | triples "
        "| peak RSS MB | tracemalloc peak MB | read-only baseline s / peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        baseline = f"{r['read_only_s']} / {r['read_only_peak_rss_mb']}" if "read_only_s" in r else "-"
        print(
            f"| {r['n']:,} | {r['mode']} | {r['pages']} | {r['seconds']} | {r['cpu_s']} | {r['load_avg']} "
            f"| {r['records_per_s']:,} | {r['first_byte_s']} | {r['mb']} | {r['triples']:,} | {r['peak_rss_mb']} "
            f"| {r['tracemalloc_peak_mb']} | {baseline} |"
        )


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] == "--child":
        child(argv[1:])
    else:
        keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
        main([int(a) for a in argv if a.isdigit()] or [10_000, 100_000], keep, "--one-page" in argv)
