"""Every page has one address that works; another address of a page redirects to it.

The overview is the default page, which Streamlit serves at "/": "/overview" (its name, as
every other page is addressed) sends the browser on to "/", the query parameters kept,
instead of opening Streamlit's "Page not found".
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import exceptions_shown, signed_in, wait_until_rendered
from ui.navigation import PAGES, REDIRECTS

pytestmark = pytest.mark.e2e


def test_every_page_has_an_address_and_only_the_overview_has_a_second_one():
    addresses = [p.address for p in PAGES]
    assert len(set(addresses)) == len(addresses)
    assert REDIRECTS == {"overview": ""}


@pytest.mark.parametrize("path", ["/overview", "/"])
def test_the_overview_opens_at_its_name_and_at_the_root_with_the_query_kept(server, page, path):
    page.goto(signed_in(f"{server}{path}?as_of=2021Q3"))
    page.get_by_test_id("stSidebar").get_by_text("Reporting quarter", exact=True).wait_for(
        timeout=60_000
    )  # signed in, page drawn
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    main = page.locator("[data-testid=stMain]").inner_text()
    assert "Programme overview" in main
    assert "9 of 18" in main, "the reporting date of the address was kept"
    assert page.get_by_text("Page not found").count() == 0
    address = urlsplit(page.url)
    assert address.path == "/"
    assert parse_qs(address.query)["as_of"] == ["2021Q3"]


def test_a_donors_share_link_to_overview_keeps_the_link(server, page):
    from tests.e2e.conftest import share_link

    page.goto(share_link(server, "whole programme", "overview"))
    page.get_by_test_id("stSidebar").get_by_text("Reporting quarter", exact=True).wait_for(
        timeout=60_000
    )
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "Programme overview" in page.locator("[data-testid=stMain]").inner_text()
    assert page.get_by_text("Page not found").count() == 0
    assert urlsplit(page.url).path == "/"


@pytest.mark.parametrize("path", [f"/{p.address}" for p in PAGES])
def test_a_page_finds_its_server_at_once_and_asks_no_other_host(server, page, path):
    """Opened at its own address (/indicators), a page connects to the server at the root
    straight away: it does not first look for it under /indicators (a 404 and a pause;
    ui/page_html.py). And whoever opens the dashboard is known to its own server only: no
    font, icon or script comes from elsewhere (the tab's icon is the dashboard's own, not
    one of Google's), and the map draws no basemap unless asked to (Streamlit's chart would
    otherwise fetch CARTO's style)."""
    asked: list[tuple[str, str]] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url)[1:3]))
    page.goto(signed_in(f"{server}{path}"))
    page.get_by_test_id("stSidebar").get_by_text("Reporting quarter", exact=True).wait_for(
        timeout=60_000
    )
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert {host for host, _ in asked} - {""} == {urlsplit(server).netloc}
    health = [where for _, where in asked if where.endswith("/_stcore/health")]
    assert health and set(health) == {"/_stcore/health"}
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert icon.startswith("data:image/svg+xml")
