"""The regional map's Streamlit side: the pydeck deck, its legends, and URL-kept choices."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st
from pydeck.bindings import json_tools

from monitoring import i18n
from monitoring.i18n import _
from monitoring.reports.map import (
    HATCH_COLOUR,
    KINDS,
    MAX_RADIUS_PX,
    MIN_RADIUS_PX,
    NO_DATA_FILL,
    ColourScale,
    RegionalMap,
    hex_to_rgba,
)
from ui.charts import FONT
from ui.text import chart, code

MAP_KEY = "regional-map"
_GENERATION = "_regional-map-generation"
TOOLTIP_STYLE = {
    "backgroundColor": "#ffffff",
    "color": "#1f1f1f",
    "border": "1px solid #999",
    "fontSize": "13px",
    "whiteSpace": "pre-line",
    "maxWidth": "360px",
}


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents every coordinate on its own
    line, which makes the boundaries' JSON (sent on every rerun) about four times larger."""

    def to_json(self) -> str:
        # pydeck's own serialisation (json_tools.serialize) without its indentation, in one
        # pass: the same text as parsing its indented JSON and writing it again compactly.
        return json.dumps(
            self, sort_keys=True, default=json_tools.default_serialize, separators=(",", ":")
        )


def deck(data: RegionalMap, basemap: bool = False) -> pdk.Deck:
    """Regions (choropleth), no-data hatching, labels and organisations, with no basemap
    unless asked for (so the map draws offline)."""
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            {"type": "FeatureCollection", "features": data.regions},
            id="regions",
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color="properties.line",
            get_line_width="properties.line_width",
            line_width_units="'pixels'",
            auto_highlight=True,
            highlight_color=[0, 0, 0, 40],
        ),
        pdk.Layer(
            "PathLayer",
            data.hatches,
            id="no-data-hatching",
            get_path="path",
            get_color=hex_to_rgba(HATCH_COLOUR),
            get_width=1,
            width_units="'pixels'",
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data.organisations,
            id="organisations",
            pickable=True,
            stroked=True,
            filled=True,
            get_position="position",
            get_radius="radius",
            radius_units="'pixels'",
            get_fill_color="fill",
            get_line_color="line",
            get_line_width="line_width",
            line_width_units="'pixels'",
            auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer",
            data.labels,
            id="region-labels",
            get_position="position",
            get_text="text",
            get_size=13,
            size_units="'pixels'",
            get_color=[20, 20, 20, 255],
            get_text_anchor="'middle'",
            get_alignment_baseline="'center'",
            font_family="'Source Sans Pro, Helvetica, Arial, sans-serif'",
            font_weight=600,
            background=True,
            get_background_color=[255, 255, 255, 215],
            background_padding=[4, 2, 4, 2],
            character_set="'auto'",
            pickable=False,
        ),
    ]
    return CompactDeck(
        layers=layers,
        initial_view_state=pdk.ViewState(**data.view),
        map_provider="carto" if basemap else None,
        map_style="light" if basemap else None,
        # A `text` tooltip: Streamlit sets it as innerText, so text from the data in it is
        # never read as HTML and is not escaped (escaped, it would show "&lt;").
        tooltip={"text": "{tooltip}", "style": TOOLTIP_STYLE},
    )


def clicked_region(event_state) -> str | None:
    """The region code of the object clicked on the map (a region or an organisation)."""
    if not event_state:
        return None
    selection = event_state.get("selection") or {}
    for layer in ("regions", "organisations"):
        for obj in (selection.get("objects") or {}).get(layer, []):
            props = obj.get("properties", obj) if isinstance(obj, dict) else {}
            code = props.get("region_code")
            if code:
                return str(code)
    return None


def map_key() -> str:
    """The map's widget key; it changes after each click (see apply_map_click)."""
    return f"{MAP_KEY}-{st.session_state.get(_GENERATION, 0)}"


def apply_map_click(region_key: str, choices: Sequence[str] | None = None) -> None:
    """A click on the map selects its region: copy it into the region choice and the URL.

    Runs before the region picker is drawn. The map is then drawn under a new key, so that
    it starts without a selection: Streamlit fades every object but the selected one, which
    would change the choropleth's colours; the selected region is outlined instead.
    A click on a region that is not among `choices` (outside a donor's view) does nothing.
    """
    code = clicked_region(st.session_state.get(map_key()))
    if code and (choices is None or code in choices):
        st.session_state[f"{region_key}-choice"] = code
        st.query_params[region_key] = code
        st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def unknown_param_notice(
    key: str, options: Sequence[str], label: str, *, in_view: bool = False
) -> None:
    """Warn when the address asks for a value that is not among the choices. `in_view` (a
    donor's view): say it is not available in this view, the same words whether the value
    exists outside the view or not at all. `label`: the choice's label, translated."""
    raw = st.query_params.get(key)
    if raw is not None and raw != "" and raw not in options:
        if in_view:
            message = _(
                "The page address asks for {label} {value}, which is not available in this "
                "view; it was ignored. Pick one from **{box}** instead."
            )
        else:
            message = _(
                "The page address asks for {label} {value}, which is not one of the choices; "
                "it was ignored. Pick one from **{box}** instead."
            )
        st.warning(
            message.format(label=label.lower(), value=code(raw, 40), box=label),
            icon=":material/link_off:",
        )


def url_select(
    container,
    label: str,
    options: Sequence[str],
    key: str,
    *,
    format_func: Callable[[str], str] = str,
    default: str | None = None,
    placeholder: str | None = None,
    help: str | None = None,
    in_view: bool = False,
) -> str | None:
    """A selectbox showing friendly labels whose choice lives in the URL as ?key=<code>.

    A widget bound with bind="query-params" would write its shown label into the address;
    this keeps the code there instead. A value in the address that is not a choice is
    ignored with a notice (`in_view`: worded for a donor's view).
    """
    widget_key = f"{key}-choice"
    raw = st.query_params.get(key)
    if raw is not None and raw not in options:
        if raw != "":
            unknown_param_notice(key, options, label, in_view=in_view)
        del st.query_params[key]
        raw = None
    if widget_key in st.session_state and st.session_state[widget_key] not in options:
        del st.session_state[widget_key]
    first = raw  # on the first draw the address gives the starting value (as the index)
    if raw is not None and widget_key in st.session_state:
        first = None
        if st.session_state[widget_key] != raw:
            st.session_state[widget_key] = raw  # a link or the back button named another one

    def keep_in_url() -> None:
        value = st.session_state.get(widget_key)
        if value is None or value == default:
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = value

    # Without a default the choice can be cleared (index None, unless the address names one).
    # With one, the index names the value held, so the widget never offers to clear it.
    current = st.session_state.get(widget_key) or first or default
    index = list(options).index(current) if current in options else None
    if default is None and widget_key in st.session_state:
        index = None
    return container.selectbox(
        label,
        list(options),
        index=index,
        key=widget_key,
        format_func=format_func,
        on_change=keep_in_url,
        placeholder=placeholder,
        help=help,
    )


def clear_choice(key: str) -> None:
    """Forget a url_select choice (a button's callback)."""
    st.session_state[f"{key}-choice"] = None
    st.query_params.pop(key, None)


def scale_legend(scale: ColourScale, hatched_label: str) -> go.Figure:
    """The choropleth's steps, top = highest, with the hatched 'no data' swatch below."""
    labels = [*reversed(scale.labels), hatched_label]
    colours = [*reversed(scale.colours), NO_DATA_FILL]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=[1] * len(labels),
            orientation="h",
            marker=dict(
                color=colours,
                line=dict(color="#555", width=1),
                pattern=dict(
                    shape=[""] * len(scale.labels) + ["/"],
                    fgcolor=HATCH_COLOUR,
                    size=6,
                    solidity=0.25,
                ),
            ),
            width=0.8,
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(visible=False, range=[0, 1])
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=13), automargin=True)
    fig.update_layout(
        title=dict(
            text=_("Colour: {scale}").format(scale=chart(scale.title)),
            x=0,
            xanchor="left",
            font=dict(size=14),
        ),
        height=60 + 24 * len(labels),
        margin=dict(l=10, r=10, t=45, b=5),
        font=FONT,
        plot_bgcolor="white",
        showlegend=False,
        bargap=0.25,
    )
    fig.update_yaxes(side="right")
    return fig


def organisation_legend(kinds: Sequence[str], largest_usd: float) -> go.Figure:
    """Circle colour = kind of organisation; circle size = grant money received (USD)."""
    sizes = [0.0, largest_usd / 4, largest_usd] if largest_usd > 0 else [0.0]
    rows = [(KINDS[k].label, 14, KINDS[k].colour, "white", 1.5) for k in KINDS if k in kinds]
    rows.append(
        (_("At its region's centre (no coordinates, or not shared)"), 14, "white", "#555555", 3)
    )
    for usd in sizes:
        share = (usd / largest_usd) ** 0.5 if largest_usd > 0 else 0.0
        radius = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * share
        received = _("{money} received").format(money=i18n.money(usd, "USD"))
        rows.append((received, 2 * radius, "#bbbbbb", "#555555", 1))
    fig = go.Figure(
        go.Scatter(
            x=[0] * len(rows),
            y=list(range(len(rows))),
            mode="markers+text",
            text=[r[0] for r in rows],
            textposition="middle right",
            marker=dict(
                size=[r[1] for r in rows],
                color=[r[2] for r in rows],
                line=dict(color=[r[3] for r in rows], width=[r[4] for r in rows]),
            ),
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(visible=False, range=[-0.06, 1])
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(
        title=dict(
            text=_("Organisations: colour = kind; size = grant money received (USD)"),
            x=0,
            xanchor="left",
            font=dict(size=14),
        ),
        height=60 + 30 * len(rows),
        margin=dict(l=10, r=10, t=40, b=5),
        font=FONT,
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig
