"""Home page and search results: a search box, facets with counts, chips, sort and paging.

Every state of a search is a plain GET URL (`?q=...&theme=...&sort=...&page=...`, built by
SearchQuery.to_args), so any result list can be shared, bookmarked and browsed without
JavaScript. Facet values are links that toggle one filter; chips link to the same search
without one filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from catalogue.search import SearchQuery
from catalogue.search.facets import FACETS_BY_NAME

from .formatting import format_age_range
from .i18n import get_lang, text_in, translate
from .negotiation import respond, route

bp = Blueprint("search", __name__)

# The facets offered on the home page, in this order (names of catalogue.search.FACETS).
HOME_FACETS = ("theme", "health_category", "access_rights", "publisher")
HOME_FACET_VALUES = 8
SORTS = (("relevance", "Relevance"), ("title", "Title"), ("modified", "Last modified"))
PAGE_SIZES = (10, 20, 50, 100)
PAGE_WINDOW = 2
OPEN_FACETS = 6  # facets shown open on the results page; the others are collapsed (<details>)


def _catalogue():
    return current_app.extensions["catalogue"]


def _settings():
    return current_app.extensions["settings"]


# --- URLs of search states -------------------------------------------------------------------


def _url_args(query: SearchQuery | None) -> dict[str, list[str]]:
    args = MultiDict(query.to_args()) if query is not None else MultiDict()
    return {key: args.getlist(key) for key in args}


def search_url(query: SearchQuery | None = None, **filters) -> str:
    """URL of the results page for `query`; `search_url(None, theme=iri)` for a one-filter search."""
    args = _url_args(query)
    for key, value in filters.items():
        args[key] = value if isinstance(value, list) else [value]
    return url_for("search.results", **args)


# --- view helpers ----------------------------------------------------------------------------


@dataclass
class Chip:
    kind: str  # what the filter is on ("Theme", "Text"...)
    label: str
    remove_url: str


@dataclass
class PageLink:
    number: int | None  # None: a gap
    url: str | None
    current: bool = False


def facet_label(facet, lang: str) -> str:
    return facet.label_fr if lang == "fr" else facet.label_en


def value_label(value, lang: str) -> str:
    return text_in(value.label, lang) or value.value


def chips_for(query: SearchQuery, result, lang: str) -> list[Chip]:
    """One removable chip per active filter: the text, each facet value, the age range."""
    chips: list[Chip] = []
    if query.text:
        shown = f"« {query.text} »" if lang == "fr" else f"“{query.text}”"
        chips.append(Chip(translate("Text", lang), shown, search_url(query.replace(text="", page=1))))
    labels = current_app.extensions["labels"]
    for name, values in query.filters.items():
        definition = FACETS_BY_NAME[name]
        facet = result.facet(name)
        known = {v.value: v for v in facet.values} if facet is not None else {}
        for value in values:
            label = (
                value_label(known[value], lang) if value in known else text_in(definition.label(value, labels), lang)
            )
            chips.append(Chip(facet_label(definition, lang), label, search_url(query.toggled(name, value))))
    if query.age_min is not None or query.age_max is not None:
        chips.append(
            Chip(
                translate("Age", lang),
                format_age_range(query.age_min, query.age_max),
                search_url(query.without("age_range")),
            )
        )
    return chips


def pages_for(query: SearchQuery, total: int) -> list[PageLink]:
    last = max(1, -(-total // query.page_size))
    current = query.page
    shown = sorted({1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append(PageLink(None, None))
        links.append(PageLink(number, search_url(query.with_page(number)), number == current))
        previous = number
    return links


def hidden_fields(query: SearchQuery, *skip: str) -> list[tuple[str, str]]:
    """The query's arguments for hidden inputs of a form that changes `skip` (back on page 1)."""
    return [(k, v) for k, v in query.to_args() if k not in skip and k != "page"]


def _payload(query: SearchQuery, result, lang: str) -> dict:
    data = result.to_dict(lang)
    links = {"self": url_for("search.results_json", **_url_args(query)), "html": search_url(query)}
    if query.page > 1:
        links["prev"] = url_for("search.results_json", **_url_args(query.with_page(query.page - 1)))
    if query.page * query.page_size < result.total:
        links["next"] = url_for("search.results_json", **_url_args(query.with_page(query.page + 1)))
    data["links"] = links
    for hit in data["hits"]:
        hit["url"] = url_for("datasets.dataset", id=hit["id"])
    for facet in data["facets"]:
        for value in facet["values"]:
            value["toggle"] = search_url(query.toggled(facet["name"], value["value"]))
    return data


def _query_from_request(lang: str) -> SearchQuery:
    args = MultiDict((k, v) for k, v in request.args.items(multi=True) if k != "lang")
    return SearchQuery.from_args(args, _settings(), lang=lang)


@bp.app_context_processor
def _helpers() -> dict:
    return {"search_url": search_url, "facet_label": facet_label, "value_label": value_label}


# --- views -----------------------------------------------------------------------------------


@route(bp, "/")
def home():
    lang = get_lang()
    query = SearchQuery.from_args(MultiDict(), _settings(), lang=lang)
    result = _catalogue().index.search(query)
    facets = [f for name in HOME_FACETS if (f := result.facet(name)) is not None and f.values]
    payload = {
        "total": result.total,
        "links": {"search": url_for("search.results"), "search_json": url_for("search.results_json")},
        "facets": [f.to_dict(lang) for f in facets],
    }
    for facet in payload["facets"]:
        for value in facet["values"]:
            value["search"] = search_url(None, **{facet["name"]: value["value"]})
    return respond("home.html", payload, query=query, result=result, facets=facets, max_values=HOME_FACET_VALUES)


@route(bp, "/search")
def results():
    lang = get_lang()
    query = _query_from_request(lang)
    result = _catalogue().index.search(query)
    return respond(
        "search.html",
        _payload(query, result, lang),
        query=query,
        result=result,
        chips=chips_for(query, result, lang),
        pages=pages_for(query, result.total),
        hidden_fields=hidden_fields,
        sorts=SORTS,
        page_sizes=sorted({*PAGE_SIZES, query.page_size}),
        open_facets=OPEN_FACETS,
    )
