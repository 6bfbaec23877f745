"""Finding words a page left in English (docs/translations.md, "Checking a page").

`shown_texts(at)` gathers every text an AppTest's main area and sidebar show: titles,
Markdown, captions, notices, labels, options, help texts, metric values, table headers and
cells, the words of Vega-Lite charts (titles, axis titles, and every text of the rows they
draw: labels, legend entries, tooltips) and of the SVG legends the map page draws.
`untranslated(texts, lang, allowed)` returns the ones that hold an English word: a word of
the dashboard's English texts (every string in its code, marked for translation or not) that
the language's own translations never use, once data (`data_texts`: every text in the
database, shown as written when it has no translation), codes and currency names are taken
out.
"""

from __future__ import annotations

import ast
import base64
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

import pyarrow as pa
from babel.messages.pofile import read_po
from google.protobuf.json_format import MessageToDict

from monitoring import i18n
from monitoring.db import open_database

ROOT = Path(__file__).resolve().parent.parent

# Words that are the same in every language here: codes, currencies, file formats,
# programme acronyms, units.
ALLOWED = {
    "USD", "UZS", "EUR", "CSV", "XLSX", "PDF", "IATI", "IPTT", "XML", "CSWG", "CSWGs",
    "UTC", "URL", "OIDC", "HTTPS", "ID", "OK", "KPI", "Excel", "DuckDB", "PostgreSQL",
    "Streamlit", "Typst", "TolaData", "USAID", "DHIS2", "English", "Русский", "Oʻzbekcha",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'ʻ’]{2,}")
# Plotly's hover-template fields and tags, Markdown emphasis: not words.
_MARKUP = re.compile(r"%\{[^}]*\}|</?(extra|b|i|br)\s*/?>|:material/[a-z_]+:")
_TOKEN = re.compile(r"\S*\d\S*[A-Za-z]\S{18,}|\S{40,}")  # share tokens, hashes, ids
_URL = re.compile(r"^(/|https?://)\S*$")  # a link's address, not words
_BRACES = re.compile(r"\{[^{}]*\}")
_SKIP_KEYS = {
    "id", "key", "formId", "icon", "url", "src", "arrowData", "data", "spec", "json",
    "type", "format", "mimeType", "fragmentId", "deltaPath", "width", "height", "theme",
    "useContainerWidth", "selectionMode", "color", "pageScriptHash", "page", "fileName",
    "queryParamKey", "deferredFileId",  # a bound widget's parameter, a download's file id
}  # fmt: skip
_VEGA_TEXT_KEYS = {"text", "title"}  # a title's or mark's words (a field's name is "field")


def _proto_strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            _proto_strings(v, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in _SKIP_KEYS:
                _proto_strings(v, out)


_SVG = "http://www.w3.org/2000/svg"
_SVG_URL = "data:image/svg+xml;base64,"


def svg_images(proto) -> list[ElementTree.Element]:
    """The SVG drawings of an image element (st.image of SVG text: the map's legends), parsed;
    other images are left out."""
    return [
        ElementTree.fromstring(base64.b64decode(image.url[len(_SVG_URL) :]))
        for image in proto.imgs
        if image.url.startswith(_SVG_URL)
    ]


def svg_texts(root: ElementTree.Element) -> list[str]:
    """The words of each text of an SVG drawing, top to bottom, its wrapped lines joined."""
    return [" ".join(t.itertext()) for t in root.iter(f"{{{_SVG}}}text")]


def svg_has(root: ElementTree.Element, shape: str) -> bool:
    """Whether an SVG drawing holds an element `shape` (rect, circle, ...)."""
    return root.find(f".//{{{_SVG}}}{shape}") is not None


_VEGA_SKIPPED = {"data"}  # a layer's own rows: constants of the chart, not words


def _chart_strings(
    node, out: list[str], words: set[str], skipped: set[str], key: str | None = None
) -> None:
    """The strings under the keys `words` of a chart's specification, not looking under the
    keys `skipped` (its data)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in skipped:
                _chart_strings(v, out, words, skipped, k)
    elif isinstance(node, list):
        for v in node:
            _chart_strings(v, out, words, skipped, key)
    elif isinstance(node, str) and key in words:
        out.append(node)


def vega_rows(proto) -> list[dict]:
    """The rows a Vega-Lite chart draws (Streamlit sends its data as Arrow)."""
    if not proto.data.data:
        return []
    return pa.ipc.open_stream(proto.data.data).read_all().to_pylist()


def vega_charts(at) -> list[tuple[dict, list[dict]]]:
    """Each Vega-Lite chart of the page: its specification and the rows it draws."""
    return [(json.loads(c.proto.spec), vega_rows(c.proto)) for c in at.get("vega_lite_chart")]


def _box_words(proto) -> list[str]:
    """What Streamlit's own frontend writes, in English, in a choice box given no
    placeholder: "No options to select" when it has no options, "Choose an option" (or
    "Choose options") when nothing is chosen. A person reads them as the page's words."""
    kind = proto.DESCRIPTOR.name
    if kind not in ("Selectbox", "MultiSelect") or proto.placeholder:
        return []
    if not proto.options:
        return ["No options to select"]
    if kind == "MultiSelect":
        return ["Choose options"]
    return [] if proto.HasField("default") else ["Choose an option"]


def shown_texts(at) -> list[str]:
    """Every text the AppTest's main area and sidebar show."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        children = getattr(node, "children", None)
        if type(node).__name__ == "Dataframe":  # headers and text cells, as shown
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            for column in frame.columns:
                out.extend(
                    v for v in frame[column].tolist() if isinstance(v, str) and not _URL.match(v)
                )
            for config in json.loads(proto.columns or "{}").values():  # headers' help, labels
                if isinstance(config, dict):
                    out.extend(
                        str(config[k]) for k in ("help", "label") if isinstance(config.get(k), str)
                    )
        elif proto is not None and hasattr(proto, "DESCRIPTOR"):
            if proto.DESCRIPTOR.name == "VegaLiteChart":  # titles, and the rows' texts
                spec = json.loads(proto.spec or "{}")
                _chart_strings(spec, out, _VEGA_TEXT_KEYS, _VEGA_SKIPPED)
                out.extend(
                    v for row in vega_rows(proto) for v in row.values() if isinstance(v, str)
                )
            elif proto.DESCRIPTOR.name == "ImageList":
                for root in svg_images(proto):  # the map's legends
                    out.extend(svg_texts(root))
            else:
                _proto_strings(MessageToDict(proto), out)
                out.extend(_box_words(proto))
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at.main)
    walk(at.sidebar)
    return [t for t in out if t.strip()]


@functools.cache
def _translated_words(lang: str) -> frozenset[str]:
    words: set[str] = set()
    for path in i18n.catalogue_files(lang):
        with path.open("rb") as f:
            for message in read_po(f):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                for s in strings:  # placeholders ({programme}) are not words of the language
                    words.update(w.lower() for w in _WORD.findall(_BRACES.sub(" ", s or "")))
    return frozenset(words)


@functools.cache
def _source_words() -> frozenset[str]:
    """Words of every string in the dashboard's code: what it could show in English, whether
    marked for translation or not (a text left unmarked is caught too)."""
    words: set[str] = set()
    for folder in ("views", "ui", "monitoring"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "i18n.py":  # its examples are Russian and Uzbek words
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    words.update(w.lower() for w in _WORD.findall(node.value))
    words.update(w.lower() for w in _WORD.findall((ROOT / "dashboard.py").read_text()))
    return frozenset(words)


@functools.cache
def english_words(lang: str) -> frozenset[str]:
    """Words of the dashboard's English texts that `lang`'s translations never use."""
    words = set(_source_words())
    for path in i18n.catalogue_files(lang):
        with path.open("rb") as f:
            for message in read_po(f):
                ids = message.id if isinstance(message.id, tuple) else [message.id]
                for s in ids:
                    words.update(w.lower() for w in _WORD.findall(s or ""))
    allowed = {a.lower() for a in ALLOWED}
    return frozenset(words - _translated_words(lang) - allowed)


def data_texts(db_path: Path | str) -> set[str]:
    """Every text the database holds (shown as written where it has no translation)."""
    found: set[str] = set()
    with open_database(Path(db_path)).cursor() as con:  # the dashboard's own connection
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema = 'main'"
        ).fetchall()
        for table, column in columns:
            rows = con.execute(f'select distinct "{column}" from "{table}"').fetchall()  # noqa: S608
            found.update(r[0] for r in rows if isinstance(r[0], str) and r[0].strip())
    return found


def _worded(word: str) -> bool:
    """Written as a word (lower case or capitalised): not a code, an acronym, one of
    Streamlit's enum values (all capitals) nor letters of a random token (mOneY)."""
    return word.islower() or (word[0].isupper() and word[1:].islower())


def untranslated(texts: Iterable[str], lang: str, allowed: Iterable[str] = ()) -> list[str]:
    """The texts that still hold an English word, each with the words found."""
    if lang == i18n.DEFAULT:
        return []
    english = english_words(lang)
    data = sorted((a for a in allowed if a), key=len, reverse=True)
    found = []
    for text in texts:
        rest = _TOKEN.sub(" ", _MARKUP.sub(" ", text))
        for item in data:
            if item in rest:
                rest = rest.replace(item, " ")
        words = sorted({w for w in _WORD.findall(rest) if w.lower() in english and _worded(w)})
        if words:
            found.append(f"{text[:120]!r}: {', '.join(words)}")
    return found
