"""Streamlit side of the upload page: the preview of a checked file, history, templates."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from monitoring.contract import KINDS, LOAD_ORDER, TABLES
from monitoring.db import DatabaseError
from monitoring.intake import batches
from monitoring.intake.contract_doc import column_rules
from monitoring.intake.templates import template_csv, template_xlsx
from monitoring.intake.upload import MAX_FILE_MB, MAX_ROWS, UnreadableFile
from monitoring.intake.validation import (
    MAX_LISTED_CHANGES,
    MAX_LISTED_PER_COLUMN,
    ROW_STATUS,
    count_of,
    problems_frame,
)
from ui import common
from ui.text import plain

AUTO = "auto"  # recognise the table from the header
TABLE_KEY = "table"  # query parameter and widget key of the table choice
PREVIEW_KEY = "upload_preview"  # (memo, the checked file) of this session
RECHECKED_KEY = "upload_rechecked"  # this run checked the same file again: data changed
SHOWN_ROWS = 1_000  # rows of a preview's tables sent to the browser (all are counted)


def table_label(name: str) -> str:
    if name == AUTO:
        return "Recognise it from the header"
    return f"{name} — {TABLES[name].help}"


def table_choice() -> str | None:
    """The table picked above the uploader (kept in the URL as ?table=...), None for auto."""
    options = [AUTO, *LOAD_ORDER]
    asked = st.query_params.get(TABLE_KEY)
    if asked and asked not in options and TABLE_KEY not in st.session_state:
        st.warning(
            f"The page address names the table “{plain(asked[:40])}”, which does not exist; "
            "it was ignored. Pick the table from the list.",
            icon=":material/link_off:",
        )
    choice = st.selectbox(
        "Table",
        options,
        format_func=table_label,
        key=TABLE_KEY,
        bind="query-params",
        help="Which table the file holds. By default it is recognised from the column names "
        "on the first line.",
    )
    return None if choice in (None, AUTO) else choice


def limits_text() -> str:
    return (
        f"CSV (UTF-8, UTF-16 or Windows-1251; separated by , ; or tab) or Excel .xlsx, up to "
        f"{MAX_FILE_MB} MB and {MAX_ROWS:,} rows. The first line names the columns."
    )


# Preview ---------------------------------------------------------------------------------------
def preview(uploaded, table: str | None) -> batches.Preview | UnreadableFile:
    """The checked file, computed once per file (its SHA-256), table choice and data version,
    and kept in the session: the import writes its checked rows (batches.commit_preview)
    instead of reading and checking the file again. Only one preview is kept."""
    db = common.database()
    digest = hashlib.sha256(uploaded.getbuffer()).hexdigest()  # (no copy of the bytes)
    memo = (digest, uploaded.name, table, db.data_version())
    stored = st.session_state.get(PREVIEW_KEY)
    if stored and stored[0] == memo:
        st.session_state[RECHECKED_KEY] = False
        return stored[1]
    # The same file and table checked before, against other data: an import clicked on that
    # preview is not made in this run (commit_controls); the person sees this one first.
    st.session_state[RECHECKED_KEY] = bool(stored) and stored[0][:3] == memo[:3]
    st.session_state.pop(PREVIEW_KEY, None)  # let the previous one go before reading
    bar = st.progress(0.0, text="Reading the file")
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


def first_rows(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """At most SHOWN_ROWS rows of a preview's table, saying so when there are more."""
    if len(frame) <= SHOWN_ROWS:
        return frame
    st.caption(f"The first {SHOWN_ROWS:,} of {len(frame):,} {what} are shown.")
    return frame.head(SHOWN_ROWS)


def show_problems(problems, name: str, key: str) -> None:
    frame = problems_frame(problems)
    if count_of(problems) > len(problems):
        st.caption(
            f"{len(problems):,} of {count_of(problems):,} are listed: at most "
            f"{MAX_LISTED_PER_COLUMN:,} of each column, so that a file with an error on every "
            "row can still be shown. Fix those and check the file again."
        )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "line": st.column_config.NumberColumn("Line", help="The header is line 1."),
            "column": "Column",
            "value": "Value",
            "reason": st.column_config.TextColumn("What is wrong", width="large"),
            "fix": st.column_config.TextColumn("How to fix it", width="large"),
        },
    )
    common.downloads(frame, name, key)


def show_preview(result: batches.Preview) -> None:
    """Counts, errors, warnings and the changes a file would make."""
    check = result.check
    raw = check.raw
    how = raw.describe() + "".join(f"; {note}" for note in raw.notes)
    st.caption(f"Table **{check.table.name}** · read as {plain(how)}")
    cols = st.columns(5)
    cols[0].metric("Rows in the file", check.total_rows, border=True)
    cols[1].metric("New", check.new, border=True, help="Rows whose key is not stored yet.")
    cols[2].metric("Changed", check.changed, border=True, help="Stored rows with new values.")
    cols[3].metric("Unchanged", check.unchanged, border=True, help="Already stored as they are.")
    cols[4].metric(
        "With errors", check.invalid_rows, border=True, help="Rows that cannot be imported."
    )
    if result.previous:
        st.info(plain(result.previous.describe()), icon=":material/content_copy:")

    if check.errors:
        st.error(
            f"**{check.error_count:,} error(s)** — nothing is imported until they are fixed"
            + (
                " (or you choose to import the valid rows only)."
                if result.can_commit_valid_rows
                else "."
            )
            + " Each error names the line (the header is line 1), the column and the value.",
            icon=":material/error:",
        )
        show_problems(check.errors, "upload_errors", "upload-errors")
    else:
        st.success(
            "No errors: every row keeps the rules of the data contract.", icon=":material/check:"
        )
    if check.warnings:
        st.warning(
            f"**{check.warning_count:,} warning(s)** — they do not stop the import, but ask for a "
            "second look.",
            icon=":material/warning:",
        )
        show_problems(check.warnings, "upload_warnings", "upload-warnings")

    if len(check.changes):
        st.subheader(f"Changes to stored rows ({check.changed})")
        if len(check.changes) >= MAX_LISTED_CHANGES:
            st.caption(f"The first {MAX_LISTED_CHANGES:,} changed values are listed.")
        st.dataframe(
            first_rows(check.changes, "changed values").rename(
                columns={
                    "line": "Line",
                    "row_key": "Row (key)",
                    "column_name": "Column",
                    "old": "Stored value",
                    "new": "New value",
                }
            ),
            hide_index=True,
            width="stretch",
        )
    new_rows = check.rows[check.rows[ROW_STATUS] == "new"].drop(columns=ROW_STATUS)
    if len(new_rows):
        with st.expander(f"New rows ({len(new_rows)})"):
            st.dataframe(
                first_rows(new_rows, "new rows").rename(columns={"line": "Line"}),
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
            "Every row of the file is already stored exactly like this: importing it would "
            "change nothing.",
            icon=":material/done_all:",
        )
        return
    valid_only = False
    if not check.ok:
        if not result.can_commit_valid_rows:
            return
        valid_only = st.checkbox(
            f"Import the valid rows only ({check.new} new, {check.changed} changed); leave out "
            f"the {check.invalid_rows} row(s) with errors",
            key="upload_valid_only",
        )
        if not valid_only:
            return
    st.caption(f"The batch is recorded as imported by {plain(by)}.")
    label = f"Import {check.new} new and {check.changed} changed row(s) into {check.table.name}"
    if not st.button(label, type="primary", disabled=not by, icon=":material/upload:"):
        return
    if st.session_state.get(RECHECKED_KEY):
        st.warning(
            "The stored data changed after this file was checked (another import or an undo), "
            "so nothing was written. It has been checked again above: look at the preview, "
            "then import.",
            icon=":material/sync_problem:",
        )
        return
    bar = st.progress(0.0, text="Writing")
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
            f"{stale} It has been checked again below: look at the preview, then import.",
        )
        st.rerun()
    except batches.Refused as refused:
        bar.empty()
        st.error(f"Not imported: {plain(refused)} The data changed since the preview; check again.")
        return
    except (DatabaseError, UnreadableFile, ValueError) as exc:
        bar.empty()
        st.error(f"Not imported: {plain(exc)}", icon=":material/error:")
        return
    bar.empty()
    st.session_state["upload_message"] = ("success", done.describe())
    st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
    st.session_state.pop(PREVIEW_KEY, None)
    st.rerun()


# History ------------------------------------------------------------------------------------------
def recent_uploads(by: str) -> None:
    """This person's latest uploads, from the history: after a broken connection (a new
    browser session, or this one reconnected) they can tell whether their upload was saved."""
    receipts = common.cached(batches.recent_uploads, by)
    if not receipts:
        return
    lines = "\n".join(f"- {plain(r.describe())}" for r in receipts)
    st.info(
        f"**Your latest uploads** (from the upload history):\n{lines}\n\n"
        "An upload that is not listed here was not saved (an import is written whole or not "
        "at all, also when the connection breaks): upload the file again. A file saved "
        "already is recognised and never imported twice.",
        icon=":material/history:",
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    def status(row) -> str:
        if row.status == "undone":
            return f"Undone {row.undone_at:%d %b %Y %H:%M} by {row.undone_by}"
        return "Committed"

    return pd.DataFrame(
        {
            "Batch": history.batch_id,
            "Table": history.table_name,
            "File": history.file_name,
            "By": history.uploaded_by,
            "When (UTC)": history.uploaded_at.dt.strftime("%d %b %Y %H:%M"),
            "From": history.source.map(
                {"upload": "page", "cli": "command line", "sample": "sample"}
            ),
            "New": history.rows_inserted,
            "Changed": history.rows_updated,
            "Unchanged": history.rows_unchanged,
            "Left out": history.rows_rejected,
            "Status": [status(r) for r in history.itertuples()],
        }
    )


def undo_controls(history: pd.DataFrame, by: str) -> None:
    committed = history[history.status == "committed"]
    if committed.empty:
        st.caption("No batch can be undone: none is committed.")
        return
    labels = {
        int(r.batch_id): f"Batch {r.batch_id} · {r.table_name} · {r.file_name} · by "
        f"{r.uploaded_by} · {r.uploaded_at:%d %b %Y %H:%M}"
        for r in committed.itertuples()
    }
    # Keyed on the data version: after any import or undo the choice starts again from the
    # newest batch, never from a batch picked before the history changed.
    version = "-".join(map(str, common.database().data_version()))
    batch_id = st.selectbox(
        "Batch to undo", list(labels), format_func=labels.get, key=f"undo_batch_{version}"
    )
    sure = st.checkbox(
        "I understand: undoing removes the rows this batch added and restores the values of "
        "the rows it changed.",
        key=f"undo_sure_{version}",
    )
    if st.button(f"Undo batch {batch_id}", disabled=not (sure and by), icon=":material/undo:"):
        try:
            done = batches.undo_batch(common.database(), batch_id, by=by)
        except batches.UndoRefused as refused:
            st.error(plain(refused), icon=":material/block:")
            return
        except (DatabaseError, ValueError) as exc:
            st.error(f"Not undone: {plain(exc)}", icon=":material/error:")
            return
        st.session_state["upload_message"] = ("success", done.describe())
        st.session_state.pop(PREVIEW_KEY, None)
        st.rerun()


# Format and templates ----------------------------------------------------------------------------
def format_guide() -> None:
    st.markdown(
        "**In plain words.** One table per file. The first line names the columns (any "
        "order, any case); each following line is one row. Leave a cell empty when you have "
        "no value; optional columns may be left out altogether. Codes (regions, indicators, "
        "organisations, grants) must already exist, so upload regions and organisations "
        "before the values that use them. Dates are day first (15.04.2021) or 2021-04-15; "
        "quarters are written 2021Q1; numbers may use a decimal comma (1 234,5). Nothing is "
        "ever deleted by an upload: a row with a key that is already stored replaces its "
        "values, and the previous values are kept so the batch can be undone."
    )
    name = st.selectbox(
        "Template for",
        list(LOAD_ORDER),
        format_func=table_label,
        key="template_table",
    )
    spec = TABLES[name]
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "CSV template",
        template_csv(spec),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="template-csv",
    )
    right.download_button(
        "Excel template",
        template_xlsx(spec),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="template-xlsx",
    )
    st.caption(
        f"Key: {', '.join(spec.key)} — a file holds each key at most once. Each template has "
        "the header and one example row: replace the example with your rows."
    )
    # Static tables wrap long rules; their text comes from the contract, not from a file.
    st.table(
        pd.DataFrame(
            {
                "Column": [f"`{c}`" for c in spec.column_names],
                "Required": ["yes" if c.required else "" for c in spec.columns],
                "Kind": [KINDS[c.kind].label for c in spec.columns],
                "Rules": [column_rules(c) for c in spec.columns],
                "Example": [spec.example.get(c, "") for c in spec.column_names],
            }
        ),
        hide_index=True,
    )
    st.markdown("**How values may be written**")
    st.table(
        pd.DataFrame(
            {
                "Kind": [k.label for k in KINDS.values()],
                "Write it as": [k.canonical for k in KINDS.values()],
                "Also accepted": [k.accepted for k in KINDS.values()],
            }
        ),
        hide_index=True,
    )
