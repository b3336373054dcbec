"""CKAN portals through their action API, mapped to DCAT-AP.

Pages come from `package_search` with `rows` / `start` (any `fq` / `q` given in the source URL
is kept). Each package becomes a dcat:Dataset the way ckanext-dcat's European profile maps it:
title, notes, tags, organization -> publisher, resources -> distributions, licence, dates,
contact, version and the usual DCAT extras (uri, identifier, alternate_identifier, theme,
language, access_rights, frequency, spatial_uri, temporal_start/_end, conforms_to,
documentation, version_notes). The mapper fills what CKAN knows and invents nothing: a
package without the HealthDCAT-AP mandatory properties is rejected by validation with its
report, which is the honest outcome.

The mapped page is handed to the single write path as N-Triples (RDF stays RDF).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from ..errors import ParseError
from ..vocab import ADMS, DCAT, DCATAP, DCT, FOAF, RDF, SKOS, VCARD, XSD

ROWS = 100
MAX_ROWS = 1000
ACCEPT = "application/json"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPES = {
    "csv": "CSV",
    "json": "JSON",
    "xml": "XML",
    "pdf": "PDF",
    "html": "HTML",
    "htm": "HTML",
    "zip": "ZIP",
    "xls": "XLS",
    "xlsx": "XLSX",
    "ods": "ODS",
    "odt": "ODT",
    "doc": "DOC",
    "docx": "DOCX",
    "txt": "TXT",
    "rdf": "RDF_XML",
    "rdf/xml": "RDF_XML",
    "ttl": "RDF_TURTLE",
    "turtle": "RDF_TURTLE",
    "json-ld": "JSON_LD",
    "jsonld": "JSON_LD",
    "nt": "RDF_N_TRIPLES",
    "geojson": "GEOJSON",
    "shp": "SHP",
    "parquet": "PARQUET",
    "sas": "SAS",
    "tsv": "TSV",
    "api": "REST",
    "sparql": "SPARQLQ",
    "gzip": "GZIP",
    "tar": "TAR",
}
LICENCES = {
    "cc-by": "CC_BY_4_0",
    "cc-by-4.0": "CC_BY_4_0",
    "cc-by-sa": "CC_BYSA_4_0",
    "cc-by-sa-4.0": "CC_BYSA_4_0",
    "cc-zero": "CC0",
    "cc0-1.0": "CC0",
    "odc-odbl": "ODBL",
    "odc-by": "ODC_BY",
    "odc-pddl": "PDDL",
    "cc-nc": "CC_BYNC_4_0",
    "lo-2.0": "ETALAB_2_0",
    "fr-lo": "ETALAB_2_0",
    "etalab-2.0": "ETALAB_2_0",
}
ACCESS_RIGHTS = {"public": "PUBLIC", "restricted": "RESTRICTED", "non_public": "NON_PUBLIC", "non-public": "NON_PUBLIC"}
LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "nl": "NLD", "es": "SPA", "it": "ITA", "pt": "POR"}
FREQUENCIES = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")

_N = ox.NamedNode


def search_url(source_url: str) -> str:
    """The package_search endpoint of a portal URL (or the URL itself when it already is one)."""
    parts = urlsplit(source_url)
    if "/api/" in parts.path:
        return source_url
    path = parts.path.rstrip("/") + "/api/3/action/package_search"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def page_url(source_url: str, start: int, rows: int | None = None) -> str:
    """A package_search page; `rows` comes from the source URL when it names one (at most MAX_ROWS)."""
    parts = urlsplit(search_url(source_url))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if rows is None:
        asked = dict(pairs).get("rows", "")
        rows = min(int(asked), MAX_ROWS) if asked.isdigit() and int(asked) > 0 else ROWS
    query = [(k, v) for k, v in pairs if k not in ("rows", "start")]
    query += [("rows", str(rows)), ("start", str(start))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def portal_root(source_url: str) -> str:
    parts = urlsplit(source_url)
    path = parts.path.split("/api/", 1)[0].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_page(data: bytes, url: str) -> tuple[list[dict], int]:
    """The packages of one package_search answer and the total count."""
    try:
        document = json.loads(data)
        result = document["result"]
        packages, count = result["results"], int(result.get("count", 0))
        if document.get("success") is False or not isinstance(packages, list):
            raise ValueError("success is false")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ParseError(
            f"Not a CKAN package_search answer ({type(exc).__name__}).",
            f"Ce n'est pas une réponse package_search de CKAN ({type(exc).__name__}).",
            where=url,
        )
    return [p for p in packages if isinstance(p, dict)], count


def next_url(source_url: str, url: str, packages: list, count: int) -> str | None:
    query = dict(parse_qsl(urlsplit(url).query))
    start, rows = int(query.get("start", 0)), int(query.get("rows", ROWS))
    if not packages or start + len(packages) >= count:
        return None
    return page_url(source_url, start + len(packages), rows)


def page_to_ntriples(packages: Iterable[dict], portal: str) -> bytes:
    triples: list[ox.Triple] = []
    for package in packages:
        triples += package_triples(package, portal)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


# --- mapping ----------------------------------------------------------------------------------------


def _iri(value) -> ox.NamedNode | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not re.match(r"^(https?|mailto):", value, re.I) or re.search(r"[\s<>\"{}|\\^`]", value):
        return None
    try:
        return _N(value)
    except ValueError:
        return None


def _text(value) -> ox.Literal | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return ox.Literal(text) if text else None


def _when(value) -> ox.Literal | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _DATE.match(value):
        return ox.Literal(value, datatype=_N(str(XSD.date)))
    if _DATETIME.match(value):
        return ox.Literal(value, datatype=_N(str(XSD.dateTime)))
    return None


def _list(value) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
                return loaded if isinstance(loaded, list) else [loaded]
            except ValueError:
                pass
        return [part.strip() for part in text.split(",") if part.strip()]
    return []


def _authority(value, table: dict, folder: str) -> ox.NamedNode | None:
    return _iri(value) or (
        _N(f"{EU}{folder}/{table[value.strip().lower()]}")
        if isinstance(value, str) and value.strip().lower() in table
        else None
    )


class _Builder:
    def __init__(self):
        self.triples: list[ox.Triple] = []

    def add(self, s, p, o) -> None:
        if s is not None and o is not None:
            self.triples.append(ox.Triple(s, _N(str(p)), o))


def package_triples(package: dict, portal: str) -> list[ox.Triple]:
    """One CKAN package as the triples of a dcat:Dataset and its distributions."""
    extras = {e.get("key"): e.get("value") for e in package.get("extras") or [] if isinstance(e, dict)}
    pid = str(package.get("id") or package.get("name") or "")
    dataset = _iri(extras.get("uri")) or _N(f"{portal}/dataset/{pid}")
    b = _Builder()
    b.add(dataset, RDF.type, _N(str(DCAT.Dataset)))
    b.add(dataset, DCT.title, _text(package.get("title") or package.get("name")))
    b.add(dataset, DCT.description, _text(package.get("notes")))
    b.add(dataset, DCT.identifier, _text(extras.get("identifier") or package.get("id")))
    for other in _list(extras.get("alternate_identifier")) + _list(extras.get("guid")):
        node = ox.BlankNode()
        b.add(dataset, ADMS.identifier, node)
        b.add(node, RDF.type, _N(str(ADMS.Identifier)))
        b.add(node, SKOS.notation, _text(other))
    for tag in package.get("tags") or []:
        b.add(
            dataset,
            DCAT.keyword,
            _text(tag.get("display_name") or tag.get("name")) if isinstance(tag, dict) else _text(tag),
        )
    b.add(dataset, DCT.issued, _when(package.get("metadata_created")))
    b.add(dataset, DCT.modified, _when(package.get("metadata_modified")))
    b.add(dataset, DCAT.version, _text(package.get("version")))
    b.add(dataset, ADMS.versionNotes, _text(extras.get("version_notes")))
    landing = _iri(package.get("url")) or _N(f"{portal}/dataset/{package.get('name') or pid}")
    b.add(dataset, DCAT.landingPage, landing)
    b.add(landing, RDF.type, _N(str(FOAF.Document)))
    for page in _list(extras.get("documentation")):
        b.add(dataset, FOAF.page, _iri(page))
    for theme in _list(extras.get("theme")):
        b.add(dataset, DCAT.theme, _iri(theme))
    for language in _list(extras.get("language")):
        b.add(dataset, DCT.language, _authority(language, LANGUAGES, "language"))
    for standard in _list(extras.get("conforms_to")):
        b.add(dataset, DCT.conformsTo, _iri(standard))
    b.add(dataset, DCT.accessRights, _authority(extras.get("access_rights"), ACCESS_RIGHTS, "access-right"))
    b.add(dataset, DCT.accrualPeriodicity, _authority(extras.get("frequency"), FREQUENCIES, "frequency"))
    b.add(dataset, DCT.spatial, _iri(extras.get("spatial_uri")))
    start, end = _when(extras.get("temporal_start")), _when(extras.get("temporal_end"))
    if start or end:
        period = ox.BlankNode()
        b.add(dataset, DCT.temporal, period)
        b.add(period, RDF.type, _N(str(DCT.PeriodOfTime)))
        b.add(period, DCAT.startDate, start)
        b.add(period, DCAT.endDate, end)
    _publisher(b, dataset, package, extras, portal)
    _contact(b, dataset, package, extras)
    licence = _iri(package.get("license_url")) or _authority(package.get("license_id"), LICENCES, "licence")
    for resource in package.get("resources") or []:
        if isinstance(resource, dict):
            _distribution(b, dataset, resource, portal, pid, licence)
    return b.triples


def _publisher(b: _Builder, dataset, package: dict, extras: dict, portal: str) -> None:
    organization = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    agent = _iri(extras.get("publisher_uri")) or (
        _N(f"{portal}/organization/{organization.get('name') or organization.get('id')}") if organization else None
    )
    name = _text(extras.get("publisher_name") or organization.get("title") or organization.get("name"))
    if agent is None and name is not None:
        agent = ox.BlankNode()
    if agent is None:
        return
    b.add(dataset, DCT.publisher, agent)
    b.add(agent, RDF.type, _N(str(FOAF.Agent)))
    b.add(agent, FOAF.name, name)


def _contact(b: _Builder, dataset, package: dict, extras: dict) -> None:
    name = extras.get("contact_name") or package.get("maintainer") or package.get("author")
    email = extras.get("contact_email") or package.get("maintainer_email") or package.get("author_email")
    if not name and not email:
        return
    node = ox.BlankNode()
    b.add(dataset, DCAT.contactPoint, node)
    b.add(node, RDF.type, _N(str(VCARD.Kind)))
    b.add(node, VCARD.fn, _text(name))
    if isinstance(email, str) and email.strip():
        b.add(node, VCARD.hasEmail, _iri(email if email.startswith("mailto:") else f"mailto:{email.strip()}"))


def _distribution(b: _Builder, dataset, resource: dict, portal: str, pid: str, licence) -> None:
    rid = str(resource.get("id") or resource.get("name") or len(b.triples))
    node = _iri(resource.get("uri")) or _N(f"{portal}/dataset/{pid}/resource/{rid}")
    b.add(dataset, DCAT.distribution, node)
    b.add(node, RDF.type, _N(str(DCAT.Distribution)))
    b.add(node, DCT.title, _text(resource.get("name")))
    b.add(node, DCT.description, _text(resource.get("description")))
    url = _iri(resource.get("access_url") or resource.get("url"))
    b.add(node, DCAT.accessURL, url)
    download = _iri(resource.get("download_url")) or (url if resource.get("url_type") == "upload" else None)
    b.add(node, DCAT.downloadURL, download)
    fmt = str(resource.get("format") or "").strip().lower().lstrip(".")
    b.add(
        node,
        DCT.format,
        _iri(resource.get("format")) or (_N(f"{EU}file-type/{FILE_TYPES[fmt]}") if fmt in FILE_TYPES else None),
    )
    mimetype = resource.get("mimetype")
    if isinstance(mimetype, str) and re.match(r"^[\w.+-]+/[\w.+-]+$", mimetype.strip()):
        b.add(node, DCAT.mediaType, _N(IANA + mimetype.strip().lower()))
    size = resource.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0 or (isinstance(size, str) and size.isdigit()):
        b.add(node, DCAT.byteSize, ox.Literal(str(int(size)), datatype=_N(str(XSD.nonNegativeInteger))))
    b.add(node, DCT.issued, _when(resource.get("created")))
    b.add(node, DCT.modified, _when(resource.get("last_modified") or resource.get("metadata_modified")))
    b.add(node, DCT.license, licence)
    b.add(node, DCATAP.applicableLegislation, _iri(resource.get("applicable_legislation")))
