"""The share links' protected views are prepared in the background whenever the data changes
(and once after the server starts), so the first donor after an upload does not wait for the
disclosure audit (ui/access.py `prepare_link_views`; docs/benchmarks.md, "A donor's first
view"). A real sample database in tmp_path, a manager's page run through AppTest."""

from __future__ import annotations

import threading

import streamlit as st
from streamlit.testing.v1 import AppTest

from monitoring.access import audit, sharing
from monitoring.access import cells as pc
from monitoring.access.cells import protection_scope
from monitoring.db import Database, close_all
from monitoring.intake.batches import commit_file
from monitoring.intake.sample import load_sample
from monitoring.settings import ROOT, load_settings
from tests.app.conftest import TEST_SECRET, no_exceptions
from tests.app.lazy_parts import ADMIN_TAB, open_tab
from tests.conftest import account_name, add_test_accounts
from tests.unit.test_audit_reader import REGIONS, settings_for, small_programme
from tests.unit.upload_support import csv_bytes, reopen_everything
from ui import access
from ui.access import USER_KEY


def wait_for_preparing() -> None:
    """Until the preparation of the links' views, and every donor's page's own wait for its
    view (which goes on after the page showed the indicators done), are over."""
    for thread in threading.enumerate():
        if thread.name in (access.PREPARING, access.MAKING):
            thread.join(timeout=120)


def manager_page(monkeypatch, path) -> AppTest:
    monkeypatch.setenv("MONITORING_DB", str(path))
    monkeypatch.setenv(sharing.SECRET_ENV, TEST_SECRET)
    st.cache_data.clear()
    st.cache_resource.clear()
    close_all()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state[USER_KEY] = account_name("manager")
    return at


def test_every_active_link_scope_is_protected_before_its_donor_comes(tmp_path, monkeypatch):
    path = tmp_path / "monitoring.duckdb"
    db = Database(path)
    try:
        load_sample(db)
        add_test_accounts(db)
        link = {"by": "tests", "secret": TEST_SECRET}
        sharing.create_share_link(db, "Jizzakh", "30d", regions=["UZ-JI"], **link)
        sharing.create_share_link(  # the same regions, other pages: the same audit
            db, "Jizzakh overview", "30d", regions=["UZ-JI"], pages=["overview"], **link
        )
        sharing.create_share_link(db, "Whole programme", "30d", **link)
        # A link over a region outside the programme reads other cells: revoked, not prepared.
        gone, _ = sharing.create_share_link(db, "Andijan", "30d", regions=["UZ-AN"], **link)
        sharing.revoke_share_link(db, gone, by="tests")
    finally:
        db.close()
    programme = protection_scope(load_settings().programme.regions)  # the codes in order

    try:
        at = manager_page(monkeypatch, path)
        at.run()
        no_exceptions(at)
        wait_for_preparing()
        version, scopes = access.prepared_scopes(str(path))
        # Every active link reads the programme's cells: one scope, prepared once.
        assert scopes == (programme,)

        # New data: the next run of anyone's page prepares them again, for the new version.
        db = Database(path)
        try:
            reopen_everything(db)
            commit_file(
                db,
                csv_bytes("budget_line,category,period,amount,currency", "9.9,other,2022Q1,5,USD"),
                "budget.csv",
                load_settings(),
                by="Dilnoza",
            )
        finally:
            db.close()
        at.run()
        no_exceptions(at)
        wait_for_preparing()
        new_version, scopes = access.prepared_scopes(str(path))
        assert new_version != version
        assert scopes == (programme,)

        # A donor of the Jizzakh link is then served the prepared cells, over Jizzakh.
        prepared = access._protected_cells(str(path), new_version, programme)
        donor = access.view_for(
            access.Audience("donor", ("UZ-JI",), ("overview",), unapproved=True)
        )
        assert donor.protected.states is prepared.states
        assert donor.protected.mask(None) == prepared.mask(["UZ-JI"])
    finally:
        wait_for_preparing()
        close_all()


def sample_with_a_link(tmp_path, monkeypatch):
    """The sample in tmp_path with a share link over the whole programme, served to the
    AppTests that follow (nothing cached): (its path, the link's token, its data version)."""
    path = tmp_path / "monitoring.duckdb"
    db = Database(path)
    try:
        load_sample(db)
        add_test_accounts(db)
        _, token = sharing.create_share_link(
            db, "Whole programme", "30d", by="tests", secret=TEST_SECRET
        )
        version = access.uploads_part(access.page_version(db))
    finally:
        db.close()
    monkeypatch.setenv("MONITORING_DB", str(path))
    monkeypatch.setenv(sharing.SECRET_ENV, TEST_SECRET)
    st.cache_data.clear()
    st.cache_resource.clear()
    close_all()
    return path, token, version


def donor_overview(token: str) -> AppTest:
    """The overview as the donor of the link of `token` opens it."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params[sharing.SHARE_PARAM] = token
    at.run()
    no_exceptions(at)
    assert at.title[0].value == "Programme overview"
    return at


def test_a_donor_who_comes_while_the_links_are_prepared_waits_for_that_audit(tmp_path, monkeypatch):
    """A donor who opens a link before its view of new data is prepared waits for it (in a
    thread of the page's own, showing how many indicators the audit has done: minutes at
    1,000,000 values), then sees the page; the audit runs once for the preparation and the
    donor together."""
    path, token, version = sample_with_a_link(tmp_path, monkeypatch)
    audits, told, shown = [], [], []
    suppress = audit.secondary_suppression

    def counted(cells, **options):
        audits.append(cells.regions)
        progress = options.pop("progress")

        def tell(*how_far):
            told.append(how_far)
            progress(*how_far)
            shown.append(access.audit_progress(str(path), version))  # what the page reads

        return suppress(cells, progress=tell, **options)

    monkeypatch.setattr(audit, "secondary_suppression", counted)
    monkeypatch.setattr(access, "WAIT_QUIETLY", 0.0)  # the progress bar at once
    try:
        at = donor_overview(token)
        assert not at.get("progress"), "the bar is gone once the figures are there"
        wait_for_preparing()
        assert len(audits) == 1  # the preparation's and the donor's: one audit
        n = told[-1][1]
        assert told == [(i, n) for i in range(n + 1)] and n > 0
        assert shown == told  # while the audit ran, and nothing once it is done
        assert access.audit_progress(str(path), version) is None
    finally:
        wait_for_preparing()
        close_all()


def test_closing_the_database_stops_the_preparation_before_the_next_scope(tmp_path):
    """A server stopping (or a test ending) waits for the audit under way, not for every
    link scope's: a preparation told the database is closing prepares no further scope and
    is not recorded as done, so the next opening prepares again."""
    path = tmp_path / "monitoring.duckdb"
    db = Database(path)
    try:
        load_sample(db)
        link = {"by": "tests", "secret": TEST_SECRET}
        sharing.create_share_link(db, "Jizzakh", "30d", regions=["UZ-JI"], **link)
        sharing.create_share_link(db, "With Andijan", "30d", regions=["UZ-NG", "UZ-AN"], **link)
        version = access.uploads_part(access.page_version(db))
        closing = threading.Event()
        closing.set()
        access._prepare_link_views(db, version, closing)
        assert access.prepared_scopes(str(path)) is None

        access._prepare_link_views(db, version, threading.Event())
        programme = protection_scope(load_settings().programme.regions)
        assert sorted(access.prepared_scopes(str(path))[1]) == sorted(
            [programme, protection_scope([*programme, "UZ-AN"])]
        )
    finally:
        db.close()
        st.cache_resource.clear()


def admin_links_tab(monkeypatch, path) -> AppTest:
    """The administration page's share links tab, signed in as an admin, once the links'
    views are prepared."""
    at = manager_page(monkeypatch, path)
    at.session_state[USER_KEY] = account_name("admin")
    at.run()
    at.switch_page("views/admin.py").run()
    no_exceptions(at)
    wait_for_preparing()
    open_tab(at, ADMIN_TAB, "Share links")
    return at


def one_link_over(path, fill) -> None:
    """A database at `path` filled by `fill(db)`, with the test accounts and one share link
    over the whole programme."""
    db = Database(path)
    try:
        fill(db)
        add_test_accounts(db)
        sharing.create_share_link(db, "Whole programme", "30d", by="tests", secret=TEST_SECRET)
    finally:
        db.close()


def test_the_administration_page_says_the_links_figures_were_checked(tmp_path, monkeypatch):
    path = tmp_path / "monitoring.duckdb"
    one_link_over(path, load_sample)
    try:
        at = admin_links_tab(monkeypatch, path)
        captions = [c.value for c in at.caption]
        assert any("Checked after the last change of data" in c for c in captions), captions
        assert not [w for w in at.warning if "protection check" in w.value]
    finally:
        wait_for_preparing()
        close_all()


def test_the_administration_page_warns_when_a_links_protection_check_fails(tmp_path, monkeypatch):
    """A link whose donors saw counts of 3 and 4 before the small-count threshold was raised
    from 3 to 5: no cell hidden now undoes what they saw, so the view's audit does not pass
    (docs/access.md, "What donors saw before"), and the page names the regions and what to
    run."""
    path = tmp_path / "monitoring.duckdb"
    shown_before = settings_for(tmp_path, "suppress", threshold=3)
    now = settings_for(tmp_path, "suppress")

    def history(db) -> None:
        small_programme(db, 0, "totals")
        assert pc.indicator_cells(db, shown_before, REGIONS).audit.passed
        assert not pc.indicator_cells(db, now, REGIONS).audit.passed

    one_link_over(path, history)
    monkeypatch.setenv("MONITORING_SETTINGS", str(tmp_path / "programme-suppress.toml"))
    try:
        at = admin_links_tab(monkeypatch, path)
        warning = next(w.value for w in at.warning if "protection check" in w.value)
        assert "**The protection check did not pass** for the links over" in warning
        assert "python -m monitoring audit-disclosure" in warning
        assert not [c for c in at.caption if "Checked after" in c.value]
    finally:
        wait_for_preparing()
        close_all()


def test_a_donor_is_shown_the_indicators_checked_while_the_others_are_checked(
    tmp_path, monkeypatch
):
    """A donor who comes while the disclosure audit of new data runs (minutes at 1,000,000
    values over 14 regions) is shown the page at once with the indicators it has done, told
    which are still being checked (their figures hidden meanwhile); once it is done the page
    shows them, not what was kept of the page shown before."""
    _, token, _ = sample_with_a_link(tmp_path, monkeypatch)
    # An indicator the finished audit shows (OC3.2, the sample's last protected one, stays
    # hidden: its count is small), audited in one process after those of outcome 1: held
    # back, it and every indicator after it are hidden while the donor looks, however far the
    # audit got before (when the last was held and the others done by then, the page looked
    # the same before and after, and the test failed by its timing).
    held = "OC2.3"
    release = threading.Event()
    suppress_one = audit._suppress_indicator

    def held_back(cells, code):
        found = suppress_one(cells, code)
        if code == held:
            release.wait(60)  # the audit of this indicator takes its time
        return found

    monkeypatch.setattr(audit, "_suppress_indicator", held_back)
    monkeypatch.setattr(access, "WAIT_QUIETLY", 0.0)
    # as a view audited in worker processes is (20,000 cells or more; the sample's 225 are
    # waited for: 0.3 s)
    monkeypatch.setattr(access, "IN_PART_FROM", 0)

    def withheld_count(at) -> int:
        table = at.dataframe[0].value  # indicators by outcome and status
        return int(table.filter(like="Withheld").sum().sum())

    try:
        at = donor_overview(token)
        notice = next(i.value for i in at.info if "still being checked" in i.value)
        assert held in notice and "OC3.2" in notice and "OC1.1" not in notice
        assert not at.get("progress")
        while_checking = withheld_count(at)
        # the administration page says so beside how far the check is
        admin = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        admin.session_state[USER_KEY] = account_name("admin")
        admin.run()
        admin.switch_page("views/admin.py").run()
        open_tab(admin, ADMIN_TAB, "Share links")
        captions = " ".join(c.value for c in admin.caption)
        assert "Indicators checked so far" in captions
        assert "Donors who open a link meanwhile see the indicators checked so far" in captions

        release.set()
        wait_for_preparing()
        at.run()
        no_exceptions(at)
        assert not any("still being checked" in i.value for i in at.info)
        assert withheld_count(at) < while_checking  # figures filled in, not the page kept
    finally:
        release.set()
        wait_for_preparing()
        close_all()
