"""Files coming in: reading, checking, previewing and committing uploads as batches.

In the order an upload runs: `upload` (read a CSV or Excel file into raw text columns),
`forms` (accepted spellings of numbers, dates, codes), `validation` (check against the data
contract, line by line), `batches` (preview, commit in one transaction, history, undo).
Also `templates` (a blank file per table), `contract_doc` (docs/data-contract.md written from
the contract) and `sample` (the sample tables loaded as batches).

May import monitoring.db, monitoring.settings, monitoring.periods and monitoring.contract;
never monitoring.reports (pages going out) or monitoring.cli.
"""
