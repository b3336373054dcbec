"""The dataset page: every HealthDCAT-AP field a researcher needs, and a "Your data" block for citizens.

`/dataset/<id>` where id is RecordMeta.id. The page reads the record from the store (the source
of truth), projects it with catalogue.views.DatasetRecord, and embeds a schema.org Dataset in
JSON-LD. The JSON variant is the DatasetRecord itself plus a few links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, url_for

from catalogue.errors import NotFound

from .i18n import get_lang
from .jsonld import schema_org_dataset
from .negotiation import respond, route

bp = Blueprint("datasets", __name__)

# How a related resource is linked to the dataset, in both languages (keys of views.RELATIONS).
RELATION_LABELS = {
    "relation": ("Ressource liée", "Related resource"),
    "is_referenced_by": ("Cité par", "Referenced by"),
    "references": ("Cite", "References"),
    "has_part": ("Comprend", "Has part"),
    "is_part_of": ("Fait partie de", "Is part of"),
    "in_series": ("Fait partie de la série", "In series"),
    "source": ("Source", "Source"),
    "is_version_of": ("Version de", "Version of"),
    "has_version": ("A pour version", "Has version"),
    "replaces": ("Remplace", "Replaces"),
    "is_replaced_by": ("Remplacé par", "Replaced by"),
    "requires": ("Nécessite", "Requires"),
    "is_required_by": ("Nécessaire à", "Required by"),
    "sample": ("Échantillon", "Sample"),
    "analytics": ("Analyses", "Analytics"),
    "qualified": ("Relation qualifiée", "Qualified relation"),
}


def relation_label(key: str, lang: str) -> str:
    fr, en = RELATION_LABELS.get(key, (key, key))
    return fr if lang == "fr" else en


def _catalogue():
    return current_app.extensions["catalogue"]


def _local_page(catalogue, iri: str | None) -> str | None:
    """The catalogue's own page for a related resource that is a record here, else None."""
    if not iri:
        return None
    try:
        meta = catalogue.records.get_meta(iri)
    except Exception:  # a lookup failure must not break the page
        return None
    return url_for("datasets.dataset", id=meta.id) if meta is not None else None


def load_view(rid: str):
    """(meta, view) for a record id, or NotFound."""
    from catalogue.views import DatasetRecord

    catalogue = _catalogue()
    meta = catalogue.records.get_meta_by_id(rid) if rid else None
    if meta is None:
        raise NotFound(
            "No dataset has this identifier. It may have been removed; search the catalogue to find it.",
            "Aucun jeu de données n'a cet identifiant. Il a peut-être été supprimé ; "
            "faites une recherche dans le catalogue.",
        )
    record = catalogue.records.record(meta)
    return meta, DatasetRecord.from_record(record, meta, current_app.extensions["labels"])


@route(bp, "/dataset/<id>")
def dataset(id: str):
    lang = get_lang()
    meta, view = load_view(id)
    catalogue = _catalogue()
    page_url = url_for("datasets.dataset", id=meta.id, _external=True)
    settings = current_app.extensions["settings"]
    site_name = settings.catalogue_title_fr if lang == "fr" else settings.catalogue_title_en
    related = [dict(item, local_url=_local_page(catalogue, item.get("iri"))) for item in view.related]
    payload = {
        "dataset": view.to_dict(),
        "record": {
            "iri": meta.record_iri,
            "id": meta.id,
            "source": meta.source,
            "status": meta.status,
            "first_seen": meta.first_seen.isoformat(),
            "modified": meta.modified.isoformat(),
            "withdrawn": meta.withdrawn.isoformat() if meta.withdrawn else None,
        },
        "labels": _labels_used(view, lang),
        "links": {
            "self": url_for("datasets.dataset_json", id=meta.id),
            "html": url_for("datasets.dataset", id=meta.id),
        },
    }
    return respond(
        "dataset.html",
        payload,
        meta=meta,
        view=view,
        related=related,
        relation_label=relation_label,
        jsonld=schema_org_dataset(view, lang, page_url, site_name),
        back_url=_back_to_results(request.referrer),
    )


def _back_to_results(referrer: str | None) -> str | None:
    """The results page the user came from (same site, /search only), to link back to it."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    here = urlsplit(request.host_url)
    if (parts.scheme, parts.netloc) != (here.scheme, here.netloc) or parts.path != url_for("search.results"):
        return None
    return url_for("search.results") + ("?" + parts.query if parts.query else "")


def _labels_used(view, lang: str) -> dict[str, str]:
    """Labels, in the page language, of every vocabulary term the record uses (for JSON clients)."""
    terms = [
        *view.themes,
        *view.health_categories,
        *view.health_themes,
        view.access_rights,
        *view.coding_systems,
        *view.spatial,
        view.accrual_periodicity,
        *view.languages,
        *view.licences,
        *view.formats,
        *((view.publisher or {}).get("types") or []),
        *view.personal_data,
        *view.dataset_types,
        *(d.get("media_type") for d in view.distributions),
    ]
    return {t: view.label(t, lang) for t in dict.fromkeys(terms) if t and "://" in t}
