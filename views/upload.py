"""Data upload: staff upload tables as CSV or Excel; checked, previewed, recorded, reversible."""

import streamlit as st

from monitoring.access import accounts
from monitoring.i18n import _
from monitoring.intake import batches
from ui import access, common
from ui import upload as view

config, as_of = common.page_header(
    _("Data upload"),
    _(
        "Upload the programme's tables as CSV or Excel files. Every file is checked against "
        "the data contract and previewed (new, changed and unchanged rows, errors, warnings) "
        "before anything is written. Each import is recorded as a batch that can be undone."
    ),
)

message = st.session_state.pop("upload_message", None)
if message and message[0] == "warning":
    st.warning(view.plain(message[1]), icon=":material/sync_problem:")
elif message:
    st.success(view.plain(message[1]), icon=":material/task_alt:")

viewer = access.viewer()
by = viewer.name  # recorded with every import and undo, in the upload history

# The history and the format guide are built only when their tab is open (a tab switch
# reruns the page): the history's table alone loads 1.2 MB of the browser's table scripts,
# about a quarter of the page's first load (docs/benchmarks.md). The upload tab is always
# built, so that a file being checked and its preview stay while the reader looks at
# another tab.
upload_tab, history_tab, format_tab = common.tabs_on_demand(
    [_("Upload a file"), _("Upload history"), _("Format and templates")], view.TAB_KEY
)

with upload_tab:
    view.recent_uploads(by)
    table = view.table_choice()
    generation = st.session_state.get("upload_generation", 0)
    uploaded = view.file_box(
        _("File to check"), key=f"upload_file_{generation}", help=view.limits_text()
    )
    st.caption(view.limits_text() + " " + _("Templates are under **Format and templates**."))
    if uploaded is not None:
        result = view.preview(uploaded, table)
        if isinstance(result, view.UnreadableFile):
            st.error(
                _(
                    "**This file cannot be read as a table.** {reason}  \n**How to fix it:** {fix}"
                ).format(reason=view.plain(result.reason), fix=view.plain(result.fix)),
                icon=":material/error:",
            )
            st.caption(_("Nothing was written."))
        else:
            view.show_preview(result)
            view.commit_controls(result, by)

if history_tab.open:
    with history_tab:
        history = common.cached(batches.history)
        if common.listing(
            view.history_table(history),
            none=_("No batches yet: nothing has been loaded into this database."),
            about=_(
                "Every import, newest first. Undoing a batch removes the rows it added and "
                "restores the values of the rows it changed; it is refused while a later batch "
                "has changed the same rows (undo that one first)."
            ),
            name="upload_history",
            key="upload-history",
        ):
            st.subheader(_("Undo a batch"))
            if viewer.can(accounts.UNDO):
                view.undo_controls(history, by)
            else:
                st.caption(
                    _("Only an administrator can undo a batch. Ask one, naming the batch number.")
                )

if format_tab.open:
    with format_tab:
        view.format_guide()
