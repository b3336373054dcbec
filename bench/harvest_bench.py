"""Benchmark of the harvester: a paged DCAT-AP feed of N records served from a loopback server.

For each N, four runs against the same store, each in a fresh process so its peak RSS is its own:
  dry-run      first harvest with --dry-run: fetch, parse, split, validate, but no store write
  full         first harvest: every record parsed, validated, stored and indexed
  incremental  same feed, nothing changed: every page answers 304 (ETag), records are only touched
  no-etag      same feed from a server that sends no validators: pages are fetched and parsed again,
               and every record is found unchanged by its content hash (not validated, not rewritten)
  full+flush   `full` again on a new store whose memtables are flushed after each page: pyoxigraph's
               on-disk store otherwise keeps every write in memory until it is closed, which is the
               RSS growth of `full` (the same happens with a plain loop of INSERT DATA)

The feed server runs in its own process and builds the pages on demand (records from
bench/generate.py, Hydra PartialCollectionView links), so its memory is not counted.

    .venv/bin/python bench/harvest_bench.py 1000 10000 [--per-page 100]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HYDRA = "http://www.w3.org/ns/hydra/core#"


# --- the feed server (its own process) ------------------------------------------------------------------


def page_body(n: int, per_page: int, page: int, base: str) -> bytes:
    from bench.generate import HDAB, PREFIXES, record

    rng = random.Random(page)  # the same page is the same bytes on every request
    first = (page - 1) * per_page
    parts = [PREFIXES, HDAB]
    parts += [record(i, rng) for i in range(first, min(n, first + per_page))]
    url = f"{base}?page={page}"
    parts.append(f"\n<{base}> <{HYDRA}view> <{url}> .\n<{url}> a <{HYDRA}PartialCollectionView>")
    parts.append(f" ; <{HYDRA}next> <{base}?page={page + 1}> .\n" if first + per_page < n else " .\n")
    return "".join(parts).encode()


def serve(n: int, per_page: int, port_file: str) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            with_etag = parts.path == "/feed"
            base = f"http://127.0.0.1:{self.server.server_address[1]}{parts.path}"
            body = page_body(n, per_page, page, base)
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if with_etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            if with_etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(port_file).write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


# --- one phase (its own process) ----------------------------------------------------------------------------


def phase(name: str, workdir: str, url: str) -> None:
    from catalogue.core import open_catalogue
    from catalogue.harvest import Harvester, Source, SourceRegistry
    from catalogue.settings import Settings

    settings = Settings(
        data_dir=Path(workdir) / "instance",
        load_demo=False,
        base_iri="http://catalogue.bench",
        fetch_allow_private=True,
        harvest_max_pages=100_000,
        fetch_timeout=120,
    )
    with open_catalogue(settings) as catalogue:
        _ = catalogue.validator  # compiled shapes are a fixed cost, not per record: load them first
        SourceRegistry(catalogue.store, settings.base_iri).add(Source("bench", url, "dcat", "manual"), replace=True)
        native = getattr(catalogue.store, "native", None)

        def on_page(url, status, count):
            if name == "full+flush" and hasattr(native, "flush"):
                native.flush()  # what the embedded store could do itself: write its memtables out

        start = time.perf_counter()
        report = Harvester(catalogue).run_named("bench", dry_run=name == "dry-run", on_page=on_page)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    records = sum(report.counts[k] for k in ("added", "updated", "unchanged", "rejected"))
    print(
        json.dumps(
            {
                "phase": name,
                "seconds": seconds,
                "records": records,
                "peak_mb": peak,
                "counts": report.counts,
                "status": report.status,
                "pages": report.pages_fetched,
                "not_modified": sum(1 for p in report.pages if p["status"] == 304),
            }
        )
    )


def run(n: int, per_page: int) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="harvest-bench-") as workdir:
        port_file = Path(workdir) / "port"
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(n), str(per_page), str(port_file)])
        try:
            while not port_file.exists() or not port_file.read_text():
                time.sleep(0.05)
            base = f"http://127.0.0.1:{port_file.read_text()}"
            for name, url in (
                ("dry-run", f"{base}/feed?page=1"),
                ("full", f"{base}/feed?page=1"),
                ("incremental", f"{base}/feed?page=1"),
                ("no-etag", f"{base}/plain?page=1"),
                ("full+flush", f"{base}/feed?page=1"),
            ):
                store_dir = str(Path(workdir) / ("flushed" if name == "full+flush" else "main"))
                out = subprocess.run(
                    [sys.executable, __file__, "--phase", name, store_dir, url],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                result = json.loads(out.strip().splitlines()[-1])
                result["n"] = n
                results.append(result)
                print(
                    f"N={n:>6} {name:<12} {result['seconds']:8.2f} s {result['records'] / result['seconds']:9.0f} "
                    f"records/s  peak {result['peak_mb']:6.0f} MiB  {result['counts']} {result['status']}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--serve", nargs=3)
    parser.add_argument("--phase", nargs=3)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), int(args.serve[1]), args.serve[2])
        return
    if args.phase:
        phase(*args.phase)
        return
    rows = []
    for n in args.sizes:
        rows += run(n, args.per_page)
    print("\n| N | run | seconds | records/s | peak RSS (MiB) | speed-up vs full |")
    print("|---:|---|---:|---:|---:|---:|")
    for row in rows:
        full = next(r for r in rows if r["n"] == row["n"] and r["phase"] == "full")
        print(
            f"| {row['n']:,} | {row['phase']} | {row['seconds']:.2f} | {row['records'] / row['seconds']:,.0f} | "
            f"{row['peak_mb']:.0f} | {full['seconds'] / row['seconds']:.1f}x |"
        )


if __name__ == "__main__":
    main()
