"""The catalogue as DCAT-AP: the dcat:Catalog node, its records and their dcat:CatalogRecords.

Everything is produced as an iterator of triples, one record at a time, so that exports and
feeds stream whatever the size of the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .store.records import RecordMeta, _datetime
from .vocab import DCAT, DCT, FOAF, RDF

_T = ox.NamedNode
_KIND_LINK = {
    str(DCAT.Dataset): DCAT.dataset,
    str(DCAT.DatasetSeries): DCAT.dataset,
    str(DCAT.DataService): DCAT.service,
}


def catalogue_iri(settings) -> str:
    return f"{settings.base_iri.rstrip('/')}/catalogue"


def catalogue_node(settings) -> list[ox.Triple]:
    """The dcat:Catalog itself, with what DCAT-AP makes mandatory (title, description, publisher)."""
    base = settings.base_iri.rstrip("/")
    cat, operator = _T(catalogue_iri(settings)), _T(f"{base}/id/agent/catalogue-operator")
    return [
        ox.Triple(cat, _T(str(RDF.type)), _T(str(DCAT.Catalog))),
        ox.Triple(cat, _T(str(DCT.title)), ox.Literal(settings.catalogue_title_fr, language="fr")),
        ox.Triple(cat, _T(str(DCT.title)), ox.Literal(settings.catalogue_title_en, language="en")),
        ox.Triple(cat, _T(str(DCT.description)), ox.Literal(
            "Métadonnées des bases de données de santé françaises : contenu, détenteurs et conditions d'accès.",
            language="fr")),
        ox.Triple(cat, _T(str(DCT.description)), ox.Literal(
            "Metadata of French health databases: what they hold, who holds them and how to get access.",
            language="en")),
        ox.Triple(cat, _T(str(DCT.publisher)), operator),
        ox.Triple(cat, _T(str(FOAF.homepage)), _T(base + "/")),
        ox.Triple(operator, _T(str(RDF.type)), _T(str(FOAF.Agent))),
        ox.Triple(operator, _T(str(FOAF.name)), ox.Literal(settings.catalogue_title_fr, language="fr")),
        ox.Triple(operator, _T(str(FOAF.name)), ox.Literal(settings.catalogue_title_en, language="en")),
    ]


def catalog_record_triples(meta: RecordMeta, settings) -> list[ox.Triple]:
    """The public part of a dcat:CatalogRecord (bookkeeping such as hashes stays internal)."""
    rec, res = _T(meta.record_iri), _T(meta.resource_iri)
    cat = _T(catalogue_iri(settings))
    return [
        ox.Triple(cat, _T(str(_KIND_LINK.get(meta.kind, DCAT.dataset))), res),
        ox.Triple(cat, _T(str(DCAT.record)), rec),
        ox.Triple(rec, _T(str(RDF.type)), _T(str(DCAT.CatalogRecord))),
        ox.Triple(rec, _T(str(FOAF.primaryTopic)), res),
        ox.Triple(rec, _T(str(DCT.issued)), _datetime(meta.first_seen)),
        ox.Triple(rec, _T(str(DCT.modified)), _datetime(meta.modified)),
    ]


def iter_catalogue_triples(catalogue, metas: Iterable[RecordMeta] | None = None) -> Iterator[ox.Triple]:
    """The catalogue node, then each record's triples and its catalogue record."""
    settings = catalogue.settings
    yield from catalogue_node(settings)
    for meta in metas if metas is not None else iter_metas(catalogue):
        yield from catalogue.records.triples(meta)
        yield from catalog_record_triples(meta, settings)


def iter_metas(catalogue, *, batch: int = 1000, include_withdrawn: bool = False) -> Iterator[RecordMeta]:
    """All record metadata in a stable order, read a batch at a time."""
    offset = 0
    while True:
        metas = catalogue.records.list_metas(order="?rec", limit=batch, offset=offset)
        for meta in metas:
            if include_withdrawn or meta.withdrawn is None:
                yield meta
        if len(metas) < batch:
            return
        offset += batch
