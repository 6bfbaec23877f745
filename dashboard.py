"""Entry point: `streamlit run dashboard.py`. Who is looking, navigation, shared filters, page."""

import streamlit as st

from monitoring import i18n
from monitoring.db import DATABASE_ERRORS
from monitoring.i18n import _
from ui import access, common, gate, language, turns
from ui.access import VIEWER_KEY
from ui.navigation import PAGES, REDIRECTS


def main() -> None:
    config = common.settings()
    language.language_of_this_run()  # every word below in the language of the address or browser
    st.set_page_config(
        page_title=config.programme.shown("short_name"),
        # An icon of our own, sent with the page (a material icon's is fetched from Google's
        # servers by every visitor's browser: their address to a third party, and a failed
        # request where the dashboard has no internet).
        page_icon=common.FAVICON,
        layout="wide",
    )

    # Every page is registered, so that a typed address reaches the refusal below rather than
    # Streamlit's "page not found"; the sidebar lists only the pages this viewer may open.
    # (The default page is served at "/"; its own name is kept free for the redirect below.)
    pages = {
        p.url_path: st.Page(
            p.path,
            title=_(p.title),
            icon=p.icon,
            url_path=f"{p.url_path}-at-root" if p.default else p.url_path,
            default=p.default,
        )
        for p in PAGES
    }
    redirects = [
        st.Page(lambda: None, title=_(PAGES[0].title), url_path=alias, visibility="hidden")
        for alias in REDIRECTS
    ]
    navigation = st.navigation([*pages.values(), *redirects], position="hidden")
    if navigation.url_path in REDIRECTS:  # e.g. /overview: to /, the query parameters kept
        target = next(p for p in PAGES if p.address == REDIRECTS[navigation.url_path])
        query = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
        st.switch_page(pages[target.url_path], query_params=query)
    spec = gate.page_of(navigation.url_path, PAGES)

    try:
        viewer = gate.viewer_of_this_run(common.database(), config, spec.url_path)
    except DATABASE_ERRORS as exc:
        common.database_unavailable(exc)  # a plain message: no path, no traceback
    st.session_state[VIEWER_KEY] = viewer
    if viewer.is_donor:
        # The donor's protected view first, in the page's main area (the sidebar asks for it
        # too): after new data the disclosure audit behind it can take minutes, and the
        # wait says how far it is, where the page will be (ui/access.py).
        try:
            access.view()
        except DATABASE_ERRORS as exc:
            common.database_unavailable(exc)
        # Shown while the audit fills the view in: which indicators are still being checked.
        access.checking_notice()

    allowed = gate.allowed_pages(viewer, PAGES)
    with st.sidebar:
        st.markdown(f"**{config.programme.shown('short_name')}**")
        programme = config.programme
        donor = programme.shown("donor")
        st.caption(f"{i18n.month(programme.start)} – {i18n.month(programme.end)} · {donor}")
        gate.navigation_links(viewer, allowed)
        filters = st.container()
        names = common.region_names(config) if viewer.is_donor else {}
        gate.who_is_looking(viewer, lambda code: names.get(code, code))
        language.language_picker()
    gate.refuse_unless_allowed(viewer, spec, allowed)
    with filters:
        common.reporting_date_picker(config)

    try:
        navigation.run()
    except DATABASE_ERRORS as exc:
        common.database_unavailable(exc)


# Scripts take turns (ui/turns.py): ten sessions' scripts run side by side cost each render a
# third more of the server's CPU than the same scripts run two at a time.
with turns.turn():
    main()
