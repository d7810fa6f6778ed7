"""Targets (chỉ tiêu), only where someone set one (DOMAIN.md: none is invented): a unit's own, per indicator
and period, set by its coordinator; and the province's, set by its administrator and in force from a day until
replaced, for the units' official figures and, as a province-wide default, for the household indicators."""

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, bindparam

from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import RATE_INDICATORS, Indicator, ProvinceTarget, Role, Target, User, Ward
from app.services import audit
from app.services.errors import FieldError
from app.services.reports.indicators import BY_KEY
from app.services.scope import WARD_CODES, actor_parameters, in_given_wards, per_actor_shape, require_role, scoped

MAX_PERIOD_DAYS = 366 * 2
HOUSEHOLD_INDICATORS = frozenset(key.value for key in BY_KEY)


class TargetError(FieldError):
    """A target was refused."""


class TargetSource(enum.StrEnum):
    UNIT = "unit"
    PROVINCE = "province"  # the province-wide default its administrator set


@dataclass(frozen=True)
class TargetValue:
    value: float
    source: TargetSource


def province_defaults(actor: User, on: date) -> dict[Indicator, TargetValue]:
    """The province-wide default of each household indicator in force on the day, where the administrator set one."""
    return {Indicator(key): TargetValue(target.value, TargetSource.PROVINCE)
            for key, target in province_targets(actor, on).items() if key in HOUSEHOLD_INDICATORS}


@per_actor_shape
def _unit_targets_query(actor: User) -> Select:
    """The targets in the actor's scope of the wards given whose period overlaps the days given (built once per
    shape of actor: a board reads it on every request)."""
    return (scoped(actor, Target)
            .where(in_given_wards(Target.ward_code), Target.period_start <= bindparam("end"),
                   Target.period_end >= bindparam("start"))
            .order_by(Target.period_start, Target.id))


def targets_for(actor: User, ward_codes: list[int], start: date, end: date) -> dict[int, dict[Indicator, TargetValue]]:
    """For each ward, the target of each indicator for the period: the latest-starting target of the unit whose
    period overlaps it, else the province's default in force at the period's end; an indicator with neither has
    no entry, and no target is shown for it."""
    defaults = province_defaults(actor, end)
    chosen = {code: dict(defaults) for code in ward_codes}
    rows = db.session.scalars(_unit_targets_query(actor),
                              {**actor_parameters(actor), WARD_CODES: ward_codes, "start": start, "end": end})
    for target in rows:  # later-starting targets overwrite earlier ones
        chosen[target.ward_code][Indicator(target.indicator)] = TargetValue(float(target.value), TargetSource.UNIT)
    return chosen


def ward_targets(actor: User, ward: Ward) -> list[Target]:
    return list(db.session.scalars(
        scoped(actor, Target).where(Target.ward_code == ward.code).order_by(Target.period_start.desc(), Target.indicator)
    ))


def set_target(actor: User, ward: Ward, indicator: Indicator, start: date, end: date, value: Decimal) -> Target:
    """Set (or replace) the ward's target for one indicator over one period."""
    require_role(actor, Role.COORDINATOR, what="target.set")
    if indicator not in BY_KEY:
        raise TargetError("indicator", _l("Unknown indicator."))
    if end < start:
        raise TargetError("period_end", _l("The end of the period is before its start."))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise TargetError("period_end", _l("A target period lasts at most two years."))
    if not Decimal(0) <= value <= Decimal(100):
        raise TargetError("value", _l("A target is a percentage from 0 to 100."))
    target = db.session.scalar(scoped(actor, Target).where(
        Target.ward_code == ward.code, Target.indicator == indicator, Target.period_start == start,
        Target.period_end == end))
    previous = None if target is None else float(target.value)
    if target is None:
        target = Target(ward_code=ward.code, indicator=indicator, period_start=start, period_end=end)
        db.session.add(target)
    target.value, target.set_by_id = value, actor.id
    audit.record(actor, "target.set", target, indicator=str(indicator), start=start.isoformat(),
                 end=end.isoformat(), value=float(value), previous=previous)
    return target


def delete_target(actor: User, target: Target) -> None:
    require_role(actor, Role.COORDINATOR, what="target.delete")
    audit.record(actor, "target.delete", target, indicator=str(target.indicator), value=float(target.value))
    db.session.delete(target)


# The province's targets for the official figures ------------------------------------------------------------

@dataclass(frozen=True)
class ProvinceTargetValue:
    value: float
    valid_from: date


@per_actor_shape
def _province_targets_query(actor: User) -> Select:
    return (scoped(actor, ProvinceTarget).where(ProvinceTarget.valid_from <= bindparam("on"))
            .order_by(ProvinceTarget.valid_from, ProvinceTarget.id))


def province_targets(actor: User, on: date) -> dict[str, ProvinceTargetValue]:
    """The province's target of each indicator (official or household) in force on the day: the one set from the
    latest day not after it. An indicator with none has no entry: no target is shown for it."""
    chosen: dict[str, ProvinceTargetValue] = {}
    rows = db.session.scalars(_province_targets_query(actor), {**actor_parameters(actor), "on": on})
    for target in rows:  # later ones overwrite earlier ones
        chosen[target.indicator] = ProvinceTargetValue(float(target.value), target.valid_from)
    return chosen


def province_target_list(actor: User) -> list[ProvinceTarget]:
    return list(db.session.scalars(scoped(actor, ProvinceTarget).order_by(ProvinceTarget.valid_from.desc(),
                                                                          ProvinceTarget.indicator)))


def set_province_target(actor: User, indicator: str, valid_from: date, value: Decimal) -> ProvinceTarget:
    """Set (or replace) the province's target for one official indicator, or its default for one household
    indicator, from a day on."""
    require_role(actor, Role.ADMIN, what="province_target.set")
    if indicator not in RATE_INDICATORS and indicator not in HOUSEHOLD_INDICATORS:
        raise TargetError("indicator", _l("Unknown indicator."))
    if not Decimal(0) <= value <= Decimal(100):
        raise TargetError("value", _l("A target is a percentage from 0 to 100."))
    target = db.session.scalar(scoped(actor, ProvinceTarget).where(
        ProvinceTarget.indicator == indicator, ProvinceTarget.valid_from == valid_from))
    previous = None if target is None else float(target.value)
    if target is None:
        target = ProvinceTarget(province_code=actor.province_code, indicator=indicator, valid_from=valid_from)
        db.session.add(target)
    target.value, target.set_by_id = value, actor.id
    audit.record(actor, "province_target.set", target, indicator=indicator, valid_from=valid_from.isoformat(),
                 value=float(value), previous=previous)
    return target
