"""A column of an uploaded file kept as its distinct values and, for each row, which one
(`Coded`): the form Arrow's dictionary encoding gives when a CSV file is read column by
column (monitoring/intake/upload.py).

The checks (monitoring/intake/validation.py) judge each distinct value, or each distinct
pair of values of one row, once, and then visit only the rows whose value failed. Nothing
makes a Python object per row: a file of 100,000 rows of a few hundred distinct values per
column is checked at the speed of numpy over its codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_CODE_LIMIT = 2**62  # combined codes stay below this (int64), see row_codes


class Coded:
    """`values`: the distinct values (texts, or None for a cell without one; two entries may
    be equal, as two texts that parse to the same value); `codes`: for each row, the position
    of its value in `values`."""

    __slots__ = ("codes", "values")

    def __init__(self, values: list, codes: np.ndarray):
        self.values = values
        self.codes = codes

    @classmethod
    def of(cls, items: Sequence) -> Coded:
        """A list of values coded, each distinct value once, in order of first appearance."""
        index: dict = {}
        codes = np.fromiter(
            (index.setdefault(item, len(index)) for item in items), dtype=np.int64, count=len(items)
        )
        return cls(list(index), codes)

    @classmethod
    def from_arrow(cls, array: pa.Array | pa.ChunkedArray) -> Coded:
        """An Arrow column coded by its dictionary encoding (nulls become None)."""
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        encoded = array.dictionary_encode()
        indices = encoded.indices
        values = encoded.dictionary.to_pylist()
        if indices.null_count:
            values.append(None)
            indices = indices.fill_null(len(values) - 1)
        return cls(values, indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False))

    @classmethod
    def repeated(cls, value: Any, rows: int) -> Coded:
        return cls([value], np.zeros(rows, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Coded(self.values, self.codes[i])
        return self.values[self.codes[i]]

    def tolist(self) -> list:
        if not len(self.codes):
            return []
        return _objects(self.values)[self.codes].tolist()

    def mapped(self, values: list) -> Coded:
        """The same rows with the distinct values replaced one for one by `values`."""
        assert len(values) == len(self.values)
        return Coded(values, self.codes)

    def with_rows_empty(self, rows: Sequence[int]) -> Coded:
        """The same column with the given rows' values replaced by None."""
        if not len(rows):
            return self
        codes = self.codes.copy()
        codes[np.asarray(rows, dtype=np.int64)] = len(self.values)
        return Coded([*self.values, None], codes)

    def merged(self) -> Coded:
        """The same column with equal values under one code (so that rows compare by code)."""
        index: dict = {}
        remap = np.fromiter(
            (index.setdefault(value, len(index)) for value in self.values),
            dtype=np.int64,
            count=len(self.values),
        )
        if len(index) == len(self.values):
            return self
        return Coded(list(index), remap[self.codes])

    def rows_with(self, positions: Iterable[int]) -> np.ndarray:
        """The rows (ascending) whose value is one of `values`' given positions."""
        wanted = np.zeros(len(self.values), dtype=bool)
        wanted[list(positions)] = True
        return np.flatnonzero(wanted[self.codes]) if len(self.codes) else self.codes

    def arrow(self, type_: pa.DataType | None = None) -> pa.Array:
        """The column as an Arrow array (None as null), made by Arrow, not per row in Python."""
        type_ = type_ or pa.large_string()
        return pa.array(self.values, type=type_).take(pa.array(self.codes))


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def failing_rows(first: Coded, second: Coded, fails: Callable[[Any, Any], bool]) -> np.ndarray:
    """The rows (ascending) where `fails(first's value, second's value)` is true, each distinct
    pair of values judged once."""
    if not len(first):
        return first.codes
    width = len(second.values)
    pairs = first.codes * width + second.codes
    if len(first.values) * width <= 4 * len(pairs) + 65536:
        present = np.flatnonzero(np.bincount(pairs, minlength=len(first.values) * width))
    else:
        present = np.unique(pairs)
    bad = [
        pair
        for pair in present.tolist()
        if fails(first.values[pair // width], second.values[pair % width])
    ]
    if not bad:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.isin(pairs, bad))


def row_codes(columns: Sequence[Coded]) -> np.ndarray:
    """One code per row, equal for two rows exactly when all their values are equal."""
    code = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    bound = 1
    for column in columns:
        column = column.merged()
        width = max(len(column.values), 1)
        if bound * width >= _CODE_LIMIT:
            _, code = np.unique(code, return_inverse=True)
            code = code.astype(np.int64, copy=False)
            bound = int(code.max()) + 1 if len(code) else 1
        code = code * width + column.codes
        bound *= width
    return code


def repeated_rows(columns: Sequence[Coded]) -> np.ndarray:
    """The rows (ascending) whose values in `columns` are also those of another row."""
    code = row_codes(columns)
    if not len(code):
        return code
    _, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
    if len(counts) == len(code):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(counts[inverse] > 1)
