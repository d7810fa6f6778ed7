"""Inserting a row or updating the one already there, in one statement on SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_or_update(model, values: dict, key_columns: tuple[str, ...], set_: dict):
    """`INSERT … ON CONFLICT (key) DO UPDATE SET …`; expressions in `set_` read the row already there."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_update(
        index_elements=list(key_columns), set_=set_)


def upsert_add(model, key: dict, key_columns: tuple[str, ...], delta: dict[str, int]) -> None:
    """Insert the row `key` with `delta`, or add `delta` to the row already there."""
    db.session.execute(insert_or_update(model, {**key, **delta}, key_columns,
                                        {c: getattr(model, c) + v for c, v in delta.items()}))
