"""A youth-union leader, on a 360-px phone, opens a finished campaign's commendation, narrows the rule, and prints
the volunteers' certificates: one A4 landscape page each."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Campaign, Role
from app.services import ranking, rollups
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser


def test_commendation_and_certificates_fit_the_phone_and_print_one_page_each(
        phone, live_server, console_errors, screenshot, make_area, make_team, make_user, make_household, make_visit):
    done = utcnow() - timedelta(days=10)
    for team_name, people, activated in (("Tổ công nghệ số cộng đồng Khu vực Bình Yên Đông", 3, 3),
                                         ("Tổ CNSCĐ Chợ Mới", 2, 2)):
        team = make_team(WARD_A, areas=[make_area(WARD_A)], name=team_name)
        for index in range(people):
            member = make_user(Role.VOLUNTEER, team=team, display_name=f"Nguyễn Thị Hồng Nhung {team_name[-3:]} {index}")
            for _ in range(4):
                make_visit(make_household(team.areas[0], people=3, eligible_people=3), member, visited_at=done,
                           level2_activated=activated, services="residence", cashless_setup=True)
    rollups.rebuild()
    today = local_today()
    campaign = Campaign(name="Tháng cao điểm chuyển đổi số", start_date=today - timedelta(days=20),
                        end_date=today - timedelta(days=2), province_code=92, ward_code=WARD_A,
                        weights=dict(ranking.DEFAULT_WEIGHTS))
    db.session.add(campaign)
    db.session.commit()
    leader = make_user(Role.YOUTH_LEADER, WARD_A, display_name="Lê Văn Đoàn")
    log_in(phone, live_server, leader.username)

    phone.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Xếp hạng").click()
    phone.get_by_role("link", name="Tháng cao điểm chuyển đổi số").click()
    phone.get_by_role("link", name="Đề nghị khen thưởng").click()
    expect(phone.get_by_role("heading", name="Đề nghị khen thưởng")).to_be_visible()
    expect(phone.locator("#provisional")).to_have_count(0)
    # The defaults (10 volunteers with 10 outcomes): every member of the first team has 4 x (3 + 1 + 1) = 20.
    volunteers = phone.locator("#volunteers + .table-wrap tbody tr")
    expect(volunteers).to_have_count(5)

    phone.get_by_label("Tổ: số hạng đầu được xét").fill("1")
    phone.get_by_label("Tình nguyện viên: số kết quả tối thiểu").fill("17")
    phone.get_by_role("button", name="Lưu tiêu chí").click()
    expect(phone.locator(".flash-success")).to_contain_text("Đã lưu tiêu chí khen thưởng.")
    expect(volunteers).to_have_count(3)
    expect(phone.locator("#teams + .table-wrap tbody tr")).to_have_count(1)
    expect(phone.locator("#volunteers-short")).to_contain_text("hạng 4, 16 kết quả")
    screenshot(phone, "list")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main .btn") >= 3

    phone.get_by_role("link", name="In tất cả giấy chứng nhận").click()
    sheets = phone.locator("article.certificate")
    expect(sheets).to_have_count(3)
    expect(sheets.first).to_contain_text("GIẤY CHỨNG NHẬN")
    expect(sheets.first).to_contain_text("Tháng cao điểm chuyển đổi số")
    expect(sheets.first).to_contain_text("UBND PHƯỜNG NINH KIỀU")
    screenshot(phone, "certificates")
    assert_fits_the_phone(phone)
    pdf = phone.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 3  # one A4 landscape page a volunteer
    # The first sheet as it prints (A4 landscape at 96 dpi), for a human to look at.
    phone.set_viewport_size({"width": 1123, "height": 794})
    phone.emulate_media(media="print")
    screenshot(phone, "print", full_page=False)
    assert csp_violations(console_errors) == []
