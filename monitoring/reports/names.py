"""Data in the reader's language: region names, indicator, grant and milestone titles and
budget categories in Russian or Uzbek where the data has them (docs/translations.md).

Staff upload every text in English and, optionally, in Russian and Uzbek beside it
(`name_ru`/`name_uz` of regions, `title_ru`/`title_uz` of indicators, grants and milestones,
`category_ru`/`category_uz` of the budget: docs/data-contract.md). The core computes every
page in English data; `localise` then shows what a page's core function returned in the
language of the run (ui/common.py applies it to every cached core call):

- a text is replaced only where it is exactly the English text of the data: a title
  withheld from a donor, a name described instead of named, a label written from a name,
  stay as they are, so nothing the viewer may not see can come back through a translation;
- a column `title` beside its code (`milestone_id`, `grant_id`, `indicator_code`) is looked
  up by that code; other texts by their English text (regions first, then indicators,
  milestones and grants); budget categories only in a column called `category`;
- where the language's text is empty, the English one is shown with the marker ` [EN]`
  (FALLBACK_MARK), so a reader sees that a translation is missing, not a wrong word.

In English a result is returned as it is.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitoring import i18n
from monitoring.access.markers import free_of_people_data
from monitoring.db import Database

FALLBACK_MARK = " [EN]"  # after an English text shown because its translation is missing
KINDS = ("region", "indicator", "milestone", "grant", "category")
# A column `title` holds the title of the row's own thing: the first of these codes it has.
TITLE_CODES = (
    ("milestone_id", "milestone"),
    ("grant_id", "grant"),
    ("indicator_code", "indicator"),
)
TITLE_COLUMNS = {"title", "Title"}
CATEGORY_COLUMNS = {"category", "Category", "budget_category"}
# Columns of free text or codes: never looked at (a comment may quote a name exactly).
SKIPPED_COLUMNS = {
    "comment", "source", "outcome", "audience", "description", "purpose", "district",
    "means_of_verification", "deviation_narrative", "evidence_url", "evidence_link",
    "indicator_link", "grantee", "organisation", "receiver", "uploaded_by", "file_name",
}  # fmt: skip
# Keys of nested dicts that hold shapes or positions, not texts.
SKIPPED_KEYS = {"geometry", "coordinates", "position", "path", "polygon", "fill", "line"}


def told_apart(names: Mapping[str, str], reserved: Collection[str] = ()) -> dict[str, str]:
    """Each code's name (`names`: code -> name, in the reader's language), with its code
    after it where the name alone would be mistaken for another: a name two codes share
    (two regions both named "Tashkent"), or one of `reserved`, the chart's own labels (a
    region named as the legend's "Target for the quarter"). A chart keyed by these never
    draws two regions as one line, nor a region as a target. The name stays data: the label
    is the name and the code, written as text."""
    counts = Counter(names.values())
    labels = {
        code: f"{name} ({code})" if counts[name] > 1 or name in reserved else name
        for code, name in names.items()
    }
    if len(set(labels.values())) < len(labels) or set(labels.values()) & set(reserved):
        # a name written as another's "name (code)": every one with its code
        return {code: f"{name} ({code})" for code, name in names.items()}
    return labels


def shown(english: str, translated: str | None) -> str:
    """The text to show: the translation, else the English text marked as such."""
    if isinstance(translated, str) and translated.strip():
        return translated.strip()
    return english + FALLBACK_MARK


@dataclass(frozen=True)
class Names:
    """The data's texts in one language: by kind and code, and by English text."""

    lang: str
    by_code: Mapping[str, Mapping[str, tuple[str, str]]]  # kind -> code -> (english, shown)
    by_text: Mapping[str, str]  # English text -> shown (regions, indicators, milestones, grants)
    categories: Mapping[str, str]  # English budget category -> shown
    # "Jizzakh (UZ-JI)" -> "Джизакская область (UZ-JI)": a region named with its code inside
    # a longer text (a map's tooltip)
    tagged: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def text(self, kind: str, code: str, english: str | None = None) -> str | None:
        """The shown text of `kind` `code`, or None when unknown (or, with `english`, when
        that is not its English text: a text that was changed for the viewer)."""
        found = self.by_code.get(kind, {}).get(code)
        if found is None or (english is not None and found[0] != english):
            return None
        return found[1]


def names_frame(db: Database) -> pd.DataFrame:
    """Every translatable text of the data: kind, code, en, ru, uz."""
    return db.query("names_translations")


def build_names(frame: pd.DataFrame, lang: str) -> Names:
    by_code: dict[str, dict[str, tuple[str, str]]] = {k: {} for k in KINDS}
    by_text: dict[str, str] = {}
    categories: dict[str, str] = {}
    column = lang if lang in frame.columns else None
    for kind in KINDS:
        rows = frame[frame.kind == kind]
        for code, english, translated in zip(
            rows.code,
            rows.en,
            rows[column] if column else [None] * len(rows),
            strict=True,
        ):
            if not isinstance(english, str) or not english.strip():
                continue
            text = shown(english, translated if isinstance(translated, str) else None)
            by_code[kind][str(code)] = (english, text)
            if kind == "category":
                categories.setdefault(english, text)
            else:
                by_text.setdefault(english, text)  # KINDS order: regions first
    tagged = {
        f"{en} ({code})": f"{text} ({code})" for code, (en, text) in by_code["region"].items()
    }
    return Names(lang, by_code, by_text, categories, tagged)


_cache: dict[tuple[str, tuple, str], Names] = {}
_lock = threading.Lock()


@free_of_people_data
def names_in(db: Database, lang: str | None = None) -> Names:
    """The data's texts in `lang` (default: the current language), read once per data
    version of the database."""
    lang = lang or i18n.current()
    key = (str(db.path), db.data_version(), lang)
    with _lock:
        found = _cache.get(key)
    if found is None:
        found = build_names(names_frame(db), lang)
        with _lock:
            if len(_cache) > 32:
                _cache.clear()
            _cache[key] = found
    return found


def localise(result: Any, db: Database, lang: str | None = None) -> Any:
    """`result` (a DataFrame, or a dataclass, dict, list or tuple holding them) with the
    data's English texts shown in `lang` (default: the current language). English: as it is.
    Never changes `result` itself: what changes is copied."""
    lang = lang or i18n.current()
    if lang == i18n.DEFAULT or isinstance(result, str | bytes | int | float | bool | None):
        return result
    names = names_in(db, lang)
    if not names.by_text and not names.categories:
        return result
    return _localise(result, names)


def localise_with(result: Any, names: Names) -> Any:
    """`localise` with the texts already read (tests, several results at once)."""
    return _localise(result, names)


def _localise(value: Any, names: Names) -> Any:
    if isinstance(value, pd.DataFrame):
        return _frame(value, names)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _localise(old, names)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        return _dict(value, names)
    if isinstance(value, list | tuple):
        items = [_localise(v, names) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, str):
        return _string(value, names)
    return value


def _string(text: str, names: Names) -> str:
    """A text exactly the English text of the data, or whose first line is (a map label)."""
    found = names.by_text.get(text)
    if found is not None:
        return found
    if "\n" in text:
        first, rest = text.split("\n", 1)
        found = names.by_text.get(first)
        if found is not None:
            return f"{found}\n{_tagged(rest, names)}"
    return _tagged(text, names)


def _tagged(text: str, names: Names) -> str:
    """Regions named with their code in a longer text, "Jizzakh (UZ-JI)", in the language."""
    if " (UZ-" not in text:
        return text
    for english, shown_text in names.tagged.items():
        if english in text:
            text = text.replace(english, shown_text)
    return text


def _dict(value: dict, names: Names) -> dict:
    out, changed = {}, False
    title_kind = next((kind for code, kind in TITLE_CODES if code in value), None)
    for key, item in value.items():
        if key in SKIPPED_KEYS or key in SKIPPED_COLUMNS:
            new = item
        elif key in TITLE_COLUMNS and title_kind and isinstance(item, str):
            code = value[next(c for c, k in TITLE_CODES if k == title_kind)]
            new = names.text(title_kind, str(code), item) or item
        elif key in CATEGORY_COLUMNS and isinstance(item, str):
            new = names.categories.get(item, item)
        else:
            new = _localise(item, names)
        changed = changed or new is not item
        out[key] = new
    return out if changed else value


def _texts(series: pd.Series, lookup: Callable[[str], str | None]) -> pd.Series | None:
    """The series with the texts `lookup` knows replaced, or None when none is."""
    if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
        return None
    values = series.tolist()
    new = [(lookup(v) or v) if isinstance(v, str) else v for v in values]  # NaN stays
    if new == values:
        return None
    return pd.Series(new, index=series.index, name=series.name, dtype=series.dtype)


def _titles(titles: pd.Series, codes: pd.Series, kind: str, names: Names) -> pd.Series | None:
    """Titles looked up by their row's code: replaced only where still the English text."""
    if not (pd.api.types.is_string_dtype(titles) or titles.dtype == object):
        return None
    values = titles.tolist()
    new = [
        (names.text(kind, str(code), text) or text) if isinstance(text, str) else text
        for text, code in zip(values, codes.tolist(), strict=True)
    ]
    if new == values:
        return None
    return pd.Series(new, index=titles.index, name=titles.name, dtype=titles.dtype)


def _frame(frame: pd.DataFrame, names: Names) -> pd.DataFrame:
    columns = list(frame.columns)
    title_code = next((code for code, _ in TITLE_CODES if code in columns), None)
    title_kind = dict(TITLE_CODES).get(title_code) if title_code else None
    replaced: dict[Any, pd.Series] = {}
    for position, name in enumerate(columns):
        if columns.count(name) > 1 or name in SKIPPED_COLUMNS:
            continue
        series = frame.iloc[:, position]
        if name in TITLE_COLUMNS and title_code:
            new = _titles(series, frame[title_code], title_kind, names)
            if new is not None:
                replaced[name] = new
            continue  # a title is looked up by its code only
        if str(name) in CATEGORY_COLUMNS:
            new = _texts(series, names.categories.get)
        elif str(name).endswith(("_code", "_id", "_key")) or name in ("code", "Code", "level"):
            continue
        else:
            new = _texts(series, names.by_text.get)
        if new is not None:
            replaced[name] = new
    if not replaced:  # the index is left as it is: a page may look rows up by it
        return frame
    out = frame.copy(deep=False)
    for name, series in replaced.items():
        out[name] = series
    return out


@free_of_people_data
def category_names(db: Database) -> dict[str, str]:
    """Budget categories: English -> as shown in the current language (a filter's labels,
    whose values stay the English categories the core filters by)."""
    names = names_in(db)
    if names.lang == i18n.DEFAULT:
        return {english: english for english in names.categories}
    return dict(names.categories)
