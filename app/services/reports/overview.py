"""What an actor's home page shows about its own scope."""

from dataclasses import dataclass

from sqlalchemy import func

from app.collation import by_name
from app.extensions import db
from app.models import Area, Household, HouseholdStatus, Province, Team, User, Ward
from app.services.scope import scoped
from app.units import unit_name


@dataclass
class ScopeSummary:
    place: str
    wards: int
    areas: int
    teams: int
    members: int
    households: int | None


def _count(stmt) -> int:
    return db.session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0


def scope_summary(actor: User) -> ScopeSummary:
    if actor.team is not None:
        place = f"{actor.team.name} · {unit_name(actor.team.ward)}"
    elif actor.ward is not None:
        place = unit_name(actor.ward)
    else:
        place = actor_province_name(actor)
    households = _count(scoped(actor, Household).where(Household.status == HouseholdStatus.ACTIVE))
    return ScopeSummary(
        place=place,
        wards=_count(scoped(actor, Ward)),
        areas=_count(scoped(actor, Area).where(Area.retired.is_(False))),
        teams=_count(scoped(actor, Team).where(Team.active.is_(True))),
        members=_count(scoped(actor, User).where(User.active.is_(True))),
        households=households if actor.in_team or actor.role == "coordinator" else None,
    )


def actor_province_name(actor: User) -> str:
    province = db.session.get(Province, actor.province_code)
    return province.name if province else ""


def scope_areas(actor: User) -> list[Area]:
    return list(db.session.scalars(scoped(actor, Area).where(Area.retired.is_(False)).order_by(by_name(Area.name))))
