"""Streamlit side of the upload page: the preview of a checked file, history, templates."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.contract import KINDS, LOAD_ORDER, TABLES, TEXT
from monitoring.db import DatabaseError
from monitoring.i18n import _, ngettext, pgettext
from monitoring.intake import batches
from monitoring.intake.contract_doc import column_rules, contract_text
from monitoring.intake.templates import template_csv, template_xlsx
from monitoring.intake.upload import MAX_FILE_MB, MAX_ROWS, UnreadableFile
from monitoring.intake.validation import (
    MAX_LISTED_CHANGES,
    MAX_LISTED_PER_COLUMN,
    ROW_STATUS,
    count_of,
    problems_frame,
)
from monitoring.quality import prepared
from monitoring.reports import overview
from ui import common, turns
from ui.text import css_string, plain

AUTO = "auto"  # recognise the table from the header
TABLE_KEY = "table"  # query parameter and widget key of the table choice
PREVIEW_KEY = "upload_preview"  # (memo, the checked file) of this session
RECHECKED_KEY = "upload_rechecked"  # this run checked the same file again: data changed
SHOWN_ROWS = 1_000  # rows of a preview's tables sent to the browser (all are counted)
TAB_KEY = "upload-tab"  # the open tab (views/upload.py builds the history and format on demand)


def table_label(name: str) -> str:
    if name == AUTO:
        return _("Recognise it from the header")
    return f"{name} — {contract_text(TABLES[name].help)}"


def labels_in_this_language():
    """table_label bound to this run's language: a widget may call its format_func later,
    outside the run (AppTest does), where another language is current."""
    lang = i18n.current()

    def label(name: str) -> str:
        with i18n.language(lang):
            return table_label(name)

    return label


def table_choice() -> str | None:
    """The table picked above the uploader (kept in the URL as ?table=...), None for auto."""
    options = [AUTO, *LOAD_ORDER]
    asked = st.query_params.get(TABLE_KEY)
    if asked and asked not in options and TABLE_KEY not in st.session_state:
        st.warning(
            _(
                "The page address names the table “{table}”, which does not exist; "
                "it was ignored. Pick the table from the list."
            ).format(table=plain(asked[:40])),
            icon=":material/link_off:",
        )
    choice = st.selectbox(
        _("Table"),
        options,
        format_func=labels_in_this_language(),
        key=TABLE_KEY,
        bind="query-params",
        help=_(
            "Which table the file holds. By default it is recognised from the column names "
            "on the first line."
        ),
    )
    return None if choice in (None, AUTO) else choice


def limits_text() -> str:
    return _(
        "CSV (UTF-8, UTF-16 or Windows-1251; separated by , ; or tab) or Excel .xlsx, up to "
        "{mb} MB and {rows} rows. The first line names the columns."
    ).format(mb=MAX_FILE_MB, rows=i18n.number(MAX_ROWS))


# The file box --------------------------------------------------------------------------------
FILE_BOX = "file-box"  # the key of the file box's container

# Streamlit draws the file box's button ("Upload") and the line under it ("20MB per file") in
# English, whatever the page's language (docs/translations.md). Its own words are hidden (from
# screen readers too) and ours drawn in their place (CSS generated content: shown, and read by
# screen readers as the button's name). A constant, formatted with CSS strings (css_string).
_FILE_BOX_STYLE = """<style>
.st-key-{key} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
.st-key-{key} [data-testid="stFileUploaderDropzone"] button
  [data-testid="stMarkdownContainer"]::after {{ content: {button}; font-size: 0.875rem; }}
.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: {instructions}; font-size: 0.875rem;
}}
</style>"""


def file_box(label: str, key: str, help: str):  # noqa: A002 - st.file_uploader's name
    """st.file_uploader of one file up to MAX_FILE_MB, its words in the reader's language."""
    st.html(
        _FILE_BOX_STYLE.format(
            key=FILE_BOX,
            # TRANSLATORS: the button of the box a file is dropped on.
            button=css_string(_("Choose a file")),
            instructions=css_string(
                _("or drop it here · up to {mb} MB").format(mb=i18n.number(MAX_FILE_MB))
            ),
        )
    )
    with st.container(key=FILE_BOX):
        return st.file_uploader(label, key=key, max_upload_size=MAX_FILE_MB, help=help)


# Preview ---------------------------------------------------------------------------------------
def preview(uploaded, table: str | None) -> batches.Preview | UnreadableFile:
    """The checked file, computed once per file (its SHA-256), table choice and data version,
    and kept in the session: the import writes its checked rows (batches.commit_preview)
    instead of reading and checking the file again. Only one preview is kept. The language
    is part of the memo: the reasons and fixes are written in the uploader's language."""
    db = common.database()
    digest = hashlib.sha256(uploaded.getbuffer()).hexdigest()  # (no copy of the bytes)
    memo = (digest, uploaded.name, table, i18n.current(), db.data_version())
    stored = st.session_state.get(PREVIEW_KEY)
    if stored and stored[0] == memo:
        st.session_state[RECHECKED_KEY] = False
        return stored[1]
    # The same file and table checked before, against other data: an import clicked on that
    # preview is not made in this run (commit_controls); the person sees this one first.
    # (Another language alone is no change of the data: stored[0][:4] holds it.)
    st.session_state[RECHECKED_KEY] = bool(stored) and stored[0][:4] == memo[:4]
    st.session_state.pop(PREVIEW_KEY, None)  # let the previous one go before reading
    bar = st.progress(0.0, text=_("Reading the file"))
    turns.step_aside()  # reading and checking a file takes seconds (ui/turns.py)
    try:
        result = batches.preview_file(
            db,
            uploaded.getvalue(),
            uploaded.name,
            common.settings(),
            table=table,
            progress=lambda done, text: bar.progress(min(1.0, done), text=text),
        )
    except UnreadableFile as exc:
        result = exc
    finally:
        bar.empty()
    st.session_state[PREVIEW_KEY] = (memo, result)
    return result


def first_rows(frame: pd.DataFrame, message: str) -> pd.DataFrame:
    """At most SHOWN_ROWS rows of a preview's table, saying so when there are more
    (`message`: translated, with {shown} and {total})."""
    if len(frame) <= SHOWN_ROWS:
        return frame
    st.caption(message.format(shown=i18n.number(SHOWN_ROWS), total=i18n.number(len(frame))))
    return frame.head(SHOWN_ROWS)


def problem_columns() -> dict[str, str]:
    """The problem table's column names in this run's language (in English: line, column,
    value, reason, fix, as the core names them)."""
    return {
        "line": pgettext("problem table", "line"),
        "column": pgettext("problem table", "column"),
        "value": pgettext("problem table", "value"),
        "reason": pgettext("problem table", "reason"),
        "fix": pgettext("problem table", "fix"),
    }


# The errors and warnings tables: rows tall enough for four lines (Streamlit's grid wraps a
# cell's text only in rows taller than 4rem; it cut "What is wrong" and "How to fix it" at the
# column's width, the words a person needs to mend the file), and the two texts' columns as
# wide as the page's main column leaves them beside line, column and value (pixels; wider
# screens share the rest out).
PROBLEM_ROW_HEIGHT = 92
PROBLEM_TEXT_WIDTHS = (360, 320)


def show_problems(problems, name: str, key: str) -> None:
    names = problem_columns()
    frame = problems_frame(problems).rename(columns=names)
    if count_of(problems) > len(problems):
        st.caption(
            _(
                "{listed} of {total} are listed: at most {per_column} of each column, so that "
                "a file with an error on every row can still be shown. Fix those and check the "
                "file again."
            ).format(
                listed=i18n.number(len(problems)),
                total=i18n.number(count_of(problems)),
                per_column=i18n.number(MAX_LISTED_PER_COLUMN),
            )
        )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=PROBLEM_ROW_HEIGHT,
        column_config={
            names["line"]: st.column_config.NumberColumn(
                _("Line"), help=_("The header is line 1.")
            ),
            names["column"]: _("Column"),
            names["value"]: _("Value"),
            names["reason"]: st.column_config.TextColumn(
                _("What is wrong"), width=PROBLEM_TEXT_WIDTHS[0]
            ),
            names["fix"]: st.column_config.TextColumn(
                _("How to fix it"), width=PROBLEM_TEXT_WIDTHS[1]
            ),
        },
    )
    common.downloads(frame, name, key)


def show_preview(result: batches.Preview) -> None:
    """Counts, errors, warnings and the changes a file would make."""
    check = result.check
    raw = check.raw
    how = raw.describe() + "".join(f"; {note}" for note in raw.notes)
    st.caption(
        _("Table **{table}** · read as {how}").format(table=check.table.name, how=plain(how))
    )
    cards = common.wrapping_row()
    cards.metric(_("Rows in the file"), check.total_rows, border=True)
    cards.metric(_("New"), check.new, border=True, help=_("Rows whose key is not stored yet."))
    cards.metric(_("Changed"), check.changed, border=True, help=_("Stored rows with new values."))
    cards.metric(
        _("Unchanged"), check.unchanged, border=True, help=_("Already stored as they are.")
    )
    # An error of the header, or a row in an approved quarter: no row can be imported ("With
    # errors 0" above "2 errors" read as a contradiction). The card names which, as the
    # errors' table lists them (a row of an approved quarter is not an error of the header).
    if check.header_errors:
        why = _("the header: no row can be imported")
    elif check.approval_locks:
        why = _("an approved quarter: no row can be imported")
    else:
        why = None
    cards.metric(
        _("With errors"),
        check.total_rows if why else check.rows_with_errors,
        why,
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_("Rows that cannot be imported (an approved quarter's included)."),
    )
    if result.previous:
        st.info(plain(result.previous.describe()), icon=":material/content_copy:")

    if check.errors:
        count = check.error_count
        if result.can_commit_valid_rows:
            text = ngettext(
                "**{n} error(s)** — nothing is imported until they are fixed (or you choose to "
                "import the valid rows only). Each error names the line (the header is line 1), "
                "the column and the value.",
                "**{n} error(s)** — nothing is imported until they are fixed (or you choose to "
                "import the valid rows only). Each error names the line (the header is line 1), "
                "the column and the value.",
                count,
            )
        else:
            text = ngettext(
                "**{n} error(s)** — nothing is imported until they are fixed. Each error names "
                "the line (the header is line 1), the column and the value.",
                "**{n} error(s)** — nothing is imported until they are fixed. Each error names "
                "the line (the header is line 1), the column and the value.",
                count,
            )
        st.error(text.format(n=i18n.number(count)), icon=":material/error:")
        show_problems(check.errors, "upload_errors", "upload-errors")
    else:
        st.success(
            _("No errors: every row keeps the rules of the data contract."),
            icon=":material/check:",
        )
    if check.warnings:
        st.warning(
            ngettext(
                "**{n} warning(s)** — they do not stop the import, but ask for a second look.",
                "**{n} warning(s)** — they do not stop the import, but ask for a second look.",
                check.warning_count,
            ).format(n=i18n.number(check.warning_count)),
            icon=":material/warning:",
        )
        show_problems(check.warnings, "upload_warnings", "upload-warnings")

    if len(check.changes):
        st.subheader(_("Changes to stored rows ({n})").format(n=i18n.number(check.changed)))
        if len(check.changes) >= MAX_LISTED_CHANGES:
            st.caption(
                _("The first {n} changed values are listed.").format(
                    n=i18n.number(MAX_LISTED_CHANGES)
                )
            )
        empty = _("(empty)")  # not Streamlit's "None", in every language
        st.dataframe(
            first_rows(
                check.changes.fillna({"old": empty, "new": empty}),
                _("The first {shown} of {total} changed values are shown."),
            ).rename(
                columns={
                    "line": _("Line"),
                    "row_key": _("Row (key)"),
                    "column_name": _("Column"),
                    "old": _("Stored value"),
                    "new": _("New value"),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    new_rows = check.rows[check.rows[ROW_STATUS] == "new"].drop(columns=ROW_STATUS)
    if len(new_rows):
        with st.expander(_("New rows ({n})").format(n=i18n.number(len(new_rows)))):
            st.dataframe(
                first_rows(new_rows, _("The first {shown} of {total} new rows are shown.")).rename(
                    columns={"line": _("Line")}
                ),
                hide_index=True,
                width="stretch",
            )


def commit_controls(result: batches.Preview, by: str) -> None:
    """The import button (and "import the valid rows only" when some rows have errors).
    The import writes the rows this preview checked: the file is not read again."""
    check = result.check
    if result.previous:
        return
    if not result.has_changes and check.ok:
        st.info(
            _(
                "Every row of the file is already stored exactly like this: importing it would "
                "change nothing."
            ),
            icon=":material/done_all:",
        )
        return
    valid_only = False
    if not check.ok:
        if not result.can_commit_valid_rows:
            return
        valid_only = st.checkbox(
            ngettext(
                "Import the valid rows only ({new} new, {changed} changed); leave out "
                "the {n} row(s) with errors",
                "Import the valid rows only ({new} new, {changed} changed); leave out "
                "the {n} row(s) with errors",
                check.invalid_rows,
            ).format(new=check.new, changed=check.changed, n=check.invalid_rows),
            key="upload_valid_only",
        )
        if not valid_only:
            return
    st.caption(_("The batch is recorded as imported by {name}.").format(name=plain(by)))
    label = ngettext(
        "Import {new} new and {changed} changed row(s) into {table}",
        "Import {new} new and {changed} changed row(s) into {table}",
        check.new + check.changed,
    ).format(new=check.new, changed=check.changed, table=check.table.name)
    if not st.button(label, type="primary", disabled=not by, icon=":material/upload:"):
        return
    if st.session_state.get(RECHECKED_KEY):
        st.warning(
            _(
                "The stored data changed after this file was checked (another import or an "
                "undo), so nothing was written. It has been checked again above: look at the "
                "preview, then import."
            ),
            icon=":material/sync_problem:",
        )
        return
    bar = st.progress(0.0, text=_("Writing"))
    turns.step_aside()  # writing takes seconds (ui/turns.py)
    try:
        done = batches.commit_preview(
            common.database(),
            result,
            by=by,
            valid_only=valid_only,
            source="upload",
            progress=lambda f, text: bar.progress(min(1.0, f), text=text),
        )
    except batches.StalePreview as stale:
        bar.empty()
        st.session_state.pop(PREVIEW_KEY, None)
        st.session_state["upload_message"] = (
            "warning",
            _("{reason} It has been checked again below: look at the preview, then import.").format(
                reason=stale
            ),
        )
        st.rerun()
    except batches.Refused as refused:
        bar.empty()
        st.error(
            _("Not imported: {reason} The data changed since the preview; check again.").format(
                reason=plain(refused)
            )
        )
        return
    except (DatabaseError, UnreadableFile, ValueError) as exc:
        bar.empty()
        st.error(_("Not imported: {reason}").format(reason=plain(exc)), icon=":material/error:")
        return
    bar.empty()
    prepare_quality_checks()
    st.session_state["upload_message"] = ("success", done.describe())
    st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
    st.session_state.pop(PREVIEW_KEY, None)
    st.rerun()


def prepare_quality_checks() -> None:
    """After a commit or an undo: the data quality checks of the new data computed in the
    background as of the default reporting date, and kept for every viewer and replica
    (monitoring/quality/prepared.py), so that nobody waits for them on the Data quality page."""
    prepared.prepare_in_background(common.database(), common.settings(), overview.default_as_of)


# History ------------------------------------------------------------------------------------------
def recent_uploads(by: str) -> None:
    """This person's latest uploads, from the history: after a broken connection (a new
    browser session, or this one reconnected) they can tell whether their upload was saved."""
    receipts = common.cached(batches.recent_uploads, by)
    if not receipts:
        return
    lines = "\n".join(f"- {plain(r.describe())}" for r in receipts)
    st.info(
        _("**Your latest uploads** (from the upload history):")
        + f"\n{lines}\n\n"
        + _(
            "An upload that is not listed here was not saved (an import is written whole or "
            "not at all, also when the connection breaks): upload the file again. A file saved "
            "already is recognised and never imported twice."
        ),
        icon=":material/history:",
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    def status(row) -> str:
        if row.status == "undone":
            return _("Undone {when} by {name}").format(
                when=i18n.datetime(row.undone_at), name=row.undone_by
            )
        return _("Committed")

    sources = {"upload": _("page"), "cli": _("command line"), "sample": _("sample")}
    return pd.DataFrame(
        {
            _("Batch"): history.batch_id,
            _("Table"): history.table_name,
            _("File"): history.file_name,
            _("By"): history.uploaded_by,
            _("When (UTC)"): [i18n.datetime(t) for t in history.uploaded_at],
            _("From"): history.source.map(sources),
            _("New"): history.rows_inserted,
            _("Changed"): history.rows_updated,
            _("Unchanged"): history.rows_unchanged,
            _("Left out"): history.rows_rejected,
            _("Status"): [status(r) for r in history.itertuples()],
        }
    )


def undo_controls(history: pd.DataFrame, by: str) -> None:
    committed = history[history.status == "committed"]
    if committed.empty:
        st.caption(_("No batch can be undone: none is committed."))
        return
    labels = {
        int(r.batch_id): _("Batch {batch} · {table} · {file} · by {name} · {when}").format(
            batch=r.batch_id,
            table=r.table_name,
            file=r.file_name,
            name=r.uploaded_by,
            when=i18n.datetime(r.uploaded_at),
        )
        for r in committed.itertuples()
    }
    # Keyed on the data version: after any import or undo the choice starts again from the
    # newest batch, never from a batch picked before the history changed.
    version = "-".join(map(str, common.database().data_version()))
    batch_id = st.selectbox(
        _("Batch to undo"), list(labels), format_func=labels.get, key=f"undo_batch_{version}"
    )
    sure = st.checkbox(
        _(
            "I understand: undoing removes the rows this batch added and restores the values "
            "of the rows it changed."
        ),
        key=f"undo_sure_{version}",
    )
    if st.button(
        _("Undo batch {batch}").format(batch=batch_id),
        disabled=not (sure and by),
        icon=":material/undo:",
    ):
        try:
            done = batches.undo_batch(common.database(), batch_id, by=by)
        except batches.UndoRefused as refused:
            st.error(plain(refused), icon=":material/block:")
            return
        except (DatabaseError, ValueError) as exc:
            st.error(_("Not undone: {reason}").format(reason=plain(exc)), icon=":material/error:")
            return
        prepare_quality_checks()
        st.session_state["upload_message"] = ("success", done.describe())
        st.session_state.pop(PREVIEW_KEY, None)
        st.rerun()


# Format and templates ----------------------------------------------------------------------------
def format_guide() -> None:
    st.markdown(
        _(
            "**In plain words.** One table per file. The first line names the columns (any "
            "order, any case); each following line is one row. Leave a cell empty when you "
            "have no value; optional columns may be left out altogether. Codes (regions, "
            "indicators, organisations, grants) must already exist, so upload regions and "
            "organisations before the values that use them. Dates are day first (15.04.2021) "
            "or 2021-04-15; quarters are written 2021Q1; numbers may use a decimal comma "
            "(1 234,5). Nothing is ever deleted by an upload: a row with a key that is already "
            "stored replaces its values, and the previous values are kept so the batch can be "
            "undone."
        )
    )
    name = st.selectbox(
        _("Template for"),
        list(LOAD_ORDER),
        format_func=labels_in_this_language(),
        key="template_table",
    )
    spec = TABLES[name]
    left, right, _space = st.columns([1, 1, 2])
    left.download_button(
        _("CSV template"),
        # made when clicked: not on every rerun, not fetched
        common.in_this_run(lambda: template_csv(spec)),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="template-csv",
        on_click="ignore",
    )
    right.download_button(
        _("Excel template"),
        common.in_this_run(lambda: template_xlsx(spec)),  # its guide in the reader's language
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="template-xlsx",
        on_click="ignore",
    )
    st.caption(
        _(
            "Key: {key} — a file holds each key at most once. Each template has the header "
            "and one example row: replace the example with your rows."
        ).format(key=", ".join(spec.key))
    )

    def example(column) -> str:
        value = spec.example.get(column.name, "")
        return contract_text(value) if value and column.kind == TEXT else value

    # Static tables wrap long rules; their text comes from the contract, not from a file.
    st.table(
        pd.DataFrame(
            {
                _("Column"): [f"`{c}`" for c in spec.column_names],
                _("Required"): [_("yes") if c.required else "" for c in spec.columns],
                _("Kind"): [contract_text(KINDS[c.kind].label) for c in spec.columns],
                _("Rules"): [column_rules(c) for c in spec.columns],
                _("Example"): [example(c) for c in spec.columns],
            }
        ),
        hide_index=True,
    )
    st.markdown(_("**How values may be written**"))
    st.table(
        pd.DataFrame(
            {
                _("Kind"): [contract_text(k.label) for k in KINDS.values()],
                _("Write it as"): [contract_text(k.canonical) for k in KINDS.values()],
                _("Also accepted"): [contract_text(k.accepted) for k in KINDS.values()],
            }
        ),
        hide_index=True,
    )
