"""Validator: validate one record (an rdflib Graph) against its profiles, build the Report."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.term import Node

from catalogue.vocab import DCT, EU_AUTHORITY, HEALTH_AUTHORITY, SH

from . import engine as _engine
from . import profiles as _profiles
from .messages import describe, path_text, property_labels, short_label, value_text
from .report import SEVERITIES, Problem, Report
from .shapes import vocabulary_index
from .wording import messages

# Controlled vocabularies (EU NALs, HealthDCAT-AP NALs, ADMS), also those we do not ship.
VOCABULARY_NAMESPACES = (EU_AUTHORITY, HEALTH_AUTHORITY, "http://purl.org/adms/")
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
# The profile combinations records get by default: compiled when a Validator is created.
DEFAULT_SETS = (
    ("dcat-ap-3", "national"),
    ("dcat-ap-3", "healthdcat-ap-r8-public", "national"),
    ("dcat-ap-3", "healthdcat-ap-r8-restricted", "national"),
    ("dcat-ap-3", "healthdcat-ap-r8-non-public", "national"),
)


class Validator:
    """Validate records with pyshacl-turbo ("turbo", default) or pyshacl ("pyshacl").

    Shapes, fixes and vocabularies are loaded once per process (module-level caches), so
    creating a second Validator is cheap. Validate ONE record per call: a dataset, dataset
    series or data service and the nodes it owns, never a whole catalogue.
    """

    def __init__(self, engine: str = "turbo", *, preload: bool = True):
        if engine not in _engine.ENGINES:
            raise ValueError(f"unknown SHACL engine {engine!r} (use one of {', '.join(_engine.ENGINES)})")
        self.engine = engine
        self._run = _engine.RUNNERS[engine]
        self._vocabulary = vocabulary_index()
        if preload:
            for names in DEFAULT_SETS:
                shapes = _engine.shape_set(names)
                shapes.turbo() if engine == "turbo" else shapes.pyshacl_shapes()

    @classmethod
    def from_settings(cls, settings) -> Validator:
        return cls(engine=settings.shacl_engine)

    # ------------------------------------------------------------------ public API
    def profiles_for(self, graph: Graph, focus: Node | str | None = None) -> list[str]:
        focus = self._focus(graph, focus)
        return list(_profiles.select(graph, focus).profiles)

    def validate(self, graph: Graph, focus: Node | str | None = None, profiles=None) -> Report:
        focus = self._focus(graph, focus)
        if profiles is None:
            selection = _profiles.select(graph, focus)
            names, bad_access = selection.profiles, selection.bad_access_rights
        else:
            names, bad_access = _profiles.expand([profiles] if isinstance(profiles, str) else profiles), False
        shapes = _engine.shape_set(names)
        raw = self._run(shapes, graph, self._vocabulary)
        dataset = describe(graph, focus, "en") or str(focus)
        problems = []
        for result in raw:
            if self._about_vocabulary(graph, result.focus):
                continue
            if bad_access and self._access_duplicate(result, focus, shapes):
                continue
            problems.append(self._problem(result, shapes, graph, dataset))
        if bad_access:
            problems.append(self._access_problem(graph, focus, dataset))
        return Report(dataset, list(names), _unique(_sorted(problems, dataset)), self.engine)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _focus(graph: Graph, focus) -> Node:
        if focus is None:
            return _profiles.find_focus(graph)
        return URIRef(focus) if isinstance(focus, str) and not isinstance(focus, (URIRef, BNode)) else focus

    def _is_term(self, node) -> bool:
        return isinstance(node, URIRef) and (node in self._vocabulary or str(node).startswith(VOCABULARY_NAMESPACES))

    def _about_vocabulary(self, graph: Graph, node: Node) -> bool:
        """A controlled-vocabulary term the record only mentions (or just types): not its problem.

        e.g. DCAT-AP recommends a bounding box for every dct:Location, and records type
        <…/authority/country/BEL> as dct:Location.
        """
        if not self._is_term(node):
            return False
        return all(p == RDF.type for p in graph.predicates(node, None))

    @staticmethod
    def _access_duplicate(result, focus: Node, shapes) -> bool:
        """The level set's own dct:accessRights check, replaced by _access_problem's message."""
        return (
            result.focus == focus
            and result.path == DCT.accessRights
            and str(result.component).endswith(("#HasValueConstraintComponent", "#MinCountConstraintComponent"))
            and _attribution(shapes, result) == _profiles.DEFAULT_HEALTH_PROFILE
        )

    def _messages(self, result, shapes: Graph, graph: Graph, depth: int = 0) -> tuple[str, str]:
        component = _component(result)
        short = (
            short_label(shapes, result.path, result.shape, "fr"),
            short_label(shapes, result.path, result.shape, "en"),
        )
        value = value_text(graph, result.value, "en")
        in_message = None if isinstance(result.value, BNode) or result.value == result.focus else value
        details = (
            tuple(sorted(self._messages(d, shapes, graph, depth + 1) for d in result.details)) if depth < 2 else ()
        )
        return messages(shapes, result.shape, component, short, in_message, self._is_term(result.value), details)

    def _problem(self, result, shapes, graph: Graph, dataset: str) -> Problem:
        component = _component(result)
        label_fr, label_en = property_labels(shapes.graph, graph, result.path, result.shape, result.focus)
        shown = None if result.path is None and result.value == result.focus else result.value
        value = value_text(graph, shown, "en")
        message_fr, message_en = self._messages(result, shapes.graph, graph)
        return Problem(
            dataset=dataset,
            focus_node=describe(graph, result.focus, "en") or "",
            path=path_text(shapes.graph, result.path),
            property_label_fr=label_fr,
            property_label_en=label_en,
            value=value,
            severity=_SEVERITY.get(result.severity, "violation"),
            message_fr=message_fr,
            message_en=message_en,
            profile=_attribution(shapes, result) or shapes.profiles[0],
            shape=_shape_iri(shapes.graph, result.shape),
            component=component,
            focus_node_fr=describe(graph, result.focus, "fr") or "",
            value_fr=value_text(graph, shown, "fr"),
        )

    @staticmethod
    def _access_problem(graph: Graph, focus: Node, dataset: str) -> Problem:
        values = _profiles.access_rights_values(graph, focus)
        allowed = ", ".join(str(v) for v in _profiles.ALLOWED_ACCESS_RIGHTS)
        found_fr = f" (valeur actuelle : {', '.join(values)})" if values else " (aucune valeur)"
        found_en = f" (current value: {', '.join(values)})" if values else " (none given)"
        return Problem(
            dataset=dataset,
            focus_node=dataset,
            path=str(DCT.accessRights),
            property_label_fr="dct:accessRights (droits d'accès)",
            property_label_en="dct:accessRights (access rights)",
            value=", ".join(values) or None,
            severity="violation",
            message_fr=(
                "Indiquez exactement un niveau d'accès HealthDCAT-AP dans dct:accessRights, parmi : "
                f"{allowed}{found_fr}. En attendant, les règles des données non publiques ont été appliquées."
            ),
            message_en=(
                "Give exactly one HealthDCAT-AP access level in dct:accessRights, one of: "
                f"{allowed}{found_en}. Meanwhile the non-public data rules were applied."
            ),
            profile=_profiles.DEFAULT_HEALTH_PROFILE,
            shape=None,
            component="AccessRights",
            focus_node_fr=dataset,
            value_fr=", ".join(values) or None,
        )


def _component(result) -> str:
    return str(result.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")


def _attribution(shapes, result) -> str | None:
    """Profile of a result: its source shape's, or for sh:node on a shared IRI, the node's."""
    if str(result.component).endswith("#NodeConstraintComponent") and isinstance(result.shape, URIRef):
        for target in shapes.graph.objects(result.shape, SH.node):
            if isinstance(target, BNode) and target in shapes.origin:
                return shapes.origin[target]
    return shapes.profile_of(result.shape)


def _shape_iri(shapes: Graph, shape: Node | None) -> str | None:
    if isinstance(shape, URIRef):
        return str(shape)
    for owner in shapes.subjects(SH.property, shape):
        if isinstance(owner, URIRef):
            return str(owner)
    return None


def _unique(problems: list[Problem]) -> list[Problem]:
    """Drop exact repeats (DCAT-AP and HealthDCAT-AP both recommend some properties)."""
    seen, out = set(), []
    for p in problems:
        key = (p.focus_node, p.path, p.severity, p.component, p.value, p.message_fr, p.message_en)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _sorted(problems: list[Problem], dataset: str) -> list[Problem]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(
        problems,
        key=lambda p: (
            order.get(p.severity, 9),
            p.focus_node != dataset,
            p.focus_node,
            p.path or "",
            p.component,
            p.value or "",
            p.message_en,
            p.profile,
            p.shape or "",
        ),
    )
