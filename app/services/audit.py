"""Writing the audit log. Rows join the caller's transaction."""

from typing import cast

from sqlalchemy import Table, insert

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, User
from app.services.prepared import Prepared

# Prepared once: an audit row is written with every visit, and nothing reads it back in the same request.
_INSERT = Prepared(insert(cast(Table, AuditLog.__table__)))


def record(actor: User | None, action: str, obj=None, ward_code: int | None = None, **detail) -> None:
    """Write an audit row for `action` on `obj`; detail must hold no personal data."""
    object_type = object_id = None
    if obj is not None:
        db.session.flush()
        object_type = obj.__tablename__
        object_id = str(getattr(obj, "id", None) or getattr(obj, "code", ""))
        ward_code = ward_code or getattr(obj, "ward_code", None)
    _INSERT.execute({
        "at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "ward_code": ward_code if ward_code is not None else getattr(actor, "ward_code", None),
        "detail": detail,
    })
