"""Database connections: SQLite's log copied into the file beside the requests; PostgreSQL's idle connections
checked before use, busy ones not."""

import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import connections
from app.extensions import db
from app.models import Role, User
from tests.conftest import login


def _sqlite_file() -> Path:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("checkpoints are SQLite's")
    return Path(db.engine.url.database)


def test_commits_leave_the_checkpoint_to_the_thread(app, ctx, make_user, monkeypatch):
    """A commit only appends to the log (writers would checkpoint only past 20,000 pages); the thread copies
    the log into the database file within a few seconds."""
    path = _sqlite_file()
    monkeypatch.setattr(connections, "CHECKPOINT_EVERY", 0.2)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == connections.WAL_PAGES_BEFORE_WRITERS_CHECKPOINT
    time.sleep(1.5)  # the thread's sleep under the old period ends, then it runs every 0.2 s
    before = path.stat().st_mtime_ns
    make_user(Role.VOLUNTEER, username="ghi_nhat_ky")
    db.session.commit()
    deadline = time.monotonic() + 5
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_mtime_ns != before, "the database file was not written by a checkpoint"
    assert db.session.scalar(select(User.username).where(User.username == "ghi_nhat_ky")) == "ghi_nhat_ky"


def _postgresql():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file is never dropped, and never checked")


def _pings(monkeypatch) -> list:
    pings: list = []
    real = type(db.engine.dialect).do_ping
    monkeypatch.setattr(type(db.engine.dialect), "do_ping", lambda self, conn: pings.append(1) or real(self, conn))
    return pings


def test_a_connection_used_a_moment_ago_is_not_checked(app, ctx, monkeypatch):
    _postgresql()
    db.session.execute(select(1))
    db.session.commit()
    pings = _pings(monkeypatch)
    for _ in range(3):
        db.session.execute(select(1))
        db.session.commit()
    assert pings == []


def test_an_idle_connection_the_server_dropped_costs_no_request(app, ctx, client, world, monkeypatch):
    """The server ended the pooled connection (a restart, an idle timeout): the next request checks it,
    finds it gone and is served on a new one."""
    _postgresql()
    login(client, world["volunteer_a"])
    db.session.commit()
    db.session.close()
    db.engine.pool.dispose()
    dropped, other = db.engine.connect(), db.engine.connect()
    pid = dropped.scalar(text("SELECT pg_backend_pid()"))
    dropped.close()  # back in the pool, first in line
    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.commit()
    other.close()
    monkeypatch.setattr(connections, "CHECK_AFTER_IDLE", 0.0)
    pings = _pings(monkeypatch)
    page = client.get("/")
    assert page.status_code == 200 and "Hôm nay" in page.get_data(as_text=True)
    assert pings
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid
