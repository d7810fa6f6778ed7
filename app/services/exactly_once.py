"""Exactly once by client id. A phone resends whatever it is not sure reached us, under the id it gave it; the
same id and content answers what is stored, the same id with other content is refused. Client ids are unique
per maker, so a resend is looked up only among what the actor may see or made itself (`scope.known_to`)."""

from typing import Protocol, TypeVar

from app.extensions import db
from app.models import User
from app.services.scope import known_to


class Stored(Protocol):
    content_hash: str


T = TypeVar("T", bound=Stored)


def stored_under(actor: User, model, made_by, client_id: str):
    """The row of `model` this client id names for the actor, if any (`made_by`: the maker's column)."""
    return db.session.scalar(known_to(actor, model, made_by).where(model.client_id == client_id)
                             .order_by(model.id).limit(1))


def replayed(existing: T | None, content_hash: str, refusal: Exception) -> T:
    """`existing`, the row stored under a resent client id, when it holds the same content; else `refusal`."""
    if existing is None or existing.content_hash != content_hash:
        raise refusal
    return existing
