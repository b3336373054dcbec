"""The datatype table used to undo pyoxigraph's literal rewriting covers what the shapes require."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import SH, XSD

from catalogue.vocab import REQUIRED_DATATYPES

SHAPES = Path(__file__).resolve().parent.parent / "shapes"
# Datatypes a store may rewrite into another datatype (derived integer types become xsd:integer).
REWRITTEN = {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long, XSD.short, XSD.byte,
             XSD.unsignedInt, XSD.unsignedLong, XSD.nonPositiveInteger, XSD.negativeInteger}


def test_every_rewritable_datatype_in_the_shapes_is_in_the_table():
    files = list(SHAPES.rglob("*.ttl"))
    assert files, "shapes/ is empty"
    required = {}
    for path in files:
        graph = rdflib.Graph().parse(path)
        for shape, datatype in graph.subject_objects(SH.datatype):
            prop = graph.value(shape, SH.path)
            if datatype in REWRITTEN and isinstance(prop, rdflib.URIRef):
                required[str(prop)] = str(datatype)
    assert required, "expected integer-typed properties in the shapes"
    missing = {p: d for p, d in required.items() if REQUIRED_DATATYPES.get(p) != d}
    assert missing == {}
