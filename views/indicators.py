"""Outcome indicators: the indicator tracking table (IPTT) and one indicator in detail."""

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.access.sharing import SHARE_PARAM
from monitoring.i18n import N_, _, ngettext
from monitoring.periods import period_of, programme_periods
from monitoring.reports import indicators
from monitoring.reports.names import told_apart
from monitoring.reports.status import STATUSES, status_rule_text, status_text
from ui import access, common, donor_tables, reports, vega
from ui import indicators as indicators_ui
from ui import quality as quality_ui
from ui.indicators_filters import (
    not_in_view,
    seed_choice,
    seed_multichoice,
    unknown_parameters,
)
from ui.language import LANG_PARAM
from ui.text import plain, plain_join

config, as_of = common.page_header(
    _("Outcome indicators"),
    _(
        "Every indicator of the logframe against its baseline and targets, quarter by quarter "
        "(the indicator tracking table), and below it one indicator in detail: how it moved, in "
        "which regions, for whom, what was noted with the figures and who has not reported yet. "
        "Filter by region, quarters and outcome; the address keeps your choices, so a copied "
        "link opens the same view."
    ),
)
reporting = period_of(as_of)
PARAMETERS = {"as_of", "indicator", "regions", "from", "to", "outcome", SHARE_PARAM, LANG_PARAM}

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
        _(
            "No indicators are loaded yet. Upload the logframe (the indicators table) and the "
            "values reported against it; this page then shows them."
        ),
        icon=":material/upload_file:",
    )
    st.stop()
groups = list(dict.fromkeys(logframe.group))
# Quarters up to the reporting date's (sidebar): the "To quarter" box showed the programme's
# last quarter as of an earlier reporting date, though nothing after that date is shown.
periods = [p for p in programme_periods(config.programme) if p <= reporting] or [reporting]
ALL = "All"


def _outcome_shown(choice: str) -> str:
    """An outcome filter's choice as shown (and kept in the address): "All" translated."""
    return _("All") if choice == ALL else choice


notices = unknown_parameters(PARAMETERS)
notices += seed_multichoice(
    "regions",
    list(region_names.values()),
    lambda values: indicators.parse_regions(values, region_table),
    _("Regions"),
    in_view=limited,
)
notices += seed_choice("from", periods, indicators.parse_period, _("From quarter"))
notices += seed_choice("to", periods, indicators.parse_period, _("To quarter"))
notices += seed_choice(
    "outcome",
    [ALL, *groups],
    lambda t: ALL if t.strip() in (ALL, _("All")) else indicators.parse_outcome(t, groups),
    _("Goal / outcome"),
    shown_as=_outcome_shown,
)
notices += seed_choice(
    "indicator", codes, lambda t: t.strip().upper(), _("Indicator"), in_view=limited
)
if notices:
    st.warning("\n\n".join(notices), icon=":material/link_off:")

filter_row = common.wrapping_row()
REGIONS_HELP = N_(
    "Only values reported for these regions count. A selection that leaves out one of "
    "the programme's regions is measured against regional targets where they are set."
)
chosen_regions = filter_row.multiselect(
    _("Regions"),
    list(region_names),
    key="regions",
    bind="query-params",
    format_func=told_apart(region_names).get,  # two regions named alike: with their codes
    placeholder=_("All regions of this view") if limited else _("All regions"),
    help=_(REGIONS_HELP)
    + (" " + _("This view shows only the regions its link covers.") if limited else ""),
)
first = filter_row.selectbox(
    _("From quarter"),
    periods,
    index=0,
    key="from",
    bind="query-params",
    help=_("First quarter shown in the table and charts."),
)
last = filter_row.selectbox(
    _("To quarter"),
    periods,
    index=len(periods) - 1,
    key="to",
    bind="query-params",
    help=_("Last quarter shown. Quarters after the reporting date (sidebar) cannot be chosen."),
)


def _follow_outcome() -> None:
    """A new outcome picked: show its first indicator unless the one shown belongs to it."""
    chosen = st.session_state["outcome"]
    in_group = codes if chosen == ALL else logframe[logframe.group == chosen].indicator_code
    in_group = list(in_group)
    if in_group and st.session_state.get("indicator") not in in_group:
        st.session_state["indicator"] = in_group[0]


outcome = filter_row.selectbox(
    _("Goal / outcome"),
    [ALL, *groups],
    index=0,
    key="outcome",
    bind="query-params",
    format_func=_outcome_shown,
    help=_("Show the indicators of one goal or outcome only."),
    on_change=_follow_outcome,
)
regions = tuple(chosen_regions) or None  # narrowed to the view's regions in the core
span = indicators.quarter_range(config, as_of, first, None if last == periods[-1] else last)
for notice in span.notices:
    st.info(notice, icon=":material/date_range:")

# The indicator tracking table -----------------------------------------------------------
st.subheader(_("Indicator tracking table"))
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
    _("all regions")
    if shown_regions is None
    else plain_join(region_names.get(r, r) for r in shown_regions)
)


class _Figure:
    """A number written the language's way, for donor_tables.as_text (its `format`)."""

    def __init__(self, percent: bool = False):
        self.percent = percent

    def format(self, value) -> str:
        if self.percent:
            return i18n.percent(float(value) / 100)
        value = float(value)
        return i18n.number(value, 0 if value == round(value) else 1)


# Column headers as shown (and downloaded): the core's English names, translated last.
HEADERS = {
    "Goal / outcome": N_("Goal / outcome"),
    "Code": N_("Code"),
    "Indicator": N_("Indicator"),
    "Unit": N_("Unit"),
    "Status": N_("Status"),
    "% of target achieved": N_("% of target achieved"),
    "Target": N_("Target"),
    "Baseline": N_("Baseline"),
    "Aim": N_("Aim"),
    "Combined as": N_("Combined as"),
    "Region": N_("Region"),
    "Last reported": N_("Last reported"),
}


def _header(column: str) -> str:
    if column in HEADERS:
        return _(HEADERS[column])
    for english, message in (
        ("Actual to ", N_("Actual to {period}")),
        ("Target by ", N_("Target by {period}")),
        ("Regions reporting in ", N_("Regions reporting in {period}")),
    ):
        if str(column).startswith(english):
            return _(message).format(period=str(column).removeprefix(english))
    return column


def _translated_headers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=_header)


ACTUAL = _("Actual to {period}").format(period=reporting)
PERCENT = _("% of target achieved")
shown_table, iptt_note = table, None
if tracking.any_hidden:  # words among the numbers: those columns become text
    shown_table = donor_tables.as_text(
        table,
        {
            **{c: _Figure() for c in indicators.iptt_quarter_columns(table)},
            f"Actual to {reporting}": _Figure(),
            "% of target achieved": _Figure(percent=True),
        },
    )
    iptt_note = view.note
shown_table = _translated_headers(shown_table)
st.caption(
    ngettext(
        "{n} indicator · {scope} · quarters {first} to {last} · actual, % achieved and "
        "status as of the end of {period}. An empty quarter means nothing was reported for "
        "it (never zero). Select a row to see the indicator in detail below.",
        "{n} indicators · {scope} · quarters {first} to {last} · actual, % achieved and "
        "status as of the end of {period}. An empty quarter means nothing was reported for "
        "it (never zero). Select a row to see the indicator in detail below.",
        len(table),
    ).format(
        n=i18n.number(len(table)),
        scope=scope,
        first=span.first,
        last=span.last,
        period=reporting,
    )
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
    _("Code"): st.column_config.TextColumn(pinned=True),
    _("Indicator"): st.column_config.TextColumn(width="medium", help=_("Hover to read it all.")),
    _("Status"): st.column_config.TextColumn(
        help=_("Icon and words; the rule is explained below.")
    ),
    PERCENT: Number(
        help=_(
            "Share of the way from baseline to target covered; for an indicator that "
            "should decrease, a fall counts."
        ),
        **({} if tracking.any_hidden else {"format": "%.0f%%"}),
    ),
    ACTUAL: Number(
        help=_(
            "Combined as the row says: cumulative total of every quarter, each region's "
            "latest value, or the average of all values, up to the reporting quarter."
        ),
    ),
    _("Target"): st.column_config.NumberColumn(
        help=_("End-of-programme target (regional targets in a regional view)."),
    ),
}
for period in quarter_columns:
    column_config[period] = Number(
        help=_(
            "Reported in {period} (for a latest-value indicator: the value at its end). "
            "Empty: not reported."
        ).format(period=period)
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
common.downloads(_translated_headers(table), "indicator_tracking_table", "iptt")
reports.reports_area(config, as_of, "indicators")
if (table["Status"] == status_text("no_target")).any():
    st.caption(
        _(
            "{icon} **No target for these regions**: a count whose target is for the whole "
            "programme, with no regional target set in the indicator targets table for every "
            "region picked; its progress cannot be judged for this selection."
        ).format(icon=STATUSES["no_target"].icon)
    )
with st.expander(_("How the table is computed")):
    st.markdown(
        _(
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
            "- **Status**: {rule}\n\n"
            "The full rules: docs/indicators.md."
        ).format(rule=status_rule_text(config.status))
    )

# One indicator in detail ----------------------------------------------------------------
st.divider()
st.subheader(_("Indicator in detail"))
pick_col, title_col = st.columns([1, 4], vertical_alignment="bottom")
# The first indicator of the table is shown unless one is picked (a link's default follows
# the outcome filter, so a copied link still opens the same indicator).
default_code = table["Code"].iloc[0] if len(table) else codes[0]
code = pick_col.selectbox(
    _("Indicator"),
    codes,
    index=codes.index(default_code),
    key="indicator",
    bind="query-params",
    help=_("Pick an indicator by its logframe code, or select a row of the table above."),
)
info = common.cached(indicators.indicator_in_view, config, as_of, code, regions)
if info is None:
    if limited:  # the same words for a withheld indicator as for one that does not exist
        st.error(
            _("Indicator {code} is {not_in_view}. Pick one from the list.").format(
                code=plain(code), not_in_view=not_in_view()
            )
        )
    else:
        st.error(
            _("There is no indicator {code}. Pick one from the list.").format(code=plain(code))
        )
    st.stop()
title_col.markdown(f"#### {plain(info['title'])}")

unit = indicators_ui.unit_label(info["unit"])
withheld_actual = info["actual_state"] != ""  # "<5" or "hidden": progress and status too
aggregation_text = indicators.shown_text(indicators.AGGREGATION_TEXT, info["aggregation"])


def _number(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    value = float(value)
    decimals = 0 if round(value, 1) == round(value) else 1
    if info["unit"] == "percent":
        return i18n.percent(value / 100, decimals)
    return i18n.number(value, decimals)


def _withheld(text: str) -> str:
    """`text`, or "hidden" where the view withholds the actual it is computed from."""
    return _("hidden") if withheld_actual else text


EXPECTED_HELP = {
    "period target": N_(
        "Share of the way from baseline to target covered, against the share expected by "
        "the reporting date (here from the period target)."
    ),
    "time elapsed": N_(
        "Share of the way from baseline to target covered, against the share expected by "
        "the reporting date (here from the time elapsed)."
    ),
}
cards = common.wrapping_row()
cards.metric(
    ACTUAL,
    info["actual_shown"] if withheld_actual else _number(info["actual"]),
    aggregation_text,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
cards.metric(
    _("Target"),
    _number(info["target"]),
    _("baseline {baseline} · aim: {direction}").format(
        baseline=_number(info["baseline"]),
        direction=indicators.shown_text(indicators.DIRECTION_TEXT, info["direction"]),
    ),
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=_("End-of-programme target; in a regional view, the selected regions' own targets."),
)
cards.metric(
    _("Of target achieved"),
    _withheld("—" if pd.isna(info["progress"]) else i18n.percent(info["progress"])),
    "—"
    if pd.isna(info["expected"])
    else _("expected: {share}").format(share=i18n.percent(info["expected"])),
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=_(EXPECTED_HELP.get(info["expected_from"], EXPECTED_HELP["time elapsed"])),
)
cards.metric(
    _("Status"),
    status_text(info["status"]),
    _("last reported {period}").format(period=info["last_period"])
    if isinstance(info["last_period"], str)
    else "",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
facts = [
    _("Unit: {unit}").format(unit=unit),
    _("values combined as {aggregation}").format(aggregation=aggregation_text),
]
DISAGGREGATION_TEXT = {
    "sex": N_("reported by sex"),
    "age_group": N_("reported by age group"),
    "age_group;sex": N_("reported by sex and age group"),
}
if isinstance(info.get("disaggregation"), str):
    dims = ";".join(sorted(d.strip() for d in info["disaggregation"].split(";") if d.strip()))
    if dims in DISAGGREGATION_TEXT:
        facts.append(_(DISAGGREGATION_TEXT[dims]))
    elif dims:
        facts.append(
            _("reported by {dimensions}").format(
                dimensions=dims.replace(";", ", ").replace("_", " ")
            )
        )
if isinstance(info.get("means_of_verification"), str):
    facts.append(
        _("means of verification: {means}").format(means=plain(info["means_of_verification"]))
    )
if info.get("sensitive"):
    facts.append(_("sensitive indicator"))
st.caption(" · ".join(facts))
if withheld_actual:
    st.caption(view.note)

HIDDEN_POINTS = N_(
    "Values hidden to protect the people counted are left out of the charts (a gap, never a zero)."
)


def _over_time_and_by_region() -> None:
    """The indicator against its target by quarter, and each region's values."""
    series = common.cached(indicators.series_in_view, span.periods, code, regions)
    chart_left, chart_right = common.side_by_side("indicator-charts", 2)
    # Kept between reruns (ui.common.built): a rerun builds no chart while its rows are the
    # same (the regions' chart writes a hover text for each of its points).
    data, spec = common.built(
        indicators_ui.actual_against_target,
        (series.numeric,),
        (info, len(shown_regions or config.programme.regions), series.any_hidden),
        source=(indicators.series_in_view, span.periods, code, regions),
    )
    with chart_left:
        vega.draw(data, spec, key="detail-time")
    source = (indicators.region_series_in_view, config, span.periods, code, regions)
    by_region = common.cached(*source)
    if not by_region.numeric.empty:
        data, spec = common.built(
            indicators_ui.by_region,
            (by_region.numeric,),
            (info, by_region.any_hidden),
            source=source,
        )
        with chart_right:
            vega.draw(data, spec, key="detail-regions")
    if series.any_hidden or by_region.any_hidden:
        st.caption(_(HIDDEN_POINTS))


def _each_region() -> None:
    """Per region: progress and what was reported each quarter."""
    region_shown = common.cached(
        indicators.region_detail_in_view, config, as_of, code, span.first, span.last, regions
    )
    region_detail = region_shown.table
    if region_detail.empty:
        st.info(
            _("No region has values of {code} in {first}–{last}.").format(
                code=plain(code), first=span.first, last=span.last
            )
        )
        return
    region_note = None
    if region_shown.any_hidden:
        region_detail = donor_tables.as_text(
            region_detail,
            {
                **{p: _Figure() for p in indicators.iptt_quarter_columns(region_detail)},
                f"Actual to {reporting}": _Figure(),
                "% of target achieved": _Figure(percent=True),
            },
        )
        region_note = view.note
    st.dataframe(
        _translated_headers(region_detail),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={
            PERCENT: st.column_config.TextColumn()
            if region_shown.any_hidden
            else st.column_config.NumberColumn(format="%.0f%%"),
        },
        key="detail-region-table",
    )
    region_caption = _(
        "Each region is judged against its own targets by the same rule. Quarter columns: "
        "what the region reported in that quarter; empty means it did not report."
    )
    st.caption(region_caption + (f" {region_note}" if region_note else ""))


NO_VALUES_BY = {
    "sex": N_("No values by sex were reported."),
    "age_group": N_("No values by age group were reported."),
}
# Where every bar would be hidden (a donor's view of small counts): said, not an empty chart
# that reads as zero or as broken.
ALL_HIDDEN_BY = {
    "sex": N_(
        "Every value by sex in this view is hidden to protect the people counted (the counts "
        "are small), so there is nothing to draw."
    ),
    "age_group": N_(
        "Every value by age group in this view is hidden to protect the people counted (the "
        "counts are small), so there is nothing to draw."
    ),
}


def _by_sex_and_age() -> None:
    """By sex and by age group, where the indicator is disaggregated."""
    dimensions = [
        d for d in ("sex", "age_group") if d in str(info.get("disaggregation") or "").split(";")
    ]
    if not dimensions:
        st.info(_("{code} is not reported by sex or age group.").format(code=plain(code)))
        return
    parts_shown = common.cached(indicators.breakdown_in_view, code, span.first, span.last, regions)
    if parts_shown is None:
        st.info(
            _("Figures of this indicator by sex and age group are not shared in this view."),
            icon=":material/lock:",
        )
        return
    parts, parts_withheld = parts_shown.numeric, parts_shown.any_hidden
    chart_cols = common.side_by_side("breakdown-charts", len(dimensions))
    for column, dimension in zip(chart_cols, dimensions, strict=True):
        of_dimension = parts[parts.dimension == dimension]
        if of_dimension.empty:
            column.info(_(NO_VALUES_BY[dimension]))
            continue
        if of_dimension.value.isna().all():
            column.info(_(ALL_HIDDEN_BY[dimension]), icon=":material/lock:")
            continue
        data, spec = indicators_ui.breakdown(parts, dimension, info, wide=len(dimensions) == 1)
        with column:
            vega.draw(data, spec, key=f"detail-{dimension}")
    parts_caption = _(
        "A value for all sexes and all ages is the total; women and men (or the age groups) "
        "are its parts and are never added to it. Values for one sex *and* one age group "
        "are parts of both and are left out here."
    )
    if parts_withheld:
        parts_caption += " " + _(
            "Bars hidden to protect the people counted are left out: where one group is "
            "small, a second one is hidden too, so that it cannot be worked out from the total."
        )
    st.caption(parts_caption)


WHO = {"region": N_("Region"), "organisation": N_("Organisation")}


def _reporting_and_notes() -> None:
    """Who has not reported, where the values came from, what was noted with them, and how
    the targets were revised."""
    missing_col, sources_col = st.columns(2, gap="large")
    with missing_col:
        st.markdown("##### " + _("Not reported for {period}").format(period=reporting))
        missing = common.cached(indicators.missing_in_view, config, code, reporting, regions)
        if missing.empty:
            st.success(
                _(
                    "Every programme region selected, and every organisation that reported "
                    "{code} before, reported for {period}."
                ).format(code=plain(code), period=reporting),
                icon=":material/check_circle:",
            )
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        _("Who"): [indicators.shown_text(WHO, k) for k in missing.kind],
                        _("Name"): missing.name,
                        _("Region"): missing.region_name,
                        _("Last reported"): missing.last_reported,
                    }
                ),
                hide_index=True,
                width="stretch",
                placeholder=_("never"),
                key="detail-missing",
            )
            st.caption(
                _(
                    "Programme regions with no value for the quarter, and organisations that "
                    "reported this indicator in an earlier quarter but not in this one."
                )
            )
    sources = common.cached(indicators.sources_in_view, code, span.first, span.last, regions)
    if sources is None:
        # Free text recorded with the values may name people: not shared in this view.
        sources_col.markdown("##### " + _("Sources and comments"))
        sources_col.caption(_("Comments and sources are not shared in this view."))
    else:
        with sources_col:
            _sources(sources)
        _comments()
    quality_ui.target_history(code, as_of)  # target revisions (docs/quality.md)


def _sources(sources: pd.DataFrame) -> None:
    st.markdown("##### " + _("Sources of the values"))
    if sources.empty:
        st.caption(
            _("No values of {code} in {first}–{last}.").format(
                code=plain(code), first=span.first, last=span.last
            )
        )
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Source"): sources.source.replace("", _("(no source given)")),
                _("Quarters"): sources.quarters,
                _("Values"): sources.values_recorded,
                _("Regions"): sources.regions,
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={_("Quarters"): st.column_config.TextColumn(width="large")},
        key="detail-sources",
    )


def _comments() -> None:
    words = indicators.SEX_AGE_TEXT
    st.markdown("##### " + _("Comments recorded with the values"))
    comments = common.cached(indicators.comments_in_view, code, span.first, span.last, regions)
    if comments.empty:
        st.caption(
            _("No comments were recorded with {code} in {first}–{last}.").format(
                code=plain(code), first=span.first, last=span.last
            )
        )
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Quarter"): comments.period,
                _("Region"): comments.region_name,
                _("Organisation"): comments.organisation,
                _("Sex"): [indicators.shown_text(words, s) for s in comments.sex],
                _("Age"): [indicators.shown_text(words, a) for a in comments.age_group],
                _("Value"): comments.value,
                _("Comment"): comments.comment,
                _("Source"): comments.source,
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={_("Comment"): st.column_config.TextColumn(width="large")},
        key="detail-comments",
    )


# The detail in tabs: only the open tab is built (and its data read and sent); a click on
# another tab reruns the page (docs/benchmarks.md, parts opened on demand).
DETAIL_TABS = [
    (N_("Over time and by region"), _over_time_and_by_region),
    (N_("Each region"), _each_region),
    (N_("By sex and age"), _by_sex_and_age),
    (N_("Reporting and notes"), _reporting_and_notes),
]
tabs = common.tabs_on_demand([_(label) for label, _build in DETAIL_TABS], "detail-tab")
for tab, (_label, build) in zip(tabs, DETAIL_TABS, strict=True):
    if tab.open:
        with tab:
            build()
