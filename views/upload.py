"""Data upload: staff upload tables as CSV or Excel; checked, previewed, recorded, reversible."""

import streamlit as st

from monitoring.access import accounts
from monitoring.intake import batches
from ui import access, common
from ui import upload as view

config, as_of = common.page_header(
    "Data upload",
    "Upload the programme's tables as CSV or Excel files. Every file is checked against the "
    "data contract and previewed (new, changed and unchanged rows, errors, warnings) before "
    "anything is written. Each import is recorded as a batch that can be undone.",
)

message = st.session_state.pop("upload_message", None)
if message and message[0] == "warning":
    st.warning(view.plain(message[1]), icon=":material/sync_problem:")
elif message:
    st.success(view.plain(message[1]), icon=":material/task_alt:")

viewer = access.viewer()
by = viewer.name  # recorded with every import and undo, in the upload history

upload_tab, history_tab, format_tab = st.tabs(
    ["Upload a file", "Upload history", "Format and templates"]
)

with upload_tab:
    view.recent_uploads(by)
    table = view.table_choice()
    generation = st.session_state.get("upload_generation", 0)
    uploaded = st.file_uploader(
        "File to check",
        key=f"upload_file_{generation}",
        max_upload_size=view.MAX_FILE_MB,
        help=view.limits_text(),
    )
    st.caption(view.limits_text() + " Templates are under **Format and templates**.")
    if uploaded is not None:
        result = view.preview(uploaded, table)
        if isinstance(result, view.UnreadableFile):
            st.error(
                f"**This file cannot be read as a table.** {view.plain(result.reason)}  \n"
                f"**How to fix it:** {view.plain(result.fix)}",
                icon=":material/error:",
            )
            st.caption("Nothing was written.")
        else:
            view.show_preview(result)
            view.commit_controls(result, by)

with history_tab:
    history = common.cached(batches.history)
    if history.empty:
        st.info("No batches yet: nothing has been loaded into this database.")
    else:
        st.caption(
            "Every import, newest first. Undoing a batch removes the rows it added and "
            "restores the values of the rows it changed; it is refused while a later batch "
            "has changed the same rows (undo that one first)."
        )
        shown = view.history_table(history)
        st.dataframe(shown, hide_index=True, width="stretch")
        common.downloads(shown, "upload_history", "upload-history")
        st.subheader("Undo a batch")
        if viewer.can(accounts.UNDO):
            view.undo_controls(history, by)
        else:
            st.caption("Only an administrator can undo a batch. Ask one, naming the batch number.")

with format_tab:
    view.format_guide()
