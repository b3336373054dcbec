"""Report quality: readable FR/EN messages and labels, never a blank-node id, JSON-ready."""

from __future__ import annotations

import json

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF

from catalogue.validation import Problem, Report
from catalogue.vocab import ACCESS_RIGHT, DCAT, DCATAP, DCT, HEALTHDCATAP, VCARD

EX = Namespace("https://data.example.fr/")
DS = EX["dataset/cancer-registry"]


def small_record() -> tuple[Graph, BNode, BNode]:
    """A public dataset with two blank-node distributions, one missing dcat:accessURL."""
    from rdflib.namespace import XSD

    g = Graph()
    g.add((DS, RDF.type, DCAT.Dataset))
    for lang, title in (("fr", "Registre des cancers"), ("en", "Cancer registry")):
        g.add((DS, DCT.title, Literal(title, lang=lang)))
        g.add((DS, DCT.description, Literal(title + " (description)", lang=lang)))
    g.add((DS, DCT.accessRights, ACCESS_RIGHT.PUBLIC))
    g.add((DS, DCT.publisher, EX["org/registry"]))
    g.add((EX["org/registry"], RDF.type, FOAF.Agent))
    g.add((EX["org/registry"], FOAF.name, Literal("Registre national")))
    good, broken = BNode(), BNode()
    for dist, title in ((good, "CSV"), (broken, "Export FHIR")):
        g.add((DS, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCT.title, Literal(title, lang="fr")))
        g.add((dist, DCATAP.applicableLegislation, URIRef("http://data.europa.eu/eli/reg/2025/327/oj")))
    g.add((good, DCAT.accessURL, EX["files/registry.csv"]))
    g.add((broken, DCAT.byteSize, Literal("12 Mo")))  # not an xsd:nonNegativeInteger
    contact = BNode()
    g.add((DS, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.hasURL, EX["contact"]))
    g.add(
        (
            DS,
            HEALTHDCATAP.healthCategory,
            URIRef("https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/EHRS"),
        )
    )
    g.add((DS, DCT.issued, Literal("2024-01-15", datatype=XSD.date)))
    return g, good, broken


def _bnode_ids(graph: Graph) -> set[str]:
    return {str(n) for triple in graph for n in triple if isinstance(n, BNode)}


def test_blank_node_distribution_missing_access_url(validator):
    graph, _, broken = small_record()
    report = validator.validate(graph)
    missing = [p for p in report.violations if p.path == str(DCAT.accessURL)]
    assert len(missing) == 1, report.format_text("en")
    problem = missing[0]
    assert problem.dataset == str(DS)
    assert problem.focus_node == f"distribution 'Export FHIR' of <{DS}>"
    assert problem.focus_node_fr == f"distribution « Export FHIR » de <{DS}>"
    assert problem.property_label_fr == "dcat:accessURL (URL d'accès)"
    assert problem.property_label_en == "dcat:accessURL (access URL)"
    assert problem.component == "MinCount"
    assert problem.message_fr == "Ajoutez au moins une valeur pour « URL d'accès »."
    assert problem.message_en == "Add at least one value for 'access URL'."
    assert problem.profile == "dcat-ap-3"
    assert problem.shape == "https://semiceu.github.io/DCAT-AP/releases/3.0.0/html/shacl/shapes.ttl#Distribution_Shape"
    assert problem.value is None


def test_no_blank_node_id_anywhere(validator):
    graph, _, _ = small_record()
    report = validator.validate(graph)
    assert report.problems
    text = json.dumps(report.to_dict(), ensure_ascii=False) + report.format_text("fr") + report.format_text("en")
    for bnode_id in _bnode_ids(graph):
        assert bnode_id not in text
    for problem in report.problems:
        assert problem.message_fr and problem.message_en
        assert problem.message_fr != problem.message_en
        assert not problem.focus_node.startswith("_:") and "_:" not in problem.property_label_en


def test_wrong_datatype_message_says_what_to_write(turbo):
    graph, _, _ = small_record()
    report = turbo.validate(graph)
    (problem,) = [p for p in report.violations if p.path == str(DCAT.byteSize)]
    assert problem.component == "Datatype"
    assert problem.value == "12 Mo"
    assert "xsd:nonNegativeInteger" in problem.message_en and "xsd:nonNegativeInteger" in problem.message_fr
    assert problem.property_label_fr == "dcat:byteSize (taille en octets)"


def test_national_rules_speak_both_languages(turbo):
    graph, _, _ = small_record()
    graph.remove((DS, DCT.title, Literal("Registre des cancers", lang="fr")))
    graph.remove((DS, DCT.publisher, None))
    report = turbo.validate(graph)
    national = {p.path: p for p in report.violations if p.profile == "national"}
    assert set(national) == {str(DCT.title), str(DCT.publisher)}
    assert national[str(DCT.title)].message_fr.startswith("Ajoutez un titre en français")
    assert national[str(DCT.title)].message_en.startswith("Add a title in French")
    assert national[str(DCT.publisher)].shape == "https://w3id.org/health-catalogue/shapes/national#publisher"


def test_contact_point_without_email_is_a_warning(turbo):
    graph, _, _ = small_record()
    report = turbo.validate(graph)
    (problem,) = [p for p in report.problems if p.path == str(VCARD.hasEmail)]
    assert problem.severity == "warning"
    assert problem.focus_node == f"contact point of <{DS}>"
    assert problem.focus_node_fr == f"point de contact de <{DS}>"
    assert report.conforms is False  # accessURL and byteSize are violations
    assert problem in report.warnings and problem not in report.violations


def test_report_json_and_text(turbo):
    graph, _, _ = small_record()
    report = turbo.validate(graph)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["conforms"] is False
    assert data["profiles"] == ["dcat-ap-3", "healthdcat-ap-r8-public", "national"]
    assert data["counts"]["violation"] == len(report.violations)
    keys = set(data["problems"][0])
    assert {
        "dataset",
        "focus_node",
        "path",
        "property_label_fr",
        "property_label_en",
        "value",
        "severity",
        "message_fr",
        "message_en",
        "profile",
        "shape",
    } <= keys
    fr, en = report.format_text("fr"), report.format_text("en")
    assert fr.startswith(f"Fiche {DS} : NON conforme")
    assert en.startswith(f"Record {DS}: does NOT conform")
    assert "[violation]" in en and "[avertissement]" in fr
    assert len(fr.splitlines()) == 1 + 2 * len(report.problems)


def test_report_filters():
    def problem(severity):
        return Problem("d", "d", None, "", "", None, severity, "fr", "en", "national", None)

    report = Report("d", ["national"], [problem("warning"), problem("info")])
    assert report.conforms and bool(report)
    assert len(report.warnings) == 1 and len(report.infos) == 1 and report.violations == []
    report.problems.append(problem("violation"))
    assert not report.conforms


def test_vocabulary_terms_are_not_blamed(turbo, example):
    """The example types <…/country/BEL> as dct:Location: DCAT-AP's bbox advice is not for us."""
    report = turbo.validate(example)
    assert not [p for p in report.problems if p.focus_node.startswith("http://publications.europa.eu/resource/")]


def test_store_rewritten_integer_fails_the_profile(turbo):
    """pyoxigraph returns "012"^^xsd:nonNegativeInteger as "12"^^xsd:integer: the profiles
    reject that, so records are validated before storing and re-typed when read back
    (catalogue.vocab.REQUIRED_DATATYPES)."""
    from rdflib.namespace import XSD

    from catalogue.vocab import REQUIRED_DATATYPES

    graph, good, _ = small_record()
    graph.add((good, DCAT.byteSize, Literal("12", datatype=XSD.integer)))
    problems = [p for p in turbo.validate(graph).violations if p.path == str(DCAT.byteSize)]
    assert [p.value for p in problems if p.focus_node.startswith("distribution 'CSV'")] == ['"12"^^xsd:integer']
    graph.set((good, DCAT.byteSize, Literal("12", datatype=URIRef(REQUIRED_DATATYPES[str(DCAT.byteSize)]))))
    problems = [p for p in turbo.validate(graph).violations if p.path == str(DCAT.byteSize)]
    assert not [p for p in problems if p.focus_node.startswith("distribution 'CSV'")]
