"""Sign-in sessions held by a browser cookie (monitoring/access/sessions.py), one-time link
tokens used up beside a share link, and the [access] settings."""

from __future__ import annotations

import datetime as dt
import textwrap
import threading

import pytest
from argon2 import PasswordHasher

from monitoring.access import accounts, sessions, signin_links
from monitoring.access.accounts import ADMIN, MANAGER, STAFF, add_user
from monitoring.settings import SettingsError, load_settings
from tests.conftest import SETTINGS_TOML, tampered

SECRET = "a test secret for signing session cookies, long enough"
PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LIMITS = {"idle": dt.timedelta(minutes=60), "maximum": dt.timedelta(hours=12)}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(
        accounts, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def maria(db):
    add_user(db, "maria", STAFF, PASSWORD, by="test", now=T0)
    add_user(db, "root", ADMIN, PASSWORD, by="test", now=T0)  # the last admin stays
    return db


def signed_in(db, name="maria", at=T0) -> tuple[str, str]:
    """(session id, cookie) of a session whose browser claimed its cookie."""
    started = sessions.start(db, name, sessions.PASSWORD, client="203.0.113.9", now=at)
    cookie = sessions.claim(db, started.ticket, now=at + dt.timedelta(seconds=1), secret=SECRET)
    assert cookie is not None
    return started.session_id, cookie


def check(db, cookie, at):
    return sessions.check(db, cookie, now=at, secret=SECRET, **LIMITS)


def row(db, session_id):
    with db.cursor() as cur:
        return cur.execute(
            "select ticket_hash, secret_hash, last_seen_at, ended_at, ended_because "
            "from sign_in_sessions where session_id = ?",
            [session_id],
        ).fetchone()


def test_a_claimed_cookie_signs_its_account_in_and_only_hashes_are_stored(maria):
    started = sessions.start(maria, "maria", sessions.PASSWORD, now=T0)
    assert row(maria, started.session_id)[:2] != (None, None)
    assert not check(maria, None, T0).ok
    cookie = sessions.claim(maria, started.ticket, now=T0, secret=SECRET)
    result = check(maria, cookie, T0 + dt.timedelta(minutes=5))
    assert result.ok and result.account.user_name == "maria" and result.account.role == STAFF
    ticket_hash, secret_hash, *_ = row(maria, started.session_id)
    assert ticket_hash is None and len(secret_hash) == 64
    assert started.ticket not in cookie and secret_hash not in cookie


def test_a_ticket_is_claimed_once_and_within_two_minutes(maria):
    started = sessions.start(maria, "maria", sessions.PASSWORD, now=T0)
    late = T0 + sessions.TICKET_LIFETIME
    assert sessions.claim(maria, started.ticket, now=late, secret=SECRET) is None
    started = sessions.start(maria, "maria", sessions.PASSWORD, now=T0)
    assert sessions.claim(maria, started.ticket, now=T0, secret=SECRET)
    assert sessions.claim(maria, started.ticket, now=T0, secret=SECRET) is None
    assert sessions.claim(maria, "made up", now=T0, secret=SECRET) is None


def test_a_ticket_claimed_by_ten_at_once_gives_one_cookie(maria):
    started = sessions.start(maria, "maria", sessions.PASSWORD, now=T0)
    results, gate = [], threading.Barrier(10)

    def claim():
        gate.wait()
        results.append(sessions.claim(maria, started.ticket, now=T0, secret=SECRET))

    threads = [threading.Thread(target=claim) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 10 and sum(r is not None for r in results) == 1


def test_a_changed_or_forged_cookie_signs_nobody_in(maria):
    session_id, cookie = signed_in(maria)
    assert not check(maria, tampered(cookie), T0).ok
    assert check(maria, cookie, T0).ok  # the real one works
    guessed = sessions._serializer(SECRET).dumps([session_id, "a guessed secret"])
    assert not check(maria, guessed, T0).ok, "a signed cookie needs the session's secret too"
    other_key = sessions._serializer("another secret entirely, long enough to sign").dumps(
        [session_id, "x"]
    )
    assert not check(maria, other_key, T0).ok
    assert check(maria, tampered(cookie), T0).notice is None


def test_use_is_noted_at_most_every_minute_and_keeps_the_session_alive(maria):
    session_id, cookie = signed_in(maria)
    seen = row(maria, session_id)[2]
    assert check(maria, cookie, T0 + dt.timedelta(seconds=30)).ok
    assert row(maria, session_id)[2] == seen
    for minutes in (50, 100, 150):  # each within the idle time of the one before
        assert check(maria, cookie, T0 + dt.timedelta(minutes=minutes)).ok
    assert row(maria, session_id)[2] == T0 + dt.timedelta(minutes=150)


def test_a_session_ends_after_the_idle_time(maria):
    session_id, cookie = signed_in(maria)
    result = check(maria, cookie, T0 + dt.timedelta(minutes=62))
    assert not result.ok and result.ended_because == sessions.IDLE
    assert result.notice == (
        "You were signed out after 60 minutes without using the dashboard. Sign in again."
    )
    assert row(maria, session_id)[4] == sessions.IDLE
    assert not check(maria, cookie, T0 + dt.timedelta(minutes=63)).ok, "ended for good"


def test_a_session_ends_after_the_maximum_however_busy(maria):
    _, cookie = signed_in(maria)
    for hours in range(1, 12):
        assert check(maria, cookie, T0 + dt.timedelta(hours=hours)).ok
    result = check(maria, cookie, T0 + dt.timedelta(hours=12))
    assert result.ended_because == sessions.TOO_LONG
    assert "at most 12 hours" in result.notice


@pytest.mark.parametrize(
    ("change", "because"),
    [
        (lambda db: accounts.change_password(db, "maria", PASSWORD + "!"), "password_changed"),
        (lambda db: accounts.change_password(db, "maria", None), "password_changed"),
        (lambda db: accounts.set_role(db, "maria", MANAGER), "role_changed"),
        (lambda db: accounts.remove_user(db, "maria"), "removed"),
    ],
)
def test_changing_an_account_ends_all_its_sessions_and_only_its(maria, change, because):
    cookies = [signed_in(maria)[1] for _ in range(3)]
    _, others = signed_in(maria, "root")
    change(maria)
    for cookie in cookies:
        result = check(maria, cookie, T0 + dt.timedelta(minutes=1))
        assert not result.ok and result.ended_because == because
        assert result.notice and "maria" in result.notice
    assert check(maria, others, T0 + dt.timedelta(minutes=1)).ok


def test_setting_the_same_role_again_ends_nothing(maria):
    _, cookie = signed_in(maria)
    accounts.set_role(maria, "maria", STAFF)
    assert check(maria, cookie, T0 + dt.timedelta(minutes=1)).ok


def test_a_removed_account_is_refused_even_without_an_ended_session(maria):
    _, cookie = signed_in(maria)
    with maria.transaction() as cur:  # removed by other means than remove_user
        cur.execute("delete from users where user_name = 'maria'")
    result = check(maria, cookie, T0 + dt.timedelta(minutes=1))
    assert result.ended_because == sessions.REMOVED and "no longer exists" in result.notice


def test_signing_out_ends_the_session_and_a_new_sign_in_replaces_the_old_cookie(maria):
    session_id, cookie = signed_in(maria)
    sessions.end(maria, cookie, secret=SECRET, now=T0)
    result = check(maria, cookie, T0)
    assert result.ended_because == sessions.SIGNED_OUT and result.notice is None

    old_id, old = signed_in(maria)
    started = sessions.start(maria, "maria", sessions.LINK, now=T0)
    new = sessions.claim(maria, started.ticket, replacing=old, now=T0, secret=SECRET)
    assert check(maria, new, T0).ok
    assert row(maria, old_id)[4] == sessions.REPLACED


def test_checks_of_one_session_from_many_tabs_at_once_all_pass(maria):
    _, cookie = signed_in(maria)
    later = T0 + dt.timedelta(minutes=30)
    results, gate = [], threading.Barrier(8)

    def run():
        gate.wait()
        results.append(check(maria, cookie, later).ok)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [True] * 8


# --- a sign-in link beside a share link ------------------------------------------------------


def test_a_sign_in_link_used_up_beside_a_share_link_signs_nobody_in_later(maria):
    token = signin_links.make_token("maria", secret=SECRET, now=T0)
    assert signin_links.use_up(maria, token, secret=SECRET, now=T0)
    assert not signin_links.use_up(maria, token, secret=SECRET, now=T0), "once"
    redeemed = signin_links.redeem(maria, token, secret=SECRET, now=T0)
    assert not redeemed.ok and "used already" in redeemed.message
    with maria.cursor() as cur:
        assert cur.execute("select signed_in from sign_in_link_uses").fetchall() == [(False,)]
    assert not signin_links.use_up(maria, tampered(token), secret=SECRET, now=T0)
    late = signin_links.make_token("maria", secret=SECRET, now=T0)
    expired = T0 + signin_links.DEFAULT_LIFETIME
    assert not signin_links.use_up(maria, late, secret=SECRET, now=expired)


def test_a_sign_in_link_opened_ten_times_at_once_signs_in_once(maria):
    token = signin_links.make_token("maria", secret=SECRET)
    results, gate = [], threading.Barrier(10)

    def redeem():
        gate.wait()
        results.append(signin_links.redeem(maria, token, secret=SECRET))

    threads = [threading.Thread(target=redeem) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r.ok for r in results) == 1
    assert all("used already" in r.message for r in results if not r.ok)


# --- settings ---------------------------------------------------------------------------------


def settings_with(tmp_path, access: str):
    path = tmp_path / "programme.toml"
    path.write_text(textwrap.dedent(SETTINGS_TOML) + "\n[access]\n" + access, encoding="utf-8")
    return load_settings(path)


def test_access_settings_have_defaults_and_are_read(tmp_path, settings):
    assert (settings.access.idle_minutes, settings.access.max_hours) == (60, 12)
    assert settings.access.trusted_proxies == ("127.0.0.1", "::1")
    read = settings_with(
        tmp_path, 'idle_minutes = 15\nmax_hours = 8\ntrusted_proxies = ["10.0.0.0/8"]\n'
    )
    assert (read.access.idle_minutes, read.access.max_hours) == (15, 8)
    assert read.access.trusted_proxies == ("10.0.0.0/8",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("idle_minutes = 0\n", "idle_minutes must be a whole number from 1"),
        ('max_hours = "12"\n', "max_hours must be a whole number"),
        ('trusted_proxies = "127.0.0.1"\n', "must be a list of addresses"),
        ('trusted_proxies = ["proxy.local"]\n', "is not an address or a network"),
        ("idle = 5\n", "unknown setting"),
    ],
)
def test_bad_access_settings_are_refused_in_plain_words(tmp_path, text, message):
    with pytest.raises(SettingsError, match=message):
        settings_with(tmp_path, text)


def test_a_password_change_meeting_a_sign_out_of_the_same_session_still_succeeds(maria):
    """Another browser's session ends (a sign-out, an idle end) in a transaction not yet
    committed when an admin changes the password: the change tries again after it."""
    session_id, cookie = signed_in(maria)
    _, other = signed_in(maria)
    ending = maria.connection().cursor()
    ending.execute("begin transaction")
    ending.execute(
        "update sign_in_sessions set ended_at = ?, ended_because = 'signed_out' "
        "where session_id = ?",
        [T0, session_id],
    )
    errors = []

    def change():
        try:
            accounts.change_password(maria, "maria", PASSWORD + "!")
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    changed = threading.Thread(target=change)
    changed.start()
    threading.Event().wait(0.2)  # the change meets the uncommitted end, and tries again
    ending.execute("commit")
    ending.close()
    changed.join(10)
    assert not errors
    assert check(maria, cookie, T0).ended_because == sessions.SIGNED_OUT
    assert check(maria, other, T0).ended_because == sessions.PASSWORD_CHANGED
