"""Which shape sets (profiles) apply to which record.

Every record gets "dcat-ap-3" and "national". A record whose main resource is a
dcat:Dataset or dcat:DatasetSeries also gets the HealthDCAT-AP Release 8 set of its
access level (dct:accessRights PUBLIC / RESTRICTED / NON_PUBLIC); when the access
rights are missing or something else, the non-public set applies and the report carries
a violation saying which values are allowed. A dcat:DataService gets no HealthDCAT set.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from catalogue.errors import CatalogueError
from catalogue.vocab import ACCESS_RIGHT, DCAT, DCT, RECORD_CLASSES


@dataclass(frozen=True)
class Profile:
    name: str
    folder: str  # under shapes/
    files: tuple[str, ...]
    fixes: str | None = None
    requires: tuple[str, ...] = ()
    title_fr: str = ""
    title_en: str = ""


def _health(level: str, label_fr: str, label_en: str) -> Profile:
    return Profile(
        f"healthdcat-ap-r8-{level}",
        "healthdcat-ap-r8",
        (f"{level}-shapes.ttl", "range.ttl", f"{level}-shapes_recommended.ttl"),
        "fixes.ttl",
        requires=("dcat-ap-3",),
        title_fr=f"HealthDCAT-AP Release 8, données {label_fr}",
        title_en=f"HealthDCAT-AP Release 8, {label_en} data",
    )


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "dcat-ap-3",
            "dcat-ap-3.0.1",
            ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"),
            "fixes.ttl",
            title_fr="DCAT-AP 3.0.1",
            title_en="DCAT-AP 3.0.1",
        ),
        _health("public", "publiques", "public"),
        _health("restricted", "à accès restreint", "restricted"),
        _health("non-public", "non publiques", "non-public"),
        Profile(
            "national",
            "national",
            ("national-rules.ttl",),
            title_fr="Règles nationales du catalogue",
            title_en="National catalogue rules",
        ),
        Profile(
            "health-ri",
            "health-ri-434fa34",
            ("Dataset.ttl", "Distribution.ttl", "DataService.ttl", "DatasetSeries.ttl"),
            title_fr="Health-RI (Pays-Bas)",
            title_en="Health-RI (Netherlands)",
        ),
    )
}

ACCESS_LEVELS = {
    ACCESS_RIGHT.PUBLIC: "healthdcat-ap-r8-public",
    ACCESS_RIGHT.RESTRICTED: "healthdcat-ap-r8-restricted",
    ACCESS_RIGHT.NON_PUBLIC: "healthdcat-ap-r8-non-public",
}
DEFAULT_HEALTH_PROFILE = "healthdcat-ap-r8-non-public"
HEALTH_CLASSES = (DCAT.Dataset, DCAT.DatasetSeries)


class RecordError(CatalogueError):
    """The graph does not hold exactly one record to validate."""

    http_status = 422


@dataclass(frozen=True)
class Selection:
    profiles: tuple[str, ...]
    # True when the access rights did not name one of the three HealthDCAT-AP levels.
    bad_access_rights: bool = False


def expand(names) -> tuple[str, ...]:
    """Profile names with their requirements, in a stable order (requirements first)."""
    out: list[str] = []

    def add(name: str) -> None:
        if name not in PROFILES:
            known = ", ".join(PROFILES)
            raise ValueError(f"unknown validation profile {name!r} (known: {known})")
        for required in PROFILES[name].requires:
            add(required)
        if name not in out:
            out.append(name)

    for name in names:
        add(name)
    if not out:
        raise ValueError("no validation profile given: an empty list would validate nothing")
    order = list(PROFILES)
    return tuple(sorted(out, key=order.index))


def record_types(graph: Graph, focus: Node) -> set:
    return set(graph.objects(focus, RDF.type)) & set(RECORD_CLASSES)


def find_focus(graph: Graph) -> Node:
    """The record's main resource: the one node typed dataset / series / data service."""
    candidates = {s for cls in RECORD_CLASSES for s in graph.subjects(RDF.type, cls)}
    if len(candidates) > 1:
        # A record may mention another record's node; the root is the one nothing points to.
        roots = {c for c in candidates if not any(True for _ in graph.subjects(None, c))}
        candidates = roots or candidates
    if len(candidates) == 1:
        return next(iter(candidates))
    if not candidates:
        raise RecordError(
            "The record holds no dcat:Dataset, dcat:DatasetSeries or dcat:DataService: "
            "type its main resource with one of these classes.",
            "La fiche ne contient aucun dcat:Dataset, dcat:DatasetSeries ou dcat:DataService : "
            "typez sa ressource principale avec l'une de ces classes.",
        )
    listing = ", ".join(sorted(str(c) for c in candidates)[:5])
    raise RecordError(
        f"The graph holds several records ({listing}): validate one record at a time.",
        f"Le graphe contient plusieurs fiches ({listing}) : validez une fiche à la fois.",
    )


def select(graph: Graph, focus: Node) -> Selection:
    """Profiles for the record whose main resource is `focus`."""
    types = record_types(graph, focus)
    if not types & set(HEALTH_CLASSES):
        return Selection(("dcat-ap-3", "national"))
    rights = set(graph.objects(focus, DCT.accessRights))
    level = ACCESS_LEVELS.get(next(iter(rights))) if len(rights) == 1 else None
    if level is None:
        return Selection(("dcat-ap-3", DEFAULT_HEALTH_PROFILE, "national"), bad_access_rights=True)
    return Selection(("dcat-ap-3", level, "national"))


def access_rights_values(graph: Graph, focus: Node) -> list[str]:
    return sorted(str(v) for v in graph.objects(focus, DCT.accessRights))


ALLOWED_ACCESS_RIGHTS = tuple(URIRef(str(iri)) for iri in ACCESS_LEVELS)
