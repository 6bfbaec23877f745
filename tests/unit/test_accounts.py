"""Roles and permissions, accounts, argon2 hashing, sign-in and its slowdown."""

import datetime as dt

import pytest
from argon2 import PasswordHasher

from monitoring.access import accounts
from monitoring.access.accounts import (
    ADMIN,
    DONOR,
    MANAGER,
    STAFF,
    AccountError,
    add_user,
    can,
    can_open_page,
    sign_in,
)
from monitoring.settings import ROOT
from ui.navigation import PAGES, page_spec

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """A fast argon2id for tests; the rehash test switches to the real parameters."""
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", CHEAP)
    monkeypatch.setattr(accounts, "_dummy_hash", None)


def stored_hash(db, name):
    with db.cursor() as cur:
        return cur.execute(
            "select password_hash from users where user_name = ?", [name]
        ).fetchone()[0]


def attempts(db, name):
    with db.cursor() as cur:
        return [
            r[0]
            for r in cur.execute(
                "select outcome from sign_in_attempts where user_name = ? order by attempted_at",
                [name],
            ).fetchall()
        ]


# --- permissions ------------------------------------------------------------------------

MATRIX = {
    # action:            donor  manager staff  admin
    accounts.VIEW: (True, True, True, True),
    accounts.DOWNLOAD: (True, True, True, True),
    accounts.SEE_PROTECTED: (False, True, True, True),
    accounts.UPLOAD: (False, False, True, True),
    accounts.UNDO: (False, False, False, True),
    accounts.MANAGE_ACCOUNTS: (False, False, False, True),
    accounts.MANAGE_SHARE_LINKS: (False, False, False, True),
    accounts.REVIEW: (False, True, True, True),  # the Data quality page
    accounts.APPROVE: (False, True, False, True),  # approve quarters, follow-ups
    accounts.REOPEN: (False, False, False, True),
}


@pytest.mark.parametrize("action", accounts.ACTIONS)
@pytest.mark.parametrize("role", accounts.ROLES)
def test_the_permission_matrix(role, action):
    assert can(role, action) is MATRIX[action][accounts.ROLES.index(role)]


def test_no_role_may_do_anything():
    assert not any(can(None, a) or can("guest", a) for a in accounts.ACTIONS)


@pytest.mark.parametrize(
    ("page", "donor", "manager", "staff", "admin"),
    [
        ("overview", True, True, True, True),
        ("indicators", True, True, True, True),
        ("milestones", True, True, True, True),
        ("upload", False, False, True, True),
        ("admin", False, False, False, True),
        ("no-such-page", False, False, False, False),
    ],
)
def test_who_opens_which_page(page, donor, manager, staff, admin):
    assert [can_open_page(r, page) for r in (DONOR, MANAGER, STAFF, ADMIN)] == [
        donor,
        manager,
        staff,
        admin,
    ]


def test_a_share_link_narrows_a_donors_pages_but_never_widens_them():
    assert can_open_page(DONOR, "overview", allowed_pages=["overview"])
    assert not can_open_page(DONOR, "indicators", allowed_pages=["overview"])
    assert not can_open_page(DONOR, "upload", allowed_pages=["upload"])
    assert not can_open_page(DONOR, "admin", allowed_pages=["admin"])


def test_navigation_per_role_keeps_the_order():
    paths = ["overview", "upload", "indicators", "admin"]
    assert accounts.visible_pages(DONOR, paths) == ["overview", "indicators"]
    assert accounts.visible_pages(STAFF, paths) == ["overview", "upload", "indicators"]
    assert accounts.visible_pages(ADMIN, paths) == paths
    assert accounts.donor_pages(paths) == ["overview", "indicators"]


def test_every_registered_page_says_who_may_open_it():
    # A page missing from PAGE_ACTIONS is refused to everyone: list it there.
    missing = [p for p in accounts.PAGE_PATHS if p not in accounts.PAGE_ACTIONS]
    assert not missing, f"add these pages to monitoring/access/accounts.py PAGE_ACTIONS: {missing}"


def test_the_navigation_serves_the_cores_pages_in_their_order():
    assert [(p.url_path, p.title) for p in PAGES] == list(accounts.PAGES)
    assert [p.default for p in PAGES] == [True] + [False] * (len(PAGES) - 1)
    for spec in PAGES:
        assert (ROOT / spec.path).is_file(), spec.path
        assert page_spec(spec.url_path) is spec
    assert page_spec("nowhere") is None


# --- accounts -----------------------------------------------------------------------------


def test_an_account_stores_an_argon2id_hash_never_the_password(db):
    account = add_user(db, "  Maria.K ", STAFF, PASSWORD, by="test", now=T0)
    assert (account.user_name, account.role, account.has_password) == ("maria.k", STAFF, True)
    assert account.created_at == T0 and account.password_changed_at == T0
    stored = stored_hash(db, "maria.k")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.verify_password(stored, PASSWORD)[0]
    assert not accounts.verify_password(stored, PASSWORD.upper())[0]


def test_two_hashes_of_one_password_differ(db):
    add_user(db, "a1", MANAGER, PASSWORD, by="test")
    add_user(db, "a2", MANAGER, PASSWORD, by="test")
    assert stored_hash(db, "a1") != stored_hash(db, "a2")  # salted


def test_list_get_and_remove(db):
    add_user(db, "zoe", ADMIN, PASSWORD, by="test", now=T0)
    add_user(db, "ali", MANAGER, None, by="zoe", now=T0 + dt.timedelta(minutes=1))
    assert [(a.user_name, a.role, a.has_password) for a in accounts.list_users(db)] == [
        ("zoe", ADMIN, True),
        ("ali", MANAGER, False),
    ]
    assert accounts.get_user(db, "ALI").created_by == "zoe"
    assert accounts.get_user(db, "nobody") is None
    assert accounts.get_user(db, "not a valid name!") is None
    accounts.remove_user(db, "ali")
    assert [a.user_name for a in accounts.list_users(db)] == ["zoe"]
    with pytest.raises(AccountError, match="no account 'ali'"):
        accounts.remove_user(db, "ali")


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("maria", DONOR, PASSWORD, "share link"),
        ("maria", "owner", PASSWORD, "no role 'owner'"),
        ("maria k", STAFF, PASSWORD, "cannot be a user name"),
        ("", STAFF, PASSWORD, "cannot be a user name"),
        ("maria", STAFF, "short pass", "needs at least 15"),
        ("maria", STAFF, " " + PASSWORD, "space"),
        ("maria", STAFF, "maria-has-a-long-password", "contains the user name"),
    ],
)
def test_bad_accounts_are_refused_in_plain_words(db, name, role, password, message):
    with pytest.raises(AccountError, match=message):
        add_user(db, name, role, password, by="test")
    assert accounts.list_users(db) == []


def test_a_name_is_taken_once(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    with pytest.raises(AccountError, match="already an account 'maria'"):
        add_user(db, "MARIA", ADMIN, PASSWORD, by="test")
    assert accounts.get_user(db, "maria").role == STAFF


def test_the_last_admin_stays(db):
    add_user(db, "root", ADMIN, PASSWORD, by="test")
    with pytest.raises(AccountError, match="only admin"):
        accounts.remove_user(db, "root")
    with pytest.raises(AccountError, match="only admin"):
        accounts.set_role(db, "root", STAFF)
    add_user(db, "second", ADMIN, PASSWORD, by="test")
    assert accounts.set_role(db, "root", STAFF).role == STAFF
    with pytest.raises(AccountError, match="only admin"):
        accounts.remove_user(db, "second")


def test_changing_a_password(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test", now=T0)
    new = "a completely different passphrase"
    changed = accounts.change_password(db, "maria", new, now=T0 + dt.timedelta(days=1))
    assert changed.password_changed_at == T0 + dt.timedelta(days=1)
    assert not sign_in(db, "maria", PASSWORD, now=T0 + dt.timedelta(days=2)).ok
    assert sign_in(db, "maria", new, now=T0 + dt.timedelta(days=2)).ok
    with pytest.raises(AccountError, match="needs at least 15"):
        accounts.change_password(db, "maria", "short")


# --- sign-in ------------------------------------------------------------------------------


def test_sign_in_with_the_right_password(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    result = sign_in(db, " MARIA ", PASSWORD, now=T0)
    assert result.ok and result.account.role == STAFF
    assert result.message == "Signed in as maria (staff)."
    assert accounts.get_user(db, "maria").last_sign_in_at == T0
    assert attempts(db, "maria") == ["success"]


@pytest.mark.parametrize("name", ["maria", "nobody"])
def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(db, name):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    result = sign_in(db, name, "wrong wrong wrong wrong", now=T0)
    assert not result.ok and result.refused_for is None
    assert result.message.startswith("That user name and password do not match")
    assert attempts(db, name) == ["wrong_password" if name == "maria" else "unknown_user"]


def test_an_identity_provider_account_cannot_sign_in_with_a_password(db):
    add_user(db, "ali", MANAGER, None, by="test")
    assert not sign_in(db, "ali", "", now=T0).ok
    assert not sign_in(db, "ali", PASSWORD, now=T0).ok


def test_an_outdated_hash_is_replaced_at_sign_in(db, monkeypatch):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    old = stored_hash(db, "maria")
    assert "m=1024,t=1,p=1" in old
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", PasswordHasher(time_cost=2, memory_cost=2048))
    assert sign_in(db, "maria", PASSWORD, now=T0).ok
    new = stored_hash(db, "maria")
    assert new != old and "m=2048,t=2," in new
    assert sign_in(db, "maria", PASSWORD, now=T0 + dt.timedelta(seconds=1)).ok
    assert stored_hash(db, "maria") == new  # current parameters: kept


def fail(db, name, times, start, step=dt.timedelta(seconds=1)):
    for i in range(times):
        assert not sign_in(db, name, "not the password at all", now=start + i * step).ok
    return start + (times - 1) * step  # time of the last failure


def test_failures_slow_down_sign_in_even_with_the_right_password(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    last = fail(db, "maria", accounts.SLOWDOWN_FREE_FAILURES, T0)
    refused = sign_in(db, "maria", PASSWORD, now=last + dt.timedelta(seconds=10))
    assert not refused.ok
    assert refused.refused_for == dt.timedelta(seconds=20)  # 30 s after the last failure
    assert refused.message == (
        "Too many failed sign-ins for this user name. Wait 20 seconds, then try again."
    )
    assert attempts(db, "maria")[-1] == "refused"
    assert sign_in(db, "maria", PASSWORD, now=last + accounts.SLOWDOWN_FIRST_DELAY).ok


def test_the_delay_doubles_with_each_further_failure_up_to_the_maximum():
    first = accounts.SLOWDOWN_FIRST_DELAY
    n = accounts.SLOWDOWN_FREE_FAILURES
    assert accounts.slowdown_delay(n - 1) == dt.timedelta(0)
    assert [accounts.slowdown_delay(n + i) for i in range(3)] == [first, 2 * first, 4 * first]
    assert accounts.slowdown_delay(n + 40) == accounts.SLOWDOWN_MAX_DELAY


def test_a_further_failure_lengthens_the_wait_and_refusals_do_not(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    last = fail(db, "maria", accounts.SLOWDOWN_FREE_FAILURES, T0)
    after_delay = last + accounts.SLOWDOWN_FIRST_DELAY
    assert not sign_in(db, "maria", "another wrong guess!", now=after_delay).ok  # 6th failure
    for s in (1, 2, 3):  # refused attempts do not count as failures
        assert sign_in(db, "maria", PASSWORD, now=after_delay + dt.timedelta(seconds=s)).refused_for
    wait = accounts.sign_in_wait(db, "maria", now=after_delay)
    assert wait == 2 * accounts.SLOWDOWN_FIRST_DELAY


def test_unknown_names_are_slowed_down_too(db):
    last = fail(db, "guess", accounts.SLOWDOWN_FREE_FAILURES, T0)
    assert sign_in(db, "guess", "x", now=last).refused_for is not None


def test_failures_are_counted_per_name(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    last = fail(db, "someone.else", accounts.SLOWDOWN_FREE_FAILURES, T0)
    assert sign_in(db, "maria", PASSWORD, now=last).ok


def test_failures_older_than_the_window_do_not_count(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    spread = accounts.SLOWDOWN_WINDOW / 2
    fail(db, "maria", 3, T0)
    fail(db, "maria", 2, T0 + spread)
    late = T0 + accounts.SLOWDOWN_WINDOW + dt.timedelta(seconds=5)  # the first 3 aged out
    assert accounts.sign_in_wait(db, "maria", now=late) == dt.timedelta(0)
    assert sign_in(db, "maria", PASSWORD, now=late).ok


def test_a_success_starts_the_count_again(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test")
    fail(db, "maria", accounts.SLOWDOWN_FREE_FAILURES - 1, T0)
    assert sign_in(db, "maria", PASSWORD, now=T0 + dt.timedelta(seconds=30)).ok
    last = fail(db, "maria", accounts.SLOWDOWN_FREE_FAILURES - 1, T0 + dt.timedelta(minutes=1))
    assert sign_in(db, "maria", PASSWORD, now=last + dt.timedelta(seconds=1)).ok


def test_old_attempts_are_deleted(db):
    fail(db, "guess", 2, T0)
    sign_in(db, "other", "x", now=T0 + accounts.ATTEMPT_RETENTION + dt.timedelta(days=1))
    assert attempts(db, "guess") == []
