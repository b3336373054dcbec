"""The search index on tantivy: bilingual full text, disjunctive facet counts, sorting and paging.

Text: every text of a record goes into a French-stemmed, an English-stemmed and an unstemmed
field (all accent-folded), so a query in either language finds a record whatever language it is
written in; titles and keywords have their own, boosted, fields.

Facets: one raw field per facet for filtering and one fast field for counting. For facets whose
values are IRIs the counted value also carries the names the record gives the resource
("value\\x1ffr\\x1fen"), so a publisher's name comes back with its count without a lookup.
Counts are disjunctive: the values of a facet are counted with every filter except its own, in
one aggregation per selected facet plus one for all the others.

Writers: tantivy allows one writer per index directory. The writer is taken only when a
change is made and released after commit, so another process (the CLI) can write while the web
process only reads; readers reload when the index's meta.json changes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import tantivy

from ..errors import CatalogueError
from ..labels import Labels, load_labels
from ..views import DatasetRecord
from .documents import (  # noqa: F401 (VERSION_FILE is re-exported for tests)
    ANALYZERS,
    DEEP_TITLE_OFFSET,
    DISMAX_TIE,
    RANK_LEVELS,
    SCHEMA_VERSION,
    SEP,
    TEXT_FIELDS,
    TOKENIZER_NAMES,
    VERSION_FILE,
    _agg_field,
    _is_stopword,
    build_schema,
    document_for,
    fold,
    parse_text,
)
from .facets import FACETS, FACETS_BY_NAME, FacetDef
from .query import FacetResult, FacetValue, Hit, SearchQuery, SearchResult

log = logging.getLogger(__name__)


class IndexBusy(CatalogueError):
    http_status = 503


class TantivyIndex:
    """The catalogue's SearchIndex on tantivy (on disk at settings.index_path, or in memory)."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        labels: Labels | None = None,
        heap_size: int = 64_000_000,
        lock_timeout: float = 30.0,
    ):
        self.path = Path(path) if path is not None else None
        self.labels = labels if labels is not None else load_labels()
        self.heap_size = heap_size
        self.lock_timeout = lock_timeout
        self.deep_title_offset = DEEP_TITLE_OFFSET
        self.schema = build_schema()
        self.rebuilt = False  # True when an index of another schema version was discarded: run reindex
        self._lock = threading.RLock()
        self._writer = None
        self._dirty = False
        self._meta_stamp = None
        self._index = self._open()
        for analyzer, name in TOKENIZER_NAMES.items():
            self._index.register_tokenizer(name, ANALYZERS[analyzer])
        self._refresh(force=True)

    # --- opening ---------------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        if self.path is None:
            return tantivy.Index(self.schema)
        version_file = self.path / VERSION_FILE
        if self.path.exists() and tantivy.Index.exists(str(self.path)):
            try:
                version = json.loads(version_file.read_text()).get("schema_version")
            except (OSError, ValueError):
                version = None
            if version == SCHEMA_VERSION:
                return tantivy.Index.open(str(self.path))
            log.warning(
                "search index at %s has schema %s, expected %s: discarded, reindex needed",
                self.path,
                version,
                SCHEMA_VERSION,
            )
            shutil.rmtree(self.path)
            self.rebuilt = True
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        version_file.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        return index

    def _refresh(self, force: bool = False) -> None:
        """Reload the reader when a commit happened (in this process or another one)."""
        if self.path is None:
            if force:
                self._index.reload()
            return
        try:
            stat = os.stat(self.path / "meta.json")
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        if force or stamp != self._meta_stamp:
            self._meta_stamp = stamp
            self._index.reload()

    # --- writing ---------------------------------------------------------------------------------
    def _writer_(self):
        if self._writer is None:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    self._writer = self._index.writer(heap_size=self.heap_size, num_threads=1)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                        raise IndexBusy(
                            "Another process is writing the search index; try again when it has finished.",
                            "Un autre processus écrit dans l'index de recherche ; réessayez quand il aura fini.",
                        ) from None
                    time.sleep(0.05)
        return self._writer

    def add(self, record, meta=None) -> None:
        """Index (or re-index) one record; a withdrawn record is taken out of the index instead."""
        if meta is not None and getattr(meta, "withdrawn", None) is not None:
            self.remove(record.iri)
            return
        view = DatasetRecord.from_record(record, meta, self.labels)
        self.add_view(view, meta)

    def add_view(self, view: DatasetRecord, meta=None) -> None:
        doc = document_for(view, meta, self.labels)
        with self._lock:
            writer = self._writer_()
            writer.delete_documents_by_term("iri", view.iri)
            writer.add_document(doc)
            self._dirty = True

    def remove(self, resource_iri: str) -> None:
        with self._lock:
            self._writer_().delete_documents_by_term("iri", resource_iri)
            self._dirty = True

    def clear(self) -> None:
        """Delete every document (visible at the next commit)."""
        with self._lock:
            self._writer_().delete_all_documents()
            self._dirty = True

    def commit(self, *, release: bool = True) -> None:
        """Make pending changes visible; release the writer (unless `release=False`, for bulk loads)."""
        with self._lock:
            if self._writer is None:
                return
            if self._dirty:
                self._writer.commit()
                self._dirty = False
            if release:
                self._writer.wait_merging_threads()  # also drops the writer and its lock
                self._writer = None
        self._refresh(force=True)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self.commit()

    def __enter__(self) -> TantivyIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------------
    def count(self) -> int:
        self._refresh()
        return self._index.searcher().num_docs

    def _text_query(self, text: str):
        must, must_not = [], []
        for clause, negated in parse_text(text):
            per_field = []
            for name, (analyzer, boost) in TEXT_FIELDS.items():
                tokens = ANALYZERS[analyzer].analyze(clause)
                if not tokens:
                    continue
                if len(tokens) == 1:
                    q = tantivy.Query.term_query(self.schema, name, tokens[0])
                else:
                    q = tantivy.Query.phrase_query(self.schema, name, tokens)
                per_field.append(tantivy.Query.boost_query(q, boost))
            if not per_field:
                continue
            q = tantivy.Query.disjunction_max_query(per_field, tie_breaker=DISMAX_TIE)
            (must_not if negated else must).append(q)
        if not must and not must_not:
            return None
        all_stop = all(_is_stopword(c) for c, neg in parse_text(text) if not neg)
        occur = tantivy.Occur.Should if all_stop else tantivy.Occur.Must
        subqueries = [(occur, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
        if not must:
            subqueries.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(subqueries)

    def _filter_queries(self, query: SearchQuery) -> dict[str, object]:
        filters = {}
        for name, values in query.filters.items():
            filters[name] = tantivy.Query.term_set_query(self.schema, f"f_{name}", values)
        return filters

    def _age_queries(self, query: SearchQuery) -> list:
        parts = []
        if query.age_min is not None:
            parts.append(
                tantivy.Query.range_query(self.schema, "age_max", tantivy.FieldType.Unsigned, lower_bound=query.age_min)
            )
        if query.age_max is not None:
            parts.append(
                tantivy.Query.range_query(self.schema, "age_min", tantivy.FieldType.Unsigned, upper_bound=query.age_max)
            )
        return parts

    @staticmethod
    def _combine(base, filters: list):
        if not filters:
            return base if base is not None else tantivy.Query.all_query()
        parts = [(tantivy.Occur.Must, base)] if base is not None else []
        parts += [(tantivy.Occur.Must, f) for f in filters]
        return tantivy.Query.boolean_query(parts)

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        self._refresh()
        searcher = self._index.searcher()
        text_query = self._text_query(query.text) if query.text else None
        constant = self._age_queries(query)
        filters = self._filter_queries(query)
        full = self._combine(text_query, [*constant, *filters.values()])

        # Hits
        limit, offset = query.page_size, query.offset
        if query.sort == "title":
            total, hits = self._by_title(searcher, full, query)
        else:
            if query.sort == "modified" or text_query is None:
                found = searcher.search(
                    full, limit, count=True, offset=offset, order_by_field="sort_modified", order=tantivy.Order.Desc
                )
            else:
                found = searcher.search(full, limit, count=True, offset=offset, weight_by_field="tie")
            scored = query.sort == "relevance" and text_query is not None
            total = found.count
            hits = [_hit(searcher, a, round(float(value), 6) if scored else None) for value, a in found.hits]

        # Facet counts: unselected facets share the full query; each selected facet is counted
        # with every filter but its own.
        buckets: dict[str, list] = {}
        shared = {
            f.name: {"terms": {"field": _agg_field(f), "size": 10_000 if f.kind != "term" else 1000}}
            for f in FACETS
            if f.name not in filters
        }
        if shared:
            buckets.update(_buckets(searcher.aggregate(full, shared)))
        for name in filters:
            facet = FACETS_BY_NAME[name]
            others = [q for other, q in filters.items() if other != name]
            q = self._combine(text_query, [*constant, *others])
            agg = {name: {"terms": {"field": _agg_field(facet), "size": 10_000 if facet.kind != "term" else 1000}}}
            buckets.update(_buckets(searcher.aggregate(q, agg)))
        facets = [self._facet_result(facet, buckets.get(facet.name, []), query) for facet in FACETS]
        return SearchResult(
            query=query, total=total, hits=hits, facets=facets, took_ms=(time.perf_counter() - started) * 1000
        )

    def _by_title(self, searcher, full, query: SearchQuery) -> tuple[int, list[Hit]]:
        """A page sorted by title.

        The exact order is a string fast field, but its cost grows with the offset (about 12 µs per
        skipped hit). From `deep_title_offset` on, pages sort on u64 ranks of the title's 12-character
        slices instead; only the records whose rank ties across an edge of the page are ordered at the
        next slice, and the last ties by the exact key. Both paths give the same order.
        """
        lang, limit, offset = query.lang, query.page_size, query.offset
        if offset < self.deep_title_offset:
            found = searcher.search(
                full, limit, count=True, offset=offset, order_by_field=f"sort_title_{lang}", order=tantivy.Order.Asc
            )
            return found.count, [_hit(searcher, a, None) for _v, a in found.hits]
        total = searcher.search(full, 1, count=True).count
        page = self._title_slice(searcher, full, offset, limit, 0, lang) if offset < total else []
        return total, [_hit_from(data, None) for data in page]

    def _title_slice(self, searcher, q, start: int, count: int, level: int, lang: str) -> list[dict]:
        """Stored summaries of positions [start, start + count) of `q` in title order, from rank `level` on."""
        exact = lambda data: data["sort"][lang]  # noqa: E731

        def load(addresses) -> list[dict]:
            return sorted((json.loads(searcher.doc(a).get_first("hit")) for a in addresses), key=exact)

        if count <= 0:
            return []
        if level == RANK_LEVELS:  # the first 36 characters tie: order the whole (small) group exactly
            group = searcher.search(q, max(1, searcher.search(q, 1, count=True).count), count=False)
            return load(a for _v, a in group.hits)[start : start + count]
        field = f"sort_title_rank{level}_{lang}"

        def ranked(lower=None, upper=None, include_upper=True):
            bounds = tantivy.Query.range_query(
                self.schema,
                field,
                tantivy.FieldType.Unsigned,
                lower_bound=lower,
                upper_bound=upper,
                include_upper=include_upper,
            )
            return self._combine(q, [bounds])

        def size(query) -> int:
            return searcher.search(query, 1, count=True).count

        found = searcher.search(q, count, offset=start, order_by_field=field, order=tantivy.Order.Asc).hits
        if not found:
            return []
        low, high = found[0][0], found[-1][0]
        if low == high:  # the whole slice has one rank: order it at the next level
            before = size(ranked(upper=low, include_upper=False)) if start else 0
            return self._title_slice(searcher, ranked(low, low), start - before, len(found), level + 1, lang)
        edge_low = [a for k, a in found if k == low]
        edge_high = [a for k, a in found if k == high]
        middle = load(a for k, a in found if low < k < high)
        if size(ranked(low, low)) == len(edge_low):  # the group is all inside the slice
            head = load(edge_low)
        else:
            before = size(ranked(upper=low, include_upper=False))
            head = self._title_slice(searcher, ranked(low, low), start - before, len(edge_low), level + 1, lang)
        if size(ranked(high, high)) == len(edge_high):
            tail = load(edge_high)
        else:
            tail = self._title_slice(searcher, ranked(high, high), 0, len(edge_high), level + 1, lang)
        return head + middle + tail

    def lookup(self, iris) -> dict[str, Hit]:
        """The indexed summaries (title, publisher...) of some records, by IRI: for links to related datasets."""
        iris = list(dict.fromkeys(iris))
        if not iris:
            return {}
        self._refresh()
        searcher = self._index.searcher()
        found = searcher.search(tantivy.Query.term_set_query(self.schema, "iri", iris), len(iris), count=False)
        hits = [_hit(searcher, address, None) for _score, address in found.hits]
        return {h.iri: h for h in hits}

    def _facet_result(self, facet: FacetDef, buckets: list, query: SearchQuery) -> FacetResult:
        counts: dict[str, int] = {}
        names: dict[str, tuple[int, dict]] = {}
        for bucket in buckets:
            key, count = bucket["key"], bucket["doc_count"]
            value, _, rest = key.partition(SEP)
            counts[value] = counts.get(value, 0) + count
            if rest:
                fr, _, en = rest.partition(SEP)
                if (fr or en) and count > names.get(value, (0, {}))[0]:
                    names[value] = (count, {"fr": fr, "en": en})
        selected = query.filters.get(facet.name, [])
        for value in selected:
            counts.setdefault(value, 0)
        values = [
            FacetValue(
                value=v, label=facet.label(v, self.labels, names.get(v, (0, {}))[1]), count=n, selected=v in selected
            )
            for v, n in counts.items()
        ]
        if facet.kind == "band":
            order = facet.band_order()
            values.sort(key=lambda fv: order.index(fv.value) if fv.value in order else len(order))
        elif facet.kind == "decade":
            values.sort(key=lambda fv: fv.value)
        else:
            values.sort(key=lambda fv: (-fv.count, fold(fv.label.get(query.lang, fv.value)), fv.value))
            if len(values) > facet.size:
                values = values[: facet.size] + [v for v in values[facet.size :] if v.selected]
        return FacetResult(name=facet.name, label_fr=facet.label_fr, label_en=facet.label_en, values=values)


def _hit(searcher, address, score) -> Hit:
    return _hit_from(json.loads(searcher.doc(address).get_first("hit")), score)


def _hit_from(data: dict, score) -> Hit:
    return Hit(
        iri=data["iri"],
        id=data["id"],
        title=data["title"],
        description=data["description"],
        publisher=data["publisher"],
        access_rights=data["access_rights"],
        modified=data["modified"],
        score=score,
        kind=data.get("kind", ""),
        access_level=data.get("access_level"),
    )


def _buckets(result: dict) -> dict[str, list]:
    return {name: agg.get("buckets", []) for name, agg in result.items()}
