"""Regional map: where the programme works and how each region is doing."""

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.i18n import N_, _, ngettext
from monitoring.reports import map as map_report
from ui import access, common
from ui import map as map_ui
from ui.text import plain

REGION = "region"

config, as_of = common.page_header(
    _("Regional map"),
    _(
        "Compare the programme's regions on one indicator and see where partner organisations, "
        "community security working groups (CSWGs) and grant money are. Click a region on the "
        "map (or pick it in the list) to see all its indicators and organisations."
    ),
)

# What the viewer may see (a share link's regions, no sensitive indicator, counts of people
# protected, where organisations meet) is decided in the core (docs/access.md).
view = access.view()
limited = view.regions is not None  # only some regions are coloured and labelled
protects = view.protects_people

indicators = common.cached(map_report.indicators_in_view)
if indicators.empty:
    st.info(
        _(
            "No indicators are loaded yet, so there is nothing to map. Upload the indicators "
            "table and their values first."
        ),
        icon=":material/info:",
    )
    st.stop()

titles = dict(zip(indicators.indicator_code, indicators.title, strict=True))
codes = list(titles)
periods = map_report.map_periods(config, as_of)
names = common.cached(map_report.names_in_view, config)

# Column headers as shown and downloaded: the core's English names, translated last.
HEADERS = {
    "Region": N_("Region"),
    "Code": N_("Code"),
    "Programme region": N_("Programme region"),
    "Target": N_("Target"),
    "Target used": N_("Target used"),
    "% of target": N_("% of target"),
    "Last reported": N_("Last reported"),
    "Organisations": N_("Organisations"),
    "Grant money received (USD)": N_("Grant money received (USD)"),
    "On the map": N_("On the map"),
    "Indicator": N_("Indicator"),
    "Should": N_("Should"),
    "Title": N_("Title"),
    "Organisation": N_("Organisation"),
    "Kind": N_("Kind"),
    "District": N_("District"),
    "Grants awarded": N_("Grants awarded"),
    "Awarded (USD)": N_("Awarded (USD)"),
    "Received (USD)": N_("Received (USD)"),
    "Location": N_("Location"),
    "Latest values": N_("Latest values"),
}


def _header(column: str) -> str:
    if column in HEADERS:
        return _(HEADERS[column])
    if str(column).startswith("Value up to "):
        return _("Value up to {period}").format(period=str(column).removeprefix("Value up to "))
    return column


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its column headers in the language (to show and to download)."""
    return frame.rename(columns=_header)


# A click on the map selects a region; it must reach the region picker before it is drawn.
map_ui.apply_map_click(REGION, list(names))

# Filters, kept in the URL ----------------------------------------------------------------
# The measure's radio keeps its shown label in the address: a label of another language
# (a link copied from another language's page) is read as the same measure.
measure_labels = {code: _(label) for code, label in map_report.MEASURES.items()}
asked_measure = st.query_params.get("measure")
if "measure" not in st.session_state and asked_measure not in measure_labels.values():
    for code, label in map_report.MEASURES.items():
        if asked_measure in (code, label):
            st.session_state["measure"] = measure_labels[code]
map_ui.unknown_param_notice("period", periods, _("Quarter"))
map_ui.unknown_param_notice(
    "measure",
    [*measure_labels.values(), *map_report.MEASURES.values(), *map_report.MEASURES],
    _("Colour regions by"),
)
# Where the page is narrow (a laptop's window with the sidebar open), the choices and the
# colour key go above and below the map instead of beside it: beside it, the map had 300
# pixels and cut the programme's outer regions off, and the key's text shrank.
top = common.side_by_side("map-choices", [5, 2, 2], gap="small", vertical_alignment="bottom")
indicator = map_ui.url_select(
    top[0],
    _("Indicator"),
    codes,
    "indicator",
    format_func=lambda c: f"{c} · {titles[c]}",
    default=codes[0],
    help=_("The indicator whose value colours the regions."),
    in_view=limited,
)
period = top[1].selectbox(
    _("Quarter"),
    periods,
    index=len(periods) - 1,
    key="period",
    bind="query-params",
    help=_(
        "Values reported up to the end of this quarter, and grant money received by then. "
        "Quarters after the reporting date (sidebar) cannot be chosen."
    ),
)
measure_label = top[2].radio(
    _("Colour regions by"),
    list(measure_labels.values()),
    key="measure",
    bind="query-params",
    horizontal=True,
    help=_(
        "Value: the indicator's value up to the quarter. % of target: that value as a share "
        "of the region's target (see 'How the map is computed' below)."
    ),
)
measure = {label: code for code, label in measure_labels.items()}[measure_label]

left, right = common.side_by_side("map-and-key", [3, 2], gap="medium")
with right:
    region_help = _("The region whose indicators and organisations are listed here.")
    if limited:
        region_help += " " + _("This view shows only the regions its link covers.")
    region = map_ui.url_select(
        st,
        _("Region"),
        list(names),
        REGION,
        format_func=lambda c: f"{names[c]} ({c})",
        placeholder=_("Click the map or pick a region"),
        help=region_help,
        in_view=limited,
    )

indicator = indicator or codes[0]
data = common.cached(map_report.build_map, config, indicator, period, measure, selected=region)

if data.match.problems:
    st.warning(
        _(
            "Some regions in the data do not match the boundary file, so they cannot be drawn "
            "(they are still listed in the tables below): {problems}. Region codes must be "
            "ISO 3166-2 codes such as UZ-JI; correct the regions table or the file that uses "
            "the code."
        ).format(
            problems="; ".join(
                f"**{plain(p.name)}**: {plain(p.reason)}" for p in data.match.problems
            )
        ),
        icon=":material/wrong_location:",
    )
if data.amounts_without_rate:
    st.warning(
        ngettext(
            "{n} grant amount is in a currency whose month has no exchange rate; it is left "
            "out of the grant money shown. Upload the missing rates.",
            "{n} grant amounts are in a currency whose month has no exchange rate; they are "
            "left out of the grant money shown. Upload the missing rates.",
            data.amounts_without_rate,
        ).format(n=i18n.number(data.amounts_without_rate)),
        icon=":material/currency_exchange:",
    )

# The map ------------------------------------------------------------------------------------
with left:
    st.markdown(f"**{plain(indicator)} · {plain(titles[indicator])}**")
    basemap = st.toggle(
        _("Show a basemap (needs internet)"),
        key="basemap",
        help=_("Draws CARTO's light basemap under the regions. Without it the map works offline."),
    )
    st.pydeck_chart(
        map_ui.deck(data, basemap),
        on_select="rerun",
        selection_mode="single-object",
        key=map_ui.map_key(),
        height=540,
    )
    st.caption(
        _(map_report.BOUNDARY_ATTRIBUTION)
        + (" " + _(map_report.BASEMAP_ATTRIBUTION) if basemap else "")
    )

# Beside the map (or under it): the keys, then the selected region ----------------------------
with right:
    HATCHED = {
        (True, False): N_("no data"),
        (False, False): N_("no data or no target"),
        (True, True): N_("no data (or hidden to protect people)"),
        (False, True): N_("no data or no target (or hidden to protect people)"),
    }
    hatched = _(HATCHED[measure == "value", bool(protects)])
    st.markdown(f"**{plain(map_ui.scale_title(data.scale))}**")
    st.image(map_ui.scale_legend(data.scale, hatched))
    if measure == "percent_of_target" and data.indicator.get("direction") == "decrease":
        # The steps run from light to dark either way: say which end meets the target.
        st.caption(
            _(
                "{code} should decrease: under {whole} meets its target, and the darker steps "
                "over {whole} fall short of it."
            ).format(code=plain(indicator), whole=i18n.percent(1))
        )
    if limited:
        st.caption(
            _(
                "Only the regions this link covers are coloured and labelled; the others are "
                "drawn in grey for orientation, without values (not in this view). Hatched: "
                "{hatched}, which is not the same as a low value; a region's label says "
                "“<5” or “hidden” where its value is hidden. Each step includes its lower edge."
            ).format(hatched=hatched)
        )
    else:
        st.caption(
            _(
                "Programme regions are outlined and coloured; other regions are drawn faintly "
                "for context. Hatched: {hatched}, which is not the same as a low value. Each "
                "step includes its lower edge."
            ).format(hatched=hatched)
        )
    # The organisations' key beside the regions' (one under the other where the map takes
    # the page's width: both right under the map).
    st.markdown(f"**{plain(map_ui.organisations_title())}**")
    st.image(map_ui.organisation_legend(data.kinds_shown, data.largest_received_usd))
    if region is None:
        st.info(
            _(
                "Click a region on the map, or pick one in the list above, to see all its "
                "indicators and organisations here."
            ),
            icon=":material/touch_app:",
        )
    else:
        in_programme = region in config.programme.regions
        st.subheader(f"{plain(names.get(region, region))} ({region})")  # a checked code
        st.caption(
            (
                _("Programme region · indicators up to {period}")
                if in_programme
                else _("Outside the programme's regions · indicators up to {period}")
            ).format(period=period)
        )
        organisations, received = data.region_totals(region)
        st.markdown(
            ngettext(
                "**{n}** organisation · **{money}** grant money received by the end of {period}",
                "**{n}** organisations · **{money}** grant money received by the end of {period}",
                organisations,
            ).format(
                n=i18n.number(organisations), money=i18n.money(received, "USD"), period=period
            ),
            help=_(
                "Disbursements less refunds on grants in this region, in US dollars at each "
                "month's exchange rate."
            ),
        )
        summary = common.cached(map_report.region_summary, config, period, region)
        st.dataframe(
            shown(summary),
            hide_index=True,
            width="stretch",
            column_config={_("Indicator"): st.column_config.TextColumn(pinned=True)},
        )
        st.caption(
            _(
                "% of target: the value divided by the region's target (see 'How the map is "
                "computed' below); for an indicator that should decrease, under 100% meets it."
            )
        )
        orgs = data.organisation_table[data.organisation_table["Region code"] == region]
        st.markdown(
            _("**Organisations in {region}** ({n})").format(
                region=plain(names.get(region, region)), n=i18n.number(len(orgs))
            )
        )
        columns = ["Organisation", "Kind", "Received (USD)", "Location", "Latest values"]
        st.dataframe(
            shown(orgs[[c for c in columns if c in orgs.columns]]),
            hide_index=True,
            width="stretch",
        )
        st.button(
            _("Show no region"),
            on_click=map_ui.clear_choice,
            args=(REGION,),
            icon=":material/close:",
            key="clear-region",
        )

# Tables under the map -----------------------------------------------------------------------
st.subheader(
    _("{indicator} by region, up to {period}").format(indicator=plain(indicator), period=period)
)
st.dataframe(shown(data.region_table), hide_index=True, width="stretch")
if data.withheld_note:
    st.caption(data.withheld_note)
common.downloads(shown(data.region_table), f"map_{indicator}_{period}", "map-regions")

st.subheader(_("Organisations on the map"))
organisation_table = shown(data.organisation_table.drop(columns="Region code"))
st.dataframe(organisation_table, hide_index=True, width="stretch")
unlocated = int((data.organisation_table.Location != _("coordinates")).sum())
if protects:
    where = _(
        "Where organisations meet is not shared in this view: each is drawn as a hollow circle "
        "round its region's centre, and its own indicator values are left out (the regions' "
        "values are above)."
    )
else:
    where = ngettext(
        "{n} without coordinates is drawn as a hollow circle at its region's centre.",
        "{n} without coordinates are drawn as hollow circles at their region's centre.",
        unlocated,
    ).format(n=i18n.number(unlocated))
st.caption(
    ngettext(
        "{n} organisation. {where} Grant money in US dollars up to the end of {period}: UZS "
        "amounts at the rate of their month.",
        "{n} organisations. {where} Grant money in US dollars up to the end of {period}: UZS "
        "amounts at the rate of their month.",
        len(data.organisation_table),
    ).format(n=i18n.number(len(data.organisation_table)), where=where, period=period)
)
common.downloads(organisation_table, f"map_organisations_{period}", "map-orgs")

with st.expander(_("How the map is computed")):
    st.markdown(
        _(
            """
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
        ).format(period=period)
        + (
            _(
                """- **This shared view** shows only the regions its link covers. A count of people
  from 1 to 4 is shown as “<5”; where it could be worked out from a total, by subtraction
  from the other regions or quarters, another value is shown as “hidden”, and so is a %
  of target computed from a hidden value. Hidden values colour nothing (hatched) and do not
  set the colour steps.
"""
            )
            if protects
            else ""
        )
    )
