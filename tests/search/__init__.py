"""Helpers for the search tests: small records written in Turtle, split like the ingest path does."""

from __future__ import annotations

from catalogue import rdf
from catalogue.records import split_records

BASE = "http://catalogue.test"
EX = "https://example.org/"
EU = "http://publications.europa.eu/resource/authority/"
HEALTH = "https://hdeu-dcat.data.health.europa.eu/resource/authority/"
THEME_HEAL = EU + "data-theme/HEAL"
THEME_SOCI = EU + "data-theme/SOCI"
THEME_ECON = EU + "data-theme/ECON"
PUBLIC = EU + "access-right/PUBLIC"
RESTRICTED = EU + "access-right/RESTRICTED"
NON_PUBLIC = EU + "access-right/NON_PUBLIC"

PREFIXES = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _lit(text: str, lang: str | None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def dataset(
    key: str,
    *,
    title: dict | None = None,
    description: dict | None = None,
    keywords: dict | None = None,
    themes=(),
    publisher: tuple | None = None,
    access: str | None = PUBLIC,
    formats=(),
    licences=(),
    languages=(),
    spatial=(),
    frequency: str | None = None,
    coding=(),
    ages: tuple | None = None,
    individuals: int | None = None,
    temporal=(),
    modified: str | None = None,
    issued: str | None = None,
    health_categories=(),
) -> str:
    """Turtle for one dataset <https://example.org/{key}>; publisher = (key, {lang: name}, type IRI or None)."""
    me = f"<{EX}{key}>"
    lines = [f"{me} a dcat:Dataset"]
    for lang, text in (title or {"en": f"Dataset {key}"}).items():
        lines.append(f"dct:title {_lit(text, lang or None)}")
    for lang, text in (description or {}).items():
        lines.append(f"dct:description {_lit(text, lang or None)}")
    for lang, words in (keywords or {}).items():
        lines += [f"dcat:keyword {_lit(w, lang or None)}" for w in words]
    lines += [f"dcat:theme <{t}>" for t in themes]
    lines += [f"healthdcatap:healthCategory <{c}>" for c in health_categories]
    if access:
        lines.append(f"dct:accessRights <{access}>")
    lines += [f"dct:language <{EU}language/{code}>" for code in languages]
    lines += [f"dct:spatial <{s}>" for s in spatial]
    if frequency:
        lines.append(f"dct:accrualPeriodicity <{EU}frequency/{frequency}>")
    lines += [f"healthdcatap:hasCodingSystem <{HEALTH}coding-system/{c}>" for c in coding]
    if ages is not None:
        low, high = ages
        if low is not None:
            lines.append(f'healthdcatap:minTypicalAge "{low}"^^xsd:nonNegativeInteger')
        if high is not None:
            lines.append(f'healthdcatap:maxTypicalAge "{high}"^^xsd:nonNegativeInteger')
    if individuals is not None:
        lines.append(f'healthdcatap:numberOfUniqueIndividuals "{individuals}"^^xsd:nonNegativeInteger')
    if modified:
        lines.append(f'dct:modified "{modified}"^^xsd:date')
    if issued:
        lines.append(f'dct:issued "{issued}"^^xsd:date')
    extra = []
    if publisher:
        pkey, names, ptype = (*publisher, None)[:3]
        lines.append(f"dct:publisher <{EX}agent/{pkey}>")
        agent = [f"<{EX}agent/{pkey}> a foaf:Agent"] + [f"foaf:name {_lit(n, lang)}" for lang, n in names.items()]
        if ptype:
            agent.append(f"dct:type <{ptype}>")
        extra.append(" ;\n    ".join(agent) + " .")
    for n, (start, end) in enumerate(temporal):
        node = f"<{EX}{key}/period/{n}>"
        lines.append(f"dct:temporal {node}")
        period = [f"{node} a dct:PeriodOfTime"]
        if start:
            period.append(f'dcat:startDate "{start}"^^xsd:date')
        if end:
            period.append(f'dcat:endDate "{end}"^^xsd:date')
        extra.append(" ;\n    ".join(period) + " .")
    for n, fmt in enumerate(formats or ()):
        node = f"<{EX}{key}/distribution/{n}>"
        lines.append(f"dcat:distribution {node}")
        dist = [
            f"{node} a dcat:Distribution",
            f"dcat:accessURL <{EX}{key}/access>",
            f"dct:format <{EU}file-type/{fmt}>",
        ]
        if n < len(licences):
            dist.append(f"dct:license <{licences[n]}>")
        extra.append(" ;\n    ".join(dist) + " .")
    return " ;\n    ".join(lines) + " .\n" + "\n".join(extra) + "\n"


def records(*turtles: str) -> list:
    """Records split from Turtle documents exactly as the ingest path splits them."""
    data = (PREFIXES + "\n".join(turtles)).encode()
    parsed = rdf.parse_dataset(data, fmt=rdf.format_by_name("ttl"), base_iri=BASE + "/")
    return list(split_records(parsed, base_iri=BASE))


def index_of(*turtles: str, index=None):
    """An in-memory index holding the records of the given Turtle datasets (committed)."""
    from catalogue.search import TantivyIndex

    index = index if index is not None else TantivyIndex(None)
    for record in records(*turtles):
        index.add(record, None)
    index.commit()
    return index


def iris(result) -> list[str]:
    return [h.iri.removeprefix(EX) for h in result.hits]


def counts(result, facet: str) -> dict[str, int]:
    found = result.facet(facet)
    return {v.value.removeprefix(EX): v.count for v in found.values}
