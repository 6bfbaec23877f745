"""Pages going out: what each page and export computes, as of a reporting date.

One module per page, named as the page is in every layer (views/NAME.py, ui/NAME.py,
queries/NAME_*.sql): `overview`, `indicators`, `map`, `grants`, `milestones`; with `status`
(how an indicator's status is decided) and `exports` (CSV and Excel files of a table).

May import monitoring.db, monitoring.settings, monitoring.periods, monitoring.contract and
monitoring.access (who may see what); never monitoring.intake or monitoring.cli.
"""
