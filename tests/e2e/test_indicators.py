"""The outcome indicators page in headless Chromium: a shared link, filters kept in the URL."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import (
    exceptions_shown,
    screenshot,
    share_link,
    signed_in,
    wait_until_rendered,
)

pytestmark = pytest.mark.e2e


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_indicators(page, server, query: str = "") -> None:
    page.goto(signed_in(f"{server}/indicators{query}"))
    wait_until_rendered(page)


def open_detail_tab(page, name: str) -> None:
    """Click a tab of the indicator's detail (built when opened) and wait for it."""
    page.get_by_role("tab", name=name).click()
    page.get_by_role("tab", name=name, selected=True).wait_for(timeout=30_000)
    wait_until_rendered(page)


def full_screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main element, so grow the viewport."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, height + 50)})
    page.wait_for_timeout(800)
    screenshot(page, name)


def test_a_link_to_an_indicator_opens_its_table_and_detail(server, page):
    open_indicators(page, server, "?indicator=OC2.3&as_of=2022Q2")
    assert exceptions_shown(page) == []
    main = page.locator("[data-testid=stMain]")
    text = main.inner_text()
    assert "Indicator tracking table" in text
    # The detail's first tab open, the others built when clicked.
    assert page.get_by_role("tab", name="Over time and by region", selected=True).count() == 1
    assert "Not reported for 2022Q2" not in text
    # Over time and by region, drawn with Vega-Lite: the page loads no plotly.
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert charts.count() == 2
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert charts.first.get_by_label("OC2.3: actual against target by quarter (number)").count()
    over_time = charts.first.locator("svg.marks").inner_html()
    assert "3 of 3" in over_time and "Latest value" in over_time  # regions that reported
    assert "Namangan" in charts.nth(1).locator("svg.marks").inner_html()  # a region's line
    assert url_params(page).get("indicator") == ["OC2.3"]
    full_screenshot(page, "indicators-detail")
    open_detail_tab(page, "Reporting and notes")
    text = main.inner_text()
    assert "Not reported for 2022Q2" in text and "Sources of the values" in text
    assert page.locator("[data-testid=stDataFrame]").count() >= 3  # table, missing, sources
    assert url_params(page).get("indicator") == ["OC2.3"]
    full_screenshot(page, "indicators-detail-reporting")


def test_regions_written_as_codes_are_understood_and_kept_in_the_url(server, page):
    open_indicators(page, server, "?regions=UZ-JI,UZ-NG&outcome=1")
    assert exceptions_shown(page) == []
    regions = page.get_by_test_id("stMultiSelect").first.inner_text()
    assert "Jizzakh" in regions and "Namangan" in regions
    assert page.locator("[data-testid=stAlert]").filter(has_text="ignored").count() == 0
    full_screenshot(page, "indicators-regional")


def test_picking_an_indicator_is_kept_in_the_address(server, page):
    open_indicators(page, server)
    box = page.get_by_test_id("stSelectbox").filter(has_text="Indicator").last
    box.locator("input").click()
    page.keyboard.type("OC3.2")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('indicator=OC3.2')")
    chart = page.get_by_label("OC3.2: actual against target by quarter (number)")
    chart.first.wait_for(timeout=30_000)  # the detail follows the pick
    assert exceptions_shown(page) == []


def test_a_bad_address_shows_a_notice_not_an_error(server, page):
    open_indicators(page, server, "?indicator=%3Cscript%3E&from=yesterday")
    assert exceptions_shown(page) == []
    alert = page.locator("[data-testid=stAlert]").filter(has_text="ignored").first
    assert "<script>" in alert.inner_text()  # shown as written, as text
    assert page.locator("script:text('<script>')").count() == 0


def test_selecting_a_row_of_the_table_opens_that_indicator(server, page):
    open_indicators(page, server)
    table = page.get_by_test_id("stDataFrame").first
    row_height, header_height, sixth_row = 35, 35, 5  # OC2.2 is the sixth indicator
    # the selection box at the start of the row (the grid is a canvas: click by position)
    table.click(position={"x": 18, "y": header_height + sixth_row * row_height + row_height / 2})
    chart = page.get_by_label("OC2.2: actual against target by quarter (number)")
    chart.first.wait_for(timeout=30_000)
    page.wait_for_function("() => window.location.search.includes('indicator=OC2.2')")
    assert exceptions_shown(page) == []


def test_a_donor_link_shows_only_its_region_and_protects_small_counts(server, page):
    # "Jizzakh only" (tests/e2e/conftest.py); Tashkent region asked for in the address.
    page.goto(share_link(server, "Jizzakh only", "indicators") + "&indicator=OC1.2&regions=UZ-TO")
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "not available in this view" in text  # the region outside the link
    assert "Tashkent" not in text.replace("UZ-TO", "") and "Namangan" not in text
    assert "OC2.4" not in text  # the sensitive indicator
    assert "shown as “<5”" in text
    regions = page.get_by_test_id("stMultiSelect").first.inner_text()
    assert "Tashkent" not in regions
    # The charts, Vega-Lite too, over the link's region only: over time and by region.
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert charts.count() == 2 and page.locator("[data-testid=stPlotlyChart]").count() == 0
    drawn = "".join(charts.nth(i).locator("svg.marks").inner_html() for i in range(2))
    assert "Jizzakh" in drawn and "Tashkent" not in drawn and "Namangan" not in drawn
    # By sex and by age group, every value of Jizzakh's OC1.2 is a small count: said so,
    # instead of two empty charts.
    open_detail_tab(page, "By sex and age")
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Every value by sex in this view is hidden" in text
    assert "Every value by age group in this view is hidden" in text
    assert page.locator("[data-testid=stVegaLiteChart]").count() == 0
    full_screenshot(page, "indicators-donor")
    open_detail_tab(page, "Reporting and notes")
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Comments and sources are not shared in this view." in text
    assert "Tashkent" not in text.replace("UZ-TO", "") and "Namangan" not in text
