"""Passwords, login throttling and user accounts."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import LoginThrottle, Province, Role, Team, User, Ward
from app.models._types import utcnow
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import RoleDenied, get_in_scope, require_role

# OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account name is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("phuso-timing-equaliser")


class AccountError(FieldError):
    """An account change was refused."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def _throttle_row(key: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, first_failure_at=utcnow())
        db.session.add(row)
    return row


def locked_until(keys: list[str]):
    """The latest lock among these throttle keys, if any is still locked."""
    now = utcnow()
    until = db.session.scalar(
        select(func.max(LoginThrottle.locked_until)).where(
            LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now
        )
    )
    return until


def note_failure(keys: list[str], max_failures: int, lock_minutes: int) -> None:
    now = utcnow()
    window = timedelta(minutes=lock_minutes)
    for key in keys:
        row = _throttle_row(key)
        if row.first_failure_at < now - window:
            row.failures, row.first_failure_at = 0, now
        row.failures += 1
        if row.failures >= max_failures:
            row.locked_until = now + window


def clear_failures(keys: list[str]) -> None:
    for key in keys:
        row = db.session.get(LoginThrottle, key)
        if row is not None:
            db.session.delete(row)


def find_login(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


# Which roles each role may create, and where the new account's scope comes from.
CREATABLE_ROLES = {
    Role.ADMIN: (Role.COORDINATOR, Role.YOUTH_LEADER, Role.ADMIN),
    Role.COORDINATOR: (Role.VOLUNTEER, Role.TEAM_LEADER, Role.YOUTH_LEADER),
}


def create_user(actor: User, *, username: str, display_name: str, password: str, role: Role,
                ward_code: int | None = None, team_id: int | None = None) -> User:
    """An administrator creates coordinators and leaders; a coordinator creates its ward's members."""
    require_role(actor, *CREATABLE_ROLES, what="create_user")
    if role not in CREATABLE_ROLES[Role(actor.role)]:
        raise AccountError("role", _l("You cannot create an account with this role."))
    if find_login(username) is not None:
        raise AccountError("username", _l("This login name is already taken."))
    team = None
    if role in (Role.VOLUNTEER, Role.TEAM_LEADER):
        if team_id is None:
            raise AccountError("team_id", _l("Choose the member's team."))
        team = get_in_scope(actor, Team, team_id)
        ward_code = team.ward_code
    elif Role(actor.role) == Role.COORDINATOR:
        ward_code = actor.ward_code
    elif role == Role.COORDINATOR and ward_code is None:
        raise AccountError("ward_code", _l("Choose the coordinator's ward."))
    if ward_code is not None:
        get_in_scope(actor, Ward, ward_code)
    user = User(
        username=username.strip(), display_name=display_name.strip(), role=role,
        password_hash=hash_password(password), province_code=actor.province_code,
        ward_code=ward_code, team_id=team.id if team else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, role=str(role))
    return user


def manages(actor: User, user: User) -> bool:
    """Whether the actor may disable, enable or reset this account (the caller has checked its scope).

    An actor manages only the roles it may create. Administrators create administrators too, but one that
    has logged in is changed only on the server (`flask user`): no administrator can lock the others out
    of the province or take over their accounts; a new one can still be corrected before first use."""
    if user.id == actor.id or Role(user.role) not in CREATABLE_ROLES.get(Role(actor.role), ()):
        return False
    return Role(user.role) != Role.ADMIN or user.last_login_at is None


def managed_user(actor: User, user_id) -> User:
    """The account with this id if the actor sees it (else 404) and manages it (else 403)."""
    user = get_in_scope(actor, User, user_id)
    _require_manages(actor, user)
    return user


def _require_manages(actor: User | None, user: User) -> None:
    # None is the server's command line, which manages every account.
    if actor is not None and not manages(actor, user):
        raise RoleDenied("manage_user")


def set_active(actor: User | None, user: User, active: bool) -> None:
    _require_manages(actor, user)
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(actor, "user.enable" if active else "user.disable", user, **_via(actor))


def reset_password(actor: User | None, user: User, password: str) -> None:
    _require_manages(actor, user)
    user.password_hash = hash_password(password)
    user.end_sessions()
    audit.record(actor, "user.reset_password", user, **_via(actor))


def _via(actor: User | None) -> dict:
    return {} if actor is not None else {"via": "command line"}


def create_administrator(*, username: str, display_name: str, password: str, province_code: int) -> User:
    """The first administrator of a province, made from the command line (there is no one to make it)."""
    if db.session.get(Province, province_code) is None:
        raise AccountError("province", _l("Load this province first."))
    if find_login(username) is not None:
        raise AccountError("username", _l("This login name is already taken."))
    user = User(username=username.strip(), display_name=display_name.strip(), role=Role.ADMIN,
                password_hash=hash_password(password), province_code=province_code)
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.create", user, role=str(Role.ADMIN), **_via(None))
    return user
