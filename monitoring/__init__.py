"""Core of the programme monitoring dashboard. Never imports streamlit or ui.

Three flows, each a sub-package (docs/architecture.md):
- `intake`: files coming in (read, check, preview, commit as batches, undo);
- `reports`: pages and exports going out (what each page computes);
- `access`: who sees what, across both (accounts, links, protection of people).
Beneath them `db` (the database and its named queries), and the shared basics `contract`
(the data contract as data), `settings` and `periods`; above them `cli`.
"""
