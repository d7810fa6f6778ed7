"""Hostile input on every form and JSON endpoint: never a 5xx, never half a record, always a message.

The fields of each form are read from the page itself (every `name="…"` in its <form>), so a field
added later is attacked too. Values come from Hypothesis: random Unicode, 10,000-character strings,
negative, huge and non-numeric numbers, dates in the wrong format, foreign ids, markup.
"""

import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import app as app_package
from app import web
from app.api.views import sync_token
from app.clock import utcnow
from app.extensions import db
from app.forms import FieldData
from app.models import Activity, PlanItem, Role, Visit
from app.services import rollups
from tests.conftest import login

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(min_size=1, max_size=5).map(lambda piece: (piece * 10_000)[:10_000]),  # 10,000 characters
    st.sampled_from(["", " ", "-1", "-999999999999", "99999999999999999999", "1e309", "NaN", "abc", "12,5",
                     "31/02/2026", "2026-13-45", "2026-11-25T25:99", "0000-00-00", "<script>alert(1)</script>",
                     '"><img src=x onerror=alert(1)>', "=HYPERLINK(\"http://x\")", "079123456789", "\x00", "🙂" * 50,
                     "../../etc/passwd", "' OR 1=1 --", str(uuid.uuid4()), "0", "1", "y"]),
)
# The same examples on every run and database: the suite passes or fails for a reason, not by chance.
# The examples still cover random Unicode, long strings and odd numbers; widen them by hand when hunting.
HOSTILE_SETTINGS = {"deadline": None, "derandomize": True, "database": None,
                    "suppress_health_check": [HealthCheck.function_scoped_fixture]}
# A message shown to the person: a field error or form summary (role="alert"), or the error page.
MESSAGE_SHOWN = re.compile(r'role="alert"|class="card error-card"')
VIETNAMESE = re.compile(r"[ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", re.I)
# Tables a refused request may still write to: the audit log records denials, the throttle failed logins.
LOGS = {"audit_log", "login_throttle"}


def _form_fields(page: str, action: str) -> list[str]:
    """The names posted by the form whose action is `action` (hidden fields included)."""
    for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", page, re.S):
        if f'action="{action}' in match.group(0)[:300]:
            return sorted(set(re.findall(r'name="([^"]+)"', match.group(1))) - {"csrf_token"})
    raise AssertionError(f"no form posting to {action}")


def _row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name not in LOGS}


def _attack(client, url: str, data: dict, as_json: bool = False):
    before = _row_counts()
    response = client.post(url, json=data) if as_json else client.post(url, data=data)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    if response.status_code >= 400:
        assert _row_counts() == before, f"{url} stored something while refusing"
        message = response.json["error"] if response.is_json else response.get_data(as_text=True)
        assert response.is_json or MESSAGE_SHOWN.search(message), f"{url}: {response.status_code} without a message"
        assert VIETNAMESE.search(message), f"{url}: the message is not in Vietnamese"
    assert rollups.verify() == [], f"{url} left counters out of step"
    return response


@pytest.fixture
def places(world, make_household, make_visit, make_campaign, login_as):
    from app.models import PeriodicReport

    home = make_household(world["team_a"].areas[0])
    visit = make_visit(home, world["volunteer_a"])
    rollups.rebuild()  # the factory writes visits directly; bring counters and household state in step
    db.session.commit()
    draft = PeriodicReport(ward_code=home.ward_code, kind="month", cutoff="decree09", year=2026, number=12,
                           period_start=date(2026, 11, 15), period_end=date(2026, 12, 14), doc_date=date(2026, 12, 14))
    db.session.add(draft)
    db.session.commit()
    ids = {"household": home.id, "visit": visit.id, "volunteer": world["volunteer_a"].id,
           "area": world["team_a"].areas[0].id, "team": world["team_a"].id, "report": draft.id,
           "campaign": make_campaign().id}
    # Ids are read now: an accepted example may change the team (its areas, its members).
    return {**world, "household": home, "visit": visit, "ids": ids}


# (who, the page that shows the form, the form's action): every HTML form a person can post.
FORMS = [
    ("volunteer_a", "/households/new", "/households/new"),
    ("volunteer_a", "/visits/new?household={household}", "/visits/new"),
    ("volunteer_a", "/visits/{visit}/edit", "/visits/{visit}/edit"),
    ("volunteer_a", "/activities/new", "/activities/new"),
    ("leader_a", "/team", "/team/assignments"),
    ("leader_a", "/plans/new", "/plans/new"),
    ("coordinator_a", "/admin/users/new", "/admin/users/new"),
    ("coordinator_a", "/admin/users/{volunteer}/password", "/admin/users/{volunteer}/password"),
    ("coordinator_a", "/ward/targets", "/ward/targets"),
    ("coordinator_a", "/ward/visits/{visit}", "/ward/visits/{visit}/flag"),
    ("coordinator_a", "/lists/areas", "/lists/areas"),
    ("coordinator_a", "/lists/areas/{area}", "/lists/areas/{area}"),
    ("coordinator_a", "/lists/teams", "/lists/teams"),
    ("coordinator_a", "/lists/teams/{team}", "/lists/teams/{team}"),
    ("coordinator_a", "/lists/households/{household}", "/lists/households/{household}"),
    ("coordinator_a", "/lists/households/{household}/merge", "/lists/households/{household}/merge"),
    ("coordinator_a", "/reports/new?kind=month&cutoff=decree09&year=2026&number=11", "/reports/new"),
    ("coordinator_a", "/reports/{report}", "/reports/{report}"),
    ("coordinator_a", "/official/ward", "/official/ward"),
    ("admin", "/official/targets", "/official/targets"),
    ("coordinator_a", "/lists/settings", "/lists/settings"),
    ("youth_a", "/campaigns/{campaign}/commendation", "/campaigns/{campaign}/commendation"),
]


FIELDS_SEEN: dict[str, list[str]] = {}


@pytest.mark.parametrize(("who", "page", "action"), FORMS, ids=[f[2] for f in FORMS])
@settings(max_examples=25, **HOSTILE_SETTINGS)
@given(data=st.data())
def test_hostile_form_posts_are_refused_cleanly(app, places, login_as, who, page, action, data):
    ids = places["ids"]
    client = login_as(places[who])
    page_url, action_url = page.format(**ids), action.format(**ids)
    # Read once per form: an accepted example may change the page (a flagged visit shows "unflag").
    if action not in FIELDS_SEEN:
        FIELDS_SEEN[action] = _form_fields(client.get(page_url).get_data(as_text=True), action_url.split("?")[0])
    fields = FIELDS_SEEN[action]
    values = {name: data.draw(HOSTILE_TEXT, label=name) for name in fields}
    _attack(client, action_url, values)


@settings(max_examples=40, **HOSTILE_SETTINGS)
@given(values=st.dictionaries(st.sampled_from(["username", "password", "remember"]), HOSTILE_TEXT))
def test_hostile_logins_are_refused_cleanly(app, ctx, values):
    response = _attack(app.test_client(), "/login", values)
    assert response.status_code in (422, 429)


SYNC_FIELDS = {
    "/api/visits": ["client_id", "household_id", "household_client_id", "visited_at", "outcome", "vneid_installed",
                    "level2_activated", "online_people", "services", "cashless_setup", "other_help", "helper_ids",
                    "followup_needed", "followup_reason", "followup_due", "note"],
    "/api/households": ["client_id", "area_id", "address", "display_name", "people", "eligible_people", "phone",
                        "phone_consent", "priority_tags", "tags_consent"],
    "/api/activities": ["client_id", "kind", "held_on", "area_id", "place", "people_online", "service_residence",
                        "service_passport", "level2_activated", "people_trained", "team_ids", "member_ids", "note",
                        "photos"],
}
JSON_VALUES = st.one_of(HOSTILE_TEXT, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                        st.lists(HOSTILE_TEXT, max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                            max_size=2))


@pytest.mark.parametrize("url", sorted(SYNC_FIELDS))
@settings(max_examples=40, **HOSTILE_SETTINGS)
@given(data=st.data())
def test_hostile_sync_payloads_are_refused_cleanly(app, places, url, data):
    client = app.test_client()
    login(client, places["volunteer_a"])
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(places["volunteer_a"])
    payload = data.draw(st.one_of(
        st.fixed_dictionaries({}, optional=dict.fromkeys(SYNC_FIELDS[url], JSON_VALUES)),
        st.lists(st.integers(), max_size=3), st.text(max_size=20)))
    _attack(client, url, payload, as_json=True)


def test_repeated_and_conflicting_client_ids(app, places):
    """The same id twice stores once; the same id with other content is refused."""
    client = app.test_client()
    login(client, places["volunteer_a"])
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(places["volunteer_a"])
    local_now = (utcnow() + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    visit = {"client_id": str(uuid.uuid4()), "household_id": places["household"].id, "visited_at": local_now,
             "outcome": "nobody_home", "vneid_installed": 0, "level2_activated": 0, "online_people": 0}
    codes = [_attack(client, "/api/visits", visit, as_json=True).status_code for _ in range(3)]
    conflict = _attack(client, "/api/visits", {**visit, "outcome": "declined"}, as_json=True)
    assert codes == [201, 200, 200] and conflict.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.client_id == visit["client_id"])) == 1


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def test_markup_in_names_is_shown_escaped_on_every_page(app, world, make_household, make_visit, make_campaign,
                                                        login_as):
    """Names typed as markup come back as text on every page each role can open."""
    from tests.test_access_matrix import ACCESS, ACTOR_KEYS, PUBLIC, SYNC_API, _url

    team = world["team_a"]
    team.name = f"Tổ {SCRIPT}"
    team.areas[0].name = f"Khu {IMG}"
    world["volunteer_a"].display_name = f"Lan {IMG}"
    db.session.commit()
    home = make_household(team.areas[0], address=f"Số 1 {IMG}", display_name=f"Hộ {SCRIPT}")
    visit = make_visit(home, world["volunteer_a"], note=f"ghi chú {SCRIPT}", followup_needed=True,
                       followup_reason=f"lý do {IMG}")
    campaign = make_campaign(name=f"Đợt {SCRIPT}")
    rollups.rebuild()
    db.session.commit()
    objects = {"household_id": home.id, "visit_id": visit.id, "area_id": team.areas[0].id, "team_id": team.id,
               "user_id": world["volunteer_a"].id, "ward_code": team.ward_code, "campaign_id": campaign.id,
               "token": campaign.share_token}
    checked = 0
    for (endpoint, method), access in ACCESS.items():
        if method != "GET" or access.who == SYNC_API or endpoint == "static":
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        for role in (ACTOR_KEYS if access.who == PUBLIC else access.who):
            response = login_as(world[ACTOR_KEYS[role]]).get(_url(rule, access, objects))
            if response.mimetype != "text/html":
                continue
            body = response.get_data(as_text=True)
            assert SCRIPT not in body and "<img src=x" not in body, f"{endpoint} as {role} shows raw markup"
            checked += 1
    assert checked >= 40


@settings(max_examples=30, **HOSTILE_SETTINGS)
@given(query=HOSTILE_TEXT)
def test_hostile_searches_answer_a_list(app, places, query):
    for who, url in (("volunteer_a", "/households"), ("coordinator_a", "/lists/households")):
        client = app.test_client()
        login(client, places[who])
        response = client.get(url, query_string={"q": query})
        # The list's filter form refuses an overlong search with its message; the field search shortens it.
        assert response.status_code == 200 or (response.status_code == 422 and 'role="alert"' in response.text)


def test_absurd_page_numbers_answer_a_page(places, login_as):
    for who, url in (("volunteer_a", "/visits"), ("coordinator_a", "/ward/visits"), ("coordinator_a", "/lists/households")):
        client = login_as(places[who])
        for page in ("-5", "0", "abc", "99999999999999999999"):
            assert client.get(url, query_string={"page": page}).status_code == 200


# --- The query string of every GET route ----------------------------------------------------------------

# Parameters any view might read, beyond those found in the source and in the pages' GET forms.
COMMON_PARAMS = ("page", "period", "start", "end", "from", "to", "ward", "code", "team", "area", "campaign",
                 "household", "volunteer", "q", "sort", "order", "next", "status", "indicator", "year", "month",
                 "view", "all", "pick", "id", "format", "lang", "kind", "cutoff", "number")
HOSTILE_QUERY_VALUES = (
    "0001-01-01", "9999-12-31", "10000-01-01", "0000-00-00", "2026-02-30", "-2026-01-01", "9999-12",
    "-1", "0", str(2**31), str(2**63), str(-2**63 - 1), str(2**64), "99999999999999999999", "1e309", "NaN",
    "\x00", "\x01\x1f\x7f", "a\x00b", "x" * 10_000, "🙂" * 100, "<script>alert(1)</script>", "' OR 1=1 --",
    "//evil.example", "/\\evil.example", "", " ", "true", "1", "best", "worst",
)


def _params_read_in_source() -> set[str]:
    """Every `request.args/values.get("name")` of the app: a parameter added later is attacked too."""
    found = set()
    for path in Path(app_package.__file__).parent.rglob("*.py"):
        found |= set(re.findall(r"request\.(?:args|values)\.get\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")))
    return found


def _get_form_fields(page: str) -> set[str]:
    return {name for form in re.findall(r"<form\b[^>]*method=\"get\"[^>]*>(.*?)</form>", page, re.S | re.I)
            for name in re.findall(r'name="([^"]+)"', form)}


class _ReadArgs(FieldData):
    """The query string, noting every key a view (or its form) looks up."""

    read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


class _ReadingRequest(web.Request):
    parameter_storage_class = _ReadArgs


def _routes() -> list[str]:
    from tests.test_access_matrix import ACCESS

    return sorted(f"{endpoint} {method}" for endpoint, method in ACCESS)


@pytest.fixture
def get_objects(places, make_campaign, login_as):
    """Real objects to fill each route's URL parts, as the access matrix does."""
    from tests.test_access_matrix import _import_token, official_import_token

    campaign = make_campaign()
    activity = Activity(client_id=str(uuid.uuid4()), content_hash="-", ward_code=places["team_a"].ward_code,
                        team_id=places["team_a"].id, recorded_by_id=places["volunteer_a"].id, kind="class",
                        held_on=date(2026, 11, 20), area_id=places["ids"]["area"])
    plan_item = PlanItem(ward_code=places["team_a"].ward_code, team_id=places["team_a"].id,
                         planned_on=date(2026, 11, 22), kind="help_desk", created_by_id=places["leader_a"].id)
    db.session.add_all([activity, plan_item])
    db.session.commit()
    return {"activity_id": activity.id, "item_id": plan_item.id,
            "household_id": places["ids"]["household"], "visit_id": places["ids"]["visit"],
            "area_id": places["ids"]["area"], "team_id": places["ids"]["team"], "user_id": places["ids"]["volunteer"],
            "ward_code": places["team_a"].ward_code, "campaign_id": campaign.id, "token": campaign.share_token,
            "report_id": places["ids"]["report"],
            "import": _import_token(login_as(places["coordinator_a"]), places["team_a"].areas[0]),
            "official_import": official_import_token(login_as(places["admin"]), places["team_a"].ward_code)}


QUERY_PARAMS_READ: dict = {}


def _assert_answers(client, path: str, query: list, who) -> None:
    response = client.get(path, query_string=query)
    assert response.status_code < 500, f"{path} as {who}: {response.status_code} for {query!r:.300}"


@pytest.fixture
def browsers(app, places):
    """One logged-in client per role, kept across Hypothesis' examples (logging in hashes a password)."""
    opened = {}

    def browser(role):
        if role not in opened:
            opened[role] = client = app.test_client()
            if role is not None:
                from tests.test_access_matrix import ACTOR_KEYS

                login(client, places[ACTOR_KEYS[role]])
                client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(places[ACTOR_KEYS[role]])
        return opened[role]
    return browser


@pytest.mark.parametrize("endpoint", [route.split()[0] for route in _routes() if route.endswith(" GET")])
@settings(max_examples=15, **HOSTILE_SETTINGS)
@given(data=st.data())
def test_hostile_query_strings_never_fail(app, places, get_objects, browsers, monkeypatch, endpoint, data):
    """Every GET route, opened by every role that may open it, with hostile values in every parameter it reads
    (each value alone in each parameter, each value in all of them, every value under one repeated key, then
    Hypothesis' mixtures of any parameter a view could read): never a 5xx."""
    from tests.test_access_matrix import ACCESS, ACTOR_KEYS, PUBLIC, SYNC_API, _url

    monkeypatch.setattr(app, "request_class", _ReadingRequest)
    access = ACCESS[(endpoint, "GET")]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods)
    url = _url(rule, access, get_objects)
    path = url.split("?")[0]
    allowed = {Role.VOLUNTEER, Role.TEAM_LEADER} if access.who == SYNC_API else access.who
    roles = [None] if access.who == PUBLIC else [role for role in ACTOR_KEYS if role in allowed]
    for role in roles:
        client = browsers(role)
        key = (endpoint, role)
        if key not in QUERY_PARAMS_READ:
            # The page's GET forms name what its form reads (a form copies the query string before reading it).
            page = client.get(url)  # a download (DOCX) has no forms to read
            fields = _get_form_fields(page.get_data(as_text=True)) if page.mimetype == "text/html" else set()
            candidates = sorted(set(COMMON_PARAMS) | _params_read_in_source() | fields)
            _ReadArgs.read = set()
            for query in (url.partition("?")[2], [(name, "1") for name in candidates]):
                client.get(path, query_string=query)
            read = sorted(_ReadArgs.read | fields)
            QUERY_PARAMS_READ[key] = (candidates, read)
            for name in read:
                for value in HOSTILE_QUERY_VALUES:
                    _assert_answers(client, path, [(name, value)], role)
                _assert_answers(client, path, [(name, value) for value in HOSTILE_QUERY_VALUES], role)
            for value in HOSTILE_QUERY_VALUES:
                _assert_answers(client, path, [(name, value) for name in read], role)
        candidates, read = QUERY_PARAMS_READ[key]
        names = st.sampled_from(read) if read and data.draw(st.booleans(), label="read only") else st.sampled_from(
            candidates)
        query = data.draw(st.lists(st.tuples(names, st.one_of(st.sampled_from(HOSTILE_QUERY_VALUES), HOSTILE_TEXT)),
                                   max_size=6), label="query")
        _assert_answers(client, path, query, role)


HOSTILE_IDS = ("-1", "0", str(2**31), str(2**63), str(-2**63 - 1), "99999999999999999999", "1e3", "abc", "\x00",
               "..", "x" * 2_000)


@pytest.mark.parametrize("route", _routes())
def test_hostile_ids_in_the_path_are_not_found(app, get_objects, browsers, route):
    """Every part of every route's path that names an object, given an id no row has (negative, past 2**31 or
    2**63, not a number): refused as not found, never a 5xx."""
    from tests.test_access_matrix import ACCESS, FIXED_PARTS, PUBLIC, SYNC_API, _url

    endpoint, method = route.split()
    access = ACCESS[(endpoint, method)]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    allowed = [Role.VOLUNTEER] if access.who == SYNC_API else [None] if access.who == PUBLIC else sorted(access.who)
    client = browsers(allowed[0])
    for part in sorted(set(rule.arguments) - set(FIXED_PARTS)):
        for value in HOSTILE_IDS:
            uploads = {"import": quote(value), "official_import": quote(value)} if part == "token" else {}
            named = {**get_objects, part: quote(value, safe=""), **uploads}
            response = client.open(_url(rule, access, named), method=method)
            assert response.status_code in (400, 403, 404), f"{route} {part}={value!r:.40}: {response.status_code}"


OUT_OF_RANGE = "Chọn ngày từ 01/01/2000 đến 31/12/2100."


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_the_supported_years_are_refused_with_a_message(places, login_as, day):
    """Year 1 or 9999 in a period, a target, a campaign or a visit: a Vietnamese message, nothing stored."""
    today = (utcnow() + timedelta(hours=7)).date()
    coordinator = login_as(places["coordinator_a"])
    for url in ("/ward", "/ward/visits"):
        for key in ("start", "end"):
            response = coordinator.get(url, query_string={key: day})
            assert response.status_code == 422 and OUT_OF_RANGE in response.text, (url, key)
    assert coordinator.get("/ward/report.csv", query_string={"start": day}).status_code == 400
    target = _attack(coordinator, "/ward/targets", {"indicator": "reach", "period_start": day,
                                                    "period_end": today.isoformat(), "value": "50"})
    assert target.status_code == 422 and OUT_OF_RANGE in target.text

    from tests.test_ranking import _form

    campaign = _attack(login_as(places["youth_a"]), "/campaigns/new", _form(start_date=day, end_date=day))
    assert campaign.status_code == 422 and OUT_OF_RANGE in campaign.text

    client = login_as(places["volunteer_a"])
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(places["volunteer_a"])
    visit = {"client_id": str(uuid.uuid4()), "household_id": places["household"].id, "outcome": "met",
             "visited_at": f"{today.isoformat()}T08:00", "vneid_installed": 0, "level2_activated": 0,
             "online_people": 0, "followup_needed": True, "followup_reason": "Hẹn lại", "followup_due": day}
    for changes in ({"visited_at": f"{day}T00:00"}, {}):
        response = _attack(client, "/api/visits", {**visit, **changes}, as_json=True)
        field = "visited_at" if changes else "followup_due"
        assert response.status_code == 422 and response.json["errors"][field] == [OUT_OF_RANGE]


def test_filter_ids_beyond_range_are_refused_with_a_message(places, login_as):
    coordinator = login_as(places["coordinator_a"])
    for key in ("area", "team", "volunteer"):
        for ident in (str(2**31), str(2**63), "-1"):
            response = coordinator.get("/ward/visits", query_string={key: ident})
            assert response.status_code == 422 and "Lựa chọn không hợp lệ." in response.text


@pytest.mark.parametrize("ident", [str(2**63), "99999999999999999999", "²", "-1", ""])
def test_a_session_naming_no_possible_user_is_logged_out(app, ctx, ident):
    """The login cookie is signed, but its id still goes through the one bound: never a 5xx, just the login."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{ident}.token"
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_nul_characters_never_reach_the_database(places, login_as, get_objects):
    """PostgreSQL text cannot hold NUL: the query string and form drop it at the door, a path part holding one
    matches no route, a household client id that is no UUID names nothing."""
    client = login_as(places["volunteer_a"])
    assert client.get("/households", query_string={"q": "Số\x00"}).status_code == 200
    assert client.get("/visits/new", query_string={"household_client": "a\x00b"}).status_code == 200
    assert client.get(f"/board/public/{quote(chr(0))}").status_code == 404
    assert client.get(f"/board/public/{get_objects['token']}{quote(chr(0))}").status_code == 404
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(places["volunteer_a"])
    local_now = (utcnow() + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    response = _attack(client, "/api/visits", {"client_id": str(uuid.uuid4()), "household_client_id": "a\x00",
                                               "visited_at": local_now, "outcome": "nobody_home"}, as_json=True)
    assert response.status_code == 404 and response.json["field"] == "household_id"
    coordinator = login_as(places["coordinator_a"])
    merge = f"/lists/households/{places['household'].id}/merge"
    assert coordinator.get(merge, query_string={"q": "\x00"}).status_code == 200
