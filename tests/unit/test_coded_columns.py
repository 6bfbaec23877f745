"""Columns kept as distinct values and codes (monitoring/intake/columns.py) give the rows
the checks would find by looking at every row."""

import itertools
import random

import numpy as np
import pyarrow as pa
import pytest

from monitoring.intake import columns
from monitoring.intake.columns import Coded


def test_a_list_and_an_arrow_column_code_the_same_rows():
    cells = ["b", "a", "b", "", "a", None, "b"]
    for coded in (Coded.of(cells), Coded.from_arrow(pa.chunked_array([cells[:3], cells[3:]]))):
        assert coded.tolist() == cells
        assert [coded[i] for i in range(len(cells))] == cells
        assert coded[2:5].tolist() == cells[2:5]
        assert sorted(coded.values, key=str) == sorted(set(cells), key=str)
        assert coded.arrow().to_pylist() == cells


def test_replaced_values_and_emptied_rows_keep_every_other_row():
    coded = Coded.of(["5", " 5", "x", "5"])
    parsed = coded.mapped(["5", "5", None])
    assert parsed.tolist() == ["5", "5", None, "5"]
    assert parsed.with_rows_empty([0, 3]).tolist() == [None, "5", None, None]
    assert parsed.merged().tolist() == parsed.tolist()
    assert len(parsed.merged().values) == 2  # "5" from two texts is one value
    assert coded.rows_with([coded.values.index("5")]).tolist() == [0, 3]


def _brute_force_failing(first, second, fails):
    return [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if fails(a, b)]


@pytest.mark.parametrize("distinct", [3, 700])  # counted pairs, then sorted ones
def test_failing_rows_are_the_rows_whose_pair_fails(distinct):
    rng = random.Random(distinct)
    first = [str(rng.randrange(distinct)) for _ in range(2000)]
    second = [rng.choice(["percent", "number", None]) for _ in range(2000)]

    def fails(value, unit):
        return unit == "percent" and int(value) % 7 == 1

    found = columns.failing_rows(Coded.of(first), Coded.of(second), fails)
    assert found.tolist() == _brute_force_failing(first, second, fails)
    assert columns.failing_rows(Coded.of([]), Coded.of([]), fails).tolist() == []


def test_repeated_rows_are_those_sharing_every_value():
    rows = [("a", "1"), ("b", "1"), ("a", "1"), ("a", " 1"), ("b", "2"), ("b", "1")]
    first = Coded.of([r[0] for r in rows])
    second = Coded.of([r[1] for r in rows])  # its values: "1", " 1", "2"
    second = second.mapped(["1", "1", "2"])  # " 1" parses as "1"
    assert columns.repeated_rows([first, second]).tolist() == [0, 1, 2, 3, 5]
    assert columns.repeated_rows([first[4:], second[4:]]).tolist() == []


def test_row_codes_stay_exact_past_what_one_integer_holds():
    # Eight columns of 300 distinct values: 300**8 is past 2**62, so the codes are renumbered
    # on the way; rows stay equal exactly when all their values are.
    rng = np.random.default_rng(7)
    values = [[f"v{j}" for j in range(300)] for _ in range(8)]
    picks = rng.integers(0, 300, size=(5000, 8))
    picks[4000:] = picks[:1000]  # 1,000 rows repeat an earlier one
    coded = [Coded(values[c], picks[:, c].astype(np.int64)) for c in range(8)]
    codes = columns.row_codes(coded)
    by_row = [tuple(r) for r in picks.tolist()]
    for i, j in itertools.islice(itertools.combinations(range(5000), 2), 0, None, 997):
        assert (codes[i] == codes[j]) == (by_row[i] == by_row[j])
    assert (codes[4000:] == codes[:1000]).all()
    expected = [i for i, r in enumerate(by_row) if by_row.count(r) > 1]
    assert columns.repeated_rows(coded).tolist() == expected
