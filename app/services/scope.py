"""The one place that decides what an actor may see.

Every list and every lookup by id goes through `scoped()` or `get_in_scope()`, so an object from
another ward or team is simply "not found". Role checks for writes live in `require_role()`.
"""

from collections.abc import Callable
from functools import cache, wraps
from types import SimpleNamespace
from typing import TypeVar, cast

from sqlalchemy import Integer, bindparam, false, select
from sqlalchemy.sql import ColumnElement, Select
from werkzeug.exceptions import Forbidden, NotFound

from app.extensions import db
from app.models import (
    Activity,
    Area,
    AuditLog,
    Campaign,
    Household,
    OfficialFigure,
    PeriodicReport,
    PlanItem,
    Province,
    ProvinceTarget,
    ReportStatus,
    Role,
    Target,
    Team,
    User,
    Visit,
    Ward,
    team_areas,
)


class OutOfScope(NotFound):
    """An id outside the actor's scope: answered as 404 and written to the audit log."""

    def __init__(self, model: str, ident):
        super().__init__()
        self.model, self.ident = model, ident


class RoleDenied(Forbidden):
    """A role that may not do this: answered as 403 and written to the audit log."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what


def _team_area_ids(actor: User) -> Select:
    return select(team_areas.c.area_id).where(team_areas.c.team_id == actor.team_id)


def _province_wards(actor: User) -> Select:
    return select(Ward.code).where(Ward.province_code == actor.province_code)


def _ward_clause(actor: User, column) -> ColumnElement[bool]:
    """Rows of the actor's ward, or of its province when it has no ward."""
    if actor.ward_code is not None:
        return column == actor.ward_code
    return column.in_(_province_wards(actor))


# Roles whose scope is a team, and roles whose scope needs a ward (the others fall back to the province).
TEAM_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)
WARD_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER, Role.COORDINATOR)
# Roles that read every unit of their province (figures, never households): the administrator, and the
# province department (Sở) that collects the units' reports.
PROVINCE_READERS = (Role.ADMIN, Role.PROVINCE)


def _unplaced(actor: User) -> bool:
    """An account missing the team or ward its role is scoped by (removed from its team, or corrupt).

    Comparing with its None would become `IS NULL` and match every team-less or ward-less row, so such
    an actor sees nothing at all."""
    role = Role(actor.role)
    return (role in TEAM_ROLES and actor.team_id is None) or (role in WARD_ROLES and actor.ward_code is None)


def scope_clause(actor: User, model) -> ColumnElement[bool]:
    role = Role(actor.role)
    in_team = role in TEAM_ROLES
    if _unplaced(actor):
        return false()
    if model is Ward:
        return _ward_clause(actor, Ward.code)
    if model is Area:
        return Area.id.in_(_team_area_ids(actor)) if in_team else _ward_clause(actor, Area.ward_code)
    if model is Team:
        return (Team.id == actor.team_id) if in_team else _ward_clause(actor, Team.ward_code)
    if model is User:
        if in_team:
            return User.team_id == actor.team_id
        if role == Role.COORDINATOR:
            return User.ward_code == actor.ward_code
        if role == Role.ADMIN:
            return User.province_code == actor.province_code
        return User.id == actor.id
    if model is Household:
        # Household details stay with the teams and the ward; leaders and admins see figures only.
        if in_team:
            return Household.area_id.in_(_team_area_ids(actor))
        return (Household.ward_code == actor.ward_code) if role == Role.COORDINATOR else false()
    if model is Visit:
        if in_team:
            return Visit.team_id == actor.team_id
        return (Visit.ward_code == actor.ward_code) if role == Role.COORDINATOR else false()
    if model is Activity:
        # A team's own record, like its visits; the coordinator reads the unit's. Names of members: no figures-only roles.
        if in_team:
            return Activity.team_id == actor.team_id
        return (Activity.ward_code == actor.ward_code) if role == Role.COORDINATOR else false()
    if model is PlanItem:
        # A team's plan: its members read it (its leader writes it, services/plans.py); the coordinator reads the unit's.
        if in_team:
            return PlanItem.team_id == actor.team_id
        return (PlanItem.ward_code == actor.ward_code) if role == Role.COORDINATOR else false()
    if model is Target:
        return _ward_clause(actor, Target.ward_code)
    if model is OfficialFigure:  # a unit's official figures: no personal data, seen by everyone of the unit
        return _ward_clause(actor, OfficialFigure.ward_code)
    if model is ProvinceTarget:
        return ProvinceTarget.province_code == actor.province_code
    if model is Province:  # its name and settings: everyone of the province reads them
        return Province.code == actor.province_code
    if model is Campaign:
        clause = Campaign.province_code == actor.province_code
        if actor.ward_code is not None:
            clause &= Campaign.ward_code.is_(None) | (Campaign.ward_code == actor.ward_code)
        return clause
    if model is PeriodicReport:
        # A unit's draft is its own; the province reads what was sent.
        if role == Role.COORDINATOR:
            return PeriodicReport.ward_code == actor.ward_code
        if role in PROVINCE_READERS:
            return _ward_clause(actor, PeriodicReport.ward_code) & (PeriodicReport.status == ReportStatus.SENT)
        return false()
    if model is AuditLog:
        if role in (Role.COORDINATOR, Role.ADMIN):
            return _ward_clause(actor, AuditLog.ward_code)
        return false()
    raise TypeError(f"no scope rule for {model!r}")


def scoped(actor: User, model, *columns) -> Select:
    """`select(model)` (or of the given columns) limited to the actor's scope."""
    stmt = select(*columns) if columns else select(model)
    return stmt.where(scope_clause(actor, model))


WARD_CODES = "ward_codes"


def in_given_wards(column) -> ColumnElement[bool]:
    """`column` among the ward codes given at execution as `ward_codes=` (already in the actor's scope), for a
    statement built once and kept. They are written into the SQL as literals: the same text for the same
    wards, so PostgreSQL's driver keeps its parsing and prepares it, which it never does for a statement of more
    than 50 parameters (a province's 103 units)."""
    return column.in_(bindparam(WARD_CODES, expanding=True, literal_execute=True))


def as_id(ident) -> int | None:
    """`ident` as a row id, or None when no row can have it: not a whole number, or beyond any id an INTEGER
    column holds (PostgreSQL's is 32-bit; SQLite cannot even take a number past 2**63 as a parameter)."""
    try:
        key = int(ident)
    except (TypeError, ValueError):
        return None
    return key if 0 < key < 2**31 else None


def known_to(actor: User, model, made_by) -> Select:
    """`select(model)` of the rows the actor may see or made itself (`made_by` names the maker): all a client
    id from the actor's phone may name. Another ward's or team's row is not in it, so its client id answers
    exactly as one never used: no oracle, and client ids are unique per maker only."""
    return select(model).where(scope_clause(actor, model) | (made_by == actor.id))


# A statement prepared once for many actors: the same rules, with the actor's ids as bound parameters.

ActorShape = tuple[Role, bool, bool]


def actor_shape(actor: User) -> ActorShape:
    """What the SQL of an actor's scope depends on besides its ids: the role, and whether it has a team and a ward."""
    return Role(actor.role), actor.team_id is not None, actor.ward_code is not None


@cache
def stand_in(shape: ActorShape) -> User:
    """An actor of this shape whose ids are bound parameters: `scope_clause(stand_in(actor_shape(actor)), …)`
    is the actor's scope as SQL that can be built once and run for every actor of its shape, with
    `actor_parameters(actor)`."""
    role, has_team, has_ward = shape
    # Not a User: it has only what the rules read (its role and ids), so it passes for one in them.
    return cast(User, SimpleNamespace(
        role=role, id=bindparam("actor_id", type_=Integer),
        team_id=bindparam("actor_team_id", type_=Integer) if has_team else None,
        ward_code=bindparam("actor_ward_code", type_=Integer) if has_ward else None,
        province_code=bindparam("actor_province_code", type_=Integer)))


T = TypeVar("T")


def per_actor_shape(build: Callable[..., T]) -> Callable[..., T]:
    """A statement builder `build(actor, *keys)` run once per shape of actor (and keys) on a stand-in, and its
    statement kept: called with a real actor, it gives that statement, to run with `actor_parameters(actor)`. For
    the reads a page makes on every request, where building the statement costs more than running it."""
    kept = cache(lambda shape, *keys: build(stand_in(shape), *keys))

    @wraps(build)
    def for_actor(actor: User, *keys) -> T:
        return kept(actor_shape(actor), *keys)
    return for_actor


def actor_parameters(actor: User) -> dict[str, int | None]:
    """The values of a stand-in's parameters for this actor."""
    return {"actor_id": actor.id, "actor_team_id": actor.team_id, "actor_ward_code": actor.ward_code,
            "actor_province_code": actor.province_code}


@per_actor_shape
def _by_id_query(actor: User, model) -> Select:
    """A row by its primary key within the actor's scope (nearly every page looks one up)."""
    pk = model.__mapper__.primary_key[0]
    return scoped(actor, model).where(pk == bindparam("ident", type_=pk.type))


def get_in_scope(actor: User, model, ident):
    """The object with this primary key if the actor may see it, else OutOfScope (404)."""
    key = as_id(ident)
    if key is None:
        raise OutOfScope(model.__tablename__, ident)
    obj = db.session.scalar(_by_id_query(actor, model), {**actor_parameters(actor), "ident": key})
    if obj is None:
        raise OutOfScope(model.__tablename__, ident)
    return obj


def may(actor: User, *roles: Role) -> bool:
    """The actor has one of these roles and the team or ward the role works in (see `_unplaced`)."""
    return Role(actor.role) in roles and not _unplaced(actor)


def require_role(actor: User, *roles: Role, what: str = "") -> None:
    if not may(actor, *roles):
        raise RoleDenied(what)

