"""Donor share links: signing, tampering, expiry, revocation, scope, the log of uses."""

import datetime as dt
import os
import stat

import pytest

from monitoring import i18n
from monitoring.access import sharing
from monitoring.access.sharing import (
    EXPIRED,
    REVOKED,
    TAMPERED,
    UNKNOWN,
    ShareLinkError,
    check_share_token,
    create_share_link,
    open_share_link,
    overlapping_links,
    parse_duration,
    revoke_share_link,
)
from tests.conftest import insert

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
SECRET = "s" * 40
REGIONS = [
    {"region_code": "UZ-JI", "name_en": "Jizzakh"},
    {"region_code": "UZ-NG", "name_en": "Namangan"},
    {"region_code": "UZ-TO", "name_en": "Tashkent Region"},
]


@pytest.fixture(autouse=True)
def secret_in_tmp(tmp_path, monkeypatch):
    """Never read or write the project's own .secrets/ in tests."""
    monkeypatch.delenv(sharing.SECRET_ENV, raising=False)
    monkeypatch.delenv(sharing.BASE_URL_ENV, raising=False)
    monkeypatch.setenv(sharing.SECRET_FILE_ENV, str(tmp_path / "secrets" / "share_secret"))


@pytest.fixture
def regions_db(db):
    insert(db, "regions", REGIONS)
    return db


def create(db, expires="90d", **kw):
    kw.setdefault("by", "admin")
    kw.setdefault("now", T0)
    kw.setdefault("secret", SECRET)
    return create_share_link(db, kw.pop("label", "USIP Q3"), expires, **kw)


def uses(db):
    with db.cursor() as cur:
        return cur.execute(
            "select link_id, used_at, page, outcome from share_link_uses order by used_at"
        ).fetchall()


# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", dt.timedelta(days=90)),
        ("12w", dt.timedelta(weeks=12)),
        ("48h", dt.timedelta(hours=48)),
        (" 2D ", dt.timedelta(days=2)),
        ("1h", dt.timedelta(hours=1)),
        ("366d", dt.timedelta(days=366)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90", "not a duration. Write a whole number and a unit: 90d"),
        ("d", "not a duration"),
        ("30m", "not a duration"),
        ("-3d", "not a duration"),
        ("1.5d", "not a duration"),
        ("", "not a duration"),
        ("0d", "too short: a link must last at least 1 hour"),
        ("367d", "too long: a link lasts at most 366 days"),
        ("60w", "too long"),
    ],
)
def test_bad_durations_say_how_to_write_one(text, message):
    with pytest.raises(ShareLinkError, match=message):
        parse_duration(text)


def test_only_links_reading_other_cells_over_shared_regions_are_named(regions_db, settings):
    """Links over the programme's regions all read the programme's protected cells (each
    restricted to its regions): none is named. A link over a region outside the programme
    reads other cells: the links sharing a region with it are."""
    db = regions_db
    assert tuple(settings.programme.regions) == ("UZ-JI", "UZ-TO", "UZ-NG")
    insert(db, "regions", [{"region_code": "UZ-AN", "name_en": "Andijan"}])
    whole, _ = create(db, label="Whole")
    jizzakh, _ = create(db, label="Jizzakh", regions=["UZ-JI"])
    pair, _ = create(db, label="Pair", regions=["UZ-NG", "UZ-JI"])
    at = T0 + dt.timedelta(days=1)
    for link in (whole, jizzakh, pair):
        assert overlapping_links(db, link, settings, now=at) == []
    wider, _ = create(db, label="With Andijan", regions=["UZ-JI", "UZ-AN"])
    andijan, _ = create(db, label="Andijan", regions=["UZ-AN"])
    gone, _ = create(db, label="Gone", regions=["UZ-JI"])
    revoke_share_link(db, gone, by="admin", now=T0)
    assert overlapping_links(db, wider, settings, now=at) == [
        (whole, "Whole"),
        (jizzakh, "Jizzakh"),
        (pair, "Pair"),
    ]
    assert overlapping_links(db, jizzakh, settings, now=at) == [(wider, "With Andijan")]
    # Andijan alone reads the same cells as the link with Andijan, and shares no region
    # with the others
    assert overlapping_links(db, andijan, settings, now=at) == []
    with pytest.raises(ShareLinkError, match="no share link 99"):
        overlapping_links(db, 99, settings, now=at)


def test_one_warning_names_every_overlapping_link_in_the_readers_language():
    one = [(4, "Jizzakh")]
    two = [(4, "Jizzakh"), (7, "Whole")]
    assert sharing.overlap_warning(one).startswith("Link 4 (Jizzakh) shows some of the same")
    assert sharing.overlap_warning(two).startswith("Links 4 (Jizzakh), 7 (Whole) show some")
    with i18n.language("ru"):
        assert sharing.overlap_warning(one).startswith("Ссылка 4 (Jizzakh) показывает")
        assert sharing.overlap_warning(two).startswith("Ссылки 4 (Jizzakh), 7 (Whole) показывают")
    with i18n.language("uz"):
        assert sharing.overlap_warning(two).startswith("4 (Jizzakh), 7 (Whole) havolalar")


# --- tokens -------------------------------------------------------------------------------


def test_a_token_opens_its_scope(regions_db):
    link_id, token = create(
        regions_db, regions=["uz-ji", "UZ-NG", "UZ-JI"], pages=["overview", "indicators"]
    )
    check = check_share_token(regions_db, token, now=T0 + dt.timedelta(days=1), secret=SECRET)
    assert check.ok and check.reason is None and check.message == ""
    scope = check.scope
    assert (scope.link_id, scope.label) == (link_id, "USIP Q3")
    assert scope.regions == ("UZ-JI", "UZ-NG")
    assert scope.pages == ("overview", "indicators")
    assert scope.expires_at == T0 + dt.timedelta(days=90)


def test_a_link_without_regions_or_pages_opens_the_whole_programme(regions_db):
    _, token = create(regions_db)
    scope = check_share_token(regions_db, token, now=T0, secret=SECRET).scope
    assert scope.regions is None and scope.pages is None
    assert scope.regions_within(None, ["UZ-JI", "UZ-TO", "UZ-NG"]) == ["UZ-JI", "UZ-TO", "UZ-NG"]
    assert scope.visible_pages(["overview", "upload", "grants", "admin"]) == [
        "overview",
        "grants",
    ]


def test_scope_narrows_filters_and_pages(regions_db):
    _, token = create(regions_db, regions=["UZ-JI", "UZ-NG"], pages=["overview", "map"])
    scope = check_share_token(regions_db, token, now=T0, secret=SECRET).scope
    programme = ["UZ-JI", "UZ-TO", "UZ-NG"]
    assert scope.regions_within(None, programme) == ["UZ-JI", "UZ-NG"]
    assert scope.regions_within(["UZ-TO", "UZ-NG"], programme) == ["UZ-NG"]
    assert scope.regions_within(["UZ-TO"], programme) == []
    assert scope.allows_page("map") and not scope.allows_page("indicators")
    assert not scope.allows_page("upload")
    assert scope.visible_pages(["overview", "indicators", "map"]) == ["overview", "map"]


def test_narrower_scopes_have_other_cache_keys(regions_db):
    keys = []
    for regions in (None, ["UZ-JI", "UZ-NG"], ["UZ-JI"]):
        _, token = create(regions_db, regions=regions)
        keys.append(check_share_token(regions_db, token, now=T0, secret=SECRET).scope.cache_key())
    assert len(set(keys)) == 3


def flip(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: flip(t, len(t) - 3),  # the signature
        lambda t: flip(t, 2),  # the payload
        lambda t: t.split(".")[0],  # signature cut off
        lambda t: t[:-5],  # copied incompletely
        lambda t: "",
        lambda t: "not-a-token",
        lambda t: t + "x" * 600,
    ],
    ids=["signature", "payload", "no-signature", "cut", "empty", "garbage", "huge"],
)
def test_a_tampered_token_opens_nothing(regions_db, tamper):
    _, token = create(regions_db)
    check = check_share_token(regions_db, tamper(token), now=T0, secret=SECRET)
    assert not check.ok and check.reason == TAMPERED and check.scope is None
    assert "changed or copied incompletely" in check.message


def test_a_token_signed_with_another_secret_is_tampered(regions_db):
    _, token = create(regions_db, secret="another secret of enough length 123456")
    assert check_share_token(regions_db, token, now=T0, secret=SECRET).reason == TAMPERED


def test_a_validly_signed_token_for_no_link_is_unknown(regions_db):
    link_id, _ = create(regions_db)
    forged_id = sharing.make_token(link_id + 1, "nonce", secret=SECRET)
    wrong_nonce = sharing.make_token(link_id, "wrong nonce", secret=SECRET)
    for token in (forged_id, wrong_nonce):
        check = check_share_token(regions_db, token, now=T0, secret=SECRET)
        assert (check.ok, check.reason) == (False, UNKNOWN)


def test_a_link_expires(regions_db):
    _, token = create(regions_db, expires="90d")
    end = T0 + dt.timedelta(days=90)
    assert check_share_token(regions_db, token, now=end - dt.timedelta(seconds=1), secret=SECRET).ok
    check = check_share_token(regions_db, token, now=end, secret=SECRET)
    assert (check.ok, check.reason, check.message) == (
        False,
        EXPIRED,
        sharing.REASON_MESSAGES[EXPIRED],
    )


def test_a_revoked_link_opens_nothing_at_once(regions_db):
    link_id, token = create(regions_db)
    later = T0 + dt.timedelta(days=1)
    revoked = sharing.revoke_share_link(regions_db, link_id, by="boss", now=later)
    assert (revoked["status"], revoked["revoked_by"]) == (REVOKED, "boss")
    check = check_share_token(regions_db, token, now=later, secret=SECRET)
    assert (check.ok, check.reason) == (False, REVOKED)
    assert "withdrawn" in check.message
    with pytest.raises(ShareLinkError, match="already revoked"):
        sharing.revoke_share_link(regions_db, link_id, by="boss", now=later)
    with pytest.raises(ShareLinkError, match="no share link 99"):
        sharing.revoke_share_link(regions_db, 99, by="boss")


def test_every_use_is_logged_with_its_link_and_page(regions_db):
    link_id, token = create(regions_db)
    other_id, other = create(regions_db, label="Other donor")
    t1, t2, t3 = (T0 + dt.timedelta(hours=h) for h in (1, 2, 3))
    assert open_share_link(regions_db, token, page="overview", now=t1, secret=SECRET).ok
    assert open_share_link(regions_db, token, page="indicators", now=t2, secret=SECRET).ok
    assert open_share_link(regions_db, other, page="overview", now=t3, secret=SECRET).ok
    check_share_token(regions_db, token, now=t3, secret=SECRET)  # a check alone logs nothing
    assert uses(regions_db) == [
        (link_id, t1, "overview", "opened"),
        (link_id, t2, "indicators", "opened"),
        (other_id, t3, "overview", "opened"),
    ]
    listed = sharing.list_share_links(regions_db, now=t3).set_index("link_id")
    assert listed.loc[link_id, "uses"] == 2 and listed.loc[link_id, "last_used_at"] == t2
    assert listed.loc[other_id, "uses"] == 1
    log = sharing.share_link_uses(regions_db, link_id)
    assert list(log.page) == ["indicators", "overview"]  # newest first
    assert set(log.label) == {"USIP Q3"}


def test_refused_uses_of_a_known_link_are_logged_tampered_ones_cannot_be(regions_db):
    link_id, token = create(regions_db, expires="1w")
    late = T0 + dt.timedelta(weeks=2)
    assert open_share_link(regions_db, token, page="overview", now=late, secret=SECRET).reason == (
        EXPIRED
    )
    open_share_link(regions_db, flip(token, len(token) - 3), now=late, secret=SECRET)
    assert uses(regions_db) == [(link_id, late, "overview", EXPIRED)]
    listed = sharing.list_share_links(regions_db, now=late)
    assert (listed.status[0], listed.uses[0], listed.refused_uses[0]) == (EXPIRED, 0, 1)


def test_listing_shows_status_and_never_the_nonce(regions_db):
    first, _ = create(regions_db, label="Expires soon", expires="1h")
    second, _ = create(regions_db, label="Long", regions=["UZ-JI"])
    third, _ = create(regions_db, label="Withdrawn")
    sharing.revoke_share_link(regions_db, third, by="admin", now=T0)
    listed = sharing.list_share_links(regions_db, now=T0 + dt.timedelta(hours=2))
    assert list(zip(listed.link_id, listed.label, listed.status, strict=True)) == [
        (third, "Withdrawn", REVOKED),
        (second, "Long", "active"),
        (first, "Expires soon", EXPIRED),
    ]
    assert "nonce" not in listed.columns
    assert list(listed.regions[1]) == ["UZ-JI"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"regions": ["UZ-XX"]}, r"Unknown region code\(s\): UZ-XX. Known codes: UZ-JI"),
        ({"pages": ["upload"]}, "cannot open: upload"),
        ({"pages": ["admin", "overview"]}, "cannot open: admin"),
        ({"pages": ["overview", "nowhere"]}, "cannot open: nowhere"),
        ({"label": "  "}, "label"),
        ({"expires": "forever"}, "not a duration"),
    ],
)
def test_links_that_cannot_be_made_are_refused_and_not_stored(regions_db, kw, message):
    with pytest.raises(ShareLinkError, match=message):
        create(regions_db, **kw)
    assert sharing.list_share_links(regions_db).empty


def test_pages_must_exist_on_the_dashboard(regions_db):
    with pytest.raises(ShareLinkError, match="cannot open: map"):
        create(regions_db, pages=["map"], available_pages=["overview", "indicators"])


def test_regions_need_a_regions_table(db):
    with pytest.raises(ShareLinkError, match="regions table is empty"):
        create(db, regions=["UZ-JI"])


# --- the secret and the URL ---------------------------------------------------------------


def test_the_secret_is_generated_once_into_a_private_file(regions_db, tmp_path):
    path = sharing.secret_file()
    assert not path.exists()
    link_id, token = create_share_link(regions_db, "USIP", "90d", by="admin", now=T0)
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(path.read_text().strip()) >= sharing.MIN_SECRET_LENGTH
    assert sharing.share_secret() == path.read_text().strip()  # read again, not regenerated
    assert check_share_token(regions_db, token, now=T0).ok
    assert sharing.link_token(regions_db, link_id) == token  # the URL can be copied again


def test_the_environment_secret_wins_and_rotating_it_invalidates_links(regions_db, monkeypatch):
    monkeypatch.setenv(sharing.SECRET_ENV, SECRET)
    _, token = create_share_link(regions_db, "USIP", "90d", by="admin", now=T0)
    assert not sharing.secret_file().exists()
    assert check_share_token(regions_db, token, now=T0, secret=SECRET).ok
    monkeypatch.setenv(sharing.SECRET_ENV, "t" * 40)
    assert check_share_token(regions_db, token, now=T0).reason == TAMPERED


def test_a_short_secret_is_refused(regions_db, monkeypatch):
    monkeypatch.setenv(sharing.SECRET_ENV, "short")
    with pytest.raises(ShareLinkError, match="too short"):
        create_share_link(regions_db, "USIP", "90d", by="admin")
    assert sharing.list_share_links(regions_db).empty


def test_share_urls(monkeypatch):
    assert sharing.share_url("abc.def") == "http://localhost:8501/?share=abc.def"
    assert (
        sharing.share_url("abc.def", url="https://dash.example.org/", page="indicators")
        == "https://dash.example.org/indicators?share=abc.def"
    )
    monkeypatch.setenv(sharing.BASE_URL_ENV, "https://m.example.org/monitoring")
    assert sharing.share_url("t") == "https://m.example.org/monitoring/?share=t"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.org", "dash.example.org", "https://x.org/?a=1"]
)
def test_a_base_url_must_be_a_plain_web_address(url):
    with pytest.raises(ShareLinkError, match=r"http or https|without \?"):
        sharing.base_url(url)
