"""Milestones as of a reporting date: status, lateness, counts, filters and safe links."""

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from monitoring.reports import overview
from monitoring.reports.milestones import (
    NO_REGION,
    MilestoneFilters,
    indicator_detail_link,
    milestone_counts,
    milestone_list,
    milestone_status_text,
    milestones_by_quarter,
    region_options,
    web_link,
)
from tests.conftest import insert

Q1 = dt.date(2021, 3, 31)
Q2 = dt.date(2021, 6, 30)
Q3 = dt.date(2021, 9, 30)
Q4 = dt.date(2021, 12, 31)
ALL = MilestoneFilters()


def milestone(mid, planned_on, achieved_on=None, status="planned", **kw):
    row = dict(
        milestone_id=mid,
        title=f"Milestone {mid}",
        stage=2,
        level="regional",
        region_code="UZ-JI",
        planned_on=planned_on,
        achieved_on=achieved_on,
        status=status,
    )
    row.update(kw)
    return row


@pytest.fixture
def plan(db):
    insert(
        db,
        "regions",
        [
            dict(region_code="UZ-JI", name_en="Jizzakh"),
            dict(region_code="UZ-NG", name_en="Namangan"),
            dict(region_code="UZ-TO", name_en="Tashkent Region"),
        ],
    )
    insert(
        db,
        "indicators",
        [
            dict(
                indicator_code="OC3.1",
                level="outcome",
                outcome=3,
                title="Advocacy initiatives",
                unit="number",
                direction="increase",
                aggregation="sum",
                baseline=0,
                target=10,
            )
        ],
    )
    insert(
        db,
        "indicator_values",
        [
            dict(indicator_code="OC3.1", period="2021Q1", region_code="UZ-JI", value=2),
            dict(indicator_code="OC3.1", period="2021Q2", region_code="UZ-NG", value=3),
        ],
    )
    insert(
        db,
        "milestones",
        [
            # one day late, achieved in Q2
            milestone(
                "A",
                "2021-04-15",
                "2021-04-16",
                "achieved",
                evidence_url="https://example.org/a",
                outcome="Police joined the CSWG",
                indicator_code="OC3.1",
            ),
            # overdue at the end of Q2 (60 days), achieved 123 days late in Q3
            milestone(
                "B",
                "2021-05-01",
                "2021-09-01",
                "achieved",
                stage=3,
                level="community",
                region_code="UZ-NG",
                evidence_url="javascript:alert(1)",
            ),
            # planned in Q4, never achieved
            milestone("C", "2021-12-01", stage=3, level="community", region_code="UZ-NG"),
            # dropped stays dropped, even with an achieved date
            milestone(
                "D",
                "2021-05-01",
                "2021-05-02",
                "dropped",
                stage=4,
                level="international",
                region_code=None,
            ),
            # due on the reporting date itself: due, not yet late
            milestone("E", "2021-06-30", status="in_progress"),
            # achieved early: on time, 0 days late
            milestone(
                "F",
                "2021-03-01",
                "2021-02-20",
                "achieved",
                stage=1,
                level="national",
                region_code=None,
            ),
        ],
    )
    return db


def by_id(frame):
    return frame.set_index("milestone_id")


@pytest.mark.parametrize(
    ("as_of", "mid", "status", "days_late"),
    [
        (Q2, "A", "achieved", 1),
        (Q2, "B", "overdue", 60),  # 1 May to 30 June
        (Q3, "B", "achieved", 123),  # achieved 1 Sep: 123 days after 1 May
        (Q1, "B", "planned", None),
        (Q2, "C", "planned", None),
        (Q4, "C", "overdue", 30),  # 1 Dec to 31 Dec
        (Q2, "D", "dropped", None),
        (Q2, "E", "planned", None),  # planned on the reporting date: not late yet
        (Q3, "E", "overdue", 92),
        (Q1, "F", "achieved", 0),
    ],
)
def test_status_and_days_late_follow_the_reporting_date(
    plan, settings, as_of, mid, status, days_late
):
    row = by_id(milestone_list(plan, settings, as_of, ALL)).loc[mid]
    assert row.status == status
    if days_late is None:
        assert pd.isna(row.days_late)
    else:
        assert row.days_late == days_late
    assert bool(row.late) == bool(days_late)


def test_an_achievement_after_the_reporting_date_is_not_shown(plan, settings):
    b = by_id(milestone_list(plan, settings, Q2, ALL)).loc["B"]
    assert pd.isna(b.achieved_on)
    assert b.status_text == "▶ Overdue by 60 days"


@pytest.mark.parametrize(
    ("code", "days", "text"),
    [
        ("achieved", 0, "● Achieved on time"),
        ("achieved", 1, "◆ Achieved 1 day late"),
        ("achieved", 21, "◆ Achieved 21 days late"),
        ("overdue", 149, "▶ Overdue by 149 days"),
        ("planned", None, "○ Planned"),
        ("dropped", None, "✕ Dropped"),
    ],
)
def test_status_is_written_in_words_with_the_days_late(code, days, text):
    assert milestone_status_text(code, days) == text


def counts_of(frame, dimension):
    part = frame[frame.dimension == dimension].set_index("label")
    return part[
        ["planned", "due", "achieved", "achieved_late", "overdue", "not_yet_due", "dropped"]
    ]


def counts_of_due(frame, dimension) -> int:
    """The due milestones accounted for: achieved (of the due ones) and overdue."""
    part = frame[frame.dimension == dimension].iloc[0]
    return int(part.achieved_of_due + part.overdue)


def test_counts_of_achieved_against_planned_by_level_region_and_in_all(plan):
    counts = milestone_counts(plan, Q2, ALL)
    total = counts_of(counts, "total").iloc[0].to_dict()
    # planned: A B C E F (D dropped); due by 30 June: A B F; achieved: A F; late: A;
    # overdue: B; not yet due: C, and E (planned on the reporting date, not achieved: not
    # overdue until the next day, so still to come; it was due and neither achieved nor
    # overdue before migration 0017)
    assert total == dict(
        planned=5, due=3, achieved=2, achieved_late=1, overdue=1, not_yet_due=2, dropped=1
    )
    assert total["due"] + total["not_yet_due"] == total["planned"]
    assert counts_of_due(counts, "total") == total["due"]
    level = counts_of(counts, "level")
    assert list(level.index) == ["Community", "Regional", "National", "International"]
    assert level.loc["Regional"].tolist() == [2, 1, 1, 1, 0, 1, 0]  # A, E (still to come)
    assert level.loc["Community"].tolist() == [2, 1, 0, 0, 1, 1, 0]  # B, C
    region = counts_of(counts, "region")
    assert list(region.index) == ["Jizzakh", "Namangan", "No region (national or international)"]
    assert region.loc["No region (national or international)"].tolist() == [1, 1, 1, 0, 0, 0, 1]


def test_counts_agree_with_the_overview_summary(plan):
    for as_of in (Q1, Q2, Q3, Q4):
        total = milestone_counts(plan, as_of, ALL).query("dimension == 'total'").iloc[0]
        summary = overview.milestone_summary(plan, as_of)
        assert summary.planned_to_date == total.due
        assert summary.achieved_of_planned_to_date == total.achieved_of_due
        assert summary.overdue == total.overdue
        assert summary.planned_total == total.planned


def test_per_quarter_counts_planned_and_achieved_dates_and_nothing_after_the_date(plan, settings):
    quarters = milestones_by_quarter(plan, settings, Q2, ALL).set_index("period")
    assert list(quarters.index) == ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    assert quarters.planned.tolist() == [1, 3, 0, 1, 0, 0]  # F; A B E; C (D dropped)
    assert quarters.loc["2021Q1", "achieved"] == 1  # F
    assert quarters.loc["2021Q2", "achieved"] == 1  # A (B only in Q3, after the date)
    assert quarters.loc["2021Q2", "achieved_late"] == 1
    assert quarters.loc["2021Q2", "achieved_cumulative"] == 2
    assert quarters.loc["2021Q2", "planned_cumulative"] == 4
    later = quarters.loc["2021Q3"]
    assert bool(later.after_reporting_date)
    assert pd.isna(later.achieved)  # unknown, not zero
    q3 = milestones_by_quarter(plan, settings, Q3, ALL).set_index("period")
    assert q3.loc["2021Q3", "achieved"] == 1 and q3.loc["2021Q3", "achieved_late"] == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (MilestoneFilters(), {"A", "B", "C", "D", "E", "F"}),
        (MilestoneFilters(stages=(3,)), {"B", "C"}),
        (MilestoneFilters(stages=(1, 4)), {"D", "F"}),
        (MilestoneFilters(levels=("regional",)), {"A", "E"}),
        (MilestoneFilters(regions=("UZ-NG",)), {"B", "C"}),
        (MilestoneFilters(regions=(NO_REGION,)), {"D", "F"}),
        (MilestoneFilters(regions=("UZ-JI", NO_REGION)), {"A", "D", "E", "F"}),
        (MilestoneFilters(statuses=("overdue",)), {"B"}),
        (MilestoneFilters(statuses=("planned", "dropped")), {"C", "D", "E"}),
        (MilestoneFilters(stages=(2,), statuses=("achieved",)), {"A"}),
        (MilestoneFilters(regions=("UZ-TO",)), set()),
        (MilestoneFilters(stages=()), set()),  # an empty list keeps nothing; None keeps all
    ],
)
def test_filters_keep_only_the_milestones_picked(plan, settings, filters, expected):
    shown = milestone_list(plan, settings, Q2, filters)
    assert set(shown.milestone_id) == expected
    total = milestone_counts(plan, Q2, filters).query("dimension == 'total'").iloc[0]
    assert total.planned + total.dropped == len(expected)


def test_timeline_order_is_stage_then_level_then_planned_date(plan, settings):
    shown = milestone_list(plan, settings, Q2, ALL)
    assert shown.milestone_id.tolist() == ["F", "A", "E", "B", "C", "D"]


def test_indicator_progress_and_link_beside_the_milestone(plan, settings):
    shown = by_id(milestone_list(plan, settings, Q2, ALL))
    a = shown.loc["A"]
    assert a.indicator_link == "/indicators?indicator=OC3.1&as_of=2021Q2"
    assert a.indicator_progress == pytest.approx(0.5)  # (2 + 3) of 10
    expected = overview.indicator_progress(plan, settings, Q2).set_index("indicator_code")
    assert a.indicator_status == expected.loc["OC3.1", "status"]
    assert pd.isna(shown.loc["B"].indicator_link)


def test_indicator_progress_follows_the_regions_picked(plan, settings):
    insert(
        plan,
        "indicator_targets",
        [dict(indicator_code="OC3.1", period="2022Q2", region_code="UZ-JI", target=5)],
    )
    jizzakh = by_id(milestone_list(plan, settings, Q2, MilestoneFilters(regions=("UZ-JI",))))
    regional = overview.indicator_progress(plan, settings, Q2, ["UZ-JI"])
    assert jizzakh.loc["A"].indicator_progress == pytest.approx(regional.progress.iloc[0])
    assert jizzakh.loc["A"].indicator_progress == pytest.approx(2 / 5)  # Jizzakh's target
    # "no region" picked as well: the indicator is still measured over Jizzakh alone
    national = MilestoneFilters(regions=("UZ-JI", NO_REGION))
    assert by_id(milestone_list(plan, settings, Q2, national)).loc[
        "A"
    ].indicator_progress == pytest.approx(2 / 5)
    everywhere = by_id(milestone_list(plan, settings, Q2, ALL)).loc["A"]
    assert everywhere.indicator_progress == pytest.approx(5 / 10)


def test_only_web_addresses_become_evidence_links(plan, settings):
    shown = by_id(milestone_list(plan, settings, Q2, ALL))
    assert shown.loc["A"].evidence_link == "https://example.org/a"
    assert pd.isna(shown.loc["B"].evidence_link)
    assert shown.loc["B"].evidence_url == "javascript:alert(1)"  # kept, shown as text


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/report.pdf", "https://example.org/report.pdf"),
        ("http://example.org", "http://example.org"),
        ("  HTTPS://Example.org/a?b=1  ", "HTTPS://Example.org/a?b=1"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("ftp://example.org/file", None),
        ("example.org/report", None),
        ("//example.org/report", None),
        ("https://", None),
        ("https://example.org/a b", None),
        ('https://example.org/"onmouseover="x', None),
        ("https://example.org/<b>", None),
        ("https://exa\nmple.org", None),
        ("Report in the shared drive, folder 3", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_web_link_accepts_only_http_and_https(url, link):
    assert web_link(url) == link


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/report.pdf",
        "HTTP://EXAMPLE.ORG",
        "https://a.example.org:8443/x/y?z=1&w=%20#top",
        "https://example.org/a?b=c@d.org",
        "https://-/",
        "http://example.org/[x]",
        "https://example.org/~user/{a}|b^c!$*+,;=",
        "https://user@example.org/",  # parsed: a user name
        "https://exämple.org/",  # parsed: not ASCII
        "https://example.org/a\u00a0b",  # parsed, refused: a no-break space
        "https://[::1]/",  # parsed: an IPv6 host
        "https://[::1/",  # parsed, refused: urlsplit raises
        "https://:80/",
        "https://example.org/`x`",
        "ftp://example.org/",
    ],
)
def test_a_plain_web_address_is_taken_as_parsing_it_would(url):
    # web_link takes addresses matching a plain pattern without parsing them (the milestones
    # page's 5,000 evidence links at 1,000,000 values): never one that parsing refuses.
    from monitoring.reports.milestones import _PLAIN_WEB_ADDRESS, _parsed_web_link

    assert web_link(url) == _parsed_web_link(url)
    if _PLAIN_WEB_ADDRESS.fullmatch(url):
        assert _parsed_web_link(url) == url


def test_common_web_addresses_are_not_parsed():
    from monitoring.reports.milestones import _PLAIN_WEB_ADDRESS

    assert _PLAIN_WEB_ADDRESS.fullmatch("https://example.org/reports/2022/q2.pdf?v=2#p3")
    assert not _PLAIN_WEB_ADDRESS.fullmatch("https://user@example.org/")
    assert not _PLAIN_WEB_ADDRESS.fullmatch("https://example.org/<b>")


def test_indicator_detail_link_encodes_the_code():
    assert indicator_detail_link("OC 1&2", Q4) == "/indicators?indicator=OC+1%262&as_of=2021Q4"


def test_region_options_list_programme_regions_first_and_no_region_last(plan, settings):
    options = region_options(plan, settings)
    assert options.region_key.tolist() == ["UZ-JI", "UZ-NG", "UZ-TO", NO_REGION]
    assert options.label.tolist()[-1] == "No region (national or international)"


# A donor's view: the link's regions, milestones not tied to a region, no sensitive work ----


@pytest.fixture
def scoped_plan(plan):
    insert(
        plan,
        "milestones",
        [
            # national, but held in Namangan: national work is not tied to a region
            milestone(
                "G", "2021-05-10", "2021-05-10", "achieved", level="national", region_code="UZ-NG"
            ),
            # Jizzakh work for a sensitive indicator: never in a donor's view
            milestone("H", "2021-05-20", "2021-05-21", "achieved", indicator_code="SENS"),
            # community work with no region (programme-wide)
            milestone("K", "2021-06-01", stage=3, level="community", region_code=None),
        ],
    )
    return plan


JI_DONOR = MilestoneFilters(scope_regions=("UZ-JI",), hidden_indicators=("SENS",))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ALL, {"A", "B", "C", "D", "E", "F", "G", "H", "K"}),
        # Jizzakh's own (A, E; H is sensitive), national and international (D, F, G), none (K)
        (JI_DONOR, {"A", "D", "E", "F", "G", "K"}),
        (MilestoneFilters(scope_regions=("UZ-NG",)), {"B", "C", "D", "F", "G", "K"}),
        (
            MilestoneFilters(hidden_indicators=("SENS", "OC3.1")),
            {"B", "C", "D", "E", "F", "G", "K"},
        ),
        # what the reader picks narrows the view further, never widens it
        (replace(JI_DONOR, regions=("UZ-JI",)), {"A", "E"}),
        (replace(JI_DONOR, regions=("UZ-NG",)), {"G"}),  # B and C stay out of view
        (replace(JI_DONOR, regions=(NO_REGION,)), {"D", "F", "K"}),
    ],
)
def test_a_donor_sees_the_links_regions_and_milestones_not_tied_to_one(
    scoped_plan, settings, filters, expected
):
    assert set(milestone_list(scoped_plan, settings, Q2, filters).milestone_id) == expected
    total = milestone_counts(scoped_plan, Q2, filters).query("dimension == 'total'").iloc[0]
    assert total.planned + total.dropped == len(expected)
    quarters = milestones_by_quarter(scoped_plan, settings, Q2, filters)
    dropped = len(expected & {"D"})
    assert quarters.planned.sum() == len(expected) - dropped


def test_a_donors_counts_and_overview_summary_agree(scoped_plan):
    counts = milestone_counts(scoped_plan, Q2, JI_DONOR)
    total = counts_of(counts, "total").iloc[0].to_dict()
    # in view: A E (Jizzakh), D F G (national, international), K (no region)
    # planned A E F G K; due by 30 June: A F G K; achieved A F G; late A; overdue K (1 June);
    # E, planned on the reporting date itself and not achieved, is still to come
    assert total == dict(
        planned=5, due=4, achieved=3, achieved_late=1, overdue=1, not_yet_due=1, dropped=1
    )
    assert total["due"] + total["not_yet_due"] == total["planned"]
    assert counts_of_due(counts, "total") == total["due"]
    assert list(counts_of(counts, "region").index) == [
        "Jizzakh",
        "Namangan",  # G: national work held there
        "No region (national or international)",
    ]
    summary = overview.milestone_summary(scoped_plan, Q2, ["UZ-JI"], frozenset({"SENS"}))
    assert (summary.planned_total, summary.planned_to_date, summary.overdue) == (5, 4, 1)
    assert (summary.achieved_to_date, summary.achieved_of_planned_to_date) == (3, 3)
    everything = overview.milestone_summary(scoped_plan, Q2)
    assert (everything.planned_total, everything.achieved_to_date) == (8, 4)  # + B C H


def test_a_donors_region_options_are_the_links_and_those_of_milestones_in_view(
    scoped_plan, settings
):
    options = region_options(scoped_plan, settings, ("UZ-JI",), ("SENS",))
    # Namangan only through the national milestone G; Tashkent Region not at all
    assert options.region_key.tolist() == ["UZ-JI", "UZ-NG", NO_REGION]
    assert region_options(scoped_plan, settings).region_key.tolist() == [
        "UZ-JI",
        "UZ-NG",
        "UZ-TO",
        NO_REGION,
    ]


@pytest.mark.parametrize(
    ("filters", "regions"),
    [
        (ALL, None),
        (MilestoneFilters(regions=(NO_REGION,)), None),
        (JI_DONOR, ["UZ-JI"]),
        (replace(JI_DONOR, regions=(NO_REGION,)), ["UZ-JI"]),
        (MilestoneFilters(regions=("UZ-NG", "UZ-JI"), scope_regions=("UZ-JI",)), ["UZ-JI"]),
        # a pick outside the link falls back to the link's regions, never to all of them
        (MilestoneFilters(regions=("UZ-NG",), scope_regions=("UZ-JI",)), ["UZ-JI"]),
    ],
)
def test_a_donors_indicator_progress_is_over_the_links_regions(filters, regions):
    assert filters.indicator_regions == regions


def test_indicator_beside_a_donors_milestone_is_measured_over_the_link(scoped_plan, settings):
    shown = by_id(milestone_list(scoped_plan, settings, Q2, JI_DONOR))
    # OC3.1 over Jizzakh alone: 2 (Namangan's 3 left out); no regional target: no progress
    assert shown.loc["A"].indicator_actual == 2
    assert shown.loc["A"].indicator_unit == "number"
    assert by_id(milestone_list(scoped_plan, settings, Q2, ALL)).loc["A"].indicator_actual == 5


def test_the_timeline_keeps_the_most_urgent_milestones_in_their_order():
    import pandas as pd

    from monitoring.reports.milestones import timeline_rows

    frame = pd.DataFrame(
        {
            "milestone_id": ["A", "B", "C", "D", "E", "F", "G"],
            "status": [
                "achieved",
                "overdue",
                "planned",
                "achieved",
                "overdue",
                "dropped",
                "planned",
            ],
            "late": [False, True, False, True, True, False, False],
            "days_late": [0, 10, 0, 5, 90, 0, 0],
            "planned_on": pd.to_datetime(
                [
                    "2021-01-01",
                    "2021-02-01",
                    "2022-09-01",
                    "2021-03-01",
                    "2021-01-15",
                    "2021-05-01",
                    "2022-08-01",
                ]
            ),
            "achieved_on": pd.to_datetime(
                ["2021-01-01", None, None, "2021-03-06", None, None, None]
            ),
        }
    )
    assert timeline_rows(frame, 10) is frame
    assert timeline_rows(frame, 2).milestone_id.tolist() == ["B", "E"]  # overdue, in order
    assert timeline_rows(frame, 3).milestone_id.tolist() == ["B", "E", "G"]  # soonest to come
    assert timeline_rows(frame, 5).milestone_id.tolist() == ["B", "C", "D", "E", "G"]
    assert timeline_rows(frame, 6).milestone_id.tolist() == ["A", "B", "C", "D", "E", "G"]
