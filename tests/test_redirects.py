"""Where a form sends the browser back to: only a path on this site, whatever the `next` parameter says."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Role
from tests.conftest import PASSWORD

# Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so most of these would
# leave the site once "cleaned" by the browser; CR/LF would also split the Location header.
HOSTILE = [
    "//evil.example", "///evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/x", "\t//evil.example",
    "\\\\evil.example", "/\\evil.example", "\\/evil.example", "http:evil.example", "https://evil.example/",
    "javascript:alert(1)", "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%09/evil.example",
    "/\u00a0/evil.example", "/\u3000/evil.example", "/\u2028/evil.example", "/\u200b/evil.example",
    "/\x00/evil.example", " /home", "/ok\x7f", "/" + "a" * 5000, "evil.example", "", "?next=//evil",
]
# Escapes that only the query string decodes: the browser's own decoding of `?next=` gives these characters.
RAW_QUERIES = ["/%09/evil.example", "/%0d%0a/x", "%5C%5Cevil.example", "/%E3%80%80/evil.example"]
FINE = ["/", "/households?q=nguyen%20van&page=2", "/visits/new?household=3", "/board/ward?code=31135"]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(client, make_user, target):
    user = make_user(Role.VOLUNTEER)
    response = client.post("/login", query_string={"next": target},
                           data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200  # the login went through and was kept
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "login"))


@pytest.mark.parametrize("query", RAW_QUERIES)
def test_login_next_decoded_by_the_query_string(client, make_user, query):
    user = make_user(Role.VOLUNTEER)
    response = client.post(f"/login?next={query}", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/lang/en", data={"next": target})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("target", HOSTILE[:8])
def test_closing_a_followup_never_redirects_off_site(world, make_household, make_visit, login_as, target):
    visit = make_visit(make_household(world["team_a"].areas[0]), world["volunteer_a"], followup_needed=True,
                       followup_reason="Hẹn lại")
    response = login_as(world["volunteer_a"]).post(f"/followups/{visit.id}/close", data={"next": target})
    assert response.status_code == 303 and response.location == "/"


@pytest.mark.parametrize("target", FINE)
def test_paths_of_this_site_are_kept(client, make_user, target):
    user = make_user(Role.VOLUNTEER)
    response = client.post("/login", query_string={"next": target},
                           data={"username": user.username, "password": PASSWORD})
    assert response.location == target
    assert client.post("/lang/vi", data={"next": target}).location == target
