"""Harvest sources: a name, a feed URL, a type (DCAT-AP feed or CKAN portal) and a schedule.

Sources live in the store, in the graph `<base>/harvest/sources`, so that a remote SPARQL
store keeps them as well as the embedded one. Records harvested from source `name` are owned
by the source `harvest:<name>`: nothing else may change them, and they may change nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from rdflib import Namespace

from ..errors import CatalogueError, NotFound
from ..store.base import iri
from ..vocab import DCT, RDF, XSD

# Bookkeeping terms of the harvester (internal state, not published metadata).
HV = Namespace("https://w3id.org/health-catalogue/ns/harvest#")

TYPES = ("dcat", "ckan")
SCHEDULES = ("daily", "weekly", "manual")
PERIODS = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
# A source run by a daily cron job a few minutes earlier than yesterday is still due.
SCHEDULE_SLACK = dt.timedelta(hours=1)
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
SOURCE_PREFIX = "harvest:"


class InvalidSource(CatalogueError):
    http_status = 400


def harvest_iri(base_iri: str, *parts: str) -> str:
    return "/".join([base_iri.rstrip("/"), "harvest", *(quote(p, safe="") for p in parts)])


def owner_of(name: str) -> str:
    """The record source name of the records harvested from source `name`."""
    return SOURCE_PREFIX + name


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    type: str = "dcat"
    schedule: str = "manual"
    created: dt.datetime | None = None

    @property
    def owner(self) -> str:
        return owner_of(self.name)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "url": self.url,
            "type": self.type,
            "schedule": self.schedule,
            "created": self.created.isoformat() if self.created else None,
        }


def check_source(source: Source) -> None:
    if not NAME_PATTERN.match(source.name):
        raise InvalidSource(
            f"Invalid source name {source.name!r}: use lower-case letters, digits, '-' and '_' (at most 63).",
            f"Nom de source invalide {source.name!r} : utilisez des minuscules, chiffres, « - » et « _ » (63 au plus).",
        )
    parts = urlsplit(source.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSource(
            f"Invalid feed URL {source.url!r}: give an http or https URL.",
            f"URL de flux invalide {source.url!r} : indiquez une URL http ou https.",
        )
    if source.type not in TYPES:
        raise InvalidSource(
            f"Unknown source type {source.type!r}; use one of {', '.join(TYPES)}.",
            f"Type de source inconnu {source.type!r} ; utilisez {', '.join(TYPES)}.",
        )
    if source.schedule not in SCHEDULES:
        raise InvalidSource(
            f"Unknown schedule {source.schedule!r}; use one of {', '.join(SCHEDULES)}.",
            f"Fréquence inconnue {source.schedule!r} ; utilisez {', '.join(SCHEDULES)}.",
        )


def is_due(source: Source, last_success: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a scheduled source should run now (manual sources never are)."""
    period = PERIODS.get(source.schedule)
    if period is None:
        return False
    return last_success is None or now - last_success >= period - SCHEDULE_SLACK


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class SourceRegistry:
    def __init__(self, store, base_iri: str):
        self.store = store
        self.base_iri = base_iri
        self.graph = harvest_iri(base_iri, "sources")

    def _node(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(harvest_iri(self.base_iri, "source", name))

    def add(self, source: Source, *, replace: bool = False) -> Source:
        check_source(source)
        if not replace and self.get(source.name, missing_ok=True) is not None:
            raise InvalidSource(
                f"A source named {source.name!r} already exists; remove it first or choose another name.",
                f"Une source nommée {source.name!r} existe déjà ; supprimez-la ou choisissez un autre nom.",
            )
        created = source.created or _now()
        node = self._node(source.name)
        literal_time = ox.Literal(created.isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(str(XSD.dateTime)))
        triples = [
            (RDF.type, ox.NamedNode(str(HV.Source))),
            (HV.name, ox.Literal(source.name)),
            (HV.url, ox.Literal(source.url)),
            (HV.sourceType, ox.Literal(source.type)),
            (HV.schedule, ox.Literal(source.schedule)),
            (DCT.created, literal_time),
        ]
        body = "\n".join(f"{node} {ox.NamedNode(str(p))} {o} ." for p, o in triples)
        self.store.update(
            f"DELETE WHERE {{ GRAPH {iri(self.graph)} {{ {node} ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH {iri(self.graph)} {{\n{body}\n}} }}"
        )
        return Source(source.name, source.url, source.type, source.schedule, created)

    def list(self) -> list[Source]:
        rows = self.store.select(
            f"SELECT ?name ?url ?type ?schedule ?created WHERE {{ GRAPH {iri(self.graph)} {{"
            f" ?s <{HV}name> ?name ; <{HV}url> ?url ; <{HV}sourceType> ?type ; <{HV}schedule> ?schedule ."
            f" OPTIONAL {{ ?s <{DCT}created> ?created }} }} }} ORDER BY ?name"
        )
        return [
            Source(
                r["name"].value,
                r["url"].value,
                r["type"].value,
                r["schedule"].value,
                dt.datetime.fromisoformat(r["created"].value.replace("Z", "+00:00")) if "created" in r else None,
            )
            for r in rows
        ]

    def get(self, name: str, *, missing_ok: bool = False) -> Source | None:
        for source in self.list():
            if source.name == name:
                return source
        if missing_ok:
            return None
        raise NotFound(
            f"No harvest source named {name!r}. `catalogue source list` shows them.",
            f"Aucune source de collecte nommée {name!r}. `catalogue source list` les affiche.",
        )

    def remove(self, name: str) -> None:
        self.get(name)
        node = self._node(name)
        self.store.update(f"DELETE WHERE {{ GRAPH {iri(self.graph)} {{ {node} ?p ?o }} }}")
