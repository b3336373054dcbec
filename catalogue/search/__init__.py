"""Search: the SearchIndex protocol, the facet table, queries and results, and the tantivy index.

index = open_index(settings)                 # on disk at settings.index_path
index = open_index(settings, in_memory=True) # tests
result = index.search(SearchQuery.from_args(request.args, settings, lang="fr"))
"""

from __future__ import annotations

from .base import NullIndex, SearchIndex
from .facets import FACETS, FACETS_BY_NAME, FacetDef
from .query import SORTS, FacetResult, FacetValue, Hit, SearchQuery, SearchResult
from .tantivy_index import IndexBusy, TantivyIndex


def open_index(settings, *, in_memory: bool = False, labels=None) -> TantivyIndex:
    """The catalogue's search index, on disk at settings.index_path (or in memory for tests)."""
    return TantivyIndex(None if in_memory else settings.index_path, labels=labels)


__all__ = [
    "FACETS",
    "FACETS_BY_NAME",
    "SORTS",
    "FacetDef",
    "FacetResult",
    "FacetValue",
    "Hit",
    "IndexBusy",
    "NullIndex",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "TantivyIndex",
    "open_index",
]
