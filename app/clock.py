"""The application's one clock: every "now" and "today" is read here.

Times are stored as naive UTC so SQLite and PostgreSQL compare them alike; days and weeks are those of
Vietnam. The clock can be fixed (`fix()`), so the tests, which build every date from it, never depend on
the day they run.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone

# Vietnam keeps UTC+7 all year (no daylight saving): a fixed offset needs no tz database on the server.
LOCAL_OFFSET = timedelta(hours=7)
LOCAL_TZ = timezone(LOCAL_OFFSET, "Asia/Ho_Chi_Minh")

_fixed_at: datetime | None = None


def fix(at: datetime | None) -> None:
    """Stop the clock at `at` (naive UTC), or let it run again with None."""
    global _fixed_at
    _fixed_at = at


def utcnow() -> datetime:
    """The current time as naive UTC."""
    if _fixed_at is not None:
        return _fixed_at
    return datetime.now(UTC).replace(tzinfo=None)


def timestamp() -> float:
    """The current time in seconds since the epoch, as file times are kept."""
    return utcnow().replace(tzinfo=UTC).timestamp()


def local_today(now: datetime | None = None) -> date:
    """Today's date in Vietnam, for `now` given as naive UTC (default: the current time)."""
    # The fixed offset added: the same day as through the time zone, at a tenth of the cost (a visit's
    # rollups ask it for each of its household's visits).
    return ((now or utcnow()) + LOCAL_OFFSET).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Vietnamese calendar day as naive UTC, comparable with stored times."""
    start = datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def local_week_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the Monday-to-Sunday week holding `day`, as naive UTC."""
    start, _end = local_day_bounds(day - timedelta(days=day.weekday()))
    return start, start + timedelta(days=7)
