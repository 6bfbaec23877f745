"""Who sees what, in-process: sign-in, roles, share links, refusals (docs/access.md)."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest

from monitoring.access import accounts, sessions, sharing, signin_links
from monitoring.db import Database, close_all
from monitoring.reports.status import status_text
from tests.app.conftest import TEST_COOKIES, TEST_SECRET, claim_ticket, no_exceptions, post_form
from tests.app.lazy_parts import ADMIN_TAB, open_tab
from tests.conftest import account_name, tampered
from ui import gate, session_cookie
from ui.access import USER_KEY

PASSWORD = "correct horse battery staple"


def nav(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def shows_programme_data(at) -> bool:
    charts = [at.get(kind) for kind in ("plotly_chart", "vega_lite_chart", "deck_gl_json_chart")]
    return bool(at.metric or at.dataframe or any(charts))


@pytest.fixture
def own_db(sample_db_path, tmp_path, monkeypatch):
    """A copy of the sample database the test may change; the app fixtures will use it."""
    path = tmp_path / "access.duckdb"
    shutil.copy(sample_db_path, path)

    def use(at):
        monkeypatch.setenv("MONITORING_DB", str(path))
        close_all()
        return at

    return path, use


def write(path, fn):
    close_all()
    db = Database(path)
    try:
        return fn(db)
    finally:
        db.close()


# Nobody signed in ----------------------------------------------------------------------------


def test_nobody_signed_in_sees_the_sign_in_form_and_no_data(app_as):
    at = app_as(None).run()
    no_exceptions(at)
    assert at.title[0].value.startswith("Sign in to the")
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not shows_programme_data(at)
    assert nav(at) == []


def sign_in_with_password(at, name="maria.k", password=PASSWORD):
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_signing_in_with_a_password_opens_the_dashboard(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = sign_in_with_password(use(app_as(None)), name="Maria.K")
    no_exceptions(at)
    # The page hands the browser its cookie first: nothing is shown before it has it.
    assert at.info[0].value == session_cookie.HANDING_OVER and at.html
    assert not shows_programme_data(at) and nav(at) == []
    status, headers = claim_ticket(at)
    assert status == 303 and ("location", "/") in headers
    set_cookie = next(v for k, v in headers if k == "set-cookie")
    assert set_cookie.startswith(f"{session_cookie.COOKIE}=")
    for flag in ("HttpOnly", "SameSite=strict", "Secure", "Path=/", "Max-Age=43200"):
        assert flag in set_cookie
    at.run()
    no_exceptions(at)
    assert at.title[0].value == "Programme overview"
    assert "Signed in as `maria.k` (manager)" in [c.value for c in at.sidebar.caption]
    assert "Data upload" not in nav(at) and "Administration" not in nav(at)


def new_tab(use, app_as, jar):
    """Another tab (or a reload) of the same browser: a new session with the same cookies."""
    at = use(app_as(None))
    at.session_state[TEST_COOKIES] = dict(jar)
    return at


def test_a_password_sign_in_lasts_across_reloads_and_tabs(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = sign_in_with_password(use(app_as(None)))
    claim_ticket(at)
    tab = new_tab(use, app_as, at.session_state[TEST_COOKIES]).run()
    no_exceptions(tab)
    assert tab.title[0].value == "Programme overview"
    assert "Signed in as `maria.k` (manager)" in [c.value for c in tab.sidebar.caption]


def test_a_streamlit_session_without_the_cookie_is_signed_in_as_nobody(app_as, own_db):
    """Whoever reconnects to a signed-in session's id (from an upload address in a proxy's
    log, say) has its session state but not the browser's cookie: the form, and no data."""
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = sign_in_with_password(use(app_as(None)))
    claim_ticket(at)
    at.run()
    assert at.title[0].value == "Programme overview"
    at.session_state[TEST_COOKIES] = {}  # the same session, from a client without the cookie
    at.run()
    assert at.title[0].value.startswith("Sign in to the")
    assert not shows_programme_data(at) and nav(at) == []


def test_a_forged_cookie_signs_nobody_in(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = sign_in_with_password(use(app_as(None)))
    claim_ticket(at)
    cookie = at.session_state[TEST_COOKIES][session_cookie.COOKIE]
    forged = new_tab(use, app_as, {session_cookie.COOKIE: tampered(cookie)}).run()
    assert forged.title[0].value.startswith("Sign in to the")
    assert not shows_programme_data(forged)


def test_a_ticket_gives_one_cookie_once(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = sign_in_with_password(use(app_as(None)))
    handoff = at.html[0].proto.body
    assert claim_ticket(at)[0] == 303
    ticket = handoff.split('name="ticket" value="')[1].split('"')[0]
    status, headers = post_form(session_cookie.address(), {"ticket": ticket, "next": "/"}, {})
    assert status == 400 and not [h for h in headers if h[0] == "set-cookie"]


def test_the_cookie_address_sends_the_browser_back_to_this_site_only():
    assert session_cookie._next_path("/map?as_of=2021Q4") == "/map?as_of=2021Q4"
    for elsewhere in ("https://evil.example", "//evil.example/x", "/\\evil.example", "map", ""):
        assert session_cookie._next_path(elsewhere) == "/"


def test_signing_in_without_the_cookie_address_says_how_to_start_the_dashboard(
    app_as, own_db, monkeypatch
):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    monkeypatch.delenv(session_cookie.SERVED_ENV)
    at = sign_in_with_password(use(app_as(None)))
    assert "streamlit run server.py" in at.error[0].value
    assert not shows_programme_data(at)
    link = signin_links.make_token("maria.k", secret=TEST_SECRET)
    by_link = use(app_as(None))
    by_link.query_params[signin_links.SIGNIN_PARAM] = link
    by_link.run()
    assert "streamlit run server.py" in by_link.error[0].value
    assert write(path, lambda db: signin_links.redeem(db, link, secret=TEST_SECRET)).ok, (
        "the link was not used up"
    )


def test_a_wrong_password_is_refused_in_plain_words(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = use(app_as(None)).run()
    at.text_input[0].input("maria.k")
    at.text_input[1].input("not the password at all")
    at.button[0].click().run()
    assert "do not match an account" in at.error[0].value
    assert not shows_programme_data(at)


def test_sign_out_returns_to_the_form_in_every_tab(app_as, own_db):
    _, use = own_db
    at = use(app_as("manager")).run()
    jar = at.session_state[TEST_COOKIES]
    at.button(key="sign-out").click().run()
    no_exceptions(at)
    assert at.title[0].value.startswith("Sign in to the")
    assert not shows_programme_data(at)
    assert not at.warning, "signing out needs no explanation"
    other_tab = new_tab(use, app_as, jar).run()
    assert other_tab.title[0].value.startswith("Sign in to the")


def signed_in_tab(use, app_as, name):
    at = use(app_as(None))
    at.session_state[USER_KEY] = name
    at.run()
    assert at.title[0].value == "Programme overview"
    return at


@pytest.mark.parametrize(
    ("change", "notice"),
    [
        (lambda db: accounts.change_password(db, "maria.k", PASSWORD + "!"), "password"),
        (lambda db: accounts.set_role(db, "maria.k", "staff"), "role"),
    ],
)
def test_a_changed_password_or_role_ends_the_accounts_sessions(app_as, own_db, change, notice):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    first, second = (signed_in_tab(use, app_as, "maria.k") for _ in range(2))
    write(path, change)
    for at in (first, second):
        at.run()
        assert at.title[0].value.startswith("Sign in to the")
        assert f"the {notice} of maria.k was changed" in at.warning[0].value.replace("\\", "")
        assert not shows_programme_data(at)


def test_changing_ones_own_password_keeps_the_session_that_did_it(own_db):
    path, _ = own_db

    def change(db):
        accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests")
        mine = sessions.start(db, "maria.k", sessions.PASSWORD)
        other = sessions.start(db, "maria.k", sessions.PASSWORD)
        cookies = [sessions.claim(db, s.ticket) for s in (mine, other)]
        accounts.change_password(db, "maria.k", PASSWORD + "!", keep_session=mine.session_id)
        limits = {"idle": dt.timedelta(hours=1), "maximum": dt.timedelta(hours=12)}
        return [sessions.check(db, c, **limits).ok for c in cookies]

    assert write(path, change) == [True, False]


@pytest.mark.parametrize(
    ("column", "ago", "notice"),
    [
        ("last_seen_at", dt.timedelta(minutes=61), "after 60 minutes without using"),
        ("created_at", dt.timedelta(hours=12), "lasts at most 12 hours"),
    ],
)
def test_a_session_ends_after_the_idle_time_and_the_maximum(app_as, own_db, column, ago, notice):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "maria.k", "manager", PASSWORD, by="tests"))
    at = signed_in_tab(use, app_as, "maria.k")

    def age(db):
        with db.transaction() as cur:
            cur.execute(
                f"update sign_in_sessions set {column} = {column} - ?",  # noqa: S608
                [ago + dt.timedelta(seconds=5)],
            )

    write(path, age)
    at.run()
    assert at.title[0].value.startswith("Sign in to the")
    assert notice in at.warning[0].value.replace("\\", "")


def test_a_removed_account_is_signed_out_at_its_next_click(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "temp", "manager", None, by="tests"))
    at = signed_in_tab(use, app_as, "temp")
    write(path, lambda db: accounts.remove_user(db, "temp"))
    at.run()
    assert at.title[0].value.startswith("Sign in to the")
    assert "no longer exists" in at.warning[0].value


# One-time sign-in links ------------------------------------------------------------------------


def test_a_sign_in_link_works_once(app_as, own_db):
    path, use = own_db
    token = signin_links.make_token(account_name("admin"), secret=TEST_SECRET)
    at = use(app_as(None))
    at.query_params[signin_links.SIGNIN_PARAM] = token
    at.run()
    no_exceptions(at)
    assert signin_links.SIGNIN_PARAM not in at.query_params, "never left in the address"
    assert claim_ticket(at)[0] == 303
    at.run()
    assert at.title[0].value == "Programme overview"

    again = use(app_as(None))
    again.query_params[signin_links.SIGNIN_PARAM] = token
    again.run()
    assert again.title[0].value.startswith("Sign in to the")
    assert "used already" in again.warning[0].value


def test_a_sign_in_link_with_a_share_link_opens_the_shared_view_and_is_used_up(donor_app, app_as):
    """Every token in an address is used or refused: the share link wins (it shows only its
    own view, and the address may have reached a donor), the sign-in link is used up."""
    link = signin_links.make_token(account_name("admin"), secret=TEST_SECRET)
    at = donor_app(pages=["overview"])
    at.query_params[signin_links.SIGNIN_PARAM] = link
    at.run()
    no_exceptions(at)
    assert signin_links.SIGNIN_PARAM not in at.query_params
    assert sharing.SHARE_PARAM in at.query_params
    assert nav(at) == ["Overview"], "the donor's view, not the admin's"
    assert at.warning[0].value == gate.LINK_WITH_SHARE
    handoffs = [h for h in at.html if "data-signin-handoff" in h.proto.body]
    assert not handoffs, "no sign-in cookie is handed over"

    again = app_as(None)
    again.query_params[signin_links.SIGNIN_PARAM] = link
    again.run()
    assert again.title[0].value.startswith("Sign in to the")
    assert "used already" in again.warning[0].value


def test_a_changed_sign_in_link_signs_nobody_in(app_as):
    token = signin_links.make_token(account_name("admin"), secret=TEST_SECRET)
    at = app_as(None)
    at.query_params[signin_links.SIGNIN_PARAM] = tampered(token)
    at.run()
    assert at.title[0].value.startswith("Sign in to the")
    assert "not valid" in at.warning[0].value
    assert not shows_programme_data(at)


# Roles -----------------------------------------------------------------------------------------

DASHBOARD = ["Overview", "Outcome indicators", "Regional map", "Grant spending"]


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        ("manager", []),
        ("staff", ["Data upload"]),
        ("admin", ["Data upload", "Administration"]),
    ],
)
def test_each_role_sees_its_pages(app_as, role, extra):
    at = app_as(role).run()
    no_exceptions(at)
    # Data quality: the team's, never a donor's (docs/quality.md)
    assert nav(at) == DASHBOARD + ["Advocacy milestones", "Data quality"] + extra


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_the_administration_address_is_refused_below_admin(app_as, role):
    at = app_as(role).run()
    at.switch_page("views/admin.py").run()
    no_exceptions(at)
    assert at.title[0].value == "This page is not open to you"
    assert "Administration" in at.error[0].value
    assert not at.dataframe


def test_an_admin_creates_a_share_link_on_the_page(app_as, own_db):
    _, use = own_db
    at = use(app_as("admin")).run()
    at.switch_page("views/admin.py").run()
    no_exceptions(at)
    assert at.dataframe[0].value["User name"].tolist()[:3] == [
        "test-manager",
        "test-staff",
        "test-admin",
    ]
    # Accounts that never signed in say so in the reader's words, not Streamlit's "None".
    assert at.dataframe[0].value["Last sign-in (UTC)"].isna().any()
    assert at.dataframe[0].proto.placeholder == "never"
    assert not [d for d in at.dataframe if "Label" in d.value.columns], "built when opened"
    open_tab(at, ADMIN_TAB, "Share links")
    label = next(t for t in at.text_input if t.label == "Label")
    label.input("Donor review")
    regions = next(m for m in at.multiselect if m.label.startswith("Regions"))
    regions.select("UZ-NG")
    next(b for b in at.button if b.label == "Create link").click().run()
    no_exceptions(at)
    url = at.code[0].value
    assert "/?share=" in url
    links = next(d.value for d in at.dataframe if "Label" in d.value.columns)
    row = links.iloc[0]
    assert (row.Label, row.Status, row.Regions, row.Pages) == (
        "Donor review",
        "✔ active",
        "UZ-NG",
        "all",
    )
    assert pd.isna(row["Last opened (UTC)"])
    shown = next(d for d in at.dataframe if "Label" in d.value.columns)
    assert shown.proto.placeholder == "never"  # a link not opened yet
    assert not at.warning  # no other link shares its regions

    # A link over Jizzakh reads the programme's protected cells too: nothing to warn of.
    regions = next(m for m in at.multiselect if m.label.startswith("Regions"))
    regions.set_value(["UZ-JI"])
    next(t for t in at.text_input if t.label == "Label").input("Jizzakh")
    next(b for b in at.button if b.label == "Create link").click().run()
    assert "/?share=" in at.code[0].value and not at.warning
    # One over Namangan and Andijan (outside the programme) reads other cells: the page
    # names the link it shares Namangan with.
    next(t for t in at.text_input if t.label == "Label").input("Second look")
    regions = next(m for m in at.multiselect if m.label.startswith("Regions"))
    regions.set_value(["UZ-NG", "UZ-AN"])
    next(b for b in at.button if b.label == "Create link").click().run()
    no_exceptions(at)
    assert "/?share=" in at.code[0].value
    warning = next(w.value for w in at.warning if "(Donor review)" in w.value)
    # One warning names every such link (the module's other tests may have made another).
    assert re.search(
        r"\(Donor review\) shows? some of the same regions but (is|are) protected", warning
    )
    assert "could set their figures side by side" in warning
    assert "only links over the programme's own regions" in warning
    assert not [w for w in at.warning if "(Jizzakh)" in w.value]  # it shares no region


def test_an_admin_revokes_a_link_and_it_opens_nothing(app_as, donor_app, own_db):
    path, use = own_db
    _, token = write(
        path,
        lambda db: sharing.create_share_link(db, "To revoke", "7d", by="t", secret=TEST_SECRET),
    )
    at = use(app_as("admin")).run()
    at.switch_page("views/admin.py").run()
    open_tab(at, ADMIN_TAB, "Share links")
    form_box = next(c for c in at.checkbox if c.label.startswith("I understand: the link"))
    form_box.check()
    next(b for b in at.button if b.label == "Revoke link").click().run()
    no_exceptions(at)
    assert "revoked" in at.success[0].value

    donor = use(app_as(None))
    donor.query_params[sharing.SHARE_PARAM] = token
    donor.run()
    assert "withdrawn" in donor.error[0].value
    assert not shows_programme_data(donor)


# Donors ----------------------------------------------------------------------------------------


def test_a_donor_link_opens_a_read_only_scoped_view(donor_app):
    at = donor_app(regions=["UZ-JI"], label="Mid-term review").run()
    no_exceptions(at)
    assert at.title[0].value == "Programme overview"
    assert nav(at) == DASHBOARD + ["Advocacy milestones"]
    assert "Mid-term review" in [t.value for t in at.sidebar.text]
    assert any("Regions: Jizzakh ·" in c.value for c in at.sidebar.caption)  # not UZ-JI
    assert not [b for b in at.button if b.key == "sign-out"]


def test_a_donor_link_limited_to_pages_opens_only_those(donor_app):
    at = donor_app(pages=["indicators", "map"]).run()
    no_exceptions(at)
    assert nav(at) == ["Outcome indicators", "Regional map"]
    assert at.title[0].value == "Outcome indicators", "the address without a page opens the first"
    at.switch_page("views/grants.py").run()
    assert at.title[0].value == "This page is not open to you"
    assert "not part of the view that was shared with you" in at.error[0].value


@pytest.mark.parametrize("path", ["views/upload.py", "views/admin.py"])
def test_a_donor_typing_upload_or_administration_is_refused(donor_app, path):
    at = donor_app().run()
    at.switch_page(path).run()
    no_exceptions(at)
    assert at.title[0].value == "This page is not open to you"
    assert not at.get("file_uploader") and not at.dataframe


def test_a_tampered_link_shows_a_plain_message_and_nothing_else(donor_app):
    at = donor_app()
    at.query_params[sharing.SHARE_PARAM] = tampered(at.query_params[sharing.SHARE_PARAM])
    at.run()
    no_exceptions(at)
    assert "changed or copied incompletely" in at.error[0].value
    assert not shows_programme_data(at)
    assert nav(at) == []


def test_an_expired_link_shows_nothing(app_as, own_db):
    path, use = own_db
    long_ago = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    _, token = write(
        path,
        lambda db: sharing.create_share_link(
            db, "Old", "7d", by="t", now=long_ago, secret=TEST_SECRET
        ),
    )
    at = use(app_as(None))
    at.query_params[sharing.SHARE_PARAM] = token
    at.run()
    assert "expired" in at.error[0].value
    assert not shows_programme_data(at)


def test_every_use_of_a_link_is_logged_once_per_page(app_as, own_db):
    path, use = own_db
    link_id, token = write(
        path, lambda db: sharing.create_share_link(db, "Logged", "7d", by="t", secret=TEST_SECRET)
    )
    at = use(app_as(None))
    at.query_params[sharing.SHARE_PARAM] = token
    at.run()
    at.run()  # a rerun of the same page is not a new use
    at.switch_page("views/map.py").run()
    uses = write(path, lambda db: sharing.share_link_uses(db, link_id))
    assert sorted(uses.page) == ["map", "overview"]
    assert set(uses.outcome) == {"opened"}


def test_a_signed_in_admin_opening_a_share_link_sees_the_donor_view(app_as, donor_app):
    at = donor_app(pages=["overview"])
    at.session_state[USER_KEY] = account_name("admin")
    at.run()
    assert nav(at) == ["Overview"], "a link always shows its own view, even to an admin"
    assert at.session_state[TEST_COOKIES], "though the browser holds the admin's cookie"


# The organisation's identity provider ----------------------------------------------------------

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}


def test_an_identity_provider_user_with_an_account_is_signed_in(app_as, own_db):
    path, use = own_db
    write(path, lambda db: accounts.add_user(db, "ali@example.org", "staff", None, by="t"))
    at = use(app_as(None))
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "Ali@Example.org"}
    at.run()
    no_exceptions(at)
    assert "Data upload" in nav(at)
    assert "Signed in as `ali@example.org` (staff)" in [c.value for c in at.sidebar.caption]


def test_an_identity_provider_user_without_an_account_is_refused(app_as):
    at = app_as(None)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert at.title[0].value == "No account for this sign-in"
    assert "user add stranger@example.org" in at.error[0].value
    assert not shows_programme_data(at)


def test_the_sign_in_form_offers_the_identity_provider_when_configured(app_as):
    at = app_as(None)
    at.secrets["auth"] = AUTH
    at.run()
    assert at.button[0].label == "Sign in with your organisation account"


def test_results_cached_for_one_viewer_never_reach_a_narrower_one(app_as, donor_app):
    """The caches are shared by every session of a server: the scope is part of every key."""
    from streamlit.testing.v1 import AppTest

    from monitoring.settings import ROOT

    def spent(at) -> str:
        return next(m.value for m in at.metric if m.label.startswith("Spent"))

    donor = donor_app(regions=["UZ-JI"])  # empties the caches once, here
    token = donor.query_params[sharing.SHARE_PARAM]
    manager = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    manager.session_state[USER_KEY] = account_name("manager")
    whole = spent(manager.run())

    donor.run()  # the same process and caches, after the manager filled them
    scoped = spent(donor)
    assert scoped != whole

    again = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    again.query_params[sharing.SHARE_PARAM] = token
    assert spent(again.run()) == scoped
    assert spent(manager.run()) == whole


def test_a_donor_view_names_nobody_who_uploaded(app_as, donor_app):
    manager = app_as("manager").run()
    assert "by sample data" in manager.caption[0].value
    donor = donor_app().run()
    assert "data last updated" in donor.caption[0].value
    assert " by " not in donor.caption[0].value


def test_the_overview_never_shows_a_count_that_the_indicator_pages_withhold(donor_app):
    """The overview judges each actual as the indicator pages do (over the link's regions and
    every quarter), so that no page gives away, by subtraction, a count another withholds."""
    at = donor_app(regions=["UZ-JI"])
    at.session_state["as_of"] = "2021Q4"
    at.run()
    no_exceptions(at)
    table = next(d.value for d in at.dataframe if "Indicator" in d.value.columns).set_index(
        "Indicator"
    )
    # A status judged from the actual is withheld with it; "no target for these regions"
    # says nothing of the value and stays.
    assert table.loc["OC2.1", ["Actual", "Status"]].tolist() == ["<5", status_text("no_target")]
    assert table.loc["OC2.2", ["Actual", "Status"]].tolist() == ["hidden", status_text("withheld")]
    assert table.loc[["OC2.1", "OC2.2"], "Progress %"].tolist() == ["hidden", "hidden"]
    assert any("To protect the people counted" in c.value for c in at.caption)


def test_a_donor_never_sees_the_name_of_a_community_group(app_as, donor_app):
    """A group's name can say who its members are: "Bekobod returnee families support group"."""
    name = "Bekobod returnee families support group"

    def everything(at) -> str:
        frames = " ".join(d.value.to_string() for d in at.dataframe)
        deck = " ".join(d.proto.json for d in at.get("deck_gl_json_chart"))
        return frames + deck

    manager = app_as("manager").run()
    manager.switch_page("views/grants.py").run()
    assert name in everything(manager)

    for page in ("views/grants.py", "views/map.py"):
        donor = donor_app(regions=["UZ-TO"])
        donor.run()
        donor.switch_page(page).run()
        no_exceptions(donor)
        text = everything(donor)
        assert name not in text and "returnee" not in text.lower()
        assert "a community group in Tashkent" in text
