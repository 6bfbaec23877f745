"""The way in: who is looking, decided in dashboard.py before any page runs.

In this order: a share link in the address (`?share=TOKEN`: a donor), a one-time sign-in link
(`?signin=TOKEN`), the organisation's identity provider (`st.login`, when the deployment
configures `[auth]` in its secrets), the sign-in session of the browser's cookie
(ui/session_cookie.py, checked on every run: a Streamlit session id alone signs nobody in),
else the sign-in form. Nobody sees programme data before one of them succeeds. Every token
in the address is used or refused, and the sign-in link's is removed from it. See
docs/access.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from monitoring import i18n
from monitoring.access import accounts, sessions, sharing, signin_links
from monitoring.db import Database, open_database
from monitoring.i18n import N_, _
from monitoring.settings import Settings
from ui import language, session_cookie
from ui.access import USER_KEY, VIEWER_KEY, Viewer
from ui.navigation import PageSpec
from ui.text import code, plain

SHARE_KEY = "_share_token"  # the share token this browser session came with
LOGGED_KEY = "_share_uses_logged"  # (token, page) pairs already written to the use log
NOTICE_KEY = "_sign_in_notice"
LINK_WITH_SHARE = N_(
    "This address also held a one-time sign-in link. A shared view opens only itself, so "
    "the sign-in link has been used up without signing anyone in: ask for a new one to "
    "sign in."
)


def identity_provider_configured() -> bool:
    """Whether the deployment set up `st.login` ([auth] in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _identity_provider_user() -> str | None:
    if not identity_provider_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:
        return None
    return str(st.user.get("email") or "").strip().lower() or None


def _forget_viewer() -> None:
    for key in (VIEWER_KEY, USER_KEY, SHARE_KEY):
        st.session_state.pop(key, None)


def _donor(db: Database, token: str, page: str) -> Viewer:
    """The donor's viewer, or a plain message and nothing else."""
    logged: set = st.session_state.setdefault(LOGGED_KEY, set())
    if (token, page) in logged:
        check = sharing.check_share_token(db, token)
    else:
        check = sharing.open_share_link(db, token, page=page)
        logged.add((token, page))
    if not check.ok:
        _forget_viewer()
        st.title(_("This link opens nothing"))
        st.error(check.message, icon=":material/link_off:")
        st.stop()
    st.session_state[SHARE_KEY] = token
    return Viewer(role=accounts.DONOR, name=check.scope.label, scope=check.scope, token=token)


def _account(db: Database, user_name: str, *, identity_provider: bool = False) -> Viewer | None:
    account = accounts.get_user(db, user_name)
    if account is None:
        return None
    return Viewer(role=account.role, name=account.user_name, identity_provider=identity_provider)


def _browser_session(db: Database, config: Settings) -> sessions.SessionCheck:
    """What the browser's sign-in cookie signs in now (checked on every run)."""
    return sessions.check(
        db,
        session_cookie.cookie(),
        idle=dt.timedelta(minutes=config.access.idle_minutes),
        maximum=dt.timedelta(hours=config.access.max_hours),
    )


def _require_cookie_address() -> None:
    """Stop with a plain message when no sign-in could be held: this process does not serve
    the address that sets the cookie (started as dashboard.py, not server.py)."""
    if session_cookie.served():
        return
    st.error(
        _(
            "Signing in with a password or a link needs the dashboard's sign-in address, which "
            "this server does not have: it was started as {script}. Start it with "
            "{command} (as {make} does). Nothing was used up."
        ).format(
            script="dashboard.py", command=code("streamlit run server.py"), make=code("make run")
        ),
        icon=":material/error:",
    )
    st.stop()


def _hand_over(db: Database, config: Settings, user_name: str, method: str) -> None:
    """Start the session of an account that has just signed in, and give its browser the
    cookie (the page goes to the address that sets it and comes back); stops the run."""
    started = sessions.start(db, user_name, method, client=session_cookie.client(config))
    session_cookie.hand_over(started.ticket)
    st.stop()


def viewer_of_this_run(db: Database, config: Settings, page: str) -> Viewer:
    """Who is looking at `page`; shows the sign-in form (and stops) when nobody is."""
    params = st.query_params
    token = params.get(sharing.SHARE_PARAM)
    link = params.get(signin_links.SIGNIN_PARAM)
    if link is not None:
        del st.query_params[signin_links.SIGNIN_PARAM]  # used once: never left in the address
        if token:  # a share link shows its own view: the sign-in link is used up, unused
            signin_links.use_up(db, link)
            st.warning(_(LINK_WITH_SHARE), icon=":material/link_off:")
        else:
            _require_cookie_address()
            redeemed = signin_links.redeem(db, link)
            if redeemed.ok:
                _hand_over(db, config, redeemed.account.user_name, sessions.LINK)
            st.session_state[NOTICE_KEY] = redeemed.message

    session = _browser_session(db, config)
    if token is None and not session.ok:
        token = st.session_state.get(SHARE_KEY)
        if token:
            st.query_params[sharing.SHARE_PARAM] = token  # keep the scope in the address
    if token:
        return _donor(db, token, page)

    email = _identity_provider_user()
    if email is not None:
        found = _account(db, email, identity_provider=True)
        if found is not None:
            return found
        _refuse_identity(email)

    if session.ok:
        st.session_state[USER_KEY] = session.account.user_name
        return Viewer(
            role=session.account.role,
            name=session.account.user_name,
            session_id=session.session_id,
        )
    _forget_viewer()
    if session.notice:
        st.session_state[NOTICE_KEY] = plain(session.notice)
    sign_in_form(db, config)
    st.stop()


def _refuse_identity(email: str) -> None:
    st.title(_("No account for this sign-in"))
    st.error(
        _(
            "You signed in as {email}, but this dashboard has no account for that address. "
            "Ask an administrator to add it, e.g. {command}."
        ).format(
            email=plain(email),
            command=code(f"python -m monitoring user add {email} --role manager --no-password"),
        ),
        icon=":material/person_off:",
    )
    st.button(_("Sign out"), on_click=st.logout, icon=":material/logout:")
    st.stop()


def sign_in_form(db: Database, config: Settings) -> None:
    """The sign-in page: user name and password, or the organisation's identity provider."""
    st.title(
        _("Sign in to the {programme} dashboard").format(
            programme=config.programme.shown("short_name")
        )
    )
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice, icon=":material/info:")
    left, _right = st.columns([2, 3])
    with left:
        if identity_provider_configured():
            st.button(
                _("Sign in with your organisation account"),
                on_click=st.login,
                type="primary",
                icon=":material/login:",
            )
            st.caption(_("Or with a user name and password:"))
        with st.form("sign-in"):
            name = st.text_input(_("User name"), autocomplete="username")
            password = st.text_input(
                _("Password"), type="password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(_("Sign in"), icon=":material/login:")
        if submitted:
            if not name.strip() or not password:
                st.error(_("Enter both your user name and your password."), icon=":material/error:")
            else:
                _require_cookie_address()
                result = accounts.sign_in(db, name, password, client=session_cookie.client(config))
                if result.ok:
                    _hand_over(db, config, result.account.user_name, sessions.PASSWORD)
                st.error(result.message, icon=":material/error:")
    st.markdown(
        _(
            "Programme managers, staff and administrators sign in with their account. "
            "**Donors** open the link that was shared with them; it needs no account.  \n"
            "First time on this computer? {make} printed a one-time sign-in link for the "
            "local administrator. An administrator can print one for any account with "
            "{command}."
        ).format(make=code("make run"), command=code(signin_links.NEW_LINK_COMMAND))
    )
    with st.sidebar:
        language.language_picker()  # the sign-in page has no other sidebar


def refuse_unless_allowed(viewer: Viewer, spec: PageSpec, allowed: list[PageSpec]) -> None:
    """Stop with a plain refusal when `viewer` may not open `spec` (e.g. a typed address)."""
    pages = viewer.scope.pages if viewer.is_donor else None
    if accounts.can_open_page(viewer.role, spec.url_path, pages):
        return
    if spec.default and allowed:  # the address without a page: the first page one may open
        st.switch_page(allowed[0].path, query_params=viewer.link_params())
    st.title(_("This page is not open to you"))
    if viewer.is_donor:
        refusal = _("**{page}**: It is not part of the view that was shared with you.")
    else:
        refusal = _(
            "**{page}**: Your role, {role}, does not include it; an administrator can change that."
        )
    st.error(
        refusal.format(page=_(spec.title), role=accounts.role_name(viewer.role)),
        icon=":material/block:",
    )
    if allowed:
        st.markdown(_("Pages you can open:"))
        for other in allowed:
            st.page_link(
                other.path,
                label=_(other.title),
                icon=other.icon,
                query_params=viewer.link_params(),
            )
    st.stop()


def page_of(url_path: str, pages: list[PageSpec]) -> PageSpec:
    """The page served at `url_path` ("" is the default page)."""
    return next(p for p in pages if p.url_path == url_path or (p.default and not url_path))


def allowed_pages(viewer: Viewer, pages: list[PageSpec]) -> list[PageSpec]:
    """The pages `viewer` may open, in navigation order."""
    scope_pages = viewer.scope.pages if viewer.is_donor else None
    paths = accounts.visible_pages(viewer.role, [p.url_path for p in pages], scope_pages)
    return [p for p in pages if p.url_path in paths]


def navigation_links(viewer: Viewer, allowed: list[PageSpec]) -> None:
    """The sidebar's links to the pages this viewer may open; a donor's keep the share link."""
    for spec in allowed:
        st.page_link(
            spec.path, label=_(spec.title), icon=spec.icon, query_params=viewer.link_params()
        )
    st.divider()


def who_is_looking(viewer: Viewer, region_name: Callable[[str], str] = str) -> None:
    """Who is looking (a signed-in account, or a donor's shared view, its regions named by
    `region_name`), and sign-out."""
    st.divider()
    if viewer.is_donor:
        scope = viewer.scope
        st.caption(_("Shared view, read-only:"))
        st.text(scope.label)
        regions = (
            ", ".join(plain(region_name(c)) for c in scope.regions)  # data: never markup
            if scope.regions
            else _("the whole programme")
        )
        st.caption(
            _("Regions: {regions} · the link expires on {date}.").format(
                regions=regions, date=i18n.date(scope.expires_at.date(), "medium")
            )
        )
        return
    st.caption(
        _("Signed in as {name} ({role})").format(
            name=code(viewer.name), role=accounts.role_name(viewer.role)
        )
    )
    if st.button(_("Sign out"), icon=":material/logout:", key="sign-out"):
        if viewer.session_id:  # ends it in every tab of this browser
            sessions.end(open_database(), session_cookie.cookie())
        _forget_viewer()
        if viewer.identity_provider:
            st.logout()
        st.rerun()
