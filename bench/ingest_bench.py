"""Benchmark of `catalogue load`: records/s and peak memory per stage, beside raw pyoxigraph bulk load.

Each size runs in a fresh process so that its peak RSS is its own.

    .venv/bin/python bench/ingest_bench.py 1000 10000 100000
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

STAGES = ("parse", "split", "validate", "store", "index")


def run_one(n: int, workdir: Path, with_index: bool) -> dict:
    import pyoxigraph as ox

    from bench.generate import generate
    from catalogue.core import Catalogue
    from catalogue.ingest import ingest_path
    from catalogue.search.base import NullIndex
    from catalogue.settings import Settings

    source = workdir / f"catalogue-{n}.ttl"
    generate(n, source)
    size_mb = source.stat().st_size / 1e6

    settings = Settings(data_dir=workdir / "instance", load_demo=False, max_input_bytes=4 * 1024**3)
    catalogue = Catalogue(settings, index=None if with_index else NullIndex())
    start = time.perf_counter()
    result = ingest_path(catalogue, source, keep_all=False)
    total = time.perf_counter() - start
    catalogue.close()
    # Peak memory of the load, read before the raw bulk load below (whose own peak grows with the file).
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    start = time.perf_counter()
    raw = ox.Store(str(workdir / "raw"))
    raw.bulk_load(path=str(source), format=ox.RdfFormat.TURTLE)
    raw_seconds = time.perf_counter() - start
    del raw
    return {
        "n": n,
        "file_mb": round(size_mb, 1),
        "counts": result.counts,
        "seconds": round(total, 2),
        "records_per_s": round(n / total),
        "stages_s": {stage: round(result.timings.get(stage, 0.0), 2) for stage in STAGES},
        "raw_bulk_load_s": round(raw_seconds, 2),
        "raw_records_per_s": round(n / raw_seconds),
        "peak_rss_mb": round(peak_mb),
    }


def main(sizes: list[int], with_index: bool) -> None:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(n), tmp] + (["--index"] if with_index else []),
                capture_output=True, text=True,
            )
            if out.returncode:
                sys.exit(f"N={n} failed:\n{out.stderr}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| N | file MB | total s | records/s | parse s | split s | validate s | store s | index s "
          "| raw bulk load records/s | peak RSS MB | rejected |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s = r["stages_s"]
        print(f"| {r['n']:,} | {r['file_mb']} | {r['seconds']} | {r['records_per_s']:,} | {s['parse']} | {s['split']} "
              f"| {s['validate']} | {s['store']} | {s['index']} | {r['raw_records_per_s']:,} | {r['peak_rss_mb']} "
              f"| {r['counts']['rejected']} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--one":
        print(json.dumps(run_one(int(args[1]), Path(args[2]), "--index" in args)))
    else:
        index = "--index" in args
        main([int(a) for a in args if a.isdigit()] or [1000, 10000, 100000], index)
