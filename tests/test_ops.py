"""Ready to run: health check, request logs without personal data, backups, and erasure that leaves no trace."""

import http.client
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import AuditLog, Household, Role, User, Visit
from tests.conftest import form_time


def _sqlite_file(app) -> Path | None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return Path(url.database) if url.get_backend_name() == "sqlite" else None


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": True}


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    broken = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False


def test_gunicorn_serves_the_app_with_the_production_config(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PHUSO_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "PHUSO_INSTANCE_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path}/phuso.db"}
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen([Path(sys.executable).parent / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status, deadline = None, time.monotonic() + 20
        while status is None and server.poll() is None and time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert status == 200, output


def test_request_log_has_timing_and_no_personal_data(world, login_as, caplog):
    client = login_as(world["volunteer_a"])
    with caplog.at_level(logging.INFO, logger="phuso.requests"):
        client.get("/households", query_string={"q": "Nguyễn Văn Bình 0901234567"})
    line = next(r.getMessage() for r in caplog.records if r.name == "phuso.requests")
    assert line.startswith("GET /households 200 ") and "ms user=" in line
    assert "Nguy" not in line and "0901234567" not in line and "q=" not in line


def _log_visits(world, make_household, make_visit, n: int):
    home = make_household(world["team_a"].areas[0])
    for _ in range(n):
        make_visit(home, world["volunteer_a"])


def test_backup_of_a_live_database_restores_every_visit(app, world, make_household, make_visit, tmp_path):
    _log_visits(world, make_household, make_visit, 25)
    target = tmp_path / "backups" / "phuso.db"
    if _sqlite_file(app) is None:
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return

    stop = threading.Event()

    def keep_writing():  # the app goes on writing while the copy is taken
        conn = sqlite3.connect(_sqlite_file(app), timeout=15)
        while not stop.is_set():
            conn.execute("INSERT INTO audit_log (at, action, detail) VALUES (CURRENT_TIMESTAMP, 'load', '{}')")
            conn.commit()
        conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0 and "Backup written" in result.output

    restored = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with restored.app_context():
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 25
        db.session.remove()


def test_erased_household_leaves_no_trace_and_counts_stay(app, world, make_household, login_as):
    name, phone, address = "Huỳnh Thị Riêngtư", "0987654321", "Số 77 Hẻm Bímật, Đường Kínđáo"
    home = make_household(world["team_a"].areas[0], address=address, display_name=name, phone=phone,
                          phone_consent_at=db.func.now(), people=5, eligible_people=4)
    volunteer = login_as(world["volunteer_a"])
    logged = volunteer.post("/visits/new", data={
        "client_id": "0b6f8a52-33f4-4a55-9c55-9b7d39c1f0aa", "household_id": str(home.id),
        "visited_at": form_time(), "outcome": "met", "vneid_installed": "1", "level2_activated": "2",
        "online_people": "0", "note": f"Gặp chị {name}, gọi {phone}"})
    assert logged.status_code == 303, logged.get_data(as_text=True)[:500]
    people_before = db.session.scalar(select(func.sum(Household.people)))
    level2_before = db.session.scalar(select(func.sum(Household.people_level2)))

    coordinator = login_as(world["coordinator_a"])
    assert coordinator.post(f"/lists/households/{home.id}/erase", data={"confirm": "y"}).status_code == 303

    db.session.rollback()
    assert db.session.scalar(select(func.sum(Household.people))) == people_before
    assert db.session.scalar(select(func.sum(Household.people_level2))) == level2_before
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    secrets = [name, phone, "Bímật", "Kínđáo"]
    # Every row of every table, the audit log included, read back as text.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            assert not any(secret in str(tuple(row)) for secret in secrets), f"found in {table.name}"
    erasure = db.session.scalar(select(AuditLog).where(AuditLog.action == "household.erase"))
    assert erasure.actor_id == world["coordinator_a"].id and erasure.object_id == str(home.id)
    database = _sqlite_file(app)
    if database is not None:  # the raw file and its write-ahead log, byte by byte
        raw = b"".join(p.read_bytes() for p in (database, Path(f"{database}-wal")) if p.exists())
        for secret in secrets:
            assert secret.encode() not in raw, f"{secret!r} is still in the database file"


def test_every_table_is_known_to_the_privacy_check(app, ctx):
    """The erasure test reads every mapped table; a table made outside the models would escape it."""
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == {t.name for t in db.metadata.sorted_tables}




def test_first_administrator_from_the_command_line(app, ctx):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-admin", "--province", "92", "--username", "quantri", "--name", "Quản trị"],
                         input="mat-khau-rat-dai\nmat-khau-rat-dai\n")
    assert made.exit_code == 0, made.output
    admin = db.session.scalar(select(User).where(User.username == "quantri"))
    assert admin.role == Role.ADMIN and admin.province_code == 92 and "mat-khau" not in admin.password_hash
    again = runner.invoke(args=["create-admin", "--province", "92", "--username", "QuanTri", "--name", "X"],
                          input="mat-khau-rat-dai\nmat-khau-rat-dai\n")
    assert again.exit_code != 0 and db.session.scalar(select(func.count()).select_from(User)) == 1
