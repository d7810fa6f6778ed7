"""Login, remember-me, throttling, session renewal and ending, and the audit rows they leave."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, LoginThrottle, Role
from tests.conftest import PASSWORD, login


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "Đăng nhập" in page.get_data(as_text=True)


def test_login_and_logout(client, make_user):
    user = make_user(Role.VOLUNTEER)
    response = login(client, user)
    assert response.status_code == 302 and response.location.endswith("/")
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302
    assert _actions() == ["login", "logout"]


def test_wrong_password_is_refused_with_a_message_and_audited(client, make_user):
    user = make_user(Role.VOLUNTEER)
    response = login(client, user, password="wrong")
    assert response.status_code == 422
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert _actions() == ["login.failed"]


def test_empty_fields_are_explained(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert "Vui lòng nhập ô này." in response.get_data(as_text=True)


def test_login_is_throttled_after_repeated_failures(client, make_user):
    user = make_user(Role.VOLUNTEER)
    for _ in range(5):
        login(client, user, password="wrong")
    locked = login(client, user)  # even the right password waits
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.get_data(as_text=True)
    assert "login.throttled" in _actions()


def test_session_cookie_flags_and_remember_me(client, make_user):
    user = make_user(Role.VOLUNTEER)
    response = login(client, user, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_cookie_outlives_the_session(app, make_user):
    user = make_user(Role.VOLUNTEER)
    phone = app.test_client()
    login(phone, user, remember=True)
    remember = phone.get_cookie("remember_token")
    fresh = app.test_client()  # the browser was closed: only the remember cookie is left
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/").status_code == 200


def test_remember_cookie_is_renewed_on_the_first_request_of_each_day(app, make_user, frozen_clock):
    """60 days from the last day the volunteer used the app; the day's other requests send no cookie."""
    phone = app.test_client()
    login(phone, make_user(Role.VOLUNTEER), remember=True)

    def cookies_sent() -> list[str]:
        return sorted(c.split("=")[0] for c in phone.get("/api/session").headers.getlist("Set-Cookie"))

    assert cookies_sent() == []  # the login itself renewed it today
    frozen_clock.advance(days=1)
    assert cookies_sent() == ["remember_token", "session"]
    assert cookies_sent() == []
    frozen_clock.advance(days=59, hours=23)
    assert cookies_sent() == ["remember_token", "session"]


def test_logout_ends_copied_sessions(app, make_user):
    user = make_user(Role.VOLUNTEER)
    phone = app.test_client()
    login(phone, user, remember=True)
    copy = app.test_client()
    copy.set_cookie("session", phone.get_cookie("session").value)
    copy.set_cookie("remember_token", phone.get_cookie("remember_token").value)
    assert copy.get("/").status_code == 200
    phone.post("/logout")
    assert copy.get("/").status_code == 302


def test_session_is_renewed_on_login(client, make_user):
    user = make_user(Role.VOLUNTEER)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_disabling_an_account_ends_its_sessions(app, world, login_as):
    volunteer = world["volunteer_a"]
    phone = app.test_client()
    login(phone, volunteer, remember=True)
    coordinator = login_as(world["coordinator_a"])
    assert coordinator.post(f"/admin/users/{volunteer.id}/active").status_code == 302
    assert phone.get("/").status_code == 302
    assert login(app.test_client(), volunteer).status_code == 422


def test_open_redirect_is_refused(client, make_user):
    user = make_user(Role.VOLUNTEER)
    response = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD})
    assert response.location.endswith("/") and "evil" not in response.location


@pytest.fixture
def limits(app):
    """The throttle's limits, restored after the test."""
    saved = {k: v for k, v in app.config.items() if k.startswith("LOGIN_")}
    yield app.config
    app.config.update(saved)


def test_own_login_does_not_clear_the_count_of_another_account(app, make_user):
    """Four bad tries, a login into one's own account, repeat: the fifth bad try still counts."""
    victim, own = make_user(Role.VOLUNTEER), make_user(Role.VOLUNTEER)
    client = app.test_client()
    for _ in range(4):
        assert login(client, victim, password="wrong").status_code == 422
    assert login(client, own).status_code == 302
    client.post("/logout")
    assert login(client, victim, password="wrong").status_code == 422
    assert login(client, victim).status_code == 429  # even the right password waits
    assert login(app.test_client(), own).status_code == 302  # the attacker's own account is not the victim's


def test_own_login_keeps_the_address_count(app, make_user, limits):
    limits["LOGIN_MAX_FAILURES_ADDRESS"] = 5
    own = make_user(Role.VOLUNTEER)
    others = [make_user(Role.VOLUNTEER) for _ in range(5)]
    client = app.test_client()
    for other in others[:4]:
        login(client, other, password="wrong")
    assert login(client, own).status_code == 302
    client.post("/logout")
    assert login(client, others[4], password="wrong").status_code == 422
    assert login(client, own).status_code == 429  # the address has used its five tries
    assert "login.throttled" in _actions()


def _client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_stranger_locks_the_account_only_from_their_own_address(app, make_user):
    owner = make_user(Role.VOLUNTEER)
    stranger = _client_at(app, "203.0.113.9")
    for _ in range(8):
        login(stranger, owner, password="wrong")
    assert login(stranger, owner).status_code == 429
    assert login(app.test_client(), owner).status_code == 302  # the owner, elsewhere, is not locked out


def test_many_addresses_lock_the_account_itself(app, make_user, limits):
    limits["LOGIN_MAX_FAILURES_ACCOUNT"] = 6
    owner = make_user(Role.VOLUNTEER)
    for n in range(3):
        stranger = _client_at(app, f"203.0.113.{n}")
        login(stranger, owner, password="wrong")
        login(stranger, owner, password="wrong")
    assert login(app.test_client(), owner).status_code == 429


def test_locks_grow_longer_each_time(app, make_user, limits, frozen_clock):
    """The first lock lasts LOGIN_LOCK_MINUTES; the next one twice as long, and so on."""
    owner = make_user(Role.VOLUNTEER)
    client = app.test_client()
    waits = []
    for _ in range(3):
        for _ in range(5):
            login(client, owner, password="wrong")
        until = db.session.scalar(select(func.max(LoginThrottle.locked_until)))
        db.session.rollback()
        waits.append(until - frozen_clock.now)
        frozen_clock.set(until + timedelta(seconds=1))
    assert waits == [timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60)]
    frozen_clock.advance(days=2)  # a quiet while: forgotten
    for _ in range(5):
        login(client, owner, password="wrong")
    assert db.session.scalar(select(func.max(LoginThrottle.locked_until))) - frozen_clock.now == timedelta(minutes=15)


def test_parallel_attempts_check_no_more_passwords_than_the_limit(app, make_user):
    username = make_user(Role.VOLUNTEER).username
    start = threading.Barrier(12)

    def attempt(_n):
        client = app.test_client()
        start.wait()
        return client.post("/login", data={"username": username, "password": "wrong"}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = sorted(pool.map(attempt, range(12)))
    assert answers == [422] * 5 + [429] * 7
    assert _actions().count("login.failed") == 5 and _actions().count("login.throttled") == 7
