"""Finding, adding, checking and keeping households inside the actor's areas."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, func, literal, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.sql import Select

from app.clock import local_day_bounds, local_today, utcnow
from app.collation import by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import PRIORITY_TAGS, SENSITIVE_TAGS, Area, Household, HouseholdStatus, User, Visit
from app.services import audit, rollups
from app.services.errors import FieldError
from app.services.reports.indicators import STALE_DAYS
from app.services.scope import get_in_scope, known_to, scoped
from app.services.text import clean, fold, looks_like_citizen_id
from app.units import area_word

SEARCH_LIMIT = 25
# Addresses in Vietnamese order, numbers by value: "Hẻm 11" before "Hẻm 101" (app/collation.py).
NATURAL_ORDER = (by_name(Household.address), Household.id)
MAX_PEOPLE = 50
_PHONE = re.compile(r"^\+?[0-9 .]{8,20}$")


class HouseholdError(FieldError):
    """A household change was refused."""


@dataclass
class HouseholdInput:
    area_id: int
    address: str
    display_name: str | None = None
    people: int = 1
    eligible_people: int = 1  # aged 14 and over
    children: int = 0  # aged 6 to 13
    phone: str | None = None
    phone_consent: bool = False
    priority_tags: tuple[str, ...] = ()
    tags_consent: bool = False
    client_id: str | None = None


def _like_token(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_words(stmt: Select, query: str) -> Select:
    """Narrow to households whose folded address or name holds every typed word (at most six)."""
    for token in fold(query).split()[:6]:
        stmt = stmt.where(Household.search_key.like(_like_token(token), escape="\\"))
    return stmt


def search(actor: User, query: str, limit: int = SEARCH_LIMIT) -> list[Household]:
    """Active households in the actor's scope whose folded address or name holds every typed word.

    The scope filter runs on the (area, search key) index first; the words are then matched on the
    stored folded key, so "nguyen van" finds "Nguyễn Văn" without folding rows in Python.
    """
    stmt = matching_words(scoped(actor, Household).where(Household.status == HouseholdStatus.ACTIVE), query)
    return list(db.session.scalars(stmt.order_by(*NATURAL_ORDER).limit(limit)))


def by_client_id(actor: User, client_id: str) -> Household | None:
    """The household the phone named by its own id, if it has reached the server and is in scope."""
    try:
        uuid.UUID(client_id.strip())
    except ValueError:  # a phone's ids are UUIDs (the household form checks it): anything else names nothing
        return None
    return db.session.scalar(scoped(actor, Household).where(Household.client_id == client_id.strip().lower())
                             .order_by(Household.id).limit(1))


@dataclass
class HouseholdFilter:
    area_id: int | None = None
    status: str | None = None
    tag: str | None = None
    stale: bool = False
    query: str = ""


def listing(actor: User, wanted: HouseholdFilter, now: datetime | None = None) -> Select:
    """The actor's households narrowed by the list's filters, in address order."""
    stmt = scoped(actor, Household)
    if wanted.area_id:
        stmt = stmt.where(Household.area_id == wanted.area_id)
    if wanted.status:
        stmt = stmt.where(Household.status == wanted.status)
    if wanted.tag:
        # Tags are stored comma-separated; the commas around both sides keep "poor" from matching "near_poor".
        stmt = stmt.where((literal(",") + Household.priority_tags + literal(",")).like(f"%,{wanted.tag},%"))
    if wanted.stale:
        # The boards' rule: no visit on any of the last STALE_DAYS Vietnamese days, today included.
        since = local_day_bounds(local_today(now) - timedelta(days=STALE_DAYS - 1))[0]
        stmt = stmt.where(or_(Household.last_visit_at.is_(None), Household.last_visit_at < since))
    return matching_words(stmt, wanted.query).order_by(*NATURAL_ORDER)


def likely_duplicates(actor: User, area_id: int, address: str) -> list[Household]:
    """Active households of the same area with the same folded address."""
    key = fold(address)
    if not key:
        return []
    stmt = scoped(actor, Household).where(
        Household.area_id == area_id, Household.address_key == key, Household.status == HouseholdStatus.ACTIVE
    )
    return list(db.session.scalars(stmt.limit(5)))


def validate(data: HouseholdInput) -> None:
    """The rules every household obeys, whether typed in a form or read from an imported file."""
    address = clean(data.address)
    if not address:
        raise HouseholdError("address", _l("Enter the address."))
    if len(address) > 200:
        raise HouseholdError("address", _l("The address is too long (at most %(n)s characters).", n=200))
    if len(clean(data.display_name) or "") > 120:
        raise HouseholdError("display_name", _l("The name is too long (at most %(n)s characters).", n=120))
    if not 1 <= data.people <= MAX_PEOPLE:
        raise HouseholdError("people", _l("People in the household must be from 1 to %(n)s.", n=MAX_PEOPLE))
    if not 0 <= data.eligible_people <= MAX_PEOPLE:
        raise HouseholdError("eligible_people", _l("People aged 14 and over must be from 0 to %(n)s.", n=MAX_PEOPLE))
    if data.eligible_people > data.people:
        raise HouseholdError("eligible_people", _l("People aged 14 and over cannot be more than the people in the household."))
    if not 0 <= data.children <= MAX_PEOPLE:
        raise HouseholdError("children", _l("Children aged 6 to 13 must be from 0 to %(n)s.", n=MAX_PEOPLE))
    if data.eligible_people + data.children > data.people:
        raise HouseholdError("children", _l(
            "People aged 14 and over and children aged 6 to 13 cannot be more than the people in the household."))
    phone = clean(data.phone)
    if phone and not _PHONE.match(phone):
        raise HouseholdError("phone", _l("Enter a phone number of digits only."))
    if phone and not data.phone_consent:
        raise HouseholdError("phone_consent", _l("A phone number is kept only with the household's consent."))
    for field in ("address", "display_name"):
        if looks_like_citizen_id(getattr(data, field)):
            raise HouseholdError(field, _l("This looks like a citizen-ID number. Phủ Số never stores one."))
    unknown = set(data.priority_tags) - set(PRIORITY_TAGS)
    if unknown:
        raise HouseholdError("priority_tags", _l("Unknown priority tag."))
    if SENSITIVE_TAGS.intersection(data.priority_tags) and not data.tags_consent:
        raise HouseholdError("tags_consent", _l(
            "Disability, poor or near-poor household and policy family are kept only with the household's consent."))


def columns(data: HouseholdInput, now: datetime) -> dict:
    """The stored columns of a valid input: text cleaned, keys folded, the phone and the sensitive tags only
    with consent (and a consent time only when there is something it covers)."""
    address = clean(data.address)
    name = clean(data.display_name)
    phone = clean(data.phone) if data.phone_consent else None
    return {
        "address": address, "display_name": name,
        "address_key": fold(address), "search_key": fold(f"{address} {name or ''}"),
        "people": data.people, "eligible_people": data.eligible_people, "children": data.children,
        "phone": phone, "phone_consent_at": now if phone else None,
        "priority_tags": ",".join(sorted(set(data.priority_tags))),
        "tags_consent_at": now if data.tags_consent and SENSITIVE_TAGS.intersection(data.priority_tags) else None,
    }


def _open_area(actor: User, area_id: int, current: int | None = None) -> Area:
    area = get_in_scope(actor, Area, area_id)
    if area.retired and area.id != current:
        word = area_word(area.ward)
        raise HouseholdError("area_id", _l("This %(area)s is retired.", area=word.one))
    return area


def create(actor: User, data: HouseholdInput) -> tuple[Household, bool]:
    """Add a household to one of the actor's areas; a client id already stored returns that household."""
    if data.client_id:
        data.client_id = data.client_id.strip().lower()
        existing = db.session.scalar(known_to(actor, Household, Household.created_by_id)
                                     .where(Household.client_id == data.client_id).order_by(Household.id).limit(1))
        if existing is not None:
            # The same offline item sent twice: answer with what is stored, if the actor may (still) see it.
            return get_in_scope(actor, Household, existing.id), False
    area = _open_area(actor, data.area_id)
    validate(data)
    household = Household(client_id=data.client_id, ward_code=area.ward_code, area_id=area.id,
                          created_by_id=actor.id, **columns(data, utcnow()))
    db.session.add(household)
    db.session.flush()
    rollups.household_changed(None, household)
    audit.record(actor, "household.create", household, fields=sorted(k for k, v in vars(data).items() if v))
    return household, True


def update(actor: User, household: Household, data: HouseholdInput) -> None:
    """Correct a household with the same rules as when it was added; a kept phone, or sensitive tags still
    consented to, keep their consent time."""
    area = _open_area(actor, data.area_id, current=household.area_id)
    validate(data)
    if data.eligible_people < household.people_level2:
        raise HouseholdError("eligible_people", _l(
            "%(n)s people of this household already have level 2; there cannot be fewer people aged 14 and over.",
            n=household.people_level2))
    if data.children < household.children_level2:
        raise HouseholdError("children", _l(
            "%(n)s children of this household already have level 2; there cannot be fewer children aged 6 to 13.",
            n=household.children_level2))
    values = columns(data, utcnow())
    if values["phone"] and values["phone"] == household.phone:
        values["phone_consent_at"] = household.phone_consent_at
    if values["tags_consent_at"] and household.tags_consent_at:
        values["tags_consent_at"] = household.tags_consent_at
    values["area_id"] = area.id
    changed = sorted(k for k, v in values.items() if getattr(household, k) != v and not k.endswith("_key"))
    before = rollups.household_snapshot(household)
    for key, value in values.items():
        setattr(household, key, value)
    rollups.household_changed(before, household)
    audit.record(actor, "household.update", household, fields=changed)


def raise_counts(actor: User, household: Household, counts: dict[str, int], reason: str) -> None:
    """Raise the household's people, people aged 14+ or children 6-13 to `counts`: a visit reported more than
    the list allowed, so the list was out of date. Audited with the counts before and after."""
    before = rollups.household_snapshot(household)
    changed = {name: [getattr(household, name), value] for name, value in sorted(counts.items())}
    for name, value in counts.items():
        setattr(household, name, value)
    rollups.household_changed(before, household)
    audit.record(actor, "household.raise", household, reason=reason, counts=changed)


class MergeError(HouseholdError):
    pass


def merge(actor: User, survivor: Household, duplicate: Household) -> None:
    """`duplicate` is the same household as `survivor`: its visits move over and it is marked merged."""
    if survivor.id == duplicate.id:
        raise MergeError("other_id", _l("Choose another household than this one."))
    if survivor.area_id != duplicate.area_id:
        raise MergeError("other_id", _l("Only households of the same %(area)s can be merged.",
                                        area=area_word(survivor.area.ward).one))
    if HouseholdStatus.MERGED in (survivor.status, duplicate.status):
        raise MergeError("other_id", _l("This household was already merged."))
    moved = cast(CursorResult, db.session.execute(
        sql_update(Visit).where(Visit.household_id == duplicate.id).values(household_id=survivor.id)
    )).rowcount
    before = rollups.household_snapshot(duplicate)
    duplicate.status = HouseholdStatus.MERGED
    duplicate.merged_into_id = survivor.id
    rollups.household_changed(before, duplicate, visits_changed=True)
    # The survivor's state, and so its area's counts, take in the visits it received.
    rollups.household_changed(rollups.household_snapshot(survivor), survivor, visits_changed=True)
    audit.record(actor, "household.merge", survivor, merged=duplicate.id, visits=moved)


def erase(actor: User, household: Household) -> None:
    """Remove what identifies the household, and its priority tags, at its request; its counts and visits
    stay, so figures hold."""
    household.address = household.display_name = household.phone = household.phone_consent_at = None
    household.priority_tags, household.tags_consent_at = "", None
    household.search_key = household.address_key = ""
    household.erased_at = utcnow()
    # Notes are free text written at the door: they may name the household.
    db.session.execute(sql_update(Visit).where(Visit.household_id == household.id)
                       .values(note=None, other_help=None, followup_reason=None))
    db.session.flush()
    audit.record(actor, "household.erase", household)


def count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
