"""French and English labels of the vocabulary concepts the catalogue ships (SKOS prefLabels).

Loaded once per process with pyoxigraph's parsers: the whole set (EU vocabularies and the six
HealthDCAT-AP vocabularies, about 50,000 triples) parses in well under 0.1 s, so there is no
on-disk cache to go stale. `Labels.get(iri, lang)` falls back from the asked language to
English, French, any language, and finally the IRI's local name.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from .settings import PROJECT_ROOT

log = logging.getLogger(__name__)

SHIPPED_DIR = PROJECT_ROOT / "ontology" / "vocabularies"
OWN_ONTOLOGY = PROJECT_ROOT / "ontology" / "catalogue.ttl"

# Label properties, best first: a prefLabel wins over an rdfs:label of the same concept.
_LABEL_PROPERTIES = {
    "http://www.w3.org/2004/02/skos/core#prefLabel": 0,
    "http://www.w3.org/2000/01/rdf-schema#label": 1,
    "http://purl.org/dc/terms/title": 2,
    "http://xmlns.com/foaf/0.1/name": 3,
}
_KEPT_LANGUAGES = ("fr", "en")
_FORMATS = {
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
FALLBACK = ("en", "fr")

_EU = "http://publications.europa.eu/resource/authority/"
# Gaps of the shipped (old) vocabulary copies that the catalogue's pages and facets rely on:
# the access-right export has no French labels and the language list is a small subset.
# These only fill gaps; a label from a vocabulary file always wins.
SUPPLEMENT: dict[str, dict[str, str]] = {
    _EU + "access-right/PUBLIC": {"fr": "public", "en": "public"},
    _EU + "access-right/RESTRICTED": {"fr": "restreint", "en": "restricted"},
    _EU + "access-right/NON_PUBLIC": {"fr": "non public", "en": "non-public"},
    _EU + "language/FRA": {"fr": "français", "en": "French"},
    _EU + "language/ENG": {"fr": "anglais", "en": "English"},
    _EU + "language/DEU": {"fr": "allemand", "en": "German"},
    _EU + "language/SPA": {"fr": "espagnol", "en": "Spanish"},
    _EU + "language/ITA": {"fr": "italien", "en": "Italian"},
    _EU + "language/NLD": {"fr": "néerlandais", "en": "Dutch"},
    _EU + "language/POR": {"fr": "portugais", "en": "Portuguese"},
    _EU + "language/MUL": {"fr": "multilingue", "en": "multilingual"},
}


def local_name(iri: str) -> str:
    """The last segment of an IRI: what a user sees when nothing better is known."""
    tail = iri.rstrip("/#")
    for sep in ("#", "/", ":"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[-1]
    return tail or iri


def pick(texts: Mapping[str, str] | None, lang: str, default: str = "") -> str:
    """One text of a language map: the asked language, then en, fr, untagged, any."""
    if not texts:
        return default
    for key in (lang, *FALLBACK, "und", ""):
        if texts.get(key):
            return texts[key]
    return next((v for v in texts.values() if v), default)


class Labels:
    """IRI -> {lang: label} for the shipped vocabularies (languages kept: fr, en and one fallback)."""

    def __init__(self, sources: Iterable[Path | str] = (), *, extra: Mapping[str, Mapping[str, str]] | None = None):
        self._labels: dict[str, dict[str, str]] = {}
        self._ranks: dict[tuple[str, str], int] = {}
        self.sources = [Path(p) for p in sources]
        for path in self.sources:
            self._load_file(path)
        del self._ranks
        for iri, texts in {**SUPPLEMENT, **(extra or {})}.items():
            known = self._labels.setdefault(iri, {})
            for lang, text in texts.items():
                known.setdefault(lang, text)

    # --- loading -------------------------------------------------------------------------------
    def _load_file(self, path: Path) -> None:
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt is None:
            return
        try:
            for quad in ox.parse(path=str(path), format=fmt):
                rank = _LABEL_PROPERTIES.get(quad.predicate.value)
                if rank is None or not isinstance(quad.object, ox.Literal) or isinstance(quad.subject, ox.BlankNode):
                    continue
                self._keep(quad.subject.value, quad.object, rank)
        except (SyntaxError, OSError, ValueError) as exc:  # a broken vocabulary file must not stop the catalogue
            log.warning("vocabulary %s skipped: %s", path.name, exc)

    def _keep(self, iri: str, literal: ox.Literal, rank: int) -> None:
        lang = (literal.language or "").split("-")[0].lower()
        key = lang if lang in _KEPT_LANGUAGES else ("" if not lang else "*")
        previous = self._ranks.get((iri, key))
        if previous is not None and previous <= rank:
            return
        self._ranks[(iri, key)] = rank
        self._labels.setdefault(iri, {})[key] = literal.value.strip()

    # --- lookups -------------------------------------------------------------------------------
    def __contains__(self, iri: object) -> bool:
        return iri in self._labels

    def __len__(self) -> int:
        return len(self._labels)

    def get_map(self, iri: str) -> dict[str, str]:
        """The labels known for `iri`, by language ("fr", "en"; "" untagged, "*" another language)."""
        return dict(self._labels.get(iri, {}))

    def get(self, iri: str, lang: str = "en", default: str | None = None) -> str:
        texts = self._labels.get(iri)
        if texts:
            for key in (lang, *FALLBACK, "", "*"):
                if texts.get(key):
                    return texts[key]
        return default if default is not None else local_name(iri)

    def bilingual(self, iri: str) -> dict[str, str]:
        """{"fr": ..., "en": ...}, each with the usual fallbacks."""
        return {lang: self.get(iri, lang) for lang in _KEPT_LANGUAGES}


def vocabulary_files(directory: Path | None = None) -> list[Path]:
    """The vocabulary files to load: everything shipped under ontology/vocabularies (labels/ included)."""
    files = _rdf_files([directory if directory is not None else SHIPPED_DIR])
    if OWN_ONTOLOGY.is_file():
        files.append(OWN_ONTOLOGY)
    return files


def _rdf_files(folders: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in _FORMATS)
    return found


_cache: dict[tuple, Labels] = {}
_cache_lock = threading.Lock()


def load_labels(directory: Path | str | None = None) -> Labels:
    """The process-wide Labels for a vocabulary folder (default: shipped, else reference), loaded once.

    The cache key includes every file's size and modification time, so a refreshed folder is reloaded.
    """
    files = vocabulary_files(Path(directory) if directory is not None else None)
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    with _cache_lock:
        labels = _cache.get(key)
        if labels is None:
            labels = _cache[key] = Labels(files)
        return labels
