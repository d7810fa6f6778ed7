"""Provinces and wards: the official 2025 units loaded from `vietnam-provinces`."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model


class Province(Model):
    __tablename__ = "province"
    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))

    wards: Mapped[list["Ward"]] = relationship(back_populates="province", order_by="Ward.name")


class Ward(Model):
    __tablename__ = "ward"
    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(30))
    codename: Mapped[str] = mapped_column(String(100))

    province: Mapped[Province] = relationship(back_populates="wards")
