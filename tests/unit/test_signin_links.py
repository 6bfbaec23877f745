"""One-time sign-in links and the first start of a fresh installation."""

import datetime as dt

import pytest

from monitoring.access import accounts, signin_links
from monitoring.cli.main import main
from tests.conftest import tampered

SECRET = "a secret for the tests of sign-in links, 32+ chars"
NOW = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin(db):
    return accounts.add_user(db, "amina", "admin", None, by="tests")


def redeem(db, token, now=NOW):
    return signin_links.redeem(db, token, now=now, secret=SECRET)


def test_a_link_signs_its_account_in_once(db, admin):
    token = signin_links.make_token("amina", now=NOW, secret=SECRET)
    first = redeem(db, token)
    assert first.ok and first.account.user_name == "amina"
    second = redeem(db, token)
    assert not second.ok and "used already" in second.message
    assert accounts.get_user(db, "amina").last_sign_in_at is not None


def test_a_link_expires(db, admin):
    token = signin_links.make_token("amina", lifetime=dt.timedelta(hours=1), now=NOW, secret=SECRET)
    assert redeem(db, token, now=NOW + dt.timedelta(minutes=59)).ok
    later = signin_links.make_token("amina", now=NOW, secret=SECRET)
    result = redeem(db, later, now=NOW + dt.timedelta(hours=1))
    assert not result.ok and "expired" in result.message


@pytest.mark.parametrize(
    "change",
    [
        tampered,  # the payload no longer matches its signature
        lambda t: t[:10],  # cut short
        lambda t: "",
    ],
)
def test_a_changed_link_signs_nobody_in(db, admin, change):
    token = signin_links.make_token("amina", now=NOW, secret=SECRET)
    result = redeem(db, change(token))
    assert not result.ok and "not valid" in result.message


def test_a_link_signed_with_another_secret_or_a_share_link_is_refused(db, admin):
    other = signin_links.make_token("amina", now=NOW, secret="another secret, also long enough!!")
    assert not redeem(db, other).ok
    from monitoring.access import sharing

    _, share_token = sharing.create_share_link(db, "Donor", "7d", by="t", secret=SECRET)
    assert not redeem(db, share_token).ok, "a share token never signs anyone in"


def test_a_link_of_a_removed_account_signs_nobody_in(db, admin):
    accounts.add_user(db, "temp", "manager", None, by="tests")
    token = signin_links.make_token("temp", now=NOW, secret=SECRET)
    accounts.remove_user(db, "temp")
    result = redeem(db, token)
    assert not result.ok and "no longer exists" in result.message


def test_first_start_creates_a_passwordless_admin_and_a_link_until_a_password_is_set(
    db, monkeypatch
):
    monkeypatch.setenv("MONITORING_SHARE_SECRET", SECRET)
    started = signin_links.first_start(db, url="http://localhost:8501")
    assert started.created_admin
    admin = accounts.get_user(db, "admin")
    assert admin.role == "admin" and not admin.has_password
    assert started.url.startswith("http://localhost:8501/?signin=")

    again = signin_links.first_start(db)
    assert not again.created_admin and again.url, "a link at every start while no password"

    accounts.change_password(db, "admin", "a long and private passphrase")
    assert signin_links.first_start(db).url is None
    assert accounts.sign_in(db, "admin", "admin").ok is False, "no default password, ever"


def test_first_start_leaves_an_installation_with_accounts_alone(db, monkeypatch):
    monkeypatch.setenv("MONITORING_SHARE_SECRET", SECRET)
    accounts.add_user(db, "maria", "admin", "a long and private passphrase", by="tests")
    started = signin_links.first_start(db)
    assert (started.created_admin, started.url) == (False, None)
    assert accounts.get_user(db, "admin") is None


def test_the_commands_print_links(db, monkeypatch, capsys):
    monkeypatch.setenv("MONITORING_SHARE_SECRET", SECRET)
    path = str(db.path)
    db.close()
    assert main(["first-start", "--db", path, "--base-url", "http://localhost:9000"]) == 0
    out = capsys.readouterr().out
    assert "Created the local administrator account 'admin'" in out
    assert "http://localhost:9000/?signin=" in out
    assert main(["user", "link", "admin", "--db", path, "--expires", "2h"]) == 0
    assert "/?signin=" in capsys.readouterr().out
    assert main(["user", "link", "nobody", "--db", path]) == 2
    assert "no account 'nobody'" in capsys.readouterr().err


def test_a_link_can_be_printed_while_the_dashboard_holds_the_database(file_db, monkeypatch):
    db = file_db
    accounts.add_user(db, "amina", "admin", None, by="tests")
    """The dashboard process locks the file: the link needs only the secret, and is checked
    against the accounts when it is opened."""
    import os
    import subprocess
    import sys

    from monitoring.settings import ROOT

    db.connection()  # this process holds the database, as the dashboard would
    run = subprocess.run(
        [sys.executable, "-m", "monitoring", "user", "link", "amina", "--db", str(db.path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MONITORING_SHARE_SECRET": SECRET},
    )
    assert run.returncode == 0, run.stderr
    assert "was not checked" in run.stderr
    token = run.stdout.strip().splitlines()[-1].split("signin=")[1]
    assert redeem(db, token, now=accounts.now_utc()).ok
