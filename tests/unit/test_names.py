"""Data in three languages (monitoring/reports/names.py, docs/translations.md): the lookup,
the fallback marker, what is never replaced, and uploads with and without the new columns."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from monitoring import i18n
from monitoring.contract import TABLES
from monitoring.intake.batches import commit_file, preview_file
from monitoring.reports import names
from monitoring.reports.names import FALLBACK_MARK, build_names, localise_with
from tests.unit.upload_support import copy_of, csv_bytes

FRAME = pd.DataFrame(
    [
        ("region", "UZ-JI", "Jizzakh", "Джизакская область", "Jizzax viloyati"),
        ("region", "UZ-NG", "Namangan", "Наманганская область", None),
        ("indicator", "OC1.1", "CSOs that did an analysis", "ОГО, проведшие анализ", ""),
        ("grant", "G-01", "Street lighting", "Уличное освещение", "Koʻcha yoritilishi"),
        ("milestone", "M-01", "Launch meeting", None, "Boshlanish uchrashuvi"),
        ("category", "staff", "staff", "персонал", "xodimlar"),
    ],
    columns=["kind", "code", "en", "ru", "uz"],
)
RU = build_names(FRAME, "ru")
UZ = build_names(FRAME, "uz")


def test_a_text_is_shown_in_the_language_or_in_english_with_the_marker():
    frame = pd.DataFrame(
        {
            "region_code": ["UZ-JI", "UZ-NG"],
            "region_name": ["Jizzakh", "Namangan"],
            "comment": ["Jizzakh", "Namangan"],  # free text: never replaced
        }
    )
    ru = localise_with(frame, RU)
    uz = localise_with(frame, UZ)
    assert ru.region_name.tolist() == ["Джизакская область", "Наманганская область"]
    assert uz.region_name.tolist() == ["Jizzax viloyati", "Namangan" + FALLBACK_MARK]
    assert ru.comment.tolist() == ["Jizzakh", "Namangan"]
    assert frame.region_name.tolist() == ["Jizzakh", "Namangan"], "the input is not changed"
    assert FALLBACK_MARK == " [EN]"


def test_a_title_is_looked_up_by_the_code_of_its_row_and_only_while_it_is_english():
    grants = pd.DataFrame(
        {
            "grant_id": ["G-01", "G-01"],
            "title": ["Street lighting", "(not shared in this view)"],
            "indicator_code": ["OC1.1", "OC1.1"],
        }
    )
    shown = localise_with(grants, RU)
    # the grant's title, not the indicator's; a title withheld from a donor stays withheld
    assert shown.title.tolist() == ["Уличное освещение", "(not shared in this view)"]
    milestones = pd.DataFrame(
        {
            "milestone_id": ["M-01"],
            "title": ["Launch meeting"],
            "indicator_title": ["CSOs that did an analysis"],
        }
    )
    shown = localise_with(milestones, RU)
    assert shown.title.tolist() == ["Launch meeting" + FALLBACK_MARK]
    assert shown.indicator_title.tolist() == ["ОГО, проведшие анализ"]
    assert localise_with(milestones, UZ).title.tolist() == ["Boshlanish uchrashuvi"]
    # an empty translation counts as missing
    indicators = pd.DataFrame({"indicator_code": ["OC1.1"], "title": ["CSOs that did an analysis"]})
    assert localise_with(indicators, UZ).title.tolist() == [
        "CSOs that did an analysis" + FALLBACK_MARK
    ]


def test_budget_categories_are_translated_in_a_category_column_only():
    frame = pd.DataFrame(
        {"category": ["staff", "female"], "role": ["staff", "staff"], "level": ["line", "line"]}
    )
    shown = localise_with(frame, UZ)
    assert shown.category.tolist() == ["xodimlar", "female"]
    assert shown.role.tolist() == ["staff", "staff"]


@dataclasses.dataclass(frozen=True)
class Result:
    table: pd.DataFrame
    labels: list[dict]
    indicator: dict
    note: str
    counts: tuple[int, ...] = (1, 2)


def test_results_holding_tables_and_texts_are_translated_through():
    result = Result(
        table=pd.DataFrame({"Region": ["Namangan"], "Value": [3.0]}),
        labels=[
            {"text": "Jizzakh\n64.9%", "region_code": "UZ-JI", "position": [67.5, 40.3]},
            {"tooltip": "Jizzakh (UZ-JI) · programme region\nOC1.1: 5", "region_code": "UZ-JI"},
        ],
        indicator={"indicator_code": "OC1.1", "title": "CSOs that did an analysis"},
        note="Values of Jizzakh",  # a text written from a name: left as it is
    )
    shown = localise_with(result, RU)
    assert shown.table.Region.tolist() == ["Наманганская область"]
    assert shown.labels[0]["text"] == "Джизакская область\n64.9%"
    assert shown.labels[0]["position"] == [67.5, 40.3]
    assert shown.labels[1]["tooltip"].startswith("Джизакская область (UZ-JI) · ")
    assert shown.indicator["title"] == "ОГО, проведшие анализ"
    assert shown.note == "Values of Jizzakh"
    assert shown.counts == (1, 2)
    assert result.labels[0]["text"] == "Jizzakh\n64.9%", "the input is not changed"
    names_by_code = {"UZ-JI": "Jizzakh", "UZ-NG": "Namangan"}
    assert localise_with(names_by_code, UZ) == {
        "UZ-JI": "Jizzax viloyati",
        "UZ-NG": "Namangan" + FALLBACK_MARK,
    }


def test_english_returns_the_result_itself(sample_db_path, tmp_path):
    db = copy_of(sample_db_path, tmp_path)
    try:
        frame = pd.DataFrame({"region_code": ["UZ-JI"], "region_name": ["Jizzakh"]})
        assert names.localise(frame, db, "en") is frame
        with i18n.language("en"):
            assert names.localise(frame, db) is frame
        with i18n.language("ru"):
            assert names.localise(frame, db).region_name.tolist() == ["Джизакская область"]
    finally:
        db.close()


def test_the_sample_data_has_every_text_in_russian_and_uzbek(sample_db_path, tmp_path):
    db = copy_of(sample_db_path, tmp_path)
    try:
        frame = names.names_frame(db)
        assert set(frame.kind) == {"region", "indicator", "grant", "milestone", "category"}
        for lang in ("ru", "uz"):
            missing = frame[frame[lang].isna() | (frame[lang].str.strip() == "")]
            assert missing.empty, missing
        uzbek = " ".join(frame.uz)
        assert "ʻ" in uzbek and "‘" not in uzbek and "'" not in uzbek  # oʻ, gʻ: U+02BB
        assert names.names_in(db, "ru").text("region", "UZ-JI") == "Джизакская область"
        assert names.names_in(db, "uz").text("grant", "G-08") == "Angrenda xavfsiz jamoat joylari"
    finally:
        db.close()


def test_a_missing_translation_is_read_again_after_an_upload(sample_db_path, tmp_path, settings):
    db = copy_of(sample_db_path, tmp_path)
    try:
        assert (
            names.names_in(db, "ru").text("grant", "G-08")
            == "Безопасные общественные места в Ангрене"
        )
        # a write that is not an upload: the data version stays
        with db.transaction() as cur:
            cur.execute("update grants set title_ru = null where grant_id = 'G-08'")
        # the lookup is kept per data version: an upload (a new batch) reads it again
        commit_file(
            db,
            csv_bytes(
                "budget_line,category,category_ru,period,amount,currency",
                "9.9,other,прочее,2022Q1,5,USD",
            ),
            "budget.csv",
            settings,
            by="Tester",
        )
        ru = names.names_in(db, "ru")
        assert ru.text("grant", "G-08") == "Safe public spaces in Angren" + FALLBACK_MARK
        assert ru.categories["other"] == "прочее"
        assert names.names_in(db, "uz").categories["other"] == "other" + FALLBACK_MARK
    finally:
        db.close()


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("indicators", ("title_ru", "title_uz")),
        ("grants", ("title_ru", "title_uz")),
        ("milestones", ("title_ru", "title_uz")),
        ("budget", ("category_ru", "category_uz")),
    ],
)
def test_the_translations_are_optional_text_columns_of_the_contract(table, columns):
    spec = TABLES[table]
    for name in columns:
        column = spec.column(name)
        assert not column.required and column.kind == "text"
        assert spec.example.get(name), "the template's example row shows one"
    assert not spec.column("name_ru" if table == "regions" else columns[0]).required


def test_an_upload_with_translations_stores_them_and_one_without_keeps_them(db, settings):
    try:
        header = "milestone_id,title,title_ru,title_uz,stage,level,planned_on,status"
        row = (
            "M-90,Press briefing,Брифинг для прессы,Matbuot brifingi,4,national,2022-05-01,planned"
        )
        result = commit_file(db, csv_bytes(header, row), "milestones.csv", settings, by="Tester")
        assert (result.inserted, result.rejected) == (1, 0)
        # A file of the columns known before (no translations) is as valid as ever, and
        # leaves the stored translations as they are.
        old = "milestone_id,title,stage,level,planned_on,status"
        preview = preview_file(
            db,
            csv_bytes(old, "M-90,Press briefing for journalists,4,national,2022-05-01,planned"),
            "milestones.csv",
            settings,
        )
        assert preview.can_commit
        commit_file(
            db,
            csv_bytes(old, "M-90,Press briefing for journalists,4,national,2022-05-01,planned"),
            "milestones.csv",
            settings,
            by="Tester",
        )
        with db.cursor() as cur:
            stored = cur.execute(
                "select title, title_ru, title_uz from milestones where milestone_id = 'M-90'"
            ).fetchone()
        assert stored == (
            "Press briefing for journalists",
            "Брифинг для прессы",
            "Matbuot brifingi",
        )
        # A translation that is a formula is refused like any text.
        bad = preview_file(
            db,
            csv_bytes(
                "indicator_code,level,outcome,title,title_ru,unit,direction,aggregation,target",
                "OC9.9,outcome,1,Trained people,=HYPERLINK(1),number,increase,sum,10",
            ),
            "indicators.csv",
            settings,
        )
        assert not bad.can_commit
    finally:
        db.close()


def test_names_that_would_be_mistaken_for_another_are_told_apart_by_their_codes():
    regions = {"UZ-JI": "Jizzakh", "UZ-TK": "Tashkent", "UZ-TO": "Tashkent"}
    assert names.told_apart(regions) == {
        "UZ-JI": "Jizzakh",
        "UZ-TK": "Tashkent (UZ-TK)",
        "UZ-TO": "Tashkent (UZ-TO)",
    }
    assert names.told_apart({"UZ-JI": "Target", "UZ-NG": "Namangan"}, reserved={"Target"}) == {
        "UZ-JI": "Target (UZ-JI)",
        "UZ-NG": "Namangan",
    }
    # A name written as another's label with its code: every name then has its code.
    odd = {"UZ-TK": "Tashkent", "UZ-TO": "Tashkent", "UZ-XX": "Tashkent (UZ-TK)"}
    told = names.told_apart(odd)
    assert len(set(told.values())) == 3
    assert told["UZ-XX"] == "Tashkent (UZ-TK) (UZ-XX)"
    assert names.told_apart({}) == {}
