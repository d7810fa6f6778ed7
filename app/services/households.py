"""Finding, adding and checking households inside the actor's areas."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import PRIORITY_TAGS, Area, Household, HouseholdStatus, User
from app.models._types import utcnow
from app.services import audit
from app.services.scope import get_in_scope, scoped
from app.services.text import clean, fold, looks_like_citizen_id

SEARCH_LIMIT = 25


class HouseholdError(ValueError):
    """A user-facing reason, tied to the form field it concerns."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class HouseholdInput:
    area_id: int
    address: str
    display_name: str | None = None
    people: int = 1
    eligible_people: int = 1
    phone: str | None = None
    phone_consent: bool = False
    priority_tags: tuple[str, ...] = ()
    client_id: str | None = None


def _like_token(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(actor: User, query: str, limit: int = SEARCH_LIMIT) -> list[Household]:
    """Active households in the actor's scope whose folded address or name holds every typed word.

    The scope filter runs on the (area, search key) index first; the words are then matched on the
    stored folded key, so "nguyen van" finds "Nguyễn Văn" without folding rows in Python.
    """
    stmt = scoped(actor, Household).where(Household.status == HouseholdStatus.ACTIVE)
    for token in fold(query).split()[:6]:
        stmt = stmt.where(Household.search_key.like(_like_token(token), escape="\\"))
    return list(db.session.scalars(stmt.order_by(Household.address_key, Household.id).limit(limit)))


def by_client_id(actor: User, client_id: str) -> Household | None:
    """The household the phone named by its own id, if it has reached the server and is in scope."""
    return db.session.scalar(scoped(actor, Household).where(Household.client_id == client_id.strip().lower()))


def likely_duplicates(actor: User, area_id: int, address: str) -> list[Household]:
    """Active households of the same area with the same folded address."""
    key = fold(address)
    if not key:
        return []
    stmt = scoped(actor, Household).where(
        Household.area_id == area_id, Household.address_key == key, Household.status == HouseholdStatus.ACTIVE
    )
    return list(db.session.scalars(stmt.limit(5)))


def _validate(data: HouseholdInput) -> None:
    if not clean(data.address):
        raise HouseholdError("address", _l("Enter the address."))
    if data.eligible_people > data.people:
        raise HouseholdError("eligible_people", _l("People aged 14 and over cannot be more than the people in the household."))
    if data.phone and not data.phone_consent:
        raise HouseholdError("phone_consent", _l("A phone number is kept only with the household's consent."))
    for field in ("address", "display_name"):
        if looks_like_citizen_id(getattr(data, field)):
            raise HouseholdError(field, _l("This looks like a citizen-ID number. Phủ Số never stores one."))
    unknown = set(data.priority_tags) - set(PRIORITY_TAGS)
    if unknown:
        raise HouseholdError("priority_tags", _l("Unknown priority tag."))


def create(actor: User, data: HouseholdInput) -> tuple[Household, bool]:
    """Add a household to one of the actor's areas; a client id already stored returns that household."""
    if data.client_id:
        data.client_id = data.client_id.strip().lower()
        existing = db.session.scalar(select(Household).where(Household.client_id == data.client_id))
        if existing is not None:
            # The same offline item sent twice: answer with what is stored, if the actor may see it.
            return get_in_scope(actor, Household, existing.id), False
    area = get_in_scope(actor, Area, data.area_id)
    if area.retired:
        raise HouseholdError("area_id", _l("This area is retired."))
    _validate(data)
    address = clean(data.address)
    name = clean(data.display_name)
    phone = clean(data.phone) if data.phone_consent else None
    household = Household(
        client_id=data.client_id, ward_code=area.ward_code, area_id=area.id, address=address, display_name=name,
        address_key=fold(address), search_key=fold(f"{address} {name or ''}"),
        people=data.people, eligible_people=data.eligible_people,
        phone=phone, phone_consent_at=utcnow() if phone else None,
        priority_tags=",".join(sorted(set(data.priority_tags))), created_by_id=actor.id,
    )
    db.session.add(household)
    db.session.flush()
    audit.record(actor, "household.create", household, fields=sorted(k for k, v in vars(data).items() if v))
    return household, True
