"""Login, remember-me, throttling, session renewal and ending, and the audit rows they leave."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Role
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
