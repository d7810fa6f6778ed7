"""A date or time column compared as it is stored, for the conditions a grouped query evaluates on every row.

SQLite gives a DATE or DATETIME column NUMERIC affinity, and a comparison of such a column with a bound value
tries to read that value as a number each time it is made (`sqlite3AtoF`): a ward's board compares some 75,000
times in its CASE expressions, and those attempts cost more instructions than the rest of its SQL. The values
are stored as ISO text ('2026-11-15', '2026-11-15 03:04:05.000000'), which compare in their order as text:
`+column` (SQLite's way to drop a column's affinity) compares them so. Only in a SELECT list: in a WHERE clause
the `+` would keep SQLite from using an index on the column. PostgreSQL's dates have no affinity; the column
is written as it is there.
"""

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class as_stored(ColumnElement[Any]):
    """`+column` on SQLite, `column` elsewhere: compared with a bound value as text, not tried as a number."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any] | Any) -> None:
        self.column = column
        self.type = column.type


@compiles(as_stored)
def _as_stored(element: as_stored, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(as_stored, "sqlite")
def _as_stored_sqlite(element: as_stored, compiler, **kw) -> str:
    return f"+{compiler.process(element.column, **kw)}"
