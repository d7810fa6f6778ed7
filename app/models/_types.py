"""Column helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timestamps are stored as naive UTC so SQLite and PostgreSQL compare them alike."""
    return datetime.now(UTC).replace(tzinfo=None)
