"""Run the SHACL engines (pyshacl-turbo or pyshacl) over one record.

Shapes are merged per combination of profiles and cached at module level, together with
the compiled pyshacl-turbo program and the pyshacl ShapesGraph, so a second Validator and
every further record reuse them. The data graph of a run is the record plus the
vocabulary triples of the terms it uses (shapes.VocabularyIndex), never the catalogue.

Both engines return the same `RawResult` tuples; tests/validation/test_engines.py checks
that they agree on the reference material and on broken records.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from catalogue.vocab import SH

from . import profiles as _profiles
from .shapes import LoadedProfile, VocabularyIndex, load_profile

log = logging.getLogger(__name__)

ENGINES = ("turbo", "pyshacl")
_lock = threading.RLock()


class RawResult(NamedTuple):
    """One top-level sh:ValidationResult, engine-independent."""

    focus: Node
    path: Node | None  # the source shape's sh:path (IRI or path node), None for node shapes
    value: Node | None
    severity: URIRef
    shape: Node  # sh:sourceShape, a node of ShapeSet.graph
    component: URIRef
    # sh:detail results (why a value failed an sh:node / sh:or ...); not part of equality
    # checks between engines, which compare the fields above.
    details: tuple = ()


@cache
def loaded_profile(name: str) -> LoadedProfile:
    p = _profiles.PROFILES[name]
    with _lock:
        return load_profile(p.name, p.folder, p.files, p.fixes)


@dataclass
class ShapeSet:
    """The merged shapes of some profiles, with the engines' compiled forms."""

    profiles: tuple[str, ...]
    graph: Graph
    origin: dict  # shape node -> profile name (first profile defining it)
    _turbo: object = field(default=None, repr=False)
    _pyshacl: object = field(default=None, repr=False)

    def profile_of(self, shape: Node) -> str | None:
        return self.origin.get(shape)

    def turbo(self):
        if self._turbo is None:
            import pyshacl_turbo

            with _lock:
                if self._turbo is None:
                    self._turbo = pyshacl_turbo.compile_shapes(self.graph)
        return self._turbo

    def pyshacl_shapes(self):
        if self._pyshacl is None:
            from pyshacl.shapes_graph import ShapesGraph

            with _lock:
                if self._pyshacl is None:
                    # pyshacl adds its system triples to the graph it gets: give it a copy.
                    copy = Graph()
                    copy += self.graph
                    shapes = ShapesGraph(copy)
                    _ = shapes.shapes  # harvests the shapes once
                    self._pyshacl = shapes
        return self._pyshacl


@lru_cache(maxsize=32)
def shape_set(profile_names: tuple[str, ...]) -> ShapeSet:
    graph = Graph()
    origin: dict = {}
    for name in profile_names:
        loaded = loaded_profile(name)
        graph += loaded.graph
        for subject in loaded.graph.subjects(unique=True):
            origin.setdefault(subject, name)
    graph.bind("sh", SH)
    return ShapeSet(profile_names, graph, origin)


# ----------------------------------------------------------------------------- reports
_KEYS = {
    str(SH.focusNode): "focus",
    str(SH.resultPath): "path",
    str(SH.value): "value",
    str(SH.resultSeverity): "severity",
    str(SH.sourceShape): "shape",
    str(SH.sourceConstraintComponent): "component",
}


def _result(node, fields: dict, children: dict, shapes: Graph, depth: int = 0) -> RawResult:
    mine = fields.get(node, {})
    shape = mine.get("shape")
    path = mine.get("path")
    if path is not None:
        path = shapes.value(shape, SH.path) or path
    details = ()
    if depth < 3:
        details = tuple(_result(child, fields, children, shapes, depth + 1) for child in children.get(node, ()))
    return RawResult(
        mine.get("focus"), path, mine.get("value"), mine.get("severity"), shape, mine.get("component"), details
    )


def results_from_graph(report: Graph, shapes: Graph) -> list[RawResult]:
    """Top-level results of an rdflib report graph (pyshacl, or pyshacl-turbo's public API)."""
    fields: dict = {}
    children: dict = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        mine = fields.setdefault(node, {})
        for p, o in report.predicate_objects(node):
            key = _KEYS.get(str(p))
            if key:
                mine[key] = o
            elif p == SH.detail:
                children.setdefault(node, []).append(o)
    top = [node for node in report.objects(None, SH.result)]
    return [_result(node, fields, children, shapes) for node in top]


def _term(record):
    kind, value, datatype, language = record
    if kind == 0:
        return URIRef(value)
    if kind == 1:
        return BNode(value)
    return Literal(value, lang=language, datatype=URIRef(datatype) if datatype else None, normalize=False)


_RESULT, _DETAIL = str(SH.result), str(SH.detail)


def results_from_terms(report, shapes: Graph) -> list[RawResult]:
    """Top-level results of pyshacl-turbo's native (records, quads) report, without rdflib."""
    records, quads = report
    fields: dict[int, dict] = {}
    children: dict[int, list] = {}
    top = []
    for s, p, o, _ in quads:
        pred = records[p]
        if pred[0] != 0:
            continue
        name = pred[1]
        if name in _KEYS:
            fields.setdefault(s, {})[_KEYS[name]] = _term(records[o])
        elif name == _RESULT:
            top.append(o)
        elif name == _DETAIL:
            children.setdefault(s, []).append(o)
    return [_result(node, fields, children, shapes) for node in top]


# ----------------------------------------------------------------------------- engines
def _data_graph(record: Graph, extra: list) -> Graph:
    data = Graph()
    data += record
    data.addN((s, p, o, data) for s, p, o in extra)
    return data


_fast_turbo = True


def run_turbo(shapes: ShapeSet, record: Graph, vocabulary: VocabularyIndex) -> list[RawResult]:
    """pyshacl-turbo; record and vocabulary triples go straight to the native engine."""
    global _fast_turbo
    compiled = shapes.turbo()
    if _fast_turbo:
        try:
            return _run_turbo_native(compiled, shapes.graph, record, vocabulary)
        except (AttributeError, TypeError, ImportError, ValueError) as exc:  # API drift
            log.warning("pyshacl-turbo fast path unavailable (%s); using its public API", exc)
            _fast_turbo = False
    _, report, _ = compiled.validate(_data_graph(record, vocabulary.triples_for(record)))
    return results_from_graph(report, shapes.graph)


def run_turbo_public(shapes: ShapeSet, record: Graph, vocabulary: VocabularyIndex) -> list[RawResult]:
    """pyshacl-turbo through its public API only (slower; used to check the fast path)."""
    _, report, _ = shapes.turbo().validate(_data_graph(record, vocabulary.triples_for(record)))
    return results_from_graph(report, shapes.graph)


def _run_turbo_native(compiled, shapes: Graph, record: Graph, vocabulary: VocabularyIndex) -> list[RawResult]:
    # pyshacl-turbo 0.6.x: CompiledShapes.validate() copies the data into rdflib terms and
    # decodes the report into an rdflib Graph; both cost more than the validation itself.
    # We hand the native engine the same term batch it builds (record and vocabulary
    # triples in one pass), and read its raw report.
    from pyshacl_turbo.term_input import _TermBatch

    batch = _TermBatch({})
    append = batch.append
    terms = vocabulary.terms
    used = set()
    for s, p, o in record:
        append(s, p, o)
        if o in terms:
            used.add(o)
    for term in used:
        for s, p, o in terms[term]:
            append(s, p, o)
    # Same positional arguments as CompiledShapes.validate() passes (pyshacl-turbo 0.6.5):
    # data, format, base, iterate_rules, max_rule_iterations, max_validation_depth, inplace,
    # allow_infos, allow_warnings, abort_on_first, focus_nodes, use_shapes, namespaces.
    data = (batch.records, batch.quads)
    outcome = compiled._native.validate(data, "terms", None, False, 100, 15, False, False, False, False, [], [], [])
    report = outcome[1]
    if isinstance(report, str):
        raise TypeError("native report is serialized text")
    return results_from_terms(report, shapes)


def run_pyshacl(shapes: ShapeSet, record: Graph, vocabulary: VocabularyIndex) -> list[RawResult]:
    """pyshacl, reusing one harvested ShapesGraph (pyshacl re-reads shapes on every validate())."""
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    data = _data_graph(record, vocabulary.triples_for(record))
    shapes_graph = shapes.pyshacl_shapes()
    with _lock:  # pyshacl's shape objects are not meant to be shared between threads
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shapes_graph.graph, options={})
        validator.shacl_graph = shapes_graph
        _, report, _ = validator.run()
    return results_from_graph(report, shapes.graph)


RUNNERS = {"turbo": run_turbo, "pyshacl": run_pyshacl}
