"""A team's plan: dated activities and area sweeps set out by its leader, and the week's plan against what was done.

When a planned item counts as done (the rule the coordinator's page and ARCHITECTURE.md state):
- an item of a kind is done when the team recorded an activity of that kind on that day, or took part in one that
  another team of the unit recorded (listed among its teams);
- an area sweep is done, besides, only by an area sweep in its area, or when the team's members logged at least one
  visit in that area that day (unflagged: the day's visits in `daily_count`) — a sweep is door-to-door work;
- one activity answers one planned item: two help desks planned on one day need two recorded.
Items of today and past days are kept as they were planned; only items of days to come may be changed or deleted.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import local_today
from app.collation import by_name, sorted_by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import (
    Activity,
    ActivityKind,
    Area,
    DailyCount,
    PlanItem,
    Role,
    Team,
    User,
    activity_teams,
    team_areas,
)
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import RoleDenied, require_role, scoped
from app.services.text import clean, looks_like_citizen_id
from app.units import area_word

FARTHEST_AHEAD = timedelta(days=366)
# The rule above, as the coordinator's page and the team's week state it.
DONE_RULE = _l("A planned item is done when the team recorded an activity of its kind on its day, or took part in "
               "one another team recorded. An area sweep is done only by a sweep in its area, or when the team "
               "logged visits in that area that day. One activity answers one planned item. Items of today and "
               "past days stay as they were planned.")


class PlanError(FieldError):
    """A planned item was refused."""


@dataclass(frozen=True)
class PlanInput:
    planned_on: date
    kind: str
    area_id: int | None = None
    place: str | None = None
    note: str | None = None
    member_ids: tuple[int, ...] = ()  # members assigned; none: the whole team


def team_areas_of(actor: User) -> list[Area]:
    """The areas of the actor's team in use: an area sweep names one of them."""
    if actor.team_id is None:
        return []
    return list(db.session.scalars(
        select(Area).join(team_areas, team_areas.c.area_id == Area.id)
        .where(team_areas.c.team_id == actor.team_id, Area.retired.is_(False)).order_by(by_name(Area.name))))


def team_members(actor: User) -> list[User]:
    """The active members of the actor's team, who may be assigned to an item."""
    return list(db.session.scalars(scoped(actor, User).where(User.active.is_(True))
                                   .order_by(by_name(User.display_name))))


def _leaders_team(actor: User) -> int:
    require_role(actor, Role.TEAM_LEADER, what="plan.change")
    if actor.team_id is None:  # require_role refuses a leader without its team; said again for the types
        raise RoleDenied("plan.change")
    return actor.team_id


def _checked(actor: User, data: PlanInput) -> tuple[PlanInput, list[User]]:
    """The input cleaned, and the members it assigns; or a PlanError naming the field."""
    if data.kind not in set(ActivityKind):
        raise PlanError("kind", _l("Choose the kind of activity."))
    today = local_today()
    if data.planned_on < today:
        raise PlanError("planned_on", _l("A plan is for today or a day to come."))
    if data.planned_on > today + FARTHEST_AHEAD:
        raise PlanError("planned_on", _l("Plan at most a year ahead."))
    if data.kind == ActivityKind.AREA_SWEEP and data.area_id is None:
        raise PlanError("area_id", _l("An area sweep needs the %(area)s it sweeps.", area=area_word(actor.ward).one))
    if data.area_id is not None and data.area_id not in {a.id for a in team_areas_of(actor)}:
        raise PlanError("area_id", _l("Choose one of your team's %(areas)s.", areas=area_word(actor.ward).many))
    members = {u.id: u for u in team_members(actor)}
    if set(data.member_ids) - set(members):
        raise PlanError("member_ids", _l("Not a valid choice."))
    place, note = clean(data.place), clean(data.note)
    for name, text in (("place", place), ("note", note)):
        if looks_like_citizen_id(text):
            raise PlanError(name, _l(
                "This looks like a citizen-ID (CCCD) number. Phủ Số never stores one: please remove it."))
    cleaned = PlanInput(planned_on=data.planned_on, kind=data.kind, area_id=data.area_id, place=place, note=note,
                        member_ids=tuple(sorted(set(data.member_ids))))
    return cleaned, [members[i] for i in cleaned.member_ids]


def _facts(item: PlanItem) -> dict:
    """What the audit log keeps of an item: no names, no free text."""
    return {"planned_on": item.planned_on.isoformat(), "kind": str(item.kind), "area_id": item.area_id,
            "members": sorted(u.id for u in item.members)}


def add(actor: User, data: PlanInput) -> PlanItem:
    """A new item in the plan of the actor's team (its leader's)."""
    team_id = _leaders_team(actor)
    cleaned, members = _checked(actor, data)
    item = PlanItem(ward_code=actor.ward_code, team_id=team_id, planned_on=cleaned.planned_on,
                    kind=ActivityKind(cleaned.kind),
                    area_id=cleaned.area_id, place=cleaned.place, note=cleaned.note, created_by_id=actor.id,
                    members=members)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "plan.create", item, **_facts(item))
    return item


def can_change(actor: User, item: PlanItem) -> bool:
    """Its team's leader, for an item of a day to come: today's and past items stay as they were planned."""
    return (Role(actor.role) == Role.TEAM_LEADER and item.team_id == actor.team_id
            and item.planned_on > local_today())


def _changeable(actor: User, item: PlanItem) -> None:
    _leaders_team(actor)
    if not can_change(actor, item):
        raise RoleDenied("plan.change")


def update(actor: User, item: PlanItem, data: PlanInput) -> PlanItem:
    _changeable(actor, item)
    cleaned, members = _checked(actor, data)
    before = _facts(item)
    item.planned_on, item.kind, item.area_id = cleaned.planned_on, ActivityKind(cleaned.kind), cleaned.area_id
    item.place, item.note, item.members = cleaned.place, cleaned.note, members
    db.session.flush()
    after = _facts(item)
    changed: dict = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    audit.record(actor, "plan.update", item, **changed)
    return item


def delete(actor: User, item: PlanItem) -> None:
    _changeable(actor, item)
    audit.record(actor, "plan.delete", item, **_facts(item))
    db.session.delete(item)
    db.session.flush()


# --- Reading the plan, and what of it was done ----------------------------------------------------------------

class Status(StrEnum):
    DONE = "done"
    MISSED = "missed"  # its day is over and nothing answered it
    TO_COME = "to_come"  # today or a day to come, not done yet

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {Status.DONE: _l("Done"), Status.MISSED: _l("Not done"), Status.TO_COME: _l("To come")}


@dataclass
class Planned:
    item: PlanItem
    status: Status


@dataclass
class TeamWeek:
    """One team's items of a week, in day order, with its figures."""

    team: Team
    items: list[Planned]

    def _count(self, status: Status) -> int:
        return sum(1 for p in self.items if p.status == status)

    @property
    def planned(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return self._count(Status.DONE)

    @property
    def missed(self) -> int:
        return self._count(Status.MISSED)

    @property
    def to_come(self) -> int:
        return self._count(Status.TO_COME)


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _items(actor: User, start: date, end: date, *, with_team: bool = False) -> list[PlanItem]:
    """The items the actor sees on these days, with their areas and members (and teams): a fixed few queries."""
    loads = [selectinload(PlanItem.area), selectinload(PlanItem.members)]
    if with_team:
        loads.append(selectinload(PlanItem.team))
    return list(db.session.scalars(
        scoped(actor, PlanItem).where(PlanItem.planned_on.between(start, end)).options(*loads)
        .order_by(PlanItem.planned_on, PlanItem.id)))


# What answers a planned item: (team, day, kind, area for a sweep, else None).
Key = tuple[int, date, str, int | None]


def _key(team_id: int, day: date, kind: str, area_id: int | None) -> Key:
    return team_id, day, str(kind), area_id if kind == ActivityKind.AREA_SWEEP else None


def _answers(team_ids: set[int], start: date, end: date) -> dict[Key, int]:
    """How many planned items each (team, day, kind, area) can answer: the teams' activities of those days (recorded
    or taken part in), and for a sweep one more answer when the team logged visits in the area that day."""
    found: dict[Key, int] = defaultdict(int)
    if not team_ids:
        return found
    columns = (Activity.held_on, Activity.kind, Activity.area_id)
    recorded = select(Activity.team_id, *columns).where(Activity.team_id.in_(team_ids))
    joined = (select(activity_teams.c.team_id, *columns).join(Activity, Activity.id == activity_teams.c.activity_id)
              .where(activity_teams.c.team_id.in_(team_ids)))
    for stmt in (recorded, joined):
        for team_id, day, kind, area_id in db.session.execute(stmt.where(Activity.held_on.between(start, end))):
            found[_key(team_id, day, kind, area_id)] += 1
    visited = (select(DailyCount.team_id, DailyCount.day, DailyCount.area_id)
               .where(DailyCount.team_id.in_(team_ids), DailyCount.day.between(start, end), DailyCount.visits > 0)
               .distinct())
    for team_id, day, area_id in db.session.execute(visited):
        key = _key(team_id, day, ActivityKind.AREA_SWEEP, area_id)
        found[key] = max(found[key], 1)
    return found


def _with_status(items: list[PlanItem], answers: dict[Key, int]) -> list[Planned]:
    today = local_today()
    left = dict(answers)
    planned = []
    for item in items:  # in day and id order: the earlier item of a kind takes the first answer
        key = _key(item.team_id, item.planned_on, item.kind, item.area_id)
        if left.get(key, 0) > 0:
            left[key] -= 1
            status = Status.DONE
        else:
            status = Status.MISSED if item.planned_on < today else Status.TO_COME
        planned.append(Planned(item, status))
    return planned


def team_week(actor: User, day: date) -> list[Planned]:
    """The actor's team's items of the week holding `day`, with what was done."""
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, what="plan.read")
    start, end = week_of(day)
    items = _items(actor, start, end)
    return _with_status(items, _answers({actor.team_id} if actor.team_id else set(), start, end))


def unit_week(actor: User, day: date) -> list[TeamWeek]:
    """The coordinator's unit: per active team (and any team with items), the week's plan against done."""
    require_role(actor, Role.COORDINATOR, what="plan.unit")
    start, end = week_of(day)
    items = _items(actor, start, end, with_team=True)
    teams = {t.id: t for t in db.session.scalars(scoped(actor, Team).where(Team.active.is_(True)))}
    teams.update({i.team_id: i.team for i in items})
    planned = _with_status(items, _answers(set(teams), start, end))
    by_team: dict[int, list[Planned]] = defaultdict(list)
    for p in planned:
        by_team[p.item.team_id].append(p)
    return [TeamWeek(team, by_team.get(team.id, [])) for team in sorted_by_name(teams.values(), key=lambda t: t.name)]


def today_for(actor: User) -> list[PlanItem]:
    """Today's items of the actor's team, for its home page (one query and its lists)."""
    today = local_today()
    return _items(actor, today, today)
