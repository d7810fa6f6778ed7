"""Teams: what a coordinator sets up for its ward, and what a team leader changes in its own team."""

from sqlalchemy import delete, insert, select

from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Area, Role, Team, User, member_areas
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import OutOfScope, get_in_scope, require_role, scoped
from app.services.text import clean, fold
from app.units import area_word, unit_name


def assign_areas(actor: User, team: Team, member_ids: list[int], pairs: list[tuple[int, int]]) -> None:
    """Replace the areas each of `member_ids` works with the ticked (member id, area id) pairs.

    Only the members named are touched, so one added while the form was open keeps its areas.
    Every id must belong to the team, else nothing changes and the answer is 404.
    """
    require_role(actor, Role.TEAM_LEADER, what="team.assign_areas")
    if team.id != actor.team_id:
        raise OutOfScope("team", team.id)
    members = set(db.session.scalars(scoped(actor, User, User.id).where(User.active.is_(True))))
    areas = set(db.session.scalars(scoped(actor, Area, Area.id).where(Area.retired.is_(False))))
    chosen = set(member_ids)
    strangers = (chosen - members) | {user_id for user_id, _area_id in pairs if user_id not in chosen}
    if strangers:
        raise OutOfScope("user", min(strangers))
    foreign_areas = {area_id for _user_id, area_id in pairs if area_id not in areas}
    if foreign_areas:
        raise OutOfScope("area", min(foreign_areas))

    before = {(user_id, area_id) for user_id, area_id in db.session.execute(
        select(member_areas.c.user_id, member_areas.c.area_id).where(member_areas.c.user_id.in_(chosen)))}
    after = set(pairs)
    db.session.execute(delete(member_areas).where(member_areas.c.user_id.in_(chosen)))
    if after:
        db.session.execute(insert(member_areas), [{"user_id": u, "area_id": a} for u, a in sorted(after)])
    audit.record(actor, "team.assign_areas", team,
                 added=[list(pair) for pair in sorted(after - before)],
                 removed=[list(pair) for pair in sorted(before - after)])


class TeamError(FieldError):
    """A team change was refused."""


MEMBER_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)


def _checked_name(actor: User, name: str | None, team: Team | None = None) -> str:
    name = clean(name)
    if not name:
        raise TeamError("name", _l("Enter the team's name."))
    if len(name) > 120:
        raise TeamError("name", _l("The name is too long (at most %(n)s characters).", n=120))
    others = scoped(actor, Team, Team.name)
    if team is not None:
        others = others.where(Team.id != team.id)
    if fold(name) in {fold(other) for other in db.session.scalars(others)}:
        raise TeamError("name", _l("%(unit)s already has a team with this name.", unit=unit_name(actor.ward)))
    return name


def create_team(actor: User, name: str) -> Team:
    require_role(actor, Role.COORDINATOR, what="team.create")
    team = Team(ward_code=actor.ward_code, name=_checked_name(actor, name))
    db.session.add(team)
    db.session.flush()
    audit.record(actor, "team.create", team)
    return team


def set_team_active(actor: User, team: Team, active: bool) -> None:
    require_role(actor, Role.COORDINATOR, what="team.active")
    team.active = active
    audit.record(actor, "team.enable" if active else "team.disable", team)


def _forget_member_areas(user_ids: set[int], area_ids: set[int] | None = None) -> None:
    """Member-area assignments that no longer make sense once a member or an area leaves a team."""
    if not user_ids:
        return
    stmt = delete(member_areas).where(member_areas.c.user_id.in_(user_ids))
    if area_ids is not None:
        stmt = stmt.where(member_areas.c.area_id.in_(area_ids))
    db.session.execute(stmt)


def update_team(actor: User, team: Team, name: str, area_ids: list[int], member_ids: list[int]) -> None:
    """Rename the team and set its areas (active areas of the ward) and members (the ward's volunteers
    and team leaders; one from another team moves here). An id outside the ward is "not found"."""
    require_role(actor, Role.COORDINATOR, what="team.update")
    name = _checked_name(actor, name, team)
    areas = [get_in_scope(actor, Area, area_id) for area_id in sorted(set(area_ids))]
    if any(area.retired for area in areas if area not in team.areas):
        raise TeamError("area_ids", _l("A retired %(area)s cannot be given to a team.", area=area_word(actor.ward).one))
    members = [get_in_scope(actor, User, user_id) for user_id in sorted(set(member_ids))]
    if any(Role(user.role) not in MEMBER_ROLES for user in members):
        raise TeamError("member_ids", _l("Only volunteers and team leaders can be team members."))

    old_areas, new_areas = {a.id for a in team.areas}, {a.id for a in areas}
    old_members, new_members = {u.id for u in team.members}, {u.id for u in members}
    renamed = team.name != name
    team.name = name
    team.areas = areas
    joined = [user for user in members if user.id not in old_members]
    left = db.session.scalars(select(User).where(User.id.in_(old_members - new_members)))
    for user in left:
        user.team_id = None
    for user in joined:
        user.team_id = team.id
    _forget_member_areas(old_members - new_members)
    _forget_member_areas({u.id for u in joined})
    _forget_member_areas(new_members, old_areas - new_areas)
    db.session.flush()
    audit.record(actor, "team.update", team, renamed=renamed,
                 areas_added=sorted(new_areas - old_areas), areas_removed=sorted(old_areas - new_areas),
                 members_added=sorted(new_members - old_members), members_removed=sorted(old_members - new_members))
