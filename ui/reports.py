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

from monitoring.periods import period_of
from monitoring.reports import iati, iptt, report
from monitoring.reports.documents import REPORTS, NotAllowed
from monitoring.settings import Settings
from ui import access, common
from ui.text import plain


@dataclass(frozen=True)
class ReportFile:
    kind: str
    title: str
    extension: str
    mime: str
    takes_label: bool = True


FILES = (
    ReportFile(
        "iptt",
        "IPTT workbook",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ReportFile("pdf", "PDF report", "pdf", "application/pdf"),
    ReportFile("iati", "IATI activity file", "xml", "application/xml", takes_label=False),
)
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
    st.subheader("Reports")
    st.caption(
        f"Files as of {as_of:%d %B %Y}, made from what this view shows: the indicator "
        "performance tracking table (IPTT) as a workbook, the PDF report"
        + (
            ", and the programme as an IATI 2.03 activity (public: made as a donor sees it)"
            if len(files) == 3
            else ""
        )  # fmt: skip
        + ". The same data, date and scope always give the same file."
    )
    stamp = (reporting, access.current_cache_key(), common.database().data_version())
    columns = st.columns(len(files))
    for column, spec in zip(columns, files, strict=True):
        state_key = f"report-{key}-{spec.kind}"
        ready = st.session_state.get(state_key)
        if not (ready and ready[0] == stamp) and column.button(
            f"Make the {spec.title}", key=f"{state_key}-make", icon=":material/description:"
        ):
            ready = _make(column, spec, config, as_of, label, stamp)
            if ready is not None:
                st.session_state[state_key] = ready
        if ready and ready[0] == stamp:
            column.download_button(
                f"Download the {spec.title} ({len(ready[1]) / 1024:,.0f} KB)",
                ready[1],
                file_name=f"{spec.kind}_{reporting}.{spec.extension}",
                mime=spec.mime,
                key=f"{state_key}-download",
                on_click="ignore",
                icon=":material/download:",
            )


def _make(column, spec: ReportFile, config, as_of, label, stamp):
    kwargs = {"label": label} if spec.takes_label else {}
    with column.status(f"Making the {spec.title}…", expanded=False) as status:
        try:
            data = common.cached(BUILDERS[spec.kind], config, as_of, **kwargs)
        except (NotAllowed, iati.IatiInvalid) as exc:
            status.update(label=f"The {spec.title} could not be made", state="error")
            column.error(plain(exc), icon=":material/error:")
            return None
        status.update(label=f"{spec.title} ready", state="complete")
    return (stamp, data)
