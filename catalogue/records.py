"""Split a parsed graph into records: one per dcat:Dataset, dcat:DatasetSeries and dcat:DataService.

A record holds its main resource and the nodes it owns: blank nodes and described IRIs it
links to (distributions, contact points, periods, agents...), recursively. Other records,
catalogues and vocabulary concepts are linked, never copied. Agents described once in a
file are copied into every record that uses them, so each record is self-contained and
validates on its own, while the agent IRI stays the same and linkable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib

from .errors import CatalogueError, LimitExceeded
from .vocab import ADMS, DCT, NOT_OWNED_CLASSES, RDF, RECORD_CLASSES, REQUIRED_DATATYPES, SKOS

RDF_TYPE = ox.NamedNode(str(RDF.type))
_RECORD_CLASSES = {str(c) for c in RECORD_CLASSES}
_NOT_OWNED = {str(c) for c in NOT_OWNED_CLASSES}
_KIND_ORDER = [str(c) for c in RECORD_CLASSES]
MAX_OWNED_DEPTH = 8


@dataclass
class Record:
    """One record: its main resource IRI and its triples (pyoxigraph terms, lexical forms as written)."""

    iri: str
    kind: str  # class IRI: dcat:Dataset, dcat:DatasetSeries or dcat:DataService
    triples: list[ox.Triple]
    minted_from_blank_node: bool = False
    # Set when the record could not be built (a cap was hit): it is rejected, the others go on.
    error: CatalogueError | None = None
    _hash: str | None = field(default=None, repr=False)
    _ntriples: str | None = field(default=None, repr=False)

    @property
    def kind_name(self) -> str:
        return self.kind.rsplit("#", 1)[-1]

    @property
    def content_hash(self) -> str:
        if self._hash is None:
            self._hash = content_hash(self.triples)
        return self._hash

    def to_rdflib(self) -> rdflib.Graph:
        graph = rdflib.Graph()
        for triple in self.triples:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def to_ntriples(self) -> str:
        if self._ntriples is None:
            self._ntriples = ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES).decode()
        return self._ntriples


def record_id(iri: str) -> str:
    """A short, stable, URL-safe id for a record, readable where the IRI allows."""
    tail = re.sub(r"[^a-z0-9]+", "-", iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()).strip("-")
    digest = hashlib.sha256(iri.encode()).hexdigest()[:10]
    return f"{tail[:40]}-{digest}" if tail else digest


# --- term conversion -------------------------------------------------------------------------


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    raise TypeError(f"Unsupported term {term!r}")


def from_rdflib(term):
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"Unsupported term {term!r}")


def restore_datatypes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Give back the datatypes the profiles require, which a store may have rewritten."""
    restored = []
    for triple in triples:
        wanted = REQUIRED_DATATYPES.get(triple.predicate.value)
        obj = triple.object
        if wanted and isinstance(obj, ox.Literal) and obj.datatype.value != wanted and not obj.language:
            obj = ox.Literal(obj.value, datatype=ox.NamedNode(wanted))
            triple = ox.Triple(triple.subject, triple.predicate, obj)
        restored.append(triple)
    return restored


# --- content hash ----------------------------------------------------------------------------


def content_hash(triples: list[ox.Triple]) -> str:
    """A hash that is the same for isomorphic graphs whose blank nodes form trees (records do).

    Blank nodes are named by a digest of what they say, recursively, so that the hash does
    not depend on blank-node labels; a cycle of blank nodes is cut with a fixed marker.
    """
    by_subject: dict[str, list[ox.Triple]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode):
            by_subject.setdefault(triple.subject.value, []).append(triple)
    memo: dict[str, str] = {}

    def term_key(term, visiting: frozenset) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + bnode_key(term.value, visiting)
        return str(term)

    def bnode_key(label: str, visiting: frozenset) -> str:
        if label in memo:
            return memo[label]
        if label in visiting:
            return "cycle"
        inner = visiting | {label}
        parts = sorted(f"{t.predicate} {term_key(t.object, inner)}" for t in by_subject.get(label, ()))
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        memo[label] = digest
        return digest

    lines = sorted(
        {f"{term_key(t.subject, frozenset())} {t.predicate} {term_key(t.object, frozenset())}" for t in triples}
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- splitting -------------------------------------------------------------------------------


class _Source:
    """What the splitter needs from a parsed document: an in-memory Dataset or a staging Store."""

    _TYPE_CACHE_SIZE = 50_000

    def __init__(self, container):
        self.container = container
        self.is_store = isinstance(container, ox.Store)
        # Types of linked nodes (vocabulary terms, shared agents) are asked again for every record.
        self._types: dict = {}

    def outgoing(self, node) -> list[ox.Triple]:
        quads = (
            self.container.quads_for_pattern(node, None, None, None)
            if self.is_store
            else self.container.quads_for_subject(node)
        )
        seen = {}
        for quad in quads:
            seen.setdefault((quad.predicate, quad.object), ox.Triple(quad.subject, quad.predicate, quad.object))
        triples = list(seen.values())
        return restore_datatypes(triples) if self.is_store else triples

    def typed(self, class_iri: str) -> list:
        node = ox.NamedNode(class_iri)
        if self.is_store:
            quads = self.container.quads_for_pattern(None, RDF_TYPE, node, None)
        else:
            quads = (q for q in self.container.quads_for_object(node) if q.predicate == RDF_TYPE)
        return list({q.subject: None for q in quads})

    def types_of(self, node) -> set[str]:
        cached = self._types.get(node)
        if cached is None:
            if self.is_store:
                quads = self.container.quads_for_pattern(node, RDF_TYPE, None, None)
            else:
                quads = (q for q in self.container.quads_for_subject(node) if q.predicate == RDF_TYPE)
            cached = frozenset(q.object.value for q in quads)
            if len(self._types) >= self._TYPE_CACHE_SIZE:
                self._types.clear()
            self._types[node] = cached
        return cached


def split_records(
    container: ox.Dataset | ox.Store, *, base_iri: str, max_triples: int = 20_000, max_term_length: int = 100_000
) -> Iterator[Record]:
    """Yield one Record per dataset, series and data service, in a stable order."""
    source = _Source(container)
    roots: dict = {}
    for class_iri in _KIND_ORDER:
        for subject in source.typed(class_iri):
            roots.setdefault(subject, class_iri)  # a node typed twice keeps the first kind in order
    for root in sorted(roots, key=lambda n: (isinstance(n, ox.BlankNode), str(n))):
        try:
            yield _build_record(source, root, roots[root], base_iri, max_triples, max_term_length)
        except CatalogueError as exc:
            yield Record(iri=str(root.value), kind=roots[root], triples=[], error=exc)


def _build_record(source: _Source, root, kind: str, base_iri: str, max_triples: int, max_term_length: int) -> Record:
    triples: list[ox.Triple] = []
    visited = {root}
    frontier = [(root, 0)]
    while frontier:
        node, depth = frontier.pop()
        for triple in source.outgoing(node):
            _check_term_length(triple, max_term_length, root)
            triples.append(triple)
            if len(triples) > max_triples:
                raise LimitExceeded(
                    f"The record has more than {max_triples:,} triples.",
                    f"La fiche dépasse {max_triples:,} triplets.",
                    where=str(root),
                )
            obj = triple.object
            if obj in visited or isinstance(obj, ox.Literal) or depth >= MAX_OWNED_DEPTH:
                continue
            if triple.predicate == RDF_TYPE:
                continue
            if isinstance(obj, ox.NamedNode):
                types = source.types_of(obj)
                if types & _NOT_OWNED:
                    continue
                if str(SKOS.Concept) in types:  # a concept described in the file: copy it, not its scheme
                    visited.add(obj)
                    frontier.append((obj, MAX_OWNED_DEPTH))
                    continue
            visited.add(obj)
            frontier.append((obj, depth + 1))
    iri = root.value if isinstance(root, ox.NamedNode) else None
    if iri is None:
        iri = _mint_iri(triples, root, base_iri)
        triples = _rename_root(triples, root, ox.NamedNode(iri))
    return Record(iri=iri, kind=kind, triples=triples, minted_from_blank_node=not isinstance(root, ox.NamedNode))


def _check_term_length(triple: ox.Triple, limit: int, root) -> None:
    for term in (triple.subject, triple.predicate, triple.object):
        if len(term.value) > limit:
            raise LimitExceeded(
                f"A term is {len(term.value):,} characters long; the limit is {limit:,}.",
                f"Un terme fait {len(term.value):,} caractères ; la limite est de {limit:,}.",
                where=str(root),
            )


def _mint_iri(triples: list[ox.Triple], root, base_iri: str) -> str:
    """A stable IRI for a blank-node dataset: from its dct:identifier, else its titles, else its content."""
    own = [t for t in triples if t.subject == root]
    identifiers = sorted(t.object.value for t in own if t.predicate.value == str(DCT.identifier))
    titles = sorted(str(t.object) for t in own if t.predicate.value == str(DCT.title))
    key = "\n".join(identifiers) or "\n".join(titles) or content_hash(triples)
    return f"{base_iri.rstrip('/')}/id/dataset/{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _rename_root(triples: list[ox.Triple], root, iri: ox.NamedNode) -> list[ox.Triple]:
    renamed = [
        ox.Triple(iri if t.subject == root else t.subject, t.predicate, iri if t.object == root else t.object)
        for t in triples
    ]
    # Keep the original identifier: dct:identifier values become adms:identifier nodes.
    for triple in [t for t in renamed if t.subject == iri and t.predicate.value == str(DCT.identifier)]:
        node = ox.BlankNode()
        renamed += [
            ox.Triple(iri, ox.NamedNode(str(ADMS.identifier)), node),
            ox.Triple(node, RDF_TYPE, ox.NamedNode(str(ADMS.Identifier))),
            ox.Triple(node, ox.NamedNode(str(SKOS.notation)), triple.object),
        ]
    return renamed
