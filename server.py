"""The web server: `streamlit run server.py` (or `uvicorn server:app`).

Streamlit's server for the dashboard (dashboard.py), plus the address that gives a browser
its sign-in cookie after a sign-in (ui/session_cookie.py, docs/access.md "Sessions"): a
Streamlit script cannot set a cookie, and only the server can make one HttpOnly.
`streamlit run dashboard.py` still serves every page, but signs nobody in with a password or a
one-time link (the sign-in form says so); share links and the identity provider work.
Each page's own address serves Streamlit's page with a line saying where the server is
(ui/page_html.py), which spares the browser a search for it. When it starts, the server opens
the database and prepares donors' views and the data quality checks before anyone comes
(ui/startup.py), and logs what it prepared on its standard error.
"""

import streamlit as st

from ui import nodelay, page_html, session_cookie, startup

nodelay.enable()  # before the server accepts its first connection (ui/nodelay.py)
app = st.App(
    "dashboard.py",
    routes=[*session_cookie.routes(), *page_html.routes()],
    lifespan=startup.lifespan,
)
