"""Core statements compiled once per database and run on the DBAPI connection of the session's transaction.

SQLAlchemy's execution of an already compiled statement (its parameters processed, a cursor result set up)
costs some 40 to 60 µs, as much as SQLite's own work for most statements of a visit. The statements of the
write path stay written once, as SQLAlchemy constructs (the one source of their SQL and of the rules in it);
`Prepared` compiles each, for each database, to the driver's SQL string and the order of its parameters with
their type conversions, and runs it on the session's own connection: the same transaction, the same commit.

Kept from SQLAlchemy's execution: the `before_cursor_execute` and `after_cursor_execute` events (the tests
count statements with them), Python-side column defaults, and a driver's error raised as SQLAlchemy's own
(`IntegrityError`, `OperationalError`, ...). `together()` sends a run of statements whose answers nobody waits for
to PostgreSQL in one round trip. Not supported, refused when compiled: parameters expanded at
execution (`IN` lists, literal `LIMIT`) and defaults that need an execution context.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from app.extensions import db

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
        connection = db.session.connection()
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
    values: Any = [compiled.parameters(row) for row in parameters] if many else compiled.parameters(parameters)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    events = connection._has_events or connection.engine._has_events
    try:
        if events:
            connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, values, None, many)
        if many:
            cursor.executemany(compiled.sql, values)
        else:
            cursor.execute(compiled.sql, values)
        if events:
            connection.dispatch.after_cursor_execute(connection, cursor, compiled.sql, values, None, many)
        return cursor.fetchone() if fetch else None
    except connection.dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(compiled.sql, values, error, connection.dialect.loaded_dbapi.Error,
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
    db.session.add(instance)
    return instance


@contextmanager
def together() -> Iterator[None]:
    """The statements run inside go to PostgreSQL without waiting for each one's answer (psycopg's pipeline
    mode), all answered in one round trip at the end, where an error of any of them is raised, as SQLAlchemy's
    own. Nothing inside may read a result before the end, or end the transaction. SQLite, in the same process:
    as they come. Either way the session's connection is looked up once for the whole block."""
    connection = db.session.connection()
    held = _held.set(connection)
    try:
        if connection.dialect.name != "postgresql":
            yield
            return
        try:
            with connection.connection.dbapi_connection.pipeline():  # type: ignore[union-attr]
                yield
        except connection.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(None, None, error, connection.dialect.loaded_dbapi.Error,
                                          dialect=connection.dialect) from error
    finally:
        _held.reset(held)


# The connection `together()` holds for its block (each gunicorn thread its own).
_held: ContextVar[Connection | None] = ContextVar("prepared_connection", default=None)
