"""Content negotiation: Accept headers with q-values (RFC 9110, section 12.5.1).

Shared by the feed, the dereferencing of the catalogue's IRIs and the SPARQL endpoint.
No Flask here: callers pass the raw header value and the media types they offer.

    negotiate("text/turtle;q=0.9, application/ld+json", RDF_MEDIA_TYPES) -> "application/ld+json"

Rules: the most specific range that matches an offered type gives its quality (a type with
parameters beats the bare type, which beats `type/*`, which beats `*/*`); q=0 refuses a type;
the offer with the highest quality wins; ties go to the more specific match, then to the
server's order of preference. A missing or empty header accepts anything. Media-type
parameters other than q are ignored for matching (`application/ld+json; profile=...` is JSON-LD).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .rdf import FORMATS_BY_NAME, RdfFormatInfo

# The RDF formats the feed and the record documents are served in (not N-Quads / TriG: a
# record document is one graph), best first: the order breaks ties such as `*/*`.
SERVED_RDF_FORMATS = ("ttl", "jsonld", "rdfxml", "nt")
# Extensions in URLs (`/catalog.ttl`) -> format name.
EXTENSIONS = {"ttl": "ttl", "jsonld": "jsonld", "rdf": "rdfxml", "nt": "nt"}
HTML = "text/html"


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    def specificity(self, media_type: str) -> int:
        """How precisely this range matches `media_type` (-1: it does not)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 3 if self.params else 2


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on `separator` outside quoted strings."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_params(text: str) -> list[str]:
    return _split_outside_quotes(text, ";")


def _split_ranges(header: str) -> list[str]:
    return _split_outside_quotes(header, ",")


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped, never an error."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for item in _split_ranges(header[:4096]):
        pieces = _split_params(item)
        kind, _, sub = pieces[0].strip().lower().partition("/")
        if not kind or not sub or " " in kind or " " in sub or (kind == "*" and sub != "*"):
            continue
        q, params, valid = 1.0, [], True
        for piece in pieces[1:]:
            name, _, value = piece.strip().partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if not name:
                continue
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    valid = False
                    break
                if not 0.0 <= q <= 1.0:
                    valid = False
                    break
                break  # what follows q are accept-extensions, not media-type parameters
            params.append((name, value))
        if valid:
            ranges.append(MediaRange(kind, sub, q, tuple(params)))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """(q, specificity) of `media_type` under the most specific matching range; (0, -1) if none."""
    best: tuple[int, float] = (-1, 0.0)
    for media_range in ranges:
        level = media_range.specificity(media_type)
        if level > best[0] or (level == best[0] and level >= 0 and media_range.q > best[1]):
            best = (level, media_range.q)
    return best[1], best[0]


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them (406)."""
    ranges = parse_accept(header)
    chosen, key = None, None
    for position, media_type in enumerate(offered):
        q, level = quality(ranges, media_type.lower())
        if level < 0 or q <= 0:
            continue
        candidate = (q, level, -position)
        if key is None or candidate > key:
            chosen, key = media_type, candidate
    return chosen


# --- RDF ---------------------------------------------------------------------------------------


def served_formats() -> list[RdfFormatInfo]:
    return [FORMATS_BY_NAME[name] for name in SERVED_RDF_FORMATS]


def rdf_media_types() -> list[str]:
    """Every media type we answer with RDF, canonical types first, then their aliases."""
    formats = served_formats()
    canonical = [f.media_type for f in formats]
    aliases = [m for f in formats for m in f.media_types[1:] if m not in canonical]
    return canonical + aliases


def format_for(media_type: str) -> RdfFormatInfo:
    for fmt in served_formats():
        if media_type in fmt.media_types:
            return fmt
    raise KeyError(media_type)


def negotiate_rdf(header: str | None, *, html: bool = False) -> RdfFormatInfo | str | None:
    """The RDF format the client wants, HTML ("text/html") when `html` is offered and preferred, or None."""
    offered = ([HTML] if html else []) + rdf_media_types()
    chosen = negotiate(header, offered)
    if chosen is None or chosen == HTML:
        return chosen
    return format_for(chosen)


def format_for_extension(extension: str) -> RdfFormatInfo | None:
    name = EXTENSIONS.get(extension.lower().lstrip("."))
    return FORMATS_BY_NAME[name] if name else None


def not_acceptable_text() -> str:
    """What a 406 says: the media types and the URL extensions we serve."""
    lines = ["None of the media types in the Accept header is served here. Served formats:"]
    for fmt in served_formats():
        ext = next(e for e, n in EXTENSIONS.items() if n == fmt.name)
        lines.append(
            f"  {fmt.media_type:24} {fmt.label} (also .{ext}; aliases: {', '.join(fmt.media_types[1:]) or '-'})"
        )
    lines.append("")
    lines.append("Aucun des types de média demandés (en-tête Accept) n'est servi ici ; voir la liste ci-dessus.")
    return "\n".join(lines) + "\n"
