"""Campaigns and their leaderboard: what stays of scoring once the household-days live in services/rollups."""

from app.services.ranking.board import (
    Board,
    CountedDay,
    Standing,
    TeamRank,
    WeekPoints,
    board_top,
    campaign_team,
    counted_days,
    counted_until,
    leaderboard,
    my_team_ranks,
    points,
    weekly_points,
    weight,
)
from app.services.ranking.campaigns import (
    DEFAULT_WEIGHTS,
    MAX_DAYS,
    MAX_WEIGHT,
    RULE_NOTE,
    RULES,
    CampaignError,
    CampaignInput,
    Rule,
    active_campaigns,
    by_share_token,
    campaigns,
    create,
    may_manage,
    record_export,
    revoke,
    share,
)

__all__ = [
    "DEFAULT_WEIGHTS", "MAX_DAYS", "MAX_WEIGHT", "RULES", "RULE_NOTE", "Board", "CampaignError", "CampaignInput",
    "CountedDay", "Rule", "Standing", "TeamRank", "WeekPoints", "active_campaigns", "board_top", "by_share_token",
    "campaign_team", "campaigns", "counted_days", "counted_until", "create", "leaderboard", "may_manage",
    "my_team_ranks", "points", "record_export", "revoke", "share", "weekly_points", "weight",
]
