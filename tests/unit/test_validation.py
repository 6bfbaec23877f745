"""Every rule of the data contract, checked on small files against the sample database."""

import datetime as dt

import pytest

from monitoring import i18n
from monitoring.intake.batches import commit_file, preview_file
from monitoring.intake.validation import ROW_STATUS
from tests.conftest import ENGINES
from tests.unit.upload_support import VALUES_HEADER, csv_bytes, sample_copy, xlsx_bytes

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(params=ENGINES)
def upload_db(request, tmp_path):
    database = sample_copy(request, request.param, tmp_path)
    yield database
    database.close()


def check(db, settings, *lines, name="upload.csv", table=None, data=None):
    data = data if data is not None else csv_bytes(*lines)
    return preview_file(db, data, name, settings, table=table, today=TODAY).check


def only_error(result):
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def values_row(value="3", **kw):
    row = {
        "indicator_code": "OC1.1",
        "period": "2021Q2",
        "region_code": "UZ-JI",
        "org_id": "",
        "sex": "all",
        "age_group": "all",
        "value": value,
        "comment": "",
        "source": "report",
    }
    row.update(kw)
    return ",".join(row[c] for c in VALUES_HEADER.split(","))


# One error per rule: line, column, value, reason -------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "column", "value", "reason"),
    [
        ({"value": "140", "indicator_code": "G1"}, "value", "140", "not a percentage"),
        ({"value": "-3"}, "value", "-3", "negative, but indicator OC1.1 is a count"),
        ({"indicator_code": "XX9"}, "indicator_code", "XX9", "not a known indicator"),
        ({"region_code": "Atlantis"}, "region_code", "Atlantis", "not a region"),
        ({"region_code": "Tashkent"}, "region_code", "Tashkent", "city or Tashkent region"),
        ({"org_id": "CSO-99"}, "org_id", "CSO-99", "not a known org"),
        ({"period": "2023Q1"}, "period", "2023Q1", "outside the programme"),
        ({"period": "2020Q4"}, "period", "2020Q4", "outside the programme"),
        ({"period": "2021-13"}, "period", "2021-13", "not a quarter"),
        ({"sex": "f"}, "sex", "f", "not one of the allowed values"),
        ({"age_group": "old"}, "age_group", "old", "not an age group"),
        ({"value": ""}, "value", "", "value is required but empty"),
        ({"value": '"1,234"'}, "value", "1,234", "ambiguous"),
        ({"value": "twelve"}, "value", "twelve", "not a number"),
        ({"value": "=2+1"}, "value", "=2+1", "formula"),
        ({"value": "#DIV/0!"}, "value", "#DIV/0!", "spreadsheet error"),
        ({"comment": '"=HYPERLINK(""http://x"")"'}, "comment", None, "formula"),
        ({"comment": "@SUM(A1)"}, "comment", "@SUM(A1)", "formula"),
        ({"comment": "<script>alert(1)</script>"}, "comment", None, "HTML or script"),
        ({"comment": '"<img src=x onerror=""alert(1)"">"'}, "comment", None, "HTML"),
        ({"source": "javascript:alert(1)"}, "source", None, "HTML or script"),
    ],
)
def test_indicator_value_rules(upload_db, settings, bad, column, value, reason):
    row = values_row(**{"period": "2021Q3", **bad})
    result = check(upload_db, settings, VALUES_HEADER, values_row(), row)
    error = only_error(result)
    assert (error.line, error.column) == (3, column)
    if value is not None:
        assert error.value == value
    assert reason in error.reason
    assert error.fix
    assert len(result.rows) == 1, "the valid row is still compared"
    assert result.new + result.changed + result.unchanged == 1


def test_a_region_that_exists_in_uzbekistan_but_not_in_the_regions_table(upload_db, settings):
    with upload_db.transaction() as cur:
        cur.execute("delete from regions where region_code = 'UZ-XO'")
    error = only_error(check(upload_db, settings, VALUES_HEADER, values_row(region_code="Xorazm")))
    assert error.reason.startswith("'Xorazm' is not a known region")
    assert "upload that row of regions first" in error.fix


def test_a_region_name_the_regions_table_gives_twice_is_refused_not_guessed(upload_db, settings):
    with upload_db.transaction() as cur:  # Khorezm's row renamed as Jizzakh's by mistake
        cur.execute("update regions set name_en = 'Jizzakh' where region_code = 'UZ-XO'")
    result = check(
        upload_db, settings, VALUES_HEADER, values_row(), values_row(region_code="Jizzakh")
    )
    error = only_error(result)
    assert (error.line, error.column, error.value) == (3, "region_code", "Jizzakh")
    assert "'Jizzakh' is the name of more than one region (UZ-JI / UZ-XO)" in error.reason
    assert "Write the region's code instead" in error.fix
    assert len(result.rows) == 1  # the row written with the code stands


def test_a_regions_file_gives_no_two_regions_one_name(upload_db, settings):
    header = "region_code,name_en,name_uz,name_ru"
    result = check(
        upload_db,
        settings,
        header,
        "UZ-XO,Khorezm,Xorazm viloyati,Хорезмская область",  # as stored: fine
        "UZ-SA,Oasis,Samarqand viloyati,",
        "UZ-SI,Oasis,,",  # the name of line 3's region
        "UZ-NW,Namangan,,",  # another region's known name
    )
    found = {(e.line, e.column): e for e in result.errors}
    assert set(found) == {(4, "name_en"), (5, "name_en")}
    assert found[(4, "name_en")].reason == "'Oasis' is already the name of UZ-SA (line 3)"
    assert found[(5, "name_en")].reason == "'Namangan' is already the name of UZ-NG"
    assert "a name of its own" in found[(5, "name_en")].fix
    assert len(result.rows) == 2  # Khorezm and line 3 are still read


def test_a_regions_file_names_regions_as_uploads_read_them(upload_db, settings):
    """ "Oasis" and "Oasis region" are one name to a file that names regions."""
    header = "region_code,name_en,name_uz,name_ru"
    result = check(upload_db, settings, header, "UZ-SA,Oasis region,,", "UZ-SI,Sirdaryo,Oasis,")
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, "name_uz", "'Oasis' is already the name of UZ-SA (line 2)")
    ]


def test_two_regions_may_swap_their_names_in_one_file(upload_db, settings):
    header = "region_code,name_en,name_uz,name_ru"
    renamed = csv_bytes(header, "UZ-SA,Oasis,,", "UZ-SI,Steppe,,")
    commit_file(upload_db, renamed, "regions.csv", settings, by="Tester", today=TODAY)
    swapped = check(upload_db, settings, header, "UZ-SA,Steppe,,", "UZ-SI,Oasis,,")
    assert swapped.errors == []
    # a name another region keeps, in a column this file does not give, is still refused
    taken = check(upload_db, settings, "region_code,name_en,name_uz", "UZ-SI,Steppe,Oasis")
    assert [(e.line, e.reason) for e in taken.errors] == [
        (2, "'Oasis' is already the name of UZ-SA")
    ]


@pytest.mark.parametrize(
    ("lines", "line", "column", "reason"),
    [
        (
            ["currency,month,per_usd", "UZS,2021-03,0"],
            2,
            "per_usd",
            "too small",
        ),
        (
            ["currency,month,per_usd", "EUR,2021-03,0.9"],
            2,
            "currency",
            "not a currency",
        ),
        (
            ["currency,month,per_usd", "UZS,2019-03,10000"],
            2,
            "month",
            "outside the programme",
        ),
        (
            ["budget_line,category,period,amount,currency", "1.1,staff,2021Q1,-5,USD"],
            2,
            "amount",
            "amounts are never negative",
        ),
        (
            ["budget_line,category,period,amount,currency", "1.1,staff,2021Q1,5.123,USD"],
            2,
            "amount",
            "more than 2 decimals",
        ),
        (
            [
                "transaction_id,grant_id,date,kind,amount,currency,budget_line",
                "T-9001,G-99,2021-03-01,expenditure,5,USD,1.1",
            ],
            2,
            "grant_id",
            "not a known grant",
        ),
        (
            [
                "transaction_id,grant_id,date,kind,amount,currency,budget_line",
                "T-9001,,2019-12-31,expenditure,5,USD,1.1",
            ],
            2,
            "date",
            "outside the programme",
        ),
        (
            [
                "transaction_id,grant_id,date,kind,amount,currency,budget_line",
                "T-9001,,2021-03-01,payment,5,USD,1.1",
            ],
            2,
            "kind",
            "not one of the allowed values",
        ),
        (
            [
                "grant_id,org_id,title,awarded_on,end_on,amount,currency",
                "G-90,CSO-01,Lights,2021-09-01,2021-08-01,100,USD",
            ],
            2,
            "end_on",
            "end_on 2021-08-01 is before awarded_on 2021-09-01",
        ),
        (
            [
                "indicator_code,level,outcome,title,unit,direction,aggregation,target",
                "G9,goal,1,Goal,percent,increase,latest,50",
            ],
            2,
            "outcome",
            "must be empty when level is goal",
        ),
        (
            [
                "indicator_code,level,outcome,title,unit,direction,aggregation,target",
                "OC9.1,outcome,,Outcome,number,increase,sum,5",
            ],
            2,
            "outcome",
            "required when level is outcome",
        ),
        (
            [
                "indicator_code,level,outcome,title,unit,direction,aggregation,target",
                "OC9.1,outcome,4,Outcome,number,increase,sum,5",
            ],
            2,
            "outcome",
            "not one of the allowed values",
        ),
        (
            [
                "indicator_code,level,outcome,title,unit,direction,aggregation,target",
                "OC9.1,outcome,1,Outcome,percent,increase,latest,140",
            ],
            2,
            "target",
            "not a percentage",
        ),
        (
            [
                "milestone_id,title,stage,level,planned_on,status,evidence_url",
                "M-90,Visit,2,regional,2021-05-01,planned,file:///etc/passwd",
            ],
            2,
            "evidence_url",
            "not a web address",
        ),
        (
            [
                "milestone_id,title,stage,level,planned_on,status",
                "M-90,Visit,5,regional,2021-05-01,planned",
            ],
            2,
            "stage",
            "not one of the allowed values",
        ),
        (
            ["region_code,name_en,lat", "UZ-JI,Jizzakh,140"],
            2,
            "lat",
            "too large",
        ),
        (
            ["org_id,name,kind,region_code,women_led", "CSO-90,New,cso,UZ-JI,perhaps"],
            2,
            "women_led",
            "not yes or no",
        ),
    ],
)
def test_rules_of_the_other_tables(upload_db, settings, lines, line, column, reason):
    error = only_error(check(upload_db, settings, *lines))
    assert (error.line, error.column) == (line, column)
    assert reason in error.reason
    assert error.fix


# The header --------------------------------------------------------------------------------------
def test_unknown_columns_are_errors_of_the_header_with_a_suggestion(upload_db, settings):
    result = check(upload_db, settings, VALUES_HEADER + ",colour,valeu", values_row() + ",red,3")
    assert [(e.line, e.column) for e in result.errors] == [(1, "colour"), (1, "valeu")]
    assert "has no column 'colour'" in result.errors[0].reason
    assert "Did you mean value?" in result.errors[1].fix
    assert result.file_errors == 2 and not result.importable_rows


def test_a_duplicated_column_is_an_error(upload_db, settings):
    result = check(upload_db, settings, VALUES_HEADER + ",value", values_row() + ",4")
    error = result.errors[0]
    assert error.line == 1 and "appears twice (columns 7 and 10)" in error.reason


def test_a_missing_required_column_is_named(upload_db, settings):
    data = csv_bytes("indicator_code,period,region_code,source", "OC1.1,2021Q2,UZ-JI,x")
    result = check(upload_db, settings, data=data, table="indicator_values")
    error = only_error(result)
    assert (error.line, error.column) == (1, "value")
    assert error.reason == "the required column value is missing"
    assert result.file_errors == 1


def test_a_header_without_rows_is_an_error(upload_db, settings):
    result = check(upload_db, settings, VALUES_HEADER)
    error = only_error(result)
    assert error.reason == "the file has a header but no rows of data"


# Rows ------------------------------------------------------------------------------------------
def test_ragged_rows_are_errors_naming_the_line(upload_db, settings):
    result = check(
        upload_db,
        settings,
        VALUES_HEADER,
        values_row(),
        values_row(period="2021Q3") + ",extra",
        "OC1.1,2021Q4,UZ-JI",
    )
    assert [(e.line, e.reason) for e in result.errors] == [
        (3, "line 3 has 10 values but the header has 9 columns"),
        (4, "line 4 has 3 values but the header has 9 columns"),
    ]
    assert len(result.rows) == 1


def test_trailing_empty_cells_are_not_ragged(upload_db, settings):
    result = check(upload_db, settings, VALUES_HEADER + ",", values_row() + ",,")
    assert result.ok, result.errors


def test_duplicate_keys_name_the_first_line(upload_db, settings):
    result = check(
        upload_db,
        settings,
        VALUES_HEADER,
        values_row(value="3"),
        values_row(value="4", region_code="Jizzakh"),
    )
    error = only_error(result)
    assert error.line == 3
    assert "already on line 2" in error.reason
    assert error.value == "OC1.1 · 2021Q2 · UZ-JI ·  · all · all"


def test_empty_optional_key_parts_take_their_defaults(upload_db, settings):
    result = check(
        upload_db,
        settings,
        "indicator_code,period,region_code,value",
        "OC1.1,2021Q2,UZ-JI,3",
        "OC1.1,2021Q2,UZ-JI,3",
    )
    assert "already on line 2" in only_error(result).reason


# Accepted forms end up canonical ----------------------------------------------------------------
def test_accepted_forms_are_stored_in_canonical_form(upload_db, settings):
    result = check(
        upload_db,
        settings,
        "indicator_code;period;region_code;org_id;sex;age_group;value;comment",
        "oc1.1;Q2 2021;Джизак;;;;3,0;Жиззах",
        "OC1.1;2021-q3;jizzax viloyati;cso-01;Female;15–29;1 234,5;",
    )
    assert result.ok, result.errors
    rows = result.rows[
        ["indicator_code", "period", "region_code", "org_id", "sex", "age_group", "value"]
    ]
    assert rows.values.tolist() == [
        ["OC1.1", "2021Q2", "UZ-JI", "", "all", "all", "3"],
        ["OC1.1", "2021Q3", "UZ-JI", "CSO-01", "female", "15-29", "1234.5"],
    ]


def test_booleans_dates_and_numbers_of_every_form(upload_db, settings):
    result = check(
        upload_db,
        settings,
        "org_id\tname\tkind\tregion_code\twomen_led\testablished_on\tlat",
        "CSO-90\tYangi\tCSO\tNamangan\tда\t15.04.2010\t41,0844",
        "CSO-91\tEski\tcommunity group\tНаманганская область\tyo'q\t15/04/2010\t41.5",
    )
    assert result.ok, result.errors
    assert result.rows["women_led"].tolist() == ["true", "false"]
    assert result.rows["established_on"].tolist() == ["2010-04-15", "2010-04-15"]
    assert result.rows["kind"].tolist() == ["cso", "community_group"]
    assert result.rows["lat"].tolist() == ["41.0844", "41.5"]


def test_plain_text_is_kept_exactly(upload_db, settings):
    comment = 'Less than 5 < 10 > 2; "quoted" +998 90 123 45 67 - see report (p. 3) «Жиззах»'
    line = values_row(comment='"' + comment.replace('"', '""') + '"')
    result = check(upload_db, settings, VALUES_HEADER, line)
    assert result.ok, result.errors
    assert result.rows["comment"].tolist() == [comment]


def test_a_workbook_with_a_formula_cell_is_refused(upload_db, settings):
    data = xlsx_bytes([["currency", "month", "per_usd"], ["UZS", "2021-03", "=10000+470"]])
    error = only_error(check(upload_db, settings, data=data, name="rates.xlsx"))
    assert (error.line, error.column) == (2, "per_usd")
    assert "spreadsheet formula" in error.reason and "Paste values" in error.fix


def test_a_workbook_with_typed_cells_is_checked_like_text(upload_db, settings):
    data = xlsx_bytes(
        [
            ["transaction_id", "grant_id", "date", "kind", "amount", "currency", "budget_line"],
            ["T-9001", None, dt.datetime(2021, 2, 1), "expenditure", 1234.5, "usd", "1.1"],
        ]
    )
    result = check(upload_db, settings, data=data, name="t.xlsx")
    assert result.ok, result.errors
    assert result.rows[["date", "amount", "currency"]].values.tolist() == [
        ["2021-02-01", "1234.5", "USD"]
    ]


# Comparing with what is stored ------------------------------------------------------------------
def test_new_changed_and_unchanged_rows_with_old_and_new_values(upload_db, settings):
    result = check(
        upload_db,
        settings,
        "budget_line,category,period,amount,currency",
        "1.1,staff,2021Q1,40000,USD",
        "1.1,staff,2021Q2,41000,USD",
        "9.9,other,2021Q2,10,USD",
    )
    assert (result.new, result.changed, result.unchanged) == (1, 1, 1)
    # each line's own status, as the preview's table shows it
    assert result.rows.set_index("line")[ROW_STATUS].to_dict() == {
        2: "unchanged",
        3: "changed",
        4: "new",
    }
    assert result.changes.values.tolist() == [[3, "1.1 · 2021Q2", "amount", "40000.00", "41000.00"]]


def test_changes_of_a_table_not_kept_by_quarter_are_listed_too(upload_db, settings):
    """Organisations are compared with every stored organisation (no quarter in their key)."""
    result = check(
        upload_db,
        settings,
        "org_id,name,kind,region_code,district,women_led,status,established_on,lat,lon",
        "CSO-01,Istiqlol Avlodi (renamed),authority,UZ-NG,,no,new,01.01.2000,41.123456789,",
    )
    assert result.changed == 1
    changed = result.changes[["line", "row_key", "column_name", "new"]].values.tolist()
    assert [2, "CSO-01", "name", "Istiqlol Avlodi (renamed)"] in changed
    assert [2, "CSO-01", "kind", "authority"] in changed


def test_columns_left_out_keep_their_stored_values(upload_db, settings):
    # G1 2021Q1 UZ-JI (total) is stored with a comment and source; the file has neither.
    result = check(
        upload_db,
        settings,
        "indicator_code,period,region_code,value",
        "G1,2021Q1,UZ-JI,56",
    )
    assert result.changes.values.tolist() == [
        [2, "G1 · 2021Q1 · UZ-JI ·  · all · all", "value", "55.2", "56.0"]
    ]


# Warnings ----------------------------------------------------------------------------------------
def test_a_value_far_outside_earlier_values_is_a_warning_not_an_error(upload_db, settings):
    result = check(upload_db, settings, VALUES_HEADER, values_row(value="900", period="2022Q2"))
    assert result.ok
    assert any("far outside the earlier values of OC1.1" in w.reason for w in result.warnings)


def _total_and_female(upload_db, settings, *, total: str, female: str):
    """The check of a file of two OC1.2 rows for 2022Q2: all people, and women."""
    return check(
        upload_db,
        settings,
        VALUES_HEADER,
        values_row(value=total, indicator_code="OC1.2", period="2022Q2"),
        values_row(value=female, indicator_code="OC1.2", period="2022Q2", sex="female"),
    )


def test_breakdown_adding_up_to_more_than_the_total_is_a_warning(upload_db, settings):
    result = _total_and_female(upload_db, settings, total="2", female="5")
    assert result.ok, result.errors
    assert any("add up to 5, more than their total 2" in w.reason for w in result.warnings), (
        result.warnings
    )


def test_spending_beyond_a_grants_award_is_a_warning(upload_db, settings):
    result = check(
        upload_db,
        settings,
        "transaction_id,grant_id,date,kind,amount,currency,budget_line",
        "T-9001,G-02,2022-03-01,expenditure,100000,USD,4.1",
    )
    assert result.ok, result.errors
    assert any(
        "grant G-02 has spent" in w.reason and "more than its award of 8,500.00" in w.reason
        for w in result.warnings
    ), result.warnings


def test_a_date_in_the_future_is_a_warning(upload_db, settings):
    result = preview_file(
        upload_db,
        csv_bytes(
            "milestone_id,title,stage,level,planned_on,status",
            "M-90,Visit,2,regional,2021-05-01,planned",
        ),
        "m.csv",
        settings,
        today=dt.date(2021, 3, 1),
    ).check
    assert result.ok
    assert [w.reason for w in result.warnings] == ["the date 2021-05-01 is in the future"]


def test_a_percentage_formatted_cell_counts_as_the_percentage_shown(upload_db, settings):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["indicator_code", "period", "region_code", "value"])
    workbook.active.append(["G1", "2021Q2", "UZ-JI", 0.452])
    workbook.active["D2"].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(upload_db, settings, data=buffer.getvalue(), name="values.xlsx")
    assert result.ok, result.errors
    assert result.rows["value"].tolist() == ["45.2"]


def test_one_warning_per_value_written_in_the_readers_language(upload_db, settings):
    """A value far outside the earlier values that is also an outlier by its z-score gets one
    warning with both reasons, its figures written as the reader writes them (52,4)."""
    row = values_row(value="5", indicator_code="G1", period="2022Q2")
    with i18n.language("ru"):
        result = check(upload_db, settings, VALUES_HEADER, row)
    about_the_value = [w for w in result.warnings if w.column == "value"]
    assert [w.reason for w in about_the_value] == [
        "5 сильно выходит за пределы прежних значений G1 (от 52,4 до 64,1 в 8 прежних строках); "
        "модифицированная z-оценка -10,4 (больше 3,5; медиана 8 значений 56,6)"
    ]
    assert result.warning_count == len(result.warnings)


def test_the_z_score_joins_the_far_outside_warning_not_another_on_the_same_line(
    upload_db, settings
):
    """A total row far outside its earlier values, whose parts add up to more than it, has
    three warnings on its line: the z-score goes with the one about its value."""
    result = _total_and_female(upload_db, settings, total="200", female="500")
    on_the_total = [w.reason for w in result.warnings if w.line == 2]
    far = [r for r in on_the_total if "far outside" in r]
    assert len(far) == 1 and "modified z-score" in far[0], on_the_total
    assert all("modified z-score" not in r for r in on_the_total if r not in far), on_the_total
