"""Load the shape files of a profile, apply their fix file, and index the vocabularies.

The official shape files under shapes/ are kept unmodified; each folder may carry a
`fixes.ttl` whose directives (vocabulary below) rewrite the in-memory graph at load time,
and whose other triples are added as extra shapes. Everything here is loaded once per
process and cached (see `profile_graph`, `vocabulary_index`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from catalogue.settings import PROJECT_ROOT
from catalogue.vocab import SH

log = logging.getLogger(__name__)

SHAPES_DIR = PROJECT_ROOT / "shapes"
VOCABULARY_DIR = PROJECT_ROOT / "ontology" / "vocabularies"
FIX = Namespace("https://w3id.org/health-catalogue/ns/shape-fix#")

_lock = threading.RLock()


@dataclass(frozen=True)
class AppliedFix:
    """One fix directive and how many triples it changed (0 means the defect is gone)."""

    profile: str
    iri: str
    defect: int | None
    changed: int


@dataclass(frozen=True)
class LoadedProfile:
    name: str
    graph: Graph  # fixed shapes of this profile only
    fixes: tuple[AppliedFix, ...]


def load_shape_files(paths: Iterable[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def apply_fixes(graph: Graph, fix_graph: Graph, profile: str = "") -> list[AppliedFix]:
    """Rewrite `graph` in place following the directives of `fix_graph`.

    Directives: fix:RenamePredicate (fix:from -> fix:to), fix:DropPredicate (fix:predicate),
    fix:PathlessPropertyToNode (fix:shape: its path-less sh:property values become sh:node,
    and receive the directive's fix:message values as extra sh:message, e.g. a translation).
    Every triple of `fix_graph` that is not about a directive is added to `graph`.
    """
    applied: list[AppliedFix] = []
    directives = set()
    for directive, kind in sorted(fix_graph.subject_objects(RDF.type)):
        if kind not in (FIX.RenamePredicate, FIX.DropPredicate, FIX.PathlessPropertyToNode):
            continue
        directives.add(directive)
        changed = 0
        if kind == FIX.RenamePredicate:
            old, new = fix_graph.value(directive, FIX["from"]), fix_graph.value(directive, FIX.to)
            for s, _, o in list(graph.triples((None, old, None))):
                graph.remove((s, old, o))
                graph.add((s, new, o))
                changed += 1
        elif kind == FIX.DropPredicate:
            predicate = fix_graph.value(directive, FIX.predicate)
            changed = len(list(graph.triples((None, predicate, None))))
            graph.remove((None, predicate, None))
        else:
            shape = fix_graph.value(directive, FIX.shape)
            for prop in list(graph.objects(shape, SH.property)):
                if graph.value(prop, SH.path) is None:
                    graph.remove((shape, SH.property, prop))
                    graph.add((shape, SH.node, prop))
                    for message in fix_graph.objects(directive, FIX.message):
                        graph.add((prop, SH.message, message))
                    changed += 1
        defect = fix_graph.value(directive, FIX.defect)
        applied.append(AppliedFix(profile, str(directive), int(defect) if defect is not None else None, changed))
        if not changed:
            log.warning("shape fix %s changed nothing: the upstream defect may be gone", directive)
    for s, p, o in fix_graph:
        if s not in directives:
            graph.add((s, p, o))
    return applied


def load_profile(name: str, folder: str, files: tuple[str, ...], fixes: str | None) -> LoadedProfile:
    base = SHAPES_DIR / folder
    graph = load_shape_files(base / f for f in files)
    applied: tuple[AppliedFix, ...] = ()
    if fixes:
        fix_graph = Graph().parse(base / fixes, format="turtle")
        applied = tuple(apply_fixes(graph, fix_graph, name))
    return LoadedProfile(name, graph, applied)


# ----------------------------------------------------------------------------- vocabularies
@dataclass(frozen=True)
class VocabularyIndex:
    """For each controlled-vocabulary term: the few triples class checks need.

    SHACL sh:class checks look at the rdf:type of a value, so validating a record needs the
    vocabularies beside it (reference README, defect 4). Loading whole vocabularies into
    every record's data graph is slow and makes every concept a focus node; instead each
    record gets only the triples of the terms it uses: rdf:type (plus skos:Concept for
    members of a scheme, see ontology/vocabularies/SOURCE.md) and one skos:prefLabel (DCAT-AP's Category_Shape
    asks every skos:Concept for one). Results are the same as with the union for the
    record's own nodes (tests/validation/test_engines.py checks it).
    """

    terms: dict  # URIRef -> tuple of (s, p, o) rdflib triples
    files: tuple[str, ...]

    def triples_for(self, graph: Graph) -> list:
        out: list = []
        seen = set()
        terms = self.terms
        for o in graph.objects():
            if o in terms and o not in seen:
                seen.add(o)
                out.extend(terms[o])
        return out

    def __contains__(self, node) -> bool:
        return node in self.terms


_TYPE = str(RDF.type)
_IN_SCHEME = str(SKOS.inScheme)
_PREF_LABEL = str(SKOS.prefLabel)
_NOT_TERMS = {str(SKOS.ConceptScheme), "http://www.w3.org/2002/07/owl#Ontology"}
_FORMATS = {".rdf": ox.RdfFormat.RDF_XML, ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


def build_vocabulary_index(directory: Path = VOCABULARY_DIR) -> VocabularyIndex:
    types: dict[str, set[str]] = {}
    labels: dict[str, tuple[int, str, str | None]] = {}
    files = sorted(p for p in directory.iterdir() if p.suffix in _FORMATS)
    for path in files:
        for quad in ox.parse(path=str(path), format=_FORMATS[path.suffix]):
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode):
                continue
            predicate, obj = quad.predicate.value, quad.object
            if predicate == _TYPE and isinstance(obj, ox.NamedNode):
                types.setdefault(subject.value, set()).add(obj.value)
            elif predicate == _IN_SCHEME:
                types.setdefault(subject.value, set()).add(str(SKOS.Concept))
            elif predicate == _PREF_LABEL and isinstance(obj, ox.Literal):
                rank = {"en": 0, "fr": 1}.get(obj.language or "", 2)
                if subject.value not in labels or rank < labels[subject.value][0]:
                    labels[subject.value] = (rank, obj.value, obj.language)
    terms = {}
    for iri, classes in types.items():
        if classes & _NOT_TERMS:  # the schemes themselves are not values of records
            continue
        node = URIRef(iri)
        triples = [(node, RDF.type, URIRef(c)) for c in sorted(classes)]
        if iri in labels:
            _, text, lang = labels[iri]
            triples.append((node, SKOS.prefLabel, Literal(text, lang=lang)))
        terms[node] = tuple(triples)
    return VocabularyIndex(terms, tuple(p.name for p in files))


@lru_cache(maxsize=1)
def vocabulary_index() -> VocabularyIndex:
    with _lock:
        return build_vocabulary_index()


def vocabulary_graph(index: VocabularyIndex | None = None) -> Graph:
    """The whole vocabularies as one rdflib graph (used by tests to compare with the index)."""
    graph = Graph()
    for path in sorted(VOCABULARY_DIR.iterdir()):
        if path.suffix in _FORMATS:
            graph.parse(path, format={".rdf": "xml", ".ttl": "turtle", ".nt": "nt"}[path.suffix])
    for triples in (index or vocabulary_index()).terms.values():
        for s, p, o in triples:
            if p == RDF.type:
                graph.add((s, p, o))
    return graph
