"""Who sees what, in headless Chromium: donors' links, refusals, nobody signed in, and
sign-ins held by the browser's cookie (reloads, tabs, copied addresses, taken session ids)."""

import re
import shutil

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.conftest import TEST_PASSWORD, account_name, tampered
from tests.e2e.conftest import (
    exceptions_shown,
    screenshot,
    share_link,
    signed_in,
    streamlit_server,
    wait_until_rendered,
)
from ui.session_cookie import COOKIE

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
    assert page.get_by_test_id("stVegaLiteChart").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    screenshot(page, "access-sign-in")


def test_a_donor_link_opens_its_scoped_view_and_keeps_it_across_pages(server, page):
    page.goto(share_link(server, "Jizzakh only"))
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    assert "Programme overview" in main_text(page)
    sidebar = sidebar_text(page)
    assert "Jizzakh only" in sidebar and "Regions: Jizzakh ·" in sidebar  # its name, not UZ-JI
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
    assert page.get_by_test_id("stVegaLiteChart").count() == 0
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
    create = page.get_by_role("button", name="Create link")
    assert create.count() == 0, "the share links are built when their tab is opened"
    page.get_by_role("tab", name="Share links").click()
    create.wait_for(timeout=60_000)  # the click reran the page
    wait_until_rendered(page)
    # Under the links: whether their figures were checked (the disclosure audit) for this data.
    checked = re.compile(
        "Checked after the last change of data|Checking the figures of the active links"
    )
    page.get_by_text(checked).first.wait_for(timeout=60_000)
    screenshot(page, "admin-links")
    assert exceptions_shown(page) == []
    page.get_by_role("tab", name="Share link use").click()
    used = re.compile("No share link has been used yet|Every time a link opened a page")
    page.get_by_text(used).first.wait_for(timeout=60_000)  # whether other tests used links
    assert exceptions_shown(page) == []


# Sign-in sessions ----------------------------------------------------------------------------


def is_signed_in(page, name: str) -> bool:
    return f"Signed in as {name}" in sidebar_text(page)


def shows_sign_in_form(page) -> bool:
    return page.get_by_role("heading", name="Sign in to the").count() == 1


def sign_in_with_password(page, url: str, name: str, password: str = TEST_PASSWORD) -> None:
    page.goto(url)
    wait_until_rendered(page)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    # The page hands the browser its cookie: it posts a ticket, and loads again.
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Sign in", exact=True).click()
    wait_until_rendered(page)


def test_a_password_sign_in_survives_a_reload_and_a_new_tab_not_a_copied_address(
    server, page, browser
):
    manager = account_name("manager")
    sign_in_with_password(page, f"{server}/indicators?as_of=2021Q4", manager)
    assert exceptions_shown(page) == []
    assert page.url == f"{server}/indicators?as_of=2021Q4", "back where the sign-in began"
    assert "Outcome indicators" in main_text(page) and is_signed_in(page, manager)
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find(COOKIE) == -1, "out of the page's scripts' reach"
    screenshot(page, "access-signed-in-with-password")

    page.reload()
    wait_until_rendered(page)
    assert is_signed_in(page, manager) and not shows_sign_in_form(page)

    tab = page.context.new_page()
    tab.goto(f"{server}/map")
    wait_until_rendered(tab)
    assert is_signed_in(tab, manager) and "Regional map" in main_text(tab)

    elsewhere = browser.new_context()  # the address, copied into another browser
    try:
        other = elsewhere.new_page()
        other.goto(page.url)
        wait_until_rendered(other)
        assert shows_sign_in_form(other)
        assert other.get_by_test_id("stDataFrame").count() == 0
    finally:
        elsewhere.close()

    # Signing out in one tab signs every tab of the browser out, at its next load.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to the").wait_for(timeout=60_000)
    tab.reload()
    wait_until_rendered(tab)
    assert shows_sign_in_form(tab)


@pytest.fixture(scope="module")
def logged_server(sample_db_path, tmp_path_factory):
    """A server of its own, whose log the test reads."""
    folder = tmp_path_factory.mktemp("taken-session")
    database = folder / "monitoring.duckdb"
    shutil.copyfile(sample_db_path, database)
    log = folder / "streamlit.log"
    with streamlit_server(database, log) as url:
        yield url, log


# Replaces the session id a new page's websocket asks to reconnect to (the third entry of
# its subprotocols, as Streamlit's own client sends after a dropped connection).
TAKE_SESSION = """(() => {
  const Original = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    if (Array.isArray(protocols)) protocols = [protocols[0], protocols[1] || "x", %s];
    return new Original(url, protocols);
  };
  window.WebSocket.prototype = Original.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) window.WebSocket[k] = Original[k];
})();"""


def test_a_session_id_taken_from_a_signed_in_browser_signs_nobody_in(logged_server, browser):
    """Session ids appear in upload addresses, which proxies log. Whoever reconnects to a
    signed-in session's id gets that session (its state), but not the browser's cookie."""
    url, log = logged_server
    victim = browser.new_context().new_page()
    session_ids: list[str] = []

    def on_websocket(ws):
        def frame(payload):
            if isinstance(payload, bytes):
                msg = ForwardMsg()
                msg.ParseFromString(payload)
                if msg.HasField("new_session"):
                    session_ids.append(msg.new_session.initialize.session_id)

        ws.on("framereceived", frame)

    victim.on("websocket", on_websocket)
    admin = account_name("admin")
    sign_in_with_password(victim, f"{url}/admin", admin)
    assert is_signed_in(victim, admin)
    taken = session_ids[-1]  # the session of the page as it is now, signed in

    thief = browser.new_context()
    try:
        thief.add_init_script(TAKE_SESSION % f'"{taken}"')
        page = thief.new_page()
        page.goto(f"{url}/admin")
        wait_until_rendered(page)
        assert shows_sign_in_form(page)
        assert page.get_by_test_id("stDataFrame").count() == 0
        assert page.get_by_role("link", name="Administration").count() == 0
        screenshot(page, "access-taken-session-id")
    finally:
        thief.close()
    # The thief's connection did reach the signed-in session (Streamlit moved it over).
    assert f"Session with id {taken} is already connected" in log.read_text()
    victim.context.close()
