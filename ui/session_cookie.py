"""The sign-in cookie on the server's side: read it, hand it to the browser, serve its address.

After a password or a one-time link signs someone in, the page holds a one-time ticket
(monitoring/access/sessions.py). `hand_over` posts it, from the page, to the dashboard's
address `/auth/session`, served next to Streamlit's own by `server.py` (an `st.App`); the
answer sets the cookie, HttpOnly and SameSite=Strict, and sends the browser back to the page
it was on, whose new connection carries the cookie. Streamlit has no way to set a cookie
from a script, and a cookie written by JavaScript (`document.cookie`) could not be HttpOnly:
a script injected into the page could read it. docs/access.md, "Sessions".

Every run reads the cookie the browser sent with its connection (`st.context.cookies`),
never anything kept in the Streamlit session: whoever reconnects to a session's id without
the cookie is signed in as nobody.
"""

from __future__ import annotations

import html
import json
import logging
import os
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from monitoring import i18n
from monitoring.access import sessions, throttle
from monitoring.db import DATABASE_ERRORS, DatabaseError
from monitoring.i18n import N_, _
from monitoring.settings import Settings, load_settings

COOKIE = "monitoring_session"
PATH = "auth/session"  # under Streamlit's server.baseUrlPath
SERVED_ENV = "MONITORING_SESSION_ADDRESS"  # set to 1 by routes(): the address is served
MAX_FORM_BYTES = 4096
HANDING_OVER = N_("Signing you in…")  # what the page says while the browser takes its cookie
# The key of the container of that message and its form: the page's element class
# `st-key-signin-handoff` marks a hand-over in any language from its first paint.
HANDOFF_KEY = "signin-handoff"
log = logging.getLogger("monitoring.access")


def base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def address() -> str:
    """The path of the address that sets the cookie, e.g. /auth/session."""
    return f"{base_path()}/{PATH}"


# --- in a run of the dashboard --------------------------------------------------------------


def browser_cookies() -> Mapping[str, str]:
    """The cookies the browser sent with this session's connection."""
    return st.context.cookies


def cookie() -> str | None:
    """The sign-in cookie this browser holds, if any."""
    return browser_cookies().get(COOKIE)


def client(config: Settings) -> str:
    """The address this browser connects from (X-Forwarded-For only from a trusted proxy)."""
    headers = st.context.headers
    return throttle.client_address(
        st.context.ip_address, headers.get("X-Forwarded-For"), config.access.trusted_proxies
    )


def served() -> bool:
    """Whether this process serves the address that sets the cookie (server.py)."""
    return os.environ.get(SERVED_ENV) == "1"


def hand_over(ticket: str) -> None:
    """Send the browser, with `ticket`, to the address that sets its cookie; it comes back
    to this page (without `?signin=`). A button does it where scripts do not run."""
    form_id = f"signin-handoff-{secrets.token_hex(4)}"
    with st.container(key=HANDOFF_KEY):
        # drawn at once; the form below loads late
        st.info(_(HANDING_OVER), icon=":material/login:")
        st.html(
            f'<div data-signin-handoff="1"><form id="{form_id}" method="post" '
            f'action="{html.escape(address())}">'
            f'<input type="hidden" name="ticket" value="{html.escape(ticket)}">'
            '<input type="hidden" name="next" value="/">'
            f'<button type="submit">{html.escape(_("Continue"))}</button></form></div>'
            "<script>(() => {"
            f"const form = document.getElementById({json.dumps(form_id)});"
            "if (!form || form.dataset.sent) return;"
            "form.dataset.sent = '1';"
            "const here = new URL(window.location.href);"
            "here.searchParams.delete('signin');"
            "form.elements.next.value = here.pathname + here.search;"
            "form.submit();"
            "})();</script>",
            unsafe_allow_javascript=True,
        )


# --- the address that sets the cookie (server.py) -------------------------------------------


def _next_path(value: str | None) -> str:
    """Where to send the browser back: a path of this site only, never another site."""
    base = base_path() or ""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
    ):
        return f"{base}/"
    return value


def _language_of(next_path: str) -> str:
    """The language of the page the browser goes back to (its ?lang=), else English."""
    asked = parse_qs(urlsplit(next_path).query).get("lang", [None])[0]
    return i18n.choose(asked)


def _refused(next_path: str) -> HTMLResponse:
    with i18n.language(_language_of(next_path)):
        title = html.escape(_("Sign-in not completed"), quote=False)
        text = _(
            "This sign-in could not be completed: it took more than two minutes, or it was "
            "completed already. {link_start}Open the dashboard{link_end} and sign in again."
        )
    text = html.escape(text, quote=False).format(
        link_start=f'<a href="{html.escape(next_path)}">', link_end="</a>"
    )
    return HTMLResponse(
        f"<!doctype html><meta charset=utf-8><title>{title}</title><p>{text}</p>",
        status_code=400,
    )


async def _set_cookie(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return HTMLResponse("Too large.", status_code=413)
    form = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4)
    ticket = (form.get("ticket") or [""])[0]
    next_path = _next_path((form.get("next") or [""])[0])

    def claim() -> tuple[str | None, int]:
        from ui import common  # the dashboard's shared database (taking command-line jobs)

        value = sessions.claim(common.database(), ticket, replacing=request.cookies.get(COOKIE))
        return value, load_settings().access.max_hours * 3600

    try:
        value, max_age = await run_in_threadpool(claim)
    except DatabaseError as exc:
        log.error("The sign-in cookie could not be set: %s", exc)
        with i18n.language(_language_of(next_path)):
            text = _("The dashboard's database cannot be opened just now; try again.")
        return HTMLResponse(html.escape(text, quote=False), status_code=503)
    if value is None:
        return _refused(next_path)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        COOKIE,
        value,
        max_age=max_age,
        path=base_path() or "/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


HEALTH_PATH = "health/database"


async def _health(request: Request) -> Response:
    """200 "ok" when this process can read its database now, else 503: for a proxy's
    health checks (deploy/haproxy.cfg), which take a replica out while it cannot (Streamlit's
    own /_stcore/health answers "ok" whatever the database)."""

    def ping() -> None:
        from ui import common

        common.database().ping()

    try:
        await run_in_threadpool(ping)
    except DATABASE_ERRORS as exc:
        log.error("Health check: the database cannot be used: %s", exc)
        return Response("database unavailable", status_code=503, media_type="text/plain")
    return Response("ok", media_type="text/plain", headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """The routes server.py adds to Streamlit's server: the sign-in cookie, and the
    database's health."""
    os.environ[SERVED_ENV] = "1"
    return [
        Route(address(), _set_cookie, methods=["POST"]),
        Route(f"{base_path()}/{HEALTH_PATH}", _health, methods=["GET"]),
    ]
