"""All tables of Phủ Số. Import models from here."""

from app.models.activity import (
    ACTIVITY_KIND_LABELS,
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivityService,
    activity_members,
    activity_teams,
)
from app.models.audit import AuditLog, LoginThrottle
from app.models.counts import (
    AREA_COUNT_COLUMNS,
    COUNTER_COLUMNS,
    HOUSEHOLD_DAY_COLUMNS,
    WARD_DAY_COLUMNS,
    AreaCount,
    DailyCount,
    WardDayCount,
)
from app.models.geo import Province, Ward, unit_order
from app.models.household import PRIORITY_TAGS, SENSITIVE_TAGS, Household, HouseholdStatus
from app.models.official import (
    RATE_INDICATORS,
    OfficialFigure,
    OfficialIndicator,
    PeriodKind,
    ProvinceTarget,
)
from app.models.org import Area, Role, Team, User, member_areas, team_areas
from app.models.plan import COMMEND_DEFAULTS, Campaign, Indicator, Target
from app.models.report import PeriodicReport, ReportStatus
from app.models.score import SCORE_COLUMNS, ScoreUnit, TeamDayScore
from app.models.team_plan import PlanItem, plan_item_members
from app.models.visit import ONLINE_SERVICES, Outcome, Visit, visit_helpers

__all__ = [
    "ACTIVITY_KIND_LABELS",
    "AREA_COUNT_COLUMNS",
    "COMMEND_DEFAULTS",
    "COUNTER_COLUMNS",
    "HOUSEHOLD_DAY_COLUMNS",
    "ONLINE_SERVICES",
    "PRIORITY_TAGS",
    "RATE_INDICATORS",
    "SCORE_COLUMNS",
    "SENSITIVE_TAGS",
    "WARD_DAY_COLUMNS",
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "ActivityService",
    "Area",
    "AreaCount",
    "AuditLog",
    "Campaign",
    "DailyCount",
    "Household",
    "HouseholdStatus",
    "Indicator",
    "LoginThrottle",
    "OfficialFigure",
    "OfficialIndicator",
    "Outcome",
    "PeriodKind",
    "PeriodicReport",
    "PlanItem",
    "Province",
    "ProvinceTarget",
    "ReportStatus",
    "Role",
    "ScoreUnit",
    "Target",
    "Team",
    "TeamDayScore",
    "User",
    "Visit",
    "Ward",
    "WardDayCount",
    "activity_members",
    "activity_teams",
    "member_areas",
    "plan_item_members",
    "team_areas",
    "unit_order",
    "visit_helpers",
]
