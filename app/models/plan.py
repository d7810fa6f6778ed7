"""What wards aim at (targets) and what youth-union leaders run (campaigns)."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model
from app.models.geo import Ward


class Indicator(enum.StrEnum):
    REACH = "reach"
    LEVEL2 = "level2"
    ONLINE = "online"
    CASHLESS = "cashless"
    AREAS_COVERED = "areas_covered"
    FOLLOWUP = "followup"
    ACTIVITY = "activity"
    STALENESS = "staleness"


class Target(Model):
    """A ward's target for one indicator over one period (chỉ tiêu)."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("ward_code", "indicator", "period_start", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), index=True)
    indicator: Mapped[Indicator] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Numeric(8, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Campaign(Model):
    """An emulation campaign (đợt thi đua) over a ward or a whole province."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"), index=True)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    # Random part of the public read-only link; cleared to revoke it.
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ward: Mapped[Ward | None] = relationship()
