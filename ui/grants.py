"""The spending page's filters (kept in the URL), charts (plotly graph_objects) and tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from monitoring import i18n
from monitoring.access.sharing import SHARE_PARAM
from monitoring.contract import CURRENCIES
from monitoring.i18n import _
from monitoring.periods import period_start, programme_periods
from monitoring.reports.grants import (
    BEYOND_AWARD_ICON,
    NO_RATE_ICON,
    STALE_ICON,
    SpendingFilters,
    category_text,
    plan_text,
    shown_headers,
    unconverted_table,
)
from monitoring.settings import Settings
from ui import common
from ui.charts import FONT, wrapped_title
from ui.language import LANG_PARAM
from ui.text import chart, code

# Okabe-Ito colours: safe for colour-blind readers; every series is also named and marked.
BLUE, SKY, ORANGE, VERMILION, GREY = "#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#999999"


PARAMETERS = ("as_of", "currency", "region", "category", "from", "to")
# A donor's share link and the language chosen are in the address too.
KNOWN = (*PARAMETERS, SHARE_PARAM, LANG_PARAM)


def _not_among(key: str, labels: Sequence[str]) -> list[str]:
    """The address's values for `key` that are none of a bound widget's labels (its options
    as shown). Streamlit drops them silently; the page says so instead. Other spellings (a
    region's code) are not translated: the widget would apply them but leave them out of the
    address, and a copied link would then show another view than the page."""
    return [v for v in st.query_params.get_all(key) if v.strip() and v not in labels]


def _address_notices(labels: dict[str, str], unknown: dict[str, list[str]]) -> list[str]:
    """Notices for address values that mean nothing and parameters the page does not use."""

    def listed(values: list[str]) -> str:
        return ", ".join(code(value, 40) for value in values)

    notices = [
        _(
            "The page address gives **{filter}** as {values}, which is not among its choices; "
            "it was ignored. Pick from the filter instead."
        ).format(filter=labels[key], values=listed(values))
        for key, values in unknown.items()
        if values
    ]
    other = [key for key in st.query_params if key not in KNOWN]
    if other:
        notices.append(
            _(
                "The page address has {parameters}, which this page does not use; it was "
                "ignored. The page understands: {known}."
            ).format(parameters=listed(other), known=", ".join(PARAMETERS))
        )
    return notices


def filter_bar(
    config: Settings, regions: pd.DataFrame, categories: list[str], budget: bool = True
) -> SpendingFilters:
    """Currency, region, category and quarter range, each kept in the page address.

    regions: the regions this viewer may pick (region_code, region_name). budget False (a
    donor's link limited to regions, where the budget is not shown): currency and region only.
    """
    periods = programme_periods(config.programme)
    names = {
        code: name if isinstance(name, str) else code
        for code, name in zip(regions.region_code, regions.region_name, strict=True)
    }
    default_currency = config.programme.reporting_currency
    unknown = {
        "currency": _not_among("currency", CURRENCIES),
        "region": _not_among("region", list(names.values())),
    }
    if budget:
        unknown |= {
            "category": _not_among("category", categories),
            "from": _not_among("from", periods),
            "to": _not_among("to", periods),
        }
    labels = {
        "currency": _("Currency"),
        "region": _("Region"),
        "category": _("Budget category"),
        "from": _("From quarter"),
        "to": _("To quarter"),
    }
    notices = _address_notices(labels, unknown)
    with st.container(border=True):
        cols = st.columns([1, 2, 2, 1, 1] if budget else [1, 4])
        currency = cols[0].selectbox(
            labels["currency"],
            CURRENCIES,
            index=CURRENCIES.index(default_currency) if default_currency in CURRENCIES else 0,
            key="currency",
            bind="query-params",
            help=_(
                "Every amount is converted at the rate of its month; an amount whose month "
                "has no rate is listed and left out, never guessed."
            ),
        )
        picked_regions = cols[1].multiselect(
            labels["region"],
            list(names),
            key="region",
            bind="query-params",
            format_func=names.get,
            placeholder=_("All"),
            help=_(
                "Small grants in these regions (the grant's region, else its "
                "organisation's). The budget and project spending are not split by region."
            ),
        )
        if budget:
            picked_categories = cols[2].multiselect(
                labels["category"],
                categories,
                key="category",
                bind="query-params",
                placeholder=_("All"),
                help=_("Budget lines of these categories, in the budget tables and the S-curve."),
            )
            first = cols[3].selectbox(
                labels["from"],
                periods,
                index=0,
                key="from",
                bind="query-params",
                help=_("First quarter of the budget compared with spending."),
            )
            last = cols[4].selectbox(
                labels["to"],
                periods,
                index=len(periods) - 1,
                key="to",
                bind="query-params",
                help=_(
                    "Last quarter of the budget compared with spending. Spending is counted "
                    "up to the reporting date at most."
                ),
            )
    if notices:
        st.warning("\n\n".join(notices), icon=":material/link_off:")
    if not budget:
        return SpendingFilters(currency=currency, regions=tuple(picked_regions) or None)
    if first > last:
        st.warning(
            _(
                "**From quarter** {first} is after **To quarter** {last}: showing {last} to "
                "{first} instead. Pick a first quarter on or before the last one."
            ).format(first=first, last=last),
            icon=":material/swap_horiz:",
        )
        first, last = last, first
    return SpendingFilters(
        currency=currency,
        regions=tuple(picked_regions) or None,
        categories=tuple(picked_categories) or None,
        first=first,
        last=last,
    )


def money_unit(currency: str) -> tuple[float, str]:
    """Charts and headline figures show UZS in millions: (divisor, unit label)."""
    return (1e6, _("mln UZS")) if currency == "UZS" else (1.0, currency)


def headline_money(value: float, currency: str) -> str:
    """A headline amount in the unit of money_unit: 454,975 (USD) or 4,910.2 (mln UZS), in
    the language's number format."""
    scale, _unit = money_unit(currency)
    return i18n.number(value / scale, 1) if scale != 1 else i18n.number(value)


# Characters of a title on one line: a chart in the page's wider or narrower column (the
# budget and actuals section: 3 to 2), or across all of it.
WIDE_COLUMN, NARROW_COLUMN, FULL_WIDTH = 72, 50, 120


def _figure(
    traces: list, title: str, height: int, wrap: int = FULL_WIDTH, right: int = 10, **layout
) -> go.Figure:
    """The figure of `traces`, made in one go: every add_* or update_* call on a figure
    validates and copies it again (docs/benchmarks.md). The title is wrapped at `wrap`
    characters (a Russian or Uzbek one ran past a half-width chart) and the chart grows by
    its extra lines; `right`: the margin for text drawn past the plot."""
    title_layout, extra = wrapped_title(title, wrap)
    return go.Figure(
        data=traces,
        layout=dict(
            title=title_layout,
            height=height + extra,
            margin=dict(l=10, r=right, t=50 + extra, b=10),
            font=FONT,
            plot_bgcolor="white",
            legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
            hoverlabel=dict(namelength=-1),
            separators=i18n.separators(),  # the language's decimal and group marks
            **layout,
        ),
    )


def s_curve(quarters: pd.DataFrame, as_of: dt.date, currency: str, first: str) -> go.Figure:
    """Cumulative spending against the cumulative budget plan, with the reporting date."""
    scale, unit = money_unit(currency)
    start = period_start(first)
    ends = [d.date() for d in pd.to_datetime(quarters.period_end)]
    traces, shapes, annotations = [], [], []
    # Hover texts are made here: dates and numbers in the language's own way.
    planned = [0.0, *(quarters.cumulative_budget / scale)]
    traces.append(
        go.Scatter(
            x=[start, *ends],
            y=planned,
            name=_("Budget plan (cumulative)"),
            mode="lines+markers",
            line=dict(color=BLUE, dash="dash", width=2),
            marker=dict(symbol="square", size=7),
            customdata=[
                _("Budget plan to {date}: {amount}").format(
                    date=i18n.date(d, "medium"), amount=i18n.money(v, unit, 1)
                )
                for d, v in zip([start, *ends], planned, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    reported = quarters[quarters.cumulative_spent.notna()]
    spent_ends = [d.date() for d in pd.to_datetime(reported.period_end)]
    spent = [0.0, *(reported.cumulative_spent / scale)]
    traces.append(
        go.Scatter(
            x=[start, *spent_ends],
            y=spent,
            name=_("Spent (cumulative)"),
            mode="lines+markers",
            line=dict(color=VERMILION, width=3),
            marker=dict(symbol="circle", size=8),
            customdata=[
                _("Spent to {date}: {amount}").format(
                    date=i18n.date(d, "medium"), amount=i18n.money(v, unit, 1)
                )
                for d, v in zip([start, *spent_ends], spent, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    if ends and start <= as_of <= ends[-1]:
        shapes.append(
            dict(
                type="line",
                x0=as_of,
                x1=as_of,
                yref="paper",
                y0=0,
                y1=1,
                line=dict(color="#333", dash="dot", width=1.5),
            )
        )
        annotations.append(
            dict(
                x=as_of,
                yref="paper",
                y=1,
                text=_("Reporting date {date}").format(date=i18n.date(as_of, "medium")),
                showarrow=False,
                xanchor="right" if as_of > start + (ends[-1] - start) / 2 else "left",
                yanchor="bottom",
                font=dict(size=12),
            )
        )
    # Month names of the language: the ticks are written here, not by plotly (English only).
    ticks = [start, *ends]
    return _figure(
        traces,
        _("Cumulative spending against the budget plan ({unit})").format(unit=unit),
        400,
        wrap=WIDE_COLUMN,
        shapes=shapes,
        annotations=annotations,
        xaxis=dict(gridcolor="#eee", tickvals=ticks, ticktext=[i18n.short_month(d) for d in ticks]),
        yaxis=dict(title=dict(text=unit), gridcolor="#eee", tickformat=",", rangemode="tozero"),
    )


def category_plan_bars(categories: pd.DataFrame, time_share: float) -> go.Figure:
    """Per category: share of its budget planned to date and share spent, with time elapsed;
    each category's verdict against the plan beside its name."""
    rows = categories.iloc[::-1]
    names = rows.category.map(category_text)
    labels = [
        f"{chart(n)}<br>{plan_text(v)}" for n, v in zip(names, rows.against_plan, strict=True)
    ]
    total = rows.budget_total.astype("float64")
    planned = (rows.budget_to_date.astype("float64") / total.where(total > 0)) * 100
    spent = rows.spent_share.astype("float64") * 100
    traces = []
    traces.append(
        go.Bar(
            y=labels,
            x=planned.fillna(0),
            name=_("Budget planned to date"),
            orientation="h",
            marker=dict(color=GREY),
            customdata=[
                _("{share} of the budget planned to date").format(share=i18n.percent(v / 100))
                for v in planned.fillna(0)
            ],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    traces.append(
        go.Bar(
            y=labels,
            x=spent.fillna(0),
            name=_("Spent"),
            orientation="h",
            marker=dict(color=BLUE),
            text=[i18n.percent(v / 100) if pd.notna(v) else "" for v in spent],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                _("{share} of the budget spent").format(share=i18n.percent(v / 100))
                for v in spent.fillna(0)
            ],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    time_line = dict(
        type="line",
        x0=time_share * 100,
        x1=time_share * 100,
        xref="x",
        y0=0,
        y1=1,
        yref="y domain",
        line=dict(color="#333", dash="dot", width=1.5),
    )
    time_label = dict(
        x=time_share * 100,
        yref="paper",
        y=1,
        text=_("Time elapsed {share}").format(share=i18n.percent(time_share)),
        showarrow=False,
        yanchor="bottom",
        font=dict(size=12),
    )
    top = max(110.0, float(pd.concat([planned, spent]).max(skipna=True) or 0) + 15)
    return _figure(
        traces,
        _("Budget planned to date and spent, by category (%)"),
        140 + 60 * len(labels),
        wrap=NARROW_COLUMN,
        right=50,  # the largest share's label, drawn past the plot
        shapes=[time_line],
        annotations=[time_label],
        barmode="group",
        bargap=0.25,
        xaxis=dict(
            title=dict(text=_("% of the category's budget")), range=[0, top], gridcolor="#eee"
        ),
    )


def grant_bars(grants: pd.DataFrame, currency: str) -> go.Figure:
    """Per grant: awarded, disbursed and spent, with its flags' icons beside its name."""
    scale, unit = money_unit(currency)
    rows = grants.sort_values("grant_id", ascending=False)
    labels = []
    for grant_id, flags, status in zip(
        rows.grant_id, rows.flag_text, rows.status_as_of, strict=True
    ):
        icons = "".join(i for i in (BEYOND_AWARD_ICON, STALE_ICON) if i in flags)
        name = (
            _("{grant} (cancelled)").format(grant=chart(grant_id))
            if status == "cancelled"
            else chart(grant_id)
        )
        labels.append(f"{name} {icons}".strip())
    traces = []
    # The amount in the hover is written by plotly, with the language's marks (separators
    # below): formatting hundreds of grants × 3 amounts here took longer than the chart.
    amount = "%{x:,.2f} " + unit
    for name, hover, column, colour in (
        (_("Awarded"), _("{amount} awarded"), "awarded", SKY),
        (_("Disbursed"), _("{amount} disbursed"), "disbursed", BLUE),
        (_("Spent"), _("{amount} spent"), "spent", ORANGE),
    ):
        traces.append(
            go.Bar(
                y=labels,
                x=(rows[column] / scale).astype("float64").to_numpy(),
                name=name,
                orientation="h",
                marker=dict(color=colour),
                hovertemplate="%{y}: " + hover.format(amount=amount) + "<extra></extra>",
            )
        )
    return _figure(
        traces,
        _(
            "Small grants: awarded, disbursed and spent ({unit}); {beyond} spent beyond award, "
            "{stale} no spending after a disbursement"
        ).format(unit=unit, beyond=BEYOND_AWARD_ICON, stale=STALE_ICON),
        140 + 42 * len(labels),
        barmode="group",
        bargap=0.3,
        bargroupgap=0.05,
        xaxis=dict(title=dict(text=unit), gridcolor="#eee", tickformat=","),
    )


def table(frame: pd.DataFrame, name: str, key: str, currency: str) -> None:
    """A table with every row in view, money to the cent in the reader's number format
    (grouping and decimal marks of the browser's language, minus signs), percentages with a
    % sign, the first column pinned; and its downloads, exactly as shown."""
    money = st.column_config.NumberColumn(format="localized", step=0.01)
    percent = st.column_config.NumberColumn(format="%.1f%%")
    columns = {
        name: percent if name.endswith("%") else money
        for name in frame.columns
        if f"({currency})" in name or "grant currency" in name or name.endswith("%")
    }
    columns[frame.columns[0]] = st.column_config.Column(pinned=True)
    if "Flags" in frame.columns:
        columns["Flags"] = st.column_config.TextColumn(width="large")
    # Headers in the reader's language, in the table and its downloads alike.
    headers = shown_headers(frame.columns, currency)
    frame = frame.rename(columns=headers)
    columns = {headers.get(column, column): config for column, config in columns.items()}
    st.dataframe(frame, hide_index=True, width="stretch", height="content", column_config=columns)
    common.downloads(frame, name, key)


def unconverted_notice(unconverted: pd.DataFrame, currency: str) -> None:
    """A warning, and the list, of amounts that have no exchange rate into `currency`."""
    if unconverted.empty:
        return
    transactions = int((unconverted.source == "transaction").sum())
    budget_rows = int((unconverted.source == "budget").sum())
    st.warning(
        _(
            "{icon} **{transactions} transaction(s) and {rows} budget row(s) cannot be shown "
            "in {currency}**: their month has no exchange rate. They are left out of every "
            "converted total on this page, never converted with a guess. Upload the missing "
            "rates (table `exchange_rates`) to include them."
        ).format(
            icon=NO_RATE_ICON,
            transactions=i18n.number(transactions),
            rows=i18n.number(budget_rows),
            currency=currency,
        ),
        icon=":material/currency_exchange:",
    )
    amounts = _("Amounts without a rate to {currency} ({n})")
    with st.expander(amounts.format(currency=currency, n=i18n.number(len(unconverted)))):
        table(unconverted_table(unconverted), "amounts_without_rate", "norate", currency)
