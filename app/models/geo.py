"""Provinces and their commune-level units (xã, phường, đặc khu; the model keeps its first name, Ward): the
official 2025 units loaded from `vietnam-provinces`."""

from sqlalchemy import ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.collation import by_name
from app.extensions import Model

DEFAULT_REPORT_DUE_DAYS = 6
MAX_REPORT_DUE_DAYS = 60


class Province(Model):
    __tablename__ = "province"
    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    # When its units' periodic reports are due: this many days after a period's last day, set by the province's
    # administrator. 6 makes a Decree-09 month (to the 14th) due on the 20th, the latest day Nghị định 09/2019
    # allows for reports to the Government.
    report_due_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REPORT_DUE_DAYS,
                                                 server_default=str(DEFAULT_REPORT_DUE_DAYS))

    wards: Mapped[list["Ward"]] = relationship(back_populates="province", order_by=lambda: unit_order())


class Ward(Model):
    __tablename__ = "ward"
    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(30))
    codename: Mapped[str] = mapped_column(String(100))
    # What the unit calls its residential areas (app.units.AreaWord): set by type when the unit is loaded,
    # then by its coordinator.
    area_word: Mapped[str] = mapped_column(String(20), server_default="khu_vuc")

    province: Mapped[Province] = relationship(back_populates="wards")


def unit_order() -> tuple:
    """ORDER BY for units: Vietnamese alphabetical order of the place name ("An Bình", "An Lạc Thôn", …,
    "Đại Thành", …, "Ô Môn"), the type breaking a tie; every name starts with its type and one space."""
    return by_name(func.substr(Ward.name, func.length(Ward.division_type) + 2)), by_name(Ward.division_type)
