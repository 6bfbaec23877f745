import datetime as dt

import pytest

from monitoring.periods import (
    default_reporting_date,
    months_elapsed,
    period_end,
    period_of,
    periods_between,
    reporting_dates,
    time_share,
)


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (dt.date(2021, 1, 1), "2021Q1"),
        (dt.date(2021, 6, 30), "2021Q2"),
        (dt.date(2022, 12, 31), "2022Q4"),
    ],
)
def test_period_of(day, period):
    assert period_of(day) == period


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2021Q1", dt.date(2021, 3, 31)),
        ("2021Q4", dt.date(2021, 12, 31)),
        ("2024Q1", dt.date(2024, 3, 31)),
    ],
)
def test_period_end(period, end):
    assert period_end(period) == end


def test_periods_between_spans_years():
    assert periods_between("2021Q3", "2022Q2") == ["2021Q3", "2021Q4", "2022Q1", "2022Q2"]


def test_bad_period_is_refused():
    with pytest.raises(ValueError, match="not a quarter"):
        period_end("2021-Q5")


def test_reporting_dates_stop_at_the_latest_quarter_with_data(settings):
    dates = reporting_dates(settings.programme, "2021Q3")
    assert dates == [dt.date(2021, 3, 31), dt.date(2021, 6, 30), dt.date(2021, 9, 30)]


def test_default_reporting_date_is_the_end_of_the_latest_quarter_with_data(settings):
    assert default_reporting_date(settings.programme, "2022Q2") == dt.date(2022, 6, 30)
    # data after the programme never moves the date past its end
    assert default_reporting_date(settings.programme, "2023Q4") == dt.date(2022, 6, 30)
    # no data at all: the first quarter end
    assert default_reporting_date(settings.programme, None) == dt.date(2021, 3, 31)


def test_months_and_time_elapsed(settings):
    assert months_elapsed(settings.programme, dt.date(2021, 3, 31)) == (3, 18)
    assert months_elapsed(settings.programme, dt.date(2022, 6, 30)) == (18, 18)
    assert time_share(settings.programme, dt.date(2022, 6, 30)) == 1.0
    assert time_share(settings.programme, dt.date(2021, 6, 30)) == pytest.approx(181 / 546)
