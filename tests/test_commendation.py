"""Commendation at a campaign's end: who is proposed (the leaderboard's ranks and ties, the minimum of outcomes, a
volunteer's own outcomes), who may see and set it, the DOCX list and the certificates."""

import io
from datetime import date, datetime

import pytest
from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Campaign, Role
from app.services import ranking, rollups
from app.services.ranking import commendation as commend
from tests.conftest import WARD_A, WARD_B

# Monday 3/11/2025, 10:00 in Vietnam: the October campaign is over.
AFTER = datetime(2025, 11, 3, 3, 0)
# Wednesday 15/10/2025: it still runs.
DURING = datetime(2025, 10, 15, 3, 0)

pytestmark = pytest.mark.frozen_at(AFTER)


def at(day: int, month: int = 10) -> datetime:
    """09:00 in Vietnam on a day of 2025 (naive UTC)."""
    return datetime(2025, month, day, 2)


def _campaign(ward_code: int | None = WARD_A, **rule) -> Campaign:
    campaign = Campaign(name="Tháng 10 thi đua", start_date=date(2025, 10, 1), end_date=date(2025, 10, 31),
                        province_code=92, ward_code=ward_code, weights=dict(ranking.DEFAULT_WEIGHTS), **rule)
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def teams(world, make_area, make_team, make_user, make_household, make_visit):
    """Four teams of ward A. With the default weights a household-day met, reached first and activated for its
    3 people aged 14+ scores 1 + 4 + 3 x 5 = 20; tutored online and cashless add 3 and 2.
    - Bình An: Lan activates 3 households, Minh 1: 4 x 20 = 80 points, rank 1; 12 outcomes.
    - Cái Khế (Hoa) and Dân Chủ (Tuấn): 2 households each, activated, tutored and cashless: 2 x 25 = 50, tied at
      rank 2 (equal reach, so listed by name); 6 + 2 + 2 = 10 outcomes each.
    - Hưng Lợi (Phúc): 1 household met, nothing done: 1 + 4 = 5, rank 4; no outcome.
    Volunteers by their own outcomes: Hoa 10 and Tuấn 10 tied at 1, Lan 9 at 3, Minh 3 at 4 (his flagged visit
    and his September visit count nothing)."""
    made = {}
    for name, member_names in (("Tổ Bình An", ["Nguyễn Thị Lan", "Trần Văn Minh"]), ("Tổ Cái Khế", ["Lê Thị Hoa"]),
                               ("Tổ Dân Chủ", ["Phạm Anh Tuấn"]), ("Tổ Hưng Lợi", ["Võ Văn Phúc"])):
        team = make_team(WARD_A, areas=[make_area(WARD_A)], name=name)
        made[name] = team
        for member in member_names:
            made[member] = make_user(Role.VOLUNTEER, team=team, display_name=member)

    def household(team):
        return make_household(made[team].areas[0], people=3, eligible_people=3)

    for _ in range(3):
        make_visit(household("Tổ Bình An"), made["Nguyễn Thị Lan"], visited_at=at(6), level2_activated=3)
    make_visit(household("Tổ Bình An"), made["Trần Văn Minh"], visited_at=at(7), level2_activated=3)
    make_visit(household("Tổ Bình An"), made["Trần Văn Minh"], visited_at=at(8), level2_activated=3, flagged=True,
               flag_reason="Trùng")
    make_visit(household("Tổ Bình An"), made["Trần Văn Minh"], visited_at=at(20, month=9), level2_activated=3)
    for team, member in (("Tổ Cái Khế", "Lê Thị Hoa"), ("Tổ Dân Chủ", "Phạm Anh Tuấn")):
        for _ in range(2):
            make_visit(household(team), made[member], visited_at=at(9), level2_activated=3, services="residence",
                       online_people=1, cashless_setup=True)
    make_visit(household("Tổ Hưng Lợi"), made["Võ Văn Phúc"], visited_at=at(10))
    rollups.rebuild()
    db.session.commit()
    return made


def _names(items) -> list[str]:
    return [getattr(item, "name", None) or item.standing.team for item in items]


def test_proposed_by_rank_with_ties_and_the_minimum(world, teams):
    campaign = _campaign(commend_teams=2, commend_team_outcomes=10, commend_volunteers=3, commend_volunteer_outcomes=5)
    found = commend.commendation(world["youth_a"], campaign)
    board = ranking.leaderboard(campaign)
    assert [(s.team, s.rank, s.score) for s in board.standings[:4]] == [
        ("Tổ Bình An", 1, 80), ("Tổ Cái Khế", 2, 50), ("Tổ Dân Chủ", 2, 50), ("Tổ Hưng Lợi", 4, 5)]
    # The first 2 places hold 3 teams (the tie at 2), each with 10 outcomes or more.
    assert [(p.standing.team, p.standing.rank, p.standing.score, p.outcomes) for p in found.teams] == [
        ("Tổ Bình An", 1, 80, 12), ("Tổ Cái Khế", 2, 50, 10), ("Tổ Dân Chủ", 2, 50, 10)]
    assert [(v.name, v.rank, v.outcomes) for v in found.volunteers] == [
        ("Lê Thị Hoa", 1, 10), ("Phạm Anh Tuấn", 1, 10), ("Nguyễn Thị Lan", 3, 9)]
    assert found.volunteers[0].counts == {"level2": 6, "tutored": 2, "cashless": 2}
    assert found.final and not found.teams_short and not found.volunteers_short

    # One more outcome needed: the tied teams fall short; one place for volunteers still holds the two tied first.
    campaign.commend_team_outcomes, campaign.commend_volunteers = 11, 1
    found = commend.commendation(world["youth_a"], campaign)
    assert _names(found.teams) == ["Tổ Bình An"] and _names(found.teams_short) == ["Tổ Cái Khế", "Tổ Dân Chủ"]
    assert _names(found.volunteers) == ["Lê Thị Hoa", "Phạm Anh Tuấn"]
    campaign.commend_volunteers, campaign.commend_volunteer_outcomes = 4, 9
    found = commend.commendation(world["youth_a"], campaign)
    assert _names(found.volunteers) == ["Lê Thị Hoa", "Phạm Anh Tuấn", "Nguyễn Thị Lan"]
    assert [(v.name, v.rank, v.outcomes) for v in found.volunteers_short] == [("Trần Văn Minh", 4, 3)]


def test_the_page_shows_the_lists_and_the_owner_sets_the_rule(world, teams, login_as):
    campaign = _campaign()  # the defaults: 3 teams with 20 outcomes, 10 volunteers with 10
    leader = login_as(world["youth_a"])
    page = leader.get(f"/campaigns/{campaign.id}/commendation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đề nghị khen thưởng" in text and "Danh sách tạm tính" not in text
    assert "Không có tổ nào đạt tiêu chí." in text  # no team has 20 outcomes
    proposed, short = text.split('id="volunteers-short"')
    assert "Lê Thị Hoa" in proposed and "Phạm Anh Tuấn" in proposed and "Nguyễn Thị Lan" not in proposed
    assert "Nguyễn Thị Lan (hạng 3, 9 kết quả)" in short  # within the 10 places, short of 10 outcomes

    refused = leader.post(f"/campaigns/{campaign.id}/commendation", data={
        "teams": "0", "team_outcomes": "10", "volunteers": "3", "volunteer_outcomes": "abc"})
    assert refused.status_code == 422
    assert "Số hạng là số nguyên từ 1 đến 1000." in refused.get_data(as_text=True)
    assert "Số kết quả là số nguyên từ 0 đến 9999." in refused.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.commend_teams == 3

    saved = leader.post(f"/campaigns/{campaign.id}/commendation", data={
        "teams": "2", "team_outcomes": "10", "volunteers": "3", "volunteer_outcomes": "5"})
    assert saved.status_code == 303
    db.session.refresh(campaign)
    assert commend.rule_of(campaign) == commend.CommendationRule(2, 10, 3, 5)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "campaign.commendation_rule"))
    assert entry.detail["after"] == {"teams": 2, "team_outcomes": 10, "volunteers": 3, "volunteer_outcomes": 5}
    text = leader.get(f"/campaigns/{campaign.id}/commendation").get_data(as_text=True)
    assert "Tổ Dân Chủ" in text and "Nguyễn Thị Lan" in text

    # The unit's coordinator reads the list, without the form, and may not change the rule.
    coordinator = login_as(world["coordinator_a"])
    text = coordinator.get(f"/campaigns/{campaign.id}/commendation").get_data(as_text=True)
    assert "Tổ Dân Chủ" in text and 'name="teams"' not in text
    assert coordinator.post(f"/campaigns/{campaign.id}/commendation", data={
        "teams": "9", "team_outcomes": "0", "volunteers": "9", "volunteer_outcomes": "0"}).status_code == 403
    db.session.refresh(campaign)
    assert campaign.commend_teams == 2


def test_scope_other_units_and_roles_are_refused(world, teams, login_as):
    campaign = _campaign()
    url = f"/campaigns/{campaign.id}/commendation"
    assert login_as(world["coordinator_b"]).get(url).status_code == 404  # another unit's campaign
    for role in ("volunteer_a", "leader_a", "admin", "province"):
        assert login_as(world[role]).get(url).status_code in (403, 404), role
    assert login_as(world["volunteer_a"]).get(url + ".docx").status_code == 403
    assert login_as(world["coordinator_b"]).get(url + "/certificates").status_code == 404


def test_a_unit_reads_its_part_of_a_province_campaign(world, teams, make_team, make_user, make_household,
                                                      make_visit, login_as):
    """Ward B's best team outranks ward A's; ward A's coordinator sees ward A's proposals at their province rank."""
    far = make_team(WARD_B, name="Tổ Cái Răng")
    khoa = make_user(Role.VOLUNTEER, team=far, display_name="Đặng Minh Khoa")
    for _ in range(5):
        make_visit(make_household(far.areas[0], people=3, eligible_people=3), khoa, visited_at=at(11),
                   level2_activated=3)
    rollups.rebuild()
    db.session.commit()
    campaign = _campaign(ward_code=None, commend_teams=2, commend_team_outcomes=0, commend_volunteers=2,
                         commend_volunteer_outcomes=0)
    whole = commend.commendation(make_user(Role.YOUTH_LEADER, ward_code=None), campaign)  # the province's leader
    assert [(p.standing.team, p.standing.rank) for p in whole.teams] == [("Tổ Cái Răng", 1), ("Tổ Bình An", 2)]
    assert [(v.name, v.rank) for v in whole.volunteers] == [
        ("Đặng Minh Khoa", 1), ("Lê Thị Hoa", 2), ("Phạm Anh Tuấn", 2)]
    mine = commend.commendation(world["coordinator_a"], campaign)
    assert [(p.standing.team, p.standing.rank) for p in mine.teams] == [("Tổ Bình An", 2)]
    assert [(v.name, v.rank) for v in mine.volunteers] == [("Lê Thị Hoa", 2), ("Phạm Anh Tuấn", 2)]
    text = login_as(world["coordinator_b"]).get(f"/campaigns/{campaign.id}/commendation").get_data(as_text=True)
    assert "Tổ Cái Răng" in text and "Đặng Minh Khoa" in text and "Tổ Bình An" not in text


def test_docx_lists_the_names_and_is_audited(world, teams, login_as):
    campaign = _campaign(commend_teams=2, commend_team_outcomes=10, commend_volunteers=3, commend_volunteer_outcomes=5)
    response = login_as(world["youth_a"]).get(f"/campaigns/{campaign.id}/commendation.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.docx"')
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    header = " ".join(cells[:2])
    assert "UBND PHƯỜNG NINH KIỀU" in header and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    assert "Ninh Kiều, ngày 03 tháng 11 năm 2025" in header
    assert "DANH SÁCH" in text and "Tháng 10 thi đua" in text
    for name in ("Tổ Bình An", "Tổ Cái Khế", "Tổ Dân Chủ", "Lê Thị Hoa (Tổ Cái Khế)", "Nguyễn Thị Lan (Tổ Bình An)"):
        assert name in cells, name
    assert "Tổ Hưng Lợi" not in cells and not any("Trần Văn Minh" in cell for cell in cells)
    rows = [[cell.text for cell in row.cells] for table in doc.tables[1:3] for row in table.rows]
    # No., name, rank, score (teams) or outcomes (volunteers), level 2, online, cashless.
    assert ["1", "Tổ Bình An", "1", "80", "12", "0", "0"] in rows
    assert ["2", "Phạm Anh Tuấn (Tổ Dân Chủ)", "1", "10", "6", "2", "2"] in rows
    assert any("NGƯỜI LẬP DANH SÁCH" in cell for cell in cells)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "campaign.commendation_export"))
    assert entry.detail == {"format": "docx", "teams": 3, "volunteers": 3}


def test_certificates_name_the_volunteer_and_the_campaign(world, teams, login_as):
    campaign = _campaign(commend_volunteers=3, commend_volunteer_outcomes=5)
    client = login_as(world["coordinator_a"])
    page = client.get(f"/campaigns/{campaign.id}/commendation/certificates")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('class="certificate"') == 3
    assert "GIẤY CHỨNG NHẬN" in text and "Tháng 10 thi đua" in text and "Lê Thị Hoa" in text
    assert "Nguyễn Thị Lan" in text and "Ninh Kiều, ngày 03 tháng 11 năm 2025" in text
    one = client.get(f"/campaigns/{campaign.id}/commendation/certificates",
                     query_string={"member": teams["Nguyễn Thị Lan"].id}).get_data(as_text=True)
    assert one.count('class="certificate"') == 1 and "Nguyễn Thị Lan" in one and "Lê Thị Hoa" not in one
    assert "hạng 3" in one and "9 người được kích hoạt" in one
    for member in (teams["Trần Văn Minh"].id, "abc", world["volunteer_b"].id):  # not proposed, not an id, elsewhere
        assert client.get(f"/campaigns/{campaign.id}/commendation/certificates",
                          query_string={"member": member}).status_code == 404
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "campaign.commendation_export")) is not None


@pytest.mark.frozen_at(DURING)
def test_before_the_end_the_list_is_provisional_and_nothing_is_handed_out(world, teams, login_as):
    campaign = _campaign(commend_volunteers=3, commend_volunteer_outcomes=5)
    client = login_as(world["youth_a"])
    text = client.get(f"/campaigns/{campaign.id}/commendation").get_data(as_text=True)
    assert "Danh sách tạm tính." in text and "Lê Thị Hoa" in text
    assert "commendation.docx" not in text and "/certificates" not in text
    for path in ("commendation.docx", "commendation/certificates"):
        refused = client.get(f"/campaigns/{campaign.id}/{path}")
        assert refused.status_code == 409
        assert "Đợt thi đua diễn ra đến hết ngày 31/10/2025" in refused.get_data(as_text=True)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "campaign.commendation_export")) is None
