"""A schema.org Dataset description of a record, embedded in its page for search engines.

Only http(s) URLs are kept (a `javascript:` landing page is dropped, not just escaped);
the template writes the result through security.json_for_script, so no text can end the
<script type="application/ld+json"> element.
"""

from __future__ import annotations

from catalogue.labels import pick

from .security import safe_href

SCHEMA = "https://schema.org/"


def _web(url: str | None) -> str | None:
    href = safe_href(url)
    return href if href and not href.lower().startswith("mailto:") else None


def _agent(agent: dict | None, lang: str) -> dict | None:
    if not agent:
        return None
    name = pick(agent.get("name"), lang)
    if not name:
        return None
    out = {"@type": "Organization", "name": name}
    if _web(agent.get("url")):
        out["url"] = _web(agent.get("url"))
    if agent.get("email") and "@" in agent["email"]:
        out["email"] = agent["email"]
    return out


def _period(start: str | None, end: str | None) -> str:
    return f"{start or '..'}/{end or '..'}"


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def schema_org_dataset(view, lang: str, page_url: str, catalog_name: str = "") -> dict:
    """The schema.org Dataset for `view` (a catalogue.views.DatasetRecord) in `lang`."""
    distributions = []
    for dist in view.distributions:
        download, access = _web(dist.get("download_url")), _web(dist.get("access_url"))
        item = _clean(
            {
                "@type": "DataDownload",
                "name": pick(dist.get("title"), lang),
                "description": pick(dist.get("description"), lang),
                "encodingFormat": dist.get("media_type")
                and view.label(dist["media_type"], lang)
                or (view.label(dist["format"], lang) if dist.get("format") else None),
                "contentUrl": download,
                "url": access,
                "license": _web(dist.get("licence")),
                "contentSize": str(dist["byte_size"]) if dist.get("byte_size") is not None else None,
            }
        )
        if item.get("contentUrl") or item.get("url"):
            distributions.append(item)
    keywords = view.keywords.get(lang) or [k for values in view.keywords.values() for k in values]
    conditions = view.label(view.access_rights, lang) if view.access_rights else None
    return _clean(
        {
            "@context": SCHEMA,
            "@type": "Dataset",
            "@id": _web(view.iri),
            "name": view.text("title", lang),
            "description": view.text("description", lang),
            "url": page_url,
            "sameAs": _web(view.landing_page),
            "identifier": list(view.identifiers),
            "keywords": list(dict.fromkeys(keywords)),
            "version": view.version,
            "publisher": _agent(view.publisher, lang),
            "creator": [a for a in (_agent(c, lang) for c in view.creators) if a],
            "isAccessibleForFree": view.access_level == "public" if view.access_level else None,
            "conditionsOfAccess": conditions,
            "license": [u for u in (_web(x) for x in view.licences) if u],
            "temporalCoverage": _period(*view.temporal[0]) if view.temporal else None,
            "spatialCoverage": [{"@type": "Place", "name": view.label(s, lang)} for s in view.spatial],
            "datePublished": view.issued,
            "dateModified": view.modified,
            "inLanguage": [view.label(x, lang) for x in view.languages],
            "distribution": distributions,
            "includedInDataCatalog": {"@type": "DataCatalog", "name": catalog_name} if catalog_name else None,
        }
    )
