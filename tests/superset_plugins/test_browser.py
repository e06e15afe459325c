"""Each dashboard in headless Chromium, after logging in through the login form: no chart errors.

Screenshots go to test-artifacts/screenshots/<slug>.png; with SOCIALBENCH_UPDATE_SCREENSHOTS=1
they are also copied to docs/screenshots/<slug>.png for the README.
"""
from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from superset_plugins.bundle import dashboard_slugs, load_assets
from superset_plugins.publish import make_bundle, publish

pytestmark = [pytest.mark.superset, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
DOCS = REPO / "docs" / "screenshots"
UPDATE_ENV_VAR = "SOCIALBENCH_UPDATE_SCREENSHOTS"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1600
RENDER_TIMEOUT_SECONDS = 120

# Per chart on the page: still loading, an error alert, an empty state; and native filters in error.
INSPECT_JS = """
const charts = [...document.querySelectorAll('.chart-slice[data-test-chart-name]')].map(slice => {
  const alert = slice.querySelector('.ant-alert-error, [role="alert"]');
  const container = slice.querySelector('[data-test="chart-container"]');
  return {
    name: slice.getAttribute('data-test-chart-name'),
    loading: !alert && (!container || !!slice.querySelector('[data-test="loading-indicator"]')),
    error: alert ? alert.innerText.replace(/\\s+/g, ' ').trim() : null,
    empty: !!slice.querySelector('.ant-empty, [data-test="empty-state"]'),
    drawn: !!slice.querySelector('svg, canvas, table, .header-line, .big_number, .superset-legacy-chart-big-number'),
  };
});
const filters = [...document.querySelectorAll('.ant-form-item')]
  .filter(item => item.querySelector('[data-test="filter-control-name"]') && item.querySelector('[data-test="exclamation-circle"]'))
  .map(item => item.querySelector('[data-test="filter-control-name"]').innerText + ': ' + item.innerText.split('\\n').slice(-1)[0]);
// The bottom of the dashboard's own content (the page itself grows with the window).
const bottoms = [...document.querySelectorAll('.dashboard-component')]
  .map(el => el.getBoundingClientRect().bottom + window.scrollY);
return {charts, filters, height: Math.ceil(Math.max(0, ...bottoms))};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed (make browser installs them)")
        pytest.skip(f"{CHROMIUM} and {CHROMEDRIVER} are not installed (make browser installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
        f"--window-size={WIDTH},1200",
        "--lang=da-DK",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def logged_in(browser, superset_server, published):
    """Log in the way a person does: the login form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{superset_server.url}/login/")
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "username")))
    browser.find_element(By.ID, "username").send_keys(superset_server.username)
    browser.find_element(By.ID, "password").send_keys(superset_server.password)
    browser.find_element(By.CSS_SELECTOR, '[data-test="login-button"]').click()
    WebDriverWait(browser, 30).until(lambda d: "/login" not in d.current_url)
    return browser


def render_dashboard(browser, url: str, expected_charts: int) -> dict:
    """Open a dashboard, make the window as tall as the page (so every chart is in view), wait for the charts."""
    browser.set_window_size(WIDTH, 1200)
    browser.get(url)
    deadline = time.monotonic() + RENDER_TIMEOUT_SECONDS
    state = {"charts": [], "filters": [], "height": 0}
    resized_to = 0
    settled_since = None
    while time.monotonic() < deadline:
        state = browser.execute_script(INSPECT_JS)
        if state["height"] > resized_to + 10:
            resized_to = state["height"]
            browser.set_window_size(WIDTH, resized_to + 200)
            settled_since = None
        elif len(state["charts"]) >= expected_charts and not any(c["loading"] for c in state["charts"]):
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > 2.0:  # let the charts' animations finish
                return browser.execute_script(INSPECT_JS)
        else:
            settled_since = None
        time.sleep(0.5)
    return state


def save_screenshot(browser, slug: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{slug}.png"
    browser.save_screenshot(str(path))
    if os.environ.get(UPDATE_ENV_VAR) == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{slug}.png")
    return path


def problems(state: dict) -> list[str]:
    out = [f"chart {c['name']!r}: {c['error']}" for c in state["charts"] if c["error"]]
    out += [f"chart {c['name']!r} is still loading" for c in state["charts"] if c["loading"]]
    out += [f"chart {c['name']!r} shows no data" for c in state["charts"] if c["empty"]]
    out += [f"chart {c['name']!r} drew nothing" for c in state["charts"] if not (c["error"] or c["loading"] or c["drawn"])]
    out += [f"filter {f}" for f in state["filters"]]
    return out


@pytest.mark.parametrize("slug", dashboard_slugs())
def test_the_dashboard_renders_every_chart_without_error(logged_in, superset_server, slug):
    expected = len(next(d for d in load_assets().dashboards if d["slug"] == slug)["charts"])
    state = render_dashboard(logged_in, f"{superset_server.url}/superset/dashboard/{slug}/", expected)
    save_screenshot(logged_in, slug)
    assert len(state["charts"]) == expected
    assert problems(state) == []


def test_a_chart_error_and_an_empty_chart_are_detected(logged_in, superset_server, superset_client):
    """The check above can fail: one chart asks for a column its dataset lacks, one finds no rows."""
    slug = dashboard_slugs()[0]
    dashboard = next(d for d in load_assets().dashboards if d["slug"] == slug)
    titles = {c["key"]: c["title"] for c in dashboard["charts"]}
    broken, empty = titles["sources"], titles["rank_table"]

    def spoil(relative: str, config: dict) -> None:
        if relative.startswith("charts/") and config.get("slice_name") == broken:
            config["params"]["all_columns"] = ["no_such_column"]
        if relative.startswith("charts/") and config.get("slice_name") == empty:
            config["params"]["adhoc_filters"].append({"expressionType": "SQL", "sqlExpression": "1 = 0", "clause": "WHERE"})

    database = superset_client.find_database("socialbench")
    bundle = make_bundle(superset_server.warehouse_url, "socialbench", database["uuid"], True)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            config = yaml.safe_load(source.read(info))
            spoil(info.filename.split("/", 1)[1], config)
            target.writestr(info, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    superset_client.import_bundle(out.getvalue())
    try:
        state = render_dashboard(logged_in, f"{superset_server.url}/superset/dashboard/{slug}/", len(dashboard["charts"]))
        found = sorted(problems(state))
        assert len(found) == 2, found
        assert found[0].startswith(f"chart {broken!r}: ") and "no_such_column" in found[0]
        assert found[1] == f"chart {empty!r} shows no data"
    finally:
        publish(superset_client, superset_server.warehouse_url, synthetic=True)
