"""What goes into the search index: the text analyzers, the schema, one document per record,
and how a query's text is cut into clauses. The index itself is in tantivy_index.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

import tantivy

from ..labels import Labels, pick
from ..views import DatasetRecord
from .facets import FACETS, FacetDef

SCHEMA_VERSION = 4
VERSION_FILE = "catalogue-index.json"
SEP = "\x1f"
AGE_UNKNOWN_HIGH = 150
DESCRIPTION_CHARS = 1000
DEEP_TITLE_OFFSET = 1000  # from this offset on, title pages sort on a u64 rank (see TantivyIndex._by_title)
# Fields searched for each word of a query, with their boosts.
TEXT_FIELDS = {
    "title_fr": ("fr", 3.0),
    "title_en": ("en", 3.0),
    "body_fr": ("fr", 1.0),
    "body_en": ("en", 1.0),
    "exact": ("folded", 1.5),
}
DISMAX_TIE = 0.2
# Relevance ties are broken by a tiny per-record weight derived from the IRI, so that the
# order of equally relevant records does not depend on the order they were indexed in.
TIE_LEVELS = 4096
TIE_STEP = 2.5e-7
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_CLAUSE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _analyzer(stem: str | None, stop: str | None = None) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(60))
    builder = builder.filter(tantivy.Filter.lowercase())
    if stop:
        return builder.filter(tantivy.Filter.stopword(stop)).build()
    builder = builder.filter(tantivy.Filter.ascii_fold())
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer(stem))
    return builder.build()


ANALYZERS = {"fr": _analyzer("french"), "en": _analyzer("english"), "folded": _analyzer(None)}
TOKENIZER_NAMES = {"fr": "catalogue_fr", "en": "catalogue_en", "folded": "catalogue_folded"}
_STOP = (_analyzer(None, "french"), _analyzer(None, "english"))


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})


def fold(text: str) -> str:
    """Lowercase without accents or ligatures: the key titles sort by."""
    if text.isascii():
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


RANK_CHARS = 12  # characters of a title per u64 rank (37**12 < 2**63)
RANK_LEVELS = 3  # ranks of characters 1-12, 13-24 and 25-36


def title_ranks(title: str) -> list[int]:
    """u64s that order like successive 12-character slices of a folded title (untitled records last)."""
    if not title:
        return [2**63 - 1] * RANK_LEVELS
    return [_prefix_rank(title[i * RANK_CHARS : (i + 1) * RANK_CHARS], RANK_CHARS) for i in range(RANK_LEVELS)]


def title_sort_key(title: str, iri: str) -> str:
    """The exact title order: the ranks first (so both sort paths agree), then the whole folded title, the IRI."""
    return "".join(f"{rank:016x}" for rank in title_ranks(title)) + f"{title}\x00{iri}"


def _clean(text: str) -> str:
    return text.replace(SEP, " ").strip()


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("iri", tokenizer_name="raw")
    for name, (analyzer, _boost) in TEXT_FIELDS.items():
        sb.add_text_field(name, tokenizer_name=TOKENIZER_NAMES[analyzer])
    for facet in FACETS:
        sb.add_text_field(f"f_{facet.name}", tokenizer_name="raw", fast=facet.kind != "term")
        if facet.kind == "term":
            sb.add_text_field(f"a_{facet.name}", tokenizer_name="raw", fast=True)
    sb.add_unsigned_field("age_min", indexed=True, fast=True)
    sb.add_unsigned_field("age_max", indexed=True, fast=True)
    for lang in ("fr", "en"):
        sb.add_text_field(f"sort_title_{lang}", tokenizer_name="raw", fast=True)
        for level in range(RANK_LEVELS):
            sb.add_unsigned_field(f"sort_title_rank{level}_{lang}", fast=True)
    sb.add_unsigned_field("sort_modified", fast=True)
    sb.add_float_field("tie", fast=True)
    sb.add_bytes_field("hit", stored=True)
    return sb.build()


def _agg_field(facet: FacetDef) -> str:
    return f"a_{facet.name}" if facet.kind == "term" else f"f_{facet.name}"


# --- documents ------------------------------------------------------------------------------------


def _day(text: str | None) -> int:
    """Days since 0001-01-01 of an xsd:date/dateTime/gYear (0 when there is none)."""
    if not text or len(text) < 4 or not text[:4].isdigit():
        return 0
    parts = [int(p) for p in re.findall(r"\d+", text[:10])[:3]]
    year, month, day = (parts + [1, 1])[:3]
    try:
        return dt.date(max(1, year), min(max(1, month), 12), 1).toordinal() + min(max(1, day), 31) - 1
    except ValueError:
        return 0


def _prefix_rank(text: str, chars: int = 6) -> int:
    """An integer that orders like the first characters of a folded text (space < digits < letters)."""
    rank = 0
    for c in (text + " " * chars)[:chars]:
        code = 1 + ord(c) - 48 if "0" <= c <= "9" else 11 + ord(c) - 97 if "a" <= c <= "z" else 0
        rank = rank * 37 + code
    return rank


def modified_key(day: int, title: str, iri: str) -> int:
    """u64 sorted descending: newest first, then by title (first characters), then a stable hash of the IRI."""
    prefix = 37**6 - 1 - _prefix_rank(title)  # inverted: titles ascend when the key descends
    tie = 255 - hashlib.sha256(iri.encode()).digest()[0]
    return (day << 40) | (prefix << 8) | tie


def document_for(view: DatasetRecord, meta, labels: Labels) -> tantivy.Document:
    """The index document of one record."""
    doc = tantivy.Document()
    doc.add_text("iri", view.iri)
    titles = "\n".join(t for t in [*view.title.values(), *(k for ks in view.keywords.values() for k in ks)] if t)
    body = "\n".join(t for t in _body_texts(view, labels) if t)
    for name in TEXT_FIELDS:
        for text in (titles,) if name.startswith("title") else (body,) if name.startswith("body") else (titles, body):
            if text:
                doc.add_text(name, text)
    for facet in FACETS:
        for value in dict.fromkeys(facet.values(view)):
            value = _clean(value)
            if not value:
                continue
            doc.add_text(f"f_{facet.name}", value)
            if facet.kind == "term":
                found = view.local_labels.get(value) or {}
                fr = _clean(pick(found, "fr")) if found else ""
                en = _clean(pick(found, "en")) if found else ""
                doc.add_text(f"a_{facet.name}", f"{value}{SEP}{fr}{SEP}{en}")
    if view.min_typical_age is not None or view.max_typical_age is not None:
        low = view.min_typical_age if view.min_typical_age is not None else 0
        high = view.max_typical_age if view.max_typical_age is not None else AGE_UNKNOWN_HIGH
        doc.add_unsigned("age_min", max(0, min(low, high)))
        doc.add_unsigned("age_max", max(0, max(low, high)))
    sort_keys = {}
    for lang in ("fr", "en"):
        title = fold(pick(view.title, lang))
        sort_keys[lang] = title_sort_key(title, view.iri)
        doc.add_text(f"sort_title_{lang}", sort_keys[lang])
        for level, rank in enumerate(title_ranks(title)):
            doc.add_unsigned(f"sort_title_rank{level}_{lang}", rank)
    modified = view.modified or view.issued or (meta.modified.isoformat() if meta is not None else None)
    doc.add_unsigned("sort_modified", modified_key(_day(modified), fold(pick(view.title, "fr")), view.iri))
    digest = int.from_bytes(hashlib.sha256(view.iri.encode()).digest()[:4], "big")
    doc.add_float("tie", 1.0 + TIE_STEP * (digest % TIE_LEVELS))
    publisher = (view.publisher or {}).get("name") or {}
    hit = {
        "iri": view.iri,
        "id": view.id,
        "kind": view.kind_name,
        "title": view.title,
        "description": {
            k: (v if len(v) <= DESCRIPTION_CHARS else v[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…")
            for k, v in view.description.items()
        },
        "publisher": publisher,
        "access_rights": view.access_rights,
        "access_level": view.access_level,
        "modified": modified,
        "sort": sort_keys,
    }
    doc.add_bytes("hit", json.dumps(hit, ensure_ascii=False, separators=(",", ":")).encode())
    return doc


def _body_texts(view: DatasetRecord, labels: Labels) -> list[str]:
    texts: list[str] = [
        *view.description.values(),
        *view.population_coverage.values(),
        *view.identifiers,
        *view.code_values,
    ]
    for agent in [view.publisher, *view.creators, (view.access_request or {}).get("hdab")]:
        if agent:
            texts += agent.get("name", {}).values()
    for items in (view.legal_basis, view.purpose):
        for item in items:
            texts += [*item["label"].values(), *item["description"].values()]
    for dist in view.distributions:
        texts += [*dist["title"].values(), *dist["description"].values()]
    for project in view.projects:
        texts += [*project["title"].values(), *project["description"].values()]
    texts += view.provenance.values()
    for activity in view.generated_by:
        texts += activity["label"].values()
    concepts = [
        *view.themes,
        *view.health_categories,
        *view.health_themes,
        *view.coding_systems,
        *view.spatial,
        *((view.publisher or {}).get("types") or []),
    ]
    for concept in concepts:
        if concept in labels:
            texts += set(labels.get_map(concept).values())
        elif concept in view.local_labels:
            texts += set(view.local_labels[concept].values())
    return texts


# --- queries --------------------------------------------------------------------------------------


def _is_stopword(word: str) -> bool:
    tokens = ANALYZERS["folded"].analyze(word)
    return len(tokens) == 1 and (
        len(tokens[0]) == 1 and tokens[0].isalpha() or any(not stop.analyze(word) for stop in _STOP)
    )


def parse_text(text: str) -> list[tuple[str, bool]]:
    """User text -> [(clause, negated)]: words and quoted phrases; stop words dropped when others remain."""
    clauses: list[tuple[str, bool]] = []
    for match in _CLAUSE.finditer(text):
        neg, phrase, word = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            if phrase.strip():
                clauses.append((phrase, bool(neg)))
            continue
        negated = word.startswith("-") and len(word) > 1
        word = _ELISION.sub("", word[1:] if negated else word)
        if word.strip("-+"):
            clauses.append((word, negated))
    kept = [c for c in clauses if c[1] or not _is_stopword(c[0])]
    return kept if any(not neg for _c, neg in kept) else clauses
