"""The index is derived: rebuilt from the store with reindex(), it answers exactly like the live one."""

from __future__ import annotations

import pytest

from catalogue.ingest import delete_record, ingest_bytes
from catalogue.search import SearchQuery, TantivyIndex
from catalogue.search.reindex import reindex

EXAMPLE_IRI = "https://healthdcat-ap.example.org/release-7/example/dataset-oncology-ehrs-2024"
EU = "http://publications.europa.eu/resource/authority/"

VARIANTS = [
    # (title, theme, individuals, min age, max age, start, end, modified)
    ("Cross-border oncology EHR cohort 2024", "HEAL", 412000, 18, 99, "2020-01-01", "2024-12-31", "2026-03-30"),
    ("Paediatric oncology registry", "HEAL", 8000, 0, 17, "1995-01-01", "2010-12-31", "2025-01-10"),
    ("Hospital stays and cancer surgery", "SOCI", 2500000, 18, 110, "2006-01-01", "2024-12-31", "2024-06-01"),
    ("Cancer screening cohort", "HEAL", 50000, 50, 74, "2012-01-01", "2019-12-31", "2023-11-20"),
    ("Oncology drug reimbursements", "ECON", 68000000, 0, 110, "2006-01-01", "2025-06-30", "2025-09-01"),
    ("Registre des cancers de l'enfant", "EDUC", 150000, 0, 14, "2000-01-01", "2020-12-31", "2022-02-02"),
]

QUERIES = [
    SearchQuery(),
    SearchQuery(text="oncology"),
    SearchQuery(text="cancer", sort="title"),
    SearchQuery(text="cohort hospital"),
    SearchQuery(sort="modified", page=2, page_size=2),
    SearchQuery(filters={"theme": [EU + "data-theme/HEAL"]}, sort="title", lang="en"),
    SearchQuery(filters={"theme": [EU + "data-theme/HEAL", EU + "data-theme/ECON"], "population": ["ge10m", "lt10k"]}),
    SearchQuery(text="registry", filters={"temporal": ["1990-1999"]}),
    SearchQuery(age_min=10, age_max=16, filters={"age": ["children", "adults"]}),
]


def variant(example: bytes, n: int, title, theme, individuals, low, high, start, end, modified) -> bytes:
    data = example.replace(b"release-7/example/", f"release-7/copy-{n}/".encode())
    replacements = [
        (b"Cross-border oncology EHR cohort 2024", title.encode()),
        (b"data-theme/HEAL", f"data-theme/{theme}".encode()),
        (b'"412000"^^xsd:nonNegativeInteger', f'"{individuals}"^^xsd:nonNegativeInteger'.encode()),
        (b'minTypicalAge "18"', f'minTypicalAge "{low}"'.encode()),
        (b'maxTypicalAge "99"', f'maxTypicalAge "{high}"'.encode()),
        (b'dct:modified "2026-03-30"', f'dct:modified "{modified}"'.encode()),
        (
            b'dcat:startDate "2020-01-01"^^xsd:date ;\n    dcat:endDate "2024-12-31"',
            f'dcat:startDate "{start}"^^xsd:date ;\n    dcat:endDate "{end}"'.encode(),
        ),
    ]
    for old, new in replacements:
        assert old in data
        data = data.replace(old, new, 1)
    # what the national profile asks beyond the official example: a French title, and no licence
    # type outside the controlled vocabulary
    title_line = f'dct:title "{title}"@en ;'.encode()
    french = f' dct:title "{title} (fr)"@fr ; dct:description "Variante {n} de l\'exemple officiel."@fr ;'
    data = data.replace(title_line, title_line + french.encode(), 1)
    return data.replace(b"    dct:type ex:license-type-permit ;\n", b"")


def answers(index) -> list[dict]:
    out = []
    for query in QUERIES:
        data = index.search(query).to_dict()
        data.pop("took_ms")
        out.append(data)
    return out


@pytest.fixture
def official_example(reference) -> bytes:
    """The official example as published (the variants add the French text the national rules want)."""
    return (reference / "healthdcat-ap" / "official-release8-via-sdc" / "example-healthdcat-dataset.ttl").read_bytes()


@pytest.fixture
def loaded(catalogue, official_example):
    # ingested in the reverse of the store's order, so that the rebuilt index is filled in another order
    for n, values in reversed(list(enumerate(VARIANTS))):
        result = ingest_bytes(catalogue, variant(official_example, n, *values), filename=f"v{n}.ttl")
        assert result.counts["accepted"] == 1, result.to_dict()
    return catalogue


def test_the_catalogue_opens_the_tantivy_index_and_ingest_feeds_it(loaded):
    assert isinstance(loaded.index, TantivyIndex)
    assert loaded.index.count() == len(VARIANTS)
    result = loaded.index.search(SearchQuery(text="paediatric"))
    assert [h.title["en"] for h in result.hits] == ["Paediatric oncology registry"]
    hit = result.hits[0]
    assert hit.id == loaded.records.get_meta(hit.iri).id


def test_reindex_rebuilds_an_index_that_answers_like_the_live_one(loaded):
    live = answers(loaded.index)
    assert live[0]["total"] == len(VARIANTS)
    assert all(a["total"] for a in live), [q for q, a in zip(QUERIES, live, strict=True) if not a["total"]]
    assert reindex(loaded, batch_size=4) == len(VARIANTS)
    assert answers(loaded.index) == live
    # and again from an empty index directory, as after `rm -r instance/index`
    loaded.index.clear()
    loaded.index.commit()
    assert loaded.index.search(SearchQuery()).total == 0
    assert reindex(loaded) == len(VARIANTS)
    assert answers(loaded.index) == live


def test_deleted_and_withdrawn_records_leave_the_index_and_reindex_agrees(loaded):
    iri0 = EXAMPLE_IRI.replace("release-7/example/", "release-7/copy-0/")
    iri1 = EXAMPLE_IRI.replace("release-7/example/", "release-7/copy-1/")
    assert delete_record(loaded, iri0)
    meta = loaded.records.get_meta(iri1)
    loaded.records.mark_withdrawn(meta)
    withdrawn = loaded.records.get_meta(iri1)
    loaded.index.add(loaded.records.record(withdrawn), withdrawn)
    loaded.index.commit()
    live = answers(loaded.index)
    assert live[0]["total"] == len(VARIANTS) - 2
    assert reindex(loaded) == len(VARIANTS) - 2
    assert answers(loaded.index) == live
