"""A consistent copy of a live SQLite database, taken with SQLite's online backup API."""

import sqlite3
from pathlib import Path

from app import files
from app.extensions import db


class BackupNotSupported(RuntimeError):
    """The database is not SQLite: PostgreSQL has pg_dump for this (see README)."""


def backup_sqlite(target: Path, pages_per_step: int = 1024) -> int:
    """Copy the database to `target` while the app keeps writing; returns the copy's size in bytes.

    The backup API copies page by page and restarts by itself when a writer changes a page it already
    copied, so the file is one consistent snapshot even under load.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise BackupNotSupported(engine.dialect.name)
    target = Path(target)
    files.private_dir(target.parent)
    partial = target.with_suffix(target.suffix + ".partial")
    partial.unlink(missing_ok=True)  # what an interrupted backup left
    files.create_empty(partial)  # the copy (and its journal) readable by the app's user only
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(partial)
        try:
            sqlite_source = source.driver_connection
            if not isinstance(sqlite_source, sqlite3.Connection):
                raise BackupNotSupported(engine.dialect.name)
            sqlite_source.backup(copy, pages=pages_per_step)
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)  # a half-written file never carries the backup's name
    return target.stat().st_size


def scrub_sqlite_journal() -> None:
    """After an erasure, fold the write-ahead log into the database and empty it.

    With secure_delete on, erased values are zeroed in the database file itself; the WAL still holds
    old page images until a checkpoint, so erasing also truncates it.
    """
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
