"""Inserting a row or updating the one already there, in one statement on SQLite and PostgreSQL."""

from functools import cache

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.services.prepared import Prepared


def _dialect():
    return _dialect_named(db.session.get_bind().dialect.name)


def insert_or_update(model, values: dict, key_columns: tuple[str, ...], set_: dict):
    """`INSERT … ON CONFLICT (key) DO UPDATE SET …`; expressions in `set_` read the row already there."""
    return _dialect().insert(model).values(**values).on_conflict_do_update(
        index_elements=list(key_columns), set_=set_)


def _dialect_named(name: str):
    return postgresql if name == "postgresql" else sqlite


@cache
def _ignoring(table, key_columns: tuple[str, ...]) -> Prepared:
    """The prepared statement of `insert_row_ignoring`, built once per table (and database)."""
    return Prepared(lambda database: _dialect_named(database).insert(table)
                    .on_conflict_do_nothing(index_elements=list(key_columns)).returning(table.c.id))


def insert_row_ignoring(model, row: dict, key_columns: tuple[str, ...]) -> int | None:
    """`INSERT … ON CONFLICT (key) DO NOTHING RETURNING id`, prepared once: the new row's id, or None when the
    key was taken. `row` names every column it sets, the same ones each time."""
    inserted = _ignoring(model.__table__, key_columns).first(row)
    return None if inserted is None else inserted[0]


@cache
def _adding(table, key_columns: tuple[str, ...], added: tuple[str, ...], replaced: tuple[str, ...]) -> Prepared:
    """The prepared statement of `upsert_add_rows`, built once per table and shape (and database)."""
    def build(database: str):
        stmt = _dialect_named(database).insert(table)
        set_ = {c: table.c[c] + stmt.excluded[c] for c in added}
        set_.update({c: stmt.excluded[c] for c in replaced})
        return stmt.on_conflict_do_update(index_elements=list(key_columns), set_=set_)
    return Prepared(build)


def upsert_add_rows(model, key_columns: tuple[str, ...], added: tuple[str, ...], rows: list[dict],
                    replaced: tuple[str, ...] = ()) -> None:
    """Insert each row, or add its `added` values to the row already there (and take its `replaced` ones):
    one statement for all rows (executemany). Two rows may not share a key."""
    _adding(model.__table__, key_columns, added, replaced).execute_many(rows)


def upsert_add(model, key: dict, key_columns: tuple[str, ...], delta: dict[str, int]) -> None:
    """Insert the row `key` with `delta`, or add `delta` to the row already there."""
    upsert_add_rows(model, key_columns, tuple(delta), [{**key, **delta}])
