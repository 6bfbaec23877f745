"""Every page opens in headless Chromium without an exception, and no table on it offers the
toolbar's own "Download as CSV"; screenshots are kept.

That file would hold a text cell such as =HYPERLINK(...) unchanged, and a spreadsheet runs it
as a formula; the app's own downloads neutralise such cells (monitoring/reports/exports.py).
Streamlit 1.67 turns the toolbar's export off only for the whole app
(.streamlit/config.toml: client.disableDataExport); the per-page test checks every table a
page shows (in the same load as the page's other checks: a page load is most of a browser
test's time).
"""

import pytest

from tests.e2e.conftest import exceptions_shown, screenshot, signed_in, wait_until_rendered
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e
# The pages that draw with Vega-Lite only (the overview is checked in its own test below).
VEGA_ONLY = {"milestones"}


def scripts_loaded(page, name: str) -> list[str]:
    """The scripts of this page load whose address holds `name` (Streamlit loads a chart's
    script, plotly's among them, only when the page draws such a chart)."""
    return page.evaluate(
        "name => performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes(name))",
        name,
    )


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_opens_and_no_table_offers_the_toolbars_csv(server, page, spec):
    page.goto(signed_in(f"{server}/{spec.address}"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert page.locator("h1").first.inner_text().strip()
    screenshot(page, spec.url_path)
    if spec.url_path in VEGA_ONLY:
        # No plotly on these pages (its script costs a second of every load): their charts
        # are Vega-Lite's, drawn (wait_until_rendered waited for their pictures).
        assert page.locator("[data-testid=stPlotlyChart]").count() == 0
        assert page.locator("[data-testid=stVegaLiteChart] svg.marks").count() >= 2
    if spec.url_path == "upload":
        page.get_by_role("tab", name="Upload history").click()
        wait_until_rendered(page)
    if spec.url_path == "indicators":  # its first indicator in detail: charts, no plotly
        charts = page.get_by_test_id("stVegaLiteChart")
        assert charts.count() == 2  # G1 over time and by region (by sex: in its tab)
        assert "1 of 3" in charts.first.locator("svg.marks").inner_html()  # drawn, with words
        assert page.get_by_test_id("stPlotlyChart").count() == 0
        # Nor is plotly's script fetched (about a second of every load: docs/benchmarks.md).
        assert not scripts_loaded(page, "PlotlyChart")
        assert scripts_loaded(page, "VegaLiteChart"), "the check sees scripts loaded later"
    tables = [t for t in page.get_by_test_id("stDataFrame").all() if t.is_visible()]
    if spec.url_path != "indicators":  # its tables fill only once an indicator is picked
        assert tables, "every other page shows at least one table"
    for table in tables:
        table.scroll_into_view_if_needed()
        table.hover()
        # The hovered table's toolbar is there (search, full screen), without the download.
        page.locator("[data-testid=stElementToolbar]:visible").first.wait_for()
        assert page.get_by_role("button", name="Download as CSV").count() == 0


def test_overview_shows_the_sample_programme(server, page):
    page.goto(signed_in(server))
    wait_until_rendered(page)
    body = page.locator("[data-testid=stMain]").inner_text()
    assert "Programme overview" in body
    assert "Illustrative sample data" in body
    assert "18 of 18" in body
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert charts.count() == 2
    # Drawn, with their words: the statuses' icons and names, the percentages.
    assert "✔ On track" in charts.first.locator("svg.marks").inner_html()
    assert "Time elapsed" in charts.nth(1).locator("svg.marks").inner_html()
    # No plotly on the page everyone opens first (its script costs a second a load).
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert not scripts_loaded(page, "PlotlyChart")


def test_picking_an_earlier_reporting_date_updates_the_page_and_the_url(server, page):
    page.goto(signed_in(f"{server}/?as_of=2021Q3"))
    wait_until_rendered(page)
    assert "9 of 18" in page.locator("[data-testid=stMain]").inner_text()
    assert "as_of=2021Q3" in page.url


def test_a_malformed_reporting_date_in_the_url_is_ignored(server, page):
    page.goto(signed_in(f"{server}/?as_of=2031Q9%3Cscript%3E"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "18 of 18" in page.locator("[data-testid=stMain]").inner_text()


def test_a_deep_link_is_the_first_request_to_a_fresh_server(writable_server, page):
    # Page scripts live in views/, not pages/: Streamlit would serve a pages/ script bare
    # (no navigation, no reporting date) to the first visitor of a deep link after a restart.
    url, _ = writable_server
    page.goto(signed_in(f"{url}/milestones?as_of=2021Q4"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert "Reporting quarter" in sidebar
    assert "Advocacy milestones" in sidebar  # the navigation, not bare file names
    assert "as of 31 December 2021" in page.locator("[data-testid=stMain]").inner_text()


def test_a_table_downloads_as_csv_when_its_button_is_clicked(server, page):
    # The files are made on click (ui/common.downloads), not on every rerun.
    page.goto(signed_in(server))
    wait_until_rendered(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").first.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Status,Indicator,Title")
    assert download.value.suggested_filename == "needs_attention.csv"
    assert exceptions_shown(page) == []
