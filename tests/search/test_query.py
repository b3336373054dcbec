"""Queries from URL parameters and back, sorting and paging."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from catalogue.search import SearchQuery
from catalogue.settings import Settings

from . import EX, PUBLIC, THEME_HEAL, THEME_SOCI, dataset, index_of, iris


def test_from_args_reads_shareable_parameters_and_to_args_gives_them_back():
    args = MultiDict(  # what Flask gives: request.args
        [
            ("q", "cancer"),
            ("theme", THEME_HEAL),
            ("theme", THEME_SOCI),
            ("access_rights", PUBLIC),
            ("sort", "title"),
            ("page", "2"),
            ("age_min", "18"),
            ("age_max", "64"),
            ("unknown", "x"),
        ]
    )
    query = SearchQuery.from_args(args, Settings())
    assert query.text == "cancer"
    assert query.filters == {"theme": [THEME_HEAL, THEME_SOCI], "access_rights": [PUBLIC]}
    assert (query.sort, query.page, query.page_size, query.age_min, query.age_max) == ("title", 2, 20, 18, 64)
    assert query.to_args() == [
        ("q", "cancer"),
        ("theme", THEME_HEAL),
        ("theme", THEME_SOCI),
        ("access_rights", PUBLIC),
        ("age_min", "18"),
        ("age_max", "64"),
        ("sort", "title"),
        ("page", "2"),
    ]
    again = SearchQuery.from_args(MultiDict(query.to_args()), Settings())
    assert again == query


def test_plain_dicts_and_bad_values_fall_back_to_defaults():
    query = SearchQuery.from_args(
        {"q": "  x ", "page": "zero", "page_size": "-5", "sort": "random", "age_min": "a", "theme": THEME_HEAL},
        Settings(),
    )
    assert (query.text, query.page, query.sort, query.age_min) == ("x", 1, "relevance", None)
    assert query.page_size == 1
    assert query.filters == {"theme": [THEME_HEAL]}
    assert SearchQuery.from_args({}, Settings()).to_args() == []


def test_page_size_is_clamped_to_the_settings_and_the_clamp_is_recorded():
    settings = Settings(page_size=10, max_page_size=50)
    query = SearchQuery.from_args({"page_size": "500"}, settings)
    assert query.page_size == 50 and query.page_size_clamped
    assert query.to_args() == [("page_size", "50")]
    query = SearchQuery.from_args({"page_size": "30"}, settings)
    assert query.page_size == 30 and not query.page_size_clamped
    assert SearchQuery.from_args({}, settings).page_size == 10


def test_toggled_adds_and_removes_a_value_and_goes_back_to_page_one():
    query = SearchQuery(text="x", filters={"theme": [THEME_HEAL]}, page=3)
    added = query.toggled("theme", THEME_SOCI)
    assert added.filters == {"theme": [THEME_HEAL, THEME_SOCI]} and added.page == 1
    removed = added.toggled("theme", THEME_HEAL).toggled("theme", THEME_SOCI)
    assert removed.filters == {} and removed.text == "x"
    assert query.filters == {"theme": [THEME_HEAL]}  # the original is unchanged
    assert query.is_selected("theme", THEME_HEAL)
    assert query.without().filters == {}
    with pytest.raises(KeyError):
        query.toggled("nope", "x")


@pytest.fixture(scope="module")
def index():
    return index_of(
        dataset("1", title={"fr": "Économie de la santé", "en": "Health economics"}, modified="2021-05-01"),
        dataset("2", title={"fr": "Accidents vasculaires", "en": "Stroke"}, modified="2024-01-15"),
        dataset("3", title={"fr": "Zika", "en": "Zika virus"}, modified="2019-02-01"),
        dataset("4", title={"fr": "Bronchiolite", "en": "Bronchiolitis"}, issued="2023-06-01"),
        dataset("5", title={"fr": "covid", "en": "Covid-19"}),  # no date: last when sorted by date
    )


def test_sort_by_title_in_the_query_language(index):
    assert iris(index.search(SearchQuery(sort="title", lang="fr"))) == ["2", "4", "5", "1", "3"]
    assert iris(index.search(SearchQuery(sort="title", lang="en"))) == ["4", "5", "1", "2", "3"]


def test_sort_by_modification_date_newest_first(index):
    assert iris(index.search(SearchQuery(sort="modified"))) == ["2", "4", "1", "3", "5"]
    # without text, "relevance" lists the newest first too
    assert iris(index.search(SearchQuery())) == ["2", "4", "1", "3", "5"]
    hit = index.search(SearchQuery(sort="modified")).hits[0]
    assert hit.modified == "2024-01-15" and hit.iri == EX + "2"


def test_paging(index):
    pages = [iris(index.search(SearchQuery(sort="title", page=p, page_size=2))) for p in (1, 2, 3, 4)]
    assert pages == [["2", "4"], ["5", "1"], ["3"], []]
    result = index.search(SearchQuery(sort="title", page=2, page_size=2))
    assert (result.total, result.page, result.page_size, result.pages) == (5, 2, 2, 3)


def test_deep_title_pages_are_in_the_same_exact_order_as_shallow_ones():
    from catalogue.search import TantivyIndex

    # many titles share their first 12 characters, so the fast rank ties across page edges
    titles = [f"Enquête nationale périnatale {year}" for year in range(1995, 2025)]
    titles += [f"Registre {n:02d}" for n in range(20)] + ["Œuvre", "oeuvre", "zèbre", "Zebre", "10 ans", "  "]
    titles += [f"Programme de médicalisation des systèmes d'information, volet {n}" for n in (3, 1, 2, 11)]
    index = index_of(*(dataset(f"t{n}", title={"fr": t}) for n, t in enumerate(titles)))
    expected = iris(index.search(SearchQuery(sort="title", page_size=100)))
    assert len(expected) == len(titles)
    assert [t for n, t in sorted(enumerate(titles), key=lambda p: expected.index(f"t{p[0]}"))][:3] == [
        "10 ans",
        "Enquête nationale périnatale 1995",
        "Enquête nationale périnatale 1996",
    ]
    deep = TantivyIndex(None)
    deep.deep_title_offset = 0  # every page takes the u64 path
    index_of(*(dataset(f"t{n}", title={"fr": t}) for n, t in enumerate(titles)), index=deep)
    for size in (1, 3, 7, 20):
        pages = []
        for page in range(1, len(titles) // size + 2):
            result = deep.search(SearchQuery(sort="title", page=page, page_size=size))
            assert result.total == len(titles)
            pages += iris(result)
        assert pages == expected, size
    # with a text query too
    for text in ("périnatale", "programme"):
        shallow = iris(index.search(SearchQuery(text=text, sort="title", page_size=100)))
        assert len(shallow) > 3
        for size in (1, 2, 3):
            pages = []
            for page in range(1, len(shallow) // size + 2):
                pages += iris(deep.search(SearchQuery(text=text, sort="title", page=page, page_size=size)))
            assert pages == shallow
