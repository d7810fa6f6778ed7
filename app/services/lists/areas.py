"""A unit's residential areas (ấp, thôn, khu vực, khu phố, tổ dân phố: the unit's `area_word`), kept by its
coordinator."""

from app.collation import by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Area, Role, User
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import require_role, scoped
from app.services.text import clean, fold
from app.units import area_word, unit_name

MAX_OFFICIAL_HOUSEHOLDS = 100_000


class AreaError(FieldError):
    """An area change was refused."""


def _checked_name(actor: User, name: str | None, area: Area | None = None) -> str:
    name = clean(name)
    if not name:
        raise AreaError("name", _l("Enter the name of the %(area)s.", area=area_word(actor.ward).one))
    if len(name) > 120:
        raise AreaError("name", _l("The name is too long (at most %(n)s characters).", n=120))
    # Names are compared folded: imported files name areas with or without diacritics.
    others = scoped(actor, Area, Area.name)
    if area is not None:
        others = others.where(Area.id != area.id)
    if fold(name) in {fold(other) for other in db.session.scalars(others)}:
        raise AreaError("name", _l("%(unit)s already has a %(area)s with this name.", unit=unit_name(actor.ward),
                                      area=area_word(actor.ward).one))
    return name


def _checked_count(count: int | None) -> int | None:
    if count is not None and not 0 <= count <= MAX_OFFICIAL_HOUSEHOLDS:
        raise AreaError("official_households", _l(
            "The official household count must be from 0 to %(n)s.", n=MAX_OFFICIAL_HOUSEHOLDS))
    return count


def create(actor: User, name: str, official_households: int | None = None) -> Area:
    require_role(actor, Role.COORDINATOR, what="area.create")
    area = Area(ward_code=actor.ward_code, name=_checked_name(actor, name),
                official_households=_checked_count(official_households))
    db.session.add(area)
    db.session.flush()
    audit.record(actor, "area.create", area, official_households=area.official_households)
    return area


def update(actor: User, area: Area, name: str, official_households: int | None) -> None:
    require_role(actor, Role.COORDINATOR, what="area.update")
    name = _checked_name(actor, name, area)
    count = _checked_count(official_households)
    changed = sorted(k for k, v in (("name", name), ("official_households", count)) if getattr(area, k) != v)
    area.name, area.official_households = name, count
    audit.record(actor, "area.update", area, fields=changed, official_households=count)


def set_retired(actor: User, area: Area, retired: bool) -> None:
    """A retired area leaves the pickers; its households and visits stay where they are."""
    require_role(actor, Role.COORDINATOR, what="area.retire")
    area.retired = retired
    audit.record(actor, "area.retire" if retired else "area.restore", area)


def ward_areas(actor: User, *, active_only: bool = False) -> list[Area]:
    stmt = scoped(actor, Area)
    if active_only:
        stmt = stmt.where(Area.retired.is_(False))
    return list(db.session.scalars(stmt.order_by(Area.retired, by_name(Area.name))))


def by_folded_name(actor: User) -> dict[str, Area]:
    """The actor's areas by folded name, for matching names typed in imported files."""
    return {fold(area.name): area for area in db.session.scalars(scoped(actor, Area))}
