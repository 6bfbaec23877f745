"""Who sees what, in headless Chromium: donors' links, refusals, nobody signed in."""

import pytest

from tests.conftest import tampered
from tests.e2e.conftest import (
    exceptions_shown,
    screenshot,
    share_link,
    signed_in,
    wait_until_rendered,
)

pytestmark = pytest.mark.e2e


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def sidebar_text(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_nobody_signed_in_gets_the_sign_in_form_only(server, page):
    page.goto(f"{server}/indicators")
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert page.get_by_role("heading", name="Sign in to the").count() == 1
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    screenshot(page, "access-sign-in")


def test_a_donor_link_opens_its_scoped_view_and_keeps_it_across_pages(server, page):
    page.goto(share_link(server, "Jizzakh only"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "Programme overview" in main_text(page)
    sidebar = sidebar_text(page)
    assert "Jizzakh only" in sidebar and "Regions: UZ-JI" in sidebar
    assert "Data upload" not in sidebar and "Administration" not in sidebar
    screenshot(page, "access-donor-overview")

    page.get_by_test_id("stSidebar").get_by_role("link", name="Regional map").click()
    page.get_by_role("heading", name="Regional map").first.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "share=" in page.url, "the scope stays in the address: a bookmark keeps working"
    assert "Jizzakh only" in sidebar_text(page)

    page.goto(page.url)  # the bookmark, opened again in a new session
    wait_until_rendered(page)
    assert "Jizzakh only" in sidebar_text(page)
    assert exceptions_shown(page) == []


def test_a_tampered_link_shows_a_plain_message_and_no_data(server, page):
    address, token = share_link(server, "whole programme").split("share=")
    page.goto(f"{address}share={tampered(token)}")
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "changed or copied incompletely" in main_text(page)
    assert page.get_by_test_id("stMetric").count() == 0
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    assert page.get_by_role("link", name="Overview").count() == 0
    screenshot(page, "access-tampered-link")


@pytest.mark.parametrize("address", ["upload", "admin"])
def test_a_donor_typing_the_upload_or_administration_address_is_refused(server, page, address):
    page.goto(share_link(server, "whole programme", address))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    text = main_text(page)
    assert "This page is not open to you" in text
    assert "not part of the view that was shared with you" in text
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    screenshot(page, f"access-donor-refused-{address}")


def test_a_manager_typing_the_upload_address_is_refused(server, page):
    page.goto(signed_in(f"{server}/upload", role="manager"))
    wait_until_rendered(page)
    assert "This page is not open to you" in main_text(page)
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0


def test_the_administration_page_lists_accounts_and_links(server, page):
    page.goto(signed_in(f"{server}/admin"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "Administration" in main_text(page)
    screenshot(page, "admin-accounts")
    page.get_by_role("tab", name="Share links").click()
    wait_until_rendered(page)
    screenshot(page, "admin-links")
    assert exceptions_shown(page) == []
