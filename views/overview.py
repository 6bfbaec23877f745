"""Overview: how is the programme doing, as of the reporting date?"""

import pandas as pd
import streamlit as st

from monitoring.reports import grants, overview
from monitoring.reports.status import STATUSES, status_rule_text, status_text
from ui import access, charts, common, reports
from ui.navigation import page_spec
from ui.text import plain_join

config, as_of = common.page_header(
    "Programme overview",
    "Where the programme stands: time elapsed, outcome indicators against their targets, "
    "spending against budget and milestones. Pick another reporting date in the sidebar to "
    "see the programme as it stood then.",
)

# What the viewer may see is decided in the core (monitoring/access/view.py): every figure
# below comes already limited to their regions and protected.
viewer = access.viewer()
link_regions = access.view().link_regions

progress = common.cached(overview.indicator_status, config, as_of)
elapsed = overview.time_elapsed(config, as_of)
money = common.cached(overview.spending_position, config, as_of)
milestones = common.cached(overview.milestones_position, as_of)
on_track = int((progress.status == "on_track").sum())
currency = "USD"
small_grants = money.basis == overview.SMALL_GRANTS

if link_regions is not None:
    names = common.cached(grants.grant_regions, config)
    names = dict(zip(names.region_code, names.region_name, strict=True))
    shown_regions = plain_join(names.get(r) or r for r in link_regions)
    st.info(
        f"**This shared view covers {shown_regions}.** Indicators are measured over the "
        "values of these regions, against their regional targets where the programme set "
        "them. Money is that of the small grants in these regions, the programme's only "
        "money tied to a region: its budget and its other spending are not split by region. "
        "Milestones are those of these regions and the national and international ones.",
        icon=":material/location_on:",
    )

# Headline figures ------------------------------------------------------------------------
cols = st.columns(4)
cols[0].metric(
    "Months elapsed",
    f"{elapsed.months} of {elapsed.total_months}",
    f"{elapsed.share:.0%} of the programme",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
burn = money.burn_rate
verdict = overview.burn_rate_verdict(burn, config)
thresholds = (
    f"Below {config.spending.underspend_below:.2f} is underspending, above "
    f"{config.spending.overspend_above:.2f} overspending."
)
if small_grants:
    cols[1].metric(
        f"Spent on small grants ({currency})",
        f"{money.spent_to_date:,.0f}",
        f"{money.spent_share or 0:.0%} of the {money.budget_total:,.0f} awarded",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Expenditure less refunds of the small grants in the regions of this view, up "
        "to the reporting date, converted at each month's rate; cancelled grants left out.",
    )
    burn_help = (
        "Share of the awards spent divided by the share of the grants' time elapsed (each "
        "award spread evenly from its award to its end date): 1.00 means spending keeps "
        f"pace with time. {thresholds}"
    )
else:
    cols[1].metric(
        f"Spent ({currency})",
        f"{money.spent_to_date:,.0f}",
        f"{money.spent_share or 0:.0%} of the {money.budget_total:,.0f} budget",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Expenditure less refunds up to the reporting date, converted at each month's rate.",
    )
    burn_help = (
        "Share of the budget spent divided by the share of time elapsed: 1.00 means "
        f"spending keeps pace with time. {thresholds}"
    )
cols[2].metric(
    "Burn rate",
    "—" if burn is None else f"{burn:.2f}",
    verdict,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=burn_help,
)
cols[3].metric(
    "Milestones achieved",
    f"{milestones.achieved_of_planned_to_date} of {milestones.planned_to_date} due",
    f"{milestones.overdue} overdue · {milestones.planned_total} planned in all",
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="Milestones planned on or before the reporting date, and how many of them were "
    "achieved by then. Dropped milestones are not counted.",
)
if money.transactions_without_rate or money.budget_rows_without_rate:
    rows = "award(s)" if small_grants else "budget row(s)"
    st.warning(
        f"{money.transactions_without_rate} transaction(s) and "
        f"{money.budget_rows_without_rate} {rows} are in a currency whose month has "
        "no exchange rate; they are left out of the totals above. Upload the missing rates.",
        icon=":material/currency_exchange:",
    )

# Outcomes ---------------------------------------------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Indicators by outcome and status")
    counts = overview.status_counts(progress)
    st.plotly_chart(charts.status_bars(counts), width="stretch", key="status-bars")
    with st.expander("How status is decided"):
        st.markdown(status_rule_text(config.status))
    table = counts.rename(columns={"group": "Goal / outcome", "total": "Indicators"})
    table = table.rename(columns={s: status_text(s) for s in STATUSES})
    st.dataframe(table, hide_index=True, width="stretch")

with right:
    st.subheader(
        "Small grants' spending against time"
        if small_grants
        else "Spending against budget and time"
    )
    st.plotly_chart(
        charts.pace_bars(
            money.time_share if small_grants else elapsed.share,
            money.spent_share,
            money.against_plan,
            small_grants=small_grants,
        ),
        width="stretch",
        key="pace-bars",
    )
    planned = "Awards spread over their grants' time" if small_grants else "Budget planned"
    st.caption(
        f"{planned} up to {as_of:%d %b %Y}: {money.budget_to_date:,.0f} {currency}; "
        f"disbursed: {money.disbursed_to_date:,.0f} {currency}."
    )

# What needs attention --------------------------------------------------------------------
st.subheader("Needs attention first")
attention = overview.needs_attention(progress)
if attention.empty:
    st.success(
        f"All {on_track} indicators with data are on track as of {as_of:%d %B %Y}.",
        icon=":material/check_circle:",
    )
else:
    detail = page_spec("indicators")
    if detail and not viewer.allows_page(detail.url_path):
        detail = None  # a share link that does not open the indicators page
    shown = pd.DataFrame(
        {
            "Status": attention.status.map(status_text),
            "Indicator": attention.indicator_code,
            "Title": attention.title,
            "Unit": attention.unit,
            "Actual": attention.actual_shown,
            "Target": attention.target,
            "Progress %": (attention.progress * 100).round(0),
            "Expected %": (attention.expected * 100).round(0),
            "Last reported": attention.last_period,
        }
    )
    column_config = {
        "Actual": st.column_config.TextColumn(
            help="Actual to date, combined as the indicator's rule says."
        ),
        "Progress %": st.column_config.NumberColumn(format="%.0f%%"),
        "Expected %": st.column_config.NumberColumn(format="%.0f%%"),
    }
    withheld = attention.actual_withheld
    note = None
    if withheld.any():  # the progress of a withheld actual is withheld, in words
        shown["Progress %"] = [
            "hidden" if w else None if pd.isna(v) else f"{v:.0f}%"
            for w, v in zip(withheld, shown["Progress %"], strict=True)
        ]
        column_config["Progress %"] = st.column_config.TextColumn()
        note = access.view().note
    if detail:
        period = f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
        shown.insert(
            0,
            "Detail",
            [
                viewer.page_url(detail.url_path, indicator=code, as_of=period)
                for code in shown.Indicator
            ],
        )
        column_config["Detail"] = st.column_config.LinkColumn(
            "Detail", display_text="Open ›", help="Open the indicator's detail"
        )
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config)
    st.caption(
        f"{len(attention)} of {len(progress)} indicators are behind, at risk or without data"
        + (" or a target for these regions" if "no_target" in set(attention.status) else "")
        + "; the furthest behind their expected progress come first"
        + (
            ", then those whose actual is withheld to protect the people counted, in code "
            "order whatever their progress (their status is withheld with the actual)."
            if withheld.any()
            else "."
        )
    )
    if note:
        st.caption(note)
    common.downloads(shown.drop(columns="Detail", errors="ignore"), "needs_attention", "att")

STATUS_KEY = ", ".join(
    f"{STATUSES[s].icon} {STATUSES[s].label}" for s in overview.shown_statuses(progress)
)
st.caption(f"Status key: {STATUS_KEY}. Colours are never the only cue.")

reports.reports_area(config, as_of, "overview")
