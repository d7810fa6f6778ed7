"""How the work is organised: areas of a ward, teams covering them, and the people."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
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
from app.collation import by_name
from app.extensions import Model, db
from app.extensions import lazy_gettext as _l
from app.models.geo import Ward

team_areas = Table(
    "team_area",
    db.metadata,
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)

# Which member of a team works which of the team's areas (set by the team leader).
member_areas = Table(
    "member_area",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
    # A ward board counts the members of each of its areas: found from the areas, not by reading every member.
    Index("ix_member_area_area", "area_id", "user_id"),
)


class Role(enum.StrEnum):
    VOLUNTEER = "volunteer"
    TEAM_LEADER = "team_leader"
    COORDINATOR = "coordinator"
    YOUTH_LEADER = "youth_leader"
    ADMIN = "admin"
    PROVINCE = "province"  # the province department (Sở) that collects the units' reports

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.VOLUNTEER: _l("Volunteer"),
    Role.TEAM_LEADER: _l("Team leader"),
    Role.COORDINATOR: _l("Commune/ward coordinator"),
    Role.YOUTH_LEADER: _l("Youth-union leader"),
    Role.ADMIN: _l("Administrator"),
    Role.PROVINCE: _l("Province department"),
}


class Area(Model):
    """A residential area inside a unit: an ấp, thôn, khu vực, khu phố or tổ dân phố (the unit's `area_word`)."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("ward_code", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    official_households: Mapped[int | None]
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ward: Mapped[Ward] = relationship()
    teams: Mapped[list["Team"]] = relationship(secondary=team_areas, back_populates="areas")


class Team(Model):
    """A community digital-technology team (Tổ công nghệ số cộng đồng)."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("ward_code", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ward: Mapped[Ward] = relationship()
    areas: Mapped[list[Area]] = relationship(
        secondary=team_areas, back_populates="teams", order_by=lambda: by_name(Area.name)
    )
    members: Mapped[list["User"]] = relationship(back_populates="team", order_by=lambda: by_name(User.display_name))


class User(Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20))
    # Scope: volunteers and team leaders have a team (and its ward); coordinators a ward;
    # youth-union leaders a ward or only a province; administrators and the province department a province.
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    ward_code: Mapped[int | None] = mapped_column(ForeignKey("ward.code"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie; replacing it ends every session and "remember me" cookie.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    team: Mapped[Team | None] = relationship(back_populates="members")
    ward: Mapped[Ward | None] = relationship()
    assigned_areas: Mapped[list[Area]] = relationship(secondary=member_areas, order_by=lambda: by_name(Area.name))

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = secrets.token_hex(16)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def in_team(self) -> bool:
        return self.role in (Role.VOLUNTEER, Role.TEAM_LEADER)
