"""One definition of each query (monitoring/db/dialect.py): every migration applies on
PostgreSQL, and every named query (queries/*.sql) returns the same rows on PostgreSQL as on
DuckDB over the same data: the sample, a few rows more (share links, sign-ins, follow-ups),
and a staged upload (temp table upload_rows) for the queries of uploads.

The session's throwaway PostgreSQL server (tests/conftest.py: postgres_server; a missing
PostgreSQL fails the tests, saying what to install).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
import sqlglot
from sqlglot import exp

from monitoring.contract import TABLES
from monitoring.db import Database
from monitoring.db.database import QUERIES, query_parameters, query_text
from monitoring.db.dialect import default_macros, macros_of, migration_to_postgres, to_postgres
from monitoring.db.migrations import CREATE_VERSION_TABLE, MIGRATIONS
from monitoring.db.stored import STORED_COPIES
from monitoring.intake.batches import log_inserted_rows_sql
from monitoring.intake.sample import load_sample
from tests.conftest import add_test_accounts, new_postgres_database

NOW = dt.datetime(2022, 7, 15, 12, 0, tzinfo=dt.UTC)
PROGRAMME_REGIONS = ["UZ-JI", "UZ-TO", "UZ-NG"]
PERIODS = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
START, END = dt.date(2021, 1, 1), dt.date(2022, 6, 30)
AS_OF = dt.date(2022, 3, 31)


# The data ---------------------------------------------------------------------------------

# Rows the sample lacks, so that the access and quality queries have something to find.
EXTRA_ROWS = """
insert into share_links (link_id, label, nonce, regions, pages, downloads, created_by,
    created_at, expires_at, revoked_at, revoked_by, unapproved) values
 (1, 'All', 'n1', null, null, ['tables', 'reports'], 'test-admin', '2022-07-15 08:00+00',
  '2022-12-31 00:00+00', null, null, false),
 (2, 'Two regions', 'n2', ['UZ-JI', 'UZ-TO'], ['overview', 'indicators'], [], 'test-manager',
  '2022-01-10 09:00+00', '2022-06-30 00:00+00', null, null, true),
 (3, 'Revoked', 'n3', ['UZ-NG'], null, ['tables'], 'test-admin', '2022-02-01 10:00+00',
  '2023-01-01 00:00+00', '2022-03-01 10:00+00', 'test-admin', null);
insert into share_link_uses values
 (1, '2022-07-15 09:00+00', 'overview', 'opened'), (1, '2022-07-15 10:00+00', 'map', 'opened'),
 (2, '2022-07-01 09:00+00', null, 'expired'), (3, '2022-03-02 09:00+00', 'overview', 'revoked');
insert into sign_in_attempts values
 ('test-staff', '2022-07-15 11:00+00', 'success', '10.0.0.1'),
 ('test-staff', '2022-07-15 11:10+00', 'wrong_password', '10.0.0.1'),
 ('test-staff', '2022-07-15 11:20+00', 'wrong_password', '10.0.0.2'),
 ('nobody', '2022-07-15 11:30+00', 'unknown_user', '10.0.0.1'),
 ('test-admin', '2022-07-15 11:40+00', 'refused', '10.0.0.1');
insert into sign_in_checks values
 ('c1', 'test-staff', '10.0.0.1', '2022-07-15 11:58+00'),
 ('c2', 'test-admin', null, '2022-07-15 10:00+00');
insert into follow_ups (follow_up_id, indicator_code, period, region_code, org_id, sex,
    age_group, value, note, marked_by, marked_at, closed_by, closed_at, close_note)
select row_number() over (order by indicator_code, period, region_code, org_id, sex, age_group),
    indicator_code, period, region_code, org_id, sex, age_group,
    case when period = '2021Q2' then value + 1 else value end, 'check this', 'test-manager',
    '2022-07-01 08:00+00',
    case when region_code = 'UZ-NG' then 'test-manager' end,
    case when region_code = 'UZ-NG' then timestamptz '2022-07-02 08:00+00' end,
    case when region_code = 'UZ-NG' then 'fine' end
from indicator_values where indicator_code = 'OC1.1' and period in ('2021Q2', '2021Q3');
insert into target_revisions
select 3, 10 + row_number() over (order by indicator_code, period, region_code), indicator_code,
    period, region_code, target - 5, target, 'revised plan', 'test-manager',
    '2022-05-01 08:00+00'
from indicator_targets where period >= '2021Q4';
insert into upload_batches (batch_id, table_name, file_name, sha256, uploaded_by, uploaded_at,
    rows_inserted, rows_updated, source, status, undone_at, undone_by) values
 (21, 'indicator_values', 'values.csv', 'abc', 'test-staff', '2022-07-10 08:00+00', 0, 2,
  'upload', 'undone', '2022-07-11 08:00+00', 'test-manager'),
 (22, 'milestones', 'milestones.csv', 'def', 'test-staff', '2022-07-12 08:00+00', 1, 0,
  'upload', 'committed', null, null);
update indicator_values set deviation_narrative = 'A slower start than planned.'
where indicator_code in ('OC1.2', 'G1') and period = '2021Q4' and sex = 'all'
  and age_group = 'all';
update indicator_values set value = value + 3
where indicator_code = 'OC1.2' and period = '2021Q3' and sex = 'female' and age_group = 'all';
update indicator_values set value = value + 2
where indicator_code = 'OC2.4' and period = '2021Q4' and sex = 'male' and age_group = '18-29';
update milestones set achieved_on = null
where milestone_id = (select min(milestone_id) from milestones where status = 'achieved');
update transactions set amount = amount * 100
where transaction_id = (select min(transaction_id) from transactions where kind = 'disbursement');
"""

# Sequences to set after copying, as the extra rows use ids by hand.
EXTRA_SEQUENCES = {"share_link_seq": 3, "follow_up_seq": 20, "upload_batch_seq": 22}

# A staged upload of each table the upload queries read (the temp table upload_rows:
# `line`, the table's columns, is_new, is_changed, as monitoring/intake/validation.py makes
# it): a third of the stored rows, some changed (`changed`: column -> new value, SQL).
STAGED = {
    "indicator_values": {
        "value": "case when line % 4 = 0 then value * 40 + 100 when line % 4 = 1 then value + 1"
        " else value end",
        "period": "case when line % 9 = 0 then '2022Q3' else period end",
    },
    "indicator_targets": {
        "target": "case when line % 2 = 0 then target + 7 else target end",
        "revision_reason": "case when line % 2 = 0 then ' new plan ' end",
    },
    "milestones": {
        "status": "case when line % 2 = 0 then 'achieved' else status end",
        "achieved_on": "case when line % 2 = 0 then planned_on + 10 else achieved_on end",
        "region_code": "case when line % 5 = 0 then null else region_code end",
    },
    "transactions": {
        "amount": "case when line % 2 = 0 then amount * 30 else amount end",
        "date": "case when line % 3 = 0 then date - 100 else date end",
    },
    "grants": {"amount": "case when line % 2 = 0 then amount / 20 else amount end"},
}


def staged_rows_sql(table: str) -> str:
    """DuckDB SQL making upload_rows from every third stored row of `table`."""
    spec = TABLES[table]
    changed = STAGED[table]
    columns = ", ".join(f"{changed[c]} as {c}" if c in changed else c for c in spec.column_names)
    key = ", ".join(spec.key)
    return (
        f"create temp table upload_rows as select line, {columns}, line % 6 = 0 as is_new, "  # noqa: S608
        f"line % 6 <> 0 as is_changed from (select cast(row_number() over (order by {key}) "
        f"as integer) as line, * from {table}) as s where line % 3 <> 1"
    )


def build_duckdb(path: Path) -> None:
    database = Database(path)
    load_sample(database)
    add_test_accounts(database)
    with database.transaction() as cur:
        for statement in EXTRA_ROWS.split(";\n"):
            if statement.strip():
                cur.execute(statement)
    database.close()


def apply_migrations(con) -> int:
    """Every migration, translated, on a PostgreSQL connection; the statements run."""
    macros: dict = {}
    count = 0
    con.execute(to_postgres(CREATE_VERSION_TABLE))
    for path in sorted(MIGRATIONS.glob("*.sql")):
        for statement in migration_to_postgres(path.read_text(encoding="utf-8"), macros):
            con.execute(statement)
            count += 1
    return count


def copy_tables(source: duckdb.DuckDBPyConnection, con) -> None:
    """Every table's rows from DuckDB into PostgreSQL (the stored copies made first, from
    their views unless a migration made them), and the sequences where DuckDB left them."""
    for copy in STORED_COPIES:
        made = f"create table if not exists {copy.table} as select * from {copy.view} limit 0"  # noqa: S608
        con.execute(to_postgres(made))
    tables = [
        t
        for (t,) in source.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
        ).fetchall()
    ]
    for table in tables:
        cur = source.execute(f"select * from {table}")  # noqa: S608 - names from the catalog
        columns = ", ".join(d[0] for d in cur.description)
        rows = cur.fetchall()
        con.execute(f"delete from {table}")  # noqa: S608 - rows a migration made (sign_in_gate)
        with con.cursor().copy(f"copy {table} ({columns}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
    sequences = dict(
        source.execute("select sequence_name, last_value from duckdb_sequences()").fetchall()
    )
    sequences.update(EXTRA_SEQUENCES)
    for name, value in sequences.items():
        if value is not None:
            con.execute("select setval(%s, %s)", (name, value))


@pytest.fixture(scope="module")
def engines(tmp_path_factory, postgres_server):
    """(DuckDB connection, PostgreSQL connection) to the same data."""
    folder = tmp_path_factory.mktemp("dialect")
    path = folder / "sample.duckdb"
    build_duckdb(path)
    url = new_postgres_database(postgres_server)
    duck = duckdb.connect(str(path))
    duck.execute("set timezone = 'UTC'")
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("set timezone = 'UTC'")
        with pg.transaction():
            apply_migrations(pg)
            copy_tables(duck, pg)
        yield duck, pg
    duck.close()


# Running and comparing --------------------------------------------------------------------


def run_duckdb(con: duckdb.DuckDBPyConnection, sql: str, params: dict):
    cur = con.execute(sql, params)
    if cur.description is None:
        return [], []
    return [d[0] for d in cur.description], cur.fetchall()


def run_postgres(con, sql: str, params: dict):
    cur = psycopg.ClientCursor(con)
    cur.execute(to_postgres(sql), params)
    if cur.description is None:
        return [], []
    return [d.name for d in cur.description], cur.fetchall()


def normal(value):
    """A value as compared: numbers as floats (None for NaN), times in UTC, lists of values."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value
    if isinstance(value, list | tuple):
        return tuple(normal(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, normal(v)) for k, v in value.items())
    return value


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def sort_key(row: tuple):
    return tuple((v is None, type(v).__name__, repr(v) if isinstance(v, tuple) else v) for v in row)


def order_names(sql: str) -> list[str] | None:
    """The names of the columns the statement's outermost ORDER BY uses (None: unordered)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    order = tree.args.get("order")
    if not order:
        return None
    return [c.name for o in order.expressions for c in o.find_all(exp.Column)]


def assert_same_rows(name: str, order: list[str] | None, duck_result, pg_result) -> None:
    """Same columns and the same rows; for an ordered query, in the same order of the
    columns it is ordered by (rows equal in those may come in any order: ties)."""
    (duck_columns, duck_rows), (pg_columns, pg_rows) = duck_result, pg_result
    assert pg_columns == duck_columns, name
    assert len(pg_rows) == len(duck_rows), name
    skipped = [duck_columns.index(c) for c in ARBITRARY.get(name, ())]
    duck_rows = [
        tuple(None if i in skipped else normal(v) for i, v in enumerate(row)) for row in duck_rows
    ]
    pg_rows = [
        tuple(None if i in skipped else normal(v) for i, v in enumerate(row)) for row in pg_rows
    ]
    if order is not None:
        keys = [i for i, c in enumerate(duck_columns) if c in order]
        for i, (d, p) in enumerate(zip(duck_rows, pg_rows, strict=True)):
            assert all(same(d[k], p[k]) for k in keys), (
                f"{name}: row {i} out of order: DuckDB {d}, PostgreSQL {p}"
            )
    for i, (d, p) in enumerate(
        zip(sorted(duck_rows, key=sort_key), sorted(pg_rows, key=sort_key), strict=True)
    ):
        differ = [
            (col, dv, pv)
            for col, dv, pv in zip(duck_columns, d, p, strict=True)
            if not same(dv, pv)
        ]
        assert not differ, f"{name}: row {i} differs (column, DuckDB, PostgreSQL): {differ}"


# The queries and their parameters -----------------------------------------------------------

COMMON = {
    "as_of": AS_OF,
    "start": START,
    "end": END,
    "programme_end": END,
    "programme_regions": PROGRAMME_REGIONS,
    "periods": PERIODS,
    "compared": PERIODS,  # an upload's quarters (the staged upload has rows of every one)
    "period": "2022Q1",
    "first": "2021Q2",
    "last": "2022Q1",
    "last_period": "2022Q2",
    "indicator": "OC1.2",
    "currency": "USD",
    "categories": None,
    "time_share": 0.55,
    "stale_days": 90,
    "unnamed_kinds": None,
    "on_track": 0.9,
    "at_risk": 0.6,
    "regions": None,
    "scope_regions": None,
    "hidden_indicators": None,
    "stages": None,
    "levels": None,
    "statuses": None,
    "threshold": 3.5,
    "tolerance": 0.5,
    "indicators": None,
    "listed": None,
    "first_rows": None,
    "limit": 50,
    "link_id": None,
    "now": NOW,
    "user_name": "test-staff",
    "client": "10.0.0.1",
    "since": NOW - dt.timedelta(hours=1),
    "abandoned_before": NOW - dt.timedelta(minutes=5),
    "batch": 3,
    "by": "test-manager",
    "at": NOW,
    "reason_given": True,
    "open_only": False,
    "days": 30,
    "today": dt.date(2022, 7, 20),
    "table": "indicator_values",
    "sha256": None,  # found from the data below
    "numerator": "OC1.2",
    "denominator": "OC1.1",
}

# Variants beyond the common values: query -> {variant: parameters}. Every query runs with
# the common values ("common"); lists a caller may pass as NULL run both ways.
VARIANTS: dict[str, dict[str, dict]] = {
    "indicators_comments": {
        "common": {"indicator": "OC2.1"},
        "regions": {"indicator": "OC2.1", "regions": PROGRAMME_REGIONS},
    },
    # the sample's batches (monitoring/intake/sample.py): its values a quarter each, 5 to 10
    "quality_locked_batch": {"common": {"batch": 10}, "milestones": {"batch": 15}},
    "quality_target_revisions": {
        "common": {"indicator": None},
        "one": {"indicator": "OC1.1", "regions": ["UZ-JI"]},
        "all": {"indicator": None, "period": "2022Q2"},
    },
    "upload_recent_by": {
        "common": {"by": "test-staff", "since": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}
    },
    "indicators_missing_reports": {
        "common": {"indicator": "OC1.1", "period": "2022Q2"},
        "regions": {
            "regions": ["UZ-TO", "UZ-NG"],
            "unnamed_kinds": ["cso"],
            "indicator": "OC1.1",
            "period": "2022Q2",
        },
        "later": {"period": "2022Q2", "indicator": "OC2.3"},
    },
    "access_indicator_cells": {
        "common": {"indicators": ["OC1.1", "OC1.2", "G1"], "regions": ["UZ-JI", "UZ-TO"]},
    },
    "access_share_link_check": {"common": {"link_id": 2}},
    "access_share_link_uses": {"one": {"link_id": 1}},
    "access_share_links": {"one": {"link_id": 2}},
    "access_sign_in_failures": {
        "no_client": {"client": None},
        "admin": {"user_name": "test-admin"},
    },
    "grants_budget_lines": {"uzs": {"currency": "UZS", "categories": ["Grants", "Staff"]}},
    "grants_quarters": {"uzs": {"currency": "UZS", "categories": ["Grants", "Staff"]}},
    "grants_position": {
        "regions": {"regions": ["UZ-JI", "UZ-NG"], "unnamed_kinds": ["community_group", "cso"]},
        "uzs": {"currency": "UZS", "as_of": END},
        "empty": {"regions": []},
    },
    "grants_unconverted": {"regions": {"regions": ["UZ-JI"], "currency": "UZS"}},
    "iati_region_points": {"common": {"regions": PROGRAMME_REGIONS}},
    "iati_transactions": {"unnamed": {"unnamed_kinds": ["community_group"], "as_of": END}},
    "indicators_breakdown": {"regions": {"regions": ["UZ-TO"]}, "g1": {"indicator": "G1"}},
    "indicators_by_region": {"regions": {"regions": ["UZ-TO"]}, "oc13": {"indicator": "OC1.3"}},
    "indicators_progress": {
        "common": {"indicator": None},
        "regions": {"regions": ["UZ-JI"], "indicator": None},
        "none": {"regions": [], "indicator": None},
        "end": {"as_of": END, "indicator": None},
        "early": {"as_of": dt.date(2021, 6, 30), "indicator": None},
        "oc13": {"regions": ["UZ-JI", "UZ-TO"], "indicator": "OC1.3"},
    },
    "indicators_region_progress": {
        "common": {"regions": PROGRAMME_REGIONS},
        "g1": {"regions": ["UZ-JI"], "indicator": "G1", "as_of": END},
    },
    "indicators_region_series": {
        "common": {"regions": PROGRAMME_REGIONS},
        "oc13": {"regions": ["UZ-TO"], "indicator": "OC1.3"},
    },
    "indicators_regions": {"regions": {"regions": ["UZ-TO", "UZ-XX"]}},
    "indicators_series": {
        "all": {"indicator": None},
        "regions": {"indicator": None, "regions": ["UZ-JI"]},
    },
    "indicators_sources": {"regions": {"regions": ["UZ-TO"]}},
    "iptt_narratives": {"regions": {"regions": ["UZ-JI"]}},
    "map_grant_money": {"regions": {"regions": ["UZ-JI"], "as_of": END}},
    "map_organisations": {"regions": {"regions": ["UZ-JI"], "unnamed_kinds": ["cso"]}},
    "map_region_activity": {"common": {"regions": PROGRAMME_REGIONS}},
    "map_region_codes": {"regions": {"regions": ["UZ-JI", "UZ-XX"]}},
    "map_region_values": {
        "regions": {"regions": ["UZ-JI", "UZ-NG"], "indicator": "OC1.3"},
        "percent": {"indicator": "G1", "period": "2022Q2"},
    },
    "milestones_by_quarter": {
        "filters": {
            "stages": [1, 2],
            "levels": ["community", "regional"],
            "regions": ["UZ-JI", ""],
            "statuses": ["achieved", "overdue"],
        },
        "scope": {"scope_regions": ["UZ-TO"], "hidden_indicators": ["OC2.1"]},
    },
    "milestones_counts": {
        "filters": {"stages": [2, 3], "statuses": ["planned", "overdue", "dropped"]},
        "scope": {"scope_regions": ["UZ-TO"], "hidden_indicators": ["OC2.1"]},
    },
    "milestones_list": {
        "filters": {"levels": ["national"], "regions": [""], "as_of": END},
        "scope": {"scope_regions": ["UZ-TO"], "hidden_indicators": ["OC2.1"]},
    },
    "milestones_regions": {"scope": {"scope_regions": ["UZ-TO"], "hidden_indicators": ["OC2.1"]}},
    "overview_milestones": {"scope": {"scope_regions": ["UZ-TO"], "hidden_indicators": ["OC2.1"]}},
    "overview_spending": {"end": {"as_of": END}},
    "overview_spending_grants": {
        "common": {"regions": ["UZ-JI", "UZ-TO"]},
        "none": {"regions": []},
    },
    "quality_follow_ups": {"open": {"open_only": True}},
    "quality_outliers": {
        "low": {"threshold": 1.0, "period": "2022Q2"},
        "some": {"threshold": 1.0, "indicators": ["OC1.2", "G1"]},
        "first": {"threshold": 1.0, "period": "2022Q2", "first_rows": 3},
        "counted": {"threshold": 1.0, "first_rows": 0},
        "first_of_some": {"threshold": 1.0, "indicators": ["OC1.2", "G1"], "first_rows": 2},
    },
    "series_summary": {"some": {"indicators": ["OC1.1", "OC2.1", "G1"]}},
    "quality_rule_age_groups_add_up": {"some": {"indicators": ["OC1.2"], "tolerance": 0}},
    "quality_rule_sex_adds_up": {"some": {"indicators": ["OC1.2", "G1"], "tolerance": 0}},
    "quality_rule_disbursed_within_award": {"end": {"as_of": END}},
    "quality_target_changes": {"no_reason": {"reason_given": False}},
    "quality_timeliness": {
        "early": {"today": dt.date(2022, 1, 10), "period": "2021Q4"},
        "shown": {"listed": ["late", "missing"]},
        "first": {"listed": ["late", "missing"], "first_rows": 3},
        "counted": {"listed": []},
    },
    "quality_upload_outliers": {"low": {"threshold": 1.0}},
    "upload_history": {"few": {"limit": 3}},
}

# The table of the upload each upload_rows query reads.
STAGES = {
    "quality_locked_indicator_targets": "indicator_targets",
    "quality_locked_indicator_values": "indicator_values",
    "quality_locked_milestones": "milestones",
    "quality_locked_transactions": "transactions",
    "quality_record_revisions": "indicator_targets",
    "quality_target_changes": "indicator_targets",
    "quality_upload_outliers": "indicator_values",
    "upload_breakdown_over_total": "indicator_values",
    "upload_grant_overspend_grants": "grants",
    "upload_grant_overspend_transactions": "transactions",
    "upload_value_outliers": "indicator_values",
}

# Queries that read the summary of the stored series (series_summary.sql), as an upload
# stages it after its rows (monitoring/intake/validation.py stage_series).
READS_SERIES = {"quality_upload_outliers", "upload_value_outliers"}

# Columns whose value either engine may pick: arg_min over ties. quality_locked_milestones
# names one of a row's regions in its earliest locked quarter; a changed milestone moved
# from a region to none has two regions in the same quarter (the staged upload makes one).
ARBITRARY = {"quality_locked_milestones": ("region_code",)}

# Queries that read what a statement of the same transaction writes first: the locks of a
# batch's undo read the rows it inserted, which the undo logs before it (batches.py).
BEFORE = {
    "quality_locked_batch": [
        (log_inserted_rows_sql(table), {"table": table.name}) for table in TABLES.values()
    ],
}

# What a query that writes wrote, read back in the same transaction.
WRITTEN = {
    "quality_record_revisions": "select * from target_revisions "
    "order by batch_id, line, indicator_code, period, region_code"
}


def named_queries() -> list[str]:
    # schema.sql is the schema for reading, not a query (its first lines say so).
    return sorted(p.stem for p in QUERIES.glob("*.sql") if p.stem != "schema")


def cases():
    for name in named_queries():
        variants = {"common": {}, **VARIANTS.get(name, {})}
        for variant, given in variants.items():
            yield pytest.param(name, given, id=f"{name}-{variant}")


def test_every_query_has_parameters():
    for name in named_queries():
        missing = [p for p in query_parameters(name) if p not in COMMON]
        assert not missing, f"{name}: no value for {missing}"


@pytest.mark.parametrize(("name", "given"), list(cases()))
def test_query_same_on_both_engines(engines, name, given):
    duck, pg = engines
    sql = query_text(name)
    params = {**COMMON, **given}
    if params["sha256"] is None:
        params["sha256"] = duck.execute(
            "select sha256 from upload_batches where table_name = $t", {"t": params["table"]}
        ).fetchone()[0]
    bound = {k: params[k] for k in query_parameters(name)}
    results = []
    for run, con in ((run_duckdb, duck), (run_postgres, pg)):
        con.execute("begin")
        try:
            if name in STAGES:
                run(con, staged_rows_sql(STAGES[name]), {})
            for statement, values in BEFORE.get(name, []):
                run(con, statement, {**bound, **values})
            if name in READS_SERIES:
                series = "create temp table upload_series as " + query_text("series_summary")
                run(con, series, {"indicators": None})
            found = run(con, sql, bound)
            if name in WRITTEN:
                found = run(con, WRITTEN[name], {})
            results.append(found)
        finally:
            con.execute("rollback")
    assert_same_rows(name, order_names(WRITTEN.get(name, sql)), *results)
    if name not in WRITTEN and name not in STAGES:
        assert results[0][1] or name in ALLOWED_EMPTY, f"{name}: no rows to compare"


def test_an_asof_join_takes_the_nearest_earlier_row_on_both_engines(engines):
    """ASOF JOIN (no query uses it now: quality_timeliness keeps the latest row of a plain
    join, which PostgreSQL runs faster) becomes a LATERAL subquery on PostgreSQL."""
    sql = """
        with a as (select * from (values ('x', 3), ('x', 7), ('y', 1)) as t(k, v)),
        b as (select * from (values ('x', 2, 'two'), ('x', 5, 'five'), ('y', 4, 'four'))
            as t(k, w, label))
        select a.k, a.v, b.label from a asof left join b on a.k = b.k and a.v >= b.w
        order by a.k, a.v
    """
    expected = [("x", 3, "two"), ("x", 7, "five"), ("y", 1, None)]
    duck, pg = engines
    assert run_duckdb(duck, sql, {})[1] == expected
    assert run_postgres(pg, sql, {})[1] == expected
    assert "LATERAL" in to_postgres(sql)


# Queries that find nothing in this data with the common parameters (checked: still compared).
ALLOWED_EMPTY = {"grants_unconverted", "upload_undo_conflicts"}  # no missing rate, one load


def test_migrations_apply(engines):
    _, pg = engines
    found = {
        r[0]
        for r in pg.execute(
            "select table_name from information_schema.tables where table_schema = 'public'"
        ).fetchall()
    }
    assert {"indicator_values", "share_links", "quarter_approvals", "schema_migrations"} <= found
    assert {"indicator_region_values", "transactions_converted"} <= found  # views


# The translation rules ----------------------------------------------------------------------


def test_parameters_become_psycopg_placeholders():
    assert to_postgres("select $a + $b_2, ?") == "SELECT %(a)s + %(b_2)s, %s"


def test_literal_percent_is_doubled():
    assert to_postgres("select 'x' like '%a%' and $p") == "SELECT 'x' LIKE '%%a%%' AND %(p)s"


def test_table_macro_is_a_subquery_named_like_the_call():
    macros = macros_of("create macro pick(n) as table select x from t where x > n;")
    sql = migration_to_postgres("select p.x from pick(3) as p;", macros)[0]
    assert sql == "SELECT p.x FROM (SELECT x FROM t WHERE x > 3) AS p"


def test_scalar_macro_is_a_parenthesised_expression():
    macros = macros_of("create macro twice(n) as n * 2;")
    assert migration_to_postgres("select twice(a + 1) from t;", macros) == [
        "SELECT ((a + 1) * 2) FROM t"
    ]


def test_macros_are_not_created():
    assert migration_to_postgres("create or replace macro one() as 1;", {}) == []
    assert "period_start" in default_macros()


def test_any_value_skips_nulls():
    assert to_postgres("select any_value(x) from t") == (
        "SELECT (ARRAY_AGG(x) FILTER(WHERE NOT x IS NULL))[1] FROM t"
    )


def test_arg_min_and_filter():
    assert to_postgres("select arg_max(a, b) filter (where c) from t") == (
        "SELECT (ARRAY_AGG(a ORDER BY b DESC NULLS LAST) "
        "FILTER(WHERE c AND (NOT a IS NULL AND NOT b IS NULL)))[1] FROM t"
    )


def test_regexp_full_match_in_a_check_is_anchored():
    (sql,) = migration_to_postgres(
        "create table x (p varchar check (regexp_full_match(p, '\\d{4}Q[1-4]')));", {}
    )
    assert "p ~ '^(?:\\d{4}Q[1-4])$'" in sql


def test_exclude_semi_join_and_group_by_all():
    sql = to_postgres(
        "with s as (select a, b, c from t) "
        "select * exclude (c), count(*) from s semi join u using (a) group by all"
    )
    assert sql == (
        "WITH s AS (SELECT a, b, c FROM t) SELECT a, b, COUNT(*) FROM s "
        "WHERE EXISTS(SELECT 1 FROM u WHERE s.a = u.a) GROUP BY 1, 2"
    )


def test_lambda_becomes_an_array_subquery():
    sql = to_postgres("select list_transform(l, lambda x: x + 1) from t")
    assert sql == (
        "SELECT CASE WHEN l IS NULL THEN NULL ELSE ARRAY(SELECT _x + 1 FROM UNNEST(l) "
        "WITH ORDINALITY AS _t(_x, _o) ORDER BY _o) END FROM t"
    )
