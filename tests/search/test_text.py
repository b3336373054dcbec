"""Full text: accents folded, French and English stemming, bilingual records, phrases and exclusions."""

from __future__ import annotations

import pytest

from catalogue.search import SearchQuery

from . import EX, THEME_HEAL, dataset, index_of, iris


@pytest.fixture(scope="module")
def index():
    return index_of(
        dataset(
            "snds",
            title={"fr": "Système national des données de santé", "en": "National health data system"},
            description={
                "fr": "Remboursements de l'Assurance maladie, séjours à l'hôpital et causes de décès.",
                "en": "Health insurance reimbursements, hospital stays and causes of death.",
            },
            keywords={"fr": ["médicaments", "hôpitaux"], "en": ["drugs"]},
            publisher=("cnam", {"fr": "Caisse nationale de l'Assurance maladie"}),
        ),
        dataset(
            "cancers",
            title={"fr": "Registre des cancers de l'enfant"},
            description={"fr": "Tous les cancers diagnostiqués chez les enfants."},
        ),
        dataset(
            "births",
            title={"en": "Birth registry"},
            description={"en": "Registries of births and perinatal outcomes in maternity hospitals."},
        ),
        dataset("themed", title={"fr": "Enquête"}, themes=[THEME_HEAL]),
    )


def search(index, text, **kwargs):
    return iris(index.search(SearchQuery(text=text, **kwargs)))


def test_accents_are_folded_both_ways(index):
    assert search(index, "donnees") == ["snds"]
    assert search(index, "DONNÉES") == ["snds"]
    assert search(index, "deces") == ["snds"]
    assert search(index, "hopital") == ["snds"]


def test_french_stemming(index):
    # plural and singular, with and without accents
    assert search(index, "hôpital") == ["snds"]
    assert search(index, "médicament") == ["snds"]
    assert search(index, "remboursement") == ["snds"]
    assert search(index, "diagnostique") == ["cancers"]


def test_english_stemming(index):
    assert "births" in search(index, "registry")
    assert "births" in search(index, "registries")
    assert "births" in search(index, "hospital")
    assert search(index, "outcome") == ["births"]


def test_a_query_in_english_finds_a_bilingual_record_and_so_does_french(index):
    assert search(index, "health insurance") == ["snds"]
    assert search(index, "assurance maladie") == ["snds"]
    assert search(index, "health system", lang="en") == ["snds"]


def test_words_are_combined_with_and_and_stop_words_do_not_count(index):
    assert search(index, "registre cancers") == ["cancers"]
    assert search(index, "registre des cancers") == ["cancers"]
    assert search(index, "registry of births") == ["births"]
    assert search(index, "cancers births") == []


def test_publisher_names_and_theme_labels_are_searchable(index):
    assert search(index, "caisse nationale") == ["snds"]
    assert search(index, "santé") == ["snds", "themed"] or set(search(index, "santé")) == {"snds", "themed"}
    assert search(index, "health", lang="en")[0] == "snds"
    assert "themed" in search(index, "health")


def test_phrases_and_exclusions(index):
    assert search(index, '"causes de décès"') == ["snds"]
    assert search(index, '"décès causes"') == []
    assert "cancers" in search(index, "registre")
    assert "cancers" not in search(index, "registre -enfants")
    assert search(index, "cancers -enfant") == []
    assert set(search(index, "-enfant")) == {"snds", "births", "themed"}


def test_title_matches_rank_first(index):
    found = search(index, "registre")
    assert found[0] == "cancers"
    result = index.search(SearchQuery(text="registry"))
    assert result.hits[0].iri == EX + "births"
    assert result.hits[0].score > 0


def test_odd_input_does_not_break_the_search(index):
    for text in ['"', "-", "((", "title:x", "a:b:c", "*", "AND OR", "l'", "\x00", "é" * 600]:
        index.search(SearchQuery(text=text))


def test_every_demo_record_is_found_by_its_own_title_in_both_languages():
    from pathlib import Path

    from catalogue import rdf
    from catalogue.labels import pick
    from catalogue.records import split_records
    from catalogue.search import TantivyIndex
    from catalogue.views import DatasetRecord

    files = sorted((Path(__file__).resolve().parents[2] / "data").glob("*.ttl"))
    if not files:
        pytest.skip("no demo catalogue in data/")
    index = TantivyIndex(None)
    views = []
    for path in files:
        parsed = rdf.parse_dataset(path.read_bytes(), fmt=rdf.format_by_name("ttl"), base_iri="http://catalogue.test/")
        for record in split_records(parsed, base_iri="http://catalogue.test"):
            index.add(record, None)
            views.append(DatasetRecord.from_record(record, None, index.labels))
    index.commit()
    assert index.count() == len(views) > 0
    for view in views:
        for lang in ("fr", "en"):
            title = pick(view.title, lang)
            found = [h.iri for h in index.search(SearchQuery(text=title, lang=lang, page_size=5)).hits]
            assert view.iri in found, (title, found)
