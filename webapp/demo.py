"""Load the demo catalogue into an empty store, through the single write path (catalogue.ingest)."""

from __future__ import annotations

import logging
from pathlib import Path

from catalogue.ingest import BatchResult, ingest_path

log = logging.getLogger(__name__)


def demo_files(directory: Path | str) -> list[Path]:
    directory = Path(directory)
    return sorted(directory.glob("*.ttl")) if directory.is_dir() else []


def store_is_empty(catalogue) -> bool:
    return not any(catalogue.records.count().values())


def rebuild_index_if_stale(catalogue) -> int | None:
    """The index is derived: rebuild it when its schema changed or it lost records the store has."""
    from catalogue.search.base import NullIndex
    from catalogue.search.reindex import reindex

    index = catalogue.index
    if isinstance(index, NullIndex) or store_is_empty(catalogue):
        return None
    stored = sum(catalogue.records.count().values())
    if getattr(index, "rebuilt", False) or index.count() == 0 or index.count() > stored:
        log.info("Rebuilding the search index from the store (%d records)", stored)
        return reindex(catalogue)
    return None


def load_demo_if_empty(catalogue) -> BatchResult | None:
    """Ingest every `*.ttl` of settings.demo_data_dir when load_demo is on and the store holds no record.

    Returns the merged BatchResult, or None when nothing was loaded.
    """
    settings = catalogue.settings
    if not settings.load_demo or not store_is_empty(catalogue):
        return None
    files = demo_files(settings.demo_data_dir)
    if not files:
        log.warning("load_demo is on but %s holds no *.ttl file", settings.demo_data_dir)
        return None
    result = BatchResult()
    for path in files:
        result.merge(ingest_path(catalogue, path))
    log.info("Demo catalogue loaded from %s: %s", settings.demo_data_dir, result.counts)
    for outcome in result.rejected:
        log.warning("Demo record rejected: %s (%s)", outcome.iri, outcome.error)
    return result
