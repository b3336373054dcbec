"""Readable texts for validation results: node descriptions, property labels, FR/EN messages.

Nothing here ever shows a blank-node id: a blank node is described by the way the record
reaches it ("distribution of <https://…/dataset>").
"""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, XSD
from rdflib.term import Node

from catalogue.vocab import SH, VCARD

from .labels import class_label, curie, property_label

_OF = {"fr": "de", "en": "of"}
_HINTS = (DCTERMS.title, FOAF.name, VCARD.fn, SKOS.prefLabel, SKOS.notation, DCAT.accessURL, DCAT.downloadURL)


def _pick(values, lang: str):
    values = list(values)
    for wanted in (lang, "en", "fr", None):
        for v in values:
            if isinstance(v, Literal) and v.language == wanted:
                return v
    return values[0] if values else None


def _hint(graph: Graph, node: Node, lang: str) -> str | None:
    for prop in _HINTS:
        value = _pick(graph.objects(node, prop), lang)
        if value is not None and not isinstance(value, BNode):
            text = str(value)
            return f"« {text[:60]} »" if lang == "fr" else f"'{text[:60]}'"
    return None


def describe(graph: Graph, node: Node | None, lang: str = "en", _seen=None) -> str | None:
    """An IRI as itself; a blank node by its path from an IRI; a literal as text."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, Literal):
        return literal_text(node)
    seen = (_seen or set()) | {node}
    parents = sorted(((s, p) for s, p in graph.subject_predicates(node) if s not in seen), key=_parent_key)
    if not parents or len(seen) > 6:
        types = [class_label(t, lang) or curie(t) for t in graph.objects(node, RDF.type)]
        kind = sorted(types)[0] if types else ("nœud" if lang == "fr" else "node")
        return f"{kind} sans identifiant" if lang == "fr" else f"{kind} without identifier"
    subject, prop = parents[0]
    label = property_label(prop, lang) or curie(prop)
    siblings = [o for o in graph.objects(subject, prop) if isinstance(o, BNode)]
    if len(siblings) > 1:
        hint = _hint(graph, node, lang)
        if hint is None:
            ordered = sorted(siblings, key=lambda b: _content_key(graph, b))
            hint = f"n° {ordered.index(node) + 1}" if lang == "fr" else f"#{ordered.index(node) + 1}"
        label = f"{label} {hint}"
    parent = describe(graph, subject, lang, seen)
    parent = f"<{parent}>" if isinstance(subject, URIRef) else parent
    return f"{label} {_OF.get(lang, 'of')} {parent}"


def _parent_key(item):
    subject, prop = item
    return (isinstance(subject, BNode), str(prop), str(subject) if isinstance(subject, URIRef) else "")


def _content_key(graph: Graph, node: Node) -> str:
    return " ".join(sorted(f"{p} {o}" for p, o in graph.predicate_objects(node) if not isinstance(o, BNode)))


def literal_text(value: Literal) -> str:
    if value.language:
        return f'"{value}"@{value.language}'
    if value.datatype and value.datatype != XSD.string:
        return f'"{value}"^^{curie(value.datatype)}'
    return str(value)


def value_text(graph: Graph, value: Node | None, lang: str = "en") -> str | None:
    return describe(graph, value, lang)


# ----------------------------------------------------------------------------- paths
def path_text(shapes: Graph, path: Node | None) -> str | None:
    """The property IRI, or a SPARQL-like rendering of a complex SHACL path."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return _path(shapes, path, lambda iri: f"<{iri}>")


def _path(shapes: Graph, path: Node, fmt) -> str:
    if isinstance(path, URIRef):
        return fmt(path)
    if (path, RDF.first, None) in shapes:
        return "/".join(_path(shapes, p, fmt) for p in Collection(shapes, path))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(shapes, p, fmt) for p in Collection(shapes, alternatives)) + ")"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(shapes, inverse, fmt)
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        target = shapes.value(path, prop)
        if target is not None:
            return _path(shapes, target, fmt) + mark
    return "?"


def _path_iris(shapes: Graph, path: Node) -> list[URIRef]:
    """The properties a path goes through (one for a plain property)."""
    if isinstance(path, URIRef):
        return [path]
    nodes = shapes.transitive_objects(path, None)
    return [n for n in nodes if isinstance(n, URIRef) and n != RDF.nil and not n.startswith(str(SH))]


def _words(shapes: Graph, path: Node, shape: Node | None, lang: str) -> str:
    """Readable name of the path's properties ("titre"), else the shape's sh:name, else ""."""
    words = [w for w in (property_label(iri, lang) for iri in _path_iris(shapes, path)) if w]
    if not words and shape is not None:
        name = _pick(shapes.objects(shape, SH.name), lang)
        words = [str(name)] if name is not None else []
    return (" ou " if lang == "fr" else " or ").join(words)


def property_labels(shapes: Graph, data: Graph, path: Node | None, shape: Node | None, focus: Node) -> tuple[str, str]:
    """("dct:title (titre)", "dct:title (title)"); for a node-level result, the focus' class."""
    if path is None:
        types = sorted(data.objects(focus, RDF.type), key=str)
        labelled = [t for t in types if class_label(t, "en")]
        if not types:
            return "", ""
        cls = (labelled or types)[0]
        fr, en = class_label(cls, "fr"), class_label(cls, "en")
        return (f"{curie(cls)} ({fr})", f"{curie(cls)} ({en})") if fr and en else (curie(cls), curie(cls))
    shown = _path(shapes, path, curie)
    fr, en = _words(shapes, path, shape, "fr"), _words(shapes, path, shape, "en")
    return (f"{shown} ({fr})" if fr else shown), (f"{shown} ({en})" if en else shown)


def short_label(shapes: Graph, path: Node | None, shape: Node | None, lang: str) -> str:
    """The word used inside messages: « titre » / 'title'."""
    if path is None:
        return ""
    return _words(shapes, path, shape, lang) or _path(shapes, path, curie)
