"""What each household-day adds to a team's campaign score, kept with every visit (services/rollups/household_days.py)."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

# One integer column per scoring rule; services/rollups/household_days.py says how a household-day fills each.
SCORE_COLUMNS = ("met", "level2", "tutored", "cashless", "followups_closed", "first_reach")


class ScoreUnit(Model):
    """One household-day of one team: its unflagged visits of that Vietnamese day, counted once."""

    __tablename__ = "score_unit"
    __table_args__ = (Index("ix_score_unit_team_day", "team_id", "day"),)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    met: Mapped[int] = mapped_column(default=0)
    level2: Mapped[int] = mapped_column(default=0)
    tutored: Mapped[int] = mapped_column(default=0)
    cashless: Mapped[int] = mapped_column(default=0)
    followups_closed: Mapped[int] = mapped_column(default=0)
    first_reach: Mapped[int] = mapped_column(default=0)


class TeamDayScore(Model):
    """A team's household-days of one Vietnamese day added up: a leaderboard reads days x teams rows."""

    __tablename__ = "team_day_score"
    # A province board sums a campaign's days of every team: with the sums in the index, SQLite reads the
    # index alone instead of looking up each of some 55,000 rows in the table.
    __table_args__ = (Index("ix_team_day_score_ward_day", "ward_code", "day"),
                      Index("ix_team_day_score_day_sums", "day", "team_id", *SCORE_COLUMNS))
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))
    met: Mapped[int] = mapped_column(default=0)
    level2: Mapped[int] = mapped_column(default=0)
    tutored: Mapped[int] = mapped_column(default=0)
    cashless: Mapped[int] = mapped_column(default=0)
    followups_closed: Mapped[int] = mapped_column(default=0)
    first_reach: Mapped[int] = mapped_column(default=0)
