"""What the plotly figures of several pages share (graph_objects, not express: ~2 ms a
figure, not ~30). The overview's and the grants page's charts are Vega-Lite
(ui/vega.py)."""

from __future__ import annotations

import textwrap

FONT = dict(family="Source Sans Pro, sans-serif", size=13)


def lines(text: str, width: int) -> list[str]:
    """A text broken into lines of about `width` characters at spaces, never inside a word
    (at least one line, empty for an empty text)."""
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def chart_title(text: str) -> dict:
    """A chart's title at its top left. Placed from the top of the chart with a pad, not at
    a share of its height: plotly puts a title of two lines (Russian, Uzbek) above that
    share, and its first line was cut off at the top."""
    return dict(
        text=text, x=0, xanchor="left", yref="container", y=1, yanchor="top",
        pad=dict(t=10), font=dict(size=15),
    )  # fmt: skip
