"""Facets: disjunctive counts, AND across facets and OR within one, bands, decades, age ranges, labels."""

from __future__ import annotations

import pytest

from catalogue.search import FACETS, SearchQuery
from catalogue.search.facets import age_bands_for, decades_for, population_band

from . import (
    EU,
    EX,
    HEALTH,
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    THEME_ECON,
    THEME_HEAL,
    THEME_SOCI,
    counts,
    dataset,
    index_of,
    iris,
)

PUB_TYPE = HEALTH + "publisher-type/public-health-registry"


@pytest.fixture(scope="module")
def index():
    return index_of(
        # a: health, CNAM, public, CSV+JSON, adults+seniors, 68M people, 2006-2024
        dataset(
            "a",
            themes=[THEME_HEAL],
            publisher=("cnam", {"fr": "Assurance maladie", "en": "Health insurance"}, PUB_TYPE),
            access=PUBLIC,
            formats=["CSV", "JSON"],
            licences=[EU + "licence/CC_BY_4_0"],
            languages=["FRA"],
            spatial=[EU + "country/FRA"],
            frequency="ANNUAL",
            coding=["ICD-10"],
            ages=(18, 110),
            individuals=68_000_000,
            temporal=[("2006-01-01", "2024-12-31")],
            health_categories=[HEALTH + "healthcategories/EHRS"],
        ),
        # b: health + social, SPF, restricted, CSV, children, 50k, 2015-2016
        dataset(
            "b",
            themes=[THEME_HEAL, THEME_SOCI],
            publisher=("spf", {"fr": "Santé publique France"}),
            access=RESTRICTED,
            formats=["CSV"],
            languages=["FRA", "ENG"],
            ages=(0, 17),
            individuals=50_000,
            temporal=[("2015-03-01", "2016-06-30")],
        ),
        # c: economy, CNAM, non-public, XLSX, seniors only, 5k, 1998-2001
        dataset(
            "c",
            themes=[THEME_ECON],
            publisher=("cnam", {"fr": "Assurance maladie", "en": "Health insurance"}, PUB_TYPE),
            access=NON_PUBLIC,
            formats=["XLSX"],
            ages=(65, None),
            individuals=5_000,
            temporal=[("1998-01-01", "2001-12-31")],
        ),
        # d: social, SPF, public, no ages, no population, ongoing since 2021
        dataset(
            "d",
            themes=[THEME_SOCI],
            publisher=("spf", {"fr": "Santé publique France"}),
            access=PUBLIC,
            temporal=[("2021-01-01", None)],
        ),
        # e: health, INSERM, public
        dataset(
            "e",
            themes=[THEME_HEAL],
            publisher=("inserm", {"fr": "Inserm"}),
            access=PUBLIC,
            ages=(40, 70),
            individuals=1_000_000,
        ),
    )


def run(index, text="", **filters):
    age_min, age_max = filters.pop("age_min", None), filters.pop("age_max", None)
    return index.search(SearchQuery(text=text, filters=filters, age_min=age_min, age_max=age_max))


def test_every_facet_is_returned_in_the_table_order_with_bilingual_labels(index):
    result = run(index)
    assert [f.name for f in result.facets] == [f.name for f in FACETS]
    assert all(f.label_fr and f.label_en for f in result.facets)
    assert counts(result, "theme") == {THEME_HEAL: 3, THEME_SOCI: 2, THEME_ECON: 1}
    theme = result.facet("theme").values[0]
    assert theme.label == {"fr": "Santé", "en": "Health"}


def test_a_theme_filter_changes_publisher_counts_but_not_theme_counts(index):
    unfiltered = run(index)
    filtered = run(index, theme=[THEME_HEAL])
    assert sorted(iris(filtered)) == ["a", "b", "e"]
    # theme counts ignore the theme filter itself (disjunctive faceting)...
    assert counts(filtered, "theme") == counts(unfiltered, "theme")
    # ...while the other facets are counted within the filtered records
    assert counts(unfiltered, "publisher") == {"agent/cnam": 2, "agent/spf": 2, "agent/inserm": 1}
    assert counts(filtered, "publisher") == {"agent/cnam": 1, "agent/spf": 1, "agent/inserm": 1}
    selected = [v.value for v in filtered.facet("theme").values if v.selected]
    assert selected == [THEME_HEAL]


def test_or_within_a_facet_and_across_facets(index):
    assert sorted(iris(run(index, theme=[THEME_ECON, THEME_SOCI]))) == ["b", "c", "d"]
    both = run(index, theme=[THEME_ECON, THEME_SOCI], access_rights=[PUBLIC])
    assert iris(both) == ["d"]
    # each facet is counted with the other facet's filter only
    assert counts(both, "theme") == {THEME_HEAL: 2, THEME_SOCI: 1, THEME_ECON: 0}
    assert counts(both, "access_rights") == {PUBLIC: 1, RESTRICTED: 1, NON_PUBLIC: 1}
    # a selected value with no record left is still listed, with 0
    none = run(index, theme=[THEME_ECON], access_rights=[RESTRICTED])
    assert none.total == 0
    assert counts(none, "theme")[THEME_ECON] == 0
    assert counts(none, "access_rights")[RESTRICTED] == 0


def test_text_and_facets_combine(index):
    # "santé publique": the publisher of b and d, the publisher type of a and c
    assert sorted(iris(run(index, "santé publique"))) == ["a", "b", "c", "d"]
    result = run(index, "santé publique", theme=[THEME_SOCI])
    assert sorted(iris(result)) == ["b", "d"]
    assert counts(result, "theme") == {THEME_HEAL: 2, THEME_SOCI: 2, THEME_ECON: 1}
    assert counts(result, "publisher") == {"agent/spf": 2}


def test_publisher_facet_labels_come_from_the_records(index):
    values = {v.value.removeprefix(EX): v for v in run(index).facet("publisher").values}
    assert values["agent/cnam"].label == {"fr": "Assurance maladie", "en": "Health insurance"}
    assert values["agent/spf"].label == {"fr": "Santé publique France", "en": "Santé publique France"}
    types = run(index).facet("publisher_type").values
    assert types[0].label["fr"] == "Registre de santé publique"


def test_term_facets_by_count_then_label(index):
    formats = run(index).facet("format").values
    assert [v.label["en"] for v in formats] == ["CSV", "Excel XLSX", "JSON"]
    assert [v.count for v in formats] == [2, 1, 1]
    languages = {v.label["fr"]: v.count for v in run(index).facet("language").values}
    assert languages == {"français": 2, "anglais": 1}
    assert counts(run(index), "licence") == {EU + "licence/CC_BY_4_0": 1}
    assert counts(run(index), "coding_system") == {HEALTH + "coding-system/ICD-10": 1}
    assert counts(run(index), "frequency") == {EU + "frequency/ANNUAL": 1}
    assert counts(run(index), "spatial") == {EU + "country/FRA": 1}
    assert counts(run(index), "health_category") == {HEALTH + "healthcategories/EHRS": 1}


def test_population_bands(index):
    result = run(index)
    assert counts(result, "population") == {"ge10m": 1, "10k-100k": 1, "lt10k": 1, "1m-10m": 1}
    assert [v.value for v in result.facet("population").values] == ["lt10k", "10k-100k", "1m-10m", "ge10m"]
    assert iris(run(index, population=["lt10k", "ge10m"])) in (["a", "c"], ["c", "a"])
    assert population_band(9_999) == "lt10k" and population_band(10_000) == "10k-100k"
    assert population_band(999_999) == "100k-1m" and population_band(10_000_000) == "ge10m"
    assert population_band(None) is None


def test_temporal_decades_count_every_decade_a_record_overlaps(index):
    result = run(index)
    decades = counts(result, "temporal")
    assert decades["1990-1999"] == 1  # c
    assert decades["2000-2009"] == 2  # a, c
    assert decades["2010-2019"] == 2  # a, b
    assert decades["2020-2029"] == 2  # a, d (ongoing)
    assert [v.value for v in result.facet("temporal").values] == sorted(decades)
    assert sorted(iris(run(index, temporal=["1990-1999"]))) == ["c"]
    assert sorted(iris(run(index, temporal=["2010-2019"]))) == ["a", "b"]
    assert decades_for([("2006-01-01", "2024-12-31")]) == ["2000-2009", "2010-2019", "2020-2029"]
    assert decades_for([(None, "1999-01-01")]) == ["1990-1999"]
    assert decades_for([("2019-12-31", "2020-01-01")]) == ["2010-2019", "2020-2029"]


def test_age_range_filter_keeps_overlapping_records(index):
    assert sorted(iris(run(index, age_min=10, age_max=20))) == ["a", "b"]
    assert sorted(iris(run(index, age_min=70))) == ["a", "c", "e"]
    assert sorted(iris(run(index, age_max=17))) == ["b"]
    assert sorted(iris(run(index, age_min=18, age_max=18))) == ["a"]
    # records without ages are left out when an age range is asked
    assert "d" not in iris(run(index, age_min=0, age_max=200))


def test_age_bands(index):
    result = run(index)
    assert counts(result, "age") == {"children": 1, "adults": 2, "seniors": 3}
    assert [v.value for v in result.facet("age").values] == ["children", "adults", "seniors"]
    assert result.facet("age").values[0].label["fr"].startswith("Enfants")
    assert sorted(iris(run(index, age=["children"]))) == ["b"]
    assert age_bands_for(0, 17) == ["children"]
    assert age_bands_for(17, 18) == ["children", "adults"]
    assert age_bands_for(65, None) == ["seniors"]
    assert age_bands_for(None, None) == []


def test_result_to_dict_is_json_ready(index):
    import json

    data = run(index, theme=[THEME_HEAL]).to_dict("en")
    json.dumps(data)
    theme = next(f for f in data["facets"] if f["name"] == "theme")
    assert theme["label"] == "Theme"
    assert {"value": THEME_HEAL, "label": "Health", "count": 3, "selected": True} in theme["values"]
    assert data["total"] == 3 and len(data["hits"]) == 3
