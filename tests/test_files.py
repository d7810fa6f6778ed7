"""Files on disk are the app user's only: folders 0700 and files 0600 from the moment they exist."""

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import config
from app.extensions import db


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def careless(monkeypatch):
    """The worst case: a umask of 0 (gunicorn's default) and no chance to restrict a file after writing it."""
    old = os.umask(0)
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    yield
    os.umask(old)


def test_instance_folder_and_secret_key_are_private_from_the_start(tmp_path, monkeypatch, careless):
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    values = config.Config.load()
    assert _mode(instance) == 0o700
    assert _mode(instance / "secret_key") == 0o600
    assert (instance / "secret_key").read_text() == values["SECRET_KEY"]
    assert config.Config.load()["SECRET_KEY"] == values["SECRET_KEY"]  # kept, not replaced
    assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no partial file left behind


def test_an_older_readable_instance_folder_is_tightened(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    config.Config.load()
    assert _mode(instance) == 0o700


def test_sqlite_database_and_its_journal_files_are_private(tmp_path, careless):
    database = tmp_path / "phuso.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    engine.dispose()
    assert modes == {"phuso.db": 0o600, "phuso.db-wal": 0o600, "phuso.db-shm": 0o600}


def test_an_older_readable_sqlite_database_is_tightened(tmp_path):
    database = tmp_path / "phuso.db"
    database.touch()
    database.chmod(0o644)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect():
        pass
    engine.dispose()
    assert _mode(database) == 0o600


def test_backup_copy_is_private(app, ctx, tmp_path, careless):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL is backed up with pg_dump")
    target = tmp_path / "backups" / "phuso.db"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target.parent) == 0o700 and _mode(target) == 0o600


def test_import_waiting_files_are_private(app, world, login_as, careless):
    area = world["team_a"].areas[0]
    data = f"Khu vực,Địa chỉ,Số người,Số người từ 14 tuổi\n{area.name},Số 1 Hẻm Nhập,2,1\n".encode()
    response = login_as(world["coordinator_a"]).post(
        "/lists/import", data={"file": (io.BytesIO(data), "ho.csv")}, content_type="multipart/form-data")
    token = response.location.rsplit("/", 1)[-1]
    folder = Path(app.instance_path) / "imports"
    assert _mode(folder) == 0o700 and _mode(folder / f"{token}.json") == 0o600
