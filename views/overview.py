"""Overview: how is the programme doing, as of the reporting date?"""

import pandas as pd
import streamlit as st

from monitoring import i18n
from monitoring.i18n import _, ngettext
from monitoring.reports import grants, overview
from monitoring.reports.status import STATUSES, status_rule_text, status_text
from ui import access, common, reports, vega
from ui.navigation import page_spec
from ui.text import plain_join

config, as_of = common.page_header(
    _("Programme overview"),
    _(
        "Where the programme stands: time elapsed, outcome indicators against their targets, "
        "spending against budget and milestones. Pick another reporting date in the sidebar to "
        "see the programme as it stood then."
    ),
)

# What the viewer may see is decided in the core (monitoring/access/view.py): every figure
# below comes already limited to their regions and protected.
viewer = access.viewer()
link_regions = access.view().link_regions

progress_source = (overview.indicator_status, config, as_of)
progress = common.cached(*progress_source)
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
        _(
            "**This shared view covers {regions}.** Indicators are measured over the "
            "values of these regions, against their regional targets where the programme set "
            "them. Money is that of the small grants in these regions, the programme's only "
            "money tied to a region: its budget and its other spending are not split by region. "
            "Milestones are those of these regions and the national and international ones."
        ).format(regions=shown_regions),
        icon=":material/location_on:",
    )

# Headline figures ------------------------------------------------------------------------
cards = common.wrapping_row()
cards.metric(
    _("Months elapsed"),
    _("{months} of {total}").format(
        months=i18n.number(elapsed.months), total=i18n.number(elapsed.total_months)
    ),
    _("{share} of the programme").format(share=i18n.percent(elapsed.share)),
    delta_color="off",
    delta_arrow="off",
    border=True,
)
burn = money.burn_rate
verdict = overview.verdict_text(overview.burn_rate_verdict(burn, config))
thresholds = _("Below {under} is underspending, above {over} overspending.").format(
    under=i18n.number(config.spending.underspend_below, 2),
    over=i18n.number(config.spending.overspend_above, 2),
)
if small_grants:
    cards.metric(
        _("Spent on small grants ({currency})").format(currency=currency),
        i18n.number(money.spent_to_date),
        _("{share} of the {total} awarded").format(
            share=i18n.percent(money.spent_share or 0), total=i18n.number(money.budget_total)
        ),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Expenditure less refunds of the small grants in the regions of this view, up "
            "to the reporting date, converted at each month's rate; cancelled grants left out."
        ),
    )
    burn_help = _(
        "Share of the awards spent divided by the share of the grants' time elapsed (each "
        "award spread evenly from its award to its end date): 1.00 means spending keeps "
        "pace with time. {thresholds}"
    ).format(thresholds=thresholds)
else:
    cards.metric(
        _("Spent ({currency})").format(currency=currency),
        i18n.number(money.spent_to_date),
        _("{share} of the {total} budget").format(
            share=i18n.percent(money.spent_share or 0), total=i18n.number(money.budget_total)
        ),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=_(
            "Expenditure less refunds up to the reporting date, converted at each month's rate."
        ),
    )
    burn_help = _(
        "Share of the budget spent divided by the share of time elapsed: 1.00 means "
        "spending keeps pace with time. {thresholds}"
    ).format(thresholds=thresholds)
cards.metric(
    _("Burn rate"),
    "—" if burn is None else i18n.number(burn, 2),
    verdict,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=burn_help,
)
cards.metric(
    _("Milestones achieved"),
    _("{achieved} of {due} due").format(
        achieved=i18n.number(milestones.achieved_of_planned_to_date),
        due=i18n.number(milestones.planned_to_date),
    ),
    _("{overdue} overdue · {planned} planned in all").format(
        overdue=i18n.number(milestones.overdue), planned=i18n.number(milestones.planned_total)
    ),
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=_(
        "Milestones due by the reporting date (planned before it, or on it and achieved by "
        "then) and how many of them were achieved. Dropped milestones are not counted."
    ),
)
if money.transactions_without_rate or money.budget_rows_without_rate:
    without_rate = (
        _(
            "{transactions} transaction(s) and {rows} award(s) are in a currency whose month "
            "has no exchange rate; they are left out of the totals above. Upload the missing "
            "rates."
        )
        if small_grants
        else _(
            "{transactions} transaction(s) and {rows} budget row(s) are in a currency whose "
            "month has no exchange rate; they are left out of the totals above. Upload the "
            "missing rates."
        )
    )
    st.warning(
        without_rate.format(
            transactions=i18n.number(money.transactions_without_rate),
            rows=i18n.number(money.budget_rows_without_rate),
        ),
        icon=":material/currency_exchange:",
    )

# Outcomes ---------------------------------------------------------------------------------
left, right = common.side_by_side("outcome-charts", [3, 2])
with left:
    st.subheader(_("Indicators by outcome and status"))
    # Kept between reruns under the statuses' key (ui.common.built), as the list below.
    counts = common.built(overview.status_counts, (progress,), source=progress_source)
    data, spec = common.built(vega.status_bars, (counts,), source=progress_source)
    vega.draw(data, spec, "status-bars")
    with st.expander(_("How status is decided")):
        st.markdown(status_rule_text(config.status))
    table = counts.rename(columns={"group": _("Goal / outcome"), "total": _("Indicators")})
    table = table.rename(columns={s: status_text(s) for s in STATUSES})
    # The total next to the name, each status's count narrow (its name whole on hover): a
    # donor's two more statuses pushed the total off the edge, and a row read "0 0 0 0".
    first = [_("Goal / outcome"), _("Indicators")]
    table = table[first + [c for c in table.columns if c not in first]]
    narrow = {
        status_text(s): st.column_config.NumberColumn(width="small", help=status_text(s))
        for s in STATUSES
    }
    st.dataframe(table, hide_index=True, width="stretch", column_config=narrow)

with right:
    st.subheader(
        _("Small grants' spending against time")
        if small_grants
        else _("Spending against budget and time")
    )
    data, spec = vega.pace_bars(
        money.time_share if small_grants else elapsed.share,
        money.spent_share,
        money.against_plan,
        small_grants=small_grants,
    )
    vega.draw(data, spec, "pace-bars")
    planned = (
        _(
            "Awards spread over their grants' time up to {date}: {planned}; disbursed in "
            "tranches (not counted as spending): {disbursed}."
        )
        if small_grants
        else _(
            "Budget planned up to {date}: {planned}; disbursed in tranches (not counted as "
            "spending): {disbursed}."
        )
    )
    st.caption(
        planned.format(
            date=i18n.date(as_of, "medium"),
            planned=i18n.money(money.budget_to_date, currency),
            disbursed=i18n.money(money.disbursed_to_date, currency),
        )
    )

# What needs attention --------------------------------------------------------------------
st.subheader(_("Needs attention first"))
attention = common.built(overview.needs_attention, (progress,), source=progress_source)
if attention.empty:
    st.success(
        ngettext(
            "All {n} indicators with data are on track as of {date}.",
            "All {n} indicators with data are on track as of {date}.",
            on_track,
        ).format(n=i18n.number(on_track), date=i18n.date(as_of)),
        icon=":material/check_circle:",
    )
else:
    detail = page_spec("indicators")
    if detail and not viewer.allows_page(detail.url_path):
        detail = None  # a share link that does not open the indicators page
    # Column headers in the reader's language (the downloads carry the same headers).
    actual, progress_col, expected = _("Actual"), _("Progress %"), _("Expected %")
    shown = pd.DataFrame(
        {
            _("Status"): attention.status.map(status_text),
            _("Indicator"): attention.indicator_code,
            _("Title"): attention.title,
            _("Unit"): attention.unit.map(overview.unit_text),
            actual: attention.actual_shown,
            _("Target"): attention.target,
            progress_col: (attention.progress * 100).round(0),
            expected: (attention.expected * 100).round(0),
            _("Last reported"): attention.last_period,
        }
    )
    column_config = {
        actual: st.column_config.TextColumn(
            help=_("Actual to date, combined as the indicator's rule says.")
        ),
        progress_col: st.column_config.NumberColumn(format="%.0f%%"),
        expected: st.column_config.NumberColumn(format="%.0f%%"),
    }
    withheld = attention.actual_withheld
    note = None
    if withheld.any():  # the progress of a withheld actual is withheld, in words
        shown[progress_col] = [
            _("hidden") if w else None if pd.isna(v) else i18n.percent(v / 100)
            for w, v in zip(withheld, shown[progress_col], strict=True)
        ]
        column_config[progress_col] = st.column_config.TextColumn()
        note = access.view().note
    detail_col = _("Detail")
    if detail:
        period = f"{as_of.year}Q{(as_of.month - 1) // 3 + 1}"
        shown.insert(
            0,
            detail_col,
            [
                viewer.page_url(detail.url_path, indicator=code, as_of=period)
                for code in attention.indicator_code
            ],
        )
        column_config[detail_col] = st.column_config.LinkColumn(
            detail_col, display_text=_("Open ›"), help=_("Open the indicator's detail")
        )
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config)
    no_target = "no_target" in set(attention.status)
    if withheld.any():
        explained = (
            _(
                "{n} of {total} indicators are behind, at risk or without data or a target for "
                "these regions; the furthest behind their expected progress come first, then "
                "those whose actual is withheld to protect the people counted, in code order "
                "whatever their progress (their status is withheld with the actual)."
            )
            if no_target
            else _(
                "{n} of {total} indicators are behind, at risk or without data; the furthest "
                "behind their expected progress come first, then those whose actual is withheld "
                "to protect the people counted, in code order whatever their progress (their "
                "status is withheld with the actual)."
            )
        )
    else:
        explained = (
            _(
                "{n} of {total} indicators are behind, at risk or without data or a target for "
                "these regions; the furthest behind their expected progress come first."
            )
            if no_target
            else _(
                "{n} of {total} indicators are behind, at risk or without data; the furthest "
                "behind their expected progress come first."
            )
        )
    st.caption(explained.format(n=i18n.number(len(attention)), total=i18n.number(len(progress))))
    if note:
        st.caption(note)
    common.downloads(shown.drop(columns=detail_col, errors="ignore"), "needs_attention", "att")

STATUS_KEY = ", ".join(
    f"{STATUSES[s].icon} {STATUSES[s].label}" for s in overview.shown_statuses(progress)
)
st.caption(_("Status key: {key}. Colours are never the only cue.").format(key=STATUS_KEY))

reports.reports_area(config, as_of, "overview")
