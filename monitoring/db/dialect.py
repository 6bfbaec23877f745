"""One definition of each query: the SQL of queries/ and of the code is written once, in
DuckDB's dialect, and translated here for PostgreSQL 15 (docs/scale.md).

The translation is SQLGlot's (a maintained SQL transpiler: DuckDB -> PostgreSQL) plus what
it cannot know, kept in this one file. tests/unit/test_dialect.py runs every migration and
every named query on both engines over the same data and compares the rows. Our rules:

- **Macros.** DuckDB macros (`create macro`, defined by the migrations) are not created on
  PostgreSQL (a table macro returns columns of any type): every call is replaced by the
  macro's body, its parameters by the call's arguments. Scalar macro -> parenthesised
  expression; table macro -> subquery named like the call.
- **Statement shapes** (`_rewrite_statement`; need the query's sources, the tables' columns
  from the migrations): `* EXCLUDE (..)` -> the other columns listed (PostgreSQL has no
  EXCLUDE); `GROUP BY ALL` -> the positions of the non-aggregate columns; `ORDER BY ALL` ->
  every position; ORDER BY an expression of output names -> their expressions (PostgreSQL
  takes output names there only alone); a UNION ordered by expressions -> ordered outside, as
  a subquery (same reason); `UNION BY NAME` and `INSERT ... BY NAME` -> columns matched by
  name (NULL where a side lacks one); `SEMI`/`ANTI JOIN` -> `[NOT] EXISTS`; `ASOF JOIN` ->
  a LATERAL subquery ordered by the inequality's column, LIMIT 1.
- **Aggregates PostgreSQL 15 lacks**, as an element of ARRAY_AGG (FILTER and OVER kept):
  `any_value(x)` -> first non-NULL x; `arg_min/arg_max(a, b)` -> a of the least/greatest b,
  rows with a NULL skipped (as DuckDB); `min/max(x, n)` -> the n least/greatest as a list.
  On ties any row may be picked, by either engine.
- **Lists** (DuckDB lists are PostgreSQL arrays): `list_transform` (a lambda),
  `list_sort` (NULLs last), `list_distinct` (NULLs dropped) -> a subquery over UNNEST, NULL
  for a NULL list as in DuckDB (no query takes an aggregate of a list's elements since
  migration 0026: `list_avg`, `list_sum` and `list_median` are not translated);
  `list_has_all(a, b)` -> `a @> b`; `len(list)` -> CARDINALITY. A parameter used directly as
  a list where PostgreSQL cannot infer its type (unnest, list_distinct, list_has_all) is cast
  to TEXT[] (psycopg sends lists of texts untyped; every list parameter of the queries holds
  texts).
- **Functions and types** SQLGlot leaves as DuckDB wrote them or gets wrong:
  `regexp_full_match(x, p)` -> `x ~ '^(?:p)$'`; `quarter(d)` -> EXTRACT; HUGEINT ->
  NUMERIC(38, 0); `date_from_parts`/`make_date` -> MAKE_DATE; `round(x, n)` -> round of x as
  NUMERIC (PostgreSQL has no round(double, n); the result is NUMERIC); a struct
  `{'k': v}` -> JSON_BUILD_OBJECT (read as a dict, like DuckDB's struct); JSON functions on
  VARCHAR -> the VARCHAR cast to JSON; `range(a, b, step)` (b excluded) -> generate_series
  up to b - 1, or just before b for times; `insert or ignore` -> ON CONFLICT DO NOTHING;
  a subquery in FROM without a name gets one (PostgreSQL 15 wants it).
- SQLGlot's own, relied on: `/` -> float division (DuckDB divides integers as doubles),
  `//` -> DIV, DESC -> DESC NULLS LAST (DuckDB puts NULLs last both ways), QUALIFY ->
  subquery, `list()` -> ARRAY_AGG, `list_contains` -> `= ANY`, `strftime` -> TO_CHAR,
  `date_diff('day', ..)` -> date subtraction, `median` -> PERCENTILE_CONT(0.5), `if` -> CASE.
- **Parameters.** `$name` becomes psycopg's `%(name)s` and `?` its `%s`; a literal `%`
  becomes `%%`, as psycopg wants when parameters are given (so always pass a mapping, even
  empty, to execute a translated statement).

Not translated (DatabaseError, or left to the engine): a star EXCLUDE over a table this file
does not know (a temp table), catalog functions (duckdb_tables()), `to_json(row)`.
Known differences that remain: division by zero gives +-inf in DuckDB 2, an error in
PostgreSQL; round(double, n) returns NUMERIC (Decimal) on PostgreSQL, DOUBLE on DuckDB;
sum() of integers is NUMERIC on PostgreSQL, HUGEINT on DuckDB (both read as numbers).

`to_postgres` caches by text: each statement is translated once per process, and kept on
disk for the next process (`$MONITORING_SQL_CACHE`, else `~/.cache/monitoring/postgres-sql`:
a file per statement, named by a hash of the statement, this file, the migrations and
SQLGlot's version, so a change to any of them translates again). Translating a page's
queries costs 50-250 ms each; a server's first viewers no longer wait for it after a restart.
A folder that others may write to is not used (it would let them change the SQL run).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from monitoring.db.errors import DatabaseError


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    table: bool  # a table macro (`as table select ...`): used in FROM


def macros_of(sql: str) -> dict[str, Macro]:
    """The macros defined by the statements of `sql` (a migration), by lower-case name."""
    found: dict[str, Macro] = {}
    for statement in sqlglot.parse(sql, read="duckdb"):
        macro = _macro(statement)
        if macro is not None:
            found[macro.name] = macro
    return found


def _macro(statement: exp.Expression | None) -> Macro | None:
    if not isinstance(statement, exp.Create) or str(statement.args.get("kind")).upper() != "MACRO":
        return None
    udf = statement.this
    name = udf.this.name.lower()
    params = tuple(p.name.lower() for p in udf.expressions)
    body = statement.expression
    table = isinstance(body, exp.Query)
    return Macro(name, params, body, table)


@cache
def _all_macros(folder: str) -> dict[str, Macro]:
    found: dict[str, Macro] = {}
    for path in sorted(Path(folder).glob("*.sql")):
        found.update(macros_of(path.read_text(encoding="utf-8")))
    return found


def default_macros() -> dict[str, Macro]:
    """Every macro of queries/migrations, each as its latest migration defines it."""
    from monitoring.db.migrations import MIGRATIONS

    return _all_macros(str(MIGRATIONS))


def is_macro_definition(statement: exp.Expression) -> bool:
    return _macro(statement) is not None


def _substitute(body: exp.Expression, macro: Macro, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != len(macro.params):
        raise DatabaseError(
            f"Macro {macro.name} takes {len(macro.params)} argument(s), given {len(args)}."
        )
    values = dict(zip(macro.params, args, strict=True))
    body = body.copy()

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in values:
            value = values[node.name.lower()].copy()
            if isinstance(value, exp.Column | exp.Literal | exp.Placeholder | exp.Null):
                return value
            return exp.Paren(this=value)
        return node

    return body.transform(replace, copy=False)


def expand_macros(tree: exp.Expression, macros: dict[str, Macro]) -> exp.Expression:
    """`tree` with every call of a macro replaced by its body (macros calling macros too)."""
    for _ in range(50):  # macros call macros: expand until none is left
        calls = [node for node in tree.find_all(exp.Anonymous) if node.name.lower() in macros]
        if not calls:
            return tree
        for call in calls:
            macro = macros[call.name.lower()]
            body = _substitute(macro.body, macro, list(call.expressions))
            parent = call.parent
            if macro.table:
                if isinstance(parent, exp.Table):
                    alias = parent.args.get("alias")
                    alias = (
                        alias.copy()
                        if alias
                        else exp.TableAlias(this=exp.to_identifier(macro.name))
                    )
                    parent.replace(exp.Subquery(this=body, alias=alias))
                else:  # e.g. `select * from macro()` parsed differently, or in an IN (...)
                    call.replace(exp.Subquery(this=body))
            else:
                call.replace(exp.Paren(this=body))
    raise DatabaseError("Macros call each other without end.")


# Whole-statement rewrites: they need to see a query's sources (CTEs, subqueries, tables).


def _schema() -> dict[str, list[str]]:
    """Columns of every table and view the migrations make, and of the stored copies."""
    return dict(_schema_of(str(_migrations_folder())))


def _migrations_folder() -> Path:
    from monitoring.db.migrations import MIGRATIONS

    return MIGRATIONS


@cache
def _schema_of(folder: str) -> tuple[tuple[str, list[str]], ...]:
    tables: dict[str, list[str]] = {}
    macros: dict[str, Macro] = {}
    for path in sorted(Path(folder).glob("*.sql")):
        for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb"):
            macro = _macro(statement)
            if macro is not None:
                macros[macro.name] = macro
            elif isinstance(statement, exp.Create) and isinstance(statement.this, exp.Schema):
                tables[statement.this.this.name.lower()] = [
                    c.name.lower()
                    for c in statement.this.expressions
                    if isinstance(c, exp.ColumnDef)
                ]
            elif isinstance(statement, exp.Create) and statement.expression is not None:
                tree = expand_macros(statement.expression.copy(), macros)
                names = _output_names(tree, tables)
                if names is not None:
                    tables[statement.this.name.lower()] = names
            elif isinstance(statement, exp.Alter):
                for action in statement.args.get("actions") or []:
                    if isinstance(action, exp.ColumnDef):
                        tables.setdefault(statement.this.name.lower(), []).append(
                            action.name.lower()
                        )
            elif isinstance(statement, exp.Drop):
                for dropped in statement.args.get("tables") or [statement.this]:
                    if isinstance(dropped, exp.Table):
                        tables.pop(dropped.name.lower(), None)
    from monitoring.db.stored import STORED_COPIES

    for copy in STORED_COPIES:
        if copy.view in tables:
            tables[copy.table] = tables[copy.view]
    return tuple(tables.items())


def _cte(node: exp.Expression, name: str) -> exp.Expression | None:
    """The query of the CTE `name` visible from `node`."""
    while node is not None:
        with_ = node.args.get("with_") or node.args.get("with")
        if isinstance(with_, exp.With):
            for cte in with_.expressions:
                if cte.alias_or_name.lower() == name:
                    return cte.this
        node = node.parent
    return None


def _sources(select: exp.Select, schema: dict) -> list[tuple[str, list[str] | None]]:
    """(alias, column names or None if unknown) of each source of FROM and the joins."""
    found = []
    from_ = select.args.get("from_") or select.args.get("from")
    joins = [
        j
        for j in select.args.get("joins") or []
        if str(j.args.get("kind") or "").upper() not in ("SEMI", "ANTI")
    ]
    items = ([from_.this] if from_ else []) + [j.this for j in joins]
    for item in items:
        alias = item.alias_or_name.lower()
        table_alias = item.args.get("alias")
        if isinstance(table_alias, exp.TableAlias) and table_alias.columns:
            found.append((alias, [c.name.lower() for c in table_alias.columns]))
        elif isinstance(item, exp.Subquery):
            found.append((alias, _output_names(item.this, schema)))
        elif isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
            query = _cte(select, item.name.lower())
            if query is not None:
                found.append((alias, _output_names(query, schema)))
            else:
                found.append((alias, schema.get(item.name.lower())))
        else:
            found.append((alias, None))
    return found


def _star_names(select: exp.Select, star: exp.Expression, schema: dict) -> list[str] | None:
    """The columns a star (`*`, `t.*`, either with EXCLUDE) of `select` stands for."""
    inner = star.this if isinstance(star, exp.Column) else star
    qualifier = star.table.lower() if isinstance(star, exp.Column) else ""
    names: list[str] = []
    for alias, columns in _sources(select, schema):
        if qualifier and alias != qualifier:
            continue
        if columns is None:
            return None
        names += [c for c in columns if c not in names]
    excluded = {e.name.lower() for e in inner.args.get("except_") or inner.args.get("except") or []}
    return [n for n in names if n not in excluded]


def _output_names(query: exp.Expression, schema: dict) -> list[str] | None:
    """The column names a query returns, or None when they cannot be known here."""
    if isinstance(query, exp.Subquery | exp.Paren):
        return _output_names(query.this, schema)
    if isinstance(query, exp.SetOperation):
        left = _output_names(query.this, schema)
        if query.args.get("by_name") and left is not None:
            right = _output_names(query.expression, schema)
            if right is None:
                return None
            return left + [n for n in right if n not in left]
        return left
    if not isinstance(query, exp.Select):
        return None
    names: list[str] = []
    for e in query.expressions:
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
            expanded = _star_names(query, e, schema)
            if expanded is None:
                return None
            names += expanded
        else:
            names.append(e.alias_or_name.lower())
    return names


def _has_aggregate(node: exp.Expression) -> bool:
    for n in node.walk():
        if isinstance(n, exp.Window):
            continue
        if isinstance(n, exp.AggFunc) and not any(
            isinstance(p, exp.Window) for p in _ancestors(n, node)
        ):
            return True
    return False


def _ancestors(node: exp.Expression, stop: exp.Expression):
    node = node.parent
    while node is not None and node is not stop.parent:
        yield node
        node = node.parent


def _rewrite_statement(tree: exp.Expression) -> exp.Expression:
    """DuckDB's statement-level idioms, rewritten with what PostgreSQL has."""
    schema = _schema()
    # Innermost first, so that a star over a query already rewritten is known.
    for select in reversed(list(tree.find_all(exp.Select))):
        _expand_stars(select, schema)
        _group_by_all(select)
        _semi_anti_joins(select)
        _asof_joins(select)
    for query in reversed(list(tree.find_all(exp.Select, exp.SetOperation))):
        _order_by_all(query)
        if isinstance(query, exp.Select):
            _order_by_aliases(query)
    for union in reversed(list(tree.find_all(exp.SetOperation))):
        if union.args.get("by_name"):
            _union_by_name(union, schema)
    for union in reversed(list(tree.find_all(exp.SetOperation))):
        replaced = _order_union(union)
        if union is tree:
            tree = replaced
    if isinstance(tree, exp.Insert) and tree.args.get("by_name"):
        names = _output_names(tree.expression, schema)
        if names is None:
            raise DatabaseError("INSERT ... BY NAME from a query whose columns are unknown.")
        tree.set("by_name", False)
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        tree.set(
            "this",
            exp.Schema(this=target.copy(), expressions=[exp.to_identifier(n) for n in names]),
        )
    return tree


def _expand_stars(select: exp.Select, schema: dict) -> None:
    """`* EXCLUDE (a)` (no PostgreSQL counterpart) becomes the list of the other columns."""
    out, changed = [], False
    for e in select.expressions:
        inner = e.this if isinstance(e, exp.Column) and isinstance(e.this, exp.Star) else e
        if isinstance(inner, exp.Star) and (inner.args.get("except_") or inner.args.get("except")):
            names = _star_names(select, e, schema)
            if names is None:
                raise DatabaseError(
                    f"Cannot tell the columns of {e.sql('duckdb')}: list them in the query."
                )
            qualifier = e.table if isinstance(e, exp.Column) else None
            out += [exp.column(n, table=qualifier) for n in names]
            changed = True
        else:
            out.append(e)
    if changed:
        select.set("expressions", out)


def _group_by_all(select: exp.Select) -> None:
    group = select.args.get("group")
    if not (isinstance(group, exp.Group) and group.args.get("all")):
        return
    keys = [
        exp.Literal.number(i)
        for i, e in enumerate(select.expressions, 1)
        if not _has_aggregate(e.unalias())
    ]
    select.set("group", exp.Group(expressions=keys) if keys else None)


def _order_by_all(query: exp.Expression) -> None:
    order = query.args.get("order")
    if not order or len(order.expressions) != 1:
        return
    only = order.expressions[0]
    if isinstance(only.this, exp.Var) and only.this.name.upper() == "ALL":
        count = len(query.selects)
        order.set(
            "expressions",
            [
                exp.Ordered(this=exp.Literal.number(i), desc=only.args.get("desc"))
                for i in range(1, count + 1)
            ],
        )


def _order_by_aliases(select: exp.Select) -> None:
    """ORDER BY an expression of output names (`not in_programme`): PostgreSQL takes output
    names in ORDER BY only alone, so in an expression each stands for its select expression."""
    order = select.args.get("order")
    if not order:
        return
    aliased = {
        e.alias.lower(): e.this
        for e in select.expressions
        if isinstance(e, exp.Alias)
        and not (isinstance(e.this, exp.Column) and e.this.name.lower() == e.alias.lower())
    }
    for ordered in order.expressions:
        if isinstance(ordered.this, exp.Column):
            continue
        for column in list(ordered.this.find_all(exp.Column)):
            if not column.table and column.name.lower() in aliased:
                column.replace(exp.Paren(this=aliased[column.name.lower()].copy()))


def _semi_anti_joins(select: exp.Select) -> None:
    joins = select.args.get("joins") or []
    kept = []
    from_ = select.args.get("from_") or select.args.get("from")
    for join in joins:
        kind = str(join.args.get("kind") or "").upper()
        if kind not in ("SEMI", "ANTI"):
            kept.append(join)
            continue
        right = join.this
        right_name = right.alias_or_name
        condition = join.args.get("on")
        using = join.args.get("using")
        if using:
            left_names = [from_.this.alias_or_name] + [j.this.alias_or_name for j in kept]
            if len(left_names) != 1:
                raise DatabaseError("SEMI/ANTI JOIN ... USING after other joins: use ON.")
            condition = exp.and_(
                *(
                    exp.EQ(
                        this=exp.column(u.name, table=left_names[0]),
                        expression=exp.column(u.name, table=right_name),
                    )
                    for u in using
                )
            )
        exists = exp.Exists(
            this=exp.select("1").from_(right.copy()).where(condition.copy() if condition else None)
        )
        select.where(exp.Not(this=exists) if kind == "ANTI" else exists, copy=False)
    select.set("joins", kept or None)


def _asof_joins(select: exp.Select) -> None:
    """a ASOF JOIN b ON a.k = b.k AND a.t >= b.t: for each row of a, the row of b with the
    nearest b.t, as a lateral subquery ordered by b.t and limited to one row."""
    for join in select.args.get("joins") or []:
        if str(join.args.get("method") or "").upper() != "ASOF":
            continue
        right = join.this
        name = right.alias_or_name
        conditions = (
            list(join.args["on"].flatten())
            if isinstance(join.args["on"], exp.And)
            else [join.args["on"]]
        )
        order = None
        for c in conditions:
            if isinstance(c, exp.GT | exp.GTE | exp.LT | exp.LTE):
                left_side, right_side = c.this, c.expression
                mine = right_side if right_side.table == name else left_side
                # b is below a's value: the greatest b first; above: the smallest first.
                b_is_right = mine is right_side
                descending = isinstance(c, exp.GT | exp.GTE) == b_is_right
                order = exp.Ordered(this=mine.copy(), desc=descending)
        if order is None:
            raise DatabaseError("ASOF JOIN without an inequality.")
        source = right.copy()
        source.set("alias", None)
        inner = (
            exp.select("*")
            .from_(exp.alias_(source, name, table=True))
            .where(join.args["on"].copy())
            .order_by(order)
            .limit(1)
        )
        join.set("method", None)
        join.set("kind", "LEFT" if str(join.args.get("side") or "").upper() == "LEFT" else None)
        join.set("side", None)
        join.set(
            "this",
            exp.Lateral(
                this=exp.Subquery(this=inner), alias=exp.TableAlias(this=exp.to_identifier(name))
            ),
        )
        join.set("on", exp.true())


def _order_union(union: exp.SetOperation) -> exp.Expression:
    """A UNION ordered by expressions (PostgreSQL orders a UNION by its column names only):
    the union as a subquery, ordered outside."""
    order = union.args.get("order")
    if not order or all(
        (isinstance(o.this, exp.Column) and not o.this.table) or isinstance(o.this, exp.Literal)
        for o in order.expressions
    ):
        return union
    key = "with_" if "with_" in union.arg_types else "with"
    inner = union.copy()
    for arg in ("order", "limit", "offset", key):
        inner.set(arg, None)
    outer = exp.select("*").from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_union")))
    )
    for arg in ("order", "limit", "offset", key):
        if union.args.get(arg) is not None:
            outer.set(arg, union.args[arg].copy())
    if union.parent is not None:
        union.replace(outer)
    return outer


def _union_by_name(union: exp.SetOperation, schema: dict) -> None:
    left, right = _output_names(union.this, schema), _output_names(union.expression, schema)
    if left is None or right is None:
        raise DatabaseError("UNION BY NAME of a query whose columns are unknown: list them.")
    every = left + [n for n in right if n not in left]
    for side, names in ((union.this, left), (union.expression, right)):
        query = side.this if isinstance(side, exp.Subquery | exp.Paren) else side
        wrapped = exp.Subquery(
            this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier("_by_name"))
        )
        columns = [
            exp.column(n, table="_by_name") if n in names else exp.alias_(exp.null(), n)
            for n in every
        ]
        side.replace(exp.select(*columns).from_(wrapped))
    union.set("by_name", False)


# Node-by-node rewrites: DuckDB functions and types SQLGlot leaves alone or translates wrongly.


def _not_null(*values: exp.Expression) -> exp.Expression:
    return exp.and_(*(exp.Not(this=exp.Is(this=v.copy(), expression=exp.null())) for v in values))


def _element_aggregates(tree: exp.Expression) -> exp.Expression:
    """any_value, arg_min/arg_max and min/max(x, n) as an element of an ARRAY_AGG: PostgreSQL
    15 has none of them. Each keeps DuckDB's NULL rule (rows with a NULL are skipped)."""
    found = [
        n
        for n in tree.find_all(exp.AnyValue, exp.ArgMin, exp.ArgMax, exp.Min, exp.Max)
        if not isinstance(n, exp.Min | exp.Max) or n.args.get("count") is not None
    ]
    for node in reversed(found):
        if isinstance(node, exp.AnyValue):
            value, order, index = node.this, None, exp.Literal.number(0)
            keep = _not_null(value)
        elif isinstance(node, exp.ArgMin | exp.ArgMax):
            value, key = node.this, node.expression
            order = exp.Ordered(
                this=key.copy(), desc=isinstance(node, exp.ArgMax), nulls_first=False
            )
            index = exp.Literal.number(0)
            keep = _not_null(value, key)
        else:  # min(x, n) / max(x, n): the n smallest / largest values, as a list
            value = node.this
            order = exp.Ordered(
                this=value.copy(), desc=isinstance(node, exp.Max), nulls_first=False
            )
            index = exp.Slice(this=exp.Literal.number(1), expression=node.args["count"].copy())
            keep = _not_null(value)
        aggregate = exp.ArrayAgg(
            this=exp.Order(this=value.copy(), expressions=[order]) if order else value.copy()
        )
        outer: exp.Expression = node
        if isinstance(outer.parent, exp.IgnoreNulls | exp.RespectNulls):
            outer = outer.parent
        if isinstance(outer.parent, exp.Filter):
            outer = outer.parent
            keep = exp.and_(outer.expression.this.copy(), keep)
        filtered = exp.Filter(this=aggregate, expression=exp.Where(this=keep))
        if isinstance(outer.parent, exp.Window):
            window = outer.parent
            outer = window
            new_window = window.copy()
            new_window.set("this", filtered)
            filtered = new_window
        result = exp.Bracket(this=exp.Paren(this=filtered), expressions=[index])
        if outer is tree:
            tree = result
        else:
            outer.replace(result)
    return tree


def _unnest_of(
    array: exp.Expression, column: str = "_x", ordinality: bool = False
) -> exp.Expression:
    columns = [exp.to_identifier(column)] + ([exp.to_identifier("_o")] if ordinality else [])
    return exp.Unnest(
        expressions=[_list_argument(array)],
        alias=exp.TableAlias(this=exp.to_identifier("_t"), columns=columns),
        offset=None,
    )


def _array_query(array: exp.Expression, select: exp.Select) -> exp.Expression:
    """ARRAY(select) for a list, NULL when the list is NULL (as DuckDB's list functions)."""
    built = exp.Array(expressions=[select])
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=array.copy(), expression=exp.null()), true=exp.null())],
        default=built,
    )


def _element_query(array: exp.Expression, projection: exp.Expression) -> exp.Select:
    """SELECT projection FROM UNNEST(array) AS _t(_x, _o), in the list's order."""
    sql = exp.select(projection).from_(
        "UNNEST(__a) WITH ORDINALITY AS _t(_x, _o)", dialect="postgres"
    )
    for placeholder in list(sql.find_all(exp.Column)):
        if placeholder.name == "__a":
            placeholder.replace(_list_argument(array))
    return sql


def _lambda_body(fn: exp.Lambda) -> exp.Expression:
    """The lambda's body with its parameter named _x (the element of UNNEST ... AS _t(_x))."""
    param = fn.expressions[0].name
    body = fn.this.copy()

    def rename(node):
        if (
            isinstance(node, exp.Identifier | exp.Column)
            and node.name == param
            and not (isinstance(node, exp.Column) and node.table)
            and not isinstance(node.parent, exp.Column | exp.Dot)
        ):
            return exp.column("_x")
        return node

    return body.transform(rename)


def _is_list(node: exp.Expression) -> bool:
    if isinstance(node, exp.Paren):
        return _is_list(node.this)
    if isinstance(
        node,
        exp.Array
        | exp.ArrayAgg
        | exp.ArrayDistinct
        | exp.ArraySort
        | exp.ArrayFilter
        | exp.Transform,
    ):
        return True
    if isinstance(node, exp.Cast):
        return (
            node.to.is_type(exp.DataType.Type.ARRAY)
            or bool(node.to.expressions)
            and node.to.this == exp.DataType.Type.ARRAY
        )
    if isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []]
        return any(_is_list(b) for b in [*branches, node.args.get("default")] if b is not None)
    return False


_names = itertools.count(1)


def _bottom_up(tree: exp.Expression, fn) -> exp.Expression:
    """`fn` applied to every node, children before their parent (SQLGlot's transform does
    not look inside a node it replaced)."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = fn(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _list_argument(node: exp.Expression) -> exp.Expression:
    """A parameter used as a list where PostgreSQL cannot infer its type: TEXT[] (every list
    parameter of the queries is a list of texts; psycopg sends lists of texts untyped)."""
    if isinstance(node, exp.Placeholder):
        return exp.cast(node.copy(), exp.DataType.build("TEXT[]", dialect="postgres"))
    return node.copy()


def _postgres_only(node: exp.Expression) -> exp.Expression:
    """DuckDB functions and types that SQLGlot leaves alone, in PostgreSQL's words."""
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        args = node.expressions
        if name == "regexp_full_match" and len(args) == 2:
            return _full_match(args[0], args[1])
        if name == "quarter" and len(args) == 1:
            return exp.Extract(this=exp.var("QUARTER"), expression=args[0].copy())
        if name == "list_has_all" and len(args) == 2:
            return exp.ArrayContainsAll(
                this=_list_argument(args[0]), expression=_list_argument(args[1])
            )
    if isinstance(node, exp.Quarter):
        return exp.Extract(this=exp.var("QUARTER"), expression=node.this.copy())
    if isinstance(node, exp.RegexpFullMatch):
        return _full_match(node.this, node.expression)
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.INT128,):
        return exp.DataType.build("DECIMAL(38, 0)")
    if isinstance(node, exp.DateFromParts):
        return exp.Anonymous(
            this="MAKE_DATE",
            expressions=[
                node.args["year"].copy(),
                node.args["month"].copy(),
                node.args["day"].copy(),
            ],
        )
    if isinstance(node, exp.Transform) and isinstance(node.expression, exp.Lambda):
        # list_transform(l, lambda x: f(x)): the elements, mapped, in the list's order.
        query = _element_query(node.this, _lambda_body(node.expression)).order_by(
            "_o", dialect="postgres"
        )
        return _array_query(node.this, query)
    if isinstance(node, exp.ArraySort):
        # list_sort: ascending, NULLs last (DuckDB's default).
        query = _element_query(node.this, exp.column("_x")).order_by(
            "_x NULLS LAST", dialect="postgres"
        )
        return _array_query(node.this, query)
    if isinstance(node, exp.ArrayDistinct):
        # list_distinct: each value once, NULLs dropped (the order is unspecified in both).
        query = exp.select("_x").distinct().from_(_unnest_of(node.this)).where("_x IS NOT NULL")
        return _array_query(node.this, query)
    if isinstance(node, exp.Unnest | exp.Explode):
        if isinstance(node, exp.Unnest):
            node.set("expressions", [_list_argument(a) for a in node.expressions])
        else:
            node.set("this", _list_argument(node.this))
        return node
    if isinstance(node, exp.Struct):
        # A struct ({'k': v}): a JSON object (psycopg reads it as a dict, as DuckDB's struct).
        args = []
        for field in node.expressions:
            if not isinstance(field, exp.PropertyEQ):
                raise DatabaseError(f"Unnamed struct field: {field.sql('duckdb')}")
            args += [exp.Literal.string(field.this.name), field.expression.copy()]
        return exp.Anonymous(this="JSON_BUILD_OBJECT", expressions=args)
    if (
        isinstance(node, exp.Subquery)
        and not node.alias
        and isinstance(node.parent, exp.From | exp.Join)
    ):
        # PostgreSQL 15 wants a name for every subquery in FROM.
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{next(_names)}")))
        return node
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.Anonymous(this="CARDINALITY", expressions=[node.this.copy()])
    if isinstance(node, exp.JSONExtractScalar | exp.JSONExtract) and not (
        isinstance(node.this, exp.Cast) and node.this.to.is_type("json", "jsonb")
    ):
        # DuckDB reads JSON from VARCHAR; PostgreSQL's json functions want JSON.
        node.set("this", exp.cast(node.this.copy(), "JSON"))
        return node
    if isinstance(node, exp.GenerateSeries) and node.args.get("is_end_exclusive"):
        # range(a, b, step): b excluded. Integers: up to b - 1; times: up to just before b.
        end = node.args["end"].copy()
        step = node.args.get("step")
        timely = isinstance(step, exp.Interval)
        node.set("is_end_exclusive", False)
        node.set(
            "end",
            exp.Sub(
                this=end,
                expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("MICROSECOND"))
                if timely
                else exp.Literal.number(1),
            ),
        )
        return node
    if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
        # round(double, n) does not exist in PostgreSQL: round the NUMERIC value.
        this = node.this
        if not (isinstance(this, exp.Cast) and this.to.is_type("decimal")):
            node.set("this", exp.cast(this.copy(), "NUMERIC"))
        return node
    if isinstance(node, exp.Insert) and str(node.args.get("alternative") or "").upper() == "IGNORE":
        node.set("alternative", None)
        node.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
        return node
    return node


def _full_match(value: exp.Expression, pattern: exp.Expression) -> exp.Expression:
    """regexp_full_match(x, p): the whole of x matches p, i.e. x ~ '^(?:p)$'."""
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        anchored: exp.Expression = exp.Literal.string(f"^(?:{pattern.this})$")
    else:
        anchored = exp.DPipe(
            this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=pattern.copy()),
            expression=exp.Literal.string(")$"),
        )
    return exp.RegexpLike(this=value.copy(), expression=anchored)


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?s")


def _escape_percent(sql: str) -> str:
    """Double every `%` that is not one of the placeholders the translation made."""
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(sql):
        out.append(sql[last : match.start()].replace("%", "%%"))
        out.append(match.group(0))
        last = match.end()
    out.append(sql[last:].replace("%", "%%"))
    return "".join(out)


def translate_statement(
    statement: exp.Expression, macros: dict[str, Macro] | None = None
) -> str | None:
    """One parsed DuckDB statement in PostgreSQL's dialect; None for a macro definition
    (macros are expanded where they are used)."""
    if is_macro_definition(statement):
        return None
    macros = default_macros() if macros is None else macros
    tree = expand_macros(statement.copy(), macros)
    if (
        isinstance(tree, exp.Create)
        and tree.args.get("replace")
        and str(tree.args.get("kind")).upper() == "TABLE"
    ):
        # CREATE OR REPLACE TABLE: PostgreSQL has none; drop, then create.
        tree.set("replace", False)
        name = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        drop = exp.Drop(tables=[name.copy()], kind="TABLE", exists=True)
        return _generate(drop) + "; " + _generate(tree)
    return _generate(tree)


def _alias_subqueries(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL 15 wants a name on every subquery in FROM or JOIN; DuckDB does not."""
    for n, sub in enumerate(list(tree.find_all(exp.Subquery))):
        if not sub.alias and isinstance(sub.parent, exp.From | exp.Join):
            sub.set("alias", exp.TableAlias(this=exp.to_identifier(f"_subquery{n}")))
    return tree


def _materialize_computed_lists(tree: exp.Expression) -> exp.Expression:
    """A CTE whose columns are computed by subqueries (the list functions above, over each
    row's list) or are elements of a list is MATERIALIZED: PostgreSQL would otherwise inline
    it into the query that joins it and compute those again for every joined row (DuckDB
    computes a CTE once), reading a whole list (stored compressed) for each element.
    At 1,000,000 values quality_outliers.sql, when it took each series' median from a list
    of its values (before migration 0026), went from over a minute to 2 s;
    upload_value_outliers.sql at 100,000 rows: 25 s to 0.6 s."""
    for cte in tree.find_all(exp.CTE):
        body = cte.this
        if isinstance(body, exp.Select) and any(
            projection.find(exp.Subquery, exp.Select, exp.Bracket)
            for projection in body.expressions
        ):
            cte.set("materialized", True)
    return tree


def _generate(tree: exp.Expression) -> str:
    tree = _alias_subqueries(tree)
    tree = _rewrite_statement(tree)
    tree = _element_aggregates(tree)
    tree = _bottom_up(tree, _postgres_only)
    tree = _materialize_computed_lists(tree)
    return _escape_percent(tree.sql(dialect="postgres", unsupported_level=sqlglot.ErrorLevel.RAISE))


@lru_cache(maxsize=4096)
def to_postgres(sql: str) -> str:
    """`sql` (DuckDB's dialect, `$name` and `?` parameters, one or more statements) as
    PostgreSQL with psycopg's placeholders. DatabaseError when it cannot be translated."""
    kept = _kept_file(sql)
    if kept is not None:
        try:
            return kept.read_text(encoding="utf-8")
        except OSError:
            pass  # not kept yet (or unreadable): translate
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
        out = [translate_statement(s) for s in statements]
    except (sqlglot.errors.SqlglotError, DatabaseError) as exc:
        raise DatabaseError(f"Cannot translate this SQL for PostgreSQL: {exc}\n{sql}") from None
    translated = ";\n".join(s for s in out if s)
    if kept is not None:
        _keep(kept, translated)
    return translated


@cache
def _translation_folder() -> Path | None:
    """The folder of translations kept between processes, made private to this user; None
    when it cannot be made, or others may write to it."""
    given = os.environ.get("MONITORING_SQL_CACHE")
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(given) if given else Path(base) / "monitoring" / "postgres-sql"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        found = folder.stat()
    except OSError:
        return None
    if found.st_uid != os.getuid() or found.st_mode & 0o022:
        return None
    return folder


@cache
def _translation_salt() -> bytes:
    """What a translation depends on besides the statement: this file, the migrations (the
    macros and the tables' columns) and SQLGlot's version."""
    from monitoring.db.migrations import MIGRATIONS

    digest = hashlib.sha256(sqlglot.__version__.encode())
    digest.update(Path(__file__).read_bytes())
    for path in sorted(MIGRATIONS.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _kept_file(sql: str) -> Path | None:
    folder = _translation_folder()
    if folder is None:
        return None
    name = hashlib.sha256(_translation_salt() + sql.encode()).hexdigest()
    return folder / f"{name}.sql"


def _keep(path: Path, translated: str) -> None:
    """Write the translation whole or not at all (another process may read it meanwhile,
    or write the same one)."""
    part = path.with_suffix(f".{os.getpid()}.part")
    try:
        part.write_text(translated, encoding="utf-8")
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)


def migration_to_postgres(sql: str, macros: dict[str, Macro]) -> list[str]:
    """A migration's statements for PostgreSQL, with the macros known so far (`macros`,
    updated with the ones this migration defines)."""
    out = []
    for statement in sqlglot.parse(sql, read="duckdb"):
        if statement is None:
            continue
        macro = _macro(statement)
        if macro is not None:
            macros[macro.name] = macro
            continue
        try:
            out.append(translate_statement(statement, macros))
        except (sqlglot.errors.SqlglotError, DatabaseError) as exc:
            raise DatabaseError(
                f"Cannot translate this migration statement for PostgreSQL: {exc}\n"
                f"{statement.sql(dialect='duckdb')}"
            ) from None
    return out
