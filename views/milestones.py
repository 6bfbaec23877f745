"""Advocacy milestones: the path from assessments to change in policy and practice."""

import pandas as pd
import streamlit as st

from monitoring.contract import STAGES
from monitoring.periods import period_of
from monitoring.reports import milestones as ms
from monitoring.reports.status import status_text
from ui import access, common
from ui import milestones as milestones_ui
from ui.filters import url_multiselect

config, as_of = common.page_header(
    "Advocacy milestones",
    "The programme's milestones from inception through community security assessments and "
    "action plans to advocacy with the authorities: which were achieved, which are late and "
    "by how much, and what change each achieved milestone led to. Everything is shown as it "
    "stood on the reporting date picked in the sidebar.",
)

# What the viewer may see (a share link's regions, indicators never shown, counts of people
# protected) is decided in the core: every call below returns only that.
viewer = access.viewer()

# Filters (kept in the page address) -------------------------------------------------------
regions = common.cached(ms.regions_in_view, config)
region_labels = dict(zip(regions.region_key, regions.label, strict=True))
cols = st.columns(4)
stages = url_multiselect(
    cols[0],
    "Stage",
    list(STAGES),
    "stage",
    format_func=lambda s: STAGES[s],
    help="The programme's four stages: inception, community security assessments, action "
    "plans, advocacy.",
)
levels = url_multiselect(
    cols[1],
    "Level",
    ms.LEVELS,
    "level",
    format_func=ms.level_label,
    help="Whom the milestone works with: communities, regional, national or international actors.",
)
picked_regions = url_multiselect(
    cols[2],
    "Region",
    regions.region_key.tolist(),
    "region",
    format_func=lambda key: region_labels.get(key, key),
    help="Milestones of a region. National and international milestones without a region "
    f"are under “{ms.NO_REGION_LABEL}”.",
)
statuses = url_multiselect(
    cols[3],
    "Status",
    ms.MILESTONE_STATUS_ORDER,
    "status",
    format_func=lambda s: ms.MILESTONE_STATUSES[s].label,
    help="Status as of the reporting date: "
    + "; ".join(f"{s.label}: {s.help}" for s in ms.MILESTONE_STATUSES.values())
    + ".",
)
filters = ms.MilestoneFilters(
    stages=tuple(stages) or None,
    levels=tuple(levels) or None,
    regions=tuple(picked_regions) or None,
    statuses=tuple(statuses) or None,
)
st.caption(
    "Leave a filter empty to show all. The filters apply to every section below and are kept "
    "in the page address, so a copied link shows the same view."
)

shown = common.cached(ms.milestones_in_view, config, as_of, filters)
counts = common.cached(ms.counts_in_view, as_of, filters)
# An indicator's actual withheld to protect the people counted withholds its progress and
# status too (monitoring/access/view.py); the tables say so in words.
progress_hidden = shown.indicator_actual_withheld.fillna(False).astype(bool)
protection_note = access.view().note
indicators_page = viewer.allows_page(ms.INDICATORS_URL_PATH)
shown = shown.assign(
    indicator_link=[
        viewer.page_url(ms.INDICATORS_URL_PATH, indicator=code, as_of=period_of(as_of))
        if isinstance(code, str) and indicators_page
        else None
        for code in shown.indicator_code
    ]
)
if shown.empty:
    st.info(
        "No milestone matches these filters. Clear one of them to see more.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

total = counts[counts.dimension == "total"].iloc[0]

# Headline figures ------------------------------------------------------------------------
cols = st.columns(4)
cols[0].metric(
    "Achieved",
    f"{total.achieved_of_due} of {total.due} due",
    f"{total.planned} planned in all",
    delta_color="off",
    border=True,
    help="Milestones planned on or before the reporting date (due) and how many of them "
    "were achieved by then. Dropped milestones are not counted.",
)
longest = total.longest_overdue_days
cols[1].metric(
    f"{ms.MILESTONE_STATUSES['overdue'].icon} Overdue",
    f"{total.overdue}",
    "none" if pd.isna(longest) else f"longest: {int(longest)} days late",
    delta_color="off",
    border=True,
    help="Planned before the reporting date and not achieved by then.",
)
cols[2].metric(
    "Achieved late",
    f"{total.achieved_late} of {total.achieved}",
    "after their planned date",
    delta_color="off",
    border=True,
)
cols[3].metric(
    "Still to come",
    f"{total.not_yet_due}",
    f"{total.dropped} dropped",
    delta_color="off",
    border=True,
    help="Planned on or after the reporting date and not achieved yet.",
)

# Timeline -----------------------------------------------------------------------------------
st.subheader("Timeline by stage and level")
on_timeline = ms.timeline_rows(shown)
if len(on_timeline) < len(shown):
    st.info(
        f"The timeline shows the {len(on_timeline)} most urgent of {len(shown):,} milestones: "
        "overdue first, then those still to come, then the latest achieved. Narrow the filters "
        "above to see others; the table under the timeline lists them all.",
        icon=":material/filter_list:",
    )
st.plotly_chart(
    milestones_ui.milestone_timeline(
        on_timeline, as_of, config.programme.start, config.programme.end
    ),
    width="stretch",
    key="milestone-timeline",
)
st.caption(
    "Each row is a milestone, grouped by stage and then by level (community, regional, "
    "national, international). ○ planned date; ● achieved on time; ◆ achieved late and ▶ "
    "overdue, each labelled with the days late; the line between shows the delay. Achievements "
    "after the reporting date are not shown. Hover over a point for details."
)
with st.expander("How status and lateness are decided"):
    st.markdown(ms.milestone_rule_text())

indicator_link_column = st.column_config.LinkColumn(
    "Indicator",
    display_text=r"indicator=([^&]+)",
    help="Open the indicator's detail on the outcome indicators page, as of the same date.",
)
progress_help = (
    "Share of the way from baseline to target covered by the reporting date "
    "(over the regions picked, or all)."
)
indicator_columns = {
    "Indicator": indicator_link_column if indicators_page else st.column_config.TextColumn(),
    "Indicator progress": st.column_config.TextColumn(help=progress_help)
    if progress_hidden.any()
    else st.column_config.NumberColumn(format="%.0f%%", help=progress_help),
    "Indicator status": st.column_config.TextColumn(
        help="The indicator's status as of the reporting date (see the Overview)."
    ),
}


def indicator_cells(frame: pd.DataFrame) -> dict:
    percent = (frame.indicator_progress * 100).round(0)
    if progress_hidden.any():  # words among the numbers: the column is text
        percent = [
            "hidden" if progress_hidden[i] else None if pd.isna(v) else f"{v:.0f}%"
            for i, v in percent.items()
        ]
    return {
        "Indicator": frame.indicator_link if indicators_page else frame.indicator_code,
        "Indicator progress": percent,
        "Indicator status": [
            status_text(s) if isinstance(s, str) else None for s in frame.indicator_status
        ],
    }


def as_downloaded(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: the indicator column shows the code, not the link behind it."""
    return table.assign(Indicator=frame.indicator_code.to_numpy())


count_words = f"{len(shown)} milestone" + ("" if len(shown) == 1 else "s")
with st.expander(f"All {count_words} of these filters, as a table"):
    table = pd.DataFrame(
        {
            "Stage": shown.stage_label,
            "Level": shown.level.map(ms.level_label),
            "Milestone": shown.milestone_id + " " + shown.title,
            "Region": shown.region_label,
            "Planned": shown.planned_on,
            "Achieved": shown.achieved_on,
            "Status": shown.status_text,
            "Days late": shown.days_late,
            **indicator_cells(shown),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height="content",
        placeholder="—",
        key="timeline-table",
        column_config={
            "Planned": st.column_config.DateColumn(format="D MMM YYYY"),
            "Achieved": st.column_config.DateColumn(
                format="D MMM YYYY", help="Empty: not achieved by the reporting date."
            ),
            **indicator_columns,
        },
    )
    if progress_hidden.any():  # the note only when a cell shown here is hidden
        st.caption(protection_note)
    common.downloads(as_downloaded(table, shown), "milestones", "timeline")

# Counts -------------------------------------------------------------------------------------
st.subheader("Achieved against planned")
count_columns = {
    "Planned": "planned",
    f"Due by {as_of:%d %b %Y}": "due",
    "Achieved": "achieved",
    "of which late": "achieved_late",
    "Overdue": "overdue",
    "Not yet due": "not_yet_due",
    "Dropped": "dropped",
}


def count_table(dimension: str, heading: str) -> pd.DataFrame:
    part = counts[counts.dimension == dimension]
    out = pd.DataFrame({heading: part.label})
    for title, column in count_columns.items():
        out[title] = part[column].astype(int)
    out["Achieved of due"] = (part.achieved_of_due / part.due.where(part.due > 0) * 100).round(0)
    return out.reset_index(drop=True)


percent = {"Achieved of due": st.column_config.NumberColumn(format="%.0f%%")}
st.markdown("**By level**")
by_level = count_table("level", "Level")
st.dataframe(by_level, hide_index=True, width="stretch", column_config=percent, key="by-level")
common.downloads(by_level, "milestones_by_level", "by-level")
st.markdown("**By region**")
by_region = count_table("region", "Region")
st.dataframe(by_region, hide_index=True, width="stretch", column_config=percent, key="by-region")
common.downloads(by_region, "milestones_by_region", "by-region")
st.caption(
    "Planned: every milestone not dropped, over the whole programme. Due: planned on or before "
    "the reporting date. Achieved: achieved on or before it (late: after its planned date). "
    "Achieved of due: the share of due milestones achieved by the reporting date."
)

quarters = common.cached(ms.quarters_in_view, config, as_of, filters)
st.plotly_chart(
    milestones_ui.milestones_per_quarter(quarters, as_of),
    width="stretch",
    key="milestones-per-quarter",
)
with st.expander("Per quarter, as a table"):
    per_quarter = pd.DataFrame(
        {
            "Quarter": quarters.period,
            "Planned": quarters.planned,
            "Achieved": quarters.achieved,
            "of which late": quarters.achieved_late,
            "Planned so far": quarters.planned_cumulative,
            "Achieved so far": quarters.achieved_cumulative,
        }
    )
    st.dataframe(per_quarter, hide_index=True, width="stretch", placeholder="—")
    st.caption(
        "Planned counts milestones by their planned date, achieved by their achieved date. "
        "Quarters after the reporting date have no achievements yet (empty, not zero)."
    )
    common.downloads(per_quarter, "milestones_per_quarter", "per-quarter")

# What the achieved milestones led to ------------------------------------------------------
st.subheader("What the achieved milestones led to")
achieved = shown[shown.status == "achieved"].sort_values(["achieved_on", "milestone_id"])
if achieved.empty:
    st.info("None of the milestones shown was achieved by the reporting date.")
else:
    not_a_link = achieved.evidence_url.where(
        achieved.evidence_url.notna() & achieved.evidence_link.isna()
    )
    results = pd.DataFrame(
        {
            "Achieved": achieved.achieved_on,
            "Milestone": achieved.milestone_id + " " + achieved.title,
            "Audience": achieved.audience,
            "Outcome (the change it led to)": achieved.outcome.fillna("not recorded"),
            "Evidence": achieved.evidence_link,
            "Evidence (not a web address)": not_a_link,
            **indicator_cells(achieved),
            "Stage": achieved.stage_label,
            "Level": achieved.level.map(ms.level_label),
            "Region": achieved.region_label,
        }
    )
    if results["Evidence (not a web address)"].isna().all():
        results = results.drop(columns="Evidence (not a web address)")
    evidence_shared = access.view().free_text  # evidence may name the people who took part
    if not evidence_shared:
        results = results.drop(columns="Evidence")
    st.dataframe(
        results,
        hide_index=True,
        width="stretch",
        height="content",
        placeholder="—",
        key="achieved-table",
        column_config={
            "Achieved": st.column_config.DateColumn(format="D MMM YYYY"),
            "Milestone": st.column_config.TextColumn(width="medium"),
            "Audience": st.column_config.TextColumn(width="small"),
            "Outcome (the change it led to)": st.column_config.TextColumn(width="large"),
            "Evidence": st.column_config.LinkColumn(
                display_text=r"https?://(?:www\.)?(.+)",
                help="Opens the evidence in a new tab. Only web addresses (http or https) are "
                "links; anything else recorded is shown as text in the next column.",
            ),
            **indicator_columns,
        },
    )
    missing = int(achieved.outcome.isna().sum())
    if not evidence_shared:
        st.caption(
            f"{len(achieved)} achieved milestone(s); {missing} without a recorded outcome yet. "
            "The evidence behind each milestone stays with the programme team: it may name "
            "the people who took part."
        )
    else:
        st.caption(
            f"{len(achieved)} achieved milestone(s); {missing} without a recorded outcome yet. "
            "Record the change a milestone led to in the `outcome` column of the milestones "
            "table."
        )
    if progress_hidden[achieved.index].any():  # the note only when a cell shown here is hidden
        st.caption(protection_note)
    common.downloads(as_downloaded(results, achieved), "milestones_achieved", "achieved")
