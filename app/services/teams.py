"""What a team leader changes in its own team."""

from sqlalchemy import delete, insert, select

from app.extensions import db
from app.models import Area, Role, Team, User, member_areas
from app.services import audit
from app.services.scope import OutOfScope, require_role, scoped


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
