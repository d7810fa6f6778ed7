"""Adding to counter rows that may not exist yet, in one statement on SQLite and PostgreSQL."""

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def upsert_add(model, key: dict, key_columns: tuple[str, ...], delta: dict[str, int]) -> None:
    """Insert the row `key` with `delta`, or add `delta` to the row already there."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).values(**key, **delta)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={c: getattr(model, c) + stmt.excluded[c] for c in delta},
    )
    db.session.execute(stmt)
