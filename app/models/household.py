"""Households (hộ gia đình) and their current digital state."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Model
from app.extensions import lazy_gettext as _l
from app.models.org import Area


class HouseholdStatus(enum.StrEnum):
    ACTIVE = "active"
    MOVED = "moved"
    MERGED = "merged"


PRIORITY_TAGS = {
    "elderly_alone": _l("Elderly living alone"),
    "disability": _l("Person with disability"),
    "poor": _l("Poor household"),
    "near_poor": _l("Near-poor household"),
    "policy": _l("Policy family"),
}
# Sensitive personal data (Decree 13/2023: health, financial situation, social-policy status): kept only with
# the household's recorded consent, never in a named export. "Elderly living alone" is none of these.
SENSITIVE_TAGS = frozenset({"disability", "poor", "near_poor", "policy"})


class Household(Model):
    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("people >= 0 AND eligible_people >= 0 AND eligible_people <= people", name="counts"),
        CheckConstraint("people_level2 >= 0 AND people_level2 <= eligible_people", name="level2"),
        # Children aged 6-13 may have level 2 when the family asks (Nghị định 69/2024): counted apart from the
        # people aged 14+, and within the household's people with them.
        CheckConstraint("children >= 0 AND children_level2 >= 0 AND children_level2 <= children "
                        "AND eligible_people + children <= people", name="children"),
        CheckConstraint("phone IS NULL OR phone_consent_at IS NOT NULL", name="phone_consent"),
        # A client id is unique per maker, not globally: another ward's is simply unknown (scope.known_to).
        UniqueConstraint("client_id", "created_by_id"),
        # The team board counts its areas' households from this index alone (it covers every column read), and
        # so does the ward board for its areas' period and 90-day figures; the province board reads the
        # per-area and per-ward-day counts (area_count, ward_day_count) instead.
        Index("ix_household_area_figures", "area_id", "status", "reached_at", "last_visit_at", "people_online",
              "eligible_people", "people_level2"),
        # Search narrows to the actor's areas (or ward) on these, then matches words on the folded key.
        Index("ix_household_area_search", "area_id", "search_key"),
        Index("ix_household_ward_search", "ward_code", "search_key"),
        Index("ix_household_area_address", "area_id", "address_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Made by the phone for households added offline; visits queued after it name it.
    client_id: Mapped[str | None] = mapped_column(String(36))
    ward_code: Mapped[int] = mapped_column(ForeignKey("ward.code"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(120))
    # Address and name folded (no diacritics, lower case) for search and duplicate checks.
    search_key: Mapped[str] = mapped_column(String(330), default="")
    address_key: Mapped[str] = mapped_column(String(200), default="")
    people: Mapped[int] = mapped_column(default=1)
    # People aged 14 and over: the level-2 figure's denominator.
    eligible_people: Mapped[int] = mapped_column(default=1)
    # Children aged 6 to 13, who may have level 2 too; counted beside the main figure, never in it.
    children: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str | None] = mapped_column(String(20))
    phone_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    priority_tags: Mapped[str] = mapped_column(String(200), default="")
    # When the household agreed that its sensitive priority tags be kept; None when it has none.
    tags_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[HouseholdStatus] = mapped_column(String(10), default=HouseholdStatus.ACTIVE)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    # Current state, kept up to date from visits.
    people_level2: Mapped[int] = mapped_column(default=0)  # of the people aged 14+
    children_level2: Mapped[int] = mapped_column(default=0)
    # People tutored in at least one online public service.
    people_online: Mapped[int] = mapped_column(default=0)
    cashless: Mapped[bool] = mapped_column(Boolean, default=False)
    reached_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    area: Mapped[Area] = relationship()

    @property
    def tags(self) -> list[str]:
        return [t for t in self.priority_tags.split(",") if t]

    @property
    def label(self) -> str:
        return self.display_name or self.address or str(_l("Erased household"))
