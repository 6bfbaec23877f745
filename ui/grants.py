"""The spending page's filters (kept in the URL), charts (Vega-Lite: ui/vega.py) and tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
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
from ui import common, vega
from ui.language import LANG_PARAM
from ui.text import code

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
        row = common.wrapping_row()
        currency = row.selectbox(
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
        picked_regions = row.multiselect(
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
            picked_categories = row.multiselect(
                labels["category"],
                categories,
                key="category",
                bind="query-params",
                placeholder=_("All"),
                help=_("Budget lines of these categories, in the budget tables and the S-curve."),
            )
            first = row.selectbox(
                labels["from"],
                periods,
                index=0,
                key="from",
                bind="query-params",
                help=_("First quarter of the budget compared with spending."),
            )
            last = row.selectbox(
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
WIDE_COLUMN, NARROW_COLUMN, FULL_WIDTH = 64, 40, 110
# The category chart's plot, in pixels, at its narrowest (a half-page column of a laptop's
# window): how far a label reaches on it.
PLOT_PX = 200


def _date_mark(
    at, kind: str, title: str | None, text: str, right: bool, *, bottom: bool = False
) -> list[dict]:
    """A dotted vertical line at the x value `at` (of type `kind`), with `text` at its top
    (at its foot when `bottom`): to its left when `right` (a line past the middle), else to
    its right. `title`: the x axis's title, as the chart's other layers give it (layers
    share one axis)."""
    x = {"field": "at", "type": kind, "title": title}
    mark = {"values": [{"at": at, "text": text}]}
    return [
        {
            "data": mark,
            "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#333333"},
            "encoding": {"x": x},
        },
        {
            "data": mark,
            "mark": {
                "type": "text",
                "align": "right" if right else "left",
                "baseline": "bottom" if bottom else "top",
                "dx": -4 if right else 4,
                "dy": -4 if bottom else 0,
                "y": "height" if bottom else 0,
                "fontSize": 12,
            },
            "encoding": {"x": x, "text": {"field": "text", "type": "nominal"}},
        },
    ]


def s_curve(
    quarters: pd.DataFrame, as_of: dt.date, currency: str, first: str
) -> tuple[pd.DataFrame, dict]:
    """Cumulative spending against the cumulative budget plan, quarter by quarter, with the
    reporting date: the data and the Vega-Lite specification, for st.vega_lite_chart. The
    plan is a dashed line with squares, spending a solid line with circles (not told apart
    by colour alone); the dates are written in the language (Vega's month names are
    English)."""
    scale, unit = money_unit(currency)
    start = period_start(first)
    ends = [d.date() for d in pd.to_datetime(quarters.period_end)]
    days = [start, *ends]
    planned_name, spent_name = _("Budget plan (cumulative)"), _("Spent (cumulative)")
    planned = [0.0, *(quarters.cumulative_budget.astype("float64") / scale)]
    reported = quarters.cumulative_spent.notna().tolist()
    spent = [0.0, *(quarters.cumulative_spent.astype("float64") / scale)]
    # Each series' point at the start and at each quarter's end (spending: where reported).
    rows = [
        {
            "when": day.isoformat(),
            "series": name,
            "amount": amounts[i],
            "tip": message.format(
                date=i18n.date(day, "medium"), amount=i18n.money(amounts[i], unit, 1)
            ),
        }
        for name, amounts, message, shown in (
            (planned_name, planned, _("Budget plan to {date}: {amount}"), [True] * len(days)),
            (spent_name, spent, _("Spent to {date}: {amount}"), [True, *reported]),
        )
        for i, day in enumerate(days)
        if shown[i]
    ]
    data = pd.DataFrame(rows, columns=["when", "series", "amount", "tip"])
    # A tick at each quarter's end (and the start), its month in the language (time_locale),
    # in UTC as the dates are read: a reader west of Greenwich sees June, not the day before.
    x = {
        "field": "when",
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc"},
        "axis": {
            "values": [vega.utc_date(d) for d in days],
            "format": "%b %Y",
            "labelOverlap": True,
            "gridColor": "#eee",
        },
    }
    y = {
        "field": "amount",
        "type": "quantitative",
        "title": unit,
        "axis": {"format": ",.2~f", "gridColor": "#eee"},
    }
    colour = {
        "field": "series",
        "type": "nominal",
        **vega.legend([planned_name, spent_name], [BLUE, VERMILION], 2),
    }
    layers = [
        {
            "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": [planned_name, spent_name], "range": [[6, 4], [1, 0]]},
                    "legend": None,
                },
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 60},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "shape": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": [planned_name, spent_name], "range": ["square", "circle"]},
                    "legend": None,
                },
                "tooltip": {"field": "tip", "type": "nominal"},
            },
        },
    ]
    if ends and start <= as_of <= ends[-1]:
        # Both lines only rise: past the middle they are high beside the date's line (its
        # label at the top sat on the plan's last square), before it low.
        late = as_of > start + (ends[-1] - start) / 2
        layers += _date_mark(
            as_of.isoformat(),
            "temporal",
            None,
            _("Reporting date {date}").format(date=i18n.date(as_of, "medium")),
            right=late,
            bottom=late,
        )
    spec = vega.chart_spec(
        _("Cumulative spending against the budget plan ({unit})").format(unit=unit),
        WIDE_COLUMN,
        {"height": 300, "layer": layers},
    )
    return data, spec


def category_plan_bars(categories: pd.DataFrame, time_share: float) -> tuple[pd.DataFrame, dict]:
    """Per category: share of its budget planned to date and share spent, with time elapsed;
    each category's verdict against the plan under its name. The data and the Vega-Lite
    specification, for st.vega_lite_chart."""
    names = categories.category.map(category_text).tolist()
    verdicts = [plan_text(v) for v in categories.against_plan]
    labels = [
        f"{name}\n{verdict}" if verdict else name
        for name, verdict in zip(names, verdicts, strict=True)
    ]
    total = categories.budget_total.astype("float64")
    planned = ((categories.budget_to_date.astype("float64") / total.where(total > 0)) * 100).fillna(
        0
    )
    spent = categories.spent_share.astype("float64") * 100
    planned_name, spent_name = _("Budget planned to date"), _("Spent")
    rows = []
    for label, name, plan, done in zip(labels, names, planned, spent, strict=True):
        rows.append(
            {
                "label": label,
                "measure": planned_name,
                "share": float(plan),
                "text": "",
                "tip": f"{name}: "
                + _("{share} of the budget planned to date").format(share=i18n.percent(plan / 100)),
            }
        )
        rows.append(
            {
                "label": label,
                "measure": spent_name,
                "share": 0.0 if pd.isna(done) else float(done),
                "text": "" if pd.isna(done) else i18n.percent(done / 100),
                "tip": f"{name}: "
                + _("{share} of the budget spent").format(
                    share=i18n.percent(0 if pd.isna(done) else done / 100)
                ),
            }
        )
    top = max(110.0, float(pd.concat([planned, spent]).max(skipna=True) or 0) + 15)
    line = time_share * 100
    for row in rows:
        # A share's label goes beyond its bar's end, unless the time-elapsed line would run
        # through it there (85-99 % with the line at 100 %): then inside the bar's end.
        reach = top * (vega.MARK_CHAR_PX * len(row["text"]) + 6) / PLOT_PX
        row["inside"] = row["share"] < line <= row["share"] + reach and row["share"] >= reach
    data = pd.DataFrame(rows, columns=["label", "measure", "share", "text", "tip", "inside"])
    y = {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": vega.LINE_LABELS}
    offset = {"field": "measure", "type": "nominal", "sort": [planned_name, spent_name]}
    x = vega.percent_x("share", _("% of the category's budget"), top)
    spec = vega.chart_spec(
        _("Budget planned to date and spent, by category (%)"),
        NARROW_COLUMN,
        {
            "height": {"step": 24},  # a bar (two to a category)
            "layer": [
                {
                    "mark": {"type": "bar"},
                    "encoding": {
                        "y": y,
                        "yOffset": offset,
                        "x": x,
                        "color": {
                            "field": "measure",
                            "type": "nominal",
                            **vega.legend([planned_name, spent_name], [GREY, BLUE], 1),
                        },
                        "tooltip": {"field": "tip", "type": "nominal"},
                    },
                },
                *(
                    {
                        "transform": [{"filter": "datum.inside" if inside else "!datum.inside"}],
                        "mark": {"type": "text", "fontSize": 12, **mark},
                        "encoding": {
                            "y": y,
                            "yOffset": offset,
                            "x": {"field": "share", "type": "quantitative"},
                            "text": {"field": "text", "type": "nominal"},
                        },
                    }
                    for inside, mark in (
                        (False, {"align": "left", "dx": 4}),
                        (True, {"align": "right", "dx": -4, "color": "#ffffff"}),
                    )
                ),
                *_date_mark(
                    time_share * 100,
                    "quantitative",
                    x["title"],
                    _("Time elapsed {share}").format(share=i18n.percent(time_share)),
                    right=time_share > 0.5,
                ),
            ],
        },
    )
    return data, spec


def grant_bars(grants: pd.DataFrame, currency: str) -> tuple[pd.DataFrame, dict]:
    """Per grant: awarded, disbursed and spent, with its flags' icons beside its name. The
    data and the Vega-Lite specification, for st.vega_lite_chart."""
    scale, unit = money_unit(currency)
    rows = grants.sort_values("grant_id")
    labels = []
    for grant_id, flags, status in zip(
        rows.grant_id, rows.flag_text, rows.status_as_of, strict=True
    ):
        icons = "".join(i for i in (BEYOND_AWARD_ICON, STALE_ICON) if i in flags)
        name = (
            _("{grant} (cancelled)").format(grant=grant_id) if status == "cancelled" else grant_id
        )
        labels.append(f"{name} {icons}".strip())
    measures = (
        (_("Awarded"), _("{amount} awarded"), "awarded", SKY),
        (_("Disbursed"), _("{amount} disbursed"), "disbursed", BLUE),
        (_("Spent"), _("{amount} spent"), "spent", ORANGE),
    )
    parts = []
    for name, hover, column, _colour in measures:
        amounts = (rows[column] / scale).astype("float64").to_numpy()
        written = i18n.numbers(amounts, 2)  # the hover's amounts, in the language
        parts.append(
            pd.DataFrame(
                {
                    "grant": labels,
                    "measure": name,
                    "amount": amounts,
                    "tip": [
                        f"{label}: " + hover.format(amount=f"{text} {unit}")
                        for label, text in zip(labels, written, strict=True)
                    ],
                }
            )
        )
    data = pd.concat(parts, ignore_index=True)
    names = [m[0] for m in measures]
    spec = vega.chart_spec(
        _(
            "Small grants: awarded, disbursed and spent ({unit}); {beyond} spent beyond award, "
            "{stale} no spending after a disbursement"
        ).format(unit=unit, beyond=BEYOND_AWARD_ICON, stale=STALE_ICON),
        FULL_WIDTH,
        {
            "height": {"step": 14},  # a bar (three to a grant)
            "mark": {"type": "bar"},
            "encoding": {
                "y": {
                    "field": "grant",
                    "type": "nominal",
                    "sort": labels,
                    "title": None,
                    "axis": {"labelLimit": 0, "labelPadding": 6},
                },
                "yOffset": {"field": "measure", "type": "nominal", "sort": names},
                "x": {
                    "field": "amount",
                    "type": "quantitative",
                    "title": unit,
                    "axis": {"format": ",.2~f", "gridColor": "#eee"},
                },
                "color": {
                    "field": "measure",
                    "type": "nominal",
                    **vega.legend(names, [m[3] for m in measures], 3),
                },
                "tooltip": {"field": "tip", "type": "nominal"},
            },
        },
    )
    return data, spec


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
