"""Text from the data and the page address is shown as written, on every page, to an admin
and to a donor: never read as Markdown, HTML, LaTeX, a Streamlit directive or icon, never a
link nor an image fetched from elsewhere (docs/access.md, "Text from the data is shown as
written").

Every free text field of a copy of the sample database holds PAYLOAD, as do one indicator
code, one grant id and one milestone id, a share link's label and the page addresses. Each
element whose text Streamlit reads as Markdown is checked with the model of Streamlit 1.67's
Markdown in tests/unit/test_text.py; Vega-Lite charts for data in an expression (the one
place Vega reads text as code), and that no page draws a plotly chart (which reads tags,
entities and template fields in its texts, and which nothing here escapes for); the map's
deck for a tooltip that would read HTML; the map's legends (SVG images) for an element or
attribute that text of the payload would make.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from monitoring.access import sharing
from monitoring.db import Database
from tests.app.conftest import TEST_SECRET, no_exceptions
from tests.app.lazy_parts import DETAIL_TAB, EACH_REGION, REPORTING, SEX_AGE, open_tab
from tests.i18n_support import svg_images, vega_charts
from tests.unit.test_text import markdown_leaks
from ui import vega

PAYLOAD = (
    "Payload [link](http://evil.example/x) ![img](http://evil.example/p.png) <b>bold</b> "
    "<img src=x> <a href='http://evil.example/a'>a</a> :red[red] $x^2$ **strong** "
    ":material/home: :streamlit: :smile: www.evil.example -> &times; %{x|evil}"
)
CODE_PAYLOAD = "[c](http://evil.example/c)<i>c</i>"  # codes hold no spaces
INDICATOR = "OC1.2" + CODE_PAYLOAD  # a count of people, by sex and age group
GRANT = "G-01" + CODE_PAYLOAD
MILESTONE = "M-02" + CODE_PAYLOAD

TEXT_COLUMNS = {
    "regions": ("name_en", "name_uz", "name_ru"),
    "organisations": ("name", "district"),
    "indicators": ("title", "means_of_verification"),
    "indicator_values": ("comment", "source"),
    "grants": ("title", "purpose"),
    "transactions": ("description",),
    "budget": ("category",),
    "milestones": ("title", "audience", "outcome", "evidence_url"),
    "upload_batches": ("file_name", "uploaded_by"),
}
CODES = {  # (table, column, old, new)
    "indicator": [
        (t, "indicator_code", "OC1.2", INDICATOR)
        for t in ("indicators", "indicator_targets", "indicator_values", "milestones")
    ],
    "grant": [(t, "grant_id", "G-01", GRANT) for t in ("grants", "transactions")],
    "milestone": [("milestones", "milestone_id", "M-02", MILESTONE)],
}


@pytest.fixture(scope="module")
def sample_db_path(sample_db_path, tmp_path_factory):
    """The sample database with PAYLOAD in every free text field (overrides the shared one
    for the fixtures of this module: app_as, donor_app)."""
    path = tmp_path_factory.mktemp("payload") / "monitoring.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    try:
        with db.transaction() as cur:
            for table, columns in TEXT_COLUMNS.items():
                sets = ", ".join(f"{c} = coalesce({c}, '{c}') || ' ' || $p" for c in columns)
                cur.execute(f"update {table} set {sets}", {"p": PAYLOAD})  # noqa: S608
            for changes in CODES.values():
                for table, column, old, new in changes:
                    cur.execute(
                        f"update {table} set {column} = $new where {column} = $old",  # noqa: S608
                        {"new": new, "old": old},
                    )
    finally:
        db.close()
    return path


# Page addresses: every parameter a page reads, and one it does not, hold the payload.
BAD = {"as_of": PAYLOAD, PAYLOAD: PAYLOAD}
# Not a parameter: the tab of the indicator's detail to open (built only when opened).
OPEN_TAB = "detail tab"
RUNS = [
    ("views/overview.py", {}),
    ("views/overview.py", BAD),
    ("views/indicators.py", {}),
    ("views/indicators.py", {"indicator": INDICATOR}),
    ("views/indicators.py", {"indicator": INDICATOR, OPEN_TAB: EACH_REGION}),
    ("views/indicators.py", {"indicator": INDICATOR, OPEN_TAB: SEX_AGE}),
    ("views/indicators.py", {"indicator": INDICATOR, OPEN_TAB: REPORTING}),
    (
        "views/indicators.py",
        {"indicator": PAYLOAD, "regions": PAYLOAD, "from": PAYLOAD, "outcome": PAYLOAD, **BAD},
    ),
    ("views/map.py", {"indicator": INDICATOR, "region": "UZ-JI"}),
    (
        "views/map.py",
        {"indicator": PAYLOAD, "region": PAYLOAD, "period": PAYLOAD, "measure": PAYLOAD, **BAD},
    ),
    ("views/grants.py", {}),
    ("views/grants.py", {"region": PAYLOAD, "category": PAYLOAD, "currency": PAYLOAD, **BAD}),
    ("views/milestones.py", {}),
    ("views/milestones.py", {"stage": PAYLOAD, "level": PAYLOAD, "region": PAYLOAD, **BAD}),
    ("views/upload.py", {"table": PAYLOAD}),
    ("views/admin.py", {}),
]
DONOR_PAGES = ("overview", "indicators", "map", "grants", "milestones")


# What is read as Markdown --------------------------------------------------------------------
# Fields of an element's message that Streamlit shows as Markdown (st.text's and st.code's
# bodies, dataframe cells and the options of a selectbox or multiselect are plain text).
MARKDOWN_FIELDS = {"body", "label", "help", "delta", "captions", "text", "title"}
PLAIN_ELEMENTS = {"text": {"help"}, "code": set(), "json": set()}  # only these fields
SKIPPED = {"arrow_data_frame", "plotly_chart", "deck_gl_json_chart", "html", "exception"}
MARKDOWN_OPTIONS = {"radio", "button_group"}  # their options are Markdown too


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _strings(message, fields, path=""):
    """(field path, text) of every string in `fields` of a protobuf message, recursively."""
    for descriptor, value in message.ListFields():
        name = descriptor.name
        values = [value]
        if not isinstance(value, str | bytes) and not hasattr(value, "ListFields"):
            try:
                values = list(value)  # a repeated field
            except TypeError:
                pass
        for item in values:
            if isinstance(item, str):
                if name in fields:
                    yield f"{path}{name}", item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, fields, f"{path}{name}.")


def markdown_texts(at) -> list[tuple[str, str]]:
    """(where, text) of everything on the page that Streamlit reads as Markdown."""
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or node.type in SKIPPED:
            continue
        if hasattr(proto, "WhichOneof") and proto.DESCRIPTOR.name == "Block":
            kind = proto.WhichOneof("type")
            proto = getattr(proto, kind) if kind else None
            if proto is None or not hasattr(proto, "ListFields"):
                continue
        fields = PLAIN_ELEMENTS.get(node.type, MARKDOWN_FIELDS)
        if node.type in MARKDOWN_OPTIONS:
            fields = fields | {"options", "content"}
        found += [(f"{node.type}.{where}", text) for where, text in _strings(proto, fields)]
    return found


def figures(at) -> list[str]:
    return [chart.proto.spec for chart in at.get("plotly_chart")]


# What the map's legends (ui/map.py) are drawn with: any other element, or an attribute that
# runs or fetches something, would be text of the data read as markup.
SVG_ELEMENTS = {"svg", "defs", "pattern", "line", "rect", "circle", "text", "tspan"}


def drawings(at) -> list[ET.Element]:
    """The SVG images of the page (the map's legends), parsed."""
    return [root for image in at.get("image") for root in svg_images(image.proto)]


def svg_problems(root: ET.Element) -> list[str]:
    found = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag not in SVG_ELEMENTS:
            found.append(f"svg element {tag!r}")
        found += [
            f"svg attribute {name!r} of {tag!r}"
            for name in element.attrib
            if name.lower().startswith("on") or "href" in name.lower()
        ]
    return found


# Where Vega-Lite reads a text as code: an expression. Text from the data must never be in one.
VEGA_EXPRESSIONS = {"calculate", "test", "labelExpr", "filter", "expr", "signal"}


def vega_expressions(node) -> list[str]:
    if isinstance(node, dict):
        return [
            text
            for k, v in node.items()
            for text in ([v] if k in VEGA_EXPRESSIONS and isinstance(v, str) else [])
            + vega_expressions(v)
        ]
    if isinstance(node, list):
        return [text for v in node for text in vega_expressions(v)]
    return []


def decks(at) -> list[dict]:
    return [json.loads(chart.proto.json) for chart in at.get("deck_gl_json_chart")]


def problems(at) -> list[str]:
    """Every place where the page would interpret text of the payload."""
    found = [
        f"{where}: {', '.join(leaks)} in {text[:160]!r}"
        for where, text in markdown_texts(at)
        if (leaks := markdown_leaks(text))
    ]
    found += ["a plotly chart (its texts would be read as HTML)" for _spec in figures(at)]
    for spec, rows in vega_charts(at):
        found += [
            f"vega expression holds data: {expr!r}"
            for expr in vega_expressions(spec)
            if "evil" in expr or "Payload" in expr
        ]
        # Vega draws text as text: the payload shown is the payload as written, not escaped.
        found += [
            f"vega text changed: {value!r}"
            for row in rows
            for value in row.values()
            if isinstance(value, str) and "evil" in value and "&lt;" in value
        ]
    for root in drawings(at):
        found += svg_problems(root)
    for deck in decks(at):
        tooltip = deck.get("tooltip") or {}
        # Streamlit sets a `text` tooltip as innerText: the data is never read as HTML.
        if "html" in tooltip or "Payload" in json.dumps(tooltip):
            found.append(f"deck tooltip reads HTML or holds data: {tooltip}")
    return found


def open_page(at, page, params):
    params = dict(params)
    tab = params.pop(OPEN_TAB, None)
    for key, value in params.items():
        at.query_params[key] = value
    at = at.run()
    if page != "views/overview.py":
        at.switch_page(page).run()
    no_exceptions(at)
    return open_tab(at, DETAIL_TAB, tab) if tab else at


def test_the_payload_is_in_the_pages(app_as):
    """The checks below see the payload: it is on the pages, in every kind of element."""
    at = open_page(app_as("admin"), "views/map.py", {"indicator": INDICATOR, "region": "UZ-JI"})
    texts = " ".join(text for _, text in markdown_texts(at))
    assert "Payload" in texts
    # The indicator code in the colour legend's title, as text (XML-escaped), not markup.
    # The indicator code in the colour legend's title: the page's text, escaped as Markdown.
    assert any(t.startswith("**Colour") and "evil" in t for _, t in markdown_texts(at))
    assert any("Payload" in json.dumps(deck) for deck in decks(at))


@pytest.mark.parametrize(
    ("page", "params"),
    RUNS,
    ids=[f"{p}-{len(q)}" + (f"-{q[OPEN_TAB]}" if OPEN_TAB in q else "") for p, q in RUNS],
)
def test_an_admin_sees_the_text_as_written(app_as, page, params):
    at = open_page(app_as("admin"), page, params)
    assert at.title, "the page was shown"
    assert not problems(at)


def test_the_indicator_charts_show_the_data_as_written_and_as_data_only(app_as):
    """The indicator's Vega-Lite charts (ui/indicators.py): its code in the titles and the
    regions' names in the rows exactly as written (not escaped as for plotly), and neither
    in an expression."""
    at = open_page(app_as("admin"), "views/indicators.py", {"indicator": INDICATOR})
    charts = vega_charts(at)
    charts += vega_charts(open_tab(at, DETAIL_TAB, SEX_AGE))  # built when opened
    assert len(charts) == 4 and not figures(at)
    for spec, _ in charts:
        assert vega.title_of(spec).startswith(INDICATOR)
        assert not [e for e in vega_expressions(spec) if "evil" in e or "Payload" in e]
    _, regions = charts[1]
    names = {row["region"] for row in regions}
    assert any(name.endswith(PAYLOAD) for name in names), names
    assert all(PAYLOAD in row["tip"] for row in regions if row["tip"])  # the hover texts


def test_the_milestones_charts_draw_the_data_as_written(app_as):
    """Vega draws text as text: a milestone's id, title, audience and region and an
    indicator's code reach the timeline's rows exactly as typed (plotly's escaping, which
    Vega would show as "&lt;b&gt;", is not applied), and no expression holds them."""
    at = open_page(app_as("admin"), "views/milestones.py", {})
    charts = vega_charts(at)
    assert len(charts) == 2 and not figures(at), "the page's charts are Vega-Lite's"
    (spec, rows), _ = charts
    m02 = next(r for r in rows if r["title"] and r["title"].startswith(MILESTONE))
    assert m02["title"].endswith(" " + PAYLOAD)
    assert m02["row"].startswith(MILESTONE + " ")  # "ID short title", the id as written
    assert any(r["audience"] and r["audience"].endswith(PAYLOAD) for r in rows)
    assert any(r["region"] and r["region"].endswith(PAYLOAD) for r in rows)
    assert any(r["indicator"] and r["indicator"].startswith(INDICATOR + ": ") for r in rows)
    assert not [e for e in vega_expressions(spec) if "evil" in e or "Payload" in e]


def test_an_upload_shows_its_file_name_and_cells_as_written(app_as):
    at = open_page(app_as("admin"), "views/upload.py", {})
    row = "region_code,name_en\nUZ-JI,Jizzakh [x](http://evil.example/x) :red[r] $x^2$\n"
    name = "Payload [f](http://evil.example/f) :red[f] $x$.csv"
    at.get("file_uploader")[0].set_value((name, row.encode(), "text/csv")).run()
    no_exceptions(at)
    assert not problems(at)


def share_link(sample_db_path, regions) -> str:
    db = Database(sample_db_path)
    try:
        _, token = sharing.create_share_link(
            db, PAYLOAD[:120], "30d", regions=regions, by="tests", secret=TEST_SECRET
        )
    finally:
        db.close()
    return token


def test_the_reviewers_region_name_is_no_link_and_fetches_no_image(app_as, sample_db_path):
    """The case that was found: a donor's overview names the link's regions in a notice."""
    at = app_as(None)
    token = share_link(sample_db_path, ["UZ-JI"])
    at = open_page(at, "views/overview.py", {sharing.SHARE_PARAM: token})
    notice = next(i.value for i in at.info if "This shared view covers" in i.value)
    assert "Jizzakh Payload \\[link\\]\\(http\\:" in notice
    assert markdown_leaks(notice) == []


@pytest.mark.parametrize("regions", [None, ["UZ-JI"]], ids=["whole-programme", "one-region"])
@pytest.mark.parametrize("page", DONOR_PAGES)
def test_a_donor_sees_the_text_as_written(app_as, sample_db_path, page, regions):
    at = app_as(None)  # closes the shared databases: write the link after that
    params = {sharing.SHARE_PARAM: share_link(sample_db_path, regions)}
    if page == "indicators":
        params |= {"indicator": PAYLOAD, "regions": PAYLOAD, PAYLOAD: PAYLOAD}
    elif page == "map":
        params |= {"indicator": INDICATOR, "region": "UZ-JI"}
    elif page in ("grants", "milestones"):
        params |= {"region": PAYLOAD, PAYLOAD: PAYLOAD}
    at = open_page(at, f"views/{page}.py", params)
    assert at.title and at.title[0].value != "This link opens nothing"
    assert not problems(at)


def test_a_text_left_on_a_line_of_its_own_is_not_written():
    """Streamlit's magic is off (.streamlit/config.toml): an expression statement in a page's
    code, here the payload, reaches no page (with magic it was written as Markdown)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(f"import streamlit as st\n{PAYLOAD!r}\nst.text('shown')\n")
    at.run()
    assert [t.value for t in at.text] == ["shown"]
    assert not at.markdown
