"""Which tables a SQL text names and which it writes, from DuckDB's own parser and tokenizer.

No regular expression reads the SQL: `extract_statements` splits a text into statements and
says what each one is (insert, update, create ...), `tokenize` tells names from keywords,
strings and comments. A name in a comment or a string is no name here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import duckdb

_KIND = duckdb.token_type  # identifier, keyword, operator, string_const, numeric_const, comment
_TYPE = duckdb.StatementType

# Statements that may change rows of a table, and the keyword the table is named after.
_ANCHORS = {
    _TYPE.INSERT: ("into",),
    _TYPE.MERGE_INTO: ("into",),
    _TYPE.UPDATE: ("update",),
    _TYPE.DELETE: ("from", "truncate"),
    _TYPE.COPY: ("copy",),
    _TYPE.CREATE: ("table", "view"),
    _TYPE.DROP: ("table", "view"),
    _TYPE.ALTER: ("table", "view"),
}
# Words between the anchor and the name (`drop table if exists x`, `truncate table x`).
_SKIPPED = frozenset({"table", "if", "not", "exists", "only"})


@dataclass(frozen=True)
class _Token:
    text: str  # as written, stripped
    kind: object

    @property
    def word(self) -> str:
        """A keyword or name lower-cased and unquoted (`"Indicators"` -> indicators)."""
        return self.text.strip('"').lower()

    @property
    def is_name(self) -> bool:
        # A table may be named with a word the tokenizer calls a keyword (e.g. `budget`).
        return self.kind in (_KIND.identifier, _KIND.keyword)


def _tokens(sql: str) -> list[_Token]:
    """The tokens of `sql`, comments left out."""
    starts = duckdb.tokenize(sql)
    out = []
    for i, (start, kind) in enumerate(starts):
        if kind == _KIND.comment:
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else len(sql)
        out.append(_Token(sql[start:end].strip(), kind))
    return out


@lru_cache(maxsize=512)
def named_tables(sql: str) -> frozenset[str]:
    """Every name the text uses (lower-cased): tables, views, columns, aliases, functions.
    Intersect it with the names you look for; comments and strings are not searched."""
    return frozenset(t.word for t in _tokens(sql) if t.is_name)


def _top_level(tokens: list[_Token]) -> list[tuple[int, _Token]]:
    """(position, token) of the tokens outside parentheses."""
    out, depth = [], 0
    for i, token in enumerate(tokens):
        if token.kind == _KIND.operator and token.text == "(":
            depth += 1
        elif token.kind == _KIND.operator and token.text == ")":
            depth -= 1
        elif depth == 0:
            out.append((i, token))
    return out


def _name_at(tokens: list[_Token], i: int) -> str | None:
    """The (last part of the possibly schema-qualified) name starting at position i."""
    while i < len(tokens) and tokens[i].kind == _KIND.keyword and tokens[i].word in _SKIPPED:
        i += 1
    if i >= len(tokens) or not tokens[i].is_name:
        return None
    name = tokens[i].word
    while (
        i + 2 < len(tokens)
        and tokens[i + 1].kind == _KIND.operator
        and tokens[i + 1].text == "."
        and tokens[i + 2].is_name
    ):
        i += 2
        name = tokens[i].word
    return name


@lru_cache(maxsize=512)
def _target(kind, sql: str) -> frozenset[str]:
    """The table (or view) one statement writes; every name in it when the shape is not
    recognised (too many rather than too few)."""
    tokens = _tokens(sql)
    top = _top_level(tokens)
    words = [t.word for _, t in top if t.kind == _KIND.keyword]
    if kind == _TYPE.CREATE and ("temp" in words or "temporary" in words):
        return frozenset()  # a temporary table lives in this connection only
    if kind == _TYPE.COPY and "from" not in words:
        return frozenset()  # COPY ... TO writes a file, not a table
    if kind in (_TYPE.CREATE, _TYPE.DROP, _TYPE.ALTER) and not {"table", "view"} & set(words):
        return frozenset()  # a macro, sequence, schema or index: no rows change
    if kind == _TYPE.DELETE and "delete" in words:
        top = top[[t.word for _, t in top].index("delete") :]
    for i, token in top:
        if token.kind == _KIND.keyword and token.word in _ANCHORS[kind]:
            name = _name_at(tokens, i + 1)
            if name:
                return frozenset({name})
            break
    return named_tables(sql)


def written_tables(con: duckdb.DuckDBPyConnection, sql: str) -> frozenset[str]:
    """The tables (lower-case names) that the statements of `sql` may write. A temporary
    table, a file written by COPY ... TO and a new macro are not tables written."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error:
        return frozenset()  # it will not run either: DuckDB reports the error
    out: set[str] = set()
    for statement in statements:
        if statement.type in _ANCHORS:
            out |= _target(statement.type, statement.query)
    return frozenset(out)
