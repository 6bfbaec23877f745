"""Advocacy milestones: the path from assessments to change in policy and practice."""

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.contract import STAGES
from monitoring.i18n import _, ngettext
from monitoring.periods import period_of
from monitoring.reports import milestones as ms
from ui import access, common, vega
from ui import milestone_tables as tables
from ui import milestones as milestones_ui
from ui.filters import url_multiselect

config, as_of = common.page_header(
    _("Advocacy milestones"),
    _(
        "The programme's milestones from inception through community security assessments and "
        "action plans to advocacy with the authorities: which were achieved, which are late and "
        "by how much, and what change each achieved milestone led to. Everything is shown as it "
        "stood on the reporting date picked in the sidebar."
    ),
)

# What the viewer may see (a share link's regions, indicators never shown, counts of people
# protected) is decided in the core: every call below returns only that.
viewer = access.viewer()

# Filters (kept in the page address) -------------------------------------------------------
regions = common.cached(ms.regions_in_view, config)
region_labels = dict(zip(regions.region_key, regions.label, strict=True))
filter_row = common.wrapping_row()
stages = url_multiselect(
    filter_row,
    _("Stage"),
    list(STAGES),
    "stage",
    format_func=ms.stage_name,
    help=_(
        "The programme's four stages: inception, community security assessments, action "
        "plans, advocacy."
    ),
)
levels = url_multiselect(
    filter_row,
    _("Level"),
    ms.LEVELS,
    "level",
    format_func=ms.level_label,
    help=_(
        "Whom the milestone works with: communities, regional, national or international actors."
    ),
)
picked_regions = url_multiselect(
    filter_row,
    _("Region"),
    regions.region_key.tolist(),
    "region",
    format_func=lambda key: region_labels.get(key, key),
    help=_(
        "Milestones of a region. National and international milestones without a region "
        "are under “{no_region}”."
    ).format(no_region=_(ms.NO_REGION_LABEL)),
)
statuses = url_multiselect(
    filter_row,
    _("Status"),
    ms.MILESTONE_STATUS_ORDER,
    "status",
    format_func=lambda s: ms.MILESTONE_STATUSES[s].label,
    help=_("Status as of the reporting date: {statuses}.").format(
        statuses="; ".join(f"{s.label}: {s.help}" for s in ms.MILESTONE_STATUSES.values())
    ),
)
filters = ms.MilestoneFilters(
    stages=tuple(stages) or None,
    levels=tuple(levels) or None,
    regions=tuple(picked_regions) or None,
    statuses=tuple(statuses) or None,
)
st.caption(
    _(
        "Leave a filter empty to show all. The filters apply to every section below and are "
        "kept in the page address, so a copied link shows the same view."
    )
)

source = (ms.milestones_in_view, config, as_of, filters)
shown = common.cached(*source)
counts = common.cached(ms.counts_in_view, as_of, filters)
# An indicator's actual withheld to protect the people counted withholds its progress and
# status too (monitoring/access/view.py); the tables say so in words.
progress_as_text = bool(tables.progress_hidden(shown).any())
protection_note = access.view().note
indicators_page = viewer.allows_page(ms.INDICATORS_URL_PATH)
# One link per indicator named, not one per milestone (thousands share a few indicators);
# None where the viewer may not open the indicators page (the tables show the codes).
links = (
    {
        code: viewer.page_url(ms.INDICATORS_URL_PATH, indicator=code, as_of=period_of(as_of))
        for code in shown.indicator_code.dropna().unique()
    }
    if indicators_page
    else None
)
if shown.empty:
    st.info(
        _("No milestone matches these filters. Clear one of them to see more."),
        icon=":material/filter_alt_off:",
    )
    st.stop()

total = counts[counts.dimension == "total"].iloc[0]

# Headline figures ------------------------------------------------------------------------
cards = common.wrapping_row()
cards.metric(
    _("Achieved"),
    _("{achieved} of {due} due").format(
        achieved=i18n.number(total.achieved_of_due), due=i18n.number(total.due)
    ),
    _("{planned} planned in all").format(planned=i18n.number(total.planned)),
    delta_color="off",
    delta_arrow="off",  # a figure beside it, not a change
    border=True,
    help=_(
        "Milestones due by the reporting date (planned before it, or on it and achieved by "
        "then) and how many of them were achieved. Dropped milestones are not counted."
    ),
)
longest = total.longest_overdue_days
cards.metric(
    f"{ms.MILESTONE_STATUSES['overdue'].icon} {ms.MILESTONE_STATUSES['overdue'].label}",
    i18n.number(total.overdue),
    _("none")
    if pd.isna(longest)
    else ngettext("longest: {n} days late", "longest: {n} days late", int(longest)).format(
        n=i18n.number(int(longest))
    ),
    delta_color="off",
    delta_arrow="off",  # a figure beside it, not a change
    border=True,
    help=_("Planned before the reporting date and not achieved by then."),
)
cards.metric(
    _("Achieved late"),
    _("{late} of {achieved}").format(
        late=i18n.number(total.achieved_late), achieved=i18n.number(total.achieved)
    ),
    _("after their planned date"),
    delta_color="off",
    delta_arrow="off",  # a figure beside it, not a change
    border=True,
)
cards.metric(
    _("Still to come"),
    i18n.number(total.not_yet_due),
    _("{dropped} dropped").format(dropped=i18n.number(total.dropped)),
    delta_color="off",
    delta_arrow="off",  # a figure beside it, not a change
    border=True,
    help=_("Planned after the reporting date and not achieved yet."),
)

# Timeline -----------------------------------------------------------------------------------
st.subheader(_("Timeline by stage and level"))
# The most urgent milestones (ms.timeline_rows, chosen in the core).
on_timeline = int(shown.on_timeline.sum())
if on_timeline < len(shown):
    st.info(
        _(
            "The timeline shows the {n} most urgent of {total} milestones: overdue first, then "
            "those still to come, then the latest achieved. Narrow the filters above to see "
            "others; the table under the timeline lists them all."
        ).format(n=i18n.number(on_timeline), total=i18n.number(len(shown))),
        icon=":material/filter_list:",
    )
# Kept between reruns (ui.common.built): a rerun builds no chart while its rows are the same.
data, spec = common.built(
    milestones_ui.timeline_of,
    (shown,),
    (as_of, config.programme.start, config.programme.end),
    source=source,
)
vega.draw(data, spec, key="milestone-timeline")
st.caption(
    _(
        "Each row is a milestone, under a heading for its stage and level (community, "
        "regional, national, international). ○ planned date; ● achieved on time; ◆ achieved "
        "late and ▶ overdue, each labelled with the days late, the line between showing the "
        "delay; ✕ dropped. Achievements after the reporting date are not shown. Hover over a "
        "point for details."
    )
)
with st.expander(_("How status and lateness are decided")):
    st.markdown(ms.milestone_rule_text())

names = tables.headers()
# Dates in tables are drawn by the browser with English month names: other languages get
# day, month and year in figures, as they write them (30.06.2022).
DATE_FORMAT = "D MMM YYYY" if i18n.current() == i18n.DEFAULT else "DD.MM.YYYY"
progress_help = _(
    "Share of the way from baseline to target covered by the reporting date "
    "(over the regions picked, or all)."
)
indicator_columns = {
    names.indicator: st.column_config.LinkColumn(
        names.indicator,
        display_text=r"indicator=([^&]+)",
        help=_("Open the indicator's detail on the outcome indicators page, as of the same date."),
    )
    if indicators_page
    else st.column_config.TextColumn(),
    names.indicator_progress: st.column_config.TextColumn(help=progress_help)
    if progress_as_text
    else st.column_config.NumberColumn(format="%.0f%%", help=progress_help),
    names.indicator_status: st.column_config.TextColumn(
        help=_("The indicator's status as of the reporting date (see the Overview).")
    ),
}

as_table = ngettext(
    "All {n} milestone of these filters, as a table",
    "All {n} milestones of these filters, as a table",
    len(shown),
)
# Built only while the expander is open: thousands of rows cost every rerun otherwise.
full_table = st.expander(
    as_table.format(n=i18n.number(len(shown))), key="timeline-table-open", on_change="rerun"
)
if full_table.open:
    with full_table:
        table = common.built(
            tables.timeline_table, (shown,), (links, progress_as_text), source=source
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            height="content",
            placeholder="—",
            key="timeline-table",
            column_config={
                names.planned: st.column_config.DateColumn(format=DATE_FORMAT),
                names.achieved: st.column_config.DateColumn(
                    format=DATE_FORMAT, help=_("Empty: not achieved by the reporting date.")
                ),
                **indicator_columns,
            },
        )
        if progress_as_text:  # the note only when a cell shown here is hidden
            st.caption(protection_note)
        common.downloads_on_click(
            lambda: tables.as_downloaded(table, shown.indicator_code),
            "milestones",
            "timeline",
        )

# Counts -------------------------------------------------------------------------------------
st.subheader(_("Achieved against planned"))
by_level, by_region = common.built(
    tables.count_tables, (counts,), (as_of,), source=(ms.counts_in_view, as_of, filters)
)
percent = {names.achieved_of_due: st.column_config.NumberColumn(format="%.0f%%")}
st.markdown(_("**By level**"))
st.dataframe(by_level, hide_index=True, width="stretch", column_config=percent, key="by-level")
common.downloads(by_level, "milestones_by_level", "by-level")
st.markdown(_("**By region**"))
st.dataframe(by_region, hide_index=True, width="stretch", column_config=percent, key="by-region")
common.downloads(by_region, "milestones_by_region", "by-region")
st.caption(
    _(
        "Planned: every milestone not dropped, over the whole programme. Due: planned on or "
        "before the reporting date. Achieved: achieved on or before it (late: after its planned "
        "date). Achieved of due: the share of due milestones achieved by the reporting date."
    )
)

quarters_source = (ms.quarters_in_view, config, as_of, filters)
quarters = common.cached(*quarters_source)
data, spec = common.built(
    milestones_ui.milestones_per_quarter, (quarters,), (as_of,), source=quarters_source
)
vega.draw(data, spec, key="milestones-per-quarter")
per_quarter_table = st.expander(
    _("Per quarter, as a table"), key="per-quarter-open", on_change="rerun"
)
if per_quarter_table.open:
    with per_quarter_table:
        per_quarter = pd.DataFrame(
            {
                _("Quarter"): quarters.period,
                names.planned: quarters.planned,
                names.achieved: quarters.achieved,
                _("of which late"): quarters.achieved_late,
                _("Planned so far"): quarters.planned_cumulative,
                _("Achieved so far"): quarters.achieved_cumulative,
            }
        )
        st.dataframe(per_quarter, hide_index=True, width="stretch", placeholder="—")
        st.caption(
            _(
                "Planned counts milestones by their planned date, achieved by their achieved date. "
                "Quarters after the reporting date have no achievements yet (empty, not zero)."
            )
        )
        common.downloads(per_quarter, "milestones_per_quarter", "per-quarter")

# What the achieved milestones led to ------------------------------------------------------
st.subheader(_("What the achieved milestones led to"))
# Latest achieved first: a long list is read, and paged, from the newest results.
evidence_shared = access.view().free_text  # evidence may name the people who took part
achieved = common.built(
    tables.achieved_list, (shown,), (links, progress_as_text, evidence_shared), source=source
)
results = achieved.table
if results.empty:
    st.info(_("None of the milestones shown was achieved by the reporting date."))
else:
    # A page of the list at a time (thousands of rows cost every rerun and the browser);
    # the page picker sits under the list, the downloads hold every row.
    pages = -(-len(results) // ms.ACHIEVED_PAGE_ROWS)
    list_area = st.container()
    page = (
        st.pagination(pages, key="achieved-page", max_visible_pages=7, width="stretch")
        if pages > 1
        else 1
    )
    first = (page - 1) * ms.ACHIEVED_PAGE_ROWS
    on_page = results.iloc[first : first + ms.ACHIEVED_PAGE_ROWS]
    if pages > 1:
        list_area.caption(
            _(
                "Achieved milestones {first} to {last} of {n}, the latest first. Pick another "
                "page under the list; the downloads hold all {n}."
            ).format(
                first=i18n.number(first + 1),
                last=i18n.number(first + len(on_page)),
                n=i18n.number(len(results)),
            )
        )
    list_area.dataframe(
        on_page,
        hide_index=True,
        width="stretch",
        height="content",
        placeholder="—",
        key="achieved-table",
        column_config={
            names.achieved: st.column_config.DateColumn(format=DATE_FORMAT),
            names.milestone: st.column_config.TextColumn(width="medium"),
            names.audience: st.column_config.TextColumn(width="small"),
            names.outcome: st.column_config.TextColumn(width="large"),
            names.evidence: st.column_config.LinkColumn(
                display_text=r"https?://(?:www\.)?(.+)",
                help=_(
                    "Opens the evidence in a new tab. Only web addresses (http or https) are "
                    "links; anything else recorded is shown as text in the next column."
                ),
            ),
            **indicator_columns,
        },
    )
    counted = ngettext(
        "{n} achieved milestone(s); {missing} without a recorded outcome yet.",
        "{n} achieved milestone(s); {missing} without a recorded outcome yet.",
        len(results),
    ).format(n=i18n.number(len(results)), missing=i18n.number(achieved.without_outcome))
    if not evidence_shared:
        st.caption(
            _(
                "{counted} The evidence behind each milestone stays with the programme team: it "
                "may name the people who took part."
            ).format(counted=counted)
        )
    else:
        st.caption(
            _(
                "{counted} Record the change a milestone led to in the `outcome` column of the "
                "milestones table."
            ).format(counted=counted)
        )
    if achieved.any_hidden:  # the note only when a cell shown here is hidden
        st.caption(protection_note)
    common.downloads_on_click(
        lambda: tables.as_downloaded(results, achieved.codes), "milestones_achieved", "achieved"
    )
