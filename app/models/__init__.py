"""All tables of Phủ Số. Import models from here."""

from app.models.audit import AuditLog, LoginThrottle
from app.models.counts import AREA_COUNT_COLUMNS, AREA_DAY_COLUMNS, COUNTER_COLUMNS, AreaCount, AreaDayCount, DailyCount
from app.models.geo import Province, Ward, unit_order
from app.models.household import PRIORITY_TAGS, SENSITIVE_TAGS, Household, HouseholdStatus
from app.models.org import Area, Role, Team, User, member_areas, team_areas
from app.models.plan import Campaign, Indicator, Target
from app.models.score import SCORE_COLUMNS, ScoreUnit, TeamDayScore
from app.models.visit import ONLINE_SERVICES, Outcome, Visit, visit_helpers

__all__ = [
    "AREA_COUNT_COLUMNS",
    "AREA_DAY_COLUMNS",
    "COUNTER_COLUMNS",
    "ONLINE_SERVICES",
    "PRIORITY_TAGS",
    "SCORE_COLUMNS",
    "SENSITIVE_TAGS",
    "Area",
    "AreaCount",
    "AreaDayCount",
    "AuditLog",
    "Campaign",
    "DailyCount",
    "Household",
    "HouseholdStatus",
    "Indicator",
    "LoginThrottle",
    "Outcome",
    "Province",
    "Role",
    "ScoreUnit",
    "Target",
    "Team",
    "TeamDayScore",
    "User",
    "Visit",
    "Ward",
    "member_areas",
    "team_areas",
    "unit_order",
    "visit_helpers",
]
