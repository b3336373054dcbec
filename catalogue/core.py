"""The Catalogue: the store, the record layer, the search index and the validator, opened together."""

from __future__ import annotations

from functools import cached_property

from .settings import Settings
from .store import GraphStore, RecordStore, open_graph_store


class Catalogue:
    def __init__(self, settings: Settings, *, store: GraphStore | None = None, index=None, validator=None):
        self.settings = settings
        self.store = store if store is not None else open_graph_store(settings)
        self.records = RecordStore(self.store, settings.base_iri)
        self._index = index
        self._validator = validator

    @cached_property
    def index(self):
        if self._index is not None:
            return self._index
        try:
            from .search import open_index
        except ImportError:  # search not installed in this build: nothing to index
            from .search.base import NullIndex

            return NullIndex()
        return open_index(self.settings)

    @cached_property
    def validator(self):
        if self._validator is not None:
            return self._validator
        from .validation import Validator

        return Validator(engine=self.settings.shacl_engine)

    def close(self) -> None:
        index = self.__dict__.get("index")
        if index is not None and hasattr(index, "close"):
            index.close()
        self.store.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_catalogue(settings: Settings | None = None, **kwargs) -> Catalogue:
    return Catalogue(settings or Settings.from_env(), **kwargs)
