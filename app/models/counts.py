"""Counters kept in the same transaction as each change: visits per day (services/rollups/daily.py) and
households per area (services/rollups/areas.py)."""

from datetime import date

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

# One integer column per visit-level indicator; services/rollups/daily.py says how a visit fills each.
COUNTER_COLUMNS = (
    "visits",
    "visits_met",
    "vneid_installed",
    "level2_activated",
    "level2_children",
    "online_people",
    "online_tutored",
    "cashless_setup",
    "followups_opened",
    "followups_closed",
)


class DailyCount(Model):
    """What the unflagged visits of one Vietnamese day add up to, per ward, area, team and member.

    The key starts with the ward and the day, so a ward's board reads one range of the primary key.
    """

    __tablename__ = "daily_count"
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    visits: Mapped[int] = mapped_column(default=0)
    visits_met: Mapped[int] = mapped_column(default=0)
    vneid_installed: Mapped[int] = mapped_column(default=0)
    level2_activated: Mapped[int] = mapped_column(default=0)
    level2_children: Mapped[int] = mapped_column(default=0)
    online_people: Mapped[int] = mapped_column(default=0)
    # Visits where at least one online public service was tutored.
    online_tutored: Mapped[int] = mapped_column(default=0)
    cashless_setup: Mapped[int] = mapped_column(default=0)
    followups_opened: Mapped[int] = mapped_column(default=0)
    # Of the follow-ups opened that day, those since closed.
    followups_closed: Mapped[int] = mapped_column(default=0)


# What an active household adds to its area's row of area_count; services/rollups/areas.py says how.
AREA_COUNT_COLUMNS = ("households", "reached", "eligible_people", "people_level2", "online_households", "children",
                      "children_level2", "people_online", "cashless_households")
# What a ward's active households add on a Vietnamese day: first reached, last visited (services/rollups/areas.py).
HOUSEHOLD_DAY_COLUMNS = ("first_reached", "last_visited")
WARD_DAY_COLUMNS = (*COUNTER_COLUMNS, *HOUSEHOLD_DAY_COLUMNS)


class AreaCount(Model):
    """The active households of one area, added up from their state, so boards never scan households."""

    __tablename__ = "area_count"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), index=True)
    households: Mapped[int] = mapped_column(default=0)
    reached: Mapped[int] = mapped_column(default=0)
    eligible_people: Mapped[int] = mapped_column(default=0)
    people_level2: Mapped[int] = mapped_column(default=0)
    # Households where at least one person was tutored in an online public service.
    online_households: Mapped[int] = mapped_column(default=0)
    children: Mapped[int] = mapped_column(default=0)  # aged 6-13
    children_level2: Mapped[int] = mapped_column(default=0)
    # People (not households) tutored in at least one online public service.
    people_online: Mapped[int] = mapped_column(default=0)
    cashless_households: Mapped[int] = mapped_column(default=0)


class WardDayCount(Model):
    """A ward's Vietnamese day: what its unflagged visits of that day add up to (the counters of daily_count
    without the area, team and member), and its active households first reached and last visited that day.

    The province board sums a few thousand of these rows (wards x days) instead of the daily counters of every
    member; "first reached in the period", the weekly reach trend and "not visited for 90 days" of a ward
    are sums over a range of its days, however many households it has.
    """

    __tablename__ = "ward_day_count"
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visits: Mapped[int] = mapped_column(default=0)
    visits_met: Mapped[int] = mapped_column(default=0)
    vneid_installed: Mapped[int] = mapped_column(default=0)
    level2_activated: Mapped[int] = mapped_column(default=0)
    level2_children: Mapped[int] = mapped_column(default=0)
    online_people: Mapped[int] = mapped_column(default=0)
    online_tutored: Mapped[int] = mapped_column(default=0)
    cashless_setup: Mapped[int] = mapped_column(default=0)
    followups_opened: Mapped[int] = mapped_column(default=0)
    followups_closed: Mapped[int] = mapped_column(default=0)
    first_reached: Mapped[int] = mapped_column(default=0)
    last_visited: Mapped[int] = mapped_column(default=0)
