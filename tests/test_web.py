"""Security headers, CSRF, language, formats, and the home page of every role."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Role, User
from app.numbers import NumberFormat, format_percent
from tests.conftest import count


def test_csp_forbids_inline_code_and_pages_vary_on_htmx(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_htmx_is_served_from_our_own_static_files(client):
    page = client.get("/login").get_data(as_text=True)
    assert '/static/js/htmx.min.js' in page and "https://" not in page.split("<body")[0]
    assert client.get("/static/js/htmx.min.js").status_code == 200


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_post_without_csrf_token_is_refused_and_changes_nothing(world, login_as, csrf_on, app):
    client = login_as_with_csrf(app, world["coordinator_a"])
    before = count(User)
    response = client.post("/admin/users/new", data={"display_name": "X", "username": "xyz", "role": "volunteer",
                                                      "password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert count(User) == before
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "denied.csrf"))


def test_htmx_header_token_is_accepted(world, csrf_on, app):
    client = login_as_with_csrf(app, world["coordinator_a"])
    token = _token(client.get("/admin/users").get_data(as_text=True))
    volunteer = world["volunteer_a"]
    response = client.post(f"/admin/users/{volunteer.id}/active", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302
    db.session.refresh(volunteer)
    assert not volunteer.active


def _token(page: str) -> str:
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def login_as_with_csrf(app, user):
    from tests.conftest import PASSWORD

    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_language_switch_is_remembered(world, login_as):
    client = login_as(world["volunteer_a"])
    assert "Hôm nay" in client.get("/").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    assert "Today" in client.get("/").get_data(as_text=True)
    db.session.refresh(world["volunteer_a"])
    assert world["volunteer_a"].locale == "en"


def test_language_cookie_for_anonymous_visitors(client):
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_large_text_is_a_setting_of_the_phone_that_holds_on_the_login_page(world, login_as):
    client = login_as(world["volunteer_a"])
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in home and 'aria-pressed="false"' in home and "Chữ và nút cỡ lớn: tắt" in home
    turned = client.post("/text-size", data={"size": "large", "next": "/"})
    assert turned.status_code == 302 and turned.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="vi" class="large-text">' in home and "Chữ và nút cỡ lớn: bật" in home
    client.post("/logout")
    assert 'class="large-text"' in client.get("/login").get_data(as_text=True)  # the phone's, not the account's
    client.post("/text-size", data={"size": "normal", "next": "/login"})
    assert 'class="large-text"' not in client.get("/login").get_data(as_text=True)


def test_numbers_and_percentages_follow_the_locale(app):
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("vi"):
            assert format_percent(93.4812) == "93,48%"
            assert app.jinja_env.filters["number"](1234.5, 1) == "1.234,5"
        with force_locale("en"):
            assert format_percent(93.4812) == "93.48%"


def test_translations_kept_for_a_request_follow_a_forced_locale_and_come_back(app):
    """The words are found once per request and locale: a document forced into Vietnamese inside an English
    request gets Vietnamese words, and the page's English words come back after it, in Python and in templates."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        page = app.jinja_env.from_string('{{ _("Log in") }}')
        assert _("Log in") == "Log in" and page.render() == "Log in"
        with force_locale("vi"):
            assert _("Log in") == "Đăng nhập" and page.render() == "Đăng nhập"
        assert _("Log in") == "Log in" and page.render() == "Log in"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_fast_number_format_writes_what_babel_writes(app, locale):
    """Boards format thousands of numbers without babel's pattern parsing: the text must not change."""
    from decimal import Decimal

    from flask_babel import force_locale
    from flask_babel import format_decimal as babel_format

    values = [0, 7, -7, 999, 1000, 1854, -1234567, 2**53 + 1, -(10**17 + 1), 0.5, 1.5, 2.5, 2.675, 1.005,
              -0.4, 33.333333, 99.995, 0.125, 12345.678, 93.4812, Decimal("2.5"), Decimal("1234.5678"), 1e-07,
              1.5e16, 0.0]
    # The percentages and rates boards show: every share of up to 160 households, visits per member-week.
    values += [100 * part / whole for whole in range(1, 161) for part in range(whole + 1)]
    values += [visits / members / weeks for visits in range(0, 90, 7) for members in (1, 3, 7) for weeks in (1, 2.14, 4.43)]
    with app.test_request_context(), force_locale(locale):
        number = app.jinja_env.filters["number"]
        for value in values:
            for digits in (0, 1, 2):
                want = babel_format(value, format="#,##0" + ("." + "0" * digits if digits else ""))
                assert number(value, digits) == want, (value, digits)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_a_share_worked_out_in_integers_is_written_as_its_percentage(app, locale):
    """Every share of up to 400 (ties half to even included: 1/8, 1/16, 1/32, 3/80...), and large ones."""
    from flask_babel import force_locale

    pairs = [(part, whole) for whole in range(0, 401) for part in range(whole + 1)]
    pairs += [(part, whole) for whole in (80_000, 800_928, 10**9 + 7) for part in (1, 12_345, whole // 3, whole)]
    with app.test_request_context(), force_locale(locale):
        fmt = NumberFormat()
        for part, whole in pairs:
            assert fmt.share(part, whole) == fmt.percent(100 * part / whole if whole else None), (part, whole)
        assert fmt.share(1, 32) == ("3,12%" if locale == "vi" else "3.12%")  # 3.125: a tie, to the even digit


@pytest.mark.parametrize("role,expected", [
    (Role.VOLUNTEER, "Tổ viên"), (Role.TEAM_LEADER, "Tổ trưởng"), (Role.COORDINATOR, "Cán bộ đầu mối"),
    (Role.YOUTH_LEADER, "Cán bộ Đoàn"), (Role.ADMIN, "Quản trị"),
])
def test_home_shows_each_role_its_own_scope(world, login_as, role, expected):
    user = next(u for k, u in world.items() if isinstance(u, User) and u.role == role)
    body = login_as(user).get("/").get_data(as_text=True)
    assert expected in body
    place = "Thành phố Cần Thơ" if role == Role.ADMIN else (user.team.name if user.team else "Phường Ninh Kiều")
    assert place in body


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from app import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first, second = config._secret_key(), config._secret_key()
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first
