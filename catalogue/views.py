"""DatasetRecord: a read-only projection of one record for templates, the search index and JSON.

Read straight from the record's pyoxigraph triples (no rdflib graph: this runs for every record
the index sees). Every field is optional; language maps are {lang: text} or {lang: [texts]},
with "und" for untagged text. RDF stays RDF: nothing here is ever written back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .labels import Labels, load_labels, local_name, pick
from .records import Record, record_id

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
CV = "http://data.europa.eu/m8g/"
HEALTH = "http://healthdataportal.eu/ns/health#"
DPV = "https://w3id.org/dpv#"
ADMS = "http://www.w3.org/ns/adms#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"

ACCESS_LEVELS = {"PUBLIC": "public", "RESTRICTED": "restricted", "NON_PUBLIC": "non-public"}
UNTAGGED = "und"

# Properties whose literal names a node, best first (for agents, concepts, documents, places).
_NAME_PROPERTIES = (
    SKOS + "prefLabel",
    FOAF + "name",
    VCARD + "fn",
    VCARD + "organization-name",
    DCT + "title",
    RDFS + "label",
)
# Relations shown on a dataset page, by the key used in `related`.
RELATIONS = {
    "relation": DCT + "relation",
    "is_referenced_by": DCT + "isReferencedBy",
    "references": DCT + "references",
    "has_part": DCT + "hasPart",
    "is_part_of": DCT + "isPartOf",
    "in_series": DCAT + "inSeries",
    "source": DCT + "source",
    "is_version_of": DCT + "isVersionOf",
    "has_version": DCT + "hasVersion",
    "replaces": DCT + "replaces",
    "is_replaced_by": DCT + "isReplacedBy",
    "requires": DCT + "requires",
    "is_required_by": DCT + "isRequiredBy",
    "sample": ADMS + "sample",
    "analytics": HEALTH + "analytics",
}
# Resources that describe a project using the data (rather than a publication or another dataset).
PROJECT_TYPES = {
    FOAF + "Project",
    "http://xmlns.com/foaf/0.1/Project",
    PROV + "Activity",
    "http://purl.org/cerif/frapo/Project",
    "http://schema.org/ResearchProject",
    "https://schema.org/ResearchProject",
    "http://vivoweb.org/ontology/core#Project",
    "http://www.w3.org/ns/dcat#Resource",
}


def _lang(literal: ox.Literal) -> str:
    return (literal.language or "").split("-")[0].lower() or UNTAGGED


def _to_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(float(text.strip()))
    except ValueError:
        return None


class _Graph:
    """The record's triples indexed by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def objects(self, node, prop: str) -> list:
        return self.out.get(node, {}).get(prop, []) if node is not None else []

    def first(self, node, *props: str):
        for prop in props:
            values = self.objects(node, prop)
            if values:
                return values[0]
        return None

    def iris(self, node, prop: str) -> list[str]:
        """IRI values, sorted: a graph has no order, and pages and the index must not depend on one."""
        return sorted({o.value for o in self.objects(node, prop) if isinstance(o, ox.NamedNode)})

    def text(self, node, *props: str) -> str | None:
        """The first value of the first property that has one, as text (IRIs give their value)."""
        term = self.first(node, *props)
        return None if term is None or isinstance(term, ox.BlankNode) else term.value

    def texts(self, node, prop: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for o in self.objects(node, prop):
            if isinstance(o, ox.Literal):
                found.setdefault(_lang(o), o.value.strip())
        return found

    def text_lists(self, node, prop: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for o in self.objects(node, prop):
            if isinstance(o, ox.Literal) and o.value.strip() not in found.get(_lang(o), []):
                found.setdefault(_lang(o), []).append(o.value.strip())
        return {lang: sorted(values, key=str.casefold) for lang, values in found.items()}

    def name(self, node) -> dict[str, str]:
        for prop in _NAME_PROPERTIES:
            texts = self.texts(node, prop)
            if texts:
                return texts
        return {}

    def types(self, node) -> set[str]:
        return {o.value for o in self.objects(node, RDF_TYPE)}


def _unique(items: Iterable) -> list:
    return list(dict.fromkeys(i for i in items if i not in (None, "")))


def _mailto(value: str | None) -> str | None:
    return value[len("mailto:") :] if value and value.lower().startswith("mailto:") else value


@dataclass(frozen=True)
class DatasetRecord:
    iri: str
    id: str
    kind: str = ""
    title: dict = field(default_factory=dict)
    description: dict = field(default_factory=dict)
    keywords: dict = field(default_factory=dict)
    identifiers: list = field(default_factory=list)
    version: str | None = None
    publisher: dict | None = None  # {iri, name{lang}, types[], email, url}
    creators: list = field(default_factory=list)
    contact_point: dict | None = None  # {name{lang}, email, url, telephone}
    themes: list = field(default_factory=list)
    health_categories: list = field(default_factory=list)
    health_themes: list = field(default_factory=list)
    access_rights: str | None = None
    access_level: str | None = None  # "public" | "restricted" | "non-public"
    # how to ask for access: {hdab, hdab_coordinator, landing_page, access_urls, access_services}
    access_request: dict = field(default_factory=dict)
    legal_basis: list = field(default_factory=list)  # [{iri, label{lang}, description{lang}, sources[]}]
    purpose: list = field(default_factory=list)
    population_coverage: dict = field(default_factory=dict)
    number_of_records: int | None = None
    number_of_unique_individuals: int | None = None
    min_typical_age: int | None = None
    max_typical_age: int | None = None
    coding_systems: list = field(default_factory=list)
    code_values: list = field(default_factory=list)
    temporal: list = field(default_factory=list)  # [(start, end)], ISO lexical forms or None
    spatial: list = field(default_factory=list)
    accrual_periodicity: str | None = None
    languages: list = field(default_factory=list)
    licences: list = field(default_factory=list)
    formats: list = field(default_factory=list)
    distributions: list = field(default_factory=list)
    retention_period: dict | None = None  # {start, end, description{lang}}
    provenance: dict = field(default_factory=dict)  # {lang: text}
    generated_by: list = field(default_factory=list)  # [{label{lang}, types[]}] (prov:wasGeneratedBy)
    custodians: list = field(default_factory=list)  # agents (geodcatap:custodian)
    personal_data: list = field(default_factory=list)  # dpv:hasPersonalData IRIs
    dataset_types: list = field(default_factory=list)  # dct:type IRIs
    related: list = field(default_factory=list)  # [{relation, iri, title{lang}, role}]
    projects: list = field(default_factory=list)  # [{iri, title{lang}, description{lang}, url}]
    issued: str | None = None
    modified: str | None = None
    landing_page: str | None = None
    pages: list = field(default_factory=list)
    local_labels: dict = field(default_factory=dict, repr=False)  # names given inside the record, by IRI
    labels: Labels | None = field(default=None, repr=False, compare=False)

    # --- building ------------------------------------------------------------------------------
    @classmethod
    def from_record(cls, record: Record, meta=None, labels: Labels | None = None) -> DatasetRecord:
        return cls.from_triples(record.iri, record.triples, kind=record.kind, meta=meta, labels=labels)

    @classmethod
    def from_triples(
        cls, iri: str, triples: Iterable[ox.Triple], *, kind: str = "", meta=None, labels: Labels | None = None
    ) -> DatasetRecord:
        g = _Graph(triples)
        me = ox.NamedNode(iri)
        local = {s.value: names for s in g.out if isinstance(s, ox.NamedNode) and s != me and (names := g.name(s))}
        distributions = sorted(
            (_distribution(g, d) for d in g.objects(me, DCAT + "distribution")),
            key=lambda d: (pick(d["title"], "en"), d["iri"] or "", d["access_url"] or ""),
        )
        access_rights = g.iris(me, DCT + "accessRights")
        licences = _unique([*g.iris(me, DCT + "license"), *(d["licence"] for d in distributions)])
        publisher_node = g.first(me, DCT + "publisher")
        publisher = _agent(g, publisher_node) if publisher_node is not None else None
        if publisher and publisher["iri"] is None and pick(publisher["name"], "en"):
            local.setdefault(pick(publisher["name"], "en"), publisher["name"])
        related, projects = _relations(g, me)
        return cls(
            iri=iri,
            id=meta.id if meta is not None else record_id(iri),
            kind=kind or (meta.kind if meta is not None else ""),
            title=g.texts(me, DCT + "title"),
            description=g.texts(me, DCT + "description"),
            keywords=g.text_lists(me, DCAT + "keyword"),
            identifiers=_unique(
                [
                    *(o.value for o in g.objects(me, DCT + "identifier")),
                    *(g.text(n, SKOS + "notation") for n in g.objects(me, ADMS + "identifier")),
                ]
            ),
            version=g.text(me, DCAT + "version"),
            publisher=publisher,
            creators=[_agent(g, n) for n in sorted(g.objects(me, DCT + "creator"), key=str)],
            contact_point=_contact(g, g.first(me, DCAT + "contactPoint")),
            themes=g.iris(me, DCAT + "theme"),
            health_categories=g.iris(me, HEALTH + "healthCategory"),
            health_themes=g.iris(me, HEALTH + "healthTheme"),
            access_rights=access_rights[0] if access_rights else None,
            access_level=access_level(access_rights[0]) if access_rights else None,
            access_request=_access_request(g, me, distributions),
            legal_basis=[_described(g, n) for n in sorted(g.objects(me, DPV + "hasLegalBasis"), key=str)],
            purpose=[_described(g, n) for n in sorted(g.objects(me, DPV + "hasPurpose"), key=str)],
            population_coverage=g.texts(me, HEALTH + "populationCoverage"),
            number_of_records=_to_int(g.text(me, HEALTH + "numberOfRecords")),
            number_of_unique_individuals=_to_int(g.text(me, HEALTH + "numberOfUniqueIndividuals")),
            min_typical_age=_to_int(g.text(me, HEALTH + "minTypicalAge")),
            max_typical_age=_to_int(g.text(me, HEALTH + "maxTypicalAge")),
            coding_systems=g.iris(me, HEALTH + "hasCodingSystem"),
            code_values=sorted(_unique(o.value for o in g.objects(me, HEALTH + "hasCodeValues"))),
            temporal=sorted(
                (p for n in g.objects(me, DCT + "temporal") if (p := _period(g, n)) != (None, None)),
                key=lambda p: (p[0] or "", p[1] or ""),
            ),
            spatial=sorted(_unique(_term_key(g, o) for o in g.objects(me, DCT + "spatial"))),
            accrual_periodicity=g.text(me, DCT + "accrualPeriodicity"),
            languages=g.iris(me, DCT + "language"),
            licences=sorted(licences),
            formats=sorted(_unique(d["format"] for d in distributions)),
            distributions=distributions,
            retention_period=_retention(g, g.first(me, HEALTH + "retentionPeriod")),
            provenance=_merged(g.name(n) or g.texts(n, DCT + "description") for n in g.objects(me, DCT + "provenance")),
            generated_by=sorted(
                (
                    {"label": g.name(n) or g.texts(n, DCT + "description"), "types": g.iris(n, DCT + "type")}
                    for n in g.objects(me, PROV + "wasGeneratedBy")
                ),
                key=lambda a: pick(a["label"], "en"),
            ),
            custodians=[_agent(g, n) for n in sorted(g.objects(me, "http://data.europa.eu/930/custodian"), key=str)],
            personal_data=g.iris(me, DPV + "hasPersonalData"),
            dataset_types=g.iris(me, DCT + "type"),
            related=related,
            projects=projects,
            issued=g.text(me, DCT + "issued"),
            modified=g.text(me, DCT + "modified"),
            landing_page=g.text(me, DCAT + "landingPage"),
            pages=g.iris(me, FOAF + "page"),
            local_labels=local,
            labels=labels,
        )

    # --- reading -------------------------------------------------------------------------------
    @property
    def kind_name(self) -> str:
        return local_name(self.kind) if self.kind else ""

    def text(self, name: str, lang: str = "fr", default: str = "") -> str:
        """One language of a language-map field: `view.text("title", "en")`."""
        return pick(getattr(self, name), lang, default)

    def label(self, term: str | None, lang: str = "fr") -> str:
        """A human label for a vocabulary term or a resource named in the record."""
        if not term:
            return ""
        labels = self.labels if self.labels is not None else load_labels()
        if term in labels:
            return labels.get(term, lang)
        if term in self.local_labels:
            return pick(self.local_labels[term], lang, local_name(term))
        return labels.get(term, lang)

    def label_map(self, term: str) -> dict[str, str]:
        """{"fr": ..., "en": ...} for a term."""
        return {lang: self.label(term, lang) for lang in ("fr", "en")}

    def to_dict(self) -> dict:
        """JSON-ready (tuples become lists; the label tables are left out)."""
        data = {}
        for f in dataclasses.fields(self):
            if f.name in ("labels", "local_labels"):
                continue
            data[f.name] = _jsonable(getattr(self, f.name))
        data["kind_name"] = self.kind_name
        return data


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def access_level(iri: str | None) -> str | None:
    if not iri:
        return None
    return ACCESS_LEVELS.get(local_name(iri).upper().replace("-", "_"))


def _term_key(g: _Graph, term) -> str | None:
    """An IRI, a literal's text, or a blank node's name: what a facet or a page can show."""
    if isinstance(term, ox.BlankNode):
        return pick(g.name(term), "en") or None
    return term.value


def _agent(g: _Graph, node) -> dict:
    contact = _contact(g, g.first(node, CV + "contactPoint", DCAT + "contactPoint"))
    return {
        "iri": node.value if isinstance(node, ox.NamedNode) else None,
        "name": g.name(node),
        "types": g.iris(node, DCT + "type"),
        "email": _mailto(g.text(node, FOAF + "mbox", VCARD + "hasEmail", CV + "email")) or (contact or {}).get("email"),
        "url": g.text(node, FOAF + "homepage", FOAF + "workplaceHomepage") or (contact or {}).get("url"),
    }


def _contact(g: _Graph, node) -> dict | None:
    if node is None:
        return None
    phone = g.first(node, VCARD + "hasTelephone", CV + "telephone")
    if isinstance(phone, ox.BlankNode):
        phone = g.first(phone, VCARD + "hasValue")
    return {
        "iri": node.value if isinstance(node, ox.NamedNode) else None,
        "name": g.texts(node, VCARD + "fn") or g.texts(node, VCARD + "organization-name") or g.name(node),
        "email": _mailto(g.text(node, VCARD + "hasEmail", CV + "email")),
        "url": g.text(node, VCARD + "hasURL", CV + "contactPage"),
        "telephone": phone.value.removeprefix("tel:")
        if phone is not None and not isinstance(phone, ox.BlankNode)
        else None,
    }


def _period(g: _Graph, node) -> tuple[str | None, str | None]:
    def instant(prop_date: str, prop_time: str) -> str | None:
        value = g.text(node, prop_date)
        if value:
            return value
        moment = g.first(node, prop_time)
        if isinstance(moment, ox.Literal):
            return moment.value
        return g.text(moment, TIME + "inXSDDate", TIME + "inXSDDateTimeStamp", TIME + "inXSDDateTime")

    return instant(DCAT + "startDate", TIME + "hasBeginning"), instant(DCAT + "endDate", TIME + "hasEnd")


def _retention(g: _Graph, node) -> dict | None:
    if node is None:
        return None
    start, end = _period(g, node)
    return {"start": start, "end": end, "description": g.texts(node, DCT + "description")}


def _merged(maps: Iterable[dict]) -> dict:
    merged: dict[str, str] = {}
    for texts in maps:
        for lang, text in texts.items():
            merged[lang] = f"{merged[lang]}\n{text}" if lang in merged else text
    return merged


def _distribution(g: _Graph, node) -> dict:
    services = [
        {
            "iri": s.value if isinstance(s, ox.NamedNode) else None,
            "title": g.texts(s, DCT + "title"),
            "endpoint_url": g.text(s, DCAT + "endpointURL"),
            "endpoint_description": g.text(s, DCAT + "endpointDescription"),
        }
        for s in g.objects(node, DCAT + "accessService")
    ]
    return {
        "iri": node.value if isinstance(node, ox.NamedNode) else None,
        "title": g.texts(node, DCT + "title"),
        "description": g.texts(node, DCT + "description"),
        "format": _term_key(g, g.first(node, DCT + "format")) if g.first(node, DCT + "format") is not None else None,
        "licence": _term_key(g, g.first(node, DCT + "license")) if g.first(node, DCT + "license") is not None else None,
        "access_url": g.text(node, DCAT + "accessURL"),
        "access_urls": g.iris(node, DCAT + "accessURL"),
        "download_url": g.text(node, DCAT + "downloadURL"),
        "media_type": g.text(node, DCAT + "mediaType"),
        "byte_size": _to_int(g.text(node, DCAT + "byteSize")),
        "issued": g.text(node, DCT + "issued"),
        "modified": g.text(node, DCT + "modified"),
        "access_services": services,
    }


def _access_request(g: _Graph, me, distributions: list[dict]) -> dict:
    hdab = g.first(me, HEALTH + "hdab")
    coordinator = g.first(me, HEALTH + "hdabCoordinator")
    return {
        "hdab": _agent(g, hdab) if hdab is not None else None,
        "hdab_coordinator": _agent(g, coordinator) if coordinator is not None else None,
        "landing_page": g.text(me, DCAT + "landingPage"),
        "access_urls": _unique(u for d in distributions for u in d["access_urls"]),
        "access_services": [s for d in distributions for s in d["access_services"]],
    }


def _described(g: _Graph, node) -> dict:
    """A legal basis or a purpose: an IRI from a vocabulary, or a node with a label and a description."""
    return {
        "iri": node.value if isinstance(node, ox.NamedNode) else None,
        "label": g.name(node),
        "description": g.texts(node, DCT + "description"),
        "sources": g.iris(node, DCT + "source"),
        "types": sorted(g.types(node)),
    }


def _relations(g: _Graph, me) -> tuple[list[dict], list[dict]]:
    related, projects = [], []
    for key, prop in RELATIONS.items():
        for node in sorted(g.objects(me, prop), key=str):
            if isinstance(node, ox.Literal):
                related.append({"relation": key, "iri": None, "title": {UNTAGGED: node.value}, "role": None})
                continue
            item = {
                "relation": key,
                "iri": node.value if isinstance(node, ox.NamedNode) else None,
                "title": g.name(node),
                "role": None,
            }
            related.append(item)
            if key == "is_referenced_by" and (g.types(node) & PROJECT_TYPES or item["title"]):
                projects.append(
                    {
                        "iri": item["iri"],
                        "title": item["title"],
                        "description": g.texts(node, DCT + "description"),
                        "url": g.text(node, FOAF + "homepage", FOAF + "page", DCAT + "landingPage") or item["iri"],
                    }
                )
    for q in sorted(g.objects(me, DCAT + "qualifiedRelation"), key=str):
        target = g.first(q, DCT + "relation")
        if target is None:
            continue
        related.append(
            {
                "relation": "qualified",
                "iri": target.value if not isinstance(target, ox.BlankNode) else None,
                "title": g.name(target),
                "role": g.text(q, DCAT + "hadRole"),
            }
        )
    return related, projects
