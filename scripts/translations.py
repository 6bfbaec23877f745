"""The translation catalogues: extract the messages of each area of the code, update the
Russian and Uzbek catalogues from them, compile, and check (docs/translations.md).

    python scripts/translations.py extract    # monitoring/locale/<area>.pot from the code
    python scripts/translations.py update     # each <lang>/LC_MESSAGES/<area>.po follows its .pot
    python scripts/translations.py compile    # .mo files (optional: the dashboard reads .po)
    python scripts/translations.py check      # untranslated, fuzzy, placeholders, stale

Add area names to work on some areas only: `python scripts/translations.py update quality`.

`make messages` runs extract and update; `make translations-check` runs check.

Each area is one catalogue per language, so that people (and parallel work) translating
different parts of the dashboard never edit the same file. Every Python file that calls
`_(`, `ngettext(` or `N_(` must belong to exactly one area.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.i18n import DEFAULT, LANGUAGES, LOCALE_DIR, LOCALES  # noqa: E402

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}

# Area -> the files it covers (globs relative to the project's root).
AREAS: dict[str, list[str]] = {
    "frame": [
        "dashboard.py",
        "server.py",
        "ui/common.py",
        "ui/navigation.py",
        "ui/gate.py",
        "ui/access.py",
        "ui/session_cookie.py",
        "ui/filters.py",
        "ui/reports.py",
        "ui/donor_tables.py",
        "ui/text.py",
        "ui/language.py",
        "views/admin.py",
        "monitoring/access/*.py",
        "monitoring/reports/status.py",
        "monitoring/periods.py",
        "monitoring/settings.py",
    ],
    "overview_grants": [
        "views/overview.py",
        "views/grants.py",
        "ui/grants.py",
        "ui/charts.py",
        "ui/vega.py",
        "monitoring/reports/overview.py",
        "monitoring/reports/grants.py",
    ],
    "indicators_map": [
        "views/indicators.py",
        "views/map.py",
        "ui/indicators.py",
        "ui/indicators_filters.py",
        "ui/map.py",
        "monitoring/reports/indicators.py",
        "monitoring/reports/map.py",
    ],
    "milestones": [
        "views/milestones.py",
        "ui/milestones.py",
        "ui/milestone_tables.py",
        "monitoring/reports/milestones.py",
    ],
    "upload": [
        "views/upload.py",
        "ui/upload.py",
        "monitoring/intake/*.py",
        "monitoring/contract.py",
    ],
    "cli": ["monitoring/cli/*.py", "monitoring/db/*.py"],
    "quality": ["views/quality.py", "ui/quality.py", "monitoring/quality/*.py"],
    "reports": [
        "monitoring/reports/iptt.py",
        "monitoring/reports/report.py",
        "monitoring/reports/iati.py",
        "monitoring/reports/documents.py",
        "monitoring/reports/drawings.py",
        "monitoring/reports/exports.py",
    ],
}
_CALLS = re.compile(r"(?<![\w.])(_|N_|ngettext|pgettext)\(")
_BRACES = re.compile(r"\{([^{}]*)\}")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def area_files(area: str) -> list[Path]:
    """The files of an area that exist."""
    found: set[Path] = set()
    for pattern in AREAS[area]:
        found.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(found)


def files_outside_areas() -> list[Path]:
    """Python files that mark messages but belong to no area (their words would be lost)."""
    covered = {p for area in AREAS for p in area_files(area)}
    candidates = [
        *ROOT.glob("*.py"),
        *ROOT.glob("views/*.py"),
        *ROOT.glob("ui/*.py"),
        *ROOT.glob("monitoring/**/*.py"),
    ]
    return sorted(
        p
        for p in candidates
        if p not in covered and p.name != "i18n.py" and _CALLS.search(p.read_text(encoding="utf-8"))
    )


def template(area: str) -> Catalog:
    """The messages of an area, as found in its code (Babel's extractor)."""
    catalog = Catalog(project="monitoring", domain=area, fuzzy=False)
    for path in area_files(area):
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(
                message,
                locations=[(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(lang: str, area: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"


def read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=LOCALES[lang])


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=False, omit_header=False)


def extract(areas: list[str]) -> None:
    outside = files_outside_areas()
    if outside:
        names = ", ".join(str(p.relative_to(ROOT)) for p in outside)
        raise SystemExit(f"These files mark messages but are in no area of AREAS: {names}")
    for area in areas:
        write(LOCALE_DIR / f"{area}.pot", template(area))


def update(areas: list[str]) -> None:
    for area in areas:
        pot = template(area)
        for lang in LANGUAGES:
            if lang == DEFAULT:
                continue
            path = po_path(lang, area)
            if path.exists():
                catalog = read(path, lang)
            else:
                catalog = Catalog(locale=LOCALES[lang], domain=area, project="monitoring")
            # No fuzzy guessing: a new message is untranslated, and the check says so.
            catalog.update(pot, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            catalog.fuzzy = False  # the header: its plural forms are the language's
            write(path, catalog)


def compile_all() -> None:
    for lang in LANGUAGES:
        for path in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"):
            with path.with_suffix(".mo").open("wb") as f:
                write_mo(f, read(path, lang), use_fuzzy=False)


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted: {name} and %s forms."""
    return sorted(_BRACES.findall(text) + _PERCENT.findall(text))


def problems(langs: Iterable[str] | None = None, areas: Iterable[str] | None = None) -> list[str]:
    """Everything wrong with the catalogues, one line each (empty: all is well)."""
    found: list[str] = []
    outside = files_outside_areas()
    found += [f"{p.relative_to(ROOT)}: marks messages but is in no area" for p in outside]
    for area in areas or AREAS:
        pot = template(area)
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}
        for lang in langs or [x for x in LANGUAGES if x != DEFAULT]:
            path = po_path(lang, area)
            where = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            if not path.exists():
                if wanted:
                    found.append(f"{where}: missing ({len(wanted)} messages to translate)")
                continue
            catalog = read(path, lang)
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
            for missing in sorted(wanted - have):
                found.append(f"{where}: not in the catalogue yet (run make messages): {missing!r}")
            for message in catalog:
                if not message.id:
                    continue
                ids = [message.id] if isinstance(message.id, str) else list(message.id)
                strings = (
                    [message.string] if isinstance(message.string, str) else list(message.string)
                )
                label = f"{where}:{message.lineno}: {ids[0]!r}"
                if message.fuzzy:
                    found.append(f"{label}: fuzzy")
                if not all(strings) or len(strings) == 0:
                    found.append(f"{label}: untranslated")
                    continue
                if len(ids) > 1 and len(strings) != catalog.num_plurals:
                    found.append(
                        f"{label}: {len(strings)} plural forms, {lang} has {catalog.num_plurals}"
                    )
                expected = placeholders(ids[-1])
                for s in strings:
                    if placeholders(s) != expected and placeholders(s) != placeholders(ids[0]):
                        found.append(
                            f"{label}: placeholders {placeholders(s)} differ from {expected}"
                        )
                    if _lower_case_label(ids[0], s):
                        found.append(f"{label}: a label, written with a capital letter first")
    return found


def _lower_case_label(english: str, translated: str) -> bool:
    """A label that begins with its unit, as "% of target achieved" (a column's, an axis's
    title), turned round into one that begins with a small letter ("maqsadli qiymatga
    erishish %"): the other labels beside it begin with a capital."""
    return english.startswith("%") and translated[:1].islower()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    areas = argv[2:] or list(AREAS)  # e.g. `update quality`: that area's catalogues only
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        print(f"Unknown area(s): {', '.join(unknown)}. Areas: {', '.join(AREAS)}")
        return 2
    if command == "extract":
        extract(areas)
    elif command == "update":
        extract(areas)
        update(areas)
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems(areas=areas)
        for line in found:
            print(line)
        print(f"{len(found)} problem(s) in the catalogues" if found else "Catalogues complete.")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
