"""Entry point: `streamlit run dashboard.py`. Navigation, shared filters, then the page."""

import streamlit as st

from monitoring.db import DatabaseError
from ui import common
from ui.navigation import PAGES

config = common.settings()
st.set_page_config(
    page_title=config.programme.short_name,
    page_icon=":material/monitoring:",
    layout="wide",
)

navigation = st.navigation(
    [
        st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
        for p in PAGES
    ]
)

with st.sidebar:
    st.markdown(f"**{config.programme.short_name}**")
    st.caption(
        f"{config.programme.start:%B %Y} – {config.programme.end:%B %Y} · {config.programme.donor}"
    )
try:
    common.reporting_date_picker(config)
except DatabaseError as exc:
    st.error(f"The monitoring database cannot be opened. {exc}", icon=":material/error:")
    st.stop()

navigation.run()
