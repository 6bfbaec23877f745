"""`python -m monitoring user ...` and `share ...`, run through monitoring.cli.main."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher

from monitoring.access import accounts, sharing
from monitoring.cli.main import main
from monitoring.db import Database, open_database
from tests.conftest import insert

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    monkeypatch.setattr(accounts, "_dummy_hash", None)
    monkeypatch.delenv(sharing.SECRET_ENV, raising=False)
    monkeypatch.delenv(sharing.BASE_URL_ENV, raising=False)
    monkeypatch.setenv(sharing.SECRET_FILE_ENV, str(tmp_path / "secrets" / "share_secret"))


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "cli.duckdb"
    database = Database(path)
    insert(
        database,
        "regions",
        [
            {"region_code": "UZ-JI", "name_en": "Jizzakh"},
            {"region_code": "UZ-NG", "name_en": "Namangan"},
        ],
    )
    database.close()
    return str(path)


class Tty(io.StringIO):
    def isatty(self):
        return True


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_reads_the_password_from_standard_input(db_path, monkeypatch, capsys):
    code, out, err = run(
        monkeypatch, capsys, "user", "add", "Maria.K", "--role", "staff", "--db", db_path,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "Account maria.k (staff) created; it signs in with a password.\n"
    db = open_database(db_path)
    assert accounts.sign_in(db, "maria.k", PASSWORD).ok


def test_user_add_at_a_terminal_asks_twice_without_echo(db_path, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("sys.stdin", Tty())
    assert main(["user", "add", "root", "--role", "admin", "--db", db_path]) == 0
    assert accounts.sign_in(open_database(db_path), "root", PASSWORD).ok


def test_two_different_passwords_at_a_terminal_change_nothing(db_path, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("sys.stdin", Tty())
    assert main(["user", "add", "root", "--role", "admin", "--db", db_path]) == 2
    assert "The two passwords differ" in capsys.readouterr().err
    assert accounts.list_users(open_database(db_path)) == []


@pytest.mark.parametrize(
    ("stdin", "message"),
    [("short\n", "needs at least 15"), ("", "No password"), ("\n", "No password")],
)
def test_a_refused_password_creates_no_account(db_path, monkeypatch, capsys, stdin, message):
    code, out, err = run(
        monkeypatch, capsys, "user", "add", "maria", "--role", "staff", "--db", db_path,
        stdin=stdin,
    )  # fmt: skip
    assert code == 2 and message in err and err.startswith("error: ")
    assert accounts.list_users(open_database(db_path)) == []


def test_a_donor_account_is_not_a_choice(db_path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(monkeypatch, capsys, "user", "add", "usip", "--role", "donor", "--db", db_path)
    assert exit_.value.code == 2
    assert "invalid choice: 'donor'" in capsys.readouterr().err


def test_user_list_remove_role_and_password(db_path, monkeypatch, capsys):
    run(monkeypatch, capsys, "user", "add", "root", "--role", "admin", "--db", db_path,
        stdin=PASSWORD)  # fmt: skip
    run(monkeypatch, capsys, "user", "add", "ali", "--role", "manager", "--no-password",
        "--by", "root", "--db", db_path)  # fmt: skip
    code, out, _ = run(monkeypatch, capsys, "user", "list", "--db", db_path)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["user", "role"]
    assert lines[1].split()[:3] == ["root", "admin", "password"]
    assert lines[2].split()[:4] == ["ali", "manager", "identity", "provider"]
    assert "root" in lines[2] and "never" in lines[2]
    assert "$argon2" not in out

    code, out, _ = run(monkeypatch, capsys, "user", "role", "ali", "staff", "--db", db_path)
    assert (code, out) == (0, "ali is now staff.\n")
    new = "an entirely new passphrase"
    code, out, _ = run(monkeypatch, capsys, "user", "password", "ali", "--db", db_path, stdin=new)
    assert (code, out) == (0, "Password of ali changed.\n")
    assert accounts.sign_in(open_database(db_path), "ali", new).ok

    code, out, _ = run(monkeypatch, capsys, "user", "remove", "ali", "--db", db_path)
    assert (code, out) == (0, "Account ali (staff) removed.\n")
    code, _, err = run(monkeypatch, capsys, "user", "remove", "root", "--db", db_path)
    assert code == 2 and "only admin" in err
    code, _, err = run(monkeypatch, capsys, "user", "remove", "ghost", "--db", db_path)
    assert code == 2 and "no account 'ghost'" in err


def test_no_accounts_yet(db_path, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "user", "list", "--db", db_path)
    assert code == 0 and "No accounts yet" in out


def test_a_missing_database_is_not_created(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "none.duckdb"
    code, _, err = run(monkeypatch, capsys, "user", "list", "--db", str(missing))
    assert code == 2 and "does not exist. Create it first" in err
    assert not missing.exists()


def token_of(url):
    return parse_qs(urlsplit(url).query)[sharing.SHARE_PARAM][0]


def test_share_create_prints_a_url_that_opens_the_scope(db_path, monkeypatch, capsys):
    code, out, err = run(
        monkeypatch, capsys, "share", "create", "--label", "USIP Q3", "--expires", "90d",
        "--regions", "UZ-JI,uz-ng", "--pages", "overview,indicators",
        "--base-url", "https://dash.example.org", "--db", db_path,
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(
        "Share link 1 (USIP Q3) created: regions UZ-JI,UZ-NG, pages overview,indicators, "
        "downloads tables,reports; expires "
    )
    url = lines[-1]
    assert url.startswith("https://dash.example.org/?share=")
    check = sharing.check_share_token(open_database(db_path), token_of(url))
    assert check.ok
    assert (check.scope.regions, check.scope.pages) == (
        ("UZ-JI", "UZ-NG"),
        ("overview", "indicators"),
    )


def test_share_create_warns_of_a_link_over_overlapping_regions(db_path, monkeypatch, capsys):
    database = Database(db_path)
    insert(database, "regions", [{"region_code": "UZ-AN", "name_en": "Andijan"}])
    database.close()

    def create(label, regions):
        return run(
            monkeypatch, capsys, "share", "create", "--label", label, "--expires", "90d",
            "--regions", regions, "--base-url", "https://dash.example.org", "--db", db_path,
        )  # fmt: skip

    assert create("Jizzakh", "UZ-JI")[::2] == (0, "")
    # Both within the programme: both read the programme's protected cells.
    assert create("Both", "UZ-NG,UZ-JI")[::2] == (0, "")
    code, out, err = create("With Andijan", "UZ-JI,UZ-AN")  # a region outside the programme
    assert code == 0 and out.splitlines()[-1].startswith("https://dash.example.org/?share=")
    # One warning names both links it shares regions with.
    assert "Links 1 (Jizzakh), 2 (Both) show some of the same regions" in err
    assert err.count("show some of the same regions") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--regions", "UZ-XX"], "Unknown region code(s): UZ-XX. Known codes: UZ-JI, UZ-NG."),
        (["--pages", "upload"], "A share link cannot open: upload."),
        (["--pages", "overview,nowhere"], "A share link cannot open: nowhere."),
        (["--base-url", "javascript:alert(1)"], "is not a web address"),
    ],
)
def test_share_create_refuses_a_wrong_scope(db_path, monkeypatch, capsys, extra, message):
    code, out, err = run(
        monkeypatch, capsys, "share", "create", "--label", "x", "--expires", "90d", *extra,
        "--db", db_path,
    )  # fmt: skip
    assert code == 2 and message in err and out == ""
    assert sharing.list_share_links(open_database(db_path)).empty


def test_share_create_refuses_a_duration_without_unit(db_path, monkeypatch, capsys):
    code, _, err = run(
        monkeypatch, capsys, "share", "create", "--label", "x", "--expires", "90", "--db", db_path
    )
    assert code == 2 and "'90' is not a duration" in err


def test_share_list_revoke_and_log(db_path, monkeypatch, capsys):
    _, out, _ = run(monkeypatch, capsys, "share", "create", "--label", "USIP", "--expires", "2w",
                    "--by", "admin", "--db", db_path)  # fmt: skip
    token = token_of(out.splitlines()[-1])
    sharing.open_share_link(open_database(db_path), token, page="overview")

    code, out, _ = run(monkeypatch, capsys, "share", "list", "--db", db_path)
    assert code == 0
    row = out.splitlines()[1].split()
    assert row[:7] == ["1", "USIP", "active", "all", "all", "tables,reports", "admin"]
    assert row[-4] == "1"  # uses, then the time of the last use

    code, out, _ = run(monkeypatch, capsys, "share", "log", "--db", db_path)
    assert code == 0 and out.splitlines()[1].split()[-4:] == ["1", "USIP", "overview", "opened"]

    code, out, _ = run(monkeypatch, capsys, "share", "revoke", "1", "--db", db_path)
    assert (code, out) == (0, "Share link 1 (USIP) revoked: it opens nothing any more.\n")
    assert sharing.check_share_token(open_database(db_path), token).reason == sharing.REVOKED
    code, out, _ = run(monkeypatch, capsys, "share", "list", "--db", db_path)
    assert out.splitlines()[1].split()[2] == "revoked"
    code, _, err = run(monkeypatch, capsys, "share", "revoke", "7", "--db", db_path)
    assert code == 2 and "no share link 7" in err


def test_empty_share_list_and_log(db_path, monkeypatch, capsys):
    assert "No share links yet" in run(monkeypatch, capsys, "share", "list", "--db", db_path)[1]
    assert (
        "No share link has been used"
        in run(monkeypatch, capsys, "share", "log", "--db", db_path)[1]
    )
