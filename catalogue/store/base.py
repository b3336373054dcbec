"""The GraphStore protocol: everything the catalogue asks of a store, expressible in SPARQL 1.1
Query/Update and the Graph Store Protocol, so a remote server can implement it as well."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pyoxigraph as ox


@runtime_checkable
class GraphStore(Protocol):
    """A quad store. Queries see the union of the named graphs as their default graph.

    Optional, for stores that need them (RecordStore reads them with getattr; the embedded store
    has none): `atomic_updates = False` with `put_graph(graph_iri, triples)` for a store whose
    multi-operation updates are not atomic (records are then staged and swapped in);
    `page_size` for a store that cuts long results; `shared = True` for a store that several
    processes write at once. See catalogue/store/sparql.py and docs/remote-store.md.
    """

    def select(self, query: str) -> list[dict[str, object]]:
        """Run a SELECT; each row maps variable names to pyoxigraph terms (unbound ones absent)."""

    def ask(self, query: str) -> bool: ...

    def construct(self, query: str) -> list[ox.Triple]: ...

    def update(self, update: str) -> None:
        """Run a SPARQL Update atomically: all of it is applied or none of it."""

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        """The triples of one named graph (Graph Store Protocol GET)."""

    def raw_query(self, query: str, *, default_graph_as_union: bool = True, default_graphs=None, named_graphs=None):
        """Run any query and return the engine's own result object (used by the SPARQL endpoint)."""

    def close(self) -> None: ...


def nt(term) -> str:
    """A term in SPARQL/N-Triples syntax. pyoxigraph escapes it, so no user text can break out."""
    return str(term)


def iri(value: str) -> str:
    return nt(ox.NamedNode(value))
