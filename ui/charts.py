"""What the charts of several pages share: titles and labels wrapped into lines (the
Vega-Lite charts, ui/vega.py; the map's SVG legends, ui/map.py)."""

from __future__ import annotations

import textwrap


def lines(text: str, width: int) -> list[str]:
    """A text broken into lines of about `width` characters at spaces, never inside a word
    (at least one line, empty for an empty text)."""
    return textwrap.wrap(text, width, break_long_words=False) or [""]
