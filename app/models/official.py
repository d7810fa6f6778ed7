"""A unit's official figures (from the province's procedure system and the police), and the province's
targets for them.

A figure belongs to a unit (xã, phường) and a reporting period named by (kind, year, number): month 1-12,
quarter 1-4, half 1-2, or the year (number 1). The key says which period, not which days: the days a period
spans (calendar months, or Nghị định 09's 15th-to-14th cut-off) are the periodic report's choice, computed
from the same three values.
"""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Model


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


class OfficialIndicator(enum.StrEnum):
    """The province's three administrative-procedure indicators, and the police's count of level-2 accounts."""

    DIGITISED = "digitised"  # dossiers and results digitised / dossiers handled
    ONLINE_DOSSIERS = "online_dossiers"  # dossiers submitted online / dossiers received
    ONLINE_PAYMENT = "online_payment"  # fees paid online / fee payments
    LEVEL2_ACCOUNTS = "level2_accounts"  # level-2 accounts at the end of the period (a count, no denominator)


RATE_INDICATORS = (OfficialIndicator.DIGITISED, OfficialIndicator.ONLINE_DOSSIERS, OfficialIndicator.ONLINE_PAYMENT)


class OfficialFigure(Model):
    """One indicator of one unit for one period: numerator and denominator as the province's system counts them."""

    __tablename__ = "official_figure"
    __table_args__ = (
        # Period first: the province board reads one period for all its units; a unit's board one period too.
        UniqueConstraint("period_kind", "period_year", "period_number", "ward_code", "indicator"),
        CheckConstraint("numerator >= 0", name="numerator_not_negative"),
        CheckConstraint("denominator IS NULL OR numerator <= denominator", name="numerator_within_denominator"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"), index=True)
    period_kind: Mapped[PeriodKind] = mapped_column(String(10))
    period_year: Mapped[int]
    period_number: Mapped[int]
    indicator: Mapped[OfficialIndicator] = mapped_column(String(20))
    numerator: Mapped[int]
    denominator: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10))  # "form" or "import"
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ProvinceTarget(Model):
    """A target the province sets for every unit (chỉ tiêu), in force from a day until a later one replaces it."""

    __tablename__ = "province_target"
    __table_args__ = (UniqueConstraint("province_code", "indicator", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    indicator: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Numeric(8, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
