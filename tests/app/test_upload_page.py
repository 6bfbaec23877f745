"""The upload page in-process: upload, preview, import, history and undo."""

import shutil

import pytest

from monitoring import i18n
from monitoring.db import Database, close_all
from monitoring.intake.batches import table_checksums
from tests.app.conftest import no_exceptions
from tests.app.lazy_parts import open_tab
from ui.upload import TAB_KEY

BUDGET = b"budget_line,category,period,amount,currency\n"


@pytest.fixture
def upload_as(app_as, sample_db_path, tmp_path, monkeypatch):
    """A factory: the upload page as `role`, over a copy of the sample database."""

    def make(role):
        path = tmp_path / "upload.duckdb"
        shutil.copy(sample_db_path, path)
        at = app_as(role)
        monkeypatch.setenv("MONITORING_DB", str(path))
        at.run()
        at.switch_page("views/upload.py").run()
        no_exceptions(at)
        return at, path

    return make


@pytest.fixture
def upload_app(upload_as):
    """The upload page as an admin, over a copy of the sample database the test may change."""
    return upload_as("admin")


def checksums(path):
    close_all()
    database = Database(path)
    try:
        return table_checksums(database)
    finally:
        database.close()


def upload(at, name, data):
    at.get("file_uploader")[0].set_value((name, data, "text/csv")).run()
    no_exceptions(at)
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_a_value_not_stored_before_is_named_empty_not_none(upload_app):
    at, _ = upload_app
    values = (
        b"indicator_code,period,region_code,org_id,sex,age_group,value,comment,source\n"
        b"G1,2022Q2,UZ-JI,,all,all,64.9,checked twice,Survey wave 3\n"
    )
    upload(at, "values.csv", values)
    changes = next(d.value for d in at.dataframe if "Stored value" in d.value.columns)
    assert changes[["Column", "Stored value", "New value"]].values.tolist() == [
        ["comment", "(empty)", "checked twice"]
    ]


def button(at, starts_with):
    return next(b for b in at.button if b.label.startswith(starts_with))


def test_the_page_explains_itself_and_offers_templates(upload_app):
    at, _ = upload_app
    assert at.title[0].value == "Data upload"
    assert [t.label for t in at.tabs] == ["Upload a file", "Upload history", "Format and templates"]
    assert not at.dataframe, "the history's table is built when its tab is opened"
    assert not at.get("download_button"), "and so are the templates"
    open_tab(at, TAB_KEY, "Format and templates")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "CSV template" in labels and "Excel template" in labels
    assert any("20 MB and 100,000 rows" in c.value for c in at.caption)


def test_uploading_a_file_shows_the_preview_then_imports_it(upload_app):
    at, path = upload_app
    before = checksums(path)
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n9.9,other,2022Q1,5,USD\n")
    assert metrics(at) == {
        "Rows in the file": "2",
        "New": "1",
        "Changed": "1",
        "Unchanged": "0",
        "With errors": "0",
    }
    changes = at.dataframe[0].value
    assert changes.values.tolist() == [[2, "1.1 · 2021Q1", "amount", "40000.00", "41000.00"]]
    assert checksums(path) == before, "the preview writes nothing"

    button(at, "Import 1 new and 1 changed").click().run()
    no_exceptions(at)
    assert "Imported into budget as batch" in at.success[0].value
    assert "by test\\-admin" in at.caption[0].value, "the header shows the new data at once"
    assert at.get("file_uploader")[0].value is None, "the uploader is cleared"
    history = open_tab(at, TAB_KEY, "Upload history").dataframe[0].value
    assert history.iloc[0][["Table", "File", "By", "New", "Changed"]].tolist() == [
        "budget",
        "budget.csv",
        "test-admin",
        1,
        1,
    ]
    at.switch_page("views/overview.py").run()
    no_exceptions(at)
    assert "by test\\-admin" in at.caption[0].value, "every page sees the new data at once"


def test_a_file_being_checked_stays_while_the_reader_looks_at_another_tab(upload_app):
    at, path = upload_app
    before = checksums(path)
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    open_tab(at, TAB_KEY, "Format and templates")
    assert "CSV template" in [b.proto.label for b in at.get("download_button")]
    open_tab(at, TAB_KEY, "Upload history")
    assert at.get("file_uploader")[0].value is not None, "the file is still there"
    assert metrics(at)["Changed"] == "1", "and so is its preview"
    assert button(at, "Import 0 new and 1 changed row(s)")
    assert checksums(path) == before


def test_the_open_tab_stays_open_when_the_language_changes(upload_app):
    at, _ = upload_app
    open_tab(at, TAB_KEY, "Upload history")
    assert at.dataframe, "the history is shown"
    at.selectbox(key="_language_picker").set_value("ru").run()
    no_exceptions(at)
    with i18n.language("ru"):
        history = i18n._("Upload history")
    assert at.session_state[TAB_KEY] == history
    assert at.dataframe, "the history is still shown"
    with i18n.language("ru"):
        at.selectbox(key="_language_picker").set_value("uz").run()
    no_exceptions(at)
    with i18n.language("uz"):
        assert at.session_state[TAB_KEY] == i18n._("Upload history")
    assert at.dataframe


def test_a_database_without_batches_says_so_in_the_history(upload_app):
    at, path = upload_app
    db = Database(path)
    try:
        with db.transaction() as cur:
            cur.execute("delete from upload_changes")
            cur.execute("delete from upload_batches")
    finally:
        db.close()
    close_all()
    open_tab(at, TAB_KEY, "Upload history")
    assert [i.value for i in at.info if "No batches yet" in i.value] == [
        "No batches yet: nothing has been loaded into this database."
    ]
    assert not at.dataframe and not [s for s in at.subheader if s.value == "Undo a batch"]


def test_a_file_with_errors_lists_them_and_cannot_be_imported(upload_app):
    at, path = upload_app
    before = checksums(path)
    upload(at, "budget.csv", BUDGET + b"9.9,other,2030Q1,-5,USD\n")
    assert "error(s)" in at.error[0].value
    errors = at.dataframe[0].value
    assert errors[["line", "column"]].values.tolist() == [[2, "period"], [2, "amount"]]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert checksums(path) == before


def test_a_header_error_counts_every_row_as_not_importable(upload_app):
    """A misspelt column makes the whole file unimportable: the "With errors" card says so
    (it read 0 above "2 error(s)")."""
    at, _path = upload_app
    upload(at, "budget.csv", BUDGET.replace(b"amount", b"amuont") + b"1.1,staff,2021Q1,1,USD\n")
    card = next(m for m in at.metric if m.label == "With errors")
    assert card.value == "1" and card.delta == "the header: no row can be imported"
    assert "error(s)" in at.error[0].value


def test_a_row_in_an_approved_quarter_is_not_called_an_error_of_the_header(upload_app):
    """A row that would change an approved quarter refuses the whole file, as a header error
    does; the card names the approval, as the errors' table does (it said "the header")."""
    at, path = upload_app
    before = checksums(path)
    header = b"indicator_code,period,region_code,org_id,sex,age_group,value,comment,source\n"
    upload(at, "values.csv", header + b"OC1.1,2022Q2,UZ-JI,,all,all,7,,report\n")
    card = next(m for m in at.metric if m.label == "With errors")
    assert card.value == "1" and card.delta == "an approved quarter: no row can be imported"
    errors = at.dataframe[0].value
    assert errors[["line", "column"]].values.tolist() == [[2, "value"]]
    assert "approved" in errors.iloc[0, -2]
    # Rows tall enough for the grid to wrap the long texts (it does above 4rem, 64 pixels).
    assert at.dataframe[0].proto.row_height > 64
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert checksums(path) == before


def test_an_unreadable_file_is_named_for_what_it_is(upload_app):
    at, path = upload_app
    before = checksums(path)
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert "cannot be read as a table" in at.error[0].value
    assert "PNG image" in at.error[0].value
    assert checksums(path) == before


def test_valid_rows_only_is_an_explicit_choice(upload_app):
    at, _ = upload_app
    upload(at, "budget.csv", BUDGET + b"9.9,other,2022Q1,5,USD\n9.8,other,2030Q1,5,USD\n")
    assert not [b for b in at.button if b.label.startswith("Import")]
    at.checkbox(key="upload_valid_only").check().run()
    button(at, "Import 1 new").click().run()
    no_exceptions(at)
    assert "1 row\\(s\\) with errors were left out" in at.success[0].value


def test_undo_through_the_page_restores_the_data(upload_app):
    at, path = upload_app
    before = {k: v for k, v in checksums(path).items() if not k.startswith("upload_")}
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    button(at, "Import").click().run()
    open_tab(at, TAB_KEY, "Upload history")
    next(c for c in at.checkbox if c.label.startswith("I understand")).check().run()
    assert button(at, "Undo batch").label == f"Undo batch {at.dataframe[0].value.iloc[0]['Batch']}"
    button(at, "Undo batch").click().run()
    no_exceptions(at)
    assert "undone" in at.success[0].value
    assert at.dataframe[0].value.iloc[0]["Status"].startswith("Undone")
    after = {k: v for k, v in checksums(path).items() if not k.startswith("upload_")}
    assert after == before


def test_an_unknown_table_in_the_address_is_ignored_with_a_notice(app, sample_db_path):
    app.query_params["table"] = "<b>nonsense</b>"
    at = app.run()
    at.switch_page("views/upload.py").run()
    no_exceptions(at)
    assert any("does not exist; it was ignored" in w.value for w in at.warning)


def test_staff_import_under_their_own_name_but_cannot_undo(upload_as):
    at, _ = upload_as("staff")
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    assert any("imported by test\\-staff" in c.value for c in at.caption)  # markdown-escaped
    button(at, "Import").click().run()
    no_exceptions(at)
    open_tab(at, TAB_KEY, "Upload history")
    assert at.dataframe[0].value.iloc[0]["By"] == "test-staff"
    assert not [b for b in at.button if b.label.startswith("Undo batch")]
    assert any("Only an administrator can undo" in c.value for c in at.caption)


def test_a_manager_typing_the_upload_address_is_refused(upload_as):
    at, path = upload_as("manager")
    assert at.title[0].value == "This page is not open to you"
    assert "does not include it" in at.error[0].value
    assert not at.get("file_uploader")
    assert "Data upload" not in [link.proto.label for link in at.get("page_link")]


def test_an_import_prepares_the_data_quality_checks_of_the_new_data(upload_app):
    from monitoring.db import results
    from monitoring.quality import prepared

    at, path = upload_app
    upload(at, "budget.csv", BUDGET + b"1.1,staff,2021Q1,41000,USD\n")
    button(at, "Import").click().run()
    no_exceptions(at)
    assert prepared.wait(timeout=120)
    close_all()
    database = Database(path)
    try:
        with database.cursor() as cur:
            kept = cur.execute("select distinct query, data_version from kept_results").fetchall()
        version = results.data_version(database).label
    finally:
        database.close()
    # Kept for the data as it is after the import, before anyone opened the Data quality page.
    assert {"quality_completeness", "quality_timeliness", "quality_outliers"} <= {
        q for q, _ in kept
    }
    assert {v for _, v in kept} == {version}
