"""Every route, every role: an object in the actor's scope, one outside it, and no login.

Each route declares who may use it in ACCESS below. A route missing from the table fails
`test_every_route_has_a_rule`, so a new route cannot ship without deciding who may use it.
Outside the actor's scope the answer is 403 or 404 and nothing in the database changes.
"""

import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.views import sync_token
from app.clock import utcnow
from app.extensions import db
from app.models import Activity, ActivityPhoto, Area, PlanItem, Role, Team, User
from app.services import geo
from tests.conftest import login
from tests.test_activity_photos import SMALL_JPEG

PUBLIC = "public"
SYNC_API = "sync api"  # login required, answered with 401 instead of a redirect, plus the sync token
FIELD = frozenset({Role.VOLUNTEER, Role.TEAM_LEADER})
EVERYONE = frozenset(Role)
COORDINATOR = frozenset({Role.COORDINATOR})
MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
PROVINCE_READERS = frozenset({Role.ADMIN, Role.PROVINCE})
REPORT_READERS = COORDINATOR | PROVINCE_READERS
WARD_OTHER_PROVINCE = 26740  # Phường Sài Gòn, Thành phố Hồ Chí Minh (province 79)


@dataclass(frozen=True)
class Rule:
    who: object  # PUBLIC, SYNC_API (field roles), or the roles allowed
    query: str = ""  # query string naming the object, e.g. "household={household_id}"


ACCESS = {
    ("static", "GET"): Rule(PUBLIC),
    ("ops.healthz", "GET"): Rule(PUBLIC),
    ("pwa.manifest", "GET"): Rule(PUBLIC),
    ("pwa.service_worker", "GET"): Rule(PUBLIC),
    ("pwa.offline", "GET"): Rule(PUBLIC),
    ("pwa.queue", "GET"): Rule(PUBLIC),  # an empty shell: what waits is read from the phone itself
    ("auth.login", "GET"): Rule(PUBLIC),
    ("auth.login", "POST"): Rule(PUBLIC),
    ("auth.set_language", "POST"): Rule(PUBLIC),
    ("auth.set_text_size", "POST"): Rule(PUBLIC),
    ("auth.logout", "POST"): Rule(EVERYONE),
    ("main.home", "GET"): Rule(EVERYONE),
    ("main.followups", "GET"): Rule(FIELD),
    ("main.close_followup", "POST"): Rule(FIELD),
    ("main.confirm_close_followup", "GET"): Rule(FIELD),
    ("main.reopen_followup", "POST"): Rule(FIELD),
    ("ranking.campaigns", "GET"): Rule(EVERYONE),
    ("ranking.campaign", "GET"): Rule(EVERYONE),
    ("ranking.team", "GET"): Rule(EVERYONE),
    ("ranking.campaign_new", "GET"): Rule(frozenset({Role.YOUTH_LEADER})),
    ("ranking.campaign_new", "POST"): Rule(frozenset({Role.YOUTH_LEADER})),
    ("ranking.export", "GET"): Rule(frozenset({Role.YOUTH_LEADER, Role.COORDINATOR, Role.ADMIN})),
    ("ranking.share", "POST"): Rule(frozenset({Role.YOUTH_LEADER})),
    ("ranking.revoke", "POST"): Rule(frozenset({Role.YOUTH_LEADER})),
    ("ranking.commendation", "GET"): Rule(frozenset({Role.YOUTH_LEADER, Role.COORDINATOR})),
    ("ranking.commendation", "POST"): Rule(frozenset({Role.YOUTH_LEADER})),
    ("ranking.commendation_docx", "GET"): Rule(frozenset({Role.YOUTH_LEADER, Role.COORDINATOR})),
    ("ranking.certificates", "GET"): Rule(frozenset({Role.YOUTH_LEADER, Role.COORDINATOR})),
    ("ranking.public", "GET"): Rule(PUBLIC),  # the token is the key; a revoked one answers 404
    ("ranking.poster", "GET"): Rule(PUBLIC),  # the public board's poster, by the same token
    ("api.session_info", "GET"): Rule(SYNC_API),
    ("api.offline_data", "GET"): Rule(SYNC_API),
    ("api.household_create", "POST"): Rule(SYNC_API),
    ("api.visit_create", "POST"): Rule(SYNC_API),
    ("api.activity_create", "POST"): Rule(SYNC_API),
    ("activities.new", "GET"): Rule(FIELD),
    ("activities.new", "POST"): Rule(FIELD),
    ("activities.activities_list", "GET"): Rule(FIELD | COORDINATOR),
    ("activities.activity", "GET"): Rule(FIELD | COORDINATOR),
    ("activities.delete", "POST"): Rule(FIELD),  # the recorder or its team's leader, within a day
    ("activities.photo", "GET"): Rule(FIELD | COORDINATOR),
    ("activities.add_photos", "POST"): Rule(FIELD),  # any member of the team that recorded it
    ("activities.delete_photo", "POST"): Rule(FIELD),
    ("plans.week", "GET"): Rule(FIELD),
    ("plans.new", "GET"): Rule(frozenset({Role.TEAM_LEADER})),
    ("plans.new", "POST"): Rule(frozenset({Role.TEAM_LEADER})),
    ("plans.edit", "GET"): Rule(frozenset({Role.TEAM_LEADER})),  # an item of a day to come
    ("plans.edit", "POST"): Rule(frozenset({Role.TEAM_LEADER})),
    ("plans.delete", "POST"): Rule(frozenset({Role.TEAM_LEADER})),
    ("plans.unit", "GET"): Rule(COORDINATOR),
    ("field.households_list", "GET"): Rule(FIELD),
    ("field.household", "GET"): Rule(FIELD),
    ("field.household_new", "GET"): Rule(FIELD),
    ("field.household_new", "POST"): Rule(FIELD),
    ("field.visit_new", "GET"): Rule(FIELD, "household={household_id}"),
    ("field.visit_new", "POST"): Rule(FIELD, "household={household_id}"),
    ("field.visit_shell", "GET"): Rule(FIELD),
    ("field.visits_list", "GET"): Rule(FIELD),
    ("field.visit", "GET"): Rule(FIELD),
    ("field.visit_edit", "GET"): Rule(FIELD),
    ("field.visit_edit", "POST"): Rule(FIELD),
    ("field.visit_delete", "POST"): Rule(FIELD),
    ("board.team", "GET"): Rule(frozenset({Role.TEAM_LEADER})),
    ("board.assignments", "POST"): Rule(frozenset({Role.TEAM_LEADER})),
    ("board.ward", "GET"): Rule(COORDINATOR | PROVINCE_READERS, "code={ward_code}"),
    ("board.ward_export", "GET"): Rule(COORDINATOR | PROVINCE_READERS, "code={ward_code}"),
    ("board.province", "GET"): Rule(PROVINCE_READERS),
    ("reports.index", "GET"): Rule(REPORT_READERS),  # the province is sent on to the reports it received
    ("reports.new", "GET"): Rule(COORDINATOR),
    ("reports.new", "POST"): Rule(COORDINATOR),
    ("reports.report", "GET"): Rule(REPORT_READERS),
    ("reports.save", "POST"): Rule(COORDINATOR),
    ("reports.send", "POST"): Rule(COORDINATOR),
    ("reports.download", "GET"): Rule(REPORT_READERS),
    ("reports.print_view", "GET"): Rule(REPORT_READERS),
    ("reports.province", "GET"): Rule(PROVINCE_READERS),
    ("reports.rollup", "GET"): Rule(PROVINCE_READERS),
    ("reports.due_days", "POST"): Rule(frozenset({Role.ADMIN})),
    ("board.ward_targets", "GET"): Rule(COORDINATOR),
    ("board.ward_targets", "POST"): Rule(COORDINATOR),
    ("board.ward_visits", "GET"): Rule(COORDINATOR),
    ("board.ward_visit", "GET"): Rule(COORDINATOR),
    ("board.ward_visit_flag", "POST"): Rule(COORDINATOR),
    ("board.ward_visit_unflag", "POST"): Rule(COORDINATOR),
    ("admin.users", "GET"): Rule(MANAGERS),
    ("admin.user_new", "GET"): Rule(MANAGERS),
    ("admin.user_new", "POST"): Rule(MANAGERS),
    ("admin.user_active", "POST"): Rule(MANAGERS),
    ("admin.user_password", "GET"): Rule(MANAGERS),
    ("admin.user_password", "POST"): Rule(MANAGERS),
    ("admin.wards", "GET"): Rule(frozenset({Role.ADMIN})),
    ("admin.wards", "POST"): Rule(frozenset({Role.ADMIN})),
    ("lists.index", "GET"): Rule(COORDINATOR),
    ("lists.areas_list", "GET"): Rule(COORDINATOR),
    ("lists.areas_list", "POST"): Rule(COORDINATOR),
    ("lists.area_edit", "GET"): Rule(COORDINATOR),
    ("lists.area_edit", "POST"): Rule(COORDINATOR),
    ("lists.area_retired", "POST"): Rule(COORDINATOR),
    ("lists.teams_list", "GET"): Rule(COORDINATOR),
    ("lists.teams_list", "POST"): Rule(COORDINATOR),
    ("lists.team_edit", "GET"): Rule(COORDINATOR),
    ("lists.team_edit", "POST"): Rule(COORDINATOR),
    ("lists.team_active", "POST"): Rule(COORDINATOR),
    ("lists.households_list", "GET"): Rule(COORDINATOR),
    ("lists.household_edit", "GET"): Rule(COORDINATOR),
    ("lists.household_edit", "POST"): Rule(COORDINATOR),
    ("lists.household_erase", "POST"): Rule(COORDINATOR),
    ("lists.household_merge", "GET"): Rule(COORDINATOR),
    ("lists.household_merge", "POST"): Rule(COORDINATOR),
    ("lists.import_upload", "GET"): Rule(COORDINATOR),
    ("lists.import_upload", "POST"): Rule(COORDINATOR),
    ("lists.import_preview", "GET"): Rule(COORDINATOR),
    ("lists.import_preview", "POST"): Rule(COORDINATOR),
    ("lists.import_template", "GET"): Rule(COORDINATOR),
    ("official.entry", "GET"): Rule(COORDINATOR),
    ("official.entry", "POST"): Rule(COORDINATOR),
    ("official.province_targets", "GET"): Rule(frozenset({Role.ADMIN})),
    ("official.province_targets", "POST"): Rule(frozenset({Role.ADMIN})),
    ("official.import_upload", "GET"): Rule(frozenset({Role.ADMIN})),
    ("official.import_upload", "POST"): Rule(frozenset({Role.ADMIN})),
    ("official.import_template", "GET"): Rule(frozenset({Role.ADMIN})),
    ("official.import_preview", "GET"): Rule(frozenset({Role.ADMIN})),
    ("official.import_preview", "POST"): Rule(frozenset({Role.ADMIN})),
    ("lists.settings", "GET"): Rule(COORDINATOR),
    ("lists.settings", "POST"): Rule(COORDINATOR),
}

# Who acts for each role in the `world` fixture (ward A; the administrator has the province).
ACTOR_KEYS = {Role.VOLUNTEER: "volunteer_a", Role.TEAM_LEADER: "leader_a", Role.COORDINATOR: "coordinator_a",
              Role.YOUTH_LEADER: "youth_a", Role.ADMIN: "admin", Role.PROVINCE: "province"}
# Values for URL parts that name no object.
FIXED_PARTS = {"code": "en", "fmt": "csv", "kind": "csv", "filename": "css/app.css", "position": 1}
# Tables a denial is allowed to write to: the audit log records it, the throttle counts failed logins.
LOGS = {"audit_log", "login_throttle"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_a_rule(app):
    missing = sorted(f"{rule.endpoint} {method} {rule.rule}" for rule, method in _routes(app)
                     if (rule.endpoint, method) not in ACCESS)
    assert missing == [], "routes without an access rule:\n" + "\n".join(missing)
    stale = sorted(set(ACCESS) - {(rule.endpoint, method) for rule, method in _routes(app)})
    assert stale == [], f"rules for routes that no longer exist: {stale}"


@pytest.fixture
def scopes(world, make_team, make_user, make_household, make_visit, make_campaign, make_report, login_as):
    """For each role, the objects of its own scope and objects of another ward (or province)."""
    geo.load_province(79)
    db.session.commit()
    far_team = make_team(WARD_OTHER_PROVINCE)
    far_user = make_user(Role.VOLUNTEER, team=far_team)
    far_user.province_code = 79
    db.session.commit()

    def objects(team: Team, member: User) -> dict:
        household = make_household(team.areas[0])
        visit = make_visit(household, member, followup_needed=True, followup_reason="Hẹn lại")
        campaign = make_campaign(team.ward_code, province_code=79 if team.ward_code == WARD_OTHER_PROVINCE else 92)
        activity = Activity(client_id=str(uuid.uuid4()), content_hash="-", ward_code=team.ward_code, team_id=team.id,
                            recorded_by_id=member.id, kind="help_desk", held_on=utcnow().date(), place="Một cửa",
                            created_at=utcnow())
        plan_item = PlanItem(ward_code=team.ward_code, team_id=team.id, planned_on=utcnow().date() + timedelta(days=2),
                             kind="help_desk", created_by_id=member.id)
        db.session.add_all([activity, plan_item])
        db.session.flush()
        db.session.add(ActivityPhoto(activity_id=activity.id, position=1, content_type="image/jpeg", content=SMALL_JPEG,
                                     size=len(SMALL_JPEG), sha256="-", added_by_id=member.id))
        db.session.commit()
        return {"household_id": household.id, "visit_id": visit.id, "area_id": team.areas[0].id, "team_id": team.id,
                "activity_id": activity.id, "item_id": plan_item.id,
                "user_id": member.id, "ward_code": team.ward_code, "campaign_id": campaign.id,
                "token": campaign.share_token, "report_id": make_report(team.ward_code).id}

    ward_b = objects(world["team_b"], world["volunteer_b"])
    far = objects(far_team, far_user)
    ward_b["import"] = far["import"] = _import_token(login_as(world["coordinator_b"]), world["team_b"].areas[0])
    # The province's file of official figures: the administrator's own, and one of another province's.
    far_admin = make_user(Role.ADMIN)
    far_admin.province_code = 79
    db.session.commit()
    ward_b["official_import"] = far["official_import"] = official_import_token(login_as(far_admin), WARD_OTHER_PROVINCE)
    scopes = {}
    for role in Role:
        # Each role gets objects of its own, so one role deleting its visit leaves the next role's alone.
        own = objects(world["team_a"], world["volunteer_a"])
        own["import"] = _import_token(login_as(world["coordinator_a"]), world["team_a"].areas[0])
        own["official_import"] = official_import_token(login_as(world["admin"]), world["team_a"].ward_code)
        if role == Role.ADMIN:  # an administrator manages coordinators, not members
            own["user_id"] = make_user(Role.COORDINATOR, world["team_a"].ward_code).id
        # An administrator's and the province department's scope is the province: "outside" is another province.
        scopes[role] = (own, far if role in (Role.ADMIN, Role.PROVINCE) else ward_b)
    return scopes


def _import_token(client, area: Area) -> str:
    data = f"Khu vực,Địa chỉ,Số người,Số người từ 14 tuổi\n{area.name},Số 1 Hẻm Nhập,2,1\n".encode()
    response = client.post("/lists/import", data={"file": (io.BytesIO(data), "ho.csv")},
                           content_type="multipart/form-data")
    return response.location.rsplit("/", 1)[-1]


def official_import_token(client, ward_code: int) -> str:
    data = f"Mã đơn vị,Kỳ,Chỉ số,Tử số,Mẫu số\n{ward_code},10/2026,Số hóa hồ sơ,1,2\n".encode()
    response = client.post("/official/import", data={"file": (io.BytesIO(data), "so-lieu.csv")},
                           content_type="multipart/form-data")
    return response.location.rsplit("/", 1)[-1]


def _url(rule, access: Rule, objects: dict) -> str:
    # An import preview's token names an upload; the public board's token names a campaign.
    uploads = {"lists.": objects.get("import"), "official.": objects.get("official_import")}
    named = {**objects, "token": next((token for prefix, token in uploads.items() if rule.endpoint.startswith(prefix)),
                                      objects.get("token"))}
    values = {arg: FIXED_PARTS.get(arg, named.get(arg)) for arg in rule.arguments}
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^:>]+:)?{arg}>", str(value), path)
    return path + ("?" + access.query.format(**objects) if access.query else "")


def _snapshot() -> str:
    """A fingerprint of every row outside the logs."""
    db.session.rollback()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name not in LOGS:
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _browser(app, user: User | None):
    """A client logged in as the user (logging in writes its own rows, so it happens before any snapshot)."""
    client = app.test_client()
    if user is not None:
        assert login(client, user).status_code == 302
        client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(user)
    return client


def _request(client, method: str, url: str):
    return client.open(url, method=method, json={} if url.startswith("/api/") else None)


ROUTE_IDS = sorted(f"{endpoint} {method}" for endpoint, method in ACCESS)


@pytest.mark.parametrize("route", ROUTE_IDS)
def test_route_answers_each_role_within_its_scope_only(app, world, scopes, route):
    endpoint, method = route.split()
    access = ACCESS[(endpoint, method)]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    own, _foreign = scopes[Role.VOLUNTEER]

    anonymous = _request(_browser(app, None), method, _url(rule, access, own))
    if access.who == PUBLIC:
        assert anonymous.status_code < 400 or anonymous.status_code == 422, anonymous.status_code
    elif access.who == SYNC_API:
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302 and "/login" in anonymous.location

    if access.who == PUBLIC:
        return
    allowed = FIELD if access.who == SYNC_API else access.who
    for role, key in ACTOR_KEYS.items():
        actor = world[key]
        own, foreign = scopes[role]
        own_url, foreign_url = _url(rule, access, own), _url(rule, access, foreign)
        client = _browser(app, actor)
        if role not in allowed or foreign_url != own_url:
            before = _snapshot()
            denied = _request(client, method, foreign_url if role in allowed else own_url)
            assert denied.status_code in (403, 404), f"{role.value} got {denied.status_code} outside its scope"
            assert _snapshot() == before, f"{role.value} changed data outside its scope"
        if role in allowed:
            answer = _request(client, method, own_url)
            assert answer.status_code < 500, f"{role.value}: {answer.status_code} in its own scope"
            assert answer.status_code not in (401, 403, 404), f"{role.value} refused in its own scope"


# Whom each manager may disable, enable or give a new password, inside its scope: the roles it may create.
# An administrator also manages an administrator that has never logged in (a mistake at creation).
MANAGED = {Role.COORDINATOR: {Role.VOLUNTEER, Role.TEAM_LEADER, Role.YOUTH_LEADER},
           Role.ADMIN: {Role.COORDINATOR, Role.YOUTH_LEADER, Role.PROVINCE}}
ACCOUNT_ROUTES = (("POST", "/admin/users/{id}/active"), ("GET", "/admin/users/{id}/password"),
                  ("POST", "/admin/users/{id}/password"))


@pytest.mark.parametrize("target_role", list(Role), ids=str)
@pytest.mark.parametrize("actor_role", list(MANAGED), ids=str)
def test_account_routes_answer_by_the_targets_role(app, world, make_user, actor_role, target_role):
    actor = world[ACTOR_KEYS[actor_role]]
    target = make_user(target_role, team=world["team_a"] if target_role in FIELD else None)  # ward A, province 92
    target.last_login_at = utcnow()  # an account in use
    db.session.commit()
    client = _browser(app, actor)
    new_password = {"password": "mat-khau-moi-42", "confirm": "mat-khau-moi-42"}
    for method, path in ACCOUNT_ROUTES:
        before = _snapshot()
        response = client.open(path.format(id=target.id), method=method, data=new_password)
        if target_role in MANAGED[actor_role]:
            assert response.status_code in (200, 302), f"{actor_role} {method} {path}: {response.status_code}"
        else:
            # 404 when the account is outside the actor's scope as well (an administrator for a coordinator).
            assert response.status_code in (403, 404), f"{actor_role} {method} {path} on {target_role}"
            assert _snapshot() == before
    if target_role not in MANAGED[actor_role]:
        assert f"/admin/users/{target.id}/" not in client.get("/admin/users").get_data(as_text=True)
