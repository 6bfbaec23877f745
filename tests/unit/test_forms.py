"""Every accepted form of a value is read to its canonical form; nothing is guessed."""

import pytest

from monitoring import i18n
from monitoring.intake import forms


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1234.5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234,567", "1234567"),
        ("1.234.567", "1234567"),
        ("1 234 567", "1234567"),
        ("0,123", "0.123"),
        ("1.234", "1.234"),
        ("-3", "-3"),
        ("\u22123", "-3"),
        ("+4", "4"),
        (".5", "0.5"),
        ("12.50", "12.5"),
        ("1e-05", "0.00001"),
    ],
)
def test_numbers_in_every_accepted_form(text, canonical):
    assert forms.canonical_number(forms.parse_number(text)) == canonical


@pytest.mark.parametrize("text", ["1,234", "12,345", "999,000"])
def test_a_single_comma_before_three_digits_is_ambiguous(text):
    with pytest.raises(forms.FormError, match="ambiguous") as caught:
        forms.parse_number(text)
    assert "Write" in caught.value.fix


def test_in_a_semicolon_file_the_comma_is_the_decimal_mark():
    assert forms.parse_number("1,234", comma_is_decimal=True) == forms.parse_number("1.234")


@pytest.mark.parametrize("text", ["abc", "12,34,567", "1.2.3,4,5", "5 USD", "1 23", "--4", "45%"])
def test_things_that_are_not_numbers_are_refused(text):
    with pytest.raises(forms.FormError, match="not a number"):
        forms.parse_number(text)


def test_a_percent_sign_is_dropped_only_where_allowed():
    assert forms.parse_number("45%", percent_sign=True) == 45


@pytest.mark.parametrize(
    "text",
    ["2021-04-15", "15.04.2021", "15/04/2021", "15-04-2021", "2021/04/15", "2021-04-15 00:00:00"],
)
def test_dates_day_first(text):
    assert forms.parse_date(text).isoformat() == "2021-04-15"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("04/15/2021", "no month 15"),
        ("31.02.2021", "not a day of the calendar"),
        ("15.04.21", "two-digit year"),
        ("2021-04-15 10:30", "time of day"),
        ("April 15", "not a date"),
    ],
)
def test_dates_that_are_refused_say_why(text, reason):
    with pytest.raises(forms.FormError, match=reason):
        forms.parse_date(text)


@pytest.mark.parametrize("text", ["2021Q1", "2021-Q1", "2021 Q1", "Q1 2021", "Q1-2021", "2021q1"])
def test_quarters(text):
    assert forms.parse_period(text) == "2021Q1"


@pytest.mark.parametrize("text", ["2021Q5", "2021", "Q1", "2021-03"])
def test_not_quarters(text):
    with pytest.raises(forms.FormError, match="not a quarter"):
        forms.parse_period(text)


@pytest.mark.parametrize("text", ["2021-03", "2021-3", "03.2021", "3/2021", "2021-03-01"])
def test_months(text):
    assert forms.parse_month(text) == "2021-03"


def test_a_day_is_not_a_month():
    with pytest.raises(forms.FormError, match="a day, not a month"):
        forms.parse_month("2021-03-15")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("true", "true"),
        ("TRUE", "true"),
        ("yes", "true"),
        ("1", "true"),
        ("да", "true"),
        ("Да", "true"),
        ("ha", "true"),
        ("false", "false"),
        ("no", "false"),
        ("0", "false"),
        ("нет", "false"),
        ("yo'q", "false"),
        ("yo\u2018q", "false"),
        ("yo\u02bbq", "false"),
    ],
)
def test_booleans(text, canonical):
    assert forms.parse_boolean(text) == canonical


def test_not_a_boolean():
    with pytest.raises(forms.FormError, match="not yes or no"):
        forms.parse_boolean("maybe")


STORED = [("UZ-FA", "Ferghana", "Farg\u2018ona viloyati", "Ферганская область")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("UZ-JI", "UZ-JI"),
        ("uz-ji", "UZ-JI"),
        ("Jizzakh", "UZ-JI"),
        ("JIZZAX", "UZ-JI"),
        ("Jizzax viloyati", "UZ-JI"),
        ("Жиззах", "UZ-JI"),
        ("Джизак", "UZ-JI"),
        ("Джизакская область", "UZ-JI"),
        ("Namangan", "UZ-NG"),
        ("Наманган", "UZ-NG"),
        ("Namangan region", "UZ-NG"),
        ("Tashkent region", "UZ-TO"),
        ("Toshkent viloyati", "UZ-TO"),
        ("Ташкентская область", "UZ-TO"),
        ("Tashkent city", "UZ-TK"),
        ("Toshkent shahri", "UZ-TK"),
        ("город Ташкент", "UZ-TK"),
        ("Farg'ona viloyati", "UZ-FA"),
        ("Ferghana", "UZ-FA"),
        ("Қорақалпоғистон", "UZ-QR"),
    ],
)
def test_region_names_in_english_uzbek_and_russian(text, code):
    assert forms.RegionNames(STORED).code(text) == code


def test_plain_tashkent_is_ambiguous():
    with pytest.raises(forms.FormError, match="Tashkent city or Tashkent region") as caught:
        forms.RegionNames(STORED).code("Ташкент")
    assert "UZ-TK" in caught.value.fix and "UZ-TO" in caught.value.fix


@pytest.mark.parametrize("text", ["UZ-ZZ", "Atlantis", "KZ-AST"])
def test_unknown_regions(text):
    with pytest.raises(forms.FormError, match="not a region"):
        forms.RegionNames(STORED).code(text)


def test_region_names_stored_in_the_regions_table_are_recognised():
    names = forms.RegionNames([("UZ-NG", "Namangan", "Namangan viloyati", "Pop city")])
    assert names.code("pop city") == "UZ-NG"


def test_a_name_given_to_two_regions_is_never_guessed_between():
    """Two regions of the regions table named alike (or one named as another region is
    known): a file that names that region is refused there, not filed under either."""
    names = forms.RegionNames(
        [("UZ-NG", "Namangan", "Namangan viloyati", "Valley"), ("UZ-FA", "Valley", "", "")]
    )
    with pytest.raises(forms.FormError, match="more than one region") as caught:
        names.code("valley")
    assert "UZ-FA / UZ-NG" in str(caught.value) and "UZ-FA / UZ-NG" in caught.value.fix
    assert names.code("Namangan") == "UZ-NG" and names.code("UZ-FA") == "UZ-FA"
    renamed = forms.RegionNames([("UZ-FA", "Namangan", "", "")])  # another region's name
    with pytest.raises(forms.FormError, match="more than one region"):
        renamed.code("Namangan region")
    with i18n.language("ru"), pytest.raises(forms.FormError) as caught:
        names.code("Valley")
    assert "UZ-FA / UZ-NG" in str(caught.value) and "more than one" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("all", "all"), ("ALL", "all"), ("15-29", "15-29"), ("15–29", "15-29"), ("30 +", "30+")],
)
def test_age_groups(text, canonical):
    assert forms.parse_age_group(text) == canonical


@pytest.mark.parametrize("text", ["29-15", "young", "15-"])
def test_not_age_groups(text):
    with pytest.raises(forms.FormError):
        forms.parse_age_group(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("sex", "sex"),
        ("Age group", "age_group"),
        ("age_group;sex", "sex;age_group"),
        ("sex, age group", "sex;age_group"),
        ("none", None),
    ],
)
def test_disaggregations(text, canonical):
    assert forms.parse_disaggregation(text) == canonical


def test_choices_ignore_case_and_accept_spaces_for_underscores():
    assert forms.parse_choice("In progress", ("planned", "in_progress")) == "in_progress"
    assert forms.parse_choice("Community group", ("cso", "community_group")) == "community_group"
    with pytest.raises(forms.FormError, match="not one of the allowed values") as caught:
        forms.parse_choice("done", ("planned", "in_progress"))
    assert caught.value.fix == "Write one of: planned, in_progress."


def test_currencies_any_case():
    assert forms.parse_currency("uzs") == "UZS"
    with pytest.raises(forms.FormError, match="not a currency") as caught:
        forms.parse_currency("EUR")
    assert caught.value.fix == "Write USD or UZS."


@pytest.mark.parametrize("text", ["javascript:alert(1)", "ftp://x.org/a", "www.example.org", "/a"])
def test_only_http_addresses(text):
    with pytest.raises(forms.FormError, match="not a web address"):
        forms.parse_url(text)


def test_whole_numbers():
    assert forms.parse_integer("2.0") == 2
    with pytest.raises(forms.FormError, match="not a whole number"):
        forms.parse_integer("2.5")
