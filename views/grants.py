"""Grant spending: budget against actual, the S-curve and the small grants, as of the
reporting date."""

import streamlit as st

from monitoring import i18n
from monitoring.i18n import _, ngettext
from monitoring.periods import period_end
from monitoring.reports import grants as grants_report
from ui import access, common, vega
from ui import grants as grants_ui
from ui.text import plain_join

config, as_of = common.page_header(
    _("Grant spending"),
    _(
        "Whether money moves as planned: the budget against what was spent, per budget line, "
        "category and quarter; the burn rate against time elapsed; and each small grant from "
        "award to spending, with the grants that need a look flagged."
    ),
)

# What the viewer may see is decided in the core (monitoring/access/view.py): a share link
# limited to some regions sees its regions' small grants only (the budget and project
# spending are not split by region), and organisations of the kinds never named are described.
viewer = access.viewer()
region_table = common.cached(grants_report.regions_in_view, config)
show_budget = grants_report.budget_shown(access.view())

chosen = grants_ui.filter_bar(
    config, region_table, common.cached(grants_report.budget_categories), budget=show_budget
)
currency = chosen.currency
_scale, unit = grants_ui.money_unit(currency)
money = grants_ui.headline_money

# What the page works out from each core result (totals, tables, the bars' rows) is kept
# between reruns under that result's key (ui.common.built): a rerun (a tab opened, a widget
# moved) computes none of it again.
grants_source = (grants_report.grants_in_view, config, as_of, chosen)
grants = common.cached(*grants_source)
unconverted = common.cached(grants_report.unconverted_in_view, as_of, currency)

if show_budget:
    budget_source = (grants_report.budget_in_view, config, as_of, chosen)
    lines = common.cached(*budget_source)
    position = common.built(
        grants_report.budget_position, (lines,), (config, as_of, chosen), source=budget_source
    )
    quarters_source = (grants_report.quarters_in_view, config, as_of, chosen)
    quarters = common.cached(*quarters_source)

    st.caption(
        _(
            "Budget of {first} to {last}; spending up to {date}. **Region** filters the small "
            "grants only (the budget is not split by region); **budget category** and the "
            "**quarters** filter the budget tables and the S-curve; the small grants run from "
            "award to the reporting date."
        ).format(
            first=position.first,
            last=position.last,
            date=i18n.date(min(as_of, period_end(position.last))),
        )
    )

    # Headline figures -------------------------------------------------------------------------
    cards = common.wrapping_row()
    cards.metric(
        _("Budget ({unit})").format(unit=unit),
        money(position.budget_total, currency),
        _("{amount} to date").format(amount=money(position.budget_to_date, currency)),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Budget of {first} to {last}, and the part of it planned up to the reporting "
            "date's quarter."
        ).format(first=position.first, last=position.last),
    )
    cards.metric(
        _("Spent ({unit})").format(unit=unit),
        money(position.spent, currency),
        _("{share} of the budget").format(share=i18n.percent(position.spent_share or 0)),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_("Expenditure less refunds, up to the reporting date."),
    )
    variance_share = position.variance_share
    cards.metric(
        _("Variance ({unit})").format(unit=unit),
        ("+" if position.variance > 0 else "") + money(position.variance, currency),
        (
            _("nothing planned yet")
            if variance_share is None
            else ("+" if variance_share >= 0 else "")
            + i18n.percent(variance_share, 1)
            + " · "
            + grants_report.plan_text(position.against_plan)
        ),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Spent less the budget planned up to the reporting date's quarter: negative means "
            "less spent than planned."
        ),
    )
    cards.metric(
        _("Burn rate"),
        "—" if position.burn_rate is None else i18n.number(position.burn_rate, 2),
        grants_report.pace_text(position.pace),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Share of the budget spent ÷ share of the time elapsed: 1.00 keeps pace with time. "
            "Below {under} is underspending, above {over} overspending."
        ).format(
            under=i18n.number(config.spending.underspend_below, 2),
            over=i18n.number(config.spending.overspend_above, 2),
        ),
    )
    cards.metric(
        _("Time elapsed"),
        i18n.percent(position.time_share),
        _("of the quarters chosen"),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Share of the days from the first to the last quarter's end that had passed by the "
            "reporting date."
        ),
    )

    grants_ui.unconverted_notice(unconverted, currency)

    # Budget against actual --------------------------------------------------------------------
    st.subheader(_("Budget against actual"))
    left, right = common.side_by_side("budget-charts", [3, 2])
    # Kept between reruns (ui.common.built): a rerun builds no chart while its rows are the same.
    with left:
        data, spec = common.built(
            grants_ui.s_curve,
            (quarters,),
            (as_of, currency, position.first),
            source=quarters_source,
        )
        vega.draw(data, spec, "s-curve")
    with right:
        data, spec = common.built(
            grants_ui.category_plan_bars,
            (lines[lines.level == "category"],),
            (position.time_share,),
            source=budget_source,
        )
        vega.draw(data, spec, "category-bars")

    # Only the open tab's table is built (and sent): a click on another tab reruns the page.
    by_category, by_line, by_quarter = common.tabs_on_demand(
        [_("By category"), _("By budget line"), _("By quarter")], "budget-tab"
    )
    if by_category.open:
        with by_category:
            grants_ui.table(
                common.built(
                    grants_report.budget_table,
                    (lines,),
                    ("category", currency),
                    source=budget_source,
                ),
                "budget_by_category",
                "cat",
                currency,
            )
    if by_line.open:
        with by_line:
            grants_ui.table(
                common.built(
                    grants_report.budget_table, (lines,), ("line", currency), source=budget_source
                ),
                "budget_by_line",
                "line",
                currency,
            )
    if by_quarter.open:
        with by_quarter:
            st.caption(_("Quarters after the reporting date show their budget; spending is blank."))
            grants_ui.table(
                common.built(
                    grants_report.quarter_table, (quarters,), (currency,), source=quarters_source
                ),
                "budget_by_quarter",
                "quarter",
                currency,
            )

    with st.expander(_("How these figures are computed")):
        st.markdown(grants_report.rules_text(config, currency))

else:
    names = plain_join(region_table.region_name.fillna(region_table.region_code))
    st.info(
        _(
            "**This shared view covers {regions}.** The programme's budget and its project "
            "spending (staff, training, research …) are not split by region, so this page shows "
            "the small grants in these regions: their awards, payments and spending, from award "
            "to the reporting date."
        ).format(regions=names),
        icon=":material/location_on:",
    )
    grants_ui.unconverted_notice(unconverted, currency)

# Small grants ----------------------------------------------------------------------------
st.subheader(_("Small grants"))
per_grant = grants[grants.level == "grant"]
if per_grant.empty:
    st.info(
        _(
            "No small grant was awarded by {date} in the regions chosen. Pick a later "
            "reporting date or clear the **Region** filter."
        ).format(date=i18n.date(as_of)),
        icon=":material/info:",
    )
else:
    totals = common.built(grants_report.grant_totals, (grants,), source=grants_source)
    cards = common.wrapping_row()
    count = int(totals.grants)
    for label, column, help_text in (
        (
            _("Awarded ({unit})"),
            "awarded",
            _("Awards at the rate of the month they were made."),
        ),
        (_("Committed ({unit})"), "committed", _("Grant agreements signed.")),
        (_("Disbursed ({unit})"), "disbursed", _("Tranches paid to grantees.")),
        (_("Spent ({unit})"), "spent", _("Expenditure reported by grantees, less refunds.")),
        (_("Balance ({unit})"), "balance", _("Awarded less spent.")),
    ):
        cards.metric(
            label.format(unit=unit),
            money(totals[column], currency),
            ngettext(
                "{n} grant(s), cancelled left out", "{n} grant(s), cancelled left out", count
            ).format(n=i18n.number(count))
            if column == "awarded"
            else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=help_text,
        )

    flagged = per_grant[per_grant.flag_text != ""]
    if flagged.empty:
        days = config.spending.stale_disbursement_days
        st.success(
            ngettext(
                "No grant is flagged as of {date}: none spent beyond its award, and every "
                "disbursement older than {days} days was followed by spending.",
                "No grant is flagged as of {date}: none spent beyond its award, and every "
                "disbursement older than {days} days was followed by spending.",
                days,
            ).format(date=i18n.date(as_of), days=i18n.number(days)),
            icon=":material/check_circle:",
        )
    else:
        st.warning(
            ngettext(
                "**{n} grant(s) need a look** as of {date}. They come first in the table of "
                "grants below.",
                "**{n} grant(s) need a look** as of {date}. They come first in the table of "
                "grants below.",
                len(flagged),
            ).format(n=i18n.number(len(flagged)), date=i18n.date(as_of)),
            icon=":material/flag:",
        )
        st.dataframe(
            flagged[["grant_id", "grantee", "region_name", "flag_text"]].rename(
                columns={
                    "grant_id": _("Grant"),
                    "grantee": _("Grantee"),
                    "region_name": _("Region"),
                    "flag_text": _("Flags"),
                }
            ),
            hide_index=True,
            width="stretch",
        )

    charted = common.built(
        grants_report.grants_for_chart,
        (per_grant,),
        (grants_report.GRANT_BARS,),
        source=grants_source,
    )
    if len(charted) < len(per_grant):
        st.info(
            _(
                "The chart shows {n} of {total} grants: those that need a look first, then the "
                "largest awards. The table of grants below lists them all."
            ).format(n=i18n.number(len(charted)), total=i18n.number(len(per_grant))),
            icon=":material/filter_list:",
        )
    data, spec = common.built(
        grants_ui.grant_bars,
        (charted,),
        (currency,),
        source=grants_source,
    )
    vega.draw(data, spec, "grant-bars")

    each, region, grantee = common.tabs_on_demand(
        [_("Each grant"), _("By region"), _("By grantee")], "grants-tab"
    )
    if each.open:
        with each:
            st.caption(
                _(
                    "Flagged grants first. Status follows the reporting date. Balance (grant "
                    "currency) leaves exchange-rate differences out."
                )
            )
            grants_ui.table(
                common.built(
                    grants_report.grants_table, (grants,), (currency,), source=grants_source
                ),
                "grants",
                "grants",
                currency,
            )
    if region.open:
        with region:
            st.caption(_("Cancelled grants are left out of the totals."))
            by_region = common.built(
                grants_report.grant_totals_table,
                (grants,),
                ("region", currency),
                source=grants_source,
            )
            grants_ui.table(by_region, "grants_by_region", "gr", currency)
    if grantee.open:
        with grantee:
            st.caption(_("Cancelled grants are left out of the totals."))
            by_grantee = common.built(
                grants_report.grant_totals_table,
                (grants,),
                ("grantee", currency),
                source=grants_source,
            )
            grants_ui.table(by_grantee, "grants_by_grantee", "gg", currency)

st.caption(
    _(
        "Keys: {plan}; {status}; {beyond} spent beyond the award, {stale} no spending after a "
        "disbursement, {no_rate} no exchange rate. Colours are never the only cue."
    ).format(
        plan=", ".join(map(grants_report.plan_text, grants_report.PLAN_TEXT)),
        status=", ".join(map(grants_report.grant_status_text, grants_report.GRANT_STATUS_TEXT)),
        beyond=grants_report.BEYOND_AWARD_ICON,
        stale=grants_report.STALE_ICON,
        no_rate=grants_report.NO_RATE_ICON,
    )
)
