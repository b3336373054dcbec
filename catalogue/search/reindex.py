"""Rebuild the search index from the store: the store is the source of truth, the index is derived."""

from __future__ import annotations

from collections.abc import Callable

BATCH_SIZE = 2000


def reindex(catalogue, *, batch_size: int = BATCH_SIZE, on_progress: Callable[[int, int], None] | None = None) -> int:
    """Clear the index and index every record of the store that is not withdrawn; returns how many.

    Records are read one at a time and committed every `batch_size` records (the writer is kept
    between batches and released at the end), so memory stays flat whatever the catalogue size.
    """
    index = catalogue.index
    store = catalogue.records
    metas = store.list_metas()
    index.clear()
    indexed = 0
    for position, meta in enumerate(metas, 1):
        if meta.withdrawn is None:
            index.add(store.record(meta), meta)
            indexed += 1
        if position % batch_size == 0:
            _commit(index, release=False)
            if on_progress:
                on_progress(position, len(metas))
    index.commit()
    if on_progress:
        on_progress(len(metas), len(metas))
    return indexed


def _commit(index, *, release: bool) -> None:
    try:
        index.commit(release=release)
    except TypeError:  # an index without bulk-load support (NullIndex, another implementation)
        index.commit()
