"""Overview: how is the programme doing, as of the reporting date?"""

import pandas as pd
import streamlit as st

from monitoring import overview
from monitoring.status import STATUS_ORDER, STATUSES, status_rule_text, status_text
from ui import charts, common
from ui.navigation import page_spec

config, as_of = common.page_header(
    "Programme overview",
    "Where the programme stands: time elapsed, outcome indicators against their targets, "
    "spending against budget and milestones. Pick another reporting date in the sidebar to "
    "see the programme as it stood then.",
)

progress = common.cached(overview.indicator_progress, config, as_of)
elapsed = overview.time_elapsed(config, as_of)
spending = common.cached(overview.spending_summary, config, as_of)
milestones = common.cached(overview.milestone_summary, as_of)
on_track = int((progress.status == "on_track").sum())
currency = "USD"

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
burn = spending.burn_rate
verdict = overview.burn_rate_verdict(burn, config)
cols[1].metric(
    f"Spent ({currency})",
    f"{spending.spent_to_date:,.0f}",
    f"{spending.spent_share or 0:.0%} of the {spending.budget_total:,.0f} budget",
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="Expenditure less refunds up to the reporting date, converted at each month's rate.",
)
cols[2].metric(
    "Burn rate",
    "—" if burn is None else f"{burn:.2f}",
    verdict,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="Share of the budget spent divided by the share of time elapsed: 1.00 means "
    f"spending keeps pace with time. Below {config.spending.underspend_below:.2f} is "
    f"underspending, above {config.spending.overspend_above:.2f} overspending.",
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
if spending.transactions_without_rate or spending.budget_rows_without_rate:
    st.warning(
        f"{spending.transactions_without_rate} transaction(s) and "
        f"{spending.budget_rows_without_rate} budget row(s) are in a currency whose month has "
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
    table = table.rename(columns={s: status_text(s) for s in STATUS_ORDER})
    st.dataframe(table, hide_index=True, width="stretch")

with right:
    st.subheader("Spending against budget and time")
    st.plotly_chart(
        charts.pace_bars(elapsed.share, spending.spent_share, spending.against_plan),
        width="stretch",
        key="pace-bars",
    )
    st.caption(
        f"Budget planned up to {as_of:%d %b %Y}: {spending.budget_to_date:,.0f} {currency}; "
        f"disbursed: {spending.disbursed_to_date:,.0f} {currency}."
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
    shown = pd.DataFrame(
        {
            "Status": attention.status.map(status_text),
            "Indicator": attention.indicator_code,
            "Title": attention.title,
            "Unit": attention.unit,
            "Actual": attention.actual.round(1),
            "Target": attention.target,
            "Progress %": (attention.progress * 100).round(0),
            "Expected %": (attention.expected * 100).round(0),
            "Last reported": attention.last_period,
        }
    )
    column_config = {
        "Progress %": st.column_config.NumberColumn(format="%.0f%%"),
        "Expected %": st.column_config.NumberColumn(format="%.0f%%"),
    }
    if detail:
        period = f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
        shown.insert(
            0,
            "Detail",
            [f"/{detail.url_path}?indicator={code}&as_of={period}" for code in shown.Indicator],
        )
        column_config["Detail"] = st.column_config.LinkColumn(
            "Detail", display_text="Open ›", help="Open the indicator's detail"
        )
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config)
    st.caption(
        f"{len(attention)} of {len(progress)} indicators are behind, at risk or without data; "
        "the furthest behind their expected progress come first."
    )
    common.downloads(shown.drop(columns="Detail", errors="ignore"), "needs_attention", "att")

STATUS_KEY = ", ".join(f"{STATUSES[s].icon} {STATUSES[s].label}" for s in STATUS_ORDER)
st.caption(f"Status key: {STATUS_KEY}. Colours are never the only cue.")
