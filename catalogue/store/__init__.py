"""Stores: the GraphStore protocol, the embedded pyoxigraph backend, and the record layer on top."""

from __future__ import annotations

from ..settings import Settings
from .base import GraphStore
from .oxigraph import OxigraphStore
from .records import RecordMeta, RecordStore


def open_graph_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """The backend named by the settings: a remote SPARQL server when store_url is set."""
    if settings.store_url:
        from .sparql import SparqlStore

        return SparqlStore.from_settings(settings)
    return OxigraphStore(settings.store_path, read_only=read_only)


__all__ = ["GraphStore", "OxigraphStore", "RecordMeta", "RecordStore", "open_graph_store"]
