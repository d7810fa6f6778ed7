"""A unit's periodic report (báo cáo định kỳ): a draft the coordinator writes, then sent to the province."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model
from app.models.geo import Ward


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class PeriodicReport(Model):
    """One report per unit, period kind, cut-off and period. Sent is final: its figures (and the words of the
    document) are stored in `snapshot`, so a visit edited later changes the board but never what was sent."""

    __tablename__ = "periodic_report"
    __table_args__ = (
        UniqueConstraint("ward_code", "kind", "cutoff", "year", "number"),
        Index("ix_periodic_report_period", "kind", "cutoff", "year", "number"),  # a period's reports (province)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))  # first column of the unique key
    kind: Mapped[str] = mapped_column(String(10))  # periods.Kind
    cutoff: Mapped[str] = mapped_column(String(10))  # periods.Cutoff
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # The period's days, kept so the province lists a period's reports with one indexed filter.
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[ReportStatus] = mapped_column(String(10), default=ReportStatus.DRAFT)
    doc_number: Mapped[str] = mapped_column(String(40), default="")  # "15/BC-UBND"
    place: Mapped[str] = mapped_column(String(80), default="")
    doc_date: Mapped[date] = mapped_column(Date)
    recipients: Mapped[str] = mapped_column(Text, default="")  # Nơi nhận, one a line
    signer_title: Mapped[str] = mapped_column(String(120), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    results: Mapped[str] = mapped_column(Text, default="")
    shortcomings: Mapped[str] = mapped_column(Text, default="")
    next_tasks: Mapped[str] = mapped_column(Text, default="")
    # Set when sent: the unit's names and every figure row with its indicator key, as the document showed them.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    ward: Mapped[Ward] = relationship()

    @property
    def is_sent(self) -> bool:
        return self.status == ReportStatus.SENT
