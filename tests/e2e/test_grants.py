"""The grant spending page in headless Chromium: figures, flags and filters kept in the URL."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    VIEWPORT,
    exceptions_shown,
    screenshot,
    share_link,
    signed_in,
    wait_until_rendered,
)

pytestmark = pytest.mark.e2e


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def open_grants(server, page, query: str = "") -> str:
    """Open the page at /grants?query and return the main area's text."""
    page.goto(signed_in(f"{server}/grants{query}"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    return page.locator("[data-testid=stMain]").inner_text()


def test_the_page_shows_the_s_curve_tables_and_flagged_grants(server, page):
    text = open_grants(server, page)
    assert "Grant spending" in text
    assert "Cumulative spending against the budget plan (USD)" in text
    assert "Reporting date 30 Jun 2022" in text
    assert "2 grant(s) need a look" in text
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert charts.count() == 3
    # Drawn, with their words: the series named in the legend, the bars' percentages.
    assert "Spent (cumulative)" in charts.first.locator("svg.marks").inner_html()
    assert "124%" in charts.nth(1).locator("svg.marks").inner_html()  # advocacy, over plan
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0  # no plotly loaded
    assert page.locator("[data-testid=stDataFrame]").count() >= 3
    screenshot(page, "grants-usd")


# In the S-curve, the points within 4 pixels of the reporting date's label (touching it, or
# nearly: a gap the eye can tell).
_LABEL_OVER_POINTS = """() => {
  const chart = document.querySelector('[data-testid=stVegaLiteChart] svg.marks');
  const label = Array.from(chart.querySelectorAll('.mark-text text'))
    .find(t => t.textContent.startsWith('Reporting date'));
  const box = label.getBoundingClientRect();
  return Array.from(chart.querySelectorAll('.mark-symbol path'))
    .map(p => p.getBoundingClientRect())
    .filter(r => r.right > box.left - 4 && r.left < box.right + 4
                 && r.bottom > box.top - 4 && r.top < box.bottom + 4)
    .length;
}"""


def test_the_reporting_dates_label_leaves_the_s_curves_points_clear(server, page):
    """At the programme's end (the sample's reporting date) the budget plan's last square is
    at the top right corner, where the label was drawn over it."""
    open_grants(server, page)
    assert page.evaluate(_LABEL_OVER_POINTS) == 0
    open_grants(server, page, "?from=2021Q1&to=2022Q2&as_of=2021Q2")
    assert page.evaluate(_LABEL_OVER_POINTS) == 0


def test_choosing_uzs_converts_the_page_and_is_kept_in_the_address(server, page):
    assert "as of 31 December 2021" in open_grants(server, page, "?as_of=2021Q4")
    page.get_by_test_id("stSelectbox").filter(has_text="Currency").click()
    page.get_by_role("option", name="UZS", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('currency=UZS')")
    wait_until_rendered(page)
    # The S-curve's title is drawn by Vega once the rerun's chart arrives; a read right after
    # the script ended could still find the chart in US dollars (CI, 5 December 2026).
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text(
        "Cumulative spending against the budget plan (mln UZS)", timeout=30_000
    )
    assert exceptions_shown(page) == []
    text = main.inner_text()
    assert "Budget (mln UZS)" in text
    assert "Reporting date 31 Dec 2021" in text
    assert url_params(page).get("as_of") == ["2021Q4"]
    screenshot(page, "grants-uzs")


def test_a_region_in_a_link_filters_the_grants_and_stays_in_the_address(server, page):
    text = open_grants(server, page, "?region=Namangan")
    assert "Namangan" in page.get_by_test_id("stMultiSelect").first.inner_text()
    assert page.locator("[data-testid=stAlert]").filter(has_text="ignored").count() == 0
    assert "No grant is flagged" in text  # Namangan's grants are all in order
    page.get_by_test_id("stSelectbox").filter(has_text="From quarter").click()
    page.get_by_role("option", name="2021Q3", exact=True).click()
    wait_until_rendered(page)
    page.wait_for_function("() => window.location.search.includes('from=2021Q3')")
    assert url_params(page).get("region") == ["Namangan"]
    screenshot(page, "grants-namangan")


def test_a_jizzakh_link_shows_its_small_grants_and_not_the_budget(server, page):
    page.goto(share_link(server, "Jizzakh only", "grants"))
    wait_until_rendered(page)
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "This shared view covers Jizzakh" in body
    assert "Budget against actual" not in body
    assert exceptions_shown(page) == []
    assert "33,868" in body  # awarded: G-01, G-02, G-03, G-04, G-11 (Jizzakh's)
    assert "share=" in page.url
    screenshot(page, "grants-donor-jizzakh")


def test_a_reader_west_of_greenwich_sees_the_datas_months(server, browser):
    """The S-curve's and the milestones timeline's dates are read and written in UTC: in New
    York (the donor's own time zone), midnight UTC on 1 January 2021 is still 31 December
    2020, and a chart written in the reader's time would label it "Dec 2020"."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="America/New_York")
    try:
        page = context.new_page()
        assert page.evaluate("() => new Date(Date.UTC(2021, 0, 1)).getDate()") == 31  # New York
        page.goto(signed_in(f"{server}/grants"))
        wait_until_rendered(page)
        s_curve = page.locator("[data-testid=stVegaLiteChart]").first.locator("svg.marks")
        ticks = s_curve.locator("g.role-axis-label text").all_text_contents()
        assert ticks[:3] == ["Jan 2021", "Mar 2021", "Jun 2021"], ticks
        page.goto(f"{server}/milestones")
        wait_until_rendered(page)
        timeline = page.locator("[data-testid=stVegaLiteChart]").first.locator("svg.marks")
        ticks = timeline.locator("g.role-axis-label text").all_text_contents()
        assert "Jan 2021" in ticks and "Dec 2020" not in ticks, ticks
    finally:
        context.close()
