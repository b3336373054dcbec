"""tantivy vs whoosh on the same documents: build time and per-query latency (top 20 + theme facet counts).

Both engines index the same flattened documents (title, all text, themes) from the synthetic
catalogue, with accent folding and French/English stemming, and answer the same 8 queries with
AND semantics, returning the 20 best hits (stored id and title) and the count of each theme.
Whoosh is not a dependency of the catalogue: `pip install whoosh` into the venv to run this.

    .venv/bin/python bench/compare_engines.py 10000            # both engines
    .venv/bin/python bench/compare_engines.py 100000 --only tantivy
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = [
    "cancer",
    "santé mentale",
    "rare diseases",
    "hospital",
    "données collectées",
    "vaccination prévention",
    "cardiology database",
    "organisme santé 12",
]


def documents(n: int) -> list[dict]:
    """Flat documents from the synthetic catalogue (prepared before any timing)."""
    from bench.search_bench import synthetic_records
    from catalogue.labels import load_labels, pick
    from catalogue.search.documents import _body_texts
    from catalogue.views import DatasetRecord

    labels = load_labels()
    docs = []
    for record in synthetic_records(n):
        view = DatasetRecord.from_record(record, None, labels)
        titles = [*view.title.values(), *(k for ks in view.keywords.values() for k in ks)]
        docs.append(
            {
                "iri": view.iri,
                "title": pick(view.title, "fr"),
                "text": "\n".join([*titles, *_body_texts(view, labels)]),
                "themes": view.themes,
            }
        )
    return docs


# --- tantivy --------------------------------------------------------------------------------------


class Tantivy:
    name = "tantivy"

    def __init__(self, path: Path):
        import tantivy

        from catalogue.search.documents import ANALYZERS, TOKENIZER_NAMES

        self.t = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("iri", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name=TOKENIZER_NAMES["fr"])
        sb.add_text_field("text_fr", tokenizer_name=TOKENIZER_NAMES["fr"])
        sb.add_text_field("text_en", tokenizer_name=TOKENIZER_NAMES["en"])
        sb.add_text_field("theme", tokenizer_name="raw", fast=True)
        self.schema = sb.build()
        path.mkdir(parents=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        for key, name in TOKENIZER_NAMES.items():
            self.index.register_tokenizer(name, ANALYZERS[key])

    def build(self, docs: list[dict]) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for d in docs:
            doc = self.t.Document()
            doc.add_text("iri", d["iri"])
            doc.add_text("title", d["title"])
            doc.add_text("text_fr", d["text"])
            doc.add_text("text_en", d["text"])
            for theme in d["themes"]:
                doc.add_text("theme", theme)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def search(self, text: str) -> tuple[int, list[str], dict[str, int]]:
        searcher = self.index.searcher()
        query = self.index.parse_query(text, ["title", "text_fr", "text_en"], conjunction_by_default=True)
        found = searcher.search(query, 20)
        hits = [searcher.doc(address).get_first("iri") for _score, address in found.hits]
        agg = searcher.aggregate(query, {"theme": {"terms": {"field": "theme", "size": 100}}})
        themes = {b["key"]: b["doc_count"] for b in agg["theme"]["buckets"]}
        return found.count, hits, themes


# --- whoosh ---------------------------------------------------------------------------------------


class Whoosh:
    name = "whoosh"

    def __init__(self, path: Path):
        warnings.filterwarnings("ignore", category=SyntaxWarning)
        from whoosh import fields, index
        from whoosh.analysis import CharsetFilter, LanguageAnalyzer
        from whoosh.support.charset import accent_map

        fr = LanguageAnalyzer("fr") | CharsetFilter(accent_map)
        en = LanguageAnalyzer("en") | CharsetFilter(accent_map)
        schema = fields.Schema(
            iri=fields.ID(stored=True, unique=True),
            title=fields.TEXT(stored=True, analyzer=fr),
            text_fr=fields.TEXT(analyzer=fr),
            text_en=fields.TEXT(analyzer=en),
            theme=fields.KEYWORD(commas=True, scorable=False, vector=True),
        )
        path.mkdir(parents=True)
        self.index = index.create_in(str(path), schema)

    def build(self, docs: list[dict]) -> None:
        writer = self.index.writer(limitmb=256, procs=1)
        for d in docs:
            writer.add_document(
                iri=d["iri"], title=d["title"], text_fr=d["text"], text_en=d["text"], theme=",".join(d["themes"])
            )
        writer.commit()

    def search(self, text: str) -> tuple[int, list[str], dict[str, int]]:
        from whoosh import qparser, sorting

        parser = qparser.MultifieldParser(["title", "text_fr", "text_en"], self.index.schema, group=qparser.AndGroup)
        query = parser.parse(text)
        with self.index.searcher() as searcher:
            facet = sorting.FieldFacet("theme", allow_overlap=True, maptype=sorting.Count)
            results = searcher.search(query, limit=20, groupedby={"theme": facet})
            hits = [hit["iri"] for hit in results]
            themes = dict(results.groups("theme"))
            return len(results), hits, themes


# --- driver ---------------------------------------------------------------------------------------


def measure(engine, docs: list[dict], repeats: int) -> dict:
    started = time.perf_counter()
    cpu = time.process_time()
    engine.build(docs)
    build = time.perf_counter() - started
    build_cpu = time.process_time() - cpu
    rows = {}
    for text in QUERIES:
        total, _hits, themes = engine.search(text)  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            engine.search(text)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        rows[text] = (total, sum(themes.values()), statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return {"build_s": build, "build_cpu_s": build_cpu, "queries": rows}


def report(n: int, results: dict[str, dict]) -> str:
    engines = list(results)
    lines = [f"### {n:,} records", ""]
    for name in engines:
        r = results[name]
        lines.append(f"- {name}: build {r['build_s']:.1f} s wall ({r['build_cpu_s']:.1f} s CPU)")
    lines += ["", "| query | hits | " + " | ".join(f"{e} p50 ms | {e} p95 ms" for e in engines) + " |"]
    lines.append("|---|---:|" + "---:|---:|" * len(engines))
    for text in QUERIES:
        totals = {results[e]["queries"][text][0] for e in engines}
        cells = " | ".join(
            f"{results[e]['queries'][text][2]:.2f} | {results[e]['queries'][text][3]:.2f}" for e in engines
        )
        mark = "" if len(totals) == 1 else " (engines disagree: " + "/".join(map(str, sorted(totals))) + ")"
        lines.append(f"| {text} | {min(totals):,}{mark} | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--only", choices=["tantivy", "whoosh"])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    engines = [e for e in (Tantivy, Whoosh) if args.only in (None, e.name)]
    for n in args.sizes:
        docs = documents(n)
        results = {}
        with tempfile.TemporaryDirectory(prefix="compare-engines-") as tmp:
            for engine in engines:
                results[engine.name] = measure(engine(Path(tmp) / engine.name), docs, args.repeats)
        print(report(n, results), flush=True)
        print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n", flush=True)


if __name__ == "__main__":
    main()
