"""Profile selection: every record gets DCAT-AP 3 and the national rules; datasets and
series also get the HealthDCAT-AP Release 8 set of their access level."""

from __future__ import annotations

import pytest
from rdflib import RDF, BNode, Graph, Literal, URIRef

from catalogue.validation import PROFILES, RecordError
from catalogue.validation.profiles import expand
from catalogue.vocab import ACCESS_RIGHT, DCAT, DCT

DS = URIRef("https://data.example.fr/dataset/1")


def record(kind=DCAT.Dataset, *rights) -> Graph:
    g = Graph()
    g.add((DS, RDF.type, kind))
    g.add((DS, DCT.title, Literal("Titre", lang="fr")))
    for right in rights:
        g.add((DS, DCT.accessRights, right))
        g.add((right, RDF.type, DCT.RightsStatement))  # as the official examples do
    return g


@pytest.mark.parametrize(
    ("rights", "expected"),
    [
        ((ACCESS_RIGHT.PUBLIC,), "healthdcat-ap-r8-public"),
        ((ACCESS_RIGHT.RESTRICTED,), "healthdcat-ap-r8-restricted"),
        ((ACCESS_RIGHT.NON_PUBLIC,), "healthdcat-ap-r8-non-public"),
        ((), "healthdcat-ap-r8-non-public"),
        ((ACCESS_RIGHT.CONFIDENTIAL,), "healthdcat-ap-r8-non-public"),
        ((ACCESS_RIGHT.PUBLIC, ACCESS_RIGHT.RESTRICTED), "healthdcat-ap-r8-non-public"),
    ],
)
def test_dataset_profiles_follow_access_rights(turbo, rights, expected):
    graph = record(DCAT.Dataset, *rights)
    assert turbo.profiles_for(graph) == ["dcat-ap-3", expected, "national"]
    assert turbo.profiles_for(graph, DS) == ["dcat-ap-3", expected, "national"]
    assert turbo.validate(graph).profiles == ["dcat-ap-3", expected, "national"]


def test_dataset_series_gets_a_health_set(turbo):
    graph = record(DCAT.DatasetSeries, ACCESS_RIGHT.RESTRICTED)
    assert turbo.profiles_for(graph) == ["dcat-ap-3", "healthdcat-ap-r8-restricted", "national"]


def test_data_service_gets_no_health_set(turbo):
    graph = record(DCAT.DataService, ACCESS_RIGHT.PUBLIC)
    assert turbo.profiles_for(graph) == ["dcat-ap-3", "national"]
    report = turbo.validate(graph)
    assert report.profiles == ["dcat-ap-3", "national"]
    assert not any(p.profile.startswith("healthdcat") for p in report.problems)


@pytest.mark.parametrize("rights", [(), (ACCESS_RIGHT.CONFIDENTIAL,), (URIRef("https://example.org/open"),)])
def test_bad_access_rights_give_one_clear_violation(validator, rights):
    report = validator.validate(record(DCAT.Dataset, *rights))
    about = [p for p in report.violations if p.path == str(DCT.accessRights)]
    assert [p.component for p in about] == ["AccessRights"], [p.message_en for p in about]
    problem = about[0]
    for level in ("PUBLIC", "RESTRICTED", "NON_PUBLIC"):
        assert f"access-right/{level}" in problem.message_en
        assert f"access-right/{level}" in problem.message_fr
    assert problem.profile == "healthdcat-ap-r8-non-public"
    assert problem.value == (str(rights[0]) if rights else None)


def test_good_access_rights_give_no_access_violation(validator):
    report = validator.validate(record(DCAT.Dataset, ACCESS_RIGHT.RESTRICTED))
    assert not [p for p in report.violations if p.path == str(DCT.accessRights)]


def test_profiles_argument_overrides_selection(turbo):
    graph = record(DCAT.Dataset)  # no access rights: default would be non-public + violation
    report = turbo.validate(graph, profiles=["national"])
    assert report.profiles == ["national"]
    assert not [p for p in report.problems if p.component == "AccessRights"]
    report = turbo.validate(graph, profiles=["healthdcat-ap-r8-public"])
    assert report.profiles == ["dcat-ap-3", "healthdcat-ap-r8-public"]  # requirement added
    assert turbo.validate(graph, profiles="national").profiles == ["national"]


def test_expand_orders_and_checks_names():
    assert expand(["national", "healthdcat-ap-r8-restricted"]) == (
        "dcat-ap-3",
        "healthdcat-ap-r8-restricted",
        "national",
    )
    with pytest.raises(ValueError, match="unknown validation profile"):
        expand(["dcat-ap-9"])
    with pytest.raises(ValueError, match="no validation profile"):
        expand([])
    assert {"dcat-ap-3", "national", "health-ri"} <= set(PROFILES)


def test_focus_must_be_a_single_record(turbo):
    with pytest.raises(RecordError) as empty:
        turbo.validate(Graph())
    assert "dcat:Dataset" in empty.value.message_en and "dcat:Dataset" in empty.value.message_fr
    graph = record(DCAT.Dataset)
    graph.add((URIRef("https://data.example.fr/dataset/2"), RDF.type, DCAT.Dataset))
    with pytest.raises(RecordError, match="one record at a time"):
        turbo.validate(graph)


def test_focus_ignores_nodes_the_record_points_to(turbo):
    """A dataset pointing to its data service: the dataset is the record's main resource."""
    graph = record(DCAT.Dataset, ACCESS_RIGHT.PUBLIC)
    distribution, service = BNode(), URIRef("https://data.example.fr/service/1")
    graph.add((DS, DCAT.distribution, distribution))
    graph.add((distribution, DCAT.accessService, service))
    graph.add((service, RDF.type, DCAT.DataService))
    assert turbo.validate(graph).dataset == str(DS)
