"""ui/text.py: text from the data shown exactly as written, in Markdown.

`plain()` is checked against a CommonMark parser (markdown-it-py, which Streamlit installs
through rich) and against `markdown_leaks`, a model of what Streamlit 1.67's Markdown does
beyond CommonMark: it was read from its frontend (static/js/StreamlitMarkdown.*.js:
remark-gfm's web and e-mail autolinks, remark-math, remark-directive with the colour, badge,
small, help … directives, and replacements in the text after escapes are resolved:
`:material/…:` icons, `:streamlit:`, emoji shortcodes, typographic arrows). The same
payloads were also rendered in headless Chromium, in every Markdown element and tooltip:
no link, image, LaTeX, colour or icon, the text as written, and nothing fetched.
"""

from __future__ import annotations

import html
import random
import re
import string

import pytest

from ui.text import JOINER, code, css_string, plain, plain_join, quoted

PUNCTUATION = set(string.punctuation)  # ASCII punctuation: what CommonMark lets one escape

PAYLOADS = [
    "Jizzakh [verify your link](http://evil.example/x) ![x](http://evil.example/px.png)",
    "Payload [link](http://evil.example/x) ![img](http://evil.example/p.png) <b>bold</b> "
    "<img src=x> :red[red] $x^2$ **strong**",
    ":material/home: :material_home: :streamlit: :smile: :+1: :red-badge[x] :small[s] "
    ':help[tip] :color[c]{foreground="red"} :rainbow[r] :blue-background[b]',
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "www.evil.example http://evil.example https://evil.example/p?q=1 mailto:a@evil.example "
    "a@evil.example xmpp:a@evil.example WWW.EVIL.EXAMPLE",
    "# heading",
    "> quote",
    "- item",
    "+ item",
    "* item",
    "1. item",
    "1) item",
    "| a | b |",
    "~~strike~~ ~one~",
    "`code` ``double``",
    "<https://evil.example/auto>",
    "[ref]: http://evil.example/ref",
    "\\*not\\* a backslash \\",
    "&amp; &lt; &#60; &copy; &times;",
    "$$x$$ and $5 and $10 $x^2$",
    "footnote[^1] _em_ __strong__ *em* ***both***",
    "line1\nline2   Tab\tseparated",
    "Unicode Джизак viloyati 100% ↔",
    "<!-- c --> <script>alert(1)</script> javascript:alert(1)",
    "![](http://evil.example/e.png)",
    "[x][y] [y]",
    "OC1.2](http://evil.example/c)",
    "===",
    "***",
    "\\$x\\$",
    "<b>bold</b> <i>it</i> <a href='http://evil.example/a'>a</a>",
]


# A model of Streamlit 1.67's Markdown ----------------------------------------------------------
_HAS_EMOJI = re.compile(r":(?!material\/|streamlit:)[\w+-][\w_+-]*:")  # loads remark-emoji
_SYNTAX_LEAKS = {  # unescaped Markdown, HTML, LaTeX or directives of the payloads
    "link": "](",
    "image": "![",
    "tag": re.compile(r"<\s*/?\s*(img|b|i|a|script)\b"),
    "directive": re.compile(r":(red|small|help|color|rainbow|[a-z]+-badge|[a-z]+-background)\["),
    "LaTeX": re.compile(r"\$x\^2\$|\$\$"),
    "emphasis": re.compile(r"\*\*strong|\*em\*|_em_|~~strike"),
    "entity": re.compile(r"&(times|amp|lt|#60|copy);"),
    "code": re.compile(r"`code`"),
}
_TEXT_LEAKS = {  # what Streamlit replaces in the text after escapes are resolved
    "web address": re.compile(r"(?i)(https?://|mailto:|xmpp:|www\.)[\w.@/-]*evil"),
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.\w"),
    "icon": re.compile(r":material_\w+:"),
    "logo": ":streamlit:",
    "arrow": re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
}


def _code_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) of each code span, as CommonMark finds them: a backtick run opens one
    unless escaped, the next run of the same length closes it; nothing inside is read."""
    spans, i = [], 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source) and source[i + 1] in PUNCTUATION:
            i += 2
            continue
        if source[i] != "`":
            i += 1
            continue
        run = re.match("`+", source[i:]).group()
        close = next(
            (m for m in re.finditer("`+", source[i + len(run) :]) if m.group() == run), None
        )
        if close is None:
            i += len(run)
            continue
        end = i + len(run) + close.end()
        spans.append((i, end))
        i = end
    return spans


def _views(body: str) -> tuple[str, str, list[str]]:
    """(syntax, text, code): the source as Streamlit parses it, with escaped characters and
    code spans masked; the text with escapes resolved, as the replacements after parsing see
    it (code spans masked); and the code spans' contents."""
    source = body.replace(":material/", ":material_")  # Streamlit does this first
    spans = _code_spans(source)
    code = [body[a:b] for a, b in spans]  # the rewrite above keeps every position
    inside = {i for a, b in spans for i in range(a, b)}
    syntax, text, i = [], [], 0
    while i < len(source):
        if i in inside:
            syntax.append("\0")
            text.append("\0")
            i += 1
        elif source[i] == "\\" and i + 1 < len(source) and source[i + 1] in PUNCTUATION:
            syntax.append("\0")
            text.append(source[i + 1])
            i += 2
        else:
            syntax.append(source[i])
            text.append(source[i])
            i += 1
    return "".join(syntax), "".join(text), code


def _found(pattern, text: str) -> bool:
    return pattern in text if isinstance(pattern, str) else bool(pattern.search(text))


def markdown_leaks(body: str) -> list[str]:
    """What Streamlit 1.67 would interpret, of the payloads, in a Markdown `body`."""
    syntax, text, code = _views(body)
    leaks = [name for name, pattern in _SYNTAX_LEAKS.items() if _found(pattern, syntax)]
    leaks += [name for name, pattern in _TEXT_LEAKS.items() if _found(pattern, text)]
    if any(":material/" in span for span in code):  # rewritten even in code: not as written
        leaks.append("icon name in code")
    if _HAS_EMOJI.search(body) and re.search(r":(smile|\+1):", text):
        leaks.append("emoji")
    return leaks


def test_the_model_sees_every_payload_interpreted_when_not_escaped():
    for payload in PAYLOADS[:5]:
        assert markdown_leaks(payload), payload


# plain ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_streamlit_interprets_nothing_of_plain_text(payload):
    assert markdown_leaks(plain(payload)) == []
    assert markdown_leaks(f"**Ours:** {plain(payload)} · {quoted(payload, 1000)}") == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_commonmark_shows_plain_text_as_written(payload):
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = md.render(plain(payload)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered
    inner = rendered[3:-4]
    assert "<" not in inner, inner  # no element: a, img, em, strong, code, s, …
    assert html.unescape(inner).replace(JOINER, "") == " ".join(payload.split())


def test_random_punctuation_is_shown_as_written():
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    alphabet = string.punctuation + "ab1 w:/"
    rng = random.Random(20261118)
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))).strip() or "x"
        rendered = md.render(plain(text)).strip()
        assert rendered.startswith("<p>") and "<" not in rendered[3:-4], (text, rendered)
        assert html.unescape(rendered[3:-4]).replace(JOINER, "") == " ".join(text.split())
        assert markdown_leaks(plain(text)) == [], text


def test_plain_text_is_one_line_and_can_be_shortened():
    assert plain("two\nlines  and\ttabs") == "two lines and tabs"
    assert plain("Tashkent region", limit=8) == "Tashkent…"
    assert plain(12.5) == "12\\.5"
    assert quoted("Namangan") == "“Namangan”"
    assert quoted("x" * 50).replace("“", "").replace("”", "") == "x" * 40 + "…"
    assert plain_join(["a*b", "c_d"]) == "a\\*b, c\\_d"


def test_plain_text_without_markdown_characters_is_unchanged():
    for text in ("Jizzakh", "Tashkent region", "Джизакская область"):
        assert plain(text) == text


# code ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [*PAYLOADS, "a`b", "`x`", "x```y", "``"])
def test_code_shows_the_text_as_written(payload):
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark")
    shown = code(payload)
    assert markdown_leaks(f"The address asks for {shown}, ignored.") == []
    rendered = md.render(f"Value {shown} end").strip()
    match = re.fullmatch(r"<p>Value <code>(.*)</code> end</p>", rendered, flags=re.S)
    assert match, rendered
    assert html.unescape(match.group(1)).replace(JOINER, "") == " ".join(payload.split())


def test_code_is_shortened_and_fenced():
    assert code("EUR") == "`EUR`"
    assert code("x" * 50, limit=40) == "`" + "x" * 40 + "…`"
    assert code("a`b") == "``a`b``"


@pytest.mark.parametrize(
    "words", ["Выбрать файл", 'a "quote"', "back\\slash", "</style><script>x()</script>", "a;b}"]
)
def test_css_string_holds_any_words_and_nothing_escapes_it(words):
    css = css_string(words)
    assert css.startswith('"') and css.endswith('"')
    assert not set(css[1:-1]) & set('"<>;{}')
    # CSS reads each escape back: the hexadecimal code point, then one space it swallows.
    read = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), css[1:-1])
    assert read == words
