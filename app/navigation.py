"""The bottom navigation, per role. An entry shows only once its endpoint exists."""

from flask import current_app

from app.extensions import lazy_gettext as _l
from app.models import Role
from app.services.scope import may

_ITEMS = {
    "main.home": (_l("Today"), "home"),
    "field.visit_new": (_l("Log visit"), "plus"),
    "field.households_list": (_l("Households"), "house"),
    "activities.activities_list": (_l("Activities"), "flag"),
    "board.team": (_l("Team"), "team"),
    "board.ward": (_l("Commune/ward board"), "chart"),
    "board.province": (_l("Province"), "chart"),
    "ranking.campaigns": (_l("Ranking"), "trophy"),
    "reports.index": (_l("Reports"), "doc"),
    "reports.province": (_l("Reports"), "doc"),
    "lists.index": (_l("Lists"), "list"),
    "admin.users": (_l("Users"), "users"),
    "admin.wards": (_l("Communes and wards"), "map"),
}

_BY_ROLE = {
    Role.VOLUNTEER: ["main.home", "field.households_list", "field.visit_new", "activities.activities_list",
                     "ranking.campaigns"],
    Role.TEAM_LEADER: ["main.home", "field.households_list", "field.visit_new", "activities.activities_list",
                        "board.team", "ranking.campaigns"],
    Role.COORDINATOR: ["main.home", "board.ward", "activities.activities_list", "reports.index", "lists.index",
                        "admin.users"],
    Role.YOUTH_LEADER: ["main.home", "ranking.campaigns"],
    Role.ADMIN: ["main.home", "board.province", "admin.wards", "admin.users"],
    Role.PROVINCE: ["main.home", "board.province", "reports.province"],
}


def nav_items(user) -> list[tuple[str, str, str]]:
    if not user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    # An account missing the team or ward its role works in can do nothing but read its home page.
    wanted = _BY_ROLE[Role(user.role)] if may(user, Role(user.role)) else ["main.home"]
    return [(ep, str(_ITEMS[ep][0]), _ITEMS[ep][1]) for ep in wanted if ep in endpoints]
