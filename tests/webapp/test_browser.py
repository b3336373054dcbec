"""The web UI in a real headless Chromium, against the app served by a real server thread on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from webapp_records import hostile, write_records

from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.server]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with chromium(console_log=True) as driver:
        yield driver


@pytest.fixture(scope="module")
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


def _screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def _full_page_screenshot(driver, name: str) -> Path:
    """The whole page, not just the window (Chrome DevTools protocol)."""
    import base64

    ARTIFACTS.mkdir(exist_ok=True)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _count(driver) -> int:
    from selenium.webdriver.common.by import By

    text = driver.find_element(By.CSS_SELECTOR, "#result-count strong").text
    return int("".join(c for c in text if c.isdigit()))


def _result_titles(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".result h2 a")]


def _facet_counts(driver, facet: str) -> dict[str, int]:
    from selenium.webdriver.common.by import By

    counts = {}
    for link in driver.find_elements(By.CSS_SELECTOR, f'a.facet-link[data-facet="{facet}"]'):
        badge = link.find_element(By.CSS_SELECTOR, ".count-badge").get_attribute("textContent")  # may be collapsed
        counts[link.get_attribute("data-value")] = int("".join(c for c in badge if c.isdigit()))
    return counts


def test_search_journey(browser, live_server):
    """Home -> search -> facet -> dataset page -> English, as a user would do it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 10)

    # 1) the home page
    browser.get(live_server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Catalogue national des données de santé" in browser.find_element(By.CSS_SELECTOR, ".brand-name").text
    _screenshot(browser, "home-fr.png")
    # the skip link is the first thing the keyboard reaches, and it becomes visible
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link"
    assert focused.rect["y"] >= 0

    # 2) search (typed, submitted with the keyboard)
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("registre")
    box.send_keys(Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.ID, "result-count")))
    assert "/search?q=registre" in browser.current_url
    browser.get(live_server.url + "/search")  # start from every dataset to see facets change
    total = _count(browser)
    assert total == 4
    before = _facet_counts(browser, "age")

    # 3) click a facet: the count, the results and the other facets' counts change
    link = browser.find_element(By.CSS_SELECTOR, 'a.facet-link[data-facet="health_category"][data-value$="/RQSH"]')
    expected = int("".join(c for c in link.find_element(By.CSS_SELECTOR, ".count-badge").text if c.isdigit()))
    link.click()
    wait.until(lambda d: "health_category=" in d.current_url)
    assert _count(browser) == expected == 2
    assert len(_result_titles(browser)) == 2
    assert _facet_counts(browser, "age") != before
    selected = browser.find_element(By.CSS_SELECTOR, 'a.facet-link[data-facet="health_category"][aria-current="true"]')
    assert selected.get_attribute("data-value").endswith("/RQSH")
    chips = browser.find_elements(By.CSS_SELECTOR, "a.chip")
    assert len(chips) == 1
    _screenshot(browser, "search-facet-fr.png")

    # the sort selector submits itself (the only script on the site)
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "sort")).select_by_value("title")
    wait.until(lambda d: "sort=title" in d.current_url)
    assert "health_category=" in browser.current_url
    titles = _result_titles(browser)
    assert titles == sorted(titles, key=str.casefold)

    # 4) open a dataset page
    browser.find_element(By.CSS_SELECTOR, ".result h2 a").click()
    wait.until(ec.presence_of_element_located((By.ID, "dataset-title")))
    assert "/dataset/" in browser.current_url
    assert browser.find_element(By.ID, "s-citizen").text == "Vos données"
    assert browser.find_elements(By.CSS_SELECTOR, 'script[type="application/ld+json"]')
    _screenshot(browser, "dataset-fr.png")
    _full_page_screenshot(browser, "dataset-fr-full.png")

    # 5) switch to English: same page, English text, and it is remembered
    dataset_path = browser.current_url.split("?")[0]
    browser.find_element(By.ID, "lang-en").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert browser.current_url.split("?")[0] == dataset_path
    assert browser.find_element(By.ID, "s-citizen").text == "Your data"
    assert "National health data catalogue" in browser.find_element(By.CSS_SELECTOR, ".brand-name").text
    _screenshot(browser, "dataset-en.png")
    browser.get(live_server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.find_element(By.ID, "lang-fr").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")


def test_no_console_errors_and_no_csp_violations(browser, live_server, record_ids):
    for path in ("/", "/search?q=cancer", f"/dataset/{record_ids['oncology']}"):
        browser.get(live_server.url + path)
        logs = browser.get_log("browser")
        severe = [entry for entry in logs if entry["level"] == "SEVERE"]
        assert not severe, (path, severe)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from catalogue.core import open_catalogue
    from catalogue.ingest import ingest_path
    from catalogue.settings import Settings
    from webapp import create_app

    root = tmp_path_factory.mktemp("hostile-browser")
    settings = Settings(data_dir=root / "instance", load_demo=False, base_iri="http://catalogue.test")
    catalogue = open_catalogue(settings)
    [path] = write_records(root / "src", {"hostile": hostile()})
    assert ingest_path(catalogue, path).counts["accepted"] == 1
    server = LiveServer(create_app(settings, catalogue))
    server.record_id = catalogue.records.list_metas()[0].id
    yield server
    server.stop()
    catalogue.close()


def test_hostile_record_does_not_run_in_the_browser(browser, hostile_server):
    from selenium.webdriver.common.by import By

    for path in (
        f"/dataset/{hostile_server.record_id}",
        f"/dataset/{hostile_server.record_id}?lang=en",
        "/search?q=hostile",
        "/",
    ):
        browser.get(hostile_server.url + path)
        assert browser.execute_script("return typeof window.__pwned") == "undefined", path
        hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], path
    # the text is there, shown as text
    browser.get(hostile_server.url + f"/dataset/{hostile_server.record_id}")
    title = browser.find_element(By.ID, "dataset-title").text
    assert "<script>window.__pwned=1</script>" in title
    assert "javascript:window.__pwned=2" in browser.find_element(By.TAG_NAME, "main").text
    # the JSON-LD block is still one valid JSON document holding the hostile text
    import json

    blocks = browser.find_elements(By.CSS_SELECTOR, 'script[type="application/ld+json"]')
    assert len(blocks) == 1
    data = json.loads(blocks[0].get_attribute("textContent"))
    assert "</script><script>window.__pwned=3</script>" in data["description"]
    _screenshot(browser, "hostile-record.png")


def test_keyboard_only(browser, live_server):
    """Focus is visible, facets work with Enter, and arrow keys in the sort list do not reload the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server.url + "/search?lang=fr")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # skip link
    body = browser.switch_to.active_element
    body.send_keys(Keys.ENTER)  # to main
    browser.switch_to.active_element.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.tag_name in ("input", "a", "button", "select", "summary")
    outline = browser.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];"
    )
    assert outline[0] != "none" and outline[1] != "0px", outline

    link = browser.find_element(By.CSS_SELECTOR, 'a.facet-link[data-facet="health_category"][data-value$="/RQSH"]')
    link.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: "health_category=" in d.current_url)
    assert _count(browser) == 2

    url = browser.current_url
    sort = browser.find_element(By.ID, "sort")
    sort.send_keys(Keys.ARROW_DOWN)
    time.sleep(0.5)  # a submit would have navigated by now
    assert browser.current_url == url  # moving the choice is not applying it
    browser.find_element(By.ID, "sort").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.current_url != url)
    assert "sort=" in browser.current_url and "health_category=" in browser.current_url
