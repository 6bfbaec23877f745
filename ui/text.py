"""Text from the data, the page address or a person, shown exactly as written.

Nearly every Streamlit element that shows text reads it as Markdown: st.markdown (with or
without unsafe_allow_html), st.caption, st.title/header/subheader, st.info/warning/error/
success, metric labels, values and deltas, expander and tab labels, button, link and radio
labels, and every `help=` tooltip. Besides GitHub Markdown (links, images, emphasis, code,
tables, autolinked web and e-mail addresses) Streamlit reads `$…$` as LaTeX, `:red[…]`,
`:small[…]`, `:help[…]` … as directives, and replaces `:material/…:` icons, `:streamlit:`,
emoji shortcodes and `->`, `--`, `<=` … in the text itself, after escapes are resolved.

Text from uploads and the address goes into such elements only through `plain()`.
Elements that interpret nothing need nothing: st.text, st.code, dataframe cells, the options
of a selectbox or multiselect, and the Vega-Lite charts (ui/vega.py: Vega draws every text
as text; data goes into a chart's rows only, never into an expression). The map's tooltips
are pydeck's `text` tooltips (innerText): their text is never read as HTML, so it is not
escaped either.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets each be escaped with a backslash, and
# an escaped character is always shown as itself (never a link, emphasis, tag, directive,
# LaTeX delimiter, table cell or list marker).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# U+2060 WORD JOINER: invisible, no line break. Streamlit replaces some patterns in the text
# after the escapes above are resolved (icons, emoji, the logo, typographic arrows, web and
# e-mail addresses turned into links); a joiner inside each pattern keeps it from matching.
JOINER = "\u2060"
_JOINS = (
    re.compile(r"(\\[:@])"),  # :material_x:, :smile:, :streamlit:, http://, mailto:, a@b.org
    re.compile(r"(?i)(www)(?=\\\.)"),  # www.example.org
    re.compile(r"(\\[<>~-])(?=\\[<>=-])"),  # -> <- <-> -- >= <= ~=
)


def plain(text, limit: int | None = None) -> str:
    """`text` on one line, escaped for any element that reads Markdown, so that it shows
    exactly as written: no link, image, tag, emphasis, LaTeX, colour, icon or emoji.

    `limit`: at most this many characters of the text, then "…". Put the result in running
    text, never inside a code span or a link (a backslash would show there).
    """
    one_line = " ".join(str(text).split())
    if limit is not None and len(one_line) > limit:
        one_line = one_line[:limit] + "…"
    escaped = _PUNCTUATION.sub(r"\\\1", one_line)
    for pattern in _JOINS:
        escaped = pattern.sub(r"\1" + JOINER, escaped)
    return escaped


def quoted(value, limit: int = 40) -> str:
    """A value from the page address, shortened and between quotes, for a notice."""
    return "“" + plain(value, limit) + "”"


def code(text, limit: int | None = None) -> str:
    """`text` as inline code, exactly as written (a value from the address, a user name).

    Nothing inside a code span is read as Markdown; the fence is longer than any run of
    backticks in the text. Streamlit rewrites `:material/` even there: a joiner keeps it.
    """
    one_line = " ".join(str(text).split())
    if limit is not None and len(one_line) > limit:
        one_line = one_line[:limit] + "…"
    one_line = one_line.replace(":material/", ":" + JOINER + "material/")
    fence = "`" * (max((len(run) for run in re.findall("`+", one_line)), default=0) + 1)
    pad = " " if not one_line or one_line[0] == "`" or one_line[-1] == "`" else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def plain_join(values, sep: str = ", ") -> str:
    """Several texts from the data, each escaped, joined by `sep` (ours, not escaped)."""
    return sep.join(plain(v) for v in values)


def css_string(text: str) -> str:
    """`text` as a CSS string (for `content:`), every character but letters, digits and
    spaces written as a hexadecimal escape: no quote, backslash or `</style>` can end it."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
