"""Entry point: `streamlit run dashboard.py`. Who is looking, navigation, shared filters, page."""

import streamlit as st

from monitoring.db import DatabaseError
from ui import common, gate
from ui.access import VIEWER_KEY
from ui.navigation import PAGES
from ui.text import plain

config = common.settings()
st.set_page_config(
    page_title=config.programme.short_name,
    page_icon=":material/monitoring:",
    layout="wide",
)

# Every page is registered, so that a typed address reaches the refusal below rather than
# Streamlit's "page not found"; the sidebar lists only the pages this viewer may open.
navigation = st.navigation(
    [
        st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
        for p in PAGES
    ],
    position="hidden",
)
spec = gate.page_of(navigation.url_path, PAGES)

try:
    viewer = gate.viewer_of_this_run(common.database(), config, spec.url_path)
except DatabaseError as exc:
    st.error(f"The monitoring database cannot be opened. {plain(exc)}", icon=":material/error:")
    st.stop()
st.session_state[VIEWER_KEY] = viewer

allowed = gate.allowed_pages(viewer, PAGES)
with st.sidebar:
    st.markdown(f"**{config.programme.short_name}**")
    st.caption(
        f"{config.programme.start:%B %Y} – {config.programme.end:%B %Y} · {config.programme.donor}"
    )
    gate.navigation_links(viewer, allowed)
    filters = st.container()
    gate.who_is_looking(viewer)
gate.refuse_unless_allowed(viewer, spec, allowed)
with filters:
    common.reporting_date_picker(config)

navigation.run()
