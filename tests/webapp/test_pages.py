"""Every route of the web UI through the Flask test client: HTML and JSON, filters, sort, paging, languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

HEALTH_CATEGORY = "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/"
RQSH = HEALTH_CATEGORY + "RQSH"


class _Page(HTMLParser):
    """The bits of a page the tests look at: tags with their attributes, and the JSON-LD blocks."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"
        if self._in_jsonld:
            self.jsonld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def page(response) -> _Page:
    assert response.content_type.startswith("text/html"), response.content_type
    return _Page(response.get_data(as_text=True))


def get_json(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.content_type == "application/json", (url, response.status_code, response.content_type)
    return response, response.get_json()


# --- layout, accessibility, headers ------------------------------------------------------------------


def test_home_page_has_search_box_facets_and_landmarks(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    doc = page(response)
    assert doc.find("html")[0]["lang"] == "fr"
    assert "Catalogue national des données de santé" in html
    for landmark in ("header", "nav", "main", "footer"):
        assert doc.find(landmark), landmark
    assert doc.find("a", href="#main", **{"class": "skip-link"})
    assert doc.find("main", id="main")
    search_input = doc.find("input", name="q")[0]
    assert doc.find("label", **{"for": search_input["id"]}), "every form control has a label"
    for facet in ("theme", "health_category", "access_rights", "publisher"):
        assert doc.find("section", **{"data-facet-name": facet}), facet
    assert "<strong>4</strong>" in html


def test_every_form_control_has_a_label(client, record_ids):
    for url in ("/", "/search?q=cancer&health_category=" + RQSH, f"/dataset/{record_ids['oncology']}", "/nope"):
        doc = page(client.get(url))
        labels = {a.get("for") for a in doc.find("label")}
        for tag in ("input", "select", "textarea"):
            for control in doc.find(tag):
                if control.get("type") in ("hidden", "submit"):
                    continue
                assert control.get("id") in labels or control.get("aria-label"), (url, control)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_except_json_ld(client, record_ids):
    for url in ("/", "/search", f"/dataset/{record_ids['oncology']}"):
        doc = page(client.get(url))
        for script in doc.find("script"):
            assert script.get("src", "").startswith("/static/") or script.get("type") == "application/ld+json", script


def test_static_files(client):
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/catalogue.js").status_code == 200


def test_healthz(client):
    response, data = get_json(client, "/healthz")
    assert response.status_code == 200
    assert data["status"] == "ok" and data["records"] == 4


# --- JSON variants ---------------------------------------------------------------------------------------


def test_home_json_by_suffix_and_by_accept(client):
    _, by_suffix = get_json(client, "/index.json")
    response, by_accept = get_json(client, "/", headers={"Accept": "application/json"})
    assert by_suffix["total"] == by_accept["total"] == 4
    assert {f["name"] for f in by_suffix["facets"]} == {"theme", "health_category", "access_rights", "publisher"}
    assert "Accept" in response.headers["Vary"]


def test_browsers_get_html(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/search", headers={"Accept": accept}).content_type.startswith("text/html")
    assert client.get("/search", headers={"Accept": "*/*"}).content_type.startswith("text/html")


def test_search_json(client):
    _, data = get_json(client, "/search.json?q=vaccination")
    assert data["total"] >= 1
    hit = data["hits"][0]
    assert hit["title"] == "Couverture vaccinale des enfants"
    assert hit["url"] == f"/dataset/{hit['id']}"
    _, english = get_json(client, "/search.json?q=vaccination&lang=en")
    assert english["hits"][0]["title"] == "Childhood vaccination coverage"


def test_dataset_json(client, record_ids):
    rid = record_ids["oncology"]
    _, data = get_json(client, f"/dataset/{rid}.json")
    _, same = get_json(client, f"/dataset/{rid}", headers={"Accept": "application/json"})
    assert data == same
    dataset = data["dataset"]
    assert dataset["title"]["fr"] == "Cohorte oncologique transfrontalière 2024"
    assert dataset["number_of_unique_individuals"] == 412000
    assert data["record"]["id"] == rid
    assert data["links"]["html"] == f"/dataset/{rid}"


# --- search: facets, chips, sort, paging -----------------------------------------------------------------


def test_search_lists_everything_by_default(client):
    _, data = get_json(client, "/search.json")
    assert data["total"] == 4 and len(data["hits"]) == 4


def test_facet_link_toggles_the_filter(client):
    doc = page(client.get("/search"))
    links = doc.find("a", **{"data-facet": "health_category", "data-value": RQSH})
    assert len(links) == 1
    href = links[0]["href"]
    assert parse_qs(urlsplit(href).query)["health_category"] == [RQSH]

    filtered = client.get(href)
    html = filtered.get_data(as_text=True)
    assert "<strong>2</strong>" in html
    doc = page(filtered)
    selected = doc.find("a", **{"data-facet": "health_category", "data-value": RQSH})[0]
    assert selected.get("aria-current") == "true"
    # the same link now removes the filter
    assert "health_category" not in parse_qs(urlsplit(selected["href"]).query)
    # a removable chip for the active filter
    chips = doc.find("a", **{"class": "chip"})
    assert len(chips) == 1 and "health_category" not in chips[0]["href"]


def test_facet_counts_follow_the_filters(client):
    _, everything = get_json(client, "/search.json")
    _, filtered = get_json(client, "/search.json?health_category=" + RQSH)
    assert filtered["total"] == 2
    values = {v["value"]: v for f in filtered["facets"] if f["name"] == "health_category" for v in f["values"]}
    assert values[RQSH]["selected"] and values[RQSH]["count"] == 2
    age = {v["value"]: v["count"] for f in filtered["facets"] if f["name"] == "age" for v in f["values"]}
    age_all = {v["value"]: v["count"] for f in everything["facets"] if f["name"] == "age" for v in f["values"]}
    assert age != age_all
    toggle = values[RQSH]["toggle"]
    assert "health_category" not in toggle


def test_two_values_of_one_facet_are_ored(client):
    _, data = get_json(client, f"/search.json?health_category={RQSH}&health_category={HEALTH_CATEGORY}EHRS")
    assert data["total"] == 3


def test_text_chip_and_clear(client):
    doc = page(client.get("/search?q=registre&health_category=" + RQSH))
    chips = doc.find("a", **{"class": "chip"})
    assert len(chips) == 2
    remove_text = [c["href"] for c in chips if "q=" not in c["href"]]
    assert remove_text and "health_category" in remove_text[0]


def test_sort_by_title_and_by_date(client):
    _, by_title = get_json(client, "/search.json?sort=title")
    titles = [h["title"] for h in by_title["hits"]]
    assert titles == sorted(titles, key=str.casefold)
    _, by_date = get_json(client, "/search.json?sort=modified")
    dates = [h["modified"] for h in by_date["hits"]]
    assert dates == sorted(dates, reverse=True)
    doc = page(client.get("/search?sort=modified"))
    assert "selected" in doc.find("option", value="modified")[0]


def test_paging(client):
    seen = []
    for number in (1, 2, 3, 4):
        _, data = get_json(client, f"/search.json?sort=title&page_size=1&page={number}")
        assert data["total"] == 4 and len(data["hits"]) == 1
        seen.append(data["hits"][0]["id"])
        assert ("prev" in data["links"]) == (number > 1)
        assert ("next" in data["links"]) == (number < 4)
    assert len(set(seen)) == 4
    doc = page(client.get("/search?sort=title&page_size=1&page=2"))
    nav = doc.find("nav", **{"class": "pagination"})
    assert nav
    assert any("page=3" in h for h in doc.hrefs())
    assert doc.find("span", **{"aria-current": "page"})


def test_page_past_the_end_is_empty_not_an_error(client):
    response = client.get("/search?page=999")
    assert response.status_code == 200
    assert "Aucun jeu de données" in response.get_data(as_text=True)


def test_bad_parameters_do_not_break_the_page(client):
    for query in (
        "page=abc",
        "page_size=-5",
        "sort=evil",
        "age_min=x",
        "page_size=100000",
        "theme=",
        "q=" + "a" * 2000,
    ):
        assert client.get("/search?" + query).status_code == 200, query


def test_age_filter(client):
    _, data = get_json(client, "/search.json?age_min=0&age_max=10")
    assert 1 <= data["total"] <= 4
    doc = page(client.get("/search?age_min=0&age_max=10"))
    chips = doc.find("a", **{"class": "chip"})
    assert len(chips) == 1 and "age_min" not in chips[0]["href"]


def test_every_search_state_is_a_shareable_url(client):
    url = f"/search?q=registre&health_category={RQSH}&sort=title&page_size=10"
    first = client.get(url).get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)
    assert first == again
    doc = page(client.get(url))
    sort_form = [f for f in doc.find("form") if "data-autosubmit" in f][0]
    assert sort_form["method"] == "get"
    hidden = {(i["name"], i["value"]) for i in doc.find("input", type="hidden")}
    assert ("health_category", RQSH) in hidden and ("q", "registre") in hidden


# --- dataset page ----------------------------------------------------------------------------------------


def test_dataset_page_shows_every_field_a_researcher_needs(client, record_ids):
    response = client.get(f"/dataset/{record_ids['oncology']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("\u202f", " ").replace("\u00a0", " ")
    for text in (
        "Cohorte oncologique transfrontalière 2024",  # title (French)
        "Cohorte de patients atteints de cancer",  # description
        "Belgian National Cancer Registry",  # publisher
        "oncology-dataset-support@example.org",  # contact point
        "Belgian Health Data Access Body",  # how to request access
        "Processing is performed under the European Health Data Space",  # legal basis
        "Secondary-use analysis for oncology service planning",  # purpose
        "Adults treated for oncology-related conditions",  # population coverage
        "1 850 000",
        "412 000",  # records and individuals (French number format)
        "18 – 99 ans",  # age range
        "2020",
        "2024",  # temporal coverage
        "Secure CSV extract",
        "CSV",
        "Secondary-use permit and secure-processing licence",  # distributions
        "https://secure-access.example.org/downloads/oncology-ehrs-2024.csv.gz",
        "https://doi.org/10.1000/example-oncology-cohort",  # related
        "National Hospital Data Custodian Service",  # who holds the data
        "The dataset is derived from linked hospital EHR systems",  # provenance
        "Vos données",
        "Qui détient les données",
        "Combien de temps",
        "31 décembre 2035",  # citizens
    ):
        assert text in html, text
    assert "Dossiers de santé électroniques" in html  # a vocabulary label in the page language


def test_dataset_page_in_english(client, record_ids):
    html = client.get(f"/dataset/{record_ids['oncology']}?lang=en").get_data(as_text=True)
    assert "Cross-border oncology EHR cohort 2024" in html
    assert "Your data" in html and "Electronic health data from EHRs" in html
    assert "1,850,000" in html


def test_dataset_json_ld(client, record_ids):
    doc = page(client.get(f"/dataset/{record_ids['oncology']}"))
    assert len(doc.jsonld) == 1
    data = json.loads(doc.jsonld[0])
    assert data["@type"] == "Dataset" and data["@context"] == "https://schema.org/"
    assert data["name"] == "Cohorte oncologique transfrontalière 2024"
    assert data["url"].endswith(f"/dataset/{record_ids['oncology']}")
    assert data["publisher"]["name"] == "Belgian National Cancer Registry"
    assert data["distribution"] and all(d["@type"] == "DataDownload" for d in data["distribution"])


def test_vocabulary_links_search_the_catalogue(client, record_ids):
    doc = page(client.get(f"/dataset/{record_ids['registry']}"))
    assert f"/search?health_category={RQSH}" in doc.hrefs()


def test_unknown_dataset_is_404_in_both_languages(client):
    response = client.get("/dataset/no-such-record")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Aucun jeu de données n'a cet identifiant" in html.replace("&#39;", "'")
    assert "Traceback" not in html
    response = client.get("/dataset/no-such-record?lang=en")
    assert response.status_code == 404
    assert "No dataset has this identifier" in response.get_data(as_text=True)
    response, data = get_json(client, "/dataset/no-such-record.json")
    assert response.status_code == 404 and data["error"]["status"] == 404
    assert data["error"]["code"] == "NotFound"


def test_unknown_page_is_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_method_not_allowed(client):
    response = client.post("/search")
    assert response.status_code == 405


# --- languages -------------------------------------------------------------------------------------------


def test_language_switch_is_remembered_and_keeps_the_url(app):
    client = app.test_client()
    doc = page(client.get(f"/search?q=registre&health_category={RQSH}"))
    switch = doc.find("a", id="lang-en")[0]["href"]
    parts = urlsplit(switch)
    assert parts.path == "/search"
    assert parse_qs(parts.query) == {"q": ["registre"], "health_category": [RQSH], "lang": ["en"]}

    response = client.get(switch)
    assert page(response).find("html")[0]["lang"] == "en"
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert "National health data catalogue" in response.get_data(as_text=True)
    # remembered without the parameter
    later = client.get("/")
    assert page(later).find("html")[0]["lang"] == "en"
    assert later.headers["Content-Language"] == "en"
    # and back to French
    back = page(later).find("a", id="lang-fr")[0]["href"]
    assert page(client.get(back)).find("html")[0]["lang"] == "fr"
    assert page(client.get("/")).find("html")[0]["lang"] == "fr"


def test_unknown_language_falls_back_to_french(client):
    response = client.get("/?lang=de")
    assert page(response).find("html")[0]["lang"] == "fr"
    assert "lang=de" not in response.headers.get("Set-Cookie", "")


def test_every_interface_string_has_a_french_translation():
    from pathlib import Path

    from webapp import search
    from webapp.i18n import FRENCH

    templates = Path(search.__file__).parent / "templates"
    used = set()
    for path in templates.glob("*.html"):
        text = path.read_text()
        used |= set(re.findall(r"""_\(\s*"([^"]+)"\s*\)""", text))
        used |= set(re.findall(r"""_\(\s*'([^']+)'\s*\)""", text))
        for singular, plural in re.findall(r"""plural\([^,]+,\s*"([^"]+)",\s*"([^"]+)"\s*\)""", text):
            used |= {singular, plural}
    used |= {label for _value, label in search.SORTS}
    assert {"result", "results", "Search", "Your data"} <= used
    missing = sorted(s for s in used if s not in FRENCH)
    assert not missing, missing


def test_french_plural_rule(client):
    from webapp.i18n import plural

    assert plural(0, "result", "results", "fr") == "résultat"
    assert plural(2, "result", "results", "fr") == "résultats"
    assert plural(0, "result", "results", "en") == "results"
    html = client.get("/search?q=zzzznothing").get_data(as_text=True)
    assert "<strong>0</strong> résultat " in html


# --- errors ----------------------------------------------------------------------------------------------


@pytest.fixture
def failing_client(web_settings, web_catalogue):
    """A second app on the same catalogue, with routes that fail on purpose."""
    from catalogue.errors import LimitExceeded
    from webapp import create_app

    app = create_app(web_settings, web_catalogue)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret path /etc/catalogue/password")

    @app.route("/too-big")
    def too_big():
        raise LimitExceeded("The input is too large.", "L'entrée est trop grande.")

    return app.test_client()


def test_unexpected_errors_never_show_a_stack_trace(failing_client):
    response = failing_client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "secret" not in html and "/etc/" not in html
    assert "Une erreur s'est produite" in html.replace("&#39;", "'")
    response = failing_client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500 and "secret" not in response.get_data(as_text=True)


def test_catalogue_errors_map_to_their_status_and_language(failing_client):
    response = failing_client.get("/too-big")
    assert response.status_code == 413
    assert "L'entrée est trop grande." in response.get_data(as_text=True).replace("&#39;", "'")
    response = failing_client.get("/too-big?lang=en", headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == "The input is too large."


def test_language_switch_never_links_to_another_site(client):
    response = client.get("/", environ_overrides={"PATH_INFO": "//evil.example/x"})
    assert response.status_code == 404
    switch = page(response).find("a", id="lang-en")[0]["href"]
    assert switch == "/evil.example/x?lang=en"


def test_dataset_page_links_back_to_the_results_it_came_from(client, record_ids):
    url = f"/dataset/{record_ids['registry']}"
    came_from = f"http://localhost/search?q=registre&health_category={RQSH}"
    doc = page(client.get(url, headers={"Referer": came_from}))
    breadcrumb = doc.hrefs()
    assert f"/search?q=registre&health_category={RQSH}" in breadcrumb
    for other in ("http://evil.example/search?q=x", "http://localhost//evil.example/search", "http://localhost/"):
        hrefs = page(client.get(url, headers={"Referer": other})).hrefs()
        assert not any("evil" in h for h in hrefs), other
