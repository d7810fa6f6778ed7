"""Activities beyond household visits (help desk, area sweep, class, other): recorded exactly once, like visits.

How they count, never twice with visits: an activity's people are recorded on the activity alone. They never go
into a household's state, so the household indicators (reach, level-2 coverage, online-service coverage: ratios
of households) leave them out; they are shown as their own figures, and where a total of people helped or of
level-2 activations is shown it is the visits' figure plus the activities' (each help is recorded once, on the
visit or on the activity). An activity counts for the team that recorded it (its figures, its campaign points),
once, however many teams took part; the other teams and the members present are listed, not counted again.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.orm import selectinload

from app.clock import local_today, utcnow
from app.collation import by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import (
    ONLINE_SERVICES,
    Activity,
    ActivityKind,
    ActivityService,
    Area,
    Role,
    Team,
    User,
    activity_members,
    activity_teams,
)
from app.services import activity_photos, audit, exactly_once
from app.services.errors import FieldError
from app.services.prepared import read
from app.services.scope import WARD_CODES, RoleDenied, get_in_scope, in_given_wards, may, require_role, scoped
from app.services.text import clean, looks_like_citizen_id
from app.services.upsert import insert_row_ignoring

# A help desk or a class may help many people in one day; more than this is a slip of the thumb.
MOST_PER_ACTIVITY = 500
OLDEST_ACTIVITY = timedelta(days=31)
EDIT_WINDOW = timedelta(hours=24)
COUNT_FIELDS = ("people_online", "level2_activated", "people_trained")


class ActivityError(FieldError):
    """An activity was refused."""


@dataclass
class ActivityInput:
    client_id: str
    kind: str
    held_on: date
    area_id: int | None = None
    place: str | None = None
    people_online: int = 0  # people helped with at least one online service
    level2_activated: int = 0
    people_trained: int = 0
    services: dict[str, int] = field(default_factory=dict)  # people helped per online service
    team_ids: tuple[int, ...] = ()  # other teams of the unit that took part
    member_ids: tuple[int, ...] = ()  # team-mates present besides the one recording
    note: str | None = None
    photos: tuple[bytes, ...] = ()  # JPEGs as the phone sent them (services/activity_photos.py checks them)

    def normalised(self) -> "ActivityInput":
        services = {key: int(people) for key, people in sorted(self.services.items()) if people}
        return ActivityInput(
            client_id=self.client_id.strip().lower(), kind=self.kind, held_on=self.held_on, area_id=self.area_id,
            place=None if self.area_id else clean(self.place),
            # Someone helped with a service was helped online: the total is at least each service's people.
            people_online=max(self.people_online, *services.values(), 0),
            level2_activated=self.level2_activated, people_trained=self.people_trained, services=services,
            team_ids=tuple(sorted(set(self.team_ids))), member_ids=tuple(sorted(set(self.member_ids))),
            note=clean(self.note), photos=self.photos,
        )

    def content_hash(self) -> str:
        content = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("client_id", "photos")}
        if self.photos:  # named by their digests; an activity without photos keeps the hash it had before them
            content["photos"] = [hashlib.sha256(photo).hexdigest() for photo in self.photos]
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def unit_areas(actor: User) -> list[Area]:
    """The areas of the actor's unit in use: a sweep or a class may be held in any of them, not only the team's.
    Names only, of the actor's own unit."""
    if actor.ward_code is None:
        return []
    return list(db.session.scalars(select(Area).where(Area.ward_code == actor.ward_code, Area.retired.is_(False))
                                   .order_by(by_name(Area.name))))


def other_teams(actor: User) -> list[Team]:
    """The unit's other active teams, which may take part in an activity (names only, of the actor's unit)."""
    if actor.ward_code is None:
        return []
    return list(db.session.scalars(select(Team).where(Team.ward_code == actor.ward_code, Team.active.is_(True),
                                                      Team.id != actor.team_id).order_by(by_name(Team.name))))


def _validate(actor: User, data: ActivityInput) -> None:
    if data.kind not in set(ActivityKind):
        raise ActivityError("kind", _l("Choose the kind of activity."))
    today = local_today()
    if data.held_on > today:
        raise ActivityError("held_on", _l("The activity's date is in the future."))
    if data.held_on < today - OLDEST_ACTIVITY:
        raise ActivityError("held_on", _l("Activities older than 31 days cannot be recorded."))
    for name in COUNT_FIELDS:
        if not 0 <= getattr(data, name) <= MOST_PER_ACTIVITY:
            raise ActivityError(name, _l("Enter a number of people from 0 to %(n)s.", n=MOST_PER_ACTIVITY))
    for key, people in data.services.items():
        if key not in ONLINE_SERVICES:
            raise ActivityError("people_online", _l("Unknown online service."))
        if not 0 <= people <= MOST_PER_ACTIVITY:
            raise ActivityError(f"service_{key}", _l("Enter a number of people from 0 to %(n)s.", n=MOST_PER_ACTIVITY))
    if data.area_id is None and not data.place:
        raise ActivityError("place", _l("Choose the area, or say where the activity took place."))
    if data.area_id is not None and data.area_id not in {a.id for a in unit_areas(actor)}:
        raise ActivityError("area_id", _l("Not a valid choice."))
    if set(data.team_ids) - {t.id for t in other_teams(actor)}:
        raise ActivityError("team_ids", _l("Not a valid choice."))
    for name in ("note", "place"):
        if looks_like_citizen_id(getattr(data, name)):
            raise ActivityError(name, _l(
                "This looks like a citizen-ID (CCCD) number. Phủ Số never stores one: please remove it."))


def _team_of(actor: User) -> int:
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, what="activity.record")
    if actor.team_id is None:  # require_role refuses an account without its team; said again for the types
        raise RoleDenied("activity.record")
    return actor.team_id


def _by_client_id(actor: User, client_id: str) -> Activity | None:
    return exactly_once.stored_under(actor, Activity, Activity.recorded_by_id, client_id)


def _replay(existing: Activity | None, data: ActivityInput) -> tuple[Activity, bool]:
    return exactly_once.replayed(existing, data.content_hash(), ActivityError(
        "client_id", _l("This activity was already saved with different content."))), False


def record(actor: User, raw: ActivityInput) -> tuple[Activity, bool]:
    """Store an activity once per client id: (activity, created). The same client id and content again answers
    the stored activity; other content is refused. Nothing is stored unless all of it is."""
    team_id = _team_of(actor)
    data = raw.normalised()
    existing = _by_client_id(actor, data.client_id)
    if existing is not None:
        return _replay(existing, data)
    _validate(actor, data)
    try:
        photos = activity_photos.checked(list(data.photos))
    except activity_photos.PhotoError as error:
        raise ActivityError(error.field, error.message) from error
    members = [get_in_scope(actor, User, i) for i in data.member_ids if i != actor.id]
    now = utcnow()
    row = {"client_id": data.client_id, "content_hash": data.content_hash(), "ward_code": actor.ward_code,
           "team_id": team_id, "recorded_by_id": actor.id, "kind": data.kind, "held_on": data.held_on,
           "area_id": data.area_id, "place": data.place, "people_online": data.people_online,
           "level2_activated": data.level2_activated, "people_trained": data.people_trained, "note": data.note,
           "created_at": now}
    activity_id = insert_row_ignoring(Activity, row, ("client_id", "recorded_by_id"))
    if activity_id is None:  # another request stored this client id meanwhile: answer as a replay
        return _replay(_by_client_id(actor, data.client_id), data)
    connection = db.session.connection()
    if data.services:
        connection.execute(insert(ActivityService), [{"activity_id": activity_id, "service": key, "people": people}
                                                     for key, people in data.services.items()])
    if data.team_ids:
        connection.execute(insert(activity_teams), [{"activity_id": activity_id, "team_id": t} for t in data.team_ids])
    if members:
        connection.execute(insert(activity_members), [{"activity_id": activity_id, "user_id": u.id} for u in members])
    activity = db.session.get_one(Activity, activity_id)
    audit.record(actor, "activity.create", activity, kind=data.kind, people_online=data.people_online,
                 level2_activated=data.level2_activated, people_trained=data.people_trained, photos=len(photos))
    activity_photos.store(actor, activity_id, photos)
    return activity, True


def can_change(actor: User, activity: Activity) -> bool:
    """The member who recorded it, or the team's leader, within 24 hours of recording it."""
    if utcnow() - activity.created_at > EDIT_WINDOW:
        return False
    return activity.recorded_by_id == actor.id or (may(actor, Role.TEAM_LEADER) and activity.team_id == actor.team_id)


def delete(actor: User, activity: Activity) -> None:
    if not can_change(actor, activity):
        raise RoleDenied("activity.delete")
    audit.record(actor, "activity.delete", activity, kind=str(activity.kind), held_on=activity.held_on.isoformat())
    db.session.delete(activity)


def listed(actor: User, page: int, page_size: int) -> tuple[list[Activity], int]:
    """The activities the actor sees (its team's, or the coordinator's unit's), newest first; and the pages."""
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, Role.COORDINATOR, what="activity.list")
    stmt = scoped(actor, Activity).options(selectinload(Activity.team), selectinload(Activity.area),
                                           selectinload(Activity.recorded_by))
    pages = db.paginate(stmt.order_by(Activity.held_on.desc(), Activity.id.desc()), page=page, per_page=page_size,
                        error_out=False)
    return pages.items, pages.pages


# --- Figures ----------------------------------------------------------------------------------------------

@dataclass
class Totals:
    """What a group's activities add up to over some days: how many of each kind, and their people."""

    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ActivityKind, 0))
    people_online: int = 0
    level2_activated: int = 0
    people_trained: int = 0

    @property
    def activities(self) -> int:
        return sum(self.by_kind.values())


@cache
def _team_sums_query() -> Select:
    return (
        select(Activity.ward_code, Activity.team_id, Activity.kind, func.count(), func.sum(Activity.people_online),
               func.sum(Activity.level2_activated), func.sum(Activity.people_trained))
        .where(in_given_wards(Activity.ward_code), Activity.held_on.between(bindparam("start"), bindparam("end")))
        .group_by(Activity.ward_code, Activity.team_id, Activity.kind)
    )


def team_sums(ward_codes: list[int], start: date, end: date) -> dict[tuple[int, int], Totals]:
    """(ward, recording team) → its activities' figures on these days: one grouped query (built once: the
    boards ask on every request)."""
    rows = read(_team_sums_query(), {WARD_CODES: ward_codes, "start": start, "end": end})
    found: dict[tuple[int, int], Totals] = defaultdict(Totals)
    for ward, team, kind, count, online, level2, trained in rows:
        totals = found[(ward, team)]
        totals.by_kind[ActivityKind(kind)] = count
        totals.people_online += int(online or 0)
        totals.level2_activated += int(level2 or 0)
        totals.people_trained += int(trained or 0)
    return dict(found)


@cache
def _people_per_service_query() -> Select:
    return (
        select(ActivityService.service, func.sum(ActivityService.people))
        .join(Activity, Activity.id == ActivityService.activity_id)
        .where(Activity.ward_code == bindparam("ward_code"), Activity.held_on.between(bindparam("start"), bindparam("end")))
        .group_by(ActivityService.service)
    )


def people_per_service(ward_code: int, start: date, end: date) -> dict[str, int]:
    """The unit's people helped at activities on these days, per online service (every service listed)."""
    stmt = _people_per_service_query()
    given = {"ward_code": ward_code, "start": start, "end": end}
    found = {service: int(people or 0) for service, people in read(stmt, given)}
    return {key: found.get(key, 0) for key in ONLINE_SERVICES}
