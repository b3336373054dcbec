"""FR/EN messages of validation results.

The shape's own sh:message is used when it has one in the wanted language (an untagged
message counts as English, as in the official files); for a failed sh:node the message of
the referenced shape is tried next; otherwise a message saying what to fix is built from
the constraint component and the shape's parameters.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS
from rdflib.term import Node

from catalogue.vocab import SH

from .labels import curie

EXAMPLES = {
    "xsd:date": '"2024-01-31"',
    "xsd:dateTime": '"2024-01-31T12:00:00"',
    "xsd:nonNegativeInteger": '"12"',
    "xsd:integer": '"12"',
    "xsd:decimal": '"1.5"',
    "xsd:boolean": '"true"',
    "xsd:duration": '"P1M"',
    "xsd:gYear": '"2024"',
}
KINDS = {
    "IRI": ("une IRI (un lien http(s)://…)", "an IRI (an http(s):// link)"),
    "Literal": ("un texte (littéral), pas un lien", "a text (literal), not a link"),
    "BlankNodeOrIRI": (
        "une ressource (IRI ou nœud décrit), pas un texte",
        "a resource (IRI or described node), not a text",
    ),
    "BlankNode": ("un nœud décrit sur place", "a node described in place"),
    "BlankNodeOrLiteral": ("un nœud décrit ou un texte", "a described node or a text"),
    "IRIOrLiteral": ("une IRI ou un texte", "an IRI or a text"),
}


def own_message(shapes: Graph, shape: Node | None, lang: str) -> str | None:
    if shape is None:
        return None
    messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
    for m in messages:
        if m.language == lang:
            return str(m)
    if lang == "en":
        for m in messages:
            if not m.language:
                return str(m)
    return None


def _short(text: str | None, size: int = 80) -> str | None:
    if text is None:
        return None
    return text if len(text) <= size else text[: size - 1] + "…"


def _lower(text: str) -> str:
    """First letter in lower case, unless the word is an acronym or a prefixed name."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[1:2].islower() and ":" not in word:
        return text[0].lower() + text[1:]
    return text


def _list(shapes: Graph, node: Node | None) -> list:
    return list(Collection(shapes, node)) if node is not None else []


def _term(node) -> str:
    if isinstance(node, URIRef):
        return curie(node)
    if isinstance(node, Literal):
        return f'"{node}"' if not node.language else f'"{node}"@{node.language}'
    return str(node)


def _or_datatypes(shapes: Graph, shape: Node) -> list[str]:
    """xsd types of a shape that is an sh:or of sh:datatype alternatives (dates...)."""
    members = _list(shapes, shapes.value(shape, SH["or"]))
    types = [shapes.value(m, SH.datatype) for m in members]
    return [curie(t) for t in types] if types and all(types) else []


def build(
    shapes: Graph,
    shape: Node | None,
    component: str,
    label: tuple[str, str],
    value: str | None,
    term: bool = False,
    details: tuple = (),
):
    """(message_fr, message_en) for a result of `component` (e.g. "MinCount") on `shape`.

    `term` tells that the value is a controlled-vocabulary term (for sh:class messages);
    `details` are the (fr, en) messages of the sh:detail results (why an sh:node failed).
    """
    param = (lambda p: shapes.value(shape, p)) if shape is not None else (lambda p: None)
    v = _short(value)
    lf, le = label
    if v:
        subj_fr, subj_en = (
            (f"La valeur {v} de « {lf} »", f"The value {v} of '{le}'") if lf else (f"La valeur {v}", f"The value {v}")
        )
    else:
        subj_fr, subj_en = (f"Une valeur de « {lf} »", f"A value of '{le}'") if lf else ("La ressource", "The resource")
    c = component
    if c in ("MinCount", "QualifiedMinCount"):
        n = int(param(SH.minCount if c == "MinCount" else SH.qualifiedMinCount) or 1)
        extra_fr, extra_en = ("conforme(s) ", "conforming ") if c.startswith("Qualified") else ("", "")
        if n == 1:
            return (
                f"Ajoutez au moins une valeur {extra_fr}pour « {lf} ».",
                f"Add at least one {extra_en}value for '{le}'.",
            )
        return (
            f"Ajoutez au moins {n} valeurs {extra_fr}pour « {lf} ».",
            f"Add at least {n} {extra_en}values for '{le}'.",
        )
    if c in ("MaxCount", "QualifiedMaxCount"):
        n = int(param(SH.maxCount if c == "MaxCount" else SH.qualifiedMaxCount) or 0)
        if n == 0:
            return (
                f"Retirez « {lf} » : cette propriété n'est pas permise ici.",
                f"Remove '{le}': this property is not allowed here.",
            )
        if n == 1:
            return (
                f"Gardez une seule valeur pour « {lf} » et retirez les autres.",
                f"Keep a single value for '{le}' and remove the others.",
            )
        return (f"Gardez au plus {n} valeurs pour « {lf} ».", f"Keep at most {n} values for '{le}'.")
    if c == "Class":
        cls = curie(param(SH["class"]))
        if term and v:
            return (
                f"Le terme {v} (« {lf} ») doit aussi être déclaré de la classe {cls} dans la fiche : "
                f"ajoutez le triplet <{v}> rdf:type {cls}.",
                f"The term {v} ('{le}') must also be declared a {cls} in the record: "
                f"add the triple <{v}> rdf:type {cls}.",
            )
        return (
            f"{subj_fr} doit être de la classe {cls} : utilisez un terme du vocabulaire contrôlé attendu, "
            f"ou déclarez son type (rdf:type {cls}).",
            f"{subj_en} must be a {cls}: use a term of the expected controlled vocabulary, "
            f"or declare its type (rdf:type {cls}).",
        )
    if c == "Datatype":
        dt = curie(param(SH.datatype))
        example = f" (par exemple {EXAMPLES[dt]}^^{dt})" if dt in EXAMPLES else ""
        example_en = f" (for example {EXAMPLES[dt]}^^{dt})" if dt in EXAMPLES else ""
        return (
            f"{subj_fr} doit avoir le type de donnée {dt}{example}.",
            f"{subj_en} must have datatype {dt}{example_en}.",
        )
    if c == "NodeKind":
        kind = str(param(SH.nodeKind) or "").rsplit("#", 1)[-1]
        fr, en = KINDS.get(kind, (kind, kind))
        return (f"{subj_fr} doit être {fr}.", f"{subj_en} must be {en}.")
    if c == "Pattern":
        pattern = param(SH.pattern)
        return (
            f"{subj_fr} n'a pas la forme attendue (expression régulière {pattern}).",
            f"{subj_en} does not have the expected form (pattern {pattern}).",
        )
    if c == "In":
        allowed = ", ".join(_term(x) for x in _list(shapes, param(SH["in"]))[:12])
        return (f"{subj_fr} doit être l'une de : {allowed}.", f"{subj_en} must be one of: {allowed}.")
    if c == "HasValue":
        hv = _term(param(SH.hasValue))
        return (f"« {lf} » doit contenir la valeur {hv}.", f"'{le}' must include the value {hv}.")
    if c == "LanguageIn":
        langs = ", ".join(str(x) for x in _list(shapes, param(SH.languageIn)))
        return (
            f"{subj_fr} doit être dans l'une des langues : {langs}.",
            f"{subj_en} must be in one of the languages: {langs}.",
        )
    if c == "UniqueLang":
        return (
            f"« {lf} » a plusieurs valeurs dans la même langue : gardez-en une par langue.",
            f"'{le}' has several values in the same language: keep one per language.",
        )
    if c in ("MinLength", "MaxLength"):
        n = param(SH.minLength if c == "MinLength" else SH.maxLength)
        word_fr, word_en = ("au moins", "at least") if c == "MinLength" else ("au plus", "at most")
        return (f"{subj_fr} doit compter {word_fr} {n} caractères.", f"{subj_en} must have {word_en} {n} characters.")
    bounds = {
        "MinInclusive": (SH.minInclusive, "≥"),
        "MaxInclusive": (SH.maxInclusive, "≤"),
        "MinExclusive": (SH.minExclusive, ">"),
        "MaxExclusive": (SH.maxExclusive, "<"),
    }
    if c in bounds:
        prop, sign = bounds[c]
        return (f"{subj_fr} doit être {sign} {param(prop)}.", f"{subj_en} must be {sign} {param(prop)}.")
    if c in ("Node", "Or", "Xone", "And", "Not"):
        target = param(SH.node) if c == "Node" else shape
        types = _or_datatypes(shapes, target) if target is not None else []
        if types:
            listed = ", ".join(types)
            return (
                f"{subj_fr} doit avoir l'un des types de donnée : {listed}.",
                f"{subj_en} must have one of the datatypes: {listed}.",
            )
        name = shapes.value(target, RDFS.label) if target is not None else None
        name = str(name) if name is not None else (curie(target) if isinstance(target, URIRef) else "")
        named_fr, named_en = (f" « {name} »", f" '{name}'") if name else ("", "")
        if details:
            why_fr = " ; ".join(dict.fromkeys(_lower(fr.rstrip(".")) for fr, _ in details))
            why_en = "; ".join(dict.fromkeys(_lower(en.rstrip(".")) for _, en in details))
            return (
                f"{subj_fr} ne respecte pas les règles{named_fr} : {why_fr}.",
                f"{subj_en} does not satisfy the rules{named_en}: {why_en}.",
            )
        return (
            f"{subj_fr} ne respecte pas les règles{named_fr} : voir les autres problèmes signalés.",
            f"{subj_en} does not satisfy the rules{named_en}: see the other problems reported.",
        )
    if c == "Closed":
        return (
            f"Retirez « {lf} » : cette propriété n'est pas permise ici.",
            f"Remove '{le}': this property is not allowed here.",
        )
    return (
        f"{subj_fr} ne respecte pas la contrainte {c}.",
        f"{subj_en} does not satisfy the {c} constraint.",
    )


CARDINALITY = {"MinCount", "MaxCount"}


def _mixed(shapes: Graph, shape: Node, component: str) -> bool:
    """The shape's message was written for its cardinality but another of its constraints failed
    (e.g. "Each dcat:Dataset must have at least one dcat:distribution." for a distribution that
    does not satisfy :Distribution_Shape): a generated message is then more accurate."""
    has_cardinality = any(True for p in (SH.minCount, SH.maxCount) for _ in shapes.objects(shape, p))
    return has_cardinality and component not in CARDINALITY


def messages(
    shapes: Graph,
    shape: Node | None,
    component: str,
    label: tuple[str, str],
    value: str | None,
    term: bool = False,
    details: tuple = (),
):
    """(fr, en): the shape's own messages first, generated ones for what is missing."""
    fr, en = own_message(shapes, shape, "fr"), own_message(shapes, shape, "en")
    if shape is not None and (fr or en) and _mixed(shapes, shape, component):
        fr = en = None
    if component == "Node" and shape is not None and not (fr and en):
        for nested in shapes.objects(shape, SH.node):
            fr = fr or own_message(shapes, nested, "fr")
            en = en or own_message(shapes, nested, "en")
    if fr and en:
        return fr, en
    built_fr, built_en = build(shapes, shape, component, label, value, term, details)
    return fr or built_fr, en or built_en
