"""No table on any page offers the toolbar's own "Download as CSV".

That file would hold a text cell such as =HYPERLINK(...) unchanged, and a spreadsheet runs it
as a formula; the app's own downloads neutralise such cells (monitoring/reports/exports.py).
Streamlit 1.67 turns the toolbar's export off only for the whole app
(.streamlit/config.toml: client.disableDataExport); this checks every table a page shows.
"""

import pytest

from tests.e2e.conftest import exceptions_shown, signed_in, wait_until_rendered
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_table_offers_the_toolbars_csv_download(server, page, spec):
    page.goto(signed_in(f"{server}/{spec.address}"))
    page.get_by_test_id("stSidebar").get_by_text("Reporting quarter", exact=True).wait_for(
        timeout=60_000
    )  # signed in, page drawn
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    if spec.url_path == "upload":
        page.get_by_role("tab", name="Upload history").click()
        wait_until_rendered(page)
    tables = [t for t in page.get_by_test_id("stDataFrame").all() if t.is_visible()]
    if spec.url_path != "indicators":  # its tables fill only once an indicator is picked
        assert tables, "every other page shows at least one table"
    for table in tables:
        table.scroll_into_view_if_needed()
        table.hover()
        # The hovered table's toolbar is there (search, full screen), without the download.
        page.locator("[data-testid=stElementToolbar]:visible").first.wait_for()
        assert page.get_by_role("button", name="Download as CSV").count() == 0
