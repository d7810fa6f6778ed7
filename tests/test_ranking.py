"""Emulation campaigns: creating one, the fair scoring rules (hand-computed), the leaderboard and a team's
detail, scope, the public link and the export."""

import csv
import io
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Campaign, Outcome, Role, TeamDayScore
from app.services import ranking, rollups, visits
from app.services.ranking import board as ranking_board
from tests.conftest import WARD_A, WARD_B, count, queries_for

# Wednesday 15/10/2025, 10:00 in Vietnam. The campaign runs October 2025; this week starts Monday 13/10.
NOW = datetime(2025, 10, 15, 3, 0)
OCTOBER = {"name": "Tháng 10 thi đua", "start_date": date(2025, 10, 1), "end_date": date(2025, 10, 31)}


def at(day: int, hour: int = 2, month: int = 10) -> datetime:
    """A visit time (naive UTC) on a day of 2025: 02:00 UTC is 09:00 in Vietnam, the same date."""
    return datetime(2025, month, day, hour)


pytestmark = pytest.mark.frozen_at(NOW)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _campaign(ward_code=WARD_A, weights=None, **kw) -> Campaign:
    campaign = Campaign(**{**OCTOBER, **kw}, province_code=92, ward_code=ward_code,
                        weights=weights or dict(ranking.DEFAULT_WEIGHTS))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _rebuild():
    rollups.rebuild()
    db.session.commit()


def _standing(board, team):
    return next(s for s in board.standings if s.team_id == team.id)


# --- Scoring rules, by hand -------------------------------------------------------------------------------

def test_default_weights_reward_level2_for_a_whole_area_over_door_knocking(
        world, make_area, make_team, make_user, make_household, make_visit, frozen_clock, rollup_verified):
    knockers = make_team(WARD_A, name="Tổ Gõ Cửa")
    activators = make_team(WARD_A, name="Tổ Kích Hoạt")
    knocker = make_user(Role.VOLUNTEER, team=knockers)
    activator = make_user(Role.VOLUNTEER, team=activators)
    # 20 households met three times each on different days, nothing else done: 60 met visits.
    for _ in range(20):
        household = make_household(knockers.areas[0])
        for day in (2, 6, 9):
            make_visit(household, knocker, visited_at=at(day))
    # 10 households met once each, level 2 activated for their 3 people aged 14 and over.
    for _ in range(10):
        make_visit(make_household(activators.areas[0], people=4, eligible_people=3), activator,
                   visited_at=at(3), level2_activated=3)
    _rebuild()
    board = ranking.leaderboard(_campaign())
    # Knockers: 20 households met in October x 1 (the other 40 met visits, same month, earn nothing)
    # + 20 first reaches x 4 = 100. Activators: 10 x (1 met + 3 x 5 level 2 + 4 first reach) = 200.
    assert _standing(board, knockers).score == 100
    assert _standing(board, activators).score == 200
    assert _standing(board, activators).rank < _standing(board, knockers).rank


def test_household_days_count_once_capped_flagged_excluded_first_reach_once(
        world, make_household, make_user, make_visit, frozen_clock, rollup_verified):
    team_a, lan = world["team_a"], world["volunteer_a"]
    other_team = _other_team_in(WARD_A)
    binh = make_user(Role.VOLUNTEER, team=other_team)
    area = team_a.areas[0]
    other_team.areas.append(area)
    db.session.commit()
    small = make_household(area, people=2, eligible_people=2)
    # Twice the same local day (09:00 and 16:00 in Vietnam): met, level 2 1 + 2 capped at 2, tutored.
    make_visit(small, lan, visited_at=at(6), level2_activated=1)
    make_visit(small, lan, visited_at=at(6, hour=9), level2_activated=2, services="residence", online_people=1)
    # A flagged visit another day counts nothing (cashless would be 2 points).
    make_visit(small, lan, visited_at=at(8), cashless_setup=True, flagged=True, flag_reason="Trùng")
    # Reached in September by team A: met in October again scores 1, no first reach.
    old = make_household(area)
    make_visit(old, lan, visited_at=at(20, month=9))
    make_visit(old, lan, visited_at=at(7), followup_needed=True, followup_reason="Hẹn",
               followup_due=date(2025, 10, 9), followup_closed_at=at(9))
    make_visit(old, lan, visited_at=at(9, hour=1))  # the return visit the follow-up needs to score
    # First reached by the other team on the 2nd; team A's visit on the 3rd earns no first reach.
    shared = make_household(area)
    make_visit(shared, binh, visited_at=at(2))
    make_visit(shared, lan, visited_at=at(3), outcome=Outcome.NOBODY_HOME)
    make_visit(shared, lan, visited_at=at(4), cashless_setup=True)
    _rebuild()
    board = ranking.leaderboard(_campaign())
    a, b = _standing(board, team_a), _standing(board, other_team)
    # Team A: small (1 + 2x5 + 3 + 4) = 18; old on the 7th: 1, on the 9th: met again in October 0 +
    # follow-up closed after the return visit 2; shared on the 4th: 1 + 2 cashless = 3 (the nobody-home
    # visit of the 3rd counts nothing). 18 + 1 + 2 + 3 = 24.
    assert a.counts == {"met": 3, "level2": 2, "tutored": 1, "cashless": 1, "followups_closed": 1, "first_reach": 1,
                        "activities": 0, "activity_online": 0, "activity_level2": 0, "activity_trained": 0}
    assert a.score == 24
    # The other team: shared met and reached first on the 2nd: 1 + 4 = 5.
    assert b.counts["first_reach"] == 1 and b.score == 5


def _other_team_in(ward_code):
    from app.models import Team
    team = Team(ward_code=ward_code, name="Tổ CNSCĐ Bến Ninh Kiều")
    db.session.add(team)
    db.session.commit()
    return team


def test_score_per_member_divides_by_active_members(world, make_team, make_user, make_household, make_visit,
                                                    frozen_clock):
    pair = make_team(WARD_A, name="Tổ Hai Người")
    four = make_team(WARD_A, name="Tổ Bốn Người")
    pair_members = [make_user(Role.VOLUNTEER, team=pair) for _ in range(2)]
    four_members = [make_user(Role.VOLUNTEER, team=four) for _ in range(4)]
    make_user(Role.VOLUNTEER, team=four, active=False)  # a former member does not count
    for member in pair_members:
        make_visit(make_household(pair.areas[0], people=1, eligible_people=1), member, visited_at=at(5),
                   level2_activated=1)
    for member in four_members:
        make_visit(make_household(four.areas[0], people=1, eligible_people=1), member, visited_at=at(5),
                   level2_activated=1)
    _rebuild()
    board = ranking.leaderboard(_campaign())
    # Each household-day: 1 + 5 + 4 = 10 points.
    assert (_standing(board, pair).score, _standing(board, pair).per_member) == (20, 10.0)
    assert (_standing(board, four).score, _standing(board, four).per_member) == (40, 10.0)


def test_visits_logged_edited_and_flagged_keep_the_campaign_sums_in_step(world, make_household, rollup_verified):
    lan, coordinator = world["volunteer_a"], world["coordinator_a"]
    household = make_household(world["team_a"].areas[0], people=3, eligible_people=2)
    now = utcnow().replace(second=0, microsecond=0)
    campaign = _campaign(start_date=clock.local_today() - timedelta(days=3),
                         end_date=clock.local_today() + timedelta(days=3))

    def log(**fields):
        data = visits.VisitInput(client_id=str(uuid.uuid4()), household_id=household.id, visited_at=now,
                                 outcome=Outcome.MET, **fields)
        visit, _created = visits.record(lan, data)
        db.session.commit()
        return visit

    first = log(level2_activated=1)
    log(level2_activated=1, cashless_setup=True)  # same day: one household-day
    score = _standing(ranking.leaderboard(campaign), world["team_a"]).score
    assert score == 1 + 2 * 5 + 2 + 4
    visits.flag(coordinator, first, "Trùng giờ")
    db.session.commit()
    assert _standing(ranking.leaderboard(campaign), world["team_a"]).score == 1 + 5 + 2 + 4
    days = db.session.scalars(select(TeamDayScore)).all()
    assert [(d.met, d.level2, d.cashless, d.first_reach) for d in days] == [(1, 1, 1, 1)]


def test_a_week_agos_scores_and_ranks_are_the_board_of_a_week_ago(world, make_team, make_user, make_household,
                                                                  make_visit, frozen_clock, rollup_verified):
    """The week-ago score is today's less the last seven days' points, visits' and activities' alike: the same
    scores and ranks as the board counted a week ago."""
    from app.models import Activity

    helpdesk, visiting, quiet = (make_team(WARD_A, name=name) for name in ("Tổ Một Cửa", "Tổ Đến Nhà", "Tổ Lặng"))
    members = {team.id: make_user(Role.VOLUNTEER, team=team) for team in (helpdesk, visiting, quiet)}
    make_visit(make_household(visiting.areas[0]), members[visiting.id], visited_at=at(3), level2_activated=1)
    make_visit(make_household(visiting.areas[0]), members[visiting.id], visited_at=at(12), level2_activated=1)
    make_visit(make_household(quiet.areas[0]), members[quiet.id], visited_at=at(8), outcome=Outcome.NOBODY_HOME)
    for held_on, people in ((date(2025, 10, 2), 4), (date(2025, 10, 8), 30), (date(2025, 10, 9), 25)):
        db.session.add(Activity(client_id=str(uuid.uuid4()), content_hash="x", ward_code=WARD_A,
                                team_id=helpdesk.id, recorded_by_id=members[helpdesk.id].id, kind="help_desk",
                                held_on=held_on, place="Bộ phận một cửa", people_online=people))
    _rebuild()
    campaign = _campaign()
    board = ranking.leaderboard(campaign)
    week_ago = ranking.leaderboard(campaign, today=board.previous_until)
    then = {s.team_id: (s.score, s.rank) for s in week_ago.standings}
    assert {s.team_id: (s.previous_score, s.previous_rank) for s in board.standings} == then
    mine = {s.team: (s.previous_score, s.score, s.rank_change) for s in board.standings
            if s.team in ("Tổ Một Cửa", "Tổ Đến Nhà", "Tổ Lặng")}
    # Một Cửa by 8/10: two activities with 34 people online (2 points each, 1 a person); one more with 25 on 9/10.
    assert mine["Tổ Một Cửa"] == (2 * 2 + 34, 3 * 2 + 59, 0)
    assert mine["Tổ Đến Nhà"][1] > mine["Tổ Đến Nhà"][0] > 0 and mine["Tổ Lặng"][0] == mine["Tổ Lặng"][1]


def test_rank_change_since_last_week_and_tied_teams_listed_by_reach_then_name(
        world, make_team, make_user, make_household, make_visit, frozen_clock, login_as, rollup_verified):
    early = make_team(WARD_A, name="Tổ Sớm")
    late = make_team(WARD_A, name="Tổ Muộn")
    tied = make_team(WARD_A, name="Tổ Hòa")
    early_member, late_member, tied_member = (make_user(Role.VOLUNTEER, team=t) for t in (early, late, tied))
    make_visit(make_household(early.areas[0]), early_member, visited_at=at(2), level2_activated=1)  # 10 points
    # Late scores 20 this week only (13/10 onwards); a week ago it had nothing.
    for _ in range(2):
        make_visit(make_household(late.areas[0]), late_member, visited_at=at(14), level2_activated=1)
    # Tied with Early on 10 points but a wider reach (1 of 1 household against 1 of 2): listed first, same rank.
    make_visit(make_household(tied.areas[0]), tied_member, visited_at=at(3), level2_activated=1)
    make_household(early.areas[0])
    _rebuild()
    board = ranking.leaderboard(_campaign())
    assert board.until == date(2025, 10, 15) and board.previous_until == date(2025, 10, 8)
    ranks = [(s.team, s.rank, s.rank_change) for s in board.standings if s.team in ("Tổ Sớm", "Tổ Muộn", "Tổ Hòa")]
    # A week ago: Hòa and Sớm shared the first rank on 10, Muộn shared the third with the zero-score teams.
    assert ranks == [("Tổ Muộn", 1, 2), ("Tổ Hòa", 2, -1), ("Tổ Sớm", 2, -1)]
    # What the rows say, in Vietnamese, on "show all" and on a team's page.
    client = login_as(world["youth_a"])
    every = _text(client.get(f"/campaigns/{board.campaign.id}?all=1", headers={"HX-Request": "true"}))
    assert "▲ 2" in every and "tăng 2 hạng so với tuần trước" in every
    assert "▼ 1" in every and "giảm 1 hạng so với tuần trước" in every
    assert f'href="/campaigns/{board.campaign.id}/teams/{early.id}"' in every
    early_page = _text(client.get(f"/campaigns/{board.campaign.id}/teams/{early.id}"))
    assert "giảm 1 hạng so với tuần trước" in early_page and "(1 / 2)" in early_page and "50,00%" in early_page


def _scored_teams(make_team, make_user, make_household, make_visit, scores: dict[str, tuple[int, int]]):
    """Teams of ward A by name, each with its households met and level-2 activations: a met household
    first reached scores 1 + 4, each level 2 another 5 (the default weights)."""
    made = {}
    for name, (met, level2) in scores.items():
        team = make_team(WARD_A, name=name)
        member = make_user(Role.VOLUNTEER, team=team)
        for i in range(met):
            make_visit(make_household(team.areas[0]), member, visited_at=at(10), level2_activated=int(i < level2))
        made[name] = team
    return made


def test_tied_teams_share_a_rank_everywhere_a_rank_is_shown(
        world, make_team, make_user, make_household, make_visit, frozen_clock, login_as, client, rollup_verified):
    teams = _scored_teams(make_team, make_user, make_household, make_visit, {
        "Tổ Bến Ninh Kiều": (2, 2),  # 20 points
        "Tổ Cái Khế": (1, 1),  # 10
        "Tổ An Hòa": (2, 0),  # 10: tied with Cái Khế, the same reach (100%), so by name first
        "Tổ Xuân Khánh": (1, 0),  # 5
    })
    _rebuild()
    campaign = _campaign(share_token="tie-token")
    board = ranking.leaderboard(campaign)
    assert [(s.team, s.score, s.rank) for s in board.standings[:4]] == [
        ("Tổ Bến Ninh Kiều", 20, 1), ("Tổ An Hòa", 10, 2), ("Tổ Cái Khế", 10, 2), ("Tổ Xuân Khánh", 5, 4)]
    assert _standing(board, world["team_a"]).rank == 5  # nothing scored: fifth, after four teams
    rank_cells = re.compile(r'<span class="rank(?: medal-\d)?">(\d+)')
    leader = login_as(world["youth_a"])
    page = _text(leader.get(f"/campaigns/{campaign.id}"))
    assert rank_cells.findall(page) == ["1", "2", "2", "4", "5"]
    assert "(huy chương vàng)" in page and page.count("(huy chương bạc)") == 2 and "huy chương đồng" not in page
    assert page.count('class="rank medal-') == 3  # team A, fifth with no points, wears none
    assert "cùng điểm số thì đồng hạng" in page and "(1, 2, 2, 4)" in page
    assert 'class="gap"' not in page  # tied ranks skip a number, not a team
    # Each score as a bar against the best: 20, 10, 10, 5 and 0 of 20.
    assert re.findall(r'class="score-bar" value="(\d+)" max="(\d+)"', page) == [
        ("20", "20"), ("10", "20"), ("10", "20"), ("5", "20"), ("0", "20")]
    assert rank_cells.findall(_text(leader.get(f"/campaigns/{campaign.id}?all=1"))) == ["1", "2", "2", "4", "5"]
    assert rank_cells.findall(_text(client.get("/board/public/tie-token"))) == ["1", "2", "2", "4", "5"]
    team_page = _text(leader.get(f"/campaigns/{campaign.id}/teams/{teams['Tổ Cái Khế'].id}"))
    assert '<span class="stat-value">2 / 5</span>' in team_page
    lines = list(csv.reader(io.StringIO(_text(leader.get(f"/campaigns/{campaign.id}/export.csv")).lstrip("\ufeff"))))
    header = next(i for i, line in enumerate(lines) if line and line[0] == "Hạng")
    assert [line[:2] for line in lines[header + 1:header + 5]] == [
        ["1", "Tổ Bến Ninh Kiều"], ["2", "Tổ An Hòa"], ["2", "Tổ Cái Khế"], ["4", "Tổ Xuân Khánh"]]
    member = make_user(Role.VOLUNTEER, team=teams["Tổ Cái Khế"])
    assert "Hạng 2/5 · 10 điểm" in _text(login_as(member).get("/"))


def test_on_a_campaigns_first_day_every_team_is_first_and_none_wears_a_medal(world, make_team, login_as):
    make_team(WARD_A, name="Tổ Mới")
    campaign = _campaign(start_date=date(2025, 10, 15))
    page = _text(login_as(world["youth_a"]).get(f"/campaigns/{campaign.id}"))
    assert re.findall(r'<span class="rank">(\d+)', page) == ["1", "1"] and "medal-" not in page


# --- Creating a campaign ----------------------------------------------------------------------------------

def _form(**changes) -> dict:
    data = {"name": "Đợt thi đua Tháng Thanh niên", "start_date": "2025-03-01", "end_date": "2025-03-31",
            "scope": str(WARD_A)}
    data.update({f"weight_{rule.key}": str(rule.default_weight) for rule in ranking.RULES})
    return {**data, **changes}


def test_youth_leader_creates_a_ward_campaign_with_default_weights(world, login_as):
    client = login_as(world["youth_a"])
    page = client.get("/campaigns/new")
    assert page.status_code == 200 and "Điểm cho mỗi kết quả" in _text(page)
    assert 'value="5"' in _text(page)  # level 2 by default
    response = client.post("/campaigns/new", data=_form())
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.ward_code, campaign.weights["level2"], campaign.weights["met"]) == (WARD_A, 5, 1)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "campaign.create")) is not None
    board = client.get(response.headers["Location"])
    assert board.status_code == 200 and "Đợt thi đua Tháng Thanh niên" in _text(board)
    assert "style=" not in _text(board)


@pytest.mark.parametrize(("changes", "message"), [
    ({"end_date": "2025-02-01"}, "Đợt thi đua kết thúc trước khi bắt đầu."),
    ({"end_date": "2026-03-31"}, "Một đợt thi đua kéo dài tối đa 366 ngày."),
    ({"weight_level2": "101"}, "Điểm là số nguyên từ 0 đến 100."),
    ({"weight_met": "-1"}, "Điểm là số nguyên từ 0 đến 100."),
    ({"weight_met": "1,5"}, "Cần nhập một số nguyên."),
    ({"name": "  "}, "Hãy đặt tên cho đợt thi đua."),
    ({"scope": str(WARD_B)}, "Lựa chọn không hợp lệ."),
    ({"scope": "province"}, "Không có đơn vị nào tên “province”"),  # a ward leader: only its ward
])
def test_bad_campaign_input_is_refused_in_vietnamese_and_nothing_stored(world, login_as, changes, message):
    response = login_as(world["youth_a"]).post("/campaigns/new", data=_form(**changes))
    assert response.status_code == 422
    assert message in _text(response)
    assert count(Campaign) == 0


def test_province_leader_may_run_a_province_campaign_and_sees_every_ward(world, make_user, login_as):
    province_leader = make_user(Role.YOUTH_LEADER, ward_code=None)
    client = login_as(province_leader)
    response = client.post("/campaigns/new", data=_form(scope="province", start_date="2025-10-01",
                                                        end_date="2025-10-31"))
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert campaign.ward_code is None
    body = _text(client.get(f"/campaigns/{campaign.id}"))
    assert world["team_a"].name in body and world["team_b"].name in body
    filtered = client.get(f"/campaigns/{campaign.id}?ward={WARD_B}", headers={"HX-Request": "true"})
    assert filtered.status_code == 200 and "<html" not in _text(filtered)
    assert world["team_b"].name in _text(filtered) and world["team_a"].name not in _text(filtered)
    # The unit is typed, not scrolled to: a name without diacritics finds it; a name of no unit says so.
    typed = _text(client.get(f"/campaigns/{campaign.id}?ward=cai+rang"))
    assert world["team_b"].name in typed and world["team_a"].name not in typed
    assert 'value="Phường Cái Răng"' in typed and "Tất cả xã, phường" in typed
    unknown = client.get(f"/campaigns/{campaign.id}?ward=Xa+Khong+Co")
    assert unknown.status_code == 422 and "Xa Khong Co" in _text(unknown)
    assert world["team_a"].name in _text(unknown) and world["team_b"].name in _text(unknown)


def test_a_volunteer_cannot_create_campaigns(world, login_as):
    client = login_as(world["volunteer_a"])
    assert client.get("/campaigns/new").status_code == 403
    assert client.post("/campaigns/new", data=_form()).status_code == 403
    assert count(Campaign) == 0


# --- Scope ------------------------------------------------------------------------------------------------

def test_ward_leader_cannot_see_or_share_another_wards_campaign_nor_households(
        world, make_household, make_visit, login_as):
    other = _campaign(ward_code=WARD_B, name="Đợt của phường Cái Răng")
    own = _campaign(ward_code=WARD_A)
    household = make_household(world["team_a"].areas[0])
    visit = make_visit(household, world["volunteer_a"])
    client = login_as(world["youth_a"])
    listing = _text(client.get("/campaigns"))
    assert own.name in listing and "Đợt của phường Cái Răng" not in listing
    for url in (f"/campaigns/{other.id}", f"/campaigns/{other.id}/teams/{world['team_b'].id}",
                f"/campaigns/{other.id}/export.csv", f"/campaigns/{own.id}/teams/{world['team_b'].id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/campaigns/{other.id}/share").status_code == 404
    assert db.session.get(Campaign, other.id).share_token is None
    assert client.get(f"/households/{household.id}").status_code in (403, 404)
    assert client.get(f"/visits/{visit.id}").status_code in (403, 404)


def test_ward_leader_cannot_share_a_province_campaign(world, login_as):
    province_campaign = _campaign(ward_code=None)
    client = login_as(world["youth_a"])
    assert client.get(f"/campaigns/{province_campaign.id}").status_code == 200
    assert client.post(f"/campaigns/{province_campaign.id}/share").status_code == 403
    assert db.session.get(Campaign, province_campaign.id).share_token is None


def test_team_detail_explains_points_without_households_for_youth_leaders(
        world, make_household, make_visit, frozen_clock, login_as):
    household = make_household(world["team_a"].areas[0], address="Số 7 Hẻm Bờ Kè", people=2, eligible_people=2)
    make_visit(household, world["volunteer_a"], visited_at=at(13), level2_activated=2)
    _rebuild()
    campaign = _campaign()
    url = f"/campaigns/{campaign.id}/teams/{world['team_a'].id}"
    as_leader = _text(login_as(world["youth_a"]).get(url))
    # 1 met + 2 x 5 level 2 + 4 first reach = 15, in the week of 13/10.
    assert "Từng tuần" in as_leader and "13/10/2025" in as_leader and ">15<" in as_leader
    # The weeks as a small chart too: a column per week, its points on it, and the same figures as text.
    chart = as_leader[as_leader.index('<figure class="chart columns">'):]
    chart = chart[:chart.index("</figure>")]
    assert chart.count("<rect") == chart.count("<tr>") and chart.count("is-current") == 1
    assert 'class="value" text-anchor="middle">15</text>' in chart
    assert "Điểm của " + world["team_a"].name + " theo từng tuần" in chart and "<td>15</td>" in chart
    assert world["team_a"].areas[0].name in as_leader
    assert "Số 7 Hẻm Bờ Kè" not in as_leader
    as_member = _text(login_as(world["volunteer_a"]).get(url))
    assert "Số 7 Hẻm Bờ Kè" in as_member


# --- Home, public link, export ----------------------------------------------------------------------------

def test_volunteer_sees_the_team_rank_on_the_home_screen(world, make_household, make_visit, frozen_clock, login_as):
    make_visit(make_household(world["team_a"].areas[0]), world["volunteer_a"], visited_at=at(10))
    _rebuild()
    _campaign(name="Thi đua tháng 10")
    body = _text(login_as(world["volunteer_a"]).get("/"))
    assert "Thứ hạng của tổ" in body and "Thi đua tháng 10" in body
    assert "Hạng 1/1 · 5 điểm" in body


def test_public_link_shows_scores_only_and_dies_when_revoked(world, make_household, make_visit, frozen_clock,
                                                             login_as, client):
    make_visit(make_household(world["team_a"].areas[0], address="Số 9 Đường Mậu Thân"), world["volunteer_a"],
               visited_at=at(10))
    _rebuild()
    campaign = _campaign()
    leader = login_as(world["youth_a"])
    assert leader.post(f"/campaigns/{campaign.id}/share").status_code == 303
    token = db.session.get(Campaign, campaign.id).share_token
    assert token and len(token) >= 32
    assert token in _text(leader.get(f"/campaigns/{campaign.id}"))
    public = client.get(f"/board/public/{token}")
    body = _text(public)
    assert public.status_code == 200 and world["team_a"].name in body and "Phường Ninh Kiều" in body
    assert "Người Thử" not in body and "Số 9 Đường Mậu Thân" not in body and "style=" not in body
    assert public.headers["Cache-Control"] == "no-store"
    assert client.get("/board/public/not-the-token").status_code == 404
    assert leader.post(f"/campaigns/{campaign.id}/share/revoke").status_code == 303
    assert client.get(f"/board/public/{token}").status_code == 404
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"campaign.share", "campaign.revoke"} <= actions


def test_export_neutralises_formulas_and_is_audited(world, make_team, frozen_clock, login_as):
    make_team(WARD_A, name="=HYPERLINK(\"http://x\")")
    campaign = _campaign()
    client = login_as(world["youth_a"])
    response = client.get(f"/campaigns/{campaign.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = next(i for i, line in enumerate(lines) if line and line[0] == "Hạng")
    assert lines[header][:4] == ["Hạng", "Tổ", "Xã, phường", "Điểm"]
    assert any(line[1] == "'=HYPERLINK(\"http://x\")" for line in lines[header + 1:])
    book = load_workbook(io.BytesIO(client.get(f"/campaigns/{campaign.id}/export.xlsx").data))
    names = [row[1] for row in book.active.iter_rows(min_row=header + 2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names
    exports = db.session.scalars(select(AuditLog).where(AuditLog.action == "campaign.export")).all()
    assert sorted(e.detail["format"] for e in exports) == ["csv", "xlsx"]
    assert login_as(world["volunteer_a"]).get(f"/campaigns/{campaign.id}/export.csv").status_code == 403


def test_a_bare_close_earns_nothing_a_close_after_a_return_visit_scores(world, make_household, login_as,
                                                                        rollup_verified):
    lan = world["volunteer_a"]
    now = utcnow().replace(second=0, microsecond=0)

    def log(household, minutes_ago, outcome, followup=False):
        extra = {"followup_needed": True, "followup_reason": "Hẹn chiều mai",
                 "followup_due": clock.local_today() + timedelta(days=1)} if followup else {}
        visit, _created = visits.record(lan, visits.VisitInput(
            client_id=str(uuid.uuid4()), household_id=household.id, visited_at=now - timedelta(minutes=minutes_ago),
            outcome=outcome, **extra))
        db.session.commit()
        return visit

    bare = log(make_household(world["team_a"].areas[0], address="Số 3 Hẻm 12"), 5, Outcome.NOBODY_HOME, True)
    campaign = _campaign(start_date=clock.local_today() - timedelta(days=1),
                         end_date=clock.local_today() + timedelta(days=1))
    client = login_as(lan)
    assert "Đóng hẹn…" in _text(client.get("/"))
    response = client.post(f"/followups/{bare.id}/close", data={"next": "/"})
    assert response.status_code == 303
    home = _text(client.get("/"))
    assert "Đã đóng hẹn của Số 3 Hẻm 12 mà không ghi lượt quay lại." in home and "Đóng hẹn…" not in home
    assert db.session.get(type(bare), bare.id).followup_closed_at is not None
    # Closed without going back, nobody ever met: 0 points (2 before the rule).
    a = _standing(ranking.leaderboard(campaign), world["team_a"])
    assert (a.counts["followups_closed"], a.score) == (0, 0)
    # Nobody home two hours ago, follow-up opened; the team went back an hour ago and met them; then closed.
    household = make_household(world["team_a"].areas[0], address="Số 5 Hẻm 12")
    opened = log(household, 120, Outcome.NOBODY_HOME, True)
    log(household, 60, Outcome.MET)
    assert client.post(f"/followups/{opened.id}/close", data={"next": "/"}).status_code == 303
    # Follow-up 2 + met 1 + first reach 4 = 7, kept live (rollup_verified checks a rebuild agrees).
    a = _standing(ranking.leaderboard(campaign), world["team_a"])
    assert (a.counts["followups_closed"], a.score) == (1, 7)
    assert login_as(world["volunteer_b"]).post(f"/followups/{opened.id}/close").status_code == 404
    assert login_as(world["youth_a"]).post(f"/followups/{opened.id}/close").status_code == 404
    # The team's page says how both rules work, in Vietnamese.
    page = _text(client.get(f"/campaigns/{campaign.id}/teams/{world['team_a'].id}"))
    assert "mỗi tổ mỗi tháng dương lịch (theo ngày giờ Việt Nam) tính một lần" in page
    assert "Đánh dấu đã xong mà không có lượt thăm như vậy thì không được điểm." in page


def test_a_follow_up_needs_a_met_return_visit_by_its_team_between_opening_and_closing(
        world, make_household, make_user, make_visit, frozen_clock, rollup_verified):
    team_a, lan = world["team_a"], world["volunteer_a"]
    other_team = _other_team_in(WARD_A)
    other_team.areas.append(team_a.areas[0])
    db.session.commit()
    binh = make_user(Role.VOLUNTEER, team=other_team)
    opened = {"outcome": Outcome.NOBODY_HOME, "followup_needed": True, "followup_reason": "Hẹn",
              "followup_due": date(2025, 10, 6), "visited_at": at(2), "followup_closed_at": at(6)}
    make_visit(make_household(team_a.areas[0]), lan, **opened)  # never went back: 0
    by_other = make_household(team_a.areas[0])
    make_visit(by_other, lan, **opened)
    make_visit(by_other, binh, visited_at=at(4))  # another team went back: 0 for team A
    too_late = make_household(team_a.areas[0])
    make_visit(too_late, lan, **opened)
    make_visit(too_late, lan, visited_at=at(7))  # went back after closing: met 1 + first reach 4
    done = make_household(team_a.areas[0])
    make_visit(done, lan, **opened)
    make_visit(done, lan, visited_at=at(5))  # went back, then closed: met 1 + first reach 4 + follow-up 2
    _rebuild()
    board = ranking.leaderboard(_campaign())
    a, other = _standing(board, team_a), _standing(board, other_team)
    assert (a.counts["met"], a.counts["first_reach"], a.counts["followups_closed"], a.score) == (2, 2, 1, 12)
    assert (other.counts["followups_closed"], other.score) == (0, 5)


def test_meeting_the_same_households_daily_earns_once_a_month_and_level_two_outranks_it(
        world, make_team, make_user, make_household, make_visit, frozen_clock, rollup_verified):
    callers = make_team(WARD_A, name="Tổ Ghé Thăm")
    activators = make_team(WARD_A, name="Tổ Mức Hai")
    caller = make_user(Role.VOLUNTEER, team=callers)
    activator = make_user(Role.VOLUNTEER, team=activators)
    regulars = [make_household(callers.areas[0]) for _ in range(5)]
    # The same 5 households met every day from 1 to 20 October, nothing achieved: 100 met visits.
    for day in range(1, 21):
        for household in regulars:
            make_visit(household, caller, visited_at=at(day))
    # Level 2 for 4 people in 2 households (2 aged 14 and over in each), one visit each on the 3rd.
    for _ in range(2):
        make_visit(make_household(activators.areas[0], people=3, eligible_people=2), activator,
                   visited_at=at(3), level2_activated=2)
    _rebuild()
    board = ranking.leaderboard(_campaign())
    a, b = _standing(board, callers), _standing(board, activators)
    # Callers: 5 met (once each in October) x 1 + 5 first reaches x 4 = 25; once per day it was 100 + 20 = 120.
    assert (a.counts["met"], a.score) == (5, 25)
    # Activators: 2 met x 1 + 4 level 2 x 5 + 2 first reaches x 4 = 30. (Level 2 for 3 people would tie at 25.)
    assert (b.counts["level2"], b.score) == (4, 30)
    assert b.rank < a.rank
    # The month is the calendar's, not the campaign's: a campaign from 10 October counts no "met" for
    # households the team first met on 1 October, and a new month counts them again.
    assert _standing(ranking.leaderboard(_campaign(start_date=date(2025, 10, 10))), callers).score == 0
    for household in regulars[:2]:
        make_visit(household, caller, visited_at=at(31, hour=18))  # 1 November, 01:00 in Vietnam
        make_visit(household, caller, visited_at=at(2, month=11))
    _rebuild()
    days = db.session.execute(select(TeamDayScore.day, TeamDayScore.met).where(
        TeamDayScore.team_id == callers.id, TeamDayScore.day > date(2025, 10, 31))).all()
    assert days == [(date(2025, 11, 1), 2)]  # the 2nd: met again in November, nothing achieved, no row


def test_a_long_board_shows_its_top_and_the_own_team_and_everything_on_asking(
        world, make_team, make_user, make_household, make_visit, frozen_clock, login_as, client, monkeypatch):
    monkeypatch.setattr(ranking_board, "BOARD_TOP", 2)
    for name in ("Tổ Nhất", "Tổ Nhì"):
        team = make_team(WARD_A, name=name)
        make_visit(make_household(team.areas[0]), make_user(Role.VOLUNTEER, team=team), visited_at=at(10),
                   level2_activated=1 if name == "Tổ Nhất" else 0)
    idle = make_team(WARD_A, name="Tổ An")  # no score; ranks above team A by name, below the top two
    _rebuild()
    campaign = _campaign(share_token="board-token")
    standings = ranking.leaderboard(campaign).standings
    assert [s.team for s in standings[:2]] == ["Tổ Nhất", "Tổ Nhì"] and len(standings) >= 4
    own = _text(login_as(world["volunteer_a"]).get(f"/campaigns/{campaign.id}"))
    assert "Tổ Nhất" in own and "Tổ Nhì" in own and 'class="is-own"' in own and world["team_a"].name in own
    assert idle.name not in own and 'class="gap"' in own
    assert f"Xem tất cả {len(standings)} tổ" in own and f"/campaigns/{campaign.id}?all=1" in own
    every = _text(login_as(world["volunteer_a"]).get(f"/campaigns/{campaign.id}?all=1"))
    assert all(s.team in every for s in standings) and "Xem tất cả" not in every
    public = _text(client.get("/board/public/board-token"))
    assert "Tổ Nhì" in public and idle.name not in public and "/board/public/board-token?all=1" in public
    assert idle.name in _text(client.get("/board/public/board-token?all=1"))
    csv_text = _text(login_as(world["youth_a"]).get(f"/campaigns/{campaign.id}/export.csv"))
    assert all(s.team in csv_text for s in standings)


def test_show_all_runs_the_same_queries_however_many_teams_take_part(
        world, make_team, make_user, make_household, make_visit, frozen_clock, login_as, client):
    campaign = _campaign(ward_code=None, share_token="board-token")
    leader = login_as(world["admin"])
    urls = [(leader, f"/campaigns/{campaign.id}?all=1", None),
            (leader, f"/campaigns/{campaign.id}?all=1", {"HX-Request": "true"}),
            (client, "/board/public/board-token?all=1", None)]

    def add_teams(n: int) -> None:
        for ward_code in (WARD_A, WARD_B)[:n]:
            team = make_team(ward_code)
            make_visit(make_household(team.areas[0]), make_user(Role.VOLUNTEER, team=team), visited_at=at(10),
                       level2_activated=1)
        _rebuild()

    add_teams(1)
    before = [queries_for(c, url, headers) for c, url, headers in urls]
    for _ in range(6):
        add_teams(2)
    assert len(ranking.leaderboard(campaign).standings) == 15
    assert [queries_for(c, url, headers) for c, url, headers in urls] == before


def test_a_deactivated_team_drops_out_of_the_board_its_page_and_the_export(
        world, make_team, make_user, make_household, make_visit, frozen_clock, login_as):
    retired = make_team(WARD_A, name="Tổ Giải Thể")
    member = make_user(Role.VOLUNTEER, team=retired)
    make_visit(make_household(retired.areas[0]), member, visited_at=at(2))
    campaign = _campaign()
    _rebuild()
    page = f"/campaigns/{campaign.id}"
    assert "Tổ Giải Thể" in _text(login_as(world["youth_a"]).get(page))
    assert login_as(world["coordinator_a"]).post(f"/lists/teams/{retired.id}/active", data={"active": "0"}).status_code == 303
    for who in ("youth_a", "coordinator_a", "volunteer_a"):
        client = login_as(world[who])
        board = client.get(page)
        assert board.status_code == 200 and "Tổ Giải Thể" not in _text(board)
        assert client.get(f"{page}/teams/{retired.id}").status_code == 404
        assert client.get(f"{page}/teams/{world['team_a'].id}").status_code == 200
    export = login_as(world["coordinator_a"]).get(f"{page}/export.csv")
    assert export.status_code == 200 and "Tổ Giải Thể" not in export.get_data(as_text=True)
    assert login_as(member).get("/").status_code == 200
