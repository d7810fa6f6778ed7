"""A team's plan (kế hoạch): dated activities and area sweeps its leader sets out, checked against what was done."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model, db
from app.models.activity import ActivityKind
from app.models.org import Area, Team, User

# The members a planned item names (optional: none means the whole team).
plan_item_members = Table(
    "plan_item_member",
    db.metadata,
    Column("plan_item_id", Integer, ForeignKey("plan_item.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class PlanItem(Model):
    """One dated item of a team's plan: an activity of a kind (ActivityKind), an area sweep in one of its areas."""

    __tablename__ = "plan_item"
    __table_args__ = (
        CheckConstraint("kind <> 'area_sweep' OR area_id IS NOT NULL", name="sweep_area"),
        Index("ix_plan_item_team_day", "team_id", "planned_on"),
        Index("ix_plan_item_ward_day", "ward_code", "planned_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    planned_on: Mapped[date] = mapped_column(Date)  # a Vietnamese day
    kind: Mapped[ActivityKind] = mapped_column(String(12))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    team: Mapped[Team] = relationship()
    area: Mapped[Area | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=plan_item_members)

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label

    @property
    def place_label(self) -> str:
        return ", ".join(part for part in (self.area.name if self.area else None, self.place) if part)
