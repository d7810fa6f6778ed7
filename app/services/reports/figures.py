"""The figures a team sees: its members' visits by local day and week, its areas' coverage, its follow-ups.

Visits are stored with naive UTC times; the team's day and week are those of Vietnam. Every query goes
through the scope helper and aggregates in the database, so the number of queries does not grow with
the number of areas or members.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, and_, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import joinedload

from app.clock import local_day_bounds, local_today, local_week_bounds
from app.collation import by_name
from app.extensions import db
from app.models import Area, Household, HouseholdStatus, Outcome, Role, User, Visit, member_areas
from app.services.scope import scoped

# The home page and the team board show the first few of a list; "see all" pages through the rest.
VISITS_SHOWN = 10
FOLLOWUPS_SHOWN = 10


def local_day_sql(column):
    """The Vietnamese day of a stored naive-UTC time, computed by the database (set-based rebuilds)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(column + literal_column("interval '7 hours'"), Date)
    return type_coerce(func.date(column, "+7 hours"), Date)


def _counted_visits(actor: User):
    # Visits a coordinator flagged as implausible do not count towards any figure.
    return scoped(actor, Visit).where(Visit.flagged.is_(False))


def _between(column, bounds: tuple[datetime, datetime]):
    return and_(column >= bounds[0], column < bounds[1])


@dataclass
class MyVisits:
    today: int
    week: int


def my_visits(actor: User) -> MyVisits:
    """Visits the actor logged today and this week (local dates)."""
    day = local_today()
    today, week = local_day_bounds(day), local_week_bounds(day)
    stmt = _counted_visits(actor).where(Visit.volunteer_id == actor.id, _between(Visit.visited_at, week))
    row = db.session.execute(stmt.with_only_columns(
        func.count(Visit.id),
        func.coalesce(func.sum(case((_between(Visit.visited_at, today), 1), else_=0)), 0),
    )).one()
    return MyVisits(today=row[1], week=row[0])


def my_visits_today(actor: User, limit: int = VISITS_SHOWN) -> list[Visit]:
    """The visits the actor logged today that count (the list under the day's count), newest first."""
    stmt = _counted_visits(actor).where(Visit.volunteer_id == actor.id,
                                      _between(Visit.visited_at, local_day_bounds(local_today())))
    return list(db.session.scalars(stmt.order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(limit)))


@dataclass
class TeamWeek:
    visits: int
    households_met: int
    level2_activated: int


def team_week(actor: User) -> TeamWeek:
    """The actor's team this week: visits, distinct households met, level-2 activations."""
    week = local_week_bounds(local_today())
    stmt = _counted_visits(actor).where(_between(Visit.visited_at, week))
    met_household = case((Visit.outcome == Outcome.MET, Visit.household_id))
    row = db.session.execute(stmt.with_only_columns(
        func.count(Visit.id),
        func.count(func.distinct(met_household)),
        func.coalesce(func.sum(Visit.level2_activated), 0),
    )).one()
    return TeamWeek(visits=row[0], households_met=row[1], level2_activated=row[2])


@dataclass
class FollowUp:
    visit_id: int
    household_id: int
    household: str
    reason: str | None
    due: date | None
    overdue: bool
    volunteer: str


def _open_followups(actor: User):
    return _counted_visits(actor).where(Visit.followup_needed.is_(True), Visit.followup_closed_at.is_(None))


@dataclass
class FollowUpPage:
    """A page of the team's open follow-ups, and how many there are in all (the count that heads the list)."""
    items: list[FollowUp]
    total: int
    page: int
    pages: int


def open_followups(actor: User, page: int = 1, per_page: int = FOLLOWUPS_SHOWN) -> FollowUpPage:
    """The team's open follow-ups, the most urgent first; undated ones last, since a date says how urgent it is."""
    today = local_today()
    stmt = (
        _open_followups(actor)
        .options(joinedload(Visit.household), joinedload(Visit.volunteer))
        .order_by(Visit.followup_due.is_(None), Visit.followup_due, Visit.visited_at, Visit.id)
    )
    pages = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = [
        FollowUp(visit_id=v.id, household_id=v.household_id, household=v.household.label, reason=v.followup_reason,
                 due=v.followup_due, overdue=v.followup_due is not None and v.followup_due < today,
                 volunteer=v.volunteer.display_name)
        for v in pages.items
    ]
    return FollowUpPage(items=items, total=pages.total or 0, page=pages.page, pages=pages.pages)


@dataclass
class FollowUpBacklog:
    open: int
    overdue: int


def followup_backlog(actor: User) -> FollowUpBacklog:
    today = local_today()
    row = db.session.execute(_open_followups(actor).with_only_columns(
        func.count(Visit.id),
        func.coalesce(func.sum(case((Visit.followup_due < today, 1), else_=0)), 0),
    )).one()
    return FollowUpBacklog(open=row[0], overdue=row[1])


@dataclass(slots=True)  # a board makes hundreds, a province's thousands
class Ratio:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return 100 * self.part / self.whole if self.whole else None


@dataclass
class AreaCoverage:
    area_id: int
    name: str
    reach: Ratio
    level2: Ratio


def area_coverage(actor: User) -> list[AreaCoverage]:
    """Reach and level-2 coverage of each area the actor sees, counted over active households."""
    active = Household.status == HouseholdStatus.ACTIVE
    stmt = (
        scoped(actor, Area, Area.id, Area.name, Area.official_households,
               func.count(Household.id),
               func.count(Household.reached_at),
               func.coalesce(func.sum(Household.people_level2), 0),
               func.coalesce(func.sum(Household.eligible_people), 0))
        .where(Area.retired.is_(False))
        .outerjoin(Household, and_(Household.area_id == Area.id, active))
        .group_by(Area.id, Area.name, Area.official_households)
        .order_by(by_name(Area.name))
    )
    return [
        AreaCoverage(
            area_id=area_id, name=name,
            # The ward's official count is the denominator when the household list is still incomplete.
            reach=Ratio(reached, max(households, official or 0)),
            level2=Ratio(level2, eligible),
        )
        for area_id, name, official, households, reached, level2, eligible in db.session.execute(stmt)
    ]


@dataclass
class MemberWeek:
    user_id: int
    name: str
    role_label: str
    visits: int


def members_week(actor: User) -> list[MemberWeek]:
    """Each active member the actor sees, with the visits they logged this week."""
    week = local_week_bounds(local_today())
    stmt = (
        scoped(actor, User, User.id, User.display_name, User.role, func.count(Visit.id))
        .where(User.active.is_(True))
        .outerjoin(Visit, and_(Visit.volunteer_id == User.id, Visit.team_id == User.team_id,
                               Visit.flagged.is_(False), _between(Visit.visited_at, week)))
        .group_by(User.id, User.display_name, User.role)
        .order_by(by_name(User.display_name), User.id)
    )
    return [MemberWeek(user_id=uid, name=name, role_label=Role(role).label, visits=visits)
            for uid, name, role, visits in db.session.execute(stmt)]


def area_assignments(actor: User) -> set[tuple[int, int]]:
    """(member id, area id) pairs of the members the actor sees."""
    stmt = select(member_areas.c.user_id, member_areas.c.area_id).where(
        member_areas.c.user_id.in_(scoped(actor, User, User.id)))
    return {(user_id, area_id) for user_id, area_id in db.session.execute(stmt)}
