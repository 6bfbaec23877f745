"""What the plotly figures of several pages share (graph_objects, not express: ~2 ms a
figure, not ~30). The overview's charts are Vega-Lite (ui/vega.py)."""

from __future__ import annotations

import textwrap

FONT = dict(family="Source Sans Pro, sans-serif", size=13)


def lines(text: str, width: int) -> list[str]:
    """A text broken into lines of about `width` characters at spaces, never inside a word
    (at least one line, empty for an empty text)."""
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def wrapped(text: str, width: int) -> str:
    """A label broken into lines of about `width` characters at spaces (plotly does not
    wrap; a Russian or Uzbek label is often half as long again as the English one)."""
    return "<br>".join(lines(text, width)) if text else text


def chart_title(text: str) -> dict:
    """A chart's title at its top left. Placed from the top of the chart with a pad, not at
    a share of its height: plotly puts a title of two lines (Russian, Uzbek) above that
    share, and its first line was cut off at the top."""
    return dict(
        text=text, x=0, xanchor="left", yref="container", y=1, yanchor="top",
        pad=dict(t=10), font=dict(size=15),
    )  # fmt: skip


TITLE_LINE = 20  # pixels a line of a chart's title takes (15 px type)


def wrapped_title(text: str, width: int) -> tuple[dict, int]:
    """A chart's title wrapped at `width` characters (chart_title), and the pixels its lines
    past the first take: the chart grows by them, so that its plot keeps its height."""
    text = wrapped(text, width)
    return chart_title(text), TITLE_LINE * text.count("<br>")
