"""What a search asks (SearchQuery, built from shareable URL parameters) and what it answers (SearchResult).

URL parameters: q, sort (relevance | title | modified), page, page_size, age_min, age_max, and one
repeated parameter per facet, named like the facet (?theme=...&theme=...). Values of one facet are
OR-ed, facets are AND-ed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..labels import pick
from .facets import FACETS, FACETS_BY_NAME

SORTS = ("relevance", "title", "modified")
LANGS = ("fr", "en")
DEFAULT_PAGE_SIZE = 20
DEFAULT_MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000
MAX_TEXT = 500  # characters of query text kept
MAX_VALUES_PER_FACET = 50


def _int(value, default: int | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _getlist(mapping, key: str) -> list[str]:
    if hasattr(mapping, "getlist"):
        return [v for v in mapping.getlist(key) if v is not None]
    value = mapping.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    lang: str = "fr"
    age_min: int | None = None
    age_max: int | None = None
    page_size_clamped: bool = False  # the asked page size was above the maximum
    default_page_size: int = field(default=DEFAULT_PAGE_SIZE, repr=False, compare=False)

    def __post_init__(self):
        self.text = (self.text or "").strip()[:MAX_TEXT]
        cleaned: dict[str, list[str]] = {}
        for facet in FACETS:  # facet order, known facets only, values deduplicated in order
            values = self.filters.get(facet.name) if self.filters else None
            if isinstance(values, str):
                values = [values]
            values = [v.strip() for v in dict.fromkeys(values or []) if v and v.strip()][:MAX_VALUES_PER_FACET]
            if values:
                cleaned[facet.name] = values
        self.filters = cleaned
        self.sort = self.sort if self.sort in SORTS else "relevance"
        self.lang = self.lang if self.lang in LANGS else "fr"
        self.page = min(max(1, int(self.page or 1)), MAX_PAGE)
        self.page_size = max(1, int(self.page_size or self.default_page_size))
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            self.age_min, self.age_max = self.age_max, self.age_min

    # --- from and to URL parameters ---------------------------------------------------------------
    @classmethod
    def from_args(cls, args: Mapping, settings=None, *, lang: str | None = None) -> SearchQuery:
        """From request arguments (a dict or a werkzeug MultiDict); page_size is clamped to the settings."""
        default_size = getattr(settings, "page_size", DEFAULT_PAGE_SIZE)
        max_size = getattr(settings, "max_page_size", DEFAULT_MAX_PAGE_SIZE)
        first = {
            key: (_getlist(args, key) or [None])[0]
            for key in ("q", "sort", "page", "page_size", "lang", "age_min", "age_max")
        }
        size = _int(first["page_size"], default_size) or default_size
        clamped = size > max_size
        age_min, age_max = _int(first["age_min"], None), _int(first["age_max"], None)
        return cls(
            text=first["q"] or "",
            filters={f.name: _getlist(args, f.name) for f in FACETS},
            sort=first["sort"] or "relevance",
            page=_int(first["page"], 1) or 1,
            page_size=min(max(size, 1), max_size),
            lang=lang or first["lang"] or "fr",
            age_min=max(age_min, 0) if age_min is not None else None,
            age_max=max(age_max, 0) if age_max is not None else None,
            page_size_clamped=clamped,
            default_page_size=default_size,
        )

    def to_args(self) -> list[tuple[str, str]]:
        """URL parameters that give this query back through from_args (defaults left out)."""
        args: list[tuple[str, str]] = []
        if self.text:
            args.append(("q", self.text))
        for name, values in self.filters.items():
            args += [(name, v) for v in values]
        if self.age_min is not None:
            args.append(("age_min", str(self.age_min)))
        if self.age_max is not None:
            args.append(("age_max", str(self.age_max)))
        if self.sort != "relevance":
            args.append(("sort", self.sort))
        if self.page_size != self.default_page_size:
            args.append(("page_size", str(self.page_size)))
        if self.page != 1:
            args.append(("page", str(self.page)))
        return args

    # --- derived queries (for links and chips) ------------------------------------------------------
    def replace(self, **changes) -> SearchQuery:
        return dataclasses.replace(self, **changes)

    def is_selected(self, facet: str, value: str) -> bool:
        return value in self.filters.get(facet, ())

    def toggled(self, facet: str, value: str) -> SearchQuery:
        """This query with `value` of `facet` added or removed, back on page 1."""
        if facet not in FACETS_BY_NAME:
            raise KeyError(facet)
        filters = {k: list(v) for k, v in self.filters.items()}
        values = filters.setdefault(facet, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return self.replace(filters=filters, page=1, page_size_clamped=False)

    def without(self, facet: str | None = None) -> SearchQuery:
        """Without the filters of one facet (or of all facets, and the age range, when facet is None)."""
        if facet is None:
            return self.replace(filters={}, age_min=None, age_max=None, page=1, page_size_clamped=False)
        if facet == "age_range":
            return self.replace(age_min=None, age_max=None, page=1, page_size_clamped=False)
        return self.replace(
            filters={k: v for k, v in self.filters.items() if k != facet}, page=1, page_size_clamped=False
        )

    def with_page(self, page: int) -> SearchQuery:
        return self.replace(page=page)

    def with_sort(self, sort: str) -> SearchQuery:
        return self.replace(sort=sort, page=1)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def has_filters(self) -> bool:
        return bool(self.filters) or self.age_min is not None or self.age_max is not None


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Hit:
    iri: str
    id: str
    title: dict[str, str]
    description: dict[str, str]
    publisher: dict[str, str]
    access_rights: str | None
    modified: str | None
    score: float | None = None
    kind: str = ""
    access_level: str | None = None

    def to_dict(self, lang: str = "fr") -> dict:
        return {
            "iri": self.iri,
            "id": self.id,
            "kind": self.kind,
            "title": pick(self.title, lang),
            "description": pick(self.description, lang),
            "publisher": pick(self.publisher, lang) or None,
            "access_rights": self.access_rights,
            "access_level": self.access_level,
            "modified": self.modified,
            "score": self.score,
            "i18n": {"title": self.title, "description": self.description, "publisher": self.publisher},
        }


@dataclass
class FacetValue:
    value: str
    label: dict[str, str]
    count: int
    selected: bool = False

    def to_dict(self, lang: str = "fr") -> dict:
        return {
            "value": self.value,
            "label": self.label.get(lang) or self.label.get("en") or self.value,
            "count": self.count,
            "selected": self.selected,
        }


@dataclass
class FacetResult:
    name: str
    label_fr: str
    label_en: str
    values: list[FacetValue]

    def label(self, lang: str = "fr") -> str:
        return self.label_fr if lang == "fr" else self.label_en

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]

    def to_dict(self, lang: str = "fr") -> dict:
        return {"name": self.name, "label": self.label(lang), "values": [v.to_dict(lang) for v in self.values]}


@dataclass
class SearchResult:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: list[FacetResult]
    took_ms: float = 0.0

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def page_size(self) -> int:
        return self.query.page_size

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def facet(self, name: str) -> FacetResult | None:
        return next((f for f in self.facets if f.name == name), None)

    def to_dict(self, lang: str | None = None) -> dict:
        lang = lang or self.query.lang
        return {
            "query": {
                "q": self.query.text,
                "filters": self.query.filters,
                "sort": self.query.sort,
                "age_min": self.query.age_min,
                "age_max": self.query.age_max,
                "lang": lang,
            },
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "pages": self.pages,
            "page_size_clamped": self.query.page_size_clamped,
            "hits": [h.to_dict(lang) for h in self.hits],
            "facets": [f.to_dict(lang) for f in self.facets],
            "took_ms": round(self.took_ms, 2),
        }
