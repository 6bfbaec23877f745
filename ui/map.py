"""The regional map's Streamlit side: the pydeck deck, its legends, and URL-kept choices."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

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
from ui import charts
from ui.common import unknown_param_notice

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
    # Without a basemap, map_style is left at pydeck's default: with no provider, its JSON
    # then says "no style" ("__MAP_STYLE__"), and Streamlit draws no basemap. map_style=None
    # would mean "the theme's basemap": Streamlit would fetch CARTO's style from the internet
    # on every load (each viewer's address to a third party, the basemap shown although
    # switched off) and start its map renderer (0.4-0.6 s of a first load where WebGL is drawn
    # in software). docs/map.md.
    style = {"map_provider": "carto", "map_style": "light"} if basemap else {"map_provider": None}
    return CompactDeck(
        layers=layers,
        initial_view_state=pdk.ViewState(**data.view),
        **style,
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


# The legends' swatches and circles are drawn as SVG images (st.image), not plotly figures:
# they have nothing to hover or zoom, and without them the map page loads no plotly at all
# (its script is 4.7 MB, about a second of a first load in the browser: docs/benchmarks.md).
# Each legend's title, which says what the colour or the circles show and in which unit, is
# the page's own text above the image (scale_title, organisations_title). ElementTree writes
# the SVG, so every word in it is escaped as XML text, never read as markup; an image runs
# nothing.
LEGEND_WIDTH = 360  # px: the legend's width on the page
# Quoted: an unquoted "Source Sans 3" makes the whole list invalid (a name word may not start
# with a digit), and the browser falls back to a serif type.
_LEGEND_FONT = "'Source Sans Pro', 'Source Sans 3', 'Helvetica Neue', Arial, sans-serif"
_LINE = 18  # px between the lines of a wrapped title or label
_TEXT_COLOUR = "#31333F"


def _svg(height: float, defs: list[ET.Element] | None = None) -> ET.Element:
    root = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=str(LEGEND_WIDTH),
        height=str(round(height)),
        viewBox=f"0 0 {LEGEND_WIDTH} {round(height)}",
    )
    if defs:
        ET.SubElement(root, "defs").extend(defs)
    return root


def _text(parent: ET.Element, x: float, y: float, lines: list[str], **style) -> None:
    """Lines of text from (x, y), the first line's middle at y."""
    attributes = {"font-family": _LEGEND_FONT, "font-size": "14", "dominant-baseline": "central"}
    attributes.update(style)
    element = ET.SubElement(parent, "text", x=str(x), y=str(y), fill=_TEXT_COLOUR, **attributes)
    for i, line in enumerate(lines):
        span = ET.SubElement(element, "tspan", x=str(x), dy="0" if i == 0 else str(_LINE))
        span.text = line


def scale_title(scale: ColourScale) -> str:
    """What the map's colour shows, and in which unit: the colour legend's title."""
    return _("Colour: {scale}").format(scale=scale.title)


def organisations_title() -> str:
    """What the map's circles show: the organisations legend's title."""
    return _("Organisations: colour = kind; size = grant money received (USD)")


def _encoded(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def scale_legend(scale: ColourScale, hatched_label: str) -> str:
    """The choropleth's steps as an SVG image, top = highest, with the hatched swatch below
    (the map's no-data hatching): every step in words beside its colour (its title:
    scale_title)."""
    rows = [*zip(reversed(scale.labels), reversed(scale.colours), strict=True)]
    rows.append((hatched_label, NO_DATA_FILL))
    hatch = ET.Element(
        "pattern", id="hatch", width="6", height="6", patternUnits="userSpaceOnUse",
        patternTransform="rotate(45)",
    )  # fmt: skip
    ET.SubElement(hatch, "line", x1="0", y1="0", x2="0", y2="6", stroke=HATCH_COLOUR)
    wrapped = [charts.lines(label, 40) for label, _colour in rows]
    steps = [max(28, _LINE * len(lines) + 10) for lines in wrapped]  # a swatch is 20 px high
    root = _svg(sum(steps) + 4, [hatch])
    y = 2
    for (_label, colour), lines, step in zip(rows, wrapped, steps, strict=True):
        box = dict(x="2", y=str(y), width="34", height="20", stroke="#555555")
        ET.SubElement(root, "rect", fill=colour, **box)
        if colour == NO_DATA_FILL:
            ET.SubElement(root, "rect", fill="url(#hatch)", **box)
        _text(root, 46, y + 10, lines)
        y += step
    return _encoded(root)


def organisation_legend(kinds: Sequence[str], largest_usd: float) -> str:
    """What the map's circles mean, as an SVG image: colour = kind of organisation, size =
    grant money received (USD), a ringed circle = drawn at its region's centre (its title:
    organisations_title)."""
    sizes = [0.0, largest_usd / 4, largest_usd] if largest_usd > 0 else [0.0]
    rows = [(KINDS[k].label, 7.0, KINDS[k].colour, "white", 1.5) for k in KINDS if k in kinds]
    rows.append(
        (_("At its region's centre (no coordinates, or not shared)"), 7.0, "white", "#555555", 3)
    )
    for usd in sizes:
        share = (usd / largest_usd) ** 0.5 if largest_usd > 0 else 0.0
        radius = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * share
        received = _("{money} received").format(money=i18n.money(usd, "USD"))
        rows.append((received, radius, "#bbbbbb", "#555555", 1))
    centre = max(MAX_RADIUS_PX, 7.0) + 4  # the circles' column, as wide as the largest
    wrapped = [charts.lines(label, 40) for label, *_rest in rows]
    steps = [
        max(2 * row[1] + 6, _LINE * len(lines) + 8)
        for row, lines in zip(rows, wrapped, strict=True)
    ]
    root = _svg(sum(steps) + 4)
    y = 2
    for row, lines, step in zip(rows, wrapped, steps, strict=True):
        _label, radius, fill, line, line_width = row
        middle = y + step / 2
        ET.SubElement(
            root, "circle", cx=str(centre), cy=str(middle), r=str(radius), fill=fill,
            stroke=line, **{"stroke-width": str(line_width)},
        )  # fmt: skip
        _text(root, 2 * centre + 6, middle - _LINE * (len(lines) - 1) / 2, lines)
        y += step
    return _encoded(root)
