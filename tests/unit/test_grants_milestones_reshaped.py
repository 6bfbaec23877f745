"""Queries and tables reshaped for speed (issue 20) give exactly what they gave before.

Each test runs the code as it was before beside the code as it is, over a real DuckDB
database in tmp_path (the sample tables, plus rows that exercise the edge the change
touches), and asks for identical results.
"""

import datetime as dt
import shutil

import pandas as pd
import pytest

from monitoring.db import Database
from monitoring.db.database import query_text
from monitoring.reports import milestones as ms
from monitoring.reports.milestones import MilestoneFilters
from monitoring.reports.overview import default_as_of
from monitoring.settings import load_settings
from tests.conftest import insert

AS_OF = (dt.date(2021, 6, 30), dt.date(2021, 12, 31), dt.date(2022, 6, 30))


@pytest.fixture
def sample(sample_db_path, tmp_path):
    """A copy of the sample tables of one test's own."""
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_db_path, path)
    database = Database(path)
    yield database
    database.close()


# grants_position.sql: each grant's flows in every currency in one pass (per_currency), where
# flows (the reporting currency) and own_currency (the grant's, joined to the grants, reading
# project spending too) were two -----------------------------------------------------------

_OLD_FLOWS = """flows as (
    select
        t.grant_id,
        sum(t.amount_in) filter (where t.kind = 'commitment') as committed,
        sum(t.amount_in) filter (where t.kind = 'disbursement') as disbursed,
        sum(t.amount_in) filter (where t.kind = 'expenditure') as expenditure,
        sum(t.amount_in) filter (where t.kind = 'refund') as refunds,
        sum(t.spent_in) as spent,
        sum(t.without_rate) as transactions_without_rate,
        max(t.last_on) filter (where t.kind = 'expenditure') as last_expenditure_on
    from spending_to(cast($as_of as date)) as t
    where t.to_currency = $currency and t.grant_id is not null
    group by t.grant_id
),

own_currency as (
    select
        s.grant_id,
        sum(t.spent_in) as spent_own
    from scoped as s
    join spending_to(cast($as_of as date)) as t
        on t.grant_id = s.grant_id and t.to_currency = s.currency
    where t.kind in ('expenditure', 'refund')
    group by s.grant_id
),

"""


def _old_grants_position() -> str:
    """The query before the changes: flows and own_currency apart, own_currency reading
    every transaction in the grant's currency."""
    text = query_text("grants_position")
    start, end = text.index("per_currency as ("), text.index("-- each grant's last expenditure")
    start = text.rindex("\n\n", 0, start) + 2  # with the comment above it
    return text[:start] + _OLD_FLOWS + text[end:]


def test_grants_position_is_unchanged_by_reading_grant_transactions_only(sample):
    # Project spending (no grant) in a grant's own currency, beside a grant's spending in
    # another currency and a refund: what the join used to drop, the scan now skips.
    tx = dict(budget_line="1.1", description="extra")
    insert(
        sample,
        "transactions",
        [
            dict(transaction_id="X-1", date="2021-05-03", kind="expenditure", amount=700,
                 currency="UZS", **tx),
            dict(transaction_id="X-2", date="2021-11-20", kind="refund", amount=40,
                 currency="USD", **tx),
            dict(transaction_id="X-3", grant_id="G-01", date="2021-09-02",
                 kind="expenditure", amount=1_250_000, currency="UZS", **tx),
            dict(transaction_id="X-4", grant_id="G-02", date="2022-03-01", kind="refund",
                 amount=15, currency="USD", **tx),
        ],
    )  # fmt: skip
    old = _old_grants_position()
    cur = sample.connection().cursor()
    checked = 0
    for as_of in AS_OF:
        for currency in ("USD", "UZS"):
            for regions in (None, ["UZ-JI"], ["UZ-NG", "UZ-TO"], []):
                params = dict(
                    as_of=as_of,
                    currency=currency,
                    regions=regions,
                    stale_days=90,
                    unnamed_kinds=None,
                )
                before = cur.execute(old, params).df()
                after = sample.query("grants_position", **params)
                pd.testing.assert_frame_equal(before, after)
                checked += len(after)
    assert checked > 100


# milestone_list: texts made once per distinct value, not once per row ----------------------


def _old_texts(frame: pd.DataFrame, as_of: dt.date) -> dict[str, list]:
    """The per-row texts as milestone_list made them before."""
    return {
        "stage_label": frame.stage.map(ms.stage_label).tolist(),
        "status_text": [
            ms.milestone_status_text(s, d)
            for s, d in zip(frame.status, frame.days_late, strict=True)
        ],
        "evidence_link": frame.evidence_url.map(ms.web_link).tolist(),
        "indicator_link": frame.indicator_code.map(
            lambda code: ms.indicator_detail_link(code, as_of) if isinstance(code, str) else None
        ).tolist(),
    }


def _plain(values) -> list:
    """Missing values (None, NaN) as None, for comparing lists."""
    return [None if not isinstance(v, str) and pd.isna(v) else v for v in values]


def test_milestone_texts_are_unchanged_by_making_each_once(sample):
    insert(
        sample,
        "milestones",
        [
            dict(milestone_id="M-90", title="Late twice", stage=3, level="regional",
                 region_code="UZ-JI", planned_on="2021-03-01", achieved_on="2021-05-30",
                 status="achieved", evidence_url="https://example.org/a b"),
            dict(milestone_id="M-91", title="Same evidence", stage=3, level="regional",
                 region_code="UZ-JI", planned_on="2021-03-01", achieved_on="2021-05-30",
                 status="achieved", evidence_url="https://example.org/report",
                 indicator_code="OC3.2"),
            dict(milestone_id="M-92", title="Same evidence again", stage=1,
                 level="national", planned_on="2021-02-01", achieved_on="2021-01-15",
                 status="achieved", evidence_url="https://example.org/report"),
            dict(milestone_id="M-93", title="Dropped", stage=4, level="community",
                 region_code="UZ-NG", planned_on="2021-02-01", status="dropped",
                 evidence_url="javascript:alert(1)"),
        ],
    )  # fmt: skip
    settings = load_settings()
    for as_of in (*AS_OF, default_as_of(sample, settings)):
        for filters in (MilestoneFilters(), MilestoneFilters(regions=("UZ-JI",))):
            after = ms.milestone_list(sample, settings, as_of, filters)
            before = _old_texts(after, as_of)
            assert len(after) > (20 if filters.regions is None else 5)
            for column, old in before.items():
                assert _plain(after[column]) == _plain(old), column
            assert after.status_text.str.contains("day").any()  # lateness written out


# grants_table and the flags: the columns they read only ------------------------------------


def _old_grants_table(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """grants.grants_table as it was: every column filtered and sorted."""
    from monitoring.reports.grants import _percent, grant_status_text

    rows = frame[frame.level == "grant"].copy()
    rows["flagged"] = rows.flag_text != ""
    rows = rows.sort_values(["flagged", "region_name", "grant_id"], ascending=[False, True, True])
    return pd.DataFrame(
        {
            "Grant": rows.grant_id,
            "Grantee": rows.grantee,
            "Region": rows.region_name.fillna(rows.region_code),
            "Status": rows.status_as_of.map(grant_status_text),
            "Flags": rows.flag_text,
            f"Awarded ({currency})": rows.awarded,
            f"Committed ({currency})": rows.committed,
            f"Disbursed ({currency})": rows.disbursed,
            f"Expenditure ({currency})": rows.expenditure,
            f"Refunds ({currency})": rows.refunds,
            f"Spent ({currency})": rows.spent,
            f"Balance ({currency})": rows.balance,
            "Spent of award %": _percent(rows.spent_share),
            "Grant currency": rows.grant_currency,
            "Award (grant currency)": rows.award_in_grant_currency,
            "Balance (grant currency)": rows.balance_in_grant_currency,
            "Title": rows.title,
            "Awarded on": rows.awarded_on.dt.date,
            "Ends on": rows.end_on.dt.date,
        }
    ).reset_index(drop=True)


def test_grants_table_and_flags_are_unchanged_by_reading_their_columns_only(sample):
    from monitoring.reports import grants as gr

    settings = load_settings()
    for as_of in AS_OF:
        for currency in ("USD", "UZS"):
            frame = gr.grant_position(sample, settings, as_of, gr.SpendingFilters(currency))
            pd.testing.assert_frame_equal(
                gr.grants_table(frame, currency), _old_grants_table(frame, currency)
            )
            grants = frame.level == "grant"
            old_flags = [
                " · ".join(gr.grant_flags(row)) for row in frame[grants].itertuples(index=False)
            ]
            assert frame.loc[grants, "flag_text"].tolist() == old_flags
    assert any(old_flags)  # the sample flags some grants


def test_the_grant_chart_keeps_flagged_grants_then_the_largest_awards_in_order():
    from monitoring.reports.grants import grants_for_chart

    per_grant = pd.DataFrame(
        {
            "grant_id": ["G-5", "G-4", "G-3", "G-2", "G-1"],
            "flag_text": ["", "⚠ over", "", "", "◷ stale"],
            "awarded": [100.0, 5.0, 300.0, 300.0, 1.0],
        }
    )
    assert grants_for_chart(per_grant, 5) is per_grant
    assert grants_for_chart(per_grant, 2).grant_id.tolist() == ["G-4", "G-1"]  # flagged
    # then the largest awards (a tie broken by grant ID), in the frame's own order
    assert grants_for_chart(per_grant, 3).grant_id.tolist() == ["G-4", "G-2", "G-1"]
    assert grants_for_chart(per_grant, 4).grant_id.tolist() == ["G-4", "G-3", "G-2", "G-1"]
