"""Superset's interface in Danish, in headless Chromium: the login page, a dashboard with its
filter bar and a chart's menu, and English after switching language in the menu bar.

Uses the session's Superset (started with `from superset_plugins.config import *`) and the
browser and login of test_browser.py. Screenshots: test-artifacts/screenshots/language-*.png.
"""
from __future__ import annotations

import time

import pytest

from superset_plugins.bundle import dashboard_slugs, load_assets
from tests.superset_plugins.test_browser import ARTIFACTS, browser, logged_in, render_dashboard  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.superset, pytest.mark.browser]

FILTER_BAR = '[data-test="filter-bar"]'
CHART_MENU = '[data-test="slice-header"] .ant-dropdown-trigger'
OPEN_MENU = ".ant-dropdown:not(.ant-dropdown-hidden)"


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait_for_text(driver, css: str, *texts: str, timeout: float = 30) -> str:
    """The text of the first element matching css, once it holds every one of texts."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        text = found[0].text if found else ""
        if all(t in text for t in texts):
            return text
        time.sleep(0.5)
    raise AssertionError(f"{css} did not show {texts!r} within {timeout:.0f} s; it shows: {text!r}")


def open_dashboard(driver, url: str) -> str:
    slug = dashboard_slugs()[0]
    expected = len(next(d for d in load_assets().dashboards if d["slug"] == slug)["charts"])
    render_dashboard(driver, f"{url}/superset/dashboard/{slug}/", expected)
    return slug


def chart_menu_text(driver, *texts: str) -> str:
    """Open the first chart's menu and wait until it shows texts."""
    from selenium.webdriver.common.by import By

    driver.find_elements(By.CSS_SELECTOR, CHART_MENU)[0].click()
    try:
        return wait_for_text(driver, OPEN_MENU, *texts, timeout=15)
    finally:
        driver.find_element(By.TAG_NAME, "body").send_keys("\ue00c")  # Escape


def table_search(driver) -> tuple[str, str]:
    """The first table chart's search box: its label, and the end of its placeholder ("11 rækker ...")."""
    from selenium.webdriver.common.by import By

    box = driver.find_elements(By.CSS_SELECTOR, ".dt-global-filter")[0]
    placeholder = box.find_element(By.TAG_NAME, "input").get_attribute("placeholder")
    return box.text.strip(), placeholder.split(" ", 1)[1]


def test_the_login_page_is_in_danish(browser, superset_server):  # noqa: F811 (fixture)
    browser.delete_all_cookies()
    browser.get(f"{superset_server.url}/login/")
    text = wait_for_text(browser, "body", "Log ind", "Brugernavn", "Adgangskode")
    screenshot(browser, "language-da-login")
    assert "Sign in" not in text and "Username" not in text


def test_the_dashboard_filter_bar_and_chart_menu_are_in_danish_and_english_after_switching(logged_in, superset_server):  # noqa: F811
    driver = logged_in
    try:
        open_dashboard(driver, superset_server.url)
        bar = wait_for_text(driver, FILTER_BAR, "Filtre og kontroller", "Anvend filtre", "Ryd alle")
        assert "Apply filters" not in bar
        # menu bar: the backend's catalogue (no "Edit dashboard": the published dashboards
        # are managed externally, and Superset shows no edit button for them)
        header = wait_for_text(driver, "body", "Indstillinger", "Diagrammer", "Datasæt")
        assert "Settings" not in header
        assert table_search(driver) == ("Søg", "rækker ...")
        menu = chart_menu_text(driver, "Tving opdatering", "Fuld skærm", "Vis forespørgsel", "Vis som tabel", "Del", "Download")
        assert "View query" not in menu
        screenshot(driver, "language-da-dashboard")

        # The language picker's English entry is this link (LANGUAGES["en"] -> /lang/en).
        driver.get(f"{superset_server.url}/lang/en")
        open_dashboard(driver, superset_server.url)
        bar = wait_for_text(driver, FILTER_BAR, "Filters and controls", "Apply filters", "Clear all")
        assert "Anvend filtre" not in bar
        wait_for_text(driver, "body", "Settings", "Charts", "Datasets")
        assert table_search(driver) == ("Search", "records...")
        menu = chart_menu_text(driver, "Force refresh", "Enter fullscreen", "View query", "View as table", "Share", "Download")
        assert "Vis forespørgsel" not in menu
        screenshot(driver, "language-en-dashboard")
    finally:
        driver.get(f"{superset_server.url}/lang/da")
