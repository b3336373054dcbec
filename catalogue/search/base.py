"""The SearchIndex protocol. The index is derived from the store and can always be rebuilt."""

from __future__ import annotations

from typing import Protocol


class SearchIndex(Protocol):
    def add(self, record, meta) -> None:
        """Index (or re-index) one record; `record` is a catalogue.records.Record, `meta` its RecordMeta."""

    def remove(self, resource_iri: str) -> None: ...

    def commit(self) -> None:
        """Make pending changes visible to searches."""

    def clear(self) -> None: ...

    def count(self) -> int:
        """How many records are searchable."""


class NullIndex:
    """Used where no search is needed (CLI validate, benchmarks of the write path)."""

    def add(self, record, meta) -> None:
        pass

    def remove(self, resource_iri: str) -> None:
        pass

    def commit(self) -> None:
        pass

    def clear(self) -> None:
        pass

    def count(self) -> int:
        return 0
