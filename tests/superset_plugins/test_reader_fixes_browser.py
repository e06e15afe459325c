"""Issue 14 in headless Chromium: what a leader sees on the dashboards.

The ECharts options a chart was drawn with are read through React's fiber of the chart's
container (`ECHARTS_OPTIONS_JS`): the axis type, the axis label formatter (called on the
drawn data), each series' name and colour. Uses the session's Superset and the browser and
login of test_browser.py. Screenshots: test-artifacts/screenshots/reader-*.png.
"""
from __future__ import annotations

import pytest

from superset_plugins.bundle import load_assets
from tests.superset_plugins.test_browser import ARTIFACTS, browser, logged_in, problems, render_dashboard  # noqa: F401

pytestmark = [pytest.mark.superset, pytest.mark.browser]

# Per ECharts chart (by its title): the category/time axis' type, the labels its formatter
# gives the points of the first series, and every series' name, colour and points.
ECHARTS_OPTIONS_JS = """
const out = {};
for (const slice of document.querySelectorAll('.chart-slice[data-test-chart-name]')) {
  const el = slice.querySelector('[_echarts_instance_]');
  if (!el) continue;
  let fiber = el[Object.keys(el).find(k => k.startsWith('__reactFiber'))];
  let options = null;
  while (fiber && !options) {
    const props = fiber.memoizedProps;
    if (props && props.echartOptions) options = props.echartOptions;
    fiber = fiber.return;
  }
  if (!options) continue;
  const xAxis = Array.isArray(options.xAxis) ? options.xAxis[0] : options.xAxis;
  const yAxis = Array.isArray(options.yAxis) ? options.yAxis[0] : options.yAxis;
  const point = d => Array.isArray(d) ? d : (d && d.value !== undefined ? d.value : d);
  const series = (options.series || []).map(s => ({
    name: s.name === undefined ? null : s.name,
    type: s.type,
    color: (s.itemStyle && s.itemStyle.color) || (s.lineStyle && s.lineStyle.color) || null,
    points: (s.data || []).map(point),
  }));
  const horizontal = xAxis && xAxis.type === 'value';
  const axis = horizontal ? yAxis : xAxis;
  const format = axis && axis.axisLabel && axis.axisLabel.formatter;
  const labels = typeof format === 'function' && series.length
    ? series[0].points.map(p => String(format(Array.isArray(p) ? p[horizontal ? 1 : 0] : p))) : [];
  out[slice.getAttribute('data-test-chart-name')] = {axisType: axis ? axis.type : null, labels, series};
}
return out;
"""


def chart_title(slug: str, key: str) -> str:
    dashboard = next(d for d in load_assets().dashboards if d["slug"] == slug)
    return next(c["title"] for c in dashboard["charts"] if c["key"] == key)


def open_dashboard(driver, server, slug: str) -> dict:
    expected = len(next(d for d in load_assets().dashboards if d["slug"] == slug)["charts"])
    state = render_dashboard(driver, f"{server.url}/superset/dashboard/{slug}/", expected)
    assert problems(state) == []
    return driver.execute_script(ECHARTS_OPTIONS_JS)


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"reader-{name}.png"))


def test_a_settlement_run_on_31_december_is_labelled_31_december(logged_in, superset_server):
    charts = open_dashboard(logged_in, superset_server, "incitamentsafregning")
    screenshot(logged_in, "incitamentsafregning")
    chart = charts[chart_title("incitamentsafregning", "payout_by_date")]
    # one label per run, on the run (not on a tick of a time axis: that said "2026-01")
    assert chart["axisType"] == "category"
    assert chart["labels"] == ["31. dec. 2025"], chart["labels"]  # Danish short months end with a full stop (not maj)


def test_monthly_and_yearly_axes_are_labelled_in_danish(logged_in, superset_server):
    charts = open_dashboard(logged_in, superset_server, "styringscockpit")
    screenshot(logged_in, "styringscockpit")
    months = charts[chart_title("styringscockpit", "active_grants")]
    assert months["axisType"] == "time"
    danish = {"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
    assert months["labels"] and all(
        label.split()[0].rstrip(".") in danish and label.split()[1].isdigit() for label in months["labels"]
    ), months["labels"][:5]
    assert "jan. 2025" in months["labels"], months["labels"]
    years = charts[chart_title("styringscockpit", "budget_vs_actual")]
    assert years["labels"] and all(label.isdigit() and len(label) == 4 for label in years["labels"]), years["labels"]


FILTER_ITEM_JS = """
const items = [...document.querySelectorAll('.ant-form-item')]
  .filter(item => { const n = item.querySelector('[data-test="filter-control-name"]'); return n && n.innerText.trim() === arguments[0]; });
return items.length ? items[0] : null;
"""


def filter_value(driver, label: str) -> str:
    item = driver.execute_script(FILTER_ITEM_JS, label)
    found = item.find_elements("css selector", ".ant-select-selection-item")
    return " ".join(e.text for e in found).strip()


def type_in_filter(driver, label: str, text: str, *, choose: str | None = None) -> None:
    """Type into a native filter's select; click the option `choose` or press Enter."""
    import time

    from selenium.webdriver.common.keys import Keys

    item = driver.execute_script(FILTER_ITEM_JS, label)
    assert item is not None, f"no filter {label!r}"
    item.find_element("css selector", ".ant-select-selector").click()
    box = item.find_element("css selector", "input")
    box.send_keys(text)
    time.sleep(1.5)
    if choose is None:
        box.send_keys(Keys.ENTER)
    else:
        deadline = time.monotonic() + 15
        while True:
            options = [o for o in driver.find_elements("css selector", ".ant-select-item-option")
                       if o.get_attribute("title") == choose and o.is_displayed()]
            if options or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert options, f"filter {label!r} offers no {choose!r}"
        options[0].click()
    time.sleep(0.5)
    box.send_keys(Keys.ESCAPE)


def apply_filters(driver) -> None:
    import time

    buttons = driver.find_elements("css selector", '[data-test="filter-bar__apply-button"]')
    if buttons and buttons[0].is_enabled():
        buttons[0].click()
    time.sleep(1)


def wait_for_charts(driver, slug: str) -> dict:
    import time

    expected = len(next(d for d in load_assets().dashboards if d["slug"] == slug)["charts"])
    deadline = time.monotonic() + 60
    from tests.superset_plugins.test_browser import INSPECT_JS

    while time.monotonic() < deadline:
        state = driver.execute_script(INSPECT_JS)
        if len(state["charts"]) >= expected and not any(c["loading"] for c in state["charts"]):
            time.sleep(2.5)
            return driver.execute_script(INSPECT_JS)
        time.sleep(0.5)
    return driver.execute_script(INSPECT_JS)


def drawn_colours(charts: dict) -> dict[str, set[str]]:
    """{series name: the colours it is drawn in} over all ECharts charts."""
    out: dict[str, set[str]] = {}
    for chart in charts.values():
        for series in chart["series"]:
            if series["name"] and series["color"]:
                out.setdefault(series["name"], set()).add(str(series["color"]).upper())
    return out


def assert_fixed_colours(charts: dict) -> None:
    from superset_plugins import colors

    drawn = drawn_colours(charts)
    expected = {"Kommunen": colors.MUNICIPALITY, "Sammenligningskommuner, gennemsnit": colors.PEER_MEAN,
                "Sammenligningskommuner, median": colors.PEER_MEDIAN}
    for name, colour in expected.items():
        assert drawn.get(name) == {colour.upper()}, (name, drawn.get(name))


def test_series_keep_their_colours_across_dashboards_and_selections(logged_in, superset_server):
    from superset_plugins import colors

    voksne = open_dashboard(logged_in, superset_server, "voksne-benchmark")
    assert_fixed_colours(voksne)
    drawn = drawn_colours(voksne)
    assert drawn["Priseffekt (kr.)"] == {colors.PRICE.upper()}
    assert drawn["Mængdeeffekt (kr.)"] == {colors.QUANTITY.upper()}
    boern = open_dashboard(logged_in, superset_server, "boern-unge-benchmark")
    assert_fixed_colours(boern)
    # another municipality: other figures, other order of the series, the same colours
    first = filter_value(logged_in, "Kommune")
    other = "Aarhus" if first != "Aarhus" else "Aalborg"
    type_in_filter(logged_in, "Kommune", other[:4], choose=other)
    apply_filters(logged_in)
    state = wait_for_charts(logged_in, "boern-unge-benchmark")
    assert filter_value(logged_in, "Kommune") == other
    assert problems(state) == []
    screenshot(logged_in, "colours-other-municipality")
    assert_fixed_colours(logged_in.execute_script(ECHARTS_OPTIONS_JS))


@pytest.mark.parametrize("text", ["Syddj", "Xyzzy"])
def test_a_select_filter_creates_no_value_from_typed_text(logged_in, superset_server, text):
    """Typing part of a name (or nonsense) and Enter applies no free-text value: the filter
    keeps a real municipality and every chart still shows data."""
    from socialbench import reference

    slug = "boern-unge-benchmark"
    open_dashboard(logged_in, superset_server, slug)
    before = filter_value(logged_in, "Kommune")
    type_in_filter(logged_in, "Kommune", text)
    apply_filters(logged_in)
    state = wait_for_charts(logged_in, slug)
    screenshot(logged_in, f"filter-typed-{text}")
    after = filter_value(logged_in, "Kommune")
    assert after != text
    assert after in set(reference.frame("municipality")["municipality_name"]), after
    if text == "Xyzzy":  # matches nothing: nothing changes
        assert after == before
    assert problems(state) == []


def test_the_index_against_the_country_draws_a_line_at_100(logged_in, superset_server):
    from superset_plugins.query_context import REFERENCE_LINE_COLOR

    charts = open_dashboard(logged_in, superset_server, "boern-unge-benchmark")
    screenshot(logged_in, "index-reference-line")
    chart = charts[chart_title("boern-unge-benchmark", "index_trend")]
    lines = [s for s in chart["series"] if s["name"] == "Landet = 100"]
    assert len(lines) == 1, [s["name"] for s in chart["series"]]
    line = lines[0]
    assert line["type"] == "line" and str(line["color"]).upper() == REFERENCE_LINE_COLOR.upper()
    bars = [s for s in chart["series"] if s["type"] == "bar"]
    assert bars and len(line["points"]) == len(bars[0]["points"]) > 1
    assert {p[1] for p in line["points"]} == {100}


TABLE_CELLS_JS = """
const slice = [...document.querySelectorAll('.chart-slice[data-test-chart-name]')]
  .find(s => s.getAttribute('data-test-chart-name') === arguments[0]);
if (!slice) return null;
const heads = [...slice.querySelectorAll('thead th')].map(th => th.innerText.trim());
const rows = [...slice.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()));
return {heads, rows};
"""


def test_tables_show_dates_the_danish_way(logged_in, superset_server):
    open_dashboard(logged_in, superset_server, "incitamentsafregning")
    table = logged_in.execute_script(TABLE_CELLS_JS, chart_title("incitamentsafregning", "runs_table"))
    column = next(i for i, head in enumerate(table["heads"]) if head.startswith("Opgørelsesdato"))
    assert table["rows"] and {row[column] for row in table["rows"]} == {"31-12-2025"}, table["rows"][:2]
