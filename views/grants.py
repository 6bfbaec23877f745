"""Grant spending: budget against actual, the S-curve and the small grants, as of the
reporting date."""

import streamlit as st

from monitoring.periods import period_end
from monitoring.reports import grants as grants_report
from ui import access, common
from ui import grants as grants_ui
from ui.text import plain_join

config, as_of = common.page_header(
    "Grant spending",
    "Whether money moves as planned: the budget against what was spent, per budget line, "
    "category and quarter; the burn rate against time elapsed; and each small grant from "
    "award to spending, with the grants that need a look flagged.",
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
_, unit = grants_ui.money_unit(currency)
money = grants_ui.headline_money

grants = common.cached(grants_report.grants_in_view, config, as_of, chosen)
unconverted = common.cached(grants_report.unconverted_in_view, as_of, currency)

if show_budget:
    lines = common.cached(grants_report.budget_in_view, config, as_of, chosen)
    position = grants_report.budget_position(lines, config, as_of, chosen)
    quarters = common.cached(grants_report.quarters_in_view, config, as_of, chosen)

    st.caption(
        f"Budget of {position.first} to {position.last}; spending up to "
        f"{min(as_of, period_end(position.last)):%d %B %Y}. **Region** filters the small grants "
        "only (the budget is not split by region); **budget category** and the **quarters** filter "
        "the budget tables and the S-curve; the small grants run from award to the reporting date."
    )

    # Headline figures -------------------------------------------------------------------------
    cols = st.columns(5)
    cols[0].metric(
        f"Budget ({unit})",
        money(position.budget_total, currency),
        f"{money(position.budget_to_date, currency)} to date",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"Budget of {position.first} to {position.last}, and the part of it planned up to "
        "the reporting date's quarter.",
    )
    cols[1].metric(
        f"Spent ({unit})",
        money(position.spent, currency),
        f"{position.spent_share or 0:.0%} of the budget",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Expenditure less refunds, up to the reporting date.",
    )
    cols[2].metric(
        f"Variance ({unit})",
        ("+" if position.variance > 0 else "") + money(position.variance, currency),
        (
            "nothing planned yet"
            if position.variance_share is None
            else f"{position.variance_share:+.1%} · "
            + grants_report.PLAN_TEXT[position.against_plan]
        ),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Spent less the budget planned up to the reporting date's quarter: negative means "
        "less spent than planned.",
    )
    cols[3].metric(
        "Burn rate",
        "—" if position.burn_rate is None else f"{position.burn_rate:.2f}",
        grants_report.PACE_TEXT[position.pace],
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Share of the budget spent ÷ share of the time elapsed: 1.00 keeps pace with time. "
        f"Below {config.spending.underspend_below:.2f} is underspending, above "
        f"{config.spending.overspend_above:.2f} overspending.",
    )
    cols[4].metric(
        "Time elapsed",
        f"{position.time_share:.0%}",
        "of the quarters chosen",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Share of the days from the first to the last quarter's end that had passed by the "
        "reporting date.",
    )

    grants_ui.unconverted_notice(unconverted, currency)

    # Budget against actual --------------------------------------------------------------------
    st.subheader("Budget against actual")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.plotly_chart(
            grants_ui.s_curve(quarters, as_of, currency, position.first),
            width="stretch",
            key="s-curve",
        )
    with right:
        categories = lines[lines.level == "category"]
        st.plotly_chart(
            grants_ui.category_plan_bars(categories, position.time_share),
            width="stretch",
            key="category-bars",
        )

    by_category, by_line, by_quarter = st.tabs(["By category", "By budget line", "By quarter"])
    with by_category:
        grants_ui.table(
            grants_report.budget_table(lines, "category", currency),
            "budget_by_category",
            "cat",
            currency,
        )
    with by_line:
        grants_ui.table(
            grants_report.budget_table(lines, "line", currency), "budget_by_line", "line", currency
        )
    with by_quarter:
        st.caption("Quarters after the reporting date show their budget; spending is blank.")
        grants_ui.table(
            grants_report.quarter_table(quarters, currency),
            "budget_by_quarter",
            "quarter",
            currency,
        )

    with st.expander("How these figures are computed"):
        st.markdown(grants_report.rules_text(config, currency))

else:
    names = plain_join(region_table.region_name.fillna(region_table.region_code))
    st.info(
        f"**This shared view covers {names}.** The programme's budget and its project "
        "spending (staff, training, research …) are not split by region, so this page shows "
        "the small grants in these regions: their awards, payments and spending, from award "
        "to the reporting date.",
        icon=":material/location_on:",
    )
    grants_ui.unconverted_notice(unconverted, currency)

# Small grants ----------------------------------------------------------------------------
st.subheader("Small grants")
per_grant = grants[grants.level == "grant"]
if per_grant.empty:
    st.info(
        f"No small grant was awarded by {as_of:%d %B %Y} in the regions chosen. Pick a later "
        "reporting date or clear the **Region** filter.",
        icon=":material/info:",
    )
else:
    totals = grants_report.grant_totals(grants)
    cols = st.columns(5)
    for col, (label, column, help_text) in zip(
        cols,
        (
            ("Awarded", "awarded", "Awards at the rate of the month they were made."),
            ("Committed", "committed", "Grant agreements signed."),
            ("Disbursed", "disbursed", "Tranches paid to grantees."),
            ("Spent", "spent", "Expenditure reported by grantees, less refunds."),
            ("Balance", "balance", "Awarded less spent."),
        ),
        strict=True,
    ):
        col.metric(
            f"{label} ({unit})",
            money(totals[column], currency),
            f"{int(totals.grants)} grant(s), cancelled left out" if column == "awarded" else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=help_text,
        )

    flagged = per_grant[per_grant.flag_text != ""]
    if flagged.empty:
        st.success(
            f"No grant is flagged as of {as_of:%d %B %Y}: none spent beyond its award, and "
            "every disbursement older than "
            f"{config.spending.stale_disbursement_days} days was followed by spending.",
            icon=":material/check_circle:",
        )
    else:
        st.warning(
            f"**{len(flagged)} grant(s) need a look** as of {as_of:%d %B %Y}. They come first "
            "in the table of grants below.",
            icon=":material/flag:",
        )
        st.dataframe(
            flagged[["grant_id", "grantee", "region_name", "flag_text"]].rename(
                columns={
                    "grant_id": "Grant",
                    "grantee": "Grantee",
                    "region_name": "Region",
                    "flag_text": "Flags",
                }
            ),
            hide_index=True,
            width="stretch",
        )

    st.plotly_chart(grants_ui.grant_bars(per_grant, currency), width="stretch", key="grant-bars")

    each, region, grantee = st.tabs(["Each grant", "By region", "By grantee"])
    with each:
        st.caption(
            "Flagged grants first. Status follows the reporting date. Balance (grant "
            "currency) leaves exchange-rate differences out."
        )
        grants_ui.table(grants_report.grants_table(grants, currency), "grants", "grants", currency)
    with region:
        st.caption("Cancelled grants are left out of the totals.")
        by_region = grants_report.grant_totals_table(grants, "region", currency)
        grants_ui.table(by_region, "grants_by_region", "gr", currency)
    with grantee:
        st.caption("Cancelled grants are left out of the totals.")
        by_grantee = grants_report.grant_totals_table(grants, "grantee", currency)
        grants_ui.table(by_grantee, "grants_by_grantee", "gg", currency)

st.caption(
    "Keys: "
    + ", ".join(grants_report.PLAN_TEXT.values())
    + "; "
    + ", ".join(grants_report.GRANT_STATUS_TEXT.values())
    + f"; {grants_report.BEYOND_AWARD_ICON} spent beyond the award, {grants_report.STALE_ICON} no "
    f"spending after a disbursement, {grants_report.NO_RATE_ICON} no exchange rate. Colours are "
    "never the only cue."
)
