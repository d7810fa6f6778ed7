"""Accounts and scope: who may create whom, and a user of one ward cannot touch another's objects."""

from sqlalchemy import select

from app.extensions import db
from app.models import Area, AuditLog, Household, Role, Target, Team, User, Visit, Ward
from app.services.scope import scoped
from tests.conftest import WARD_A, WARD_B, count, form_time, login


def _new_user_form(**overrides):
    # No unit typed: the account takes the creator's (the unit is a typed name, no longer a "none" option).
    data = {"display_name": "Lê Thị Mới", "username": "lethimoi", "role": "volunteer", "ward_code": "",
            "team_id": "0", "password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"}
    data.update(overrides)
    return data


def test_coordinator_creates_a_member_for_its_ward(world, login_as):
    client = login_as(world["coordinator_a"])
    response = client.post("/admin/users/new", data=_new_user_form(team_id=str(world["team_a"].id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "lethimoi"))
    assert user.team_id == world["team_a"].id and user.ward_code == WARD_A
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.create")).object_id == str(user.id)


def test_coordinator_cannot_create_into_another_wards_team(world, login_as):
    client = login_as(world["coordinator_a"])
    before = count(User)
    response = client.post("/admin/users/new", data=_new_user_form(team_id=str(world["team_b"].id)))
    assert response.status_code == 422  # the other ward's team is not even a choice
    assert count(User) == before


def test_coordinator_cannot_create_an_administrator(world, login_as):
    client = login_as(world["coordinator_a"])
    response = client.post("/admin/users/new", data=_new_user_form(role="admin"))
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_admin_creates_a_coordinator_for_a_ward(world, login_as):
    client = login_as(world["admin"])
    response = client.post("/admin/users/new", data=_new_user_form(role="coordinator", ward_code=str(WARD_B)))
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "lethimoi")).ward_code == WARD_B


def test_bad_input_is_explained_and_nothing_is_stored(world, login_as):
    client = login_as(world["coordinator_a"])
    before = count(User)
    response = client.post("/admin/users/new", data=_new_user_form(
        display_name="", username="có dấu", password="ngan", confirm="khac", team_id=str(world["team_a"].id)))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng nhập ô này." in body
    assert "Chỉ dùng chữ không dấu" in body
    assert "Hai mật khẩu không khớp nhau." in body
    assert count(User) == before


def test_overlong_and_duplicate_names_are_refused(world, login_as):
    client = login_as(world["coordinator_a"])
    long = client.post("/admin/users/new", data=_new_user_form(display_name="x" * 5000, team_id=str(world["team_a"].id)))
    assert long.status_code == 422
    dup = client.post("/admin/users/new", data=_new_user_form(username=world["volunteer_a"].username.upper(),
                                                              team_id=str(world["team_a"].id)))
    assert dup.status_code == 422 and "đã có người dùng" in dup.get_data(as_text=True)


def test_other_wards_user_is_not_found_and_unchanged(world, login_as):
    client = login_as(world["coordinator_a"])
    target = world["volunteer_b"]
    assert client.get(f"/admin/users/{target.id}/password").status_code == 404
    assert client.post(f"/admin/users/{target.id}/active").status_code == 404
    assert client.post(f"/admin/users/{target.id}/password",
                       data={"password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"}).status_code == 404
    db.session.refresh(target)
    assert target.active
    denial = db.session.scalar(select(AuditLog).where(AuditLog.action == "denied.scope"))
    assert denial.actor_id == world["coordinator_a"].id


def test_non_numeric_ids_are_not_found(world, login_as):
    client = login_as(world["coordinator_a"])
    assert client.get("/admin/users/abc/password").status_code == 404


def test_volunteer_cannot_open_administration(world, login_as):
    client = login_as(world["volunteer_a"])
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "denied.role"))


def test_user_list_shows_only_the_ward(world, login_as):
    body = login_as(world["coordinator_a"]).get("/admin/users").get_data(as_text=True)
    assert world["volunteer_a"].username in body
    assert world["volunteer_b"].username not in body


def test_scope_helper_per_role(world, make_household, ctx):
    home_a = make_household(world["team_a"].areas[0])
    home_b = make_household(world["team_b"].areas[0])

    def visible(user):
        return set(db.session.scalars(scoped(user, Household).with_only_columns(Household.id)))

    assert visible(world["volunteer_a"]) == {home_a.id}
    assert visible(world["coordinator_a"]) == {home_a.id}
    assert visible(world["coordinator_b"]) == {home_b.id}
    assert visible(world["youth_a"]) == set()  # leaders see team figures, never households
    assert visible(world["admin"]) == set()


def test_admin_reloads_the_province_wards(world, login_as):
    client = login_as(world["admin"])
    page = client.get("/admin/wards")
    assert "Phường Cái Răng" in page.get_data(as_text=True)
    response = client.post("/admin/wards", follow_redirects=True)
    assert "103 xã, phường của Thành phố Cần Thơ đã được cập nhật." in response.get_data(as_text=True)


def test_ids_beyond_what_the_database_holds_are_not_found(world, login_as):
    client = login_as(world["volunteer_a"])
    for ident in ("2147483648", "9223372036854775808", "-1", "0", "99999999999999999999999"):
        assert client.get(f"/households/{ident}").status_code == 404
        assert client.get(f"/visits/new?household={ident}").status_code == 404


SCOPED_MODELS = (Ward, Area, Team, User, Household, Visit, Target, AuditLog)


def _visible(actor, model) -> list:
    return list(db.session.scalars(scoped(actor, model)))


def test_a_member_without_a_team_sees_no_one(world, make_user, make_household, make_visit, login_as):
    home = make_household(world["team_a"].areas[0])
    make_visit(home, world["volunteer_a"])
    for role in (Role.VOLUNTEER, Role.TEAM_LEADER):
        loner = make_user(role, WARD_A)  # removed from its team: team_id is None
        for model in SCOPED_MODELS:
            assert _visible(loner, model) == [], f"{role.value} without a team sees {model.__name__}"
        client = login_as(loner)
        form = client.get("/visits/offline-form").get_data(as_text=True)
        assert 'name="helper_ids"' not in form  # no companions to choose, least of all the province's staff
        assert client.get(f"/visits/new?household={home.id}").status_code in (403, 404)
        assert client.get("/households").status_code in (200, 403)
        home_page = client.get("/").get_data(as_text=True)
        assert "Tài khoản của bạn chưa thuộc tổ nào" in home_page and "/visits/new" not in home_page
        assert home.address not in client.get("/households?q=").get_data(as_text=True)


def test_scope_needs_the_ward_of_roles_that_have_one(world, make_household, ctx):
    """A corrupt account (a coordinator or member with no ward) sees nothing, not the whole province."""
    make_household(world["team_a"].areas[0])
    for key in ("coordinator_a", "volunteer_a", "leader_a"):
        actor = world[key]
        actor.ward_code = None
        if key != "coordinator_a":
            actor.team_id = None
        for model in SCOPED_MODELS:
            assert _visible(actor, model) == [], f"{key} without a ward sees {model.__name__}"
        db.session.rollback()


def test_an_account_missing_its_ward_or_team_may_change_nothing(world, make_user, make_household, login_as):
    """What such an actor would create has no ward or team to belong to: refused (403), never a 500."""
    home = make_household(world["team_a"].areas[0])
    before = [count(Area), count(Team)]
    coordinator = make_user(Role.COORDINATOR, WARD_A)
    client = login_as(coordinator)
    coordinator.ward_code = None
    db.session.commit()
    for path, data in (("/lists/areas", {"name": "Khu vực Mồ Côi"}), ("/lists/teams", {"name": "Tổ Mồ Côi"})):
        assert client.post(path, data=data).status_code == 403
    loner = make_user(Role.VOLUNTEER, WARD_A)
    answer = login_as(loner).post("/visits/new", data={
        "client_id": "5d0e7c1a-8f43-4c7e-9a55-3b1c2d4e5f60", "household_id": str(home.id),
        "visited_at": form_time(), "outcome": "met"})
    assert answer.status_code in (403, 404)
    db.session.rollback()
    assert [count(Area), count(Team)] == before and count(Visit) == 0


def test_province_roles_without_a_ward_keep_their_province(world, ctx):
    assert {w.code for w in _visible(world["admin"], Ward)} >= {WARD_A, WARD_B}
    youth = world["youth_a"]
    youth.ward_code = None  # a province-wide youth-union leader
    assert {t.id for t in _visible(youth, Team)} == {world["team_a"].id, world["team_b"].id}
    db.session.rollback()


def test_coordinator_cannot_touch_another_coordinator_of_its_ward(app, world, make_user, login_as):
    colleague = make_user(Role.COORDINATOR, WARD_A)
    client = login_as(world["coordinator_a"])
    assert client.post(f"/admin/users/{colleague.id}/active").status_code == 403
    assert client.post(f"/admin/users/{colleague.id}/password",
                       data={"password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"}).status_code == 403
    db.session.refresh(colleague)
    assert colleague.active and login(app.test_client(), colleague).status_code == 302
    denial = db.session.scalar(select(AuditLog).where(AuditLog.action == "denied.role"))
    assert denial.actor_id == world["coordinator_a"].id and denial.detail["what"] == "manage_user"


def test_administrators_touch_each_other_only_before_first_use(app, world, make_user, login_as):
    """A new administrator can be corrected by another; one in use changes only on the server."""
    client = login_as(world["admin"])
    new = make_user(Role.ADMIN)
    assert f"/admin/users/{new.id}/password" in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{new.id}/password",
                       data={"password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1"}).status_code == 302
    assert login(app.test_client(), new, password="mat-khau-dai-1").status_code == 302
    assert client.post(f"/admin/users/{new.id}/active").status_code == 403
    assert f"/admin/users/{new.id}/" not in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{world['admin'].id}/active").status_code == 403  # nor itself
    db.session.refresh(new)
    assert new.active

    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "disable", new.username])
    assert result.exit_code == 0, result.output
    db.session.refresh(new)
    assert not new.active
    assert runner.invoke(args=["user", "enable", new.username]).exit_code == 0
    reset = runner.invoke(args=["user", "set-password", new.username], input="mat-khau-may-chu\nmat-khau-may-chu\n")
    assert reset.exit_code == 0, reset.output
    assert login(app.test_client(), new, password="mat-khau-may-chu").status_code == 302
    assert runner.invoke(args=["user", "disable", "khong-co-ai"]).exit_code != 0
    via = db.session.scalars(select(AuditLog.detail).where(AuditLog.action.in_(
        ["user.disable", "user.enable", "user.reset_password"]), AuditLog.actor_id.is_(None)))
    assert [d.get("via") for d in via] == ["command line"] * 3
