"""Regional map: where the programme works and how each region is doing."""

import streamlit as st

from monitoring.reports import map as map_report
from ui import access, common
from ui import map as map_ui
from ui.text import plain

REGION = "region"

config, as_of = common.page_header(
    "Regional map",
    "Compare the programme's regions on one indicator and see where partner organisations, "
    "community security working groups (CSWGs) and grant money are. Click a region on the map "
    "(or pick it in the list) to see all its indicators and organisations.",
)

# What the viewer may see (a share link's regions, no sensitive indicator, counts of people
# protected, where organisations meet) is decided in the core (docs/access.md).
view = access.view()
limited = view.regions is not None  # only some regions are coloured and labelled
protects = view.protects_people

indicators = common.cached(map_report.indicators_in_view)
if indicators.empty:
    st.info(
        "No indicators are loaded yet, so there is nothing to map. Upload the indicators "
        "table and their values first.",
        icon=":material/info:",
    )
    st.stop()

titles = dict(zip(indicators.indicator_code, indicators.title, strict=True))
codes = list(titles)
periods = map_report.map_periods(config, as_of)
names = common.cached(map_report.names_in_view, config)

# A click on the map selects a region; it must reach the region picker before it is drawn.
map_ui.apply_map_click(REGION, list(names))

# Filters, kept in the URL ----------------------------------------------------------------
map_ui.unknown_param_notice("period", periods, "Quarter")
map_ui.unknown_param_notice("measure", list(map_report.MEASURES.values()), "Colour regions by")
top = st.columns([5, 2, 2], vertical_alignment="bottom")
indicator = map_ui.url_select(
    top[0],
    "Indicator",
    codes,
    "indicator",
    format_func=lambda c: f"{c} · {titles[c]}",
    default=codes[0],
    help="The indicator whose value colours the regions.",
    in_view=limited,
)
period = top[1].selectbox(
    "Quarter",
    periods,
    index=len(periods) - 1,
    key="period",
    bind="query-params",
    help="Values reported up to the end of this quarter, and grant money received by then. "
    "Quarters after the reporting date (sidebar) cannot be chosen.",
)
measure_label = top[2].radio(
    "Colour regions by",
    list(map_report.MEASURES.values()),
    key="measure",
    bind="query-params",
    horizontal=True,
    help="Value: the indicator's value up to the quarter. % of target: that value as a share "
    "of the region's target (see 'How the map is computed' below).",
)
measure = {label: code for code, label in map_report.MEASURES.items()}[measure_label]

left, right = st.columns([3, 2], gap="medium")
with right:
    region = map_ui.url_select(
        st,
        "Region",
        list(names),
        REGION,
        format_func=lambda c: f"{names[c]} ({c})",
        placeholder="Click the map or pick a region",
        help="The region whose indicators and organisations are listed here."
        + (" This view shows only the regions its link covers." if limited else ""),
        in_view=limited,
    )

indicator = indicator or codes[0]
data = common.cached(map_report.build_map, config, indicator, period, measure, selected=region)

if data.match.problems:
    st.warning(
        "Some regions in the data do not match the boundary file, so they cannot be drawn "
        "(they are still listed in the tables below): "
        + "; ".join(f"**{plain(p.name)}**: {plain(p.reason)}" for p in data.match.problems)
        + ". Region codes must be ISO 3166-2 codes such as UZ-JI; correct the regions table "
        "or the file that uses the code.",
        icon=":material/wrong_location:",
    )
if data.amounts_without_rate:
    st.warning(
        f"{data.amounts_without_rate} grant amount(s) are in a currency whose month has no "
        "exchange rate; they are left out of the grant money shown. Upload the missing rates.",
        icon=":material/currency_exchange:",
    )

# The map ------------------------------------------------------------------------------------
with left:
    st.markdown(f"**{plain(indicator)} · {plain(titles[indicator])}**")
    basemap = st.toggle(
        "Show a basemap (needs internet)",
        key="basemap",
        help="Draws CARTO's light basemap under the regions. Without it the map works offline.",
    )
    st.pydeck_chart(
        map_ui.deck(data, basemap),
        on_select="rerun",
        selection_mode="single-object",
        key=map_ui.map_key(),
        height=540,
    )
    st.caption(
        map_report.BOUNDARY_ATTRIBUTION + (" " + map_report.BASEMAP_ATTRIBUTION if basemap else "")
    )
    st.plotly_chart(
        map_ui.organisation_legend(data.kinds_shown, data.largest_received_usd),
        width="stretch",
        key="organisation-legend",
    )

# Beside the map: the colour key, then the selected region ----------------------------------
with right:
    hatched = "no data" if measure == "value" else "no data or no target"
    if protects:
        hatched += " (or hidden to protect people)"
    st.plotly_chart(map_ui.scale_legend(data.scale, hatched), width="stretch", key="scale-legend")
    if limited:
        st.caption(
            "Only the regions this link covers are coloured and labelled; the others are "
            "drawn in grey for orientation, without values (not in this view). Hatched: "
            f"{hatched}, which is not the same as a low value; a region's label says "
            "“<5” or “hidden” where its value is hidden. Each step includes its lower edge."
        )
    else:
        st.caption(
            "Programme regions are outlined and coloured; other regions are drawn faintly for "
            f"context. Hatched: {hatched}, which is not the same as a low value. Each step "
            "includes its lower edge."
        )
    if region is None:
        st.info(
            "Click a region on the map, or pick one in the list above, to see all its "
            "indicators and organisations here.",
            icon=":material/touch_app:",
        )
    else:
        in_programme = region in config.programme.regions
        st.subheader(f"{plain(names.get(region, region))} ({region})")  # a checked code
        st.caption(
            ("Programme region" if in_programme else "Outside the programme's regions")
            + f" · indicators up to {period}"
        )
        organisations, received = data.region_totals(region)
        st.markdown(
            f"**{organisations}** organisations · **{received:,.0f} USD** grant money "
            f"received by the end of {period}",
            help="Disbursements less refunds on grants in this region, in US dollars at each "
            "month's exchange rate.",
        )
        summary = common.cached(map_report.region_summary, config, period, region)
        st.dataframe(
            summary,
            hide_index=True,
            width="stretch",
            column_config={"Indicator": st.column_config.TextColumn(pinned=True)},
        )
        st.caption(
            "% of target: the value divided by the region's target (see 'How the map is "
            "computed' below); for an indicator that should decrease, under 100% meets it."
        )
        orgs = data.organisation_table[data.organisation_table["Region code"] == region]
        st.markdown(f"**Organisations in {plain(names.get(region, region))}** ({len(orgs)})")
        columns = ["Organisation", "Kind", "Received (USD)", "Location", "Latest values"]
        st.dataframe(
            orgs[[c for c in columns if c in orgs.columns]],
            hide_index=True,
            width="stretch",
        )
        st.button(
            "Show no region",
            on_click=map_ui.clear_choice,
            args=(REGION,),
            icon=":material/close:",
            key="clear-region",
        )

# Tables under the map -----------------------------------------------------------------------
st.subheader(f"{plain(indicator)} by region, up to {period}")
st.dataframe(data.region_table, hide_index=True, width="stretch")
if data.withheld_note:
    st.caption(data.withheld_note)
common.downloads(data.region_table, f"map_{indicator}_{period}", "map-regions")

st.subheader("Organisations on the map")
st.dataframe(data.organisation_table.drop(columns="Region code"), hide_index=True, width="stretch")
unlocated = int((data.organisation_table.Location != "coordinates").sum())
where = (
    "Where organisations meet is not shared in this view: each is drawn as a hollow circle "
    "round its region's centre, and its own indicator values are left out (the regions' "
    "values are above)."
    if protects
    else f"{unlocated} without coordinates are drawn as hollow circles at their region's centre."
)
st.caption(
    f"{len(data.organisation_table)} organisations. {where} Grant money in US dollars up to "
    f"the end of {period}: UZS amounts at the rate of their month."
)
common.downloads(data.organisation_table, f"map_organisations_{period}", "map-orgs")

with st.expander("How the map is computed"):
    st.markdown(
        f"""
- **Value**: the indicator's value for each region up to the end of {period}, combined over
  quarters as everywhere in the dashboard: `sum` indicators add up their quarters
  (cumulative total), `latest` ones take the region's latest value, `mean` ones average
  the region's quarters. Only total rows count (not the breakdowns by sex or age).
  A region that reported nothing up to {period} has **no data** (hatched), never zero.
- **% of target**: the value divided by the region's target: its target for {period} where
  one is set, else its end-of-programme target; for percentages and averages the
  programme's target applies to every region. A count without a regional target has no
  % of target (hatched).
- **Colour steps** always start at 0, so that small differences look small: percentages in
  ten steps of 10 points up to 100%; counts in about five equal, rounded steps up to the
  highest value; % of target in fixed quarters up to 100% and over.
  The palette (viridis) can be read by people with colour-blindness; every programme region
  is also labelled with its value.
- **Organisations**: at their coordinates; without them, at their region's centre (hollow
  circles, spread on a small ring when several share one). Circle area grows with the
  grant money received (disbursements less refunds up to the end of {period}, in US dollars
  at each month's rate).
- **Regions** are matched to the boundaries on their ISO 3166-2 code; a code or name that
  does not match is reported above the map and kept in the tables.
"""
        + (
            """- **This shared view** shows only the regions its link covers. A count of people
  from 1 to 4 is shown as “<5”; where it could be worked out from a total, by subtraction
  from the other regions or quarters, another value is shown as “hidden”, and so is a %
  of target computed from a hidden value. Hidden values colour nothing (hatched) and do not
  set the colour steps.
"""
            if protects
            else ""
        )
    )
