"""Visits (lượt hỗ trợ): one support session at a household."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model, db
from app.extensions import lazy_gettext as _l
from app.models.household import Household
from app.models.org import Team, User


class Outcome(enum.StrEnum):
    MET = "met"
    NOBODY_HOME = "nobody_home"
    DECLINED = "declined"
    MOVED_AWAY = "moved_away"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.MET: _l("Met"),
    Outcome.NOBODY_HOME: _l("Nobody home"),
    # Never "refused": a household may simply have no need yet, and is never listed by name for it.
    Outcome.DECLINED: _l("No need for now"),
    Outcome.MOVED_AWAY: _l("Moved away"),
}

# The online public services people are most often shown (DOMAIN.md).
ONLINE_SERVICES = {
    "residence": _l("Temporary residence / stay registration"),
    "passport": _l("Passport application"),
    "civil_status": _l("Birth and civil-status registration"),
    "fees_taxes": _l("Paying fees and taxes online"),
    "health_insurance": _l("Health-insurance card in VNeID"),
    "other": _l("Other online service"),
}

# Other volunteers who took part in a visit besides the one who logged it.
visit_helpers = Table(
    "visit_helper",
    db.metadata,
    Column("visit_id", Integer, ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Visit(Model):
    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("vneid_installed >= 0 AND level2_activated >= 0 AND online_people >= 0", name="counts"),
        CheckConstraint("level2_children >= 0", name="children"),
        # Made by the phone when the form opens: a visit sent twice is stored once. Unique per volunteer, not
        # globally, so another ward's id is simply unknown (services/scope.known_to).
        UniqueConstraint("client_id", "volunteer_id"),
        Index("ix_visit_team_time", "team_id", "visited_at"),
        Index("ix_visit_ward_time", "ward_code", "visited_at"),
        Index("ix_visit_household_time", "household_id", "visited_at"),
        Index("ix_visit_followup", "team_id", "followup_due", "followup_closed_at"),
        # The ward and province boards count open and overdue follow-ups per area and team from this index alone.
        Index("ix_visit_ward_followup", "ward_code", "followup_needed", "followup_closed_at", "flagged",
              "followup_due", "area_id", "team_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    visited_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[Outcome] = mapped_column(String(12))
    vneid_installed: Mapped[int] = mapped_column(default=0)
    level2_activated: Mapped[int] = mapped_column(default=0)  # people aged 14+
    level2_children: Mapped[int] = mapped_column(default=0)  # children aged 6-13
    services: Mapped[str] = mapped_column(String(200), default="")
    online_people: Mapped[int] = mapped_column(default=0)
    cashless_setup: Mapped[bool] = mapped_column(Boolean, default=False)
    other_help: Mapped[str | None] = mapped_column(String(300))
    followup_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    followup_reason: Mapped[str | None] = mapped_column(String(200))
    followup_due: Mapped[date | None] = mapped_column(Date)
    followup_closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(300))
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    flagged_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship()
    team: Mapped[Team] = relationship()
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    flagged_by: Mapped[User | None] = relationship(foreign_keys=[flagged_by_id])
    helpers: Mapped[list[User]] = relationship(secondary=visit_helpers)

    @property
    def service_codes(self) -> list[str]:
        return [s for s in self.services.split(",") if s]

    @property
    def service_labels(self) -> list[str]:
        return [str(ONLINE_SERVICES[s]) for s in self.service_codes if s in ONLINE_SERVICES]

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label
