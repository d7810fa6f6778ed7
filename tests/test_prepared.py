"""Prepared statements keep what SQLAlchemy's execution gives: defaults, type conversions, events, error types."""

from datetime import datetime

import pytest
from sqlalchemy import bindparam, exc, insert, literal_column, select, update

from app.clock import utcnow
from app.extensions import db
from app.models import Role, User
from app.services.prepared import Prepared, loaded, read, together
from tests.conftest import statements_sent

_USERS = User.__table__
ADD_USER = Prepared(insert(_USERS).returning(_USERS.c.id))
USER_BY_ID = Prepared(select(_USERS).where(_USERS.c.id == bindparam("id")))
ADD_USER_NO_RETURN = Prepared(insert(_USERS))
# A literal percent sign in the SQL itself, which psycopg's own placeholders escape as `%%`.
RENAME = Prepared(update(_USERS).where(_USERS.c.username == bindparam("who"))
                  .values(display_name=literal_column("'Tổ 100%'")))


def _row(username: str) -> dict:
    return {"username": username, "display_name": "Người Thử", "password_hash": "x", "role": Role.VOLUNTEER,
            "province_code": 92}


def test_a_prepared_insert_fills_python_defaults_and_reads_back_typed_values(ctx, frozen_clock):
    with statements_sent() as sent:
        (user_id,) = ADD_USER.first(_row("prepared1"))
    assert len(sent) == 1 and sent[0].startswith("INSERT INTO")
    values = USER_BY_ID.first_values({"id": user_id})
    assert values["created_at"] == utcnow() and isinstance(values["created_at"], datetime)
    assert values["active"] is True and len(values["session_token"]) == 32
    user = loaded(User, values)
    assert user in db.session and not db.session.dirty and user.role == Role.VOLUNTEER
    db.session.commit()


def test_a_driver_error_is_raised_as_sqlalchemys(ctx):
    ADD_USER.first(_row("prepared2"))
    with pytest.raises(exc.IntegrityError):
        ADD_USER.first(_row("prepared2"))
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.username == "prepared2")) is None


def test_writes_held_together_are_one_statement_on_postgresql(ctx):
    ADD_USER_NO_RETURN.execute(_row("together0"))
    with statements_sent() as sent, together():
        ADD_USER_NO_RETURN.execute(_row("together1"))
        ADD_USER_NO_RETURN.execute_many([_row("together2"), _row("together3")])
        RENAME.execute({"who": "together0"})
    names = dict(db.session.execute(select(User.username, User.display_name)
                                    .where(User.username.like("together%"))).all())
    assert names == {"together0": "Tổ 100%", "together1": "Người Thử", "together2": "Người Thử",
                     "together3": "Người Thử"}
    assert len(sent) == (1 if db.engine.dialect.name == "postgresql" else 3)
    db.session.commit()


def test_an_error_in_writes_held_together_is_raised_at_the_end_as_sqlalchemys(ctx):
    ADD_USER_NO_RETURN.execute(_row("together4"))
    with pytest.raises(exc.IntegrityError), together():
        ADD_USER_NO_RETURN.execute(_row("together5"))
        ADD_USER_NO_RETURN.execute(_row("together4"))
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.username.like("together%"))) is None


def test_a_read_sees_what_the_session_holds_unflushed_and_expands_lists(ctx):
    db.session.add_all([User(**_row("read1")), User(**_row("read2"))])
    with statements_sent() as sent:
        names = read(select(User.username).where(
            User.username.in_(bindparam("names", expanding=True))).order_by(User.username),
            {"names": ["read1", "read2", "nobody"]}).scalars().all()
    assert names == ["read1", "read2"]
    # The users added were flushed first (an insert each on SQLite, one for both on PostgreSQL), then read.
    assert sent[:-1] and all(s.startswith("INSERT") for s in sent[:-1]) and sent[-1].startswith("SELECT")
