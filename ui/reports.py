"""The Reports area of the overview and indicators pages: the IPTT workbook, the PDF report
and the IATI file (docs/reports.md), each made when its button is clicked, with progress shown.

What a file holds is decided in the core from the viewer's protected view; a file is offered
only where the view allows reports (a share link may not), and the IATI file, which covers the
whole programme, only where the viewer sees the whole programme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from monitoring import i18n
from monitoring.i18n import N_, _
from monitoring.periods import period_of
from monitoring.reports import iati, iptt, report
from monitoring.reports.documents import REPORTS, NotAllowed
from monitoring.settings import Settings
from ui import access, common
from ui.text import plain


@dataclass(frozen=True)
class ReportFile:
    kind: str
    title: str  # in English; the messages below name each file in full (word order)
    extension: str
    mime: str
    takes_label: bool = True


FILES = (
    ReportFile(
        "iptt",
        N_("IPTT workbook"),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ReportFile("pdf", N_("PDF report"), "pdf", "application/pdf"),
    ReportFile("iati", N_("IATI activity file"), "xml", "application/xml", takes_label=False),
)
# What each file's buttons and progress say (one message per file: the words around a
# file's name change with it in Russian and Uzbek).
MAKE = {
    "iptt": N_("Make the IPTT workbook"),
    "pdf": N_("Make the PDF report"),
    "iati": N_("Make the IATI activity file"),
}
DOWNLOAD = {
    "iptt": N_("Download the IPTT workbook ({size} KB)"),
    "pdf": N_("Download the PDF report ({size} KB)"),
    "iati": N_("Download the IATI activity file ({size} KB)"),
}
MAKING = {
    "iptt": N_("Making the IPTT workbook…"),
    "pdf": N_("Making the PDF report…"),
    "iati": N_("Making the IATI activity file…"),
}
FAILED = {
    "iptt": N_("The IPTT workbook could not be made"),
    "pdf": N_("The PDF report could not be made"),
    "iati": N_("The IATI activity file could not be made"),
}
READY = {
    "iptt": N_("IPTT workbook ready"),
    "pdf": N_("PDF report ready"),
    "iati": N_("IATI activity file ready"),
}
BUILDERS = {"iptt": iptt.iptt_workbook, "pdf": report.pdf_report, "iati": iati.iati_activity}


def reports_area(config: Settings, as_of: dt.date, key: str) -> None:
    """Buttons that make each report file the viewer may have, then offer it for download."""
    view = access.view()
    if not view.allows_download(REPORTS):
        return
    viewer = access.viewer()
    label = viewer.name if viewer.is_donor else None
    files = [f for f in FILES if f.kind != "iati" or view.link_regions is None]
    reporting = period_of(as_of)
    st.subheader(_("Reports"))
    if len(files) == 3:
        caption = _(
            "Files as of {date}, made from what this view shows: the indicator performance "
            "tracking table (IPTT) as a workbook, the PDF report, and the programme as an IATI "
            "2.03 activity (public: made as a donor sees it). The same data, date and scope "
            "always give the same file."
        )
    else:
        caption = _(
            "Files as of {date}, made from what this view shows: the indicator performance "
            "tracking table (IPTT) as a workbook, the PDF report. The same data, date and "
            "scope always give the same file."
        )
    st.caption(caption.format(date=i18n.date(as_of)))
    if view.still_checking:
        # A report is sent on and kept: made from the whole view, not from part of it.
        st.caption(
            _(
                "The files can be made once every figure of this view is checked (see the "
                "note at the top of the page)."
            )
        )
        return
    # The file made is offered again only for the same quarter, viewer, data and language.
    stamp = (
        reporting,
        access.current_cache_key(),
        common.database().data_version(),
        i18n.current(),
    )
    # A button's width is its words': in three equal columns the Uzbek ones were cut
    # ("IPTT ish kitobini y…") at 1,000 pixels. They wrap onto another row instead.
    row = common.wrapping_row()
    columns = [row.container(width="content") for _file in files]
    for column, spec in zip(columns, files, strict=True):
        state_key = f"report-{key}-{spec.kind}"
        ready = st.session_state.get(state_key)
        if not (ready and ready[0] == stamp) and column.button(
            _(MAKE[spec.kind]), key=f"{state_key}-make", icon=":material/description:"
        ):
            ready = _make(column, spec, config, as_of, label, stamp)
            if ready is not None:
                st.session_state[state_key] = ready
        if ready and ready[0] == stamp:
            column.download_button(
                _(DOWNLOAD[spec.kind]).format(size=i18n.number(len(ready[1]) / 1024)),
                ready[1],
                file_name=f"{spec.kind}_{reporting}.{spec.extension}",
                mime=spec.mime,
                key=f"{state_key}-download",
                on_click="ignore",
                icon=":material/download:",
            )


def _make(column, spec: ReportFile, config, as_of, label, stamp):
    kwargs = {"label": label} if spec.takes_label else {}
    with column.status(_(MAKING[spec.kind]), expanded=False) as status:
        try:
            data = common.cached(BUILDERS[spec.kind], config, as_of, long_work=True, **kwargs)
        except (NotAllowed, iati.IatiInvalid) as exc:
            status.update(label=_(FAILED[spec.kind]), state="error")
            column.error(plain(exc), icon=":material/error:")
            return None
        status.update(label=_(READY[spec.kind]), state="complete")
    return (stamp, data)
