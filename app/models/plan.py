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


# A campaign's commendation rule until its leader sets one: the first 3 teams with 20 outcomes or more (people
# activated to level 2, households tutored online or set up for cashless payment), the first 10 volunteers with 10.
COMMEND_DEFAULTS = {"commend_teams": 3, "commend_team_outcomes": 20, "commend_volunteers": 10,
                    "commend_volunteer_outcomes": 10}


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
    # Who is proposed for commendation at the end (services/ranking/commendation.py): the teams ranked in the
    # first `commend_teams` places with at least `commend_team_outcomes` outcomes, and the volunteers likewise.
    commend_teams: Mapped[int] = mapped_column(default=COMMEND_DEFAULTS["commend_teams"],
                                               server_default=str(COMMEND_DEFAULTS["commend_teams"]))
    commend_team_outcomes: Mapped[int] = mapped_column(default=COMMEND_DEFAULTS["commend_team_outcomes"],
                                                       server_default=str(COMMEND_DEFAULTS["commend_team_outcomes"]))
    commend_volunteers: Mapped[int] = mapped_column(default=COMMEND_DEFAULTS["commend_volunteers"],
                                                    server_default=str(COMMEND_DEFAULTS["commend_volunteers"]))
    commend_volunteer_outcomes: Mapped[int] = mapped_column(
        default=COMMEND_DEFAULTS["commend_volunteer_outcomes"],
        server_default=str(COMMEND_DEFAULTS["commend_volunteer_outcomes"]))

    ward: Mapped[Ward | None] = relationship()
