"""The query page in a real headless Chromium: highlighting, examples, Ctrl+Enter, downloads, no CSP errors."""

from __future__ import annotations

import time

import pytest

from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.server]

@pytest.fixture(scope="module")
def browser():
    with chromium(console_log=True) as driver:
        yield driver


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_editor_highlights_loads_examples_and_runs(browser, live):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live.url + "/sparql/editor?lang=en")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".sparql-editor-enhanced"))
    highlight = browser.find_element(By.ID, "sparql-highlight")
    assert highlight.find_elements(By.CSS_SELECTOR, ".tok-keyword")
    assert highlight.find_elements(By.CSS_SELECTOR, ".tok-var")
    assert highlight.find_elements(By.CSS_SELECTOR, ".tok-iri")
    textarea = browser.find_element(By.ID, "sparql-query")

    # an example replaces the query without leaving the page
    link = browser.find_element(By.CSS_SELECTOR, "a[href*='example=access']")
    link.click()
    assert "dct:accessRights" in textarea.get_attribute("value")
    assert browser.current_url.endswith("/sparql/editor?lang=en")
    assert "accessRights" in highlight.text

    # typing updates the highlighted copy; CONSTRUCT switches the download buttons to RDF formats
    textarea.clear()
    textarea.send_keys("CONSTRUCT WHERE { ?d a dcat:Dataset } LIMIT 2")
    wait_for(lambda: "CONSTRUCT" in highlight.text)
    visible = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "[data-format-kind]") if b.is_displayed()]
    assert "Turtle" in visible and "CSV" not in visible

    # Ctrl+Enter runs the query: results table in the same page
    textarea.clear()
    textarea.send_keys("SELECT ?d WHERE { ?d a dcat:Dataset } ORDER BY ?d LIMIT 3")
    textarea.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "table.sparql-table"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.sparql-table tbody tr")
    assert len(rows) == 3
    assert rows[0].find_element(By.TAG_NAME, "a").get_attribute("href").startswith("https://")
    # the query is kept in the editor after the run
    assert "LIMIT 3" in browser.find_element(By.ID, "sparql-query").get_attribute("value")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
