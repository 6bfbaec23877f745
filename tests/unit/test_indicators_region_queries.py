"""The detail's per-region queries, one pass with the region as a group-by key, against the
queries they replace: indicators_progress.sql and indicators_series.sql run once per region
(the page's old way), on the sample database (real DuckDB, no mocks)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from monitoring.periods import period_end, programme_periods
from monitoring.reports import indicators, overview
from tests.conftest import ENGINES, same_frame, sample_database

REGION_LISTS = (
    None,  # every region of the filter (programme regions first)
    ["UZ-JI"],
    ["UZ-NG", "UZ-TO"],  # in the order asked
    ["UZ-TO", "UZ-SA"],  # a region outside the programme
)


@pytest.fixture(scope="module", params=ENGINES)
def sample(request):
    db = sample_database(request, request.param, read_only=True)
    yield db
    db.close()


def one_query_per_region_progress(db, settings, as_of, code, regions, cache=None):
    """region_progress as it was: indicators_progress.sql once for each region (`cache`
    keeps each region's result across indicators, to keep the test short)."""
    options = indicators.region_options(db, settings)
    names = options.set_index("region_code").region_name
    cache = {} if cache is None else cache
    rows = []
    for region in regions or options.region_code:
        if (as_of, region) not in cache:
            cache[as_of, region] = overview.indicator_progress(db, settings, as_of, [region])
        progress = cache[as_of, region]
        row = progress[progress.indicator_code == code]
        if not row.empty:
            rows.append(row.assign(region_code=region, region_name=names.get(region, region)))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def one_query_per_region_series(db, settings, periods, code, regions):
    """region_series as it was: indicators_series.sql once for each region."""
    options = indicators.region_options(db, settings)
    if regions:
        options = options[options.region_code.isin(list(regions))]
    frames = [
        indicators.indicator_series(db, periods, [region], code).assign(
            region_code=region, region_name=name
        )
        for region, name in zip(options.region_code, options.region_name, strict=True)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def codes(db, settings, as_of):
    return overview.indicator_progress(db, settings, as_of).indicator_code.tolist()


def test_region_progress_equals_one_query_per_region(sample, settings):
    periods = programme_periods(settings.programme)
    as_of = period_end(periods[-1])
    for code in [*codes(sample, settings, as_of), "NO-SUCH"]:
        for regions in REGION_LISTS:
            got = indicators.region_progress(sample, settings, as_of, code, regions)
            same_frame(got, one_query_per_region_progress(sample, settings, as_of, code, regions))


def test_every_indicator_in_every_quarter(sample, settings):
    """The query over all indicators ($indicator NULL), each quarter as the reporting date:
    the rows of indicators_progress.sql run for each region alone, in the regions' order."""
    checked = 0
    for period in programme_periods(settings.programme):
        as_of = period_end(period)
        for regions in (["UZ-JI", "UZ-TO", "UZ-NG"], ["UZ-NG", "UZ-SA"]):
            got = sample.query(
                "indicators_region_progress",
                as_of=as_of,
                start=settings.programme.start,
                end=settings.programme.end,
                regions=regions,
                indicator=None,
                programme_regions=list(settings.programme.regions),
                on_track=settings.status.on_track,
                at_risk=settings.status.at_risk,
            )
            expected = pd.concat(
                [
                    overview.indicator_progress(sample, settings, as_of, [r]).assign(region_code=r)
                    for r in regions
                ],
                ignore_index=True,
            )
            same_frame(got, expected)
            checked += len(got)
    assert checked > 200


def test_region_progress_of_the_whole_programme_in_one_region(sample, settings):
    """A programme of one region: that region alone is not a regional view."""
    one = dataclasses.replace(
        settings, programme=dataclasses.replace(settings.programme, regions=("UZ-JI",))
    )
    as_of = period_end(programme_periods(one.programme)[-1])
    for code in codes(sample, one, as_of):
        got = indicators.region_progress(sample, one, as_of, code, ["UZ-JI", "UZ-NG"])
        expected = one_query_per_region_progress(sample, one, as_of, code, ["UZ-JI", "UZ-NG"])
        same_frame(got, expected)
        assert got.target_scope.iloc[0] == "programme"


def test_region_series_equals_one_query_per_region(sample, settings):
    periods = programme_periods(settings.programme)
    for code in [*codes(sample, settings, period_end(periods[-1])), "NO-SUCH"]:
        for regions in REGION_LISTS[:3]:
            got = indicators.region_series(sample, settings, periods, code, regions)
            same_frame(got, one_query_per_region_series(sample, settings, periods, code, regions))


def test_every_indicator_series_in_any_range(sample, settings):
    periods = programme_periods(settings.programme)
    checked = 0
    for span in (periods, periods[1:3], periods[:1]):
        for regions in (["UZ-JI", "UZ-TO", "UZ-NG"], ["UZ-NG", "UZ-SA"]):
            got = sample.query(
                "indicators_region_series", periods=span, regions=regions, indicator=None
            )
            expected = pd.concat(
                [
                    indicators.indicator_series(sample, span, [r]).assign(region_code=r)
                    for r in regions
                ],
                ignore_index=True,
            )
            same_frame(got, expected)
            checked += len(got)
    assert checked > 200


def test_logframe_lists_what_indicator_progress_lists(sample, settings):
    """indicator_codes reads the logframe alone, no longer indicator_progress: the same
    codes, titles and groups in the same order."""
    as_of = period_end(programme_periods(settings.programme)[-1])
    for exclude in ((), ("OC1.1",)):
        progress = overview.indicator_progress(sample, settings, as_of)
        progress = progress[~progress.indicator_code.isin(exclude)].reset_index(drop=True)
        expected = pd.DataFrame(
            {
                "indicator_code": progress.indicator_code,
                "title": progress.title,
                "group": [
                    indicators.outcome_label(lv, oc)
                    for lv, oc in zip(progress.level, progress.outcome, strict=True)
                ],
            }
        )
        same_frame(indicators.indicator_codes(sample, settings, as_of, exclude), expected)
