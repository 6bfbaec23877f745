"""A choice box with nothing to choose, in Russian and Uzbek: a new organisation's only
account, a link that was revoked, no value marked for follow-up. Left empty, Streamlit's box
says "No options to select" in English, whatever the page's language; the page says there is
nothing to choose in the reader's language (ui/common.none_to_choose), and the box is off.
"""

from __future__ import annotations

import pytest

from monitoring import i18n
from monitoring.access import accounts, sharing
from monitoring.db import Database
from tests.app.conftest import TEST_SECRET, no_exceptions
from tests.app.lazy_parts import ADMIN_TAB, open_tab
from tests.app.test_languages_frame import allowed_in, data, open_in  # noqa: F401 (fixture)
from tests.conftest import account_name
from tests.i18n_support import shown_texts, untranslated


@pytest.fixture
def alone(app_as, sample_db_path):
    """An AppTest of the sample signed in as its admin, who is its only account, with one
    share link, revoked."""
    at = app_as("admin")  # closes the shared databases: write after that
    db = Database(sample_db_path)
    try:
        for account in accounts.list_users(db):
            if account.user_name != account_name("admin"):
                accounts.remove_user(db, account.user_name)
        link, _token = sharing.create_share_link(
            db, "Old link", "30d", by="tests", secret=TEST_SECRET
        )
        sharing.revoke_share_link(db, link, by="tests")
    finally:
        db.close()
    return at


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_administration_page_says_there_is_nothing_to_choose(alone, data, lang):  # noqa: F811
    at = open_in(alone, lang, "views/admin.py")
    no_exceptions(at)
    with i18n.language(lang):
        links_tab = i18n._("Share links")
    open_tab(at, ADMIN_TAB, links_tab, shown_in=lang)  # built when opened (accounts: always)
    assert untranslated(shown_texts(at), lang, allowed_in(data, lang, "Old link")) == []
    with i18n.language(lang):
        links = [s for s in at.selectbox if s.label == i18n._("Active link")]
        accounts_ = [s for s in at.selectbox if s.label == i18n._("Account")]
        no_link, no_other = i18n._("No active link"), i18n._("No other account")
    assert len(links) == 2  # copy a link's address again, revoke a link
    # The account boxes to set a password and a role list the admin; removing one does not.
    empty = [s for s in accounts_ if not s.proto.options]
    assert empty
    for box, words in [(b, no_link) for b in links] + [(b, no_other) for b in empty]:
        assert not box.proto.options and box.proto.placeholder == words and box.disabled, words
