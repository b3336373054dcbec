"""The embedded store: pyoxigraph on disk (or in memory for tests that ask for it)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreUnavailable


class OxigraphStore:
    def __init__(self, path: Path | str | None = None, *, read_only: bool = False):
        self.path = Path(path) if path else None
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreUnavailable(
                f"Cannot open the embedded store: {exc.strerror or exc}. Is another process using it?",
                f"Impossible d'ouvrir le stockage embarqué : {exc.strerror or exc}. Un autre processus l'utilise-t-il ?",
            ) from None

    @property
    def native(self) -> ox.Store:
        return self._store

    def raw_query(self, query: str, *, default_graph_as_union: bool = True, default_graphs=None, named_graphs=None):
        kwargs = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = default_graph_as_union
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(query, **kwargs)

    def select(self, query: str) -> list[dict[str, object]]:
        solutions = self.raw_query(query)
        names = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return rows

    def ask(self, query: str) -> bool:
        return bool(self.raw_query(query))

    def construct(self, query: str) -> list[ox.Triple]:
        return list(self.raw_query(query))

    def update(self, update: str) -> None:
        self._store.update(update)

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]

    def bulk_load_quads(self, quads) -> None:
        """Fast load for derived data (vocabularies); not transactional, never used for records."""
        self._store.bulk_extend(quads)

    def flush(self) -> None:
        """Write buffered changes to disk, so that a long load does not hold them all in memory."""
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store; closing twice is harmless."""
        store = self.__dict__.pop("_store", None)
        if store is not None and self.path is not None:
            store.flush()
