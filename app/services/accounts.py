"""Passwords, login throttling and user accounts."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, null, select, update

from app.clock import utcnow
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import LoginThrottle, Province, Role, Team, User, Ward
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import RoleDenied, get_in_scope, require_role
from app.services.upsert import insert_or_update

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


# The login throttle. Three counters per attempt: the client address, the account at that address, and the
# account from anywhere (with a much higher limit), so a stranger's failures lock the stranger's own address
# first and lock the owner out only when they come from many addresses. Each lock lasts twice the one before.
LOCK_DOUBLINGS = 6  # the longest lock is 64 times the first: 16 hours after 15 minutes
FORGET_AFTER = timedelta(days=1)  # a day without a lock and the next one is short again


@dataclass
class Counted:
    limit: int
    failures: int
    locked_until: datetime | None
    lockouts: int


@dataclass
class LoginAttempt:
    """One login attempt, counted before its password is checked; `refused_until` when it must wait."""

    address_key: str
    account_address_key: str
    account_key: str
    lock_minutes: int
    counted: dict[str, Counted] = field(default_factory=dict)
    refused_until: datetime | None = None


def count_login_attempt(username: str, address: str | None, config: Mapping) -> LoginAttempt:
    """Count the attempt on its three counters, atomically and before the password is checked, so parallel
    attempts check no more passwords than the limits. Each counter row stays locked until the commit."""
    name, where = username.strip().lower()[:60], (address or "-")[:45]
    attempt = LoginAttempt(address_key=f"ip:{where}", account_address_key=f"user:{name}|ip:{where}",
                           account_key=f"user:{name}", lock_minutes=config["LOGIN_LOCK_MINUTES"])
    limits = {attempt.address_key: config["LOGIN_MAX_FAILURES_ADDRESS"],
              attempt.account_address_key: config["LOGIN_MAX_FAILURES"],
              attempt.account_key: config["LOGIN_MAX_FAILURES_ACCOUNT"]}
    now = utcnow()
    for key in sorted(limits):  # one order everywhere: parallel attempts never deadlock
        failures, locked_until, lockouts = db.session.execute(
            _count(key, now, timedelta(minutes=attempt.lock_minutes))).one()
        attempt.counted[key] = Counted(limits[key], failures, locked_until, lockouts)
    locked = [c.locked_until for c in attempt.counted.values() if c.locked_until and c.locked_until > now]
    if locked or any(c.failures > c.limit for c in attempt.counted.values()):
        # A refused attempt checks no password and counts nowhere: it must not lock the account elsewhere.
        _uncount(attempt, list(attempt.counted))
        attempt.refused_until = max(locked + _lock(attempt, now), default=None)
    return attempt


def _count(key: str, now: datetime, window: timedelta):
    row = LoginThrottle
    lock_over = row.locked_until <= now
    fresh = lock_over | (row.locked_until.is_(None) & (row.first_failure_at < now - window))
    return insert_or_update(row, {"key": key, "failures": 1, "first_failure_at": now, "lockouts": 0}, ("key",), {
        "failures": case((fresh, 1), else_=row.failures + 1),
        "first_failure_at": case((fresh, now), else_=row.first_failure_at),
        "locked_until": case((lock_over, null()), else_=row.locked_until),
        "lockouts": case((func.coalesce(row.locked_until, row.first_failure_at) < now - FORGET_AFTER, 0),
                         else_=row.lockouts),
    }).returning(row.failures, row.locked_until, row.lockouts)


def _uncount(attempt: LoginAttempt, keys: list[str]) -> None:
    db.session.execute(update(LoginThrottle).where(LoginThrottle.key.in_(keys))
                       .values(failures=LoginThrottle.failures - 1))
    for key in keys:
        attempt.counted[key].failures -= 1


def _lock(attempt: LoginAttempt, now: datetime) -> list[datetime]:
    """Lock every counter at its limit that is not locked yet; the times the new locks end."""
    ends = []
    for key, counted in attempt.counted.items():
        if counted.failures >= counted.limit and not (counted.locked_until and counted.locked_until > now):
            minutes = attempt.lock_minutes * 2 ** min(counted.lockouts, LOCK_DOUBLINGS)
            counted.locked_until = now + timedelta(minutes=minutes)
            db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                               .values(locked_until=counted.locked_until, lockouts=LoginThrottle.lockouts + 1))
            ends.append(counted.locked_until)
    return ends


def login_failed(attempt: LoginAttempt) -> None:
    _lock(attempt, utcnow())


def login_succeeded(attempt: LoginAttempt) -> None:
    """The account at this address starts afresh; the address and the account keep their other failures."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == attempt.account_address_key))
    _uncount(attempt, [attempt.address_key, attempt.account_key])


def find_login(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


# Which roles each role may create, and where the new account's scope comes from.
CREATABLE_ROLES = {
    Role.ADMIN: (Role.COORDINATOR, Role.YOUTH_LEADER, Role.PROVINCE, Role.ADMIN),
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
    elif role == Role.PROVINCE:  # reads the whole province, never one ward
        ward_code = None
    elif role == Role.COORDINATOR and ward_code is None:
        raise AccountError("ward_code", _l("Choose the coordinator's commune or ward."))
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
