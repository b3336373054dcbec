"""Facet definitions: the one table that the index, the query parser, the HTML and the JSON share.

Each facet has a URL parameter name, French and English labels, a function that computes its
values from a DatasetRecord, and a way to label the values. Term facets take their values
straight from the record (IRIs, or text for unnamed resources); band facets put a record in
fixed buckets (population size, age groups, decades of temporal coverage).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..labels import Labels, local_name
from ..views import DatasetRecord

# Age groups (inclusive bounds, in years) and population bands (numberOfUniqueIndividuals).
AGE_BANDS = (
    ("children", 0, 17, "Enfants (0-17 ans)", "Children (0-17)"),
    ("adults", 18, 64, "Adultes (18-64 ans)", "Adults (18-64)"),
    ("seniors", 65, None, "Personnes âgées (65 ans et plus)", "Older people (65+)"),
)
POPULATION_BANDS = (
    ("lt10k", 0, 10_000, "Moins de 10 000", "Under 10,000"),
    ("10k-100k", 10_000, 100_000, "10 000 à 100 000", "10,000 to 100,000"),
    ("100k-1m", 100_000, 1_000_000, "100 000 à 1 million", "100,000 to 1 million"),
    ("1m-10m", 1_000_000, 10_000_000, "1 à 10 millions", "1 to 10 million"),
    ("ge10m", 10_000_000, None, "10 millions ou plus", "10 million or more"),
)
MAX_AGE = 150
EARLIEST_YEAR = 1900
DECADE = 10


@dataclass(frozen=True)
class FacetDef:
    name: str  # URL parameter and index field suffix
    label_fr: str
    label_en: str
    values: Callable[[DatasetRecord], Iterable[str]]
    kind: str = "term"  # "term": values from the record; "band": fixed ordered buckets; "decade": year ranges
    bands: tuple = ()  # (value, label_fr, label_en) for band facets
    size: int = 100  # most values returned per facet

    def label(self, value: str, labels: Labels, found: dict[str, str] | None = None) -> dict[str, str]:
        """{"fr", "en"} for a value: band labels, then the vocabularies, then names found in records."""
        if self.kind == "band":
            for band in self.bands:
                if band[0] == value:
                    return {"fr": band[1], "en": band[2]}
        if self.kind == "decade":
            return {"fr": value.replace("-", " – "), "en": value.replace("-", " – ")}
        if value in labels:
            return labels.bilingual(value)
        found = {k: v for k, v in (found or {}).items() if v}
        if found:
            fr = found.get("fr") or found.get("und") or found.get("en") or next(iter(found.values()))
            en = found.get("en") or found.get("und") or found.get("fr") or next(iter(found.values()))
            return {"fr": fr, "en": en}
        name = local_name(value) if "://" in value or value.startswith("urn:") else value
        return {"fr": name, "en": name}

    def band_order(self) -> list[str]:
        return [band[0] for band in self.bands]


# --- value functions -------------------------------------------------------------------------------


def _publisher(view: DatasetRecord) -> list[str]:
    p = view.publisher
    if not p:
        return []
    if p.get("iri"):
        return [p["iri"]]
    name = p.get("name") or {}
    text = name.get("fr") or name.get("en") or name.get("und") or next(iter(name.values()), "")
    return [text] if text else []


def _publisher_types(view: DatasetRecord) -> list[str]:
    return list((view.publisher or {}).get("types") or [])


def age_bands_for(low: int | None, high: int | None) -> list[str]:
    """The age groups that [low, high] overlaps; nothing when neither bound is known."""
    if low is None and high is None:
        return []
    low = 0 if low is None else low
    high = MAX_AGE if high is None else high
    return [name for name, a, b, _fr, _en in AGE_BANDS if low <= (MAX_AGE if b is None else b) and high >= a]


def _age(view: DatasetRecord) -> list[str]:
    return age_bands_for(view.min_typical_age, view.max_typical_age)


def population_band(count: int | None) -> str | None:
    if count is None or count < 0:
        return None
    for name, low, high, _fr, _en in POPULATION_BANDS:
        if count >= low and (high is None or count < high):
            return name
    return None


def _population(view: DatasetRecord) -> list[str]:
    band = population_band(view.number_of_unique_individuals)
    return [band] if band else []


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")[:4]
    return sign * int(digits) if len(digits) == 4 and digits.isdigit() else None


def decades_for(periods: Iterable[tuple], this_year: int | None = None) -> list[str]:
    """Every decade ("2000-2009") that a period overlaps; an open end runs to this year."""
    this_year = this_year or dt.date.today().year
    found: set[int] = set()
    for start, end in periods:
        first, last = _year(start), _year(end)
        if first is None and last is None:
            continue
        first = last if first is None else first
        last = this_year if last is None else last
        first, last = max(min(first, last), EARLIEST_YEAR), min(max(first, last), this_year + 1)
        found.update(range(first // DECADE * DECADE, last // DECADE * DECADE + 1, DECADE))
    return [f"{d}-{d + DECADE - 1}" for d in sorted(found)]


def _temporal(view: DatasetRecord) -> list[str]:
    return decades_for(view.temporal)


def _attr(name: str) -> Callable[[DatasetRecord], list[str]]:
    def values(view: DatasetRecord) -> list[str]:
        value = getattr(view, name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    return values


FACETS: tuple[FacetDef, ...] = (
    FacetDef("theme", "Thème", "Theme", _attr("themes")),
    FacetDef(
        "health_category",
        "Catégorie de données de santé (EHDS)",
        "Health data category (EHDS)",
        _attr("health_categories"),
    ),
    FacetDef("health_theme", "Thème de santé", "Health theme", _attr("health_themes")),
    FacetDef("publisher", "Producteur", "Publisher", _publisher),
    FacetDef("publisher_type", "Type de producteur", "Publisher type", _publisher_types),
    FacetDef("access_rights", "Conditions d'accès", "Access rights", _attr("access_rights")),
    FacetDef("format", "Format", "Format", _attr("formats")),
    FacetDef("licence", "Licence", "Licence", _attr("licences")),
    FacetDef("language", "Langue", "Language", _attr("languages")),
    FacetDef("coding_system", "Système de codage", "Coding system", _attr("coding_systems")),
    FacetDef("spatial", "Couverture géographique", "Spatial coverage", _attr("spatial")),
    FacetDef("frequency", "Fréquence de mise à jour", "Update frequency", _attr("accrual_periodicity")),
    FacetDef("temporal", "Couverture temporelle", "Temporal coverage", _temporal, kind="decade"),
    FacetDef(
        "population",
        "Taille de la population",
        "Population size",
        _population,
        kind="band",
        bands=tuple((n, fr, en) for n, _a, _b, fr, en in POPULATION_BANDS),
    ),
    FacetDef(
        "age",
        "Tranche d'âge",
        "Age group",
        _age,
        kind="band",
        bands=tuple((n, fr, en) for n, _a, _b, fr, en in AGE_BANDS),
    ),
)
FACETS_BY_NAME = {f.name: f for f in FACETS}
