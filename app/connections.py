"""How the app's database connections are made and handed out: SQLite's file, its pragmas and its
checkpoints, and a check of a PostgreSQL connection that has sat idle in the pool."""

import logging
import sqlite3
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, event, exc

from app import collation, files

log = logging.getLogger(__name__)

# A pooled connection back for less than this was working a moment ago: it is handed out as it is. One idle
# longer is checked first (a round trip), so a server restart or a dropped connection costs no request.
CHECK_AFTER_IDLE = 2.0  # seconds


@event.listens_for(Engine, "do_connect")
def _private_sqlite_file(dialect, _record, cargs, _cparams):
    """SQLite creates its database 0644 (and its -wal and -shm files with the database's mode): create it
    0600 first, and tighten files an older version left readable."""
    if dialect.name != "sqlite" or not cargs or cargs[0] in ("", ":memory:") or str(cargs[0]).startswith("file:"):
        return
    path = Path(cargs[0])
    if not path.parent.is_dir():
        return  # SQLite itself says it cannot open the database
    files.create_empty(path)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        files.tighten(name, files.FILE_MODE)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased personal data must not linger in free pages of the database file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES_BEFORE_WRITERS_CHECKPOINT}")
        path = cursor.execute("PRAGMA database_list").fetchone()[2]
        cursor.close()
        collation.register_sqlite(dbapi_connection)  # ORDER BY names in Vietnamese alphabetical order
        if path:  # a file, not a database in memory
            _checkpointer.watch(path)


# SQLite's WAL mode appends each commit to the log; a checkpoint copies the log into the database file and
# waits for the disk (fsync). Left to the writers, every thousandth page written makes one commit wait some
# milliseconds for it: half of a visit's commit time. A thread does it instead, beside the requests; writers
# take it over only if the log grows this large (the thread has stopped).
CHECKPOINT_EVERY = 0.5  # seconds
WAL_PAGES_BEFORE_WRITERS_CHECKPOINT = 10_000
# A log copied whole starts again from its beginning only when no request still reads from it: under steady
# requests that moment may not come. Past this many pages the thread waits for it, a few milliseconds at most
# (the requests' writes wait meanwhile), so the log stays short: a long log slows every read.
WAL_PAGES_BEFORE_RESTART = 2_000
RESTART_WAIT = 0.02  # seconds


class _Checkpointer:
    """One thread per process checkpoints every SQLite file this process opened, while the file exists.
    PASSIVE: it never waits for a reader or a writer, and never blocks one; RESTART (a long log) waits briefly."""

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def watch(self, path: str) -> None:
        with self.lock:
            self.paths.add(path)
            if self.thread is None or not self.thread.is_alive():  # not started, or lost in a fork
                self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        opened: dict[str, sqlite3.Connection] = {}
        while True:
            time.sleep(CHECKPOINT_EVERY)
            with self.lock:
                gone = [path for path in self.paths if not Path(path).exists()]
                self.paths.difference_update(gone)
                paths = list(self.paths)
            for path in gone:
                if path in opened:
                    opened.pop(path).close()
            for path in paths:
                try:
                    if path not in opened:  # mode=rw: never creates a file removed meanwhile
                        opened[path] = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=RESTART_WAIT)
                    _busy, log_pages, _copied = opened[path].execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if log_pages >= WAL_PAGES_BEFORE_RESTART:
                        opened[path].execute("PRAGMA wal_checkpoint(RESTART)")
                except sqlite3.Error as error:
                    log.warning("checkpoint of %s failed: %s", path, error)
                    if path in opened:
                        opened.pop(path).close()


_checkpointer = _Checkpointer()


def check_idle_connections(engine: Engine) -> None:
    """Check a server database's connection on its way out of the pool when it has sat idle (SQLAlchemy's
    `pool_pre_ping` checks every one, a round trip more on every request). A SQLite file is never dropped."""
    if engine.dialect.name == "sqlite":
        return
    event.listen(engine.pool, "checkin", _note_return)
    event.listen(engine.pool, "checkout", partial(_check_if_idle, engine.dialect))


def _note_return(_dbapi_connection, record) -> None:
    record.info["returned_at"] = time.monotonic()


def _check_if_idle(dialect, dbapi_connection, record, _proxy) -> None:
    returned_at = record.info.get("returned_at")
    if returned_at is None or time.monotonic() - returned_at < CHECK_AFTER_IDLE:
        return  # just made, or just used
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        # The pool drops this connection and hands out a new one.
        raise exc.DisconnectionError("an idle connection no longer answers") from error
