"""Streamlit side of the dashboard: shared page furniture. Logic lives in `monitoring`."""
