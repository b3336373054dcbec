"""Validation speed: records per second of each SHACL engine on copies of the official example.

    .venv/bin/python bench/validation_speed.py [--copies 200] [--engine turbo|pyshacl|both]

Each copy is the HealthDCAT-AP Release 8 example (`example-healthdcat-dataset.ttl`, ~290
triples, one dataset with four distributions, agents, contact points, variables) with its
IRIs renamed, validated ONE record at a time with the default profile selection
(dcat-ap-3 + healthdcat-ap-r8-non-public + national), report included.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = (
    ROOT
    / ".."
    / "shared"
    / "reference"
    / "healthdcat-ap"
    / "official-release8-via-sdc"
    / "example-healthdcat-dataset.ttl"
)
BASE = "https://healthdcat-ap.example.org/release-7/example/"


def copies(n: int) -> list[Graph]:
    original = Graph().parse(EXAMPLE)

    def rename(term, i):
        if isinstance(term, URIRef) and str(term).startswith(BASE):
            return URIRef(f"{BASE}copy-{i}/{str(term)[len(BASE) :]}")
        return term

    out = []
    for i in range(n):
        g = Graph()
        for s, p, o in original:
            g.add((rename(s, i), p, rename(o, i)))
        out.append(g)
    return out


def run(engine: str, records: list[Graph]) -> float:
    from catalogue.validation import Validator

    start = time.perf_counter()
    validator = Validator(engine)
    setup = time.perf_counter() - start
    validator.validate(records[0])  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    problems = 0
    for record in records:
        problems += len(validator.validate(record).problems)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rate = len(records) / elapsed
    # CPU time is the fairer figure on a shared machine (other processes steal wall time).
    print(
        f"{engine:8s} {len(records)} records: {rate:,.0f} records/s wall ({elapsed:.2f} s), "
        f"{len(records) / cpu:,.0f} records/s of CPU time ({1000 * cpu / len(records):.2f} ms CPU/record); "
        f"{problems / len(records):.0f} problems/record; first Validator {setup:.2f} s"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--engine", choices=["turbo", "pyshacl", "both"], default="both")
    args = parser.parse_args()
    if not EXAMPLE.exists():
        sys.exit(f"reference example not found: {EXAMPLE}")
    records = copies(args.copies)
    print(f"{len(records)} copies of {EXAMPLE.name}, {len(records[0])} triples each")
    for engine in ("turbo", "pyshacl") if args.engine == "both" else (args.engine,):
        run(engine, records)


if __name__ == "__main__":
    main()
