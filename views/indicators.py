"""Outcome indicators: the indicator tracking table (IPTT) and one indicator in detail."""

import pandas as pd
import streamlit as st

from monitoring.access.sharing import SHARE_PARAM
from monitoring.periods import period_of, programme_periods
from monitoring.reports import indicators
from monitoring.reports.status import STATUSES, status_rule_text, status_text
from ui import access, common, donor_tables, reports
from ui import indicators as indicators_ui
from ui.indicators_filters import (
    NOT_IN_VIEW,
    seed_choice,
    seed_multichoice,
    unknown_parameters,
)
from ui.text import plain, plain_join

config, as_of = common.page_header(
    "Outcome indicators",
    "Every indicator of the logframe against its baseline and targets, quarter by quarter "
    "(the indicator tracking table), and below it one indicator in detail: how it moved, in "
    "which regions, for whom, what was noted with the figures and who has not reported yet. "
    "Filter by region, quarters and outcome; the address keeps your choices, so a copied "
    "link opens the same view.",
)
reporting = period_of(as_of)
PARAMETERS = {"as_of", "indicator", "regions", "from", "to", "outcome", SHARE_PARAM}

# What the viewer may see (a share link's regions, no sensitive indicator, counts of people
# protected) is decided in the core: every call below returns only that (docs/access.md).
view = access.view()
limited = view.regions is not None  # the region filter offers only the view's regions

# Filters, read from the address first --------------------------------------------------
region_table = common.cached(indicators.regions_in_view, config)
region_names = dict(zip(region_table.region_code, region_table.region_name, strict=True))
logframe = common.cached(indicators.logframe_in_view, config, as_of)
codes = logframe.indicator_code.tolist()
if not codes:
    st.info(
        "No indicators are loaded yet. Upload the logframe (the indicators table) and the "
        "values reported against it; this page then shows them.",
        icon=":material/upload_file:",
    )
    st.stop()
groups = list(dict.fromkeys(logframe.group))
periods = programme_periods(config.programme)
ALL = "All"

notices = unknown_parameters(PARAMETERS)
notices += seed_multichoice(
    "regions",
    list(region_names.values()),
    lambda values: indicators.parse_regions(values, region_table),
    "Regions",
    in_view=limited,
)
notices += seed_choice("from", periods, indicators.parse_period, "From quarter")
notices += seed_choice("to", periods, indicators.parse_period, "To quarter")
notices += seed_choice(
    "outcome", [ALL, *groups], lambda t: indicators.parse_outcome(t, groups), "Goal / outcome"
)
notices += seed_choice(
    "indicator", codes, lambda t: t.strip().upper(), "Indicator", in_view=limited
)
if notices:
    st.warning("\n\n".join(notices), icon=":material/link_off:")

left, first_col, last_col, outcome_col = st.columns([4, 1.3, 1.3, 2])
chosen_regions = left.multiselect(
    "Regions",
    list(region_names),
    key="regions",
    bind="query-params",
    format_func=region_names.get,
    placeholder="All regions of this view" if limited else "All regions",
    help="Only values reported for these regions count. A selection that leaves out one of "
    "the programme's regions is measured against regional targets where they are set."
    + (" This view shows only the regions its link covers." if limited else ""),
)
first = first_col.selectbox(
    "From quarter",
    periods,
    index=0,
    key="from",
    bind="query-params",
    help="First quarter shown in the table and charts.",
)
last = last_col.selectbox(
    "To quarter",
    periods,
    index=len(periods) - 1,
    key="to",
    bind="query-params",
    help="Last quarter shown; never later than the reporting quarter in the sidebar.",
)


def _follow_outcome() -> None:
    """A new outcome picked: show its first indicator unless the one shown belongs to it."""
    chosen = st.session_state["outcome"]
    in_group = codes if chosen == ALL else logframe[logframe.group == chosen].indicator_code
    in_group = list(in_group)
    if in_group and st.session_state.get("indicator") not in in_group:
        st.session_state["indicator"] = in_group[0]


outcome = outcome_col.selectbox(
    "Goal / outcome",
    [ALL, *groups],
    index=0,
    key="outcome",
    bind="query-params",
    help="Show the indicators of one goal or outcome only.",
    on_change=_follow_outcome,
)
regions = tuple(chosen_regions) or None  # narrowed to the view's regions in the core
span = indicators.quarter_range(config, as_of, first, None if last == periods[-1] else last)
for notice in span.notices:
    st.info(notice, icon=":material/date_range:")

# The indicator tracking table -----------------------------------------------------------
st.subheader("Indicator tracking table")
tracking = common.cached(
    indicators.tracking_table,
    config,
    as_of,
    regions,
    span.first,
    span.last,
    None if outcome == ALL else outcome,
)
table = tracking.table
shown_regions = view.within(regions)
scope = (
    "all regions"
    if shown_regions is None
    else plain_join(region_names.get(r, r) for r in shown_regions)
)
shown_table, iptt_note = table, None
if tracking.any_hidden:  # words among the numbers: those columns become text
    shown_table = donor_tables.as_text(
        table,
        {
            **{c: "{:,.10g}" for c in indicators.iptt_quarter_columns(table)},
            f"Actual to {reporting}": "{:,.10g}",
            "% of target achieved": "{:.0f}%",
        },
    )
    iptt_note = view.note
st.caption(
    f"{len(table)} indicators · {scope} · quarters {span.first} to {span.last} · actual, "
    f"% achieved and status as of the end of {reporting}. An empty quarter means nothing "
    "was reported for it (never zero). Select a row to see the indicator in detail below."
)


def _pick_indicator() -> None:
    rows = st.session_state["iptt"].selection.rows
    if rows:
        st.session_state["indicator"] = st.session_state["iptt_codes"][rows[0]]


st.session_state["iptt_codes"] = table["Code"].tolist()
quarter_columns = indicators.iptt_quarter_columns(table)
# Counts withheld read "<5" or "hidden": those columns are then text (ui/donor_tables.py).
Number = st.column_config.TextColumn if tracking.any_hidden else st.column_config.NumberColumn
column_config = {
    "Code": st.column_config.TextColumn(pinned=True),
    "Indicator": st.column_config.TextColumn(width="medium", help="Hover to read it all."),
    "Status": st.column_config.TextColumn(help="Icon and words; the rule is explained below."),
    "% of target achieved": Number(
        help="Share of the way from baseline to target covered; for an indicator that "
        "should decrease, a fall counts.",
        **({} if tracking.any_hidden else {"format": "%.0f%%"}),
    ),
    f"Actual to {reporting}": Number(
        help="Combined as the row says: cumulative total of every quarter, each region's "
        "latest value, or the average of all values, up to the reporting quarter.",
    ),
    "Target": st.column_config.NumberColumn(
        help="End-of-programme target (regional targets in a regional view).",
    ),
}
for period in quarter_columns:
    column_config[period] = Number(
        help=f"Reported in {period} (for a latest-value indicator: the value at its end). "
        "Empty: not reported."
    )
st.dataframe(
    shown_table,
    hide_index=True,
    width="stretch",
    height="content",
    placeholder="",
    column_config=column_config,
    key="iptt",
    on_select=_pick_indicator,
    selection_mode="single-row",
)
if iptt_note:
    st.caption(iptt_note)
common.downloads(table, "indicator_tracking_table", "iptt")
reports.reports_area(config, as_of, "indicators")
if (table["Status"] == status_text("no_target")).any():
    st.caption(
        f"{STATUSES['no_target'].icon} **No target for these regions**: a count whose target "
        "is for the whole programme, with no regional target set in the indicator targets "
        "table for every region picked; its progress cannot be judged for this selection."
    )
with st.expander("How the table is computed"):
    st.markdown(
        "- **A quarter's value** combines the regions that reported in it: summed for counts, "
        "averaged for percentages. For a *latest value* indicator (a stock, like the number "
        "of working groups with a plan) it is the value at the end of the quarter: a region "
        "that did not report keeps its last value. Breakdown rows (by sex or age) are never "
        "added to the total.\n"
        "- **Actual to date** is combined as the row says: *cumulative total* adds every "
        "quarter; *latest value* takes each region's latest value; *average* averages every "
        "region-quarter value.\n"
        "- **Target by a quarter** comes from the indicator targets table (the cumulative "
        "target due by the end of that quarter), summed over regions for counts.\n"
        "- **In a regional view** (some programme regions left out) the target is the sum of "
        "the regions' end-of-programme targets; a count's baseline is kept only when it is 0.\n"
        f"- **Status**: {status_rule_text(config.status)}\n\n"
        "The full rules: docs/indicators.md."
    )

# One indicator in detail ----------------------------------------------------------------
st.divider()
st.subheader("Indicator in detail")
pick_col, title_col = st.columns([1, 4], vertical_alignment="bottom")
# The first indicator of the table is shown unless one is picked (a link's default follows
# the outcome filter, so a copied link still opens the same indicator).
default_code = table["Code"].iloc[0] if len(table) else codes[0]
code = pick_col.selectbox(
    "Indicator",
    codes,
    index=codes.index(default_code),
    key="indicator",
    bind="query-params",
    help="Pick an indicator by its logframe code, or select a row of the table above.",
)
info = common.cached(indicators.indicator_in_view, config, as_of, code, regions)
if info is None:
    if limited:  # the same words for a withheld indicator as for one that does not exist
        st.error(f"Indicator {plain(code)} is {NOT_IN_VIEW}. Pick one from the list.")
    else:
        st.error(f"There is no indicator {plain(code)}. Pick one from the list.")
    st.stop()
title_col.markdown(f"#### {plain(info['title'])}")

unit = indicators_ui.unit_label(info["unit"])
withheld_actual = info["actual_state"] != ""  # "<5" or "hidden": progress and status too


def _number(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:,.1f}".removesuffix(".0") + ("%" if info["unit"] == "percent" else "")


def _withheld(text: str) -> str:
    """`text`, or "hidden" where the view withholds the actual it is computed from."""
    return "hidden" if withheld_actual else text


cols = st.columns(4)
cols[0].metric(
    f"Actual to {reporting}",
    info["actual_shown"] if withheld_actual else _number(info["actual"]),
    indicators.AGGREGATION_TEXT[info["aggregation"]],
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cols[1].metric(
    "Target",
    _number(info["target"]),
    f"baseline {_number(info['baseline'])} · aim: {info['direction']}",
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="End-of-programme target; in a regional view, the selected regions' own targets.",
)
cols[2].metric(
    "Of target achieved",
    _withheld("—" if pd.isna(info["progress"]) else f"{info['progress']:.0%}"),
    "—" if pd.isna(info["expected"]) else f"expected: {info['expected']:.0%}",
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="Share of the way from baseline to target covered, against the share expected by "
    f"the reporting date (here from the {info['expected_from']}).",
)
cols[3].metric(
    "Status",
    status_text(info["status"]),
    f"last reported {info['last_period']}" if isinstance(info["last_period"], str) else "",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
facts = [f"Unit: {unit}", f"values combined as {indicators.AGGREGATION_TEXT[info['aggregation']]}"]
if isinstance(info.get("disaggregation"), str):
    facts.append(f"reported by {info['disaggregation'].replace(';', ' and ').replace('_', ' ')}")
if isinstance(info.get("means_of_verification"), str):
    facts.append(f"means of verification: {plain(info['means_of_verification'])}")
if info.get("sensitive"):
    facts.append("sensitive indicator")
st.caption(" · ".join(facts))
if withheld_actual:
    st.caption(view.note)

HIDDEN_POINTS = (
    "Values hidden to protect the people counted are left out of the charts (a gap, never a zero)."
)
series = common.cached(indicators.series_in_view, span.periods, code, regions)
chart_left, chart_right = st.columns(2, gap="large")
chart_left.plotly_chart(
    indicators_ui.actual_against_target(
        series.numeric,
        info,
        len(shown_regions or config.programme.regions),
        withheld=series.any_hidden,
    ),
    width="stretch",
    key="detail-time",
)
by_region = common.cached(indicators.region_series_in_view, config, span.periods, code, regions)
if not by_region.numeric.empty:
    chart_right.plotly_chart(
        indicators_ui.by_region(by_region.numeric, info, withheld=by_region.any_hidden),
        width="stretch",
        key="detail-regions",
    )
if series.any_hidden or by_region.any_hidden:
    st.caption(HIDDEN_POINTS)

# Per region: progress and what was reported each quarter.
region_shown = common.cached(
    indicators.region_detail_in_view, config, as_of, code, span.first, span.last, regions
)
region_detail = region_shown.table
if not region_detail.empty:
    region_note = None
    if region_shown.any_hidden:
        region_detail = donor_tables.as_text(
            region_detail,
            {
                **{p: "{:,.10g}" for p in indicators.iptt_quarter_columns(region_detail)},
                f"Actual to {reporting}": "{:,.10g}",
                "% of target achieved": "{:.0f}%",
            },
        )
        region_note = view.note
    st.dataframe(
        region_detail,
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={
            "% of target achieved": st.column_config.TextColumn()
            if region_shown.any_hidden
            else st.column_config.NumberColumn(format="%.0f%%"),
        },
        key="detail-region-table",
    )
    st.caption(
        "Each region is judged against its own targets by the same rule. Quarter columns: "
        "what the region reported in that quarter; empty means it did not report."
        + (f" {region_note}" if region_note else "")
    )

# By sex and by age group, where the indicator is disaggregated.
dimensions = [
    d for d in ("sex", "age_group") if d in str(info.get("disaggregation") or "").split(";")
]
parts_shown = (
    common.cached(indicators.breakdown_in_view, code, span.first, span.last, regions)
    if dimensions
    else None
)
if dimensions and parts_shown is None:
    st.info(
        "Figures of this indicator by sex and age group are not shared in this view.",
        icon=":material/lock:",
    )
elif dimensions:
    parts, parts_withheld = parts_shown.numeric, parts_shown.any_hidden
    chart_cols = st.columns(len(dimensions), gap="large")
    for column, dimension in zip(chart_cols, dimensions, strict=True):
        if parts[parts.dimension == dimension].empty:
            column.info(f"No values by {dimension.replace('_', ' ')} were reported.")
            continue
        column.plotly_chart(
            indicators_ui.breakdown(parts, dimension, info),
            width="stretch",
            key=f"detail-{dimension}",
        )
    st.caption(
        "A value for all sexes and all ages is the total; women and men (or the age groups) "
        "are its parts and are never added to it. Values for one sex *and* one age group "
        "are parts of both and are left out here."
        + (
            " Bars hidden to protect the people counted are left out: where one group is "
            "small, a second one is hidden too, so that it cannot be worked out from the total."
            if parts_withheld
            else ""
        )
    )

# Who has not reported, and what was noted -----------------------------------------------
missing_col, sources_col = st.columns(2, gap="large")
with missing_col:
    st.markdown(f"##### Not reported for {reporting}")
    missing = common.cached(indicators.missing_in_view, config, code, reporting, regions)
    if missing.empty:
        st.success(
            f"Every programme region selected, and every organisation that reported "
            f"{plain(code)} before, reported for {reporting}.",
            icon=":material/check_circle:",
        )
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Who": missing.kind.str.capitalize(),
                    "Name": missing.name,
                    "Region": missing.region_name,
                    "Last reported": missing.last_reported,
                }
            ),
            hide_index=True,
            width="stretch",
            placeholder="never",
            key="detail-missing",
        )
        st.caption(
            "Programme regions with no value for the quarter, and organisations that "
            "reported this indicator in an earlier quarter but not in this one."
        )
sources = common.cached(indicators.sources_in_view, code, span.first, span.last, regions)
if sources is None:
    # Free text recorded with the values may name people: not shared in this view.
    sources_col.markdown("##### Sources and comments")
    sources_col.caption("Comments and sources are not shared in this view.")
    st.stop()
with sources_col:
    st.markdown("##### Sources of the values")
    if sources.empty:
        st.caption(f"No values of {plain(code)} in {span.first}–{span.last}.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Source": sources.source.replace("", "(no source given)"),
                    "Quarters": sources.quarters,
                    "Values": sources.values_recorded,
                    "Regions": sources.regions,
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Quarters": st.column_config.TextColumn(width="large")},
            key="detail-sources",
        )

st.markdown("##### Comments recorded with the values")
comments = common.cached(indicators.comments_in_view, code, span.first, span.last, regions)
if comments.empty:
    st.caption(f"No comments were recorded with {plain(code)} in {span.first}–{span.last}.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Quarter": comments.period,
                "Region": comments.region_name,
                "Organisation": comments.organisation,
                "Sex": comments.sex,
                "Age": comments.age_group,
                "Value": comments.value,
                "Comment": comments.comment,
                "Source": comments.source,
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={"Comment": st.column_config.TextColumn(width="large")},
        key="detail-comments",
    )
