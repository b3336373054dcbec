"""The validation report of one record: problems with FR/EN messages, JSON-ready."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("violation", "warning", "info")
_SEVERITY_WORDS = {
    "fr": {"violation": "violation", "warning": "avertissement", "info": "information"},
    "en": {"violation": "violation", "warning": "warning", "info": "info"},
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix (violation) or to improve (warning, info) in a record.

    `focus_node` is the IRI of the node concerned or, for a blank node, a description of how
    the record reaches it ("distribution of <https://…>"); never a blank-node id.
    """

    dataset: str  # IRI of the record's main resource
    focus_node: str
    path: str | None  # property IRI (a SPARQL-like path for complex SHACL paths)
    property_label_fr: str  # "dct:title (titre)"
    property_label_en: str  # "dct:title (title)"
    value: str | None
    severity: str  # "violation" | "warning" | "info"
    message_fr: str
    message_en: str
    profile: str  # profile (shape set) the rule comes from
    shape: str | None  # IRI of the source shape (or of the node shape declaring it)
    component: str = ""  # SHACL constraint component, e.g. "MinCount"
    focus_node_fr: str = ""  # focus_node worded in French
    value_fr: str | None = None  # value worded in French (differs for blank nodes only)

    def message(self, lang: str = "en") -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def property_label(self, lang: str = "en") -> str:
        return self.property_label_fr if lang == "fr" else self.property_label_en

    def to_dict(self) -> dict:
        return asdict(self)

    def format_text(self, lang: str = "en") -> str:
        words = _SEVERITY_WORDS["fr" if lang == "fr" else "en"]
        where = (self.focus_node_fr or self.focus_node) if lang == "fr" else self.focus_node
        label = self.property_label(lang)
        head = f"[{words.get(self.severity, self.severity)}] {where}"
        if label:
            head += f" — {label}"
        value = ""
        if self.value is not None:
            value = f" (valeur : {self.value_fr or self.value})" if lang == "fr" else f" (value: {self.value})"
        return f"{head}\n    {self.message(lang)}{value} [{self.profile}]"


@dataclass
class Report:
    """Result of validating one record against its profiles."""

    dataset: str
    profiles: list[str]
    problems: list[Problem] = field(default_factory=list)
    engine: str = "turbo"

    @property
    def conforms(self) -> bool:
        return not any(p.severity == "violation" for p in self.problems)

    @property
    def violations(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "violation"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def infos(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "info"]

    def __bool__(self) -> bool:
        return self.conforms

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "dataset": self.dataset,
            "profiles": list(self.profiles),
            "engine": self.engine,
            "counts": {s: sum(1 for p in self.problems if p.severity == s) for s in SEVERITIES},
            "problems": [p.to_dict() for p in self.problems],
        }

    def format_text(self, lang: str = "en") -> str:
        fr = lang == "fr"
        counts = {s: sum(1 for p in self.problems if p.severity == s) for s in SEVERITIES}
        if fr:
            verdict = "conforme" if self.conforms else "NON conforme"
            head = (
                f"Fiche {self.dataset} : {verdict} — {counts['violation']} violation(s), "
                f"{counts['warning']} avertissement(s), {counts['info']} information(s). "
                f"Profils : {', '.join(self.profiles)}."
            )
        else:
            verdict = "conforms" if self.conforms else "does NOT conform"
            head = (
                f"Record {self.dataset}: {verdict} — {counts['violation']} violation(s), "
                f"{counts['warning']} warning(s), {counts['info']} info(s). "
                f"Profiles: {', '.join(self.profiles)}."
            )
        return "\n".join([head, *(p.format_text(lang) for p in self.problems)])

    def __str__(self) -> str:
        return self.format_text("en")
