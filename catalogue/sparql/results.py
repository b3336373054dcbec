"""Query results in the formats of the SPARQL 1.1 Protocol, with an explicit row cap.

SELECT and ASK: SPARQL JSON, XML, CSV and TSV (written here, so a capped result is still a
complete, well-formed document). CONSTRUCT and DESCRIBE: Turtle, JSON-LD, RDF/XML and
N-Triples, from the catalogue's one table of RDF formats (catalogue.rdf).

A result cut at `max_rows` rows (or triples) says so: the caller sets the HTTP header
`X-SPARQL-Truncated: true`, and SPARQL JSON carries two extra top-level members placed
between "head" and "results" (`"truncated": true, "maxRows": N`), which SPARQL JSON readers
ignore. Nothing is added when the result is complete.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..conneg import HTML, negotiate
from ..errors import CatalogueError
from ..rdf import FORMATS_BY_NAME, RdfFormatInfo
from ..rdf import serialize as serialize_rdf

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


class NotAcceptable(CatalogueError):
    http_status = 406


@dataclass(frozen=True)
class ResultFormat:
    name: str
    label: str
    media_types: tuple[str, ...]  # first one is canonical
    extension: str
    graph: bool  # True: CONSTRUCT/DESCRIBE results (RDF); False: SELECT/ASK results
    rdf: RdfFormatInfo | None = None

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.name in ("json", "xml", "jsonld", "rdfxml")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


SOLUTION_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "JSON", ("application/sparql-results+json", "application/json"), "srj", False),
    ResultFormat("xml", "XML", ("application/sparql-results+xml", "application/xml", "text/xml"), "srx", False),
    ResultFormat("csv", "CSV", ("text/csv",), "csv", False),
    ResultFormat("tsv", "TSV", ("text/tab-separated-values",), "tsv", False),
)


def _graph_format(name: str, rdf_name: str) -> ResultFormat:
    info = FORMATS_BY_NAME[rdf_name]
    return ResultFormat(name, info.label, info.media_types, info.extension, True, info)


GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    _graph_format("turtle", "ttl"),
    _graph_format("jsonld", "jsonld"),
    _graph_format("rdfxml", "rdfxml"),
    _graph_format("ntriples", "nt"),
)
ALL_FORMATS = {f.name: f for f in SOLUTION_FORMATS + GRAPH_FORMATS}

# `format=` / `output=` values: short names, extensions and media types.
_ALIASES = {
    "srj": "json",
    "sparql-results+json": "json",
    "srx": "xml",
    "sparql-results+xml": "xml",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "text": "tsv",
}
# Generic names that mean the matching format of the other family.
_FAMILY_SWITCH = {
    ("json", True): "jsonld",
    ("xml", True): "rdfxml",
    ("jsonld", False): "json",
    ("rdfxml", False): "xml",
}


def formats_for(graph: bool) -> tuple[ResultFormat, ...]:
    return GRAPH_FORMATS if graph else SOLUTION_FORMATS


def format_named(value: str, *, graph: bool) -> ResultFormat:
    """The format a `format=` parameter names (short name, extension or media type)."""
    key = value.strip().lower()
    candidates = formats_for(graph)
    for fmt in candidates:
        if key in fmt.media_types:
            return fmt
    key = _ALIASES.get(key, key)
    key = _FAMILY_SWITCH.get((key, graph), key)
    for fmt in candidates:
        if key == fmt.name:
            return fmt
    names = ", ".join(f.name for f in candidates)
    kind = "CONSTRUCT/DESCRIBE" if graph else "SELECT/ASK"
    raise NotAcceptable(
        f"Unknown result format {value[:40]!r} for a {kind} query; use one of: {names}.",
        f"Format de résultat inconnu {value[:40]!r} pour une requête {kind} ; utilisez : {names}.",
    )


def negotiate_format(accept: str | None, *, graph: bool, html: bool = False) -> ResultFormat | str:
    """The format the Accept header prefers: a ResultFormat, or "text/html" when `html` is offered."""
    candidates = formats_for(graph)
    offered = [f.media_type for f in candidates] + [m for f in candidates for m in f.media_types[1:]]
    if html:
        offered.append(HTML)
    chosen = negotiate(accept, offered)
    if chosen is None:
        names = ", ".join(f.media_type for f in candidates)
        raise NotAcceptable(
            f"None of the media types in the Accept header can be served for this query. Served: {names}.",
            f"Aucun des types de média demandés (en-tête Accept) ne peut être servi. Servis : {names}.",
        )
    if chosen == HTML:
        return HTML
    return next(f for f in candidates if chosen in f.media_types)


# --- terms -----------------------------------------------------------------------------------


_NAMED, _BLANK, _LITERAL, _TRIPLE = ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple
_XSD_STRING_NODE = ox.NamedNode(XSD_STRING)


def term_json(term) -> dict:
    """A term as SPARQL JSON (dispatch on the exact type: this runs once per cell)."""
    kind = type(term)
    if kind is _NAMED:
        return {"type": "uri", "value": term.value}
    if kind is _LITERAL:
        language = term.language
        if language:
            direction = term.direction
            if direction is not None:
                return {"type": "literal", "value": term.value, "xml:lang": language, "its:dir": str(direction)}
            return {"type": "literal", "value": term.value, "xml:lang": language}
        datatype = term.datatype
        if datatype == _XSD_STRING_NODE:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": datatype.value}
    if kind is _BLANK:
        return {"type": "bnode", "value": term.value}
    if kind is _TRIPLE:
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _term_xml(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_term_xml(term.subject)}</subject><predicate>{_term_xml(term.predicate)}"
            f"</predicate><object>{_term_xml(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _term_csv(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _term_tsv(term) -> str:
    # pyoxigraph writes terms in N-Triples syntax, escaping tabs and line breaks in literals.
    return str(term)


# --- documents -------------------------------------------------------------------------------


@dataclass
class Serialized:
    body: bytes
    fmt: ResultFormat
    count: int | None  # rows or triples; None for ASK
    truncated: bool = False
    kind: str = "solutions"  # solutions, boolean or graph


def _capped(rows: Iterable, max_rows: int) -> tuple[list, bool]:
    out = []
    for row in rows:
        if len(out) >= max_rows:
            return out, True
        out.append(row)
    return out, False


def serialize_solutions(variables: list[str], rows: Iterable, fmt: ResultFormat, *, max_rows: int) -> Serialized:
    """`rows` are sequences of terms (or None) in the order of `variables`."""
    rows, truncated = _capped(rows, max_rows)
    if fmt.name == "json":
        document: dict = {"head": {"vars": variables}}
        if truncated:  # before "results": streaming readers (pyoxigraph's) stop reading after it
            document["truncated"] = True
            document["maxRows"] = int(max_rows)
        document["results"] = {
            "bindings": [
                {v: term_json(t) for v, t in zip(variables, row, strict=False) if t is not None} for row in rows
            ]
        }
        body = json.dumps(document, ensure_ascii=False) + "\n"
    elif fmt.name == "xml":
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>",
            *(f"<variable name={quoteattr(v)}/>" for v in variables),
            "</head>",
            "<results>",
        ]
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=False)
                if t is not None
            )
            parts.append(f"<result>{cells}</result>")
        parts.append("</results>\n</sparql>\n")
        body = "\n".join(parts)
    elif fmt.name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else _term_csv(t) for t in row])
        body = buffer.getvalue()
    elif fmt.name == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join("" if t is None else _term_tsv(t) for t in row) for row in rows)
        body = "\n".join(lines) + "\n"
    else:
        raise NotAcceptable(f"{fmt.label} is not a format for SELECT results.")
    return Serialized(body.encode("utf-8"), fmt, len(rows), truncated, "solutions")


def serialize_boolean(value: bool, fmt: ResultFormat) -> Serialized:
    word = "true" if value else "false"
    if fmt.name == "json":
        body = f'{{"head":{{}},"boolean":{word}}}\n'
    elif fmt.name == "xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        )
    else:  # CSV and TSV do not define booleans: the word alone, as pyoxigraph and other engines write it
        body = word
    return Serialized(body.encode("utf-8"), fmt, None, False, "boolean")


def serialize_graph(
    triples: Iterable, fmt: ResultFormat, *, max_rows: int, prefixes: dict[str, str] | None = None
) -> Serialized:
    triples, truncated = _capped(triples, max_rows)
    body = serialize_rdf(triples, fmt.rdf, prefixes=prefixes)
    return Serialized(body, fmt, len(triples), truncated, "graph")


def serialize_result(result, fmt: ResultFormat, *, max_rows: int, prefixes: dict[str, str] | None = None) -> Serialized:
    """Any pyoxigraph query result (solutions, boolean or triples) in `fmt`.

    If `fmt` belongs to the other family (the guard misjudged the query form), the family's
    default format is used instead; the returned Serialized says which.
    """
    if isinstance(result, ox.QueryBoolean | bool):
        fmt = fmt if not fmt.graph else SOLUTION_FORMATS[0]
        return serialize_boolean(bool(result), fmt)
    if isinstance(result, ox.QuerySolutions):
        fmt = fmt if not fmt.graph else SOLUTION_FORMATS[0]
        variables = [v.value for v in result.variables]
        return serialize_solutions(variables, result, fmt, max_rows=max_rows)
    fmt = fmt if fmt.graph else GRAPH_FORMATS[0]
    return serialize_graph(result, fmt, max_rows=max_rows, prefixes=prefixes)


def parse_json_results(body: bytes) -> dict:
    """SPARQL JSON as plain data, for the HTML result table."""
    return json.loads(body)
