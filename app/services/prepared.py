"""Core statements compiled once per database and run on the DBAPI connection of the session's transaction.

SQLAlchemy's execution of an already compiled statement (its parameters processed, a cursor result set up)
costs some 40 to 60 µs, as much as SQLite's own work for most statements of a visit. The statements of the
write path stay written once, as SQLAlchemy constructs (the one source of their SQL and of the rules in it);
`Prepared` compiles each, for each database, to the driver's SQL string and the order of its parameters with
their type conversions, and runs it on the session's own connection: the same transaction, the same commit.

Kept from SQLAlchemy's execution: the `before_cursor_execute` and `after_cursor_execute` events (the tests
count statements with them), Python-side column defaults, and a driver's error raised as SQLAlchemy's own
(`IntegrityError`, `OperationalError`, ...). `together()` sends a run of writes whose answers nobody waits for
to PostgreSQL as one statement. Not supported, refused when compiled: parameters expanded at
execution (`IN` lists, literal `LIMIT`) and defaults that need an execution context.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Executable, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, instance_state
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from app.extensions import db

# A named placeholder of psycopg's (`%%` is a literal percent sign, never followed by a name).
_NAMED = re.compile(r"(?<!%)%\((\w+)\)s")
# How one parameter of the driver's call gets its value: the caller's (by key), a column's Python-side default
# (called each time) or a value fixed in the statement; then the type's conversion, if any.
_GIVEN, _DEFAULT, _FIXED = range(3)
T = TypeVar("T")


class _Compiled:
    """One statement for one database and one set of parameter names: SQL, and how to fill its parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]):
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect,
                                                       column_keys=list(keys) if statement.is_dml else None))
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise exc.ArgumentError("A prepared statement may not expand parameters at execution")
        self.sql = compiled.string
        processors = compiled._bind_processors
        defaults: dict[str, Any] = {c.key: c.default for c in (*compiled.insert_prefetch, *compiled.update_prefetch)}
        slots: dict[str, tuple[int, Any, Callable[[Any], Any] | None]] = {}
        for bind, name in compiled.bind_names.items():
            process = processors.get(name)
            if not (process is None or callable(process)):
                raise exc.ArgumentError(f"A tuple parameter ({name!r}) cannot be prepared")
            if bind.key in keys or name in keys:
                slots[name] = (_GIVEN, bind.key if bind.key in keys else name, process)
            elif name in defaults:
                default = defaults[name]
                if default is None or not (default.is_scalar or default.is_callable):
                    raise exc.ArgumentError(f"No value for {name!r} and no default a prepared statement can use")
                slots[name] = ((_DEFAULT, default.arg, process) if default.is_callable
                               else (_FIXED, process(default.arg) if process else default.arg, None))
            elif bind.callable is None and not bind.required:
                slots[name] = (_FIXED, process(bind.value) if process else bind.value, None)
            else:
                raise exc.ArgumentError(f"A value is required for bind parameter {bind.key!r}")
        # What a row read back holds (a SELECT's columns, RETURNING's), and each type's conversion of it.
        self.columns = [entry.keyname for entry in compiled._result_columns]
        self.converters = [entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns]
        self.positional = compiled.positional
        if self.positional:
            self.slots = [slots[name] for name in compiled.positiontup or ()]
            self.names: list[str] = []
        else:
            self.names = [compiled.escaped_bind_names.get(name, name) for name in slots]
            self.slots = list(slots.values())
        self._split: tuple[list[str], list[str]] | None = None

    def split(self) -> tuple[list[str], list[str]]:
        """PostgreSQL's SQL (`%(name)s` placeholders) cut at its placeholders, with `%%` read as `%`, and the
        parameters' names in their order: what `_joined` numbers into one statement with others."""
        if self._split is None:
            pieces = _NAMED.split(self.sql)
            self._split = ([text.replace("%%", "%") for text in pieces[0::2]], pieces[1::2])
        return self._split

    def parameters(self, given: dict) -> list | dict:
        values = []
        for kind, source, process in self.slots:
            if kind == _FIXED:
                values.append(source)
                continue
            value = given[source] if kind == _GIVEN else source(None)
            values.append(value if process is None else process(value))
        return values if self.positional else dict(zip(self.names, values, strict=True))


class Prepared:
    """A Core statement (a SELECT; an INSERT, UPDATE or DELETE with or without RETURNING) compiled on first use
    for each database and each set of parameter names, then run with plain driver calls. `statement`: the statement,
    or a function of the database's name ("sqlite", "postgresql") that builds it, for SQL that differs."""

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]):
        self.build = statement if callable(statement) else lambda _database: statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, connection: Connection, keys: tuple[str, ...]) -> _Compiled:
        dialect = connection.dialect
        compiled = self._compiled.get((dialect.name, keys))
        if compiled is None:
            compiled = self._compiled[(dialect.name, keys)] = _Compiled(self.build(dialect.name), dialect, keys)
        return compiled

    def first(self, parameters: dict) -> tuple | None:
        """Run once; the first row it returns (RETURNING), as the driver gives it."""
        return _run(self, parameters, many=False, fetch=True)

    def first_values(self, parameters: dict) -> dict | None:
        """Run once; the first row it returns by column name, each value converted by its column's type as
        SQLAlchemy converts it (SQLite's text times to datetimes, its 0/1 to booleans)."""
        connection = _held.get() or db.session.connection()
        row = _run(self, parameters, many=False, fetch=True, connection=connection)
        if row is None:
            return None
        compiled = self._for(connection, tuple(parameters))
        return {name: value if convert is None else convert(value)
                for name, value, convert in zip(compiled.columns, row, compiled.converters, strict=True)}

    def execute(self, parameters: dict) -> None:
        _run(self, parameters, many=False, fetch=False)

    def execute_many(self, rows: Iterable[dict]) -> None:
        """Run once per row (one `executemany`); every row names the same parameters."""
        rows = list(rows)
        if len(rows) == 1:
            _run(self, rows[0], many=False, fetch=False)
        elif rows:
            _run(self, rows, many=True, fetch=False)


def _run(prepared: Prepared, parameters: Any, many: bool, fetch: bool,
         connection: Connection | None = None) -> tuple | None:
    connection = connection or _held.get() or db.session.connection()
    compiled = prepared._for(connection, tuple(parameters[0] if many else parameters))
    queued = _queued.get()
    if queued is not None and not fetch:
        # PostgreSQL's parameters are named (`%(name)s`): a dict each.
        queued.extend((compiled, cast(dict, compiled.parameters(row))) for row in (parameters if many else [parameters]))
        return None
    values: Any = [compiled.parameters(row) for row in parameters] if many else compiled.parameters(parameters)
    return _send(connection, compiled.sql, values, many, fetch)


def _send(connection: Connection, sql: str, values: Any, many: bool, fetch: bool, raw: bool = False) -> tuple | None:
    """Run on the driver; `raw`: psycopg's `$1` placeholders, which it sends as they are (it parses and caches
    `%s` ones, and does not cache a long statement's)."""
    dbapi_connection: Any = connection.connection.dbapi_connection
    if raw:
        from psycopg import RawCursor

        cursor = RawCursor(dbapi_connection)
    else:
        cursor = dbapi_connection.cursor()
    events = connection._has_events or connection.engine._has_events
    try:
        if events:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, values, None, many)
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
        if events:
            connection.dispatch.after_cursor_execute(connection, cursor, sql, values, None, many)
        return cursor.fetchone() if fetch else None
    except connection.dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(sql, values, error, connection.dialect.loaded_dbapi.Error,
                                      dialect=connection.dialect) from error
    finally:
        cursor.close()


def loaded(model: type[T], values: dict) -> T:
    """An instance of `model` holding `values` (its every column, as read), in the session as if the ORM had
    loaded it: no change to flush, relationships loaded on first use. A third of the cost of an ORM read or of
    `model(**values)` with its change events. Not for a row the session holds already (`session.get` it)."""
    instance = manager_of_class(model).new_instance()
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    # `Session.add` without its cascade along relationships: none is loaded, and the walk costs more than the rest.
    db.session()._save_or_update_impl(instance_state(instance))
    return instance


def read(statement: Executable, params: dict | None = None) -> CursorResult:
    """A read that loads no ORM entity (columns, sums), run as Core on the session's connection, after what the
    session holds unflushed: the ORM's execution of such a statement adds some 40 µs, more than SQLite's answer
    for most of a board's grouped reads. Unlike `Prepared`, it takes lists expanded at execution (`IN`)."""
    db.session.flush()  # what the ORM's autoflush would have sent first
    return db.session.connection().execute(statement, params)


@contextmanager
def one_connection() -> Iterator[Connection]:
    """Inside, prepared statements run on the session's connection looked up once (each lookup costs about as
    much as SQLite's own work for a small statement). Nothing inside may end the transaction."""
    held = _held.get()
    if held is not None:
        yield held
        return
    connection = db.session.connection()
    token = _held.set(connection)
    try:
        yield connection
    finally:
        _held.reset(token)


@contextmanager
def together() -> Iterator[None]:
    """The prepared writes run inside (without reading what they return) go to PostgreSQL at the end as one
    statement, each a data-modifying `WITH` part of it: one round trip and one command for the server instead
    of one each, which costs more than most of these writes. They see the database as it was before all of
    them, so no two may touch the same row. An error of any of them is raised at the end. Statements not
    prepared, and SQLite's, run as they come."""
    with one_connection() as connection:
        if connection.dialect.name != "postgresql":
            yield
            return
        queued: list[tuple[_Compiled, dict]] = []
        token = _queued.set(queued)
        try:
            yield
        finally:
            _queued.reset(token)
        if queued:
            sql, values = _joined(queued)
            _send(connection, sql, values, many=False, fetch=False, raw=True)


def _joined(queued: list[tuple["_Compiled", dict]]) -> tuple[str, list]:
    """One statement doing every queued write (numbered `$1` placeholders), and its parameters."""
    splits = [compiled.split() for compiled, _values in queued]
    key = tuple(id(compiled) for compiled, _values in queued)
    sql = _joined_sql.get(key)
    if sql is None:
        parts, number = [], 0
        for pieces, _order in splits:
            part = [pieces[0]]
            for piece in pieces[1:]:
                number += 1
                part += [f"${number}", piece]
            parts.append("".join(part))
        *withs, last = parts
        sql = _joined_sql[key] = (("WITH " + ", ".join(f"w{i} AS ({part})" for i, part in enumerate(withs)) + " ")
                                  if withs else "") + last
    values = [given[name] for (_compiled, given), (_pieces, order) in zip(queued, splits, strict=True)
              for name in order]
    return sql, values


# Statements of `_joined`, by the statements they join (few shapes: one per set of rollups a visit moves).
_joined_sql: dict[tuple[int, ...], str] = {}
# The writes `together()` is holding back, on PostgreSQL.
_queued: ContextVar[list[tuple[_Compiled, dict]] | None] = ContextVar("prepared_queued", default=None)


# The connection `one_connection()` holds for its block (each gunicorn thread its own).
_held: ContextVar[Connection | None] = ContextVar("prepared_connection", default=None)
