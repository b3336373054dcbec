"""Test records for the web UI: variants of the official HealthDCAT-AP example, made valid for our profiles.

The official example (Release 8) lacks the French title the national profile requires, and
types its licence with a concept that is not copied into the record; `variant()` fixes both
and changes what a test needs to tell records apart (IRI, titles, health category, access...).
"""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
OFFICIAL_EXAMPLE = REFERENCE / "healthdcat-ap" / "official-release8-via-sdc" / "example-healthdcat-dataset.ttl"

EX = "https://healthdcat-ap.example.org/release-7/example/"
ORIGINAL_IRI = "ex:dataset-oncology-ehrs-2024"
HEALTH_CATEGORY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"

ORIGINAL_TITLE = '"Cross-border oncology EHR cohort 2024"@en'
ORIGINAL_DESCRIPTION = (
    '"Comprehensive release-7 example dataset describing a non-public oncology cohort assembled from electronic '
    'health records, registries, and secure analytics outputs for secondary use."@en'
)


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def variant(
    slug: str,
    *,
    title_fr: str,
    title_en: str,
    description_fr: str = "",
    description_en: str = "",
    category: str = "EHRS",
    access: str = "NON_PUBLIC",
    landing_page: str | None = None,
    keyword: str | None = None,
    modified: str = "2026-03-30",
    min_age: int = 18,
    max_age: int = 99,
) -> str:
    """The official example as a new dataset `ex:dataset-<slug>` (Turtle text)."""
    text = OFFICIAL_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(ORIGINAL_IRI + "\n", f"ex:dataset-{slug}\n", 1)
    titles = f"{_turtle_string(title_fr)}@fr , {_turtle_string(title_en)}@en"
    text = text.replace(ORIGINAL_TITLE, titles, 1)
    descriptions = (
        f"{_turtle_string(description_fr or title_fr + '.')}@fr , {_turtle_string(description_en or title_en + '.')}@en"
    )
    text = text.replace(ORIGINAL_DESCRIPTION, descriptions, 1)
    text = text.replace("    dct:type ex:license-type-permit ;\n", "", 1)
    text = text.replace(f"{HEALTH_CATEGORY}EHRS>", f"{HEALTH_CATEGORY}{category}>", 1)
    text = text.replace(f"{ACCESS_RIGHT}NON_PUBLIC> ;", f"{ACCESS_RIGHT}{access}> ;", 1)
    text = text.replace('dct:modified "2026-03-30"^^xsd:date', f'dct:modified "{modified}"^^xsd:date', 1)
    text = text.replace('"18"^^xsd:nonNegativeInteger', f'"{min_age}"^^xsd:nonNegativeInteger', 1)
    text = text.replace('"99"^^xsd:nonNegativeInteger', f'"{max_age}"^^xsd:nonNegativeInteger', 1)
    if landing_page is not None:
        # the landing page and its declaration as a foaf:Document further down
        text = text.replace("<https://healthdcat-ap.example.org/datasets/oncology-ehrs-2024>", f"<{landing_page}>")
    if keyword:
        text = text.replace(
            'dcat:keyword "oncology"@en', f'dcat:keyword {_turtle_string(keyword)}@fr , "oncology"@en', 1
        )
    return text


# Four datasets with known titles, categories and dates: enough for facets, sorting and paging.
RECORDS = {
    "oncology": dict(
        title_fr="Cohorte oncologique transfrontalière 2024",
        title_en="Cross-border oncology EHR cohort 2024",
        description_fr="Cohorte de patients atteints de cancer, issue des dossiers de santé électroniques.",
        description_en="Cohort of cancer patients drawn from electronic health records.",
        category="EHRS",
        keyword="cancer",
        modified="2026-03-30",
    ),
    "registry": dict(
        title_fr="Registre des maladies rares",
        title_en="Rare disease registry",
        description_fr="Registre national des patients atteints de maladies rares.",
        description_en="National registry of patients with rare diseases.",
        category="RQSH",
        keyword="maladies rares",
        modified="2025-06-01",
        min_age=0,
        max_age=17,
    ),
    "claims": dict(
        title_fr="Base de remboursements de l'assurance maladie",
        title_en="Health insurance claims database",
        description_fr="Remboursements de soins de ville et séjours hospitaliers.",
        description_en="Reimbursed outpatient care and hospital stays.",
        category="EHCT",
        keyword="remboursements",
        modified="2024-01-15",
        min_age=0,
        max_age=120,
    ),
    "vaccination": dict(
        title_fr="Couverture vaccinale des enfants",
        title_en="Childhood vaccination coverage",
        description_fr="Suivi de la vaccination des enfants de moins de six ans.",
        description_en="Monitoring of vaccination of children under six.",
        category="RQSH",
        keyword="vaccination",
        modified="2025-11-20",
        min_age=0,
        max_age=6,
    ),
}

HOSTILE_TEXT = "<script>window.__pwned=1</script>"
HOSTILE_JSONLD = "</script><script>window.__pwned=3</script>"


def hostile() -> str:
    """A valid record whose text and links try to run script in the page."""
    return variant(
        "hostile",
        title_fr=f"Titre hostile {HOSTILE_TEXT}",
        title_en=f"Hostile title {HOSTILE_TEXT}",
        description_fr=f"Description {HOSTILE_TEXT} {HOSTILE_JSONLD}",
        description_en=f"Description {HOSTILE_TEXT} {HOSTILE_JSONLD}",
        landing_page="javascript:window.__pwned=2",
        keyword=HOSTILE_JSONLD,
    )


def write_records(directory: Path, records: dict[str, str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in records.items():
        path = directory / f"{name}.ttl"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
