"""The query guard on its own: size, depth, read-only, SERVICE targets, and agreement with the engine.

The agreement tests run every tricky query the guard lets through in pyoxigraph itself, with a
canary HTTP server as the would-be SERVICE target: the canary must never be called.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from catalogue.sparql.guard import (
    DEFAULT_PREFIXES,
    FederationRefused,
    QueryRejected,
    UpdateRefused,
    decode_iri,
    guard,
    tokenize,
)

ALLOWED = "https://data.europa.eu/sparql"


def check(query, **kwargs):
    kwargs.setdefault("federation_allow", (ALLOWED,))
    return guard(query, **kwargs)


def test_query_forms_pass_and_are_recognised():
    assert check("SELECT * WHERE { ?s ?p ?o }").form == "SELECT"
    assert check("PREFIX ex: <http://ex.org/> BASE <http://b/> ask { ?s ex:p ?o }").form == "ASK"
    assert check("CONSTRUCT WHERE { ?s ?p ?o }").returns_graph
    assert check("# a comment\nDESCRIBE <http://ex.org/a>").returns_graph


def test_size_is_checked_before_anything_else():
    with pytest.raises(QueryRejected, match="20,000 bytes"):
        check("SELECT * WHERE { ?s ?p ?o }" + " " * 20_000)
    with pytest.raises(QueryRejected, match="100 bytes"):
        check("SELECT * WHERE { ?s ?p ?o }" + "#" * 100, max_bytes=100)


def test_depth_counts_brackets_outside_strings_iris_and_comments():
    deep = "SELECT * WHERE { FILTER(" + "(" * 70 + "1" + ")" * 70 + ") }"
    with pytest.raises(QueryRejected, match="64 levels"):
        check(deep)
    assert check("SELECT * WHERE { FILTER(((1))) }", max_depth=4)
    hidden = 'SELECT * WHERE { ?s ?p "' + "(" * 100 + '" } # ' + "{" * 100
    assert check(hidden, max_depth=4)
    with pytest.raises(QueryRejected):
        check("SELECT * WHERE { ?s <http://p> " + "[ <http://p> " * 70 + "1" + " ]" * 70 + " }")
    with pytest.raises(QueryRejected):
        check("SELECT * WHERE " + "{" * 5000 + "}" * 5000, max_bytes=50_000)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://g>",
        "CREATE GRAPH <http://g>",
        "ADD DEFAULT TO <http://g>",
        "MOVE <http://a> TO <http://b>",
        "COPY <http://a> TO <http://b>",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://ex/> insert data { ex:a ex:b ex:c }",
        "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
        "SELECT * WHERE { ?s ?p ?o } INSERT DATA { <http://a> <http://b> <http://c> }",
    ],
)
def test_updates_are_refused_wherever_they_hide(update):
    with pytest.raises(UpdateRefused, match="read-only"):
        check(update)


def test_update_words_inside_strings_iris_comments_and_names_are_fine():
    check('SELECT * WHERE { ?s ?p "INSERT DATA DROP ALL" ; <http://ex.org/delete> ?insert } # CLEAR ALL')
    check("PREFIX load: <http://ex.org/> SELECT * WHERE { ?s load:copy ?o }")


def test_tokenizer_knows_strings_iris_comments_and_prefixed_names():
    tokens = tokenize("""SELECT ?x WHERE { ?x ex:p\\.q 'it''s' ; <http://a#b> \"\"\"long "quoted" \"\"\" } # done""")
    kinds = [(t.kind, t.text) for t in tokens]
    assert ("pname", "ex:p\\.q") in kinds
    assert ("iri", "<http://a#b>") in kinds
    assert ("string", '"""long "quoted" """') in kinds
    assert not any(t.text.startswith("#") for t in tokens)
    with pytest.raises(QueryRejected, match="Unterminated"):
        tokenize("SELECT * WHERE { ?s ?p 'open }")
    assert decode_iri("<http://ex.org/\\u0041>") == "http://ex.org/A"


# --- SERVICE ------------------------------------------------------------------------------------


def test_allowed_service_passes_in_every_spelling():
    for query in (
        f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{ALLOWED}> {{ ?s ?p ?o }} }}",
        "PREFIX eu: <https://data.europa.eu/> SELECT * WHERE { SERVICE eu:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <https://data.europa.eu/spar\\u0071l> { ?s ?p ?o } }",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }} }}",
    ):
        assert check(query).services == (ALLOWED,)


@pytest.mark.parametrize(
    "query, reason",
    [
        ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "variable"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }", "loopback"),
        ("SELECT * WHERE { SERVICE <http://10.0.0.5/sparql> { ?s ?p ?o } }", "private"),
        ("SELECT * WHERE { SERVICE <http://[::1]:7878/query> { ?s ?p ?o } }", "loopback"),
        ("SELECT * WHERE { SERVICE <http://localhost/sparql> { ?s ?p ?o } }", "loopback"),
        ("BASE <https://data.europa.eu/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }", "relative"),
        ("PREFIX e: <https://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }", "allow-list"),
        ("SELECT * WHERE { SERVICE undeclared:x { ?s ?p ?o } }", "not declared"),
        ("SELECT * WHERE { SERVICE <https://evil.example/sparql> { ?s ?p ?o } }", "allow-list"),
        ("SELECT * WHERE { SERVICE <https://data.europa.eu/sparql?x=1> { ?s ?p ?o } }", "allow-list"),
        ("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "http"),
        ("PREFIX : <https://evil.example/> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }", "ambiguous"),
        ("PREFIX ex: <https://evil.example/> SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }", "ambiguous"),
        ("SELECT * WHERE { ?s ?p trueSERVICE <https://evil.example/> { ?s ?p ?o } }", "ambiguous"),
        ("PREFIX : <https://evil.example/> SELECT * WHERE { SERVICE SILENT:x { ?s ?p ?o } }", "SILENT"),
    ],
)
def test_services_off_the_allow_list_are_refused(query, reason):
    with pytest.raises(FederationRefused, match=reason):
        check(query)


def test_the_prefixes_the_engine_gets_are_the_ones_the_guard_used():
    guarded = check("SELECT * WHERE { ?d a dcat:Dataset }")
    assert guarded.prefixes == DEFAULT_PREFIXES
    # redeclaring a default prefix changes what it expands to, for the guard as for the engine
    with pytest.raises(FederationRefused):
        check("PREFIX dcat: <https://evil.example/> SELECT * WHERE { SERVICE dcat:sparql { ?s ?p ?o } }")


def test_iris_are_armoured_so_the_engine_cannot_read_them_differently():
    guarded = check("PREFIX ex: <http://ex.org/ns#> SELECT * WHERE { ?s a <http://ex.org/it's#x> }")
    assert "\\u0023" in guarded.text and "\\u0027" in guarded.text
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("http://ex.org/s"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://ex.org/it's#x"),
        )
    )
    assert len(list(store.query(guarded.text))) == 1  # same meaning after armouring


# Queries built to make a naive lexer and the engine disagree. Each one either is refused by the
# guard, or - run by pyoxigraph exactly as the endpoint would run it - never calls the canary.
TRICKY = [
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?a<'x)>') SERVICE <{canary}/a> {{ }} #'\n}}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?a<?b#>) '''\n}} SERVICE <{canary}/b> {{ }} #'''\n}}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?a<<{canary}/c#>) }}\n# SERVICE <{canary}/c2> {{ }}",
    "PREFIX : <{canary}/> SELECT * WHERE {{ SERVICE:d {{ }} }}",
    "PREFIX ex: <{canary}/> SELECT * WHERE {{ SERVICEex:e {{ }} }}",
    "PREFIX ex: <{canary}/> SELECT * WHERE {{ SERVICE SILENTex:f {{ }} }}",
    "SELECT * WHERE {{ ?s ?p trueSERVICE <{canary}/g> {{ }} }}",
    "SELECT * WHERE {{ ?s ?p 'x\\'' . SERVICE <{canary}/h> {{ }} }}",
    'SELECT * WHERE {{ ?s ?p "a\\u0022 . SERVICE <{canary}/i> {{ }} }} #"',
    "SELECT * WHERE {{ SERVICE <{canary}/j> {{ }} }}",
    "SELECT * WHERE {{ SERVICE <{canary_escaped}/k> {{ }} }}",
    'SELECT * WHERE {{ ?s ?p ?o . ?o ?q """x""" SERVICE <{canary}/l> {{ }} }}',
    "PREFIX e: <{canary}/> SELECT * WHERE {{ BIND(e:m AS ?x) SERVICE ?x {{ }} }}",
    "BASE <{canary}/> SELECT * WHERE {{ SERVICE <n> {{ }} }}",
]


@pytest.mark.parametrize("template", TRICKY)
def test_no_trick_reaches_the_canary(template, canary):
    escaped = canary.url.replace("1", "\\u0031")
    query = template.format(canary=canary.url, canary_escaped=escaped)
    before = len(canary.hits)
    try:
        guarded = check(query)
    except (FederationRefused, QueryRejected):
        return
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), ox.NamedNode("http://ex.org/o"))
    )
    try:
        result = store.query(guarded.text, prefixes=guarded.prefixes, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    assert len(canary.hits) == before, f"the engine called {canary.hits[before:]} for {query!r}"


def test_without_armour_the_first_trick_would_reach_the_canary(canary):
    """The control for the test above: the canary works, and armouring IRIs is what stops the trick."""
    query = TRICKY[0].format(canary=canary.url)
    guarded = check(query)
    assert guarded.services == ()  # the guard's lexer sees a string where SERVICE is
    before = len(canary.hits)
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), ox.NamedNode("http://ex.org/o"))
    )
    try:
        list(store.query(query))  # the original text, as a naive endpoint would run it
    except (OSError, RuntimeError):
        pass
    assert len(canary.hits) > before
