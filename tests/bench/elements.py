"""What one kind of Streamlit element adds to a first load in Chromium, against the floor.

    python -m tests.bench.elements [--rounds 3] [--only plotly_1 dataframe]

Each case is a tiny script: the floor's one line (tests/bench/browser.py FLOOR_SCRIPT) and
one kind of element (a plotly chart, three, a table, an SVG image, a Vega-Lite chart, the
dashboard's sidebar widgets and metric cards, a chart in a closed expander or a tab not
shown, a tab built only when opened). Every script is served by its own `streamlit run`,
as the dashboard is (tests/e2e/conftest.py's `streamlit_server`: same folder, same
.streamlit/config.toml), and loaded as the browser benchmark loads pages: a new browser
context, then loads in it. The rounds go through every case in turn, so that the machine's
drift falls on all of them alike; medians over the rounds, in seconds, and as a ratio of
the floor's. Prints a table, and JSON with --json.

It answers "what would a page within 1.5x the floor be allowed to draw first?"
(docs/benchmarks.md, "In the browser").
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests.bench.browser import FLOOR_SCRIPT, loads, ratio, served_like_the_dashboard
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, streamlit_server

_BAR = 'go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])).update_layout(title="A title")'
_TABLE = 'pd.DataFrame({"a": range(20), "b": [str(i) for i in range(20)]})'


def _frame(pickers: str, page: str = "") -> str:
    """The dashboard's sidebar (its text, page links, reporting quarter, sign-out, language)
    with its two pickers as `pickers` says ("selects": select boxes, "buttons": pills and a
    segmented control), then `page`."""
    quarter, language = {
        "selects": (
            'st.selectbox("Reporting quarter", QUARTERS, index=5)',
            'st.selectbox("Language", LANGUAGES)',
        ),
        "buttons": (
            'st.pills("Reporting quarter", QUARTERS, default="2022Q2")',
            'st.segmented_control("Language", LANGUAGES, default="English")',
        ),
    }[pickers]
    return f"""import streamlit as st

QUARTERS = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
LANGUAGES = ["English", "Русский", "Oʻzbekcha"]
TABLES = ["(recognised)", "indicator_values", "grants"]
st.write("Hello")
with st.sidebar:
    st.markdown("**Programme**")
    st.caption("January 2021 – June 2022 · Donor")
    for name in ["Overview", "Indicators", "Map", "Grants", "Milestones"]:
        st.page_link(f"https://example.org/{{name.lower()}}", label=name)
    st.divider()
    {quarter}
    st.caption("Figures as of 30 June 2022.")
    st.divider()
    st.caption("Signed in as admin (administrator)")
    st.button("Sign out")
    {language}
{page}"""


_UPLOAD = """tabs = st.tabs(["Upload", "History", "Format"], key="t", on_change="rerun")
with tabs[0]:
    {table}
    st.file_uploader("File")
"""


CASES: dict[str, str] = {
    "floor": FLOOR_SCRIPT,
    "plotly_1": f"""import plotly.graph_objects as go
import streamlit as st

st.write("Hello")
st.plotly_chart({_BAR}, width="stretch")
""",
    "plotly_3": f"""import plotly.graph_objects as go
import streamlit as st

st.write("Hello")
for i in range(3):
    st.plotly_chart({_BAR}, width="stretch", key=f"chart-{{i}}")
""",
    "dataframe": f"""import pandas as pd
import streamlit as st

st.write("Hello")
st.dataframe({_TABLE})
""",
    "table": f"""import pandas as pd
import streamlit as st

st.write("Hello")
st.table({_TABLE})
""",
    "svg_image": """import streamlit as st

st.write("Hello")
st.image(
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
    '<rect x="10" y="10" width="50" height="150" fill="#0072B2"/>'
    '<text x="10" y="190">a</text></svg>'
)
""",
    "vega_lite": """import streamlit as st

st.write("Hello")
st.vega_lite_chart(
    {
        "title": "A title",
        "data": {"values": [{"x": "a", "y": 1}, {"x": "b", "y": 3}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "x", "type": "nominal"},
            "y": {"field": "y", "type": "quantitative"},
        },
    },
    width="stretch",
)
""",
    "sidebar_metrics": """import streamlit as st

st.write("Hello")
with st.sidebar:
    st.selectbox("Language", ["en", "ru", "uz"])
    st.selectbox("Reporting quarter", ["2021Q1", "2022Q2"])
for i, column in enumerate(st.columns(4)):
    column.metric(f"Metric {i}", i)
st.download_button("Download", b"a,b", file_name="a.csv")
""",
    # The frame's parts one at a time: which of them costs the first load most.
    "sidebar_text": """import streamlit as st

st.write("Hello")
with st.sidebar:
    st.markdown("**Programme**")
    st.caption("January 2021 – June 2022 · Donor")
""",
    "selectbox": """import streamlit as st

st.write("Hello")
st.selectbox("Reporting quarter", ["2021Q1", "2022Q2"])
""",
    "metrics": """import streamlit as st

st.write("Hello")
for i, column in enumerate(st.columns(4)):
    column.metric(f"Metric {i}", i)
""",
    "download_button": """import streamlit as st

st.write("Hello")
st.download_button("Download", b"a,b", file_name="a.csv")
""",
    "button": """import streamlit as st

st.write("Hello")
st.button("Sign out")
""",
    "radio": """import streamlit as st

st.write("Hello")
st.radio("Language", ["English", "Русский", "Oʻzbekcha"], horizontal=True)
""",
    "segmented_control": """import streamlit as st

st.write("Hello")
st.segmented_control("Language", ["English", "Русский", "Oʻzbekcha"], default="English")
""",
    "pills": """import streamlit as st

st.write("Hello")
st.pills("Language", ["English", "Русский", "Oʻzbekcha"], default="English")
""",
    "select_slider": """import streamlit as st

st.write("Hello")
st.select_slider("Reporting quarter", ["2021Q1", "2021Q2", "2021Q3", "2022Q2"], value="2022Q2")
""",
    "plotly_in_closed_expander": f"""import plotly.graph_objects as go
import streamlit as st

st.write("Hello")
with st.expander("Chart"):
    st.plotly_chart({_BAR}, width="stretch")
""",
    "plotly_in_hidden_tab": f"""import plotly.graph_objects as go
import streamlit as st

st.write("Hello")
table, chart = st.tabs(["Table", "Chart"])
table.write("x")
chart.plotly_chart({_BAR}, width="stretch")
""",
    "plotly_in_lazy_tab": f"""import plotly.graph_objects as go
import streamlit as st

st.write("Hello")
table, chart = st.tabs(["Table", "Chart"], key="tab", on_change="rerun")
table.write("x")
if chart.open:
    chart.plotly_chart({_BAR}, width="stretch")
""",
}
# The dashboard's frame with its pickers as select boxes or as buttons in a row, alone and
# with the upload page's parts.
CASES |= {
    "frame_selects": _frame("selects"),
    "frame_buttons": _frame("buttons"),
    "upload_selects": _frame("selects", _UPLOAD.format(table='st.selectbox("Table", TABLES)')),
    "upload_buttons": _frame(
        "buttons", _UPLOAD.format(table='st.segmented_control("Table", TABLES, default=TABLES[0])')
    ),
}


def measure(rounds: int, only: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    names = ["floor", *[n for n in CASES if n != "floor" and (not only or n in only)]]
    seen: dict[str, list[tuple[float | None, float | None]]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory(prefix="bench-elements-") as folder, ExitStack() as stack:
        bases = {}
        for name in names:
            script = served_like_the_dashboard(Path(folder), name, CASES[name])
            bases[name] = stack.enter_context(
                streamlit_server(
                    Path(folder) / "unused.duckdb",
                    Path(folder) / f"{name}.log",
                    script=str(script),
                )
            )
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for base in bases.values():
                loads(browser, f"{base}/", 1)  # each server's first imports
            for _ in range(rounds):
                for name, base in bases.items():
                    r = loads(browser, f"{base}/", 3)
                    seen[name].append((r["cold_s"], r["warm_s"]))
        finally:
            browser.close()

    def median(values):
        values = [v for v in values if v is not None]
        return round(statistics.median(values), 2) if values else None

    result = {
        n: {"cold_s": median(c for c, _ in v), "warm_s": median(w for _, w in v)}
        for n, v in seen.items()
    }
    floor = result["floor"]
    for r in result.values():
        r["cold_over_floor"] = ratio(r["cold_s"], floor["cold_s"])
        r["warm_over_floor"] = ratio(r["warm_s"], floor["warm_s"])
    return {"rounds": rounds, "cases": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help=f"cases (default all): {', '.join(CASES)}")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    unknown = set(args.only or ()) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}")
    measured = measure(args.rounds, args.only)
    if args.json:
        print(json.dumps(measured))
        return 0
    print(f"{'case':<28} first load  again | ÷ floor: first  again   (medians of {args.rounds})")
    for name, r in measured["cases"].items():
        print(
            f"{name:<28} {r['cold_s']:>10} {r['warm_s']:>6} |"
            f" {r['cold_over_floor']:>14} {r['warm_over_floor']:>6}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
