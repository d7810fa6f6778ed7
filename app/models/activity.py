"""Activities (hoạt động): the teams' work beyond one household's doorstep, recorded by a team for the unit."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model, db
from app.extensions import lazy_gettext as _l
from app.models.org import Area, Team, User


class ActivityKind(enum.StrEnum):
    HELP_DESK = "help_desk"
    AREA_SWEEP = "area_sweep"
    CLASS = "class"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(ACTIVITY_KIND_LABELS[self])


ACTIVITY_KIND_LABELS = {
    ActivityKind.HELP_DESK: _l("Help desk at the one-stop shop"),
    ActivityKind.AREA_SWEEP: _l("Area sweep (ra quân)"),
    ActivityKind.CLASS: _l("“Bình dân học vụ số” class"),
    ActivityKind.OTHER: _l("Other activity"),
}

# The teams that took part besides the one that recorded it, and the members present.
activity_teams = Table(
    "activity_team",
    db.metadata,
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
)
activity_members = Table(
    "activity_member",
    db.metadata,
    Column("activity_id", Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class ActivityService(Model):
    """People helped with one online public service (models.visit.ONLINE_SERVICES) at an activity."""

    __tablename__ = "activity_service"
    __table_args__ = (CheckConstraint("people > 0", name="people"),)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(String(20), primary_key=True)
    people: Mapped[int] = mapped_column()


class ActivityPhoto(Model):
    """A photo of an activity (at most four), kept in the database so that backups and every app host have it.
    Shrunk on the phone to at most 300 KB; stored with its metadata segments (EXIF, GPS) removed."""

    __tablename__ = "activity_photo"
    __table_args__ = (CheckConstraint("position BETWEEN 1 AND 4", name="position"),)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(30))
    # Read only when the photo itself is served or put in a document, never with the activity's page.
    content: Mapped[bytes] = mapped_column("bytes", LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Activity(Model):
    """One activity of a team: its figures count once, for the team that recorded it and its unit, and never
    in a household's state (they are people, not households: services/activities.py says how they add up)."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("people_online >= 0 AND level2_activated >= 0 AND people_trained >= 0", name="counts"),
        # Made by the phone when the form opens: an activity sent twice is stored once (as visits).
        UniqueConstraint("client_id", "recorded_by_id"),
        Index("ix_activity_ward_day", "ward_code", "held_on"),
        Index("ix_activity_team_day", "team_id", "held_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    content_hash: Mapped[str] = mapped_column(String(64))
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(String(12))
    held_on: Mapped[date] = mapped_column(Date)  # the Vietnamese day it took place
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    place: Mapped[str | None] = mapped_column(String(200))  # where, when not one of the unit's areas
    people_online: Mapped[int] = mapped_column(default=0)  # people helped with at least one online service
    level2_activated: Mapped[int] = mapped_column(default=0)
    people_trained: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    area: Mapped[Area | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=activity_teams)
    members: Mapped[list[User]] = relationship(secondary=activity_members)
    services: Mapped[list[ActivityService]] = relationship(cascade="all, delete-orphan",
                                                           order_by=ActivityService.service)
    photos: Mapped[list[ActivityPhoto]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                       order_by=ActivityPhoto.position)

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label

    @property
    def place_label(self) -> str:
        return self.area.name if self.area is not None else (self.place or "")
