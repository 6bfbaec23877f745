"""Stored copies of views (monitoring/db/database.py): read when up to date, never when not."""

from monitoring.db import Database
from tests.conftest import insert

INDICATOR = dict(
    indicator_code="OC1",
    level="outcome",
    outcome=1,
    title="Trainings",
    unit="number",
    direction="increase",
    aggregation="sum",
    baseline=0,
    target=10,
)


def by_region(db: Database) -> dict[tuple[str, str], float]:
    frame = db.query(
        "indicators_by_region", indicator="OC1", first="2021Q1", last="2021Q4", regions=None
    )
    return {(r.region_code, r.period): r.value for r in frame.itertuples()}


def stored_rows(db: Database) -> int:
    with db.cursor() as cur:
        return cur.execute("select count(*) from indicator_region_values_stored").fetchone()[0]


def test_a_query_reads_the_copy_and_sees_rows_written_after_it(db):
    insert(db, "indicators", [INDICATOR])
    insert(
        db,
        "indicator_values",
        [
            dict(indicator_code="OC1", period="2021Q1", region_code="UZ-JI", org_id="A", value=2),
            dict(indicator_code="OC1", period="2021Q1", region_code="UZ-JI", org_id="B", value=3),
        ],
    )
    assert by_region(db) == {("UZ-JI", "2021Q1"): 5}
    assert stored_rows(db) == 1  # the copy was made and read

    insert(
        db,
        "indicator_values",
        [dict(indicator_code="OC1", period="2021Q2", region_code="UZ-NG", value=7)],
    )
    assert by_region(db) == {("UZ-JI", "2021Q1"): 5, ("UZ-NG", "2021Q2"): 7}
    assert stored_rows(db) == 2


def test_a_read_only_database_with_an_old_copy_reads_the_view(db):
    insert(db, "indicators", [INDICATOR])
    insert(
        db,
        "indicator_values",
        [dict(indicator_code="OC1", period="2021Q1", region_code="UZ-JI", value=4)],
    )
    assert by_region(db) == {("UZ-JI", "2021Q1"): 4}  # copy made with one row
    insert(
        db,
        "indicator_values",
        [dict(indicator_code="OC1", period="2021Q3", region_code="UZ-JI", value=6)],
    )
    path = db.path
    db.close()
    reader = Database(path, read_only=True)
    try:
        assert by_region(reader) == {("UZ-JI", "2021Q1"): 4, ("UZ-JI", "2021Q3"): 6}
        assert stored_rows(reader) == 1  # still the old copy: it was not read
    finally:
        reader.close()
