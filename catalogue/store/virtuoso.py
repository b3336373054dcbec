"""Virtuoso 7.2's quirks, in one place (measured on virtuoso-opensource 7.2.5; docs/remote-store.md).

- JSON results: literals may be "typed-literal", blank nodes are "nodeID://b10007" (not a valid label).
- Durations are stored as numbers ("P1M" -> "1", "PT1H30M" -> "5400.0"), booleans as "1"/"0": durations
  are written under a private datatype that Virtuoso keeps verbatim and renamed back on every read.
- ResultSetMaxRows cuts SELECT results (flagged by X-SPARQL-MaxRows) and CONSTRUCT/GSP results (not flagged).
- Its default graph is the union of all graphs; "no default graph" is a graph nobody writes.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
BOOLEAN = XSD + "boolean"
# Datatypes Virtuoso rewrites into numbers: stored as "lexical form"^^<VERBATIM + datatype IRI>.
VERBATIM = "urn:x-catalogue:verbatim:"
SHIELDED = frozenset({XSD + "duration", XSD + "yearMonthDuration", XSD + "dayTimeDuration"})
NO_DEFAULT_GRAPH = "urn:x-catalogue:no-default-graph"
DEFAULT_MAX_ROWS = 10_000

_TYPED_LITERAL = re.compile(rb'("type"\s*:\s*)"typed-literal"')
_OUTER_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*\Z|\bOFFSET\s+\d+\s+LIMIT\s+(\d+)\s*\Z", re.I)


def is_virtuoso(server_header: str) -> bool:
    return "virtuoso" in server_header.lower()


def gsp_write_url(update_url: str) -> str:
    """Virtuoso's Graph Store endpoint next to its update endpoint (/sparql-auth -> /sparql-graph-crud-auth)."""
    url = update_url.rstrip("/")
    if url.endswith("/sparql-auth"):
        return url[: -len("/sparql-auth")] + "/sparql-graph-crud-auth"
    return url.rsplit("/", 1)[0] + "/sparql-graph-crud"


def shield(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Before writing: durations under the private datatype, so Virtuoso keeps their lexical form."""
    shielded = []
    for triple in triples:
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.datatype.value in SHIELDED:
            triple = ox.Triple(
                triple.subject,
                triple.predicate,
                ox.Literal(obj.value, datatype=ox.NamedNode(VERBATIM + obj.datatype.value)),
            )
        shielded.append(triple)
    return shielded


def unshield_term(term):
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        if datatype.startswith(VERBATIM):
            return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(VERBATIM) :]))
        if datatype == BOOLEAN and term.value in ("1", "0"):
            return ox.Literal("true" if term.value == "1" else "false", datatype=ox.NamedNode(BOOLEAN))
    return term


def unshield(triples: list[ox.Triple]) -> list[ox.Triple]:
    return [ox.Triple(t.subject, t.predicate, unshield_term(t.object)) for t in triples]


def normalise_json_results(data: bytes) -> bytes:
    """Virtuoso's SPARQL JSON results made standard: "typed-literal" -> "literal", "nodeID://b1" -> "b1",
    and the literals it mangles given back (see shield)."""
    if b"typed-literal" in data:
        data = _TYPED_LITERAL.sub(rb'\1"literal"', data)
    if b"nodeID://" not in data and VERBATIM.encode() not in data and b"XMLSchema#boolean" not in data:
        return data
    document = json.loads(data)
    for binding in document.get("results", {}).get("bindings", ()):
        for term in binding.values():
            kind, value = term.get("type"), term.get("value", "")
            datatype = term.get("datatype", "")
            if kind == "bnode" and value.startswith("nodeID://"):
                term["value"] = value[len("nodeID://") :] or "b"
            elif datatype.startswith(VERBATIM):
                term["datatype"] = datatype[len(VERBATIM) :]
            elif datatype == BOOLEAN and value in ("1", "0"):
                term["value"] = "true" if value == "1" else "false"
    return json.dumps(document).encode()


def truncated(query: str, max_rows: int) -> bool:
    """Virtuoso flags a SELECT that reached ResultSetMaxRows: it was cut unless it asked for no more rows."""
    limit = _OUTER_LIMIT.search(query)
    return limit is None or int(limit.group(1) or limit.group(2)) > max_rows
