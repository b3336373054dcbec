"""Parse and serialise RDF with limits. The one table of formats and media types lives here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .errors import LimitExceeded, ParseError, UnsafeInput, UnsupportedFormat
from .settings import PROJECT_ROOT


@dataclass(frozen=True)
class RdfFormatInfo:
    name: str  # short name used in URLs and CLI options
    label: str
    media_types: tuple[str, ...]  # first one is canonical
    extensions: tuple[str, ...]  # first one is canonical
    oxigraph: ox.RdfFormat
    has_graphs: bool = False

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def extension(self) -> str:
        return self.extensions[0]


FORMATS: tuple[RdfFormatInfo, ...] = (
    RdfFormatInfo("ttl", "Turtle", ("text/turtle", "application/x-turtle"), ("ttl",), ox.RdfFormat.TURTLE),
    RdfFormatInfo(
        "jsonld", "JSON-LD", ("application/ld+json", "application/json"), ("jsonld", "json"), ox.RdfFormat.JSON_LD
    ),
    RdfFormatInfo(
        "rdfxml", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"), ("rdf", "xml", "owl"),
        ox.RdfFormat.RDF_XML,
    ),
    RdfFormatInfo("nt", "N-Triples", ("application/n-triples", "text/plain"), ("nt",), ox.RdfFormat.N_TRIPLES),
    RdfFormatInfo("nq", "N-Quads", ("application/n-quads",), ("nq",), ox.RdfFormat.N_QUADS, has_graphs=True),
    RdfFormatInfo("trig", "TriG", ("application/trig",), ("trig",), ox.RdfFormat.TRIG, has_graphs=True),
)
FORMATS_BY_NAME = {f.name: f for f in FORMATS}

# Published JSON-LD contexts we serve from disk; any other remote context is refused.
CONTEXT_DIR = PROJECT_ROOT / "ontology" / "contexts"
KNOWN_CONTEXTS = {
    "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld": "dcat-ap-3.0.1.jsonld",
    "https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld": "dcat-ap-3.0.1.jsonld",
    "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld": (
        "dcat-ap-3-examples.jsonld"
    ),
    "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.1/html/examples/context.jsonld": (
        "dcat-ap-3-examples.jsonld"
    ),
}


def format_by_name(name: str) -> RdfFormatInfo:
    key = name.lower().lstrip(".")
    for fmt in FORMATS:
        if key == fmt.name or key in fmt.extensions:
            return fmt
    raise UnsupportedFormat(
        f"Unknown RDF format {name!r}; use one of {', '.join(f.name for f in FORMATS)}.",
        f"Format RDF inconnu {name!r} ; utilisez l'un de {', '.join(f.name for f in FORMATS)}.",
    )


def format_for_media_type(media_type: str) -> RdfFormatInfo | None:
    base = media_type.split(";")[0].strip().lower()
    for fmt in FORMATS:
        if base in fmt.media_types:
            return fmt
    return None


def format_for_filename(filename: str) -> RdfFormatInfo | None:
    name = filename.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = Path(name).suffix.lstrip(".")
    for fmt in FORMATS:
        if suffix in fmt.extensions:
            return fmt
    return None


def sniff_format(head: bytes) -> RdfFormatInfo | None:
    """Guess the format from the first bytes (used when neither media type nor name says)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()[:2048].decode("utf-8", "replace")
    if text.startswith("{") or text.startswith("["):
        return FORMATS_BY_NAME["jsonld"]
    if text.startswith("<?xml") or text.startswith("<rdf:RDF") or re.match(r"<[A-Za-z][\w.-]*:RDF", text):
        return FORMATS_BY_NAME["rdfxml"]
    if re.search(r"^\s*(@prefix|@base|PREFIX|BASE)\b", text, re.M | re.I):
        return FORMATS_BY_NAME["trig"] if re.search(r"\bGRAPH\b|^\s*(<[^>]*>|[\w-]*:[\w-]*)\s*\{", text, re.M) else FORMATS_BY_NAME["ttl"]
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if re.match(r"^(<[^>]*>|_:\S+)\s+<[^>]*>\s+.+\s+(<[^>]*>|_:\S+)\s*\.\s*$", first):
        return FORMATS_BY_NAME["nq"]
    if re.match(r"^(<[^>]*>|_:\S+)\s+<[^>]*>\s+.+\.\s*$", first):
        return FORMATS_BY_NAME["nt"]
    return None


def detect_format(
    *, format: str | None = None, media_type: str | None = None, filename: str | None = None, head: bytes = b""
) -> RdfFormatInfo:
    """Format from, in order: an explicit name, the media type, the file extension, sniffing."""
    if format:
        return format_by_name(format)
    found = None
    if media_type and media_type.split(";")[0].strip().lower() not in {"application/octet-stream", "text/plain", ""}:
        found = format_for_media_type(media_type)
    if found is None and filename:
        found = format_for_filename(filename)
    if found is None and head:
        found = sniff_format(head)
    if found is None:
        raise UnsupportedFormat(
            "Cannot tell the RDF format: give a file extension (.ttl, .jsonld, .rdf, .nt, .nq, .trig) or a media type.",
            "Format RDF indéterminé : indiquez une extension (.ttl, .jsonld, .rdf, .nt, .nq, .trig) ou un type de média.",
            where=filename,
        )
    return found


def check_size(size: int, limit: int, where: str | None = None) -> None:
    if size > limit:
        raise LimitExceeded(
            f"The input is {size:,} bytes; the limit is {limit:,} bytes.",
            f"L'entrée fait {size:,} octets ; la limite est de {limit:,} octets.",
            where=where,
        )


_XML_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)


def _refuse_xml_entities(data: bytes, where: str | None) -> None:
    if _XML_DECLARATIONS.search(data):
        raise UnsafeInput(
            "RDF/XML with a DOCTYPE or entity declaration is refused (entity expansion is unsafe).",
            "Le RDF/XML contenant une déclaration DOCTYPE ou ENTITY est refusé (expansion d'entités dangereuse).",
            where=where,
        )


def _inline_contexts(node, where: str | None):
    """Replace every remote @context by the local copy we ship, or refuse it."""
    if isinstance(node, list):
        return [_inline_contexts(item, where) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _resolve_context(value, where) if key in ("@context", "@import") else _inline_contexts(value, where)
        for key, value in node.items()
    }


def _resolve_context(value, where: str | None):
    if isinstance(value, list):
        return [_resolve_context(item, where) for item in value]
    if isinstance(value, str):
        local = KNOWN_CONTEXTS.get(value.rstrip("#"))
        if local is None:
            raise UnsafeInput(
                f"Remote JSON-LD context {value!r} is refused: the catalogue never fetches contexts. "
                "Inline the context in the document.",
                f"Le contexte JSON-LD distant {value!r} est refusé : le catalogue ne télécharge jamais de contexte. "
                "Intégrez le contexte dans le document.",
                where=where,
            )
        return json.loads((CONTEXT_DIR / local).read_text("utf-8"))["@context"]
    if isinstance(value, dict):
        return _inline_contexts(value, where)
    return value


def prepare_jsonld(data: bytes, where: str | None = None) -> bytes:
    try:
        document = json.loads(data)
    except RecursionError:
        raise LimitExceeded("The JSON is nested too deeply.", "Le JSON est trop profondément imbriqué.", where=where)
    except ValueError as exc:
        raise ParseError(
            f"Invalid JSON: {exc}", f"JSON invalide : {exc}", where=where,
            line=getattr(exc, "lineno", None), column=getattr(exc, "colno", None),
        )
    try:
        return json.dumps(_inline_contexts(document, where)).encode()
    except RecursionError:
        raise LimitExceeded("The JSON is nested too deeply.", "Le JSON est trop profondément imbriqué.", where=where)


def syntax_error(exc: SyntaxError, where: str | None) -> ParseError:
    line, column = exc.lineno, exc.offset
    message = str(exc.args[0] if exc.args else exc)
    position = f"line {line}, column {column}: " if line else ""
    position_fr = f"ligne {line}, colonne {column} : " if line else ""
    return ParseError(
        f"Syntax error at {position}{message}", f"Erreur de syntaxe à la {position_fr}{message}",
        where=where, line=line, column=column,
    )


def make_safe(data: bytes, fmt: RdfFormatInfo, where: str | None = None) -> bytes:
    """The checks that must happen before any parser sees the bytes."""
    if fmt.name == "rdfxml":
        _refuse_xml_entities(data, where)
    elif fmt.name == "jsonld":
        data = prepare_jsonld(data, where)
    return data


def parse_quads(
    data: bytes | IO[bytes], fmt: RdfFormatInfo, *, base_iri: str | None = None, where: str | None = None
):
    """Iterate the quads of `data` (already made safe). Syntax errors name the line and column."""
    try:
        yield from ox.parse(data, format=fmt.oxigraph, base_iri=base_iri, lenient=False)
    except SyntaxError as exc:
        raise syntax_error(exc, where) from None


def parse_dataset(
    data: bytes, *, fmt: RdfFormatInfo, base_iri: str | None = None, where: str | None = None
) -> ox.Dataset:
    """Parse a whole (size-checked) document into an in-memory dataset; lexical forms are kept as written."""
    dataset = ox.Dataset()
    for quad in parse_quads(make_safe(data, fmt, where), fmt, base_iri=base_iri, where=where):
        dataset.add(quad)
    return dataset


def serialize(triples_or_quads, fmt: RdfFormatInfo, prefixes: dict[str, str] | None = None) -> bytes:
    if fmt.has_graphs:
        return ox.serialize(triples_or_quads, format=fmt.oxigraph) or b""
    kwargs = {"prefixes": prefixes} if prefixes and fmt.name in ("ttl", "rdfxml") else {}
    return ox.serialize(triples_or_quads, format=fmt.oxigraph, **kwargs) or b""
