"""Configuration read from the environment; nothing but defaults lives in code."""

import os
import secrets
from pathlib import Path

from app import files

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PHUSO_INSTANCE_DIR", BASE_DIR / "instance"))


def _instance_dir() -> None:
    """instance/ holds the database, the secret key and uploads waiting for import: its owner's only."""
    files.private_dir(INSTANCE_DIR)
    files.tighten(INSTANCE_DIR, files.DIR_MODE)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        files.write_private(key_file, secrets.token_hex(32), replace=False)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'phuso.db'}"
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("vi", "en")
    # The sync endpoint accepts a per-session token with no time limit (see ARCHITECTURE.md);
    # ordinary forms keep Flask-WTF's one-hour token.
    WTF_CSRF_TIME_LIMIT = 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 60  # 60 days: volunteers are never locked out in the field
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False  # renewed once a day instead (web.renew_login)
    # HTTPS deployments set PHUSO_HTTPS=1: Secure cookies and HSTS.
    HTTPS = False
    PROXY_FIX = 0  # number of trusted reverse proxies in front of the app
    # Login throttle (ARCHITECTURE.md): tries per account at one address, per address (a ward office shares
    # one), per account from anywhere; the first lock's length, doubling with each lock after it.
    LOGIN_MAX_FAILURES = 5
    LOGIN_MAX_FAILURES_ADDRESS = 20
    LOGIN_MAX_FAILURES_ACCOUNT = 50
    LOGIN_LOCK_MINUTES = 15
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # How long a phone waits for the server before it keeps a form in its queue (tests shorten it).
    SERVER_TIMEOUT_MS = 20_000

    @classmethod
    def load(cls) -> dict:
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        _instance_dir()
        values["SECRET_KEY"] = _secret_key()
        values["SQLALCHEMY_DATABASE_URI"] = _database_url()
        values["HTTPS"] = _flag("PHUSO_HTTPS")
        values["PROXY_FIX"] = int(os.environ.get("PHUSO_PROXY_FIX", "0"))
        values["SESSION_COOKIE_SECURE"] = values["HTTPS"]
        values["REMEMBER_COOKIE_SECURE"] = values["HTTPS"]
        return values
