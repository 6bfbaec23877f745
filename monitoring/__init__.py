"""Core of the programme monitoring dashboard: data contract, database, queries, rules.

This package never imports streamlit: scripts, scheduled jobs and tests use it directly.
"""
