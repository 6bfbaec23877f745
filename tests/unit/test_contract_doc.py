"""docs/data-contract.md is written from the contract and says what the checks do."""

from monitoring.contract import KINDS, TABLES
from monitoring.intake.contract_doc import DOC_PATH, contract_markdown
from monitoring.intake.validation import ROW_STATUS


def test_the_committed_document_matches_the_contract():
    assert DOC_PATH.read_text(encoding="utf-8") == contract_markdown(), (
        "docs/data-contract.md is out of date: run `python -m monitoring contract-doc --write`"
    )


def test_every_table_column_and_kind_is_documented():
    text = contract_markdown()
    for table in TABLES.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
            assert column.kind in KINDS
    for kind in KINDS.values():
        assert f"| {kind.label} |" in text


def test_every_example_row_names_only_columns_of_its_table():
    for table in TABLES.values():
        assert set(table.example) <= set(table.column_names), table.name
        assert set(table.required) <= set(table.example), table.name


def test_the_names_the_checks_add_to_rows_are_not_contract_columns():
    for table in TABLES.values():
        assert "line" not in table.column_names
        assert ROW_STATUS not in table.column_names


def test_the_upload_guide_quotes_the_limits_that_are_enforced():
    from monitoring.intake.contract_doc import ROOT
    from monitoring.intake.upload import MAX_COLUMNS, MAX_FILE_MB, MAX_ROWS

    text = (ROOT / "docs" / "upload.md").read_text(encoding="utf-8")
    assert (
        f"more than {MAX_FILE_MB} MB, more than {MAX_ROWS:,} rows, more than {MAX_COLUMNS}" in text
    )
