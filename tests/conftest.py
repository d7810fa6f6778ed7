"""Fixtures: one migrated database per run (SQLite file, or PostgreSQL via TEST_DATABASE_URL),
emptied after every test; one frozen clock; factories for the objects of the domain; login as any role."""

import itertools
import os
import secrets
import tempfile
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import URL, create_engine, delete, event, make_url, select, text

TMP = Path(tempfile.mkdtemp(prefix="phuso-test-"))
# Each process its own instance folder: xdist workers inherit the environment, and would share one otherwise.
os.environ["PHUSO_INSTANCE_DIR"] = str(TMP)

from app import clock, create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Area, Campaign, Household, Role, Team, User, Visit, Ward  # noqa: E402
from app.services import geo, rollups  # noqa: E402
from app.services.accounts import hash_password  # noqa: E402
from app.services.text import fold  # noqa: E402

PASSWORD = "correct-horse-42"
WARD_A, WARD_B = 31135, 31186  # Phường Ninh Kiều, Phường Cái Răng (Cần Thơ, province 92)
KEEP = {"province", "ward", "alembic_version"}
# Friday 20/11/2026, 10:00 in Vietnam, inside the November campaign that `make_campaign` makes. Every test
# runs at this instant (or the one its `frozen_at` mark names), so none depends on the day it runs.
FROZEN_AT = datetime(2026, 11, 20, 3, 0)


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{TMP / 'test.db'}"  # TMP is this process's own, so each xdist worker has its file
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(make_url(url), worker) if worker else url


def _worker_database(url: URL, worker: str) -> str:
    """Under pytest-xdist each worker empties its database after every test: each gets its own, made beside
    TEST_DATABASE_URL's (`test` → `test_gw0`) on the same server."""
    own = f"{url.database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own}) is None:
            conn.execute(text(f'CREATE DATABASE "{own}"'))
    engine.dispose()
    return url.set(database=own).render_as_string(hide_password=False)


class Client(FlaskClient):
    """Requests share the test's app context (and so `g`): forget what each request cached there."""

    def open(self, *args, **kwargs):
        self._forget()
        try:
            return super().open(*args, **kwargs)
        finally:
            self._forget()

    @staticmethod
    def _forget():
        if has_app_context():
            g.__dict__.clear()  # the user, CSRF token and locale one request cached


@pytest.fixture(scope="session")
def app():
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    })
    app.test_client_class = Client
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        geo.load_province(92)
        db.session.commit()
    return app


@pytest.fixture(autouse=True)
def _clean_db(request, app):
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP:
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


class FrozenClock:
    """The application's clock, stopped; a test moves it on with `advance()` or sets it with `set()`."""

    def __init__(self, at: datetime):
        self.set(at)

    @property
    def now(self) -> datetime:
        return clock.utcnow()

    def set(self, at: datetime) -> None:
        clock.fix(at)

    def advance(self, **delta) -> None:
        clock.fix(self.now + timedelta(**delta))


@pytest.fixture(autouse=True)
def frozen_clock(request):
    """Every test runs at FROZEN_AT, or at the instant of its `@pytest.mark.frozen_at(datetime)`."""
    mark = request.node.get_closest_marker("frozen_at")
    yield FrozenClock(mark.args[0] if mark else FROZEN_AT)
    clock.fix(None)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


_seq = itertools.count(1)
_HASH = {}


def _password_hash() -> str:
    # Hashing at OWASP cost takes tens of milliseconds; tests share one hash.
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


@pytest.fixture
def make_area(ctx):
    def make(ward_code=WARD_A, name=None, **kw) -> Area:
        area = Area(ward_code=ward_code, name=name or f"Khu vực {next(_seq)}", **kw)
        db.session.add(area)
        db.session.commit()
        return area
    return make


@pytest.fixture
def make_team(ctx, make_area):
    def make(ward_code=WARD_A, areas=None, name=None) -> Team:
        areas = areas if areas is not None else [make_area(ward_code)]
        team = Team(ward_code=ward_code, name=name or f"Tổ CNSCĐ {next(_seq)}", areas=areas)
        db.session.add(team)
        db.session.commit()
        return team
    return make


@pytest.fixture
def make_user(ctx):
    def make(role: Role = Role.VOLUNTEER, ward_code=WARD_A, team=None, username=None, **kw) -> User:
        if team is not None:
            ward_code = team.ward_code
        user = User(
            username=username or f"{role.value}{next(_seq)}", display_name=kw.pop("display_name", "Người Thử"),
            role=role, password_hash=_password_hash(), province_code=92,
            ward_code=None if role in (Role.ADMIN, Role.PROVINCE) else ward_code, team_id=team.id if team else None, **kw,
        )
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_household(ctx):
    def make(area: Area, address=None, display_name=None, people=4, eligible_people=3, **kw) -> Household:
        address = address or f"Số {next(_seq)} Đường 3 Tháng 2"
        household = Household(
            ward_code=area.ward_code, area_id=area.id, address=address, display_name=display_name,
            address_key=fold(address), search_key=fold(f"{address} {display_name or ''}"),
            people=people, eligible_people=eligible_people, **kw,
        )
        db.session.add(household)
        db.session.flush()
        rollups.household_changed(None, household)  # as households.create does
        db.session.commit()
        return household
    return make


@pytest.fixture
def rollup_verified(ctx):
    """At the end of the test, the daily counters and household state must agree with the raw visits, and
    the per-area counts with the households (what `flask rollup verify` checks): a write that forgets to
    count fails the test that made it."""
    yield

    db.session.rollback()
    differences = rollups.verify()
    assert not differences, "\n".join(str(d) for d in differences[:20])


@pytest.fixture
def world(make_team, make_user):
    """Two wards, each with a team, its members, a coordinator; plus province-wide roles."""
    team_a, team_b = make_team(WARD_A), make_team(WARD_B)
    return {
        "team_a": team_a,
        "team_b": team_b,
        "volunteer_a": make_user(Role.VOLUNTEER, team=team_a),
        "leader_a": make_user(Role.TEAM_LEADER, team=team_a),
        "volunteer_b": make_user(Role.VOLUNTEER, team=team_b),
        "coordinator_a": make_user(Role.COORDINATOR, WARD_A),
        "coordinator_b": make_user(Role.COORDINATOR, WARD_B),
        "youth_a": make_user(Role.YOUTH_LEADER, WARD_A),
        "admin": make_user(Role.ADMIN),
        "province": make_user(Role.PROVINCE),
    }


def login(client, user: User, password: str = PASSWORD, remember: bool = False):
    return client.post("/login", data={"username": user.username, "password": password,
                                       "remember": "y" if remember else ""})


@pytest.fixture
def login_as(app):
    """A fresh browser (test client) signed in as the user."""
    def do(user: User):
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return do


@pytest.fixture
def volunteer_phone(world, login_as):
    """A volunteer's phone: logged in, with the sync token its pages hand to the queue."""
    from app.api.views import sync_token

    volunteer = world["volunteer_a"]
    client = login_as(volunteer)
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(volunteer)
    return {"client": client, **world}


def form_time(at: datetime | None = None) -> str:
    """What a visit form's time field holds for a naive-UTC instant (default: now): Vietnam's local time."""
    local = (at or clock.utcnow()).replace(tzinfo=UTC).astimezone(clock.LOCAL_TZ)
    return local.strftime("%Y-%m-%dT%H:%M")


def count(model) -> int:
    return db.session.scalar(select(db.func.count()).select_from(model))


@contextmanager
def statements_sent():
    """Every SQL statement sent to the database meanwhile (an executemany counts once)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def queries_for(client: FlaskClient, url: str, headers: dict | None = None) -> int:
    """The SQL statements one GET of `url` runs, after a first GET has warmed the caches."""
    client.get(url, headers=headers)
    with statements_sent() as sent:
        assert client.get(url, headers=headers).status_code == 200
    return len(sent)


__all__ = ["PASSWORD", "WARD_A", "WARD_B", "Visit", "Ward", "count", "login", "queries_for", "statements_sent"]


@pytest.fixture
def make_visit(ctx):
    """A stored visit as the field service would leave it (household state is not updated here)."""
    import secrets
    import uuid

    from app.clock import utcnow
    from app.models import Outcome

    def make(household: Household, volunteer: User, **fields) -> Visit:
        fields.setdefault("visited_at", utcnow())
        fields.setdefault("outcome", Outcome.MET)
        visit = Visit(
            client_id=str(uuid.uuid4()), content_hash=secrets.token_hex(32), household_id=household.id,
            ward_code=household.ward_code, area_id=household.area_id, team_id=volunteer.team_id,
            volunteer_id=volunteer.id, **fields,
        )
        db.session.add(visit)
        db.session.commit()
        return visit
    return make


@pytest.fixture
def make_campaign(ctx):
    def make(ward_code: int | None = WARD_A, province_code: int = 92, name: str = "Đợt thi đua tháng 11") -> Campaign:
        campaign = Campaign(name=name, start_date=date(2026, 11, 1), end_date=date(2026, 11, 30),
                            province_code=province_code, ward_code=ward_code, weights={},
                            share_token=secrets.token_urlsafe(24))
        db.session.add(campaign)
        db.session.commit()
        return campaign
    return make


@pytest.fixture
def make_report(ctx):
    """A sent monthly report of the ward (each call another month, so a ward may have several)."""
    from app.models import PeriodicReport, ReportStatus

    def make(ward_code: int = WARD_A) -> PeriodicReport:
        month = next(_seq) % 12 + 1
        report = PeriodicReport(
            ward_code=ward_code, kind="month", cutoff="decree09", year=2026, number=month,
            period_start=date(2026 if month > 1 else 2025, month - 1 if month > 1 else 12, 15),
            period_end=date(2026, month, 14), status=ReportStatus.SENT, doc_number="1/BC-UBND", place="Nơi",
            doc_date=date(2026, month, 14), results="Kết quả", signer_title="CHỦ TỊCH", signer_name="Người Ký",
            snapshot={"unit": {"name": "Đơn vị", "authority": "UBND ĐƠN VỊ", "place": "Nơi"},
                      "province": {"name": "", "authority": "", "place": ""}, "as_of": "2026-11-20", "rows": []},
            sent_at=clock.utcnow())
        db.session.add(report)
        db.session.commit()
        return report
    return make
