"""Vietnamese alphabetical order, the same in Python and in SQL.

Names of units, areas, teams and people are listed as a Vietnamese reader expects: the alphabet
a ă â b c d đ e ê … o ô ơ … u ư …, tones after the letter, numbers by value ("Khu vực 2" before
"Khu vực 10"). Code-point order would put "Đại Thành" and "Ô Môn" after "Z". The rules are ICU's (CLDR
tailoring for "vi", numeric ordering on), through PyICU in Python (`sort_key`, `sorted_by_name`) and,
for lists sorted by the database (`by_name(column)` in an ORDER BY):

- PostgreSQL: the ICU collation `phuso_vi` (locale "vi-u-kn-true") that the migration creates;
- SQLite: a collation `phuso_vi` registered on every connection (`register_sqlite`) from the same
  Python collator.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import icu
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

NAME = "phuso_vi"
ICU_LOCALE = "vi-u-kn-true"  # the PostgreSQL collation's locale: Vietnamese, numbers by value

T = TypeVar("T")


def _collator() -> Any:
    collator = icu.Collator.createInstance(icu.Locale("vi"))
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


_COLLATOR = _collator()


def sort_key(text: str | None) -> bytes:
    """The key that orders `text` among others in Vietnamese alphabetical order (None and "" first)."""
    return _COLLATOR.getSortKey(text or "")


def sorted_by_name(items: Iterable[T], key: Callable[[T], str | None] = str) -> list[T]:
    """Items in Vietnamese alphabetical order of `key(item)`."""
    return sorted(items, key=lambda item: sort_key(key(item)))


def compare(left: str | None, right: str | None) -> int:
    return _COLLATOR.compare(left or "", right or "")


def register_sqlite(dbapi_connection) -> None:
    """Make `COLLATE phuso_vi` known to a new SQLite connection."""
    dbapi_connection.create_collation(NAME, compare)


class by_name(ColumnElement[str]):
    """`column COLLATE phuso_vi`: the column in Vietnamese alphabetical order, for ORDER BY."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[str] | Any) -> None:
        self.column = column
        self.type = column.type


@compiles(by_name)
def _collated(element: by_name, compiler, **kw) -> str:
    return f"{compiler.process(element.column, **kw)} COLLATE {NAME}"
