"""Who did what and when; and the login throttle kept in the database so it holds across workers."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Model


class AuditLog(Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_ward_at", "ward_code", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"))
    # Field names and non-personal values only: an erased household must leave no trace here.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class LoginThrottle(Model):
    """Login attempts per client address, per account at an address and per account (services/accounts.py)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    # Attempts counted since first_failure_at: every attempt counts before its password is checked; a
    # successful one is taken off again.
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Locks in a row: each lasts twice as long as the one before.
    lockouts: Mapped[int] = mapped_column(default=0, server_default="0")
